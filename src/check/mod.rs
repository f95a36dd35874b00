//! `assay check`: every rule proves itself against its inline examples, and the whole pipeline
//! against the fixtures in `tests/fixtures/`.
//!
//! - An **example** (`examples = [{ text, expect }]` in a rule file) is run through the whole
//!   pipeline. The items of the rule's family (sentences for `segment` rules) must be exactly the
//!   expected ones: each expected item is a partial item (`text`, `amount`, `type`, `kinds`…)
//!   and must match one produced item (*missing* otherwise); a produced item that no expectation
//!   matches is *unexpected*. A boilerplate example without `expect` must be removed whole.
//!   An example marked `todo` is a known gap: reported, but not a failure.
//! - A **negative** (`negatives = ["…"]`) must produce nothing from the rule: no item whose
//!   `rule` is the rule's id (nor, for claims, whose `cues` include it).
//! - A **fixture** is an article (`.txt`, `.md`, `.text`) with its expected record beside it in
//!   `<name>.expected.json`. Items are compared by span: *missing*, *unexpected*, or *changed*
//!   when the same span carries other values. `--bless` rewrites the expected records from the
//!   current output and says which ones changed.

mod examples;
mod fixtures;

pub use fixtures::{BlessResult, bless, expected_path, find_fixtures};

use std::path::PathBuf;

use crate::pipeline::Pipeline;

/// One checked case: an example, a negative or a fixture.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseResult {
    /// `file:line:col` of the example, or the fixture's path.
    pub location: String,
    /// What was checked: `symbol-amount example`, `symbol-amount negative`, `fixture`.
    pub name: String,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Passed,
    /// A known gap (`todo`): what is wrong, and the reason given.
    Todo {
        problems: Vec<String>,
        reason: String,
    },
    Failed {
        problems: Vec<String>,
    },
}

/// The results of a check run.
#[derive(Debug, Default)]
pub struct Report {
    pub cases: Vec<CaseResult>,
}

impl Report {
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| !matches!(c.outcome, Outcome::Failed { .. })).count()
    }

    pub fn failed(&self) -> usize {
        self.cases.len() - self.passed()
    }
}

/// Runs every inline example and negative, then every fixture under `fixtures_dir`.
pub fn run(pipeline: &Pipeline, fixtures_dir: &std::path::Path) -> std::io::Result<Report> {
    let mut report = Report::default();
    examples::check(pipeline, &mut report);
    for fixture in find_fixtures(fixtures_dir)? {
        report.cases.push(fixtures::check(pipeline, &fixture));
    }
    Ok(report)
}

/// A fixture article found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixture {
    pub article: PathBuf,
    pub expected: PathBuf,
}
