//! Half-open byte ranges into a document's decoded text.
//!
//! Every stage works on the decoded text and reports [`Span`]s into it; the record builder maps
//! them back to offsets into the input as read (see [`crate::decode::Decoded::input_offset`]).

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
    pub fn trim(self, text: &str) -> Span {
        let slice = self.of(text);
        let start = self.start + (slice.len() - slice.trim_start().len());
        let end = self.start + slice.trim_end().len();
        Span::new(start, end.max(start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_removes_surrounding_whitespace_only() {
        let text = "  a b \u{a0}";
        let span = Span::new(0, text.len()).trim(text);
        assert_eq!(span.of(text), "a b");
        assert_eq!(Span::new(0, 2).trim(text), Span::new(2, 2));
    }

    #[test]
    fn overlap_is_half_open() {
        assert!(!Span::new(0, 3).overlaps(Span::new(3, 5)));
        assert!(Span::new(0, 4).overlaps(Span::new(3, 5)));
        assert!(Span::new(0, 5).contains(Span::new(3, 5)));
    }
}
