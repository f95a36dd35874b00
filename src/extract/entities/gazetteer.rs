//! Known names, matched in one Aho-Corasick pass over each kept block.

use foldhash::HashMap;
use std::borrow::Cow;

use aho_corasick::automaton::Automaton;
use aho_corasick::nfa::contiguous;
use aho_corasick::{Anchored, MatchKind};

use super::{Candidate, EntityRule, is_whole_word};
use crate::rules::{RuleError, RuleFile, RuleSource};
use crate::span::Span;

#[derive(Debug, Clone, Copy)]
struct Entry {
    rule: usize,
    priority: i32,
    canonical: usize,
    versioned: bool,
    plural: bool,
}

/// Collects the names of every list rule before the automaton is built. Names are borrowed from
/// the list files wherever they can be.
#[derive(Debug, Default)]
pub struct Builder<'s> {
    surfaces: Vec<Cow<'s, str>>,
    entries: Vec<Entry>,
    index: HashMap<Cow<'s, str>, usize>,
    canonicals: Canonicals,
    canonical_index: HashMap<Cow<'s, str>, usize>,
}

impl<'s> Builder<'s> {
    /// Adds a rule's `list` file and inline `entries`. A name listed by several rules keeps the
    /// entry of the rule with the highest priority (the first one on a tie).
    pub fn add_rule(
        &mut self,
        source: &'s RuleSource,
        file: &RuleFile,
        rule_index: usize,
        rule: &EntityRule,
    ) -> Result<(), RuleError> {
        let mut names: Vec<(Cow<'s, str>, Cow<'s, str>)> = Vec::new();
        if let Some(list) = &rule.list {
            let list = source.list(file, list)?;
            for (surface, canonical) in list.entries()? {
                names.push((Cow::Borrowed(surface), Cow::Borrowed(canonical)));
            }
        }
        for entry in &rule.entries {
            match entry.as_slice() {
                [surface] => names.push((Cow::Owned(surface.clone()), Cow::Owned(surface.clone()))),
                [surface, canonical] => names.push((Cow::Owned(surface.clone()), Cow::Owned(canonical.clone()))),
                _ => {
                    return Err(RuleError::at(
                        file,
                        rule.id.span(),
                        "`entries` items are [surface] or [surface, canonical]",
                    ));
                }
            }
        }
        for (surface, canonical) in names {
            let canonical = self.intern(canonical);
            let entry = Entry {
                rule: rule_index,
                priority: rule.priority,
                canonical,
                versioned: rule.versioned,
                plural: rule.plural,
            };
            match self.index.get(&surface) {
                Some(&existing) if self.entries[existing].priority >= rule.priority => {}
                Some(&existing) => self.entries[existing] = entry,
                None => {
                    self.index.insert(surface.clone(), self.surfaces.len());
                    self.surfaces.push(surface);
                    self.entries.push(entry);
                }
            }
        }
        Ok(())
    }

    fn intern(&mut self, canonical: Cow<'s, str>) -> usize {
        if let Some(&index) = self.canonical_index.get(&canonical) {
            return index;
        }
        let index = self.canonicals.push(&canonical);
        self.canonical_index.insert(canonical, index);
        index
    }

    pub fn build(mut self) -> Gazetteer {
        // Tokenised text splits the final period off an abbreviation (`U.S .`, `N.Y .`): the
        // split form of a dotted abbreviation names the same thing.
        for index in 0..self.surfaces.len() {
            let surface = &self.surfaces[index];
            if let Some(body) = surface.strip_suffix('.').filter(|body| body.contains('.')) {
                let split: Cow<'s, str> = Cow::Owned(format!("{body} ."));
                if !self.index.contains_key(&split) {
                    self.index.insert(split.clone(), self.surfaces.len());
                    self.surfaces.push(split);
                    self.entries.push(self.entries[index]);
                }
            }
        }
        let names = Names::new(&self.surfaces);
        Gazetteer { names, entries: self.entries, canonicals: self.canonicals }
    }
}

/// The canonical names, in one string: tens of thousands of them are built and dropped with a
/// few allocations.
#[derive(Debug, Default)]
struct Canonicals {
    text: String,
    ends: Vec<usize>,
}

impl Canonicals {
    fn push(&mut self, name: &str) -> usize {
        self.text.push_str(name);
        self.ends.push(self.text.len());
        self.ends.len() - 1
    }

    fn get(&self, index: usize) -> &str {
        let start = index.checked_sub(1).map_or(0, |before| self.ends[before]);
        &self.text[start..self.ends[index]]
    }
}

/// Where one of a set of literals (listed names, the words a pattern begins with) may begin,
/// told from the next four bytes: most of a text is lower-case words none begins with, and
/// testing a position against two small bit tables costs a few instructions where a step of the
/// automaton over tens of thousands of names costs thirty.
#[derive(Debug)]
pub(super) struct LiteralStarts {
    /// One bit per pair of bytes that begins a name (every pair after a one-byte name).
    pairs: Vec<u64>,
    /// The pairs that begin a name of fewer than four bytes: no more bytes need checking.
    short: Vec<u64>,
    /// One bit per hash of the first four bytes of a longer name.
    heads: Vec<u64>,
    /// Whether a name is empty: then it begins everywhere.
    everywhere: bool,
}

/// Bits of the hash of a name's first four bytes: 2^17 bits take 16 KiB, a few percent of them
/// set by the distinct heads of the lists.
const HEAD_BITS: u32 = 17;

impl LiteralStarts {
    pub(super) fn new<'n>(names: impl Iterator<Item = &'n [u8]>) -> LiteralStarts {
        let mut starts = LiteralStarts {
            pairs: vec![0; (1 << 16) / 64],
            short: vec![0; (1 << 16) / 64],
            heads: vec![0; (1 << HEAD_BITS) / 64],
            everywhere: false,
        };
        for name in names {
            match *name {
                [] => starts.everywhere = true,
                [first] => {
                    for second in 0..=255u8 {
                        let pair = usize::from(u16::from_le_bytes([first, second]));
                        set(&mut starts.pairs, pair);
                        set(&mut starts.short, pair);
                    }
                }
                [first, second, ..] => {
                    let pair = usize::from(u16::from_le_bytes([first, second]));
                    set(&mut starts.pairs, pair);
                    match name.first_chunk::<4>() {
                        Some(&head) => set(&mut starts.heads, head_hash(u32::from_le_bytes(head))),
                        None => set(&mut starts.short, pair),
                    }
                }
            }
        }
        starts
    }

    /// The first position from `at` on where a name may begin, or the end of `text`. The last
    /// three positions, too short for a test, may always begin one.
    fn next(&self, text: &[u8], mut at: usize) -> usize {
        if self.everywhere {
            return at;
        }
        while let Some(&head) = text.get(at..).and_then(<[u8]>::first_chunk::<4>) {
            if self.head_may_begin(u32::from_le_bytes(head)) {
                return at;
            }
            at += 1;
        }
        at.min(text.len())
    }

    /// Whether a literal may begin at `at`, which lies in `text`; one of the last three
    /// positions always may.
    #[inline]
    pub(super) fn begins(&self, text: &[u8], at: usize) -> bool {
        match text.get(at..).and_then(<[u8]>::first_chunk::<4>) {
            Some(&head) => self.everywhere || self.head_may_begin(u32::from_le_bytes(head)),
            None => true,
        }
    }

    /// Whether a literal may begin with `head`, the next four bytes read as a little-endian word.
    #[inline]
    fn head_may_begin(&self, head: u32) -> bool {
        let pair = (head & 0xffff) as usize;
        is_set(&self.pairs, pair) && (is_set(&self.short, pair) || is_set(&self.heads, head_hash(head)))
    }
}

fn head_hash(head: u32) -> usize {
    (head.wrapping_mul(0x9e37_79b1) >> (32 - HEAD_BITS)) as usize
}

/// Sets bit `index` of a bit table.
pub(super) fn set(bits: &mut [u64], index: usize) {
    bits[index / 64] |= 1 << (index % 64);
}

/// Whether bit `index` of a bit table is set.
pub(super) fn is_set(bits: &[u64], index: usize) -> bool {
    bits[index / 64] >> (index % 64) & 1 == 1
}

/// All listed names, compiled.
#[derive(Debug)]
pub struct Gazetteer {
    names: Names,
    entries: Vec<Entry>,
    canonicals: Canonicals,
}

impl Gazetteer {
    /// Appends the whole-word occurrences of listed names in `region` to `out`.
    pub fn find<'a>(&'a self, text: &'a str, region: Span, out: &mut Vec<Candidate<'a>>) {
        let slice = region.of(text);
        let mut at = 0;
        while let Some((pattern, found)) = self.names.leftmost_longest(slice.as_bytes(), at) {
            // After an empty match the next search begins one byte on, as the automaton's own
            // iterator does.
            at = if found.is_empty() { found.end + 1 } else { found.end };
            let entry = &self.entries[pattern];
            let start = region.start + found.start;
            let mut end = region.start + found.end;
            let rest = &text[end..region.end];
            if entry.versioned {
                end += rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            }
            if entry.plural && text[end..region.end].starts_with('s') {
                end += 1;
            }
            let span = Span::new(start, end);
            if !is_whole_word(text, span) {
                continue;
            }
            out.push(Candidate {
                span,
                rule: entry.rule,
                canonical: Cow::Borrowed(self.canonicals.get(entry.canonical)),
            });
        }
    }
}

/// The listed names' automaton, with the [`LiteralStarts`] that let its search jump ahead.
#[derive(Debug)]
struct Names {
    automaton: contiguous::NFA,
    /// The automaton's unanchored start state, where it is whenever no name has begun.
    start: aho_corasick::automaton::StateID,
    starts: LiteralStarts,
}

impl Names {
    fn new(surfaces: &[impl AsRef<str>]) -> Names {
        let automaton = contiguous::NFA::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(surfaces.iter().map(|surface| surface.as_ref().as_bytes()))
            .expect("gazetteer names fit an automaton");
        let start = automaton.start_state(Anchored::No).expect("the automaton searches unanchored");
        let starts = LiteralStarts::new(surfaces.iter().map(|surface| surface.as_ref().as_bytes()));
        Names { automaton, start, starts }
    }

    /// The leftmost-longest name in `text` from `at` on, as the automaton's own search finds
    /// it, but jumping over the stretches where it would stay in its start state.
    fn leftmost_longest(&self, text: &[u8], at: usize) -> Option<(usize, std::ops::Range<usize>)> {
        let automaton = &self.automaton;
        let mut state = self.start;
        let mut found = None;
        if automaton.is_match(state) {
            found = Some((state, at));
        }
        let mut at = at;
        loop {
            // Only from the start state with nothing found: the search has not begun a name.
            if state == self.start && found.is_none() {
                at = self.starts.next(text, at);
            }
            let Some(&byte) = text.get(at) else {
                break;
            };
            state = automaton.next_state(Anchored::No, state, byte);
            at += 1;
            if automaton.is_special(state) {
                if automaton.is_dead(state) {
                    break;
                }
                if automaton.is_match(state) {
                    found = Some((state, at));
                }
            }
        }
        found.map(|(state, end)| {
            let pattern = automaton.match_pattern(state, 0);
            (pattern.as_usize(), end - automaton.pattern_len(pattern)..end)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_finds_what_the_automatons_own_search_finds() {
        let surfaces = ["Anthropic", "Anthropic Labs", "eBay", "UK", "U.K.", "X", "Banco Santander", "Banco"];
        let names = Names::new(&surfaces);
        let reference =
            aho_corasick::AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(surfaces).unwrap();
        for text in [
            "the UK and eBay, not Anthropic Labs nor X1 here; Banco Santander or Banco S. U.K.",
            "AnthropicAnthropic Labs UKX",
            "plain lower-case words only",
            "",
        ] {
            let mut found = Vec::new();
            let mut at = 0;
            while let Some((pattern, span)) = names.leftmost_longest(text.as_bytes(), at) {
                at = span.end;
                found.push((pattern, span));
            }
            let expected: Vec<_> = reference.find_iter(text).map(|m| (m.pattern().as_usize(), m.range())).collect();
            assert_eq!(found, expected, "{text}");
        }
    }

    #[test]
    fn starts_stop_at_every_name_and_skip_what_begins_none() {
        let names: [&[u8]; 4] = [b"Anthropic", b"eBay", b"UK", b"X"];
        let starts = LiteralStarts::new(names.into_iter());
        let text = b"the UK and eBay, not Anthropics nor X1 here";
        for name in names {
            let at = text.windows(name.len()).position(|window| window == name).unwrap();
            assert_eq!(starts.next(text, at), at, "{}", String::from_utf8_lossy(name));
        }
        // Lower-case words no name begins with are passed over; the last three bytes are kept.
        assert_eq!(starts.next(text, 0), 4);
        assert_eq!(starts.next(b"plain words", 0), b"plain words".len() - 3);
        assert_eq!(LiteralStarts::new([&b""[..]].into_iter()).next(b"plain", 2), 2);
    }
}
