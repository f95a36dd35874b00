//! Claims: the sentences (or parts of sentences) that assert something checkable or
//! consequential, with their kinds, hedges, speaker and a check-worthiness score.
//!
//! Units come from the kept text's sentences (see the `units` module). Each unit is read by the cue rules
//! of `rules/claims/`, each a list of `phrases` (ASCII case-insensitive, whole words) and/or
//! `patterns`, or a `feature` of the unit (it holds a money figure, or at least `min_entities`
//! entities, is a step of an `→` chain, has between `min_words` and `max_words` words, or sits in a
//! paragraph of at least `min_sentences` sentences). A cue
//! rule has a `role`:
//!
//! - `cue`: marks the unit with its `kind` (if any) and adds its `weight` (negative for cues of
//!   the speaker's own stance) to the score;
//! - `hedge`: records the words it matched in `hedges` and adds its `weight`;
//! - `attribution`: a pattern whose `speaker` group names who makes the claim; `refers_back`
//!   lists speakers (`he`, `the company`) that name the last entity of a type before the unit;
//! - `veto`: the unit is never a claim (questions, greetings, calls to action, datelines).
//!
//! All units of a paragraph are read before any is scored, so that direct speech without a
//! speaker takes the speaker of the quotation it belongs to (see `carry_attribution`).
//!
//! The score is `1 / (1 + e^-(bias + Σ weights))` over the rules that fired, each counted once;
//! the unit is a claim when the score reaches `threshold` and it has at least `min_words` words
//! with a letter (both set in `[scoring]`, where the fitting of the weights is described). The
//! claim's `rule` is the cue rule that contributed most; `cues` lists every rule that fired.

mod literals;
mod narrow;
mod units;

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

use regex_automata::{Input, PatternID, meta};
use regex_syntax::hir::{Hir, HirKind};

use crate::chars::{self, ByteRanges};
use crate::record::{Attribution, ClaimItem, ClaimKind, EntityItem, EntityType, MoneyItem};
use crate::rules::{
    self, Catalogue, Family, PhraseHit, PhraseSet, PhraseSetBuilder, Position, RuleError, RuleSource, ascii_boundary,
    rule_table,
};
use crate::segment::Segmenter;
use crate::span::Span;

use self::units::{Unit, WordCount};

rule_table! {
    /// A `[[rule]]` in `rules/claims/`: one cue.
    pub struct ClaimRule {
        #[serde(default)]
        pub role: Role,
        /// The kind of claim this cue marks.
        #[serde(default)]
        pub kind: Option<ClaimKind>,
        /// Added to the score when the rule fires.
        #[serde(default)]
        pub weight: f32,
        /// Phrases looked for in the unit, ASCII case-insensitively, as whole words.
        #[serde(default)]
        pub phrases: Vec<String>,
        /// Where a phrase must sit in the unit.
        #[serde(default)]
        pub position: Position,
        /// Regexes tried on the unit. Attribution patterns need a `speaker` group.
        #[serde(default)]
        pub patterns: Vec<toml::Spanned<String>>,
        /// A property of the unit instead of phrases or patterns.
        #[serde(default)]
        pub feature: Option<Feature>,
        /// For attribution rules: words that are never a speaker on their own (pronouns); one
        /// that is also in `refers_back` names its referent when there is one.
        #[serde(default)]
        pub not_speakers: Vec<String>,
        /// For attribution rules: speakers that refer back to the last entity of a type before
        /// them (`he` to a PERSON, `the company` to an ORG), lower case.
        #[serde(default)]
        pub refers_back: BTreeMap<String, EntityType>,
        /// For the `entity` feature: the fewest entities the unit must hold.
        #[serde(default)]
        pub min_entities: Option<usize>,
        /// For the `word-count` feature: the fewest words the unit may have.
        #[serde(default)]
        pub min_words: Option<usize>,
        /// For the `word-count` feature: the most words the unit may have.
        #[serde(default)]
        pub max_words: Option<usize>,
        /// For the `paragraph` feature: the fewest sentences the unit's paragraph must hold.
        #[serde(default)]
        pub min_sentences: Option<usize>,
    }
}

/// What a cue rule does when it fires.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    #[default]
    Cue,
    Hedge,
    Attribution,
    Veto,
}

/// Properties of a unit that cue rules can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Feature {
    /// The unit holds a money figure.
    Money,
    /// The unit holds at least `min_entities` named entities (one when left out).
    Entity,
    /// The unit is one step of an `→` chain.
    ArrowChain,
    /// The unit has between `min_words` and `max_words` words (either bound may be left out).
    WordCount,
    /// The unit's paragraph (block of kept lines) holds at least `min_sentences` sentences.
    Paragraph,
}

/// The `[scoring]` table.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scoring {
    pub bias: f32,
    pub threshold: f32,
    pub min_words: usize,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimsFile {
    #[serde(default)]
    rule: Vec<ClaimRule>,
    #[serde(default)]
    scoring: Option<Scoring>,
}

#[derive(Debug)]
struct Compiled {
    id: String,
    role: Role,
    kind: Option<ClaimKind>,
    /// The rule's kind as a bit of a set over the extractor's `kinds`; 0 for a rule without one.
    kind_bit: u32,
    weight: f32,
    patterns: Vec<Pattern>,
    /// This rule's patterns among all patterns of the extractor.
    columns: Columns,
    feature: Option<Feature>,
    not_speakers: Vec<String>,
    refers_back: BTreeMap<String, EntityType>,
    min_entities: usize,
    words: std::ops::RangeInclusive<usize>,
    min_sentences: usize,
}

/// One regex of a cue rule.
#[derive(Debug)]
struct Pattern {
    regexes: Regexes,
    /// Where the `speaker` group is, for attribution patterns (the same in both regexes).
    speaker: usize,
}

/// The regexes of a pattern.
#[derive(Debug)]
enum Regexes {
    /// The pattern has no narrowed copy (see [`narrow`]): its whole regex serves every text.
    Whole(meta::Regex),
    /// The regex cut down to the characters of most text, and the whole regex for the rest.
    /// Only the narrowed copy is built at start-up: it is many times cheaper to build, and the
    /// whole regex of a pattern over Unicode classes is needed only once text beyond those
    /// characters is read, which many runs never do. The narrowed copy building tells that the
    /// pattern is sound: a pattern that parses fails to build only by the size limit, which
    /// the narrowed copy, the smaller one, meets. Should the whole regex not meet it, the
    /// narrowed copy serves every text.
    Narrowed { narrow: Searcher, source: String, whole: OnceLock<Option<Searcher>> },
}

/// A pattern (whole or narrowed) compiled: a regex, or for a pattern read for its groups (an
/// attribution), the searcher of [`narrow::Groups`], which costs less to build and to search.
#[derive(Debug)]
enum Searcher {
    Regex(meta::Regex),
    Groups(Box<narrow::Groups>),
}

impl Searcher {
    /// `hir` compiled as rule regexes are (see [`narrow::regex`]), to be read for its groups
    /// when `groups`; `None` when it does not build.
    fn new(hir: &Hir, groups: bool) -> Option<Searcher> {
        let searcher = groups.then(|| narrow::Groups::new(hir)).flatten();
        searcher.map(|groups| Searcher::Groups(Box::new(groups))).or_else(|| narrow::regex(hir).map(Searcher::Regex))
    }

    fn engine(&self) -> Engine<'_> {
        match self {
            Searcher::Regex(regex) => Engine::Meta(regex),
            Searcher::Groups(groups) => Engine::Groups(groups),
        }
    }

    fn group_info(&self) -> &regex_automata::util::captures::GroupInfo {
        match self {
            Searcher::Regex(regex) => regex.group_info(),
            Searcher::Groups(groups) => groups.group_info(),
        }
    }
}

impl Pattern {
    /// The regex to run on a haystack: the narrowed one when the haystack is narrow. Of its
    /// caches in `slots`, the ones of that regex (the whole one, when a pattern has no other).
    fn regex<'p, 's>(&'p self, narrow_haystack: bool, slots: &'s mut Slots) -> (Engine<'p>, &'s mut Caches) {
        let [narrow_caches, whole_caches] = &mut slots.0;
        match &self.regexes {
            Regexes::Whole(regex) => (Engine::Meta(regex), whole_caches),
            Regexes::Narrowed { narrow, .. } if narrow_haystack => (narrow.engine(), narrow_caches),
            Regexes::Narrowed { narrow, source, whole } => {
                let groups = matches!(narrow, Searcher::Groups(_));
                let whole = whole.get_or_init(|| Searcher::new(&regex_syntax::parse(source).ok()?, groups));
                (whole.as_ref().unwrap_or(narrow).engine(), whole_caches)
            }
        }
    }
}

/// The regex of `pattern` (of `file`), parsed as `hir`, built as [`rules::compile_regex`] builds
/// it but as the regex it wraps, whose searches take a cache (see [`Slots`]); the error that
/// function gives when it does not build.
fn whole_regex(file: &rules::RuleFile, pattern: &toml::Spanned<String>, hir: &Hir) -> Result<meta::Regex, RuleError> {
    narrow::regex(hir).ok_or_else(|| match rules::compile_regex(file, pattern) {
        Err(error) => error,
        Ok(_) => RuleError::at(file, pattern.span(), "bad regex: it does not build from its parsed form"),
    })
}

/// The number of the group named `name` in the parsed pattern `hir`, as the regex numbers it.
fn group_number(hir: &Hir, name: &str) -> Option<usize> {
    match hir.kind() {
        HirKind::Capture(capture) if capture.name.as_deref() == Some(name) => Some(capture.index as usize),
        HirKind::Capture(capture) => group_number(&capture.sub, name),
        HirKind::Repetition(repetition) => group_number(&repetition.sub, name),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().find_map(|sub| group_number(sub, name)),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => None,
    }
}

/// The compiled pattern chosen for a haystack: a regex (whole or narrowed), or a searcher for
/// groups (see [`Searcher`]).
#[derive(Debug, Clone, Copy)]
enum Engine<'r> {
    Meta(&'r meta::Regex),
    Groups(&'r narrow::Groups),
}

impl Engine<'_> {
    /// The first match in `haystack` at or after `from`, as `regex::Regex::find_at` finds it.
    fn find_at(self, caches: &mut Caches, haystack: &str, from: usize) -> Option<(usize, usize)> {
        match self {
            Engine::Meta(regex) => regex
                .search_with(caches.cache(regex), &Input::new(haystack).span(from..haystack.len()))
                .map(|m| (m.start(), m.end())),
            Engine::Groups(groups) => groups.search(haystack, from, 0).map(|(found, _)| found),
        }
    }

    fn is_match(self, caches: &mut Caches, haystack: &str) -> bool {
        match self {
            Engine::Meta(regex) => regex.is_match_with(caches.cache(regex), &Input::new(haystack)),
            Engine::Groups(groups) => groups.is_match(haystack),
        }
    }

    /// Where group `group` of the first match in `haystack` is: `None` when there is no match,
    /// `Some(None)` when the group took no part in it.
    fn group(self, caches: &mut Caches, haystack: &str, group: usize) -> Option<Option<(usize, usize)>> {
        match self {
            Engine::Meta(regex) => {
                let Caches { cache, groups } = caches;
                let cache = cache.get_or_insert_with(|| regex.create_cache());
                let groups = groups.get_or_insert_with(|| regex.create_captures());
                regex.search_captures_with(cache, &Input::new(haystack), groups);
                groups.is_match().then(|| groups.get_group(group).map(|span| (span.start, span.end)))
            }
            Engine::Groups(groups) => groups.search(haystack, 0, group).map(|(_, group)| group),
        }
    }
}

/// The caches of one pattern's regexes, its narrowed one and its whole one (see
/// [`Pattern::regex`]), kept with a document's buffers: a regex's own pool hands its cache out
/// and takes it back at every search, which, over the short units searched, cost more than a
/// cache at hand.
#[derive(Debug, Default)]
struct Slots([Caches; 2]);

/// What a search of one regex needs, made at its first search instead of at every search.
#[derive(Debug, Default)]
struct Caches {
    cache: Option<meta::Cache>,
    groups: Option<regex_automata::util::captures::Captures>,
}

impl Caches {
    /// The cache of `regex`, the regex these caches serve.
    fn cache(&mut self, regex: &meta::Regex) -> &mut meta::Cache {
        self.cache.get_or_insert_with(|| regex.create_cache())
    }
}

/// The claim extractor, compiled from `rules/claims/`.
#[derive(Debug)]
pub struct ClaimExtractor {
    rules: Vec<Compiled>,
    /// The rules with a feature, so that a unit visits no other.
    with_feature: Vec<usize>,
    /// Per pattern (by number): its rule and its place among the rule's patterns.
    pattern_owners: Vec<(usize, usize)>,
    /// The veto rules, and their patterns.
    vetoes: Fired,
    veto_columns: Columns,
    /// The patterns (one bit each, by number) that have literals, so that a unit without them
    /// is not searched and one with them is searched on its own; those that may be anchored at
    /// the start or end of the unit (they have `^`, `$`, `\A` or `\z`), so only ever run on the
    /// unit itself, where the others without literals are searched once per run of units; all
    /// of them.
    with_literals: Columns,
    per_unit: Columns,
    all_patterns: Columns,
    /// The patterns with further sets of literals (see [`literals::further`]), each with the
    /// columns of its sets, numbered after the patterns': a unit holds a pattern's literals
    /// when it holds one of each set.
    further: Vec<(Columns, Columns)>,
    /// Per literal text (by its number in the phrase set): the patterns (and further sets) that
    /// have it, by the ASCII word boundaries that must hold where it starts and where it ends
    /// (see [`literals::Literal`] and [`Bounds`]). A text several patterns share with different
    /// boundaries (the digits) is one substring, so that each occurrence is one hit.
    literal_owners: Vec<[Columns; 4]>,
    /// The literals of one ASCII byte (the digits, `%`, `?`), found by a byte scan instead of by
    /// the phrase automaton: they are most of its hits, and each hit there costs far more.
    bytes: ByteLiterals,
    /// The patterns that are a choice of whole words, told by their literals alone.
    spellings: Spellings,
    phrases: PhraseSet,
    /// The kinds the rules have, sorted, each once: a claim's kinds are gathered as a set of
    /// bits over them, in order by construction, where a list sorted and deduplicated for each
    /// claim cost a call of the sort.
    kinds: Vec<ClaimKind>,
    scoring: Scoring,
    /// Buffers of documents read before, one per thread that reads at the same time.
    spare: Mutex<Vec<Buffers>>,
    /// The most words a unit is counted up to: every bound on the count (`min_words` of the
    /// scoring, and of the `word-count` rules, and their `max_words` plus one) is at most this,
    /// so each tells a count cut here as it tells the whole count.
    word_cap: usize,
}

/// The most bytes between two units searched in one pass (see [`ClaimExtractor::search_units`]).
const MAX_GAP: usize = 64;

/// The stretches of a document its searches read: its blocks, joined over the gaps of at most
/// [`MAX_GAP`] bytes between them, which a run of units reads (see
/// [`ClaimExtractor::search_units`]; units lie inside blocks, so the gap between two units is at
/// least the gap between their blocks). The rest of a page, its chrome, is not read.
fn reach(blocks: &[Span]) -> impl Iterator<Item = Span> + '_ {
    let mut blocks = blocks.iter().copied().peekable();
    std::iter::from_fn(move || {
        let mut range = blocks.next()?;
        while let Some(next) = blocks.next_if(|next| next.start <= range.end + MAX_GAP) {
            range.end = range.end.max(next.end);
        }
        Some(range)
    })
}

/// The rules that fired on a unit, one bit per rule (so there can be at most 128 rules).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Fired(u128);

impl Fired {
    const CAPACITY: usize = 128;

    fn insert(&mut self, rule: usize) {
        self.0 |= 1 << rule;
    }

    fn contains(self, rule: usize) -> bool {
        self.0 & (1 << rule) != 0
    }

    fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The rules in the order of their index.
    fn iter(self) -> impl Iterator<Item = usize> + Clone {
        let mut bits = self.0;
        std::iter::from_fn(move || {
            (bits != 0).then(|| {
                let rule = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                rule
            })
        })
    }
}

/// A set of patterns, one bit each by number (so there can be at most 128 patterns).
type Columns = u128;

/// The set of the patterns numbered in `numbers`.
fn columns(numbers: std::ops::Range<usize>) -> Columns {
    numbers.fold(0, |all, column| all | 1 << column)
}

/// The ASCII word boundaries a literal of a pattern must show where it is found.
#[derive(Debug, Clone, Copy)]
enum Bounds {
    None = 0,
    Start = 1,
    End = 2,
    Both = 3,
}

impl Bounds {
    fn new(start: bool, end: bool) -> Bounds {
        match (start, end) {
            (false, false) => Bounds::None,
            (true, false) => Bounds::Start,
            (false, true) => Bounds::End,
            (true, true) => Bounds::Both,
        }
    }
}

/// The patterns (of `owners`, by the word boundaries they ask for) whose literal is the one
/// found at `from..to` in `unit` of `text` by the phrase walk.
fn found_at(owners: &[Columns; 4], text: &str, unit: Span, from: usize, to: usize) -> Columns {
    let [none, start, end, both] = *owners;
    // A boundary is read only where an owner asks for it and the walk did not: a literal no
    // owner takes without a boundary at its start (or end) is reported only where it holds (see
    // `compile`).
    let at_start = if none | end == 0 { true } else { start | both != 0 && ascii_boundary(text, unit, from) };
    let at_end = if none | start == 0 { true } else { end | both != 0 && ascii_boundary(text, unit, to) };
    bounded(owners, at_start, at_end)
}

/// The patterns of `owners` whose literal is found with the given word boundaries at its start
/// and end.
fn bounded(owners: &[Columns; 4], at_start: bool, at_end: bool) -> Columns {
    owners[Bounds::None as usize]
        | if at_start { owners[Bounds::Start as usize] } else { 0 }
        | if at_end { owners[Bounds::End as usize] } else { 0 }
        | if at_start && at_end { owners[Bounds::Both as usize] } else { 0 }
}

/// The patterns that are nothing but a choice of whole ASCII words (see
/// [`literals::exact_words`]), and their words as written. Their literals, found ASCII-case-
/// insensitively with the word boundaries checked, are their matches once the letter case is
/// checked too: such a pattern is known to match a unit or to miss it without running its
/// regex (`us` and `Us` are `speaker-self`, `US` is not; `me` inside `some` is no word).
#[derive(Debug, Default)]
struct Spellings {
    columns: Columns,
    /// Per pattern (by number): its words, none for the other patterns.
    words: Vec<Vec<String>>,
}

impl Spellings {
    /// `columns`, found where the text reads `found`, less the patterns of whole words none of
    /// which is spelt `found`.
    fn keep(&self, columns: Columns, found: &[u8]) -> Columns {
        let mut check = columns & self.columns;
        let mut kept = columns;
        while check != 0 {
            let column = check.trailing_zeros() as usize;
            check &= check - 1;
            if !self.words[column].iter().any(|word| word.as_bytes() == found) {
                kept &= !(1 << column);
            }
        }
        kept
    }
}

/// The literals of one ASCII byte, and the patterns that have each.
#[derive(Debug)]
struct ByteLiterals {
    /// Per ASCII byte: its number in `owners` plus one, or 0 when it is no literal.
    numbers: [u8; 128],
    /// Per byte: the patterns that have it, by boundaries (a letter's two cases are two bytes,
    /// which patterns of whole words tell apart, see [`Spellings`]).
    owners: Vec<[Columns; 4]>,
    /// Per byte: all the patterns that have it, whatever the boundaries.
    any: Vec<Columns>,
    /// The lowest to the highest of the bytes: the scan looks closer only at bytes in between.
    /// One range: a second one would cost more, on every sixteen bytes, than the bytes between
    /// the digits and `I` that the one lets through cost where they are.
    range: ByteRanges,
}

impl Default for ByteLiterals {
    fn default() -> ByteLiterals {
        ByteLiterals { numbers: [0; 128], owners: Vec::new(), any: Vec::new(), range: ByteRanges::default() }
    }
}

impl ByteLiterals {
    /// Takes `literal` when it is one ASCII byte, and tells whether it did. Both cases of a
    /// letter are taken, as literals are looked for ASCII-case-insensitively, each for the
    /// patterns whose spelling admits it.
    fn add(&mut self, literal: &str, owners: [Columns; 4], spellings: &Spellings) -> bool {
        let &[byte] = literal.as_bytes() else {
            return false;
        };
        if !byte.is_ascii() || self.owners.len() + 2 > usize::from(u8::MAX) {
            return false;
        }
        let mut cases = [byte.to_ascii_lowercase(), byte.to_ascii_uppercase()].to_vec();
        cases.dedup();
        for byte in cases {
            let owners = owners.map(|columns| spellings.keep(columns, &[byte]));
            if owners == [0; 4] {
                continue;
            }
            self.owners.push(owners);
            self.any.push(owners.iter().fold(0, |all, &columns| all | columns));
            self.numbers[usize::from(byte)] = self.owners.len() as u8;
        }
        let numbers = &self.numbers;
        self.range = ByteRanges::covering(1, |byte| numbers.get(usize::from(byte)).is_some_and(|&number| number != 0));
        true
    }

    /// The patterns one of whose one-byte literals is in `unit` of `text`, with the word
    /// boundaries the pattern asks for, and the unit's words with a letter up to `word_cap`:
    /// one read of the unit, sixteen bytes at a time (see [`ByteRanges`] and [`WordCount`]).
    fn seen_in(&self, text: &str, unit: Span, word_cap: usize) -> (Columns, usize) {
        let slice = unit.of(text);
        let bytes = slice.as_bytes();
        // As a pattern run on the unit alone reads them: the bytes outside it are none.
        let word = |at: usize| bytes.get(at).is_some_and(|&byte| regex_syntax::is_word_byte(byte));
        let (mut seen, mut words) = (0, WordCount::default());
        for start in (0..bytes.len()).step_by(16) {
            let len = (bytes.len() - start).min(16);
            let chunk = chars::sixteen_at(bytes, start, 0);
            if words.count < word_cap {
                words.read(slice, start, &chunk);
            }
            let mut candidates = self.range.mask(&chunk) & ((1 << len) - 1);
            while candidates != 0 {
                let at = start + candidates.trailing_zeros() as usize;
                candidates &= candidates - 1;
                let number = usize::from(self.numbers[usize::from(bytes[at] & 0x7f)]);
                // A literal whose patterns are all seen in the unit already (a digit, most
                // often) adds nothing.
                if number == 0 || seen & self.any[number - 1] == self.any[number - 1] {
                    continue;
                }
                let inside = word(at);
                let at_start = (at > 0 && word(at - 1)) != inside;
                seen |= bounded(&self.owners[number - 1], at_start, inside != word(at + 1));
            }
        }
        (seen, words.count.min(word_cap))
    }
}

/// What a search of its run says about the patterns in one unit.
#[derive(Debug, Clone, Copy, Default)]
struct Gates {
    /// The patterns that may match the unit: a pattern outside is known to miss it.
    open: Columns,
    /// The patterns known to match the unit (a part of `open`); the others in `open` are run
    /// on the unit to tell.
    matched: Columns,
}

/// Buffers one call of [`ClaimExtractor::extract`] reuses from block to block.
#[derive(Debug, Default)]
struct Scratch {
    sentences: Vec<Span>,
    units: Vec<Unit>,
    spans: Vec<Span>,
    /// Per unit: its gates.
    gates: Vec<Gates>,
    /// Per unit: the patterns one of whose literals is in the unit.
    seen: Vec<Columns>,
    /// Per unit: its words with a letter, counted up to the extractor's `word_cap`.
    words: Vec<usize>,
    /// Phrase hits: unit, rule, start, end; in the order of units.
    hits: Vec<(usize, usize, usize, usize)>,
    /// Per block: the end of its units in `units`, and its number of sentences.
    blocks: Vec<(usize, usize)>,
    /// The units of one block: how each stands with respect to quotations.
    quotes: Vec<units::Quoting>,
    /// Where the text has characters that narrowed patterns do not keep.
    foreign: narrow::Foreign,
}

/// The buffers of one call of [`ClaimExtractor::extract`], kept for the next.
#[derive(Debug)]
struct Buffers {
    scratch: Scratch,
    /// The caches of the patterns' regexes, one per pattern.
    locations: Vec<Slots>,
}

impl Buffers {
    fn new(patterns: usize) -> Buffers {
        Buffers { scratch: Scratch::default(), locations: (0..patterns).map(|_| Slots::default()).collect() }
    }
}

/// What is known about a unit before its cue rules run.
#[derive(Debug, Clone, Copy)]
struct Facts {
    entities: usize,
    has_money: bool,
    /// Words with a letter in them, counted up to the extractor's `word_cap`.
    words: usize,
    /// Sentences in the unit's paragraph.
    sentences: usize,
}

/// What the cue rules found in one unit.
#[derive(Debug, Default)]
struct Reading<'a> {
    fired: Fired,
    hedges: Vec<&'a str>,
    /// The speaker's span and the attribution rule that found it.
    attribution: Option<(Span, usize)>,
}

/// A unit that passed the word count, read but not yet scored.
#[derive(Debug)]
struct Pending<'a> {
    unit: Unit,
    /// The unit's number in its paragraph.
    number: usize,
    reading: Reading<'a>,
    holds: Holds,
}

/// The entities and money figures inside a unit, as its reading found them: its claim lists
/// them from there instead of searching the document's again.
#[derive(Debug, Clone, Copy, Default)]
struct Holds {
    /// How many entities the unit holds, and the index of the first (when it holds any).
    entities: usize,
    first_entity: usize,
    /// The index of the first money figure the unit holds, if any (most claims have none).
    first_money: Option<usize>,
}

impl ClaimExtractor {
    pub fn compile(source: &RuleSource, catalogue: &mut Catalogue) -> Result<ClaimExtractor, RuleError> {
        let mut rules = Vec::new();
        let (mut pattern_owners, mut with_feature, mut pattern_count) = (Vec::new(), Vec::new(), 0);
        let (mut with_literals, mut per_unit_columns): (Columns, Columns) = (0, 0);
        // Phrases of the rules, and the literals of every pattern that has a small set of them
        // (see [`literals`]) as substrings: one pass finds both. A literal many patterns share
        // (`said`, each digit) is one substring owned by all of them, not one per pattern, so
        // that each occurrence is one hit.
        let mut phrases = PhraseSetBuilder::default();
        let mut literals: BTreeMap<String, [Columns; 4]> = BTreeMap::new();
        let mut spellings = Spellings::default();
        let mut further = Vec::new();
        let mut scoring = None;
        for file in source.files(Family::Claims) {
            let parsed: ClaimsFile = rules::parse(file)?;
            scoring = parsed.scoring.or(scoring);
            for rule in parsed.rule {
                let registered = rule.register(file, catalogue)?;
                if rule.role == Role::Veto {
                    catalogue.leaves_no_trace(file, registered)?;
                }
                if rule.phrases.is_empty() && rule.patterns.is_empty() && rule.feature.is_none() {
                    return Err(RuleError::at(
                        file,
                        rule.id.span(),
                        "a claim rule needs `phrases`, `patterns` or `feature`",
                    ));
                }
                let mut patterns = Vec::new();
                for pattern in &rule.patterns {
                    // Parsing tells every fault of a pattern but one that makes its regex too large
                    // (see [`Regexes`]), with the message building it gives.
                    let hir = regex_syntax::parse(pattern.get_ref())
                        .map_err(|error| RuleError::at(file, pattern.span(), format!("bad regex: {error}")))?;
                    let speaker = group_number(&hir, "speaker");
                    if rule.role == Role::Attribution && speaker.is_none() {
                        return Err(RuleError::at(
                            file,
                            pattern.span(),
                            "an attribution pattern needs a `(?P<speaker>…)` group",
                        ));
                    }
                    let narrow = narrow::cut(&hir)
                        .and_then(|cut| Searcher::new(&cut, rule.role == Role::Attribution))
                        .filter(|narrow| narrow.group_info().to_index(PatternID::ZERO, "speaker") == speaker);
                    let regexes = match narrow {
                        Some(narrow) => {
                            Regexes::Narrowed { narrow, source: pattern.get_ref().clone(), whole: OnceLock::new() }
                        }
                        None => Regexes::Whole(whole_regex(file, pattern, &hir)?),
                    };
                    // Any anchor counts (`^`, `$`, `\A`, `\z`, of the text or of a line), not a `^`
                    // that negates a class.
                    let per_unit = hir.properties().look_set().contains_anchor();
                    let column = pattern_count + patterns.len();
                    if column == Columns::BITS as usize {
                        return Err(RuleError::at(
                            file,
                            pattern.span(),
                            "at most 128 claim patterns: the patterns that may match a unit are a 128-bit set",
                        ));
                    }
                    let words = literals::exact_words(&hir);
                    let required = match &words {
                        Some(words) => Some(literals::whole_words(words)),
                        None => literals::required(&hir),
                    };
                    if let Some(first) = required.as_ref().filter(|_| words.is_none()) {
                        further.push((column, literals::further(&hir, first)));
                    }
                    if let Some(words) = words {
                        spellings.columns |= 1 << column;
                        spellings.words.resize(column + 1, Vec::new());
                        spellings.words[column] = words;
                    }
                    if required.is_some() {
                        with_literals |= 1 << column;
                    }
                    if per_unit {
                        per_unit_columns |= 1 << column;
                    }
                    for literal in required.unwrap_or_default() {
                        let bounds = Bounds::new(literal.bounded_start, literal.bounded_end);
                        literals.entry(literal.text).or_default()[bounds as usize] |= 1 << column;
                    }
                    patterns.push(Pattern { regexes, speaker: speaker.unwrap_or(0) });
                }
                if (rule.feature == Some(Feature::WordCount)) != (rule.min_words.is_some() || rule.max_words.is_some())
                {
                    return Err(RuleError::at(
                        file,
                        rule.id.span(),
                        "`min_words` and `max_words` go with `feature = \"word-count\"`, and it needs one of them",
                    ));
                }
                if rule.min_entities.is_some() && rule.feature != Some(Feature::Entity) {
                    return Err(RuleError::at(file, rule.id.span(), "`min_entities` goes with `feature = \"entity\"`"));
                }
                if rule.min_sentences.is_some() != (rule.feature == Some(Feature::Paragraph)) {
                    return Err(RuleError::at(
                        file,
                        rule.id.span(),
                        "`min_sentences` goes with `feature = \"paragraph\"`, and it needs it",
                    ));
                }
                let index = rules.len();
                if index == Fired::CAPACITY {
                    return Err(RuleError::at(
                        file,
                        rule.id.span(),
                        "at most 128 claim rules: the set of rules that fired on a unit is a 128-bit set",
                    ));
                }
                phrases.add(index, &rule.phrases, rule.position);
                pattern_owners.extend((0..patterns.len()).map(|number| (index, number)));
                if rule.feature.is_some() {
                    with_feature.push(index);
                }
                let first_pattern = pattern_count;
                pattern_count += patterns.len();
                let columns = columns(first_pattern..pattern_count);
                rules.push(Compiled {
                    id: rule.id.into_inner(),
                    role: rule.role,
                    kind: rule.kind,
                    kind_bit: 0,
                    weight: rule.weight,
                    patterns,
                    columns,
                    feature: rule.feature,
                    not_speakers: rule.not_speakers,
                    refers_back: rule.refers_back.into_iter().map(|(k, v)| (k.to_lowercase(), v)).collect(),
                    min_entities: rule.min_entities.unwrap_or(1),
                    words: rule.min_words.unwrap_or(0)..=rule.max_words.unwrap_or(usize::MAX),
                    min_sentences: rule.min_sentences.unwrap_or(0),
                });
            }
        }
        let scoring = scoring
            .ok_or_else(|| source.family_error(Family::Claims, "no `[scoring]` table in any claims rule file"))?;
        let mut kinds: Vec<ClaimKind> = rules.iter().filter_map(|rule| rule.kind).collect();
        kinds.sort();
        kinds.dedup();
        // One bit a kind: the kinds are the variants of a small enum, far fewer than the bits.
        assert!(kinds.len() <= u32::BITS as usize, "more claim kinds than bits in a set of them");
        for rule in &mut rules {
            let place = |kind| kinds.binary_search(&kind).expect("a rule's kind is among the rules' kinds");
            rule.kind_bit = rule.kind.map_or(0, |kind| 1 << place(kind));
        }
        let (mut vetoes, mut veto_columns) = (Fired::default(), 0);
        for (index, rule) in rules.iter().enumerate().filter(|(_, rule)| rule.role == Role::Veto) {
            vetoes.insert(index);
            veto_columns |= rule.columns;
        }
        let word_cap = rules
            .iter()
            .filter(|rule| rule.feature == Some(Feature::WordCount))
            .map(|rule| if *rule.words.end() == usize::MAX { *rule.words.start() } else { rule.words.end() + 1 })
            .fold(scoring.min_words, usize::max);
        spellings.words.resize(pattern_count, Vec::new());
        // Further sets take the columns after the patterns', as many as there are left: each set
        // only rules units out, so one left out costs speed, not matches.
        let mut set_column = pattern_count;
        let further = further
            .into_iter()
            .map(|(column, sets)| {
                let mut needs: Columns = 0;
                for set in sets.into_iter().take(Columns::BITS as usize - set_column) {
                    needs |= 1 << set_column;
                    for literal in set {
                        let bounds = Bounds::new(literal.bounded_start, literal.bounded_end);
                        literals.entry(literal.text).or_default()[bounds as usize] |= 1 << set_column;
                    }
                    set_column += 1;
                }
                (1 << column, needs)
            })
            .filter(|&(_, needs)| needs != 0)
            .collect();
        let all_patterns = columns(0..pattern_count);
        let mut bytes = ByteLiterals::default();
        // A one-byte literal of further sets alone (`x` that ends a word) is left to the phrase
        // walk: the byte scan pays for the literals of most units (the digits), and a letter
        // would widen its range to most letters.
        literals.retain(|literal, owners| {
            owners.iter().all(|&columns| columns & all_patterns == 0) || !bytes.add(literal, *owners, &spellings)
        });
        for (number, (literal, owners)) in literals.iter().enumerate() {
            // The owners that take the literal without a boundary at its start, and at its end.
            // Where none do, an occurrence without it finds nothing ([`found_at`]): a whole word
            // (`us`) is not reported inside longer words (`business`), most of its occurrences.
            let free_start = owners[Bounds::None as usize] | owners[Bounds::End as usize];
            let free_end = owners[Bounds::None as usize] | owners[Bounds::Start as usize];
            phrases.add_bounded_substring(number, literal, [free_start == 0, free_end == 0]);
        }
        Ok(ClaimExtractor {
            vetoes,
            veto_columns,
            with_literals,
            literal_owners: literals.into_values().collect(),
            bytes,
            spellings,
            further,
            per_unit: per_unit_columns,
            all_patterns,
            rules,
            pattern_owners,
            with_feature,
            phrases: phrases.build().map_err(|error| source.family_error(Family::Claims, error.to_string()))?,
            kinds,
            scoring,
            word_cap,
            spare: Mutex::new(Vec::new()),
        })
    }

    /// The claims in the kept `blocks` of `text`, given the entities and money already found.
    pub fn extract<'a>(
        &'a self,
        text: &'a str,
        blocks: &[Span],
        segmenter: &Segmenter,
        entities: &[EntityItem<'a>],
        money: &[MoneyItem<'a>],
    ) -> Vec<ClaimItem<'a>> {
        // Buffers left by an earlier document, so that each document does not grow its own.
        let Buffers { mut scratch, mut locations } = self
            .spare
            .lock()
            .ok()
            .and_then(|mut spare| spare.pop())
            .unwrap_or_else(|| Buffers::new(self.pattern_owners.len()));
        scratch.units.clear();
        scratch.blocks.clear();
        let earlier = Earlier::new(entities);
        scratch.foreign.find(text, reach(blocks));
        for &block in blocks {
            // A unit's words lie each in a word of its block, one to a word: a block with fewer
            // words than a claim needs has no unit with enough, and is not segmented (a quarter
            // of the blocks of a page, its menus and captions, have one word or none).
            if units::words_with_letter(block.of(text), self.scoring.min_words) < self.scoring.min_words {
                continue;
            }
            scratch.sentences.clear();
            segmenter.sentences(text, block, &mut scratch.sentences);
            let block_has_semicolon = memchr::memchr(b';', block.of(text).as_bytes()).is_some();
            for &sentence in &scratch.sentences {
                let place = units::Place { at_block_start: sentence.start == block.start, block_has_semicolon };
                let arrows = scratch.foreign.arrows();
                units::split(text, sentence, place, entities, money, arrows, &mut scratch.units);
            }
            scratch.blocks.push((scratch.units.len(), scratch.sentences.len()));
        }
        self.search_units(text, &mut scratch, &mut locations);
        // Every unit with words enough may be a claim: room for them all at once. Made room for
        // a block at a time, the list was grown (its claims moved) about once a document.
        let readable = scratch.words.iter().filter(|&&words| words >= self.scoring.min_words).count();
        let mut claims = Vec::with_capacity(readable);
        // One list for the units of every block, as long as the longest block needs: grown
        // from nothing, it was grown again in every document.
        let mut first = 0;
        let longest = scratch.blocks.iter().map(|&(end, _)| end - std::mem::replace(&mut first, end)).max();
        let mut pending = Vec::with_capacity(longest.unwrap_or(0));
        let mut hits = scratch.hits.as_slice();
        let mut first = 0;
        for &(end, sentences) in &scratch.blocks {
            pending.clear();
            let block_units = &scratch.units[first..end];
            for (number, &unit) in block_units.iter().enumerate() {
                let index = first + number;
                let own = hits.iter().take_while(|hit| hit.0 == index).count();
                let (unit_hits, rest) = hits.split_at(own);
                hits = rest;
                let narrow = scratch.foreign.is_narrow(unit.span);
                let found = Found {
                    phrases: unit_hits,
                    gates: scratch.gates[index],
                    words: scratch.words[index],
                    sentences,
                    narrow,
                };
                let read = self.prepare(text, unit, found, &mut locations, entities, money);
                pending.extend(read.map(|(reading, holds)| Pending { unit, number, reading, holds }));
            }
            // Only an attribution is carried: a paragraph without one (most) is not read for its
            // quotation marks.
            if pending.len() > 1 && pending.iter().any(|p| p.reading.attribution.is_some()) {
                scratch.quotes.clear();
                units::quoting(text, block_units, &mut scratch.quotes);
                carry_attribution(&mut pending, &scratch.quotes);
            }
            claims.extend(pending.drain(..).filter_map(|p| self.claim(text, p, &earlier, money)));
            first = end;
        }
        if let Ok(mut spare) = self.spare.lock() {
            spare.push(Buffers { scratch, locations });
        }
        claims
    }

    /// Searches the units of a document (from all its blocks, in order) for every phrase and
    /// the literals of every pattern (in one pass), and for every pattern that is neither
    /// anchored to the unit nor has literals, leaving the phrase hits, the gates and each unit's
    /// count of words in `scratch`. Units are searched in runs: units in order with little text
    /// between them are searched in one pass each, because every search has a start-up cost
    /// that, over the short blocks of a page, outweighs reading the few bytes between them.
    fn search_units(&self, text: &str, scratch: &mut Scratch, locations: &mut [Slots]) {
        let Scratch { units, spans, gates, seen, words, hits, foreign, .. } = scratch;
        spans.clear();
        spans.extend(units.iter().map(|unit| unit.span));
        hits.clear();
        gates.clear();
        seen.clear();
        seen.resize(spans.len(), 0);
        words.clear();
        let mut first = 0;
        while first < spans.len() {
            let mut end = first + 1;
            while end < spans.len()
                && spans[end].start >= spans[end - 1].end
                && spans[end].start - spans[end - 1].end <= MAX_GAP
            {
                end += 1;
            }
            let seen = &mut seen[first..end];
            let run = &spans[first..end];
            // A literal inside a unit may be part of a match there; one reaching over its edge
            // is not, and is not reported. Word boundaries are read as a pattern run on the unit
            // alone reads them.
            self.phrases.find_in_parts(text, run, foreign.capitals(), foreign.titlecase(), |unit, hit| match hit {
                PhraseHit::Phrase(rule, from, to) => hits.push((first + unit, rule, from, to)),
                PhraseHit::Substring(literal, from, to) => {
                    let owners = &self.literal_owners[literal];
                    // A literal seen in the unit already (a digit, most often) adds nothing.
                    if owners.iter().all(|&columns| seen[unit] & columns == columns) {
                        return;
                    }
                    let found = found_at(owners, text, run[unit], from, to);
                    seen[unit] |= self.spellings.keep(found, &text.as_bytes()[from..to]);
                }
            });
            for (seen, &unit) in seen.iter_mut().zip(run) {
                let (bytes, count) = self.bytes.seen_in(text, unit, self.word_cap);
                *seen |= bytes;
                words.push(count);
            }
            self.search_run(text, &spans[first..end], gates, seen, foreign, locations);
            first = end;
        }
    }

    /// Searches one run of units (in order, none overlapping the next) for every pattern that is
    /// neither anchored to the unit nor has literals, in one pass each, and appends the run's
    /// gates to `gates`, given the literals `seen` in each unit. A unit without any of a
    /// pattern's literals is a miss; one with them is left open, not searched here: the units
    /// that hold a literal are run on their own when they are read, which skips those with too
    /// few words, vetoed ones and those whose rule fired already, and so reads less text than
    /// a search of the run.
    ///
    /// A match that lies inside a unit is a match of the pattern run on the unit alone when the
    /// unit is set off by white space (or the run's edge): the word boundaries at its edges
    /// read the same either way. Where a match reaches over a unit's edge, it may hide a match
    /// inside the unit, so the unit is searched on its own (open, not matched). Once a unit's gate
    /// is settled, the rest of it is not searched: the search goes on at the next unit.
    fn search_run(
        &self,
        text: &str,
        spans: &[Span],
        gates: &mut Vec<Gates>,
        seen: &[Columns],
        foreign: &narrow::Foreign,
        locations: &mut [Slots],
    ) {
        let (Some(first), Some(last)) = (spans.first(), spans.last()) else {
            return;
        };
        let offset = gates.len();
        let (low, high) = (first.start, last.end);
        let mut searched = self.all_patterns & !self.per_unit & !self.with_literals;
        for span in spans {
            // The two gates below differ only in the patterns searched here and in those with
            // literals, which the literals seen settle at the end: where none is searched (the
            // rules' patterns all have literals or anchors), either serves, unread.
            let set_off = searched != 0
                && (span.start == low || text[..span.start].ends_with(char::is_whitespace))
                && (span.end == high || text[span.end..].starts_with(char::is_whitespace));
            // Before the search, a unit set off by white space misses every pattern searched
            // here; any other unit may match them all.
            let open = if set_off { self.per_unit } else { self.all_patterns };
            gates.push(Gates { open, matched: 0 });
        }
        let gates = &mut gates[offset..];
        let block = &text[low..high];
        let narrow = foreign.is_narrow(Span::new(low, high));
        while searched != 0 {
            let column = searched.trailing_zeros() as usize;
            searched &= searched - 1;
            let (index, number) = self.pattern_owners[column];
            let pattern = &self.rules[index].patterns[number];
            let bit: Columns = 1 << column;
            let (mut at, mut from) = (0, 0);
            let (regex, caches) = pattern.regex(narrow, &mut locations[column]);
            while let Some((start, end)) = regex.find_at(caches, block, from) {
                let hit = Span::new(low + start, low + end);
                while at < spans.len() && spans[at].end < hit.start {
                    at += 1;
                }
                for (unit, span) in spans.iter().enumerate().skip(at).take_while(|(_, s)| s.start <= hit.end) {
                    let gate = &mut gates[unit];
                    if !hit.is_empty() && span.contains(hit) {
                        if gate.open & bit == 0 {
                            gate.open |= bit;
                            gate.matched |= bit;
                        }
                    } else if span.overlaps(hit) || hit.is_empty() {
                        gate.open |= bit;
                        gate.matched &= !bit;
                    }
                }
                // Every unit that starts before the match ends is settled (an empty match
                // settles the one starting where it is, too): go on at the next unit.
                let settled = |s: &Span| s.start < hit.end || (hit.is_empty() && s.start == hit.end);
                match spans[at..].iter().find(|s| !settled(s)) {
                    Some(next) => from = next.start.max(hit.end) - low,
                    None => break,
                }
            }
        }
        for (gate, &seen) in gates.iter_mut().zip(seen) {
            let mut columns = seen & self.all_patterns;
            for &(pattern, needs) in &self.further {
                if seen & needs != needs {
                    columns &= !pattern;
                }
            }
            gate.open = (gate.open | columns) & (columns | !self.with_literals);
            gate.matched |= columns & self.spellings.columns;
        }
    }

    /// Reads one unit, unless it has too few words or a veto fired on it: its reading, and the
    /// entities and money inside it.
    fn prepare<'a>(
        &self,
        text: &'a str,
        unit: Unit,
        found: Found,
        locations: &mut [Slots],
        entities: &[EntityItem<'a>],
        money: &[MoneyItem<'a>],
    ) -> Option<(Reading<'a>, Holds)> {
        let words = found.words;
        if words < self.scoring.min_words {
            return None;
        }
        let mut named = inside(unit.span, entities, |e| e.span).peekable();
        let first_entity = named.peek().copied().unwrap_or_default();
        let entities = named.count();
        let first_money = inside(unit.span, money, |m| m.span).next();
        let facts = Facts { entities, has_money: first_money.is_some(), words, sentences: found.sentences };
        let reading = self.read(text, unit, facts, found, locations);
        if reading.fired.0 & self.vetoes.0 != 0 {
            return None;
        }
        Some((reading, Holds { entities, first_entity, first_money }))
    }

    /// Scores a read unit; a claim when the score reaches the threshold.
    fn claim<'a>(
        &'a self,
        text: &'a str,
        pending: Pending<'a>,
        earlier: &Earlier<'_, 'a>,
        money: &[MoneyItem<'a>],
    ) -> Option<ClaimItem<'a>> {
        let entities = earlier.entities;
        let Pending { unit, reading, holds, .. } = pending;
        let fired = reading.fired;
        let total: f32 = self.scoring.bias + fired.iter().map(|r| self.rules[r].weight).sum::<f32>();
        let score = 1.0 / (1.0 + (-total).exp());
        if score < self.scoring.threshold {
            return None;
        }
        let Cues { strongest, kinds, cues } = self.cues(fired);
        let strongest = strongest?;
        let attribution = reading
            .attribution
            .and_then(|(speaker, rule)| speaker_of(text, unit.span, speaker, &self.rules[rule], earlier));
        // Counted when the unit was read: the list is as long as it needs at once.
        let mut named = Vec::with_capacity(holds.entities);
        if holds.entities > 0 {
            named.extend(inside_from(unit.span, entities, holds.first_entity, |e| e.span));
        }
        Some(ClaimItem {
            span: unit.span,
            text: unit.span.of(text),
            rule: &self.rules[strongest].id,
            kinds,
            hedges: reading.hedges,
            attribution,
            score: (score * 1000.0).round() / 1000.0,
            cues,
            entities: named,
            money: holds
                .first_money
                .map_or_else(Vec::new, |first| inside_from(unit.span, money, first, |m| m.span).collect()),
        })
    }

    /// What the rules that fired on a claim give it, in one pass over them: each step of a
    /// pass over a set of 128 bits costs more than the little done with the rule it finds.
    fn cues(&self, fired: Fired) -> Cues<'_> {
        // Most claims have more cues than a list grown from nothing holds at first.
        let mut cues = Cues { strongest: None, kinds: Vec::new(), cues: Vec::with_capacity(fired.len()) };
        let mut kinds = 0u32;
        for index in fired.iter() {
            let rule = &self.rules[index];
            cues.cues.push(rule.id.as_str());
            kinds |= rule.kind_bit;
            // The first of the rules of the greatest weight.
            if cues.strongest.is_none_or(|strongest| rule.weight.total_cmp(&self.rules[strongest].weight).is_gt()) {
                cues.strongest = Some(index);
            }
        }
        while kinds != 0 {
            cues.kinds.push(self.kinds[kinds.trailing_zeros() as usize]);
            kinds &= kinds - 1;
        }
        cues
    }

    /// Runs every cue rule over one unit, given what the block search found in it.
    fn read<'a>(&self, text: &'a str, unit: Unit, facts: Facts, found: Found, locations: &mut [Slots]) -> Reading<'a> {
        let mut reading = Reading::default();
        for &(_, rule, start, end) in found.phrases {
            reading.fired.insert(rule);
            if self.rules[rule].role == Role::Hedge {
                reading.hedges.push(&text[start..end]);
            }
        }
        for &index in &self.with_feature {
            let rule = &self.rules[index];
            let by_feature = match rule.feature {
                Some(Feature::Money) => facts.has_money,
                Some(Feature::Entity) => facts.entities >= rule.min_entities,
                Some(Feature::ArrowChain) => unit.chain_step,
                Some(Feature::WordCount) => rule.words.contains(&facts.words),
                Some(Feature::Paragraph) => facts.sentences >= rule.min_sentences,
                None => false,
            };
            if by_feature {
                reading.fired.insert(index);
            }
        }
        // Most units are open to few patterns: only those are visited, in order, so rules in
        // order and each rule's patterns in order. A rule that is done drops its other patterns.
        // A vetoed unit is dropped whatever else it holds (see `prepare`): the veto patterns go
        // first, and once a veto fired nothing else is read.
        for pass in [found.gates.open & self.veto_columns, found.gates.open & !self.veto_columns] {
            if reading.fired.0 & self.vetoes.0 != 0 {
                break;
            }
            self.run_patterns(text, unit.span, pass, found, locations, &mut reading);
        }
        reading.hedges = without_nested(reading.hedges);
        reading
    }

    /// Runs the `open` patterns (of rules in order) on `unit` of `text`, adding what fires to
    /// `reading`.
    fn run_patterns<'a>(
        &self,
        text: &'a str,
        unit: Span,
        mut open: Columns,
        found: Found,
        locations: &mut [Slots],
        reading: &mut Reading<'a>,
    ) {
        let unit_text = unit.of(text);
        let narrow = found.narrow;
        while open != 0 {
            let column = open.trailing_zeros() as usize;
            open &= open - 1;
            let (index, number) = self.pattern_owners[column];
            let rule = &self.rules[index];
            let pattern = &rule.patterns[number];
            let bit: Columns = 1 << column;
            // Only attributions need groups; the others ask the cheaper question.
            match rule.role {
                Role::Hedge => {
                    let (regex, caches) = pattern.regex(narrow, &mut locations[column]);
                    let Some((start, end)) = regex.find_at(caches, unit_text, 0) else {
                        continue;
                    };
                    reading.hedges.push(&unit_text[start..end]);
                }
                Role::Attribution => {
                    let (regex, caches) = pattern.regex(narrow, &mut locations[column]);
                    let found = regex.group(caches, unit_text, pattern.speaker);
                    let Some(Some((start, end))) = found else {
                        continue;
                    };
                    let words = unit_text[start..end].trim();
                    if rule.not_speakers.iter().any(|word| word.eq_ignore_ascii_case(words))
                        && !rule.refers_back.contains_key(&words.to_lowercase())
                    {
                        continue;
                    }
                    if reading.attribution.is_none() {
                        let span = Span::new(unit.start + start, unit.start + end);
                        reading.attribution = Some((span.trim(text), index));
                    }
                }
                // A cue or veto that fired already (by a phrase or an earlier pattern) has
                // nothing left to add: the set of rules that fired is all it leaves.
                Role::Cue | Role::Veto if reading.fired.contains(index) => {
                    open &= !rule.columns;
                    continue;
                }
                Role::Cue | Role::Veto => {
                    let (regex, caches) = pattern.regex(narrow, &mut locations[column]);
                    if found.gates.matched & bit == 0 && !regex.is_match(caches, unit_text) {
                        continue;
                    }
                }
            }
            reading.fired.insert(index);
            open &= !rule.columns;
        }
    }
}

/// What the rules that fired on a claim give it.
#[derive(Debug, PartialEq)]
struct Cues<'r> {
    /// The rule that contributed most; none when no rule fired.
    strongest: Option<usize>,
    /// The kinds of the rules, in order, each once.
    kinds: Vec<ClaimKind>,
    /// The rules, in the order of their index.
    cues: Vec<&'r str>,
}

/// What the search of a block found in one of its units.
#[derive(Debug, Clone, Copy)]
struct Found<'s> {
    /// Phrase hits: unit, rule, start, end.
    phrases: &'s [(usize, usize, usize, usize)],
    /// What the search of the unit's run says about each pattern.
    gates: Gates,
    /// Words with a letter in the unit, counted up to the extractor's `word_cap`.
    words: usize,
    /// Sentences in the block.
    sentences: usize,
    /// The unit holds only characters narrowed patterns keep.
    narrow: bool,
}

/// Indices of the items (sorted by start) whose spans lie inside `unit`.
fn inside<T>(unit: Span, items: &[T], span_of: impl Fn(&T) -> Span) -> impl Iterator<Item = usize> {
    let first = items.partition_point(|item| span_of(item).start < unit.start);
    inside_from(unit, items, first, span_of)
}

/// As [`inside`], searching from item `first` on: one inside `unit`, or the first to start in
/// it or after it.
fn inside_from<T>(unit: Span, items: &[T], first: usize, span_of: impl Fn(&T) -> Span) -> impl Iterator<Item = usize> {
    (first..items.len())
        .map_while(move |i| Some((i, span_of(&items[i]))).filter(|(_, span)| span.start < unit.end))
        .filter_map(move |(i, span)| unit.contains(span).then_some(i))
}

/// A document's entities, and which of each type comes last before a point: what a speaker
/// that refers back ("the company") names.
struct Earlier<'e, 'a> {
    entities: &'e [EntityItem<'a>],
    /// The indices of the entities of each type, in order, by the type's number; gathered on the
    /// first question. A search back through the entities for every claim that asks would cost
    /// the entities before it, as many as the document has where it has none of the type.
    by_type: OnceCell<Vec<Vec<usize>>>,
}

impl<'e, 'a> Earlier<'e, 'a> {
    fn new(entities: &'e [EntityItem<'a>]) -> Earlier<'e, 'a> {
        Earlier { entities, by_type: OnceCell::new() }
    }

    /// The index of the last entity of type `wanted` among the first `count`.
    fn last_of_type(&self, wanted: EntityType, count: usize) -> Option<usize> {
        let by_type = self.by_type.get_or_init(|| {
            let mut by_type: Vec<Vec<usize>> = Vec::new();
            for (index, entity) in self.entities.iter().enumerate() {
                let slot = entity.entity_type as usize;
                if by_type.len() <= slot {
                    by_type.resize_with(slot + 1, Vec::new);
                }
                by_type[slot].push(index);
            }
            by_type
        });
        let indices = by_type.get(wanted as usize)?;
        indices.partition_point(|&index| index < count).checked_sub(1).map(|last| indices[last])
    }
}

/// Slices of one text in order, without those that lie inside another ("estimated" inside
/// "an estimated").
fn without_nested(mut slices: Vec<&str>) -> Vec<&str> {
    // Most units have no hedge, and the rest one: nothing to sort or drop.
    if slices.len() < 2 {
        return slices;
    }
    let range = |s: &str| (s.as_ptr() as usize, s.as_ptr() as usize + s.len());
    slices.sort_by_key(|s| (range(s).0, std::cmp::Reverse(s.len())));
    let mut kept: Vec<&str> = Vec::with_capacity(slices.len());
    for slice in slices {
        let (start, end) = range(slice);
        if !kept.iter().any(|k| range(k).0 <= start && end <= range(k).1) {
            kept.push(slice);
        }
    }
    kept
}

/// Gives the units of a paragraph that are direct speech without a speaker the speaker of the
/// quotation they belong to: a quotation spanning several units takes the speaker named after
/// its last one (`"A. B," she said.`), and a quotation right after an attributed one continues
/// it (`"A," Kern said. "B."`). The attribution rule counts as fired on the unit it is carried to.
/// `quotes` tells how each unit of the paragraph, by its number, stands with respect to
/// quotations. Only an attribution is carried: a paragraph without one is left as it is.
fn carry_attribution(units: &mut [Pending], quotes: &[units::Quoting]) {
    let quote = |unit: &Pending| quotes[unit.number];
    for i in (0..units.len().saturating_sub(1)).rev() {
        let next = &units[i + 1];
        if quote(&units[i]).continues
            && quote(next).starts_quoted
            && units[i].reading.attribution.is_none()
            && let Some(found) = next.reading.attribution
        {
            give(&mut units[i].reading, found);
        }
    }
    for i in 1..units.len() {
        let previous = &units[i - 1];
        if quote(&units[i]).starts_quoted
            && quote(previous).starts_quoted
            && units[i].reading.attribution.is_none()
            && let Some(found) = previous.reading.attribution
        {
            give(&mut units[i].reading, found);
        }
    }
}

fn give(reading: &mut Reading, (speaker, rule): (Span, usize)) {
    reading.attribution = Some((speaker, rule));
    reading.fired.insert(rule);
}

/// The speaker of an attribution: the entity it names when there is one (a person before an
/// organisation; another entity only when it covers the whole speaker), the entity it refers back to (`he`, `the company`: the last one of its type before
/// the unit), else its words; none when the words are a pronoun that is never a speaker on its
/// own (`It expects …` with no organisation before it).
fn speaker_of<'a>(
    text: &'a str,
    unit: Span,
    speaker: Span,
    rule: &Compiled,
    earlier: &Earlier<'_, 'a>,
) -> Option<Attribution<'a>> {
    let entities = earlier.entities;
    let first = entities.partition_point(|e| e.span.end <= speaker.start);
    let named = (first..entities.len()).take_while(|&i| entities[i].span.start < speaker.end);
    let named = named.clone().find(|&i| entities[i].entity_type == EntityType::Person).or_else(|| {
        // A place inside a longer speaker is part of a name ("Sofia Lindgren"), not the speaker.
        named.clone().find(|&i| entities[i].entity_type == EntityType::Org || entities[i].span.contains(speaker))
    });
    let referred = || {
        let wanted = rule.refers_back.get(&speaker.of(text).to_lowercase())?;
        // What the unit itself names is what the speaker talks about, not who the speaker is.
        earlier.last_of_type(*wanted, entities.partition_point(|e| e.span.end <= unit.start))
    };
    match named.or_else(referred) {
        Some(index) => {
            Some(Attribution { speaker: entities[index].canonical.clone(), span: speaker, entity: Some(index) })
        }
        // A pronoun is no speaker in any case: `it` after a comma as much as `It` opening a unit.
        None if rule.not_speakers.iter().any(|word| word.eq_ignore_ascii_case(speaker.of(text))) => None,
        None => Some(Attribution { speaker: Cow::Borrowed(speaker.of(text)), span: speaker, entity: None }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_entity_of_a_type_is_the_one_a_search_back_finds() {
        let types = [EntityType::Org, EntityType::Person, EntityType::Person, EntityType::Loc, EntityType::Org];
        let entities: Vec<EntityItem> = types
            .iter()
            .enumerate()
            .map(|(at, &entity_type)| EntityItem {
                span: Span::new(2 * at, 2 * at + 1),
                text: "x",
                rule: "rule",
                entity_type,
                canonical: Cow::Borrowed("x"),
            })
            .collect();
        let earlier = Earlier::new(&entities);
        for wanted in [EntityType::Org, EntityType::Person, EntityType::Loc, EntityType::Misc] {
            for count in 0..=entities.len() {
                let searched_back = entities[..count].iter().rposition(|e| e.entity_type == wanted);
                assert_eq!(earlier.last_of_type(wanted, count), searched_back, "{wanted:?} in {count}");
            }
        }
    }

    proptest::proptest! {
        /// The one pass over the rules that fired gives what a pass for each part gives: the
        /// first rule of the greatest weight, the kinds sorted once each, the rules' names.
        #[test]
        fn the_cues_of_a_claim_are_read_in_one_pass(
            few in proptest::collection::vec(0usize..Fired::CAPACITY, 0..6),
            many in proptest::num::u128::ANY,
            dense in proptest::bool::ANY,
        ) {
            static EXTRACTOR: std::sync::LazyLock<ClaimExtractor> = std::sync::LazyLock::new(|| {
                ClaimExtractor::compile(&RuleSource::embedded(), &mut Catalogue::default()).unwrap()
            });
            let extractor = &*EXTRACTOR;
            let bits = if dense { many } else { few.iter().fold(0, |bits, &rule| bits | 1 << rule) };
            let fired = Fired(bits & (u128::MAX >> (Fired::CAPACITY - extractor.rules.len())));
            let rules = &extractor.rules;
            let strongest = fired.iter().max_by(|&a, &b| rules[a].weight.total_cmp(&rules[b].weight).then(b.cmp(&a)));
            let mut kinds: Vec<ClaimKind> = fired.iter().filter_map(|r| rules[r].kind).collect();
            kinds.sort();
            kinds.dedup();
            let cues = fired.iter().map(|r| rules[r].id.as_str()).collect();
            proptest::prop_assert_eq!(extractor.cues(fired), Cues { strongest, kinds, cues });
        }

        /// What lets [`ClaimExtractor::extract`] leave a paragraph without an attribution
        /// unread for its quotation marks: carrying changes nothing there, whatever the quotes;
        /// with one, it is carried only as far as the quotes say.
        #[test]
        fn only_an_attribution_is_carried(
            quotes in proptest::collection::vec((proptest::bool::ANY, proptest::bool::ANY), 0..8),
            attributed in proptest::option::of(0usize..8),
        ) {
            let quotes: Vec<units::Quoting> = quotes
                .into_iter()
                .map(|(starts_quoted, continues)| units::Quoting { starts_quoted, continues })
                .collect();
            let mut pending: Vec<Pending> = (0..quotes.len())
                .map(|number| Pending {
                    unit: Unit { span: Span::new(number, number + 1), chain_step: false },
                    number,
                    reading: Reading::default(),
                    holds: Holds::default(),
                })
                .collect();
            let attributed = attributed.filter(|&at| at < pending.len());
            if let Some(at) = attributed {
                give(&mut pending[at].reading, (Span::new(at, at + 1), 3));
            }
            carry_attribution(&mut pending, &quotes);
            for (number, unit) in pending.iter().enumerate() {
                let Some(at) = attributed else {
                    proptest::prop_assert!(unit.reading.attribution.is_none() && unit.reading.fired == Fired::default());
                    continue;
                };
                // Back over units that each continue a quotation into a quoted next one, and
                // on over quoted units after a quoted one.
                let back = (number..at).all(|i| quotes[i].continues && quotes[i + 1].starts_quoted);
                let on = (at..=number).all(|i| quotes[i].starts_quoted);
                let carried = number == at || (number < at && back) || (number > at && on);
                proptest::prop_assert_eq!(unit.reading.attribution.is_some(), carried, "{}", number);
            }
        }

        /// What lets [`ClaimExtractor::extract`] pass over a block with fewer words than a claim
        /// needs without segmenting it: none of its units, however its sentences and clauses
        /// are cut (headings, `;`, `→`, a closing question, Markdown marks), has more words with
        /// a letter than the block.
        #[test]
        fn no_unit_has_more_words_than_its_block(
            text in "[aZ1 .;:?!#\"\u{201c}\u{2192}\u{a0}\u{e9}\u{2003}\t\n-]{0,60}",
            lead in 0usize..4,
        ) {
            let segmenter = Segmenter::compile(&RuleSource::embedded(), &mut Catalogue::default()).unwrap();
            let text = format!("{}{text}", &"Kiln Works Rates "[..lead * 5]);
            let block = Span::new(0, text.len()).trim(&text);
            let arrows: Vec<usize> = text.match_indices('\u{2192}').map(|(at, _)| at).collect();
            let (mut sentences, mut units) = (Vec::new(), Vec::new());
            segmenter.sentences(&text, block, &mut sentences);
            for &sentence in &sentences {
                let place = units::Place { at_block_start: sentence.start == block.start, block_has_semicolon: true };
                units::split(&text, sentence, place, &[], &[], &arrows, &mut units);
            }
            let most = units::words_with_letter(block.of(&text), usize::MAX);
            for unit in units {
                proptest::prop_assert!(units::words_with_letter(unit.span.of(&text), usize::MAX) <= most, "{:?}", unit);
            }
        }

        /// Where the phrase walk found a literal (with the boundaries it checks: at a side no
        /// owner takes without one), its owners are those a reading of both boundaries gives.
        #[test]
        fn a_literal_found_has_the_owners_its_boundaries_give(
            text in r"[a1 _.é]{1,12}",
            owners in proptest::array::uniform4(0u128..4),
            from in 0usize..12,
            len in 0usize..12,
        ) {
            let unit = Span::new(0, text.len());
            let from = from.min(text.len());
            let to = (from + len).min(text.len());
            let [none, start, end, _] = owners;
            proptest::prop_assume!(none | end != 0 || ascii_boundary(&text, unit, from));
            proptest::prop_assume!(none | start != 0 || ascii_boundary(&text, unit, to));
            let read = bounded(&owners, ascii_boundary(&text, unit, from), ascii_boundary(&text, unit, to));
            proptest::prop_assert_eq!(found_at(&owners, &text, unit, from, to), read);
        }

        /// The byte scan finds the one-byte literals, with the word boundaries their patterns
        /// ask for, where the phrase automaton's hits did: at every occurrence, bounded as
        /// [`ascii_boundary`] bounds it in the unit.
        #[test]
        fn one_byte_literals_are_seen_where_each_occurrence_is(
            text in r"[aA1%?iIZé \n.\-_ж\u{2003}]{0,70}",
            cut in 0usize..8,
            cap in 0usize..30,
        ) {
            let mut bytes = ByteLiterals::default();
            // Literal `n` (of four) owned by column 4n + bound under each bound; `i` by column
            // 16, a pattern of the whole word `I`.
            let literals = ["1", "%", "?", "a"];
            let mut words = vec![Vec::new(); 16];
            words.push(vec!["I".to_string()]);
            let spellings = Spellings { columns: 1 << 16, words };
            for (n, literal) in literals.iter().enumerate() {
                let owners = std::array::from_fn(|bound| 1 << (4 * n + bound));
                proptest::prop_assert!(bytes.add(literal, owners, &spellings));
            }
            proptest::prop_assert!(bytes.add("i", [0, 0, 0, 1 << 16], &spellings));
            let mut start = cut.min(text.len());
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let unit = Span::new(start, text.len());
            let mut expected = 0;
            for (at, byte) in text.bytes().enumerate().skip(start) {
                let (at_start, at_end) = (ascii_boundary(&text, unit, at), ascii_boundary(&text, unit, at + 1));
                if let Some(n) = literals.iter().position(|literal| literal.as_bytes()[0] == byte.to_ascii_lowercase()) {
                    let owners = std::array::from_fn(|bound| 1 << (4 * n + bound));
                    expected |= bounded(&owners, at_start, at_end);
                }
                if byte == b'I' && at_start && at_end {
                    expected |= 1 << 16;
                }
            }
            let words = units::words_with_letter(unit.of(&text), usize::MAX);
            proptest::prop_assert_eq!(bytes.seen_in(&text, unit, cap), (expected, words.min(cap)));
        }
    }
}
