//! Known names, matched leftmost-longest by a trie of the names over each kept block.

use foldhash::HashMap;
use std::borrow::Cow;

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

/// Collects the names of every list rule before their trie is built. Names are borrowed from
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
                // A blank name would begin everywhere and name nothing.
                [surface, ..] if surface.trim().is_empty() => {
                    return Err(RuleError::at(file, rule.id.span(), "an `entries` surface is blank"));
                }
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
/// testing a position against two small bit tables costs a few instructions where a walk into a
/// trie or automaton of tens of thousands of names costs tens.
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
            at = found.end;
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

/// The listed names as a trie, searched from each position where [`LiteralStarts`] lets a name
/// begin: the leftmost position where a name matches, and the longest name there, is the match
/// a leftmost-longest Aho-Corasick automaton finds. Built from the sorted names in one pass per
/// depth, it costs a fraction of such an automaton, whose failure transitions were most of the
/// start-up; the search needs no failure transitions, since the starts keep it from most
/// positions and the walk from a position rarely goes past a word or two.
#[derive(Debug)]
struct Names {
    /// The node each byte leads to from the root, or [`NONE`].
    root: Box<[u32; 256]>,
    /// Every node but the root, the children of each node side by side, in order of their bytes.
    nodes: Vec<Node>,
    /// The child each byte leads to, for the nodes of more than [`DENSE`] children: near the
    /// root, where most walks go, a search through their bytes would cost more than the step.
    dense: Vec<[u32; 256]>,
    starts: LiteralStarts,
}

/// A node of [`Names`]: the name that ends there, and where its children are.
#[derive(Debug, Clone, Copy)]
struct Node {
    /// The index of the name that ends here, or [`NONE`].
    name: u32,
    /// The children are `nodes[first..first + children]`, or, past [`DENSE`] children, those
    /// of `dense[first]`.
    first: u32,
    children: u32,
    /// The byte that leads here: a node's children are read for their bytes side by side, and
    /// the one taken is then in the cache already.
    label: u8,
}

/// No node, no name.
const NONE: u32 = u32::MAX;

/// The most children a node finds by searching their bytes.
const DENSE: u32 = 8;

impl Names {
    fn new(surfaces: &[impl AsRef<str>]) -> Names {
        assert!(surfaces.len() < NONE as usize, "the names fit a u32");
        assert!(surfaces.iter().all(|surface| !surface.as_ref().is_empty()), "rules list no empty name");
        // Sorted, the names through one node lie side by side, in the order of the bytes that
        // follow; a name listed twice keeps its first index, as in the automaton. The first
        // eight bytes, zero-padded, as a big-endian number order two names as their bytes do
        // unless they tie, and settle most comparisons without reading the names.
        let mut keyed: Vec<(u64, &[u8], u32)> = surfaces
            .iter()
            .zip(0..)
            .map(|(surface, index)| {
                let name = surface.as_ref().as_bytes();
                let mut head = [0; 8];
                let len = name.len().min(8);
                head[..len].copy_from_slice(&name[..len]);
                (u64::from_be_bytes(head), name, index)
            })
            .collect();
        keyed.sort_unstable();
        let order: Vec<(&[u8], u32)> = keyed.into_iter().map(|(_, name, index)| (name, index)).collect();
        let mut trie = Names {
            root: Box::new([NONE; 256]),
            nodes: Vec::new(),
            dense: Vec::new(),
            starts: LiteralStarts::new(surfaces.iter().map(|surface| surface.as_ref().as_bytes())),
        };
        // The children of a node are made together, after which the nodes still to grow wait in
        // `pending`, each with the run of `order` whose names go through it, and its depth.
        let mut pending = vec![(None, 0, order.len(), 0)];
        let mut next = 0;
        while let Some(&(node, lo, hi, depth)) = pending.get(next) {
            trie.grow(node, (lo, hi, depth), &order, &mut pending);
            next += 1;
        }
        for node in 0..trie.nodes.len() {
            let Node { first, children, .. } = trie.nodes[node];
            if children > DENSE {
                let mut table = [NONE; 256];
                for child in first..first + children {
                    table[usize::from(trie.nodes[child as usize].label)] = child;
                }
                trie.nodes[node].first = trie.dense.len() as u32;
                trie.dense.push(table);
            }
        }
        trie
    }

    /// Makes the children of `node` (the root when `None`), through which the names of
    /// `order[lo..hi]` go on from `depth`, and records the name that ends at `node`.
    fn grow(
        &mut self,
        node: Option<usize>,
        (mut lo, hi, depth): (usize, usize, usize),
        order: &[(&[u8], u32)],
        pending: &mut Vec<(Option<usize>, usize, usize, usize)>,
    ) {
        // A name that ends here sorts before the longer ones; the first has the lowest index.
        // None ends at the root: no name is empty.
        if let Some(node) = node.filter(|_| lo < hi && order[lo].0.len() == depth) {
            self.nodes[node].name = order[lo].1;
            while lo < hi && order[lo].0.len() == depth {
                lo += 1;
            }
        }
        let first = self.nodes.len();
        let mut runs = Vec::with_capacity(hi - lo);
        while lo < hi {
            let byte = order[lo].0[depth];
            let end = lo + order[lo..hi].partition_point(|(name, _)| name[depth] == byte);
            if node.is_none() {
                self.root[usize::from(byte)] = self.nodes.len() as u32;
            }
            self.nodes.push(Node { name: NONE, first: 0, children: 0, label: byte });
            runs.push((lo, end));
            lo = end;
        }
        if let Some(node) = node {
            self.nodes[node].first = first as u32;
            self.nodes[node].children = (self.nodes.len() - first) as u32;
        }
        for (child, (lo, end)) in (first..).zip(runs) {
            match order[lo..end] {
                // Most nodes lie on the tail of one name: a chain of only children, made at once.
                [(name, index)] => {
                    let mut link = child;
                    for &byte in &name[depth + 1..] {
                        self.nodes[link].first = self.nodes.len() as u32;
                        self.nodes[link].children = 1;
                        link = self.nodes.len();
                        self.nodes.push(Node { name: NONE, first: 0, children: 0, label: byte });
                    }
                    self.nodes[link].name = index;
                }
                _ => pending.push((Some(child), lo, end, depth + 1)),
            }
        }
    }

    /// The leftmost-longest name in `text` from `at` on: its index and where it lies.
    fn leftmost_longest(&self, text: &[u8], at: usize) -> Option<(usize, std::ops::Range<usize>)> {
        let mut at = at;
        while at <= text.len() {
            at = self.starts.next(text, at);
            if let Some((name, end)) = self.longest_at(text, at) {
                return Some((name as usize, at..end));
            }
            at += 1;
        }
        None
    }

    /// The longest name that `text` has at `at`, and where it ends.
    #[inline]
    fn longest_at(&self, text: &[u8], at: usize) -> Option<(u32, usize)> {
        let mut found = None;
        let &byte = text.get(at)?;
        let mut node = self.root[usize::from(byte)];
        let mut end = at + 1;
        while node != NONE {
            let Node { name, first, children, .. } = self.nodes[node as usize];
            if name != NONE {
                found = Some((name, end));
            }
            let Some(&byte) = text.get(end) else { break };
            node = if children > DENSE {
                self.dense[first as usize][usize::from(byte)]
            } else {
                let siblings = &self.nodes[first as usize..(first + children) as usize];
                match siblings.iter().position(|sibling| sibling.label >= byte) {
                    Some(child) if siblings[child].label == byte => first + child as u32,
                    _ => NONE,
                }
            };
            end += 1;
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::MatchKind;

    #[test]
    fn the_search_finds_what_the_automatons_own_search_finds() {
        let surfaces = ["Anthropic", "Anthropic Labs", "eBay", "UK", "U.K.", "X", "Banco Santander", "Banco"];
        let names = Names::new(&surfaces);
        for text in [
            "the UK and eBay, not Anthropic Labs nor X1 here; Banco Santander or Banco S. U.K.",
            "AnthropicAnthropic Labs UKX",
            "plain lower-case words only",
            "",
        ] {
            assert_eq!(all_matches(&names, text), automaton_matches(&surfaces, text), "{text}");
        }
    }

    /// Every match of a leftmost-longest Aho-Corasick automaton of `surfaces`, which the trie
    /// stands in for.
    fn automaton_matches(surfaces: &[impl AsRef<str>], text: &str) -> Vec<(usize, std::ops::Range<usize>)> {
        let surfaces = surfaces.iter().map(AsRef::as_ref);
        let automaton = aho_corasick::AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(surfaces);
        automaton.unwrap().find_iter(text).map(|m| (m.pattern().as_usize(), m.range())).collect()
    }

    /// Every match, as [`Gazetteer::find`] walks them.
    fn all_matches(names: &Names, text: &str) -> Vec<(usize, std::ops::Range<usize>)> {
        let mut found = Vec::new();
        let mut at = 0;
        while let Some((pattern, span)) = names.leftmost_longest(text.as_bytes(), at) {
            at = span.end;
            found.push((pattern, span));
        }
        found
    }

    proptest::proptest! {
        #[test]
        fn the_trie_finds_what_a_leftmost_longest_automaton_finds(
            // Few letters, so that names share prefixes, are prefixes of each other, repeat, and
            // overlap in the text; names shorter than four bytes take the starts' short path.
            surfaces in proptest::collection::vec("[aAb .é]{1,7}|X[a-lA .é]{0,4}", 1..40),
            text in "[aAb .éxX]{0,80}|(?:X[a-m]{1,3} ){0,12}",
        ) {
            let names = Names::new(&surfaces);
            proptest::prop_assert_eq!(all_matches(&names, &text), automaton_matches(&surfaces, &text));
        }
    }

    #[test]
    fn a_node_of_many_children_finds_each_of_them() {
        let surfaces: Vec<String> = ('a'..='z').map(|letter| format!("X{letter}")).chain(["Xylo".into()]).collect();
        let names = Names::new(&surfaces);
        assert_eq!(names.dense.len(), 1, "the node of `X` looks its children up");
        let text = "Xa Xb Xylophone Xz X Xé xa";
        let expected = automaton_matches(&surfaces, text);
        assert_eq!(all_matches(&names, text), expected);
        assert_eq!(expected.len(), 4);
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
