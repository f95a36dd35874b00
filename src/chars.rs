//! Character classes for the scanners that count words and characters a byte at a time: an
//! ASCII byte is classed by a table, a character of two bytes by another, and only the longer
//! characters are decoded. The classes agree with `char::is_whitespace`, `char::is_alphabetic`
//! and `char::is_alphanumeric`, so a scanner gives the counts that `split_whitespace` and
//! `chars()` would. The scanners that read sixteen bytes at a time take their chunks
//! ([`sixteen_at`]) and byte-range tests ([`ByteRanges`]) from here too, and the scans that look
//! for the few characters beyond ASCII take their skip over the ASCII between them
//! ([`first_non_ascii`]).

/// White space, as `char::is_whitespace` has it.
pub const SPACE: u8 = 1;
/// A letter, as `char::is_alphabetic` has it.
pub const LETTER: u8 = 2;
/// Alphanumeric but not a letter (`char::is_alphanumeric`): a digit, `½`, `Ⅻ`.
pub const DIGIT: u8 = 4;
/// A letter or a digit.
pub const ALPHANUMERIC: u8 = LETTER | DIGIT;

/// Whether `byte` is ASCII white space as `char::is_whitespace` has it: tab, line feed, vertical
/// tab, form feed, carriage return and space (`u8::is_ascii_whitespace` leaves out the vertical
/// tab).
#[inline]
pub const fn is_ascii_space(byte: u8) -> bool {
    matches!(byte, b'\t'..=b'\r' | b' ')
}

/// The class of each ASCII byte; 0 for marks and control bytes.
pub static ASCII_CLASS: [u8; 128] = {
    let mut table = [0; 128];
    let mut byte = 0;
    while byte < 128 {
        let b = byte as u8;
        table[byte] = if is_ascii_space(b) {
            SPACE
        } else if b.is_ascii_alphabetic() {
            LETTER
        } else if b.is_ascii_digit() {
            DIGIT
        } else {
            0
        };
        byte += 1;
    }
    table
};

/// Where the run of bytes from `at` whose class in `table` has a bit of `member` ends, and the
/// union of their classes: the tight loop in which the scanners read a run of ASCII letters and
/// digits, each with a byte table of its own.
#[inline(always)]
pub fn class_run(bytes: &[u8], mut at: usize, table: &[u8; 256], member: u8) -> (usize, u8) {
    let mut classes = 0;
    while let Some(&byte) = bytes.get(at) {
        let class = table[usize::from(byte)];
        if class & member == 0 {
            break;
        }
        classes |= class;
        at += 1;
    }
    (at, classes)
}

/// The class of the character that starts at byte `at` of `text`, and its length in bytes.
/// Always inlined, so that the scanners' loops read ASCII with a table look-up and no call.
#[inline(always)]
pub fn class_at(text: &str, at: usize) -> (u8, usize) {
    let byte = text.as_bytes()[at];
    if byte.is_ascii() {
        return (ASCII_CLASS[usize::from(byte)], 1);
    }
    class_beyond_ascii(text, at)
}

/// The first character of `text` from `at` on (a character boundary) whose class `wanted`
/// accepts, or the text's length if none is: where a run of white space, a word or the text
/// before a word ends, read with [`class_at`].
#[inline(always)]
pub fn next_char_where(text: &str, mut at: usize, wanted: impl Fn(u8) -> bool) -> usize {
    while at < text.len() {
        let (class, width) = class_at(text, at);
        if wanted(class) {
            break;
        }
        at += width;
    }
    at
}

/// The class of each character of two bytes (U+0080..=U+07FF: the letters of Latin script
/// beyond ASCII, Greek, Cyrillic, Armenian, Hebrew, Arabic and the combining marks), by its
/// code point less 0x80. Worked out once from the `char` predicates, so that the scanners read
/// a character of these scripts with one look-up instead of the standard library's searches.
static TWO_BYTE_CLASS: std::sync::LazyLock<[u8; 0x780]> = std::sync::LazyLock::new(|| {
    let mut table = [0; 0x780];
    for (class, code) in table.iter_mut().zip(0x80u32..) {
        *class = class_of(char::from_u32(code).expect("no surrogate below U+0800"));
    }
    table
});

/// The class of the character of two bytes whose code point is `code`.
#[inline(always)]
fn two_byte_class(code: u32) -> u8 {
    TWO_BYTE_CLASS[code as usize - 0x80]
}

/// [`class_at`] for a character beyond ASCII. The characters of two bytes are classed by
/// [`TWO_BYTE_CLASS`], and the general punctuation from U+2000 (quotes, dashes, spaces) and a
/// few blocks of symbols by their bytes; the others are decoded and looked up.
#[inline(never)]
fn class_beyond_ascii(text: &str, at: usize) -> (u8, usize) {
    let bytes = text.as_bytes();
    // A character starts at `at`, so a lead byte of two or three is followed by as many
    // continuation bytes.
    match bytes[at] {
        lead @ 0xc2..=0xdf => {
            let code = u32::from(lead & 0x1f) << 6 | u32::from(bytes[at + 1] & 0x3f);
            return (two_byte_class(code), 2);
        }
        // U+2000..=U+203F: spaces up to U+200A, the line and paragraph separators and the
        // narrow no-break space; the rest are marks. The currency signs U+20A0..=U+20BF (`€`),
        // the arrows U+2190..=U+21FF and the box drawing, blocks and shapes U+2500..=U+25FF
        // (`►`), the symbols most often met beyond these, are marks too; decoded, each paid
        // the standard library's searches of three tables.
        0xe2 => match (bytes[at + 1], bytes[at + 2]) {
            (0x80, 0x80..=0x8a | 0xa8 | 0xa9 | 0xaf) => return (SPACE, 3),
            (0x80, _) | (0x82, 0xa0..=0xbf) | (0x86, 0x90..=0xbf) | (0x87 | 0x94..=0x97, _) => return (0, 3),
            _ => {}
        },
        // U+1F300..=U+1FAFF: the pictographs and emoji, all marks.
        0xf0 if bytes[at + 1] == 0x9f && matches!(bytes[at + 2], 0x8c..=0xab) => return (0, 4),
        _ => {}
    }
    let c = text[at..].chars().next().expect("a character starts here");
    (class_of(c), c.len_utf8())
}

/// `c.is_alphabetic()`, with the characters of two bytes looked up in [`TWO_BYTE_CLASS`].
#[inline]
pub fn is_alphabetic(c: char) -> bool {
    class_of_char(c) == LETTER
}

/// `c.is_alphanumeric()`, with the characters of two bytes looked up in [`TWO_BYTE_CLASS`].
#[inline]
pub fn is_alphanumeric(c: char) -> bool {
    class_of_char(c) & ALPHANUMERIC != 0
}

/// [`class_of`] by the tables for the characters of one and two bytes.
#[inline]
fn class_of_char(c: char) -> u8 {
    match u32::from(c) {
        code @ 0..0x80 => ASCII_CLASS[code as usize],
        code @ 0x80..0x800 => two_byte_class(code),
        _ => class_of(c),
    }
}

/// The class of `c` by the `char` predicates, which the tables and byte shortcuts above follow.
fn class_of(c: char) -> u8 {
    if c.is_alphabetic() {
        LETTER
    } else if c.is_alphanumeric() {
        DIGIT
    } else if c.is_whitespace() {
        SPACE
    } else {
        0
    }
}

/// The first byte of `bytes` at or after `from` that `marks` marks, read sixteen bytes at a
/// time: `marks(chunk)` sets bit `i` for `chunk[i]`. Whole chunks are read in place with one test
/// of the bytes left (the texts searched are mostly longer than a chunk), the tail once after
/// them, its bits past the end masked off.
#[inline(always)]
pub fn first_marked(bytes: &[u8], from: usize, marks: impl Fn(&[u8; 16]) -> u32) -> Option<usize> {
    let mut at = from;
    while let Some(chunk) = bytes.get(at..).and_then(<[u8]>::first_chunk::<16>) {
        let marked = marks(chunk);
        if marked != 0 {
            return Some(at + marked.trailing_zeros() as usize);
        }
        at += 16;
    }
    if at >= bytes.len() {
        return None;
    }
    let marked = marks(&sixteen_at(bytes, at, 0)) & ((1 << (bytes.len() - at)) - 1);
    (marked != 0).then(|| at + marked.trailing_zeros() as usize)
}

/// Which of the sixteen bytes of `chunk` are `byte`, one bit each (bit `i` for `chunk[i]`): the
/// marks of a search for one byte that reads a short text in place. One SSE2 comparison.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn equal_bytes(chunk: &[u8; 16], byte: u8) -> u32 {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
    // SAFETY: SSE2 is part of every x86-64 processor (the baseline the target is compiled
    // for), and the unaligned load reads the sixteen bytes of `chunk`, no more.
    unsafe {
        _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(chunk.as_ptr().cast()), _mm_set1_epi8(byte as i8))) as u32
    }
}

#[cfg(not(target_arch = "x86_64"))]
pub fn equal_bytes(chunk: &[u8; 16], byte: u8) -> u32 {
    equal_bytes_by_byte(chunk, byte)
}

/// [`equal_bytes`] a byte at a time.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn equal_bytes_by_byte(chunk: &[u8; 16], byte: u8) -> u32 {
    (0..16).filter(|&index| chunk[index] == byte).fold(0, |mask, index| mask | 1 << index)
}

/// [`first_marked`] thirty-two bytes at a time with AVX2, `wide` marking a chunk as `narrow`
/// marks each half, and the last few bytes sixteen at a time: for the scans that read long texts
/// (a document, a link's address), where the wider step halves the steps.
///
/// # Safety
///
/// The processor must have AVX2 (a caller compiled with it enabled calls it safely).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
pub fn wide_first_marked(
    bytes: &[u8],
    from: usize,
    wide: impl Fn(&[u8; 32]) -> u32,
    narrow: impl Fn(&[u8; 16]) -> u32,
) -> Option<usize> {
    let mut at = from;
    while let Some(chunk) = bytes.get(at..).and_then(<[u8]>::first_chunk::<32>) {
        let marked = wide(chunk);
        if marked != 0 {
            return Some(at + marked.trailing_zeros() as usize);
        }
        at += 32;
    }
    first_marked(bytes, at, narrow)
}

/// The sixteen bytes of `bytes` from `at` on (`at` at most its length), those past its end read
/// as `pad`: what the scans that read a text sixteen bytes at a time read. The last few bytes
/// of a text are put together from two reads of a fixed length that overlap, never a copy of a
/// length known only when running (a `memcpy` call): every short string and every text's tail
/// comes through here.
pub fn sixteen_at(bytes: &[u8], at: usize, pad: u8) -> [u8; 16] {
    if let Some(sixteen) = bytes.get(at..at + 16) {
        return sixteen.try_into().expect("sixteen bytes");
    }
    let rest = &bytes[at..];
    let len = rest.len();
    let mut chunk = [pad; 16];
    match len {
        8.. => {
            chunk[..8].copy_from_slice(&rest[..8]);
            chunk[len - 8..len].copy_from_slice(&rest[len - 8..]);
        }
        4.. => {
            chunk[..4].copy_from_slice(&rest[..4]);
            chunk[len - 4..len].copy_from_slice(&rest[len - 4..]);
        }
        _ => chunk[..len].copy_from_slice(rest),
    }
    chunk
}

/// The position of the first byte beyond ASCII in `bytes` at or after `from` (at most its
/// length). Most text the scanners read is ASCII with a few curly quotes or accented letters in
/// it: on x86-64 the runs between them are skipped thirty-two bytes at a time with SSE2,
/// elsewhere eight at a time.
#[cfg(target_arch = "x86_64")]
pub fn first_non_ascii(bytes: &[u8], from: usize) -> Option<usize> {
    use std::arch::x86_64::{_mm_loadu_si128, _mm_movemask_epi8};
    let mut at = from;
    while let Some(pair) = bytes.get(at..at + 32) {
        // SAFETY: SSE2 is part of every x86-64 processor (the baseline the target is compiled
        // for), and the two unaligned loads read the thirty-two bytes of `pair`, no more.
        let beyond = unsafe {
            let first = _mm_movemask_epi8(_mm_loadu_si128(pair.as_ptr().cast())) as u32;
            first | (_mm_movemask_epi8(_mm_loadu_si128(pair[16..].as_ptr().cast())) as u32) << 16
        };
        if beyond != 0 {
            return Some(at + beyond.trailing_zeros() as usize);
        }
        at += 32;
    }
    while at < bytes.len() {
        let chunk = sixteen_at(bytes, at, 0);
        // SAFETY: as above; the load reads the sixteen bytes of `chunk`.
        let beyond = unsafe { _mm_movemask_epi8(_mm_loadu_si128(chunk.as_ptr().cast())) as u32 };
        if beyond != 0 {
            return Some(at + beyond.trailing_zeros() as usize);
        }
        at += 16;
    }
    None
}

#[cfg(not(target_arch = "x86_64"))]
pub fn first_non_ascii(bytes: &[u8], from: usize) -> Option<usize> {
    first_non_ascii_by_words(bytes, from)
}

/// [`first_non_ascii`] eight bytes at a time, without vector instructions.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn first_non_ascii_by_words(bytes: &[u8], from: usize) -> Option<usize> {
    const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
    let chunks = bytes[from..].chunks_exact(8);
    let tail = chunks.remainder();
    for (index, chunk) in chunks.enumerate() {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        if word & HIGH_BITS != 0 {
            return Some(from + index * 8 + (word & HIGH_BITS).trailing_zeros() as usize / 8);
        }
    }
    tail.iter().position(|b| !b.is_ascii()).map(|offset| bytes.len() - tail.len() + offset)
}

/// Byte values as a few ranges, tested sixteen or sixty-four bytes at a time.
#[derive(Debug, Clone, Default)]
pub struct ByteRanges {
    /// Ranges of ASCII values: the first value of each and the number of
    /// further values, each sixteen times over, as the vector instructions read them.
    ranges: Vec<([u8; 16], [u8; 16])>,
    /// Whether the bytes beyond ASCII are in, all of them: the sign bit tells them.
    beyond_ascii: bool,
}

impl ByteRanges {
    /// The runs of ASCII values `holds` takes, the runs with the narrowest gaps between them
    /// joined until at most `most` are left (each costs a few vector instructions per sixteen
    /// bytes), and all the bytes beyond ASCII if it takes one of them: never fewer values than
    /// `holds` takes.
    pub fn covering(most: usize, holds: impl Fn(u8) -> bool) -> ByteRanges {
        let mut runs: Vec<(u8, u8)> = Vec::new();
        for byte in (0..0x80u8).filter(|&byte| holds(byte)) {
            match runs.last_mut() {
                Some((_, last)) if *last + 1 == byte => *last = byte,
                _ => runs.push((byte, byte)),
            }
        }
        while runs.len() > most.max(1) {
            let narrowest = (1..runs.len()).min_by_key(|&index| runs[index].0 - runs[index - 1].1).expect("two runs");
            runs[narrowest - 1].1 = runs[narrowest].1;
            runs.remove(narrowest);
        }
        ByteRanges {
            ranges: runs.into_iter().map(|(first, last)| ([first; 16], [last - first; 16])).collect(),
            beyond_ascii: (0x80..=0xFF).any(holds),
        }
    }

    /// Which of the sixteen bytes of `chunk` are in: bit `i` for `chunk[i]`. On x86-64 SSE2
    /// instructions over all sixteen at once, elsewhere byte by byte.
    #[cfg(target_arch = "x86_64")]
    #[inline]
    pub fn mask(&self, chunk: &[u8; 16]) -> u32 {
        use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_sub_epi8};
        // SAFETY: SSE2 is part of every x86-64 processor (the baseline the target is compiled
        // for), and each unaligned load reads sixteen bytes of an array of sixteen, no more.
        unsafe {
            let bytes = _mm_loadu_si128(chunk.as_ptr().cast());
            let mut held = if self.beyond_ascii { _mm_movemask_epi8(bytes) as u32 } else { 0 };
            for (first, further) in &self.ranges {
                // A byte is in the range when its distance above the first value, which wraps
                // below it, is at most `further`: the smaller of the two is then the distance.
                let above = _mm_sub_epi8(bytes, _mm_loadu_si128(first.as_ptr().cast()));
                let within = _mm_cmpeq_epi8(_mm_min_epu8(above, _mm_loadu_si128(further.as_ptr().cast())), above);
                held |= _mm_movemask_epi8(within) as u32;
            }
            held
        }
    }

    /// [`mask`](Self::mask) of the sixty-four bytes of `block`, bit `i` for `block[i]`: each
    /// range's values are loaded once for the four chunks, and a range of one value is one
    /// comparison, where sixteen bytes at a time they cost about as much as the test itself.
    #[cfg(target_arch = "x86_64")]
    #[inline]
    pub fn mask64(&self, block: &[u8; 64]) -> u64 {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_sub_epi8,
        };
        let join = |held: [u32; 4]| held.iter().rev().fold(0, |mask, &quarter| mask << 16 | u64::from(quarter));
        // SAFETY: SSE2 is part of every x86-64 processor (the baseline the target is compiled
        // for); each unaligned load reads sixteen bytes of `block`, from 0, 16, 32 or 48 on, or
        // of an array of sixteen, no more.
        unsafe {
            let chunks: [__m128i; 4] =
                std::array::from_fn(|index| _mm_loadu_si128(block[16 * index..].as_ptr().cast()));
            let mut held = [0u32; 4];
            if self.beyond_ascii {
                held = chunks.map(|chunk| _mm_movemask_epi8(chunk) as u32);
            }
            for (first, further) in &self.ranges {
                let first = _mm_loadu_si128(first.as_ptr().cast());
                if further[0] == 0 {
                    for (held, &chunk) in held.iter_mut().zip(&chunks) {
                        *held |= _mm_movemask_epi8(_mm_cmpeq_epi8(chunk, first)) as u32;
                    }
                    continue;
                }
                let further = _mm_loadu_si128(further.as_ptr().cast());
                for (held, &chunk) in held.iter_mut().zip(&chunks) {
                    // As in `mask`: the distance above the first value, at most `further`.
                    let above = _mm_sub_epi8(chunk, first);
                    *held |= _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(above, further), above)) as u32;
                }
            }
            join(held)
        }
    }

    #[cfg(not(target_arch = "x86_64"))]
    pub fn mask64(&self, block: &[u8; 64]) -> u64 {
        (0..4).rev().fold(0, |mask, index| {
            mask << 16 | u64::from(self.mask(block[16 * index..16 * index + 16].try_into().expect("sixteen bytes")))
        })
    }

    /// The position of the first byte of `bytes` at or after `from` (at most its length) that
    /// is in, read sixteen at a time (see [`first_marked`]).
    #[inline]
    pub fn find(&self, bytes: &[u8], from: usize) -> Option<usize> {
        first_marked(bytes, from, |chunk| self.mask(chunk))
    }

    #[cfg(not(target_arch = "x86_64"))]
    pub fn mask(&self, chunk: &[u8; 16]) -> u32 {
        let held = |byte: u8| {
            (self.beyond_ascii && !byte.is_ascii())
                || self.ranges.iter().any(|(first, further)| byte.wrapping_sub(first[0]) <= further[0])
        };
        (0..16).filter(|&index| held(chunk[index])).fold(0, |mask, index| mask | 1 << index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_character_is_classed_as_the_char_predicates_class_it() {
        let mut text = String::new();
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32).filter(|c| !c.is_ascii()) {
            text.clear();
            text.push(c);
            assert_eq!(class_at(&text, 0), (class_of(c), c.len_utf8()), "{c:?}");
            assert_eq!((is_alphabetic(c), is_alphanumeric(c)), (c.is_alphabetic(), c.is_alphanumeric()), "{c:?}");
        }
    }

    #[test]
    fn classes_agree_with_the_char_predicates() {
        let text = "a Z 0 9 _ * - \t\n\x0b\x0c\r\x1c\x7f é ß ½ Ⅻ \u{a0}\u{2003}\u{85} 中 ١ — 🙂";
        let mut at = 0;
        while at < text.len() {
            let (class, width) = class_at(text, at);
            let c = text[at..].chars().next().unwrap();
            assert_eq!(width, c.len_utf8());
            assert_eq!(class == SPACE, c.is_whitespace(), "{c:?}");
            assert_eq!(class == LETTER, c.is_alphabetic(), "{c:?}");
            assert_eq!(class & ALPHANUMERIC != 0, c.is_alphanumeric(), "{c:?}");
            at += width;
        }
    }

    proptest::proptest! {
        #[test]
        fn equal_bytes_are_found_as_a_byte_at_a_time(
            chunk in proptest::array::uniform16(proptest::sample::select(vec![b'.', b'[', 0xae, 0x2e | 0x80, 0])),
            byte in proptest::sample::select(vec![b'.', b'[', 0xae]),
        ) {
            proptest::prop_assert_eq!(equal_bytes(&chunk, byte), equal_bytes_by_byte(&chunk, byte));
        }

        /// The vector and the word-wise scans find the byte a byte-wise search finds, from any
        /// start.
        #[test]
        fn the_first_byte_beyond_ascii_is_found_by_every_scan(
            text in r"[a .\n]{0,80}[é“\u{2192}]?[a .]{0,40}[é”]?[a]{0,3}",
            from in 0usize..130,
        ) {
            let bytes = text.as_bytes();
            let from = from.min(bytes.len());
            let expected = bytes[from..].iter().position(|byte| !byte.is_ascii()).map(|offset| from + offset);
            proptest::prop_assert_eq!(first_non_ascii(bytes, from), expected);
            proptest::prop_assert_eq!(first_non_ascii_by_words(bytes, from), expected);
        }

        /// A text's last bytes, of every length, are read as a copy padded byte by byte reads
        /// them, from any start.
        #[test]
        fn sixteen_bytes_are_read_as_a_padded_copy(bytes in proptest::collection::vec(1u8.., 0..40), from in 0usize..40) {
            let from = from.min(bytes.len());
            let mut expected = [0; 16];
            for (to, &byte) in expected.iter_mut().zip(&bytes[from..]) {
                *to = byte;
            }
            proptest::prop_assert_eq!(sixteen_at(&bytes, from, 0), expected);
        }

        /// The first byte in the ranges is the one a byte-wise search finds, whatever the
        /// padding of the last chunk would say (`\0` is in the ranges).
        #[test]
        fn bytes_in_ranges_are_found_where_a_byte_wise_search_finds_them(
            bytes in proptest::collection::vec(proptest::sample::select(vec![0u8, b'7', b'a', 0xC3]), 0..40),
            from in 0usize..40,
        ) {
            let ranges = ByteRanges::covering(2, |byte| byte == 0 || byte.is_ascii_digit());
            let from = from.min(bytes.len());
            let expected = bytes[from..].iter().position(|&byte| byte == 0 || byte.is_ascii_digit()).map(|at| from + at);
            proptest::prop_assert_eq!(ranges.find(&bytes, from), expected);
        }

        /// Sixty-four bytes at a time, ranges of one value and of several, with and without the
        /// bytes beyond ASCII, take in the bytes that a byte-wise test takes in.
        #[test]
        fn sixty_four_bytes_are_taken_in_as_byte_by_byte(
            block in proptest::array::uniform32(proptest::sample::select(vec![0u8, b'$', b'7', b'a', b'b', b'z', b'A', 0x80, 0xC3])),
            more in proptest::array::uniform32(proptest::sample::select(vec![b' ', b'$', b'a', b't', b'Z', 0xE2])),
            beyond in proptest::bool::ANY,
        ) {
            let holds = |byte: u8| byte == b'$' || byte == b'a' || byte.is_ascii_digit() || (beyond && !byte.is_ascii());
            let ranges = ByteRanges::covering(3, holds);
            let bytes: Vec<u8> = block.iter().chain(&more).copied().collect();
            let expected = (0..64).filter(|&at| holds(bytes[at])).fold(0u64, |mask, at| mask | 1 << at);
            proptest::prop_assert_eq!(ranges.mask64(bytes.as_slice().try_into().unwrap()), expected);
        }
    }
}
