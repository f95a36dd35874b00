//! Known names, matched leftmost-longest by a trie of the names from the word starts of each kept
//! block.

use foldhash::HashMap;
use std::borrow::Cow;

use super::scan::Bits;
use super::{Candidate, EntityRule, begins_word, ends_word};
use crate::chars::ByteRanges;
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
/// testing a position against a few small bit tables costs a few instructions where a walk into a
/// trie or automaton of tens of thousands of names costs tens.
#[derive(Debug)]
pub(super) struct LiteralStarts {
    /// One bit per pair of bytes that begins a name (every pair after a one-byte name). The
    /// tables are arrays, not vectors, so that the tests made at every byte of a text need no
    /// bounds check: a pair or a hash always indexes them.
    pairs: Box<[u64; PAIR_WORDS]>,
    /// The pairs that begin a name of fewer than four bytes. Whether such a name begins is
    /// then settled by `shortest`, or by the third byte in `threes`; a longer name that the pair
    /// begins too is still asked of its head.
    short: Box<[u64; PAIR_WORDS]>,
    /// The pairs that begin a name of one or two bytes: no more bytes need checking.
    shortest: Box<[u64; PAIR_WORDS]>,
    /// One bit per hash of a name of three bytes. A pair that begins one begins common words
    /// too (`an ` and `and`, `any`): the third byte turns most of them away.
    threes: Box<[u64; PAIR_WORDS]>,
    /// One bit per hash of the first four bytes of a longer name.
    heads: Box<[u64; HEAD_WORDS]>,
    /// Whether a name is empty: then it begins everywhere.
    everywhere: bool,
}

/// The heads of names of four bytes or more, read to six bytes where a name has them. Four
/// bytes let through the capitalised words of a text that begin a listed name's first word
/// (`Deut`, `Inte`, `Ener`) and the article of `the Americas`, and each took a walk of four or
/// five bytes into the trie; six bytes stop half of those walks. The words a pattern begins
/// with are few and short (`the` and a white space): they are spared the second test.
#[derive(Debug)]
struct SixByteHeads {
    /// One bit per hash of the first four bytes of a name of four or five bytes, and per hash
    /// (another one) of the first six bytes of a longer name.
    heads: Box<[u64; SIX_WORDS]>,
}

/// Bits of the hash of a name's first four bytes: 2^17 bits take 16 KiB, a few percent of them
/// set by the distinct heads of the lists.
const HEAD_BITS: u32 = 17;

/// Bits of the hashes of [`SixByteHeads`]: twice as many heads as of four bytes.
const SIX_BITS: u32 = 19;

/// The words of a bit table of every pair of bytes, and of every head hash.
const PAIR_WORDS: usize = (1 << 16) / 64;
const HEAD_WORDS: usize = (1 << HEAD_BITS) / 64;
const SIX_WORDS: usize = (1 << SIX_BITS) / 64;

/// The bytes of eight read as a little-endian word that the hash of a long name's head takes.
const SIX_BYTES: u64 = (1 << 48) - 1;

impl LiteralStarts {
    pub(super) fn new<'n>(names: impl Iterator<Item = &'n [u8]>) -> LiteralStarts {
        let mut starts = LiteralStarts {
            pairs: Box::new([0; PAIR_WORDS]),
            short: Box::new([0; PAIR_WORDS]),
            shortest: Box::new([0; PAIR_WORDS]),
            threes: Box::new([0; PAIR_WORDS]),
            heads: Box::new([0; HEAD_WORDS]),
            everywhere: false,
        };
        for name in names {
            match *name {
                [] => starts.everywhere = true,
                [first] => {
                    for second in 0..=255u8 {
                        let pair = usize::from(u16::from_le_bytes([first, second]));
                        set(&mut *starts.pairs, pair);
                        set(&mut *starts.short, pair);
                        set(&mut *starts.shortest, pair);
                    }
                }
                [first, second] => {
                    let pair = usize::from(u16::from_le_bytes([first, second]));
                    set(&mut *starts.pairs, pair);
                    set(&mut *starts.short, pair);
                    set(&mut *starts.shortest, pair);
                }
                [first, second, third] => {
                    let pair = usize::from(u16::from_le_bytes([first, second]));
                    set(&mut *starts.pairs, pair);
                    set(&mut *starts.short, pair);
                    set(&mut *starts.threes, three_hash(u32::from_le_bytes([first, second, third, 0])));
                }
                [first, second, third, fourth, ..] => {
                    set(&mut *starts.pairs, usize::from(u16::from_le_bytes([first, second])));
                    set(&mut *starts.heads, head_hash(u32::from_le_bytes([first, second, third, fourth])));
                }
            }
        }
        starts
    }

    /// Whether a literal may begin at `at`, which lies in `text`; one of the last three
    /// positions always may.
    #[inline]
    pub(super) fn begins(&self, text: &[u8], at: usize) -> bool {
        self.begins_and(text, at, |_| true)
    }

    /// [`LiteralStarts::begins`], where a position that the first four bytes of a literal of
    /// four or more let through is asked of `longer` too, with the text from there.
    #[inline]
    pub(super) fn begins_and(&self, text: &[u8], at: usize, longer: impl Fn(&[u8]) -> bool) -> bool {
        let Some(&head) = text.get(at..).and_then(<[u8]>::first_chunk::<4>) else {
            return true;
        };
        let head = u32::from_le_bytes(head);
        let pair = (head & 0xffff) as usize;
        let short = || {
            is_set(&*self.short, pair)
                && (is_set(&*self.shortest, pair) || is_set(&*self.threes, three_hash(head & 0xff_ffff)))
        };
        self.everywhere
            || (is_set(&*self.pairs, pair)
                && (short() || (is_set(&*self.heads, head_hash(head)) && longer(&text[at..]))))
    }
}

impl SixByteHeads {
    fn new<'n>(names: impl Iterator<Item = &'n [u8]>) -> SixByteHeads {
        let mut heads = Box::new([0; SIX_WORDS]);
        for name in names {
            if let Some(head) = name.first_chunk::<6>() {
                let mut word = [0; 8];
                word[..6].copy_from_slice(head);
                set(&mut *heads, six_hash(u64::from_le_bytes(word)));
            } else if let Some(&head) = name.first_chunk::<4>() {
                set(&mut *heads, four_hash(u32::from_le_bytes(head)));
            }
        }
        SixByteHeads { heads }
    }

    /// Whether a name of four bytes or more may begin `rest`, which has four bytes or more.
    #[inline]
    fn may_begin(&self, rest: &[u8]) -> bool {
        // Near the end, zeros stand for the bytes past it: a name of six bytes or more begins
        // only where six are left, and then its head is read whole.
        let mut head = [0; 8];
        match rest.first_chunk::<8>() {
            Some(&eight) => head = eight,
            None => head[..rest.len()].copy_from_slice(rest),
        }
        let head = u64::from_le_bytes(head);
        is_set(&*self.heads, four_hash(head as u32)) || is_set(&*self.heads, six_hash(head & SIX_BYTES))
    }
}

/// The hash of a name of three bytes, read as the low bytes of a little-endian word.
fn three_hash(three: u32) -> usize {
    (three.wrapping_mul(0x9e37_79b1) >> 16) as usize
}

fn head_hash(head: u32) -> usize {
    (head.wrapping_mul(0x9e37_79b1) >> (32 - HEAD_BITS)) as usize
}

/// The hashes of [`SixByteHeads`]: of four bytes, and of six zero-extended.
fn four_hash(head: u32) -> usize {
    (head.wrapping_mul(0x85eb_ca6b) >> (32 - SIX_BITS)) as usize
}

fn six_hash(head: u64) -> usize {
    (head.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - SIX_BITS)) as usize
}

/// Sets bit `index` of a bit table.
pub(super) fn set(bits: &mut [u64], index: usize) {
    bits[index / 64] |= 1 << (index % 64);
}

/// Whether bit `index` of a bit table is set.
#[inline]
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
    /// The ASCII bytes other than letters and digits that a name begins with, which the scan
    /// of word starts (see [`super::scan::WordScan`]) takes in too.
    pub(super) fn other_firsts(&self) -> Option<&ByteRanges> {
        self.names.other_firsts.as_ref()
    }

    /// Appends the whole-word occurrences of listed names in `region` to `out`; `starts` are
    /// the region's candidate name starts.
    pub(super) fn find<'a>(&'a self, text: &'a str, region: Span, mut starts: Bits, out: &mut Vec<Candidate<'a>>) {
        let mut at = region.start;
        while let Some((pattern, found)) = self.names.leftmost_longest(text, region, &mut starts, at) {
            at = found.end;
            let entry = &self.entries[pattern];
            let start = found.start;
            let mut end = found.end;
            let rest = &text[end..region.end];
            if entry.versioned {
                end += rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            }
            if entry.plural && text[end..region.end].starts_with('s') {
                end += 1;
            }
            // The search begins names only where a word may begin: only the end is left to ask.
            debug_assert!(begins_word(text, start));
            if !ends_word(text, end) {
                continue;
            }
            let span = Span::new(start, end);
            out.push(Candidate {
                span,
                rule: entry.rule,
                canonical: Cow::Borrowed(self.canonicals.get(entry.canonical)),
            });
        }
    }
}

/// The listed names as a trie, searched from each position where a whole word may begin (the
/// character before it is no letter or digit) and [`LiteralStarts`] lets a name begin: the
/// leftmost such position where a name matches, and the longest name there. A name that begins
/// inside a word is never a whole word, so it is not looked for: found, it would hide the whole
/// words it overlaps (`America` in `XBank of America`). Built from the sorted names in one pass,
/// the trie costs a fraction of an Aho-Corasick automaton, whose failure transitions were most
/// of the start-up; the search needs no failure transitions, since the starts keep it from most
/// positions and the walk from a position rarely goes past a word or two.
///
/// The walk is bound by memory, not by instructions, so the trie is packed to stay in cache: its
/// nodes are records in one byte string, each node's subtree right after it (depth first), so a
/// name's bytes lie together; the tail that only one name goes through is one record of its
/// bytes, not a node per byte; and the bytes are numbered by the few the names use, so the table
/// of a node of many children has an entry per such byte, not per byte value.
#[derive(Debug)]
struct Names {
    /// Where the node each byte leads to from the root begins in `trie`, or [`NONE`].
    root: Box<[u32; 256]>,
    /// The class of each byte: 0 for a byte that no name has past its first, else its rank among
    /// those that names do (at most 243: UTF-8 has no 0xc0, 0xc1 nor 0xf5 to 0xff).
    classes: [u8; 256],
    /// How many classes there are past 0: the entries of a table.
    width: usize,
    /// The nodes, each at an offset that a parent or `root` holds. A node is the name that ends
    /// there (or [`NONE`]) and a header, as little-endian `u32`s, and then: past [`TAIL`], the
    /// header's low bits are the length of the bytes that follow, the rest of the only name on
    /// from here; past [`TABLE`], `width` child offsets follow, one per class; else the header is
    /// the number of children, whose classes (ascending) follow as bytes and then their offsets.
    trie: Vec<u8>,
    starts: LiteralStarts,
    /// The second test of the positions that `starts` lets through.
    six: SixByteHeads,
    /// The ASCII bytes other than letters and digits that begin a name, as a few ranges, if
    /// any do (in most rules none): with the letters, digits and bytes beyond ASCII, the bytes
    /// at which the scan of word starts lets a name begin, a sixth of the positions of a text.
    other_firsts: Option<ByteRanges>,
}

/// How many ranges of bytes [`Names::other_firsts`] tests.
const OTHER_FIRST_RANGES: usize = 2;

/// No node, no name.
const NONE: u32 = u32::MAX;

/// The header bit of a node that is the tail of one name.
const TAIL: u32 = 1 << 31;

/// The header bit of a node that finds its children in a table.
const TABLE: u32 = 1 << 30;

/// The most children a node finds by searching their classes.
const SEARCHED: usize = 8;

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
        let mut first = [false; 256];
        let mut classes = [0; 256];
        for (name, _) in &order {
            first[usize::from(name[0])] = true;
            for &byte in &name[1..] {
                classes[usize::from(byte)] = 1;
            }
        }
        let other_first = |byte: u8| byte.is_ascii() && !byte.is_ascii_alphanumeric() && first[usize::from(byte)];
        let mut width = 0;
        for class in &mut classes {
            if *class != 0 {
                width += 1;
                *class = width as u8;
            }
        }
        let bytes: usize = order.iter().map(|(name, _)| name.len()).sum();
        let mut trie = Names {
            root: Box::new([NONE; 256]),
            classes,
            width,
            trie: Vec::with_capacity(bytes + 8 * order.len()),
            starts: LiteralStarts::new(surfaces.iter().map(|surface| surface.as_ref().as_bytes())),
            six: SixByteHeads::new(surfaces.iter().map(|surface| surface.as_ref().as_bytes())),
            other_firsts: (0..0x80u8).any(other_first).then(|| ByteRanges::covering(OTHER_FIRST_RANGES, other_first)),
        };
        // Each node still to make waits in `pending` with the run of `order` whose names go
        // through it, the number of bytes that lead to it, and where its offset goes: a node's
        // children are pushed in reverse order, so the first is made next, depth first.
        let mut pending = Vec::new();
        trie.push_children(None, 0, order.len(), 0, &order, &mut pending);
        while let Some((slot, lo, hi, depth)) = pending.pop() {
            let at = trie.trie.len() as u32;
            match slot {
                Slot::Root(byte) => trie.root[usize::from(byte)] = at,
                Slot::At(slot) => trie.trie[slot..slot + 4].copy_from_slice(&at.to_le_bytes()),
            }
            trie.grow(lo, hi, depth, &order, &mut pending);
        }
        assert!(trie.trie.len() < NONE as usize, "the offsets fit a u32");
        trie
    }

    /// Makes the node through which the names of `order[lo..hi]` go on from `depth`, and leaves
    /// its children in `pending`.
    fn grow(&mut self, mut lo: usize, hi: usize, depth: usize, order: &[(&[u8], u32)], pending: &mut Vec<Pending>) {
        // Most nodes lie on the tail of one name: the tail is made at once.
        if let [(name, index)] = order[lo..hi] {
            let tail = &name[depth..];
            self.push_word(index);
            self.push_word(TAIL | tail.len() as u32);
            self.trie.extend_from_slice(tail);
            return;
        }
        // A name that ends here sorts before the longer ones; the first has the lowest index.
        let mut name = NONE;
        if order[lo].0.len() == depth {
            name = order[lo].1;
            while lo < hi && order[lo].0.len() == depth {
                lo += 1;
            }
        }
        self.push_word(name);
        let header = self.trie.len();
        self.push_word(0);
        self.push_children(Some(header), lo, hi, depth, order, pending);
    }

    /// Lays out the children of a node whose header is at `header` (the root's when `None`),
    /// through which the names of `order[lo..hi]` go on from `depth`, and leaves them in
    /// `pending` with the place of their offsets.
    fn push_children(
        &mut self,
        header: Option<usize>,
        mut lo: usize,
        hi: usize,
        depth: usize,
        order: &[(&[u8], u32)],
        pending: &mut Vec<Pending>,
    ) {
        let first = pending.len();
        while lo < hi {
            let byte = order[lo].0[depth];
            let end = lo + order[lo..hi].partition_point(|(name, _)| name[depth] == byte);
            pending.push((Slot::Root(byte), lo, end, depth + 1));
            lo = end;
        }
        let children = &mut pending[first..];
        let class = |&(_, lo, _, _): &Pending| self.classes[usize::from(order[lo].0[depth])];
        match header {
            None => {}
            Some(header) if children.len() > SEARCHED => {
                self.trie[header..header + 4].copy_from_slice(&TABLE.to_le_bytes());
                let table = self.trie.len();
                for child in children.iter_mut() {
                    child.0 = Slot::At(table + 4 * (usize::from(class(child)) - 1));
                }
                self.trie.resize(table + 4 * self.width, 0xff);
            }
            Some(header) => {
                self.trie[header..header + 4].copy_from_slice(&(children.len() as u32).to_le_bytes());
                self.trie.extend(children.iter().map(class));
                let offsets = self.trie.len();
                for (slot, child) in (offsets..).step_by(4).zip(children.iter_mut()) {
                    child.0 = Slot::At(slot);
                }
                self.trie.resize(offsets + 4 * children.len(), 0xff);
            }
        }
        children.reverse();
    }

    fn push_word(&mut self, word: u32) {
        self.trie.extend_from_slice(&word.to_le_bytes());
    }

    /// The little-endian `u32` at `at` in the trie.
    #[inline]
    fn word(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.trie[at..at + 4].try_into().expect("four bytes"))
    }

    /// The leftmost-longest name that begins a whole word in `region` of `text` from `at` on,
    /// tried at the candidate `starts` of the region that [`LiteralStarts`] lets a name begin
    /// at: its index and where it lies.
    fn leftmost_longest(
        &self,
        text: &str,
        region: Span,
        starts: &mut Bits,
        at: usize,
    ) -> Option<(usize, std::ops::Range<usize>)> {
        let bytes = &text.as_bytes()[..region.end];
        starts.skip_to(at - region.start);
        for start in starts {
            let at = region.start + start;
            if self.starts.begins_and(bytes, at, |rest| self.six.may_begin(rest))
                && after_boundary(text, at)
                && let Some((name, end)) = self.longest_at(bytes, at)
            {
                return Some((name as usize, at..end));
            }
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
            let node_at = node as usize;
            let (name, header) = (self.word(node_at), self.word(node_at + 4));
            let rest = node_at + 8;
            if header & TAIL != 0 {
                let tail = &self.trie[rest..rest + (header & !TAIL) as usize];
                if text[end..].starts_with(tail) {
                    found = Some((name, end + tail.len()));
                }
                break;
            }
            if name != NONE {
                found = Some((name, end));
            }
            let Some(&byte) = text.get(end) else { break };
            let class = self.classes[usize::from(byte)];
            if class == 0 {
                break;
            }
            node = if header & TABLE != 0 {
                self.word(rest + 4 * (usize::from(class) - 1))
            } else {
                let children = header as usize;
                let classes = &self.trie[rest..rest + children];
                match classes.iter().position(|&sibling| sibling >= class) {
                    Some(child) if classes[child] == class => self.word(rest + children + 4 * child),
                    _ => NONE,
                }
            };
            end += 1;
        }
        found
    }
}

/// Whether `at`, which follows no ASCII letter or digit, begins a character and a word (see
/// [`begins_word`]): only a character beyond ASCII before it is left to ask.
fn after_boundary(text: &str, at: usize) -> bool {
    match at.checked_sub(1).map(|before| text.as_bytes()[before]) {
        Some(before) if !before.is_ascii() => text.is_char_boundary(at) && begins_word(text, at),
        _ => true,
    }
}

/// Where the offset of a node still to be made goes: `root`'s entry for a byte, or a place in
/// the trie.
#[derive(Debug, Clone, Copy)]
enum Slot {
    Root(u8),
    At(usize),
}

/// A node still to be made: where its offset goes, the run of the sorted names through it, and
/// the number of bytes that lead to it.
type Pending = (Slot, usize, usize, usize);

#[cfg(test)]
mod tests {
    use super::super::scan::WordScan;
    use super::*;

    #[test]
    fn the_search_finds_the_names_that_begin_whole_words() {
        let surfaces = ["Anthropic", "Anthropic Labs", "eBay", "UK", "U.K.", "X", "Banco Santander", "Banco"];
        let names = Names::new(&surfaces);
        for text in [
            "the UK and eBay, not Anthropic Labs nor X1 here; Banco Santander or Banco S. U.K.",
            "AnthropicAnthropic Labs UKX",
            "“UK” éUK 1UK _UK Ⅻ UK ½UK 中UK —UK",
            "plain lower-case words only",
            "",
        ] {
            assert_eq!(all_matches(&names, text), plain_matches(&surfaces, text), "{text}");
        }
    }

    #[test]
    fn a_name_inside_a_word_hides_no_whole_word_it_overlaps() {
        let names = Names::new(&["Bank of America", "America"]);
        assert_eq!(all_matches(&names, "XBank of America fell"), [(1, 9..16)]);
        assert_eq!(all_matches(&names, "X Bank of America fell"), [(0, 2..17)]);
    }

    /// The leftmost-longest name at the positions where a whole word may begin, found by
    /// trying each name at each such position: what the trie stands in for.
    fn plain_matches(surfaces: &[impl AsRef<str>], text: &str) -> Vec<(usize, std::ops::Range<usize>)> {
        let mut found = Vec::new();
        let mut at = 0;
        while let Some((pattern, span)) = (at..text.len())
            .filter(|&at| text.is_char_boundary(at))
            .filter(|&at| text[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric()))
            .find_map(|at| {
                // The longest name here; of names listed twice, the first.
                let here = surfaces.iter().enumerate().filter(|(_, name)| text[at..].starts_with(name.as_ref()));
                let (pattern, name) =
                    here.min_by_key(|&(index, name)| (std::cmp::Reverse(name.as_ref().len()), index))?;
                Some((pattern, at..at + name.as_ref().len()))
            })
        {
            at = span.end;
            found.push((pattern, span));
        }
        found
    }

    /// Every match, as [`Gazetteer::find`] walks them.
    fn all_matches(names: &Names, text: &str) -> Vec<(usize, std::ops::Range<usize>)> {
        let region = Span::new(0, text.len());
        let scan = WordScan::new(text, &[region], names.other_firsts.as_ref());
        let mut starts = scan.names(0);
        let mut found = Vec::new();
        let mut at = 0;
        while let Some((pattern, span)) = names.leftmost_longest(text, region, &mut starts, at) {
            at = span.end;
            found.push((pattern, span));
        }
        found
    }

    proptest::proptest! {
        #[test]
        fn the_trie_finds_what_trying_every_name_at_every_word_finds(
            // Few letters, so that names share prefixes, are prefixes of each other, repeat, and
            // overlap in the text; names shorter than four bytes take the starts' short path.
            // The `Y…` names spread over many classes, and the tables of their nodes with them.
            surfaces in proptest::collection::vec("[aAb .é]{1,7}|X[a-lA .é]{0,4}|Y[!-~]{1,2}", 1..40),
            // Letters, digits and marks within and beyond ASCII glue words or part them, in
            // texts longer than a few times sixteen bytes too.
            text in "[aAb .é“1½_-]{0,80}|(?:[xX1 éaA“][a-m]{1,3} ){0,12}|(?:Y[!-~]{1,3} ){0,12}",
        ) {
            let names = Names::new(&surfaces);
            proptest::prop_assert_eq!(all_matches(&names, &text), plain_matches(&surfaces, &text));
        }

        /// Names of every length around the four and six bytes the tables read, in texts that
        /// end right after them or go on: wherever a name begins, the starts let it.
        #[test]
        fn a_name_begins_wherever_the_starts_say_it_may(
            names in proptest::collection::vec(proptest::collection::vec(proptest::sample::select(b"ab A\0\xc3".to_vec()), 1..9), 1..12),
            // Each name given, then a byte (or none): the text may end right after a name.
            pieces in proptest::collection::vec((0usize..12, proptest::option::of(proptest::sample::select(b"ab A\0\xc3".to_vec()))), 0..8),
        ) {
            let starts = LiteralStarts::new(names.iter().map(Vec::as_slice));
            let six = SixByteHeads::new(names.iter().map(Vec::as_slice));
            let mut text = Vec::new();
            for (name, after) in pieces {
                text.extend_from_slice(&names[name % names.len()]);
                text.extend(after);
            }
            for at in 0..=text.len() {
                if names.iter().any(|name| text[at..].starts_with(name)) {
                    proptest::prop_assert!(starts.begins(&text, at), "{:?} at {}", text, at);
                    proptest::prop_assert!(starts.begins_and(&text, at, |rest| six.may_begin(rest)), "{:?} at {}", text, at);
                }
            }
        }

    }

    #[test]
    fn six_bytes_tell_a_word_from_a_name_that_shares_its_first_four() {
        let names = ["Deutsche Bank", "Info", "the Americas"];
        let starts = LiteralStarts::new(names.iter().map(|name| name.as_bytes()));
        let six = SixByteHeads::new(names.iter().map(|name| name.as_bytes()));
        for (text, may_begin) in [
            ("Deutsche Bank", true),
            ("Deutlich ", false),
            ("Information ", true),
            ("the Americas", true),
            ("the market ", false),
            // Near the end: six bytes left may begin a long name, four cannot.
            ("Deutsc", true),
            ("Deut", false),
        ] {
            assert!(starts.begins(text.as_bytes(), 0), "{text}: the first four bytes let it through");
            assert_eq!(starts.begins_and(text.as_bytes(), 0, |rest| six.may_begin(rest)), may_begin, "{text}");
        }
    }

    #[test]
    fn a_node_of_many_children_finds_each_of_them() {
        // Every printable ASCII byte after `X`: the first and the last class have their entries.
        let surfaces: Vec<String> = ('!'..='~').map(|letter| format!("X{letter}")).chain(["Xylo".into()]).collect();
        let names = Names::new(&surfaces);
        let header = names.word(names.root[usize::from(b'X')] as usize + 4);
        assert_eq!(header, TABLE, "the node of `X` looks its children up");
        let text = "Xa Xb Xylophone Xz X Xé xa X! X~ X}";
        let expected = plain_matches(&surfaces, text);
        assert_eq!(all_matches(&names, text), expected);
        assert_eq!(expected.len(), 7);
    }
}
