//! Inline examples and negatives of every rule, and rules that have none.

use serde_json::Value;

use super::compare::{self, Expectations, Finding};
use super::{CaseKind, CaseResult, Problem, ProblemKind, Selection, traces_to};
use crate::clean::{RepeatCounter, distinct_line_keys};
use crate::decode::Decoded;
use crate::pipeline::Pipeline;
use crate::record::{Record, Source};
use crate::rules::{EntryKind, ExampleDoc, Family, Quoted, RuleDoc};

/// Every selected rule's evidence, examples and negatives, in catalogue order.
pub fn check_rules(pipeline: &Pipeline, selection: &Selection) -> Vec<CaseResult> {
    let mut cases = Vec::new();
    for rule in pipeline.catalogue().rules().iter().filter(|rule| selection.includes(rule)) {
        if let Some(case) = untested(rule) {
            cases.push(case);
        }
        for example in &rule.examples {
            cases.push(check_example(pipeline, rule, example));
        }
        for negative in &rule.negatives {
            let mut produced = family_items(pipeline, rule.family, &negative.text);
            // A data file serves the whole family: its negatives must produce nothing at all.
            if rule.kind != EntryKind::File {
                produced.retain(|item| traces_to(item, &rule.id));
            }
            let findings = compare::compare(&[], &produced, negative.text.as_bytes(), Expectations::Partial);
            let problems = findings.into_iter().map(|finding| problem(rule, negative, finding)).collect();
            cases.push(CaseResult::judged(CaseKind::Negative, Some(&rule.id), at(rule, negative, 0), problems));
        }
    }
    cases
}

/// A rule or data file without examples proves nothing; one whose negatives can fail (all but a
/// rule that leaves no trace) also needs them, to show what it must leave alone.
fn untested(rule: &RuleDoc) -> Option<CaseResult> {
    let untraced = rule.kind == EntryKind::Untraced;
    // An example that expects nothing is a negative too, one that can carry a corpus.
    let expects_nothing = rule.examples.iter().any(|example| example.expect.as_ref().is_some_and(Vec::is_empty));
    // A rule that leaves no trace (a veto) shows itself by what its examples lack.
    let positive = rule.examples.iter().any(|example| untraced || !example.expect.as_ref().is_some_and(Vec::is_empty));
    let lacking = match (!positive, !untraced && rule.negatives.is_empty() && !expects_nothing) {
        (true, true) => "no examples and no negatives",
        (true, false) => "no examples",
        (false, true) => "no negatives",
        (false, false) => return None,
    };
    let location = format!("{}:{}:1", rule.file, rule.line);
    let detail = match rule.kind {
        EntryKind::File => format!(
            "data file `{}` has {lacking}: write `examples = [...]` and `negatives = [...]` at its top",
            rule.id
        ),
        EntryKind::Rule | EntryKind::Untraced => format!("`{}` has {lacking}", rule.id),
    };
    let problem = Problem::new(ProblemKind::Untested, location.clone(), detail);
    Some(CaseResult::judged(CaseKind::Rule, Some(&rule.id), location, vec![problem]))
}

fn check_example(pipeline: &Pipeline, rule: &RuleDoc, example: &ExampleDoc) -> CaseResult {
    let input = &example.input;
    // Only boilerplate examples may leave `expect` out (the catalogue refuses others): the
    // whole text must then be removed as one line.
    let expected: Vec<Value> = match &example.expect {
        Some(tables) => {
            tables.iter().map(|table| serde_json::to_value(table).expect("TOML tables are JSON objects")).collect()
        }
        None => vec![serde_json::json!({ "text": input.text.trim() })],
    };
    let produced = family_items_in_corpus(pipeline, rule.family, &input.text, &example.corpus);
    let findings = compare::compare(&expected, &produced, input.text.as_bytes(), Expectations::Partial);
    let mut problems: Vec<Problem> = findings.into_iter().map(|finding| problem(rule, input, finding)).collect();
    if rule.traceable() && !expected.is_empty() && !produced.iter().any(|item| traces_to(item, &rule.id)) {
        let detail = format!("no item comes from `{}`", rule.id);
        problems.push(Problem::new(ProblemKind::NotExercised, at(rule, input, 0), detail));
    }
    // A known gap covers whatever is wrong with the example.
    for problem in &mut problems {
        problem.todo.clone_from(&example.todo);
    }
    CaseResult::judged(CaseKind::Example, Some(&rule.id), at(rule, input, 0), problems)
}

/// `file:line:col` in the rule file of byte `offset` of an example's text.
fn at(rule: &RuleDoc, input: &Quoted, offset: usize) -> String {
    let (line, col) = input.position(offset);
    format!("{}:{line}:{col}", rule.file)
}

fn problem(rule: &RuleDoc, input: &Quoted, finding: Finding) -> Problem {
    Problem {
        kind: finding.kind,
        location: at(rule, input, finding.at),
        detail: finding.detail,
        expected: finding.expected,
        got: finding.got,
        todo: None,
    }
}

/// The items of `family` the pipeline produces for `text` as a document, as JSON objects.
fn family_items(pipeline: &Pipeline, family: Family, text: &str) -> Vec<Value> {
    family_items_in_corpus(pipeline, family, text, &[])
}

/// The items of `family` for `text` read as one document of a corpus with `others`; with no
/// others, the corpus pass does not run, as without `--repeats`.
fn family_items_in_corpus(pipeline: &Pipeline, family: Family, text: &str, others: &[String]) -> Vec<Value> {
    if family == Family::Segment {
        return pipeline
            .sentences(text)
            .into_iter()
            .map(|span| serde_json::json!({ "start": span.start, "end": span.end, "text": span.of(text) }))
            .collect();
    }
    let repeated = (!others.is_empty()).then(|| {
        let mut counter = RepeatCounter::default();
        for document in others.iter().map(String::as_str).chain([text]) {
            counter.add(&distinct_line_keys(document));
        }
        pipeline.repeated_lines(&counter)
    });
    let decoded = Decoded::from_text(text);
    let findings = pipeline.analyse_in_corpus(text, repeated.as_ref());
    let record =
        Record { source: Source::Id(Value::Null), decoded: &decoded, findings, passthrough: Default::default() };
    let value = serde_json::to_value(&record).expect("records serialise");
    match value.get(family.name()) {
        Some(Value::Array(items)) => items.clone(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Options;
    use crate::rules::RuleSource;

    fn pipeline_with(file: &str, text: &str) -> Result<Pipeline, crate::rules::RuleError> {
        let dir = tempfile::tempdir().unwrap();
        copy_rules(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"), dir.path());
        std::fs::write(dir.path().join(file), text).unwrap();
        Pipeline::new(&RuleSource::from_dir(dir.path())?, &Options::default())
    }

    fn copy_rules(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                copy_rules(&entry.path(), &to.join(entry.file_name()));
            } else {
                std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
            }
        }
    }

    #[test]
    fn examples_report_each_kind_at_its_place_in_the_rule_file() {
        let rules = r#"
[[rule]]
id = "test-share"
description = "Share prompts."
kind = "share-prompt"
phrases = ["zebra notice"]
position = "start"
examples = [
    { text = "Zebra notice" },
    { text = "Nothing here", expect = [{ text = "Nothing here" }] },
]
"#;
        let pipeline = pipeline_with("boilerplate/test.toml", rules).unwrap();
        let selection = Selection::of(pipeline.catalogue(), &["test-share".into()], &[]).unwrap();
        let cases = check_rules(&pipeline, &selection);
        let kinds: Vec<_> = cases.iter().map(|c| (c.kind, c.failed())).collect();
        assert_eq!(kinds, [(CaseKind::Rule, true), (CaseKind::Example, false), (CaseKind::Example, true)]);
        assert_eq!(cases[0].problems[0].detail, "`test-share` has no negatives");
        assert!(cases[0].location.ends_with("boilerplate/test.toml:3:1"), "{}", cases[0].location);
        let missing = &cases[2].problems[0];
        assert_eq!(missing.kind, ProblemKind::Missing);
        assert!(missing.location.ends_with("boilerplate/test.toml:10:15"), "{}", missing.location);
    }

    #[test]
    fn a_data_file_is_checked_against_every_item_of_its_family() {
        let data = "# Test data.\n\nexamples = [{ text = \"It cost $5.\", expect = [{ text = \"$5\", amount = \"5\" }] }]\nnegatives = [\"It cost $6.\"]\n";
        let pipeline = pipeline_with("money/test.toml", data).unwrap();
        let entry = pipeline.catalogue().get("money/test.toml").unwrap();
        assert_eq!((entry.kind, entry.description.as_str(), entry.line), (EntryKind::File, "Test data.", 3));
        let cases = check_rules(&pipeline, &Selection::file(pipeline.catalogue(), "money/test.toml"));
        let kinds: Vec<_> = cases.iter().map(|c| (c.kind, c.failed())).collect();
        // No item names the file, yet its example passes and its negative fails on any amount.
        assert_eq!(kinds, [(CaseKind::Example, false), (CaseKind::Negative, true)]);
        let unexpected = &cases[1].problems[0];
        assert_eq!(unexpected.kind, ProblemKind::Unexpected);
        assert!(unexpected.location.ends_with("money/test.toml:4:23"), "{}", unexpected.location);
    }

    #[test]
    fn only_boilerplate_examples_may_leave_out_what_they_expect() {
        let rules = "[[rule]]\nid = \"test-cashtag\"\ntype = \"ORG\"\ndescription = \"d\"\npattern = '(?P<name>Zq)'\nexamples = [{ text = \"Zq\" }]\n";
        let error = pipeline_with("entities/test.toml", rules).unwrap_err().to_string();
        assert!(error.contains("entities/test.toml:6:22: an example needs `expect"), "{error}");
    }
}
