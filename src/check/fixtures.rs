//! Fixtures: whole articles with their expected records beside them.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::{CaseResult, Fixture, Outcome};
use crate::batch;
use crate::corpus::{self, Input};
use crate::pipeline::Pipeline;

const EXPECTED_SUFFIX: &str = ".expected.json";
/// Record fields compared item by item.
const LISTS: [&str; 4] = ["boilerplate", "money", "entities", "claims"];
/// Record fields compared as values; `path` depends on where the check runs from and is skipped.
const SCALARS: [&str; 3] = ["encoding", "bytes", "title"];

/// `money-wire-shorthand.txt` → `money-wire-shorthand.expected.json`, beside it.
pub fn expected_path(article: &Path) -> PathBuf {
    let stem = article.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    article.with_file_name(format!("{stem}{EXPECTED_SUFFIX}"))
}

/// Every article under `dir` (default globs), with the path of its expected record.
pub fn find_fixtures(dir: &Path) -> std::io::Result<Vec<Fixture>> {
    if !dir.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{}: no fixture directory", dir.display()),
        ));
    }
    let globs = corpus::globs(&[]).expect("default globs are valid");
    let root = [dir.to_path_buf()];
    Ok(corpus::inputs(&root, &globs)
        .filter_map(|input| match input {
            Ok(Input::File { path, .. }) => Some(Fixture { expected: expected_path(&path), article: path }),
            _ => None,
        })
        .collect())
}

/// The record the pipeline produces for a fixture now, as JSON.
fn current_record(pipeline: &Pipeline, fixture: &Fixture) -> Result<Value, String> {
    let name = fixture.article.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let input = Input::File { path: fixture.article.clone(), display: name, relative: PathBuf::new() };
    let outcome = batch::extract_input(pipeline, &input, corpus::Limit::NONE);
    if outcome.failed {
        return Err(outcome.messages.join("; "));
    }
    serde_json::from_slice(&outcome.output).map_err(|e| e.to_string())
}

pub fn check(pipeline: &Pipeline, fixture: &Fixture) -> CaseResult {
    let location = fixture.article.display().to_string();
    let failed = |problems: Vec<String>| CaseResult {
        location: location.clone(),
        name: "fixture".into(),
        outcome: Outcome::Failed { problems },
    };
    let record = match current_record(pipeline, fixture) {
        Ok(record) => record,
        Err(error) => return failed(vec![error]),
    };
    let expected = match std::fs::read_to_string(&fixture.expected) {
        Ok(text) => match serde_json::from_str::<Value>(&text) {
            Ok(value) => value,
            Err(error) => return failed(vec![format!("{}: {error}", fixture.expected.display())]),
        },
        Err(_) => {
            return failed(vec![format!(
                "no expected record {} (run `assay check --bless` to write it)",
                fixture.expected.display()
            )]);
        }
    };
    let input = std::fs::read(&fixture.article).unwrap_or_default();
    let problems = differences(&location, &input, &expected, &record);
    let outcome = if problems.is_empty() { Outcome::Passed } else { Outcome::Failed { problems } };
    CaseResult { location, name: "fixture".into(), outcome }
}

/// What differs between the expected and the current record, each with `file:line:col`.
fn differences(location: &str, input: &[u8], expected: &Value, current: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for field in SCALARS {
        if expected.get(field) != current.get(field) {
            problems.push(format!(
                "{location}: {field}: expected {}, got {}",
                expected.get(field).unwrap_or(&Value::Null),
                current.get(field).unwrap_or(&Value::Null)
            ));
        }
    }
    for list in LISTS {
        let items = |record: &Value| record.get(list).and_then(Value::as_array).cloned().unwrap_or_default();
        let (want, have) = (items(expected), items(current));
        let span = |item: &Value| (item["start"].as_u64().unwrap_or(0), item["end"].as_u64().unwrap_or(0));
        let at = |item: &Value| {
            let (line, col) = crate::decode::position(input, span(item).0 as usize);
            format!("{location}:{line}:{col}")
        };
        for item in &want {
            match have.iter().find(|h| span(h) == span(item)) {
                None => problems.push(format!("{}: missing {list} item {}", at(item), super::examples::describe(item))),
                Some(current_item) if current_item != item => problems.push(format!(
                    "{}: changed {list} item {}: {}",
                    at(item),
                    item["text"],
                    changed_fields(item, current_item)
                )),
                Some(_) => {}
            }
        }
        for item in have.iter().filter(|h| !want.iter().any(|w| span(w) == span(h))) {
            problems.push(format!("{}: unexpected {list} item {}", at(item), super::examples::describe(item)));
        }
    }
    problems
}

fn changed_fields(expected: &Value, current: &Value) -> String {
    let empty = Map::new();
    let (want, have) = (expected.as_object().unwrap_or(&empty), current.as_object().unwrap_or(&empty));
    let keys: std::collections::BTreeSet<&String> = want.keys().chain(have.keys()).collect();
    keys.iter()
        .filter(|key| want.get(key.as_str()) != have.get(key.as_str()))
        .map(|key| {
            format!(
                "{key} expected {}, got {}",
                want.get(key.as_str()).unwrap_or(&Value::Null),
                have.get(key.as_str()).unwrap_or(&Value::Null)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// What `--bless` did to one fixture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlessResult {
    Unchanged(PathBuf),
    Written(PathBuf),
    Failed(PathBuf, String),
}

/// Rewrites every fixture's expected record from the current output.
pub fn bless(pipeline: &Pipeline, fixtures: &[Fixture]) -> Vec<BlessResult> {
    fixtures
        .iter()
        .map(|fixture| {
            let record = match current_record(pipeline, fixture) {
                Ok(record) => record,
                Err(error) => return BlessResult::Failed(fixture.article.clone(), error),
            };
            let text = layout(&record);
            if std::fs::read_to_string(&fixture.expected).is_ok_and(|old| old == text) {
                return BlessResult::Unchanged(fixture.expected.clone());
            }
            match crate::atomic::write(&fixture.expected, text.as_bytes()) {
                Ok(()) => BlessResult::Written(fixture.expected.clone()),
                Err(error) => BlessResult::Failed(fixture.expected.clone(), error.to_string()),
            }
        })
        .collect()
}

/// A record as a diff-friendly JSON document: one field per line, one list item per line.
fn layout(record: &Value) -> String {
    let mut out = String::from("{\n");
    let fields = record.as_object().cloned().unwrap_or_default();
    for (index, (key, value)) in fields.iter().enumerate() {
        out.push_str(&format!("  {}: ", Value::String(key.clone())));
        match value {
            Value::Array(items) if !items.is_empty() => {
                out.push_str("[\n");
                let lines: Vec<String> = items.iter().map(|item| format!("    {item}")).collect();
                out.push_str(&lines.join(",\n"));
                out.push_str("\n  ]");
            }
            _ => out.push_str(&value.to_string()),
        }
        out.push_str(if index + 1 < fields.len() { ",\n" } else { "\n" });
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn differences_name_the_line_and_kind_of_each_problem() {
        let input = b"first line\nsecond $5 here";
        let expected = json!({ "title": "first line", "money": [
            { "start": 18, "end": 20, "text": "$5", "amount": 5 },
            { "start": 0, "end": 5, "text": "first", "amount": 1 },
        ]});
        let current = json!({ "title": "first line", "money": [
            { "start": 18, "end": 20, "text": "$5", "amount": 6 },
            { "start": 21, "end": 25, "text": "here", "amount": 2 },
        ]});
        let problems = differences("f.txt", input, &expected, &current);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(
            problems[0].starts_with("f.txt:2:8: changed money item \"$5\": amount expected 5, got 6"),
            "{}",
            problems[0]
        );
        assert!(problems[1].starts_with("f.txt:1:1: missing money item"));
        assert!(problems[2].starts_with("f.txt:2:11: unexpected money item"));
    }

    #[test]
    fn layout_puts_one_item_per_line_and_parses_back() {
        let record = json!({ "path": "a.txt", "money": [{ "start": 1 }, { "start": 2 }], "claims": [] });
        let text = layout(&record);
        assert_eq!(
            text,
            "{\n  \"path\": \"a.txt\",\n  \"money\": [\n    {\"start\":1},\n    {\"start\":2}\n  ],\n  \"claims\": []\n}\n"
        );
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), record);
    }
}
