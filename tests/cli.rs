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
    // Directories too, and a file written by an earlier run is replaced, not taken for a collision.
    std::fs::write(dir.path().join("b/only-b.txt"), "Only in b.").unwrap();
    let output = assay()
        .arg("clean")
        .arg(dir.path().join("b"))
        .arg(dir.path().join("a"))
        .arg("--out-dir")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("a/x.txt: skipped:") && stderr.contains("b/x.txt"), "{stderr}");
    assert_eq!(std::fs::read_to_string(out.join("x.txt")).unwrap(), "Text from b.\n");
    assert_eq!(std::fs::read_to_string(out.join("only-b.txt")).unwrap(), "Only in b.\n");
}

#[test]
fn rules_are_listed_and_shown_by_id() {
    let listed = assay().arg("rules").output().unwrap();
    let listing = String::from_utf8(listed.stdout).unwrap();
    assert!(listing.lines().any(|l| l.starts_with("symbol-amount\tmoney\t")), "{listing}");
    let money = assay().args(["rules", "--family", "money"]).output().unwrap();
    let money = String::from_utf8(money.stdout).unwrap();
    assert!(money.lines().count() > 1 && money.lines().all(|l| l.split('\t').nth(1) == Some("money")), "{money}");
    let shown = assay().args(["rule", "symbol-amount"]).output().unwrap();
    let text = String::from_utf8(shown.stdout).unwrap();
    assert!(text.contains("What it matches") && text.contains("$1.25B"), "{text}");
    assay().args(["rule", "no-such-rule"]).assert().code(2);
    // Data files are listed under their path, with their own examples.
    assert!(listing.lines().any(|l| l.starts_with("money/currencies.toml\tmoney\t")), "{listing}");
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
fn repeats_removes_lines_that_many_documents_share_and_only_with_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let footer = "Harbor Ledger is read by port people in forty countries every week.";
    for (name, story) in [
        ("a.txt", "Storm closes the northern port"),
        ("b.txt", "Freight rates fall for a third month"),
        ("c.txt", "New cranes arrive at the container terminal"),
    ] {
        std::fs::write(dir.path().join(name), format!("{story}\n{footer}\n")).unwrap();
    }
    let plain = assay().args(["clean"]).arg(dir.path()).output().unwrap();
    assert_eq!(String::from_utf8(plain.stdout).unwrap().matches(footer).count(), 3);
    let counted = assay().args(["clean", "--repeats"]).arg(dir.path()).output().unwrap();
    let kept = String::from_utf8(counted.stdout).unwrap();
    assert_eq!(kept.matches(footer).count(), 0, "{kept}");
    assert!(kept.contains("Storm closes the northern port"));
    let records = records(&assay().args(["extract", "--repeats"]).arg(dir.path()).output().unwrap().stdout);
    assert!(records.iter().all(|r| r["boilerplate"].as_array().unwrap().iter().any(|b| b["rule"] == "repeated-line")));
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
fn a_blank_listed_name_is_a_rule_error() {
    let rules = rules_copy();
    let file = rules.path().join("entities/gazetteers.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replacen(
            "list = \"lists/organizations.tsv\"",
            "list = \"lists/organizations.tsv\"\nentries = [[\" \"]]",
            1,
        ),
    )
    .unwrap();
    let (code, stderr) = run_with_rules(rules.path());
    assert_eq!(code, Some(2));
    assert!(stderr.contains("entities/gazetteers.toml:") && stderr.contains("`entries` surface is blank"), "{stderr}");
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

/// A copy of one fixture in a directory of its own, with `edit` applied to its expected record.
fn fixture_copy(name: &str, edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = root().join("tests/fixtures");
    std::fs::copy(fixtures.join(format!("{name}.txt")), dir.path().join(format!("{name}.txt"))).unwrap();
    let expected = std::fs::read_to_string(fixtures.join(format!("{name}.expected.json"))).unwrap();
    let edited = edit(&expected);
    assert_ne!(edited, expected, "the edit changes the expected record");
    std::fs::write(dir.path().join(format!("{name}.expected.json")), edited).unwrap();
    dir
}

fn check_in(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let output = assay().current_dir(root()).arg("check").arg("--fixtures").arg(dir).args(args).output().unwrap();
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (output.status.code(), text(&output.stdout), text(&output.stderr))
}

#[test]
fn check_reports_a_changed_fixture_value_as_a_value_mismatch_with_its_line() {
    let dir = fixture_copy("money-wire-shorthand", |expected| {
        expected.replacen("\"amount\":412000000", "\"amount\":412000001", 1)
    });
    let (code, stdout, _) = check_in(dir.path(), &[]);
    assert_eq!(code, Some(1), "{stdout}");
    let article = std::fs::read_to_string(dir.path().join("money-wire-shorthand.txt")).unwrap();
    let line = article.lines().position(|l| l.contains("412 mln dlrs")).unwrap() + 1;
    let col = article.lines().nth(line - 1).unwrap().find("412 mln dlrs").unwrap() + 1;
    let problem = stdout.lines().find(|l| l.contains("value mismatch")).unwrap_or_else(|| panic!("{stdout}"));
    assert!(problem.contains(&format!("money-wire-shorthand.txt:{line}:{col}: value mismatch:")), "{problem}");
    assert!(problem.contains("amount expected 412000001, got 412000000"), "{problem}");
    assert!(stdout.lines().last().unwrap().ends_with(" passed, 1 failed"), "{stdout}");
}

#[test]
fn check_tells_missing_unexpected_and_span_mismatch_apart_in_a_fixture() {
    let dir = fixture_copy("money-wire-shorthand", |expected| {
        let mut lines: Vec<String> = expected.lines().map(str::to_string).collect();
        let money: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].contains("\"currency\":")).collect();
        let mut respan = |index: usize, span: &dyn Fn(u64, u64) -> (u64, u64)| {
            let line = &lines[index];
            let comma = if line.ends_with(',') { "," } else { "" };
            let mut item: Value = serde_json::from_str(line.trim().trim_end_matches(',')).unwrap();
            let (start, end) = span(item["start"].as_u64().unwrap(), item["end"].as_u64().unwrap());
            (item["start"], item["end"]) = (start.into(), end.into());
            lines[index] = format!("    {item}{comma}");
        };
        // The first figure ends a byte early; the second is expected where there is none.
        respan(money[0], &|start, end| (start, end - 1));
        respan(money[1], &|_, _| (0, 1));
        lines.join("\n")
    });
    let (code, stdout, _) = check_in(dir.path(), &["--family", "money"]);
    assert_eq!(code, Some(1), "{stdout}");
    for kind in ["span mismatch", "missing", "unexpected"] {
        assert!(stdout.contains(&format!(": {kind}: money: ")), "no {kind} in {stdout}");
    }
}

#[test]
fn a_broken_fixture_stops_the_check_before_any_result_with_its_location() {
    let dir = fixture_copy("money-wire-shorthand", |expected| expected.replacen("\"money\": [", "\"money\": [,", 1));
    let (code, stdout, stderr) = check_in(dir.path(), &[]);
    assert_eq!(code, Some(2));
    assert!(stdout.is_empty(), "no result is printed: {stdout}");
    let expected = std::fs::read_to_string(dir.path().join("money-wire-shorthand.expected.json")).unwrap();
    let line = expected.lines().position(|l| l.contains("\"money\": [,")).unwrap() + 1;
    assert!(stderr.contains(&format!("money-wire-shorthand.expected.json:{line}:")), "{stderr}");

    // An expected record whose article was renamed away would check nothing: it is broken too.
    std::fs::write(dir.path().join("money-wire-shorthand.expected.json"), "{}").unwrap();
    std::fs::rename(dir.path().join("money-wire-shorthand.txt"), dir.path().join("renamed.txt")).unwrap();
    std::fs::write(dir.path().join("renamed.expected.json"), "{}").unwrap();
    let (code, stdout, stderr) = check_in(dir.path(), &[]);
    assert_eq!((code, stdout.as_str()), (Some(2), ""));
    assert!(stderr.contains("money-wire-shorthand.expected.json:1:1: expected record without an article"), "{stderr}");
}

#[test]
fn a_broken_rule_file_stops_the_check_with_exit_two_and_its_location() {
    let rules = rules_copy();
    let file = rules.path().join("money/scales.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let line = text.lines().position(|l| l.starts_with("[[scale]]")).unwrap() + 1;
    std::fs::write(&file, text.replacen("[[scale]]", "[[scale]", 1)).unwrap();
    let output = assay().current_dir(root()).arg("--rules").arg(rules.path()).arg("check").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty(), "no result is printed");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("money/scales.toml:{line}:")), "{stderr}");
}

#[test]
fn a_rule_without_examples_is_reported_as_untested() {
    let rules = rules_copy();
    let file = rules.path().join("entities/patterns.toml");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("\n[[rule]]\nid = \"made-up-holding\"\ntype = \"ORG\"\ndescription = \"A made-up holding company.\"\npattern = '(?P<name>Zqxv Holdingz)'\n");
    std::fs::write(&file, &text).unwrap();
    let output = assay()
        .current_dir(root())
        .arg("--rules")
        .arg(rules.path())
        .args(["check", "--family", "entities"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    let line = text.lines().position(|l| l.contains("made-up-holding")).unwrap() + 1;
    assert!(
        stdout.contains(&format!(
            "entities/patterns.toml:{line}:1: untested: `made-up-holding` has no examples and no negatives"
        )),
        "{stdout}"
    );
    assert!(stdout.lines().last().unwrap().ends_with(" passed, 1 failed"), "{stdout}");
}

#[test]
fn a_data_file_is_checked_by_its_own_evidence_and_untested_without_it() {
    let shown = assay().args(["rule", "money/scales.toml"]).output().unwrap();
    let text = String::from_utf8(shown.stdout).unwrap();
    assert!(text.starts_with("money/scales.toml (money) rules/money/scales.toml:"), "{text}");
    assert!(text.contains("Scales: the words") && text.contains("$1.2tn") && text.contains("Negatives"), "{text}");
    let check = |rules: &Path| {
        let output = assay()
            .current_dir(root())
            .arg("--rules")
            .arg(rules)
            .args(["check", "--rule", "money/scales.toml"])
            .output()
            .unwrap();
        (output.status.code(), String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let rules = rules_copy();
    let file = rules.path().join("money/scales.toml");
    let original = std::fs::read_to_string(&file).unwrap();
    // A wrong amount in the file's evidence is a value mismatch at its place in the file.
    let changed = original.replacen(
        r#"{ text = "$1.2tn", amount = "1200000000000" }"#,
        r#"{ text = "$1.2tn", amount = "12" }"#,
        1,
    );
    assert_ne!(changed, original);
    std::fs::write(&file, &changed).unwrap();
    let (code, stdout) = check(rules.path());
    let line = changed.lines().position(|l| l.contains(r#"amount = "12" }"#)).unwrap();
    let example = changed.lines().nth(line - 1).unwrap();
    let col = example.find("$1.2tn").unwrap() + 1;
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains(&format!("scales.toml:{line}:{col}: value mismatch: \"$1.2tn\"")), "{stdout}");
    // Without evidence, the data file is untested.
    let start = original.find("examples = [").unwrap();
    let end = original.find("\n[[scale]]").unwrap();
    std::fs::write(&file, format!("{}{}", &original[..start], &original[end..])).unwrap();
    let (code, stdout) = check(rules.path());
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("scales.toml:1:1: untested: data file `money/scales.toml` has no examples and no negatives"),
        "{stdout}"
    );
    assert!(stdout.lines().last().unwrap().ends_with(" passed, 1 failed"), "{stdout}");
}

#[test]
fn check_runs_a_selection_of_rules() {
    let run = |args: &[&str]| {
        let output = assay().current_dir(root()).arg("check").args(args).output().unwrap();
        (output.status.code(), String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let count = |stdout: &str| -> usize { stdout.lines().last().unwrap().split(' ').next().unwrap().parse().unwrap() };
    let (all, one, money) = (run(&[]), run(&["--rule", "symbol-amount"]), run(&["--family", "money"]));
    assert_eq!((all.0, one.0, money.0), (Some(0), Some(0), Some(0)));
    assert!(count(&one.1) < count(&money.1) && count(&money.1) < count(&all.1), "{one:?} {money:?} {all:?}");
    assert_eq!(run(&["--rule", "no-such-rule"]).0, Some(2));
    assert_eq!(run(&["--family", "mony"]).0, Some(2));
}

#[test]
fn check_speaks_json_to_machines_and_plain_text_to_pipes() {
    let output = assay().current_dir(root()).args(["check", "--family", "money", "--format", "json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    let cases = report["cases"].as_array().unwrap();
    assert_eq!(report["passed"].as_u64().unwrap() as usize, cases.len());
    assert!(cases.iter().any(|c| c["rule"] == "symbol-amount" && c["kind"] == "example" && c["status"] == "passed"));
    assert!(cases.iter().any(|c| c["kind"] == "fixture"), "money items of the fixtures are checked too");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim(), format!("{} passed, 0 failed", cases.len()));

    let dir = fixture_copy("money-wire-shorthand", |expected| {
        expected.replacen("\"currency\":\"USD\"", "\"currency\":\"CAD\"", 1)
    });
    let (code, stdout, _) = check_in(dir.path(), &[]);
    assert_eq!(code, Some(1));
    assert!(!stdout.contains('\x1b'), "no colour when standard output is not a terminal: {stdout}");
}

#[test]
fn bless_rewrites_changed_expectations_and_says_what_changed() {
    let original = std::fs::read_to_string(root().join("tests/fixtures/money-wire-shorthand.expected.json")).unwrap();
    let dir = fixture_copy("money-wire-shorthand", |expected| {
        expected.replacen("\"amount\":412000000", "\"amount\":412000001", 1)
    });
    let (code, stdout, stderr) = check_in(dir.path(), &["--bless"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stderr.contains("blessed ") && stderr.contains("money-wire-shorthand.expected.json (1 change)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("was value mismatch:") && stderr.contains("amount expected 412000001, got 412000000"),
        "{stderr}"
    );
    let blessed = std::fs::read_to_string(dir.path().join("money-wire-shorthand.expected.json")).unwrap();
    assert_eq!(blessed, original);
    let (code, _, stderr) = check_in(dir.path(), &["--bless"]);
    assert_eq!(code, Some(0));
    assert!(!stderr.contains("blessed"), "nothing left to rewrite: {stderr}");

    // A new article without an expected record is broken until it is blessed.
    std::fs::write(dir.path().join("new-article.txt"), "Orvane Freight paid €7 million for the yard.\n").unwrap();
    let (code, _, stderr) = check_in(dir.path(), &[]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("new-article.expected.json:1:1: no expected record"), "{stderr}");
    let (code, _, stderr) = check_in(dir.path(), &["--bless"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("new-article.expected.json (no readable expected record before)"), "{stderr}");
    let blessed: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("new-article.expected.json")).unwrap()).unwrap();
    assert_eq!(blessed["money"][0]["text"], "€7 million");
}

#[test]
fn embedded_images_are_never_read_as_text() {
    let path = "tests/fixtures/boilerplate-data-uri-image-line.md";
    let output = assay().current_dir(root()).args(["extract", path]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let record = &records(&output.stdout)[0];
    let input = std::fs::read(root().join(path)).unwrap();
    assert_spans_match(record, &input);
    let text = String::from_utf8(input).unwrap();
    let first_line = text.lines().next().unwrap();
    let removed: Vec<(&str, &str)> = record["boilerplate"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| (item["text"].as_str().unwrap(), item["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(removed, [(first_line, "data-uri-image-line")], "the line of teaser cards goes whole");
    // The kept line of prose keeps its sentence, without the pixel it carries.
    let claims: Vec<&str> = record["claims"].as_array().unwrap().iter().map(|c| c["text"].as_str().unwrap()).collect();
    assert!(claims.iter().any(|claim| claim.starts_with("Maersk has signed up")), "{claims:?}");
    for list in ["money", "entities", "claims"] {
        for item in record[list].as_array().unwrap() {
            let item = item["text"].as_str().unwrap();
            assert!(!item.contains("data:") && !item.contains("base64") && !item.contains("R0lGOD"), "{list}: {item}");
        }
    }
}
