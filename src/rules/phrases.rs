//! Phrase lists of many rules matched in one Aho-Corasick pass, case-insensitively, whole words
//! only, each phrase at the [`Position`] its rule asks for. The automaton folds ASCII case; other
//! capitals (`Ähnliche Beiträge`) are folded in a copy of the text that keeps every offset, so
//! phrases with non-ASCII letters are written in lower case.
//!
//! The same pass can look for plain substrings too (found anywhere, inside words as well, or
//! only where ASCII word boundaries hold at either end), so that a caller with both kinds of
//! strings reads its text once.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::nfa::noncontiguous::NFA;
use aho_corasick::{Anchored, MatchKind};

use super::Position;
use crate::span::Span;

/// Collects phrases per rule.
#[derive(Debug, Default)]
pub struct PhraseSetBuilder {
    phrases: Vec<String>,
    owners: Vec<usize>,
    /// Where each phrase must sit; `None` for a substring, which may sit anywhere.
    positions: Vec<Option<Position>>,
    /// Per string: whether an ASCII word boundary must hold at its start and at its end (for
    /// substrings; phrases sit where their position says).
    bounded: Vec<[bool; 2]>,
}

impl PhraseSetBuilder {
    /// Adds the phrases of rule `owner`, to be found at `position`.
    pub fn add(&mut self, owner: usize, phrases: &[String], position: Position) {
        for phrase in phrases {
            self.phrases.push(phrase.clone());
            self.owners.push(owner);
            self.positions.push(Some(position));
            self.bounded.push([false; 2]);
        }
    }

    /// Adds substrings of `owner` (a number of the caller's own, apart from rule numbers), to be
    /// found anywhere, inside words too, ASCII case-insensitively. Other capitals are folded as
    /// in the text, so a substring matches at least wherever it would in the unfolded text.
    pub fn add_substrings(&mut self, owner: usize, substrings: &[String]) {
        for substring in substrings {
            self.add_bounded_substring(owner, substring, [false; 2]);
        }
    }

    /// Adds a substring as [`add_substrings`](Self::add_substrings) does, found only where an
    /// ASCII word boundary (`(?-u:\b)`, see [`ascii_boundary`]) holds at its start when
    /// `bounded[0]` and at its end when `bounded[1]`. Occurrences inside longer words (`us` in
    /// `business`) are then dropped before they reach the caller.
    pub fn add_bounded_substring(&mut self, owner: usize, substring: &str, bounded: [bool; 2]) {
        self.phrases.push(fold_non_ascii_capitals(substring).into_owned());
        self.owners.push(owner);
        self.positions.push(None);
        self.bounded.push(bounded);
    }

    /// The phrases, compiled; an error when they are too many for one automaton (rule files of
    /// a few tens of kilobytes of phrases).
    pub fn build(self) -> Result<PhraseSet, TooManyPhrases> {
        // A phrase, and a substring bounded at its start, that starts with an ASCII letter or
        // digit is dropped wherever one of those comes before it (see [`Position::admits`] and
        // [`ascii_boundary`]): the automaton does not find it there (see [`WordStarts`]).
        let word_starts = WordStarts::new(&self.phrases);
        let (mut spelt, mut spelt_for) = (Vec::new(), Vec::new());
        let strings = self.phrases.iter().zip(&self.positions).zip(&self.bounded);
        for (index, ((string, position), bounded)) in strings.enumerate() {
            let must_start_word =
                (position.is_some() || bounded[0]) && string.as_bytes().first().is_some_and(u8::is_ascii_alphanumeric);
            for spelling in word_starts.spellings(string.as_bytes(), must_start_word) {
                spelt.push(spelling);
                spelt_for.push(index);
            }
        }
        // An NFA, not a DFA: [`Table`] asks it only for the next states of the states the walk
        // reaches, by the classes the table reads, where a DFA works out every state by every
        // byte class (the spare bytes of [`WordStarts`] included) and cost more at start-up than
        // the table. No prefilter: the walk never uses one.
        let automaton = NFA::builder()
            .prefilter(false)
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&spelt)
            .map_err(|error| TooManyPhrases(error.to_string()))?;
        let automaton = Table::new(&automaton, &self.phrases, &word_starts, &spelt_for)?;
        let leading_only =
            self.positions.iter().all(|&position| position.is_some_and(|position| position != Position::Anywhere));
        let longest = self.phrases.iter().map(String::len).max().unwrap_or(0);
        Ok(PhraseSet {
            automaton,
            owners: self.owners,
            positions: self.positions,
            bounded: self.bounded,
            leading_only,
            longest,
        })
    }
}

/// Phrase lists that do not fit one automaton.
#[derive(Debug, thiserror::Error)]
#[error("the phrase lists are too large for one automaton: {0}")]
pub struct TooManyPhrases(String);

/// All phrases, compiled.
#[derive(Debug)]
pub struct PhraseSet {
    automaton: Table,
    owners: Vec<usize>,
    positions: Vec<Option<Position>>,
    bounded: Vec<[bool; 2]>,
    /// No phrase may sit anywhere: each starts at or before the first letter or digit of the
    /// text (see [`Position::admits`]), so only the text's first words need searching.
    leading_only: bool,
    /// Bytes of the longest phrase.
    longest: usize,
}

/// What a search found: a phrase of a rule, or a substring of an owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhraseHit {
    /// Rule, start, end.
    Phrase(usize, usize, usize),
    /// Owner, start, end.
    Substring(usize, usize, usize),
}

impl PhraseSet {
    /// Calls `found(rule, start, end)` for every phrase occurrence in `text` that sits where its
    /// rule asks, overlapping ones included.
    pub fn find(&self, text: &str, mut found: impl FnMut(usize, usize, usize)) {
        self.find_all(text, |hit| {
            if let PhraseHit::Phrase(rule, start, end) = hit {
                found(rule, start, end);
            }
        });
    }

    /// What [`find`](Self::find) gives, and every substring occurrence in `text`.
    fn find_all(&self, text: &str, mut found: impl FnMut(PhraseHit)) {
        let searched = if self.leading_only { &text[..self.leading_reach(text)] } else { text };
        let folded = fold_non_ascii_capitals(searched);
        self.walk(folded.as_bytes(), |index, end| {
            let start = end - self.automaton.lens[index];
            match self.positions[index] {
                None if !self.bounds_hold(index, text, Span::new(0, text.len()), start, end) => {}
                None => found(PhraseHit::Substring(self.owners[index], start, end)),
                Some(position) if position.admits(text, start, end) => {
                    found(PhraseHit::Phrase(self.owners[index], start, end))
                }
                Some(_) => {}
            }
        });
    }

    /// Calls `found(pattern, end)` for every occurrence of a string of the set in `haystack`,
    /// overlapping ones included, in the order of their ends (as an overlapping search of the
    /// automaton gives them).
    fn walk(&self, haystack: &[u8], mut found: impl FnMut(usize, usize)) {
        let mut state = self.automaton.start;
        let mut at = 0;
        while at < haystack.len() {
            at = self.steps(haystack, at, &mut state);
            if self.automaton.is_match(state) {
                self.report(state, at, &mut found);
            }
        }
    }

    /// Walks `haystack` from `at` on, from `state`, up to the first match state or the end; gives
    /// the offset after the last byte read. The loop calls nothing, so that what it needs stays
    /// in registers (with the reports in it, they were reloaded at every byte).
    ///
    /// Two bytes a round, with one test of both states: most rounds reach no match state, and the
    /// loop's count and test, paid once for two bytes, were a third of a step. A round that
    /// reaches one tells which byte did; a step on from a match state reads a valid entry and
    /// is dropped.
    #[inline(never)]
    fn steps(&self, haystack: &[u8], mut at: usize, state: &mut usize) -> usize {
        let table = &self.automaton;
        let mut current = *state;
        for &[first, second] in haystack[at..].as_chunks::<2>().0 {
            let after_first = table.next(current, first);
            let after_second = table.next(after_first, second);
            if table.any_matches([after_first, after_second]) {
                let (state_then, read) = if table.is_match(after_first) { (after_first, 1) } else { (after_second, 2) };
                *state = state_then;
                return at + read;
            }
            current = after_second;
            at += 2;
        }
        if let Some(&byte) = haystack.get(at) {
            current = table.next(current, byte);
            at += 1;
        }
        *state = current;
        at
    }

    /// [`steps`](Self::steps) of two walks side by side, over the bytes both haystacks have, up
    /// to the first step where either reaches a match state; two bytes of each a round, as there.
    #[inline(never)]
    fn steps_two(&self, haystacks: [&[u8]; 2], mut at: usize, states: &mut [usize; 2]) -> usize {
        let table = &self.automaton;
        let common = haystacks[0].len().min(haystacks[1].len());
        let (first, second) = (&haystacks[0][..common], &haystacks[1][..common]);
        let [mut one, mut two] = *states;
        let pairs = first[at..].as_chunks::<2>().0.iter().zip(second[at..].as_chunks::<2>().0);
        for (&[one_first, one_second], &[two_first, two_second]) in pairs {
            let one_after_first = table.next(one, one_first);
            let two_after_first = table.next(two, two_first);
            let one_after_second = table.next(one_after_first, one_second);
            let two_after_second = table.next(two_after_first, two_second);
            // Most rounds reach no match state in any of the four: one test tells.
            if table.any_matches([one_after_first, two_after_first, one_after_second, two_after_second]) {
                if table.any_matches([one_after_first, two_after_first]) {
                    *states = [one_after_first, two_after_first];
                    return at + 1;
                }
                *states = [one_after_second, two_after_second];
                return at + 2;
            }
            [one, two] = [one_after_second, two_after_second];
            at += 2;
        }
        if at < common {
            one = table.next(one, first[at]);
            two = table.next(two, second[at]);
            at += 1;
        }
        *states = [one, two];
        at
    }

    /// [`walk`](Self::walk) over two haystacks at once, `found` telling them by `0` and `1`.
    /// Each step of the automaton waits for the table entry the previous one read, and the
    /// table is larger than the fastest caches: two walks side by side wait at the same time.
    fn walk_two(&self, haystacks: [&[u8]; 2], mut found: impl FnMut(usize, usize, usize)) {
        let table = &self.automaton;
        let [first, second] = haystacks;
        let mut states = [table.start; 2];
        let common = first.len().min(second.len());
        let mut at = 0;
        while at < common {
            at = self.steps_two(haystacks, at, &mut states);
            for (which, &state) in states.iter().enumerate() {
                if table.is_match(state) {
                    self.report(state, at, &mut |pattern, end| found(which, pattern, end));
                }
            }
        }
        let (which, longer) = if first.len() > common { (0, first) } else { (1, second) };
        let mut state = states[which];
        while at < longer.len() {
            at = self.steps(longer, at, &mut state);
            if table.is_match(state) {
                self.report(state, at, &mut |pattern, end| found(which, pattern, end));
            }
        }
    }

    /// Calls `found(pattern, end)` for the strings that end at `end` in match state `state`.
    fn report(&self, state: usize, end: usize, found: &mut impl FnMut(usize, usize)) {
        for &pattern in self.automaton.matches(state) {
            found(pattern as usize, end);
        }
    }
}

impl PhraseSet {
    /// Whether the word boundaries string `index` asks for hold where it is found at
    /// `start..end` in `part` of `text`.
    fn bounds_hold(&self, index: usize, text: &str, part: Span, start: usize, end: usize) -> bool {
        let [at_start, at_end] = self.bounded[index];
        (!at_start || ascii_boundary(text, part, start)) && (!at_end || ascii_boundary(text, part, end))
    }

    /// The end of the part of `text` where phrases that start at or before its first letter or
    /// digit can lie.
    fn leading_reach(&self, text: &str) -> usize {
        let body_start = text.len() - text.trim_start_matches(|c: char| !c.is_alphanumeric()).len();
        let mut end = text.len().min(body_start + self.longest);
        while !text.is_char_boundary(end) {
            end += 1;
        }
        end
    }

    /// What [`find`](Self::find) gives on each of `parts` (spans of `text` in order, none
    /// overlapping the next), and the substrings inside each part, in one pass over them: calls
    /// `found(part, hit)`, offsets into `text`, for every phrase occurrence inside a part that
    /// sits where its rule asks in that part and every substring occurrence inside a part, parts
    /// in order. One pass instead of one per part saves the start-up of each search.
    ///
    /// `capitals` are the offsets, in order, of the characters of `text` that [`is_capital`]
    /// tells, and `titlecase` those [`is_titlecase`] tells (at least inside the parts), as a
    /// caller that reads the text's non-ASCII characters for its own ends finds them in the same
    /// pass: a part without a capital is not read again to fold them, and in one with a capital
    /// only the characters at those offsets are lowered, the only ones that lower.
    pub fn find_in_parts(
        &self,
        text: &str,
        parts: &[Span],
        capitals: &[usize],
        titlecase: &[usize],
        mut found: impl FnMut(usize, PhraseHit),
    ) {
        let Some(last) = parts.last() else {
            return;
        };
        // A walk over several parts reads the byte before each but the first, where a walk of
        // the part alone starts a word: a part right after a letter or digit is walked alone.
        let after_word = |part: &Span| {
            part.start.checked_sub(1).is_some_and(|before| text.as_bytes()[before].is_ascii_alphanumeric())
        };
        if parts.windows(2).any(|pair| pair[1].start < pair[0].end || after_word(&pair[1])) {
            for (index, &part) in parts.iter().enumerate() {
                self.find_all(part.of(text), |hit| {
                    found(
                        index,
                        match hit {
                            PhraseHit::Phrase(rule, start, end) => {
                                PhraseHit::Phrase(rule, part.start + start, part.start + end)
                            }
                            PhraseHit::Substring(owner, start, end) => {
                                PhraseHit::Substring(owner, part.start + start, part.start + end)
                            }
                        },
                    )
                });
            }
            return;
        }
        // The parts are read in two groups of about the same length, side by side (see
        // [`walk_two`](Self::walk_two)); an occurrence inside a part starts at or after the start
        // of its group, so each walk finds it as one walk over all the parts would. The second
        // group's hits wait until the first group's are reported.
        let total: usize = parts.iter().map(|part| part.len()).sum();
        let mut before = 0;
        let split = (1..parts.len())
            .map(|index| {
                before += parts[index - 1].len();
                (index, (2 * before).abs_diff(total))
            })
            .min_by_key(|&(_, gap)| gap)
            .map_or(parts.len(), |(index, _)| index);
        let groups = [&parts[..split], &parts[split..]];
        let ranges = groups.map(|group| match (group.first(), group.last()) {
            (Some(first), Some(last)) => Span::new(first.start, last.end),
            _ => Span::new(last.end, last.end),
        });
        // A match inside a part is told by the bytes between its ends alone (the automaton
        // reports every match, overlapping ones too), so only the characters inside parts need
        // folding, and only where the caller's lists say.
        let folded = ranges.map(|range| match within(capitals, range) {
            [] => std::borrow::Cow::Borrowed(range.of(text)),
            held => std::borrow::Cow::Owned(match within(titlecase, range) {
                [] => lowered_at(text, range, held),
                titled => {
                    let mut cased = [held, titled].concat();
                    cased.sort_unstable();
                    lowered_at(text, range, &cased)
                }
            }),
        });
        let mut at = [0, split];
        let mut held = Vec::new();
        // Reports an occurrence that walk `which` found ending at `end` of its group.
        let mut hit = |which: usize, index: usize, end: usize| {
            let end = ranges[which].start + end;
            let start = end - self.automaton.lens[index];
            let at = &mut at[which];
            // Hits come in the order of their ends, and parts in order end in order too.
            while parts[*at].end < end {
                *at += 1;
            }
            let part = parts[*at];
            if part.start > start {
                return;
            }
            match self.positions[index] {
                None if !self.bounds_hold(index, text, part, start, end) => {}
                None => found(*at, PhraseHit::Substring(self.owners[index], start, end)),
                Some(position) if position.admits(part.of(text), start - part.start, end - part.start) => {
                    found(*at, PhraseHit::Phrase(self.owners[index], start, end))
                }
                Some(_) => {}
            }
        };
        if split == parts.len() {
            self.walk(folded[0].as_bytes(), |pattern, end| hit(0, pattern, end));
            return;
        }
        self.walk_two([folded[0].as_bytes(), folded[1].as_bytes()], |which, pattern, end| match which {
            0 => hit(0, pattern, end),
            _ => held.push((pattern, end)),
        });
        for (pattern, end) in held {
            hit(1, pattern, end);
        }
    }
}

/// The phrase automaton re-laid as a table of next states, four times smaller than the DFA the
/// automaton's crate would make of it: the walk is bound by waiting for table entries, and the
/// smaller the table, the more of it stays in the fastest caches. ASCII capitals and the bytes no
/// string has are folded into the classes of the bytes (where that DFA keeps a class for each
/// capital and for each gap between the bytes it has), and states are numbered in 16 bits, match
/// states last.
///
/// The table is laid out class by class: a step adds the state to where its byte's class starts,
/// one addition where a layout state by state shifts the state first, on every byte walked.
#[derive(Debug)]
struct Table {
    /// Per byte: where the next states of its class start in `next`.
    class_starts: [u32; 256],
    /// Per class and state: the next state.
    next: Vec<u16>,
    /// States are walked as `usize`, which their entries in `next` widen to as they are read:
    /// as `u16`, every step widened the state again.
    start: usize,
    /// The states from this one on are match states; a power of two.
    first_match: usize,
    /// Per match state (less `first_match`): where its strings end in `matched`.
    ends: Vec<u32>,
    /// The strings each match state reports, by number, in the automaton's order.
    matched: Vec<u32>,
    /// Per string: its length in bytes.
    lens: Vec<usize>,
}

impl Table {
    /// The table of `automaton`, built from the spellings (see [`WordStarts`]) of `strings`, the
    /// spelling numbered `n` being one of string `spelt_for[n]`.
    fn new(
        automaton: &NFA,
        strings: &[String],
        word_starts: &WordStarts,
        spelt_for: &[usize],
    ) -> Result<Table, TooManyPhrases> {
        // Class 0 is every byte no string has, in either case, but the letters and digits, which
        // are class 1 (they start a word where the others do not); the others one byte each
        // (in lower case), numbered from 2.
        let mut classes: [u8; 256] = std::array::from_fn(|byte| u8::from((byte as u8).is_ascii_alphanumeric()));
        let mut representatives = vec![None, None];
        for byte in strings.iter().flat_map(|string| string.bytes()) {
            let lower = byte.to_ascii_lowercase();
            if classes[usize::from(lower)] < 2 {
                representatives.push(Some(lower));
                let class = u8::try_from(representatives.len() - 1).expect("at most 255 bytes in strings");
                classes[usize::from(lower)] = class;
                classes[usize::from(byte.to_ascii_uppercase())] = class;
            }
        }
        // A byte of class 0 (or 1), if any is left, leads where every such byte leads.
        for (class, representative) in representatives.iter_mut().take(2).enumerate() {
            *representative = (0..=u8::MAX).find(|&byte| usize::from(classes[usize::from(byte)]) == class);
        }
        let start = automaton.start_state(Anchored::No).expect("an unanchored automaton has an unanchored start");
        let width = representatives.len();
        // Every state the walk can reach, from the start, in the order first reached, each
        // with its next states by that order (a class without a byte is never read: its entry
        // stays 0). A state is one of the automaton's and whether the last byte read was a
        // letter or a digit, which tells how the automaton reads the next. One look-up per
        // transition, by the automaton's state number (its states are numbered from 0 up), where
        // hashing cost more: this runs at every start-up.
        let mut states = vec![(start, false)];
        let slot = |(state, after_word): (StateID, bool)| 2 * state.as_usize() + usize::from(after_word);
        let mut reached: Vec<Option<usize>> = vec![None; slot((start, false)) + 1];
        reached[slot((start, false))] = Some(0);
        let mut steps = Vec::new();
        while let Some(&(state, after_word)) = states.get(steps.len() / width) {
            for &byte in &representatives {
                let Some(byte) = byte else {
                    steps.push(0);
                    continue;
                };
                let to = (
                    automaton.next_state(Anchored::No, state, word_starts.read(byte, after_word)),
                    byte.is_ascii_alphanumeric(),
                );
                if slot(to) >= reached.len() {
                    reached.resize(slot(to) + 1, None);
                }
                let number = *reached[slot(to)].get_or_insert_with(|| {
                    states.push(to);
                    states.len() - 1
                });
                steps.push(number);
            }
        }
        // Numbered in 16 bits again, match states last, from a power of two on: a state is a
        // match state when a bit from there up is set, so that two walks tell whether either
        // reached one by one test of both states together (see [`Table::any_matches`]). The
        // numbers skipped below it are never reached, nor their entries read.
        let (plain, matching): (Vec<usize>, Vec<usize>) =
            (0..states.len()).partition(|&n| !automaton.is_match(states[n].0));
        let first_match = plain.len().next_power_of_two();
        let numbered = first_match + matching.len();
        if numbered > usize::from(u16::MAX) + 1 {
            return Err(TooManyPhrases(format!("{numbered} states, where at most 65,536 are numbered")));
        }
        let mut renumbered = vec![0u16; states.len()];
        let numbers = (0..plain.len()).chain(first_match..numbered);
        for (number, &reached) in numbers.zip(plain.iter().chain(&matching)) {
            renumbered[reached] = number as u16;
        }
        let mut next = vec![0u16; numbered * width];
        for (reached, row) in steps.chunks(width).enumerate() {
            let from = usize::from(renumbered[reached]);
            for (class, &to) in row.iter().enumerate() {
                next[class * numbered + from] = renumbered[to];
            }
        }
        let class_starts = classes.map(|class| u32::from(class) * numbered as u32);
        let (mut ends, mut matched) = (Vec::with_capacity(matching.len()), Vec::new());
        for &reached in &matching {
            let state = states[reached].0;
            let spellings =
                (0..automaton.match_len(state)).map(|index| automaton.match_pattern(state, index).as_usize());
            matched.extend(spellings.map(|spelling| spelt_for[spelling] as u32));
            ends.push(matched.len() as u32);
        }
        Ok(Table {
            class_starts,
            next,
            start: usize::from(renumbered[0]),
            first_match,
            ends,
            matched,
            lens: strings.iter().map(String::len).collect(),
        })
    }

    /// The walk's one step. Unchecked: the bounds check was two of the eleven instructions per
    /// byte of the walk, which every document's kept text goes through.
    #[inline(always)]
    fn next(&self, state: usize, byte: u8) -> usize {
        let at = self.class_starts[usize::from(byte)] as usize + state;
        debug_assert!(at < self.next.len());
        // SAFETY: every state the walk holds is `start` or an entry of `next`, and both are
        // numbers given to the states reached in `new`, below their count; every class starts
        // at its number times that count, and `next` holds that count of entries per class.
        usize::from(unsafe { *self.next.get_unchecked(at) })
    }

    #[inline(always)]
    fn is_match(&self, state: usize) -> bool {
        state >= self.first_match
    }

    /// Whether any of `states` is a match state: match states are those at or above a power of
    /// two, and no others have a bit from there up.
    #[inline(always)]
    fn any_matches<const N: usize>(&self, states: [usize; N]) -> bool {
        states.into_iter().fold(0, |all, state| all | state) >= self.first_match
    }

    /// The strings match state `state` reports.
    fn matches(&self, state: usize) -> &[u32] {
        let index = state - self.first_match;
        let start = if index == 0 { 0 } else { self.ends[index - 1] as usize };
        &self.matched[start..self.ends[index] as usize]
    }
}

/// How the automaton tells an ASCII letter or digit that starts a word (none of them before it)
/// from one inside a word: it reads the first as a byte of its own, one no string has, and the
/// strings are spelt so, letters and digits after a byte that is none of them in their
/// starting form. A string that must start a word is spelt only with its first byte so, and is
/// not found inside a word, where most occurrences of short words (`me` in `some`) lie and were
/// found only to be dropped; any other has a spelling for either form of its first byte. Without
/// bytes enough to spare for every letter and digit that starts a word in a string, every byte
/// is read as it is.
#[derive(Debug)]
struct WordStarts {
    /// Per ASCII byte in lower case: the byte read for it where it starts a word.
    starting: [u8; 128],
    /// Whether a byte is one that `starting` gives, which the text's own bytes are not read as.
    spare: [bool; 256],
    /// A byte no string has, read for the text's bytes that `starting` gives.
    neutral: u8,
}

impl WordStarts {
    fn new(strings: &[String]) -> WordStarts {
        let mut starting: [u8; 128] = std::array::from_fn(|byte| byte as u8);
        let (mut spare, mut neutral) = ([false; 256], 0);
        let mut used = [false; 256];
        for byte in strings.iter().flat_map(|string| string.bytes()) {
            used[usize::from(byte.to_ascii_lowercase())] = true;
            used[usize::from(byte.to_ascii_uppercase())] = true;
        }
        let free = (0..=u8::MAX).filter(|&byte| !used[usize::from(byte)] && !byte.is_ascii_alphanumeric());
        let mut wanted: Vec<u8> = strings
            .iter()
            .flat_map(|string| word_starts(string.as_bytes()).map(|at| string.as_bytes()[at].to_ascii_lowercase()))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        let chosen: Vec<u8> = free.take(wanted.len() + 1).collect();
        if let Some((&last, codes)) = chosen.split_last().filter(|(_, codes)| codes.len() == wanted.len()) {
            neutral = last;
            for (&byte, &code) in wanted.iter().zip(codes) {
                starting[usize::from(byte)] = code;
                spare[usize::from(code)] = true;
            }
        }
        WordStarts { starting, spare, neutral }
    }

    /// The byte the automaton reads for `byte` of the text, after a letter or digit when
    /// `after_word`.
    fn read(&self, byte: u8, after_word: bool) -> u8 {
        if byte.is_ascii_alphanumeric() && !after_word {
            self.starting[usize::from(byte.to_ascii_lowercase())]
        } else if self.spare[usize::from(byte)] {
            self.neutral
        } else {
            byte
        }
    }

    /// The spellings of `string`: one where it must start a word (or its first byte starts
    /// none), else one for each form of its first byte.
    fn spellings(&self, string: &[u8], must_start_word: bool) -> Vec<Vec<u8>> {
        let starting = |byte: u8| self.starting[usize::from(byte.to_ascii_lowercase())];
        let mut spelt = string.to_vec();
        for at in word_starts(string) {
            spelt[at] = starting(string[at]);
        }
        let inside = match string.first() {
            Some(&first)
                if !must_start_word
                    && first.is_ascii_alphanumeric()
                    && starting(first) != first.to_ascii_lowercase() =>
            {
                let mut inside = spelt.clone();
                inside[0] = first;
                Some(inside)
            }
            _ => None,
        };
        std::iter::once(spelt).chain(inside).collect()
    }
}

/// The offsets of the ASCII letters and digits of `string` that start a word in it.
fn word_starts(string: &[u8]) -> impl Iterator<Item = usize> + '_ {
    (0..string.len())
        .filter(|&at| string[at].is_ascii_alphanumeric() && (at == 0 || !string[at - 1].is_ascii_alphanumeric()))
}

/// Whether an ASCII word boundary (`(?-u:\b)`) holds at byte `at` of `part` of `text`, as a
/// regex run on the part alone sees it: the bytes outside the part are none.
pub fn ascii_boundary(text: &str, part: Span, at: usize) -> bool {
    let is_word = |at: usize| part.start <= at && at < part.end && regex_syntax::is_word_byte(text.as_bytes()[at]);
    (at > part.start && is_word(at - 1)) != is_word(at)
}

/// Whether `phrase` occurs at byte `start` of `text` where a phrase that may sit anywhere is
/// found by [`PhraseSet::find`]: ASCII case-insensitively, with the non-ASCII capitals of `text`
/// folded, and starting and ending at word boundaries. For a caller that knows where the phrases
/// could start (say, at the words it reads anyway) and checks only there.
pub fn occurs_anywhere_at(text: &str, start: usize, phrase: &str) -> bool {
    let end = start + phrase.len();
    if end > text.len() || !text.is_char_boundary(start) {
        return false;
    }
    let window = &text.as_bytes()[start..end];
    let same = if window.is_ascii() {
        window.eq_ignore_ascii_case(phrase.as_bytes())
    } else {
        // Folding keeps every offset and folds each character alone, so the characters the
        // window touches fold as they do in the whole text.
        let mut to = end;
        while !text.is_char_boundary(to) {
            to += 1;
        }
        fold_non_ascii_capitals(&text[start..to]).as_bytes()[..phrase.len()].eq_ignore_ascii_case(phrase.as_bytes())
    };
    same && Position::Anywhere.admits(text, start, end)
}

/// `text` with each non-ASCII capital lowered where its lower case is one character of the same
/// length in UTF-8, so that byte offsets into the copy are offsets into `text`; borrowed when
/// there is nothing to fold. ASCII capitals may stay: the automaton folds them itself.
fn fold_non_ascii_capitals(text: &str) -> std::borrow::Cow<'_, str> {
    if !non_ascii_chars(text).any(|(_, c)| is_capital(c)) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(folded(text))
}

/// `text` with its non-ASCII capitals folded, as [`fold_non_ascii_capitals`] gives it when the
/// text has one.
fn folded(text: &str) -> String {
    // Most characters beyond ASCII are their own lower case: no table look-up for them.
    let cased = non_ascii_chars(text).filter(|&(_, c)| !is_common_uncased(c));
    lowered_chars(text, Span::new(0, text.len()), cased)
}

/// The offsets of `offsets` (in order) that lie inside `range`.
fn within(offsets: &[usize], range: Span) -> &[usize] {
    let first = offsets.partition_point(|&at| at < range.start);
    let count = offsets[first..].partition_point(|&at| at < range.end);
    &offsets[first..first + count]
}

/// `range` of `text` as [`folded`] gives it, where `offsets` (in order, inside `range`) are
/// where its characters that lower are: every capital and titlecase letter in it. The rest is
/// copied unread.
fn lowered_at(text: &str, range: Span, offsets: &[usize]) -> String {
    let cased = offsets.iter().map(|&at| (at, text[at..].chars().next().expect("an offset of a character")));
    lowered_chars(text, range, cased)
}

/// `range` of `text` with the characters `cased` gives (offsets in order, inside `range`)
/// [`lowered`], and the rest copied.
fn lowered_chars(text: &str, range: Span, cased: impl Iterator<Item = (usize, char)>) -> String {
    let mut folded = String::with_capacity(range.len());
    let mut copied = range.start;
    for (at, c) in cased {
        folded.push_str(&text[copied..at]);
        folded.push(lowered(c));
        copied = at + c.len_utf8();
    }
    folded.push_str(&text[copied..range.end]);
    folded
}

/// `c` lowered where it lowers to one character of its length (which keeps offsets), else `c`.
fn lowered(c: char) -> char {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) if l.len_utf8() == c.len_utf8() => l,
        _ => c,
    }
}

/// Whether `c` is a titlecase letter (`ǅ`, `ᾈ`): no capital, yet it lowers. With the
/// capitals, these are all the characters that lower (a test reads every character).
pub fn is_titlecase(c: char) -> bool {
    matches!(
        c,
        '\u{1C5}'
            | '\u{1C8}'
            | '\u{1CB}'
            | '\u{1F2}'
            | '\u{1F88}'..='\u{1F8F}'
            | '\u{1F98}'..='\u{1F9F}'
            | '\u{1FA8}'..='\u{1FAF}'
            | '\u{1FBC}'
            | '\u{1FCC}'
            | '\u{1FFC}'
    )
}

/// Whether `c` is a capital, as `char::is_uppercase` tells, without its table look-up for the
/// non-ASCII characters most common in English text: Latin-1 and general punctuation (curly
/// quotes, dashes, spaces).
pub fn is_capital(c: char) -> bool {
    match c {
        '\u{C0}'..='\u{DE}' => c != '\u{D7}',
        _ => !is_common_uncased(c) && c.is_uppercase(),
    }
}

/// Whether `c` is one of the characters beyond ASCII most common in English text that are no
/// capital and their own lower case: Latin-1 marks and small letters, general punctuation.
fn is_common_uncased(c: char) -> bool {
    matches!(c, '\u{80}'..='\u{BF}' | '\u{D7}' | '\u{DF}'..='\u{FF}' | '\u{2000}'..='\u{206F}')
}

/// The non-ASCII characters of `text` and their offsets; runs of ASCII are skipped undecoded,
/// sixteen bytes at a time where they can.
pub fn non_ascii_chars(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    const STRIDE: usize = 16;
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        // Sixteen bytes are read as one number, whose high bits tell a non-ASCII byte.
        while let Some(chunk) = bytes.get(at..at + STRIDE) {
            let word = u128::from_le_bytes(chunk.try_into().expect("sixteen bytes"));
            if word & u128::from_le_bytes([0x80; STRIDE]) != 0 {
                break;
            }
            at += STRIDE;
        }
        let start = at + bytes[at..].iter().position(|byte| !byte.is_ascii())?;
        let c = text[start..].chars().next()?;
        at = start + c.len_utf8();
        Some((start, c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_whole_words_at_their_position_for_their_rule() {
        let mut builder = PhraseSetBuilder::default();
        builder.add(0, &["share this".into()], Position::Start);
        builder.add(1, &["this".into(), "cost".into()], Position::Anywhere);
        let set = builder.build().unwrap();
        let mut hits = Vec::new();
        set.find("Share THIS: the cost, costly", |rule, start, end| hits.push((rule, start, end)));
        assert_eq!(hits, [(0, 0, 10), (1, 6, 10), (1, 16, 20)]);
    }

    /// The one test of two states together tells what a test of each tells, for every pair of
    /// states a walk can hold.
    #[test]
    fn any_of_two_states_matches_as_each_tells() {
        let mut builder = PhraseSetBuilder::default();
        builder.add(0, &["share this".into(), "cost".into(), "costs rose".into()], Position::Anywhere);
        builder.add_substrings(1, &["st".into(), "e. ä".into(), "said".into()]);
        let table = builder.build().unwrap().automaton;
        let mut states: Vec<usize> = table.next.iter().map(|&state| usize::from(state)).collect();
        states.push(table.start);
        states.sort_unstable();
        states.dedup();
        assert!(
            states.iter().any(|&state| table.is_match(state)) && states.iter().any(|&state| !table.is_match(state))
        );
        for &one in &states {
            for &two in &states {
                assert_eq!(table.any_matches([one, two]), table.is_match(one) || table.is_match(two), "{one} {two}");
            }
        }
    }

    #[test]
    fn phrase_lists_too_large_for_the_table_are_an_error_not_a_crash() {
        // Distinct strings of 16 hex digits share little beyond their first few bytes: about
        // 13 states each, past the 65,536 the table numbers.
        let phrases: Vec<String> =
            (0..6000u64).map(|i| format!("{:016x}", i.wrapping_mul(0x9E37_79B9_7F4A_7C15))).collect();
        let mut builder = PhraseSetBuilder::default();
        builder.add(0, &phrases, Position::Anywhere);
        let error = builder.build().unwrap_err();
        assert!(error.to_string().contains("at most 65,536"), "{error}");
    }

    #[test]
    fn folds_non_ascii_capitals_and_keeps_offsets() {
        let mut builder = PhraseSetBuilder::default();
        builder.add(0, &["ähnliche beiträge".into()], Position::Anywhere);
        let set = builder.build().unwrap();
        let text = "İ ÄHNLICHE Beiträge";
        let mut hits = Vec::new();
        set.find(text, |rule, start, end| hits.push((rule, start, end)));
        assert_eq!(hits, [(0, 3, text.len())]);
        assert_eq!(&text[hits[0].1..hits[0].2], "ÄHNLICHE Beiträge");
    }

    #[test]
    fn finds_in_parts_what_it_finds_in_each_part() {
        let mut builder = PhraseSetBuilder::default();
        builder.add(0, &["share this".into()], Position::Start);
        builder.add(1, &["this".into(), "cost".into(), "cost rose".into()], Position::Anywhere);
        builder.add_substrings(7, &["st".into(), "e. ä".into(), "ǆs".into()]);
        let set = builder.build().unwrap();
        let text = "Share THIS: the cost; cost rose. ÄH, share this cost ǅst";
        let cut = |a: &str, b: &str| Span::new(text.find(a).unwrap(), text.find(b).unwrap() + b.len());
        for parts in [
            vec![cut("Share", "cost;"), cut("cost rose", "rose."), cut("share this", "this cost")],
            vec![cut("THIS", "cost rose"), cut("ÄH", "share this cost ǅst")],
            vec![cut("Share", "cost rose"), cut("cost rose", "this cost")],
        ] {
            let mut each = Vec::new();
            for (index, part) in parts.iter().enumerate() {
                set.find(part.of(text), |rule, start, end| {
                    each.push((index, PhraseHit::Phrase(rule, part.start + start, part.start + end)))
                });
                // A substring counts where it lies inside the part, capitals and titlecase
                // letters folded (which keeps the offsets of this text).
                let lower = part.of(text).to_lowercase();
                let substrings = ["st", "e. ä", "ǆs"].map(|substring| lower.match_indices(substring));
                for (at, found) in substrings.into_iter().flatten() {
                    let start = part.start + at;
                    each.push((index, PhraseHit::Substring(7, start, start + found.len())));
                }
            }
            let mut once = Vec::new();
            let capitals: Vec<usize> =
                non_ascii_chars(text).filter(|&(_, c)| c.is_uppercase()).map(|(at, _)| at).collect();
            let titlecase: Vec<usize> =
                non_ascii_chars(text).filter(|&(_, c)| is_titlecase(c)).map(|(at, _)| at).collect();
            set.find_in_parts(text, &parts, &capitals, &titlecase, |index, hit| once.push((index, hit)));
            assert!(once.is_sorted_by_key(|&(index, _)| index), "{parts:?}");
            let sorted = |mut hits: Vec<(usize, PhraseHit)>| {
                hits.sort_by_key(|&(index, hit)| (index, matches!(hit, PhraseHit::Substring(..)), format!("{hit:?}")));
                hits
            };
            assert_eq!(sorted(once), sorted(each), "{parts:?}");
        }
    }

    /// The strings a walk from the start state reports, read one byte at a time with a test of
    /// every state, as the walks did before they read two bytes a round.
    fn walked_byte_by_byte(table: &Table, haystack: &[u8]) -> Vec<(usize, usize)> {
        let mut state = table.start;
        let mut found = Vec::new();
        for (at, &byte) in haystack.iter().enumerate() {
            state = table.next(state, byte);
            if table.is_match(state) {
                found.extend(table.matches(state).iter().map(|&pattern| (pattern as usize, at + 1)));
            }
        }
        found
    }

    proptest::proptest! {
        /// A walk, and each of two walks side by side, reports what one read byte by byte does,
        /// in the same order, whether matches end on the first or the second byte of a round.
        #[test]
        fn walks_two_bytes_a_round_report_what_a_walk_byte_by_byte_does(
            one in "[abc. ]{0,40}",
            two in "[abc. ]{0,40}",
        ) {
            let mut builder = PhraseSetBuilder::default();
            builder.add_substrings(0, &["a".into(), "ab".into(), "bca".into(), "c.".into(), "aa a".into()]);
            let set = builder.build().unwrap();
            let haystacks = [one.as_bytes(), two.as_bytes()];
            let expected = haystacks.map(|haystack| walked_byte_by_byte(&set.automaton, haystack));
            let mut each = [Vec::new(), Vec::new()];
            set.walk_two(haystacks, |which, pattern, end| each[which].push((pattern, end)));
            proptest::prop_assert_eq!(&each, &expected);
            for (haystack, expected) in haystacks.iter().zip(&expected) {
                let mut alone = Vec::new();
                set.walk(haystack, |pattern, end| alone.push((pattern, end)));
                proptest::prop_assert_eq!(&alone, expected);
            }
        }

        /// A bounded substring is reported where the regex of it with its ASCII word boundaries,
        /// run on the part alone, matches it, and nowhere else; in one part or in several.
        #[test]
        fn bounded_substrings_are_found_where_their_boundaries_hold(
            text in r"[usUScot é.\-_1]{0,60}",
            cuts in proptest::collection::vec(0usize..60, 0..6),
        ) {
            let strings = [("us", [true, true]), ("co", [true, false]), ("st", [false, true]), ("o", [false, false])];
            let mut builder = PhraseSetBuilder::default();
            for (owner, (string, bounded)) in strings.iter().enumerate() {
                builder.add_bounded_substring(owner, string, *bounded);
            }
            let set = builder.build().unwrap();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|cut| cut.min(text.len())).filter(|&cut| text.is_char_boundary(cut)).collect();
            cuts.extend([0, text.len()]);
            cuts.sort_unstable();
            cuts.dedup();
            // Parts between every other pair of cuts, so that some text lies between parts.
            let parts: Vec<Span> = cuts.windows(2).step_by(2).map(|pair| Span::new(pair[0], pair[1])).collect();
            let mut expected = Vec::new();
            for (index, part) in parts.iter().enumerate() {
                for (owner, (string, [at_start, at_end])) in strings.iter().enumerate() {
                    let bound = |yes: bool| if yes { r"\b" } else { "" };
                    let regex = regex::bytes::Regex::new(&format!("(?i-u){}{string}{}", bound(*at_start), bound(*at_end))).unwrap();
                    for found in regex.find_iter(part.of(&text).as_bytes()) {
                        expected.push((index, PhraseHit::Substring(owner, part.start + found.start(), part.start + found.end())));
                    }
                }
            }
            let mut hits = Vec::new();
            set.find_in_parts(&text, &parts, &[], &[], |index, hit| hits.push((index, hit)));
            let key = |&(index, hit): &(usize, PhraseHit)| (index, format!("{hit:?}"));
            expected.sort_by_key(key);
            hits.sort_by_key(key);
            proptest::prop_assert_eq!(hits, expected);
        }
    }

    #[test]
    fn capitals_are_told_as_the_standard_library_tells_them() {
        for c in ('\u{80}'..='\u{2FFF}').chain(['\u{10400}', '\u{1D400}']) {
            assert_eq!(is_capital(c), c.is_uppercase(), "{c:?}");
            if is_common_uncased(c) {
                assert!(!c.is_uppercase() && c.to_lowercase().eq([c]), "{c:?}");
            }
        }
    }

    proptest::proptest! {
        /// Folding skips the common characters beyond ASCII without changing what it gives: each
        /// character that lowers to one of the same length is lowered, whatever it is.
        #[test]
        fn folding_lowers_every_character_that_lowers_to_one_of_its_length(
            text in "[aZ \u{a0}\u{c4}\u{d7}\u{df}\u{e4}\u{2019}\u{2014}\u{130}\u{1c5}\u{1f88}\u{23a}\u{391}\u{3b1}\u{1e9e}\u{2c65}]{0,40}",
        ) {
            let plain: String = text
                .chars()
                .map(|c| {
                    let mut lower = c.to_lowercase();
                    match (lower.next(), lower.next()) {
                        (Some(l), None) if !c.is_ascii() && l.len_utf8() == c.len_utf8() => l,
                        _ => c,
                    }
                })
                .collect();
            proptest::prop_assert_eq!(folded(&text), plain.clone());
            // Lowering only the capitals and titlecase letters, where a caller found them, folds
            // the same.
            let cased: Vec<usize> = non_ascii_chars(&text)
                .filter(|&(_, c)| is_capital(c) || is_titlecase(c))
                .map(|(at, _)| at)
                .collect();
            proptest::prop_assert_eq!(lowered_at(&text, Span::new(0, text.len()), &cased), plain.clone());
            let has_capital = text.chars().any(|c| !c.is_ascii() && c.is_uppercase());
            let expected = if has_capital { plain } else { text.clone() };
            proptest::prop_assert_eq!(fold_non_ascii_capitals(&text).into_owned(), expected);
        }
    }

    /// The fold lowers only the characters at the offsets it is given: every character beyond
    /// ASCII that lowers must be a capital or one of the titlecase letters.
    #[test]
    fn only_capitals_and_titlecase_letters_lower() {
        for c in ('\u{80}'..=char::MAX).filter(|c| !c.to_lowercase().eq([*c])) {
            assert!(is_capital(c) != is_titlecase(c), "{c:?}");
        }
        for c in ('\u{80}'..=char::MAX).filter(|&c| is_titlecase(c)) {
            assert!(!c.is_uppercase() && !c.to_lowercase().eq([c]), "{c:?}");
        }
    }

    proptest::proptest! {
        /// A phrase is found wherever it occurs as a whole word, and nowhere else, whatever
        /// comes before it: a letter, a digit, `_`, a character beyond ASCII or the text's start.
        #[test]
        fn phrases_are_found_where_they_occur_as_whole_words(text in "[tehis1_ \u{e9}.\u{c4}-]{0,40}") {
            let phrases = ["this", "the", "he", "is", "1", "e-", "_e", ".t", "\u{e9} t", "\u{e4}h"];
            let mut builder = PhraseSetBuilder::default();
            for (rule, phrase) in phrases.iter().enumerate() {
                builder.add(rule, &[phrase.to_string()], Position::Anywhere);
            }
            let set = builder.build().unwrap();
            let mut found = Vec::new();
            set.find(&text, |rule, start, _| found.push((start, rule)));
            found.sort_unstable();
            let mut expected = Vec::new();
            for start in 0..text.len() {
                for (rule, phrase) in phrases.iter().enumerate() {
                    if occurs_anywhere_at(&text, start, phrase) {
                        expected.push((start, rule));
                    }
                }
            }
            proptest::prop_assert_eq!(found, expected);
        }
    }

    #[test]
    fn occurs_anywhere_at_is_what_find_finds_anywhere() {
        let phrases = ["this", "cost", "cost rose", "ähnliche beiträge", "e-mail", "x"];
        let mut builder = PhraseSetBuilder::default();
        for (rule, phrase) in phrases.iter().enumerate() {
            builder.add(rule, &[phrase.to_string()], Position::Anywhere);
        }
        let set = builder.build().unwrap();
        for text in [
            "Share THIS: the cost, costly; Cost rose",
            "İ ÄHNLICHE Beiträge x",
            "E-Mail: e-mails, x-ray",
            "thisx Ähnliche beiträge",
        ] {
            let mut found = Vec::new();
            set.find(text, |rule, start, _| found.push((start, rule)));
            let mut at = Vec::new();
            for start in 0..text.len() {
                for (rule, phrase) in phrases.iter().enumerate() {
                    if occurs_anywhere_at(text, start, phrase) {
                        at.push((start, rule));
                    }
                }
            }
            found.sort_unstable();
            assert_eq!(at, found, "{text}");
        }
    }
}
