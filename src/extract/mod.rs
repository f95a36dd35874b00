//! The extractors that read facts out of the kept text: money figures, entities and claims.
//! Each is compiled from its family directory under `rules/` and reads only kept blocks.

pub mod claims;
pub mod entities;
pub mod money;
