//! UAX #29 sentence boundaries, fast on ASCII.
//!
//! unicode-segmentation looks every character up in a Unicode table, which made sentence
//! splitting the most expensive step of the pipeline. Most of a news article is ASCII plus a few
//! common characters (curly quotes, dashes, the no-break space, accented Latin letters), whose
//! categories are known without a table, and letters of other European alphabets, whose
//! category is their case (see [`known`]); so such text goes through a byte-level copy of the
//! same state machine, and only the stretches around other characters are handed to the library.
//!
//! Cutting the text is exact at any point `q` between two ASCII letters: the machine never
//! breaks before a letter that follows a letter, every rule looks back at most to the nearest
//! letter, and the SB8 look-ahead stops at the first letter. So each piece, run on its own from a
//! start-of-text state, finds exactly the breaks the whole text has inside that piece.

use unicode_segmentation::UnicodeSegmentation;

use crate::chars;

/// Calls `emit` with the byte offset of each sentence boundary inside `text` (UAX #29,
/// excluding `0` and `text.len()`), in increasing order.
pub fn sentence_breaks(text: &str, mut emit: impl FnMut(usize)) {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let Some(Foreign { at: first, decided }) = machine_breaks(bytes, at, &mut emit) else {
            return;
        };
        // The stretch handed to the library runs from the last cut point before the character
        // the machine does not know to the first cut point after it; the next stretch starts
        // there. The machine has already emitted the breaks before `decided` (exact: it read
        // the text from a cut point on), so the library's count from there.
        let start = cut_before(bytes, at, first);
        let end = cut_after(bytes, (first + utf8_len(bytes[first])).min(bytes.len()));
        let window = &text[start..end];
        for (offset, _) in window.split_sentence_bound_indices().skip(1) {
            if start + offset >= decided {
                emit(start + offset);
            }
        }
        at = end;
    }
}

/// Where the machine met a character it does not know (see [`known`]): `at`, and the point up to
/// which it has decided every break, `at` itself or, where SB8's look-ahead ran into the
/// character, the break it was asked about (no letter lies between them, so no cut point).
#[derive(Debug, Clone, Copy)]
struct Foreign {
    at: usize,
    decided: usize,
}

/// The sentence break property and length of the non-ASCII character at the start of `bytes`,
/// for the characters common in news text (UAX #29 table 4): those of English, and the letters
/// of the languages written in Latin script beyond Latin-1, in Greek or in Cyrillic (which news
/// quotes and names); `None` for the rest. Inlined into the skip over cold text, which asks it
/// of every character beyond ASCII there: most are a few tests of their first bytes.
#[inline(always)]
fn known(bytes: &[u8]) -> Option<(Cat, usize)> {
    let cat = match *bytes {
        // U+00A0 no-break space
        [0xC2, 0xA0, ..] => Cat::Sp,
        // U+00A9 copyright sign, U+00AE registered sign
        [0xC2, 0xA9 | 0xAE, ..] => Cat::Other,
        // U+00AB, U+00BB: angle quotation marks
        [0xC2, 0xAB | 0xBB, ..] => Cat::Close,
        // U+0100..=U+02FF (Latin Extended-A and -B, IPA, modifier letters) and U+0370..=U+04FF
        // (Greek, Cyrillic): a cased letter is Upper or Lower; the rest (titlecase letters,
        // marks, the Greek question mark) is left to the library. The combining marks of
        // U+0300..=U+036F between them are Extend even where they are lower case (U+0345).
        [first @ 0xC4..=0xD3, second, ..] => {
            let code = u32::from(first & 0x1F) << 6 | u32::from(second & 0x3F);
            let c = char::from_u32(code).filter(|_| !(0x300..0x370).contains(&code))?;
            if c.is_lowercase() {
                Cat::Lower
            } else if c.is_uppercase() {
                Cat::Upper
            } else {
                return None;
            }
        }
        // U+00C0..=U+00D6 and U+00D8..=U+00DE: capital Latin letters with accents
        [0xC3, 0x80..=0x96 | 0x98..=0x9E, ..] => Cat::Upper,
        // U+00DF..=U+00F6 and U+00F8..=U+00FF: small Latin letters with accents
        [0xC3, 0x9F..=0xB6 | 0xB8..=0xBF, ..] => Cat::Lower,
        // U+2013 en dash, U+2014 em dash
        [0xE2, 0x80, 0x93 | 0x94, ..] => Cat::SContinue,
        // U+2018, U+2019, U+201C, U+201D: curly quotes
        [0xE2, 0x80, 0x98 | 0x99 | 0x9C | 0x9D, ..] => Cat::Close,
        // U+201E low double quotation mark
        [0xE2, 0x80, 0x9E, ..] => Cat::Close,
        // U+2026 horizontal ellipsis
        [0xE2, 0x80, 0xA6, ..] => Cat::Other,
        // U+20AC euro sign
        [0xE2, 0x82, 0xAC, ..] => Cat::Other,
        _ => return None,
    };
    Some((cat, utf8_len(bytes[0])))
}

/// The category and length of the character at `bytes[i]`, ASCII or [`known`], `None` for the
/// rest. The machine asks this of every character it steps over, most of them ASCII: those are
/// a look-up inlined where it is asked, the few others a call.
#[inline(always)]
fn category_at(bytes: &[u8], i: usize) -> Option<(Cat, usize)> {
    match bytes[i] {
        byte @ 0..0x80 => Some((ASCII_CATEGORIES[usize::from(byte)], 1)),
        _ => known_at(bytes, i),
    }
}

/// [`category_at`] for a character beyond ASCII.
#[inline(never)]
fn known_at(bytes: &[u8], i: usize) -> Option<(Cat, usize)> {
    known(&bytes[i..])
}

/// The category of the character that ends just before `bytes[i]`, a stop reached by a skip
/// that stepped over it (so one the machine knows).
fn category_before(bytes: &[u8], i: usize) -> Cat {
    let start = (0..i).rev().find(|&j| bytes[j] & 0xC0 != 0x80).unwrap_or(0);
    category_at(bytes, start).expect("a skip steps only over known characters").0
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0.. => 4,
        0xE0.. => 3,
        _ => 2,
    }
}

fn is_cut(bytes: &[u8], q: usize) -> bool {
    q > 0 && q < bytes.len() && bytes[q - 1].is_ascii_alphabetic() && bytes[q].is_ascii_alphabetic()
}

/// The last cut point in `floor..=limit`, or `floor` (a cut point or the start of the text).
fn cut_before(bytes: &[u8], floor: usize, limit: usize) -> usize {
    (floor + 1..=limit).rev().find(|&q| is_cut(bytes, q)).unwrap_or(floor)
}

/// The first cut point at or after `from`, or the end of the text.
fn cut_after(bytes: &[u8], from: usize) -> usize {
    (from..bytes.len()).find(|&q| is_cut(bytes, q)).unwrap_or(bytes.len())
}

/// The sentence break property of an ASCII byte (UAX #29 table 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cat {
    Cr,
    Lf,
    Sp,
    STerm,
    ATerm,
    Close,
    SContinue,
    Numeric,
    Upper,
    Lower,
    Other,
}

/// [`category`] of every ASCII byte, by its value: a load, where the match is a chain of tests.
static ASCII_CATEGORIES: [Cat; 128] = {
    let mut table = [Cat::Other; 128];
    let mut byte = 0;
    while byte < 128 {
        table[byte] = category(byte as u8);
        byte += 1;
    }
    table
};

const fn category(byte: u8) -> Cat {
    match byte {
        b'\t' | 0x0B | 0x0C | b' ' => Cat::Sp,
        b'\n' => Cat::Lf,
        b'\r' => Cat::Cr,
        b'!' | b'?' => Cat::STerm,
        b'.' => Cat::ATerm,
        b'"' | b'\'' | b'(' | b')' | b'[' | b']' | b'{' | b'}' => Cat::Close,
        b',' | b'-' | b':' | b';' => Cat::SContinue,
        b'0'..=b'9' => Cat::Numeric,
        b'A'..=b'Z' => Cat::Upper,
        b'a'..=b'z' => Cat::Lower,
        _ => Cat::Other,
    }
}

/// What the machine remembers of one character (runs of Close and of Sp count as one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Part {
    Sot,
    Other,
    Cr,
    Lf,
    ATerm,
    UpperLower,
    ClosePlus,
    SpPlus,
    STerm,
}

impl Part {
    /// Parts that some rule reacts to; while none is remembered, no rule but "no break" applies.
    fn is_hot(self) -> bool {
        matches!(self, Part::Sot | Part::Cr | Part::Lf | Part::ATerm | Part::STerm)
    }

    fn is_saterm(self) -> bool {
        matches!(self, Part::ATerm | Part::STerm)
    }
}

/// The last four parts, oldest first.
type State = [Part; 4];

fn advance(state: State, cat: Cat) -> State {
    match (state[3], cat) {
        (Part::ClosePlus, Cat::Close) | (Part::SpPlus, Cat::Sp) => state,
        _ => {
            let part = match cat {
                Cat::Cr => Part::Cr,
                Cat::Lf => Part::Lf,
                Cat::ATerm => Part::ATerm,
                Cat::Upper | Cat::Lower => Part::UpperLower,
                Cat::Close => Part::ClosePlus,
                Cat::Sp => Part::SpPlus,
                Cat::STerm => Part::STerm,
                Cat::SContinue | Cat::Numeric | Cat::Other => Part::Other,
            };
            [state[1], state[2], state[3], part]
        }
    }
}

/// `state` with the parts no rule will read (see [`decide`]) forgotten, so that histories that
/// differ only there are one state. The rules read back from the last part through `Close* Sp*`
/// and a `ParaSep` (SB8-SB11), and the part before an `ATerm` (SB7); a part is read either now
/// or, once newer parts have come, never. Forgetting a part may turn the state cold (see
/// [`Part::is_hot`]), which lets the machine skip text where no rule can fire anyway.
fn without_dead_parts(mut state: State) -> State {
    let para_sep = matches!(state[3], Part::Cr | Part::Lf);
    let second = para_sep || matches!(state[3], Part::ATerm | Part::SpPlus | Part::ClosePlus);
    let third = (state[3] == Part::SpPlus && state[2] == Part::ClosePlus)
        || (para_sep && matches!(state[2], Part::SpPlus | Part::ClosePlus));
    let fourth = para_sep && state[2] == Part::SpPlus && state[1] == Part::ClosePlus;
    for (part, read) in state.iter_mut().zip([fourth, third, second]) {
        if !read {
            *part = Part::Other;
        }
    }
    state
}

/// Index of the part before a trailing `Close* Sp*`.
fn before_close_sp(state: &State) -> usize {
    let mut idx = if state[3] == Part::SpPlus { 2 } else { 3 };
    if state[idx] == Part::ClosePlus {
        idx -= 1;
    }
    idx
}

/// SATerm Close* Sp*
fn sb8a(state: &State) -> bool {
    state[before_close_sp(state)].is_saterm()
}

/// SATerm Close*
fn sb9(state: &State) -> bool {
    let idx = if state[3] == Part::ClosePlus { 2 } else { 3 };
    state[idx].is_saterm()
}

/// SATerm Close* Sp* ParaSep?
fn sb11(state: &State) -> bool {
    let mut idx = if matches!(state[3], Part::Cr | Part::Lf) { 2 } else { 3 };
    if state[idx] == Part::SpPlus {
        idx -= 1;
    }
    if state[idx] == Part::ClosePlus {
        idx -= 1;
    }
    state[idx].is_saterm()
}

/// What one step of the machine decides about a break before the character it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Step {
    Keep,
    Break,
    /// A break, unless SB8 keeps the text whole: the next letter ahead is lower case (see
    /// [`sb8_ahead`]).
    Ahead,
}

/// The rules of UAX #29 for a break before a character of category `cat` after `before`, with
/// the look-ahead of SB8 left to the step that reads the text (SB8 only ever keeps a break
/// from being one, so it is looked at only where there would be one).
fn decide(before: &State, cat: Cat) -> Step {
    let settled = match cat {
        _ if before[3] == Part::Sot => Some(false),
        Cat::Lf if before[3] == Part::Cr => Some(false),
        _ if matches!(before[3], Part::Cr | Part::Lf) => Some(true),
        Cat::Numeric if before[3] == Part::ATerm => Some(false),
        Cat::Upper if before[2] == Part::UpperLower && before[3] == Part::ATerm => Some(false),
        _ => None,
    };
    let breaks = settled.unwrap_or_else(|| match cat {
        Cat::SContinue | Cat::STerm | Cat::ATerm if sb8a(before) => false,
        Cat::Close | Cat::Sp | Cat::Cr | Cat::Lf if sb9(before) => false,
        Cat::Sp | Cat::Cr | Cat::Lf if sb8a(before) => false,
        _ => sb11(before),
    });
    match settled {
        _ if !breaks => Step::Keep,
        None if before[before_close_sp(before)] == Part::ATerm => Step::Ahead,
        _ => Step::Break,
    }
}

/// SB8's look-ahead: ( ¬(OLetter | Upper | Lower | ParaSep | SATerm) )* Lower; `Err` with the
/// offset of a character met on the way that the machine does not know. Each character is
/// stepped over by its length, not found by testing every byte for a continuation byte.
fn sb8_ahead(ahead: &[u8]) -> Result<bool, usize> {
    let mut at = 0;
    while at < ahead.len() {
        let Some((cat, len)) = category_at(ahead, at) else {
            return Err(at);
        };
        match cat {
            Cat::Lower => return Ok(true),
            Cat::Upper | Cat::Cr | Cat::Lf | Cat::STerm | Cat::ATerm => return Ok(false),
            _ => at += len,
        }
    }
    Ok(false)
}

const CATS: usize = 11;
const ALL_CATS: [Cat; CATS] = [
    Cat::Cr,
    Cat::Lf,
    Cat::Sp,
    Cat::STerm,
    Cat::ATerm,
    Cat::Close,
    Cat::SContinue,
    Cat::Numeric,
    Cat::Upper,
    Cat::Lower,
    Cat::Other,
];

/// One state of the machine: where each category leads and what it decides.
#[derive(Debug, Clone, Copy)]
struct Row {
    next: [u16; CATS],
    step: [Step; CATS],
    /// Some rule can fire before the next terminator or line end (see [`Part::is_hot`]).
    hot: bool,
}

/// The machine as a table over the states it can reach, numbered: a step is a look-up instead of
/// the rules worked out again for every character. The table is built from [`advance`] and
/// [`decide`], so it is the machine they describe.
#[derive(Debug)]
struct Machine {
    rows: Vec<Row>,
    /// The state at the start of the text.
    start: u16,
    /// The state after a skip over cold text, by the category of the last character skipped.
    resume: [u16; CATS],
}

static MACHINE: std::sync::LazyLock<Machine> = std::sync::LazyLock::new(Machine::new);

impl Machine {
    fn new() -> Machine {
        const PARTS: usize = 9;
        let mut states: Vec<State> = Vec::new();
        // Per history, read as a number in base `PARTS`: its number among the states, once seen.
        let mut numbers = vec![u16::MAX; PARTS.pow(4)];
        let mut number = |state: State, states: &mut Vec<State>| {
            let state = without_dead_parts(state);
            let code = state.iter().fold(0, |code, &part| code * PARTS + part as usize);
            if numbers[code] == u16::MAX {
                numbers[code] = states.len() as u16;
                states.push(state);
            }
            numbers[code]
        };
        let start = number([Part::Sot; 4], &mut states);
        let resume = ALL_CATS.map(|cat| number(advance([Part::Other; 4], cat), &mut states));
        let mut rows = Vec::new();
        // Every state reached is numbered as it is first seen, so this visits them all.
        while rows.len() < states.len() {
            let state = states[rows.len()];
            let next = ALL_CATS.map(|cat| number(advance(state, cat), &mut states));
            let step = ALL_CATS.map(|cat| decide(&state, cat));
            rows.push(Row { next, step, hot: state.iter().any(|part| part.is_hot()) });
        }
        Machine { rows, start, resume }
    }
}

/// The breaks of `bytes` from `start` on, run on its own from there as in unicode-segmentation,
/// up to the first character the machine does not know: the machine finds it on its way, so
/// the text is read once, not searched for such characters first and segmented after.
fn machine_breaks(bytes: &[u8], start: usize, emit: &mut impl FnMut(usize)) -> Option<Foreign> {
    let machine = &*MACHINE;
    let mut state = machine.start;
    let mut i = start;
    while i < bytes.len() {
        let mut row = &machine.rows[usize::from(state)];
        if !row.hot {
            // No rule can fire before the next terminator or line end: skip to it. Of the parts
            // skipped over, only the last one can matter (SB7 looks at the part before a full
            // stop); the older ones are cold whatever they were.
            let terminator = match next_stop(bytes, i) {
                Skip::Stop(terminator) => terminator,
                Skip::Foreign(at) => return Some(Foreign { at, decided: at }),
                Skip::End => return None,
            };
            if terminator > i {
                i = terminator;
                state = machine.resume[category_before(bytes, i) as usize];
                row = &machine.rows[usize::from(state)];
            }
        }
        let Some((cat, len)) = category_at(bytes, i) else {
            return Some(Foreign { at: i, decided: i });
        };
        let breaks = match row.step[cat as usize] {
            Step::Keep => false,
            Step::Break => true,
            Step::Ahead => match sb8_ahead(&bytes[i..]) {
                Ok(lower_ahead) => !lower_ahead,
                Err(offset) => return Some(Foreign { at: i + offset, decided: i }),
            },
        };
        state = row.next[cat as usize];
        if breaks {
            emit(i);
        }
        i += len;
    }
    None
}

/// The bytes that end a cold stretch: line ends and sentence terminators.
const STOPS: [u8; 5] = [b'\n', b'\r', b'.', b'!', b'?'];

/// Where a skip over cold text ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Skip {
    /// At one of [`STOPS`].
    Stop(usize),
    /// At a character the machine does not know (see [`known`]).
    Foreign(usize),
    /// At the end of the text, with neither on the way.
    End,
}

/// The first of [`STOPS`] or of the characters the machine does not know in `bytes` from `from`
/// on. Stretches between stops are short (a sentence or a line), so one pass for all five and
/// the bytes beyond ASCII, sixteen bytes at a time, costs less than starting a library search
/// for each; the characters beyond ASCII the machine knows are stepped over.
#[inline(always)]
fn next_stop(bytes: &[u8], from: usize) -> Skip {
    let mut at = from;
    while let Some(found) = chars::first_marked(bytes, at, stops_or_beyond_ascii_in) {
        if bytes[found].is_ascii() {
            return Skip::Stop(found);
        }
        match known(&bytes[found..]) {
            Some((_, len)) => at = found + len,
            None => return Skip::Foreign(found),
        }
    }
    Skip::End
}

/// Which of the sixteen bytes of `chunk` are [`STOPS`] or beyond ASCII: bit `i` for `chunk[i]`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn stops_or_beyond_ascii_in(chunk: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
    // SAFETY: SSE2 is part of every x86-64 processor (the baseline the target is compiled for),
    // and the unaligned load reads the sixteen bytes of `chunk`, no more.
    unsafe {
        let read = _mm_loadu_si128(chunk.as_ptr().cast());
        let [a, b, c, d, e] = STOPS.map(|stop| _mm_cmpeq_epi8(read, _mm_set1_epi8(stop as i8)));
        // The sign bit that marks a byte beyond ASCII is the one the comparisons set.
        let stops = _mm_or_si128(_mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d)), _mm_or_si128(e, read));
        _mm_movemask_epi8(stops) as u32
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn stops_or_beyond_ascii_in(chunk: &[u8; 16]) -> u32 {
    (0..16)
        .filter(|&index| STOPS.contains(&chunk[index]) || !chunk[index].is_ascii())
        .fold(0, |mask, index| mask | 1 << index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn library(text: &str) -> Vec<usize> {
        text.split_sentence_bound_indices().skip(1).map(|(offset, _)| offset).collect()
    }

    fn ours(text: &str) -> Vec<usize> {
        let mut out = Vec::new();
        sentence_breaks(text, |offset| out.push(offset));
        out
    }

    /// Every character the machine reads beyond ASCII, in the places where its category tells:
    /// before and after a full stop, with and without a space, next to letters of either case,
    /// digits and quotes.
    #[test]
    fn agrees_with_the_library_on_every_character_it_knows() {
        let mut checked = 0;
        for c in (0x80..0x2100).filter_map(char::from_u32) {
            let mut encoded = [0; 4];
            if known(c.encode_utf8(&mut encoded).as_bytes()).is_none() {
                continue;
            }
            checked += 1;
            for probe in [
                "a. {}x", "a. {} b", "A.{}", "A.{}B", "{}. A", "{}.A", "{}. a", "x {}. B", "a.\"{} b", "a.{} B",
                "a.{}B", "a? {}", "1.{}", "a.{}1", "a,{}. b", "{}{}. {}", "U.S. {}", "a. ({}b", "a.{}\n{}",
            ] {
                let text = probe.replace("{}", &c.to_string());
                assert_eq!(ours(&text), library(&text), "{c:?} in {text:?}");
            }
        }
        assert!(checked > 800, "{checked}");
    }

    #[test]
    fn agrees_with_the_library_on_news_like_text() {
        for text in [
            "Acme Inc. raised $1.25B. Mr. J. Smith said 3.5 was fine. It was.",
            "He said: \u{201c}It\u{2019}s over.\u{201d} Then he left.\r\nNext line\rand more",
            "Is it real?! Yes... (maybe.) \"Quoted.\" 'single' e.g. this. U.S. Army. etc.\n\nX",
            "Prices rose 3.5% \u{2014} the most since 2008. \u{00a0}Analysts\u{2026} were surprised.",
            "\u{65e5}\u{672c}\u{3002}\u{65e5}\u{672c}\u{3002} ok. Fine.",
            "",
            ".",
            "a\u{301}. B",
        ] {
            assert_eq!(ours(text), library(text), "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn the_next_stop_is_the_first_stop_or_unknown_character(
            text in "[a.!?\n\r \u{e9}\u{d7}\u{201d}\u{3002}]{0,60}",
            from in 0usize..241,
        ) {
            let from = (0..=from.min(text.len())).rev().find(|&at| text.is_char_boundary(at)).expect("0 is one");
            let unknown = |c: char| !c.is_ascii() && known(c.encode_utf8(&mut [0; 4]).as_bytes()).is_none();
            let first = text[from..].char_indices().find(|&(_, c)| "\n\r.!?".contains(c) || unknown(c));
            let expected = match first {
                Some((offset, c)) if c.is_ascii() => Skip::Stop(from + offset),
                Some((offset, _)) => Skip::Foreign(from + offset),
                None => Skip::End,
            };
            prop_assert_eq!(next_stop(text.as_bytes(), from), expected);
        }

        /// Long stretches of known text around characters the machine does not know, also where
        /// SB8's look-ahead after a full stop runs into one.
        #[test]
        fn agrees_with_the_library_around_unknown_characters(
            text in "(Abc|de|\\. |\\.|\"|\u{201d}|\u{00a0}| |\n|1|\u{00d7}|\u{3002}|\u{0301}|\u{00e9}){0,40}"
        ) {
            prop_assert_eq!(ours(&text), library(&text));
        }

        #[test]
        fn agrees_with_the_library_on_ascii(text in "[a-cA-C0-9 .!?,;:\"'()\\-\t\r\n]{0,40}") {
            prop_assert_eq!(ours(&text), library(&text));
        }

        #[test]
        fn agrees_with_the_library_on_mixed_text(
            text in "[a-cA-C0-9 .!?,\"()\r\n\u{201c}\u{201d}\u{2018}\u{2019}\u{00a0}\u{2013}\u{2014}\u{2026}\u{00e9}\u{00c9}\u{00d7}\u{00f7}\u{00ff}\u{3002}\u{0301}\u{00ad}\u{2028}]{0,40}"
        ) {
            prop_assert_eq!(ours(&text), library(&text));
        }
    }
}
