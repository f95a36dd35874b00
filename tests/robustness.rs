//! No byte sequence crashes the pipeline, and every item it reports is exactly the input between
//! its offsets.

use std::sync::LazyLock;

use assay::decode::Decoded;
use assay::pipeline::{Options, Pipeline};
use assay::record::Source;
use assay::rules::RuleSource;
use proptest::prelude::*;
use serde_json::Value;

static PIPELINE: LazyLock<Pipeline> =
    LazyLock::new(|| Pipeline::new(&RuleSource::embedded(), &Options::default()).expect("built-in rules compile"));

/// Bytes that exercise the stages: money signs, digits, separators, line ends, quotes, markup,
/// multi-byte UTF-8 pieces and invalid bytes.
fn article_bytes() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop_oneof![
        Just(b"$".to_vec()),
        Just("€".as_bytes().to_vec()),
        Just("£".as_bytes().to_vec()),
        Just("→".as_bytes().to_vec()),
        Just("×".as_bytes().to_vec()),
        Just(b"1,234.5".to_vec()),
        Just(b"3,50 ".to_vec()),
        Just(b" million dlrs".to_vec()),
        Just(b"bn".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"\x93quoted\x94".to_vec()),
        Just(b"\xC3".to_vec()),
        Just(b"![x](a.png)".to_vec()),
        Just(b"[Home](/) | ".to_vec()),
        Just(b"Share this".to_vec()),
        Just(b"Grace Okafor said ".to_vec()),
        Just(b"Acme Corp. ".to_vec()),
        Just(b"U.S. ".to_vec()),
        Just(b"; ".to_vec()),
        Just(b"? ".to_vec()),
        Just(b"\"".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..8),
        "[A-Za-z ]{0,12}".prop_map(String::into_bytes),
    ];
    proptest::collection::vec(pieces, 0..40).prop_map(|parts| parts.concat())
}

fn check_spans(record: &Value, input: &[u8]) -> Result<(), TestCaseError> {
    let encoding = encoding_rs::Encoding::for_label(record["encoding"].as_str().unwrap().as_bytes()).unwrap();
    for list in ["boilerplate", "money", "entities", "claims"] {
        for item in record[list].as_array().unwrap() {
            let (start, end) = (item["start"].as_u64().unwrap() as usize, item["end"].as_u64().unwrap() as usize);
            prop_assert!(start <= end && end <= input.len());
            let (text, _) = encoding.decode_without_bom_handling(&input[start..end]);
            prop_assert_eq!(text.as_ref(), item["text"].as_str().unwrap());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_give_a_record_with_exact_spans_or_a_clean_refusal(input in article_bytes()) {
        let Ok(decoded) = Decoded::new(&input) else {
            // Binary input is refused, never half-read.
            prop_assert!(input.contains(&0));
            return Ok(());
        };
        let record = PIPELINE.record(Source::Path("t".into()), &decoded, Default::default());
        let mut line = Vec::new();
        record.write_json_line(&mut line);
        let value: Value = serde_json::from_slice(&line).unwrap();
        check_spans(&value, &input)?;
    }

    #[test]
    fn any_string_as_jsonl_text_gives_exact_utf8_spans(text in "\\PC{0,300}") {
        let decoded = Decoded::from_text(&text);
        let record = PIPELINE.record(Source::Id(Value::Null), &decoded, Default::default());
        let value = serde_json::to_value(&record).unwrap();
        check_spans(&value, text.as_bytes())?;
    }
}
