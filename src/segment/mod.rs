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
//! UAX #29 already keeps a full stop between digits. Images embedded in a page as data URIs are
//! left out of the blocks (see [`blocks`]): their payload is an encoded picture, not text.

mod breaks;
mod sentences;

pub use breaks::sentence_breaks;

pub use sentences::Segmenter;

use std::sync::LazyLock;

use memchr::memmem;

use crate::span::Span;

/// The content spans of every line, without their terminators (`\n`, `\r\n` or a lone `\r`).
/// A text ending in a line terminator has no empty last line; an empty text has no lines.
///
/// The terminators are found sixty-four bytes at a time and taken from a mask, so that a page
/// of short lines costs a few instructions a line; a search per line paid a call's set-up each.
pub fn lines(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    // Room for a line every thirty-two bytes: pages of short lines outgrew one every sixty-four
    // and were copied as they grew.
    let mut out = Vec::with_capacity(bytes.len() / 32 + 1);
    let mut start = 0;
    for chunk_at in (0..bytes.len()).step_by(64) {
        let mut terminators = line_terminators_in_64(bytes, chunk_at);
        while terminators != 0 {
            let end = chunk_at + terminators.trailing_zeros() as usize;
            terminators &= terminators - 1;
            if end < start {
                continue; // the \n of a \r\n pair
            }
            out.push(Span::new(start, end));
            start = if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') { end + 2 } else { end + 1 };
        }
    }
    if start < bytes.len() {
        out.push(Span::new(start, bytes.len()));
    }
    out
}

/// Which of the sixty-four bytes of `bytes` from `at` on are `\n` or `\r`: bit `i` for
/// `bytes[at + i]`, none past the end.
#[inline(always)]
fn line_terminators_in_64(bytes: &[u8], at: usize) -> u64 {
    match bytes.get(at..at + 64) {
        Some(block) => line_terminators(block.try_into().expect("sixty-four bytes")),
        None => {
            // The last bytes of a text, padded with bytes that are no terminator.
            let rest = &bytes[at..];
            let mut block = [0; 64];
            block[..rest.len()].copy_from_slice(rest);
            line_terminators(&block)
        }
    }
}

/// Which of the sixty-four bytes of `block` are `\n` or `\r`: bit `i` for `block[i]`. Two
/// SSE2 comparisons for each sixteen bytes.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn line_terminators(block: &[u8; 64]) -> u64 {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
    // SAFETY: SSE2 is part of every x86-64 processor (the baseline the target is compiled
    // for), and each unaligned load reads sixteen of the sixty-four bytes of `block`.
    unsafe {
        let (newline, carriage_return) = (_mm_set1_epi8(b'\n' as i8), _mm_set1_epi8(b'\r' as i8));
        (0..4).fold(0, |mask, quarter| {
            let bytes = _mm_loadu_si128(block.as_ptr().add(16 * quarter).cast());
            let terminators = _mm_or_si128(_mm_cmpeq_epi8(bytes, newline), _mm_cmpeq_epi8(bytes, carriage_return));
            mask | u64::from(_mm_movemask_epi8(terminators) as u16) << (16 * quarter)
        })
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn line_terminators(block: &[u8; 64]) -> u64 {
    line_terminators_by_byte(block)
}

/// [`line_terminators`] a byte at a time.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn line_terminators_by_byte(block: &[u8; 64]) -> u64 {
    (0..64).filter(|&index| matches!(block[index], b'\n' | b'\r')).fold(0, |mask, index| mask | 1 << index)
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
///
/// The data URIs of embedded images (see [`embedded_images`]) are cut out of the blocks, which
/// go on either side of them: a kept line of prose that carries a tracking pixel or an icon
/// keeps its sentences, and its payload no longer reads as names (`R0lGODlhAQABAIAAAP`), claims
/// of base64 or money figures. The lines that are mostly payload are removed whole as
/// boilerplate, and their payloads are not read again: an image lies within a line (its
/// characters hold no line break), so only the kept lines are searched, not the text.
pub fn blocks(text: &str, lines: &[Span], kept: &[bool]) -> Vec<Span> {
    let (blocks, first) = blocks_of_lines(text, lines, kept);
    let Some(first) = first else { return blocks };
    let mut out = Vec::with_capacity(blocks.len());
    for block in blocks {
        if block.end <= first {
            out.push(block);
            continue;
        }
        let mut rest = block.start;
        for image in embedded_images(text, block) {
            push_unless_blank(text, Span::new(rest, image.start.max(rest)), &mut out);
            rest = image.end.min(block.end);
        }
        push_unless_blank(text, Span::new(rest, block.end), &mut out);
    }
    out
}

fn push_unless_blank(text: &str, span: Span, out: &mut Vec<Span>) {
    let trimmed = span.trim(text);
    if !trimmed.is_empty() {
        out.push(trimmed);
    }
}

/// What opens the data URI of an embedded image.
const SCHEME: &[u8] = b"data:image/";

/// Built once for every document, not once for each.
static SCHEME_FINDER: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new(SCHEME));

/// The data URIs of images embedded in `text` (`data:image/png;base64,iVBOR…`,
/// `data:image/svg+xml,%3Csvg…`) that start within `within`, each with the brackets of the
/// markdown image around it when it has them, in order. The payload runs over the characters of
/// base64 (standard and URL-safe) and of percent-encoding (with the unreserved `.`, `_` and
/// `~`); an unencoded SVG is cut only up to its first other character.
fn embedded_images(text: &str, within: Span) -> impl Iterator<Item = Span> + '_ {
    let bytes = text.as_bytes();
    let mut from = within.start;
    std::iter::from_fn(move || {
        loop {
            let at = from + SCHEME_FINDER.find(&bytes[from..within.end.max(from)])?;
            from = at + SCHEME.len();
            let Some(end) = data_uri_end(bytes, from) else { continue };
            from = end;
            let start = if at > 0 && bytes[at - 1] == b'(' { at - 1 } else { at };
            let end = if bytes.get(end) == Some(&b')') { end + 1 } else { end };
            return Some(Span::new(start, end));
        }
    })
}

/// Where the data URI whose media subtype starts at `at` (past `data:image/`) ends: after its
/// subtype `[A-Za-z0-9.+-]+`, its parameters `(;[A-Za-z0-9.+=-]+)*`, its comma and its payload
/// `[A-Za-z0-9+/=%._~-]*`; `None` when it breaks that form before its comma.
fn data_uri_end(bytes: &[u8], at: usize) -> Option<usize> {
    let run = |from: usize, allowed: fn(u8) -> bool| from + bytes[from..].iter().take_while(|&&b| allowed(b)).count();
    let subtype_end = run(at, |b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-'));
    if subtype_end == at {
        return None;
    }
    let mut at = subtype_end;
    while bytes.get(at) == Some(&b';') {
        let end = run(at + 1, |b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'=' | b'-'));
        if end == at + 1 {
            return None;
        }
        at = end;
    }
    (bytes.get(at) == Some(&b',')).then(|| {
        run(at + 1, |b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'%' | b'.' | b'_' | b'~' | b'-'))
    })
}

/// The blocks of the kept lines, not yet cut around images (see [`blocks`]), and where the first
/// [`SCHEME`] in them starts.
///
/// The blocks between two removed lines are searched for the scheme as one stretch, since only
/// blank lines lie between them: about three searches a page, over the third of its bytes that
/// is kept, where one search of the whole text read the removed lines too (most of a page) and
/// a search of each block paid a call's set-up for each.
fn blocks_of_lines(text: &str, lines: &[Span], kept: &[bool]) -> (Vec<Span>, Option<usize>) {
    let mut out: Vec<Span> = Vec::with_capacity(lines.len());
    let mut joinable = false;
    // The first of the blocks since the last removed line.
    let mut stretch = 0;
    let mut first = None;
    let mut search = |blocks: &[Span]| {
        if let (None, Some(start), Some(end)) = (first, blocks.first(), blocks.last()) {
            first = SCHEME_FINDER.find(&text.as_bytes()[start.start..end.end]).map(|at| start.start + at);
        }
    };
    for (&line, &kept) in lines.iter().zip(kept) {
        if !kept {
            search(&out[stretch..]);
            stretch = out.len();
            joinable = false;
            continue;
        }
        // Most blank lines are empty, and an empty line needs no trimming to tell.
        let content = if line.is_empty() { line } else { line.trim(text) };
        if content.is_empty() {
            joinable = false;
            continue;
        }
        let starts_lower = content.of(text).chars().next().is_some_and(char::is_lowercase);
        match out.last_mut() {
            Some(block) if joinable && starts_lower => block.end = content.end,
            _ => out.push(content),
        }
        joinable = ends_mid_sentence(content.of(text));
    }
    search(&out[stretch..]);
    (out, first)
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

    /// [`lines`] the plain way, a byte at a time.
    fn lines_byte_by_byte(text: &str) -> Vec<Span> {
        let bytes = text.as_bytes();
        let (mut out, mut start, mut at) = (Vec::new(), 0, 0);
        while at < bytes.len() {
            match bytes[at] {
                b'\r' | b'\n' => {
                    out.push(Span::new(start, at));
                    at += if bytes[at..].starts_with(b"\r\n") { 2 } else { 1 };
                    start = at;
                }
                _ => at += 1,
            }
        }
        if start < bytes.len() {
            out.push(Span::new(start, bytes.len()));
        }
        out
    }

    proptest::proptest! {
        /// Lines found sixteen bytes at a time are the lines found a byte at a time, whatever
        /// the terminators and wherever they fall against the sixteen-byte chunks.
        #[test]
        fn lines_are_the_lines_found_a_byte_at_a_time(text in "[ab\u{e9}\r\n]{0,300}") {
            proptest::prop_assert_eq!(lines(&text), lines_byte_by_byte(&text));
        }

        #[test]
        fn line_terminators_by_vector_and_by_byte_agree(block in proptest::array::uniform::<_, 64>(proptest::prop_oneof![proptest::strategy::Just(b'\n'), proptest::strategy::Just(b'\r'), proptest::num::u8::ANY])) {
            proptest::prop_assert_eq!(line_terminators(&block), line_terminators_by_byte(&block));
        }
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
    fn embedded_images_are_cut_out_of_the_blocks_around_them() {
        let text = "![Cranes](data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==) Maersk signed up,\nsaid the port. <img src=\"data:image/svg+xml,%3Csvg%2F%3E\"> Volumes fell.\n](data:image/png;base64,iVBORw0KGgo=)";
        let all = lines(text);
        let kept = vec![true; all.len()];
        assert_eq!(
            texts(text, &blocks(text, &all, &kept)),
            ["![Cranes]", "Maersk signed up,\nsaid the port. <img src=\"", "\"> Volumes fell.", "]"]
        );
    }

    /// [`embedded_images`] as the regex it stands for finds them.
    fn embedded_images_by_regex(text: &str) -> Vec<Span> {
        let image =
            regex::Regex::new(r"\(?data:image/[A-Za-z0-9.+-]+(?:;[A-Za-z0-9.+=-]+)*,[A-Za-z0-9+/=%._~-]*\)?").unwrap();
        image.find_iter(text).map(|found| Span::new(found.start(), found.end())).collect()
    }

    proptest::proptest! {
        /// The hand-written scan finds the data URIs the regex finds, wherever their parts break
        /// off or run into one another.
        #[test]
        fn embedded_images_are_found_where_the_regex_finds_them(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "data:image/", "png", "svg+xml", ";base64", ";", "=", ",", "iVBOR/+", "%3C", "(", ")", " ", "\u{e9}", "\n", "x",
            ]), 0..24)
        ) {
            let text = parts.concat();
            proptest::prop_assert_eq!(
                embedded_images(&text, Span::new(0, text.len())).collect::<Vec<_>>(),
                embedded_images_by_regex(&text)
            );
        }

        /// Blocks with images cut out are the blocks of the lines less the images: every byte of
        /// a block lies in a block of the lines and in no image, and every non-blank byte of the
        /// lines' blocks outside the images lies in a block.
        #[test]
        fn blocks_leave_out_exactly_the_embedded_images(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "data:image/png;base64,", "iVBOR", "(", ")", " ", "\n", "said the port", "a", ".",
            ]), 0..24),
            removed in proptest::collection::vec(proptest::bool::ANY, 24),
        ) {
            let text = parts.concat();
            let all = lines(&text);
            let kept: Vec<bool> = (0..all.len()).map(|line| !removed[line % removed.len()]).collect();
            let images = embedded_images_by_regex(&text);
            let cut = blocks(&text, &all, &kept);
            let in_image = |at: usize| images.iter().any(|image| image.start <= at && at < image.end);
            let in_blocks = |blocks: &[Span], at: usize| blocks.iter().any(|block| block.start <= at && at < block.end);
            let (whole, _) = blocks_of_lines(&text, &all, &kept);
            for at in 0..text.len() {
                let expected = in_blocks(&whole, at) && !in_image(at) && !text.as_bytes()[at].is_ascii_whitespace();
                if expected {
                    proptest::prop_assert!(in_blocks(&cut, at), "byte {} of {:?} left out of {:?}", at, text, cut);
                }
                if in_blocks(&cut, at) {
                    proptest::prop_assert!(in_blocks(&whole, at) && !in_image(at), "byte {} of {:?} in {:?}", at, text, cut);
                }
            }
            proptest::prop_assert!(cut.iter().all(|block| !block.is_empty() && block.trim(&text) == *block));
        }
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
