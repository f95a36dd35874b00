//! assay turns scraped article text into structured records: the page chrome stripped, and the
//! entities, money figures and claims pulled out with exact byte spans.
//!
//! ```text
//! corpus ─► decode ─► segment ─► clean (boilerplate) ─► extract: money, entities, claims ─► record
//! ```
//!
//! - [`corpus`] finds the documents: files, directories, standard input, JSON Lines records.
//! - [`decode`] turns bytes into text and keeps the way back to input offsets.
//! - [`segment`] finds lines, blocks and sentences.
//! - [`clean`] classifies lines as boilerplate or article.
//! - [`extract`] reads money figures, entities and claims out of the kept text.
//! - [`record`] is the output contract (`docs/record.md`).
//! - [`pipeline`] runs the stages over one document; [`batch`] runs it over many, in parallel,
//!   keeping input order.
//! - [`atomic`] writes output files whole or not at all.
//! - [`chars`] classes characters for the scanners that count words a byte at a time.
//! - [`rules`] loads the rule files that drive every stage; [`check`] proves them against their
//!   examples and the fixtures.

pub mod atomic;
pub mod batch;
pub mod chars;
pub mod check;
pub mod clean;
pub mod corpus;
pub mod decode;
pub mod extract;
pub mod pipeline;
pub mod record;
pub mod rules;
pub mod segment;
pub mod span;
