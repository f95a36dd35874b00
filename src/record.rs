#![doc = include_str!("../docs/record.md")]

use std::borrow::Cow;

use rust_decimal::Decimal;
use serde::Serialize;
use serde::ser::Serializer;
use serde_json::{Map, Value};

use crate::chars;
use crate::decode::Decoded;
use crate::span::Span;

/// Where a document came from: a path, or the `"id"` of a `--jsonl-in` line.
#[derive(Debug, Clone)]
pub enum Source {
    Path(String),
    Id(Value),
}

/// Declares a fieldless enum written into records as a JSON string, with `json()`: the string,
/// quotes included, as serde writes it, worked out once and then copied into a record in one
/// piece instead of going through a serializer.
macro_rules! json_enum {
    (
        $(#[$meta:meta])*
        pub enum $enum:ident { $($(#[$variant_meta:meta])* $variant:ident,)* }
    ) => {
        $(#[$meta])*
        pub enum $enum { $($(#[$variant_meta])* $variant,)* }

        impl $enum {
            /// Every value, in the order of the declaration.
            const ALL: &[$enum] = &[$($enum::$variant),*];

            fn json(self) -> &'static str {
                static NAMES: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
                    $enum::ALL.iter().map(|value| serde_json::to_string(value).expect("a unit value")).collect()
                });
                &NAMES[self as usize]
            }
        }
    };
}

json_enum! {
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
}

/// A line removed as boilerplate.
#[derive(Debug, Clone, PartialEq)]
pub struct BoilerplateItem<'a> {
    pub span: Span,
    pub text: &'a str,
    pub rule: &'a str,
    pub kind: BoilerplateKind,
}

json_enum! {
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

json_enum! {
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

json_enum! {
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

/// `"name":`, the name of an object's first field, after the brace that opens the object.
macro_rules! first {
    ($name:literal) => {
        concat!("{\"", $name, "\":")
    };
}

/// `,"name":`, the name of a field after the first, with the comma before it.
macro_rules! key {
    ($name:literal) => {
        concat!(",\"", $name, "\":")
    };
}

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
    /// (strings are scanned for bytes to escape sixteen at a time, field names written with
    /// their punctuation in one piece, numbers without a serializer state machine, and the
    /// buffer grown once, by `size_hint`, instead of a dozen times).
    pub fn write_json_line(&self, out: &mut Vec<u8>) {
        let (decoded, findings) = (self.decoded, &self.findings);
        out.reserve(self.size_hint());
        let mut record = match &self.source {
            Source::Path(path) => {
                let record = Object::open(out, first!("path"));
                write_str(record.out, path);
                record
            }
            Source::Id(id) => {
                let record = Object::open(out, first!("id"));
                write_serde(record.out, id);
                record
            }
        };
        write_str(record.field(key!("encoding")), &decoded.encoding_name());
        write_uint(record.field(key!("bytes")), decoded.input_len());
        write_opt_str(record.field(key!("title")), findings.title);
        write_items(record.field(key!("boilerplate")), &findings.boilerplate, decoded);
        write_items(record.field(key!("money")), &findings.money, decoded);
        write_items(record.field(key!("entities")), &findings.entities, decoded);
        write_items(record.field(key!("claims")), &findings.claims, decoded);
        for (name, value) in &self.passthrough {
            write_serde(record.input_field(&self.passthrough_name(name)), value);
        }
        record.close();
        out.push(b'\n');
    }

    /// About how long the record's line is: its texts, and what its fields add around them
    /// (a passed-through field's value is not counted). Close enough that the line is written
    /// into one allocation, and rarely twice as much as it takes.
    fn size_hint(&self) -> usize {
        fn items<T: Item>(items: &[T]) -> usize {
            items.iter().map(|item| T::OVERHEAD + item.text().len() + item.rule().len() + item.extra_len()).sum()
        }
        let (findings, path) = (
            &self.findings,
            match &self.source {
                Source::Path(path) => path.len(),
                Source::Id(_) => 0,
            },
        );
        RECORD_OVERHEAD
            + path
            + findings.title.map_or(0, str::len)
            + items(&findings.boilerplate)
            + items(&findings.money)
            + items(&findings.entities)
            + items(&findings.claims)
    }
}

/// What a record's own field names, punctuation, encoding and size take.
const RECORD_OVERHEAD: usize = 160;

/// The record as a JSON value, as it is written.
impl Serialize for Record<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut line = Vec::new();
        self.write_json_line(&mut line);
        let value: Value = serde_json::from_slice(&line).map_err(serde::ser::Error::custom)?;
        value.serialize(serializer)
    }
}

/// A JSON object being written, its field names given with their punctuation ([`first!`],
/// [`key!`]): each is one copy of a string known when compiling.
struct Object<'o> {
    out: &'o mut Vec<u8>,
}

impl<'o> Object<'o> {
    /// Opens an object with the name of its first field, `first!("name")`; its value is to be
    /// written next, into `out`.
    fn open(out: &'o mut Vec<u8>, first: &'static str) -> Object<'o> {
        debug_assert!(first.starts_with('{') && !needs_escape_bytes(&first.as_bytes()[2..first.len() - 2]));
        out.extend_from_slice(first.as_bytes());
        Object { out }
    }

    /// Writes the name of one of the record's own fields after the first, `key!("name")`;
    /// its value is to be written next, into the buffer returned.
    fn field(&mut self, key: &'static str) -> &mut Vec<u8> {
        debug_assert!(key.starts_with(',') && !needs_escape_bytes(&key.as_bytes()[2..key.len() - 2]));
        self.out.extend_from_slice(key.as_bytes());
        self.out
    }

    /// Writes a field name that comes from the input, escaped, after the first field.
    fn input_field(&mut self, name: &str) -> &mut Vec<u8> {
        self.out.push(b',');
        write_str(self.out, name);
        self.out.push(b':');
        self.out
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

/// Whether `byte` must be escaped in a JSON string: a control character, a quote or a
/// backslash. Bytes of multi-byte characters never are.
fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// Whether any byte of `bytes` must be escaped in a JSON string.
fn needs_escape_bytes(bytes: &[u8]) -> bool {
    bytes.iter().any(|&byte| needs_escape(byte))
}

/// The bytes of `chunk` that must be escaped, as a mask: bit `i` for `chunk[i]`. On x86-64 one
/// SSE2 comparison of all sixteen bytes at once, elsewhere byte by byte.
#[cfg(target_arch = "x86_64")]
fn escapes_in(chunk: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of every x86-64 processor (the baseline the target is compiled for),
    // and the unaligned load reads the sixteen bytes of `chunk`, no more.
    unsafe {
        let bytes = _mm_loadu_si128(chunk.as_ptr().cast());
        // A byte is a control character when the smaller of it and 0x1f is itself.
        let control = _mm_cmpeq_epi8(_mm_min_epu8(bytes, _mm_set1_epi8(0x1f)), bytes);
        let quote = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b'"' as i8));
        let backslash = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b'\\' as i8));
        _mm_movemask_epi8(_mm_or_si128(control, _mm_or_si128(quote, backslash))) as u32
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn escapes_in(chunk: &[u8; 16]) -> u32 {
    (0..16).filter(|&index| needs_escape(chunk[index])).fold(0, |mask, index| mask | 1 << index)
}

/// Copies the bytes at the start of `bytes` that need no escaping to the end of `out`, and
/// returns how many there are. The text is read sixteen bytes at a time, and each chunk is
/// stored whole in the room the buffer has past its length, which then moves past the clean
/// bytes only: a text with nothing to escape, nearly every text, is written without a `memcpy`
/// call, and without copying its last few bytes into a padded chunk to be read. The chunks are
/// read and stored through pointers: this runs for every string of every record, and the
/// bounds checks of slices and the steps of the loop were about half of its instructions.
fn copy_clean_prefix(out: &mut Vec<u8>, bytes: &[u8]) -> usize {
    let len = bytes.len();
    out.reserve(len + 16);
    let (src, dst) = (bytes.as_ptr(), out.spare_capacity_mut().as_mut_ptr().cast::<u8>());
    // Copies the sixteen bytes of the text from `at` to the same place in the room, and says
    // which of them must be escaped.
    let copy = |at: usize| {
        assert!(at + 16 <= len);
        // SAFETY: the sixteen bytes read are inside `bytes` (asserted), and those stored inside
        // the `len + 16` bytes of room reserved past the buffer's length.
        let chunk = unsafe { src.add(at).cast::<[u8; 16]>().read_unaligned() };
        unsafe { dst.add(at).cast::<[u8; 16]>().write_unaligned(chunk) };
        escapes_in(&chunk)
    };
    let clean = if len >= 16 {
        let mut at = 0;
        loop {
            if at + 16 > len {
                // The sixteen bytes that end the text, of which those before `at` are clean and
                // copied already: they are stored again, unchanged.
                let last = len - 16;
                break match copy(last) >> (at - last) {
                    0 => len,
                    mask => at + mask.trailing_zeros() as usize,
                };
            }
            match copy(at) {
                0 => at += 16,
                mask => break at + mask.trailing_zeros() as usize,
            }
        }
    } else {
        // Padded with spaces, which need no escaping.
        let chunk = chars::sixteen_at(bytes, 0, b' ');
        // SAFETY: the room reserved past the length holds at least sixteen bytes.
        unsafe { dst.cast::<[u8; 16]>().write_unaligned(chunk) };
        (escapes_in(&chunk).trailing_zeros() as usize).min(len)
    };
    // SAFETY: the stores above wrote every byte of the room up to `clean`: whole chunks from its
    // start, and when the text ends in a part chunk, the sixteen bytes up to its end (or, for a
    // text of fewer than sixteen bytes, the sixteen from its start).
    unsafe { out.set_len(out.len() + clean) };
    clean
}

/// Writes `text` as a JSON string, escaped as serde_json escapes it: quote, backslash and
/// control characters only, with the short forms where JSON has them.
fn write_str(out: &mut Vec<u8>, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut rest = text.as_bytes();
    out.push(b'"');
    loop {
        let clean = copy_clean_prefix(out, rest);
        let Some((&byte, after)) = rest[clean..].split_first() else { break };
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0xf)],
            ]),
        }
        rest = after;
    }
    out.push(b'"');
}

/// An item that knows how to write its own fields after the shared ones.
trait Item {
    /// About what an item's field names, numbers and fixed-size values take (see
    /// [`Record::size_hint`]).
    const OVERHEAD: usize;
    fn span(&self) -> Span;
    fn text(&self) -> &str;
    fn rule(&self) -> &str;
    /// The length of the item's own texts, beyond its `text` and `rule`.
    fn extra_len(&self) -> usize;
    fn write_fields(&self, item: &mut Object, decoded: &Decoded);
}

/// The items as an array of objects, their spans translated to input offsets.
fn write_items<T: Item>(out: &mut Vec<u8>, items: &[T], decoded: &Decoded) {
    write_array(out, items, |out, item| {
        let mut object = Object::open(out, first!("start"));
        write_uint(object.out, decoded.input_offset(item.span().start));
        write_uint(object.field(key!("end")), decoded.input_offset(item.span().end));
        write_str(object.field(key!("text")), item.text());
        write_str(object.field(key!("rule")), item.rule());
        item.write_fields(&mut object, decoded);
        object.close();
    });
}

/// An exact decimal as a JSON number: its digits as written, trailing zeros dropped.
fn write_decimal(out: &mut Vec<u8>, value: Decimal) {
    use std::io::Write;
    write!(out, "{}", value.normalize()).expect("writing to memory cannot fail");
}

/// A claim's score as serde_json writes an `f32`. The claims stage rounds scores to thousandths,
/// and serde_json's float formatting was a fifth of writing a claim's fields: a value that is
/// the `f32` nearest some thousandths strictly between 0 and 1 is written from them, as `0.` and
/// one to three digits, the shortest decimal that reads back as that value; any other value
/// goes through serde_json.
fn write_score(out: &mut Vec<u8>, score: f32) {
    let thousandths = (score * 1000.0).round();
    if (1.0..1000.0).contains(&thousandths) && thousandths / 1000.0 == score {
        let digits = thousandths as u32;
        let digits = [b'0' + (digits / 100) as u8, b'0' + (digits / 10 % 10) as u8, b'0' + (digits % 10) as u8];
        let used = 3 - digits.iter().rev().take_while(|&&digit| digit == b'0').count();
        out.extend_from_slice(b"0.");
        out.extend_from_slice(&digits[..used]);
    } else {
        write_serde(out, &score);
    }
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

/// The length of `texts` written as the strings of an array.
fn array_len(texts: &[&str]) -> usize {
    texts.iter().map(|text| text.len() + 3).sum()
}

impl Item for BoilerplateItem<'_> {
    const OVERHEAD: usize = 96;
    item_basics!();
    fn extra_len(&self) -> usize {
        0
    }
    fn write_fields(&self, item: &mut Object, _: &Decoded) {
        item.field(key!("kind")).extend_from_slice(self.kind.json().as_bytes());
    }
}

impl Item for MoneyItem<'_> {
    const OVERHEAD: usize = 192;
    item_basics!();
    fn extra_len(&self) -> usize {
        self.per.map_or(0, str::len)
    }
    fn write_fields(&self, item: &mut Object, _: &Decoded) {
        write_decimal(item.field(key!("amount")), self.amount);
        match self.amount_max {
            Some(max) => write_decimal(item.field(key!("amount_max")), max),
            None => item.field(key!("amount_max")).extend_from_slice(b"null"),
        }
        write_opt_str(item.field(key!("currency")), self.currency);
        match self.qualifier {
            Some(qualifier) => item.field(key!("qualifier")).extend_from_slice(qualifier.json().as_bytes()),
            None => item.field(key!("qualifier")).extend_from_slice(b"null"),
        }
        write_opt_str(item.field(key!("per")), self.per);
    }
}

impl Item for EntityItem<'_> {
    const OVERHEAD: usize = 96;
    item_basics!();
    fn extra_len(&self) -> usize {
        self.canonical.len()
    }
    fn write_fields(&self, item: &mut Object, _: &Decoded) {
        item.field(key!("type")).extend_from_slice(self.entity_type.json().as_bytes());
        write_str(item.field(key!("canonical")), &self.canonical);
    }
}

impl Item for ClaimItem<'_> {
    const OVERHEAD: usize = 192;
    item_basics!();
    fn extra_len(&self) -> usize {
        let attribution = self.attribution.as_ref().map_or(0, |attribution| attribution.speaker.len() + 64);
        let indices = (self.entities.len() + self.money.len()) * 6;
        self.kinds.len() * 16 + array_len(&self.hedges) + array_len(&self.cues) + attribution + indices
    }
    fn write_fields(&self, item: &mut Object, decoded: &Decoded) {
        write_array(item.field(key!("kinds")), &self.kinds, |out, kind| out.extend_from_slice(kind.json().as_bytes()));
        write_array(item.field(key!("hedges")), &self.hedges, |out, hedge| write_str(out, hedge));
        match &self.attribution {
            Some(attribution) => {
                let mut object = Object::open(item.field(key!("attribution")), first!("speaker"));
                write_str(object.out, &attribution.speaker);
                write_uint(object.field(key!("start")), decoded.input_offset(attribution.span.start));
                write_uint(object.field(key!("end")), decoded.input_offset(attribution.span.end));
                match attribution.entity {
                    Some(entity) => write_uint(object.field(key!("entity")), entity),
                    None => object.field(key!("entity")).extend_from_slice(b"null"),
                }
                object.close();
            }
            None => item.field(key!("attribution")).extend_from_slice(b"null"),
        }
        write_score(item.field(key!("score")), self.score);
        write_array(item.field(key!("cues")), &self.cues, |out, cue| write_str(out, cue));
        write_array(item.field(key!("entities")), &self.entities, |out, &index| write_uint(out, index));
        write_array(item.field(key!("money")), &self.money, |out, &index| write_uint(out, index));
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

        /// Texts of every length up to forty with a few bytes to escape anywhere, after what a
        /// record holds already: the chunk reads overlap in all the ways they can.
        #[test]
        fn escapes_are_found_at_every_length(
            before in "[a-z]{0,3}",
            text in "[a-z é]{0,20}[a\"\\\\\n\u{1}\u{1f}\u{7f} é]{0,3}[a-z é]{0,20}",
        ) {
            let mut out = before.clone().into_bytes();
            write_str(&mut out, &text);
            let expected = before + &serde_json::to_string(&text).unwrap();
            proptest::prop_assert_eq!(String::from_utf8(out).unwrap(), expected);
        }
    }

    #[test]
    fn enum_values_are_written_as_serde_json_writes_them() {
        fn check<T: Serialize + std::fmt::Debug>(values: &[T], json: impl Fn(&T) -> &'static str) {
            for value in values {
                assert_eq!(json(value), serde_json::to_string(value).unwrap(), "{value:?}");
            }
        }
        check(BoilerplateKind::ALL, |kind| kind.json());
        check(Qualifier::ALL, |qualifier| qualifier.json());
        check(EntityType::ALL, |entity_type| entity_type.json());
        check(ClaimKind::ALL, |kind| kind.json());
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
    fn scores_are_written_as_serde_json_writes_them() {
        let thousandths = (0..=1000).map(|thousandths| thousandths as f32 / 1000.0);
        let others = [0.0005, 0.1234, 1.5, -0.5, 1e-7, f32::NAN, f32::INFINITY];
        for score in thousandths.chain(others) {
            let mut out = Vec::new();
            write_score(&mut out, score);
            assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&score).unwrap(), "{score}");
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
