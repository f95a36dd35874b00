//! News-style sentences written for this project, each with every money item it must yield:
//! wire shorthand, scales, number formats, ranges, bounds, accounting negatives, rates, subunits
//! and the traps that are not money. Each line of `tests/data/money_news.jsonl` is
//! `{"text", "money": [[text, amount, currency, {amount_max, qualifier, per}?], …]}`; a field left
//! out of the optional object must be null. Every item must match exactly, in order.

use std::str::FromStr;

use assert_cmd::Command;
use rust_decimal::Decimal;
use serde_json::{Value, json};

const DATA: &str = include_str!("data/money_news.jsonl");

/// The item a line expects, in the shape of the record's money items.
fn expected_item(raw: &Value) -> Value {
    let fields = raw.as_array().expect("an expected item is a list");
    let extra = fields.get(3).cloned().unwrap_or_else(|| json!({}));
    json!({
        "text": fields[0],
        "amount": fields[1],
        "currency": fields[2],
        "amount_max": extra.get("amount_max").cloned().unwrap_or(Value::Null),
        "qualifier": extra.get("qualifier").cloned().unwrap_or(Value::Null),
        "per": extra.get("per").cloned().unwrap_or(Value::Null),
    })
}

/// Whether two amounts (a decimal string and a JSON number, or two nulls) are the same decimal.
fn same_amount(want: &Value, have: &Value) -> bool {
    match (want, have) {
        (Value::Null, Value::Null) => true,
        (Value::String(want), Value::Number(have)) => {
            Decimal::from_str(want).ok() == Decimal::from_str(&have.to_string()).ok()
        }
        _ => false,
    }
}

fn same_item(want: &Value, have: &Value) -> bool {
    ["text", "currency", "qualifier", "per"].iter().all(|field| want[field] == have[field])
        && ["amount", "amount_max"].iter().all(|field| same_amount(&want[field], &have[field]))
}

#[test]
fn news_sentences_yield_exactly_their_money() {
    let cases: Vec<Value> =
        DATA.lines().filter(|line| !line.trim().is_empty()).map(|line| serde_json::from_str(line).unwrap()).collect();
    assert!(cases.len() >= 150, "only {} sentences", cases.len());
    let input: String = cases
        .iter()
        .enumerate()
        .map(|(id, case)| json!({ "id": id, "text": case["text"] }).to_string() + "\n")
        .collect();
    let output =
        Command::cargo_bin("assay").unwrap().args(["extract", "--jsonl-in", "-"]).write_stdin(input).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let records: Vec<Value> = output
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(records.len(), cases.len());

    let mut failures = Vec::new();
    for (case, record) in cases.iter().zip(&records) {
        let text = case["text"].as_str().unwrap();
        let want: Vec<Value> = case["money"].as_array().unwrap().iter().map(expected_item).collect();
        let have = record["money"].as_array().unwrap();
        for item in have {
            let (start, end) = (item["start"].as_u64().unwrap() as usize, item["end"].as_u64().unwrap() as usize);
            assert_eq!(Some(item["text"].as_str().unwrap()), text.get(start..end), "span of {item} in {text:?}");
        }
        let matched = want.len() == have.len() && want.iter().zip(have).all(|(w, h)| same_item(w, h));
        if !matched {
            let have: Vec<Value> = have
                .iter()
                .map(|h| json!([h["text"], h["amount"], h["currency"], h["amount_max"], h["qualifier"], h["per"]]))
                .collect();
            failures.push(format!("{text}\n    want {}\n    have {}", Value::from(want), Value::from(have)));
        }
    }
    assert!(failures.is_empty(), "{} of {} sentences wrong:\n{}", failures.len(), cases.len(), failures.join("\n"));
}
