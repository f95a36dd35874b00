//! Short words as numbers: a word of up to 8 bytes packed into a `u64`, and a table keyed by such
//! numbers that a line scanner can ask once per word of running text.
//!
//! A general hash map costs several times what the scanner spends on the bytes of a short word;
//! this table hashes with one multiplication and compares whole keys.

/// The bytes of a word of at most 8 bytes in one `u64`, the first in the lowest byte. Words hold
/// no zero byte, so words of different lengths never share a key.
pub fn pack(word: &[u8]) -> u64 {
    word.iter().take(8).enumerate().fold(0, |key, (i, &byte)| key | u64::from(byte) << (8 * i))
}

/// The bytes that [`pack`] packed into `key`.
pub fn unpack(key: u64) -> Vec<u8> {
    key.to_le_bytes().into_iter().take_while(|&byte| byte != 0).collect()
}

/// The key of a word's first 8 bytes read case-insensitively: [`pack`] of them with ASCII capitals
/// lowered and every byte beyond ASCII zeroed. Of an ASCII word of up to 8 bytes it is the key of
/// the word in lower case; words that differ in their first 8 bytes only by ASCII case or by
/// which characters beyond ASCII they hold share it.
pub fn folded_key(word: &[u8]) -> u64 {
    let mut bytes = [0; 8];
    let n = word.len().min(8);
    bytes[..n].copy_from_slice(&word[..n]);
    fold_packed(u64::from_le_bytes(bytes))
}

/// [`folded_key`] of the `len` bytes of `bytes` from `from`, read in one 8-byte load where
/// `bytes` reaches that far.
#[inline]
pub fn folded_key_at(bytes: &[u8], from: usize, len: usize) -> u64 {
    match bytes.get(from..from + 8).and_then(|eight| <[u8; 8]>::try_from(eight).ok()) {
        Some(eight) if len < 8 => fold_packed(u64::from_le_bytes(eight) & ((1 << (8 * len)) - 1)),
        Some(eight) => fold_packed(u64::from_le_bytes(eight)),
        None => folded_key(&bytes[from..from + len]),
    }
}

/// [`folded_key_at`] of a word made of ASCII letters and digits only, for a scan that knows it
/// is one: setting bit 5 lowers such a letter and leaves a digit as it is, so the key is one
/// load and an `or`, without [`fold_packed`]'s tests for capitals and bytes beyond ASCII.
#[inline(always)]
pub fn alphanumeric_key_at(bytes: &[u8], from: usize, len: usize) -> u64 {
    // One test of the bytes left, where a range from `from` is also tested for overflow.
    let eight = match bytes[from..].first_chunk::<8>() {
        Some(eight) => *eight,
        None => *crate::chars::sixteen_at(bytes, from, 0).first_chunk().expect("eight bytes"),
    };
    (u64::from_le_bytes(eight) | 0x2020_2020_2020_2020) & KEPT[len.min(8)]
}

/// The bytes of a key that a word of `n` bytes keeps, by `n` up to 8: the scan reads them with
/// one load, where a test for 8 bytes or more and a shift took half a dozen instructions a word.
const KEPT: [u64; 9] = {
    let mut kept = [u64::MAX; 9];
    let mut n = 0;
    while n < 8 {
        kept[n] = (1 << (8 * n)) - 1;
        n += 1;
    }
    kept
};

/// The [`folded_key_at`] of the run of letters and digits (`char::is_alphanumeric`) that starts
/// at `from`, when its first 8 bytes tell where it ends: it runs through all of them, or its
/// ASCII letters and digits end at an ASCII byte. `None` when a byte beyond ASCII (which may be
/// a letter) or the end of `bytes` comes first; the run is then read character by character.
/// One load and a few additions test the 8 bytes at once, where a decoding loop takes a dozen
/// instructions a byte.
#[inline]
pub fn alphanumeric_run_key(bytes: &[u8], from: usize) -> Option<u64> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let packed = u64::from_le_bytes(*bytes.get(from..)?.first_chunk::<8>()?);
    // Below 0x80 each, so that no sum below carries into the next byte: the high bit of
    // `byte + 0x80 - low` is set when the byte is at least `low`, and that of
    // `byte + 0x7f - high` when it is above `high`.
    let ascii = packed & !HIGH;
    let within = |bytes: u64, low: u8, high: u8| {
        (bytes + u64::from(0x80 - low) * ONES) & !(bytes + u64::from(0x7f - high) * ONES) & HIGH
    };
    // Setting bit 5 lowers an ASCII capital and moves no other byte into `a..=z`.
    let alphanumeric = (within(ascii | (0x20 * ONES), b'a', b'z') | within(ascii, b'0', b'9')) & !packed;
    let ends = !alphanumeric & HIGH;
    if ends == 0 {
        return Some(alphanumeric_key_at(bytes, from, 8));
    }
    let len = ends.trailing_zeros() as usize / 8;
    (packed >> (8 * len) & 0x80 == 0).then(|| alphanumeric_key_at(bytes, from, len))
}

/// Lowers the ASCII capitals of up to 8 packed bytes and zeroes those beyond ASCII.
#[inline]
fn fold_packed(packed: u64) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Every byte with its high bit set becomes zero; the rest are ASCII.
    let ascii = packed & !(((packed & HIGH) >> 7) * 0xff);
    // A byte is a capital when adding 0x3f carries it to 0x80 (at least `A`) and adding 0x25
    // does not (at most `Z`); no sum of an ASCII byte carries into the next byte.
    let capitals = (ascii + 0x3f3f_3f3f_3f3f_3f3f) & !(ascii + 0x2525_2525_2525_2525) & HIGH;
    ascii | capitals >> 2
}

/// A table from non-zero keys to values, by open addressing.
#[derive(Debug)]
pub struct KeyTable<V> {
    /// Each key beside its value, so that a lookup reads one array: a key of zero marks an
    /// empty slot.
    slots: Vec<(u64, V)>,
    len: usize,
    /// 64 minus the bits of the slot count: a hash's top bits pick the slot.
    shift: u32,
}

impl<V: Copy + Default> Default for KeyTable<V> {
    fn default() -> Self {
        KeyTable { slots: vec![(0, V::default()); 16], len: 0, shift: 64 - 4 }
    }
}

impl<V: Copy + Default> KeyTable<V> {
    fn slot(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }

    /// The value of `key`, if it is in the table. The line scan asks for every token: without
    /// the bounds checks, which the compiler cannot see to be needless, the lookup is a few
    /// instructions shorter.
    #[inline]
    pub fn get(&self, key: u64) -> Option<&V> {
        let mut slot = self.slot(key);
        debug_assert!(self.slots.len() == 1 << (64 - self.shift));
        loop {
            // SAFETY: `slots` holds `1 << (64 - shift)` slots (see `default` and `grow`), and
            // `slot` is below that: the top `64 - shift` bits of a hash, or a slot plus one
            // masked by the slot count less one.
            let (found, value) = unsafe { self.slots.get_unchecked(slot) };
            match *found {
                found if found == key => return Some(value),
                0 => return None,
                _ => slot = (slot + 1) & (self.slots.len() - 1),
            }
        }
    }

    /// The value of `key`, added with the default value when missing. `key` must not be zero.
    pub fn entry(&mut self, key: u64) -> &mut V {
        assert_ne!(key, 0, "zero marks an empty slot");
        // At most a quarter of the slots are taken: most words of running text are in no list,
        // and their lookup then mostly ends at the first slot it reads, an empty one.
        if 4 * (self.len + 1) > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut slot = self.slot(key);
        while self.slots[slot].0 != key {
            if self.slots[slot].0 == 0 {
                self.slots[slot].0 = key;
                self.len += 1;
                break;
            }
            slot = (slot + 1) & mask;
        }
        &mut self.slots[slot].1
    }

    fn grow(&mut self) {
        let size = 2 * self.slots.len();
        let old = std::mem::replace(
            self,
            KeyTable { slots: vec![(0, V::default()); size], len: 0, shift: 64 - size.trailing_zeros() },
        );
        for (key, value) in old.slots {
            if key != 0 {
                *self.entry(key) = value;
            }
        }
    }
}

/// Words one of which every match of a pattern holds as a whole token (a run of letters and
/// digits, as the line scan cuts them), by their keys: a token of at most 8 bytes whose key is
/// one of them, or a longer one whose first 8 bytes have it. `None` when the pattern shows no
/// such words.
///
/// A word qualifies where the pattern spells it out in ASCII letters (in either case, or with
/// the characters beyond ASCII that `(?i)` folds into them) and what comes before it in any
/// match is no letter or digit (white space, a mark, the start of the text, an ASCII word
/// boundary): the word then starts a token, unless a letter beyond ASCII comes before it, which
/// makes that token one beyond ASCII (the scan reports those, and the gate lets such lines
/// through). If what follows is no letter or digit either, the token is the word; otherwise a
/// word of at least 8 letters still gives the key of the token's first 8 bytes. An alternation
/// qualifies when every branch opens with such a word (`(?:comments?|replies)\s`,
/// `(?:privacy policy|terms)`): an optional letter gives the word with and without it. A branch
/// whose word holds a letter beyond ASCII (`rédacteur`) gives no key: a line it matches holds a
/// token beyond ASCII, which the scan reports; the second value then says so, and a search for
/// the keys alone (see [`WordSets`](super::WordSets)) would miss such lines. Of several
/// qualifying places, the one whose shortest word with a key is longest is taken: the rarest.
pub fn required_words(hir: &regex_syntax::hir::Hir) -> Option<(Vec<u64>, bool)> {
    let parts = Part::all(hir);
    let mut best: Option<(usize, Vec<u64>, bool)> = None;
    for (at, part) in parts.iter().enumerate() {
        match part {
            // A run of letters, read once from its first one.
            Part::Letter(_) if !matches!(parts.get(at.wrapping_sub(1)), Some(Part::Letter(_) | Part::Optional(_))) => {}
            Part::Words(_) => {}
            _ => continue,
        }
        if !bounded(parts[..at].iter().rev(), |edges| edges.last_apart, |edges| edges.starts).unwrap_or(false) {
            continue;
        }
        let Some(words) = words_from(&parts[at..]) else { continue };
        let beyond = words.iter().any(|(_, ends)| *ends == Ends::Beyond);
        let keyed: Vec<&(Vec<u8>, Ends)> = words.iter().filter(|(_, ends)| *ends != Ends::Beyond).collect();
        let keys: Option<Vec<u64>> = keyed
            .iter()
            .map(|(word, ends)| match word.len() {
                8.. => Some(folded_key(&word[..8])),
                1.. if *ends == Ends::Yes => Some(folded_key(word)),
                _ => None,
            })
            .collect();
        let shortest = keyed.iter().map(|(word, _)| word.len()).min().unwrap_or(usize::MAX);
        if let Some(keys) = keys
            && best.as_ref().is_none_or(|(length, _, _)| shortest > *length)
        {
            best = Some((shortest, keys, beyond));
        }
    }
    best.map(|(_, mut keys, beyond)| {
        keys.sort_unstable();
        keys.dedup();
        (keys, beyond)
    })
}

/// Whether the token holding a word ends right after it (see [`words_from`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ends {
    Yes,
    No,
    /// The parts read ran out first: the parts after them tell.
    Open,
    /// A letter or digit beyond ASCII comes before the token ends: the token is one beyond ASCII.
    Beyond,
}

impl Ends {
    fn of(bounded: Option<bool>) -> Ends {
        match bounded {
            Some(true) => Ends::Yes,
            Some(false) => Ends::No,
            None => Ends::Open,
        }
    }
}

/// The most words [`words_from`] spells out at one place.
const MAX_WORDS: usize = 64;

/// The words of ASCII letters, lower case, that every match of `parts` opens with, each with
/// whether the token ends right after it; `None` when a match may open with something else, or
/// when there are more than [`MAX_WORDS`].
fn words_from(parts: &[Part]) -> Option<Vec<(Vec<u8>, Ends)>> {
    // The words so far, with where their tokens end once that is known (`Open` until then).
    let mut words: Vec<(Vec<u8>, Ends)> = vec![(Vec::new(), Ends::Open)];
    for (at, part) in parts.iter().enumerate() {
        if words.iter().all(|(_, ends)| *ends != Ends::Open) {
            break;
        }
        let mut next = Vec::with_capacity(words.len());
        for (word, ends) in words {
            if ends != Ends::Open {
                next.push((word, ends));
                continue;
            }
            match part {
                Part::Letter(letter) => next.push(([word.as_slice(), &[*letter]].concat(), Ends::Open)),
                Part::Optional(letter) => {
                    next.push(([word.as_slice(), &[*letter]].concat(), Ends::Open));
                    next.push((word, Ends::Open));
                }
                // A branch that ran out before its token ended goes on with the parts after
                // the alternation.
                Part::Words(inner) => {
                    next.extend(inner.iter().map(|(rest, ends)| ([word.as_slice(), rest].concat(), *ends)));
                }
                Part::Other(edges) if edges.beyond => next.push((word, Ends::Beyond)),
                Part::Other(_) => next.push((word, Ends::of(ends_token(&parts[at..])))),
            }
        }
        words = next;
        if words.len() > MAX_WORDS {
            return None;
        }
    }
    let spelled = words.iter().all(|(word, ends)| !word.is_empty() || *ends == Ends::Beyond);
    spelled.then_some(words)
}

/// Whether a token that runs up to `parts` ends there: `Some(true)` when they always put a
/// character that is no letter or digit, or the end of the text or a word boundary, right after
/// it, `Some(false)` when they may not, `None` when they may all be empty.
fn ends_token(parts: &[Part]) -> Option<bool> {
    bounded(parts.iter(), |edges| edges.first_apart, |edges| edges.ends)
}

/// Whether the parts next to a word (`parts`, going away from it) always put a character that
/// is no letter or digit, or the edge of the text or a word boundary, right against it:
/// `apart` says that a part's character on the word's side is never a letter or digit,
/// `edge` that a part is such an edge. `None` when the parts may all be empty.
fn bounded<'a>(
    parts: impl Iterator<Item = &'a Part>,
    apart: impl Fn(&Edges) -> bool,
    edge: impl Fn(&Edges) -> bool,
) -> Option<bool> {
    for part in parts {
        let edges = match part {
            Part::Other(edges) => edges,
            Part::Letter(_) | Part::Optional(_) | Part::Words(_) => return Some(false),
        };
        if edge(edges) {
            return Some(true);
        }
        if !apart(edges) {
            return Some(false);
        }
        if !edges.may_be_empty {
            return Some(true);
        }
    }
    None
}

/// A piece of a pattern, as [`required_words`] reads it.
enum Part {
    /// One ASCII letter, lower case.
    Letter(u8),
    /// One ASCII letter, lower case, that may be left out (`s?`).
    Optional(u8),
    /// An alternation whose every branch opens with a word of ASCII letters, lower case, or
    /// with a letter beyond ASCII: the words, each with whether the token ends after it within
    /// its branch (see [`words_from`]).
    Words(Vec<(Vec<u8>, Ends)>),
    Other(Edges),
}

/// What a piece that is no word shows at its edges.
struct Edges {
    may_be_empty: bool,
    /// Its first (last) character, when it has one, is never a letter or digit.
    first_apart: bool,
    last_apart: bool,
    /// It is the start (end) of the text or an ASCII word boundary a word may start (end) at.
    starts: bool,
    ends: bool,
    /// It is one character, a letter or digit beyond ASCII: the token it is part of is one
    /// beyond ASCII.
    beyond: bool,
}

impl Part {
    /// The pieces of `hir` in order.
    fn all(hir: &regex_syntax::hir::Hir) -> Vec<Part> {
        match hir.kind() {
            regex_syntax::hir::HirKind::Concat(items) => items.iter().flat_map(Part::of).collect(),
            _ => Part::of(hir),
        }
    }

    fn of(hir: &regex_syntax::hir::Hir) -> Vec<Part> {
        use regex_syntax::hir::{HirKind, Look};
        match hir.kind() {
            HirKind::Literal(literal) => {
                let beyond = |c: char| !c.is_ascii() && c.is_alphanumeric();
                return match std::str::from_utf8(&literal.0) {
                    Ok(text) if text.chars().any(beyond) => text
                        .chars()
                        .flat_map(|c| match c {
                            c if beyond(c) => vec![Part::Other(Edges { beyond: true, ..Edges::of(None) })],
                            c => Part::of(&regex_syntax::hir::Hir::literal(c.to_string().into_bytes())),
                        })
                        .collect(),
                    _ => literal
                        .0
                        .iter()
                        .map(|&byte| match byte {
                            b'a'..=b'z' | b'A'..=b'Z' => Part::Letter(byte.to_ascii_lowercase()),
                            _ => Part::Other(Edges::of(hir_of_byte(byte).as_ref())),
                        })
                        .collect(),
                };
            }
            HirKind::Class(_) => {
                if let Some(letter) = letter_of(hir) {
                    return vec![Part::Letter(letter)];
                }
            }
            HirKind::Repetition(repetition) if repetition.min == 0 && repetition.max == Some(1) => {
                if let [Part::Letter(letter)] = Part::of(&repetition.sub).as_slice() {
                    return vec![Part::Optional(*letter)];
                }
            }
            HirKind::Alternation(branches) => {
                let words: Option<Vec<_>> = branches.iter().map(|branch| words_from(&Part::all(branch))).collect();
                if let Some(words) = words.map(|words| words.concat()).filter(|words| words.len() <= MAX_WORDS) {
                    return vec![Part::Words(words)];
                }
            }
            HirKind::Capture(capture) => return Part::of(&capture.sub),
            HirKind::Look(look) => {
                let word = matches!(look, Look::WordAscii);
                return vec![Part::Other(Edges {
                    may_be_empty: true,
                    first_apart: true,
                    last_apart: true,
                    starts: word || matches!(look, Look::Start | Look::WordStartAscii | Look::WordStartHalfAscii),
                    ends: word || matches!(look, Look::End | Look::WordEndAscii | Look::WordEndHalfAscii),
                    beyond: false,
                })];
            }
            _ => {}
        }
        vec![Part::Other(Edges::of(Some(hir)))]
    }
}

/// The one-byte literal `byte` as a piece, when it is ASCII (a byte beyond ASCII is part of a
/// character whose class this does not read).
fn hir_of_byte(byte: u8) -> Option<regex_syntax::hir::Hir> {
    byte.is_ascii().then(|| regex_syntax::hir::Hir::literal([byte]))
}

/// The ASCII letter, lower case, that a class of one letter stands for: its ASCII members are
/// the letter in one or both cases (any others are beyond ASCII, which `(?i)` may add).
fn letter_of(hir: &regex_syntax::hir::Hir) -> Option<u8> {
    use regex_syntax::hir::{Class, HirKind};
    let HirKind::Class(Class::Unicode(class)) = hir.kind() else { return None };
    let mut ascii = class
        .iter()
        .filter(|range| range.start().is_ascii())
        .flat_map(|range| (range.start() as u8..=(range.end().min('\x7f') as u8)).collect::<Vec<u8>>());
    let first = ascii.next()?;
    let rest: Vec<u8> = ascii.collect();
    let letter = first.to_ascii_lowercase();
    (first.is_ascii_alphabetic() && rest.iter().all(|byte| byte.to_ascii_lowercase() == letter) && rest.len() <= 1)
        .then_some(letter)
}

/// The characters beyond ASCII that the pattern `hir` lets stand for one of the ASCII letters of
/// a word it spells out (see [`letter_of`]): `(?i)` lets `K` (Kelvin) stand for `k` and `ſ`
/// for `s`. A line that a pattern matches holds the letters of one of the words that
/// [`required_words`] names, in either case, or one of these characters in place of one (see
/// [`WordSets`](super::WordSets)).
/// `None` when there are more than [`MAX_STRAYS`].
pub fn stray_letters(hir: &regex_syntax::hir::Hir) -> Option<Vec<char>> {
    use regex_syntax::hir::{Class, HirKind};
    fn gather(hir: &regex_syntax::hir::Hir, strays: &mut Vec<char>) -> Option<()> {
        match hir.kind() {
            HirKind::Class(Class::Unicode(class)) if letter_of(hir).is_some() => {
                for range in class.iter().filter(|range| !range.end().is_ascii()) {
                    let from = range.start().max('\u{80}');
                    if u32::from(range.end()) - u32::from(from) >= MAX_STRAYS as u32 {
                        return None;
                    }
                    strays.extend(from..=range.end());
                }
            }
            HirKind::Repetition(repetition) => gather(&repetition.sub, strays)?,
            HirKind::Capture(capture) => gather(&capture.sub, strays)?,
            HirKind::Concat(parts) | HirKind::Alternation(parts) => {
                for part in parts {
                    gather(part, strays)?;
                }
            }
            _ => {}
        }
        (strays.len() <= MAX_STRAYS).then_some(())
    }
    let mut strays = Vec::new();
    gather(hir, &mut strays)?;
    Some(strays)
}

/// The most characters [`stray_letters`] lists.
pub const MAX_STRAYS: usize = 64;

/// Classes of more characters than this are taken to hold letters or digits.
const MAX_CLASS_READ: u32 = 4096;

impl Edges {
    /// The edges of any piece (`None`: a byte beyond ASCII, which says nothing).
    fn of(hir: Option<&regex_syntax::hir::Hir>) -> Edges {
        let Some(hir) = hir else {
            return Edges {
                may_be_empty: false,
                first_apart: false,
                last_apart: false,
                starts: false,
                ends: false,
                beyond: false,
            };
        };
        let may_be_empty = hir.properties().minimum_len() == Some(0);
        // A class of letters beyond ASCII only (`(?i)é`).
        let beyond = match hir.kind() {
            regex_syntax::hir::HirKind::Class(regex_syntax::hir::Class::Unicode(class)) => {
                let size: u32 = class.iter().map(|range| u32::from(range.end()) - u32::from(range.start()) + 1).sum();
                size > 0
                    && size <= MAX_CLASS_READ
                    && class
                        .iter()
                        .all(|range| (range.start()..=range.end()).all(|c| !c.is_ascii() && c.is_alphanumeric()))
            }
            _ => false,
        };
        Edges {
            may_be_empty,
            first_apart: apart_at(hir, true),
            last_apart: apart_at(hir, false),
            starts: bounds(hir, false),
            ends: bounds(hir, true),
            beyond,
        }
    }
}

/// Whether every match of `hir` bounds a token that ends before it (`after`) or starts after
/// it: it puts a character that is no letter or digit next to the token, or is the edge of the
/// text or an ASCII word boundary (`(?:\s|,|$)`).
fn bounds(hir: &regex_syntax::hir::Hir, after: bool) -> bool {
    use regex_syntax::hir::{HirKind, Look};
    match hir.kind() {
        HirKind::Look(Look::WordAscii) => true,
        HirKind::Look(look) if after => matches!(look, Look::End | Look::WordEndAscii | Look::WordEndHalfAscii),
        HirKind::Look(look) => matches!(look, Look::Start | Look::WordStartAscii | Look::WordStartHalfAscii),
        HirKind::Capture(capture) => bounds(&capture.sub, after),
        HirKind::Alternation(branches) => branches.iter().all(|branch| {
            bounds(branch, after) || (branch.properties().minimum_len() != Some(0) && apart_at(branch, after))
        }),
        _ => false,
    }
}

/// Whether the first (`first`) or last character of every match of `hir` that has one is no
/// letter or digit.
fn apart_at(hir: &regex_syntax::hir::Hir, first: bool) -> bool {
    use regex_syntax::hir::{Class, HirKind};
    let alphanumeric = |c: char| c.is_alphanumeric();
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(literal) => {
            let text = String::from_utf8_lossy(&literal.0);
            let edge = if first { text.chars().next() } else { text.chars().next_back() };
            edge.is_some_and(|c| c != char::REPLACEMENT_CHARACTER && !alphanumeric(c))
        }
        HirKind::Class(Class::Unicode(class)) => {
            let size: u32 = class.iter().map(|range| u32::from(range.end()) - u32::from(range.start()) + 1).sum();
            size <= MAX_CLASS_READ && class.iter().all(|range| (range.start()..=range.end()).all(|c| !alphanumeric(c)))
        }
        HirKind::Class(Class::Bytes(class)) => class
            .iter()
            .all(|range| (range.start()..=range.end()).all(|byte| byte.is_ascii() && !byte.is_ascii_alphanumeric())),
        HirKind::Repetition(repetition) => apart_at(&repetition.sub, first),
        HirKind::Capture(capture) => apart_at(&capture.sub, first),
        HirKind::Alternation(branches) => branches.iter().all(|branch| apart_at(branch, first)),
        HirKind::Concat(items) => {
            // The edge character comes from the first item (from that edge) that cannot be
            // empty, or from any of the items before it.
            let ordered: Vec<&regex_syntax::hir::Hir> =
                if first { items.iter().collect() } else { items.iter().rev().collect() };
            for item in ordered {
                if !apart_at(item, first) {
                    return false;
                }
                if item.properties().minimum_len() != Some(0) {
                    return true;
                }
            }
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The key of a word of ASCII letters and digits is the folded key, wherever the word
        /// sits in a text and whatever follows it.
        #[test]
        fn alphanumeric_words_are_keyed_as_folded_keys(
            before in "[ .a-zé]{0,3}",
            word in "[a-zA-Z0-9]{1,12}",
            after in "[ .,é]{0,1}[a-z]{0,10}",
        ) {
            let text = format!("{before}{word}{after}");
            let bytes = text.as_bytes();
            proptest::prop_assert_eq!(
                alphanumeric_key_at(bytes, before.len(), word.len()),
                folded_key_at(bytes, before.len(), word.len())
            );
        }

        /// Where the 8 bytes of a run tell its key, it is the folded key of the run as a
        /// decoding of its characters ends it; runs of ASCII letters and digits followed by
        /// an ASCII byte always tell it.
        #[test]
        fn run_keys_are_the_folded_keys_of_the_runs(
            text in "[ -~é\u{2003}Ⅻ½\u{80}]{0,24}",
            from in 0usize..24,
        ) {
            let bytes = text.as_bytes();
            proptest::prop_assume!(text.is_char_boundary(from.min(text.len())));
            let from = from.min(text.len());
            let end = text[from..].find(|c: char| !c.is_alphanumeric()).map_or(text.len(), |at| from + at);
            let tells = bytes.len() >= from + 8
                && (end - from >= 8 || bytes.get(end).is_some_and(u8::is_ascii))
                && bytes[from..end.min(from + 8)].is_ascii();
            match alphanumeric_run_key(bytes, from) {
                Some(key) => proptest::prop_assert_eq!(key, folded_key_at(bytes, from, end - from)),
                None => proptest::prop_assert!(!tells, "{:?} from {}", text, from),
            }
        }
    }

    #[test]
    fn folded_keys_fold_ascii_case_and_blank_what_is_beyond_ascii() {
        for word in ["the", "And", "ZEBRA@[`{", "a1_Z9", "eightch", "longer words"] {
            assert_eq!(folded_key(word.as_bytes()), pack(word.to_ascii_lowercase().as_bytes()), "{word}");
        }
        assert_eq!(folded_key("Über".as_bytes()), folded_key("über".as_bytes()));
        assert_eq!(folded_key("Über".as_bytes()), pack(b"ber") << 16);
        assert_ne!(folded_key(b"bar"), folded_key(b"bat"));
        let text = "Ab Über-Cafés and long words";
        for from in 0..text.len() {
            for to in from..=text.len() {
                let key = folded_key_at(text.as_bytes(), from, to - from);
                assert_eq!(key, folded_key(&text.as_bytes()[from..to]), "{from}..{to}");
            }
        }
    }

    #[test]
    fn required_words_are_the_whole_tokens_a_match_holds() {
        let words = |pattern: &str| {
            let (mut keys, beyond) = required_words(&regex_syntax::parse(pattern).unwrap())?;
            assert!(!beyond, "{pattern}");
            keys.sort_unstable();
            Some(keys)
        };
        let keys = |words: &[&str]| {
            let mut keys: Vec<u64> = words.iter().map(|word| folded_key(word.as_bytes())).collect();
            keys.sort_unstable();
            Some(keys)
        };
        assert_eq!(words(r"(?i)(?-u:\b)copyright(?-u:\b).*"), keys(&["copyrigh"]));
        assert_eq!(words(r"(?i)(?-u:\b)all rights reserved(?-u:\b)"), keys(&["reserved"]));
        assert_eq!(words(r"^[\s*]*\p{Lu}\w+\s+(?:is|ist|es)\s+\w+"), keys(&["is", "ist", "es"]));
        assert_eq!(words(r"^[#*_\s]*(?:\w+\s+){0,5}newsletters?[\s*_]*$"), keys(&["newslett"]));
        assert_eq!(words(r"(?i)^[\s*]*(?:Foto|Bild)\s*:"), keys(&["foto", "bild"]));
        // Letters or digits may come right before or after the word: no whole token.
        assert_eq!(words(r"copyright"), None);
        assert_eq!(words(r"(?-u:\b)rights"), None);
        assert_eq!(words(r"x\s+is\s+y"), keys(&["is"]));
        assert_eq!(words(r"\s+is[a-z]"), None);
        assert_eq!(words(r"\d is\s"), keys(&["is"]));
        assert_eq!(words(r"éis\s"), None);
        // Alternations whose every branch opens with a word; optional letters spelled both ways.
        assert_eq!(words(r"(?i)^\.(?:png|jpe?g|tiff?)\)?$"), keys(&["png", "jpg", "jpeg", "tif", "tiff"]));
        assert_eq!(
            words(r"^\d+\s+(?:(?:comments?|replies)(?:\s+on.*)?|thoughts?\s+on)$"),
            keys(&["comment", "comments", "replies", "thought", "thoughts"])
        );
        assert_eq!(words(r"^(?:privacy policy|terms|imprint)\s*$"), keys(&["privacy", "terms", "imprint"]));
        assert_eq!(words(r"\s(?:(?:new|old)\s+posts?|x)\s"), keys(&["new", "old", "x"]));
        assert_eq!(words(r"\s(?:(?:com|kom)mentare|x)\s"), keys(&["commenta", "kommenta", "x"]));
        // A branch that may go on in letters or digits, or that opens with none, gives no word.
        assert_eq!(words(r"\s(?:comments?|x\d)\s"), None);
        assert_eq!(words(r"\s(?:comment|reply)s\s"), keys(&["comments", "replys"]));
        assert_eq!(words(r"\s(?:comment|reply)s\d"), None);
        assert_eq!(words(r"^(?:\s|,)(?:editor|writer)s?(?:\s|,|$)"), keys(&["editor", "editors", "writer", "writers"]));
        assert_eq!(words(r"(?:\s|^)(?:editor|writer)(?-u:\b)"), keys(&["editor", "writer"]));
        assert_eq!(words(r"(?:\s|x|^)(?:editor|writer)\s"), None);
        assert_eq!(words(r"\s(?:editor|writer)(?:\s|a)"), None);
        assert_eq!(words(r"\s(?:\d+|one)\s"), None);
        assert_eq!(words(r"\s(?:s?|one)\s"), None);
        // A branch whose word holds a letter beyond ASCII is left to the scan, which reports
        // the token beyond ASCII that a line it matches holds.
        let beyond = |pattern: &str| required_words(&regex_syntax::parse(pattern).unwrap());
        let key = |word: &str| folded_key(word.as_bytes());
        assert_eq!(beyond(r"\s(?i:editor|rédacteur)s?\s"), Some((vec![key("editor"), key("editors")], true)));
        assert_eq!(beyond(r"\s(?:editors|rédacteur|éditeur)\s"), Some((vec![key("editors")], true)));
        assert_eq!(beyond(r"\s(?:éditeur|rédacteur)\s"), Some((vec![], true)));
        assert_eq!(beyond(r"\séditeur\s"), None);
        assert_eq!(beyond(r"\s(?:editor|r\x{2019}dacteur)\s"), None);
    }

    #[test]
    fn stray_letters_are_those_beyond_ascii_that_stand_for_a_letter() {
        let strays = |pattern: &str| stray_letters(&regex_syntax::parse(pattern).unwrap());
        assert_eq!(strays(r"(?i)sky"), Some(vec!['ſ', '\u{212A}']));
        assert_eq!(strays(r"copyright (?i:all) [cç]at [a-zé]"), Some(vec!['ç']));
        assert_eq!(strays(r"[a\x{100}-\x{10ffff}]"), None);
    }

    #[test]
    fn a_table_finds_what_was_put_in_it() {
        let mut table = KeyTable::<u32>::default();
        let keys: Vec<u64> = (1..2000u64).map(|k| (2 * k + 1).wrapping_mul(0x1234_5678_9abc_def1)).collect();
        for (i, &key) in keys.iter().enumerate() {
            *table.entry(key) |= i as u32;
        }
        for (i, &key) in keys.iter().enumerate() {
            assert_eq!(table.get(key), Some(&(i as u32)));
        }
        assert_eq!(table.get(2), None);
    }
}
