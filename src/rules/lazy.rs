//! Lazy DFAs walked a byte at a time from the start of a text.
//!
//! Some stages only ask which patterns match at the start of a short text (a line, the rest of a
//! block from a lead): most texts are turned down within their first bytes, so a forward lazy DFA
//! walked by hand answers for next to nothing, and it compiles to one automaton without the
//! reverse and capture engines that a full regex builds. Walks from many positions of one text
//! take their start states from a table by the byte before them ([`AnchoredStarts`]); walks of
//! whole texts keep theirs with their cache ([`TextWalks`]). Between untagged states (no match,
//! dead, quit or unknown state) a walk steps the DFA without its checks, in a loop of its own
//! that reads four bytes a round.

use regex_automata::hybrid::LazyStateID;
use regex_automata::nfa::thompson;

/// A lazy DFA, and the cache of states it fills in as it is walked (one per thread).
pub type LazyDfa = regex_automata::hybrid::dfa::DFA;
pub type LazyCache = regex_automata::hybrid::dfa::Cache;

/// What makes a thread's caches in a [`regex_automata::util::pool::Pool`].
pub type CacheMaker<T> = Box<dyn Fn() -> T + Send + Sync + std::panic::RefUnwindSafe + std::panic::UnwindSafe>;

/// The NFA settings of a walked DFA: no capture groups (a walk reads none), and `size_limit`.
pub fn without_captures(size_limit: usize) -> thompson::Config {
    thompson::Config::new().nfa_size_limit(Some(size_limit)).which_captures(thompson::WhichCaptures::None)
}

/// Walks `dfa` over `input` from the start of its span until it dies or the span ends, calling
/// `on_match(cache, state)` at every match state passed (a match that ended just before the
/// byte read, or at the end of the span); the walk stops early when `on_match` returns false.
/// The bytes around the span are looked at only as a search would: the one before it by the
/// start state, the one after it at its end. How many bytes it read; `None` if the DFA could
/// not go on (a quit byte, or a cache that gave up).
pub fn walk_counting(
    dfa: &LazyDfa,
    cache: &mut LazyCache,
    input: &regex_automata::Input<'_>,
    mut on_match: impl FnMut(&mut LazyCache, LazyStateID) -> bool,
) -> Option<usize> {
    let start = dfa.start_state_forward(cache, input).ok()?;
    walk_from(dfa, cache, start, input.haystack(), input.start()..input.end(), |cache, state, _| on_match(cache, state))
}

/// [`walk_counting`] from the state `state` of `dfa` (got from `cache` since its last clearing,
/// as [`AnchoredStarts::get`] gives) over `span` of `haystack`; `on_match` is also told where
/// the match ends, as a number of bytes from the span's start.
#[inline]
pub fn walk_from(
    dfa: &LazyDfa,
    cache: &mut LazyCache,
    mut state: LazyStateID,
    haystack: &[u8],
    span: std::ops::Range<usize>,
    mut on_match: impl FnMut(&mut LazyCache, LazyStateID, usize) -> bool,
) -> Option<usize> {
    let end = span.end;
    let span = &haystack[span];
    let mut read = 0;
    while read < span.len() {
        state = if state.is_tagged() {
            dfa.next_state(cache, state, span[read]).ok()?
        } else {
            let (ran, last, next) = run_untagged(dfa, cache, state, &span[read..]);
            read += ran;
            state = last;
            match next {
                None => break,
                Some(next) if next.is_unknown() => dfa.next_state(cache, state, span[read]).ok()?,
                Some(next) => next,
            }
        };
        if state.is_tagged() {
            if state.is_match() {
                if !on_match(cache, state, read) {
                    return Some(read + 1);
                }
            } else if state.is_dead() {
                return Some(read + 1);
            } else if state.is_quit() {
                return None;
            }
        }
        read += 1;
    }
    let state = match haystack.get(end) {
        Some(&next) => dfa.next_state(cache, state, next).ok()?,
        None => dfa.next_eoi_state(cache, state).ok()?,
    };
    if state.is_match() {
        on_match(cache, state, span.len());
    }
    Some(span.len())
}

/// Steps `dfa` from the untagged `state` over `bytes` for as long as it goes to untagged states:
/// how many bytes it read so, the last untagged state, and the tagged state (perhaps unknown)
/// that the next byte leads to, if the bytes did not run out. Most of a walk's bytes go here: a
/// loop that only reads `cache` keeps the transition table's address in a register, where the
/// walk's own loop, which may fill the cache in, loads it at every byte; and it reads four
/// bytes a round, with one test of the end for them, which cost about as much as a step.
#[inline(always)]
fn run_untagged(
    dfa: &LazyDfa,
    cache: &LazyCache,
    mut state: LazyStateID,
    bytes: &[u8],
) -> (usize, LazyStateID, Option<LazyStateID>) {
    let mut read = 0;
    while let Some(four) = bytes[read..].first_chunk::<4>() {
        if let Some((stop, next)) = step_untagged(dfa, cache, &mut state, four) {
            return (read + stop, state, Some(next));
        }
        read += 4;
    }
    match step_untagged(dfa, cache, &mut state, &bytes[read..]) {
        Some((stop, next)) => (read + stop, state, Some(next)),
        None => (bytes.len(), state, None),
    }
}

/// [`run_untagged`] over a few bytes: where it stopped and the tagged state it stopped at, if it
/// did, with `state` the last untagged state.
#[inline(always)]
fn step_untagged(
    dfa: &LazyDfa,
    cache: &LazyCache,
    state: &mut LazyStateID,
    bytes: &[u8],
) -> Option<(usize, LazyStateID)> {
    for (read, &byte) in bytes.iter().enumerate() {
        // SAFETY: `state` is untagged and valid for `cache`: the walk's start state or one
        // that `next_state` or the table gave since (a clearing keeps the state it clears
        // under), and nothing changes the cache while this runs.
        let next = unsafe { dfa.next_state_untagged_unchecked(cache, *state, byte) };
        if next.is_tagged() {
            return Some((read, next));
        }
        *state = next;
    }
    None
}

/// A thread's cache of a lazy DFA for walks over whole texts (nothing before or after them), and
/// the start state of such walks: a line walked on its own would otherwise spend a good part of
/// its walk finding that state anew.
pub struct TextWalks {
    cache: LazyCache,
    starts: AnchoredStarts,
}

impl TextWalks {
    pub fn new(dfa: &LazyDfa) -> TextWalks {
        // Unanchored as a search of the text is: the same start for a pattern anchored at the start.
        TextWalks { cache: dfa.create_cache(), starts: AnchoredStarts::new(regex_automata::Anchored::No) }
    }

    /// [`walk_counting`] over the whole of `text`, with `dfa` (always the one this was made for),
    /// as a search of `text` alone would start it; `None` if the DFA could not go on.
    #[inline]
    pub fn walk(
        &mut self,
        dfa: &LazyDfa,
        text: &[u8],
        mut on_match: impl FnMut(&mut LazyCache, LazyStateID) -> bool,
    ) -> Option<()> {
        let start = self.starts.get(dfa, &mut self.cache, text, 0)?;
        walk_from(dfa, &mut self.cache, start, text, 0..text.len(), |cache, state, _| on_match(cache, state)).map(drop)
    }
}

/// The start states of anchored walks of one lazy DFA with one cache, by the byte before the
/// walk: a walk of a few bytes from many positions of a text would otherwise spend much of its
/// time finding its start state, which depends only on that byte's kind.
pub struct AnchoredStarts {
    anchored: regex_automata::Anchored,
    /// The cache's count of clearings when the states were got: a clearing forgets them.
    clears: usize,
    /// By the byte before, and at `256` for none.
    states: Box<[Option<LazyStateID>; 257]>,
}

impl AnchoredStarts {
    /// For walks anchored as `anchored` says (`Anchored::Yes`, or a pattern's own start).
    pub fn new(anchored: regex_automata::Anchored) -> AnchoredStarts {
        AnchoredStarts { anchored, clears: 0, states: Box::new([None; 257]) }
    }

    /// The start state of a walk of `dfa` with `cache` (always the same two) from `start` in
    /// `haystack`, as `start_state_forward` gives it; `None` if the DFA could not start.
    #[inline(always)]
    pub fn get(&mut self, dfa: &LazyDfa, cache: &mut LazyCache, haystack: &[u8], start: usize) -> Option<LazyStateID> {
        let before = start.checked_sub(1).map(|before| haystack[before]);
        match self.states[before.map_or(256, usize::from)] {
            Some(state) if cache.clear_count() == self.clears => Some(state),
            _ => self.find(dfa, cache, before),
        }
    }

    /// [`get`](Self::get) for a state not kept (or kept before a clearing): out of the walks'
    /// way, which nearly always find theirs kept.
    #[cold]
    #[inline(never)]
    fn find(&mut self, dfa: &LazyDfa, cache: &mut LazyCache, before: Option<u8>) -> Option<LazyStateID> {
        self.forget_if_cleared(cache);
        let config = regex_automata::util::start::Config::new().look_behind(before).anchored(self.anchored);
        // Finding a start state may clear the cache too.
        let state = dfa.start_state(cache, &config).ok()?;
        self.forget_if_cleared(cache);
        self.states[before.map_or(256, usize::from)] = Some(state);
        Some(state)
    }

    /// Forgets the states kept when `cache` was cleared since they were got.
    fn forget_if_cleared(&mut self, cache: &LazyCache) {
        if cache.clear_count() != self.clears {
            self.clears = cache.clear_count();
            *self.states = [None; 257];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex_automata::{Anchored, Input, MatchKind};

    /// Lazy DFAs of patterns that live through a text (`[^|]*`), die at once, match more than
    /// once, and look at the bytes around a span (`\b`); with the smallest cache, which the
    /// walks fill and clear many times over.
    fn dfas() -> Vec<LazyDfa> {
        let groups: [&[&str]; 4] = [
            &[r"^[\[\s*_]*!\[[^|]*$"],
            &[r"(?i)^(?:[^\s!\[]\S*)?\.(?:png|jpe?g)(?:[?&#][^\s]*)?\)?$"],
            &[r"(?-u:\b)ab+(?-u:\b)", r"x[^|]{0,3}y", r"é+$"],
            &[r"^a+", r"^[ab]*b$", r"^\w+ \w+"],
        ];
        groups
            .iter()
            .map(|patterns| {
                let config =
                    LazyDfa::config().cache_capacity(0).skip_cache_capacity_check(true).match_kind(MatchKind::All);
                LazyDfa::builder().configure(config).thompson(without_captures(1 << 20)).build_many(patterns).unwrap()
            })
            .collect()
    }

    /// What [`walk_counting`] tells of `input`, found by the DFA's checked steps alone, a byte at
    /// a time: the ends of the matches reported (from the span's start) and the bytes read.
    fn walked_simply(
        dfa: &LazyDfa,
        cache: &mut LazyCache,
        input: &Input<'_>,
        stop_at_match: bool,
    ) -> Option<(Vec<usize>, usize)> {
        let mut state = dfa.start_state_forward(cache, input).ok()?;
        let mut matches = Vec::new();
        for (read, &byte) in input.haystack()[input.get_span()].iter().enumerate() {
            state = dfa.next_state(cache, state, byte).ok()?;
            if state.is_match() {
                matches.push(read);
                if stop_at_match {
                    return Some((matches, read + 1));
                }
            } else if state.is_dead() {
                return Some((matches, read + 1));
            } else if state.is_quit() {
                return None;
            }
        }
        state = match input.haystack().get(input.end()) {
            Some(&next) => dfa.next_state(cache, state, next).ok()?,
            None => dfa.next_eoi_state(cache, state).ok()?,
        };
        if state.is_match() {
            matches.push(input.get_span().len());
        }
        Some((matches, input.get_span().len()))
    }

    proptest::proptest! {
        /// Walks from kept start states, which step untagged states without checks, report the
        /// matches and read the bytes that checked steps from a searched-for start state do.
        #[test]
        fn walks_go_as_checked_steps_go(
            texts in proptest::collection::vec("[ab!\\[\\]|. xy*_é©\n]{0,24}", 1..12),
            cut in 0usize..8,
            stop_at_match: bool,
        ) {
            for dfa in &dfas() {
                let (mut cache, mut walks) = (dfa.create_cache(), TextWalks::new(dfa));
                let mut starts = AnchoredStarts::new(Anchored::Yes);
                for text in &texts {
                    let bytes = text.as_bytes();
                    let mut found = Vec::new();
                    let walked = walks.walk(dfa, bytes, |_, _| {
                        found.push(());
                        !stop_at_match
                    });
                    let simply = walked_simply(dfa, &mut cache, &Input::new(bytes), stop_at_match);
                    proptest::prop_assert_eq!(walked.map(|()| found.len()), simply.map(|(ends, _)| ends.len()));

                    let span = cut.min(bytes.len())..bytes.len() - cut.min(bytes.len() / 2);
                    let span = span.start.min(span.end)..span.end;
                    let mut ends = Vec::new();
                    let walked = starts.get(dfa, &mut cache, bytes, span.start).and_then(|start| {
                        walk_from(dfa, &mut cache, start, bytes, span.clone(), |_, _, end| {
                            ends.push(end);
                            !stop_at_match
                        })
                    });
                    let input = Input::new(bytes).range(span).anchored(Anchored::Yes);
                    let simply = walked_simply(dfa, &mut cache, &input, stop_at_match);
                    proptest::prop_assert_eq!(walked.map(|read| (ends, read)), simply);
                }
            }
        }
    }
}
