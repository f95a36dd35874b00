//! Rule files: where they come from, how they are parsed, and how their errors point at a line.
//!
//! Rules are data. Every stage reads its own family directory under `rules/` (`segment`,
//! `boilerplate`, `money`, `entities`, `claims`): TOML files holding `[[rule]]` tables, plus list
//! files (`.tsv`) that a rule names. The repository's `rules/` directory is embedded in the binary
//! at build time, so the tool needs no flag; `--rules DIR` reads another directory laid out the
//! same way instead.
//!
//! Each family's engine defines its own rule table with `rule_table!`, which adds the fields
//! every rule shares: `id`, `description`, `why`, `known_problems`, `examples` and `negatives`.
//! Unknown fields, bad TOML, bad regexes and duplicate ids stop the run with a [`RuleError`]
//! that names `file:line:col`.

pub mod catalogue;
pub mod gate;
pub mod lazy;
mod phrases;
mod source;

pub use catalogue::{Catalogue, EntryKind, ExampleDoc, FilesEvidence, Quoted, RuleDoc};
pub use phrases::{
    PhraseHit, PhraseSet, PhraseSetBuilder, TooManyPhrases, ascii_boundary, is_capital, is_titlecase, non_ascii_chars,
    occurs_anywhere_at,
};
pub use source::{Family, ListFile, RuleFile, RuleSource};

use serde::de::DeserializeOwned;

/// Where a phrase of a phrase rule must sit in the text it is looked for in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Position {
    /// Anywhere, starting at a word boundary.
    #[default]
    Anywhere,
    /// At the start, after punctuation, list markers and emphasis.
    Start,
    /// The whole text, give or take surrounding punctuation.
    Whole,
}

impl Position {
    /// Whether a phrase found at `start..end` of `text` sits where this position asks. A phrase
    /// must start and end at word boundaries wherever it is.
    pub fn admits(self, text: &str, start: usize, end: usize) -> bool {
        let is_word = |c: char| c.is_alphanumeric();
        let starts_word =
            text[..start].chars().next_back().is_none_or(|c| !is_word(c)) || !text[start..].starts_with(is_word);
        let ends_word = text[end..].chars().next().is_none_or(|c| !is_word(c)) || !text[..end].ends_with(is_word);
        // Where the words of the text start and end, read only for the positions that ask.
        let body_start = || text.len() - text.trim_start_matches(|c: char| !is_word(c)).len();
        let body_end = || {
            let body_start = body_start();
            body_start + text[body_start..].trim_end_matches(|c: char| !is_word(c)).len()
        };
        starts_word
            && ends_word
            && match self {
                Position::Anywhere => true,
                Position::Start => start <= body_start(),
                Position::Whole => start <= body_start() && end >= body_end(),
            }
    }
}

/// A rule file that cannot be used. Displayed as `file:line:col: message`.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("{path}:{line}:{col}: {message}")]
    Invalid { path: String, line: usize, col: usize, message: String },
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
}

impl RuleError {
    /// An error about the bytes `span` of `file`.
    pub fn at(file: &RuleFile, span: std::ops::Range<usize>, message: impl Into<String>) -> RuleError {
        let (line, col) = crate::decode::position(file.text.as_bytes(), span.start);
        RuleError::Invalid { path: file.path.clone(), line, col, message: message.into() }
    }
}

/// Parses a rule file into a family's schema, with the location of any error. The file's own
/// evidence (top-level `examples` and `negatives`, see [`Catalogue::add_files`]) is no part of
/// any family's schema and is left out.
pub fn parse<T: DeserializeOwned>(file: &RuleFile) -> Result<T, RuleError> {
    let located = |error: toml::de::Error| {
        let span = error.span().unwrap_or(0..0);
        RuleError::at(file, span, error.message().trim_end().to_string())
    };
    let mut root = toml::de::DeTable::parse(&file.text).map_err(located)?;
    for key in ["examples", "negatives"] {
        root.get_mut().remove(key);
    }
    T::deserialize(toml::de::Deserializer::from(root)).map_err(located)
}

/// Compiles a regex from a rule file, pointing at the pattern's string on failure.
pub fn compile_regex(file: &RuleFile, pattern: &toml::Spanned<String>) -> Result<regex::Regex, RuleError> {
    build_regex(pattern.get_ref()).map_err(|error| RuleError::at(file, pattern.span(), format!("bad regex: {error}")))
}

/// A regex built as [`compile_regex`] builds those of rule files, for patterns derived from them.
pub fn build_regex(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(pattern).size_limit(REGEX_SIZE_LIMIT).dfa_size_limit(REGEX_DFA_SIZE_LIMIT).build()
}

/// The most memory a rule regex's compiled automaton may take.
pub const REGEX_SIZE_LIMIT: usize = 64 << 20;

/// The automaton of a parsed pattern, with its capture groups, as the full regex compiles its own
/// (within [`REGEX_SIZE_LIMIT`], not shrunk): for the searchers built on it alone, where the full
/// regex's other engines are not wanted. `None` when it exceeds the limit.
pub fn capturing_nfa(hir: &regex_syntax::hir::Hir) -> Option<regex_automata::nfa::thompson::NFA> {
    use regex_automata::nfa::thompson;
    thompson::Compiler::new()
        .configure(thompson::Config::new().nfa_size_limit(Some(REGEX_SIZE_LIMIT)).shrink(false))
        .build_from_hir(hir)
        .ok()
}

/// The lazy DFA cache of a rule regex. Patterns over Unicode classes (`\p{Lu}[\p{L}…]*`
/// repeated) outgrow the default 2 MiB on long blocks; the DFA then gives up and the search
/// falls back to the much slower NFA engines for the rest of the text.
pub const REGEX_DFA_SIZE_LIMIT: usize = 8 << 20;

/// Declares a family's `[[rule]]` table: the fields every rule shares plus the family's own.
///
/// The shared fields are the rule's documentation (ruff-style headings: what it matches, why,
/// known problems) and its inline examples, so that a rule and its evidence sit side by side.
macro_rules! rule_table {
    (
        $(#[$meta:meta])*
        pub struct $name:ident { $($(#[$field_meta:meta])* pub $field:ident : $ty:ty,)* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// Kebab-case name of the thing the rule finds, unique across all families.
            pub id: toml::Spanned<String>,
            /// What it matches.
            pub description: String,
            /// Why it exists.
            #[serde(default)]
            pub why: String,
            /// Known problems: what it gets wrong and leaves to other rules.
            #[serde(default)]
            pub known_problems: String,
            /// Texts on which the rule must produce the expected items.
            #[serde(default)]
            pub examples: Vec<$crate::rules::catalogue::Example>,
            /// Texts on which the rule must produce nothing.
            #[serde(default)]
            pub negatives: Vec<toml::Spanned<String>>,
            $($(#[$field_meta])* pub $field: $ty,)*
        }

        impl $name {
            /// Registers the rule's documentation and examples in the catalogue.
            pub fn register(
                &self,
                file: &$crate::rules::RuleFile,
                catalogue: &mut $crate::rules::Catalogue,
            ) -> Result<usize, $crate::rules::RuleError> {
                catalogue.add(
                    file,
                    &self.id,
                    $crate::rules::catalogue::Documentation {
                        description: &self.description,
                        why: &self.why,
                        known_problems: &self.known_problems,
                        examples: &self.examples,
                        negatives: &self.negatives,
                    },
                )
            }
        }
    };
}
pub(crate) use rule_table;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_admit_whole_words_only() {
        let text = "* Share this: now";
        let at = |phrase: &str| text.find(phrase).unwrap();
        assert!(Position::Start.admits(text, at("Share this"), at("Share this") + 10));
        assert!(Position::Anywhere.admits(text, at("now"), at("now") + 3));
        assert!(!Position::Start.admits(text, at("now"), at("now") + 3));
        assert!(!Position::Anywhere.admits(text, at("hare"), at("hare") + 4));
        assert!(!Position::Whole.admits(text, at("Share"), at("Share") + 5));
        assert!(Position::Whole.admits("Search", 0, 6));
    }
}
