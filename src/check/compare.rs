//! Expected items against produced ones, and the failure kinds this yields. Inline examples and
//! fixtures are compared by the same rules; only how much of an item is written down differs.

use std::collections::BTreeSet;

use serde_json::Value;

use super::ProblemKind;

/// How much of an item an expectation states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expectations {
    /// Only the fields written down count (inline examples); an item may have more.
    Partial,
    /// The whole item (fixtures): a field the expectation lacks is a difference too.
    Whole,
}

/// One difference between what was expected and what was produced, at byte `at` of the input.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub kind: ProblemKind,
    pub at: usize,
    pub expected: Option<Value>,
    pub got: Option<Value>,
    /// The short expected-vs-got.
    pub detail: String,
}

/// Fields that say where an item is rather than what it is.
const SPAN_FIELDS: [&str; 3] = ["start", "end", "text"];

/// Pairs every expectation with a produced item of `input` and reports what does not pair up:
/// an equal item is a pass; one on the same span with other values is a *value mismatch*; one
/// overlapping it with the same rule (or, without a rule, the same values) is a *span mismatch*;
/// an expectation left over is *missing*, a produced item left over *unexpected*. Produced items
/// of different rules on overlapping spans are *ambiguous*, whatever was expected.
pub fn compare(expected: &[Value], produced: &[Value], input: &[u8], mode: Expectations) -> Vec<Finding> {
    let mut paired = vec![false; produced.len()];
    let mut open = Vec::new();
    for expectation in expected {
        match (0..produced.len()).find(|&i| !paired[i] && agrees(expectation, &produced[i], mode, &[])) {
            Some(i) => paired[i] = true,
            None => open.push(expectation),
        }
    }
    let mut findings = Vec::new();
    for expectation in open {
        let want = span_of(expectation, input);
        let unpaired = |test: &dyn Fn(&Value) -> bool| (0..produced.len()).find(|&i| !paired[i] && test(&produced[i]));
        let same_span = unpaired(&|item| want.is_some() && span_of(item, input) == want);
        let overlapping =
            || unpaired(&|item| overlaps(want, span_of(item, input)) && same_thing(expectation, item, mode));
        let at = want.map_or(0, |(start, _)| start);
        let finding = if let Some(i) = same_span {
            paired[i] = true;
            let detail = format!("{}: {}", text_of(expectation), changed_fields(expectation, &produced[i], mode));
            finding(ProblemKind::ValueMismatch, at, Some(expectation), Some(&produced[i]), detail)
        } else if let Some(i) = overlapping() {
            paired[i] = true;
            let item = &produced[i];
            let mut detail = format!("expected {}, got {}", span_text(expectation, input), span_text(item, input));
            if !agrees(expectation, item, mode, &SPAN_FIELDS) {
                detail = format!("{detail}; {}", changed_fields(expectation, item, mode));
            }
            finding(ProblemKind::SpanMismatch, at, Some(expectation), Some(item), detail)
        } else {
            finding(ProblemKind::Missing, at, Some(expectation), None, format!("expected {}", describe(expectation)))
        };
        findings.push(finding);
    }
    for (item, paired) in produced.iter().zip(paired) {
        if !paired {
            let at = span_of(item, input).map_or(0, |(start, _)| start);
            findings.push(finding(ProblemKind::Unexpected, at, None, Some(item), format!("got {}", describe(item))));
        }
    }
    findings.extend(ambiguities(produced, input));
    findings.sort_by_key(|finding| finding.at);
    findings
}

fn finding(kind: ProblemKind, at: usize, expected: Option<&Value>, got: Option<&Value>, detail: String) -> Finding {
    Finding { kind, at, expected: expected.cloned(), got: got.cloned(), detail }
}

/// Produced items of different rules whose spans overlap: two rules claim the same text.
pub fn ambiguities(produced: &[Value], input: &[u8]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (i, first) in produced.iter().enumerate() {
        for second in &produced[i + 1..] {
            let (a, b) = (span_of(first, input), span_of(second, input));
            let rules = (first.get("rule"), second.get("rule"));
            if let (Some(rule_a), Some(rule_b)) = rules
                && rule_a != rule_b
                && overlaps(a, b)
            {
                let detail = format!(
                    "{} ({rule_a}) and {} ({rule_b}) claim the same text",
                    span_text(first, input),
                    span_text(second, input)
                );
                let at = a.map_or(0, |(start, _)| start);
                findings.push(finding(ProblemKind::Ambiguous, at, None, Some(second), detail));
            }
        }
    }
    findings
}

/// Where an item is: its `start`/`end`, or else the first place its `text` occurs in the input.
fn span_of(item: &Value, input: &[u8]) -> Option<(usize, usize)> {
    let offset = |field: &str| item.get(field).and_then(Value::as_u64).map(|n| n as usize);
    if let (Some(start), Some(end)) = (offset("start"), offset("end")) {
        return Some((start, end));
    }
    let text = item.get("text")?.as_str()?;
    let start = memchr::memmem::find(input, text.as_bytes())?;
    Some((start, start + text.len()))
}

fn overlaps(a: Option<(usize, usize)>, b: Option<(usize, usize)>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a.0 < b.1 && b.0 < a.1)
}

/// Whether an overlapping item is the expected one with another span: the same rule when the
/// expectation names one, otherwise the same values.
fn same_thing(expectation: &Value, item: &Value, mode: Expectations) -> bool {
    match expectation.get("rule") {
        Some(rule) => item.get("rule") == Some(rule),
        None => agrees(expectation, item, mode, &SPAN_FIELDS),
    }
}

/// Whether `item` has the expected values, leaving out the fields in `ignoring`.
fn agrees(expectation: &Value, item: &Value, mode: Expectations, ignoring: &[&str]) -> bool {
    let (Some(want), Some(have)) = (expectation.as_object(), item.as_object()) else {
        return matches(expectation, item);
    };
    let relevant = |key: &&String| !ignoring.contains(&key.as_str());
    want.iter()
        .filter(|(key, _)| relevant(key))
        .all(|(key, value)| have.get(key).is_some_and(|got| matches(value, got)))
        && (mode == Expectations::Partial || have.keys().filter(relevant).all(|key| want.contains_key(key)))
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

/// `amount expected 5, got 6; currency expected "USD", got "EUR"`: the expected fields that
/// differ, and in [`Expectations::Whole`] the fields only the produced item has.
fn changed_fields(expectation: &Value, item: &Value, mode: Expectations) -> String {
    let (Some(want), Some(have)) = (expectation.as_object(), item.as_object()) else {
        return format!("expected {expectation}, got {item}");
    };
    let mut keys: BTreeSet<&String> = want.keys().collect();
    if mode == Expectations::Whole {
        keys.extend(have.keys());
    }
    let show = |value: Option<&Value>| value.map_or_else(|| "(absent)".to_string(), Value::to_string);
    keys.into_iter()
        .filter(|key| !SPAN_FIELDS.contains(&key.as_str()))
        .filter(|key| !have.get(*key).zip(want.get(*key)).is_some_and(|(got, value)| matches(value, got)))
        .map(|key| format!("{key} expected {}, got {}", show(want.get(key)), show(have.get(key))))
        .collect::<Vec<_>>()
        .join("; ")
}

fn text_of(item: &Value) -> String {
    item.get("text").map_or_else(|| describe(item), Value::to_string)
}

/// `"412 mln" (120..127)`: an item's text and byte span.
fn span_text(item: &Value, input: &[u8]) -> String {
    match span_of(item, input) {
        Some((start, end)) => format!("{} ({start}..{end})", text_of(item)),
        None => text_of(item),
    }
}

/// A short description of an item: its text and the fields that identify it, without the
/// offsets (the location says where it is), the cross-references and the empty fields.
fn describe(item: &Value) -> String {
    let mut fields = item.as_object().cloned().unwrap_or_default();
    fields.retain(|key, value| {
        !value.is_null() && !["start", "end", "entities", "money", "cues"].contains(&key.as_str())
    });
    Value::Object(fields).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn kinds(findings: &[Finding]) -> Vec<ProblemKind> {
        findings.iter().map(|f| f.kind).collect()
    }

    #[test]
    fn partial_items_match_by_field_and_by_decimal_value() {
        let item = json!({ "text": "$1.50", "amount": 1.5, "currency": "USD", "attribution": { "speaker": "Okafor", "start": 3 } });
        assert!(matches(&json!({ "text": "$1.50", "amount": "1.50" }), &item));
        assert!(matches(&json!({ "attribution": { "speaker": "Okafor" } }), &item));
        assert!(!matches(&json!({ "currency": "EUR" }), &item));
        assert!(!matches(&json!({ "qualifier": "approximate" }), &item));
    }

    #[test]
    fn every_failure_kind_is_told_apart() {
        let input = b"Paid $5 and $7 and 9 mln dlrs, not 4 euros.";
        let produced = [
            json!({ "text": "$5", "amount": 6, "rule": "symbol-amount" }),
            json!({ "text": "$7", "amount": 7, "rule": "symbol-amount" }),
            json!({ "text": "9 mln", "amount": 9000000, "rule": "written-amount" }),
            json!({ "text": "4 euros", "amount": 4, "rule": "amount-currency-name" }),
            json!({ "text": "4", "amount": 4, "rule": "bare-number" }),
        ];
        let expected = [
            json!({ "text": "$5", "amount": 5 }),
            json!({ "text": "$7", "amount": 7 }),
            json!({ "text": "9 mln dlrs", "amount": 9000000 }),
            json!({ "text": "Paid", "amount": 1 }),
        ];
        let findings = compare(&expected, &produced, input, Expectations::Partial);
        assert_eq!(
            kinds(&findings),
            [
                ProblemKind::Missing,
                ProblemKind::ValueMismatch,
                ProblemKind::SpanMismatch,
                ProblemKind::Unexpected,
                ProblemKind::Unexpected,
                ProblemKind::Ambiguous
            ],
            "{findings:#?}"
        );
        assert_eq!(findings[1].detail, r#""$5": amount expected 5, got 6"#);
        assert_eq!(findings[2].detail, r#"expected "9 mln dlrs" (19..29), got "9 mln" (19..24)"#);
        assert_eq!(findings[5].at, 35);
        assert!(findings[5].detail.contains("amount-currency-name") && findings[4].detail.contains("bare-number"));
    }

    #[test]
    fn whole_items_differ_in_fields_only_one_side_has() {
        let input = b"$5";
        let produced = [json!({ "start": 0, "end": 2, "text": "$5", "amount": 5, "qualifier": null })];
        let findings = compare(
            &[json!({ "start": 0, "end": 2, "text": "$5", "amount": 5 })],
            &produced,
            input,
            Expectations::Whole,
        );
        assert_eq!(kinds(&findings), [ProblemKind::ValueMismatch]);
        assert_eq!(findings[0].detail, r#""$5": qualifier expected (absent), got null"#);
    }
}
