//! Claims in the sample articles of `corpus/` that are easy to lose: plain statements without a
//! figure (short ones in two-sentence paragraphs too), the writer's own account in a first-person
//! post, a headline's half without its verb, the statement before a question, quotations and
//! reported speech whose speaker is named mid-sentence or in an earlier sentence, and lines that
//! must never be claims (questions, advice, calls to action, disclaimers).

use assert_cmd::Command;
use serde_json::Value;

fn records() -> Vec<Value> {
    let output = Command::cargo_bin("assay").unwrap().args(["extract", "-j1", "corpus"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    output.stdout.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect()
}

/// The claims of the file whose path ends with `name`.
fn claims<'a>(records: &'a [Value], name: &str) -> &'a Vec<Value> {
    let record = records.iter().find(|r| r["path"].as_str().unwrap().ends_with(name)).unwrap();
    record["claims"].as_array().unwrap()
}

/// The claim starting with `start`, and its speaker if it has one.
fn claim<'a>(claims: &'a [Value], start: &str) -> Option<(&'a Value, Option<&'a str>)> {
    let found = claims.iter().find(|c| c["text"].as_str().unwrap().starts_with(start))?;
    Some((found, found["attribution"]["speaker"].as_str()))
}

#[test]
fn plain_statements_in_prose_are_claims() {
    let records = records();
    for (file, start) in [
        ("analyst-note.txt", "Switzerland offers a different model."),
        ("analyst-note.txt", "They are quick to build"),
        ("blog-markdown.md", "Electricity turned out to be a rounding error."),
        ("blog-markdown.md", "The bigger surprise was wear parts."),
        ("newsletter-cards.txt", "Owning the quay also means owning the data"),
        ("newsletter-cards.txt", "New orders slow"),
        ("windows-1252.txt", "Analysts were split."),
        ("wire-story.txt", "Some investors questioned the price."),
        ("earnings-news.txt", "Results were dented by"),
        ("no-money.txt", "Not every sign points the same way."),
        ("no-money.txt", "Still, the early thaw has practical effects."),
        ("press-release.txt", "company to open second manufacturing site in Ohio"),
        ("analyst-note.txt", "Europe's battery boom is running into a cable problem"),
        ("blog-markdown.md", "I Tracked Every Dollar My Cargo E-Bike Cost Me for a Year"),
        ("blog-markdown.md", "I still drive our remaining car for long trips"),
        ("blog-markdown.md", "When I bought a cargo e-bike last January, my partner asked the obvious question:"),
        ("press-release.txt", "Funding led by Birchmont Ventures"),
    ] {
        assert!(claim(claims(&records, file), start).is_some(), "{file}: no claim for {start:?}");
    }
}

#[test]
fn speakers_named_mid_sentence_or_before_the_quote() {
    let records = records();
    for (file, start, speaker) in [
        ("analyst-note.txt", "Last month it closed", "Matthias Kern"),
        ("analyst-note.txt", "\"We have the money", "Matthias Kern"),
        ("analyst-note.txt", "\"What we do not have", "Matthias Kern"),
        ("analyst-note.txt", "The system operator introduced", "Ravenmoor Power"),
        ("analyst-note.txt", "Part of that money", "Aarberg Netz AG"),
        ("crlf-bom.txt", "\"Floating turbines", "Haruto Kanemoto"),
        ("crlf-bom.txt", "Even so, Yuki Sasaki", "Yuki Sasaki"),
        ("earnings-news.txt", "The income statement showed", "Ananya Kapoor"),
        ("earnings-news.txt", "\"At some point", "Noor Haddad"),
        ("analyst-note.txt", "It announced a EUR", "European Investment Bank"),
        ("windows-1252.txt", "It expects cost savings", "Veltmann Gruppe"),
        ("no-money.txt", "The National Weather Service office", "The National Weather Service office in Duluth"),
        ("press-release.txt", "AUSTIN, Texas", "Quillfield Robotics, Inc."),
        ("newsletter-cards.txt", "Eighteen months later", "Marguerite Deschamps"),
        ("newsletter-cards.txt", "For now the bond market", "Halden Logistics"),
        ("wire-story.txt", "It also expects separation costs", "Brenner Chemie AG"),
    ] {
        let found = claim(claims(&records, file), start);
        assert_eq!(found.and_then(|(_, s)| s), Some(speaker), "{file}: {start:?}");
    }
}

#[test]
fn questions_advice_and_notices_are_not_claims() {
    let records = records();
    for (file, start) in [
        ("analyst-note.txt", "What does this mean for investors?"),
        ("blog-markdown.md", "If you are thinking about it"),
        ("press-release.txt", "For more information"),
        ("press-release.txt", "These statements are based on current expectations"),
        ("press-release.txt", "This press release contains forward-looking statements"),
        ("analyst-note.txt", "Consider Stellwerk Energie"),
        ("blog-markdown.md", "would it actually replace the car"),
        ("blog-markdown.md", "# "),
        ("blog-markdown.md", "The running costs"),
        ("press-release.txt", "About Quillfield Robotics"),
    ] {
        assert!(claim(claims(&records, file), start).is_none(), "{file}: {start:?} is a claim");
    }
}

#[test]
fn kinds_follow_the_wording_not_look_alike_words() {
    let records = records();
    for (file, start, kind, wanted) in [
        ("analyst-note.txt", "In Britain the picture is similar", "comparative", true),
        ("earnings-news.txt", "Lumetra Devices beats forecasts", "predictive", false),
        ("earnings-news.txt", "Lumetra Devices beats forecasts", "quantitative", true),
        ("earnings-news.txt", "Results were dented by", "causal", true),
        ("windows-1252.txt", "Veltmann to buy British grocer", "predictive", true),
        ("press-release.txt", "company to open second", "predictive", true),
        ("blog-markdown.md", "I still drive our remaining car", "causal", false),
        ("crlf-bom.txt", "Sorano will also contribute", "quantitative", true),
        ("crlf-bom.txt", "The first project", "predictive", true),
    ] {
        let (found, _) =
            claim(claims(&records, file), start).unwrap_or_else(|| panic!("{file}: no claim for {start:?}"));
        let has = found["kinds"].as_array().unwrap().iter().any(|k| k == kind);
        assert_eq!(has, wanted, "{file}: {start:?} kind {kind}");
    }
}
