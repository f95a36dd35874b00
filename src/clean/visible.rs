//! A line as a reader sees it: markdown links reduced to their anchor text, images and bare URLs
//! dropped, and how much of what remains was link text.

use std::sync::LazyLock;

use regex::Regex;
use regex_automata::nfa::thompson;
use regex_automata::util::pool::{Pool, PoolGuard};
use regex_automata::{Anchored, Input};

#[cfg(target_arch = "x86_64")]
use crate::chars::wide_first_marked;
#[cfg(test)]
use crate::chars::{ALPHANUMERIC, ASCII_CLASS};
use crate::chars::{SPACE, class_at, equal_bytes, first_marked, sixteen_at};
use crate::rules::lazy::{self, LazyCache, LazyDfa};
use crate::span::Span;

/// `[text](url)` or `![alt](url)`, without nested brackets: nested links are undone from the inside
/// out by applying it repeatedly. Anchored: it is tried only where a link can start (see
/// [`markdown_links`]), which spares the search for the `](` inside every link and the way back
/// from there to its start that an unanchored search takes.
const MARKDOWN_LINK_HERE: &str = r#"^!?\[[^\[\]]*\]\(\s*<?[^()\s]*(?:\([^()\s]*\)[^()\s]*)*>?(?:\s+"[^"]*")?\s*\)"#;

/// [`MARKDOWN_LINK_HERE`] as a forward lazy DFA, searched from each place a link may start: an
/// anchored search of it finds where the link ends, which is all a search needs to find, without
/// the layers of the general engine that cost more than the search on a line's short links.
static LINK_DFA: LazyLock<LazyDfa> = LazyLock::new(|| {
    let nfa = thompson::Compiler::new()
        .configure(lazy::without_captures(1 << 20))
        .build(MARKDOWN_LINK_HERE)
        .expect("the link pattern compiles");
    LazyDfa::builder().build_from_nfa(nfa).expect("the link pattern has a lazy DFA")
});

/// The caches of [`LINK_DFA`], one per thread at work.
static LINK_CACHES: LazyLock<Pool<LazyCache, fn() -> LazyCache>> =
    LazyLock::new(|| Pool::new(|| LINK_DFA.create_cache()));

/// A cache for [`visible_line`] to search links with, for the lines of a document.
pub fn link_cache() -> PoolGuard<'static, LazyCache, fn() -> LazyCache> {
    LINK_CACHES.get()
}

/// How many times to undo one level of link nesting (`[ ![logo](a.png) ](/)` needs two).
const MAX_NESTING: usize = 3;

#[derive(Debug, PartialEq)]
pub struct VisibleLine<'a> {
    /// The raw line itself when it had nothing to undo, else its visible form in the
    /// [`Scratch`] it was written to.
    pub text: &'a str,
    /// Whether links or URLs were undone: `text` is not the raw line.
    pub undone: bool,
    /// Non-space characters of `text` that came from link anchor text.
    pub link_chars: usize,
    /// Markdown images and links that were undone.
    pub links: usize,
}

impl VisibleLine<'_> {
    /// Share of the `chars` non-space characters of `text` (counted by the caller) that are
    /// link text; a line of nothing but links (or images) is 1.
    pub fn link_share(&self, chars: usize) -> f64 {
        if chars == 0 {
            return if self.links > 0 { 1.0 } else { 0.0 };
        }
        self.link_chars.min(chars) as f64 / chars as f64
    }
}

/// Where [`visible_line`] writes the lines it undoes, kept from line to line (and by `classify`
/// from one document to the next): the two buffers take turns as the text read and the text
/// written, and grow to the longest line once.
#[derive(Debug, Default)]
pub struct Scratch {
    text: String,
    spare: String,
}

impl Scratch {
    /// The bytes the buffers hold room for.
    pub fn capacity(&self) -> usize {
        self.text.capacity() + self.spare.capacity()
    }
}

/// The visible form of one raw line, which holds `marks` (see [`line_marks`]); `cache` (see
/// [`link_cache`]) searches its links, and `scratch` holds the text when it is not the raw line.
pub fn visible_line<'a>(
    raw: &'a str,
    marks: Marks,
    cache: &mut LazyCache,
    scratch: &'a mut Scratch,
) -> VisibleLine<'a> {
    let Scratch { text, spare } = scratch;
    let mut undone = false;
    let mut link_chars = 0;
    let mut links = 0;
    let mut marks = marks;
    if marks.link {
        for _ in 0..MAX_NESTING {
            let source: &str = if undone { text } else { raw };
            spare.clear();
            let mut copied = 0;
            for Link { whole, anchor } in markdown_links(source, cache) {
                spare.push_str(&source[copied..whole.start]);
                copied = whole.end;
                links += 1;
                if source.as_bytes()[whole.start] != b'!' {
                    let anchor = Span::new(anchor.start, anchor.end).trim(source).of(source);
                    link_chars += non_space_chars(anchor);
                    spare.push(' ');
                    spare.push_str(anchor);
                    spare.push(' ');
                }
            }
            if copied == 0 {
                break;
            }
            spare.push_str(&source[copied..]);
            std::mem::swap(text, spare);
            undone = true;
            // Undoing links may take URLs away or, by joining the text around an image, make one.
            marks = Marks::of(text);
            // A link needs `](`: without one left, another pass would find nothing.
            if !marks.link {
                break;
            }
        }
    }
    if marks.url {
        let source: &str = if undone { text } else { raw };
        let mut urls = bare_urls(source).peekable();
        if urls.peek().is_some() {
            spare.clear();
            let mut copied = 0;
            for url in urls {
                spare.push_str(&source[copied..url.start]);
                copied = url.end;
            }
            spare.push_str(&source[copied..]);
            std::mem::swap(text, spare);
            undone = true;
        }
    }
    let text: &'a String = text;
    VisibleLine { text: if undone { text } else { raw }, undone, link_chars, links }
}

/// The bare URLs of `text`, left to right: the matches of `(?:https?://|www\.)\S+` that an
/// unanchored search finds. Each starts with its `https://`, `http://` or `www.`, found from its
/// `:` or `.` (those of two URLs come in the order of their starts, as the prefixes cannot
/// overlap), and runs to the next white space.
fn bare_urls(text: &str) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while let Some(offset) = memchr::memchr2(b':', b'.', &bytes[at..]) {
            let mark = at + offset;
            at = mark + 1;
            let (start, body) = match bytes[mark] {
                b':' if bytes[mark..].starts_with(b"://") => match &bytes[..mark] {
                    before if before.ends_with(b"https") => (mark - 5, mark + 3),
                    before if before.ends_with(b"http") => (mark - 4, mark + 3),
                    _ => continue,
                },
                b'.' if bytes[..mark].ends_with(b"www") => (mark - 3, mark + 1),
                _ => continue,
            };
            // `\S+`: at least one character that is not white space, then all up to the next.
            let mut end = body;
            while end < bytes.len() {
                let (class, width) = class_at(text, end);
                if class == SPACE {
                    break;
                }
                end += width;
            }
            if end > body {
                at = end;
                return Some(start..end);
            }
        }
        None
    })
}

/// What a line holds of the markup that `visible_line` undoes: a link's `](`, and a URL's
/// `://` or `www.`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Marks {
    link: bool,
    url: bool,
}

/// The [`Marks`] of each of `lines` (spans of `text`, in order, none overlapping), found in one
/// pass over the whole text for the three marks at once (see [`mark_pairs_from`]) that goes on
/// past the end of a line once both of its marks are found: most lines hold none, one vectorised
/// pass over a document costs a fraction of the calls a search line by line makes, and a search
/// per mark read the text three times. A mark holds no white space, so one in a line lies in the
/// line trimmed.
pub fn line_marks(text: &str, lines: &[Span]) -> Vec<Marks> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2.
        return unsafe { wide_line_marks(text, lines) };
    }
    marks_of_lines(text, lines, mark_pairs_from)
}

/// [`line_marks`] read thirty-two bytes at a time with AVX2, half the steps of sixteen.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn wide_line_marks(text: &str, lines: &[Span]) -> Vec<Marks> {
    marks_of_lines(text, lines, |bytes, from| wide_mark_pairs_from(bytes, from))
}

/// [`line_marks`] with `pairs_from` for [`mark_pairs_from`]. Every pair of a chunk is taken
/// from the one read of it: a line of many links holds a `](` every few bytes.
#[inline(always)]
fn marks_of_lines(
    text: &str,
    lines: &[Span],
    pairs_from: impl Fn(&[u8], usize) -> Option<(usize, u32, usize)>,
) -> Vec<Marks> {
    let mut marks = vec![Marks::default(); lines.len()];
    let bytes = text.as_bytes();
    let (mut line, mut from) = (0, 0);
    'chunks: while let Some((at, mut pairs, next)) = pairs_from(bytes, from) {
        from = next;
        while pairs != 0 {
            let pair = at + pairs.trailing_zeros() as usize;
            pairs &= pairs - 1;
            let Some((end, link)) = mark_at(bytes, pair) else { continue };
            // The mark holds no line terminator: it lies in the first line that ends at or
            // after its end.
            while lines.get(line).is_some_and(|holder| holder.end < end) {
                line += 1;
            }
            let Some(holder) = lines.get(line) else { break 'chunks };
            let found = &mut marks[line];
            if link {
                found.link = true;
            } else {
                found.url = true;
            }
            if found.link && found.url {
                // The pairs of the chunk before the end of the line tell no more.
                match holder.end - at {
                    skip @ ..32 => pairs &= u32::MAX << skip,
                    _ => {
                        pairs = 0;
                        from = holder.end;
                    }
                }
            }
        }
    }
    marks
}

/// The mark that the pair of [`mark_pairs_from`] at byte `pair` of `bytes` starts, if it starts
/// one: where the mark ends, and whether it is a link's.
#[inline(always)]
fn mark_at(bytes: &[u8], pair: usize) -> Option<(usize, bool)> {
    match bytes[pair] {
        b']' => Some((pair + 2, true)),
        b':' if bytes.get(pair + 2) == Some(&b'/') => Some((pair + 3, false)),
        b'w' if bytes[..pair].ends_with(b"ww") => Some((pair + 2, false)),
        _ => None,
    }
}

/// [`Marks::of`] with AVX2: the pairs of [`mark_pairs_from`] of each 32 bytes, and of the last
/// 32 read again where they overlap the bytes before (a text shorter than that is padded), in
/// place of a tail read sixteen bytes at a time and padded.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn wide_marks_of(bytes: &[u8]) -> Marks {
    let mut marks = Marks::default();
    let pairs_at = |at: usize| {
        let chunk: &[u8; 33] = bytes[at..at + 33].try_into().expect("33 bytes");
        wide_mark_pairs(chunk.first_chunk().expect("32 bytes"), chunk.last_chunk().expect("32 bytes"))
    };
    let len = bytes.len();
    if len < 33 {
        // Zeros past the end, which are part of no pair.
        let mut padded = [0; 48];
        for (at, sixteen) in padded.chunks_exact_mut(16).enumerate() {
            sixteen.copy_from_slice(&sixteen_at(bytes, (16 * at).min(len), 0));
        }
        let chunk: &[u8; 33] = padded[..33].try_into().expect("33 bytes");
        let pairs = wide_mark_pairs(chunk.first_chunk().expect("32 bytes"), chunk.last_chunk().expect("32 bytes"));
        add_marks(bytes, 0, pairs, &mut marks);
        return marks;
    }
    let mut at = 0;
    while at + 33 <= len {
        if add_marks(bytes, at, pairs_at(at), &mut marks) {
            return marks;
        }
        at += 32;
    }
    // A pair starts at most at the last byte but one.
    if at + 1 < len {
        let last = len - 33;
        add_marks(bytes, last, pairs_at(last) & (u32::MAX << (at - last)), &mut marks);
    }
    marks
}

/// Adds to `marks` those of the pairs `pairs` of `bytes` (bit `i` for a pair at byte `at + i`);
/// whether both are found.
#[inline(always)]
fn add_marks(bytes: &[u8], at: usize, mut pairs: u32, marks: &mut Marks) -> bool {
    while pairs != 0 {
        let pair = at + pairs.trailing_zeros() as usize;
        pairs &= pairs - 1;
        match mark_at(bytes, pair) {
            Some((_, true)) => marks.link = true,
            Some((_, false)) => marks.url = true,
            None => {}
        }
    }
    marks.link && marks.url
}

/// [`mark_pairs_from`] thirty-two bytes at a time, the last few bytes sixteen at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn wide_mark_pairs_from(bytes: &[u8], from: usize) -> Option<(usize, u32, usize)> {
    let mut at = from;
    while let Some(thirty_three) = bytes.get(at..).and_then(<[u8]>::first_chunk::<33>) {
        let (first, second) = (thirty_three.first_chunk::<32>(), thirty_three.last_chunk::<32>());
        let found = wide_mark_pairs(first.expect("32 bytes"), second.expect("32 bytes"));
        if found != 0 {
            return Some((at, found, at + 32));
        }
        at += 32;
    }
    mark_pairs_from(bytes, at)
}

/// [`mark_pairs`] of 32 bytes with AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn wide_mark_pairs(first: &[u8; 32], second: &[u8; 32]) -> u32 {
    use std::arch::x86_64::{
        _mm256_and_si256, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256,
        _mm256_set1_epi8,
    };
    // SAFETY: the unaligned loads read the 32 bytes of `first` and `second`, no more.
    let (first, second) =
        unsafe { (_mm256_loadu_si256(first.as_ptr().cast()), _mm256_loadu_si256(second.as_ptr().cast())) };
    let pair = |one: u8, two: u8| {
        _mm256_and_si256(
            _mm256_cmpeq_epi8(first, _mm256_set1_epi8(one as i8)),
            _mm256_cmpeq_epi8(second, _mm256_set1_epi8(two as i8)),
        )
    };
    _mm256_movemask_epi8(_mm256_or_si256(_mm256_or_si256(pair(b']', b'('), pair(b':', b'/')), pair(b'w', b'.'))) as u32
}

/// The first chunk at or after `from` in which two bytes of `bytes` may start a mark: `](`,
/// `:/` (of `://`) or `w.` (the end of `www.`), which prose holds few of. Two chunks of sixteen
/// bytes one byte apart are read at a time (see [`mark_pairs`]); the bytes past the end read as
/// zero, which is part of no pair. The chunk's start, its pairs (bit `i` for the byte `i` on)
/// and where the next chunk starts.
fn mark_pairs_from(bytes: &[u8], from: usize) -> Option<(usize, u32, usize)> {
    let mut at = from;
    while let Some(seventeen) = bytes.get(at..).and_then(<[u8]>::first_chunk::<17>) {
        let (first, second) = (seventeen.first_chunk::<16>(), seventeen.last_chunk::<16>());
        let found = mark_pairs(first.expect("sixteen bytes"), second.expect("sixteen bytes"));
        if found != 0 {
            return Some((at, found, at + 16));
        }
        at += 16;
    }
    if at >= bytes.len() {
        return None;
    }
    let found = mark_pairs(&sixteen_at(bytes, at, 0), &sixteen_at(bytes, at + 1, 0));
    (found != 0).then_some((at, found, at + 16))
}

/// Where a pair of [`mark_pairs_from`] starts in `first`, whose bytes `second` holds one byte
/// on: bit `i` when `first[i]` and `second[i]` are one. A few SSE2 comparisons.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn mark_pairs(first: &[u8; 16], second: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{
        _mm_and_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of every x86-64 processor (the baseline the target is compiled
    // for), and the unaligned loads read the sixteen bytes of `first` and `second`, no more.
    unsafe {
        let (first, second) = (_mm_loadu_si128(first.as_ptr().cast()), _mm_loadu_si128(second.as_ptr().cast()));
        let pair = |one: u8, two: u8| {
            _mm_and_si128(
                _mm_cmpeq_epi8(first, _mm_set1_epi8(one as i8)),
                _mm_cmpeq_epi8(second, _mm_set1_epi8(two as i8)),
            )
        };
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(pair(b']', b'('), pair(b':', b'/')), pair(b'w', b'.'))) as u32
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn mark_pairs(first: &[u8; 16], second: &[u8; 16]) -> u32 {
    mark_pairs_by_byte(first, second)
}

/// [`mark_pairs`] a byte at a time.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn mark_pairs_by_byte(first: &[u8; 16], second: &[u8; 16]) -> u32 {
    let starts = |index: usize| matches!((first[index], second[index]), (b']', b'(') | (b':', b'/') | (b'w', b'.'));
    (0..16).filter(|&index| starts(index)).fold(0, |mask, index| mask | 1 << index)
}

impl Marks {
    /// The marks of one text: one vectorised pass over the bytes that may be part of one (`]`,
    /// `:`, `.`), which prose holds few of, answers for the three, where a substring search a
    /// piece reads the text three times. With AVX2, one pass over its pairs (see
    /// [`wide_marks_of`]): the `.` of anchor text and addresses are not few, and the search paid
    /// a call's setting out at each.
    fn of(text: &str) -> Marks {
        let bytes = text.as_bytes();
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2.
            return unsafe { wide_marks_of(bytes) };
        }
        Marks::searched(bytes)
    }

    /// [`Marks::of`] without AVX2: a search for the bytes that may be part of a mark.
    fn searched(bytes: &[u8]) -> Marks {
        let mut marks = Marks { link: false, url: false };
        for at in memchr::memchr3_iter(b']', b':', b'.', bytes) {
            match bytes[at] {
                b']' => marks.link |= bytes.get(at + 1) == Some(&b'('),
                b':' => marks.url |= bytes[at + 1..].starts_with(b"//"),
                _ => marks.url |= bytes[..at].ends_with(b"www"),
            }
            if marks.link && marks.url {
                break;
            }
        }
        marks
    }
}

/// A markdown link or image found in a text: its bytes, and those of its anchor text (from the
/// first `[` to the first `]`, which the link pattern makes exact: the anchor holds no bracket).
struct Link {
    whole: std::ops::Range<usize>,
    anchor: std::ops::Range<usize>,
}

/// The markdown links of `text`, left to right, none overlapping the next: the matches an
/// unanchored search for the link pattern finds. A link starts at a `[`, or at the `!` before
/// it (an image), which comes first; the anchored pattern is tried there only.
fn markdown_links<'t>(text: &'t str, cache: &'t mut LazyCache) -> impl Iterator<Item = Link> + 't {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        // The next `[` is mostly a few bytes on from the last link: read in place, where the
        // call to a search costs more than the read.
        while let Some(open) = first_marked(bytes, at, |chunk| equal_bytes(chunk, b'[')) {
            // An image is a link led by `!`: one starts at the `!` exactly when a link starts at
            // the `[`, and the `!` comes first.
            let start = if open > at && bytes[open - 1] == b'!' { open - 1 } else { open };
            if let Some((end, close)) = link_end(&text[start..], cache) {
                at = start + end;
                return Some(Link { whole: start..at, anchor: open + 1..start + close });
            }
            at = open + 1;
        }
        None
    })
}

/// Where the link at the start of `text` ends, if one starts there: the end of the match of
/// [`MARKDOWN_LINK_HERE`] that the regex engine finds (leftmost-first), and where its anchor
/// text ends (the first `]`).
///
/// The anchor text admits of one reading only: it runs from the `[` to the first bracket, which
/// must be a `]` followed by `(`. Most links then hold a plain address (ASCII marks, letters and
/// digits, no white space or bracket) closed by `)`, perhaps after a title in double quotes set
/// off by spaces or tabs: the greedy reading of the pattern ends there, and a leftmost-first
/// match takes the first reading that succeeds. Every other link (white space but for a title,
/// brackets or bytes beyond ASCII in its address) is left to the DFA, walked from the link's
/// start; the engine itself is asked should the DFA not go on, which it always does: it has no
/// quit bytes and never gives up.
fn link_end(text: &str, cache: &mut LazyCache) -> Option<(usize, usize)> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2.
        return unsafe { wide_link_end(text, cache) };
    }
    link_end_with(text, cache, anchor_stop, address_stop)
}

/// [`link_end`] with its anchor text and address read thirty-two bytes at a time with AVX2:
/// half the steps of sixteen over an address, which often runs to fifty bytes or more.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn wide_link_end(text: &str, cache: &mut LazyCache) -> Option<(usize, usize)> {
    link_end_with(
        text,
        cache,
        |bytes, from| wide_first_marked(bytes, from, |chunk| wide_anchor_stops(chunk), anchor_stops),
        |bytes, from| wide_first_marked(bytes, from, |chunk| wide_address_stops(chunk), address_stops),
    )
}

/// [`link_end`] with `anchor_stop` for [`anchor_stop`] and `address_stop` for [`address_stop`].
#[inline(always)]
fn link_end_with(
    text: &str,
    cache: &mut LazyCache,
    anchor_stop: impl Fn(&[u8], usize) -> Option<usize>,
    address_stop: impl Fn(&[u8], usize) -> Option<usize>,
) -> Option<(usize, usize)> {
    static LINK_REGEX: LazyLock<Regex> = LazyLock::new(|| Regex::new(MARKDOWN_LINK_HERE).unwrap());
    let bytes = text.as_bytes();
    let open = usize::from(bytes.first() == Some(&b'!'));
    if bytes.get(open) != Some(&b'[') {
        return None;
    }
    let close = anchor_stop(bytes, open + 1)?;
    if bytes[close] != b']' || bytes.get(close + 1) != Some(&b'(') {
        return None;
    }
    let address = close + 2;
    // The address is plain up to its first `)`, `(` or space when every byte before is
    // printable ASCII: the first byte that is a bracket or not printable tells both. None at
    // all leaves no `)` to close a link.
    let after = address_stop(bytes, address)?;
    match bytes[after] {
        b')' => return Some((after + 1, close)),
        // A title: white space, text in double quotes, white space, `)`.
        b' ' => {
            let spaces =
                |from: usize| from + bytes[from..].iter().take_while(|&&byte| matches!(byte, b' ' | b'\t')).count();
            let quote = spaces(after);
            if bytes.get(quote) == Some(&b'"')
                && let Some(length) = memchr::memchr(b'"', &bytes[quote + 1..])
            {
                let end = spaces(quote + 1 + length + 1);
                if bytes.get(end) == Some(&b')') {
                    return Some((end + 1, close));
                }
            }
        }
        // `(`, or an address that is not plain.
        _ => {}
    }
    let end = match LINK_DFA.try_search_fwd(cache, &Input::new(text).anchored(Anchored::Yes)) {
        Ok(found) => found.map(|found| found.offset()),
        Err(_) => LINK_REGEX.find(text).map(|found| found.end()),
    };
    end.map(|end| (end, close))
}

/// [`anchor_stops`] of 32 bytes with AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn wide_anchor_stops(chunk: &[u8; 32]) -> u32 {
    use std::arch::x86_64::{
        _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8,
    };
    // SAFETY: the unaligned load reads the 32 bytes of `chunk`, no more.
    let bytes = unsafe { _mm256_loadu_si256(chunk.as_ptr().cast()) };
    _mm256_movemask_epi8(_mm256_or_si256(
        _mm256_cmpeq_epi8(bytes, _mm256_set1_epi8(b'[' as i8)),
        _mm256_cmpeq_epi8(bytes, _mm256_set1_epi8(b']' as i8)),
    )) as u32
}

/// [`address_stops`] of 32 bytes with AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn wide_address_stops(chunk: &[u8; 32]) -> u32 {
    use std::arch::x86_64::{
        _mm256_and_si256, _mm256_cmpeq_epi8, _mm256_cmpgt_epi8, _mm256_loadu_si256, _mm256_movemask_epi8,
        _mm256_or_si256, _mm256_set1_epi8,
    };
    // SAFETY: the unaligned load reads the 32 bytes of `chunk`, no more.
    let bytes = unsafe { _mm256_loadu_si256(chunk.as_ptr().cast()) };
    // As in `address_stops`: printable ASCII is above the space and below DEL as signed bytes.
    let printable = _mm256_and_si256(
        _mm256_cmpgt_epi8(bytes, _mm256_set1_epi8(b' ' as i8)),
        _mm256_cmpgt_epi8(_mm256_set1_epi8(0x7f), bytes),
    );
    let brackets = _mm256_or_si256(
        _mm256_cmpeq_epi8(bytes, _mm256_set1_epi8(b'(' as i8)),
        _mm256_cmpeq_epi8(bytes, _mm256_set1_epi8(b')' as i8)),
    );
    !(_mm256_movemask_epi8(printable) as u32) | _mm256_movemask_epi8(brackets) as u32
}

/// The first bracket, `[` or `]`, of `bytes` at or after `from`: where a link's anchor text ends,
/// mostly within the first sixteen bytes, read in place where a call to a search would cost more
/// than the read.
#[inline(always)]
fn anchor_stop(bytes: &[u8], from: usize) -> Option<usize> {
    first_marked(bytes, from, anchor_stops)
}

/// Which of the sixteen bytes of `chunk` are `[` or `]` (see [`anchor_stop`]): bit `i` for
/// `chunk[i]`. Two SSE2 comparisons.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn anchor_stops(chunk: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
    // SAFETY: SSE2 is part of every x86-64 processor (the baseline the target is compiled
    // for), and the unaligned load reads the sixteen bytes of `chunk`, no more.
    unsafe {
        let bytes = _mm_loadu_si128(chunk.as_ptr().cast());
        _mm_movemask_epi8(_mm_or_si128(
            _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b'[' as i8)),
            _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b']' as i8)),
        )) as u32
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn anchor_stops(chunk: &[u8; 16]) -> u32 {
    anchor_stops_by_byte(chunk)
}

/// [`anchor_stops`] a byte at a time.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn anchor_stops_by_byte(chunk: &[u8; 16]) -> u32 {
    (0..16).filter(|&index| matches!(chunk[index], b'[' | b']')).fold(0, |mask, index| mask | 1 << index)
}

/// The first byte of `bytes` at or after `from` that is `(`, `)` or not printable ASCII (white
/// space, control bytes, DEL, bytes beyond ASCII), read sixteen bytes at a time (see
/// [`address_stops`]): one read where a search for the brackets and a test of the bytes before
/// were two.
#[inline(always)]
fn address_stop(bytes: &[u8], from: usize) -> Option<usize> {
    first_marked(bytes, from, address_stops)
}

/// Which of the sixteen bytes of `chunk` stop a plain address (see [`address_stop`]): bit `i`
/// for `chunk[i]`. A few SSE2 comparisons.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn address_stops(chunk: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{
        _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8,
        _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of every x86-64 processor (the baseline the target is compiled
    // for), and the unaligned load reads the sixteen bytes of `chunk`, no more.
    unsafe {
        let bytes = _mm_loadu_si128(chunk.as_ptr().cast());
        // Bytes beyond ASCII are negative as signed bytes: printable ASCII is above the space
        // and below DEL.
        let printable =
            _mm_and_si128(_mm_cmpgt_epi8(bytes, _mm_set1_epi8(b' ' as i8)), _mm_cmplt_epi8(bytes, _mm_set1_epi8(0x7f)));
        let brackets = _mm_or_si128(
            _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b'(' as i8)),
            _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b')' as i8)),
        );
        (!(_mm_movemask_epi8(printable) as u32) & 0xffff) | _mm_movemask_epi8(brackets) as u32
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn address_stops(chunk: &[u8; 16]) -> u32 {
    address_stops_by_byte(chunk)
}

/// [`address_stops`] a byte at a time.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn address_stops_by_byte(chunk: &[u8; 16]) -> u32 {
    let stops = |byte: u8| !(b'!'..=b'~').contains(&byte) || matches!(byte, b'(' | b')');
    (0..16).filter(|&index| stops(chunk[index])).fold(0, |mask, index| mask | 1 << index)
}

/// The characters of `text` that are not white space (the second of [`counts`]), sixteen bytes at
/// a time: every byte but ASCII white space and the continuation bytes of longer characters
/// stands for one such character (see [`solid_and_leads`]), less the characters beyond ASCII
/// that are white space, which are decoded one by one from their lead bytes. A link's anchor
/// text is short, and a loop over its chunks costs a fraction of a byte-by-byte scan's.
fn non_space_chars(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut chars = 0;
    let mut at = 0;
    while at < bytes.len() {
        // Padded with spaces, which count for nothing.
        let (solid, mut leads) = solid_and_leads(&sixteen_at(bytes, at, b' '));
        chars += solid.count_ones() as usize;
        while leads != 0 {
            if class_at(text, at + leads.trailing_zeros() as usize).0 == SPACE {
                chars -= 1;
            }
            leads &= leads - 1;
        }
        at += 16;
    }
    chars
}

/// Of the sixteen bytes of `chunk`, those that start a character and are not ASCII white space
/// (bit `i` for `chunk[i]`), and those of them that lead a character beyond ASCII. A few SSE2
/// comparisons.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn solid_and_leads(chunk: &[u8; 16]) -> (u32, u32) {
    use std::arch::x86_64::{
        _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8,
        _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of every x86-64 processor (the baseline the target is compiled
    // for), and the unaligned load reads the sixteen bytes of `chunk`, no more.
    unsafe {
        let bytes = _mm_loadu_si128(chunk.as_ptr().cast());
        // As signed bytes, continuation bytes (0x80-0xBF) are those below -64, and the ASCII
        // white space from tab to carriage return lies above the backspace and below 0x0E.
        let continuation = _mm_cmplt_epi8(bytes, _mm_set1_epi8(-64));
        let space = _mm_or_si128(
            _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b' ' as i8)),
            _mm_and_si128(_mm_cmpgt_epi8(bytes, _mm_set1_epi8(0x08)), _mm_cmplt_epi8(bytes, _mm_set1_epi8(0x0e))),
        );
        let continuation = _mm_movemask_epi8(continuation) as u32;
        let solid = !(_mm_movemask_epi8(space) as u32 | continuation) & 0xffff;
        (solid, _mm_movemask_epi8(bytes) as u32 & !continuation)
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn solid_and_leads(chunk: &[u8; 16]) -> (u32, u32) {
    solid_and_leads_by_byte(chunk)
}

/// [`solid_and_leads`] a byte at a time.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn solid_and_leads_by_byte(chunk: &[u8; 16]) -> (u32, u32) {
    let bits =
        |wanted: fn(u8) -> bool| (0..16).filter(|&index| wanted(chunk[index])).fold(0, |mask, index| mask | 1 << index);
    (bits(|byte| !matches!(byte, b'\t'..=b'\r' | b' ' | 0x80..=0xbf)), bits(|byte| byte >= 0xc0))
}

/// The words that hold a letter or digit (words as `split_whitespace` cuts them) and the
/// characters that are not white space, in one pass that reads runs of ASCII bytes in a tight
/// loop and decodes only non-ASCII characters: the counts that the scans of a line's text are
/// checked against.
#[cfg(test)]
pub fn counts(text: &str) -> (usize, usize) {
    let bytes = text.as_bytes();
    let (mut words, mut chars) = (0, 0);
    let mut at = 0;
    while at < bytes.len() {
        // White space between words.
        while let Some(&byte) = bytes.get(at)
            && byte.is_ascii()
            && ASCII_CLASS[usize::from(byte)] == SPACE
        {
            at += 1;
        }
        if at < bytes.len() && !bytes[at].is_ascii() {
            let (class, width) = class_at(text, at);
            if class == SPACE {
                at += width;
                continue;
            }
        }
        // A word, up to the next white space.
        let mut alphanumeric = false;
        loop {
            while let Some(&byte) = bytes.get(at)
                && byte.is_ascii()
            {
                let class = ASCII_CLASS[usize::from(byte)];
                if class == SPACE {
                    break;
                }
                alphanumeric |= class & ALPHANUMERIC != 0;
                chars += 1;
                at += 1;
            }
            if at == bytes.len() || bytes[at].is_ascii() {
                break;
            }
            let (class, width) = class_at(text, at);
            if class == SPACE {
                break;
            }
            alphanumeric |= class & ALPHANUMERIC != 0;
            chars += 1;
            at += width;
        }
        words += usize::from(alphanumeric);
    }
    (words, chars)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn non_space(text: &str) -> usize {
        text.chars().filter(|c| !c.is_whitespace()).count()
    }

    #[test]
    fn links_become_anchor_text_and_images_vanish() {
        let text = "Read [the report](https://example.com/r?a=(1)) ![chart](c.png) now";
        let mut scratch = Scratch::default();
        let line = visible_line(text, Marks::of(text), &mut link_cache(), &mut scratch);
        assert_eq!(line.text.split_whitespace().collect::<Vec<_>>(), ["Read", "the", "report", "now"]);
        assert_eq!(line.links, 2);
        assert_eq!(line.link_chars, "thereport".len());
        assert_eq!(counts(line.text).0, 4);
    }

    #[test]
    fn nested_image_links_are_undone() {
        let text = "[ ![](/themes/logo.png) ](/)";
        let mut scratch = Scratch::default();
        let line = visible_line(text, Marks::of(text), &mut link_cache(), &mut scratch);
        assert_eq!(line.text.trim(), "");
        assert_eq!(line.links, 2);
        assert_eq!(line.link_share(counts(line.text).1), 1.0);
    }

    #[test]
    fn urls_left_by_undone_links_are_dropped_and_those_made_by_them_too() {
        for (text, visible) in [
            ("see [the site](https://x.org) now", "see the site now"),
            ("see [www.x.org](https://x.org) now", "see now"),
            ("go ww![logo](a.png)w.example.org/x there", "go there"),
            ("[a](https://x) and https://y.org", "a and"),
        ] {
            let mut scratch = Scratch::default();
            let line = visible_line(text, Marks::of(text), &mut link_cache(), &mut scratch);
            assert_eq!(line.text.split_whitespace().collect::<Vec<_>>().join(" "), visible, "{text:?}");
        }
    }

    #[test]
    fn counts_agree_with_the_char_by_char_ones() {
        let texts =
            ["", "  a b  ", "x\x0bx, -- 3 * !", "\tone\rtwo\x0cthree ... four", "[ ]() 12", "é\u{a0}ü — ½\u{2003}x"];
        for text in texts {
            let words = text.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count();
            assert_eq!(counts(text), (words, non_space(text)), "{text:?}");
        }
    }

    proptest::proptest! {
        /// Texts of ASCII white space and the bytes around it, continuation bytes and
        /// characters beyond ASCII that are white space or not, across sixteen-byte chunks.
        #[test]
        fn non_space_chars_are_those_counted_a_character_at_a_time(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    " ", "\t", "\n", "\x0b", "\x0c", "\r", "\x08", "\x0e", "\x1f", "\0", "\x7f", "a", "é", "\u{85}",
                    "\u{a0}", "\u{1680}", "\u{2003}", "\u{200b}", "\u{2029}", "\u{205f}", "\u{3000}", "—", "日", "🙂",
                ]),
                0..40,
            )
        ) {
            let text = pieces.concat();
            proptest::prop_assert_eq!(non_space_chars(&text), counts(&text).1, "{:?}", text);
        }

        #[test]
        fn solid_and_lead_bytes_are_found_as_a_byte_at_a_time(chunk in proptest::array::uniform16(proptest::num::u8::ANY)) {
            proptest::prop_assert_eq!(solid_and_leads(&chunk), solid_and_leads_by_byte(&chunk));
        }
    }

    #[test]
    fn marks_are_found_where_substrings_are() {
        let texts =
            ["", "a](b", "]", "x]( y", "see www.x.org", "https://x", ":// www.", "a:/ /b w.ww. ww w.", "]]((::..www"];
        for text in texts {
            let marks = Marks::of(text);
            assert_eq!(marks.link, text.contains("]("), "{text:?}");
            assert_eq!(marks.url, text.contains("://") || text.contains("www."), "{text:?}");
        }
    }

    #[test]
    fn marks_of_lines_are_the_marks_of_each_line() {
        let text = "a](b\n\r\n  see www.x.org ](\r:// ]( \nwww\n.://\nplain\r\nhttps://x [a](b)";
        let lines = crate::segment::lines(text);
        let expected: Vec<Marks> = lines.iter().map(|line| Marks::of(line.trim(text).of(text))).collect();
        assert_eq!(line_marks(text, &lines), expected);
        assert!(expected.iter().filter(|marks| marks.link).count() >= 2);
    }

    proptest::proptest! {
        /// Texts of the marks, their pieces and line breaks, across sixteen-byte chunks.
        #[test]
        fn marks_of_lines_are_the_substrings_each_line_holds(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "](", "]", "(", "://", ":", "/", "www.", "ww", "w", ".", "\n", "\r\n", "\r", " ", "é",
                    "plain words and more ",
                ]),
                0..32,
            )
        ) {
            let text = pieces.concat();
            let lines = crate::segment::lines(&text);
            let expected: Vec<Marks> = lines
                .iter()
                .map(|line| {
                    let line = line.of(&text);
                    Marks { link: line.contains("]("), url: line.contains("://") || line.contains("www.") }
                })
                .collect();
            proptest::prop_assert_eq!(marks_of_lines(&text, &lines, mark_pairs_from), expected.clone(), "{:?}", text);
            proptest::prop_assert_eq!(line_marks(&text, &lines), expected.clone(), "{:?}", text);
            for (line, expected) in lines.iter().zip(expected) {
                proptest::prop_assert_eq!(Marks::of(line.of(&text)), expected, "{:?}", line.of(&text));
            }
            let whole = Marks {
                link: text.contains("]("),
                url: text.contains("://") || text.contains("www."),
            };
            proptest::prop_assert_eq!(Marks::of(&text), whole, "{:?}", text);
            // The search that processors without AVX2 take, tested on those with it too.
            proptest::prop_assert_eq!(Marks::searched(text.as_bytes()), whole, "{:?}", text);
        }

        #[test]
        fn mark_pairs_are_found_as_a_byte_at_a_time(
            chunk in proptest::collection::vec(
                proptest::sample::select(vec![b']', b'(', b':', b'/', b'w', b'.', b'x', 0, 0xff]),
                17,
            )
        ) {
            let (first, second) = (chunk[..16].try_into().unwrap(), chunk[1..].try_into().unwrap());
            proptest::prop_assert_eq!(mark_pairs(first, second), mark_pairs_by_byte(first, second));
        }

        #[cfg(target_arch = "x86_64")]
        #[test]
        fn wide_mark_pairs_are_found_as_a_byte_at_a_time(
            chunk in proptest::collection::vec(
                proptest::sample::select(vec![b']', b'(', b':', b'/', b'w', b'.', b'x', 0, 0xff]),
                33,
            )
        ) {
            proptest::prop_assume!(std::arch::is_x86_feature_detected!("avx2"));
            let (first, second): (&[u8; 32], &[u8; 32]) = (chunk[..32].try_into().unwrap(), chunk[1..].try_into().unwrap());
            let by_byte = |half: usize| {
                let chunk = |bytes: &[u8; 32]| -> [u8; 16] { bytes[half * 16..][..16].try_into().unwrap() };
                mark_pairs_by_byte(&chunk(first), &chunk(second))
            };
            // SAFETY: the processor has AVX2.
            let wide = unsafe { wide_mark_pairs(first, second) };
            proptest::prop_assert_eq!(wide, by_byte(0) | by_byte(1) << 16);
        }
    }

    #[test]
    fn plain_prose_is_borrowed() {
        let text = "Plain words, no links.";
        let mut scratch = Scratch::default();
        let line = visible_line(text, Marks::of(text), &mut link_cache(), &mut scratch);
        assert!(!line.undone && std::ptr::eq(line.text, text));
        assert_eq!(line.link_share(counts(line.text).1), 0.0);
    }

    /// The bare URLs found by the pattern they stand for.
    fn bare_urls_by_regex(text: &str) -> Vec<std::ops::Range<usize>> {
        static BARE_URL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?:https?://|www\.)\S+").unwrap());
        BARE_URL.find_iter(text).map(|found| found.range()).collect()
    }

    #[test]
    fn bare_urls_are_found_where_the_pattern_finds_them() {
        let texts = [
            "",
            "see https://x.org/a?b=c now",
            "http://a https://b www.c",
            "https:// x http://\u{a0}y www. z www.\u{2003}w",
            "wwww.x hhttps://y ttp://z http:/x www..y",
            "www.www.x https://http://y www.x\u{a0}www.y é.www.ü",
            "[a](https://x) and https://y.org.",
            "xhttps://y:// www.:// ://www.x",
        ];
        for text in texts {
            assert_eq!(bare_urls(text).collect::<Vec<_>>(), bare_urls_by_regex(text), "{text:?}");
        }
    }

    proptest::proptest! {
        /// Lines made of the pieces of URLs, white space and what may sit around them.
        #[test]
        fn bare_urls_are_found_where_the_pattern_finds_them_in_any_line(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "http", "https", "s", "://", ":", "/", "www", "w", ".", " ", "\t", "\u{a0}", "\u{2003}",
                    "é", "x", "[a](", ")",
                ]),
                0..16,
            )
        ) {
            let text = pieces.concat();
            proptest::prop_assert_eq!(bare_urls(&text).collect::<Vec<_>>(), bare_urls_by_regex(&text));
        }
    }

    #[test]
    fn a_line_whose_url_marks_make_no_url_is_not_undone() {
        let text = "see www. and https:// there";
        let mut scratch = Scratch::default();
        let line = visible_line(text, Marks::of(text), &mut link_cache(), &mut scratch);
        assert!(!line.undone && std::ptr::eq(line.text, text));
    }

    proptest::proptest! {
        #[test]
        fn address_stops_are_found_as_a_byte_at_a_time(chunk in proptest::array::uniform16(proptest::num::u8::ANY)) {
            proptest::prop_assert_eq!(address_stops(&chunk), address_stops_by_byte(&chunk));
        }

        #[cfg(target_arch = "x86_64")]
        #[test]
        fn wide_stops_are_found_where_sixteen_bytes_at_a_time_find_them(
            bytes in proptest::collection::vec(
                proptest::sample::select(vec![b'[', b']', b'(', b')', b' ', b'x', b'~', 0x7f, 0x1f, 0xc3, 0]),
                0..80,
            ),
            from in 0..80usize,
        ) {
            proptest::prop_assume!(std::arch::is_x86_feature_detected!("avx2"));
            let from = from.min(bytes.len());
            // SAFETY: the processor has AVX2.
            unsafe {
                proptest::prop_assert_eq!(
                    wide_first_marked(&bytes, from, |chunk| wide_anchor_stops(chunk), anchor_stops),
                    first_marked(&bytes, from, anchor_stops)
                );
                proptest::prop_assert_eq!(
                    wide_first_marked(&bytes, from, |chunk| wide_address_stops(chunk), address_stops),
                    first_marked(&bytes, from, address_stops)
                );
            }
        }

        #[test]
        fn anchor_stops_are_found_as_a_byte_at_a_time(
            chunk in proptest::array::uniform16(proptest::sample::select(vec![b'[', b']', b'(', b'x', 0xdb, 0xdd, 0]))
        ) {
            proptest::prop_assert_eq!(anchor_stops(&chunk), anchor_stops_by_byte(&chunk));
        }
    }

    proptest::proptest! {
        /// Lines made of the pieces of links: brackets, plain addresses and those that are not
        /// (white space, control bytes, `~` and DEL at the edges of printable ASCII, bytes
        /// beyond ASCII), titles, and runs long enough to cross sixteen-byte chunks.
        #[test]
        fn links_are_found_where_an_unanchored_search_finds_them_in_any_line(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "[", "]", "(", ")", "![", "](", " ", "\t", "\"", "a", "<", ">", "~", "!", "\x7f", "\x1f",
                    "é", "\u{a0}", "x/y?z=1&w=2", "https://example.com/a/very/long/path/", " \"t\"",
                ]),
                0..24,
            )
        ) {
            let unanchored = Regex::new(&MARKDOWN_LINK_HERE[1..]).unwrap();
            let text = pieces.concat();
            let expected: Vec<_> = unanchored.find_iter(&text).map(|found| found.range()).collect();
            let found: Vec<_> = markdown_links(&text, &mut link_cache()).map(|link| link.whole).collect();
            proptest::prop_assert_eq!(found, expected, "{:?}", text);
        }
    }

    #[test]
    fn links_are_found_where_an_unanchored_search_finds_them() {
        let unanchored = Regex::new(&MARKDOWN_LINK_HERE[1..]).unwrap();
        let texts = [
            "Read [the report](https://example.com/r?a=(1)) ![chart](c.png) now",
            "[ ![](/themes/logo.png) ](/)",
            "!![a](b) [x] [y](z \"t\") [[c](d)](e) ![](f)![g](h)",
            "[a]( <u> ) [b](bad url) ![c](d)e](f)",
            "no links ] ( [ here",
            "[a]() [b](<u>) [c](u \"t\") [d]( \"t u\") [e](u(v)w) [f](é) [g](u>) [h](u\t) [i](u",
            "[j](a b) [k](\u{a0}u) [l](u \"t\" ) ![m](n)(o) [p][q](r) [s](t\"u\"v \"w\")",
        ];
        for text in texts {
            let expected: Vec<_> = unanchored.find_iter(text).map(|found| found.range()).collect();
            let found: Vec<_> = markdown_links(text, &mut link_cache()).map(|link| link.whole).collect();
            assert_eq!(found, expected, "{text}");
        }
    }
}
