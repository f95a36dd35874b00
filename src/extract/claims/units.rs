//! Claim units: the pieces of a sentence that each assert one thing.
//!
//! A sentence is one unit unless it is split further:
//!
//! - at a card heading glued to its first sentence, as flattened newsletter cards leave it:
//!   `GPU Independence Trainium2 → 4 reduces Nvidia reliance.` is the heading "GPU Independence"
//!   and the unit "Trainium2 → 4 reduces Nvidia reliance." The heading is a run of two to six
//!   capitalised words at the start of a block, followed by a capitalised subject and then
//!   lower-case words; a heading never cuts through an entity ("Jerome Powell said" stays whole);
//! - at `;` between two clauses of three words or more;
//! - at `→` when every step of the chain is a clause of two words or more
//!   (`revenue triples → demand explodes`), but not in `Trainium2 → 4`;
//! - at a colon that introduces a question closing the sentence (`My partner asked the obvious
//!   question: would it replace the car?`): the question asserts nothing, the clause before it may.
//!
//! A Markdown heading's marks (`## `) are no part of a unit.

use crate::chars::{self, LETTER, SPACE, class_at, next_char_where};
use crate::record::{EntityItem, MoneyItem};
use crate::span::Span;

/// One claim unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unit {
    pub span: Span,
    /// The unit is one step of an `→` chain.
    pub chain_step: bool,
}

/// Where a unit stands with respect to direct speech.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quoting {
    /// The unit is direct speech: it starts inside a quotation or with an opening quote mark.
    pub starts_quoted: bool,
    /// A quotation is still open where the unit ends: it goes on in the next unit.
    pub continues: bool,
}

/// Appends to `out` how each of `units` (in order, none overlapping the next, from one
/// paragraph) stands with respect to quotations. Curly quotes open and close; a straight double
/// quote does whichever is due. Single quotes are left out: they are apostrophes too often.
pub fn quoting(text: &str, units: &[Unit], out: &mut Vec<Quoting>) {
    let (Some(first), Some(last)) = (units.first(), units.last()) else {
        return;
    };
    // Read as bytes: `"` is one, and the curly quotes are E2 80 9C and E2 80 9D in UTF-8. Both
    // first bytes are looked for many bytes at a time, in one pass over the paragraph's units:
    // most text has few quotes, and a search per unit cost more to start than to run. A unit
    // ends on a character's end, so the two bytes after an E2 before it lie before it too.
    let bytes = &text.as_bytes()[..last.span.end];
    let mut marks =
        memchr::memchr2_iter(b'"', 0xE2, &bytes[first.span.start..]).map(|at| first.span.start + at).peekable();
    let mut open = false;
    let mut read_to = |open: &mut bool, end: usize| {
        while let Some(at) = marks.next_if(|&at| at < end) {
            match bytes[at..] {
                [b'"', ..] => *open = !*open,
                [_, 0x80, 0x9C, ..] => *open = true,
                [_, 0x80, 0x9D, ..] => *open = false,
                _ => {}
            }
        }
    };
    out.extend(units.iter().map(|unit| {
        read_to(&mut open, unit.span.start);
        let starts_quoted = open || unit.span.of(text).starts_with(['\u{201C}', '"']);
        read_to(&mut open, unit.span.end);
        Quoting { starts_quoted, continues: open }
    }));
}

const MAX_HEADING_WORDS: usize = 6;
/// Words that open a sentence's subject ("The National Weather Service office said …"), never a
/// card heading.
const NOT_HEADING_START: [&str; 10] = ["The", "A", "An", "This", "That", "These", "Those", "Its", "Our", "Their"];
const MIN_CLAUSE_WORDS: usize = 3;
const MIN_STEP_WORDS: usize = 2;

/// Where a sentence lies in its block, as far as splitting it into units goes.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    /// The sentence opens its block, so a glued heading may be cut off.
    pub at_block_start: bool,
    /// The block holds a `;` somewhere: a sentence of a block without one is not searched for one.
    pub block_has_semicolon: bool,
}

/// Splits one sentence, at `place` in its block, into units. `arrows` are the offsets of the
/// text's `→`, in order.
pub fn split(
    text: &str,
    sentence: Span,
    place: Place,
    entities: &[EntityItem],
    money: &[MoneyItem],
    arrows: &[usize],
    out: &mut Vec<Unit>,
) {
    let sentence = without_heading_marks(text, sentence);
    let body = if place.at_block_start { without_heading(text, sentence, entities, money) } else { sentence };
    // Most sentences have no `;`: they are split without building a list of clauses. Most
    // blocks have none either, and one search of a block costs less than one per sentence.
    if !place.block_has_semicolon || memchr::memchr(b';', body.of(text).as_bytes()).is_none() {
        return split_clause(text, body, arrows, out);
    }
    for clause in split_at(text, body, ";", MIN_CLAUSE_WORDS) {
        split_clause(text, clause, arrows, out);
    }
}

/// Splits one clause before a closing question and at the steps of an `→` chain.
fn split_clause(text: &str, clause: Span, arrows: &[usize], out: &mut Vec<Unit>) {
    let (lead, question) = before_question(text, clause);
    for part in std::iter::once(lead).chain(question) {
        // The arrows were found with the text's other characters beyond ASCII: the clause is
        // not read again for them.
        let first = arrows.partition_point(|&at| at < part.start);
        if arrows.get(first).is_none_or(|&at| at >= part.end) {
            out.push(Unit { span: part, chain_step: false });
            continue;
        }
        let steps = split_at(text, part, "\u{2192}", MIN_STEP_WORDS);
        let chain = steps.len() > 1;
        out.extend(steps.into_iter().map(|span| Unit { span, chain_step: chain }));
    }
}

/// Splits `span` at every `separator` when every resulting piece has at least `min_words`
/// words with a letter in them; otherwise returns `span` whole.
fn split_at(text: &str, span: Span, separator: &str, min_words: usize) -> Vec<Span> {
    let slice = span.of(text);
    let mut separators = memchr::memmem::find_iter(slice.as_bytes(), separator).peekable();
    if separators.peek().is_none() {
        return vec![span];
    }
    let mut pieces = Vec::new();
    let mut start = span.start;
    for offset in separators {
        pieces.push(Span::new(start, span.start + offset).trim(text));
        start = span.start + offset + separator.len();
    }
    pieces.push(Span::new(start, span.end).trim(text));
    let wordy = |piece: &Span| words_with_letter(piece.of(text), min_words) >= min_words;
    if pieces.iter().all(wordy) { pieces } else { vec![span] }
}

/// The words (runs between white space) with a letter in them, up to `at_most`: the count stops
/// there, as the callers only ask whether it reaches a bound.
pub(super) fn words_with_letter(unit: &str, at_most: usize) -> usize {
    let bytes = unit.as_bytes();
    let mut words = WordCount::default();
    let mut at = 0;
    while at < bytes.len() && words.count < at_most {
        words.read(unit, at, &chars::sixteen_at(bytes, at, 0));
        at += 16;
    }
    words.count.min(at_most)
}

/// The words with a letter in them of a unit read sixteen bytes at a time from its start (see
/// [`WordCount::read`]), so that a scan of the unit's chunks for its own ends counts them too.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct WordCount {
    /// The words counted so far.
    pub count: usize,
    /// The current word has a letter, and was counted.
    counted: bool,
}

impl WordCount {
    /// Counts the words whose first letter is in `chunk`, the (padded) sixteen bytes of `unit`
    /// from `at`, given the chunks before it. The ASCII bytes are classed at once (see
    /// [`ascii_masks`]); of a character beyond ASCII, its first byte takes its class (see
    /// [`class_at`]) and the others none, whichever chunk they are in: most chunks have none
    /// or one.
    #[inline]
    pub fn read(&mut self, unit: &str, at: usize, chunk: &[u8; 16]) {
        let within = (1u32 << (unit.len() - at).min(16)) - 1;
        let (mut letters, mut spaces, leads) = ascii_masks(chunk);
        let mut leads = leads & within;
        while leads != 0 {
            let index = leads.trailing_zeros();
            leads &= leads - 1;
            let (class, _) = class_at(unit, at + index as usize);
            letters |= u32::from(class == LETTER) << index;
            spaces |= u32::from(class == SPACE) << index;
        }
        // A letter is counted when the last letter or space before it is a space (or there is
        // none and the current word was not counted). Those letters are found by carrying a mark
        // from each space (and from the chunk's start) over the other bytes to the next letter
        // or space: an addition carries it over a run of set bits.
        let (letters, spaces) = (letters & within, spaces & within);
        let others = !(letters | spaces) & within;
        let marks = spaces << 1 | u32::from(!self.counted);
        let reached = (marks + others) & !others;
        self.count += ones(reached & letters);
        // A mark carried past the last byte read: the last letter or space in it was a space.
        self.counted = reached & (within + 1) == 0;
    }
}

/// The bits set among the low sixteen of `bits`, by a table of bytes: the target's baseline
/// has no instruction for it, and `count_ones` without one takes a dozen.
fn ones(bits: u32) -> usize {
    static ONES: [u8; 256] = {
        let mut table = [0; 256];
        let mut byte = 0;
        while byte < 256 {
            table[byte] = (byte as u8).count_ones() as u8;
            byte += 1;
        }
        table
    };
    usize::from(ONES[(bits & 0xff) as usize]) + usize::from(ONES[(bits >> 8 & 0xff) as usize])
}

/// The ASCII letters, the ASCII white space (as [`class_at`] classes them) and the first bytes
/// of characters beyond ASCII among sixteen bytes, as masks: bit `i` for `chunk[i]`. On x86-64 a
/// few SSE2 comparisons of all sixteen bytes at once, elsewhere byte by byte.
#[cfg(target_arch = "x86_64")]
fn ascii_masks(chunk: &[u8; 16]) -> (u32, u32, u32) {
    use std::arch::x86_64::{
        _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8,
        _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of every x86-64 processor (the baseline the target is compiled for),
    // and the unaligned load reads the sixteen bytes of `chunk`, no more.
    unsafe {
        let bytes = _mm_loadu_si128(chunk.as_ptr().cast());
        // Bytes beyond ASCII are negative as signed bytes, so no range below takes them in; the
        // first bytes of characters are C0..=FF, above the continuation bytes 80..=BF.
        let leads = _mm_cmpgt_epi8(bytes, _mm_set1_epi8(0xBFu8 as i8));
        let leads = _mm_movemask_epi8(bytes) as u32 & _mm_movemask_epi8(leads) as u32;
        // Setting bit 5 lowers an ASCII capital and moves no other byte into `a..=z`.
        let lowered = _mm_or_si128(bytes, _mm_set1_epi8(0x20));
        let letters = _mm_and_si128(
            _mm_cmpgt_epi8(lowered, _mm_set1_epi8(b'a' as i8 - 1)),
            _mm_cmplt_epi8(lowered, _mm_set1_epi8(b'z' as i8 + 1)),
        );
        let controls = _mm_and_si128(
            _mm_cmpgt_epi8(bytes, _mm_set1_epi8(b'\t' as i8 - 1)),
            _mm_cmplt_epi8(bytes, _mm_set1_epi8(b'\r' as i8 + 1)),
        );
        let spaces = _mm_or_si128(controls, _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b' ' as i8)));
        (_mm_movemask_epi8(letters) as u32, _mm_movemask_epi8(spaces) as u32, leads)
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn ascii_masks(chunk: &[u8; 16]) -> (u32, u32, u32) {
    ascii_masks_bytewise(chunk)
}

/// [`ascii_masks`] byte by byte.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn ascii_masks_bytewise(chunk: &[u8; 16]) -> (u32, u32, u32) {
    chunk.iter().enumerate().fold((0, 0, 0), |(letters, spaces, leads), (index, &byte)| {
        let class = if byte.is_ascii() { crate::chars::ASCII_CLASS[usize::from(byte)] } else { 0 };
        (
            letters | u32::from(class == LETTER) << index,
            spaces | u32::from(class == SPACE) << index,
            leads | u32::from(byte >= 0xC0) << index,
        )
    })
}

/// The span without the `#` marks of a Markdown heading in front of it.
fn without_heading_marks(text: &str, span: Span) -> Span {
    let slice = span.of(text);
    let marks = slice.len() - slice.trim_start_matches('#').len();
    if marks == 0 || !slice[marks..].starts_with([' ', '\t']) {
        return span;
    }
    Span::new(span.start + marks, span.end).trim(text)
}

/// `clause` split at the last colon when a question follows it to the end (`… the obvious
/// question: would it …?`) and the clause before it has at least `MIN_CLAUSE_WORDS` words: the
/// clause before the colon and the question; the clause whole and no question otherwise.
fn before_question(text: &str, clause: Span) -> (Span, Option<Span>) {
    let slice = clause.of(text);
    let is_question = slice.trim_end_matches(['"', '\u{201D}', '\u{2019}', ')', ']', ' ']).ends_with('?');
    // Most clauses are no question: the colon is only looked for in those that are.
    let Some(colon) = is_question.then(|| slice.rfind(": ")).flatten() else {
        return (clause, None);
    };
    let lead = Span::new(clause.start, clause.start + colon + 1);
    let question = Span::new(clause.start + colon + 1, clause.end).trim(text);
    if words_with_letter(lead.of(text), MIN_CLAUSE_WORDS) < MIN_CLAUSE_WORDS || question.is_empty() {
        return (clause, None);
    }
    (lead, Some(question))
}

/// Whether one of the first `words` words (runs between white space) of `text` starts with a
/// lower-case letter, as `text.split_whitespace().take(words).any(…)` tells it, read a character
/// at a time without decoding ASCII (see [`next_char_where`]).
fn starts_lower_within(text: &str, words: usize) -> bool {
    let bytes = text.as_bytes();
    let mut at = 0;
    for _ in 0..words {
        // White space, up to the word.
        at = next_char_where(text, at, |class| class != SPACE);
        let Some(&first) = bytes.get(at) else {
            return false;
        };
        let lower = if first.is_ascii() {
            first.is_ascii_lowercase()
        } else {
            text[at..].chars().next().is_some_and(char::is_lowercase)
        };
        if lower {
            return true;
        }
        // The rest of the word.
        at = next_char_where(text, at, |class| class == SPACE);
    }
    false
}

/// The runs of `text` between its white space, as `text.split_whitespace()` gives them, read a
/// character at a time without decoding ASCII (see [`next_char_where`]), where
/// `split_whitespace` decodes every character.
fn tokens(text: &str) -> impl Iterator<Item = &str> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = next_char_where(text, at, |class| class != SPACE);
        if start == text.len() {
            return None;
        }
        at = next_char_where(text, start, |class| class == SPACE);
        Some(&text[start..at])
    })
}

/// The sentence without a glued card heading, or the sentence itself when it has none.
fn without_heading(text: &str, sentence: Span, entities: &[EntityItem], money: &[MoneyItem]) -> Span {
    let slice = sentence.of(text);
    // A heading needs two words before the subject, and a lower-case word after it: a sentence
    // with a lower-case word among its first three has none (most have one), so it is not read.
    if starts_lower_within(slice, 3) {
        return sentence;
    }
    let starts_with = |token: &str, test: fn(char) -> bool| token.chars().next().is_some_and(test);
    let has_letter = |token: &str| token.chars().any(char::is_alphabetic);
    let heading_like = |token: &str| {
        let first = token.chars().next().unwrap_or(' ');
        (first.is_uppercase() || first.is_ascii_digit() || !first.is_alphanumeric())
            && !token.ends_with(['.', ',', ':', ';', '!', '?', ')'])
    };
    // The tokens are read once, up to the first lower-case word, keeping what the heading test
    // asks of them: the subject is the last capitalised word before that word, the heading the
    // tokens before the subject (their words with a letter, and whether all look like a heading),
    // and the tokens between the subject and that word must be symbols. Before the lower-case
    // word come the heading, the subject and symbols: a sentence with more words than a heading
    // and a subject have there has no heading, and is read no further.
    // The first token: the heading's first, when the subject is not.
    let mut first_token = None;
    let (mut words, mut all_heading_like) = (0, true);
    // The subject's offset, and the heading's words and look before it.
    let mut subject: Option<(usize, usize, bool)> = None;
    let mut between_is_symbols = true;
    let mut found_lower = false;
    for token in tokens(slice) {
        if starts_with(token, char::is_lowercase) {
            found_lower = true;
            break;
        }
        first_token.get_or_insert(token);
        if starts_with(token, char::is_uppercase) {
            // A subject followed by a comma ends a name with an apposition ("Hollins Civil
            // Engineering, which drew up the plans, …"): it is no subject after a heading.
            let offset = token.as_ptr() as usize - slice.as_ptr() as usize;
            subject = (!token.ends_with(',')).then_some((offset, words, all_heading_like));
            between_is_symbols = true;
        } else {
            between_is_symbols &= !has_letter(token);
        }
        all_heading_like &= heading_like(token);
        words += usize::from(has_letter(token));
        if words > MAX_HEADING_WORDS + 1 {
            return sentence;
        }
    }
    let Some((offset, words_in_heading, heading_is_like)) = subject.filter(|_| found_lower) else {
        return sentence;
    };
    if !(2..=MAX_HEADING_WORDS).contains(&words_in_heading)
        || !heading_is_like
        || !between_is_symbols
        || first_token.is_some_and(|token| NOT_HEADING_START.contains(&token))
    {
        return sentence;
    }
    let cut = sentence.start + offset;
    // A headline with a figure in Title Case ("Acme Raises $85 Million Series C to …") is a
    // sentence, not a card heading: card headings are labels.
    if money.iter().any(|m| m.span.start >= sentence.start && m.span.start < cut) {
        return sentence;
    }
    // Entities are sorted and do not overlap: only the last one starting before the cut can cross it.
    let before_cut = entities.partition_point(|e| e.span.start < cut);
    if before_cut > 0 && entities[before_cut - 1].span.end > cut {
        return sentence;
    }
    Span::new(cut, sentence.end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::EntityType;
    use std::borrow::Cow;

    /// The place of a sentence that opens its block.
    fn opening(block_has_semicolon: bool) -> Place {
        Place { at_block_start: true, block_has_semicolon }
    }

    #[test]
    fn words_with_a_letter_are_counted_alike_in_ascii_and_beyond() {
        let slow = |s: &str| s.split_whitespace().filter(|w| w.chars().any(char::is_alphabetic)).count();
        let every_ascii: String = (0u8..128).map(char::from).collect();
        for text in
            ["", "  ", "Up 40%.", "a1 22 b\x0bc\x0cd\re\tf\ng", "$5 -- x", every_ascii.as_str(), "40\u{a0}%  é 3"]
        {
            assert_eq!(words_with_letter(text, usize::MAX), slow(text), "{text:?}");
            assert_eq!(words_with_letter(text, 2), slow(text).min(2), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn a_lower_case_start_is_found_among_the_first_words_as_split_whitespace_finds_it(
            text in r"[aZ1.é Éж Ж\t\n\u{a0}\u{2003}’]{0,24}",
            words in 0usize..5,
        ) {
            let lower = |token: &str| token.chars().next().is_some_and(char::is_lowercase);
            proptest::prop_assert_eq!(starts_lower_within(&text, words), text.split_whitespace().take(words).any(lower));
        }

        /// White space of every kind `char::is_whitespace` has, ASCII and beyond, and bytes
        /// beyond ASCII that are none (`’`, U+200B, U+180E), next to words.
        #[test]
        fn tokens_are_what_split_whitespace_gives(
            text in r"[aZ1.é Éж\t\n\x0b\x0c\r\x1c\u{85}\u{a0}\u{1680}\u{180e}\u{2003}\u{200b}\u{2028}\u{3000}’]{0,30}",
        ) {
            proptest::prop_assert_eq!(tokens(&text).collect::<Vec<_>>(), text.split_whitespace().collect::<Vec<_>>());
        }

        /// A block said to have no `;` is split as it is when each sentence is searched for one.
        #[test]
        fn a_block_without_a_semicolon_is_split_as_a_search_of_each_sentence_splits_it(
            text in r"(Rates fell|the bank|said|;|:|\?| |\u{2192}){0,16}",
        ) {
            let arrows: Vec<usize> = text.match_indices('\u{2192}').map(|(at, _)| at).collect();
            let sentence = Span::new(0, text.len());
            let (mut told, mut searched) = (Vec::new(), Vec::new());
            split(&text, sentence, opening(text.contains(';')), &[], &[], &arrows, &mut told);
            split(&text, sentence, opening(true), &[], &[], &arrows, &mut searched);
            proptest::prop_assert_eq!(told, searched);
        }

        #[test]
        fn sixteen_bytes_are_classed_at_once_as_byte_by_byte(chunk in proptest::array::uniform16(proptest::num::u8::ANY)) {
            proptest::prop_assert_eq!(ascii_masks(&chunk), ascii_masks_bytewise(&chunk));
        }

        /// Texts of every kind of byte the sixteen-byte reading tells apart, ASCII and beyond,
        /// in runs that cross the edges of its chunks.
        #[test]
        fn words_with_a_letter_are_counted_as_split_whitespace_counts_them(
            text in r"[a-zA-Z0-9 \t\n\x0b\x0c\r.,'%@`{\[\x00\x1f\x7f\u{a0}é×’\u{2003}ж一]{0,80}",
            at_most in 0usize..20,
        ) {
            let slow = text.split_whitespace().filter(|w| w.chars().any(char::is_alphabetic)).count();
            proptest::prop_assert_eq!(words_with_letter(&text, usize::MAX), slow);
            proptest::prop_assert_eq!(words_with_letter(&text, at_most), slow.min(at_most));
        }
    }

    /// [`without_heading`] without entities or money, as it was first written: on a list of the
    /// tokens.
    fn without_heading_listed(text: &str, sentence: Span) -> Span {
        let slice = sentence.of(text);
        // A heading needs two words before the subject, and a lower-case word after it: a sentence
        // with a lower-case word among its first three has none (most have one), so it is not listed.
        let lower = |token: &str| token.chars().next().is_some_and(char::is_lowercase);
        if starts_lower_within(slice, 3) {
            return sentence;
        }
        let starts_with = |token: &str, test: fn(char) -> bool| token.chars().next().is_some_and(test);
        // Nothing after the first lower-case word is read: the tokens stop there. Before it come
        // the heading, the subject and symbols: a sentence with more words than a heading and a
        // subject have before its first lower-case word has no heading, and is read no further.
        let mut tokens: Vec<(usize, &str)> = Vec::new();
        let mut words = 0;
        for token in slice.split_whitespace() {
            tokens.push((token.as_ptr() as usize - slice.as_ptr() as usize, token));
            if lower(token) {
                break;
            }
            words += usize::from(token.chars().any(char::is_alphabetic));
            if words > MAX_HEADING_WORDS + 1 {
                return sentence;
            }
        }
        let Some(first_lower) = tokens.iter().position(|(_, t)| starts_with(t, char::is_lowercase)) else {
            return sentence;
        };
        // The subject: the last capitalised word before the first lower-case one.
        let Some(subject) = tokens[..first_lower].iter().rposition(|(_, t)| starts_with(t, char::is_uppercase)) else {
            return sentence;
        };
        let heading = &tokens[..subject];
        let heading_like = |token: &str| {
            let first = token.chars().next().unwrap_or(' ');
            (first.is_uppercase() || first.is_ascii_digit() || !first.is_alphanumeric())
                && !token.ends_with(['.', ',', ':', ';', '!', '?', ')'])
        };
        let words_in_heading = heading.iter().filter(|(_, t)| t.chars().any(char::is_alphabetic)).count();
        let between_is_symbols =
            tokens[subject + 1..first_lower].iter().all(|(_, t)| !t.chars().any(char::is_alphabetic));
        // A subject followed by a comma ends a name with an apposition ("Hollins Civil Engineering,
        // which drew up the plans, …"): it is no subject after a heading.
        if !(2..=MAX_HEADING_WORDS).contains(&words_in_heading)
            || !heading.iter().all(|(_, t)| heading_like(t))
            || !between_is_symbols
            || heading.first().is_some_and(|(_, t)| NOT_HEADING_START.contains(t))
            || tokens[subject].1.ends_with(',')
        {
            return sentence;
        }
        Span::new(sentence.start + tokens[subject].0, sentence.end)
    }

    proptest::proptest! {
        /// Sentences of capitalised words, lower-case words, symbols, figures, words that end a
        /// name or a clause, and words beyond ASCII, in any order.
        #[test]
        fn a_heading_is_cut_off_as_the_list_of_tokens_tells(
            words in proptest::collection::vec(
                proptest::sample::select(vec!["Grid", "The", "Acme,", "Out.", "rose", "ship", "—", "2025", "$5", "Ж", "ж", "(x)", "'Em", "É"]),
                0..12,
            ),
            spaces in proptest::sample::select(vec![" ", "  ", "\u{a0}", "\t"]),
        ) {
            let text = words.join(spaces);
            let sentence = Span::new(0, text.len());
            proptest::prop_assert_eq!(without_heading(&text, sentence, &[], &[]), without_heading_listed(&text, sentence));
        }
    }

    fn units(text: &str, entities: &[EntityItem]) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        let arrows: Vec<usize> = text.match_indices('\u{2192}').map(|(at, _)| at).collect();
        split(text, Span::new(0, text.len()), opening(true), entities, &[], &arrows, &mut out);
        out.into_iter().map(|u| (u.span.of(text).to_string(), u.chain_step)).collect()
    }

    #[test]
    fn glued_card_headings_are_cut_off() {
        assert_eq!(
            units("Margin Squeeze Spot rates fell 18% in two quarters.", &[]),
            [("Spot rates fell 18% in two quarters.".into(), false)]
        );
        assert_eq!(
            units("GPU Independence Trainium2 → 4 reduces Nvidia reliance.", &[]),
            [("Trainium2 → 4 reduces Nvidia reliance.".into(), false)]
        );
        assert_eq!(
            units("10-Year Lock-In Custom silicon is now a moat.", &[]),
            [("Custom silicon is now a moat.".into(), false)]
        );
    }

    #[test]
    fn a_heading_has_at_most_six_words_however_many_symbols_it_holds() {
        assert_eq!(
            units("Grid Storage Build Out Speeds Up — 2025 – 26 Batteries now ship.", &[]),
            [("Batteries now ship.".into(), false)]
        );
        let seven = "Grid Storage Build Out Speeds Up Again Batteries now ship.";
        assert_eq!(units(seven, &[]), [(seven.into(), false)]);
        let no_lower_case = "Grid Storage Build Out Speeds Up Again Batteries Ship.";
        assert_eq!(units(no_lower_case, &[]), [(no_lower_case.into(), false)]);
    }

    #[test]
    fn a_heading_never_cuts_through_an_entity_or_ordinary_prose() {
        let text = "Federal Reserve Chair Jerome Powell said rates would hold.";
        let start = text.find("Jerome").unwrap();
        let person = EntityItem {
            span: Span::new(start, start + "Jerome Powell".len()),
            text: "Jerome Powell",
            rule: "t",
            entity_type: EntityType::Person,
            canonical: Cow::Borrowed("Jerome Powell"),
        };
        assert_eq!(units(text, &[person]), [(text.into(), false)]);
        assert_eq!(units("The Amazon-Anthropic partnership highlights a shift.", &[]).len(), 1);
        assert_eq!(units("Hollins Civil Engineering, which drew the plans, expects delays.", &[]).len(), 1);
        assert_eq!(
            units("Hollins Civil Engineering, which drew the plans, expects delays.", &[])[0].0,
            "Hollins Civil Engineering, which drew the plans, expects delays."
        );
        assert_eq!(
            units("The National Weather Service office said February was mild.", &[])[0].0,
            "The National Weather Service office said February was mild."
        );
        assert_eq!(
            units("FRANKFURT, March 4 - Brenner Chemie AG said it would sell.", &[])[0].0,
            "FRANKFURT, March 4 - Brenner Chemie AG said it would sell."
        );
    }

    #[test]
    fn a_title_case_headline_with_a_figure_is_not_a_heading() {
        let text = "Acme Robotics Raises $85 Million Series C to Scale Forklifts";
        let start = text.find('$').unwrap();
        let figure = MoneyItem {
            span: Span::new(start, start + "$85 Million".len()),
            text: "$85 Million",
            rule: "t",
            amount: rust_decimal::Decimal::from(85_000_000),
            amount_max: None,
            currency: Some("USD"),
            qualifier: None,
            per: None,
        };
        let mut out = Vec::new();
        split(text, Span::new(0, text.len()), opening(true), &[], &[figure], &[], &mut out);
        assert_eq!(out[0].span.of(text), text);
        assert_eq!(units(text, &[])[0].0, "C to Scale Forklifts");
    }

    #[test]
    fn quotations_are_followed_across_units() {
        let text = "Sales rose. \u{201C}We won. We grew,\u{201D} she said. \"Next year too.\" Costs fell.";
        let mut pieces = Vec::new();
        let mut start = 0;
        for end in [11, 23, 45, 61, text.len()] {
            pieces.push(Unit { span: Span::new(start, end).trim(text), chain_step: false });
            start = end;
        }
        let mut quotes = Vec::new();
        quoting(text, &pieces, &mut quotes);
        let flags: Vec<(bool, bool)> = quotes.iter().map(|q| (q.starts_quoted, q.continues)).collect();
        assert_eq!(flags, [(false, false), (true, true), (true, false), (true, false), (false, false)]);
    }

    proptest::proptest! {
        /// Units with gaps between them, cut at random characters of a text of quote marks
        /// and other characters of the same first byte (`’`, `→`).
        #[test]
        fn quotations_are_followed_as_each_character_tells(
            text in "[a \"\u{201C}\u{201D}\u{2019}\u{2192}]{0,40}",
            cuts in proptest::collection::vec(0usize..40, 0..12),
        ) {
            let mut bounds: Vec<usize> = cuts.iter().filter_map(|&n| text.char_indices().nth(n).map(|(at, _)| at)).collect();
            bounds.extend([0, text.len()]);
            bounds.sort();
            bounds.dedup();
            // Every other stretch between the cuts is a unit, the others are gaps.
            let pieces: Vec<Unit> = bounds
                .windows(2)
                .step_by(2)
                .map(|pair| Unit { span: Span::new(pair[0], pair[1]), chain_step: false })
                .collect();
            let mut open = false;
            let mut toggle = |from: usize, to: usize| {
                for c in text[from..to].chars() {
                    match c {
                        '"' => open = !open,
                        '\u{201C}' => open = true,
                        '\u{201D}' => open = false,
                        _ => {}
                    }
                }
                open
            };
            let mut expected = Vec::new();
            let mut at = pieces.first().map_or(0, |unit| unit.span.start);
            for unit in &pieces {
                let starts_quoted = toggle(at, unit.span.start) || unit.span.of(&text).starts_with(['\u{201C}', '"']);
                expected.push(Quoting { starts_quoted, continues: toggle(unit.span.start, unit.span.end) });
                at = unit.span.end;
            }
            let mut quotes = Vec::new();
            quoting(&text, &pieces, &mut quotes);
            proptest::prop_assert_eq!(quotes, expected);
        }
    }

    #[test]
    fn a_question_after_a_colon_is_its_own_unit() {
        assert_eq!(
            units("Last May my partner asked the obvious question: would it replace the car?", &[]),
            [
                ("Last May my partner asked the obvious question:".into(), false),
                ("would it replace the car?".into(), false)
            ]
        );
        assert_eq!(units("The question: will it last?", &[]).len(), 1);
        assert_eq!(units("Prices rose 4% in May: the highest since 2019.", &[]).len(), 1);
    }

    #[test]
    fn markdown_heading_marks_are_no_part_of_a_unit() {
        assert_eq!(units("## Costs rose 4% in May", &[]), [("Costs rose 4% in May".into(), false)]);
        assert_eq!(units("#hashtag rose", &[]), [("#hashtag rose".into(), false)]);
    }

    #[test]
    fn arrow_chains_and_semicolons_split_into_clauses() {
        assert_eq!(
            units("orders slow → inventories swell → prices fall", &[]),
            [("orders slow".into(), true), ("inventories swell".into(), true), ("prices fall".into(), true)]
        );
        assert_eq!(units("Trainium2 → 4 reduces reliance.", &[]).len(), 1);
        assert_eq!(
            units("Exports rose by a third; imports fell sharply in May.", &[]),
            [("Exports rose by a third".into(), false), ("imports fell sharply in May.".into(), false)]
        );
    }
}
