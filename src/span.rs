//! Half-open byte ranges into a document's decoded text.
//!
//! Every stage works on the decoded text and reports [`Span`]s into it; the record builder maps
//! them back to offsets into the input as read (see [`crate::decode::Decoded::input_offset`]).

use crate::chars::is_ascii_space;
use std::collections::BTreeMap;

/// A half-open byte range `start..end` into a document's decoded text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end, "span {start}..{end} is reversed");
        Span { start, end }
    }

    pub fn len(self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The text this span covers.
    pub fn of(self, text: &str) -> &str {
        &text[self.start..self.end]
    }

    pub fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn overlaps(self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// The same span with leading and trailing whitespace of `text` removed.
    ///
    /// The white space of ASCII is stepped over a byte at a time, and the standard library's
    /// trims (a call each, decoding a character at a time) are left to the spans that meet a
    /// character beyond ASCII at either end: most spans trimmed, lines and sentences, start and
    /// end in ASCII, and most of them open and close with a visible ASCII byte, which no trim
    /// moves: two loads tell those.
    pub fn trim(self, text: &str) -> Span {
        let bytes = text.as_bytes();
        if self.start < self.end && bytes[self.start].is_ascii_graphic() && bytes[self.end - 1].is_ascii_graphic() {
            return self;
        }
        let mut start = self.start;
        while start < self.end && is_ascii_space(bytes[start]) {
            start += 1;
        }
        let mut end = self.end;
        while end > start && is_ascii_space(bytes[end - 1]) {
            end -= 1;
        }
        if end > start && !(bytes[start].is_ascii() && bytes[end - 1].is_ascii()) {
            let rest = text[start..end].trim_start();
            if rest.is_empty() {
                // Nothing but white space: an empty span at the end, as for ASCII.
                return Span::new(self.end, self.end);
            }
            start = end - rest.len();
            end = start + rest.trim_end().len();
        }
        Span::new(start, end)
    }
}

/// Spans that do not overlap one another, each with an id, for asking in O(log n) which of them
/// a new span overlaps.
#[derive(Debug, Default)]
pub struct SpanSet {
    /// start → (end, id)
    by_start: BTreeMap<usize, (usize, usize)>,
}

impl SpanSet {
    /// Adds a span that overlaps none already in the set.
    pub fn insert(&mut self, span: Span, id: usize) {
        debug_assert!(!self.overlaps(span), "{span:?} overlaps the set");
        self.by_start.insert(span.start, (span.end, id));
    }

    /// The spans of the set that overlap `span`, with their ids, last first.
    pub fn overlapping(&self, span: Span) -> impl Iterator<Item = (Span, usize)> + '_ {
        // Disjoint spans sorted by start also end in order: walking back from the last one that
        // starts before `span` ends, the first that ends before `span` starts ends the search.
        self.by_start
            .range(..span.end)
            .rev()
            .map(|(&start, &(end, id))| (Span::new(start, end), id))
            .take_while(move |(other, _)| other.end > span.start)
    }

    pub fn overlaps(&self, span: Span) -> bool {
        self.overlapping(span).next().is_some()
    }
}

/// A set of spans that overlap one another nowhere, built at once: spans that come in order
/// of start (a document's entities, mostly) are laid out in one pass, without the search and
/// rebalancing of an insertion each.
impl FromIterator<(Span, usize)> for SpanSet {
    fn from_iter<I: IntoIterator<Item = (Span, usize)>>(spans: I) -> SpanSet {
        let set = SpanSet { by_start: spans.into_iter().map(|(span, id)| (span.start, (span.end, id))).collect() };
        debug_assert!(
            set.by_start.iter().zip(set.by_start.iter().skip(1)).all(|((_, &(end, _)), (&next, _))| end <= next),
            "the spans overlap"
        );
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_set_finds_every_overlap_and_only_those() {
        let mut set = SpanSet::default();
        for (id, (start, end)) in [(0, 2), (3, 5), (5, 8), (10, 12)].into_iter().enumerate() {
            set.insert(Span::new(start, end), id);
        }
        let ids = |start, end| set.overlapping(Span::new(start, end)).map(|(_, id)| id).collect::<Vec<_>>();
        assert_eq!(ids(4, 11), [3, 2, 1]);
        assert_eq!(ids(2, 3), Vec::<usize>::new());
        assert_eq!(ids(0, 1), [0]);
        assert!(!set.overlaps(Span::new(8, 10)));
    }

    #[test]
    fn trim_removes_surrounding_whitespace_only() {
        let text = "  a b \u{a0}";
        let span = Span::new(0, text.len()).trim(text);
        assert_eq!(span.of(text), "a b");
        assert_eq!(Span::new(0, 2).trim(text), Span::new(2, 2));
    }

    proptest::proptest! {
        /// Trimming ASCII white space a byte at a time gives the span the standard library's
        /// trims give, wherever white space beyond ASCII stands.
        #[test]
        fn trim_is_the_standard_librarys_trim(text in "[ a\t\n\r\u{b}\u{c}\u{1c}\u{85}\u{a0}\u{e9}\u{2003}\u{3000}]{0,10}", from in 0usize..40, to in 0usize..40) {
            let at = |offset: usize| (0..=offset.min(text.len())).rev().find(|&at| text.is_char_boundary(at)).expect("0 is one");
            let (start, end) = (at(from.min(to)), at(from.max(to)));
            let slice = &text[start..end];
            let expected_start = start + (slice.len() - slice.trim_start().len());
            let expected = Span::new(expected_start, (start + slice.trim_end().len()).max(expected_start));
            proptest::prop_assert_eq!(Span::new(start, end).trim(&text), expected);
        }
    }

    #[test]
    fn overlap_is_half_open() {
        assert!(!Span::new(0, 3).overlaps(Span::new(3, 5)));
        assert!(Span::new(0, 4).overlaps(Span::new(3, 5)));
        assert!(Span::new(0, 5).contains(Span::new(3, 5)));
    }
}
