//! Cheap necessary conditions for a rule's regex, derived from the pattern itself, so that the
//! regex runs only on text it could match: the boilerplate stage asks them of each line, the
//! entities stage of each block.
//!
//! Most lines are prose and most patterns fail on them at once, yet a regex call costs about as
//! much as scanning a short line, and a line meets some twenty patterns. A pattern anchored at the
//! start (`^…`) can only match text whose first byte may begin a match: `^[\s*_#>]*by\s+…` never
//! matches a line starting with `T`; likewise at the end (`…$`) with the last byte. The sets of
//! such bytes are worked out from the parsed pattern and are never smaller than the regex needs:
//! zero-width assertions are passed over, and a class lets in every byte that may start (or end)
//! one of its characters.
//!
//! Many patterns, anchored or not, also need one of a few literals somewhere in the text: every
//! match of `(?:19|20)[0-9]{2}.{0,40}©` holds `©`, every match of a photo credit holds `Foto`,
//! `Credit`, `©`… A search for those literals (memchr or Aho-Corasick, both vectorised) costs a
//! fraction of the regex call on the many lines that hold none of them.

use aho_corasick::{AhoCorasick, MatchKind};
use memchr::memmem;
use regex_syntax::hir::{Class, Hir, HirKind, Look};

#[cfg(target_arch = "x86_64")]
use crate::chars::wide_first_marked;
use crate::chars::{equal_bytes, first_marked};

/// What a line must show for one pattern to be tried on it.
#[derive(Debug, Clone)]
pub struct Gate {
    /// For a pattern anchored at the start that cannot match the empty string: the bytes a
    /// match may start with, one bit per byte.
    first_bytes: Option<[u64; 4]>,
    /// For a pattern anchored at the end that cannot match the empty string: the bytes a match
    /// may end with. Prose lines end in a full stop, which few anchored patterns end with.
    last_bytes: Option<[u64; 4]>,
    /// Literals one of which every match holds.
    required: Option<Required>,
    /// The literals `required` looks for.
    literals: Vec<Vec<u8>>,
}

#[derive(Debug, Clone)]
enum Required {
    One(Box<memmem::Finder<'static>>),
    /// Several literals: the automaton looks for them in a whole text, and the search by their
    /// key bytes, when they have few, in a line (and in a whole text too when it searches by
    /// last bytes, which the automaton cannot).
    Any(AhoCorasick, Option<Leads>),
}

/// Literals searched by a few marks (`/`, `|`, `·`, `•`) and tried where one is found. An
/// automaton's call costs more than a short line takes to read sixteen bytes at a time, but over
/// a whole document its vectorised search, twice as wide, is the cheaper one, unless it stops
/// too often: see [`Leads::key`].
#[derive(Debug, Clone)]
struct Leads {
    /// The distinct key bytes of the literals, the first repeated to fill the four.
    bytes: [u8; 4],
    /// The literals, in the order a leftmost-first automaton prefers them.
    literals: Vec<Vec<u8>>,
    /// Which byte of each literal the search looks for.
    key: Key,
}

/// The byte of a literal that [`Leads`] looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    First,
    /// When every literal is one character: its last byte. The first byte of a character
    /// beyond ASCII (0xC2 of `·`, 0xE2 of `•`) also leads the non-breaking spaces, quotes and
    /// dashes of scraped text, at which a search by first bytes (or an automaton's) stops;
    /// the last byte tells characters apart. In UTF-8 text an occurrence of a character is
    /// that whole character, so occurrences do not overlap and come in the same order by
    /// their ends as by their starts.
    LastOfCharacter,
}

impl Leads {
    /// The search for `literals` by their key bytes (the last when each is one character), when
    /// they have at most four distinct ones and none is an ASCII letter, digit or white space:
    /// prose is full of those, and a search would stop at every few bytes.
    fn of(literals: &[Vec<u8>]) -> Option<Leads> {
        let one_character =
            |literal: &Vec<u8>| std::str::from_utf8(literal).is_ok_and(|text| text.chars().count() == 1);
        let key = if literals.iter().all(one_character) { Key::LastOfCharacter } else { Key::First };
        let mut distinct: Vec<u8> = Vec::new();
        for literal in literals {
            let &byte = match key {
                Key::First => literal.first()?,
                Key::LastOfCharacter => literal.last()?,
            };
            if byte.is_ascii_alphanumeric() || byte.is_ascii_whitespace() {
                return None;
            }
            if !distinct.contains(&byte) {
                distinct.push(byte);
            }
        }
        let &[first, ..] = distinct.as_slice() else { return None };
        if distinct.len() > 4 {
            return None;
        }
        distinct.resize(4, first);
        Some(Leads { bytes: distinct.try_into().ok()?, literals: literals.to_vec(), key })
    }

    /// The first occurrence of a literal in `text` at or after byte `from`: the leftmost, and of
    /// those that start there the first in order, as a leftmost-first automaton finds it.
    fn find(&self, text: &str, from: usize) -> Option<std::ops::Range<usize>> {
        self.find_by(text, from, |bytes, at| first_marked(bytes, at, |chunk| self.marks(chunk)))
    }

    /// [`find`](Self::find) over a whole text: thirty-two bytes at a time with AVX2, half the
    /// steps of sixteen, which pays on the long runs between marks of a document; the few
    /// bytes of a line take sixteen at a time.
    fn find_in_text(&self, text: &str, from: usize) -> Option<std::ops::Range<usize>> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2.
            return unsafe { self.wide_find(text, from) };
        }
        self.find(text, from)
    }

    /// [`find_in_text`](Self::find_in_text) with AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn wide_find(&self, text: &str, from: usize) -> Option<std::ops::Range<usize>> {
        self.find_by(text, from, |bytes, at| {
            wide_first_marked(bytes, at, |chunk| self.wide_marks(chunk), |chunk| self.marks(chunk))
        })
    }

    /// [`find`](Self::find) with `first_key` for the search for the next key byte at or after
    /// a place.
    #[inline(always)]
    fn find_by(
        &self,
        text: &str,
        from: usize,
        first_key: impl Fn(&[u8], usize) -> Option<usize>,
    ) -> Option<std::ops::Range<usize>> {
        let bytes = text.as_bytes();
        let mut at = from;
        while let Some(key) = first_key(bytes, at) {
            let found = match self.key {
                Key::First => self
                    .literals
                    .iter()
                    .find(|literal| bytes[key..].starts_with(literal))
                    .map(|literal| key..key + literal.len()),
                Key::LastOfCharacter => self
                    .literals
                    .iter()
                    .find(|literal| key + 1 >= from + literal.len() && bytes[..=key].ends_with(literal))
                    .map(|literal| key + 1 - literal.len()..key + 1),
            };
            if found.is_some() {
                return found;
            }
            at = key + 1;
        }
        None
    }

    /// The bytes of `chunk` that are one of the key bytes, one bit each.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn marks(&self, chunk: &[u8; 16]) -> u32 {
        use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
        // SAFETY: SSE2 is part of every x86-64 processor (the baseline the target is compiled
        // for), and the unaligned load reads the sixteen bytes of `chunk`, no more.
        unsafe {
            let bytes = _mm_loadu_si128(chunk.as_ptr().cast());
            let equal = |index: usize| _mm_cmpeq_epi8(bytes, _mm_set1_epi8(self.bytes[index] as i8));
            let any = _mm_or_si128(_mm_or_si128(equal(0), equal(1)), _mm_or_si128(equal(2), equal(3)));
            _mm_movemask_epi8(any) as u32
        }
    }

    /// [`marks`](Self::marks) of 32 bytes with AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    #[inline]
    fn wide_marks(&self, chunk: &[u8; 32]) -> u32 {
        use std::arch::x86_64::{
            _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8,
        };
        // SAFETY: the unaligned load reads the 32 bytes of `chunk`, no more.
        let bytes = unsafe { _mm256_loadu_si256(chunk.as_ptr().cast()) };
        let equal = |index: usize| _mm256_cmpeq_epi8(bytes, _mm256_set1_epi8(self.bytes[index] as i8));
        let any = _mm256_or_si256(_mm256_or_si256(equal(0), equal(1)), _mm256_or_si256(equal(2), equal(3)));
        _mm256_movemask_epi8(any) as u32
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn marks(&self, chunk: &[u8; 16]) -> u32 {
        self.marks_by_byte(chunk)
    }

    /// [`marks`](Self::marks) a byte at a time.
    #[cfg(any(test, not(target_arch = "x86_64")))]
    fn marks_by_byte(&self, chunk: &[u8; 16]) -> u32 {
        (0..16).filter(|&index| self.bytes.contains(&chunk[index])).fold(0, |mask, index| mask | 1 << index)
    }
}

/// At most this many literals are looked for; a class of more characters gives none.
const MAX_LITERALS: usize = 32;

impl Gate {
    /// The gate of `pattern`; one that lets every line through when the pattern does not parse
    /// here (the regex compiler reports the error).
    pub fn new(pattern: &str) -> Gate {
        match regex_syntax::parse(pattern) {
            Ok(hir) => Gate::of(&hir),
            Err(_) => Gate { first_bytes: None, last_bytes: None, required: None, literals: Vec::new() },
        }
    }

    /// The gate of a pattern parsed as `hir`.
    pub fn of(hir: &Hir) -> Gate {
        let properties = hir.properties();
        let edge_set = |anchored: bool, edge: Edge| {
            anchored
                .then(|| {
                    let mut set = [0u64; 4];
                    (!edge_bytes(hir, edge, &mut set)).then_some(set)
                })
                .flatten()
        };
        let first_bytes = edge_set(properties.look_set_prefix().contains(Look::Start), Edge::First);
        let last_bytes = edge_set(properties.look_set_suffix().contains(Look::End), Edge::Last);
        let literals = required(hir).filter(|literals| worth_a_search(literals)).unwrap_or_default();
        let required = match literals.as_slice() {
            [] => None,
            [one] => Some(Required::One(Box::new(memmem::Finder::new(one).into_owned()))),
            // Leftmost-first lets the automaton use its vectorised prefilter (Teddy), which the
            // standard semantics rule out; whether a line has a match is the same.
            _ => AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostFirst)
                .build(&literals)
                .ok()
                .map(|automaton| Required::Any(automaton, Leads::of(&literals))),
        };
        let literals = if required.is_some() { literals } else { Vec::new() };
        Gate { first_bytes, last_bytes, required, literals }
    }

    /// The literals one of which the gate asks a line for (none when it asks for none): a caller
    /// that searches a whole text for them at once asks [`admits_edges`](Self::admits_edges) of a
    /// line instead of [`admits`](Self::admits).
    pub fn literals(&self) -> &[Vec<u8>] {
        &self.literals
    }

    /// Where the first occurrence of one of its [`literals`](Self::literals) at or after byte
    /// `from` of `text` is, found as the gate finds them in a line.
    pub fn find_literal(&self, text: &str, from: usize) -> Option<std::ops::Range<usize>> {
        match &self.required {
            Some(Required::One(finder)) => {
                let start = from + finder.find(&text.as_bytes()[from..])?;
                Some(start..start + finder.needle().len())
            }
            Some(Required::Any(_, Some(leads))) if leads.key == Key::LastOfCharacter => leads.find_in_text(text, from),
            Some(Required::Any(automaton, _)) => {
                automaton.find(aho_corasick::Input::new(text).span(from..text.len())).map(|found| found.range())
            }
            None => None,
        }
    }

    /// Whether [`find_literal`](Self::find_literal) scans for a few bytes (one byte, or the last
    /// bytes of marks) rather than running a substring search or an automaton: a caller that
    /// looks for the literals of several gates in one text joins the latter into one search,
    /// and leaves the scans, which cost less than a stop in a joint search at their many bytes.
    pub fn scans_for_bytes(&self) -> bool {
        match &self.required {
            Some(Required::One(finder)) => finder.needle().len() == 1,
            Some(Required::Any(_, Some(leads))) => leads.key == Key::LastOfCharacter,
            _ => false,
        }
    }

    /// Whether the pattern may match `line` as far as its first and last bytes tell.
    pub fn admits_edges(&self, line: &str) -> bool {
        match (line.as_bytes().first(), line.as_bytes().last()) {
            (Some(&first), Some(&last)) => self.may_start_with(first) && self.may_end_with(last),
            _ => self.first_bytes.is_none() && self.last_bytes.is_none(),
        }
    }

    /// Whether the pattern may match a text that starts with `byte`, as far as its first bytes
    /// tell: a caller can file the answers for every byte in a table.
    pub fn may_start_with(&self, byte: u8) -> bool {
        self.first_bytes.is_none_or(|set| has_byte(&set, byte))
    }

    /// Whether the pattern may match a text that ends with `byte`, as far as its last bytes tell.
    pub fn may_end_with(&self, byte: u8) -> bool {
        self.last_bytes.is_none_or(|set| has_byte(&set, byte))
    }

    /// Whether the pattern may match `line` as far as its first and last bytes and its literals tell.
    pub fn admits(&self, line: &str) -> bool {
        self.admits_edges(line)
            && match &self.required {
                // A line is short: a byte is looked for in place, where the call to a search
                // costs more than the read.
                Some(Required::One(finder)) => match *finder.needle() {
                    [byte] => first_marked(line.as_bytes(), 0, |chunk| equal_bytes(chunk, byte)).is_some(),
                    _ => finder.find(line.as_bytes()).is_some(),
                },
                Some(Required::Any(_, Some(leads))) => leads.find(line, 0).is_some(),
                Some(Required::Any(automaton, None)) => automaton.is_match(line),
                None => true,
            }
    }
}

/// Literals (as UTF-8 bytes) one of which every match of `hir` holds, if there are a few such;
/// never a set a match could do without: any part of a sequence is required, each branch of an
/// alternation must give its own, and a part that may be left out or matched empty gives none.
fn required(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let mut literals = match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => return None,
        HirKind::Literal(literal) => vec![literal.0.to_vec()],
        HirKind::Class(Class::Unicode(class)) => {
            let size: u32 = class.iter().map(|range| u32::from(range.end()) - u32::from(range.start()) + 1).sum();
            if size as usize > MAX_LITERALS {
                return None;
            }
            class.iter().flat_map(|range| range.start()..=range.end()).map(|c| c.to_string().into_bytes()).collect()
        }
        HirKind::Class(Class::Bytes(class)) => {
            let size: usize = class.iter().map(|range| usize::from(range.end() - range.start()) + 1).sum();
            if size > MAX_LITERALS {
                return None;
            }
            class.iter().flat_map(|range| range.start()..=range.end()).map(|byte| vec![byte]).collect()
        }
        HirKind::Repetition(repetition) if repetition.min > 0 => required(&repetition.sub)?,
        HirKind::Repetition(_) => return None,
        HirKind::Capture(capture) => required(&capture.sub)?,
        // The part whose literals are worth a search, the longest, then the fewest, is the
        // cheapest to look for and the likeliest to be missing from a line.
        HirKind::Concat(parts) => parts
            .iter()
            .filter_map(required)
            .max_by_key(|literals| (worth_a_search(literals), shortest(literals), std::cmp::Reverse(literals.len())))?,
        HirKind::Alternation(branches) => branches.iter().map(required).collect::<Option<Vec<_>>>()?.concat(),
    };
    literals.sort_unstable();
    literals.dedup();
    (literals.len() <= MAX_LITERALS).then_some(literals)
}

fn shortest(literals: &[Vec<u8>]) -> usize {
    literals.iter().map(Vec::len).min().unwrap_or(0)
}

/// Letters, digits and spaces are in nearly every line, and so are short words (`is`, `of`): a
/// search for them would refuse next to nothing. Longer literals and marks (`|`, `/`, `©`) are
/// worth looking for.
fn worth_a_search(literals: &[Vec<u8>]) -> bool {
    !literals.is_empty()
        && literals.iter().all(|literal| {
            literal.len() >= 3
                || literal.iter().any(|byte| !byte.is_ascii_alphanumeric() && !byte.is_ascii_whitespace())
        })
}

/// The bytes a match of `hir` may start with, one bit per byte (see `edge_bytes`); `None` when
/// it may match the empty string.
pub fn first_bytes(hir: &Hir) -> Option<[u64; 4]> {
    let mut set = [0u64; 4];
    (!edge_bytes(hir, Edge::First, &mut set)).then_some(set)
}

/// Whether `byte` is in `set`, a set of the 256 byte values, one bit each.
pub fn has_byte(set: &[u64; 4], byte: u8) -> bool {
    set[usize::from(byte >> 6)] >> (byte & 63) & 1 == 1
}

/// Puts `byte` in `set` (see [`has_byte`]).
pub fn add_byte(set: &mut [u64; 4], byte: u8) {
    set[usize::from(byte >> 6)] |= 1 << (byte & 63);
}

fn add_bytes(set: &mut [u64; 4], from: u8, to: u8) {
    for byte in from..=to {
        add_byte(set, byte);
    }
}

/// Which end of a match [`edge_bytes`] looks at.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Edge {
    First,
    Last,
}

/// Adds to `set` every byte that may start (`Edge::First`) or end (`Edge::Last`) a match of
/// `hir`; returns whether `hir` may match the empty string (then what follows it, or precedes
/// it, may start or end the match too). Zero-width assertions are passed over, which only ever
/// lets more bytes in.
fn edge_bytes(hir: &Hir, edge: Edge, set: &mut [u64; 4]) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(literal) => {
            let byte = match edge {
                Edge::First => literal.0.first(),
                Edge::Last => literal.0.last(),
            };
            match byte {
                Some(&byte) => {
                    add_byte(set, byte);
                    false
                }
                None => true,
            }
        }
        HirKind::Class(Class::Unicode(class)) => {
            for range in class.iter() {
                match edge {
                    // The first byte of a character's UTF-8 form grows with the character, so a
                    // range of characters starts with the bytes between those of its ends.
                    Edge::First => {
                        let lead = |c: char| c.encode_utf8(&mut [0; 4]).as_bytes()[0];
                        add_bytes(set, lead(range.start()), lead(range.end()));
                    }
                    // A character beyond ASCII ends with a continuation byte.
                    Edge::Last => {
                        if range.start().is_ascii() {
                            add_bytes(set, range.start() as u8, range.end().min('\x7f') as u8);
                        }
                        if !range.end().is_ascii() {
                            add_bytes(set, 0x80, 0xbf);
                        }
                    }
                }
            }
            false
        }
        HirKind::Class(Class::Bytes(class)) => {
            for range in class.iter() {
                add_bytes(set, range.start(), range.end());
            }
            false
        }
        HirKind::Repetition(repetition) => edge_bytes(&repetition.sub, edge, set) || repetition.min == 0,
        HirKind::Capture(capture) => edge_bytes(&capture.sub, edge, set),
        HirKind::Concat(parts) => match edge {
            Edge::First => parts.iter().all(|part| edge_bytes(part, edge, set)),
            Edge::Last => parts.iter().rev().all(|part| edge_bytes(part, edge, set)),
        },
        HirKind::Alternation(branches) => {
            branches.iter().fold(false, |nullable, branch| edge_bytes(branch, edge, set) | nullable)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchored_patterns_need_a_possible_first_byte() {
        let gate = Gate::new(r"^[\s*_#>]*(?i:by|posted by)\s+\p{Lu}");
        assert!(gate.admits("By Ann Lee"));
        assert!(gate.admits("**posted by Ann"));
        assert!(!gate.admits("The port reopened."));
        // `(?i)k` also matches the Kelvin sign, whose first byte the gate lets in.
        assert!(Gate::new(r"(?i)^k").admits("\u{212A}"));
        assert!(!Gate::new(r"(?i)^k").admits("x"));
    }

    #[test]
    fn patterns_not_anchored_or_matching_nothing_let_every_line_through() {
        assert!(Gate::new(r"^\s*$").admits("x"));
        assert!(Gate::new(r"\w.{0,60}(?:19|20)[0-9]{2}").admits("x"));
        assert!(Gate::new(r"^(?:a|\b)x?y?").admits("z"));
    }

    #[test]
    fn lines_without_a_required_literal_are_refused() {
        let gate = Gate::new(r"(?:19|20)[0-9]{2}.{0,40}©");
        assert!(gate.admits("Text 2024 © Harbor Media"));
        assert!(!gate.admits("Founded in 2024 by Harbor Media"));
        let gate = Gate::new(r"^(?:\S+\s+){3}.*(?:©|(?:Foto|Credit)\s*:)\s*\w+$");
        assert!(gate.admits("The pier at dawn. Credit: Ann Lee"));
        assert!(!gate.admits("The pier at dawn, seen from the ferry"));
        // Nothing is required of an optional part, and a letter is not worth a search.
        assert!(Gate::new(r"a(?:©)?").required.is_none());
        assert!(Gate::new(r"(?i)a©|b").required.is_none());
        assert!(Gate::new(r"x[|/]y").required.is_some());
    }

    #[test]
    fn patterns_anchored_at_the_end_need_a_possible_last_byte() {
        let gate = Gate::new(r"(?i)^(?:name|e-?mail|website)\s*\*?\s*:?$");
        assert!(gate.admits("Name *"));
        assert!(gate.admits("E-Mail:"));
        assert!(!gate.admits("Name your price."));
        assert!(Gate::new(r"^a\S*é$").admits("aé"));
        assert!(Gate::new(r"x(?:y|)$").admits("x"));
        assert!(Gate::new(r"^x?$").last_bytes.is_none());
    }

    #[test]
    fn the_gate_never_refuses_a_line_the_pattern_matches() {
        let patterns = [
            r"^(?:\S+\s+){3}.*©\s*\w+$",
            r"(?i)^[\s*_|>-]*\d{1,2}:\d{2}\s*$",
            r"^(?:x?y|z)",
            r"^\p{Lu}\w+",
            r"(?:19|20)[0-9]{2}.{0,40}©",
            r"\w+\s*[|•·/]\s*\w+",
            r"(?i)copyright|(?:Foto|Bild)\s*:",
            r"(?i)^(?:[^\s!\[]\S*)?\.(?:png|jpe?g)\)?$",
            r"^\w+\s*[|•]\s*\w+\s*$",
            r"(?i)^(?:x|ab)k?$",
        ];
        let lines = [
            "one two three four © Ann",
            "  12:30 ",
            "y",
            "z",
            "ab",
            "1:2",
            "© x",
            "Élan",
            "Ωmega",
            "2026 ©",
            "News • Sport",
            "a/b",
            "COPYRIGHT",
            "Bild: x",
            "x.PNG)",
            "a.jpeg",
            "News • Sport",
            "Él | Ça",
            "abK",
            "x\u{212A}",
        ];
        for pattern in patterns {
            let (gate, regex) = (Gate::new(pattern), regex::Regex::new(pattern).unwrap());
            for line in lines {
                assert!(!regex.is_match(line) || gate.admits(line), "{pattern} on {line}");
            }
        }
    }

    #[test]
    fn lines_are_searched_for_literals_led_or_ended_by_marks_by_those_bytes() {
        assert!(matches!(
            Gate::new(r"\w+\s*[|•·/]\s*\w+").required,
            Some(Required::Any(_, Some(Leads { key: Key::LastOfCharacter, .. })))
        ));
        // A mark of one byte is its own last byte.
        assert!(matches!(
            Gate::new(r"x[|/]y").required,
            Some(Required::Any(_, Some(Leads { key: Key::LastOfCharacter, .. })))
        ));
        // Letters lead most bytes of prose, and more than four bytes take more than one look.
        assert!(matches!(Gate::new(r"(?:Foto|Bild)\s*:").required, Some(Required::Any(_, None))));
        assert!(matches!(Gate::new(r"x[|/!?#]y").required, Some(Required::Any(_, None))));
    }

    proptest::proptest! {
        /// Texts of the marks, of their first bytes alone, and of what lies between, across
        /// sixteen-byte chunks.
        #[test]
        fn leads_find_what_a_leftmost_first_automaton_finds(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "/", "|", "·", "•", "//", "\u{b7}", "\u{2022}", "\u{2019}", "é", "a", " ", "prose and more ",
                ]),
                0..24,
            ),
            from in 0usize..64,
        ) {
            let text = pieces.concat();
            let from = from.min(text.len());
            // With `|/` the literals are searched by their first bytes; each a single character,
            // by their last.
            for (literals, key) in [(["/", "|/", "|", "·", "•"].as_slice(), Key::First), (&["/", "|", "·", "•"], Key::LastOfCharacter)] {
                let literals: Vec<Vec<u8>> = literals.iter().map(|literal| literal.as_bytes().to_vec()).collect();
                let leads = Leads::of(&literals).unwrap();
                proptest::prop_assert_eq!(leads.key, key);
                let automaton = AhoCorasick::builder().match_kind(MatchKind::LeftmostFirst).build(&literals).unwrap();
                let expected = automaton.find(aho_corasick::Input::new(&text).span(from..text.len())).map(|found| found.range());
                proptest::prop_assert_eq!(leads.find(&text, from), expected.clone());
                proptest::prop_assert_eq!(leads.find_in_text(&text, from), expected);
            }
        }

        #[cfg(target_arch = "x86_64")]
        #[test]
        fn wide_lead_marks_are_found_as_a_byte_at_a_time(chunk in proptest::array::uniform32(proptest::num::u8::ANY)) {
            proptest::prop_assume!(std::arch::is_x86_feature_detected!("avx2"));
            let leads = Leads::of(&[b"/".to_vec(), b"|".to_vec(), "·".as_bytes().to_vec()]).unwrap();
            let half = |index: usize| leads.marks_by_byte(chunk[index * 16..][..16].try_into().unwrap());
            // SAFETY: the processor has AVX2.
            let wide = unsafe { leads.wide_marks(&chunk) };
            proptest::prop_assert_eq!(wide, half(0) | half(1) << 16);
        }

        /// Lines across sixteen-byte chunks, with the one byte a gate asks for or without.
        #[test]
        fn a_gate_of_one_byte_admits_the_lines_that_hold_it(
            pieces in proptest::collection::vec(proptest::sample::select(vec![".", "a", " ", "é", "words and more "]), 0..24)
        ) {
            let line = pieces.concat();
            proptest::prop_assert_eq!(Gate::new(r"[a-z]\.[a-z]").admits(&line), line.contains('.'), "{:?}", line);
        }

        #[test]
        fn lead_marks_are_found_as_a_byte_at_a_time(chunk in proptest::array::uniform16(proptest::num::u8::ANY)) {
            let leads = Leads::of(&[b"/".to_vec(), b"|".to_vec(), "·".as_bytes().to_vec()]).unwrap();
            proptest::prop_assert_eq!(leads.marks(&chunk), leads.marks_by_byte(&chunk));
        }
    }
}
