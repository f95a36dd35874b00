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

/// A lazy DFA's cache, and the start state of walks over whole texts (no byte before them),
/// kept from one walk to the next: finding it anew costs about as much as a short walk that
/// dies within a few bytes. A cache that was cleared since has forgotten it.
#[derive(Debug, Clone)]
pub struct TextCache {
    pub cache: LazyCache,
    /// The start state, and the cache's clear count when it was found.
    start: Option<(LazyStateID, usize)>,
}

impl TextCache {
    pub fn new(dfa: &LazyDfa) -> TextCache {
        TextCache { cache: dfa.create_cache(), start: None }
    }

    /// Walks `dfa` (whose cache this is) over the whole of `text`, as [`walk_counting`] walks
    /// it, calling `on_match` likewise.
    pub fn walk(
        &mut self,
        dfa: &LazyDfa,
        text: &str,
        on_match: impl FnMut(&mut LazyCache, LazyStateID) -> bool,
    ) -> Option<()> {
        let start = match self.start {
            Some((state, clears)) if clears == self.cache.clear_count() => state,
            _ => {
                let state = dfa.start_state(&mut self.cache, &regex_automata::util::start::Config::new()).ok()?;
                self.start = Some((state, self.cache.clear_count()));
                state
            }
        };
        walk_from(dfa, &mut self.cache, start, &regex_automata::Input::new(text), on_match).map(drop)
    }
}

/// Walks `dfa` over `input` from the start of its span until it dies or the span ends, calling
/// `on_match(cache, state)` at every match state passed (a match that ended just before the
/// byte read, or at the end of the span); the walk stops early when `on_match` returns false.
/// The bytes around the span are looked at only as a search would: the one before it by the
/// start state, the one after it at its end. Tells how many bytes it read; `None` if the DFA
/// could not go on (a quit byte, or a cache that gave up).
pub fn walk_counting(
    dfa: &LazyDfa,
    cache: &mut LazyCache,
    input: &regex_automata::Input<'_>,
    on_match: impl FnMut(&mut LazyCache, LazyStateID) -> bool,
) -> Option<usize> {
    let state = dfa.start_state_forward(cache, input).ok()?;
    walk_from(dfa, cache, state, input, on_match)
}

/// [`walk_counting`] from `state`, the start state of `input`.
fn walk_from(
    dfa: &LazyDfa,
    cache: &mut LazyCache,
    mut state: LazyStateID,
    input: &regex_automata::Input<'_>,
    mut on_match: impl FnMut(&mut LazyCache, LazyStateID) -> bool,
) -> Option<usize> {
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

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Walks from the kept start state find what walks from a start state found anew find,
        /// also when the cache is cleared between them (a cache this small clears often), which
        /// makes it forget the state kept.
        #[test]
        fn walks_from_the_kept_start_find_what_a_search_finds(texts in proptest::collection::vec("[a-e0-3 ]{0,24}", 1..40)) {
            let pattern = r"^(?:[a-c]+[0-3]|d[a-e]{2,5}|e\s)+(?:\s|$)";
            let nfa = thompson::Compiler::new().configure(without_captures(1 << 20)).build(pattern).unwrap();
            let config = LazyDfa::config().cache_capacity(0).skip_cache_capacity_check(true).minimum_cache_clear_count(None);
            let dfa = LazyDfa::builder().configure(config).build_from_nfa(nfa).unwrap();
            let regex = regex::Regex::new(pattern).unwrap();
            let mut kept = TextCache::new(&dfa);
            let varied = ["abc1 ", "dabcde e ", "e a0", "cc3dee", "b2daa"].map(String::from);
            for text in varied.iter().chain(&texts) {
                let mut matched = false;
                let walked = kept.walk(&dfa, text, |_, _| {
                    matched = true;
                    false
                });
                proptest::prop_assert!(walked.is_some());
                proptest::prop_assert_eq!(matched, regex.is_match(text), "{:?}", text);
            }
            proptest::prop_assert!(kept.cache.clear_count() > 0);
        }
    }
}
