//! Lazy DFAs walked a byte at a time from the start of a text.
//!
//! Some stages only ask which patterns match at the start of a short text (a line, the rest of a
//! block from a lead): most texts are turned down within their first bytes, so a forward lazy DFA
//! walked by hand answers for next to nothing, and it compiles to one automaton without the
//! reverse and capture engines that a full regex builds. Walks from many positions of one text
//! take their start states from a table by the byte before them ([`AnchoredStarts`]), and step
//! the DFA without its checks from an untagged state (no match, dead, quit or unknown state).

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
/// start state, the one after it at its end. `None` if the DFA could not go on (a quit byte,
/// or a cache that gave up).
pub fn walk(
    dfa: &LazyDfa,
    cache: &mut LazyCache,
    input: &regex_automata::Input<'_>,
    on_match: impl FnMut(&mut LazyCache, LazyStateID) -> bool,
) -> Option<()> {
    walk_counting(dfa, cache, input, on_match).map(drop)
}

/// [`walk`], telling how many bytes it read.
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
    for (read, &byte) in span.iter().enumerate() {
        state = if state.is_tagged() {
            dfa.next_state(cache, state, byte).ok()?
        } else {
            // SAFETY: `state` is untagged and valid: the caller's start state or one that
            // `next_state` returned, both for this cache, which keeps a state it clears under.
            match unsafe { dfa.next_state_untagged_unchecked(cache, state, byte) } {
                next if next.is_unknown() => dfa.next_state(cache, state, byte).ok()?,
                next => next,
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
    #[inline]
    pub fn get(&mut self, dfa: &LazyDfa, cache: &mut LazyCache, haystack: &[u8], start: usize) -> Option<LazyStateID> {
        self.forget_if_cleared(cache);
        let before = start.checked_sub(1).map(|before| haystack[before]);
        let slot = before.map_or(256, usize::from);
        if let Some(state) = self.states[slot] {
            return Some(state);
        }
        let config = regex_automata::util::start::Config::new().look_behind(before).anchored(self.anchored);
        // Finding a start state may clear the cache too.
        let state = dfa.start_state(cache, &config).ok()?;
        self.forget_if_cleared(cache);
        self.states[slot] = Some(state);
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
