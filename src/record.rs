#![doc = include_str!("../docs/record.md")]

use std::borrow::Cow;

use rust_decimal::Decimal;
use serde::Serialize;
use serde::ser::Serializer;
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

    /// Appends the record as one line of JSON (with its newline) to `out`, written straight into
    /// the buffer: the same bytes serde_json's compact form gives, at a fraction of the cost
    /// (strings are scanned for bytes to escape eight at a time, numbers and fields written
    /// without a serializer state machine).
    pub fn write_json_line(&self, out: &mut Vec<u8>) {
        let (decoded, findings) = (self.decoded, &self.findings);
        let mut record = Object::open(out);
        match &self.source {
            Source::Path(path) => write_str(record.field("path"), path),
            Source::Id(id) => write_serde(record.field("id"), id),
        }
        write_str(record.field("encoding"), &decoded.encoding_name());
        write_uint(record.field("bytes"), decoded.input_len());
        write_opt_str(record.field("title"), findings.title);
        write_items(record.field("boilerplate"), &findings.boilerplate, decoded);
        write_items(record.field("money"), &findings.money, decoded);
        write_items(record.field("entities"), &findings.entities, decoded);
        write_items(record.field("claims"), &findings.claims, decoded);
        for (name, value) in &self.passthrough {
            write_serde(record.input_field(&self.passthrough_name(name)), value);
        }
        record.close();
        out.push(b'\n');
    }
}

/// The record as a JSON value, as it is written.
impl Serialize for Record<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut line = Vec::new();
        self.write_json_line(&mut line);
        let value: Value = serde_json::from_slice(&line).map_err(serde::ser::Error::custom)?;
        value.serialize(serializer)
    }
}

/// A JSON object being written: fields after the first are preceded by a comma.
struct Object<'o> {
    out: &'o mut Vec<u8>,
    empty: bool,
}

impl<'o> Object<'o> {
    fn open(out: &'o mut Vec<u8>) -> Object<'o> {
        out.push(b'{');
        Object { out, empty: true }
    }

    /// Writes the name of one of the record's own fields, which needs no escaping; its value is
    /// to be written next, into the buffer returned.
    fn field(&mut self, name: &'static str) -> &mut Vec<u8> {
        debug_assert!(!needs_escape_bytes(name.as_bytes()), "{name:?}");
        self.separate();
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\":");
        self.out
    }

    /// Writes a field name that comes from the input, escaped (see [`Object::field`]).
    fn input_field(&mut self, name: &str) -> &mut Vec<u8> {
        self.separate();
        write_str(self.out, name);
        self.out.push(b':');
        self.out
    }

    fn separate(&mut self) {
        if !std::mem::replace(&mut self.empty, false) {
            self.out.push(b',');
        }
    }

    fn close(self) {
        self.out.push(b'}');
    }
}

/// Values with no hand-written form (enums, floats, passed-through JSON): serde_json's.
fn write_serde<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    serde_json::to_writer(out, value).expect("writing JSON to memory cannot fail");
}

fn write_uint(out: &mut Vec<u8>, value: usize) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

fn write_opt_str(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        Some(text) => write_str(out, text),
        None => out.extend_from_slice(b"null"),
    }
}

fn write_array<T>(out: &mut Vec<u8>, values: &[T], mut write: impl FnMut(&mut Vec<u8>, &T)) {
    out.push(b'[');
    for (index, value) in values.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        write(out, value);
    }
    out.push(b']');
}

/// Whether any of the eight bytes in `word` must be escaped in a JSON string: a control
/// character, a quote or a backslash. Bytes of multi-byte characters never are.
fn needs_escape(word: u64) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    // A byte below 0x20 (false alarms are possible only next to a true one, and only a closer
    // look at the word follows).
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    control | zero_byte(word ^ (ONES * u64::from(b'"'))) | zero_byte(word ^ (ONES * u64::from(b'\\'))) != 0
}

/// Whether any byte of `bytes` must be escaped in a JSON string.
fn needs_escape_bytes(bytes: &[u8]) -> bool {
    bytes.iter().any(|&byte| byte < 0x20 || byte == b'"' || byte == b'\\')
}

/// Writes `text` as a JSON string, escaped as serde_json escapes it: quote, backslash and
/// control characters only, with the short forms where JSON has them.
fn write_str(out: &mut Vec<u8>, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let (mut clean, mut at) = (0, 0);
    let mut unicode = *b"\\u0000";
    while at < bytes.len() {
        if let Some(word) = bytes.get(at..at + 8)
            && !needs_escape(u64::from_ne_bytes(word.try_into().expect("eight bytes")))
        {
            at += 8;
            continue;
        }
        let end = bytes.len().min(at + 8);
        for index in at..end {
            let byte = bytes[index];
            let escape: &[u8] = match byte {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                0..0x20 => {
                    unicode[4..].copy_from_slice(&[HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 0xf)]]);
                    &unicode
                }
                _ => continue,
            };
            out.extend_from_slice(&bytes[clean..index]);
            out.extend_from_slice(escape);
            clean = index + 1;
        }
        at = end;
    }
    out.extend_from_slice(&bytes[clean..]);
    out.push(b'"');
}

/// An item that knows how to write its own fields after the shared ones.
trait Item {
    fn span(&self) -> Span;
    fn text(&self) -> &str;
    fn rule(&self) -> &str;
    fn write_fields(&self, item: &mut Object, decoded: &Decoded);
}

/// The items as an array of objects, their spans translated to input offsets.
fn write_items<T: Item>(out: &mut Vec<u8>, items: &[T], decoded: &Decoded) {
    write_array(out, items, |out, item| {
        let mut object = Object::open(out);
        write_uint(object.field("start"), decoded.input_offset(item.span().start));
        write_uint(object.field("end"), decoded.input_offset(item.span().end));
        write_str(object.field("text"), item.text());
        write_str(object.field("rule"), item.rule());
        item.write_fields(&mut object, decoded);
        object.close();
    });
}

/// An exact decimal as a JSON number: its digits as written, trailing zeros dropped.
fn write_decimal(out: &mut Vec<u8>, value: Decimal) {
    use std::io::Write;
    write!(out, "{}", value.normalize()).expect("writing to memory cannot fail");
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
    fn write_fields(&self, item: &mut Object, _: &Decoded) {
        write_serde(item.field("kind"), &self.kind);
    }
}

impl Item for MoneyItem<'_> {
    item_basics!();
    fn write_fields(&self, item: &mut Object, _: &Decoded) {
        write_decimal(item.field("amount"), self.amount);
        match self.amount_max {
            Some(max) => write_decimal(item.field("amount_max"), max),
            None => item.field("amount_max").extend_from_slice(b"null"),
        }
        write_opt_str(item.field("currency"), self.currency);
        write_serde(item.field("qualifier"), &self.qualifier);
        write_opt_str(item.field("per"), self.per);
    }
}

impl Item for EntityItem<'_> {
    item_basics!();
    fn write_fields(&self, item: &mut Object, _: &Decoded) {
        write_serde(item.field("type"), &self.entity_type);
        write_str(item.field("canonical"), &self.canonical);
    }
}

impl Item for ClaimItem<'_> {
    item_basics!();
    fn write_fields(&self, item: &mut Object, decoded: &Decoded) {
        write_serde(item.field("kinds"), &self.kinds);
        write_array(item.field("hedges"), &self.hedges, |out, hedge| write_str(out, hedge));
        match &self.attribution {
            Some(attribution) => {
                let mut object = Object::open(item.field("attribution"));
                write_str(object.field("speaker"), &attribution.speaker);
                write_uint(object.field("start"), decoded.input_offset(attribution.span.start));
                write_uint(object.field("end"), decoded.input_offset(attribution.span.end));
                match attribution.entity {
                    Some(entity) => write_uint(object.field("entity"), entity),
                    None => object.field("entity").extend_from_slice(b"null"),
                }
                object.close();
            }
            None => item.field("attribution").extend_from_slice(b"null"),
        }
        write_serde(item.field("score"), &self.score);
        write_array(item.field("cues"), &self.cues, |out, cue| write_str(out, cue));
        write_array(item.field("entities"), &self.entities, |out, &index| write_uint(out, index));
        write_array(item.field("money"), &self.money, |out, &index| write_uint(out, index));
    }
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
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut samples: Vec<String> = (0u8..0x80).map(|byte| format!("ab{}cdefghij", byte as char)).collect();
        samples
            .extend(["", "\"", "\\\\", "«quoted» \u{7f} text\r\n", "12345678\u{1}", "1234567\u{1}9"].map(String::from));
        for text in samples {
            let mut out = Vec::new();
            write_str(&mut out, &text);
            assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&text).unwrap(), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_string_is_escaped_as_serde_json_escapes_it(text in "(?s).{0,40}") {
            let mut out = Vec::new();
            write_str(&mut out, &text);
            proptest::prop_assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&text).unwrap());
        }
    }

    #[test]
    fn numbers_are_written_as_serde_json_writes_them() {
        for value in [0, 7, 10, 99, 1234567890, usize::MAX] {
            let mut out = Vec::new();
            write_uint(&mut out, value);
            assert_eq!(out, serde_json::to_vec(&value).unwrap());
        }
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
