//! `assay check` as part of `cargo test`: one test per rule file, named after it
//! (`cargo test money_patterns` checks `rules/money/patterns.toml`), and one for the fixtures.
//!
//! The rules are read from `rules/` on disk, so an edited rule file is tested as it is now. Each
//! test runs the file's rules and the file's own evidence: a file without `[[rule]]` tables
//! (currencies, scales, scoring) holds data that its family's rules read, and carries top-level
//! `examples` and `negatives` of its own, without which it fails as untested. A rule file that is
//! not listed here fails `every_rule_file_has_a_test`, so that none is silently left out.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assay::check::{self, CaseResult, Paint, Selection};
use assay::pipeline::{Options, Pipeline};
use assay::rules::RuleSource;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pipeline() -> &'static Pipeline {
    static PIPELINE: OnceLock<Pipeline> = OnceLock::new();
    PIPELINE.get_or_init(|| {
        let source = RuleSource::from_dir(&root().join("rules")).unwrap_or_else(|error| panic!("{error}"));
        Pipeline::new(&source, &Options::default()).unwrap_or_else(|error| panic!("{error}"))
    })
}

/// Fails with every failed case, as `assay check` prints it.
fn assert_all_pass(what: &str, cases: &[CaseResult]) {
    assert!(!cases.is_empty(), "{what}: nothing was checked");
    let mut report = Vec::new();
    for case in cases.iter().filter(|case| case.failed()) {
        case.write_human(&mut report, Paint(false)).unwrap();
    }
    assert!(report.is_empty(), "{what}:\n{}", String::from_utf8_lossy(&report));
}

macro_rules! rule_files {
    ($($test:ident => $file:literal,)*) => {
        $(
            #[test]
            fn $test() {
                let selection = Selection::file(pipeline().catalogue(), $file);
                assert_all_pass($file, &check::check_rules(pipeline(), &selection));
            }
        )*

        const RULE_FILES: &[&str] = &[$($file),*];
    };
}

rule_files! {
    segment_abbreviations => "segment/abbreviations.toml",
    boilerplate_context => "boilerplate/context.toml",
    boilerplate_images => "boilerplate/images.toml",
    boilerplate_navigation => "boilerplate/navigation.toml",
    boilerplate_notices => "boilerplate/notices.toml",
    boilerplate_prompts => "boilerplate/prompts.toml",
    boilerplate_stopwords => "boilerplate/stopwords.toml",
    money_currencies => "money/currencies.toml",
    money_numbers => "money/numbers.toml",
    money_patterns => "money/patterns.toml",
    money_qualifiers => "money/qualifiers.toml",
    money_rates => "money/rates.toml",
    money_scales => "money/scales.toml",
    entities_aliases => "entities/aliases.toml",
    entities_gazetteers => "entities/gazetteers.toml",
    entities_names => "entities/names.toml",
    entities_patterns => "entities/patterns.toml",
    claims_attribution => "claims/attribution.toml",
    claims_factual => "claims/factual.toml",
    claims_hedges => "claims/hedges.toml",
    claims_kinds => "claims/kinds.toml",
    claims_quantitative => "claims/quantitative.toml",
    claims_scoring => "claims/scoring.toml",
    claims_shape => "claims/shape.toml",
    claims_stance => "claims/stance.toml",
    claims_vetoes => "claims/vetoes.toml",
}

#[test]
fn fixtures() {
    let (found, orphans) = check::find_fixtures(&root().join("tests/fixtures")).unwrap();
    let (loaded, mut broken) = check::load(pipeline(), &found);
    broken.extend(orphans);
    let broken: Vec<String> = broken.iter().map(ToString::to_string).collect();
    assert!(broken.is_empty(), "broken fixtures:\n{}", broken.join("\n"));
    assert_all_pass("tests/fixtures", &check::check_fixtures(&loaded, &Selection::all()));
}

/// Every `*.toml` under `dir`, relative to `root`, with `/` separators.
fn toml_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            toml_files(root, &path, out);
        } else if path.extension().is_some_and(|ext| ext == "toml") {
            let relative = path.strip_prefix(root).unwrap().components();
            out.push(relative.map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"));
        }
    }
}

#[test]
fn every_rule_file_has_a_test() {
    let rules = root().join("rules");
    let mut on_disk = Vec::new();
    toml_files(&rules, &rules, &mut on_disk);
    on_disk.sort();
    let mut listed = RULE_FILES.to_vec();
    listed.sort();
    assert_eq!(listed, on_disk, "add a line for each new rule file to `rule_files!` in tests/rule_files.rs");
}
