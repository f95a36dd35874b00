//! The article the project was created from, checked against what the foundation promised for
//! it. The article is not part of the repository, so this test is ignored by default; CI runs it
//! with `cargo test --test seed -- --ignored`, pointing `ASSAY_SEED` at the file.

use assert_cmd::Command;
use serde_json::Value;

fn seed_record() -> (Value, Vec<u8>) {
    let path = std::env::var("ASSAY_SEED").unwrap_or_else(|_| "../shared/seeds/000_b79ba32d6c47b151.txt".into());
    let input = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e} (set ASSAY_SEED to the seed article)"));
    let output = Command::cargo_bin("assay").unwrap().args(["extract", &path]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    (serde_json::from_slice(&output.stdout).unwrap(), input)
}

fn texts<'a>(record: &'a Value, list: &str) -> Vec<&'a str> {
    record[list].as_array().unwrap().iter().map(|item| item["text"].as_str().unwrap()).collect()
}

#[test]
#[ignore = "needs the seed article outside the repository (ASSAY_SEED)"]
fn seed_chrome_figures_and_entities() {
    let (record, input) = seed_record();
    for list in ["boilerplate", "money", "entities", "claims"] {
        for item in record[list].as_array().unwrap() {
            let (start, end) = (item["start"].as_u64().unwrap() as usize, item["end"].as_u64().unwrap() as usize);
            assert_eq!(std::str::from_utf8(&input[start..end]).unwrap(), item["text"].as_str().unwrap());
        }
    }
    let removed = texts(&record, "boilerplate");
    assert_eq!(removed.len(), 5, "{removed:?}");
    assert!(removed[0].starts_with(".png&w=") && removed[1] == ".png)", "{removed:?}");
    assert!(
        removed[2].starts_with("Share it") && removed[3].ends_with("Newsletter") && removed[4].starts_with("Sign up")
    );

    let money: Vec<(String, String)> = record["money"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["amount"].to_string(), m["currency"].as_str().unwrap().to_string()))
        .collect();
    let expected = ["1250000000", "25000000000", "1250000000", "25000000000", "100000000000"];
    assert_eq!(money, expected.map(|a| (a.to_string(), "USD".to_string())));

    let entities = texts(&record, "entities");
    for name in ["Amazon", "Anthropic", "AWS", "Nvidia", "Google", "Broadcom", "TSMC", "Claude", "Trainium"] {
        assert!(entities.contains(&name), "{name} not among {entities:?}");
    }
    let claims = texts(&record, "claims");
    assert!(claims.contains(&"Trainium2 → 4 reduces Nvidia reliance."), "{claims:?}");
    assert!(claims.iter().all(|c| !c.contains("Share it") && !c.contains("Sign up")));
}
