//! Context: which lines belong to the article, judged from the lines around them.
//!
//! The line rules catch chrome that says what it is ("Share this", "© 2026"). Most chrome does
//! not: menu entries, teaser headlines, form labels, a site's self-description in the sidebar. The
//! context pass tells them from article text the way jusText does for HTML paragraphs, with lines
//! as paragraphs and markdown links as links:
//!
//! 1. Every line gets a first class from its own cues: *bad* when a line rule removed it or most of
//!    it is link text; *short* when it is too short to judge; *good* when it is long and dense in
//!    the stop words of the page's language ("the", "und", "de"), as running prose is; *near-good*
//!    when it is prose-like but short; *bad* otherwise (names, numbers, lists of labels).
//! 2. Short and near-good lines take the class of their neighbours: a short line between two good
//!    ones is article (a subheading, a one-line paragraph), one between bad ones is chrome. A
//!    heading just before a good line is kept as near-good.
//! 3. The good lines form clusters, broken by runs of bad lines; clusters much lighter than the
//!    heaviest one (a teaser, a sidebar blurb) are dropped, and the heading just before a kept
//!    cluster (the title) is kept.
//!
//! Lines with no visible text (an image, a rule `* * *`) take no part: they stay only between kept
//! lines. A document without any prose line keeps everything the line rules kept, so that a
//! single sentence or a short note is never emptied.

use foldhash::HashMap;

use super::visible::VisibleLine;
use super::words::{KeyTable, alphanumeric_key_at, folded_key, folded_key_at, pack};
use crate::chars::{DIGIT, LETTER, SPACE, class_at, is_ascii_space, sixteen_at};
use crate::record::BoilerplateKind;

/// Thresholds of the context pass, from the `[classifier]` table of `rules/boilerplate/`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Lines with fewer visible characters are *short*: too short to judge on their own.
    pub short_chars: usize,
    /// Lines with more visible characters and enough stop words are *good*.
    pub long_chars: usize,
    /// Lines with a larger share of link text are *bad*.
    pub max_link_share: f64,
    /// Lines with a smaller share of stop words are *bad*.
    pub stopwords_low: f64,
    /// Lines with at least this share of stop words are *good* (when long) or *near-good*.
    pub stopwords_high: f64,
    /// Lines with at least this many characters are *good* with only `prose_stopwords`: long
    /// sentences full of names still read as prose.
    pub prose_chars: usize,
    pub prose_stopwords: f64,
    /// The page's best stop-word list must cover this share of its words; otherwise its language
    /// is unknown and length and sentence punctuation decide alone.
    pub min_language_share: f64,
    /// A heading this many characters or fewer before a good line is *near-good*.
    pub heading_reach: usize,
    /// A page with no good line but at least this many lines takes its longest near-good line as
    /// the article.
    pub min_lines: usize,
    /// This many *bad* lines in a row end a cluster of good lines.
    pub cluster_gap: usize,
    /// Clusters with less good text than this share of the heaviest cluster's are dropped.
    pub cluster_share: f64,
    /// The title is a heading at most this many characters before a kept cluster, or up to
    /// `title_lines` lines of text right before it.
    pub title_reach: usize,
    pub title_lines: usize,
    /// At most this many lines that could be text are taken into the article when they sit
    /// between two of its lines.
    pub max_bridged_lines: usize,
    /// A sentence of at least `standfirst_words` words within this many lines after the page's
    /// title (its first `# ` heading, above the article) is the standfirst, and kept.
    pub standfirst_lines: usize,
    pub standfirst_words: usize,
    /// Kinds of chrome that close an article (comment forms, related links, share rows…): prose
    /// after such a line and after the main article is comments or teasers.
    pub closing_kinds: Vec<BoilerplateKind>,
    /// Kinds of chrome whose headings end a cluster of text lines at once (`## Leave a Reply`):
    /// the prose right after them is not the article even when no gap of chrome parts them.
    pub cluster_ending_kinds: Vec<BoilerplateKind>,
    /// With `--repeats`, a line found in at least this many documents of the corpus, and in at
    /// least `repeat_min_share` of them, is removed.
    pub repeat_min_documents: usize,
    pub repeat_min_share: f64,
}

/// A `[[language]]` table: a language code and its stop words, separated by white space.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Language {
    pub code: String,
    pub words: String,
}

/// The stop words of every language, lower case: each word with the set of languages (one bit
/// per language, in the order they were added) whose list holds it, so that a word is looked up
/// once whatever the number of languages.
#[derive(Debug)]
pub struct StopWords {
    codes: Vec<String>,
    /// Words of up to 8 bytes, keyed by their bytes packed into a `u64` (see [`pack`]): most
    /// tokens of running text are that short, and the key of an ASCII one is read off its bytes
    /// at once (see [`folded_key`](super::words::folded_key)). The same table files the words that start phrases, by
    /// their [`folded_key`](super::words::folded_key), so that one lookup serves both.
    short: KeyTable<Word>,
    long: HashMap<String, u32>,
    /// Bytes of the longest word all in ASCII: a longer ASCII token, which stays ASCII in lower
    /// case, is no stop word and needs no lookup (the longest words of some lists are beyond
    /// ASCII, and take more bytes).
    longest: usize,
    /// Where the processor has the bit instructions and AVX2 (see [`count`](Self::count)), the
    /// proof of it, asked once here rather than for every line.
    #[cfg(target_arch = "x86_64")]
    wide: Option<Wide>,
}

impl Default for StopWords {
    fn default() -> Self {
        StopWords {
            codes: Vec::new(),
            short: KeyTable::default(),
            long: HashMap::default(),
            longest: 0,
            #[cfg(target_arch = "x86_64")]
            wide: Wide::detect(),
        }
    }
}

/// What a key of [`StopWords`] stands for.
#[derive(Debug, Clone, Copy, Default)]
struct Word {
    /// The languages whose stop word it is, one bit each.
    languages: u32,
    /// The group of phrases that start with the word, counted from 1; 0 for none.
    phrases: u32,
    /// The line patterns that need the word, one bit each (see [`gate_word`](StopWords::gate_word)).
    gates: u64,
    /// Whether a stop word longer than 8 bytes starts with the key's bytes: a longer ASCII token
    /// whose first 8 bytes start none is no stop word, and needs no lowering and hashing.
    starts_long: bool,
    /// Whether the key is the [`folded_key`] of a stop word beyond ASCII (see
    /// [`languages_beyond`](StopWords::languages_beyond)).
    folds_beyond: bool,
}

/// Languages fit in the bits of a `u32`.
pub const MAX_LANGUAGES: usize = 32;

/// Stop-word counts of a line, one per language.
pub type LanguageCounts = [u32; MAX_LANGUAGES];

/// The classes of up to 64 bytes of a text, one bit each (bit `i` for the byte at `i`), as the
/// scan of a line reads them a window at a time (see [`StopWords::count`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct ByteMasks {
    /// ASCII letters and digits, and white space (as [`ASCII_CLASS`](crate::chars::ASCII_CLASS)
    /// classes them).
    letters: u64,
    digits: u64,
    spaces: u64,
    /// The emphasis marks `*` and `_`: no characters of a line's text.
    marks: u64,
    /// The marks that end a sentence: `.`, `!` and `?`.
    stops: u64,
    /// Bytes beyond ASCII: the character they belong to must be decoded.
    beyond: u64,
}

impl ByteMasks {
    /// The classes of the bytes from bit `by` on (below 64), moved down to start at bit 0.
    #[inline(always)]
    fn shifted_down(self, by: usize) -> ByteMasks {
        ByteMasks {
            letters: self.letters >> by,
            digits: self.digits >> by,
            spaces: self.spaces >> by,
            marks: self.marks >> by,
            stops: self.stops >> by,
            beyond: self.beyond >> by,
        }
    }
}

/// The [`ByteMasks`] of the `len` bytes (at most 64) of `bytes` from `at`: only the sixteen-byte
/// chunks that hold some of them are classed, so a short line pays for one or two.
#[inline(always)]
fn byte_masks(bytes: &[u8], at: usize, len: usize) -> ByteMasks {
    let mut masks = ByteMasks::default();
    if let Some(window) = bytes[at..].first_chunk::<64>() {
        for (index, chunk) in window.chunks_exact(16).enumerate() {
            chunk_masks(chunk.try_into().expect("sixteen bytes"), 16 * index, &mut masks);
        }
    } else {
        // The last bytes, padded with zero bytes, which are no letter, digit, space or mark.
        for index in 0..len.div_ceil(16) {
            chunk_masks(&sixteen_at(bytes, at + 16 * index, 0), 16 * index, &mut masks);
        }
    }
    masks
}

/// How a scan reads the [`ByteMasks`] of a window of up to 64 bytes (see [`byte_masks`]).
trait WindowReader: Copy {
    fn byte_masks(self, bytes: &[u8], at: usize, len: usize) -> ByteMasks;
}

/// Sixteen bytes at a time, as every processor of the target can.
#[derive(Debug, Clone, Copy)]
struct Narrow;

impl WindowReader for Narrow {
    #[inline(always)]
    fn byte_masks(self, bytes: &[u8], at: usize, len: usize) -> ByteMasks {
        byte_masks(bytes, at, len)
    }
}

/// Thirty-two bytes at a time with AVX2, by a scan compiled for the bit instructions too: a
/// window of 64 bytes takes two chunks and half the comparisons of [`Narrow`]. A value is made
/// only where the processor has all of them.
#[cfg(target_arch = "x86_64")]
#[derive(Debug, Clone, Copy)]
struct Wide(());

#[cfg(target_arch = "x86_64")]
impl Wide {
    fn detect() -> Option<Wide> {
        let all = std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("popcnt")
            && std::arch::is_x86_feature_detected!("bmi1")
            && std::arch::is_x86_feature_detected!("bmi2")
            && std::arch::is_x86_feature_detected!("lzcnt");
        all.then_some(Wide(()))
    }
}

#[cfg(target_arch = "x86_64")]
impl WindowReader for Wide {
    #[inline(always)]
    fn byte_masks(self, bytes: &[u8], at: usize, len: usize) -> ByteMasks {
        // SAFETY: a `Wide` is made only where the processor has AVX2 (see `Wide::detect`).
        unsafe { wide_byte_masks(bytes, at, len) }
    }
}

/// [`byte_masks`] thirty-two bytes at a time. The last bytes of a text that is at least 64 bytes
/// long are read in the 64 bytes that end it, their classes shifted down past the bytes before
/// them; a shorter text is read in the 32 bytes that open it and the 32 that end it, and only a
/// text shorter than that is copied, padded with zero bytes (no letter, digit, space or mark).
/// Each case is one fixed sequence of reads, where a loop over the chunks of the last window
/// took some seventy instructions more a line.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn wide_byte_masks(bytes: &[u8], at: usize, len: usize) -> ByteMasks {
    if let Some(window) = bytes[at..].first_chunk::<64>() {
        return wide_window_masks(window);
    }
    // The window holds the last `len` bytes of the text.
    let mut masks = ByteMasks::default();
    if len == 0 {
        return masks;
    }
    if let Some(last) = bytes.last_chunk::<64>() {
        return wide_window_masks(last).shifted_down(64 - len);
    }
    let rest = &bytes[at..];
    match (rest.first_chunk::<32>(), rest.last_chunk::<32>()) {
        // The two reads overlap in bytes whose classes are the same in both.
        (Some(first), Some(last)) => {
            wide_chunk_masks(first, 0, &mut masks);
            wide_chunk_masks(last, len - 32, &mut masks);
        }
        _ => {
            let mut padded = [0; 32];
            padded[..16].copy_from_slice(&sixteen_at(rest, 0, 0));
            if len > 16 {
                padded[16..].copy_from_slice(&sixteen_at(rest, 16, 0));
            }
            wide_chunk_masks(&padded, 0, &mut masks);
        }
    }
    masks
}

/// The [`ByteMasks`] of 64 bytes, a chunk of 32 at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn wide_window_masks(window: &[u8; 64]) -> ByteMasks {
    let mut masks = ByteMasks::default();
    let (low, high) = window.split_at(32);
    wide_chunk_masks(low.try_into().expect("32 bytes"), 0, &mut masks);
    wide_chunk_masks(high.try_into().expect("32 bytes"), 32, &mut masks);
    masks
}

/// Adds the classes of 32 bytes to `masks`, shifted to start at bit `shift`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn wide_chunk_masks(chunk: &[u8; 32], shift: usize, masks: &mut ByteMasks) {
    use std::arch::x86_64::{
        __m256i, _mm256_add_epi8, _mm256_cmpeq_epi8, _mm256_cmpgt_epi8, _mm256_loadu_si256, _mm256_movemask_epi8,
        _mm256_or_si256, _mm256_set1_epi8,
    };
    // SAFETY: the unaligned load reads the 32 bytes of `chunk`, no more.
    let bytes = unsafe { _mm256_loadu_si256(chunk.as_ptr().cast()) };
    // A byte is in `low..=high` when adding `128 - low` moves it to the lowest signed bytes,
    // below `high - low - 127`: one addition and one comparison, where a test of both ends
    // takes two comparisons and an `and`.
    let within = |bytes: __m256i, low: u8, high: u8| {
        let moved = _mm256_add_epi8(bytes, _mm256_set1_epi8(128u8.wrapping_sub(low) as i8));
        _mm256_cmpgt_epi8(_mm256_set1_epi8((high - low) as i8 - 127), moved)
    };
    let is = |byte: u8| _mm256_cmpeq_epi8(bytes, _mm256_set1_epi8(byte as i8));
    let mask = |bytes: __m256i| u64::from(_mm256_movemask_epi8(bytes) as u32) << shift;
    masks.beyond |= mask(bytes);
    // Setting bit 5 lowers an ASCII capital and moves no other byte into `a..=z`.
    masks.letters |= mask(within(_mm256_or_si256(bytes, _mm256_set1_epi8(0x20)), b'a', b'z'));
    masks.digits |= mask(within(bytes, b'0', b'9'));
    masks.spaces |= mask(_mm256_or_si256(within(bytes, b'\t', b'\r'), is(b' ')));
    masks.marks |= mask(_mm256_or_si256(is(b'*'), is(b'_')));
    masks.stops |= mask(_mm256_or_si256(_mm256_or_si256(is(b'.'), is(b'!')), is(b'?')));
}

/// Adds the classes of sixteen bytes, shifted left by `shift` bits, to `masks`. On x86-64 a few
/// SSE2 comparisons, elsewhere byte by byte.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn chunk_masks(chunk: &[u8; 16], shift: usize, masks: &mut ByteMasks) {
    use std::arch::x86_64::{
        _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8,
        _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of every x86-64 processor (the baseline the target is compiled
    // for), and the unaligned load reads the sixteen bytes of `chunk`, no more.
    unsafe {
        let bytes = _mm_loadu_si128(chunk.as_ptr().cast());
        let within = |low: u8, high: u8| {
            _mm_and_si128(
                _mm_cmpgt_epi8(bytes, _mm_set1_epi8(low as i8 - 1)),
                _mm_cmplt_epi8(bytes, _mm_set1_epi8(high as i8 + 1)),
            )
        };
        let is = |byte: u8| _mm_cmpeq_epi8(bytes, _mm_set1_epi8(byte as i8));
        let mask = |bytes| u64::from(_mm_movemask_epi8(bytes) as u16) << shift;
        // Bytes beyond ASCII are negative as signed bytes, so no range below takes them in.
        masks.beyond |= mask(bytes);
        // Setting bit 5 lowers an ASCII capital and moves no other byte into `a..=z`.
        let lowered = _mm_or_si128(bytes, _mm_set1_epi8(0x20));
        masks.letters |= mask(_mm_and_si128(
            _mm_cmpgt_epi8(lowered, _mm_set1_epi8(b'a' as i8 - 1)),
            _mm_cmplt_epi8(lowered, _mm_set1_epi8(b'z' as i8 + 1)),
        ));
        masks.digits |= mask(within(b'0', b'9'));
        masks.spaces |= mask(_mm_or_si128(within(b'\t', b'\r'), is(b' ')));
        masks.marks |= mask(_mm_or_si128(is(b'*'), is(b'_')));
        masks.stops |= mask(_mm_or_si128(_mm_or_si128(is(b'.'), is(b'!')), is(b'?')));
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn chunk_masks(chunk: &[u8; 16], shift: usize, masks: &mut ByteMasks) {
    chunk_masks_by_byte(chunk, shift, masks)
}

/// [`chunk_masks`] a byte at a time.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn chunk_masks_by_byte(chunk: &[u8; 16], shift: usize, masks: &mut ByteMasks) {
    for (index, &byte) in chunk.iter().enumerate() {
        let bit = 1 << (shift + index);
        if !byte.is_ascii() {
            masks.beyond |= bit;
            continue;
        }
        match crate::chars::ASCII_CLASS[usize::from(byte)] {
            LETTER => masks.letters |= bit,
            DIGIT => masks.digits |= bit,
            SPACE => masks.spaces |= bit,
            _ => {}
        }
        if matches!(byte, b'*' | b'_') {
            masks.marks |= bit;
        }
        if matches!(byte, b'.' | b'!' | b'?') {
            masks.stops |= bit;
        }
    }
}

/// The bits below bit `n` (`n` at most 64).
#[inline(always)]
fn below(n: usize) -> u64 {
    if n >= 64 { u64::MAX } else { (1 << n) - 1 }
}

/// What [`StopWords::window_words`] reads of one window of up to 64 bytes, one bit per byte.
#[derive(Clone, Copy)]
struct Window {
    /// Where the window starts in the text.
    at: usize,
    /// Where words end: a word ends at a bit of `ends` and starts after the last bit of `gaps`
    /// before it, or with none there where the token `crossing` into the window starts.
    ends: u64,
    gaps: u64,
    /// The window's bytes beyond ASCII.
    beyond: u64,
    /// Where the token that reaches into the window from the one before starts, and whether its
    /// bytes so far are ASCII.
    crossing: Option<(usize, bool)>,
}

/// What the context pass counts in the words of a line.
pub struct Counted {
    /// Tokens with a letter, tokens being runs of letters and digits (`char::is_alphanumeric`).
    pub words: usize,
    /// Characters that are neither white space nor `*` or `_`.
    pub chars: usize,
    /// Words as `split_whitespace` cuts them that hold a letter or digit.
    pub spaced_words: usize,
    /// The emphasis marks `*` and `_`.
    pub marks: usize,
    /// The gate sets of the tokens (see [`StopWords::gate_word`]), which tell only of lines
    /// whose tokens are all ASCII.
    pub gates: u64,
    /// Whether a token holds a character beyond ASCII.
    pub beyond_ascii: bool,
    /// Whether the text ends a sentence somewhere: it holds `.`, `!` or `?`.
    pub sentence: bool,
}

/// What one pass over a line's visible text finds: the counts the line rules read and the cues
/// the context pass reads, which would otherwise take a pass each.
pub struct LineScan<'a> {
    /// The visible text without the markup that opens it (see `is_line_markup`) and without
    /// list numbering.
    pub body: &'a str,
    /// The bytes of the markup that opens the visible text (see `is_line_markup`), which holds
    /// no letter or digit.
    pub markup: usize,
    /// Counts of `body`.
    pub counted: Counted,
    /// Words of the whole visible text that hold a letter or digit (as `split_whitespace` cuts
    /// them), and its characters that are not white space.
    pub words: usize,
    pub chars: usize,
}

impl StopWords {
    /// Adds a language; false when there are already [`MAX_LANGUAGES`].
    pub fn add(&mut self, language: &Language) -> bool {
        let Some(bit) = u32::try_from(self.codes.len()).ok().filter(|&n| (n as usize) < MAX_LANGUAGES) else {
            return false;
        };
        for word in language.words.split_whitespace() {
            let word = word.to_lowercase();
            if word.is_ascii() {
                self.longest = self.longest.max(word.len());
            } else if let key @ 1.. = folded_key(word.as_bytes()) {
                self.short.entry(key).folds_beyond = true;
            }
            let languages = if word.len() <= 8 {
                &mut self.short.entry(pack(word.as_bytes())).languages
            } else {
                let start = pack(&word.as_bytes()[..8]);
                if start != 0 {
                    self.short.entry(start).starts_long = true;
                }
                self.long.entry(word).or_default()
            };
            *languages |= 1 << bit;
        }
        self.codes.push(language.code.clone());
        true
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// The group of phrases (counted from 1, 0 for none yet) whose first word has the key `key`
    /// (see [`folded_key`](super::words::folded_key)): [`scan`](Self::scan) reports the words of a line that start such
    /// phrases.
    pub fn phrase_group(&mut self, key: u64) -> &mut u32 {
        &mut self.short.entry(key).phrases
    }

    /// The set of line patterns (one bit each) that need a token with the key `key` (see
    /// [`required_words`](super::words::required_words)): [`scan`](Self::scan) gathers the sets
    /// of a line's tokens in [`Counted::gates`].
    pub fn gate_word(&mut self, key: u64) -> &mut u64 {
        &mut self.short.entry(key).gates
    }

    pub fn has(&self, code: &str) -> bool {
        self.codes.iter().any(|known| known == code)
    }

    /// Scans the visible `text` of a line once (see [`LineScan`]) and adds the stop words of
    /// its body to `stop_words`, per language; `lower` is scratch for long words. Calls
    /// `phrases(start, group)` for every word of the body, at byte `start` of `text`, that
    /// starts the phrases of a group (see [`phrase_group`](Self::phrase_group)). The counts are
    /// added where the caller keeps them (in the line's [`LineCues`]): returned, they were
    /// zeroed and copied twice a line.
    #[inline(always)]
    pub fn scan<'a>(
        &self,
        text: &'a str,
        stop_words: &mut LanguageCounts,
        lower: &mut String,
        mut phrases: impl FnMut(usize, u32),
    ) -> LineScan<'a> {
        // Most lines of prose open with a letter: no markup, no numbering, nothing before the body.
        let (body, markup, lead_words, lead_chars) = match text.as_bytes().first() {
            Some(first) if first.is_ascii_alphabetic() => (text, 0, 0, 0),
            _ => {
                // Markup holds no letter or digit: the numbering is the only word of the lead.
                let marked = trim_line_markup(text);
                // Most leads are markup alone: no call to look for numbering that no digit opens.
                let body = if marked.as_bytes().first().is_some_and(u8::is_ascii_digit) {
                    strip_numbering(marked)
                } else {
                    marked
                };
                let lead = &text[..text.len() - body.len()];
                // The lead is mostly a few bytes of ASCII markup, counted without decoding.
                let lead_chars = if lead.is_ascii() {
                    lead.bytes().filter(|&byte| !is_ascii_space(byte)).count()
                } else {
                    lead.chars().filter(|c| !c.is_whitespace()).count()
                };
                (body, text.len() - marked.len(), usize::from(body.len() < marked.len()), lead_chars)
            }
        };
        let lead = text.len() - body.len();
        let counted = self.count(body, stop_words, lower, |start, group| phrases(lead + start, group));
        // The markup and numbering before the body end in a mark or white space, so no word
        // holding a letter or digit straddles the two.
        LineScan {
            body,
            markup,
            words: lead_words + counted.spaced_words,
            chars: lead_chars + counted.chars + counted.marks,
            counted,
        }
    }

    /// Adds to `counts[l]` one for every word of `text` in the list of language `l`, in one pass
    /// that decodes only non-ASCII characters; `lower` is scratch for long words.
    /// Calls `phrases(start, group)` for every token at byte `start` that starts a phrase group.
    ///
    /// The scan is bit counting and bit searching on the masks of its windows; the baseline
    /// x86-64 target has no instruction to count bits, and spends a dozen on each count. Where
    /// the processor has the bit instructions, the scan is compiled for them. Inlined, the choice
    /// costs a test a line; a call of its own cost some thirty instructions more, passing on the
    /// closure and the counts.
    #[inline(always)]
    fn count(
        &self,
        text: &str,
        counts: &mut LanguageCounts,
        lower: &mut String,
        phrases: impl FnMut(usize, u32),
    ) -> Counted {
        #[cfg(target_arch = "x86_64")]
        if let Some(wide) = self.wide {
            // SAFETY: a `Wide` is made only where the processor has every feature the function
            // is compiled for (see `Wide::detect`).
            return unsafe { self.count_with_bit_instructions(wide, text, counts, lower, phrases) };
        }
        self.count_by_windows(Narrow, text, counts, lower, phrases)
    }

    /// [`count_by_windows`](Self::count_by_windows) compiled for the bit instructions, its
    /// windows read with AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,popcnt,bmi1,bmi2,lzcnt")]
    fn count_with_bit_instructions(
        &self,
        wide: Wide,
        text: &str,
        counts: &mut LanguageCounts,
        lower: &mut String,
        phrases: impl FnMut(usize, u32),
    ) -> Counted {
        self.count_by_windows(wide, text, counts, lower, phrases)
    }

    /// [`count`](Self::count) for any processor, its windows read by `reader`.
    #[inline(always)]
    fn count_by_windows(
        &self,
        reader: impl WindowReader,
        text: &str,
        counts: &mut LanguageCounts,
        lower: &mut String,
        mut phrases: impl FnMut(usize, u32),
    ) -> Counted {
        let bytes = text.as_bytes();
        let (mut words, mut chars, mut spaced_words, mut marks) = (0, 0, 0, 0);
        // The stops seen and the bytes beyond ASCII of tokens, gathered as bits and tested once
        // at the end: a test of each window's set took two instructions more a window.
        let (mut gates, mut beyond_in_tokens, mut stops) = (0, 0, 0);
        // What goes on from one window to the next: whether white space came since the last
        // token, or no token came yet (the next token then starts a word as `split_whitespace`
        // cuts them); whether the token that reaches into the next window holds a letter so
        // far; and where that token starts and whether it is all ASCII so far.
        let (mut spaced, mut lettered) = (true, false);
        let mut crossing: Option<(usize, bool)> = None;
        // The bytes of the next window that belong to a character beyond ASCII which starts in
        // this one, by the character's class (`beyond`: all of them).
        let mut spill = ByteMasks::default();
        // 64 bytes at a time: the classes of their ASCII bytes at once (see [`byte_masks`]), then
        // a step per character beyond ASCII and per word. A token that reaches the end of the
        // text ends in an empty window after it.
        let mut at = 0;
        while at < bytes.len() || crossing.is_some() {
            let len = (bytes.len() - at).min(64);
            let mut masks = reader.byte_masks(bytes, at, len);
            chars += (below(len) & !(masks.beyond | masks.spaces | masks.marks)).count_ones() as usize;
            marks += masks.marks.count_ones() as usize;
            // The zero bytes that pad the last window are no stops.
            stops |= masks.stops;
            if masks.beyond != 0 {
                // Every character beyond ASCII takes the class of its first byte for all its bytes.
                masks.letters |= spill.letters;
                masks.digits |= spill.digits;
                masks.spaces |= spill.spaces;
                let mut leads = masks.beyond & !spill.beyond;
                spill = ByteMasks::default();
                while leads != 0 {
                    let first = leads.trailing_zeros() as usize;
                    let (class, width) = class_at(text, at + first);
                    let character = ((1u128 << width) - 1) << first;
                    let (here, next) = (character as u64, (character >> 64) as u64);
                    leads &= !here;
                    spill.beyond |= next;
                    let classed = match class {
                        LETTER => Some((&mut masks.letters, &mut spill.letters)),
                        DIGIT => Some((&mut masks.digits, &mut spill.digits)),
                        SPACE => Some((&mut masks.spaces, &mut spill.spaces)),
                        _ => None,
                    };
                    if let Some((masks, spill)) = classed {
                        *masks |= here;
                        *spill |= next;
                    }
                    chars += usize::from(class != SPACE);
                }
            }
            // Tokens are the runs of letters and digits; the token crossing into the window goes
            // on from the window before. What needs no lookup is counted for the whole window
            // by carries: a space in the gap before a token carries through the gap into the
            // token's first byte, and a letter of a token carries through the rest of it into
            // the byte after its end.
            let alphanumeric = masks.letters | masks.digits;
            let gaps = !alphanumeric;
            let starts = alphanumeric & !(alphanumeric << 1 | u64::from(crossing.is_some()));
            let (sum, over) = gaps.overflowing_add(masks.spaces);
            let (sum, carried) = sum.overflowing_add(u64::from(spaced));
            spaced_words += (sum & starts).count_ones() as usize;
            spaced = over | carried;
            let (sum, over) = alphanumeric.overflowing_add(masks.letters);
            let (sum, carried) = sum.overflowing_add(u64::from(lettered));
            let ends = sum & gaps;
            lettered = over | carried;
            words += ends.count_ones() as usize;
            beyond_in_tokens |= masks.beyond & alphanumeric;
            // Then a step per word. Most windows hold no byte beyond ASCII: their words, read
            // with that known, take no test of their bytes.
            let window = Window { at, ends, gaps, beyond: masks.beyond, crossing };
            gates |= if masks.beyond == 0 {
                self.window_words(text, Window { beyond: 0, ..window }, counts, lower, &mut phrases)
            } else {
                self.window_words(text, window, counts, lower, &mut phrases)
            };
            crossing = match starts {
                _ if alphanumeric >> 63 == 0 => None,
                0 => crossing.map(|(start, ascii)| (start, ascii && masks.beyond == 0)),
                _ => {
                    let first = 63 - starts.leading_zeros() as usize;
                    Some((at + first, masks.beyond >> first == 0))
                }
            };
            at += len;
        }
        Counted { words, chars, spaced_words, marks, gates, beyond_ascii: beyond_in_tokens != 0, sentence: stops != 0 }
    }

    /// Counts the words that end in `window` of `text` (see
    /// [`count_by_windows`](Self::count_by_windows)) and returns their gate sets.
    #[inline(always)]
    fn window_words(
        &self,
        text: &str,
        window: Window,
        counts: &mut LanguageCounts,
        lower: &mut String,
        phrases: &mut impl FnMut(usize, u32),
    ) -> u64 {
        let Window { at, mut ends, gaps, beyond, crossing } = window;
        let mut gates = 0;
        // The token crossing into the window, when it ends here, is the first word: no gap
        // comes before its end. Taken first, it leaves the loop the words that start in the
        // window, which need no test for it, and in a window all in ASCII no test of their bytes.
        if let Some((start, ascii)) = crossing
            && ends != 0
        {
            let end = ends.trailing_zeros() as usize;
            if gaps & ((1 << end) - 1) == 0 {
                ends &= ends - 1;
                let ascii = ascii && beyond & ((1 << end) - 1) == 0;
                gates |= self.tally_word(text, start..at + end, ascii, counts, lower, phrases);
            }
        }
        while ends != 0 {
            let end = ends.trailing_zeros() as usize;
            ends &= ends - 1;
            // `first` and `end` are below 64; the bits below `end` are one `bzhi` each.
            let first = 64 - (gaps & ((1 << end) - 1)).leading_zeros() as usize;
            let ascii = (beyond & ((1 << end) - 1)) >> first == 0;
            gates |= self.tally_word(text, at + first..at + end, ascii, counts, lower, phrases);
        }
        gates
    }

    /// Counts the word at `span` of `text` (see [`tally_token`](Self::tally_token)), calls
    /// `phrases` when it starts a phrase group, and returns its gate set.
    #[inline(always)]
    fn tally_word(
        &self,
        text: &str,
        span: std::ops::Range<usize>,
        ascii: bool,
        counts: &mut LanguageCounts,
        lower: &mut String,
        phrases: &mut impl FnMut(usize, u32),
    ) -> u64 {
        let (bytes, start, len) = (text.as_bytes(), span.start, span.end - span.start);
        let key = if ascii { alphanumeric_key_at(bytes, start, len) } else { folded_key_at(bytes, start, len) };
        let Some(word) = self.tally_token(text, span, ascii, key, counts, lower) else { return 0 };
        if word.phrases != 0 {
            phrases(start, word.phrases);
        }
        word.gates
    }

    /// Counts the token at `span` of `text` (with a letter, and the key `key` of its first 8
    /// bytes, see [`folded_key`](super::words::folded_key)) for every language whose list holds
    /// it in lower case; returns what the key stands for, whose phrase group and gates are the
    /// token's. That one lookup, inlined into the scan, tells all about the ASCII words of
    /// running text: those of up to 8 bytes are their key, and a longer one is no stop word
    /// unless a stop word longer than 8 bytes starts with its key. The others are lowered and
    /// looked up again by [`languages_of`](Self::languages_of), when
    /// [`languages_beyond`](Self::languages_beyond) cannot tell them apart at once.
    #[inline(always)]
    fn tally_token(
        &self,
        text: &str,
        span: std::ops::Range<usize>,
        ascii: bool,
        key: u64,
        counts: &mut LanguageCounts,
        lower: &mut String,
    ) -> Option<&Word> {
        let word = self.short.get(key);
        // Not `span.len()`, which guards against an end before the start with a few
        // instructions more for every token.
        let len = span.end - span.start;
        let languages = match word {
            _ if ascii && len <= 8 => word.map(|word| word.languages),
            Some(Word { starts_long: true, .. }) if ascii && len <= self.longest => {
                self.languages_of(&text[span], ascii, lower)
            }
            _ if ascii => None,
            _ => self.languages_beyond(&text[span], key, word, lower),
        };
        self.tally(languages, counts);
        word
    }

    /// The languages whose list holds `token`, a word beyond ASCII whose key is `key` and
    /// stands for `word`, in lower case; `lower` is scratch. Lowering a letter of Latin-1 moves
    /// no byte, so a token of ASCII and Latin-1 has the key of its lower case, and most words
    /// beyond ASCII of European text are such tokens: unless that key is the key of a stop word
    /// beyond ASCII too (a lower case in ASCII would be no token beyond ASCII), the token is no
    /// stop word, and needs no lowering and hashing.
    #[inline(never)]
    fn languages_beyond(&self, token: &str, key: u64, word: Option<&Word>, lower: &mut String) -> Option<u32> {
        // Characters up to U+00FF take one or two bytes, the first of two below 0xC4.
        let latin = token.bytes().all(|byte| byte < 0xc4);
        if latin && key != 0 && !word.is_some_and(|word| word.folds_beyond) {
            return None;
        }
        self.languages_of(token, false, lower)
    }

    /// The languages whose list holds `token` (a word longer than 8 bytes or beyond ASCII) in
    /// lower case; `lower` is scratch.
    #[inline(never)]
    fn languages_of(&self, token: &str, ascii: bool, lower: &mut String) -> Option<u32> {
        lower.clear();
        if ascii {
            lower.push_str(token);
            lower.make_ascii_lowercase();
        } else {
            push_lowercase(lower, token);
        }
        if lower.len() <= 8 {
            self.short.get(pack(lower.as_bytes())).map(|word| word.languages)
        } else {
            self.long.get(lower.as_str()).copied()
        }
    }

    /// Counts a word for every language in the set `languages`.
    fn tally(&self, languages: Option<u32>, counts: &mut LanguageCounts) {
        let Some(mut rest) = languages else { return };
        while rest != 0 {
            counts[rest.trailing_zeros() as usize] += 1;
            rest &= rest - 1;
        }
    }
}

/// Pushes `token` in lower case (as `char::to_lowercase` has each character) onto `lower`. The
/// letters of Latin-1, which most words beyond ASCII of European text hold, are lowered by
/// their code: a capital from `À` to `Þ` (but `×`) is its small letter less 32; the small ones
/// from `ß` to `ÿ` (and `÷`) stay. So are those of the other lists that are no Latin-1, the
/// letters of Polish and Russian, whose words go this way: the basic Cyrillic capitals are their
/// small letters less 80 (`Ѐ` to `Џ`) or less 32 (`А` to `Я`); most of Latin Extended-A pairs a
/// capital with the small letter after it, from an even code or, in two runs, from an odd one.
fn push_lowercase(lower: &mut String, token: &str) {
    let moved = |c: char, by: u32| char::from_u32(u32::from(c) + by).unwrap_or(c);
    for c in token.chars() {
        match c {
            '\0'..='\x7f' => lower.push(c.to_ascii_lowercase()),
            'À'..='Þ' if c != '×' => lower.push(moved(c, 32)),
            'ß'..='ÿ' | 'а'..='џ' => lower.push(c),
            'Ѐ'..='Џ' => lower.push(moved(c, 80)),
            'А'..='Я' => lower.push(moved(c, 32)),
            '\u{100}'..='\u{12f}' | '\u{132}'..='\u{137}' | '\u{14a}'..='\u{177}' => {
                lower.push(moved(c, (u32::from(c) & 1) ^ 1));
            }
            '\u{139}'..='\u{148}' | '\u{179}'..='\u{17e}' => lower.push(moved(c, u32::from(c) & 1)),
            _ => lower.extend(c.to_lowercase()),
        }
    }
}

/// The kinds of chrome that close an article and that end a cluster (see `Settings`), one bit
/// each (see [`kind_bit`]): a removed line tests a bit of each, where a search of the lists
/// took a comparison per kind listed.
#[derive(Debug, Clone, Copy)]
pub struct KindSets {
    closing: u64,
    cluster_ending: u64,
}

impl KindSets {
    pub fn new(settings: &Settings) -> KindSets {
        let set = |kinds: &[BoilerplateKind]| kinds.iter().fold(0, |set, &kind| set | kind_bit(kind));
        KindSets { closing: set(&settings.closing_kinds), cluster_ending: set(&settings.cluster_ending_kinds) }
    }
}

/// The bit of `kind` in a [`KindSets`] set: its place in the declaration, which a dozen kinds
/// keep far below 64.
fn kind_bit(kind: BoilerplateKind) -> u64 {
    1 << kind as u32
}

/// What the context pass needs to know about one non-blank line.
#[derive(Debug, Clone, Default)]
pub struct LineCues {
    /// Visible characters, without spaces and markdown marks (`#`, `*`, `_`, list markers).
    pub chars: usize,
    /// Share of `chars` that is link anchor text (1 for a line of links with no text).
    pub link_share: f64,
    /// Words, and how many of them are stop words of each language (in `StopWords` order).
    pub words: usize,
    pub stop_words: LanguageCounts,
    /// Ends a sentence somewhere: `.`, `!` or `?`.
    pub sentence: bool,
    /// Ends with a sentence: `.`, `!` or `?`, perhaps inside closing quotes or brackets.
    pub ends_sentence: bool,
    /// A markdown heading (`# …`).
    pub heading: bool,
    /// A top-level markdown heading (`# …`, not `## …`): the page's title, when it is the first.
    pub top_heading: bool,
    /// Already removed by a line rule.
    pub ruled: bool,
    /// Takes no part in the context: no visible text, or the residue of an image.
    pub transparent: bool,
    /// Removed by a line rule of a kind that closes an article (`closing_kinds`).
    pub closes: bool,
    /// A heading removed by a line rule of a kind that ends a cluster (`cluster_ending_kinds`):
    /// the title of the comments, not a policy note or a form field inside the article.
    pub ends_cluster: bool,
}

/// `text` without the markup that opens it (see [`is_line_markup`]), its ASCII read a byte at a
/// time: a byte beyond ASCII may open white space or a bullet, and the trim by characters goes on
/// from it; after an ASCII byte that is no markup nothing is left to trim.
#[inline]
fn trim_line_markup(text: &str) -> &str {
    let ascii = text.bytes().position(|byte| !ASCII_LINE_MARKUP[usize::from(byte)]).unwrap_or(text.len());
    match text.as_bytes().get(ascii) {
        Some(byte) if !byte.is_ascii() => text[ascii..].trim_start_matches(is_line_markup),
        _ => &text[ascii..],
    }
}

/// Markup that opens a line without being part of what it says: list markers, quote marks,
/// heading marks, emphasis, table bars.
fn is_line_markup(c: char) -> bool {
    c.is_whitespace() || matches!(c, '#' | '>' | '*' | '_' | '+' | '-' | '•' | '·' | '|')
}

/// The bytes that are ASCII characters of [`is_line_markup`], by their value: one load a byte
/// where the test of the character takes a dozen instructions.
static ASCII_LINE_MARKUP: [bool; 256] = {
    let mut table = [false; 256];
    let markup = b" \t\n\x0b\x0c\r#>*_+-|";
    let mut i = 0;
    while i < markup.len() {
        table[markup[i] as usize] = true;
        i += 1;
    }
    table
};

impl LineCues {
    /// Sets every cue but the stop words (which [`StopWords::scan`] adds in place) from the
    /// line's visible form (see `visible`), its scan, its raw text `raw` (trimmed, as the line
    /// rules read it) and, when a line rule removed it, the kind of chrome it is.
    #[inline]
    pub fn set(
        &mut self,
        visible: &VisibleLine,
        scan: &LineScan,
        raw: &str,
        removed_as: Option<BoilerplateKind>,
        kinds: KindSets,
    ) {
        let LineScan { body, counted: Counted { words, chars, sentence, .. }, .. } = *scan;
        let link_share = if chars == 0 {
            if visible.links > 0 { 1.0 } else { 0.0 }
        } else {
            visible.link_chars.min(chars) as f64 / chars as f64
        };
        let heading = raw.starts_with('#');
        // Field by field: a whole value written over the cues would copy the counts onto
        // themselves.
        self.chars = chars;
        self.link_share = link_share;
        self.words = words;
        self.sentence = sentence;
        self.ends_sentence = ends_sentence(body);
        self.heading = heading;
        self.top_heading = raw.strip_prefix('#').is_some_and(|rest| rest.starts_with(char::is_whitespace));
        self.ruled = removed_as.is_some();
        self.transparent = chars == 0 || removed_as == Some(BoilerplateKind::ImageUrl);
        self.closes = removed_as.is_some_and(|kind| kinds.closing & kind_bit(kind) != 0);
        self.ends_cluster = removed_as.is_some_and(|kind| kinds.cluster_ending & kind_bit(kind) != 0) && heading;
    }
}

/// Whether `text` ends with a sentence: `.`, `!` or `?`, perhaps inside closing quotes or
/// brackets, emphasis marks or white space. Read back from the end a byte at a time while the
/// bytes are ASCII, as most lines end; by characters from the first byte beyond ASCII.
fn ends_sentence(text: &str) -> bool {
    for &byte in text.as_bytes().iter().rev() {
        match byte {
            b'.' | b'!' | b'?' => return true,
            b'"' | b')' | b'*' | b'_' | b' ' | b'\t'..=b'\r' => {}
            0x80.. => return ends_sentence_by_char(text),
            _ => return false,
        }
    }
    false
}

/// [`ends_sentence`] a character at a time.
fn ends_sentence_by_char(text: &str) -> bool {
    text.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '"' | '”' | '’' | '»' | ')' | '*' | '_'))
        .ends_with(['.', '!', '?'])
}

/// `12. ` or `3) ` at the start of a numbered list item.
fn strip_numbering(text: &str) -> &str {
    let digits = text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return text;
    }
    let rest = &text[digits..];
    match rest.strip_prefix(['.', ')']) {
        Some(after) if after.starts_with(char::is_whitespace) => after.trim_start(),
        _ => text,
    }
}

/// What the context pass says about a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Article text (or already removed by a line rule, which the pass leaves to that rule).
    Keep,
    /// Not article text, and mostly link text.
    LinkDense,
    /// Not article text.
    OutsideArticle,
    /// Repeats across the corpus (see `repeats`); the corpus pass, not `judge`, says so.
    Repeated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Good,
    NearGood,
    Short,
    Bad,
}

/// Judges every line; `lines[i]` is `None` for a blank line.
/// `languages` stop-word lists were counted.
pub fn judge(settings: &Settings, languages: usize, lines: &[Option<LineCues>]) -> Vec<Verdict> {
    let mut verdicts = vec![Verdict::Keep; lines.len()];
    // Lines with visible text take part; the others (blank, image, `* * *`) follow them. Their
    // numbers and cues are taken in one pass, with room for every line: collected from a
    // filter, the numbers grew by doubling, and the cues took a second pass. The same pass
    // adds up the stop words of every line that is not blank, for the page's language.
    let (mut index, mut cues): (Vec<usize>, Vec<&LineCues>) =
        (Vec::with_capacity(lines.len()), Vec::with_capacity(lines.len()));
    let mut totals = LanguageTotals::new(languages);
    for (i, line) in lines.iter().enumerate() {
        let Some(line) = line else { continue };
        totals.add(line);
        if !line.transparent {
            index.push(i);
            cues.push(line);
        }
    }
    let language = totals.language(settings);
    let (mut first, poor): (Vec<Class>, Vec<bool>) = cues.iter().map(|line| classify(settings, line, language)).unzip();
    let mut last = resolve(settings, &first, &cues);
    if !last.contains(&Class::Good) {
        let longest = first.iter().enumerate().filter(|(_, class)| **class == Class::NearGood).fold(
            None,
            |best: Option<usize>, (k, _)| match best {
                Some(b) if cues[b].chars >= cues[k].chars => Some(b),
                _ => Some(k),
            },
        );
        match longest {
            Some(k) if index.len() >= settings.min_lines => {
                first[k] = Class::Good;
                last = resolve(settings, &first, &cues);
            }
            // No prose at all: nothing to tell the article from, so the line rules decide alone.
            _ => return verdicts,
        }
    }
    keep_main_clusters(settings, &first, &poor, &mut last, &cues);
    bridge(settings, &first, &poor, &cues, &mut last);
    keep_standfirst(settings, &cues, &mut last);
    for (k, &i) in index.iter().enumerate() {
        if last[k] == Class::Good || cues[k].ruled {
            continue;
        }
        verdicts[i] =
            if cues[k].link_share > settings.max_link_share { Verdict::LinkDense } else { Verdict::OutsideArticle };
    }
    // A line without visible text stays only between kept lines: lines with visible text that
    // no rule removed and that the pass keeps (only the verdicts of lines without visible text
    // change below).
    let kept = |verdict: Verdict, line: &LineCues| verdict == Verdict::Keep && !line.ruled;
    let mut previous_kept = false;
    let mut next = index.iter().zip(&cues).peekable();
    for (i, line) in lines.iter().enumerate() {
        let Some(line) = line else { continue };
        if !line.transparent {
            previous_kept = kept(verdicts[i], line);
            continue;
        }
        while next.next_if(|&(&j, _)| j < i).is_some() {}
        let between_kept = previous_kept && next.peek().is_some_and(|&(&j, line)| kept(verdicts[j], line));
        if !line.ruled && !between_kept {
            verdicts[i] = if line.link_share > 0.0 { Verdict::LinkDense } else { Verdict::OutsideArticle };
        }
    }
    verdicts
}

/// Whether a line that is not good yet could be text: short, near-good, or poor in stop words
/// only (not link-dense, not removed by a rule).
fn could_be_text(first: Class, poor: bool) -> bool {
    poor || matches!(first, Class::Short | Class::NearGood)
}

/// A few lines between two lines of the article are part of it when they could be text: card
/// headings glued to their sentence, list items, captions, short paragraphs. So are the sentences
/// that follow its last line when only lines that could be text come after them. Link-dense
/// lines and lines a rule removed never are.
fn bridge(settings: &Settings, first: &[Class], poor: &[bool], cues: &[&LineCues], last: &mut [Class]) {
    let mut k = 1;
    while k < last.len() {
        if last[k] != Class::Bad || last[k - 1] != Class::Good {
            k += 1;
            continue;
        }
        let mut end = k;
        while end < last.len() && last[end] == Class::Bad && could_be_text(first[end], poor[end]) {
            end += 1;
        }
        if last.get(end) == Some(&Class::Good) {
            if end - k <= settings.max_bridged_lines {
                last[k..end].fill(Class::Good);
            }
        } else if end == last.len() || cues[end].ruled {
            // The sentences right after the article, up to the end of the text or to a line that
            // a rule removed (a share row, a tag list, the comments), are its last short
            // paragraphs, even when a sign-off or a site name follows them.
            let sentences = (k..end).take_while(|&m| cues[m].ends_sentence).count();
            if sentences <= settings.max_bridged_lines {
                last[k..k + sentences].fill(Class::Good);
            }
        }
        k = end.max(k + 1);
    }
}

/// Keeps the standfirst: the summary sentence set between the page's title and its article, often
/// cut off from the article by a byline, a picture or a share row. The title is the first
/// top-level heading that is not a link, when it comes before the article's first line.
fn keep_standfirst(settings: &Settings, cues: &[&LineCues], last: &mut [Class]) {
    let Some(title) = cues.iter().position(|line| line.top_heading && line.link_share <= settings.max_link_share)
    else {
        return;
    };
    if last[..title].contains(&Class::Good) || !last[title..].contains(&Class::Good) {
        return;
    }
    let reach = last.len().min(title + 1 + settings.standfirst_lines);
    for k in title + 1..reach {
        if last[k] == Class::Good {
            return;
        }
        let line = cues[k];
        if !line.ruled
            && line.words >= settings.standfirst_words
            && line.ends_sentence
            && line.link_share <= settings.max_link_share
        {
            last[k] = Class::Good;
            return;
        }
    }
}

/// The stop words of a page's lines, per language, and their words.
struct LanguageTotals {
    counts: LanguageCounts,
    /// The blocks of 8 languages that hold the lists (see [`add`](Self::add)).
    blocks: usize,
    languages: usize,
    words: usize,
}

impl LanguageTotals {
    /// Totals of `languages` stop-word lists.
    fn new(languages: usize) -> LanguageTotals {
        LanguageTotals { counts: [0; MAX_LANGUAGES], blocks: languages.div_ceil(8), languages, words: 0 }
    }

    /// Adds the counts of a line. Every slot of the blocks of 8 that hold the languages is
    /// summed, the unused ones zero: a sum of whole blocks is a few vector additions a line,
    /// where one of `languages` slots is an addition each, and the blocks past the languages
    /// (most of the array) are left out.
    #[inline]
    fn add(&mut self, line: &LineCues) {
        let (totals, _) = self.counts.as_chunks_mut::<8>();
        let (counts, _) = line.stop_words.as_chunks::<8>();
        for (totals, counts) in totals.iter_mut().zip(counts).take(self.blocks) {
            for (total, count) in totals.iter_mut().zip(counts) {
                *total += count;
            }
        }
        self.words += line.words;
    }

    /// The stop-word list covering most words of the page, if it covers enough of them.
    fn language(&self, settings: &Settings) -> Option<usize> {
        let (best, &count) = self.counts[..self.languages].iter().enumerate().rev().max_by_key(|(_, count)| **count)?;
        (self.words > 0 && f64::from(count) / self.words as f64 >= settings.min_language_share).then_some(best)
    }
}

/// A line's class from its own cues, and whether it is bad only for want of stop words.
fn classify(settings: &Settings, line: &LineCues, language: Option<usize>) -> (Class, bool) {
    if line.ruled || line.link_share > settings.max_link_share {
        return (Class::Bad, false);
    }
    let density =
        language.map(|l| if line.words == 0 { 0.0 } else { f64::from(line.stop_words[l]) / line.words as f64 });
    if density.is_some_and(|d| line.chars >= settings.prose_chars && d >= settings.prose_stopwords) {
        return (Class::Good, false);
    }
    if line.chars < settings.short_chars {
        return (if line.link_share > 0.0 { Class::Bad } else { Class::Short }, false);
    }
    let long = line.chars > settings.long_chars;
    let class = match density {
        None if long && line.sentence => Class::Good,
        None => Class::NearGood,
        Some(d) if d >= settings.stopwords_high => {
            if long {
                Class::Good
            } else {
                Class::NearGood
            }
        }
        Some(d) if d >= settings.stopwords_low => Class::NearGood,
        Some(_) => return (Class::Bad, true),
    };
    (class, false)
}

/// Resolves short and near-good lines by their neighbours; the result is only good or bad.
///
/// Each question about a line's neighbours is answered from tables built in one pass each way,
/// so that a page of thousands of short lines costs no more per line than a page of a few.
fn resolve(settings: &Settings, first: &[Class], cues: &[&LineCues]) -> Vec<Class> {
    let mut classes = first.to_vec();
    // A heading that is short or bad is near good when a good line follows within
    // `heading_reach` characters of the lines between. Read back to front: the good line next
    // after each line, and the characters of the lines in between.
    let mut good_ahead: Option<usize> = None;
    for i in (0..classes.len()).rev() {
        let line = cues[i];
        if let Some(between) = good_ahead
            && line.heading
            && !line.ruled
            && line.link_share <= settings.max_link_share
            && matches!(classes[i], Class::Short | Class::Bad)
            && between <= settings.heading_reach
        {
            classes[i] = Class::NearGood;
        }
        good_ahead = if first[i] == Class::Good { Some(0) } else { good_ahead.map(|between| between + line.chars) };
    }
    let mut resolved = classes.clone();
    if classes.contains(&Class::Short) {
        let outer = neighbours(&classes, true);
        let inner = neighbours(&classes, false);
        for i in (0..classes.len()).filter(|&i| classes[i] == Class::Short) {
            let (before, after) = outer[i];
            resolved[i] = if before == after {
                before
            } else if (before == Class::Bad && inner[i].0 == Class::NearGood)
                || (after == Class::Bad && inner[i].1 == Class::NearGood)
            {
                Class::Good
            } else {
                Class::Bad
            };
        }
    }
    // The classes the near-good lines are resolved from: those of the pass before, in the
    // buffer it no longer needs.
    classes.copy_from_slice(&resolved);
    if classes.contains(&Class::NearGood) {
        let outer = neighbours(&classes, true);
        for i in (0..classes.len()).filter(|&i| classes[i] == Class::NearGood) {
            let both_bad = outer[i] == (Class::Bad, Class::Bad);
            resolved[i] = if both_bad { Class::Bad } else { Class::Good };
        }
    }
    resolved
}

/// For every line, the classes of the nearest good or bad line (or near-good one, unless
/// `skip_near_good`) before it and after it; the page's edges count as bad. One vector of
/// pairs, filled going forward and then going back.
fn neighbours(classes: &[Class], skip_near_good: bool) -> Vec<(Class, Class)> {
    let seen =
        |class: Class| class == Class::Good || class == Class::Bad || (class == Class::NearGood && !skip_near_good);
    let mut last = Class::Bad;
    let mut pairs: Vec<(Class, Class)> = classes
        .iter()
        .map(|&class| {
            let before = last;
            if seen(class) {
                last = class;
            }
            (before, Class::Bad)
        })
        .collect();
    let mut last = Class::Bad;
    for (pair, &class) in pairs.iter_mut().zip(classes).rev() {
        pair.1 = last;
        if seen(class) {
            last = class;
        }
    }
    pairs
}

/// Drops the clusters of good lines that are light next to the heaviest or come after it and a
/// closing line (a comment form, related links), and keeps the title of
/// the others: the text lines just before, or a heading a little further up.
fn keep_main_clusters(settings: &Settings, first: &[Class], poor: &[bool], last: &mut [Class], cues: &[&LineCues]) {
    // (first line, last line, good characters)
    let mut clusters: Vec<(usize, usize, usize)> = Vec::new();
    let mut bad_run = 0;
    for k in 0..last.len() {
        if last[k] == Class::Good {
            match clusters.last_mut() {
                Some(cluster) if bad_run < settings.cluster_gap => {
                    cluster.1 = k;
                    cluster.2 += cues[k].chars;
                }
                _ => clusters.push((k, k, cues[k].chars)),
            }
            bad_run = 0;
        } else if cues[k].ends_cluster {
            // What follows a comment form is the comments, however close it stands.
            bad_run = settings.cluster_gap;
        } else if first[k] == Class::Bad {
            bad_run += 1;
        }
    }
    let heaviest = clusters.iter().map(|c| c.2).max().unwrap_or(0);
    let main_end = clusters.iter().find(|c| c.2 == heaviest).map_or(0, |c| c.1);
    // A cluster after the main one is closed off when a closing line lies between them: found
    // once, not searched for from every cluster, which took time in the square of the clusters.
    let first_closing = (main_end + 1..cues.len()).find(|&k| cues[k].closes);
    for &(start, end, weight) in &clusters {
        let closed = start > main_end && first_closing.is_some_and(|k| k < start);
        if closed || (weight as f64) < settings.cluster_share * heaviest as f64 {
            last[start..=end].fill(Class::Bad);
            continue;
        }
        // The lines just before the article (past a byline or a date line that a rule removed),
        // when they could be text, are its title and standfirst, marked up as headings or not.
        if !cues[start].heading {
            let (mut taken, mut distance) = (0, 0);
            for k in (0..start).rev().filter(|&k| !cues[k].ruled) {
                distance += cues[k].chars;
                // A standfirst is a sentence and may be long; a title is short.
                let too_far = distance > settings.title_reach && !(taken == 0 && cues[k].ends_sentence);
                if taken == settings.title_lines || !could_be_text(first[k], poor[k]) || too_far {
                    break;
                }
                last[k] = Class::Good;
                taken += 1;
            }
        }
        let mut distance = 0;
        for k in (0..start).rev() {
            if cues[k].heading && first[k] != Class::Bad {
                last[k] = Class::Good;
                break;
            }
            distance += cues[k].chars;
            if distance > settings.title_reach {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::visible::counts;
    use super::*;

    /// `resolve` as it read before its tables: a search through the lines for every question.
    fn resolve_by_search(settings: &Settings, first: &[Class], cues: &[&LineCues]) -> Vec<Class> {
        let mut classes = first.to_vec();
        for i in 0..classes.len() {
            let line = cues[i];
            if !line.heading || line.ruled || line.link_share > settings.max_link_share {
                continue;
            }
            if matches!(classes[i], Class::Short | Class::Bad) {
                let mut distance = 0;
                for j in i + 1..classes.len() {
                    if classes[j] == Class::Good {
                        classes[i] = Class::NearGood;
                        break;
                    }
                    distance += cues[j].chars;
                    if distance > settings.heading_reach {
                        break;
                    }
                }
            }
        }
        let mut resolved = classes.clone();
        for i in 0..classes.len() {
            if classes[i] != Class::Short {
                continue;
            }
            let (before, after) = (neighbour(&classes, i, Dir::Back, true), neighbour(&classes, i, Dir::Ahead, true));
            resolved[i] = if before == after {
                before
            } else if (before == Class::Bad && neighbour(&classes, i, Dir::Back, false) == Class::NearGood)
                || (after == Class::Bad && neighbour(&classes, i, Dir::Ahead, false) == Class::NearGood)
            {
                Class::Good
            } else {
                Class::Bad
            };
        }
        let classes = resolved.clone();
        for i in 0..classes.len() {
            if classes[i] == Class::NearGood {
                let both_bad = neighbour(&classes, i, Dir::Back, true) == Class::Bad
                    && neighbour(&classes, i, Dir::Ahead, true) == Class::Bad;
                resolved[i] = if both_bad { Class::Bad } else { Class::Good };
            }
        }
        resolved
    }

    #[derive(Clone, Copy)]
    enum Dir {
        Back,
        Ahead,
    }

    /// The nearest good or bad line (or near-good one, unless `skip_near_good`) in direction `dir`;
    /// the page's edge counts as bad.
    fn neighbour(classes: &[Class], i: usize, dir: Dir, skip_near_good: bool) -> Class {
        let wanted = |class: &&Class| match class {
            Class::Good | Class::Bad => true,
            Class::NearGood => !skip_near_good,
            Class::Short => false,
        };
        let found = match dir {
            Dir::Back => classes[..i].iter().rev().find(wanted),
            Dir::Ahead => classes[i + 1..].iter().find(wanted),
        };
        found.copied().unwrap_or(Class::Bad)
    }

    fn classifier_settings() -> Settings {
        #[derive(serde::Deserialize)]
        struct File {
            classifier: Settings,
        }
        toml::from_str::<File>(include_str!("../../rules/boilerplate/context.toml")).unwrap().classifier
    }

    proptest::proptest! {
        /// Pages of short, bad, near-good and good lines, headings among them, resolve as a
        /// search through the lines for each neighbour resolves them. Line lengths are picked
        /// so that the characters before a good line often sum to `heading_reach` exactly.
        #[test]
        fn lines_resolve_as_a_search_for_their_neighbours_resolves_them(
            lines in proptest::collection::vec(
                (0..4u8, proptest::sample::select(vec![0usize, 1, 50, 99, 100, 150, 200, 201]), proptest::bool::ANY, 0..8u8),
                0..40,
            ),
        ) {
            let settings = classifier_settings();
            let first: Vec<Class> =
                lines.iter().map(|&(class, ..)| [Class::Good, Class::NearGood, Class::Short, Class::Bad][usize::from(class)]).collect();
            let cues: Vec<LineCues> = lines
                .iter()
                .map(|&(_, chars, heading, flags)| LineCues {
                    chars,
                    link_share: if flags == 1 { 1.0 } else { 0.0 },
                    words: 0,
                    stop_words: [0; MAX_LANGUAGES],
                    sentence: false,
                    ends_sentence: false,
                    heading,
                    top_heading: false,
                    ruled: flags == 2,
                    transparent: false,
                    closes: false,
                    ends_cluster: false,
                })
                .collect();
            let cues: Vec<&LineCues> = cues.iter().collect();
            proptest::prop_assert_eq!(resolve(&settings, &first, &cues), resolve_by_search(&settings, &first, &cues));
        }
    }

    #[test]
    fn words_are_lowered_as_char_to_lowercase_lowers_them() {
        let mut lower = String::new();
        let characters = (0..=u32::from(char::MAX))
            .filter_map(char::from_u32)
            .filter(|c| !c.is_ascii() || c.is_ascii_alphanumeric());
        for c in characters {
            lower.clear();
            push_lowercase(&mut lower, &format!("A{c}z"));
            assert_eq!(lower, format!("A{c}z").chars().flat_map(char::to_lowercase).collect::<String>(), "{c:?}");
        }
    }

    proptest::proptest! {
        /// Texts that end in every mix of sentence marks, closing marks and white space, in
        /// ASCII and beyond.
        #[test]
        fn sentence_ends_are_found_as_by_characters(text in r"[a.!?\x22)*_ \t\n\x0b\x0c\r\x1c\x85\u{a0}”’»é]{0,8}") {
            proptest::prop_assert_eq!(ends_sentence(&text), ends_sentence_by_char(&text), "{:?}", text);
        }

        /// Texts that open with every mix of markup, ASCII and beyond, and of what follows it.
        #[test]
        fn line_markup_is_trimmed_as_by_characters(text in r"[ \t#>*_+\-•·|a1.\u{a0}\u{2003}é]{0,8}") {
            proptest::prop_assert_eq!(trim_line_markup(&text), text.trim_start_matches(is_line_markup), "{:?}", text);
        }
    }

    #[test]
    fn the_markup_table_holds_the_ascii_markup() {
        for byte in 0..=u8::MAX {
            assert_eq!(
                ASCII_LINE_MARKUP[usize::from(byte)],
                byte.is_ascii() && is_line_markup(char::from(byte)),
                "{byte}"
            );
        }
    }

    #[test]
    fn numbering_is_stripped_only_before_a_space() {
        assert_eq!(strip_numbering("12. Item"), "Item");
        assert_eq!(strip_numbering("3) Item"), "Item");
        assert_eq!(strip_numbering("3.5 percent"), "3.5 percent");
        assert_eq!(strip_numbering("2026"), "2026");
    }

    #[test]
    fn stop_words_are_counted_per_language_case_insensitively() {
        let mut stop = StopWords::default();
        stop.add(&Language { code: "en".into(), words: "the of and".into() });
        stop.add(&Language { code: "de".into(), words: "der und".into() });
        let mut counts = [0; MAX_LANGUAGES];
        let counted = stop.count("The price of oil and der Preis, 2026", &mut counts, &mut String::new(), |_, _| {});
        assert_eq!((counted.words, counted.chars), (7, 29));
        assert_eq!(counts[..2], [3, 1]);
        // Non-ASCII letters join tokens and are lowered too.
        let mut counts = [0; MAX_LANGUAGES];
        let counted =
            stop.count("The price of *oil* and DER Preis, 2026 é", &mut counts, &mut String::new(), |_, _| {});
        assert_eq!((counted.words, counted.chars), (8, 30));
        assert_eq!(counts[..2], [3, 1]);
    }

    /// What [`StopWords::count`] finds, found a character at a time by the `char` predicates:
    /// tokens are runs of `char::is_alphanumeric`, and those with a letter are looked up.
    fn count_by_char(stop: &StopWords, text: &str) -> (Vec<usize>, LanguageCounts, Vec<(usize, u32)>) {
        let mut counts = [0; MAX_LANGUAGES];
        let mut found = Vec::new();
        let (mut words, mut gates, mut beyond_ascii) = (0, 0, false);
        let mut token: Option<usize> = None;
        let ends = text.char_indices().map(|(at, c)| (at, c.is_alphanumeric())).chain([(text.len(), false)]);
        for (at, alphanumeric) in ends {
            match (token, alphanumeric) {
                (None, true) => token = Some(at),
                (Some(start), false) => {
                    let word = &text[start..at];
                    beyond_ascii |= !word.is_ascii();
                    if word.chars().any(char::is_alphabetic) {
                        words += 1;
                        let key = folded_key_at(text.as_bytes(), start, at - start);
                        let entry =
                            stop.tally_token(text, start..at, word.is_ascii(), key, &mut counts, &mut String::new());
                        if let Some(entry) = entry.filter(|entry| entry.phrases != 0) {
                            found.push((start, entry.phrases));
                        }
                        gates |= entry.map_or(0, |entry| entry.gates);
                    }
                    token = None;
                }
                _ => {}
            }
        }
        let chars = text.chars().filter(|&c| !c.is_whitespace() && !matches!(c, '*' | '_')).count();
        let marks = text.chars().filter(|&c| matches!(c, '*' | '_')).count();
        let spaced_words = text.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count();
        let sentence = text.contains(['.', '!', '?']);
        let numbers =
            vec![words, chars, spaced_words, marks, gates as usize, usize::from(beyond_ascii), usize::from(sentence)];
        (numbers, counts, found)
    }

    fn stop_words_with_phrases() -> StopWords {
        let mut stop = StopWords::default();
        stop.add(&Language { code: "en".into(), words: "the of and a in été straße".into() });
        stop.add(&Language { code: "de".into(), words: "der und in über".into() });
        *stop.phrase_group(folded_key_at(b"share", 0, 5)) = 1;
        *stop.phrase_group(folded_key_at(b"newslett", 0, 8)) = 2;
        *stop.gate_word(folded_key_at(b"copyrigh", 0, 8)) = 4;
        stop
    }

    proptest::proptest! {
        /// Tokens of every length, in ASCII or not, that share their first 8 bytes with stop
        /// words longer than 8 bytes or not, are counted as looking each one up in lower case
        /// counts them.
        #[test]
        fn stop_words_are_counted_as_a_plain_lookup_counts_them(
            picks in proptest::collection::vec((0..30usize, proptest::bool::ANY), 0..24),
        ) {
            const EN: &str = "the of themselves ourselves them été";
            const DE: &str = "der über während gegenüber desselben derselbe für ħal";
            let pool = [
                "the", "The", "of", "themselves", "THEMSELVESX", "themselve", "ourselves", "ourselvesy",
                "über", "ÜBER", "während", "Während", "gegenüber", "desselben", "DESSELBENS", "derselbe",
                "dersel", "x1", "ÉTÉ", "Été", "ète", "Ärger", "FÜR", "fÜr", "Fur", "Theü", "ĦAL", "Ħal", "ħalx",
                "ΣΑΣ",
            ];
            let mut stop = StopWords::default();
            stop.add(&Language { code: "en".into(), words: EN.into() });
            stop.add(&Language { code: "de".into(), words: DE.into() });
            let text: String = picks
                .iter()
                .map(|&(pick, comma)| format!("{}{}", pool[pick], if comma { ", " } else { " " }))
                .collect();
            let mut expected = [0; MAX_LANGUAGES];
            for token in text.split(|c: char| !c.is_alphanumeric()).filter(|token| !token.is_empty()) {
                let lower = token.to_lowercase();
                for (language, words) in [EN, DE].iter().enumerate() {
                    expected[language] += u32::from(words.split(' ').any(|word| word == lower));
                }
            }
            let mut counts = [0; MAX_LANGUAGES];
            stop.count(&text, &mut counts, &mut String::new(), |_, _| {});
            proptest::prop_assert_eq!(counts, expected, "{:?}", text);
        }

        #[test]
        fn up_to_sixty_four_bytes_are_classed_as_a_byte_at_a_time(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..80),
            at in 0..80usize,
        ) {
            let at = at.min(bytes.len());
            let len = (bytes.len() - at).min(64);
            let mut window = [0; 64];
            window[..len].copy_from_slice(&bytes[at..at + len]);
            let mut expected = ByteMasks::default();
            for (index, chunk) in window.chunks_exact(16).enumerate() {
                chunk_masks_by_byte(chunk.try_into().unwrap(), 16 * index, &mut expected);
            }
            proptest::prop_assert_eq!(byte_masks(&bytes, at, len), expected);
            // The reading with AVX2, where the processor has it.
            #[cfg(target_arch = "x86_64")]
            if let Some(wide) = Wide::detect() {
                proptest::prop_assert_eq!(wide.byte_masks(&bytes, at, len), expected);
            }
        }

        /// Texts of every kind of byte the window reading tells apart, ASCII and beyond (letters,
        /// digits, spaces and marks of two, three and four bytes), in runs that cross the edges of
        /// its windows, with words that the lists and phrase groups hold.
        #[test]
        fn the_window_scan_counts_what_the_char_predicates_count(
            pieces in proptest::collection::vec(
                r"[a-zA-Z0-9 \t\r*_.,!?'@`{\[\x00\x7fé×½\u{a0}’\u{2003}ж一Ⅻ🙂𝟙]{0,12}|[a-z0-9]{60,70}|[0-9]{60,70}|the|Und|ÜBER|été|Share|newsletters|copyright|Straße|in",
                0..30,
            ),
        ) {
            let stop = stop_words_with_phrases();
            let text = pieces.concat();
            let expected = count_by_char(&stop, &text);
            // The scan compiled for the bit instructions, where the processor has them, and
            // the scan for any processor.
            for portable in [false, true] {
                let mut counts = [0; MAX_LANGUAGES];
                let mut found = Vec::new();
                let found_at = |start, group| found.push((start, group));
                let counted = if portable {
                    stop.count_by_windows(Narrow, &text, &mut counts, &mut String::new(), found_at)
                } else {
                    stop.count(&text, &mut counts, &mut String::new(), found_at)
                };
                let numbers = vec![
                    counted.words,
                    counted.chars,
                    counted.spaced_words,
                    counted.marks,
                    counted.gates as usize,
                    usize::from(counted.beyond_ascii),
                    usize::from(counted.sentence),
                ];
                proptest::prop_assert_eq!(&(numbers, counts, found), &expected, "portable: {}", portable);
            }
        }
    }

    #[test]
    fn one_scan_counts_what_the_visible_counts_and_the_body_counts_do() {
        let mut stop = StopWords::default();
        stop.add(&Language { code: "en".into(), words: "the of".into() });
        let texts = [
            "",
            "  ",
            "* **The** price_of oil",
            "12. Item *one* of two",
            "-- 12. x",
            "*12. — y",
            "## __Title__ of *it*",
            "| a | b | ½ é\u{a0}ü",
            "• · + > #",
            "3.5 percent of 2026",
            "* 12. Item",
            "#1. x",
            "• 3)\u{a0}y",
            "> 7)",
        ];
        for text in texts {
            let mut stop_words = [0; MAX_LANGUAGES];
            let scan = stop.scan(text, &mut stop_words, &mut String::new(), |_, _| {});
            let body = strip_numbering(text.trim_start_matches(is_line_markup));
            assert_eq!(scan.body, body);
            assert_eq!(&text[scan.markup..], text.trim_start_matches(is_line_markup), "{text:?}");
            assert_eq!((scan.words, scan.chars), counts(text), "{text:?}");
            let mut counts = [0; MAX_LANGUAGES];
            let counted = stop.count(body, &mut counts, &mut String::new(), |_, _| {});
            assert_eq!((scan.counted.words, scan.counted.chars), (counted.words, counted.chars), "{text:?}");
            assert_eq!(stop_words, counts, "{text:?}");
        }
    }
}
