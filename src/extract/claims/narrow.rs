//! Narrowed copies of the cue patterns, for text written in the Latin script.
//!
//! A Unicode class such as `\p{L}` or `[^,;"“”]` compiles to an automaton over every UTF-8
//! sequence it admits, and a pattern repeats such classes (`(?:[\p{Lu}][\p{L}.'’-]*\s){0,3}`)
//! into thousands of NFA states. Those make every lazy DFA state dear to build and every
//! search for groups (whose bounded backtracker clears a bit per NFA state and byte) slow. Yet
//! nearly all text the claims read is in the [`NARROW`] characters: Latin letters, general
//! punctuation (curly quotes, dashes), currency signs and arrows.
//!
//! On a text made only of those characters, a pattern whose classes are cut down to them
//! matches exactly where the whole pattern does, with the same groups: a match reads only the
//! text's characters, and a class admits one of them just when its cut-down copy does. Look-
//! arounds (`\b`, `^`) are left as they are. So the narrowed copy, many times smaller, serves
//! every text in those characters, and the whole pattern the rest.
//!
//! The narrowed copy of an attribution pattern, which is read for its groups, is not a full
//! regex but the cheaper searcher of [`Groups`] (and so is its whole copy).

use regex_automata::nfa::thompson::{backtrack, backtrack::BoundedBacktracker, pikevm, pikevm::PikeVM};
use regex_automata::util::captures::{Captures, GroupInfo};
use regex_automata::util::pool::Pool;
use regex_automata::util::prefilter::Prefilter;
use regex_automata::{Input, MatchKind, hybrid, meta};
use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind};

use crate::chars;
use crate::rules::{self, lazy};
use crate::span::Span;

/// The characters a narrowed pattern is cut down to.
const NARROW: [(char, char); 4] = [
    // Basic Latin, Latin-1, Latin Extended-A and -B.
    ('\0', '\u{24F}'),
    // General punctuation: spaces, dashes, quotes, ellipsis.
    ('\u{2000}', '\u{206F}'),
    // Currency signs.
    ('\u{20A0}', '\u{20CF}'),
    // Arrows.
    ('\u{2190}', '\u{21FF}'),
];

/// Whether `c` is one of the characters narrowed patterns keep.
fn is_narrow(c: char) -> bool {
    NARROW.iter().any(|&(low, high)| (low..=high).contains(&c))
}

/// Where the characters of `text` that narrowed patterns do not keep are, to tell which spans
/// of it may be searched with them. Most texts have none; runs of ASCII are skipped many bytes
/// at a time. The same pass finds the text's non-ASCII capitals and titlecase letters (see
/// [`rules::is_capital`], [`rules::is_titlecase`]), which the phrase search asks for, and its
/// arrows `→`, at which units are split: one read of the text's non-ASCII characters instead of
/// one per search.
#[derive(Debug, Default)]
pub struct Foreign {
    foreign: Vec<usize>,
    capitals: Vec<usize>,
    titlecase: Vec<usize>,
    arrows: Vec<usize>,
}

impl Foreign {
    /// Reads the characters of `text` inside `ranges` (in order, none overlapping the next): the
    /// spans that will be asked about lie inside them, and the rest of the text is not read.
    pub fn find(&mut self, text: &str, ranges: impl IntoIterator<Item = Span>) {
        self.foreign.clear();
        self.capitals.clear();
        self.titlecase.clear();
        self.arrows.clear();
        for range in ranges {
            // Cut at the range's end, so that nothing after it is read, even in the sixteen
            // bytes read from a byte beyond ASCII.
            let bytes = &text.as_bytes()[..range.end];
            // The sixteen bytes from each byte beyond ASCII that the ones before left unread:
            // the ASCII between them is skipped (see [`chars::first_non_ascii`]).
            let mut unread = range.start;
            while let Some(start) = chars::first_non_ascii(bytes, unread) {
                let mut starts = char_starts(&chars::sixteen_at(bytes, start, 0));
                while starts != 0 {
                    let at = start + starts.trailing_zeros() as usize;
                    starts &= starts - 1;
                    self.note(text, at);
                }
                unread = (start + 16).min(bytes.len());
            }
        }
    }

    /// Notes the character beyond ASCII that starts at byte `at` of `text` where it is foreign, a
    /// capital, a titlecase letter or `→`. The characters most common in English text are told by their bytes: Latin-1
    /// (`C2`, `C3`) and general punctuation (`E2 80`, `E2 81` up to U+206F) are narrow, and of
    /// them only the Latin-1 capitals are capitals. Those are told in the scan's loop, where a
    /// call for each (most of them quotes and dashes, which note nothing) cost more than the test.
    #[inline(always)]
    fn note(&mut self, text: &str, at: usize) {
        let bytes = text.as_bytes();
        match bytes[at..] {
            [0xC2, ..] => {}
            [0xC3, second, ..] => {
                if matches!(second, 0x80..=0x96 | 0x98..=0x9E) {
                    self.capitals.push(at);
                }
            }
            [0xE2, 0x80, ..] | [0xE2, 0x81, 0x80..=0xAF, ..] => {}
            [0xE2, 0x86, 0x92, ..] => self.arrows.push(at),
            _ => self.note_decoded(text, at),
        }
    }

    /// [`note`](Self::note) for the characters its bytes do not tell, decoded.
    #[inline(never)]
    fn note_decoded(&mut self, text: &str, at: usize) {
        let Some(c) = text[at..].chars().next() else {
            return;
        };
        if !is_narrow(c) {
            self.foreign.push(at);
        }
        if rules::is_capital(c) {
            self.capitals.push(at);
        } else if rules::is_titlecase(c) {
            self.titlecase.push(at);
        }
    }

    /// Whether `span` of the text holds only characters narrowed patterns keep.
    pub fn is_narrow(&self, span: Span) -> bool {
        let first = self.foreign.partition_point(|&at| at < span.start);
        self.foreign.get(first).is_none_or(|&at| at >= span.end)
    }

    /// The offsets of the text's non-ASCII capitals, in order.
    pub fn capitals(&self) -> &[usize] {
        &self.capitals
    }

    /// The offsets of the text's non-ASCII titlecase letters, in order.
    pub fn titlecase(&self) -> &[usize] {
        &self.titlecase
    }

    /// The offsets of the text's arrows `→`, in order.
    pub fn arrows(&self) -> &[usize] {
        &self.arrows
    }
}

/// The bytes of `chunk` that start a character beyond ASCII (those from `C0` on; the later bytes
/// of such a character are below), as a mask: bit `i` for `chunk[i]`. On x86-64 two SSE2
/// operations on all sixteen bytes at once, elsewhere byte by byte.
#[cfg(target_arch = "x86_64")]
fn char_starts(chunk: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{_mm_cmpgt_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
    // SAFETY: SSE2 is part of every x86-64 processor (the baseline the target is compiled for),
    // and the unaligned load reads the sixteen bytes of `chunk`, no more.
    unsafe {
        let bytes = _mm_loadu_si128(chunk.as_ptr().cast());
        // As signed bytes those from `C0` on are -64 to -1: above -65, as ASCII is, and negative,
        // as ASCII is not.
        let above = _mm_cmpgt_epi8(bytes, _mm_set1_epi8(-65));
        (_mm_movemask_epi8(bytes) & _mm_movemask_epi8(above)) as u32
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn char_starts(chunk: &[u8; 16]) -> u32 {
    (0..16).filter(|&index| chunk[index] >= 0xC0).fold(0, |mask, index| mask | 1 << index)
}

/// The fewest characters the classes of a pattern must lose for a narrowed copy to be worth
/// building. `\p{L}` or `[^,;]` lose many thousands; a class that only case folding widened
/// (`(?i)k` admits the Kelvin sign) or `\s` lose a few, and their automata are small anyway.
const MIN_CUT: u32 = 256;

/// `hir` with its Unicode classes cut down to the [`NARROW`] characters; `None` when that cuts
/// fewer than [`MIN_CUT`] characters.
pub fn cut(hir: &Hir) -> Option<Hir> {
    let narrow = ClassUnicode::new(NARROW.iter().map(|&(low, high)| ClassUnicodeRange::new(low, high)));
    let mut cut = 0;
    let narrowed = cut_down(hir, &narrow, &mut cut);
    (cut >= MIN_CUT).then_some(narrowed)
}

/// The regex of a parsed pattern (or of one cut down, see [`cut`]), built as
/// [`rules::build_regex`] builds rule regexes from their text, straight from the parsed pattern
/// (writing a cut-down pattern out and parsing it again costs more than the rest); `None` when
/// it does not build.
pub fn regex(hir: &Hir) -> Option<meta::Regex> {
    // The configuration `regex::RegexBuilder` gives the rule regexes.
    let config = meta::Config::new()
        .match_kind(MatchKind::LeftmostFirst)
        .utf8_empty(true)
        .nfa_size_limit(Some(rules::REGEX_SIZE_LIMIT))
        .hybrid_cache_capacity(rules::REGEX_DFA_SIZE_LIMIT);
    meta::Builder::new().configure(config).build_from_hir(hir).ok()
}

/// A parsed pattern (whole, or cut down by [`cut`]) searched for its groups, as its
/// [`regex()`] finds them, by other means: a forward lazy DFA finds where the first match ends,
/// then a bounded backtracker (the PikeVM where the text is too long for it, or where the lazy
/// DFA gives up) reads the groups of the first match that ends there at the latest, which is
/// that match. The full regex finds the start of the match with a reverse lazy DFA first, and
/// over these patterns (classes under bounded repetitions) nearly every reverse search builds
/// new DFA states, at some twenty thousand instructions each; its strategies for patterns
/// anchored at the end or with an inner literal search backwards even when nothing matches.
/// This also compiles one NFA where the full regex compiles a forward and a reverse one.
pub struct Groups {
    dfa: hybrid::dfa::DFA,
    backtracker: BoundedBacktracker,
    pikevm: PikeVM,
    caches: Pool<GroupCaches, lazy::CacheMaker<GroupCaches>>,
}

/// A match, and where a group of it is (`None` when the group took no part in it).
pub type MatchAndGroup = ((usize, usize), Option<(usize, usize)>);

/// One thread's caches of a [`Groups`], and the groups of its last search.
#[derive(Debug)]
struct GroupCaches {
    dfa: hybrid::dfa::Cache,
    backtracker: backtrack::Cache,
    pikevm: pikevm::Cache,
    groups: Captures,
}

impl std::fmt::Debug for Groups {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Groups").field("nfa_states", &self.pikevm.get_nfa().states().len()).finish()
    }
}

impl Groups {
    /// The searcher of a parsed pattern; `None` when it does not build, or when the pattern can
    /// match empty text (the lazy DFA alone does not skip the empty matches that split a
    /// character, which the full regex does).
    pub fn new(hir: &Hir) -> Option<Groups> {
        if hir.properties().minimum_len().is_none_or(|len| len == 0) {
            return None;
        }
        let nfa = rules::capturing_nfa(hir)?;
        // Both skip to where a match can start, as the full regex does.
        let prefilter = Prefilter::from_hir_prefix(MatchKind::LeftmostFirst, hir);
        // As the full regex configures its lazy DFA.
        let config = hybrid::dfa::Config::new()
            .prefilter(prefilter.clone())
            .match_kind(MatchKind::LeftmostFirst)
            .unicode_word_boundary(true)
            .cache_capacity(rules::REGEX_DFA_SIZE_LIMIT)
            .minimum_cache_clear_count(Some(3))
            .minimum_bytes_per_state(Some(10));
        let dfa = hybrid::dfa::Builder::new().configure(config).build_from_nfa(nfa.clone()).ok()?;
        let backtracker = backtrack::Builder::new()
            .configure(backtrack::Config::new().prefilter(prefilter))
            .build_from_nfa(nfa.clone())
            .ok()?;
        let pikevm = PikeVM::new_from_nfa(nfa).ok()?;
        let (maker_dfa, maker_backtracker, maker_pikevm) = (dfa.clone(), backtracker.clone(), pikevm.clone());
        let make = move || GroupCaches {
            dfa: maker_dfa.create_cache(),
            backtracker: maker_backtracker.create_cache(),
            pikevm: maker_pikevm.create_cache(),
            groups: maker_pikevm.create_captures(),
        };
        Some(Groups { dfa, backtracker, pikevm, caches: Pool::new(Box::new(make)) })
    }

    pub fn group_info(&self) -> &GroupInfo {
        self.pikevm.get_nfa().group_info()
    }

    /// The first match in `haystack` at or after `from`, and where group `group` of it is.
    pub fn search(&self, haystack: &str, from: usize, group: usize) -> Option<MatchAndGroup> {
        let mut caches = self.caches.get();
        let GroupCaches { dfa, backtracker, pikevm, groups } = &mut *caches;
        let input = Input::new(haystack).span(from..haystack.len());
        let input = match self.dfa.try_search_fwd(dfa, &input) {
            Ok(None) => return None,
            // Look-arounds at the end of the span read the text beyond it, as they do at its end
            // in the search that found it.
            Ok(Some(end)) => input.span(from..end.offset()),
            Err(_) => input,
        };
        if self.backtracker.try_search(backtracker, &input, groups).is_err() {
            self.pikevm.search(pikevm, &input, groups);
        }
        let found = groups.get_match()?;
        Some(((found.start(), found.end()), groups.get_group(group).map(|span| (span.start, span.end))))
    }

    pub fn is_match(&self, haystack: &str) -> bool {
        let mut caches = self.caches.get();
        let GroupCaches { dfa, pikevm, .. } = &mut *caches;
        let input = Input::new(haystack).earliest(true);
        match self.dfa.try_search_fwd(dfa, &input) {
            Ok(found) => found.is_some(),
            Err(_) => self.pikevm.is_match(pikevm, input),
        }
    }
}

/// `hir` with its Unicode classes cut down to `narrow`, adding to `cut` the characters they lose.
fn cut_down(hir: &Hir, narrow: &ClassUnicode, cut: &mut u32) -> Hir {
    let size = |class: &ClassUnicode| -> u32 {
        class.ranges().iter().map(|range| u32::from(range.end()) - u32::from(range.start()) + 1).sum()
    };
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) => {
            let mut narrowed = class.clone();
            narrowed.intersect(narrow);
            *cut += size(class) - size(&narrowed);
            Hir::class(Class::Unicode(narrowed))
        }
        HirKind::Class(Class::Bytes(_)) | HirKind::Empty | HirKind::Literal(_) | HirKind::Look(_) => hir.clone(),
        HirKind::Repetition(repetition) => {
            let mut repetition = repetition.clone();
            repetition.sub = Box::new(cut_down(&repetition.sub, narrow, cut));
            Hir::repetition(repetition)
        }
        HirKind::Capture(capture) => {
            let mut capture = capture.clone();
            capture.sub = Box::new(cut_down(&capture.sub, narrow, cut));
            Hir::capture(capture)
        }
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(|sub| cut_down(sub, narrow, cut)).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(|sub| cut_down(sub, narrow, cut)).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn narrowed_str(pattern: &str) -> Option<meta::Regex> {
        regex(&cut(&regex_syntax::parse(pattern).unwrap())?)
    }

    #[test]
    fn tells_narrow_spans() {
        let text = "“Prices rose 4%,” said Zoë Łukasiewicz — €5 → $6. Цены выросли. 株価 rose 2%.";
        let mut foreign = Foreign::default();
        foreign.find(text, [Span::new(0, text.len())]);
        let span = |part: &str| {
            let start = text.find(part).unwrap();
            Span::new(start, start + part.len())
        };
        assert!(foreign.is_narrow(span("“Prices rose 4%,” said Zoë Łukasiewicz — €5 → $6.")));
        assert!(!foreign.is_narrow(span("Цены выросли")));
        assert!(!foreign.is_narrow(span("$6. Ц")));
        assert!(foreign.is_narrow(span(". ")));
        assert!(!foreign.is_narrow(span("株価 rose")));
        assert!(foreign.is_narrow(span(" rose 2%.")));
    }

    proptest::proptest! {
        /// The byte-wise reading finds what reading every character finds.
        #[test]
        fn finds_foreign_characters_capitals_titlecase_and_arrows_as_characters_tell(
            text in r"([a \u{80}-\u{300}\u{1F00}-\u{2200}Жж株😀]|→){0,40}",
            cuts in proptest::array::uniform2(0usize..200),
        ) {
            // The text whole, or two ranges: its start and its end, with a gap between them.
            let [mut one, mut two] = cuts.map(|cut| cut.min(text.len()));
            if one > two {
                std::mem::swap(&mut one, &mut two);
            }
            while !text.is_char_boundary(one) {
                one -= 1;
            }
            while !text.is_char_boundary(two) {
                two += 1;
            }
            let ranges =
                if cuts[0] % 3 == 0 { vec![Span::new(0, text.len())] } else { vec![Span::new(0, one), Span::new(two, text.len())] };
            let mut foreign = Foreign::default();
            foreign.find(&text, ranges.iter().copied());
            let chars: Vec<(usize, char)> = text
                .char_indices()
                .filter(|&(at, c)| !c.is_ascii() && ranges.iter().any(|range| range.start <= at && at < range.end))
                .collect();
            let expected: Vec<usize> = chars.iter().filter(|(_, c)| !is_narrow(*c)).map(|&(at, _)| at).collect();
            proptest::prop_assert_eq!(&foreign.foreign, &expected);
            let expected: Vec<usize> = chars.iter().filter(|(_, c)| c.is_uppercase()).map(|&(at, _)| at).collect();
            proptest::prop_assert_eq!(&foreign.capitals, &expected);
            let expected: Vec<usize> =
                chars.iter().filter(|(_, c)| !c.is_uppercase() && !c.to_lowercase().eq([*c])).map(|&(at, _)| at).collect();
            proptest::prop_assert_eq!(&foreign.titlecase, &expected);
            let expected: Vec<usize> = chars.iter().filter(|&&(_, c)| c == '\u{2192}').map(|&(at, _)| at).collect();
            proptest::prop_assert_eq!(&foreign.arrows, &expected);
        }
    }

    #[test]
    fn narrowed_patterns_match_narrow_text_as_the_whole_ones_do() {
        let patterns = [
            r"^(?P<speaker>(?:[\p{Lu}][\p{L}.'’-]*\s){0,3}[\p{Lu}][\p{L}.'’-]*),\s[^,;“”]{3,40},\s+said",
            r"(?i)(?-u:\b)(?:more|[a-z]{3,}er)\s(?:[^.;:]{0,60}?\s)?than(?-u:\b)",
            r"[”\x22],?\s+(?P<speaker>\p{Lu}\p{L}+)\s+(?:said|says)",
        ];
        let texts = [
            "Zoë Brandt, an analyst at Łódź Partners, said output fell.",
            "Ørsted, the Danish firm, said costs rose.",
            "The Ärzte were STRONGER than ſome thought, and ſtronger than before.",
            "“Sales fell,” Émile said. \"Costs rose,\" Ünal says.",
        ];
        for pattern in patterns {
            let whole = regex::Regex::new(pattern).unwrap();
            let narrow = narrowed_str(pattern).unwrap();
            assert_eq!(whole.captures_len(), narrow.group_info().group_len(regex_automata::PatternID::ZERO));
            for text in texts {
                assert!(text.chars().all(is_narrow));
                let whole_groups: Vec<Vec<Option<(usize, usize)>>> = whole
                    .captures_iter(text)
                    .map(|c| c.iter().map(|g| g.map(|g| (g.start(), g.end()))).collect())
                    .collect();
                let narrow_groups: Vec<Vec<Option<(usize, usize)>>> = narrow
                    .captures_iter(text)
                    .map(|c| c.iter().map(|g| g.map(|g| (g.start, g.end))).collect())
                    .collect();
                assert_eq!(whole_groups, narrow_groups, "{pattern} on {text}");
            }
        }
    }

    /// Patterns read for their groups: with an inner literal, anchored at the start (with a
    /// Unicode word boundary, on which the lazy DFA gives up before non-ASCII bytes), anchored
    /// at the end, and with a group that may take no part in a match.
    const GROUP_PATTERNS: [&str; 4] = [
        r#"[”"],?\s+(?P<speaker>(?:\p{Lu}\p{L}*\s?){1,4})\s+said"#,
        r#"^(?P<speaker>(?:\p{Lu}\p{L}*\s){0,2}\p{Lu}\p{L}*),\s[^,;"”]{1,10},\s+said\b"#,
        r",\s+(?P<speaker>\p{Lu}\p{L}*|he)\s+said[.]?$",
        r"(?P<speaker>\p{Lu}\p{L}+\s)?said",
    ];

    /// The group searcher and the narrowed regex of `pattern`, whose group 1 is the speaker.
    fn both(pattern: &str) -> (Groups, meta::Regex) {
        let cut = cut(&regex_syntax::parse(pattern).unwrap()).unwrap();
        (Groups::new(&cut).unwrap(), regex(&cut).unwrap())
    }

    /// What the narrowed regex finds from `from`: the match, and group 1 of it.
    fn by_regex(regex: &meta::Regex, text: &str, from: usize) -> Option<MatchAndGroup> {
        let mut groups = regex.create_captures();
        regex.search_captures(&Input::new(text).span(from..text.len()), &mut groups);
        let found = groups.get_match()?;
        Some(((found.start(), found.end()), groups.get_group(1).map(|span| (span.start, span.end))))
    }

    proptest::proptest! {
        /// The group searcher finds the match and the groups the narrowed regex finds, from
        /// any start, and so does the one of the whole pattern with the rule regex.
        #[test]
        fn groups_are_found_where_the_narrowed_regex_finds_them(
            text in r#"(said|Ann |Bo|he|Жанна|é|[”", .a-c]){0,24}"#,
            from in 0usize..40,
        ) {
            let mut from = from.min(text.len());
            while !text.is_char_boundary(from) {
                from -= 1;
            }
            for pattern in GROUP_PATTERNS {
                let (groups, regex) = both(pattern);
                proptest::prop_assert_eq!(groups.search(&text, from, 1), by_regex(&regex, &text, from), "{}", pattern);
                proptest::prop_assert_eq!(groups.is_match(&text), regex.is_match(&text), "{}", pattern);
                // Not cut down, as the whole pattern serves text beyond the narrow characters.
                let whole = Groups::new(&regex_syntax::parse(pattern).unwrap()).unwrap();
                let by_rule_regex = regex::Regex::new(pattern).unwrap().captures_at(&text, from).map(|found| {
                    let span = |m: regex::Match| (m.start(), m.end());
                    (span(found.get(0).unwrap()), found.get(1).map(span))
                });
                proptest::prop_assert_eq!(whole.search(&text, from, 1), by_rule_regex, "{}", pattern);
            }
        }
    }

    #[test]
    fn groups_are_found_in_texts_too_long_for_the_backtracker() {
        let text = format!("{}”, Ann Bo said. ”, He said", "a b, ".repeat(40_000));
        for pattern in GROUP_PATTERNS {
            let (groups, regex) = both(pattern);
            assert_eq!(groups.search(&text, 0, 1), by_regex(&regex, &text, 0), "{pattern}");
        }
    }

    #[test]
    fn patterns_that_match_empty_text_are_left_to_the_regex() {
        assert!(Groups::new(&cut(&regex_syntax::parse(r"(?P<speaker>\p{Lu}*)").unwrap()).unwrap()).is_none());
    }

    #[test]
    fn leaves_patterns_without_wider_classes_alone() {
        assert!(narrowed_str(r"(?-u:\b)may(?-u:\b)").is_none());
        assert!(narrowed_str(r"[0-9]+%").is_none());
        assert!(narrowed_str(r"(?i)(?-u:\b)weaker\s+than").is_none());
        assert!(narrowed_str(r"\p{Lu}\p{Ll}+").is_some());
    }
}
