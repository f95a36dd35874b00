//! Boilerplate: which lines of a page are chrome (image residues, menus, share prompts, sign-ups,
//! cookie banners, footers…) and which are the article.
//!
//! The unit is the line (see [`crate::segment`]). Each line is looked at in two forms: the raw
//! line, for patterns that need the markup (an image URL residue such as `.png&w=3840&q=75)`), and
//! its *visible text*, the line as a reader would see it once markdown links are reduced to their
//! anchor text and bare URLs are dropped, for phrases ("Share it with the world") and word counts.
//! A rule in `rules/boilerplate/` fires on a line when every condition it sets holds:
//!
//! - `phrases`: one of them occurs in the visible text (ASCII case-insensitive), at the `position`
//!   the rule asks for (`anywhere`, `start` or `whole`);
//! - `patterns`: one of these regexes matches the trimmed raw line;
//! - `max_words`: the visible text has at most this many words (long lines are prose, even when they
//!   mention "cookies");
//! - `min_link_share`: at least this fraction of the visible characters is link anchor text;
//! - `min_pattern_share`: the matches of `patterns`, found left to right anywhere in the trimmed
//!   raw line, cover at least this fraction of its bytes (a line that is mostly an embedded image
//!   payload, whatever prose rides along).
//!
//! Rules are tried by `priority` (higher first, 0 by default), then in file order; the first that
//! fires names the line's `kind`. Catch-all layout rules (link-dense lines, separated menus) have
//! a negative priority so that a specific rule (a footer, a share row) names the line first.
//!
//! Lines that no rule names are then judged by their context (see the `context` module): length, link
//! share and stop-word density per language, smoothed by the neighbouring lines, decide which
//! lines are the article. With `--repeats`, lines that recur across the corpus go too (see
//! the `repeats` module). Removed lines are reported in the record's `boilerplate` list; everything
//! downstream reads only the kept lines.

mod context;
mod repeats;
mod visible;
mod words;

pub use repeats::{RepeatCounter, RepeatedLines, distinct_line_keys};

use crate::rules::gate::{self, Gate};
use crate::rules::lazy::{self, LazyCache, LazyDfa, TextWalks};
use aho_corasick::{AhoCorasick, MatchKind};
use context::{KindSets, LineCues, Settings, StopWords, Verdict};
use regex_automata::hybrid::LazyStateID;
use visible::{Scratch, line_marks, link_cache, visible_line};

use memchr::memmem;
use regex::Regex;
use regex_automata::nfa::thompson;
use regex_syntax::hir::Hir;

use crate::chars::{ALPHANUMERIC, is_ascii_space, next_char_where};
use crate::record::BoilerplateKind;
use crate::rules::{
    self, Catalogue, Family, PhraseSet, PhraseSetBuilder, Position, RuleError, RuleSource, TooManyPhrases, rule_table,
};
use crate::segment;
use crate::span::Span;

rule_table! {
    /// A `[[rule]]` in `rules/boilerplate/`.
    pub struct BoilerplateRule {
        /// What the removed line is: `image-url`, `share-prompt`, `newsletter`, `navigation`…
        pub kind: BoilerplateKind,
        /// Phrases looked for in the visible text, ASCII case-insensitively.
        #[serde(default)]
        pub phrases: Vec<String>,
        /// Where a phrase must sit in the visible text.
        #[serde(default)]
        pub position: Position,
        /// Regexes tried on the trimmed raw line.
        #[serde(default)]
        pub patterns: Vec<toml::Spanned<String>>,
        /// Lines with more visible words than this are never matched by the rule.
        #[serde(default)]
        pub max_words: Option<usize>,
        /// Minimum share of visible characters that are link anchor text.
        #[serde(default)]
        pub min_link_share: Option<f64>,
        /// Minimum share of the trimmed raw line's bytes that the matches of `patterns` cover.
        #[serde(default)]
        pub min_pattern_share: Option<f64>,
        /// Rules with a higher priority are tried first.
        #[serde(default)]
        pub priority: i32,
    }
}

rule_table! {
    /// A `[[context]]` rule in `rules/boilerplate/`: names the lines the context pass removes
    /// with one verdict (see the `context` module).
    pub struct ContextRule {
        /// What the removed line is.
        pub kind: BoilerplateKind,
        /// The verdict of the context pass this rule stands for: `link-dense` or `outside-article`.
        pub verdict: Verdict,
    }
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct BoilerplateFile {
    #[serde(default)]
    rule: Vec<BoilerplateRule>,
    #[serde(default)]
    context: Vec<ContextRule>,
    #[serde(default)]
    classifier: Option<Settings>,
    #[serde(default)]
    language: Vec<context::Language>,
}

#[derive(Debug)]
struct Compiled {
    id: String,
    kind: BoilerplateKind,
    has_phrases: bool,
    /// The rule's patterns anchored at the start, one bit each by their number in
    /// [`StartPatterns`]: one test of the line's set of matching start patterns answers for
    /// all of them. Tried last with `patterns`, and only when every cheaper condition holds.
    starts: u64,
    /// The rule's other patterns.
    patterns: Vec<Pattern>,
    /// The bits of `patterns` (see [`Screen::bit`]) when each has one: a line whose refusals
    /// hold them all matches none, which one test tells without a look at each.
    screened: Option<u64>,
    max_words: Option<usize>,
    min_link_share: Option<f64>,
    /// What `min_pattern_share` asks, tried only on the lines a pattern of the rule matches.
    pattern_share: Option<PatternShare>,
}

/// A rule's `min_pattern_share`: its patterns as one alternation, whose matches are measured
/// against the line.
#[derive(Debug)]
struct PatternShare {
    min: f64,
    any_pattern: Regex,
    /// The search for its matches when every match opens with a literal.
    after_opening: Option<AfterOpening>,
}

impl PatternShare {
    /// The share `min` of the matches of `alternation`, built as [`rules::build_regex`] builds
    /// a rule's regex.
    fn new(min: f64, alternation: &str) -> Result<PatternShare, regex::Error> {
        let any_pattern = rules::build_regex(alternation)?;
        let after_opening = regex_syntax::parse(alternation).ok().and_then(|hir| AfterOpening::of(&hir));
        Ok(PatternShare { min, any_pattern, after_opening })
    }

    /// Whether the matches in `line` cover the share.
    fn holds(&self, line: &str) -> bool {
        self.after_opening
            .as_ref()
            .and_then(|after| self.covers(line, after.matches(&mut after.caches.get(), line)))
            .unwrap_or_else(|| {
                self.covers(line, self.any_pattern.find_iter(line).map(|found| Some((found.start(), found.end()))))
                    == Some(true)
            })
    }

    /// Whether `matches`, the matches in `line` in order as `(start, end)`, cover the share;
    /// `None` at a match that could not be told. The search stops as soon as the share is
    /// reached, or can no longer be: a line of prose with one small icon is not searched to its
    /// end, nor a line of payload past three quarters of it.
    fn covers(&self, line: &str, matches: impl Iterator<Item = Option<(usize, usize)>>) -> Option<bool> {
        let needed = self.min * line.len() as f64;
        let mut covered = 0;
        for found in matches {
            let (start, end) = found?;
            covered += end - start;
            if covered as f64 >= needed {
                return Some(true);
            }
            if ((covered + line.len() - end) as f64) < needed {
                return Some(false);
            }
        }
        Some(covered as f64 >= needed)
    }
}

/// The search for the matches of a pattern that all open with the same literal: each starts at
/// an occurrence of it, found by a vectorised search, where a walk of the pattern's lazy DFA
/// tells whether one starts and where it ends. The general engine finds a match's end forwards
/// and then its start backwards, and a match whose every byte leads the DFA to a match state (an
/// image's payload of kilobytes, `[A-Za-z0-9+/=]*`) costs it a step of its slow path a byte, both
/// ways; the walk crosses such a run by a table of the bytes that keep the DFA in its state.
struct AfterOpening {
    opening: memmem::Finder<'static>,
    dfa: std::sync::Arc<LazyDfa>,
    caches: regex_automata::util::pool::Pool<LazyCache, lazy::CacheMaker<LazyCache>>,
}

impl std::fmt::Debug for AfterOpening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AfterOpening({:?})", self.opening.needle())
    }
}

impl AfterOpening {
    /// The search for the matches of `hir`, when each of them opens with a literal and a lazy
    /// DFA runs it.
    fn of(hir: &Hir) -> Option<AfterOpening> {
        use regex_syntax::hir::HirKind;
        let first = match hir.kind() {
            HirKind::Concat(parts) => parts.first()?,
            _ => hir,
        };
        let HirKind::Literal(literal) = first.kind() else { return None };
        let dfa = std::sync::Arc::new(lazy_dfa(hir)?);
        let shared = std::sync::Arc::clone(&dfa);
        let make: lazy::CacheMaker<LazyCache> = Box::new(move || shared.create_cache());
        let opening = memmem::Finder::new(&literal.0).into_owned();
        Some(AfterOpening { opening, dfa, caches: regex_automata::util::pool::Pool::new(make) })
    }

    /// The matches in `line`, left to right as `find_iter` finds them, as `(start, end)`; `None`
    /// (and nothing after it) where the DFA could not go on. A match starts at the first
    /// occurrence of the opening, from the end of the one before, where one starts at all.
    fn matches<'a>(
        &'a self,
        cache: &'a mut LazyCache,
        line: &'a str,
    ) -> impl Iterator<Item = Option<(usize, usize)>> + 'a {
        let (bytes, mut from) = (line.as_bytes(), Some(0));
        std::iter::from_fn(move || {
            loop {
                let start = from? + self.opening.find(&bytes[from?..])?;
                match anchored_end(&self.dfa, cache, bytes, start) {
                    None => {
                        from = None;
                        return Some(None);
                    }
                    Some(Some(end)) => {
                        from = Some(end);
                        return Some(Some((start, end)));
                    }
                    Some(None) => from = Some(start + 1),
                }
            }
        })
    }
}

/// Where the match of `dfa` (leftmost first) that starts at `start` of `haystack` ends, if one
/// does: the DFA walked from there until it dies, as a forward search finds a match's end (the
/// DFA reaches a match state a byte past the end of the match). A run of bytes through which a
/// match state keeps to itself is crossed by a table of those bytes, at a few instructions a
/// byte. `None` if the DFA could not go on.
fn anchored_end(dfa: &LazyDfa, cache: &mut LazyCache, haystack: &[u8], start: usize) -> Option<Option<usize>> {
    let input = regex_automata::Input::new(haystack).range(start..).anchored(regex_automata::Anchored::Yes);
    let mut state = dfa.start_state_forward(cache, &input).ok()?;
    let mut end = None;
    // The state whose loop was last tabled, with the cache's count of clearings then.
    let mut looping: Option<(LazyStateID, usize, [bool; 256])> = None;
    let mut at = start;
    while at < haystack.len() {
        let next = dfa.next_state(cache, state, haystack[at]).ok()?;
        if next.is_match() {
            end = Some(at);
            if next == state {
                let clears = cache.clear_count();
                if looping.is_none_or(|(known, known_clears, _)| known != state || known_clears != clears) {
                    looping = Some((state, clears, self_loop(dfa, cache, state)?));
                }
                let (_, _, loops) = looping.as_ref()?;
                at += haystack[at + 1..].iter().take_while(|&&byte| loops[usize::from(byte)]).count();
                end = Some(at);
            }
        } else if next.is_dead() {
            return Some(end);
        } else if next.is_quit() {
            return None;
        }
        state = next;
        at += 1;
    }
    Some(if dfa.next_eoi_state(cache, state).ok()?.is_match() { Some(haystack.len()) } else { end })
}

/// The bytes on which `dfa` goes from `state` back to `state`, by its byte classes; `None` if
/// the cache was cleared meanwhile, which leaves `state` stale.
fn self_loop(dfa: &LazyDfa, cache: &mut LazyCache, state: LazyStateID) -> Option<[bool; 256]> {
    let (classes, clears) = (dfa.byte_classes(), cache.clear_count());
    let mut by_class = [false; 256];
    for unit in classes.representatives(..) {
        let Some(byte) = unit.as_u8() else { continue };
        by_class[usize::from(classes.get(byte))] = dfa.next_state(cache, state, byte).ok()? == state;
    }
    (cache.clear_count() == clears).then(|| std::array::from_fn(|byte| by_class[usize::from(classes.get(byte as u8))]))
}

/// A line pattern that is not run with the others anchored at the start (one walk from the
/// line's start answers for all of those at once, see [`StartPatterns::matches`]).
#[derive(Debug)]
enum Pattern {
    /// A pattern anchored at the start that may stay alive through much of a line (see
    /// [`lives_long`]): a lazy DFA of its own, by its index in [`LineDfas`], walked from the
    /// start (see [`walk`]) only on the lines its screen admits.
    Long(Screen, usize),
    /// The general engine, behind its screen, for a pattern that may match anywhere in the line
    /// (its prefilters pay there) or that a lazy DFA cannot run (a Unicode word boundary).
    Anywhere(Screen, Regex),
}

/// What a line must show for a pattern to be worth running: one of the words it needs (see
/// [`words::required_words`]), which the scan of the line's words tells at no cost of its own,
/// and what its gate asks.
#[derive(Debug)]
struct Screen {
    /// The pattern's bit among the screened patterns (by their number, up to [`MAX_SCREENS`];
    /// 0 past that): its bit in the sets of [`Refusals`].
    bit: u64,
    /// Whether the pattern is screened by its words: `bit` is then set in the gate sets of its
    /// words (see [`StopWords::gate_word`]).
    needs_words: bool,
    gate: Gate,
    /// The bit of the gate's literals in [`LiteralSets`], which looks for them in the whole
    /// document at once; 0 when the gate looks for them in the line itself, or asks for none.
    literals: u64,
    /// The bit of the pattern's words in [`WordSets`], which looks for them in the whole
    /// document, for the lines whose tokens the scan does not tell; 0 when not looked for.
    word_set: u64,
    /// What the pattern asks of a line's first bytes past its opening run, if it opens with one.
    lead: Option<Lead>,
    /// Whether the pattern matches only whole lines without white space (see [`solid_line`]):
    /// a line of prose shows a space within its first bytes, where the walk of the pattern's DFA
    /// costs a call and its start state more.
    solid: bool,
}

impl Screen {
    /// Whether the line `line`, whose words, literals and edges turn down the patterns `refused`
    /// (see [`Refusals`]) in a document where the searches gave up on the literal sets `dense`,
    /// may match.
    #[inline(always)]
    fn admits(&self, refused: u64, dense: u64, line: &str) -> bool {
        self.bit & refused == 0 && self.admits_text(dense, line)
    }

    /// What the screen asks of the line's text itself, once its words and literals let it
    /// through.
    fn admits_text(&self, dense: u64, line: &str) -> bool {
        self.lead.as_ref().is_none_or(|lead| lead.admits(line))
            && !(self.solid && line.bytes().any(is_ascii_space))
            && match self.literals {
                bit if bit == 0 || dense & bit != 0 => self.gate.admits(line),
                _ => self.gate.admits_edges(line),
            }
    }
}

/// The screens' conditions that read only what a line's scan and the document's searches
/// already hold (its gate set of words, or the word sets and literal sets present in it), and
/// those of its gate on the line's first and last bytes, as sets of the patterns they turn
/// down, one bit each (see [`Screen::bit`]): a few masks per line turn down what a call per
/// pattern and line did. Most of the lines that meet a screened pattern are turned down here:
/// a line of links holds none of its words or literals.
#[derive(Debug, Default)]
struct Refusals {
    /// The patterns screened by their words.
    by_words: u64,
    /// The patterns that need a word of each set of [`WordSets`], by the set's number, and
    /// all of them.
    by_word_set: Vec<u64>,
    in_word_sets: u64,
    /// The patterns whose gates need a literal of each set of [`LiteralSets`], by its number,
    /// and all of them.
    by_literal_set: Vec<u64>,
    in_literal_sets: u64,
    /// The patterns by what their gates ask of a line's edges.
    edges: EdgeTable,
}

impl Refusals {
    /// Files the conditions of `screen`, which has its bit.
    fn file(&mut self, screen: &Screen) {
        fn add(sets: &mut Vec<u64>, all: &mut u64, set: u64, bit: u64) {
            if set != 0 {
                let number = set.trailing_zeros() as usize;
                if sets.len() <= number {
                    sets.resize(number + 1, 0);
                }
                sets[number] |= bit;
                *all |= bit;
            }
        }
        if screen.needs_words {
            self.by_words |= screen.bit;
        }
        add(&mut self.by_word_set, &mut self.in_word_sets, screen.word_set, screen.bit);
        add(&mut self.by_literal_set, &mut self.in_literal_sets, screen.literals, screen.bit);
        self.edges.add(screen.bit, &screen.gate);
    }

    /// The patterns turned down by what their gates ask of the first and last bytes of `line`,
    /// which is not empty.
    #[inline(always)]
    fn by_edges(&self, line: &str) -> u64 {
        !self.edges.possible(line)
    }

    /// The patterns turned down on a line with the gate set `words` (`None` when its tokens are
    /// not all known) and the literals `literals` (see [`LiteralSets::present`]).
    #[inline(always)]
    fn of(&self, words: Option<u64>, literals: LineLiterals) -> u64 {
        // The patterns of the sets neither present in the line nor given up on. A pattern is
        // filed under one set of each kind at most (a screen has one bit of each), so they are
        // the patterns of all the sets less those of the sets held: a step per set the line
        // holds, which is next to none, not per set there is.
        let missing = |sets: &[u64], all: u64, held: u64| {
            let mut held = held & if sets.len() < 64 { (1 << sets.len()) - 1 } else { u64::MAX };
            let mut kept = 0;
            while held != 0 {
                kept |= sets[held.trailing_zeros() as usize];
                held &= held - 1;
            }
            all & !kept
        };
        let by_words = match words {
            Some(words) => self.by_words & !words,
            None => missing(&self.by_word_set, self.in_word_sets, literals.words_present | literals.words_dense),
        };
        by_words | missing(&self.by_literal_set, self.in_literal_sets, literals.present | literals.dense)
    }
}

/// Patterns, one bit each, by what their gates ask of a text's first and last bytes (see
/// [`Gate::may_start_with`]): a table per edge, so that two loads tell it for all of them. A
/// gate's edges turn down most lines a pattern meets (prose ends with a full stop, which few
/// anchored patterns end with), and one test of a bit spares a call per pattern and line.
#[derive(Debug)]
struct EdgeTable {
    /// The patterns that may match a text starting with each byte.
    first: Box<[u64; 256]>,
    /// The patterns that may match a text ending with each byte.
    last: Box<[u64; 256]>,
}

impl Default for EdgeTable {
    /// A table that leaves every pattern, as it does those never added.
    fn default() -> Self {
        EdgeTable { first: Box::new([u64::MAX; 256]), last: Box::new([u64::MAX; 256]) }
    }
}

impl EdgeTable {
    /// Adds the pattern with the bit `bit` and the gate `gate`.
    fn add(&mut self, bit: u64, gate: &Gate) {
        for byte in 0..=u8::MAX {
            if !gate.may_start_with(byte) {
                self.first[usize::from(byte)] &= !bit;
            }
            if !gate.may_end_with(byte) {
                self.last[usize::from(byte)] &= !bit;
            }
        }
    }

    /// The patterns that may match `text` as far as its first and last bytes tell (all for
    /// an empty text, which no gate is asked of).
    #[inline(always)]
    fn possible(&self, text: &str) -> u64 {
        match (text.as_bytes().first(), text.as_bytes().last()) {
            (Some(&first), Some(&last)) => self.first[usize::from(first)] & self.last[usize::from(last)],
            _ => u64::MAX,
        }
    }
}

/// The opening of a pattern anchored at the start that first repeats a class and then needs a
/// byte the class does not hold: `^[#*_\s]*(?:\d+|no|…)\s+comments` opens with markup, then a
/// digit or a letter. A line of links (`* [Home](/)`) holds the markup, then `[`: the walk of
/// the pattern's DFA would die there, a few bytes in, but its call and start state cost more
/// than a look at those bytes.
#[derive(Debug, Clone, Copy)]
struct Lead {
    /// The ASCII bytes of the repeated class.
    run: [u64; 4],
    /// The bytes that may start the rest of the pattern, none of them in `run`.
    next: [u64; 4],
}

impl Lead {
    /// The lead of `hir`, when it opens (after `^`) with a repeated class and the rest cannot
    /// match the empty string nor start with an ASCII byte of the class.
    fn of(hir: &Hir) -> Option<Lead> {
        use regex_syntax::hir::{HirKind, Look};
        let HirKind::Concat(parts) = hir.kind() else { return None };
        let [start, repeated, rest @ ..] = parts.as_slice() else { return None };
        if start.kind() != &HirKind::Look(Look::Start) {
            return None;
        }
        let HirKind::Repetition(repetition) = repeated.kind() else { return None };
        if !matches!(repetition.sub.kind(), HirKind::Class(_)) {
            return None;
        }
        // The first bytes of a class's characters: its ASCII members are those below 0x80.
        let mut run = gate::first_bytes(&repetition.sub)?;
        run[2..].fill(0);
        let next = gate::first_bytes(&Hir::concat(rest.to_vec()))?;
        run.iter().zip(&next).all(|(run, next)| run & next == 0).then_some(Lead { run, next })
    }

    /// Whether a match may start `line`. A match is the class repeated, then the rest: past the
    /// ASCII bytes of the class comes the rest's first byte, unless a character of the class
    /// beyond ASCII comes first, which lets the line through.
    fn admits(&self, line: &str) -> bool {
        let bytes = line.as_bytes();
        bytes
            .iter()
            .find(|&&byte| !gate::has_byte(&self.run, byte))
            .is_some_and(|&byte| !byte.is_ascii() || gate::has_byte(&self.next, byte))
    }
}

/// Whether every match of `hir` is a whole text without ASCII white space: the pattern is
/// anchored at the start and at the end, and none of its literals and classes holds a white
/// space byte (`(?i)^[^\s!\[]\S*\.(?:png|jpe?g)$` names an image by its address alone).
fn solid_line(hir: &Hir) -> bool {
    use regex_syntax::hir::{Class, HirKind, Look};
    fn solid(hir: &Hir) -> bool {
        let holds_space = |start: u32, end: u32| {
            (b'\t'..=b' ').any(|byte| is_ascii_space(byte) && (start..=end).contains(&byte.into()))
        };
        match hir.kind() {
            HirKind::Empty | HirKind::Look(_) => true,
            HirKind::Literal(literal) => !literal.0.iter().any(|&byte| is_ascii_space(byte)),
            HirKind::Class(Class::Unicode(class)) => {
                !class.iter().any(|range| holds_space(range.start().into(), range.end().into()))
            }
            HirKind::Class(Class::Bytes(class)) => {
                !class.iter().any(|range| holds_space(range.start().into(), range.end().into()))
            }
            HirKind::Repetition(repetition) => solid(&repetition.sub),
            HirKind::Capture(capture) => solid(&capture.sub),
            HirKind::Concat(parts) | HirKind::Alternation(parts) => parts.iter().all(solid),
        }
    }
    let properties = hir.properties();
    properties.look_set_prefix().contains(Look::Start) && properties.look_set_suffix().contains(Look::End) && solid(hir)
}

/// What the search of a document for the literal sets tells of one of its lines (see
/// [`LiteralSets::present`]).
#[derive(Debug, Clone, Copy)]
struct LineLiterals {
    /// The sets of which the line holds a literal, one bit each.
    present: u64,
    /// The sets that the search gave up on in the document: a gate looks for them in the line.
    dense: u64,
    /// The same for the word sets of [`WordSets`].
    words_present: u64,
    words_dense: u64,
}

/// The literal sets that the gates of the line patterns ask lines for, each looked for once in
/// a whole document (see [`present`](Self::present)): one vectorised search over the text costs
/// a fraction of one search in every line that a pattern meets, and patterns that ask for the
/// same literals (`©`) share it.
#[derive(Debug, Default)]
struct LiteralSets {
    /// The first gate to ask for each set: it looks for them, unless `joint` does.
    gates: Vec<Gate>,
    /// One search for the sets whose gates would each run a substring search or an automaton
    /// over the whole document (see [`Gate::scans_for_bytes`]): their literals are rare, and
    /// one pass finds them all for the price of about one of those searches.
    joint: Option<JointSearch>,
}

/// The literals of several sets in one leftmost-longest automaton, the sets of each literal
/// beside it. The search goes on from the byte after the start of each literal found, and
/// the longest literal that starts at a byte holds as prefixes all the others that start there:
/// the sets of a literal are those of the literals it starts with, so that a find tells every
/// set with a literal at its start.
#[derive(Debug)]
struct JointSearch {
    automaton: AhoCorasick,
    /// By the automaton's pattern number, the sets with a literal its literal starts with.
    sets: Vec<u64>,
    /// The sets searched, one bit each.
    every: u64,
}

impl JointSearch {
    /// The joint search for the literals of `gates` whose bits are in `every`; `None` when
    /// the automaton cannot be built (each gate then searches on its own).
    fn new(gates: &[Gate], every: u64) -> Option<JointSearch> {
        let mut literals: Vec<&[u8]> = Vec::new();
        for (number, gate) in gates.iter().enumerate() {
            if every & 1 << number != 0 {
                literals.extend(gate.literals().iter().map(Vec::as_slice));
            }
        }
        literals.sort_unstable();
        literals.dedup();
        let sets = literals
            .iter()
            .map(|literal| {
                let holders = gates.iter().enumerate().filter(|&(number, gate)| {
                    every & 1 << number != 0 && gate.literals().iter().any(|known| literal.starts_with(known))
                });
                holders.fold(0, |sets, (number, _)| sets | 1 << number)
            })
            .collect();
        let automaton = AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(&literals).ok()?;
        Some(JointSearch { automaton, sets, every })
    }

    /// Sets the bits of the sets searched in `present[i]` for each of `lines` (the lines of
    /// `text`) that holds one of their literals, and returns the sets given up on, as
    /// [`mark_lines`] does for one set. Once a line holds every set not given up on, the
    /// search goes on from its end.
    fn mark(&self, text: &str, lines: &[Span], present: &mut [u64]) -> u64 {
        let most = 4 + lines.len() / 32;
        let mut found_in = [0usize; LiteralSets::MAX];
        let (mut dense, mut line, mut from) = (0u64, 0, 0);
        while dense != self.every
            && let Some(found) = self.automaton.find(aho_corasick::Input::new(text).span(from..text.len()))
        {
            while lines.get(line).is_some_and(|holder| holder.end < found.end()) {
                line += 1;
            }
            let Some(held) = present.get_mut(line) else { break };
            let mut new = self.sets[found.pattern().as_usize()] & !*held;
            *held |= new;
            while new != 0 {
                let set = new.trailing_zeros() as usize;
                found_in[set] += 1;
                if found_in[set] > most {
                    dense |= 1 << set;
                }
                new &= new - 1;
            }
            from = if self.every & !(*held | dense) == 0 { lines[line].end } else { found.start() + 1 };
        }
        dense
    }
}

impl LiteralSets {
    /// The most sets: one bit each.
    const MAX: usize = 64;

    /// The bit of the literals `gate` asks for, filed when new; 0 when it asks for none, when
    /// there are already [`Self::MAX`] sets, or when a literal may hold a line break or white
    /// space at an end (an occurrence in the document would then not tell that the trimmed line
    /// holds it).
    fn bit(&mut self, gate: &Gate) -> u64 {
        let literals = gate.literals();
        let searchable = |literal: &Vec<u8>| {
            std::str::from_utf8(literal).is_ok_and(|text| {
                !text.contains(['\n', '\r'])
                    && text.chars().next().is_some_and(|c| !c.is_whitespace())
                    && text.chars().next_back().is_some_and(|c| !c.is_whitespace())
            })
        };
        if literals.is_empty() || !literals.iter().all(searchable) {
            return 0;
        }
        if let Some(number) = self.gates.iter().position(|known| known.literals() == literals) {
            return 1 << number;
        }
        if self.gates.len() == Self::MAX {
            return 0;
        }
        self.gates.push(gate.clone());
        1 << (self.gates.len() - 1)
    }

    /// Builds the joint search for the sets filed whose gates do not scan for bytes, when
    /// there are two or more of them. A set whose literals all start with ASCII punctuation
    /// (`![`) keeps its own search: a substring search skips to those rare bytes for less than
    /// the automaton's stops at them cost.
    fn finish(&mut self) {
        let every = self
            .gates
            .iter()
            .enumerate()
            .filter(|(_, gate)| {
                !gate.scans_for_bytes()
                    && !gate.literals().iter().all(|literal| literal.first().is_some_and(u8::is_ascii_punctuation))
            })
            .fold(0u64, |every, (number, _)| every | 1 << number);
        self.joint = if every.count_ones() >= 2 { JointSearch::new(&self.gates, every) } else { None };
    }

    /// For each of `lines` (the lines of `text`, in order), the sets of which it holds a
    /// literal, one bit each, and the sets given up on (see [`LineLiterals`]). An occurrence
    /// holds no line break, so it lies in the first line that ends at or after its end; the
    /// search goes on from the end of that line. A search costs a call per line that holds a
    /// literal, so one that finds a literal in more than a few lines (`.` or `/` in a page of
    /// links) is given up: a gate then looks in the few lines that come that far, once their
    /// other conditions hold.
    fn present(&self, text: &str, lines: &[Span]) -> (Vec<u64>, u64) {
        let mut present = vec![0u64; lines.len()];
        let (mut dense, joint) = match &self.joint {
            Some(joint) => (joint.mark(text, lines, &mut present), joint.every),
            None => (0, 0),
        };
        for (number, gate) in self.gates.iter().enumerate() {
            if joint & 1 << number != 0 {
                continue;
            }
            let find_end = |from| gate.find_literal(text, from).map(|found| found.end);
            if !mark_lines(lines, &mut present, 1 << number, find_end) {
                dense |= 1 << number;
            }
        }
        (present, dense)
    }
}

/// Sets `bit` in `present[i]` for each of `lines` that holds an occurrence found by
/// `find_end` (see [`segment::lines_holding`]). A search costs a call per line it marks, so it
/// gives up after more than `4 + lines/32` lines: `false` then, and the lines past that point
/// are not marked.
fn mark_lines(lines: &[Span], present: &mut [u64], bit: u64, find_end: impl FnMut(usize) -> Option<usize>) -> bool {
    let most = 4 + lines.len() / 32;
    let mut found_in = 0;
    for line in segment::lines_holding(lines, find_end) {
        present[line] |= bit;
        found_in += 1;
        if found_in > most {
            return false;
        }
    }
    true
}

/// The words of the screened patterns that the general engine runs (see [`Screen`]), each set
/// looked for in a whole document, ASCII case-insensitively: a line whose tokens the scan does
/// not tell (links undone, tokens beyond ASCII) holds a token with one of the pattern's keys, or
/// one beyond ASCII spelling such a word, only if it holds the key's letters or a character
/// beyond ASCII that may stand for one of them (see [`words::stray_letters`]). Most lines of
/// links hold neither `copyright` nor `reserved`; next to no document holds such a character,
/// and in one that does, every set is given up on.
#[derive(Debug, Default)]
struct WordSets {
    /// The words of each set, as a pattern.
    patterns: Vec<String>,
    /// The words of all the sets, in lower case.
    words: Vec<Vec<u8>>,
    /// One search for the sets at once, each a pattern of its own, whose match tells the set:
    /// most documents hold none of the words, and one pass over them costs half of two. Its
    /// literal prefilter (Teddy) skips through a document faster than an ASCII
    /// case-insensitive automaton, whose prefilter stops at every rare byte.
    searcher: Option<regex_automata::meta::Regex>,
    /// The characters that may stand for letters of the words of any set.
    strays: Vec<memmem::Finder<'static>>,
}

impl WordSets {
    /// The bit of the set of words with the keys `keys` (see [`words::required_words`]) of the
    /// pattern `hir`; 0 when there are already [`LiteralSets::MAX`] sets, or too many characters
    /// may stand for letters.
    fn bit(&mut self, keys: &[u64], hir: &Hir) -> u64 {
        let Some(strays) = words::stray_letters(hir) else { return 0 };
        if self.patterns.len() == LiteralSets::MAX {
            return 0;
        }
        let words: Option<Vec<String>> = keys.iter().map(|key| String::from_utf8(words::unpack(*key)).ok()).collect();
        let Some(words) = words else { return 0 };
        // The search finds one word where two start: the words of one set may not start those
        // of another. Where they overlap otherwise, the search finds both, as it goes on from
        // the byte after the start of each.
        let lower: Vec<Vec<u8>> = words.iter().map(|word| word.to_ascii_lowercase().into_bytes()).collect();
        if lower.iter().any(|word| self.words.iter().any(|known| known.starts_with(word) || word.starts_with(known))) {
            return 0;
        }
        let escaped: Vec<String> = words.iter().map(|word| regex::escape(word)).collect();
        let pattern = format!("(?i-u:{})", escaped.join("|"));
        if regex_syntax::parse(&pattern).is_err() {
            return 0;
        }
        self.patterns.push(pattern);
        self.words.extend(lower);
        for stray in strays {
            let bytes = stray.to_string().into_bytes();
            if !self.strays.iter().any(|known| known.needle() == bytes) {
                self.strays.push(memmem::Finder::new(&bytes).into_owned());
            }
        }
        1 << (self.patterns.len() - 1)
    }

    /// Builds the search for the sets filed; without it, every set is given up on.
    fn finish(&mut self) {
        self.searcher =
            (!self.patterns.is_empty()).then(|| regex_automata::meta::Regex::new_many(&self.patterns).ok()).flatten();
    }

    /// For each of `lines` (the lines of `text`, in order), the sets of which it holds a word,
    /// and the sets given up on, as [`LiteralSets::present`] finds literals. The search goes on
    /// from the byte after the start of each word found, so that it finds the words of the
    /// other sets in the same line, even one that overlaps it.
    fn present(&self, text: &str, lines: &[Span]) -> (Vec<u64>, u64) {
        let mut present = vec![0u64; lines.len()];
        let Some(searcher) = &self.searcher else { return (present, u64::MAX) };
        if self.strays.iter().any(|stray| stray.find(text.as_bytes()).is_some()) {
            return (present, u64::MAX);
        }
        let every = u64::MAX >> (64 - self.patterns.len());
        let most = 4 + lines.len() / 32;
        let mut found_in = vec![0usize; self.patterns.len()];
        let (mut dense, mut line) = (0u64, 0);
        let mut input = regex_automata::Input::new(text);
        while dense != every
            && let Some(found) = searcher.find(input.clone())
        {
            input.set_start(found.start() + 1);
            while lines.get(line).is_some_and(|holder| holder.end < found.end()) {
                line += 1;
            }
            let Some(held) = present.get_mut(line) else { break };
            let set = found.pattern().as_usize();
            if *held & 1 << set == 0 {
                *held |= 1 << set;
                found_in[set] += 1;
                if found_in[set] > most {
                    dense |= 1 << set;
                }
            }
        }
        (present, dense)
    }
}

/// At most this many patterns have a bit of their own (see [`Screen::bit`]); those past them are
/// screened by their gates alone, in the line.
const MAX_SCREENS: u32 = 64;

/// What the line patterns of all the rules compile into, gathered as they are compiled.
#[derive(Default)]
struct PatternParts {
    /// The patterns anchored at the start, for [`StartPatterns`].
    starts: Vec<Hir>,
    /// The lazy DFAs of the long patterns, for [`LineDfas`].
    dfas: Vec<LazyDfa>,
    /// How many patterns are screened (see [`MAX_SCREENS`]).
    screens: u32,
    literal_sets: LiteralSets,
    word_sets: WordSets,
    refusals: Refusals,
}

impl PatternParts {
    /// A screen with the gate `gate` and the next bit, which it needs for its literals to be
    /// looked for in the whole document (see [`Refusals`]).
    fn screen(&mut self, gate: Gate) -> Screen {
        let bit = if self.screens < MAX_SCREENS { 1 << self.screens } else { 0 };
        self.screens += 1;
        let literals = if bit == 0 { 0 } else { self.literal_sets.bit(&gate) };
        Screen { bit, needs_words: false, literals, gate, word_set: 0, lead: None, solid: false }
    }
}

impl Pattern {
    /// The pattern compiled; `None` when it joins the patterns anchored at the start (`parts`),
    /// with its bit set in `start_set`.
    fn compile(
        file: &rules::RuleFile,
        pattern: &toml::Spanned<String>,
        parts: &mut PatternParts,
        start_set: &mut u64,
        stop_words: &mut StopWords,
    ) -> Result<Option<Pattern>, RuleError> {
        let Ok(hir) = regex_syntax::parse(pattern.get_ref()) else {
            // The general engine says what is wrong with a pattern that does not parse.
            let screen = parts.screen(Gate::new(pattern.get_ref()));
            parts.refusals.file(&screen);
            return Ok(Some(Pattern::Anywhere(screen, rules::compile_regex(file, pattern)?)));
        };
        let from_start = runs_from_start(&hir);
        if from_start == Some(false) && parts.starts.len() < StartPatterns::MAX {
            *start_set |= 1 << parts.starts.len();
            parts.starts.push(hir);
            return Ok(None);
        }
        let mut screen = parts.screen(Gate::of(&hir));
        screen.solid = solid_line(&hir);
        if let Some((keys, beyond)) = words::required_words(&hir)
            && screen.bit != 0
        {
            screen.needs_words = true;
            for &key in &keys {
                *stop_words.gate_word(key) |= screen.bit;
            }
            // A search for the keys alone misses the lines that hold the pattern's words beyond
            // ASCII. A gate whose literals the whole document is searched for already screens
            // the lines as well as the words would: a second search of the document for them
            // (`data` and `image` of `data:image/`, common words) would cost more than it spares.
            if from_start.is_none() && !beyond && screen.literals == 0 {
                screen.word_set = parts.word_sets.bit(&keys, &hir);
            }
        }
        parts.refusals.file(&screen);
        if from_start.is_some()
            && let Some(dfa) = lazy_dfa(&hir)
        {
            screen.lead = Lead::of(&hir);
            parts.dfas.push(dfa);
            return Ok(Some(Pattern::Long(screen, parts.dfas.len() - 1)));
        }
        Ok(Some(Pattern::Anywhere(screen, rules::compile_regex(file, pattern)?)))
    }

    fn screen(&self) -> &Screen {
        match self {
            Pattern::Long(screen, _) | Pattern::Anywhere(screen, _) => screen,
        }
    }

    /// Whether the pattern matches `line`, whose words, literals and edges turn down the
    /// patterns `refused` (see [`Refusals`]), in a document whose searches gave up on the literal
    /// sets `dense`; `dfas` and `walks` run the long ones.
    fn is_match(&self, line: &str, refused: u64, dense: u64, dfas: &[LazyDfa], walks: &mut [TextWalks]) -> bool {
        self.screen().admits(refused, dense, line)
            && match self {
                Pattern::Long(_, index) => walk(&dfas[*index], &mut walks[*index], line).unwrap_or(true),
                Pattern::Anywhere(_, regex) => regex.is_match(line),
            }
    }
}

/// For a pattern that a lazy DFA walked from the line's start runs (it parses, every match
/// starts at the start of the text, and it has no Unicode word boundary, which a lazy DFA
/// cannot run on text beyond ASCII): whether it lives long (see [`lives_long`]).
fn runs_from_start(hir: &Hir) -> Option<bool> {
    let properties = hir.properties();
    let start = properties.look_set_prefix().contains(regex_syntax::hir::Look::Start);
    (start && !properties.look_set().contains_word_unicode()).then(|| lives_long(hir))
}

/// Whether a pattern repeats something that reads words (holds a class of most ASCII letters:
/// `\p{L}`, `\S`, `.`), so that it may stay alive through much of a line. Walked together
/// with the others, the states such a pattern goes through multiply theirs and the shared DFA
/// keeps building new ones; the patterns that spell their words out die within a few bytes.
fn lives_long(hir: &Hir) -> bool {
    use regex_syntax::hir::{Class, HirKind};
    let letters = || (b'A'..=b'Z').chain(b'a'..=b'z');
    fn any_part(hir: &Hir, test: &dyn Fn(&Hir) -> bool) -> bool {
        test(hir)
            || match hir.kind() {
                HirKind::Repetition(repetition) => any_part(&repetition.sub, test),
                HirKind::Capture(capture) => any_part(&capture.sub, test),
                HirKind::Concat(parts) | HirKind::Alternation(parts) => parts.iter().any(|part| any_part(part, test)),
                _ => false,
            }
    }
    let reads_words = |hir: &Hir| {
        any_part(hir, &|part| {
            let held = match part.kind() {
                HirKind::Class(Class::Unicode(class)) => letters()
                    .filter(|&byte| class.iter().any(|range| (range.start()..=range.end()).contains(&char::from(byte))))
                    .count(),
                HirKind::Class(Class::Bytes(class)) => letters()
                    .filter(|byte| class.iter().any(|range| (range.start()..=range.end()).contains(byte)))
                    .count(),
                _ => 0,
            };
            held >= 20
        })
    };
    any_part(hir, &|part| match part.kind() {
        HirKind::Repetition(repetition) => repetition.max != Some(1) && reads_words(&repetition.sub),
        _ => false,
    })
}

/// Whether the lazy DFA `dfa` of a pattern anchored at the start matches `line`, walked from the
/// start until it dies or matches: most lines are turned down within their first bytes. `None`
/// if the DFA could not go on, which it cannot fail to (it has no quit bytes and never gives up,
/// see [`lazy_dfa`]). Out of line, as [`StartPatterns::matches`]: inlined into the classifier's
/// loop over lines, a walk made that loop dearer than the call it spared.
#[inline(never)]
fn walk(dfa: &LazyDfa, walks: &mut TextWalks, line: &str) -> Option<bool> {
    let mut matched = false;
    walks.walk(dfa, line.as_bytes(), |_, _| {
        matched = true;
        false
    })?;
    Some(matched)
}

/// The lazy DFA of a line pattern parsed as `hir`, compiled as [`rules::build_regex`] compiles a
/// rule's regex (same limits and cache size); `None` when it cannot be.
fn lazy_dfa(hir: &Hir) -> Option<LazyDfa> {
    let nfa = thompson::Compiler::new().configure(lazy::without_captures(64 << 20)).build_from_hir(hir).ok()?;
    LazyDfa::builder().configure(LazyDfa::config().cache_capacity(8 << 20)).build_from_nfa(nfa).ok()
}

/// The lazy DFAs of the long line patterns and a pool of their caches (see [`TextWalks`]), one
/// set per thread at work.
struct LineDfas {
    dfas: std::sync::Arc<Vec<LazyDfa>>,
    walks: regex_automata::util::pool::Pool<Vec<TextWalks>, lazy::CacheMaker<Vec<TextWalks>>>,
}

impl LineDfas {
    fn new(dfas: Vec<LazyDfa>) -> LineDfas {
        let dfas = std::sync::Arc::new(dfas);
        let shared = std::sync::Arc::clone(&dfas);
        let make: lazy::CacheMaker<Vec<TextWalks>> = Box::new(move || shared.iter().map(TextWalks::new).collect());
        LineDfas { dfas, walks: regex_automata::util::pool::Pool::new(make) }
    }
}

impl std::fmt::Debug for LineDfas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LineDfas({})", self.dfas.len())
    }
}

/// The line patterns anchored at the start, in one lazy DFA that reports every pattern that
/// matches (`MatchKind::All`), and a pool of its caches (see [`TextWalks`]), one per thread at
/// work. A walk from the line's start until every pattern has died answers for all of them:
/// most die within the first bytes of most lines, and one walk costs about what the walk of one
/// pattern on its own did, call and start state included. It compiles to one automaton without
/// capture groups, where the general regex engine builds a reverse one and capture-aware engines
/// too.
///
/// Some rule with start patterns is tried on nearly every line (three allow long lines), but a
/// walk costs far more than the few bytes it reads: the patterns the line's first and last bytes
/// leave (see [`EdgeTable`]) tell which walks can be spared.
struct StartPatterns {
    dfa: std::sync::Arc<LazyDfa>,
    walks: regex_automata::util::pool::Pool<TextWalks, CacheMaker>,
    /// The patterns by their number.
    edges: EdgeTable,
}

type CacheMaker = lazy::CacheMaker<TextWalks>;

impl StartPatterns {
    /// The most patterns: one bit each in the set of those that match.
    const MAX: usize = 64;

    fn new(patterns: &[Hir]) -> Result<StartPatterns, RuleError> {
        let nfa = thompson::Compiler::new().configure(lazy::without_captures(64 << 20)).build_many_from_hir(patterns);
        let dfa = nfa
            .map_err(|error| error.to_string())
            .and_then(|nfa| {
                LazyDfa::builder()
                    .configure(LazyDfa::config().cache_capacity(16 << 20).match_kind(regex_automata::MatchKind::All))
                    .build_from_nfa(nfa)
                    .map_err(|error| error.to_string())
            })
            .map_err(|error| RuleError::Invalid {
                path: "boilerplate".into(),
                line: 0,
                col: 0,
                message: format!("the line patterns anchored at the start do not compile together: {error}"),
            })?;
        let dfa = std::sync::Arc::new(dfa);
        let shared = std::sync::Arc::clone(&dfa);
        let make: CacheMaker = Box::new(move || TextWalks::new(&shared));
        let mut edges = EdgeTable::default();
        for (number, hir) in patterns.iter().enumerate() {
            edges.add(1 << number, &Gate::of(hir));
        }
        Ok(StartPatterns { dfa, walks: regex_automata::util::pool::Pool::new(make), edges })
    }

    /// The patterns that may match `line` as far as its first and last bytes tell: a superset
    /// of [`matches`](Self::matches), for two loads.
    #[inline(always)]
    fn possible(&self, line: &str) -> u64 {
        self.edges.possible(line)
    }

    /// The patterns that match `line`, one bit each by number; all of them if the DFA could
    /// not go on, which it cannot fail to (it has no quit bytes and never gives up). Out of line
    /// (see [`walk`]).
    #[inline(never)]
    fn matches(&self, walks: &mut TextWalks, line: &str) -> u64 {
        let mut found = 0u64;
        let walked = walks.walk(&self.dfa, line.as_bytes(), |cache, state| {
            for index in 0..self.dfa.match_len(cache, state) {
                found |= 1 << self.dfa.match_pattern(cache, state, index).as_usize();
            }
            true
        });
        if walked.is_some() { found } else { u64::MAX }
    }
}

impl std::fmt::Debug for StartPatterns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StartPatterns({})", self.dfa.pattern_len())
    }
}

/// The line classifier, compiled from `rules/boilerplate/`.
#[derive(Debug)]
pub struct BoilerplateClassifier {
    rules: Vec<Compiled>,
    /// The rules' patterns anchored at the start.
    starts: StartPatterns,
    /// The lazy DFAs of the rules' long patterns.
    dfas: LineDfas,
    /// Rule indices in the order they are tried: priority, then file order. Context rules are
    /// not tried on lines; they name the verdicts of the context pass.
    order: Vec<usize>,
    /// The rules by their cheap conditions, as sets of bits by their place in `order`, 64 to a
    /// `u64`: a line is tried only on the rules that its word count and its phrases leave.
    tried: RuleSets,
    phrases: PhraseSets,
    /// The literals the patterns' gates ask for, looked for in a whole document at once.
    literal_sets: LiteralSets,
    /// The words of the screened patterns the general engine runs, likewise.
    word_sets: WordSets,
    refusals: Refusals,
    settings: Settings,
    /// The kinds of `settings` as sets.
    kinds: KindSets,
    stop_words: StopWords,
    /// The rules standing for the context verdicts `link-dense`, `outside-article` and
    /// `repeated`.
    link_dense: usize,
    outside_article: usize,
    repeated: usize,
    /// The line buffers, kept from one document to the next.
    buffers: regex_automata::util::pool::Pool<Buffers, lazy::CacheMaker<Buffers>>,
}

/// What [`BoilerplateClassifier::classify`] writes for the lines of a document, kept from one
/// document to the next (one set per thread that classifies at the same time, pooled as the lazy
/// DFAs' caches are): in buffers of its own, a document's cues were written to memory that had
/// left the cache, and the buffers for its undone lines and long words grew afresh.
#[derive(Debug, Default)]
struct Buffers {
    /// Each line's span, trimmed, and the line rule that removed it, if one did: the span
    /// of a line the context pass removes is at hand, not trimmed again.
    by_rule: Vec<(Span, Option<usize>)>,
    /// The cues of each non-blank line, for the context pass.
    cues: Vec<Option<LineCues>>,
    /// Scratch for long words (see [`StopWords::scan`]).
    lower: String,
    scratch: Scratch,
}

impl Buffers {
    /// Buffers grown past this many lines, or bytes of text, by a big document are let go of
    /// after it, so that it does not keep its memory.
    const MOST_LINES: usize = 1 << 12;
    const MOST_BYTES: usize = 1 << 16;

    fn let_go_if_big(&mut self) {
        if self.cues.capacity() > Self::MOST_LINES || self.lower.capacity() + self.scratch.capacity() > Self::MOST_BYTES
        {
            *self = Buffers::default();
        }
    }
}

/// Sets of the line rules, one bit each by their place in the order they are tried (64 to a
/// `u64`), for the conditions that a line's word count and phrases settle: one test of a set
/// turns down every rule that asks for more, where trying the rules one by one asks each.
#[derive(Debug)]
struct RuleSets {
    /// The place of each rule (by index) in the order; context rules have none.
    place: Vec<usize>,
    /// `u64`s per set.
    chunks: usize,
    /// The rules that allow `w` words, for `w` up to the largest `max_words` and one more (the
    /// set for longer lines): row `w` at `w * chunks`.
    allowing: Vec<u64>,
    /// The rules with phrases: they fire only on lines that hold one.
    phrased: Vec<u64>,
    /// The rules that the refusals and edges of a line cannot turn down: those with neither
    /// patterns nor start patterns, which their phrases decide, and those with a pattern that
    /// has no bit of its own (see [`Screen::bit`]).
    open: Vec<u64>,
    /// The rules with each pattern anchored at the start, row `p` at `p * chunks` for the
    /// pattern with bit `p` in [`StartPatterns`], and all those patterns.
    by_start: Vec<u64>,
    starts: u64,
    /// The rules with each screened pattern, row `b` at `b * chunks` for the pattern with
    /// bit `b` (see [`Screen::bit`]), and all those patterns.
    by_screen: Vec<u64>,
    screens: u64,
    /// The rules whose firing these sets settle once a line is a candidate for them: those
    /// with neither patterns nor a share of link text, which fire by their phrases and word
    /// count alone or, with start patterns, when one of those matches.
    decided: Vec<u64>,
    /// Those of `decided` with start patterns: one look at the line's matching start patterns
    /// settles them all, where a test of each rule asked again.
    started: Vec<u64>,
}

impl RuleSets {
    fn new(rules: &[Compiled], order: &[usize]) -> RuleSets {
        let chunks = order.len().div_ceil(64).max(1);
        let mut place = vec![usize::MAX; rules.len()];
        for (at, &rule) in order.iter().enumerate() {
            place[rule] = at;
        }
        let most = order.iter().filter_map(|&rule| rules[rule].max_words).max().unwrap_or(0);
        let mut allowing = vec![0; (most + 2) * chunks];
        let mut phrased = vec![0; chunks];
        let (mut open, mut by_start, mut by_screen) = (vec![0; chunks], vec![0; 64 * chunks], vec![0; 64 * chunks]);
        let (mut starts, mut screens) = (0, 0);
        let (mut decided, mut started) = (vec![0; chunks], vec![0; chunks]);
        for (at, &rule) in order.iter().enumerate() {
            let bit = 1 << (at % 64);
            let rule = &rules[rule];
            let limit = rule.max_words.unwrap_or(usize::MAX).min(most + 1);
            for words in 0..=limit {
                allowing[words * chunks + at / 64] |= bit;
            }
            if rule.has_phrases {
                phrased[at / 64] |= bit;
            }
            let unscreened = !rule.patterns.is_empty() && rule.screened.is_none();
            if (rule.starts == 0 && rule.patterns.is_empty()) || unscreened {
                open[at / 64] |= bit;
            }
            if rule.patterns.is_empty() && rule.min_link_share.is_none() && rule.pattern_share.is_none() {
                decided[at / 64] |= bit;
                if rule.starts != 0 {
                    started[at / 64] |= bit;
                }
            }
            let file = |table: &mut [u64], all: &mut u64, mut patterns: u64| {
                *all |= patterns;
                while patterns != 0 {
                    table[patterns.trailing_zeros() as usize * chunks + at / 64] |= bit;
                    patterns &= patterns - 1;
                }
            };
            file(&mut by_start, &mut starts, rule.starts);
            if !rule.patterns.is_empty() {
                file(&mut by_screen, &mut screens, rule.screened.unwrap_or(0));
            }
        }
        RuleSets { place, chunks, allowing, phrased, open, by_start, starts, by_screen, screens, decided, started }
    }

    /// The rules of chunk `chunk` that may fire on a line whose start patterns may match only
    /// if in `possible_starts` and whose screened patterns `refused` are turned down (see
    /// [`Refusals`]): a rule fires by its phrases alone, by a start pattern that matches, or by
    /// a pattern its screen admits. A few table rows per line turn down the rules that a test
    /// of each, per line, did; most lines leave next to none.
    #[inline(always)]
    fn viable(&self, chunk: usize, possible_starts: u64, refused: u64) -> u64 {
        self.open[chunk]
            | self.rows(&self.by_start, possible_starts & self.starts, chunk)
            | self.rows(&self.by_screen, !refused & self.screens, chunk)
    }

    /// The rules of chunk `chunk` that a start pattern of `matches` (a set, see
    /// [`StartPatterns::matches`]) belongs to.
    fn started_by(&self, chunk: usize, matches: u64) -> u64 {
        self.rows(&self.by_start, matches & self.starts, chunk)
    }

    /// The union of the rows of `table` (see `by_start`) for the patterns `patterns`, chunk
    /// `chunk` of it.
    #[inline(always)]
    fn rows(&self, table: &[u64], mut patterns: u64, chunk: usize) -> u64 {
        let mut rules = 0;
        while patterns != 0 {
            rules |= table[patterns.trailing_zeros() as usize * self.chunks + chunk];
            patterns &= patterns - 1;
        }
        rules
    }

    /// The rules a line of `words` words whose phrases hit the rules `hits` (a set) may fire
    /// by these conditions, chunk `chunk` of the set.
    fn candidates(&self, words: usize, hits: &[u64], chunk: usize) -> u64 {
        let row = words.min(self.allowing.len() / self.chunks - 1) * self.chunks;
        self.allowing[row + chunk] & (!self.phrased[chunk] | hits[chunk])
    }
}

/// The phrases of the rules. Those that must open the line (`start`, `whole`) can only start at
/// its first letter or digit, or before it when they start with a mark (`©`): most are filed
/// under their first word and checked at that one place, the few others are in an automaton
/// searched only when the line opens with a byte that may start one of them. Either way only
/// when a rule of theirs allows the line's length.
///
/// Those that may sit anywhere start at the start of a word, so most are filed under their first
/// word, in groups, and checked only where the scan of the line (which reads every word anyway
/// for the stop words, see [`StopWords::scan`]) meets a word that starts a group: the long lines
/// of the article, where most of the text is, cost no search of their own. The others (those
/// starting with a mark, a number or a word beyond the reach of the word keys) are looked for in
/// the whole line, in a few automata by line length: a rule's phrases are looked for only in
/// lines it may match (`max_words`).
#[derive(Debug)]
struct PhraseSets {
    /// The phrases that must open the line.
    leading: Option<LeadingPhrases>,
    /// The phrases that may sit anywhere filed under their first word, by group (group `g` at
    /// `g - 1`): `(rule, phrase, head)`.
    by_word: Vec<Vec<(usize, String, Head)>>,
    /// `(most words, phrases)`, by most words: for lines longer than the tier before allows, the
    /// phrases that may sit anywhere of every rule that allows such lines (and perhaps of a few
    /// that allow fewer words, which the rule's own `max_words` then turns down).
    anywhere: Vec<(usize, PhraseSet)>,
}

/// A phrase rule: `(rule, phrases, position, max_words)`.
type PhraseList = (usize, Vec<String>, Position, Option<usize>);

/// The phrases that must open the line (`start`, `whole`).
#[derive(Debug)]
struct LeadingPhrases {
    /// The most words a line may have for a rule with a leading phrase to name it.
    most: usize,
    /// The group of phrases (counted from 1) filed under the key of their first word (see
    /// [`words::folded_key`]): those that start with a letter or digit, whose key holds more than
    /// bytes beyond ASCII.
    by_word: words::KeyTable<u32>,
    /// `(rule, phrase, position)`, by group (group `g` at `g - 1`).
    groups: Vec<Vec<(usize, String, Position)>>,
    /// The other leading phrases (those that start with a mark), and the ASCII bytes, in both
    /// cases, that may start one of them.
    marked: Option<(PhraseSet, [bool; 128])>,
}

impl LeadingPhrases {
    fn new(lists: &[&PhraseList], most: usize) -> Result<LeadingPhrases, TooManyPhrases> {
        let mut by_word = words::KeyTable::default();
        let mut groups: Vec<Vec<(usize, String, Position)>> = Vec::new();
        let mut marked = PhraseSetBuilder::default();
        let mut marked_first = [false; 128];
        let mut any_marked = false;
        for &(rule, phrases, position, _) in lists {
            for phrase in phrases {
                let word = &phrase[..phrase.find(|c: char| !c.is_alphanumeric()).unwrap_or(phrase.len())];
                let key = words::folded_key(word.as_bytes());
                if word.is_empty() || key == 0 {
                    marked.add(*rule, std::slice::from_ref(phrase), *position);
                    any_marked = true;
                    if let Some(&first) = phrase.as_bytes().first().filter(|byte| byte.is_ascii()) {
                        marked_first[usize::from(first.to_ascii_lowercase())] = true;
                        marked_first[usize::from(first.to_ascii_uppercase())] = true;
                    }
                    continue;
                }
                let group = by_word.entry(key);
                if *group == 0 {
                    groups.push(Vec::new());
                    *group = u32::try_from(groups.len()).expect("fewer phrase groups than 2^32");
                }
                groups[*group as usize - 1].push((*rule, phrase.clone(), *position));
            }
        }
        let marked = match any_marked {
            true => Some((marked.build()?, marked_first)),
            false => None,
        };
        Ok(LeadingPhrases { most, by_word, groups, marked })
    }

    /// Calls `found(rule)` for every leading phrase that opens `text` where its rule asks (see
    /// [`Position::admits`]), as [`PhraseSet::find`] would find it; the first `markup` bytes of
    /// `text` hold no letter or digit.
    fn find(&self, text: &str, markup: usize, mut found: impl FnMut(usize)) {
        // A leading phrase starts at or before the first letter or digit, so one that starts
        // with a letter or digit starts right there. It is looked for past the markup the line
        // scan stepped over, not a character at a time again.
        let body_start = Some(next_alphanumeric(text, markup, true)).filter(|&start| start < text.len());
        if let Some(start) = body_start {
            let key = words::alphanumeric_run_key(text.as_bytes(), start).unwrap_or_else(|| {
                let len = next_alphanumeric(text, start, false) - start;
                words::folded_key_at(text.as_bytes(), start, len)
            });
            if let Some(&group) = self.by_word.get(key).filter(|_| key != 0) {
                for (rule, phrase, position) in &self.groups[group as usize - 1] {
                    if rules::occurs_anywhere_at(text, start, phrase)
                        && position.admits(text, start, start + phrase.len())
                    {
                        found(*rule);
                    }
                }
            }
        }
        // A phrase that starts with a mark starts within the bytes up to the first letter or
        // digit; a byte beyond ASCII there may fold to the start of one (see `PhraseSet`).
        if let Some((set, first)) = &self.marked {
            let reach = body_start.map_or(text.len(), |start| start + 1);
            if text.as_bytes()[..reach].iter().any(|&byte| !byte.is_ascii() || first[usize::from(byte)]) {
                set.find(text, |rule, _, _| found(rule));
            }
        }
    }
}

/// Where the first letter or digit of `text` from `at` on starts (`char::is_alphanumeric`) when
/// `alphanumeric`, or the first character that is neither when not; the text's length if none
/// is. Nearly every line of a page asks where its first word starts and ends, so ASCII is not
/// decoded (see [`next_char_where`]).
fn next_alphanumeric(text: &str, at: usize, alphanumeric: bool) -> usize {
    next_char_where(text, at, |class| (class & ALPHANUMERIC != 0) == alphanumeric)
}

/// The ASCII bytes among the first 8 of a phrase, in lower case and in their places (see
/// [`words::folded_key`]), for a test of a few instructions that turns down most of the places
/// a phrase is checked at. A phrase search (see [`rules::occurs_anywhere_at`]) folds only
/// characters beyond ASCII, each into one of the same length, which is beyond ASCII too: where
/// a phrase occurs, each of its ASCII bytes is the text's byte at the same offset, read ASCII
/// case-insensitively.
#[derive(Debug, Clone, Copy)]
struct Head {
    /// The bytes, packed as [`words::pack`] packs them; zero where the phrase has a byte
    /// beyond ASCII or none.
    bytes: u64,
    /// The bits of the ASCII bytes.
    mask: u64,
}

impl Head {
    fn of(phrase: &str) -> Head {
        let ascii = |byte: u8| if byte.is_ascii() { byte.to_ascii_lowercase() } else { 0 };
        let bytes = words::pack(&phrase.bytes().take(8).map(ascii).collect::<Vec<u8>>());
        // Every byte of the phrase's first 8 that is not zero, and no byte past them.
        let mask = (0..8).map(|i| 0xff << (8 * i)).filter(|byte_mask| bytes & byte_mask != 0).fold(0, |all, m| all | m);
        Head { bytes, mask }
    }

    /// The first 8 bytes of `text` from byte `start` on (fewer at its end), as
    /// [`may_open`](Self::may_open) reads them.
    fn opening(text: &str, start: usize) -> u64 {
        words::folded_key_at(text.as_bytes(), start, text.len().saturating_sub(start).min(8))
    }

    /// Whether the phrase may occur where the text's bytes read `opening` (see
    /// [`opening`](Self::opening)).
    fn may_open(self, opening: u64) -> bool {
        opening & self.mask == self.bytes
    }
}

/// The key of the first word of `phrase` (see [`words::folded_key`]), when the scan of a line
/// sees every place the phrase may start at: it starts with a word (a run of letters and digits)
/// holding a letter, which the scan reports, and whose key holds more than bytes beyond ASCII.
fn first_word_key(phrase: &str) -> Option<u64> {
    let word = &phrase[..phrase.find(|c: char| !c.is_alphanumeric()).unwrap_or(phrase.len())];
    let key = words::folded_key(word.as_bytes());
    (word.chars().any(char::is_alphabetic) && key != 0).then_some(key)
}

impl PhraseSets {
    /// Files the phrases that may sit anywhere under their first words in `stop_words`, which
    /// the line scan reads.
    fn new(mut lists: Vec<PhraseList>, stop_words: &mut StopWords) -> Result<PhraseSets, TooManyPhrases> {
        let mut by_word: Vec<Vec<(usize, String, Head)>> = Vec::new();
        for (rule, phrases, position, _) in &mut lists {
            if *position != Position::Anywhere {
                continue;
            }
            phrases.retain(|phrase| {
                let Some(key) = first_word_key(phrase) else { return true };
                let group = stop_words.phrase_group(key);
                if *group == 0 {
                    by_word.push(Vec::new());
                    *group = u32::try_from(by_word.len()).expect("fewer phrase groups than 2^32");
                }
                by_word[*group as usize - 1].push((*rule, phrase.clone(), Head::of(phrase)));
                false
            });
        }
        lists.retain(|list| !list.1.is_empty());
        let lists = &lists;
        let limit = |list: &PhraseList| list.3.unwrap_or(usize::MAX);
        let build = |lists: &mut dyn Iterator<Item = &PhraseList>| {
            let mut builder = PhraseSetBuilder::default();
            for (rule, phrases, position, _) in lists {
                builder.add(*rule, phrases, *position);
            }
            builder.build()
        };
        let (anywhere, leading): (Vec<&PhraseList>, Vec<&PhraseList>) =
            lists.iter().partition(|list| list.2 == Position::Anywhere);
        let leading =
            leading.iter().map(|list| limit(list)).max().map(|most| LeadingPhrases::new(&leading, most)).transpose()?;
        let mut limits: Vec<usize> = anywhere.iter().map(|list| limit(list)).collect();
        limits.sort_unstable();
        limits.dedup();
        // A tier starts at a limit only where it has at most half the phrases of the tier before;
        // otherwise the tier before also serves the longer lines (its phrases are a superset).
        let phrases_from = |least: usize| -> usize {
            anywhere.iter().filter(|list| limit(list) >= least).map(|list| list.1.len()).sum()
        };
        let mut tiers: Vec<(usize, usize)> = Vec::new(); // (least words its rules allow, most words)
        for most in limits {
            match tiers.last_mut() {
                Some((least, tier_most)) if 2 * phrases_from(most) > phrases_from(*least) => *tier_most = most,
                _ => tiers.push((most, most)),
            }
        }
        let anywhere = tiers
            .into_iter()
            .map(|(least, most)| Ok((most, build(&mut anywhere.iter().copied().filter(|list| limit(list) >= least))?)))
            .collect::<Result<_, TooManyPhrases>>()?;
        Ok(PhraseSets { leading, by_word, anywhere })
    }

    /// Calls `found(rule)` for every phrase of group `group` (see [`StopWords::phrase_group`])
    /// that occurs at byte `start` of the visible `text` of a line. Out of line: the scan that
    /// calls it at a few words of a line pays, with it inlined, at every word.
    #[inline(never)]
    fn find_at(&self, text: &str, start: usize, group: u32, mut found: impl FnMut(usize)) {
        // The groups of common words (`in`, `to`, `you`) meet words of prose that open none of
        // their phrases: the phrases' first bytes turn most down at once.
        let opening = Head::opening(text, start);
        for (rule, phrase, head) in &self.by_word[group as usize - 1] {
            if head.may_open(opening) && rules::occurs_anywhere_at(text, start, phrase) {
                found(*rule);
            }
        }
    }

    /// Calls `found(rule)` for every phrase occurrence in the visible `text` of a line of `words`
    /// words, except those of rules that allow fewer words (which cannot name the line anyway);
    /// the first `markup` bytes of `text` hold no letter or digit.
    fn find(&self, text: &str, words: usize, markup: usize, mut found: impl FnMut(usize)) {
        if let Some(leading) = &self.leading
            && words <= leading.most
        {
            leading.find(text, markup, &mut found);
        }
        if let Some((_, set)) = self.anywhere.iter().find(|(most, _)| *most >= words) {
            set.find(text, |rule, _, _| found(rule));
        }
    }
}

/// A line found to be boilerplate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Removal {
    /// Index of the line in the document's line list.
    pub line: usize,
    /// The line's content, trimmed.
    pub span: Span,
    /// Index of the rule in [`BoilerplateClassifier`].
    pub rule: usize,
}

impl BoilerplateClassifier {
    pub fn compile(source: &RuleSource, catalogue: &mut Catalogue) -> Result<BoilerplateClassifier, RuleError> {
        let mut rules = Vec::new();
        let mut priorities = Vec::new();
        let mut phrase_lists: Vec<PhraseList> = Vec::new();
        let mut settings = None;
        let mut stop_words = StopWords::default();
        let mut contexts = Vec::new();
        let mut parts = PatternParts::default();
        for file in source.files(Family::Boilerplate) {
            let parsed: BoilerplateFile = rules::parse(file)?;
            for rule in parsed.rule {
                rule.register(file, catalogue)?;
                if rule.phrases.is_empty() && rule.patterns.is_empty() && rule.min_link_share.is_none() {
                    return Err(RuleError::at(
                        file,
                        rule.id.span(),
                        "a boilerplate rule needs `phrases`, `patterns` or `min_link_share`",
                    ));
                }
                let index = rules.len();
                let mut start_set = 0;
                let mut patterns = Vec::new();
                for pattern in &rule.patterns {
                    patterns.extend(Pattern::compile(file, pattern, &mut parts, &mut start_set, &mut stop_words)?);
                }
                let pattern_share = match rule.min_pattern_share {
                    None => None,
                    Some(min) if rule.patterns.is_empty() || !(min > 0.0 && min <= 1.0) => {
                        return Err(RuleError::at(
                            file,
                            rule.id.span(),
                            "`min_pattern_share` needs `patterns` and lies in (0, 1]",
                        ));
                    }
                    Some(min) => {
                        let alternation = rule.patterns.iter().map(|pattern| format!("(?:{})", pattern.get_ref()));
                        let share = PatternShare::new(min, &alternation.collect::<Vec<_>>().join("|"))
                            .map_err(|error| RuleError::at(file, rule.id.span(), format!("bad regex: {error}")))?;
                        Some(share)
                    }
                };
                if !rule.phrases.is_empty() {
                    phrase_lists.push((index, rule.phrases.clone(), rule.position, rule.max_words));
                }
                let screened = patterns
                    .iter()
                    .map(|pattern| pattern.screen().bit)
                    .try_fold(0, |all, bit| (bit != 0).then_some(all | bit));
                rules.push(Compiled {
                    id: rule.id.into_inner(),
                    kind: rule.kind,
                    has_phrases: !rule.phrases.is_empty(),
                    starts: start_set,
                    patterns,
                    screened,
                    max_words: rule.max_words,
                    min_link_share: rule.min_link_share,
                    pattern_share,
                });
                priorities.push(rule.priority);
            }
            for rule in parsed.context {
                rule.register(file, catalogue)?;
                contexts.push((rule, file));
            }
            if let Some(table) = parsed.classifier
                && settings.replace(table).is_some()
            {
                return Err(RuleError::at(file, 0..0, "a second `[classifier]` table"));
            }
            for language in &parsed.language {
                if stop_words.has(&language.code) {
                    return Err(RuleError::at(file, 0..0, format!("stop words for `{}` twice", language.code)));
                }
                if !stop_words.add(language) {
                    let most = context::MAX_LANGUAGES;
                    return Err(RuleError::at(file, 0..0, format!("more than {most} stop-word languages")));
                }
            }
        }
        parts.word_sets.finish();
        parts.literal_sets.finish();
        let mut order: Vec<usize> = (0..rules.len()).collect();
        order.sort_by_key(|&index| std::cmp::Reverse(priorities[index]));
        let tried = RuleSets::new(&rules, &order);
        let mut verdict_rules = [None, None, None];
        for (rule, file) in contexts {
            let slot = match rule.verdict {
                Verdict::LinkDense => 0,
                Verdict::OutsideArticle => 1,
                Verdict::Repeated => 2,
                Verdict::Keep => return Err(RuleError::at(file, rule.id.span(), "`keep` removes nothing")),
            };
            if verdict_rules[slot].is_some() {
                return Err(RuleError::at(file, rule.id.span(), "a second context rule for this verdict"));
            }
            verdict_rules[slot] = Some(rules.len());
            rules.push(Compiled {
                id: rule.id.into_inner(),
                kind: rule.kind,
                has_phrases: false,
                starts: 0,
                patterns: Vec::new(),
                screened: Some(0),
                max_words: None,
                min_link_share: None,
                pattern_share: None,
            });
        }
        let missing = |what: &str| RuleError::Invalid {
            path: "boilerplate".into(),
            line: 0,
            col: 0,
            message: format!("the boilerplate rules need {what}"),
        };
        let settings = settings.ok_or_else(|| missing("a `[classifier]` table"))?;
        let link_dense = verdict_rules[0].ok_or_else(|| missing("a context rule for `link-dense`"))?;
        let outside_article = verdict_rules[1].ok_or_else(|| missing("a context rule for `outside-article`"))?;
        let repeated = verdict_rules[2].ok_or_else(|| missing("a context rule for `repeated`"))?;
        Ok(BoilerplateClassifier {
            rules,
            starts: StartPatterns::new(&parts.starts)?,
            dfas: LineDfas::new(parts.dfas),
            order,
            tried,
            phrases: PhraseSets::new(phrase_lists, &mut stop_words)
                .map_err(|error| source.family_error(Family::Boilerplate, error.to_string()))?,
            literal_sets: parts.literal_sets,
            word_sets: parts.word_sets,
            refusals: parts.refusals,
            kinds: KindSets::new(&settings),
            settings,
            stop_words,
            link_dense,
            outside_article,
            repeated,
            buffers: regex_automata::util::pool::Pool::new(Box::new(Buffers::default)),
        })
    }

    pub fn rule_id(&self, rule: usize) -> &str {
        &self.rules[rule].id
    }

    pub fn kind(&self, rule: usize) -> BoilerplateKind {
        self.rules[rule].kind
    }

    /// The lines of a corpus counted by `counter` that repeat often enough to be chrome.
    pub fn repeated_lines(&self, counter: &RepeatCounter) -> RepeatedLines {
        counter.repeated(self.settings.repeat_min_documents, self.settings.repeat_min_share)
    }

    /// Classifies every line; returns the removed ones in line order. `repeated` holds the lines
    /// that repeat across the corpus, when the corpus pass ran.
    pub fn classify(&self, text: &str, lines: &[Span], repeated: Option<&RepeatedLines>) -> Vec<Removal> {
        let mut buffers = self.buffers.get();
        let removals = self.classify_into(text, lines, repeated, &mut buffers);
        buffers.let_go_if_big();
        removals
    }

    fn classify_into(
        &self,
        text: &str,
        lines: &[Span],
        repeated: Option<&RepeatedLines>,
        buffers: &mut Buffers,
    ) -> Vec<Removal> {
        let Buffers { by_rule, cues, lower, scratch } = buffers;
        by_rule.clear();
        cues.clear();
        // Room for the lines at once: a document bigger than any before grows them once, not
        // by doubling, which would hold up to twice its cues.
        by_rule.reserve(lines.len());
        cues.reserve(lines.len());
        // One bit per rule whose phrase occurs in the line, by its place in the order.
        let mut phrase_hits = vec![0u64; self.tried.chunks];
        let (mut start_walks, mut long_walks, mut links) =
            (self.starts.walks.get(), self.dfas.walks.get(), link_cache());
        // Each use of a pool guard asks whether it holds its value or the owner's: asked once
        // here for the document, not at every walk.
        let (start_walks, long_walks, links): (&mut TextWalks, &mut [TextWalks], &mut LazyCache) =
            (&mut start_walks, &mut long_walks, &mut links);
        let (present, dense) = self.literal_sets.present(text, lines);
        // Looked for when a line first needs them: a page of prose in ASCII never does.
        let mut word_hits: Option<(Vec<u64>, u64)> = None;
        let marks = line_marks(text, lines);
        for (number, (&line, &marks)) in lines.iter().zip(&marks).enumerate() {
            // Most blank lines are empty, and an empty line needs no trimming to tell.
            let span = if line.is_empty() { line } else { line.trim(text) };
            if span.is_empty() {
                by_rule.push((span, None));
                cues.push(None);
                continue;
            }
            let raw = span.of(text);
            let visible = visible_line(raw, marks, links, scratch);
            phrase_hits.fill(0);
            let mut hit = |rule: usize| {
                let at = self.tried.place[rule];
                phrase_hits[at / 64] |= 1 << (at % 64);
            };
            cues.push(Some(LineCues::default()));
            let Some(Some(cue)) = cues.last_mut() else { unreachable!("the cues just pushed") };
            let scan = self.stop_words.scan(visible.text, &mut cue.stop_words, lower, |start, group| {
                self.phrases.find_at(visible.text, start, group, &mut hit)
            });
            let words = scan.words;
            // The gate sets of the tokens tell of the raw line when it is the visible text and
            // its tokens are all ASCII.
            let screen_words = (!visible.undone && !scan.counted.beyond_ascii).then_some(scan.counted.gates);
            // Screens read the word sets only of lines whose tokens the scan does not tell.
            let (words_present, words_dense) = match screen_words {
                Some(_) => (0, 0),
                None => {
                    let (hits, dense) = word_hits.get_or_insert_with(|| self.word_sets.present(text, lines));
                    (hits[number], *dense)
                }
            };
            let refused = self
                .refusals
                .of(screen_words, LineLiterals { present: present[number], dense, words_present, words_dense })
                | self.refusals.by_edges(raw);
            self.phrases.find(visible.text, words, scan.markup, &mut hit);
            // The start DFA is walked when a rule tried needs it and the line's edges leave one
            // of that rule's start patterns.
            let possible_starts = self.starts.possible(raw);
            let mut start_matches = None;
            let mut starts = || *start_matches.get_or_insert_with(|| self.starts.matches(start_walks, raw));
            let fires = |rule: &Compiled, starts: &mut dyn FnMut() -> u64, long_walks: &mut [TextWalks]| {
                rule.min_link_share.is_none_or(|min| visible.link_share(scan.chars) >= min)
                    && ((rule.starts == 0 && rule.patterns.is_empty())
                        || (rule.starts & possible_starts != 0 && rule.starts & starts() != 0)
                        || (rule.screened.is_none_or(|bits| bits & !refused != 0)
                            && rule
                                .patterns
                                .iter()
                                .any(|pattern| pattern.is_match(raw, refused, dense, &self.dfas.dfas, long_walks))))
                    && rule.pattern_share.as_ref().is_none_or(|share| share.holds(raw))
            };
            // The rules its word count, phrases, edges and refusals leave, in order, until one fires.
            let fired = (0..self.tried.chunks).find_map(|chunk| {
                let mut candidates = self.tried.candidates(words, &phrase_hits, chunk);
                if candidates != 0 {
                    candidates &= self.tried.viable(chunk, possible_starts, refused);
                }
                // The first rule met that its start patterns decide (see `RuleSets::started`)
                // has them all settled: those no start pattern of the line fires go at once.
                let mut started = self.tried.started[chunk];
                while candidates != 0 {
                    let at = candidates.trailing_zeros() as usize;
                    if started >> at & 1 != 0 {
                        candidates &= !started | self.tried.started_by(chunk, starts());
                        started = 0;
                        continue;
                    }
                    let rule_index = self.order[chunk * 64 + at];
                    candidates &= candidates - 1;
                    if self.tried.decided[chunk] >> at & 1 != 0
                        || fires(&self.rules[rule_index], &mut starts, long_walks)
                    {
                        return Some(rule_index);
                    }
                }
                None
            });
            let fired = fired.or_else(|| repeated.filter(|set| set.contains(raw)).map(|_| self.repeated));
            by_rule.push((span, fired));
            let removed_as = fired.map(|rule| self.rules[rule].kind);
            cue.set(&visible, &scan, raw, removed_as, self.kinds);
        }
        let verdicts = context::judge(&self.settings, self.stop_words.len(), cues);
        // Counted first: grown as they come, the removals of a page of chrome, most of its
        // lines, were copied at every doubling.
        let removed = by_rule
            .iter()
            .zip(&verdicts)
            .filter(|&(&(_, fired), &verdict)| fired.is_some() || verdict != Verdict::Keep);
        let mut removals = Vec::with_capacity(removed.count());
        for (index, (&(span, fired), verdict)) in by_rule.iter().zip(verdicts).enumerate() {
            let rule = match (fired, verdict) {
                (Some(rule), _) => rule,
                (None, Verdict::Keep) => continue,
                (None, Verdict::LinkDense) => self.link_dense,
                (None, Verdict::OutsideArticle) => self.outside_article,
                (None, Verdict::Repeated) => self.repeated,
            };
            removals.push(Removal { line: index, span, rule });
        }
        removals
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment;

    fn removed_kinds(text: &str) -> Vec<(String, BoilerplateKind)> {
        let classifier = BoilerplateClassifier::compile(&RuleSource::embedded(), &mut Catalogue::default()).unwrap();
        let lines = segment::lines(text);
        classifier
            .classify(text, &lines, None)
            .into_iter()
            .map(|r| (r.span.of(text).to_string(), classifier.kind(r.rule)))
            .collect()
    }

    #[test]
    fn seed_style_chrome_is_removed_and_prose_kept() {
        let text = ".jpg&w=1920&q=80)\nFreight rates fell 18% as orders slowed.\n.jpg)\nShare it with your friends!\nThe Harbor Ledger Newsletter\nSign up for our newsletter about ports and trade.";
        let kinds: Vec<_> = removed_kinds(text).into_iter().map(|(_, kind)| kind).collect();
        use BoilerplateKind::*;
        assert_eq!(kinds, [ImageUrl, ImageUrl, SharePrompt, Newsletter, Newsletter]);
    }

    #[test]
    fn a_line_mostly_of_embedded_images_is_removed_and_prose_with_a_pixel_kept() {
        let payload = "R0lGODlhAQABAIAAAP8A/wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw".repeat(40);
        let cards = format!("](data:image/jpeg;base64,{payload}) © Harbor Images  Port expansion  Read more ](/port)");
        let prose = "The operator said traffic rose ![](data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==) by 12% in the quarter, helped by the new ferry route.";
        let text = format!(
            "{cards}\n{prose}\nFreight volumes through the port fell by 6% last year as trade with Asia slowed, the authority said."
        );
        assert_eq!(removed_kinds(&text), [(cards, BoilerplateKind::ImageUrl)]);
    }

    /// Share patterns whose matches open with a literal (found after it, some crossing runs of
    /// a match state that keeps to itself) and others.
    const SHARE_PATTERNS: [&str; 6] =
        ["x+|yy", "xa[xa ]*y?", "a(?:x|ya)+", "(?:ax*)|(?:ay)", "y[xa]+y[a ]*(?-u:\\b)", "ya+\\b"];

    #[test]
    fn a_solid_line_is_a_whole_line_of_no_white_space() {
        let solid = |pattern: &str| solid_line(&regex_syntax::parse(pattern).expect("parses"));
        assert!(solid(r"(?i)^(?:[^\s!\[]\S*)?\.(?:png|jpe?g)(?:[?&#][^\s]*)?\)?$"));
        assert!(solid(r"^[a-z.]+$"));
        assert!(!solid(r"^\S+"), "a match may end before a space");
        assert!(!solid(r"\S+$"), "a match may start after a space");
        assert!(!solid(r"^a b$"));
        assert!(!solid(r"^[^x]+$"));
        assert!(!solid(r"^a\x0bb$"));
    }

    #[test]
    fn a_share_whose_matches_open_with_a_literal_searches_after_it() {
        let after_opening =
            SHARE_PATTERNS.map(|pattern| PatternShare::new(0.5, pattern).unwrap().after_opening.is_some());
        assert_eq!(after_opening, [false, true, true, false, true, false]);
    }

    proptest::proptest! {
        /// The matches found after the opening are those `find_iter` finds, and the search
        /// that stops early agrees with the sum of every match.
        #[test]
        fn a_pattern_share_holds_where_the_sum_of_every_match_reaches_it(
            line in "[xya ]{0,40}",
            tenths in 1u32..=10,
            pattern in proptest::sample::select(SHARE_PATTERNS.to_vec()),
        ) {
            let share = PatternShare::new(f64::from(tenths) / 10.0, pattern).unwrap();
            let every: Vec<(usize, usize)> =
                share.any_pattern.find_iter(&line).map(|found| (found.start(), found.end())).collect();
            if let Some(after) = &share.after_opening {
                let found: Option<Vec<_>> = after.matches(&mut after.caches.get(), &line).collect();
                proptest::prop_assert_eq!(found, Some(every.clone()));
            }
            let covered: usize = every.iter().map(|(start, end)| end - start).sum();
            proptest::prop_assert_eq!(share.holds(&line), covered as f64 >= share.min * line.len() as f64);
        }
    }

    #[test]
    fn a_pattern_share_counts_the_bytes_of_every_match() {
        let share = PatternShare::new(0.5, "x+|y").unwrap();
        assert!(share.holds("xxab"), "two bytes of four");
        assert!(share.holds("xaby"), "two matches of a byte each");
        assert!(!share.holds("xabc"));
    }

    #[test]
    fn a_pattern_share_needs_patterns_and_a_share_up_to_one() {
        fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
            std::fs::create_dir_all(to).unwrap();
            for entry in std::fs::read_dir(from).unwrap() {
                let path = entry.unwrap().path();
                let target = to.join(path.file_name().unwrap());
                if path.is_dir() {
                    copy_dir(&path, &target);
                } else {
                    std::fs::copy(&path, target).unwrap();
                }
            }
        }
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"), dir.path());
        let rule = |fields: &str| {
            format!("[[rule]]\nid = \"test-share\"\nkind = \"image-url\"\ndescription = \"d\"\n{fields}\n")
        };
        for fields in ["phrases = ['a']\nmin_pattern_share = 0.5", "patterns = ['a']\nmin_pattern_share = 1.5"] {
            std::fs::write(dir.path().join("boilerplate/test.toml"), rule(fields)).unwrap();
            let source = RuleSource::from_dir(dir.path()).unwrap();
            let error = BoilerplateClassifier::compile(&source, &mut Catalogue::default()).unwrap_err().to_string();
            assert!(error.contains("`min_pattern_share` needs `patterns`"), "{error}");
        }
        std::fs::write(dir.path().join("boilerplate/test.toml"), rule("patterns = ['a']\nmin_pattern_share = 1.0"))
            .unwrap();
        BoilerplateClassifier::compile(&RuleSource::from_dir(dir.path()).unwrap(), &mut Catalogue::default()).unwrap();
    }

    #[test]
    fn a_long_sentence_mentioning_a_phrase_is_prose() {
        let text = "Regulators said the site's claim that it does not use cookies to track readers was false, and fined the publisher heavily for it.";
        assert!(removed_kinds(text).is_empty());
    }

    #[test]
    fn link_only_lines_are_navigation() {
        let text = "* [ Home ](/)\n* [ Business ](/business)\nMarkets | Tech | Economy | Opinion\nThe [central bank](https://example.com/cb) raised rates by a quarter point on Tuesday.";
        let kinds: Vec<_> = removed_kinds(text).into_iter().map(|(_, kind)| kind).collect();
        assert_eq!(kinds, [BoilerplateKind::Navigation; 3]);
    }

    const PARAGRAPH_A: &str = "The ferry between the island and the mainland ran again on Thursday morning, two days after the storm had damaged the pier and left more than two hundred travellers stranded in the harbour town.";
    const PARAGRAPH_B: &str = "Engineers worked through the night to repair the ramp, and the operator said that all sailings would run to the normal timetable from Friday, although the first boat would leave half an hour later.";

    #[test]
    fn lines_around_the_article_go_and_lines_inside_it_stay() {
        let text = format!(
            "Weather\nTraffic\nObituaries\n\n# Ferry service resumes\n\n{PARAGRAPH_A}\n\n## Repairs overnight\n\n{PARAGRAPH_B}\n\nContact\nArchive\nJobs\n"
        );
        let removed: Vec<_> = removed_kinds(&text).into_iter().map(|(line, _)| line).collect();
        assert_eq!(removed, ["Weather", "Traffic", "Obituaries", "Contact", "Archive", "Jobs"]);
    }

    #[test]
    fn a_page_without_prose_keeps_what_the_line_rules_keep() {
        assert!(removed_kinds("Weather\nTraffic\nThe deal is worth $2 billion.").is_empty());
    }

    #[test]
    fn card_lines_between_paragraphs_stay() {
        let text = format!(
            "{PARAGRAPH_A}\nPort Volumes Down 12% year on year → fewer calls → idle cranes.\nRail Link Opens Q3 freight trains → more boxes inland.\n{PARAGRAPH_B}\n"
        );
        assert!(removed_kinds(&text).is_empty());
    }

    #[test]
    fn an_article_may_end_in_short_sentences() {
        let text = format!("Menu\n{PARAGRAPH_A}\n{PARAGRAPH_B}\nBond prices rose.\nThe port reopens on Friday.\n");
        let removed: Vec<_> = removed_kinds(&text).into_iter().map(|(line, _)| line).collect();
        assert_eq!(removed, ["Menu"]);
    }

    #[test]
    fn the_last_short_sentences_stay_before_a_sign_off() {
        let text =
            format!("{PARAGRAPH_A}\n{PARAGRAPH_B}\nBond prices rose.\nThe port reopens on Friday.\nHarbour Desk\n");
        let removed: Vec<_> = removed_kinds(&text).into_iter().map(|(line, _)| line).collect();
        assert_eq!(removed, ["Harbour Desk"]);
    }

    #[test]
    fn a_long_standfirst_before_the_article_stays() {
        // Long and without stop words: the title of a wire page glued to its summary.
        let standfirst = concat!(
            "Ferry Update: Island Service Resumes, Storm Damage Repaired, Operator Confirms Full Timetable ",
            "Friday Morning; Town Council Welcomes Quick Repairs, Engineers Praise Night Shift Crews, Ramp ",
            "Works Finished Early, Passengers Stranded Since Tuesday Claim Refunds, Ticket Office Opens ",
            "Saturday, Website Forms Accepted, Deadline Extended Twice, Harbour Master Thanks Volunteers, ",
            "Lifeboat Crew Stood Down Wednesday Evening."
        );
        let text = format!("Menu\n{standfirst}\n{PARAGRAPH_A}\n{PARAGRAPH_B}\n");
        let removed: Vec<_> = removed_kinds(&text).into_iter().map(|(line, _)| line).collect();
        assert_eq!(removed, ["Menu"]);
    }

    #[test]
    fn prose_after_a_comment_form_is_not_article() {
        let comment = "I took this ferry for twenty years and the operator has never once run to the timetable it promised, so forgive me if I do not believe a word of this until I see it.";
        let text = format!("{PARAGRAPH_A}\n{PARAGRAPH_B}\n{PARAGRAPH_A}\n## Leave a Reply\nMarta says:\n{comment}\n");
        let removed: Vec<_> = removed_kinds(&text).into_iter().collect();
        assert_eq!(removed.len(), 3, "{removed:?}");
        assert_eq!(removed[2], (comment.to_string(), BoilerplateKind::OutsideArticle));
    }

    #[test]
    fn phrases_meet_lines_that_start_with_a_non_ascii_capital() {
        let kinds: Vec<_> = removed_kinds("### Ähnliche Beiträge").into_iter().map(|(_, kind)| kind).collect();
        assert_eq!(kinds, [BoilerplateKind::Related]);
    }

    fn from_start(pattern: &str) -> Option<bool> {
        runs_from_start(&regex_syntax::parse(pattern).unwrap())
    }

    #[test]
    fn the_lazy_dfa_walks_match_where_the_regex_does() {
        let source = RuleSource::embedded();
        let mut patterns = Vec::new();
        for file in source.files(Family::Boilerplate) {
            let parsed: BoilerplateFile = rules::parse(file).unwrap();
            patterns.extend(parsed.rule.into_iter().flat_map(|rule| rule.patterns).map(|p| p.into_inner()));
        }
        let starts: Vec<String> =
            patterns.iter().filter(|pattern| from_start(pattern) == Some(false)).cloned().collect();
        let longs: Vec<&String> = patterns.iter().filter(|pattern| from_start(pattern) == Some(true)).collect();
        assert!(starts.len() * 2 > patterns.len(), "{} of {}", starts.len(), patterns.len());
        assert!(!longs.is_empty());
        let parsed: Vec<Hir> = starts.iter().map(|pattern| regex_syntax::parse(pattern).unwrap()).collect();
        let walker = StartPatterns::new(&parsed).unwrap();
        let mut walks = TextWalks::new(&walker.dfa);
        let lines = [
            "",
            "By Ann Lee",
            "12:45 Uhr",
            "Home | News | Sport",
            "logo.png?w=300)",
            "© 2026 Harbour Media. All rights reserved.",
            "Facebook Twitter Email",
            "4 min read",
            "Ähnliche Beiträge | Über uns",
            "The ferry ran again on Thursday, the operator said.",
            "Ann Lee is a reporter at the Harbour Ledger.",
            "\u{a0}Newsletter",
            "![chart](c.png)",
            "Lesezeit: 4 Min.",
            "Published on March 3, 2026 | 10:15 am ET",
        ];
        let mut matched = 0;
        for line in lines {
            let expected = starts
                .iter()
                .enumerate()
                .filter(|(_, pattern)| Regex::new(pattern).unwrap().is_match(line))
                .fold(0u64, |set, (number, _)| set | 1 << number);
            assert_eq!(walker.matches(&mut walks, line), expected, "{line:?}");
            assert_eq!(walker.possible(line) & expected, expected, "{line:?}");
            matched += expected.count_ones();
            for pattern in &longs {
                let dfa = lazy_dfa(&regex_syntax::parse(pattern).unwrap()).unwrap();
                let found = walk(&dfa, &mut TextWalks::new(&dfa), line);
                assert_eq!(found, Some(Regex::new(pattern).unwrap().is_match(line)), "{pattern} on {line:?}");
                matched += u32::from(found == Some(true));
            }
        }
        assert!(matched as usize * 2 >= lines.len(), "{matched}");
    }

    #[test]
    fn literals_looked_for_in_the_document_admit_the_lines_the_gates_admit() {
        let classifier = BoilerplateClassifier::compile(&RuleSource::embedded(), &mut Catalogue::default()).unwrap();
        let text = concat!(
            "  © 2026 Harbour Media  \r\n",
            "Foto: Ann Lee\n",
            "\n",
            "Home | News / Sport\r",
            "The ferry ran again on Thursday.\n",
            "![chart](c.png) logo.png\n",
            "Bild:\u{a0}\n",
            "Quelle © Fotos",
        );
        let lines = segment::lines(text);
        let (present, dense) = classifier.literal_sets.present(text, &lines);
        assert_eq!(dense, 0);
        let screens: Vec<&Screen> = classifier
            .rules
            .iter()
            .flat_map(|rule| &rule.patterns)
            .map(Pattern::screen)
            .filter(|screen| screen.literals != 0)
            .collect();
        assert!(screens.len() >= 3, "{}", screens.len());
        let mut admitted = 0;
        for (line, present) in lines.iter().zip(present) {
            let raw = line.trim(text).of(text);
            for screen in &screens {
                let by_line = screen.gate.admits(raw);
                assert_eq!(present & screen.literals != 0 && screen.gate.admits_edges(raw), by_line, "{raw:?}");
                admitted += usize::from(by_line);
            }
        }
        assert!(admitted >= lines.len(), "{admitted}");
        // A page where most lines hold a literal: the search gives up, and the gates look in
        // the lines themselves.
        let text: String =
            (0..40).map(|n| format!("{n}. Home | News / Sport. © 2026 logo{n}.png\nPlain words\n")).collect();
        let lines = segment::lines(&text);
        let (present, dense) = classifier.literal_sets.present(&text, &lines);
        assert_ne!(dense, 0);
        for (line, present) in lines.iter().zip(present) {
            let raw = line.trim(&text).of(&text);
            for screen in &screens {
                let literals = LineLiterals { present, dense, words_present: 0, words_dense: 0 };
                let refused = classifier.refusals.of(Some(u64::MAX), literals);
                // A pattern of whole lines without white space turns down these lines of words
                // whatever its gate says.
                let gate = screen.gate.admits(raw) && !(screen.solid && raw.contains(' '));
                assert_eq!(screen.admits(refused, dense, raw), gate, "{raw:?}");
            }
        }
    }

    proptest::proptest! {
        /// Lines of literals that start with one another (within a set and across two), that
        /// two sets share and that start inside one another, among words and marks, enough of
        /// them that some sets are given up on.
        #[test]
        fn the_joint_search_finds_the_sets_each_search_finds(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "©", "Foto", "Fotos", "Fotografía", "![", "data:image/", "![data:image/", "datum", "Fo", "|",
                    ".", " ", "words ", "\n", "\r\n", "é",
                ]),
                0..160,
            ),
        ) {
            let text = pieces.concat();
            let lines = segment::lines(&text);
            let patterns =
                [r"©", r"(?:Foto|Fotos|Fotografía|©)\s*:", r"!\[", r"data:image/", r"x[|/]y", r"[a-z]\.[a-z]", r"Fotos|mage", r"data:"];
            let mut sets = LiteralSets::default();
            for pattern in patterns {
                proptest::prop_assert_ne!(sets.bit(&Gate::new(pattern)), 0, "{}", pattern);
            }
            let each = LiteralSets { gates: sets.gates.clone(), joint: None };
            sets.finish();
            proptest::prop_assert_eq!(sets.joint.as_ref().map(|joint| joint.every), Some(0b11001011));
            let (joint_present, joint_dense) = sets.present(&text, &lines);
            let (each_present, each_dense) = each.present(&text, &lines);
            proptest::prop_assert_eq!(joint_dense, each_dense);
            // The lines past the point where a search gave up on a set are not all marked.
            for (joint, each) in joint_present.iter().zip(&each_present) {
                proptest::prop_assert_eq!(joint & !joint_dense, each & !each_dense);
            }
        }
    }

    #[test]
    fn words_looked_for_in_the_document_admit_every_line_a_pattern_matches() {
        let classifier = BoilerplateClassifier::compile(&RuleSource::embedded(), &mut Catalogue::default()).unwrap();
        let patterns: Vec<(&Screen, &Regex)> = classifier
            .rules
            .iter()
            .flat_map(|rule| &rule.patterns)
            .filter_map(|pattern| match pattern {
                Pattern::Anywhere(screen, regex) if screen.word_set != 0 => Some((screen, regex)),
                _ => None,
            })
            .collect();
        assert!(patterns.len() >= 2, "{}", patterns.len());
        let lines = concat!(
            "* [Home](/) | [COPYRIGHT 2024](/legal)\n",
            "[Über uns](/ueber) © Zeitung\n",
            "Alle Rechte vorbehalten. All Rights Reserved.\n",
            "Copyright\u{a0}2019 Zeitung über alles\n",
            "[Weather](/weather) [Traffic](https://example.com/traffic)\n",
            "Straße und Brücke, 2020\n",
            "[Reserved](/r) seats, [x](/y) copyright 2021 all rights reserved\n",
        );
        // `ſ` may stand for the `s` of `reserved`: a document holding it gives every set up.
        let with_stray = format!("{lines}Äpfel: all rights re\u{17f}erved [x](/y)\n");
        for (text, refusals) in [(lines, true), (with_stray.as_str(), false)] {
            let lines = segment::lines(text);
            let (words_present, words_dense) = classifier.word_sets.present(text, &lines);
            let (mut matched, mut refused) = (0, 0);
            for (number, line) in lines.iter().enumerate() {
                let raw = line.trim(text).of(text);
                let literals =
                    LineLiterals { present: u64::MAX, dense: 0, words_present: words_present[number], words_dense };
                for (screen, regex) in &patterns {
                    let admitted = screen.admits(classifier.refusals.of(None, literals), 0, raw);
                    assert!(admitted || !regex.is_match(raw), "{raw:?}");
                    matched += usize::from(regex.is_match(raw));
                    refused += usize::from(!admitted);
                }
            }
            assert!(matched >= 3, "{matched}");
            assert_eq!(refused >= 3, refusals, "{refused}");
        }
    }

    #[test]
    fn phrases_filed_under_words_are_found_where_an_automaton_finds_them() {
        let source = RuleSource::embedded();
        let classifier = BoilerplateClassifier::compile(&source, &mut Catalogue::default()).unwrap();
        // Every phrase of every rule in one automaton, as the rules number them.
        let mut builder = PhraseSetBuilder::default();
        let mut limits = Vec::new();
        for file in source.files(Family::Boilerplate) {
            let parsed: BoilerplateFile = rules::parse(file).unwrap();
            for rule in parsed.rule {
                builder.add(limits.len(), &rule.phrases, rule.position);
                limits.push(rule.max_words.unwrap_or(usize::MAX));
            }
        }
        let automaton = builder.build().unwrap();
        let lines = [
            "We use cookies to make this site work. Accept all | Reject all",
            "ÄHNLICHE BEITRÄGE",
            "Please Leave a Comment below, or subscribe to our newsletter today!",
            "Trage deine E-Mail-Adresse ein und bleib informiert",
            "Photo by Ann Lee / © 2026 Harbour Media",
            "* **Read more:** the ferry timetable for the summer",
            "Mit der Nutzung dieser Seite stimmen Sie der Verarbeitung Ihrer Daten zu.",
            "J'accepte que mes données soient utilisées. Politique de confidentialité",
            "12. Share this with a friend",
            "** © Harbour Media",
            "Image: © Harbour Media",
            "subscribers, subscribed, unsubscribe at any time, in your inbox-ish",
            "The ferry ran again on Thursday; engineers worked through the night to repair the ramp.",
        ];
        let mut named = 0;
        for text in lines {
            let mut expected = std::collections::BTreeSet::new();
            automaton.find(text, |rule, _, _| {
                expected.insert(rule);
            });
            let mut found = std::collections::BTreeSet::new();
            let scan = classifier.stop_words.scan(
                text,
                &mut [0; context::MAX_LANGUAGES],
                &mut String::new(),
                |start, group| {
                    classifier.phrases.find_at(text, start, group, |rule| {
                        found.insert(rule);
                    })
                },
            );
            classifier.phrases.find(text, scan.words, scan.markup, |rule| {
                found.insert(rule);
            });
            // Rules that allow fewer words than the line has cannot name it, found or not.
            expected.retain(|&rule| limits[rule] >= scan.words);
            found.retain(|&rule| limits[rule] >= scan.words);
            assert_eq!(found, expected, "{text}");
            named += found.len();
        }
        assert!(named >= lines.len(), "{named}");
    }

    /// The line patterns of the built-in classifier screened by their words, with the regex of
    /// each: every line one of them matches must hold a token with one of the pattern's keys.
    /// Gathered once: the property test asks for them in every case.
    fn word_screened() -> &'static [(&'static Screen, Regex)] {
        static SCREENED: std::sync::OnceLock<Vec<(&'static Screen, Regex)>> = std::sync::OnceLock::new();
        SCREENED.get_or_init(|| gather_word_screened(compiled()))
    }

    fn gather_word_screened(classifier: &BoilerplateClassifier) -> Vec<(&Screen, Regex)> {
        let source = RuleSource::embedded();
        let mut texts = Vec::new();
        for file in source.files(Family::Boilerplate) {
            let parsed: BoilerplateFile = rules::parse(file).unwrap();
            for rule in parsed.rule {
                let others = rule.patterns.iter().map(|pattern| pattern.get_ref().clone());
                texts.push(others.filter(|pattern| from_start(pattern) != Some(false)).collect::<Vec<_>>());
            }
        }
        classifier
            .rules
            .iter()
            .zip(texts)
            .flat_map(|(rule, texts)| rule.patterns.iter().zip(texts))
            .filter_map(|(pattern, text)| match pattern {
                Pattern::Long(screen, _) | Pattern::Anywhere(screen, _) if screen.needs_words => {
                    Some((screen, Regex::new(&text).unwrap()))
                }
                _ => None,
            })
            .collect()
    }

    /// Whether the word screen of `screen` lets `text`, a document of one line, through, as
    /// `classify` asks it.
    fn words_admit(classifier: &BoilerplateClassifier, screen: &Screen, text: &str) -> bool {
        let lines = segment::lines(text);
        let marks = line_marks(text, &lines);
        let raw = lines[0].trim(text).of(text);
        let mut scratch = Scratch::default();
        let visible = visible_line(raw, marks[0], &mut link_cache(), &mut scratch);
        let scan =
            classifier.stop_words.scan(visible.text, &mut [0; context::MAX_LANGUAGES], &mut String::new(), |_, _| {});
        visible.undone || scan.counted.beyond_ascii || scan.counted.gates & screen.bit != 0
    }

    #[test]
    fn word_screens_admit_the_lines_their_patterns_match() {
        let classifier = compiled();
        let screened = word_screened();
        // Among them the patterns whose words sit in alternations (`jpe?g`, `comments?`).
        assert!(screened.len() >= 5, "{}", screened.len());
        let lines = [
            ".png&w=3840&q=75)",
            ".JPEG)",
            ".jpg)",
            "1 Comment",
            "https://cdn.example.com/media/chart-2026.tiff?width=800",
            "logo.tif",
            "## 2 Comments",
            "14 replies",
            "One thought on “Ferry service resumes”",
            "6 commentaires",
            "142 Antworten zu „Hafen“",
            "Privacy Policy | Terms of Use | Imprint",
            "Copyright 2024 Harbour Media",
            "All Rights Reserved.",
            "Ann Lee is a reporter at the Harbour Ledger.",
            "The Harbour Newsletter",
        ];
        let mut matched = 0;
        for line in lines {
            for (screen, regex) in screened {
                if regex.is_match(line) {
                    matched += 1;
                    assert!(words_admit(classifier, screen, line), "{regex} on {line:?}");
                }
            }
        }
        assert!(matched >= lines.len(), "{matched}");
        // A line holding none of the words is turned down without a walk.
        let (screen, _) = screened.iter().find(|(_, regex)| regex.is_match("## 2 Comments")).unwrap();
        assert!(!words_admit(classifier, screen, "## 2 Comets"));
    }

    proptest::proptest! {
        /// Lines put together from pieces of the lines the patterns match, and pieces that
        /// come close: a pattern never matches a line its word screen turns down.
        #[test]
        fn word_screens_never_turn_down_a_match(
            pieces in proptest::collection::vec(
                r"[0-9 .?&=#*_|:“”)(]{1,3}|png|jpe?g|JPG|tiff?|gif|comments?|Comment|replies|reply|one|thoughts?|on|Kommentare|zu|commentaires|privacy policy|Terms|imprint|copyright|2024|all rights reserved|is|a|reporter|newsletter|Ann|Lee|ferry|é|Ünd|x",
                1..8,
            ),
        ) {
            let classifier = compiled();
            let line = pieces.concat();
            let line = line.trim();
            proptest::prop_assume!(!line.is_empty());
            for (screen, regex) in word_screened() {
                if regex.is_match(line) {
                    proptest::prop_assert!(words_admit(classifier, screen, line), "{} on {:?}", regex, line);
                }
            }
        }
    }

    /// The long patterns that open with a run (see [`Lead`]), with their regexes.
    fn led() -> Vec<(Lead, Regex)> {
        let source = RuleSource::embedded();
        let mut led = Vec::new();
        for file in source.files(Family::Boilerplate) {
            let parsed: BoilerplateFile = rules::parse(file).unwrap();
            for pattern in parsed.rule.into_iter().flat_map(|rule| rule.patterns) {
                let hir = regex_syntax::parse(pattern.get_ref()).unwrap();
                if runs_from_start(&hir) == Some(true)
                    && let Some(lead) = Lead::of(&hir)
                {
                    led.push((lead, Regex::new(pattern.get_ref()).unwrap()));
                }
            }
        }
        led
    }

    #[test]
    fn leads_refuse_lines_of_links_and_admit_what_their_patterns_match() {
        let led = led();
        // comment-count, author-bio, separated-menu, newsletter-name and more.
        assert!(led.len() >= 4, "{}", led.len());
        let lines = [
            "12 Comments",
            "** 3 Kommentare zu „Über den Hafen“",
            "Ann Lee is a reporter at the Harbour Ledger.",
            "> Élodie Martin est journaliste au Monde.",
            "Home | News | Sport",
            "* Harbour Ledger Newsletter",
            "Facebook Twitter Email",
            "* [Facebook](https://f.com) [Twitter](https://t.com)",
            "Privacy Policy | Terms",
            "\u{a0}Newsletter",
            "\u{2003}12 comments",
            "\u{3000}12 comments",
            "\u{3000}Ann Lee is a reporter at the Harbour Ledger.",
        ];
        for (lead, regex) in &led {
            for line in lines {
                assert!(!regex.is_match(line) || lead.admits(line), "{regex} {line:?}");
            }
            for line in ["* [Home](/)", "", "* * *"] {
                assert!(!lead.admits(line), "{regex} {line:?}");
            }
        }
        assert!(Lead::of(&regex_syntax::parse(r"^\s*\s?x").unwrap()).is_none(), "the rest may start in the run");
        assert!(Lead::of(&regex_syntax::parse(r"^\s*x?").unwrap()).is_none(), "the rest may be empty");
        assert!(Lead::of(&regex_syntax::parse(r"\s*x").unwrap()).is_none(), "not anchored");
    }

    proptest::proptest! {
        /// No lead refuses a line its pattern matches.
        #[test]
        fn leads_never_refuse_a_match(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    " ", "*", "_", "#", ">", "-", "|", "[", "](/)", "\u{a0}", "\u{2003}", "•", "12", "no", "One",
                    "comments", "Kommentare", "Ann", "Lee", "is", "a", "reporter", "Newsletter", "Facebook",
                    "Twitter", "Privacy Policy", "Terms", "É", "lodie", "\u{212A}eine", ",", ".",
                ]),
                0..10,
            )
        ) {
            let line = pieces.concat();
            for (lead, regex) in led() {
                proptest::prop_assert!(!regex.is_match(&line) || lead.admits(&line), "{} {:?}", regex, line);
            }
        }
    }

    #[test]
    fn the_edges_of_a_prose_line_leave_few_start_patterns() {
        let starts = &compiled().starts;
        let all = starts.dfa.pattern_len();
        assert!(all < 64, "{all}");
        for line in ["Harbour crews worked through the night.", "Ferries ran again, the operator said (briefly)"] {
            let possible = starts.possible(line) & ((1 << all) - 1);
            assert!(possible.count_ones() * 4 < all as u32, "{line:?}: {possible:b}");
        }
        assert_eq!(starts.possible(""), u64::MAX);
    }

    proptest::proptest! {
        /// Lines put together from pieces of the lines the patterns match, and pieces that
        /// come close: the patterns their edges leave hold every start pattern that matches,
        /// and the screened patterns their edges turn down are those whose gates' edges do.
        #[test]
        fn the_edges_of_a_line_leave_the_patterns_their_gates_do(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    " ", "*", "_", "#", ">", "-", "|", "[", "]", "(", ")", ":", ".", ",", "!", "?", "\u{a0}", "•",
                    "·", "©", "12", "4", "45", "2026", "Uhr", "pm", "ET", "min", "read", "no", "One", "comments",
                    "Name", "Email", "e-mail", "Website", "Comment", "By", "posted by", "Ann", "Lee", "is", "a",
                    "reporter", "Newsletter", "Facebook", "Twitter", "x", "Copy link", "Published", "Updated",
                    "Forward-Looking Statements", "Safe Harbor Statement", "This", "press", "release", "contains",
                    "forward-looking statements", "Join", "readers", "SOURCE", "FOR IMMEDIATE RELEASE", "###",
                    "Media", "Contacts", "![", "](a.png)", "logo.png", "Ähnliche", "É", "\u{212A}",
                ]),
                1..10,
            )
        ) {
            let classifier = compiled();
            let starts = &classifier.starts;
            let line = pieces.concat();
            let line = line.trim();
            let matched = starts.matches(&mut TextWalks::new(&starts.dfa), line);
            proptest::prop_assert_eq!(starts.possible(line) & matched, matched, "{:?}", line);
            proptest::prop_assume!(!line.is_empty());
            let refused = classifier.refusals.by_edges(line);
            for screen in classifier.rules.iter().flat_map(|rule| &rule.patterns).map(Pattern::screen) {
                if screen.bit != 0 {
                    proptest::prop_assert_eq!(refused & screen.bit == 0, screen.gate.admits_edges(line), "{:?}", line);
                }
            }
        }
    }

    #[test]
    fn buffers_kept_from_one_document_leave_the_next_alone() {
        let classifier = compiled();
        let short = "# Ferries\n\nThe ferry ran again on Thursday, and the harbour was busy all day.\n* [Home](/)\n© 2026 Harbour Media";
        let long: String = (0..300)
            .map(|n| format!("* [Section {n}](/s/{n}) | [More](https://example.com/{n}) www.example.com/{n}\nThe port reopened after the storm, said the harbour master on day {n}.\n"))
            .collect();
        let classify = |text: &str| classifier.classify(text, &segment::lines(text), None);
        let alone = classify(short);
        assert!(!alone.is_empty());
        assert!(classify(&long).len() >= 300);
        assert_eq!(classify(short), alone);
        // A document of more lines than the buffers keep leaves none behind.
        let many = "word\n".repeat(Buffers::MOST_LINES + 1);
        let mut buffers = Buffers::default();
        classifier.classify_into(&many, &segment::lines(&many), None, &mut buffers);
        assert!(buffers.cues.capacity() > Buffers::MOST_LINES);
        buffers.let_go_if_big();
        assert_eq!(buffers.cues.capacity(), 0);
        assert_eq!(classifier.classify_into(short, &segment::lines(short), None, &mut buffers), alone);
        assert_eq!(classify(short), alone);
    }

    proptest::proptest! {
        /// The first word of a text, which the leading phrases are filed under, starts and ends
        /// where the `char` predicates have it, in ASCII or not.
        #[test]
        fn the_first_word_starts_and_ends_where_the_char_predicates_have_it(
            text in r"[ a-zA-Z0-9.,*#_\[\]()é×½Ⅻж一🙂𝟙\u{a0}\u{2003}’-]{0,12}",
        ) {
            let start = next_alphanumeric(&text, 0, true);
            proptest::prop_assert_eq!(start, text.find(char::is_alphanumeric).unwrap_or(text.len()));
            let end = next_alphanumeric(&text, start, false);
            let expected = text[start..].find(|c: char| !c.is_alphanumeric()).map_or(text.len(), |len| start + len);
            proptest::prop_assert_eq!(end, expected);
        }
    }

    proptest::proptest! {
        /// The refusals of a line turn down the patterns whose screens ask for words or
        /// literals the line does not hold, as each screen asks for them.
        #[test]
        fn refusals_turn_down_the_patterns_each_screen_turns_down(
            words in proptest::option::of(proptest::num::u64::ANY),
            present in proptest::num::u64::ANY,
            dense in proptest::num::u64::ANY,
            words_present in proptest::num::u64::ANY,
            words_dense in proptest::num::u64::ANY,
            sparse in 0u32..4,
        ) {
            let classifier = compiled();
            // Mostly few bits, as lines hold.
            let thin = |bits: u64| bits >> (sparse * 16) & bits.rotate_left(7);
            let literals =
                LineLiterals { present: thin(present), dense: thin(dense), words_present: thin(words_present), words_dense: thin(words_dense) };
            let words = words.map(thin);
            let refused = classifier.refusals.of(words, literals);
            for screen in classifier.rules.iter().flat_map(|rule| &rule.patterns).map(Pattern::screen) {
                let words_held = match words {
                    Some(words) => screen.bit & words != 0,
                    None => screen.word_set == 0 || (literals.words_present | literals.words_dense) & screen.word_set != 0,
                };
                let literals_held = screen.literals == 0 || (literals.present | literals.dense) & screen.literals != 0;
                let plain = (!screen.needs_words || words_held) && literals_held;
                proptest::prop_assert_eq!(refused & screen.bit == 0, plain, "{:?}", screen);
            }
        }
    }

    proptest::proptest! {
        /// A rule whose patterns all have bits is turned down by its bits exactly when the
        /// refusals of a line turn down each of its patterns.
        #[test]
        fn a_rule_is_turned_down_by_its_bits_as_by_each_pattern(refused in proptest::num::u64::ANY, sparse in 0u32..4) {
            let refused = refused | refused >> (sparse * 16);
            for rule in &compiled().rules {
                let each = rule.patterns.iter().all(|pattern| pattern.screen().bit & refused != 0);
                if let Some(bits) = rule.screened {
                    proptest::prop_assert_eq!(bits & !refused == 0, each, "{}", rule.id);
                } else {
                    proptest::prop_assert!(rule.patterns.iter().any(|pattern| pattern.screen().bit == 0), "{}", rule.id);
                }
            }
        }
    }

    proptest::proptest! {
        /// Wherever a phrase filed under its first word occurs, its head admits the text's
        /// opening bytes: texts put together from the phrases themselves, in other cases, cut
        /// short, next to letters beyond ASCII that fold (`Ä`, `İ`, the Kelvin sign) and marks.
        #[test]
        fn a_phrase_occurs_only_where_its_head_admits_the_opening(
            pieces in proptest::collection::vec(
                (0..400usize, 0..4u8, r"[ a-zA-Z,.\-]{0,3}|Ä|İ|\u{212A}|é|ó|ł|Ł|Ó"),
                0..12,
            ),
        ) {
            let phrases: Vec<&(usize, String, Head)> = compiled().phrases.by_word.iter().flatten().collect();
            let mut text = String::new();
            for (pick, case, filler) in pieces {
                let phrase = &phrases[pick % phrases.len()].1;
                let cut: String = phrase.chars().take(if case == 3 { phrase.chars().count() / 2 } else { usize::MAX }).collect();
                text.push_str(&match case {
                    0 => cut.to_uppercase(),
                    1 => cut.to_lowercase(),
                    _ => cut,
                });
                text.push_str(&filler);
            }
            for start in (0..text.len()).filter(|&start| text.is_char_boundary(start)) {
                let opening = Head::opening(&text, start);
                for (_, phrase, head) in &phrases {
                    if rules::occurs_anywhere_at(&text, start, phrase) {
                        proptest::prop_assert!(head.may_open(opening), "{:?} at {} of {:?}", phrase, start, text);
                    }
                }
            }
        }
    }

    #[test]
    fn phrase_heads_turn_down_the_common_words_of_prose() {
        let text = "In the end you will not see this, as we do not get in touch with them.";
        let (mut checked, mut admitted) = (0, 0);
        for start in (0..text.len()).filter(|&start| start == 0 || text.as_bytes()[start - 1] == b' ') {
            let opening = Head::opening(text, start);
            for (_, _, head) in compiled().phrases.by_word.iter().flatten() {
                checked += 1;
                admitted += usize::from(head.may_open(opening));
            }
        }
        // Every group of its words has phrases (`in your inbox`, `dołącz do dyskusji`).
        assert!(checked > 1000 && admitted == 0, "{admitted} of {checked}");
        let head = Head::of("in your inbox");
        assert!(head.may_open(Head::opening("IN YOUR INBOX", 0)) && !head.may_open(Head::opening("in your", 0)));
        assert!(Head::of("política de").may_open(Head::opening("POLÍtica de", 0)));
        assert!(!Head::of("téléchargez").may_open(Head::opening("the", 0)));
    }

    proptest::proptest! {
        /// The rules a line's start edges and refusals leave are those whose own conditions
        /// (as `classify_into` tests them one by one) they leave.
        #[test]
        fn viable_rules_are_those_whose_conditions_hold(
            possible_starts in proptest::prelude::any::<u64>(),
            refused in proptest::prelude::any::<u64>(),
            sparse_starts in 0u32..64,
            sparse_open in 0u32..64,
        ) {
            let classifier = compiled();
            let tried = &classifier.tried;
            // Random masks leave nearly every rule; masks of one bit leave few.
            for (possible_starts, refused) in
                [(possible_starts, refused), (1 << sparse_starts, !(1 << sparse_open)), (0, u64::MAX)]
            {
                for (at, &index) in classifier.order.iter().enumerate() {
                    let rule = &classifier.rules[index];
                    let plain = (rule.starts == 0 && rule.patterns.is_empty())
                        || rule.starts & possible_starts != 0
                        || (!rule.patterns.is_empty() && rule.screened.is_none_or(|bits| bits & !refused != 0));
                    let viable = tried.viable(at / 64, possible_starts, refused) & 1 << (at % 64) != 0;
                    proptest::prop_assert_eq!(viable, plain, "{}", rule.id);
                    // The start patterns that match, drawn as `possible_starts`, settle a rule
                    // of `started` as its own start patterns do.
                    if tried.started[at / 64] >> (at % 64) & 1 != 0 {
                        let started = tried.started_by(at / 64, possible_starts) & 1 << (at % 64) != 0;
                        proptest::prop_assert_eq!(started, rule.starts & possible_starts != 0, "{}", rule.id);
                    }
                }
            }
        }
    }

    fn compiled() -> &'static BoilerplateClassifier {
        static CLASSIFIER: std::sync::OnceLock<BoilerplateClassifier> = std::sync::OnceLock::new();
        CLASSIFIER
            .get_or_init(|| BoilerplateClassifier::compile(&RuleSource::embedded(), &mut Catalogue::default()).unwrap())
    }
}
