//! Fixtures: whole articles with their expected records beside them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::compare::{self, Expectations};
use super::{CaseKind, CaseResult, Problem, ProblemKind, Selection};
use crate::batch;
use crate::corpus::{self, Input};
use crate::pipeline::Pipeline;

const EXPECTED_SUFFIX: &str = ".expected.json";
/// Record fields compared item by item.
const LISTS: [&str; 4] = ["boilerplate", "money", "entities", "claims"];
/// Record fields compared as values; `path` depends on where the check runs from and is skipped.
const SCALARS: [&str; 3] = ["encoding", "bytes", "title"];

/// A fixture article found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixture {
    pub article: PathBuf,
    pub expected: PathBuf,
}

/// A fixture that cannot be checked: its article or its expected record is unreadable or
/// malformed. Displayed as `file:line:col: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{col}: {message}")]
pub struct FixtureError {
    pub path: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

/// A fixture read, with its expected record and the record the pipeline produces now.
#[derive(Debug, Clone)]
pub struct LoadedFixture {
    pub fixture: Fixture,
    input: Vec<u8>,
    expected: Value,
    /// Line and column in the expected record of each list item, by list and index.
    positions: HashMap<(String, usize), (usize, usize)>,
    current: Value,
}

/// `money-wire-shorthand.txt` → `money-wire-shorthand.expected.json`, beside it.
fn expected_path(article: &Path) -> PathBuf {
    let stem = article.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    article.with_file_name(format!("{stem}{EXPECTED_SUFFIX}"))
}

/// Every article under `dir` (default globs), with the path of its expected record; and, as
/// errors, expected records whose article is gone (renamed or deleted), which nothing would check.
pub fn find_fixtures(dir: &Path) -> std::io::Result<(Vec<Fixture>, Vec<FixtureError>)> {
    if !dir.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{}: no fixture directory", dir.display()),
        ));
    }
    let root = [dir.to_path_buf()];
    let files = |globs: &[String]| -> Vec<PathBuf> {
        let globs = corpus::globs(globs).expect("fixture globs are valid");
        corpus::inputs(&root, &globs)
            .filter_map(|input| match input {
                Ok(Input::File { path, .. }) => Some(path),
                _ => None,
            })
            .collect()
    };
    let fixtures: Vec<Fixture> =
        files(&[]).into_iter().map(|article| Fixture { expected: expected_path(&article), article }).collect();
    let orphans = files(&[format!("*{EXPECTED_SUFFIX}")])
        .into_iter()
        .filter(|expected| !fixtures.iter().any(|fixture| fixture.expected == *expected))
        .map(|expected| FixtureError {
            path: expected.display().to_string(),
            line: 1,
            col: 1,
            message: "expected record without an article beside it (.txt, .md or .text)".into(),
        })
        .collect();
    Ok((fixtures, orphans))
}

/// Reads every fixture and runs the pipeline over it; the ones that cannot be checked are
/// returned as errors, all of them, so that they can be reported before any result.
pub fn load(pipeline: &Pipeline, fixtures: &[Fixture]) -> (Vec<LoadedFixture>, Vec<FixtureError>) {
    let mut loaded = Vec::new();
    let mut errors = Vec::new();
    for fixture in fixtures {
        match load_one(pipeline, fixture) {
            Ok(fixture) => loaded.push(fixture),
            Err(error) => errors.push(error),
        }
    }
    (loaded, errors)
}

fn load_one(pipeline: &Pipeline, fixture: &Fixture) -> Result<LoadedFixture, FixtureError> {
    let error_at = |path: &Path, (line, col): (usize, usize), message: String| FixtureError {
        path: path.display().to_string(),
        line,
        col,
        message,
    };
    let input = std::fs::read(&fixture.article).map_err(|e| error_at(&fixture.article, (1, 1), e.to_string()))?;
    let current = current_record(pipeline, fixture).map_err(|e| error_at(&fixture.article, (1, 1), e))?;
    let text = std::fs::read_to_string(&fixture.expected).map_err(|error| {
        let message = format!("no expected record ({error}); write it with `assay check --bless`");
        error_at(&fixture.expected, (1, 1), message)
    })?;
    let expected: Value = serde_json::from_str(&text)
        .map_err(|e| error_at(&fixture.expected, (e.line(), e.column()), format!("not a JSON record: {e}")))?;
    let positions = item_positions(&text);
    if !expected.is_object() {
        return Err(error_at(&fixture.expected, (1, 1), "not a JSON object".into()));
    }
    for list in LISTS {
        let items = match expected.get(list) {
            None => continue,
            Some(Value::Array(items)) => items,
            Some(_) => return Err(error_at(&fixture.expected, (1, 1), format!("`{list}` is not a list"))),
        };
        for (index, item) in items.iter().enumerate() {
            let offset = |field: &str| item.get(field).and_then(Value::as_u64);
            let well_formed = matches!((offset("start"), offset("end")), (Some(start), Some(end)) if start <= end && end <= input.len() as u64)
                && item.get("text").is_some_and(Value::is_string)
                && item.get("todo").is_none_or(Value::is_string);
            if !well_formed {
                let at = positions.get(&(list.to_string(), index)).copied().unwrap_or((1, 1));
                let message = format!(
                    "{list} item {}: needs `text`, `start` <= `end` within the article's {} bytes, and a `todo` that is a reason",
                    index + 1,
                    input.len()
                );
                return Err(error_at(&fixture.expected, at, message));
            }
        }
    }
    Ok(LoadedFixture { fixture: fixture.clone(), input, expected, positions, current })
}

/// The record the pipeline produces for a fixture now, as JSON.
fn current_record(pipeline: &Pipeline, fixture: &Fixture) -> Result<Value, String> {
    let name = fixture.article.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let input = Input::File { path: fixture.article.clone(), display: name, relative: PathBuf::new() };
    let outcome =
        batch::extract_inputs(pipeline, vec![Ok(input)], corpus::Limit::NONE).pop().expect("one outcome per input");
    if outcome.failed {
        return Err(outcome.messages.join("; "));
    }
    serde_json::from_slice(&outcome.output).map_err(|e| e.to_string())
}

/// Line and column of each list item of a JSON record's text, by list name and index: where
/// to look in the expected record. Strings are skipped whole, so brackets in texts do not count.
fn item_positions(text: &str) -> HashMap<(String, usize), (usize, usize)> {
    let bytes = text.as_bytes();
    let mut positions = HashMap::new();
    let (mut depth, mut key, mut list) = (0usize, None::<String>, None::<(String, usize)>);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if depth == 1 {
                    key = text.get(start..=i).and_then(|quoted| serde_json::from_str(quoted).ok());
                }
            }
            open @ (b'[' | b'{') => {
                if depth == 1 && open == b'[' {
                    list = key.take().map(|name| (name, 0));
                } else if let (2, Some((name, index))) = (depth, &mut list) {
                    positions.insert((name.clone(), *index), crate::decode::position(bytes, i));
                    *index += 1;
                }
                depth += 1;
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 1 {
                    list = list.filter(|_| bytes[i] == b'}');
                }
            }
            _ => {}
        }
        i += 1;
    }
    positions
}

/// The fixture against the current output, limited to the selected rules' items; `None` when
/// the selection has nothing to do with the fixture.
fn check_fixture(fixture: &LoadedFixture, selection: &Selection) -> Option<CaseResult> {
    let problems = differences(fixture, selection)?;
    let location = fixture.fixture.article.display().to_string();
    Some(CaseResult::judged(CaseKind::Fixture, None, location, problems))
}

/// Every loaded fixture against the current output, limited to the selected rules' items.
pub fn check_fixtures(fixtures: &[LoadedFixture], selection: &Selection) -> Vec<CaseResult> {
    fixtures.iter().filter_map(|fixture| check_fixture(fixture, selection)).collect()
}

/// What differs between the fixture's expected and current record, each problem at
/// `file:line:col` of the article; `None` when no item of either is selected.
fn differences(fixture: &LoadedFixture, selection: &Selection) -> Option<Vec<Problem>> {
    let expected = &fixture.expected;
    let article = fixture.fixture.article.display();
    let expected_file = fixture.fixture.expected.display();
    let mut problems = Vec::new();
    let mut any_selected = selection.is_all();
    if selection.is_all() {
        for field in SCALARS {
            let (want, got) = (expected.get(field), fixture.current.get(field));
            if want != got {
                let show = |value: Option<&Value>| value.map_or_else(|| "(absent)".to_string(), Value::to_string);
                problems.push(Problem {
                    kind: ProblemKind::ValueMismatch,
                    location: format!("{article}:1:1"),
                    detail: format!("{field} expected {}, got {}", show(want), show(got)),
                    expected: want.cloned(),
                    got: got.cloned(),
                    todo: None,
                });
            }
        }
    }
    for list in LISTS {
        let marked = known_gaps(expected, list);
        let selected = |item: &&Value| selection.includes_item(list, item);
        let want: Vec<Value> = marked.iter().map(|(item, _)| item).filter(selected).cloned().collect();
        let have: Vec<Value> = items(&fixture.current, list).iter().filter(selected).cloned().collect();
        any_selected |= !want.is_empty() || !have.is_empty();
        for finding in compare::compare(&want, &have, &fixture.input, Expectations::Whole) {
            let (line, col) = crate::decode::position(&fixture.input, finding.at);
            let index = finding.expected.as_ref().and_then(|item| marked.iter().position(|(each, _)| each == item));
            let written_at = index.and_then(|index| fixture.positions.get(&(list.to_string(), index)));
            let detail = match written_at {
                Some((line, _)) => format!("{list}: {} (expected at {expected_file}:{line})", finding.detail),
                None => format!("{list}: {}", finding.detail),
            };
            problems.push(Problem {
                kind: finding.kind,
                location: format!("{article}:{line}:{col}"),
                detail,
                expected: finding.expected,
                got: finding.got,
                todo: index.and_then(|index| marked[index].1.clone()),
            });
        }
    }
    any_selected.then_some(problems)
}

fn items<'a>(record: &'a Value, list: &str) -> &'a [Value] {
    record.get(list).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// A list's expected items without their `todo` marks, each with the reason it was marked for:
/// a marked item is what the output should be, and a known gap until it is.
fn known_gaps(expected: &Value, list: &str) -> Vec<(Value, Option<String>)> {
    items(expected, list)
        .iter()
        .map(|item| {
            let mut item = item.clone();
            let todo = item.as_object_mut().and_then(|fields| fields.shift_remove("todo"));
            (item, todo.and_then(|reason| reason.as_str().map(str::to_string)))
        })
        .collect()
}

/// The record to bless: the current output, except that an expectation marked `todo` that the
/// output still does not meet stays, in place of the item it was compared with (if any).
fn keep_known_gaps(old: &LoadedFixture) -> Value {
    let mut record = old.current.clone();
    for list in LISTS {
        let marked = known_gaps(&old.expected, list);
        let want: Vec<Value> = marked.iter().map(|(item, _)| item.clone()).collect();
        let mut blessed = items(&old.current, list).to_vec();
        for finding in compare::compare(&want, items(&old.current, list), &old.input, Expectations::Whole) {
            let Some(index) = finding.expected.as_ref().and_then(|item| want.iter().position(|each| each == item))
            else {
                continue;
            };
            if marked[index].1.is_none() {
                continue;
            }
            let original = items(&old.expected, list)[index].clone();
            match finding.got.and_then(|got| blessed.iter().position(|each| *each == got)) {
                Some(replaced) => blessed[replaced] = original,
                None => {
                    let start = |item: &Value| item["start"].as_u64().unwrap_or(0);
                    let at = blessed.partition_point(|each| start(each) <= start(&original));
                    blessed.insert(at, original);
                }
            }
        }
        if let Some(slot) = record.get_mut(list) {
            *slot = Value::Array(blessed);
        }
    }
    record
}

/// What `--bless` did to one fixture.
#[derive(Debug, Clone, PartialEq)]
pub enum BlessResult {
    Unchanged(PathBuf),
    /// Rewritten, with what the new expectations change: each old expectation the current
    /// output did not meet (`None` when there was no readable expected record before).
    Written(PathBuf, Option<Vec<Problem>>),
    Failed(PathBuf, String),
}

/// Rewrites every fixture's expected record from the current output.
pub fn bless(pipeline: &Pipeline, fixtures: &[Fixture]) -> Vec<BlessResult> {
    fixtures
        .iter()
        .map(|fixture| {
            // A new fixture, or one whose expected record is broken, has no old expectations.
            let old = load_one(pipeline, fixture).ok();
            let record = match &old {
                Some(old) => keep_known_gaps(old),
                None => match current_record(pipeline, fixture) {
                    Ok(record) => record,
                    Err(error) => return BlessResult::Failed(fixture.article.clone(), error),
                },
            };
            let text = layout(&record);
            if std::fs::read_to_string(&fixture.expected).is_ok_and(|old| old == text) {
                return BlessResult::Unchanged(fixture.expected.clone());
            }
            // What changes is what the old expectations said that the output no longer does;
            // known gaps stay as they were.
            let changes = old.map(|old| {
                let changes = differences(&old, &Selection::all()).unwrap_or_default();
                changes.into_iter().filter(|change| change.todo.is_none()).collect()
            });
            match crate::atomic::write(&fixture.expected, text.as_bytes()) {
                Ok(()) => BlessResult::Written(fixture.expected.clone(), changes),
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
    use crate::check::Outcome;
    use crate::rules::Family;
    use serde_json::json;

    fn loaded(input: &[u8], expected: Value, current: Value) -> LoadedFixture {
        let text = layout(&expected);
        LoadedFixture {
            fixture: Fixture { article: "f.txt".into(), expected: "f.expected.json".into() },
            input: input.to_vec(),
            positions: item_positions(&text),
            expected,
            current,
        }
    }

    #[test]
    fn differences_name_the_line_and_kind_of_each_problem() {
        let input = b"first line\nsecond $5 here";
        let expected = json!({ "title": "first line", "money": [
            { "start": 18, "end": 20, "text": "$5", "amount": 5, "rule": "symbol-amount" },
            { "start": 0, "end": 5, "text": "first", "amount": 1, "rule": "written-amount" },
        ]});
        let current = json!({ "title": "first line", "money": [
            { "start": 18, "end": 20, "text": "$5", "amount": 6, "rule": "symbol-amount" },
            { "start": 21, "end": 25, "text": "here", "amount": 2, "rule": "written-amount" },
        ]});
        let fixture = loaded(input, expected, current);
        let problems = check_fixture(&fixture, &Selection::all()).unwrap().problems;
        let summary: Vec<_> = problems.iter().map(|p| (p.kind, p.location.as_str())).collect();
        assert_eq!(
            summary,
            [
                (ProblemKind::Missing, "f.txt:1:1"),
                (ProblemKind::ValueMismatch, "f.txt:2:8"),
                (ProblemKind::Unexpected, "f.txt:2:11")
            ]
        );
        assert_eq!(problems[1].detail, "money: \"$5\": amount expected 5, got 6 (expected at f.expected.json:4)");
    }

    #[test]
    fn a_selection_compares_only_its_rules_items() {
        let input = b"$5 and $7";
        let item = |start: u64, rule: &str| json!({ "start": start, "end": start + 2, "text": "$x", "rule": rule });
        let expected = json!({ "title": "a", "money": [item(0, "symbol-amount"), item(7, "code-amount")] });
        let current = json!({ "title": "b", "money": [item(0, "symbol-amount")] });
        let fixture = loaded(input, expected, current);
        let only = |id: &str| Selection { rules: Some([id.to_string()].into()), whole: Default::default() };
        assert!(check_fixture(&fixture, &only("symbol-amount")).unwrap().problems.is_empty());
        let problems = check_fixture(&fixture, &only("code-amount")).unwrap().problems;
        assert_eq!(problems.iter().map(|p| p.kind).collect::<Vec<_>>(), [ProblemKind::Missing]);
        assert!(check_fixture(&fixture, &only("cashtag")).is_none());
        // A data file of the money family (currencies) compares every money item.
        let data = Selection { rules: Some(["money/currencies.toml".into()].into()), whole: [Family::Money].into() };
        assert_eq!(check_fixture(&fixture, &data).unwrap().problems.len(), 1, "the item, not the title");
        assert_eq!(check_fixture(&fixture, &Selection::all()).unwrap().problems.len(), 2, "title and the item");
    }

    #[test]
    fn known_gaps_are_reported_without_failing_and_survive_blessing() {
        let input = b"$5 and 7 dollars";
        let five = json!({ "start": 0, "end": 2, "text": "$5", "amount": 5 });
        let seven = json!({ "start": 7, "end": 16, "text": "7 dollars", "amount": 7, "todo": "written amounts" });
        let expected = json!({ "money": [five.clone(), seven.clone()] });
        let fixture = loaded(input, expected.clone(), json!({ "money": [five.clone()] }));
        let case = check_fixture(&fixture, &Selection::all()).unwrap();
        assert_eq!(case.outcome, Outcome::Todo { reason: "written amounts".into() });
        assert_eq!(case.problems[0].kind, ProblemKind::Missing);
        assert_eq!(keep_known_gaps(&fixture), expected, "blessing keeps the gap");

        let wrong = json!({ "start": 7, "end": 16, "text": "7 dollars", "amount": 70 });
        let fixture = loaded(input, expected.clone(), json!({ "money": [five.clone(), wrong] }));
        assert_eq!(check_fixture(&fixture, &Selection::all()).unwrap().problems[0].kind, ProblemKind::ValueMismatch);
        assert_eq!(keep_known_gaps(&fixture), expected, "the marked item stands for the wrong one");

        let met = json!({ "start": 7, "end": 16, "text": "7 dollars", "amount": 7 });
        let fixture = loaded(input, expected, json!({ "money": [five.clone(), met.clone()] }));
        assert_eq!(check_fixture(&fixture, &Selection::all()).unwrap().outcome, Outcome::Passed);
        assert_eq!(keep_known_gaps(&fixture), json!({ "money": [five, met] }), "a met gap loses its mark");
    }

    #[test]
    fn item_positions_skip_brackets_inside_strings() {
        let text = "{\n  \"title\": \"a [b] {c}\",\n  \"money\": [\n    {\"text\":\"]\"},\n    {\"text\":\"x\"}\n  ],\n  \"claims\": []\n}\n";
        let positions = item_positions(text);
        assert_eq!(positions.get(&("money".to_string(), 0)), Some(&(4, 5)));
        assert_eq!(positions.get(&("money".to_string(), 1)), Some(&(5, 5)));
        assert_eq!(positions.len(), 2);
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
