//! `assay check`: every rule proves itself against its inline examples, and the whole pipeline
//! against the fixtures in `tests/fixtures/`.
//!
//! - An **example** (`examples = [{ text, expect }]` in a rule file) is run through the whole
//!   pipeline. The items of the rule's family (sentences for `segment` rules) must be exactly the
//!   expected ones, each expectation a partial item (`text`, `amount`, `type`, `kinds`…). A
//!   boilerplate example without `expect` must be removed whole. An example marked `todo` is a
//!   known gap: reported, but not a failure.
//! - A **negative** (`negatives = ["…"]`) must produce nothing from the rule: no item whose
//!   `rule` is the rule's id (nor, for claims, whose `cues` include it).
//! - A rule without examples (or, when its items name it, without negatives) is **untested**.
//! - A **data file** (currencies, scales: no `[[rule]]` of its own) carries its evidence as
//!   top-level `examples` and `negatives`, listed under the file's path as id
//!   (`money/scales.toml`). Its data serves every rule of its family, so its examples are
//!   checked against all the family's items, and a negative must produce no item of the family.
//!   A data file without them is untested.
//! - A **fixture** is an article (`.txt`, `.md`, `.text`) with its expected record beside it in
//!   `<name>.expected.json`, compared field by field. `--bless` rewrites the expected records
//!   from the current output and says what changed.
//!
//! Every difference is one of the [`ProblemKind`]s, located at `file:line:col` of its input.

mod compare;
mod examples;
mod fixtures;

pub use examples::check_rules;
pub use fixtures::{BlessResult, Fixture, FixtureError, LoadedFixture, bless, check_fixtures, find_fixtures, load};

use std::collections::BTreeSet;

use serde_json::Value;

use crate::rules::{Catalogue, EntryKind, Family, RuleDoc};

/// What kind of difference a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// An expected item that nothing produced.
    Missing,
    /// A produced item that nothing expected.
    Unexpected,
    /// The expected item was found, but on another span.
    SpanMismatch,
    /// An item on the expected span, with other values (amount, currency, type, kind…).
    ValueMismatch,
    /// Two rules claim the same text.
    Ambiguous,
    /// An example whose items all come from other rules: it proves nothing about its own.
    NotExercised,
    /// A rule without examples or negatives.
    Untested,
}

impl ProblemKind {
    /// How the problem is named in the report: `value mismatch`.
    pub fn label(self) -> &'static str {
        match self {
            ProblemKind::Missing => "missing",
            ProblemKind::Unexpected => "unexpected",
            ProblemKind::SpanMismatch => "span mismatch",
            ProblemKind::ValueMismatch => "value mismatch",
            ProblemKind::Ambiguous => "ambiguous",
            ProblemKind::NotExercised => "not exercised",
            ProblemKind::Untested => "untested",
        }
    }
}

/// One difference, where it is in its input, and the short expected-vs-got.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Problem {
    pub kind: ProblemKind,
    /// `file:line:col` of the input (the rule file for examples, the article for fixtures).
    pub location: String,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub got: Option<Value>,
    /// Why this is a known gap, when it is marked as one: reported, but not a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub todo: Option<String>,
}

impl Problem {
    /// A problem about no item in particular.
    fn new(kind: ProblemKind, location: String, detail: String) -> Problem {
        Problem { kind, location, detail, expected: None, got: None, todo: None }
    }
}

/// What a case checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaseKind {
    Example,
    Negative,
    /// A rule's evidence as a whole: whether it has any.
    Rule,
    Fixture,
}

/// Whether a case passed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Outcome {
    Passed,
    /// A known gap, with the reason given: its problems are reported but do not fail the check.
    Todo {
        reason: String,
    },
    Failed,
}

/// One checked case: an example, a negative, a rule's evidence, or a fixture.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CaseResult {
    pub kind: CaseKind,
    /// The rule the case belongs to (none for fixtures).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// `file:line:col` of the example, or the fixture's path.
    pub location: String,
    #[serde(flatten)]
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

impl CaseResult {
    /// A case whose outcome follows from its problems: none is a pass; only known gaps (`todo`)
    /// make it a known gap; anything else fails it.
    fn judged(kind: CaseKind, rule: Option<&str>, location: String, problems: Vec<Problem>) -> CaseResult {
        let mut reasons: Vec<&str> = Vec::new();
        for reason in problems.iter().filter_map(|problem| problem.todo.as_deref()) {
            if !reasons.contains(&reason) {
                reasons.push(reason);
            }
        }
        let outcome = if problems.is_empty() {
            Outcome::Passed
        } else if problems.iter().all(|problem| problem.todo.is_some()) {
            Outcome::Todo { reason: reasons.join("; ") }
        } else {
            Outcome::Failed
        };
        CaseResult { kind, rule: rule.map(str::to_string), location, outcome, problems }
    }

    pub fn failed(&self) -> bool {
        self.outcome == Outcome::Failed
    }

    /// Nothing for a passed case; else `FAIL rules/money/patterns.toml:75:16: symbol-amount
    /// example`, then one line per problem:
    /// `    rules/money/patterns.toml:75:24: value mismatch: "$5": amount expected 5, got 6`.
    pub fn write_human(&self, out: &mut impl std::io::Write, paint: Paint) -> std::io::Result<()> {
        let (label, colour, note) = match &self.outcome {
            Outcome::Passed => return Ok(()),
            Outcome::Failed => ("FAIL", Paint::RED, String::new()),
            Outcome::Todo { reason } => ("TODO", Paint::YELLOW, format!(" (todo: {reason})")),
        };
        let kind = match self.kind {
            CaseKind::Example => "example",
            CaseKind::Negative => "negative",
            CaseKind::Rule => "rule",
            CaseKind::Fixture => "fixture",
        };
        let what = self.rule.as_ref().map_or_else(|| kind.to_string(), |rule| format!("{rule} {kind}"));
        writeln!(out, "{} {}: {what}{note}", paint.apply(colour, label), self.location)?;
        for problem in &self.problems {
            let label = paint.apply(Paint::BOLD, problem.kind.label());
            // In a failed case, say which of its problems are known gaps.
            let gap = match (&problem.todo, &self.outcome) {
                (Some(reason), Outcome::Failed) => format!(" (todo: {reason})"),
                _ => String::new(),
            };
            writeln!(out, "    {}: {label}: {}{gap}", problem.location, problem.detail)?;
        }
        Ok(())
    }
}

/// Whether the human report is coloured (ANSI escapes), and with what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paint(pub bool);

impl Paint {
    pub const RED: &str = "\x1b[1;31m";
    pub const YELLOW: &str = "\x1b[33m";
    pub const GREEN: &str = "\x1b[32m";
    pub const BOLD: &str = "\x1b[1m";

    pub fn apply(self, colour: &str, text: &str) -> String {
        if self.0 { format!("{colour}{text}\x1b[0m") } else { text.to_string() }
    }
}

/// The results of a check run.
#[derive(Debug, Default, serde::Serialize)]
pub struct Report {
    pub passed: usize,
    pub failed: usize,
    pub cases: Vec<CaseResult>,
}

impl Report {
    pub fn new(cases: Vec<CaseResult>) -> Report {
        let failed = cases.iter().filter(|case| case.failed()).count();
        Report { passed: cases.len() - failed, failed, cases }
    }
}

/// Which rules a check run covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// The selected rule ids; `None` is every rule, and the fixtures' whole records.
    rules: Option<BTreeSet<String>>,
    /// Families whose fixture items are all compared: a selected data file serves every rule
    /// of its family, so any of their items may show what it changed.
    whole: BTreeSet<Family>,
}

impl Selection {
    pub fn all() -> Selection {
        Selection { rules: None, whole: BTreeSet::new() }
    }

    /// The catalogue entries that `pick` keeps.
    fn picking(catalogue: &Catalogue, pick: impl Fn(&RuleDoc) -> bool) -> Selection {
        let picked: Vec<&RuleDoc> = catalogue.rules().iter().filter(|rule| pick(rule)).collect();
        let whole = picked.iter().filter(|rule| rule.kind == EntryKind::File).map(|rule| rule.family).collect();
        Selection { rules: Some(picked.iter().map(|rule| rule.id.clone()).collect()), whole }
    }

    /// The rules named in `ids` and those of `families`; every rule when both are empty. An id
    /// that no rule has is an error.
    pub fn of(catalogue: &Catalogue, ids: &[String], families: &[Family]) -> Result<Selection, String> {
        if ids.is_empty() && families.is_empty() {
            return Ok(Selection::all());
        }
        if let Some(unknown) = ids.iter().find(|id| catalogue.get(id).is_none()) {
            return Err(format!("no rule `{unknown}` (`assay rules` lists them)"));
        }
        Ok(Selection::picking(catalogue, |rule| ids.contains(&rule.id) || families.contains(&rule.family)))
    }

    /// The rules defined in the rule file `relative` to the rules root (`money/patterns.toml`),
    /// and the file's own evidence (a data file's, under the id `money/scales.toml`).
    pub fn file(catalogue: &Catalogue, relative: &str) -> Selection {
        let suffix = format!("/{relative}");
        Selection::picking(catalogue, |rule| rule.file.ends_with(&suffix))
    }

    pub fn is_all(&self) -> bool {
        self.rules.is_none()
    }

    pub fn includes(&self, rule: &RuleDoc) -> bool {
        self.rules.as_ref().is_none_or(|ids| ids.contains(&rule.id))
    }

    /// Whether an item of a fixture's `list` (`money`) is in the selection: made by a selected
    /// rule, or (claims) fired by one, or of the family of a selected data file.
    fn includes_item(&self, list: &str, item: &Value) -> bool {
        self.whole.iter().any(|family| family.name() == list)
            || self.rules.as_ref().is_none_or(|ids| ids.iter().any(|id| traces_to(item, id)))
    }
}

/// Whether `rule` produced `item` or, for claims, is one of the cues that fired on it.
fn traces_to(item: &Value, rule: &str) -> bool {
    item["rule"] == rule || item["cues"].as_array().is_some_and(|cues| cues.iter().any(|cue| cue == rule))
}
