//! Lazy DFAs walked a byte at a time from the start of a text.
//!
//! Some stages only ask which patterns match at the start of a short text (a line, the rest of a
//! block from a lead): most texts are turned down within their first bytes, so a forward lazy DFA
//! walked by hand answers for next to nothing, and it compiles to one automaton without the
//! reverse and capture engines that a full regex builds.

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
    let mut state = dfa.start_state_forward(cache, input).ok()?;
    let span = &input.haystack()[input.start()..input.end()];
    for (read, &byte) in span.iter().enumerate() {
        state = dfa.next_state(cache, state, byte).ok()?;
        if state.is_tagged() {
            if state.is_match() {
                if !on_match(cache, state) {
                    return Some(read + 1);
                }
            } else if state.is_dead() {
                return Some(read + 1);
            } else if state.is_quit() {
                return None;
            }
        }
    }
    let state = match input.haystack().get(input.end()) {
        Some(&next) => dfa.next_state(cache, state, next).ok()?,
        None => dfa.next_eoi_state(cache, state).ok()?,
    };
    if state.is_match() {
        on_match(cache, state);
    }
    Some(span.len())
}
