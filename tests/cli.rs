//! The `assay` command on real files: the corpus, broken inputs, broken rules, and every way in
//! and out (paths, standard input, JSON Lines, output files, clean).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn assay() -> Command {
    Command::cargo_bin("assay").expect("the assay binary is built for integration tests")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn records(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8(stdout.to_vec())
        .expect("records are UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is one JSON record"))
        .collect()
}

/// Every item's `text` is the input between its offsets, decoded with the record's encoding.
fn assert_spans_match(record: &Value, input: &[u8]) {
    let encoding = encoding_rs::Encoding::for_label(record["encoding"].as_str().unwrap().as_bytes()).unwrap();
    let mut checked = 0;
    for list in ["boilerplate", "money", "entities", "claims"] {
        for item in record[list].as_array().unwrap() {
            let (start, end) = (item["start"].as_u64().unwrap() as usize, item["end"].as_u64().unwrap() as usize);
            let (text, _) = encoding.decode_without_bom_handling(&input[start..end]);
            assert_eq!(text, item["text"].as_str().unwrap(), "{list} item at {start}..{end} in {}", record["path"]);
            checked += 1;
        }
    }
    assert!(checked > 0, "{} has no items at all", record["path"]);
}

#[test]
fn extract_corpus_gives_one_record_per_file_in_sorted_order_with_exact_spans() {
    let output = assay().current_dir(root()).args(["extract", "corpus/"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let records = records(&output.stdout);
    let mut files: Vec<String> = std::fs::read_dir(root().join("corpus"))
        .unwrap()
        .map(|e| format!("corpus/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    files.sort();
    let paths: Vec<&str> = records.iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert_eq!(paths, files);
    for record in &records {
        let input = std::fs::read(root().join(record["path"].as_str().unwrap())).unwrap();
        assert_eq!(record["bytes"], input.len());
        assert_spans_match(record, &input);
    }
}

#[test]
fn windows_1252_input_is_transcoded_with_a_warning_and_exact_spans() {
    let output = assay().current_dir(root()).args(["extract", "corpus/windows-1252.txt"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("corpus/windows-1252.txt:") && stderr.contains("read as windows-1252"), "{stderr}");
    let record = &records(&output.stdout)[0];
    assert_eq!(record["encoding"], "windows-1252");
    let money: Vec<(&str, &str)> = record["money"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["text"].as_str().unwrap(), m["currency"].as_str().unwrap()))
        .collect();
    assert!(money.contains(&("€3.5bn", "EUR")) && money.contains(&("£4.8bn", "GBP")), "{money:?}");
}

#[test]
fn a_utf8_page_with_a_stray_byte_stays_utf8_with_a_warning() {
    let mut input = "Café prices rose.\nA €5 million deal".as_bytes().to_vec();
    input.extend_from_slice(b" \x93done\x94.\n");
    let output = assay().args(["extract", "-"]).write_stdin(input.clone()).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("-:2: not valid UTF-8 (byte 0x93); read as utf-8, invalid bytes replaced"), "{stderr}");
    let record = &records(&output.stdout)[0];
    assert_eq!((record["encoding"].as_str(), record["title"].as_str()), (Some("utf-8"), Some("Café prices rose.")));
    assert_eq!(record["money"][0]["text"], "€5 million");
}

#[test]
fn a_bom_and_crlf_line_ends_keep_offsets_into_the_raw_file() {
    let input = std::fs::read(root().join("corpus/crlf-bom.txt")).unwrap();
    assert!(input.starts_with(b"\xEF\xBB\xBF") && input.windows(2).any(|w| w == b"\r\n"));
    let output = assay().current_dir(root()).args(["extract", "corpus/crlf-bom.txt"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let record = &records(&output.stdout)[0];
    assert_eq!(record["encoding"], "utf-8");
    assert_spans_match(record, &input);
    let first = &record["money"][0];
    assert_eq!((first["text"].as_str(), first["amount"].as_u64()), (Some("USD 2.7bn"), Some(2_700_000_000)));
    assert!(!record["title"].as_str().unwrap().ends_with('\r'));
}

#[test]
fn standard_input_is_one_document_named_dash() {
    let output =
        assay().args(["extract", "-"]).write_stdin("Brenner paid €3.5bn.\nShare this article\n").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let record = &records(&output.stdout)[0];
    assert_eq!(record["path"], "-");
    assert_eq!(record["money"][0]["amount"], 3_500_000_000u64);
    assert_eq!(record["boilerplate"][0]["kind"], "share-prompt");
}

#[test]
fn jsonl_input_passes_other_fields_through_and_reports_bad_lines() {
    let input = concat!(
        r#"{"id": "a1", "text": "Acme paid $5M.", "url": "https://example.com/a", "n": 1.50}"#,
        "\n",
        "not json\n",
        r#"{"id": 2, "text": "No figures here."}"#,
        "\n",
    );
    let output = assay().args(["extract", "--jsonl-in", "-"]).write_stdin(input).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("-: line 2: not a JSON object"), "{stderr}");
    let records = records(&output.stdout);
    assert_eq!(records.len(), 2);
    assert_eq!((&records[0]["id"], &records[0]["url"]), (&Value::from("a1"), &Value::from("https://example.com/a")));
    assert!(String::from_utf8_lossy(&output.stdout).contains(r#""n":1.50"#), "numbers pass through as written");
    assert_eq!(records[0]["money"][0]["amount"], 5_000_000);
    assert_eq!(records[1]["id"], 2);
    assert!(records[1].get("path").is_none());
}

#[test]
fn unreadable_and_binary_inputs_fail_the_run_but_not_the_others() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "Acme paid $5M.").unwrap();
    std::fs::write(dir.path().join("b.txt"), b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").unwrap();
    std::fs::write(dir.path().join("c.txt"), "Beta paid $7M.").unwrap();
    let missing = dir.path().join("missing.txt");
    let output = assay().arg("extract").arg(dir.path()).arg(&missing).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("b.txt:3: skipped: binary data"), "{stderr}");
    assert!(stderr.contains("missing.txt: no such file or directory"), "{stderr}");
    let amounts: Vec<_> = records(&output.stdout).iter().map(|r| r["money"][0]["amount"].clone()).collect();
    assert_eq!(amounts, [Value::from(5_000_000), Value::from(7_000_000)]);
}

#[test]
fn output_file_is_written_whole_and_threads_do_not_change_it() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.jsonl");
    let two = dir.path().join("two.jsonl");
    assay().current_dir(root()).args(["extract", "corpus/", "--jobs", "1", "-o"]).arg(&one).assert().success();
    assay().current_dir(root()).args(["extract", "corpus/", "--jobs", "2", "-o"]).arg(&two).assert().success();
    let (one, two) = (std::fs::read(&one).unwrap(), std::fs::read(&two).unwrap());
    assert_eq!(one, two);
    assert_eq!(records(&one).len(), std::fs::read_dir(root().join("corpus")).unwrap().count());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2, "no temporary file is left behind");
}

#[test]
fn many_batches_come_out_in_the_same_order_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    let articles: Vec<_> = std::fs::read_dir(root().join("corpus")).unwrap().map(|e| e.unwrap().path()).collect();
    for copy in 0..20 {
        for article in &articles {
            let name = format!("{copy:02}-{}", article.file_name().unwrap().to_string_lossy());
            std::fs::copy(article, dir.path().join(name)).unwrap();
        }
    }
    let run = |jobs: &str| assay().args(["extract", "-q", "--jobs", jobs]).arg(dir.path()).output().unwrap();
    let (one, three) = (run("1"), run("3"));
    assert_eq!((one.status.code(), three.status.code()), (Some(0), Some(0)));
    assert_eq!(records(&one.stdout).len(), 20 * articles.len());
    assert!(one.stdout == three.stdout, "--jobs 1 and --jobs 3 differ");
}

#[test]
fn an_input_over_the_size_limit_is_skipped_with_a_message_until_the_limit_is_raised() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.txt");
    std::fs::write(&big, "Revenue rose to $5 million. ".repeat(100)).unwrap();
    std::fs::write(dir.path().join("small.txt"), "Costs fell.").unwrap();
    let refused = assay().args(["extract", "--max-input-size", "2k"]).arg(dir.path()).output().unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("big.txt: skipped: 2800 bytes, over the limit of 2000 bytes for one document (raise it with --max-input-size)"),
        "{stderr}"
    );
    assert_eq!(records(&refused.stdout).len(), 1, "the small file is still read");
    let piped = assay().args(["extract", "-", "--max-input-size", "2k"]).pipe_stdin(&big).unwrap().output().unwrap();
    assert_eq!(piped.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&piped.stderr).contains("-: skipped: 2800 bytes"));
    let raised = assay().args(["extract", "--max-input-size", "3kB"]).arg(&big).output().unwrap();
    assert_eq!(raised.status.code(), Some(0));
    assert_eq!(records(&raised.stdout)[0]["money"].as_array().unwrap().len(), 100);
    let bad = assay().args(["extract", "--max-input-size", "12 parsecs"]).arg(&big).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn clean_refuses_to_write_two_inputs_to_one_file() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["a", "b"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
        std::fs::write(dir.path().join(sub).join("x.txt"), format!("Text from {sub}.")).unwrap();
    }
    let out = dir.path().join("out");
    let output = assay()
        .arg("clean")
        .arg(dir.path().join("a/x.txt"))
        .arg(dir.path().join("b/x.txt"))
        .arg("--out-dir")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("b/x.txt: skipped:"));
    assert_eq!(std::fs::read_to_string(out.join("x.txt")).unwrap(), "Text from a.\n");
}

#[test]
fn rules_are_listed_and_shown_by_id() {
    let listed = assay().arg("rules").output().unwrap();
    let listing = String::from_utf8(listed.stdout).unwrap();
    assert!(listing.lines().any(|l| l.starts_with("symbol-amount\tmoney\t")), "{listing}");
    let shown = assay().args(["rule", "symbol-amount"]).output().unwrap();
    let text = String::from_utf8(shown.stdout).unwrap();
    assert!(text.contains("What it matches") && text.contains("$1.25B"), "{text}");
    assay().args(["rule", "no-such-rule"]).assert().code(2);
}

#[test]
fn clean_writes_kept_text_under_relative_names() {
    let dir = tempfile::tempdir().unwrap();
    assay().current_dir(root()).args(["clean", "corpus/", "--out-dir"]).arg(dir.path()).assert().success();
    let kept = std::fs::read_to_string(dir.path().join("newsletter-cards.txt")).unwrap();
    assert!(!kept.contains(".jpg)") && !kept.contains("Share this") && !kept.contains("Newsletter"), "{kept}");
    assert!(kept.contains("Halden Logistics"));
    let blog = std::fs::read_to_string(dir.path().join("blog-markdown.md")).unwrap();
    assert!(!blog.contains("We use cookies") && !blog.contains("Leave a Reply") && blog.contains("$4.99 a month"));
}

#[test]
fn clean_to_standard_output() {
    let output =
        assay().args(["clean", "-"]).write_stdin(".png)\nThe article.\n© 2026 Example Media\n").output().unwrap();
    assert_eq!(String::from_utf8(output.stdout).unwrap(), "The article.\n");
}

fn rules_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("rules"), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn run_with_rules(rules: &Path) -> (Option<i32>, String) {
    let output = assay().arg("--rules").arg(rules).args(["extract", "-"]).write_stdin("x").output().unwrap();
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn broken_toml_in_a_rule_file_stops_the_run_with_its_location() {
    let rules = rules_copy();
    let file = rules.path().join("money/patterns.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("id = \"symbol-range\"", "id = \"symbol-range", 1)).unwrap();
    let line = text.lines().position(|l| l.starts_with("id = \"symbol-range\"")).unwrap() + 1;
    let (code, stderr) = run_with_rules(rules.path());
    assert_eq!(code, Some(2));
    assert!(stderr.contains(&format!("money/patterns.toml:{line}:")), "{stderr}");
}

#[test]
fn an_unknown_field_or_a_bad_regex_is_a_rule_error() {
    let rules = rules_copy();
    let file = rules.path().join("boilerplate/images.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("kind = \"image-url\"", "kind = \"image-url\"\nmax_wrods = 3", 1)).unwrap();
    let (code, stderr) = run_with_rules(rules.path());
    assert_eq!(code, Some(2));
    assert!(stderr.contains("boilerplate/images.toml:") && stderr.contains("unknown field `max_wrods`"), "{stderr}");

    std::fs::write(&file, text.replacen("patterns = ['(?i)^", "patterns = ['(?i)^(", 1)).unwrap();
    let (code, stderr) = run_with_rules(rules.path());
    assert_eq!(code, Some(2));
    assert!(stderr.contains("boilerplate/images.toml:") && stderr.contains("bad regex"), "{stderr}");
}

#[test]
fn usage_errors_exit_with_two() {
    assay().arg("extract").assert().code(2);
    assay().args(["extract", "--dollar", "usd", "-"]).assert().code(2);
    assay().args(["extract", "--glob", "[", "corpus/"]).current_dir(root()).assert().code(2);
    assay().args(["frobnicate"]).assert().code(2);
}

#[test]
fn dollar_sets_the_currency_of_a_bare_dollar_sign() {
    let output =
        assay().args(["--dollar", "CAD", "extract", "-"]).write_stdin("It cost $5 and US$3.").output().unwrap();
    let currencies: Vec<_> =
        records(&output.stdout)[0]["money"].as_array().unwrap().iter().map(|m| m["currency"].clone()).collect();
    assert_eq!(currencies, [Value::from("CAD"), Value::from("USD")]);
}

#[test]
fn check_passes_on_the_repository() {
    let output = assay().current_dir(root()).arg("check").output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let last = stdout.lines().last().unwrap();
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
}

#[test]
fn check_reports_a_changed_fixture_value_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = root().join("tests/fixtures");
    std::fs::copy(fixtures.join("money-wire-shorthand.txt"), dir.path().join("money-wire-shorthand.txt")).unwrap();
    let expected = std::fs::read_to_string(fixtures.join("money-wire-shorthand.expected.json")).unwrap();
    let changed = expected.replacen("\"amount\":412000000", "\"amount\":412000001", 1);
    assert_ne!(changed, expected, "the fixture has the 412 mln dlrs figure");
    std::fs::write(dir.path().join("money-wire-shorthand.expected.json"), changed).unwrap();
    let output = assay().current_dir(root()).arg("check").arg("--fixtures").arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let article = std::fs::read_to_string(dir.path().join("money-wire-shorthand.txt")).unwrap();
    let line = article.lines().position(|l| l.contains("412 mln dlrs")).unwrap() + 1;
    assert!(
        stdout.contains(&format!("money-wire-shorthand.txt:{line}:"))
            && stdout.contains("amount expected 412000001, got 412000000"),
        "{stdout}"
    );
    assert!(stdout.lines().last().unwrap().ends_with(" passed, 1 failed"));
}
