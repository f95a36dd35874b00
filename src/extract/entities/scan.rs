//! One scan of the kept blocks for the positions where a word may begin, shared by the two
//! readers of word starts: the gazetteer (every word start with a byte a name may begin with)
//! and the capitalised-name rules (every capital at a word start). Each read the blocks sixteen
//! bytes at a time with masks of its own; the masks of the ASCII letters and digits, of the
//! capitals and of the bytes beyond ASCII come out of one pass of a few vector instructions
//! per sixteen bytes, kept as bits, sixty-four positions to a word. The same pass marks the
//! lower-case runs of letters that turn a line down as a headline.

use crate::chars::{ByteRanges, sixteen_at};
use crate::span::Span;

/// The candidate word starts of each region of a document, as bits from the region's start.
#[derive(Debug, Default)]
pub(super) struct WordScan {
    /// Positions not after an ASCII letter or digit (nor, at a region's start, after one in
    /// the text) that hold an ASCII letter or digit, a byte beyond ASCII or a byte of the
    /// gazetteer's other first bytes: where a listed name may begin a word.
    names: Vec<u64>,
    /// Positions not after an ASCII letter or digit of the region that hold an ASCII capital or
    /// the first byte of a character beyond ASCII: where a word in a capital may begin.
    capitals: Vec<u64>,
    /// Every ASCII capital and first byte of a character beyond ASCII, wherever it lies: what
    /// bounds the capitalised words of a line (see [`WordScan::capitals_within`]).
    all_capitals: Vec<u64>,
    /// The fourth letter of every run of four ASCII letters or more that begins in lower case
    /// after an ASCII byte that is no letter (or at the region's start): what turns a line down
    /// as a headline (see [`WordScan::lower_runs_within`]). The fourth rather than the first, so
    /// that each is told from the bytes before it, these sixty-four and the last of the ones
    /// before.
    lower_runs: Vec<u64>,
    /// Where the words of each region begin in `names`, `capitals`, `all_capitals` and
    /// `lower_runs`, and, last, their number.
    firsts: Vec<usize>,
}

/// The bits of one region, read in order from any position on.
#[derive(Debug, Clone)]
pub(super) struct Bits<'s> {
    words: &'s [u64],
    /// The index of the word `current` comes from.
    index: usize,
    /// The bits of that word not yet read.
    current: u64,
}

impl WordScan {
    /// The candidate starts of `regions` of `text` (in order, disjoint); `other_firsts` are the
    /// ASCII bytes other than letters and digits that a listed name begins with (usually none).
    pub(super) fn new(text: &str, regions: &[Span], other_firsts: Option<&ByteRanges>) -> WordScan {
        let words: usize = regions.iter().map(|region| region.len().div_ceil(64)).sum();
        let mut scan = WordScan {
            names: Vec::with_capacity(words),
            capitals: Vec::with_capacity(words),
            all_capitals: Vec::with_capacity(words),
            lower_runs: Vec::with_capacity(words),
            firsts: Vec::with_capacity(regions.len() + 1),
        };
        let wide = has_avx2();
        for &region in regions {
            scan.firsts.push(scan.names.len());
            scan.push_region(text, region, other_firsts, wide);
        }
        scan.firsts.push(scan.names.len());
        scan
    }

    /// `wide`: whether the processor has AVX2 (see [`Classes::of_64`]).
    fn push_region(&mut self, text: &str, region: Span, other_firsts: Option<&ByteRanges>, wide: bool) {
        let bytes = &text.as_bytes()[..region.end];
        // 1 if the byte before the next sixty-four is an ASCII letter or digit: for names, the
        // text's byte before the region counts too; for capitals, a region begins a word.
        let before = region.start.checked_sub(1).map(|before| bytes[before]);
        let mut after_name = u64::from(before.is_some_and(|byte| byte.is_ascii_alphanumeric()));
        let mut after_capital = 0;
        // The classes of the sixty-four bytes before, none at the region's start.
        let mut previous = Classes64 { alphanumeric: 0, beyond_ascii: 0, capitals: 0, letters: 0, lower: 0 };
        let mut at = region.start;
        while at < region.end {
            let classes = Classes::of_64(bytes, at, wide);
            let other = other_firsts.map_or(0, |other| {
                (0..4).fold(0, |mask, quarter| {
                    let chunk_at = at + 16 * quarter;
                    let chunk = if chunk_at < region.end { sixteen_at(bytes, chunk_at, 0) } else { [0; 16] };
                    mask | u64::from(other.mask(&chunk)) << (16 * quarter)
                })
            });
            let after = classes.alphanumeric << 1;
            let firsts = classes.alphanumeric | classes.beyond_ascii | other;
            let mut names = firsts & !(after | after_name);
            let mut all_capitals = classes.capitals;
            if let Some(short) = (at + 64).checked_sub(region.end).filter(|&short| short > 0) {
                names &= u64::MAX >> short;
                all_capitals &= u64::MAX >> short;
            }
            self.names.push(names);
            self.capitals.push(all_capitals & !(after | after_capital));
            self.all_capitals.push(all_capitals);
            // The bits of the positions `by` bytes before each.
            let back = |bits: u64, before: u64, by: u32| bits << by | before >> (64 - by);
            let letters = |by| back(classes.letters, previous.letters, by);
            let no_letter = !letters(4) & !back(classes.beyond_ascii, previous.beyond_ascii, 4);
            let lower = back(classes.lower, previous.lower, 3);
            // Past the region's end the bytes read are zeros: no letters.
            self.lower_runs.push(classes.letters & letters(1) & letters(2) & lower & no_letter);
            previous = classes;
            after_name = classes.alphanumeric >> 63;
            after_capital = after_name;
            at += 64;
        }
    }

    /// The candidate name starts of region `index`.
    pub(super) fn names(&self, index: usize) -> Bits<'_> {
        Bits::new(&self.names[self.firsts[index]..self.firsts[index + 1]])
    }

    /// The candidate capitals of region `index`.
    pub(super) fn capitals(&self, index: usize) -> Bits<'_> {
        Bits::new(&self.capitals[self.firsts[index]..self.firsts[index + 1]])
    }

    /// How many ASCII capitals and first bytes of characters beyond ASCII lie from `from` to
    /// `to` (positions from the start of region `index`): counted a word of bits at a time,
    /// where a headline's test read every byte of every line for them.
    pub(super) fn capitals_within(&self, index: usize, from: usize, to: usize) -> usize {
        count_within(&self.all_capitals[self.firsts[index]..self.firsts[index + 1]], from, to)
    }

    /// How many runs of four ASCII letters or more that begin in lower case after an ASCII byte
    /// that is no letter (or at the region's start) end their fourth letter from `from` to `to`
    /// (positions from the start of region `index`). For a line of the region, from its start to
    /// its end: the runs that lie in it, counted a word of bits at a time, where a headline's test
    /// read every byte of every line with three capitals or more for them.
    pub(super) fn lower_runs_within(&self, index: usize, from: usize, to: usize) -> usize {
        count_within(&self.lower_runs[self.firsts[index]..self.firsts[index + 1]], from, to)
    }

    /// How many candidate capitals all the regions hold: counted a word of bits at a time.
    pub(super) fn capital_count(&self) -> usize {
        self.capitals.iter().map(|bits| bits.count_ones() as usize).sum()
    }
}

/// How many of the bits of `words` (sixty-four positions to a word) lie from `from` to `to`.
fn count_within(words: &[u64], from: usize, to: usize) -> usize {
    if from >= to {
        return 0;
    }
    let (first, last) = (from / 64, (to - 1) / 64);
    let (low, high) = (u64::MAX << (from % 64), u64::MAX >> (63 - (to - 1) % 64));
    if first == last {
        return (words[first] & low & high).count_ones() as usize;
    }
    let middle: u32 = words[first + 1..last].iter().map(|bits| bits.count_ones()).sum();
    ((words[first] & low).count_ones() + middle + (words[last] & high).count_ones()) as usize
}

impl<'s> Bits<'s> {
    fn new(words: &'s [u64]) -> Bits<'s> {
        Bits { words, index: 0, current: words.first().copied().unwrap_or(0) }
    }

    /// Passes over the positions before `from` not yet read.
    #[inline]
    pub(super) fn skip_to(&mut self, from: usize) {
        let word = from / 64;
        if word > self.index {
            self.index = word;
            self.current = self.words.get(word).copied().unwrap_or(0);
        }
        if word == self.index {
            self.current &= u64::MAX << (from % 64);
        }
    }
}

impl Iterator for Bits<'_> {
    type Item = usize;

    /// The next position not yet read.
    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.current == 0 {
            self.index += 1;
            self.current = *self.words.get(self.index)?;
        }
        let at = self.index * 64 + self.current.trailing_zeros() as usize;
        self.current &= self.current - 1;
        Some(at)
    }
}

/// Whether the processor has AVX2, for [`Classes::of_64`]; the standard library keeps the answer.
#[cfg(target_arch = "x86_64")]
fn has_avx2() -> bool {
    std::arch::is_x86_feature_detected!("avx2")
}

#[cfg(not(target_arch = "x86_64"))]
fn has_avx2() -> bool {
    false
}

/// What the scan reads of sixteen bytes: bit `i` for byte `i`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Classes {
    /// ASCII letters and digits.
    alphanumeric: u32,
    /// Bytes beyond ASCII.
    beyond_ascii: u32,
    /// ASCII capitals and the first bytes of characters beyond ASCII (`0xC0` and above).
    capitals: u32,
    /// ASCII letters, and the lower-case ones among them.
    letters: u32,
    lower: u32,
}

/// [`Classes`] of sixty-four bytes: bit `i` for byte `i`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Classes64 {
    alphanumeric: u64,
    beyond_ascii: u64,
    capitals: u64,
    letters: u64,
    lower: u64,
}

impl Classes {
    /// The classes of the sixty-four bytes of `bytes` from `at` on, zeros standing for those
    /// past its end (no letter, digit or capital). Away from the end the four chunks are read
    /// in place, and their masks put together once: a block's scan took most of its
    /// instructions padding, shifting and testing sixteen bytes at a time. With AVX2 (`wide`)
    /// they are read thirty-two bytes at a time, in half the vector instructions.
    #[inline]
    fn of_64(bytes: &[u8], at: usize, wide: bool) -> Classes64 {
        let quarter = |chunk: &[u8; 16]| Classes::of(chunk);
        let quarters: [Classes; 4] = match bytes.get(at..at + 64).and_then(<[u8]>::first_chunk::<64>) {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `wide` only where the processor has AVX2 (see `has_avx2`).
            Some(block) if wide => return unsafe { Classes::of_64_wide(block) },
            Some(block) => std::array::from_fn(|index| {
                quarter(block[16 * index..16 * index + 16].try_into().expect("sixteen bytes"))
            }),
            None => std::array::from_fn(|index| {
                let chunk_at = at + 16 * index;
                if chunk_at < bytes.len() { quarter(&sixteen_at(bytes, chunk_at, 0)) } else { quarter(&[0; 16]) }
            }),
        };
        let join = |class: fn(&Classes) -> u32| {
            quarters
                .iter()
                .enumerate()
                .fold(0, |mask, (index, classes)| mask | u64::from(class(classes)) << (16 * index))
        };
        Classes64 {
            alphanumeric: join(|classes| classes.alphanumeric),
            beyond_ascii: join(|classes| classes.beyond_ascii),
            capitals: join(|classes| classes.capitals),
            letters: join(|classes| classes.letters),
            lower: join(|classes| classes.lower),
        }
    }

    /// [`Classes::of_64`] of a whole block, thirty-two bytes at a time: the same range tests as
    /// [`Classes::of`], on twice the bytes.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn of_64_wide(block: &[u8; 64]) -> Classes64 {
        use std::arch::x86_64::{
            __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_max_epu8, _mm256_min_epu8, _mm256_movemask_epi8,
            _mm256_or_si256, _mm256_set1_epi8, _mm256_sub_epi8,
        };
        let within = |first: u8, width: u8, bytes: __m256i| {
            let above = _mm256_sub_epi8(bytes, _mm256_set1_epi8(first as i8));
            _mm256_cmpeq_epi8(_mm256_min_epu8(above, _mm256_set1_epi8(width as i8)), above)
        };
        let half = |half: &[u8; 32]| {
            // SAFETY: the unaligned load reads the thirty-two bytes of `half`, no more.
            let bytes = unsafe { _mm256_loadu_si256(half.as_ptr().cast()) };
            let letters = within(b'a', 25, _mm256_or_si256(bytes, _mm256_set1_epi8(0x20)));
            let digits = within(b'0', 9, bytes);
            let capitals = within(b'A', 25, bytes);
            let lower = within(b'a', 25, bytes);
            let leads = _mm256_cmpeq_epi8(_mm256_max_epu8(bytes, _mm256_set1_epi8(0xC0_u8 as i8)), bytes);
            let mask = |bytes: __m256i| u64::from(_mm256_movemask_epi8(bytes) as u32);
            let classes = (mask(_mm256_or_si256(letters, digits)), mask(bytes), mask(_mm256_or_si256(capitals, leads)));
            (classes, mask(letters), mask(lower))
        };
        let (low, high) = block.split_at(32);
        let low = half(low.try_into().expect("thirty-two bytes"));
        let high = half(high.try_into().expect("thirty-two bytes"));
        Classes64 {
            alphanumeric: low.0.0 | high.0.0 << 32,
            beyond_ascii: low.0.1 | high.0.1 << 32,
            capitals: low.0.2 | high.0.2 << 32,
            letters: low.1 | high.1 << 32,
            lower: low.2 | high.2 << 32,
        }
    }

    /// The classes of sixteen bytes. On x86-64 SSE2 instructions over all of them at once: a
    /// byte is in a range when its distance above the range's first value, which wraps below
    /// it, is at most the range's width, that is when the smaller of the two is the distance.
    #[cfg(target_arch = "x86_64")]
    #[inline]
    fn of(chunk: &[u8; 16]) -> Classes {
        use std::arch::x86_64::{
            _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
            _mm_set1_epi8, _mm_sub_epi8,
        };
        // SAFETY: SSE2 is part of every x86-64 processor (the baseline the target is compiled
        // for), and the unaligned load reads the sixteen bytes of `chunk`, no more.
        unsafe {
            let bytes = _mm_loadu_si128(chunk.as_ptr().cast());
            let within = |first: u8, width: u8, bytes| {
                let above = _mm_sub_epi8(bytes, _mm_set1_epi8(first as i8));
                _mm_cmpeq_epi8(_mm_min_epu8(above, _mm_set1_epi8(width as i8)), above)
            };
            // Setting bit 5 folds the capitals onto the lower-case letters, and no other byte
            // onto them.
            let letters = within(b'a', 25, _mm_or_si128(bytes, _mm_set1_epi8(0x20)));
            let digits = within(b'0', 9, bytes);
            let capitals = within(b'A', 25, bytes);
            let lower = within(b'a', 25, bytes);
            let leads = _mm_cmpeq_epi8(_mm_max_epu8(bytes, _mm_set1_epi8(0xC0_u8 as i8)), bytes);
            Classes {
                alphanumeric: _mm_movemask_epi8(_mm_or_si128(letters, digits)) as u32,
                beyond_ascii: _mm_movemask_epi8(bytes) as u32,
                capitals: _mm_movemask_epi8(_mm_or_si128(capitals, leads)) as u32,
                letters: _mm_movemask_epi8(letters) as u32,
                lower: _mm_movemask_epi8(lower) as u32,
            }
        }
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn of(chunk: &[u8; 16]) -> Classes {
        Classes::of_bytes(chunk)
    }

    /// [`Classes::of`] byte by byte.
    #[cfg(any(test, not(target_arch = "x86_64")))]
    fn of_bytes(chunk: &[u8; 16]) -> Classes {
        let mask = |holds: fn(u8) -> bool| (0..16).filter(|&i| holds(chunk[i])).fold(0, |mask, i| mask | 1 << i);
        Classes {
            alphanumeric: mask(|byte| byte.is_ascii_alphanumeric()),
            beyond_ascii: mask(|byte| !byte.is_ascii()),
            capitals: mask(|byte| byte.is_ascii_uppercase() || byte >= 0xC0),
            letters: mask(|byte| byte.is_ascii_alphabetic()),
            lower: mask(|byte| byte.is_ascii_lowercase()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Every byte value, in every lane: the vector classes are the byte-wise ones.
        #[test]
        fn sixteen_bytes_are_classed_as_byte_by_byte(chunk in proptest::array::uniform16(proptest::num::u8::ANY)) {
            proptest::prop_assert_eq!(Classes::of(&chunk), Classes::of_bytes(&chunk));
        }

        /// Every byte value, in every lane of both halves: with AVX2, sixty-four bytes are
        /// classed as sixteen at a time class them.
        #[test]
        fn sixty_four_bytes_are_classed_as_sixteen_at_a_time(block in proptest::collection::vec(proptest::num::u8::ANY, 64)) {
            proptest::prop_assume!(has_avx2());
            proptest::prop_assert_eq!(Classes::of_64(&block, 0, true), Classes::of_64(&block, 0, false));
        }

        /// Regions that cut through words and characters, longer than sixty-four bytes too,
        /// read from any position: the bits are the positions told one by one.
        #[test]
        fn the_bits_are_the_word_starts_told_one_by_one(
            text in "(aaaa|[aZ09 .&é“]|É){0,150}",
            cuts in proptest::collection::vec(0usize..160, 0..4),
            froms in proptest::collection::vec(0usize..160, 0..6),
        ) {
            let mut bounds: Vec<usize> = cuts.into_iter().chain([0, text.len()]).filter(|&at| at <= text.len()).collect();
            bounds.sort_unstable();
            bounds.dedup();
            let regions: Vec<Span> = bounds.windows(2).step_by(2).map(|pair| Span::new(pair[0], pair[1])).collect();
            let other = ByteRanges::covering(1, |byte| byte == b'&');
            let scan = WordScan::new(&text, &regions, Some(&other));
            let bytes = text.as_bytes();
            for (index, region) in regions.iter().enumerate() {
                let after = |at: usize, text_before: bool| {
                    (at > region.start || text_before) && at > 0 && bytes[at - 1].is_ascii_alphanumeric()
                };
                let names = (region.start..region.end)
                    .filter(|&at| bytes[at].is_ascii_alphanumeric() || !bytes[at].is_ascii() || bytes[at] == b'&')
                    .filter(|&at| !after(at, true));
                let capitals = (region.start..region.end)
                    .filter(|&at| bytes[at].is_ascii_uppercase() || bytes[at] >= 0xC0)
                    .filter(|&at| !after(at, false));
                // Any stretch of the region, and the whole of it: its capitals wherever they lie.
                let stretches = froms.iter().zip(froms.iter().rev()).map(|(&from, &to)| (from.min(to), from.max(to)));
                for (from, to) in stretches.chain([(0, region.len())]) {
                    let (from, to) = (from.min(region.len()), to.min(region.len()));
                    let all = (region.start + from..region.start + to)
                        .filter(|&at| bytes[at].is_ascii_uppercase() || bytes[at] >= 0xC0)
                        .count();
                    proptest::prop_assert_eq!(scan.capitals_within(index, from, to), all);
                    // The fourth letters of the lower-case runs, the bytes before the region none.
                    let letter = |at: usize| at >= region.start && bytes[at].is_ascii_alphabetic();
                    let runs = (region.start + from..region.start + to)
                        .filter(|&at| at >= region.start + 3 && (at - 3..=at).all(letter))
                        .filter(|&at| bytes[at - 3].is_ascii_lowercase())
                        .filter(|&at| at == region.start + 3 || (bytes[at - 4].is_ascii() && !letter(at - 4)))
                        .count();
                    proptest::prop_assert_eq!(scan.lower_runs_within(index, from, to), runs);
                }
                let expected = [names.collect::<Vec<_>>(), capitals.collect()];
                for (bits, expected) in [scan.names(index), scan.capitals(index)].into_iter().zip(expected) {
                    // Read one by one: every position, in order.
                    let read: Vec<usize> = bits.clone().map(|at| region.start + at).collect();
                    proptest::prop_assert_eq!(&read, &expected);
                    // Read from positions further on (or not): the first not yet read at or after each.
                    let mut skipping = bits;
                    let mut froms = froms.clone();
                    froms.sort_unstable();
                    let mut next = 0;
                    for from in froms {
                        let wanted = expected.iter().map(|&at| at - region.start).find(|&at| at >= from.max(next));
                        skipping.skip_to(from);
                        let got = skipping.next();
                        proptest::prop_assert_eq!(got, wanted);
                        let Some(at) = got else { break };
                        next = at + 1;
                    }
                }
            }
        }
    }
}
