//! Inline examples and negatives of every rule.

use serde_json::Value;

use super::{CaseResult, Outcome, Report};
use crate::decode::Decoded;
use crate::pipeline::Pipeline;
use crate::record::Source;
use crate::rules::{ExampleDoc, Family, RuleDoc};

pub fn check(pipeline: &Pipeline, report: &mut Report) {
    for rule in pipeline.catalogue().rules() {
        for example in &rule.examples {
            report.cases.push(check_example(pipeline, rule, example));
        }
        for negative in &rule.negatives {
            let produced = family_items(pipeline, rule.family, &negative.text);
            let problems: Vec<String> = produced
                .iter()
                .filter(|item| traces_to(item, &rule.id))
                .map(|item| format!("unexpected: {}", describe(item)))
                .collect();
            report.cases.push(CaseResult {
                location: format!("{}:{}:{}", rule.file, negative.line, negative.col),
                name: format!("{} negative", rule.id),
                outcome: if problems.is_empty() { Outcome::Passed } else { Outcome::Failed { problems } },
            });
        }
    }
}

fn check_example(pipeline: &Pipeline, rule: &RuleDoc, example: &ExampleDoc) -> CaseResult {
    let location = format!("{}:{}:{}", rule.file, example.line, example.col);
    let name = format!("{} example", rule.id);
    let expected: Vec<Value> = match &example.expect {
        Some(tables) => {
            tables.iter().map(|table| serde_json::to_value(table).expect("TOML tables are JSON objects")).collect()
        }
        None if rule.family == Family::Boilerplate => {
            vec![serde_json::json!({ "text": example.text.trim() })]
        }
        None => {
            let problems = vec!["an example of this family needs `expect = [...]`".to_string()];
            return CaseResult { location, name, outcome: Outcome::Failed { problems } };
        }
    };
    let produced = family_items(pipeline, rule.family, &example.text);
    let mut problems = compare(&expected, &produced);
    if rule.traceable && !expected.is_empty() && !produced.iter().any(|item| traces_to(item, &rule.id)) {
        problems.push(format!("no item comes from `{}`: the example does not exercise its rule", rule.id));
    }
    let outcome = match (&example.todo, problems.is_empty()) {
        (_, true) => Outcome::Passed,
        (Some(reason), false) => Outcome::Todo { problems, reason: reason.clone() },
        (None, false) => Outcome::Failed { problems },
    };
    CaseResult { location, name, outcome }
}

/// Whether `rule` produced `item` or, for claims, is one of the cues that fired on it.
fn traces_to(item: &Value, rule: &str) -> bool {
    item["rule"] == rule || item["cues"].as_array().is_some_and(|cues| cues.iter().any(|cue| cue == rule))
}

/// Matches expectations to produced items one to one, in order; reports what is left over.
fn compare(expected: &[Value], produced: &[Value]) -> Vec<String> {
    let mut used = vec![false; produced.len()];
    let mut problems = Vec::new();
    for expectation in expected {
        match produced.iter().enumerate().position(|(i, item)| !used[i] && matches(expectation, item)) {
            Some(i) => used[i] = true,
            None => problems.push(format!("missing: {expectation}")),
        }
    }
    for (item, used) in produced.iter().zip(used) {
        if !used {
            problems.push(format!("unexpected: {}", describe(item)));
        }
    }
    problems
}

/// The items of `family` the pipeline produces for `text` as a document, as JSON objects.
fn family_items(pipeline: &Pipeline, family: Family, text: &str) -> Vec<Value> {
    if family == Family::Segment {
        return pipeline
            .sentences(text)
            .into_iter()
            .map(|span| serde_json::json!({ "start": span.start, "end": span.end, "text": span.of(text) }))
            .collect();
    }
    let decoded = Decoded::from_text(text);
    let record = pipeline.record(Source::Id(Value::Null), &decoded, Default::default());
    let value = serde_json::to_value(&record).expect("records serialise");
    match value.get(family.name()) {
        Some(Value::Array(items)) => items.clone(),
        _ => Vec::new(),
    }
}

/// Whether `item` has every field of `expected` with an equal value. Objects match partially;
/// a string expectation matches a number when both are the same decimal (`"1.50"` and `1.5`).
pub fn matches(expected: &Value, item: &Value) -> bool {
    match (expected, item) {
        (Value::Object(want), Value::Object(have)) => {
            want.iter().all(|(key, value)| have.get(key).is_some_and(|actual| matches(value, actual)))
        }
        (Value::String(want), Value::Number(have)) => same_decimal(want, &have.to_string()),
        (Value::Number(want), Value::Number(have)) => same_decimal(&want.to_string(), &have.to_string()),
        (Value::Array(want), Value::Array(have)) => {
            want.len() == have.len() && want.iter().zip(have).all(|(w, h)| matches(w, h))
        }
        _ => expected == item,
    }
}

fn same_decimal(a: &str, b: &str) -> bool {
    use std::str::FromStr;
    match (rust_decimal::Decimal::from_str(a), rust_decimal::Decimal::from_str(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// A short description of a produced item: its text and the fields that identify it.
pub fn describe(item: &Value) -> String {
    let mut fields = item.as_object().cloned().unwrap_or_default();
    for noise in ["start", "end", "entities", "money", "cues"] {
        fields.shift_remove(noise);
    }
    Value::Object(fields).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn partial_items_match_by_field_and_by_decimal_value() {
        let item = json!({ "text": "$1.50", "amount": 1.5, "currency": "USD", "attribution": { "speaker": "Okafor", "start": 3 } });
        assert!(matches(&json!({ "text": "$1.50", "amount": "1.50" }), &item));
        assert!(matches(&json!({ "attribution": { "speaker": "Okafor" } }), &item));
        assert!(!matches(&json!({ "currency": "EUR" }), &item));
        assert!(!matches(&json!({ "qualifier": "approximate" }), &item));
    }

    #[test]
    fn compare_reports_missing_and_unexpected() {
        let produced = [json!({ "text": "$5" }), json!({ "text": "$7" })];
        let problems = compare(&[json!({ "text": "$5" }), json!({ "text": "$9" })], &produced);
        assert_eq!(problems, [r#"missing: {"text":"$9"}"#, r#"unexpected: {"text":"$7"}"#]);
    }
}
