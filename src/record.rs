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
/// quotes included, as serde writes it, worked out once (a [`Padded`]) and then copied into a
/// record in one piece instead of going through a serializer.
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

            fn json(self) -> &'static Padded {
                static NAMES: std::sync::LazyLock<Vec<Padded>> = std::sync::LazyLock::new(|| {
                    $enum::ALL.iter().map(|value| Padded::new(&serde_json::to_string(value).expect("a unit value"))).collect()
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

/// `,"name":"`, the name of a field after the first that holds a string, with the string's
/// opening quote (see [`Room::put_escaped`]).
macro_rules! opening {
    ($name:literal) => {
        concat!(key!($name), "\"")
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
    /// their punctuation in one piece, numbers without a serializer state machine, small
    /// appends into a [`Room`] reserved for several of them, and the buffer grown once, by
    /// `size_hint`, instead of a dozen times).
    pub fn write_json_line(&self, out: &mut Vec<u8>) {
        let (decoded, findings) = (self.decoded, &self.findings);
        out.reserve(self.size_hint());
        match &self.source {
            Source::Path(path) => write_str_after(out, first!("path"), path),
            Source::Id(id) => {
                out.extend_from_slice(first!("id").as_bytes());
                write_serde(out, id);
            }
        }
        write_str_after(out, key!("encoding"), &decoded.encoding_name());
        let mut room = Room::new(out, key!("bytes").len() + UINT_ROOM);
        room.part(key!("bytes").len() + UINT_ROOM, |part| {
            part.put(key!("bytes"));
            part.put_uint(decoded.input_len());
        });
        let out = room.done();
        write_opt_str(out, key!("title"), findings.title);
        write_items(out, key!("boilerplate"), &findings.boilerplate, decoded);
        write_items(out, key!("money"), &findings.money, decoded);
        write_items(out, key!("entities"), &findings.entities, decoded);
        write_items(out, key!("claims"), &findings.claims, decoded);
        for (name, value) in &self.passthrough {
            write_str_after(out, ",", &self.passthrough_name(name));
            out.push(b':');
            write_serde(out, value);
        }
        out.extend_from_slice(b"}\n");
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

/// Room reserved at the end of a record's buffer, written through a pointer and handed back to
/// the buffer by [`Room::done`]. A record is written in a great many small appends (field
/// names, punctuation, numbers, names of kinds); through `Vec` each of them checked the
/// capacity, and the compiler had to load the buffer's length and pointer again after every
/// byte stored (a byte store may change anything). Here an item's fixed parts take one
/// reservation, and what is left of it is a [`Part`] that stays in registers. The appends of
/// a known most length that come one after the other between strings are put into a part of
/// their own (see [`Room::part`]), which is checked against the room once for all of them.
/// A room dropped without `done` (after a panic) leaves the buffer as it was.
struct Room<'o> {
    out: &'o mut Vec<u8>,
    /// The room, from the buffer's first byte past its length.
    free: Part,
    /// The buffer's spare capacity from where the room starts, at least the room's size: what
    /// the room may grow into (see [`Room::put_escaped`]).
    spare: usize,
}

/// Bytes of a buffer's spare capacity, written through a pointer: `size` of them from `start`,
/// reserved and borrowed by the part alone, of which the first `used` are written. Each
/// append is checked against what is left; in a part of a size known when compiling, filled by
/// appends whose lengths have known bounds, the compiler proves the checks and drops them.
struct Part {
    start: *mut u8,
    used: usize,
    size: usize,
}

impl<'o> Room<'o> {
    #[inline]
    fn new(out: &'o mut Vec<u8>, size: usize) -> Room<'o> {
        out.reserve(size);
        let (start, spare) = spare_of(out);
        Room { out, free: Part { start, used: 0, size }, spare }
    }

    #[inline]
    fn put(&mut self, bytes: impl AsRef<[u8]>) {
        self.free.put(bytes);
    }

    /// Lets `write` put into the next `size` bytes of the room, checked to be there once: with a
    /// `size` known when compiling, the puts of `write` are proven to fit in it, and go
    /// unchecked. A part cannot take a [`Room::detour`]: nothing that may escape goes into one.
    #[inline(always)]
    fn part(&mut self, size: usize, write: impl FnOnce(&mut Part)) {
        let mut part = Part { start: self.free.next(size), used: 0, size };
        write(&mut part);
        self.free.used += part.used;
    }

    /// Puts `values` as the elements of a JSON array (without its brackets, which go with the
    /// punctuation around them), each in a part of `value_room` bytes and the comma before it.
    #[inline]
    fn put_elements<T>(&mut self, values: &[T], value_room: usize, put_value: impl Fn(&mut Part, &T)) {
        for (index, value) in values.iter().enumerate() {
            self.part(1 + value_room, |part| {
                if index > 0 {
                    part.put(b",");
                }
                put_value(part, value);
            });
        }
    }

    /// Puts `texts` as the strings of a JSON array, without its brackets: the quotes between two
    /// strings and the comma that parts them in one append.
    #[inline(always)]
    fn put_str_elements(&mut self, texts: &[&str]) {
        for (index, text) in texts.iter().enumerate() {
            self.put(if index == 0 { "\"" } else { "\",\"" });
            self.put_escaped(text);
        }
        if !texts.is_empty() {
            self.put(b"\"");
        }
    }

    /// Puts `text` as a JSON string, escaped as serde_json escapes it. The room must hold
    /// [`STR_ROOM`] bytes more than the text; what it held beyond that is left for what comes
    /// next, so strings written one after the other share one reservation and one sixteen
    /// bytes of slack.
    #[inline(always)]
    fn put_str(&mut self, text: &str) {
        self.put(b"\"");
        self.put_escaped(text);
        self.put(b"\"");
    }

    /// Puts the bytes of `text`, escaped as serde_json escapes them in a string, without the
    /// quotes: those go with the punctuation before and after it, in one append each. The room
    /// must hold sixteen bytes more than the text. Inlined into each caller: as a call, with the
    /// room passed through memory, its entry and exit took about fifteen instructions of the
    /// hundred a string takes.
    #[inline(always)]
    fn put_escaped(&mut self, text: &str) {
        let mut rest = text.as_bytes();
        loop {
            let clean = self.free.put_clean_prefix(rest);
            let Some((&byte, after)) = rest[clean..].split_first() else { break };
            rest = after;
            let escape = &ESCAPES[usize::from(byte)];
            let len = usize::from(escape[ESCAPE_LEN]);
            // An escape is up to five bytes longer than the byte: the room grows by that much
            // into the buffer's spare capacity, which the record's reservation nearly always
            // leaves (a quote in a boilerplate line is common, and a detour cost a hundred
            // instructions). The room then still holds the rest of the text and its slack.
            if self.free.size + ESCAPE_GROWTH <= self.spare {
                self.free.size += ESCAPE_GROWTH;
                self.free.put_first(escape, len);
            } else {
                self.detour(|out| out.extend_from_slice(&escape[..len]));
            }
        }
    }

    /// A claim's score (see [`short_score`]) in the five bytes the room holds for it, or, for a
    /// value with no short form, through serde_json.
    #[inline]
    fn put_score(&mut self, score: f32) {
        match short_score(score) {
            Some((digits, used)) => self.free.put_first(&digits, used),
            None => self.detour(|out| write_serde(out, &score)),
        }
    }

    /// Hands what is written to the buffer, lets `write` append to it directly, and reserves
    /// the room that was left again: for what is rare (an escape, an unusual number) and too
    /// long to reserve for everywhere. The work is done out of line on the room's fields, so
    /// that the room itself never has its address taken and stays in registers.
    #[inline(always)]
    fn detour(&mut self, write: impl FnOnce(&mut Vec<u8>)) {
        let left = self.free.size - self.free.used;
        let (start, spare) = reopen(&mut *self.out, self.free.used, left, write);
        (self.free, self.spare) = (Part { start, used: 0, size: left }, spare);
    }

    /// Hands the room back: the buffer's length moves past what was written into it.
    #[inline]
    fn done(self) -> &'o mut Vec<u8> {
        // SAFETY: every append wrote the bytes it counted in `used`, inside the spare capacity.
        unsafe { self.out.set_len(self.out.len() + self.free.used) };
        self.out
    }
}

impl Part {
    /// Where the next byte goes, once `len` bytes are known to fit in what is left of the part.
    #[inline]
    fn next(&mut self, len: usize) -> *mut u8 {
        assert!(len <= self.size - self.used, "a record's room holds what is written into it");
        // SAFETY: `used` is at most `size`, and the part has `size` bytes of spare capacity
        // from `start`.
        unsafe { self.start.add(self.used) }
    }

    #[inline]
    fn put(&mut self, bytes: impl AsRef<[u8]>) {
        let bytes = bytes.as_ref();
        let to = self.next(bytes.len());
        // SAFETY: `next` checked that the bytes fit in the part, and they cannot overlap it: the
        // part is the buffer's spare capacity, and the buffer is borrowed by the part alone.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), to, bytes.len()) };
        self.used += bytes.len();
    }

    /// Stores the whole of `bytes`, a copy of a length known when compiling (no `memcpy`
    /// call), and keeps its first `len`: the rest is overwritten by what comes next.
    #[inline]
    fn put_first<const N: usize>(&mut self, bytes: &[u8; N], len: usize) {
        assert!(len <= N);
        let to = self.next(N);
        // SAFETY: `next` checked that the `N` bytes fit in the part.
        unsafe { to.cast::<[u8; N]>().write_unaligned(*bytes) };
        self.used += len;
    }

    #[inline]
    fn put_padded(&mut self, padded: &Padded) {
        self.put_first(&padded.bytes, padded.len);
    }

    /// Writes `value` in decimal, as serde_json writes it. Below ten thousand (most offsets:
    /// most pages are a few kilobytes) its two pairs of digits are read from a table, the
    /// leading zeros shifted out by a count of three comparisons, and the word stored whole.
    /// Below a hundred million (every offset of a document under 100 MB) its eight digits,
    /// leading zeros included, are put together in a word (see [`eight_digits`]), the zeros are
    /// shifted out, and the word is stored whole: no `memcpy` call. Larger values go through
    /// `itoa`.
    #[inline(always)]
    fn put_uint(&mut self, value: usize) {
        if value < 10_000 {
            let [first, second] = DIGIT_PAIRS[value / 100];
            let [third, fourth] = DIGIT_PAIRS[value % 100];
            let digits = u32::from_le_bytes([first, second, third, fourth]);
            let len = 1 + usize::from(value >= 10) + usize::from(value >= 100) + usize::from(value >= 1000);
            self.put_first(&(digits >> (8 * (4 - len))).to_le_bytes(), len);
            return;
        }
        if value >= 100_000_000 {
            // Stored as a padded copy, as the others are, so that the length a part holds for a
            // number is bound by its width whichever way the number goes.
            let mut buffer = itoa::Buffer::new();
            let text = buffer.format(value).as_bytes();
            let mut digits = [0; UINT_ROOM];
            digits[..text.len()].copy_from_slice(text);
            self.put_first(&digits, text.len());
            return;
        }
        let digits = eight_digits(value as u32);
        // The first digit is the lowest byte; the leading zeros are the low bytes that are 0
        // (all but the last for zero itself).
        let zeros = (digits.trailing_zeros() / 8).min(7);
        let text = digits | u64::from_le_bytes([b'0'; 8]);
        self.put_first(&(text >> (8 * zeros)).to_le_bytes(), 8 - zeros as usize);
    }

    /// Writes `first`, `between` (punctuation) and `second`, as [`Part::put_uint`] writes each:
    /// the offsets of a span. When both are below ten thousand (most offsets) their digits are
    /// worked out together, one number in each half of a word (see [`four_digits_twice`]), and
    /// each half is stored whole with its leading zeros shifted out: half the arithmetic of two
    /// `put_uint`, and no table.
    #[inline(always)]
    fn put_uint_pair(&mut self, first: usize, between: &str, second: usize) {
        if first >= 10_000 || second >= 10_000 {
            self.put_uint(first);
            self.put(between);
            self.put_uint(second);
            return;
        }
        let digits = four_digits_twice(first as u32, second as u32);
        self.put_four_digits(digits as u32);
        self.put(between);
        self.put_four_digits((digits >> 32) as u32);
    }

    /// Writes a number from its four digits (see [`four_digits_twice`]), without its leading
    /// zeros: as in `put_uint`, the low bytes that are 0 (all but the last for zero itself).
    #[inline(always)]
    fn put_four_digits(&mut self, digits: u32) {
        let zeros = (digits.trailing_zeros() / 8).min(3);
        let text = digits | u32::from_le_bytes([b'0'; 4]);
        self.put_first(&(text >> (8 * zeros)).to_le_bytes(), 4 - zeros as usize);
    }

    /// Copies the bytes at the start of `bytes` that need no escaping into the part, and
    /// returns how many there are. The text is read sixteen bytes at a time, and each chunk is
    /// stored whole in the part, which then moves past the clean bytes only: a text with
    /// nothing to escape, nearly every text, is written without a `memcpy` call, and without
    /// copying its last few bytes into a padded chunk to be read. The part must hold sixteen
    /// bytes more than the text.
    fn put_clean_prefix(&mut self, bytes: &[u8]) -> usize {
        let len = bytes.len();
        let (src, dst) = (bytes.as_ptr(), self.next(len + 16));
        // Copies the sixteen bytes of the text from `at` to the same place in the room, and says
        // which of them must be escaped.
        let copy = |at: usize| {
            assert!(at + 16 <= len);
            // SAFETY: the sixteen bytes read are inside `bytes` (asserted), and those stored
            // inside the `len + 16` bytes of room `next` found.
            let chunk = unsafe { src.add(at).cast::<[u8; 16]>().read_unaligned() };
            unsafe { dst.add(at).cast::<[u8; 16]>().write_unaligned(chunk) };
            escapes_in(&chunk)
        };
        let clean = if len >= 16 {
            let mut at = 0;
            loop {
                // The last sixteen bytes always go this way, never through a whole chunk of
                // their own: a text of a multiple of sixteen bytes (many rule names) is read
                // once, not with its last chunk read again.
                if at + 16 >= len {
                    // The sixteen bytes that end the text (at least one of them past `at`), of
                    // which those before `at` are clean and copied already: they are stored
                    // again, unchanged.
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
            // SAFETY: `next` found at least sixteen bytes of room.
            unsafe { dst.cast::<[u8; 16]>().write_unaligned(chunk) };
            (escapes_in(&chunk).trailing_zeros() as usize).min(len)
        };
        // The stores above wrote every byte of the room up to `clean`: whole chunks from its
        // start, and when the text ends in a part chunk, the sixteen bytes up to its end (or,
        // for a text of fewer than sixteen bytes, the sixteen from its start).
        self.used += clean;
        clean
    }
}

/// [`Room::detour`] out of line: moves the buffer's length past the `used` bytes written into
/// its spare capacity, lets `write` append, reserves `left` bytes, and says where they start
/// and how much spare capacity there is (see [`spare_of`]).
#[cold]
#[inline(never)]
fn reopen(out: &mut Vec<u8>, used: usize, left: usize, write: impl FnOnce(&mut Vec<u8>)) -> (*mut u8, usize) {
    // SAFETY: every append to a room wrote the bytes it counted in `used`, inside the spare
    // capacity.
    unsafe { out.set_len(out.len() + used) };
    write(out);
    out.reserve(left);
    spare_of(out)
}

/// Where the spare capacity of `out` starts, and how many bytes it holds.
#[inline]
fn spare_of(out: &mut Vec<u8>) -> (*mut u8, usize) {
    let spare = out.spare_capacity_mut();
    (spare.as_mut_ptr().cast::<u8>(), spare.len())
}

/// The room a number takes: the digits of the largest `u64`.
const UINT_ROOM: usize = 20;

/// The two decimal digits of each number below a hundred, in ASCII.
static DIGIT_PAIRS: [[u8; 2]; 100] = {
    let mut pairs = [[0; 2]; 100];
    let mut pair = 0;
    while pair < 100 {
        pairs[pair] = [b'0' + (pair / 10) as u8, b'0' + (pair % 10) as u8];
        pair += 1;
    }
    pairs
};

/// The eight decimal digits of `value` (below a hundred million, leading zeros included) as the
/// bytes of a little-endian word, the first digit lowest, each a value from 0 to 9. The number
/// is split in halves of four digits, the halves in pairs, the pairs in digits, each split done
/// on every part at once in its own lane of the word, by multiplying with a reciprocal: a dozen
/// arithmetic instructions where the digit pairs read from a table took four divisions and
/// four loads.
fn eight_digits(value: u32) -> u64 {
    // The high half of the number in the low lane.
    four_digits_twice(value / 10_000, value % 10_000)
}

/// The four decimal digits of `low` and of `high` (each below ten thousand, leading zeros
/// included) in the low and the high 32-bit lane of a little-endian word, as [`eight_digits`]
/// gives them: each split done on both numbers at once.
fn four_digits_twice(low: u32, high: u32) -> u64 {
    let halves = u64::from(low) | u64::from(high) << 32;
    // `n * 5243 >> 19` is `n / 100` for every `n` below ten thousand, and the product fits its
    // lane; the mask drops what the shift brings down from the lane above.
    let hundreds = ((halves * 5243) >> 19) & 0x0000_007f_0000_007f;
    let pairs = hundreds | (halves - hundreds * 100) << 16;
    // `n * 103 >> 10` is `n / 10` for every `n` below a hundred, in 16-bit lanes.
    let tens = ((pairs * 103) >> 10) & 0x000f_000f_000f_000f;
    tens | (pairs - tens * 10) << 8
}

/// How long a [`Padded`] string may be.
const PADDED: usize = 32;

/// A short string worked out at start-up (the name of a kind, quotes included), kept in a
/// buffer of fixed length so that it is copied into a record with two stores instead of a
/// `memcpy` call.
struct Padded {
    bytes: [u8; PADDED],
    len: usize,
}

impl Padded {
    fn new(text: &str) -> Padded {
        let mut bytes = [0; PADDED];
        bytes[..text.len()].copy_from_slice(text.as_bytes());
        Padded { bytes, len: text.len() }
    }
}

/// Values with no hand-written form (passed-through JSON, amounts, unusual scores): serde_json's.
fn write_serde<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    serde_json::to_writer(out, value).expect("writing JSON to memory cannot fail");
}

/// Writes `key`, a field name with its punctuation, and `value` as a JSON string or `null`.
fn write_opt_str(out: &mut Vec<u8>, key: &str, value: Option<&str>) {
    match value {
        Some(text) => write_str_after(out, key, text),
        None => {
            out.extend_from_slice(key.as_bytes());
            out.extend_from_slice(b"null");
        }
    }
}

/// Whether `byte` must be escaped in a JSON string: a control character, a quote or a
/// backslash. Bytes of multi-byte characters never are.
#[cfg(not(target_arch = "x86_64"))]
fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// The bytes of `chunk` that must be escaped, as a mask: bit `i` for `chunk[i]`. On x86-64 one
/// SSE2 comparison of all sixteen bytes at once, elsewhere byte by byte.
#[cfg(target_arch = "x86_64")]
fn escapes_in(chunk: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8, _mm_xor_si128,
    };
    // SAFETY: SSE2 is part of every x86-64 processor (the baseline the target is compiled for),
    // and the unaligned load reads the sixteen bytes of `chunk`, no more.
    unsafe {
        let bytes = _mm_loadu_si128(chunk.as_ptr().cast());
        // Flipping bit 1 keeps the control characters below 0x20 and takes the quote, 0x22, to
        // 0x20 and no other byte there: a flipped byte is one of them when the smaller of it
        // and 0x20 is itself, one comparison for both.
        let flipped = _mm_xor_si128(bytes, _mm_set1_epi8(0x02));
        let control_or_quote = _mm_cmpeq_epi8(_mm_min_epu8(flipped, _mm_set1_epi8(0x20)), flipped);
        let backslash = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b'\\' as i8));
        _mm_movemask_epi8(_mm_or_si128(control_or_quote, backslash)) as u32
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn escapes_in(chunk: &[u8; 16]) -> u32 {
    (0..16).filter(|&index| needs_escape(chunk[index])).fold(0, |mask, index| mask | 1 << index)
}

/// Writes `before` (punctuation or a field name: text that needs no escaping) and then `text`
/// as a JSON string, escaped as serde_json escapes it. Both go into one reservation, with the
/// quotes; `before` is copied here, where its length is usually known when compiling.
#[inline(always)]
fn write_str_after(out: &mut Vec<u8>, before: &str, text: &str) {
    let mut room = Room::new(out, before.len() + text.len() + STR_ROOM);
    room.put(before);
    room.put_str(text);
    room.done();
}

/// What a string takes beyond its bytes: its quotes and the sixteen bytes of room past its end
/// that [`Part::put_clean_prefix`] stores into.
const STR_ROOM: usize = 2 + 16;

/// How serde_json escapes each byte that must be escaped, with the short forms where JSON has
/// them: the escape's bytes, and in the last byte its length (see [`ESCAPE_LEN`]); zeros for a
/// byte that needs no escaping. Eight bytes stored whole, with no branch on the kind of escape.
static ESCAPES: [[u8; 8]; 256] = {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut escapes = [[0; 8]; 256];
    let mut byte = 0;
    while byte < 256 {
        let short = match byte as u8 {
            b'"' => b'"',
            b'\\' => b'\\',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            0x08 => b'b',
            0x0c => b'f',
            _ => 0,
        };
        if short != 0 {
            escapes[byte] = [b'\\', short, 0, 0, 0, 0, 0, 2];
        } else if byte < 0x20 {
            escapes[byte] = [b'\\', b'u', b'0', b'0', HEX[byte >> 4], HEX[byte & 0xf], 0, 6];
        }
        byte += 1;
    }
    escapes
};

/// The byte of an [`ESCAPES`] entry that holds the escape's length.
const ESCAPE_LEN: usize = 7;

/// How much longer than the byte it escapes an escape may be: `\u001f` for one byte.
const ESCAPE_GROWTH: usize = 5;

/// Writes `key`, a field name with its punctuation, and `name` (the name of a kind) or `null`,
/// in one reservation.
fn write_padded_after<'o>(out: &'o mut Vec<u8>, key: &str, name: Option<&Padded>) -> &'o mut Vec<u8> {
    let mut room = Room::new(out, key.len() + PADDED);
    room.part(key.len() + PADDED, |part| {
        part.put(key);
        match name {
            Some(name) => part.put_padded(name),
            None => part.put(b"null"),
        }
    });
    room.done()
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
    /// The room [`Item::put_fields`] takes: its field names, values and strings, the sixteen
    /// bytes of slack past the last string aside (the item's room holds them once).
    fn fields_room(&self) -> usize;
    /// Puts the quote that closes the item's `rule`, the item's own fields, each with a comma
    /// before it, and the brace that closes the item: the punctuation goes with the fields
    /// around it, in one append or one [`Part`].
    fn put_fields(&self, room: &mut Room<'_>, decoded: &Decoded);
}

/// What the fields before an item's text take: a comma, `{"start":`, its number, `,"end":`
/// and its number.
const ITEM_START_ROOM: usize = 1 + first!("start").len() + key!("end").len() + 2 * UINT_ROOM;

/// What an item's fields around its `text` and `rule` take, beyond the two strings: the start
/// of the item, their names, quotes and slack, and the brace that closes the item.
const ITEM_ROOM: usize = ITEM_START_ROOM + key!("text").len() + key!("rule").len() + 2 * 2 + 16 + 1;

/// Writes `key`, a field name with its punctuation, and the items as an array of objects,
/// their spans translated to input offsets. Each item is written into one reservation: with a
/// reservation for its start, each string and its own fields, the buffer's length and capacity
/// went to memory and back four times an item.
fn write_items<T: Item>(out: &mut Vec<u8>, key: &str, items: &[T], decoded: &Decoded) {
    out.extend_from_slice(key.as_bytes());
    out.push(b'[');
    for (index, item) in items.iter().enumerate() {
        let (text, rule) = (item.text(), item.rule());
        let (start, end) = (decoded.input_offset(item.span().start), decoded.input_offset(item.span().end));
        let mut room = Room::new(out, ITEM_ROOM + text.len() + rule.len() + item.fields_room());
        room.part(ITEM_START_ROOM + opening!("text").len(), |part| {
            match index {
                0 => part.put(first!("start")),
                _ => part.put(concat!(",", first!("start"))),
            }
            part.put_uint_pair(start, key!("end"), end);
            part.put(opening!("text"));
        });
        room.put_escaped(text);
        room.put(concat!("\"", opening!("rule")));
        room.put_escaped(rule);
        item.put_fields(&mut room, decoded);
        room.done();
    }
    out.push(b']');
}

/// An exact decimal as a JSON number: its digits as written, trailing zeros dropped.
fn write_decimal(out: &mut Vec<u8>, value: Decimal) {
    use std::io::Write;
    write!(out, "{}", value.normalize()).expect("writing to memory cannot fail");
}

/// A claim's score as serde_json writes an `f32`, when it has a short form: the claims stage
/// rounds scores to thousandths, and serde_json's float formatting was a fifth of writing a
/// claim's fields. A value that is the `f32` nearest some thousandths strictly between 0 and 1
/// is written from them, as `0.` and one to three digits, the shortest decimal that reads back
/// as that value: its five bytes, of which the first `used` are the number. `None` for any
/// other value, which goes through serde_json.
fn short_score(score: f32) -> Option<([u8; SCORE_ROOM], usize)> {
    // Only a score strictly between 0 and 1 (not NaN) is that near some thousandths strictly
    // between them. Its thousandths, from 0 to 1000, are rounded half away from zero as
    // `f32::round` rounds them, from their whole part and the fraction left (exact below
    // 2^23): `round` is a library call on processors without SSE4.1, the baseline.
    if !(score > 0.0 && score < 1.0) {
        return None;
    }
    let scaled = score * 1000.0;
    let whole = scaled as u32;
    let digits = whole + u32::from(scaled - whole as f32 >= 0.5);
    if !((1..1000).contains(&digits) && digits as f32 / 1000.0 == score) {
        return None;
    }
    let digits = [b'0', b'.', b'0' + (digits / 100) as u8, b'0' + (digits / 10 % 10) as u8, b'0' + (digits % 10) as u8];
    let used = digits.len() - digits.iter().rev().take_while(|&&digit| digit == b'0').count();
    Some((digits, used))
}

/// The room a score's short form takes.
const SCORE_ROOM: usize = 5;

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

/// The length of `texts` written as the strings of an array: each with its quotes and a comma
/// (in a shared reservation, the slack past the end of each string is the room's, counted once).
fn array_len(texts: &[&str]) -> usize {
    texts.iter().map(|text| text.len() + 3).sum()
}

impl Item for BoilerplateItem<'_> {
    const OVERHEAD: usize = 96;
    item_basics!();
    fn extra_len(&self) -> usize {
        0
    }
    fn fields_room(&self) -> usize {
        key!("kind").len() + PADDED
    }
    #[inline]
    fn put_fields(&self, room: &mut Room<'_>, _: &Decoded) {
        room.part(concat!("\"", key!("kind")).len() + PADDED + 1, |part| {
            part.put(concat!("\"", key!("kind")));
            part.put_padded(self.kind.json());
            part.put(b"}");
        });
    }
}

impl Item for MoneyItem<'_> {
    const OVERHEAD: usize = 192;
    item_basics!();
    fn extra_len(&self) -> usize {
        self.per.map_or(0, str::len)
    }
    /// Amounts are few and go through a formatter: their fields are appended to the buffer.
    fn fields_room(&self) -> usize {
        0
    }
    fn put_fields(&self, room: &mut Room<'_>, _: &Decoded) {
        room.put(b"\"");
        room.detour(|out| {
            out.extend_from_slice(key!("amount").as_bytes());
            write_decimal(out, self.amount);
            out.extend_from_slice(key!("amount_max").as_bytes());
            match self.amount_max {
                Some(max) => write_decimal(out, max),
                None => out.extend_from_slice(b"null"),
            }
            write_opt_str(out, key!("currency"), self.currency);
            let out = write_padded_after(out, key!("qualifier"), self.qualifier.map(Qualifier::json));
            write_opt_str(out, key!("per"), self.per);
        });
        room.put(b"}");
    }
}

impl Item for EntityItem<'_> {
    const OVERHEAD: usize = 96;
    item_basics!();
    fn extra_len(&self) -> usize {
        self.canonical.len()
    }
    fn fields_room(&self) -> usize {
        key!("type").len() + PADDED + key!("canonical").len() + self.canonical.len() + 2
    }
    #[inline]
    fn put_fields(&self, room: &mut Room<'_>, _: &Decoded) {
        room.part(concat!("\"", key!("type")).len() + PADDED + opening!("canonical").len(), |part| {
            part.put(concat!("\"", key!("type")));
            part.put_padded(self.entity_type.json());
            part.put(opening!("canonical"));
        });
        room.put_escaped(&self.canonical);
        room.put(b"\"}");
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
    fn fields_room(&self) -> usize {
        let attribution_room = match &self.attribution {
            Some(attribution) => {
                let fields = concat!(key!("attribution"), first!("speaker")).len()
                    + key!("start").len()
                    + key!("end").len()
                    + key!("entity").len();
                fields + attribution.speaker.len() + 3 + 3 * UINT_ROOM + 1
            }
            None => concat!(key!("attribution"), "null").len(),
        };
        let keys = key!("kinds").len()
            + key!("hedges").len()
            + key!("score").len()
            + key!("cues").len()
            + key!("entities").len()
            + key!("money").len();
        let arrays = 5 * 2
            + self.kinds.len() * (1 + PADDED)
            + array_len(&self.hedges)
            + array_len(&self.cues)
            + (self.entities.len() + self.money.len()) * (1 + UINT_ROOM);
        keys + arrays + attribution_room + SCORE_ROOM
    }
    /// Every field in the item's reservation: a claim has a dozen of them, most short (kinds,
    /// cues that are rule names, small indices), and through a call and a reservation each
    /// their entry, exit and the buffer's length and capacity round trips cost more than their
    /// bytes.
    #[inline]
    fn put_fields(&self, room: &mut Room<'_>, decoded: &Decoded) {
        room.put(concat!("\"", key!("kinds"), "["));
        room.put_elements(&self.kinds, PADDED, |part, kind| part.put_padded(kind.json()));
        room.put(concat!("]", key!("hedges"), "["));
        room.put_str_elements(&self.hedges);
        match &self.attribution {
            Some(attribution) => {
                room.put(concat!("]", key!("attribution"), first!("speaker"), "\""));
                room.put_escaped(&attribution.speaker);
                let (start, end) =
                    (decoded.input_offset(attribution.span.start), decoded.input_offset(attribution.span.end));
                let fields = concat!("\"", key!("start"), key!("end"), key!("entity"), "}", key!("score")).len();
                room.part(fields + 3 * UINT_ROOM, |part| {
                    part.put(concat!("\"", key!("start")));
                    part.put_uint_pair(start, key!("end"), end);
                    part.put(key!("entity"));
                    match attribution.entity {
                        Some(entity) => part.put_uint(entity),
                        None => part.put(b"null"),
                    }
                    part.put(concat!("}", key!("score")));
                });
            }
            None => room.put(concat!("]", key!("attribution"), "null", key!("score"))),
        }
        room.put_score(self.score);
        room.put(concat!(key!("cues"), "["));
        room.put_str_elements(&self.cues);
        room.put(concat!("]", key!("entities"), "["));
        room.put_elements(&self.entities, UINT_ROOM, |part, &entity| part.put_uint(entity));
        room.put(concat!("]", key!("money"), "["));
        room.put_elements(&self.money, UINT_ROOM, |part, &money| part.put_uint(money));
        room.put(b"]}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy as _;
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
            write_str_after(&mut out, "", &text);
            assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&text).unwrap(), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_string_is_escaped_as_serde_json_escapes_it(text in "(?s).{0,40}") {
            let mut out = Vec::new();
            write_str_after(&mut out, "", &text);
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
            write_str_after(&mut out, "", &text);
            let expected = before + &serde_json::to_string(&text).unwrap();
            proptest::prop_assert_eq!(String::from_utf8(out).unwrap(), expected);
        }
    }

    /// The record `write_json_line` should write for `findings`, built as a serde_json value
    /// (whose maps keep their order), field by field from the contract.
    fn expected_record(path: &str, findings: &Findings) -> Value {
        fn number(text: &str) -> Value {
            serde_json::from_str(text).unwrap()
        }
        fn start(span: Span, text: &str, rule: &str) -> Map<String, Value> {
            let mut item = Map::new();
            for (key, value) in [("start", Value::from(span.start)), ("end", Value::from(span.end))] {
                item.insert(key.into(), value);
            }
            item.insert("text".into(), text.into());
            item.insert("rule".into(), rule.into());
            item
        }
        fn to_value<T: Serialize>(value: &T) -> Value {
            serde_json::to_value(value).unwrap()
        }
        let boilerplate = findings.boilerplate.iter().map(|item| {
            let mut object = start(item.span, item.text, item.rule);
            object.insert("kind".into(), to_value(&item.kind));
            Value::Object(object)
        });
        let money = findings.money.iter().map(|item| {
            let mut object = start(item.span, item.text, item.rule);
            object.insert("amount".into(), number(&item.amount.normalize().to_string()));
            object.insert(
                "amount_max".into(),
                item.amount_max.map_or(Value::Null, |max| number(&max.normalize().to_string())),
            );
            object.insert("currency".into(), item.currency.into());
            object.insert("qualifier".into(), item.qualifier.as_ref().map_or(Value::Null, to_value));
            object.insert("per".into(), item.per.into());
            Value::Object(object)
        });
        let entities = findings.entities.iter().map(|item| {
            let mut object = start(item.span, item.text, item.rule);
            object.insert("type".into(), to_value(&item.entity_type));
            object.insert("canonical".into(), item.canonical.as_ref().into());
            Value::Object(object)
        });
        let claims = findings.claims.iter().map(|item| {
            let mut object = start(item.span, item.text, item.rule);
            object.insert("kinds".into(), item.kinds.iter().map(to_value).collect());
            object.insert("hedges".into(), item.hedges.clone().into());
            let attribution = item.attribution.as_ref().map_or(Value::Null, |attribution| {
                serde_json::json!({
                    "speaker": attribution.speaker,
                    "start": attribution.span.start,
                    "end": attribution.span.end,
                    "entity": attribution.entity,
                })
            });
            object.insert("attribution".into(), attribution);
            object.insert("score".into(), number(&serde_json::to_string(&item.score).unwrap()));
            object.insert("cues".into(), item.cues.clone().into());
            object.insert("entities".into(), item.entities.clone().into());
            object.insert("money".into(), item.money.clone().into());
            Value::Object(object)
        });
        serde_json::json!({
            "path": path,
            "encoding": "utf-8",
            "bytes": 0,
            "title": findings.title,
            "boilerplate": boilerplate.collect::<Vec<_>>(),
            "money": money.collect::<Vec<_>>(),
            "entities": entities.collect::<Vec<_>>(),
            "claims": claims.collect::<Vec<_>>(),
        })
    }

    /// Findings of every shape, their texts and numbers taken from `texts` and `numbers`, and
    /// what is there and how many from `picks` (read round and round).
    fn findings_from<'a>(texts: &'a [String], numbers: &[usize], picks: &[u8]) -> Findings<'a> {
        let mut at = 0;
        let mut pick = |choices: usize| {
            at += 1;
            usize::from(picks[at % picks.len()]) % choices
        };
        let text = |pick: &mut dyn FnMut(usize) -> usize| texts[pick(texts.len())].as_str();
        let mut findings = Findings { title: (pick(2) == 0).then(|| text(&mut pick)), ..Findings::default() };
        let span = |pick: &mut dyn FnMut(usize) -> usize| {
            let (one, other) = (numbers[pick(numbers.len())], numbers[pick(numbers.len())]);
            Span::new(one.min(other), one.max(other))
        };
        for _ in 0..pick(4) {
            findings.boilerplate.push(BoilerplateItem {
                span: span(&mut pick),
                text: text(&mut pick),
                rule: text(&mut pick),
                kind: BoilerplateKind::ALL[pick(BoilerplateKind::ALL.len())],
            });
        }
        for _ in 0..pick(3) {
            findings.money.push(MoneyItem {
                span: span(&mut pick),
                text: text(&mut pick),
                rule: text(&mut pick),
                amount: Decimal::new(numbers[pick(numbers.len())] as i64 % 1_000_000_000, pick(4) as u32),
                amount_max: (pick(2) == 0).then(|| Decimal::from(pick(1000))),
                currency: (pick(2) == 0).then(|| text(&mut pick)),
                qualifier: (pick(2) == 0).then(|| Qualifier::ALL[pick(Qualifier::ALL.len())]),
                per: (pick(2) == 0).then(|| text(&mut pick)),
            });
        }
        for _ in 0..pick(4) {
            findings.entities.push(EntityItem {
                span: span(&mut pick),
                text: text(&mut pick),
                rule: text(&mut pick),
                entity_type: EntityType::ALL[pick(EntityType::ALL.len())],
                canonical: Cow::Borrowed(text(&mut pick)),
            });
        }
        for _ in 0..pick(4) {
            let attribution = (pick(2) == 0).then(|| Attribution {
                speaker: Cow::Borrowed(text(&mut pick)),
                span: span(&mut pick),
                entity: (pick(2) == 0).then(|| numbers[pick(numbers.len())]),
            });
            findings.claims.push(ClaimItem {
                span: span(&mut pick),
                text: text(&mut pick),
                rule: text(&mut pick),
                kinds: (0..pick(6)).map(|_| ClaimKind::ALL[pick(ClaimKind::ALL.len())]).collect(),
                hedges: (0..pick(3)).map(|_| text(&mut pick)).collect(),
                attribution,
                score: [pick(1001) as f32 / 1000.0, 0.1234, f32::MIN_POSITIVE][pick(3)],
                cues: (0..pick(4)).map(|_| text(&mut pick)).collect(),
                entities: (0..pick(4)).map(|_| numbers[pick(numbers.len())]).collect(),
                money: (0..pick(4)).map(|_| numbers[pick(numbers.len())]).collect(),
            });
        }
        findings
    }

    proptest::proptest! {
        /// Whole records against serde_json, from texts with bytes to escape and numbers of
        /// every length: every reservation the writer makes is asserted to hold what is written
        /// into it, so a short one panics here.
        #[test]
        fn records_are_written_as_serde_json_writes_them(
            path in "(?s).{0,20}",
            texts in proptest::collection::vec("[a-z\"\\\\\n\u{1}é ]{0,40}", 1..6),
            numbers in proptest::collection::vec(proptest::num::usize::ANY.prop_map(|n| n >> (n % 64)), 1..6),
            picks in proptest::collection::vec(proptest::num::u8::ANY, 1..40),
        ) {
            let decoded = Decoded::from_text("");
            let record = Record {
                source: Source::Path(path.clone()),
                decoded: &decoded,
                findings: findings_from(&texts, &numbers, &picks),
                passthrough: Map::new(),
            };
            let mut line = Vec::new();
            record.write_json_line(&mut line);
            let mut expected = serde_json::to_vec(&expected_record(&path, &record.findings)).unwrap();
            expected.push(b'\n');
            proptest::prop_assert_eq!(String::from_utf8(line).unwrap(), String::from_utf8(expected).unwrap());
        }
    }

    #[test]
    fn enum_values_are_written_as_serde_json_writes_them() {
        fn check<T: Serialize + std::fmt::Debug>(values: &[T], json: impl Fn(&T) -> &'static Padded) {
            for value in values {
                let padded = json(value);
                assert_eq!(&padded.bytes[..padded.len], serde_json::to_vec(value).unwrap(), "{value:?}");
            }
        }
        check(BoilerplateKind::ALL, |kind| kind.json());
        check(Qualifier::ALL, |qualifier| qualifier.json());
        check(EntityType::ALL, |entity_type| entity_type.json());
        check(ClaimKind::ALL, |kind| kind.json());
    }

    /// Writes `value` with `put_uint` after a few bytes already in the buffer.
    fn uint_line(value: usize) -> Vec<u8> {
        let mut out = b"[".to_vec();
        let mut room = Room::new(&mut out, UINT_ROOM + 1);
        room.part(UINT_ROOM + 1, |part| {
            part.put_uint(value);
            part.put(b"]");
        });
        room.done();
        out
    }

    #[test]
    fn numbers_are_written_as_serde_json_writes_them() {
        let powers = (0..20).flat_map(|power| {
            let power = 10usize.pow(power);
            [power - 1, power, power + 1, power / 7 * 9]
        });
        for value in [0, 7, 10, 99, 1234567890, usize::MAX].into_iter().chain(powers) {
            assert_eq!(uint_line(value), serde_json::to_vec(&[value]).unwrap(), "{value}");
        }
    }

    #[test]
    fn eight_digits_are_the_digits_of_every_number_they_hold() {
        let edges = (0..100_000_000).step_by(9_973).chain(0..20_000).chain(99_990_000..100_000_000);
        for value in edges {
            let expected: Vec<u8> = format!("{value:08}").bytes().map(|digit| digit - b'0').collect();
            assert_eq!(eight_digits(value).to_le_bytes().as_slice(), expected, "{value}");
        }
    }

    #[test]
    fn pairs_of_numbers_are_written_as_serde_json_writes_them() {
        let edges = [0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10_000, 123_456];
        for (first, second) in edges.iter().flat_map(|&first| edges.map(|second| (first, second))) {
            let mut out = Vec::new();
            let mut room = Room::new(&mut out, 2 * UINT_ROOM + 1);
            room.part(2 * UINT_ROOM + 1, |part| part.put_uint_pair(first, ",", second));
            room.done();
            assert_eq!(out, serde_json::to_vec(&[first, second]).unwrap()[1..].strip_suffix(b"]").unwrap());
        }
    }

    proptest::proptest! {
        #[test]
        fn any_number_is_written_as_serde_json_writes_it(value in proptest::num::usize::ANY.prop_map(|n| n >> (n % 64))) {
            proptest::prop_assert_eq!(uint_line(value), serde_json::to_vec(&[value]).unwrap());
        }
    }

    #[test]
    fn scores_are_written_as_serde_json_writes_them() {
        let thousandths = (0..=1000).map(|thousandths| thousandths as f32 / 1000.0);
        let others = [0.0005, 0.1234, 1.5, -0.5, 1e-7, f32::NAN, f32::INFINITY];
        for score in thousandths.chain(others) {
            let mut out = Vec::new();
            let mut room = Room::new(&mut out, SCORE_ROOM);
            room.put_score(score);
            room.done();
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
