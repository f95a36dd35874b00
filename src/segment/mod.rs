//! Lines, blocks and sentences, all as [`Span`]s into the decoded text.
//!
//! Scraped text rarely keeps its paragraphs intact: one line is usually one paragraph, a card or a
//! piece of page chrome, and sometimes a paragraph is hard-wrapped over several lines. So the unit
//! the boilerplate stage classifies is the *line*, and the unit sentences are found in is the
//! *block*: a run of kept lines where each line ends mid-sentence and the next one continues it in
//! lower case. Sentences come from Unicode sentence boundaries (UAX #29: a byte-level machine on
//! ASCII and common characters, unicode-segmentation around other characters, see
//! [`sentence_breaks`]), with guards from `rules/segment/` so that abbreviations such as "U.S."
//! or "Inc." and initials do not end a sentence. Numbers such as "$1.25B" and "3.5" never split:
//! UAX #29 already keeps a full stop between digits.

mod breaks;
mod sentences;

pub use breaks::sentence_breaks;

pub use sentences::Segmenter;

use crate::span::Span;

/// The content spans of every line, without their terminators (`\n`, `\r\n` or a lone `\r`).
/// A text ending in a line terminator has no empty last line; an empty text has no lines.
pub fn lines(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() / 64 + 1);
    let mut start = 0;
    for end in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        if end < start {
            continue; // the \n of a \r\n pair
        }
        out.push(Span::new(start, end));
        start = if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') { end + 2 } else { end + 1 };
    }
    if start < bytes.len() {
        out.push(Span::new(start, bytes.len()));
    }
    out
}

/// The indices of the `lines` of a text (see [`lines`]) that hold an occurrence of something
/// found by `find_end(from)`, in order, each once: `find_end` gives the end of the first
/// occurrence from byte `from` on, and an occurrence holds no line terminator, so it lies in the
/// first line that ends at or after its end. The search goes on from the end of each line found,
/// so that a line full of occurrences costs one call.
pub fn lines_holding(lines: &[Span], mut find_end: impl FnMut(usize) -> Option<usize>) -> impl Iterator<Item = usize> {
    let (mut line, mut from) = (0, 0);
    std::iter::from_fn(move || {
        let end = find_end(from)?;
        while lines.get(line).is_some_and(|holder| holder.end < end) {
            line += 1;
        }
        from = lines.get(line)?.end;
        Some(line)
    })
}

/// Whether a line holds nothing but whitespace.
pub fn is_blank(text: &str, line: Span) -> bool {
    line.of(text).trim().is_empty()
}

/// Groups kept lines into blocks. `kept[i]` says whether `lines[i]` survived boilerplate removal.
/// A line joins the next one when it stops mid-sentence and the next starts in lower case: the
/// mark of a hard-wrapped paragraph. Every other kept, non-blank line is a block of its own.
pub fn blocks(text: &str, lines: &[Span], kept: &[bool]) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    let mut joinable = false;
    for (i, &line) in lines.iter().enumerate() {
        if !kept[i] || is_blank(text, line) {
            joinable = false;
            continue;
        }
        let content = line.trim(text);
        let starts_lower = content.of(text).chars().next().is_some_and(char::is_lowercase);
        match out.last_mut() {
            Some(block) if joinable && starts_lower => block.end = content.end,
            _ => out.push(content),
        }
        joinable = ends_mid_sentence(content.of(text));
    }
    out
}

fn ends_mid_sentence(line: &str) -> bool {
    let last = line.chars().next_back();
    !line.starts_with('#') && last.is_some_and(|c| c.is_alphanumeric() || c == ',' || c == '-' || c == '\u{2013}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_holding_an_occurrence_are_each_found_once() {
        let text = "a x x\nb\r\nx\n\nc x\rx";
        let lines = lines(text);
        let mut calls = 0;
        let find_end = |from: usize| {
            calls += 1;
            text[from..].find('x').map(|at| from + at + 1)
        };
        assert_eq!(lines_holding(&lines, find_end).collect::<Vec<_>>(), [0, 2, 4, 5]);
        assert_eq!(calls, 5, "one search per line found, and one that finds nothing");
    }

    fn texts<'t>(text: &'t str, spans: &[Span]) -> Vec<&'t str> {
        spans.iter().map(|s| s.of(text)).collect()
    }

    #[test]
    fn lines_handle_every_terminator() {
        let text = "a\r\nb\rc\n\nd";
        assert_eq!(texts(text, &lines(text)), ["a", "b", "c", "", "d"]);
        assert_eq!(texts("x\n", &lines("x\n")), ["x"]);
        assert!(lines("").is_empty());
        assert_eq!(texts("\r\r", &lines("\r\r")), ["", ""]);
    }

    #[test]
    fn hard_wrapped_lines_join_but_headings_and_finished_lines_do_not() {
        let text = "Title Line\nThe deal was worth\nmore than expected.\nNext paragraph.\n# Heading\nlower start";
        let all = lines(text);
        let kept = vec![true; all.len()];
        assert_eq!(
            texts(text, &blocks(text, &all, &kept)),
            ["Title Line", "The deal was worth\nmore than expected.", "Next paragraph.", "# Heading", "lower start"]
        );
    }

    #[test]
    fn removed_lines_break_blocks() {
        let text = "The deal was worth\nShare this\nmore than expected.";
        let all = lines(text);
        assert_eq!(
            texts(text, &blocks(text, &all, &[true, false, true])),
            ["The deal was worth", "more than expected."]
        );
    }
}
