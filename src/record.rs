#![doc = include_str!("../docs/record.md")]

use std::borrow::Cow;

use rust_decimal::Decimal;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Map, Value};

use crate::decode::Decoded;
use crate::span::Span;

/// Where a document came from: a path, or the `"id"` of a `--jsonl-in` line.
#[derive(Debug, Clone)]
pub enum Source {
    Path(String),
    Id(Value),
}

/// What a removed line was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BoilerplateKind {
    ImageUrl,
    SharePrompt,
    Newsletter,
    Navigation,
    Byline,
    CookieNotice,
    CommentForm,
    Footer,
    Related,
    Social,
    Advertising,
    /// A line the context shows not to be article text (see `clean`).
    OutsideArticle,
}

/// A line removed as boilerplate.
#[derive(Debug, Clone, PartialEq)]
pub struct BoilerplateItem<'a> {
    pub span: Span,
    pub text: &'a str,
    pub rule: &'a str,
    pub kind: BoilerplateKind,
}

/// How a qualifier phrase before an amount bounds or softens it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    /// about, roughly, an estimated
    Approximate,
    /// more than, at least, over
    AtLeast,
    /// up to, under, less than
    AtMost,
}

/// A money figure.
#[derive(Debug, Clone, PartialEq)]
pub struct MoneyItem<'a> {
    pub span: Span,
    pub text: &'a str,
    pub rule: &'a str,
    pub amount: Decimal,
    pub amount_max: Option<Decimal>,
    pub currency: Option<&'a str>,
    pub qualifier: Option<Qualifier>,
    /// The unit of a rate (`$5 per share` → `share`), else `None`.
    pub per: Option<&'a str>,
}

/// The type of an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum EntityType {
    Org,
    Person,
    Loc,
    Product,
    Misc,
}

/// A named entity.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityItem<'a> {
    pub span: Span,
    pub text: &'a str,
    pub rule: &'a str,
    pub entity_type: EntityType,
    pub canonical: Cow<'a, str>,
}

/// The kinds a claim can be of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClaimKind {
    Quantitative,
    Causal,
    Comparative,
    Predictive,
    Evaluative,
}

/// Who makes a claim.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribution<'a> {
    pub speaker: Cow<'a, str>,
    pub span: Span,
    /// Index into the record's entities when the speaker is one.
    pub entity: Option<usize>,
}

/// A claim.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimItem<'a> {
    pub span: Span,
    pub text: &'a str,
    pub rule: &'a str,
    pub kinds: Vec<ClaimKind>,
    pub hedges: Vec<&'a str>,
    pub attribution: Option<Attribution<'a>>,
    pub score: f32,
    /// Every cue rule that fired on the claim, in rule order.
    pub cues: Vec<&'a str>,
    pub entities: Vec<usize>,
    pub money: Vec<usize>,
}

/// Everything found in one document.
#[derive(Debug, Default)]
pub struct Findings<'a> {
    pub title: Option<&'a str>,
    pub boilerplate: Vec<BoilerplateItem<'a>>,
    pub money: Vec<MoneyItem<'a>>,
    pub entities: Vec<EntityItem<'a>>,
    pub claims: Vec<ClaimItem<'a>>,
}

/// One output record: a document's findings, ready to be written with input offsets.
pub struct Record<'a> {
    pub source: Source,
    pub decoded: &'a Decoded<'a>,
    pub findings: Findings<'a>,
    /// `--jsonl-in` fields other than `id` and `text`, copied through.
    pub passthrough: Map<String, Value>,
}

/// Field names of the record itself; a passed-through field with one of these names is renamed.
const RECORD_FIELDS: [&str; 10] =
    ["path", "id", "encoding", "bytes", "title", "boilerplate", "money", "entities", "claims", "text"];

impl Record<'_> {
    /// The name a passed-through field is written under: its own, or `input_` in front of it as
    /// many times as it takes to collide with neither a record field nor another input field.
    fn passthrough_name<'n>(&self, name: &'n str) -> Cow<'n, str> {
        let mut renamed = Cow::Borrowed(name);
        if !RECORD_FIELDS.contains(&name) {
            return renamed;
        }
        while RECORD_FIELDS.contains(&renamed.as_ref()) || self.passthrough.contains_key(renamed.as_ref()) {
            renamed = Cow::Owned(format!("input_{renamed}"));
        }
        renamed
    }

    /// Appends the record as one line of JSON (with its newline) to `out`.
    pub fn write_json_line(&self, out: &mut Vec<u8>) {
        let mut serializer = serde_json::Serializer::new(&mut *out);
        self.serialize(&mut serializer).expect("writing JSON to memory cannot fail");
        out.push(b'\n');
    }
}

impl Serialize for Record<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let offsets = Offsets(self.decoded);
        let findings = &self.findings;
        let mut map = serializer.serialize_map(None)?;
        match &self.source {
            Source::Path(path) => map.serialize_entry("path", path)?,
            Source::Id(id) => map.serialize_entry("id", id)?,
        }
        map.serialize_entry("encoding", &self.decoded.encoding_name())?;
        map.serialize_entry("bytes", &self.decoded.input_len())?;
        map.serialize_entry("title", &findings.title)?;
        map.serialize_entry("boilerplate", &Items(&findings.boilerplate, offsets))?;
        map.serialize_entry("money", &Items(&findings.money, offsets))?;
        map.serialize_entry("entities", &Items(&findings.entities, offsets))?;
        map.serialize_entry("claims", &Items(&findings.claims, offsets))?;
        for (name, value) in &self.passthrough {
            map.serialize_entry(&self.passthrough_name(name), value)?;
        }
        map.end()
    }
}

/// Translates decoded offsets to input offsets while serialising.
#[derive(Clone, Copy)]
struct Offsets<'a>(&'a Decoded<'a>);

/// An item that knows how to write its own fields after the shared ones.
trait Item {
    fn span(&self) -> Span;
    fn text(&self) -> &str;
    fn rule(&self) -> &str;
    fn write_fields<M: SerializeMap>(&self, map: &mut M, offsets: Offsets) -> Result<(), M::Error>;
}

struct Items<'s, T>(&'s [T], Offsets<'s>);

impl<T: Item> Serialize for Items<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|item| WithOffsets(item, self.1)))
    }
}

struct WithOffsets<'s, T>(&'s T, Offsets<'s>);

impl<T: Item> Serialize for WithOffsets<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (item, offsets) = (self.0, self.1);
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("start", &offsets.0.input_offset(item.span().start))?;
        map.serialize_entry("end", &offsets.0.input_offset(item.span().end))?;
        map.serialize_entry("text", item.text())?;
        map.serialize_entry("rule", item.rule())?;
        item.write_fields(&mut map, offsets)?;
        map.end()
    }
}

/// An exact decimal as a JSON number token (serde_json keeps the digits as written).
fn decimal_number(value: Decimal) -> serde_json::Number {
    value.normalize().to_string().parse().expect("a decimal's string form is a valid JSON number")
}

macro_rules! item_basics {
    () => {
        fn span(&self) -> Span {
            self.span
        }
        fn text(&self) -> &str {
            self.text
        }
        fn rule(&self) -> &str {
            self.rule
        }
    };
}

impl Item for BoilerplateItem<'_> {
    item_basics!();
    fn write_fields<M: SerializeMap>(&self, map: &mut M, _: Offsets) -> Result<(), M::Error> {
        map.serialize_entry("kind", &self.kind)
    }
}

impl Item for MoneyItem<'_> {
    item_basics!();
    fn write_fields<M: SerializeMap>(&self, map: &mut M, _: Offsets) -> Result<(), M::Error> {
        map.serialize_entry("amount", &decimal_number(self.amount))?;
        map.serialize_entry("amount_max", &self.amount_max.map(decimal_number))?;
        map.serialize_entry("currency", &self.currency)?;
        map.serialize_entry("qualifier", &self.qualifier)?;
        map.serialize_entry("per", &self.per)
    }
}

impl Item for EntityItem<'_> {
    item_basics!();
    fn write_fields<M: SerializeMap>(&self, map: &mut M, _: Offsets) -> Result<(), M::Error> {
        map.serialize_entry("type", &self.entity_type)?;
        map.serialize_entry("canonical", &self.canonical)
    }
}

impl Item for ClaimItem<'_> {
    item_basics!();
    fn write_fields<M: SerializeMap>(&self, map: &mut M, offsets: Offsets) -> Result<(), M::Error> {
        map.serialize_entry("kinds", &self.kinds)?;
        map.serialize_entry("hedges", &self.hedges)?;
        let attribution = self.attribution.as_ref().map(|a| AttributionJson {
            speaker: &a.speaker,
            start: offsets.0.input_offset(a.span.start),
            end: offsets.0.input_offset(a.span.end),
            entity: a.entity,
        });
        map.serialize_entry("attribution", &attribution)?;
        map.serialize_entry("score", &self.score)?;
        map.serialize_entry("cues", &self.cues)?;
        map.serialize_entry("entities", &self.entities)?;
        map.serialize_entry("money", &self.money)
    }
}

#[derive(Serialize)]
struct AttributionJson<'s> {
    speaker: &'s str,
    start: usize,
    end: usize,
    entity: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn offsets_point_into_the_input_and_amounts_stay_exact() {
        let input = "\u{feff}Paid $1.1B.".as_bytes();
        let decoded = Decoded::new(input).unwrap();
        let text = decoded.text();
        let span = Span::new(5, 10);
        let record = Record {
            source: Source::Path("a.txt".into()),
            decoded: &decoded,
            findings: Findings {
                money: vec![MoneyItem {
                    span,
                    text: span.of(text),
                    rule: "symbol-amount",
                    amount: Decimal::from_str("1.1").unwrap() * Decimal::from(1_000_000_000),
                    amount_max: None,
                    currency: Some("USD"),
                    qualifier: None,
                    per: None,
                }],
                ..Findings::default()
            },
            passthrough: Map::new(),
        };
        let mut out = Vec::new();
        record.write_json_line(&mut out);
        let line = String::from_utf8(out).unwrap();
        assert!(line.ends_with("}\n"));
        assert!(line.contains(r#""start":8,"end":13,"text":"$1.1B","rule":"symbol-amount","amount":1100000000,"amount_max":null,"currency":"USD""#), "{line}");
        let value: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(&input[8..13], b"$1.1B");
        assert_eq!(value["bytes"], 14);
    }

    #[test]
    fn passthrough_fields_never_shadow_record_fields() {
        let decoded = Decoded::from_text("x");
        let mut passthrough = Map::new();
        passthrough.insert("url".into(), Value::from("https://example.com"));
        passthrough.insert("money".into(), Value::from(5));
        passthrough.insert("input_money".into(), Value::from(6));
        let record = Record {
            source: Source::Id(Value::from(7)),
            decoded: &decoded,
            findings: Findings::default(),
            passthrough,
        };
        let mut out = Vec::new();
        record.write_json_line(&mut out);
        let value: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value["id"], 7);
        assert_eq!(value["money"], serde_json::json!([]));
        assert_eq!(value["input_input_money"], 5);
        assert_eq!(value["input_money"], 6);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches("\"input_money\"").count(), 1, "{text}");
        assert_eq!(value["url"], "https://example.com");
    }
}
