//! The pattern language of `rules/money/patterns.toml`, and reading what a pattern matched.
//!
//! A pattern is a regex in which `{macro}` stands for a piece of the money vocabulary:
//!
//! | macro | matches | read as |
//! |---|---|---|
//! | `{sym}` | a currency symbol: `$`, `US$`, `€`, `zł` | the currency |
//! | `{psym}` | a symbol that is a letter elsewhere: `R`, `Q` | the currency |
//! | `{code}` | an ISO 4217 code: `USD`, `CHF` | the currency |
//! | `{wcode}` | a code that is also a capitalised word: `GEL`, `PEN` | the currency |
//! | `{name}` | a currency name: `dollars`, `dlrs`, `euros` | the currency |
//! | `{lead}` | a currency name also written before the amount: `ringgit`, `rupees` | the currency |
//! | `{sub}` | a subunit: `cents`, `p`, `c` | the currency, and the amount divided |
//! | `{num}` | digits: `1,234.5`, `3,50`, `12,34,567` | the number |
//! | `{words}` | a written number: `seventy-five`, `a`, `half a`, `1 point 5` | the number |
//! | `{article}` | an article alone: `a`, `an` | one |
//! | `{minor}` | the minor part of an amount in two units: `43` (cents), `forty-five` | added, in the `{sub}` unit |
//! | `{cents}` | a minor part of exactly two digits (`50` of `12€50`) | as `{minor}` |
//! | `{price}` | digits with two decimals or thousands groups: `273.00`, `8,499` | as `{num}` |
//! | `{face}` | a whole number grouped with commas only: `100`, `1,000` | as `{num}` |
//! | `{scale}` | `k`, `M`, `bn`, ` million`, `-billion` | the number multiplied |
//! | `{pscale}` | a scale after a one-letter symbol: `bn`, ` million`, `m` (not `b`, `T`) | as `{scale}` |
//! | `{postscale}` | a scale written after the currency (`75 USD million`) | the number multiplied |
//! | `{prefix}` | a scale letter glued to the front of a code (`M` of `30 MUSD`) | the number multiplied |
//! | `{open}` `{close}` | accounting parentheses around a negative amount | the sign |
//! | `{neg}` | a minus sign between the symbol and the number (`$-99.99`) | the sign |
//! | `{sp}` | an optional space (also no-break and thin spaces) | nothing |
//!
//! Context guards (`preceded_by`, `not_followed_by`…) may use the same macros, and one of their
//! own: `{bare_figure}`, a figure with no currency sign glued before it. `not_preceded_by =
//! '{bare_figure}$'` keeps a rule from taking a symbol glued to the figure before it, whose
//! symbol it is (`1250€ 600`).
//!
//! A second `{num}`, `{words}`, `{sym}`, `{scale}`… in the same pattern belongs to the high end of a
//! range. A scale written only on the high end applies to both (`$5-10 million`). The item's span
//! runs from the first macro to the last, so context words such as "between" stay outside it.
//!
//! All patterns are joined into one regex, in file order, so an earlier start always beats a later
//! one: `$400M` is one amount, never `$400` and `400M`. At one start the first pattern that matches
//! is read first; when its words or digits do not make an amount (a reversed range, a number too
//! long to hold exactly) or its context guards reject it, the later patterns are tried at the same
//! start.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::OnceLock;

use regex::{Regex, RegexSet};
use regex_automata::meta::Regex as MetaRegex;
use regex_automata::nfa::thompson;
use regex_syntax::hir::Hir;
use rust_decimal::Decimal;

use super::lexicon::Lexicon;
use super::number::parse_numeral;
use super::pieces::{self, Pieces};
use crate::chars::{ByteRanges, sixteen_at};
use crate::rules::gate;
use crate::rules::lazy::{self, AnchoredStarts, LazyCache, LazyDfa};

/// Macros whose capture is read; each may occur twice in a pattern (low and high end).
const CAPTURING: [&str; 18] = [
    "article",
    "psym",
    "informal",
    "counted",
    "sym",
    "code",
    "name",
    "lead",
    "sub",
    "num",
    "words",
    "minor",
    "scale",
    "postscale",
    "prefix",
    "open",
    "close",
    "neg",
];
/// Macros that start a word and get an ASCII word boundary in front when they open a pattern
/// (`{num}` carries its own boundary, see [`Lexicon::fragment`]).
const WORD_START: [&str; 7] = ["words", "article", "code", "name", "lead", "prefix", "face"];

/// One pattern as written in a rule: the pattern and the context it must or must not sit in.
/// The context regexes may use the vocabulary macros (`{num}`, `{sym}`…), which match there
/// without being read.
#[derive(Debug, Default)]
pub struct PatternSpec<'a> {
    pub pattern: &'a str,
    /// A regex that must not match the text right after the amount (`\s?[0-9]`: the symbol
    /// after this number is really the prefix of the next amount).
    pub not_followed_by: Option<&'a str>,
    /// A regex that, matching the text right after the amount, lifts `not_followed_by` (` more`
    /// after `15 USD 50`, where another word would make `50` a count).
    pub unless_followed_by: Option<&'a str>,
    /// A regex that must not match the text right before the amount.
    pub not_preceded_by: Option<&'a str>,
    /// A regex that must match the text right after the amount.
    pub followed_by: Option<&'a str>,
    /// A regex that must match the text right before the amount (`costs `, `paid `).
    pub preceded_by: Option<&'a str>,
}

/// (macro name, occurrence 1 or 2) → name of its capture group in the pattern's regex.
type CaptureGroups = HashMap<(&'static str, u8), String>;

/// The slot of (macro name, occurrence) in [`Compiled::groups`].
fn slot(name: &str, occurrence: u8) -> usize {
    let position = CAPTURING.iter().position(|m| *m == name).expect("a capturing macro");
    position * 2 + usize::from(occurrence - 1)
}

/// One pattern after expansion: its regex, and which of its capture groups hold which macro.
#[derive(Debug)]
struct Expanded {
    /// The pattern alone, anchored at the start of its haystack, for trying it at a given start.
    source: String,
    /// `source` parsed, once (from its pieces, see [`pieces`]): the anchored set and the
    /// pattern's own regex are built from it.
    hir: Hir,
    /// (macro, occurrence) → name of its capture group in `source`.
    captures: CaptureGroups,
    /// `source` compiled on the first start the anchored set says it matches at: most runs
    /// meet a few of the patterns, and compiling each of them up front is most of start-up.
    compiled: OnceLock<Compiled>,
    not_followed_by: Option<Regex>,
    unless_followed_by: Option<Regex>,
    not_preceded_by: Option<Regex>,
    followed_by: Option<Regex>,
    preceded_by: Option<Regex>,
    /// The pattern must start at a word boundary.
    starts_word: bool,
    /// The pattern starts with a number, which must not be the tail of a longer one.
    starts_number: bool,
}

/// A pattern's anchored regex, compiled.
///
/// It only resolves the captures of a pattern the anchored set found at a start, a few
/// thousand times in a large corpus: it is built without the lazy DFAs (and the reverse
/// automaton they need) that make a regex fast at finding matches, which would cost more to
/// build than they save.
#[derive(Debug)]
struct Compiled {
    regex: MetaRegex,
    /// Index of the capture group in `regex` of each (macro, occurrence), by [`slot`]:
    /// reading a match looks groups up by index, never by name.
    groups: [Option<usize>; 2 * CAPTURING.len()],
}

/// The size limit of a pattern's compiled regex: that of the anchored set, which holds every
/// pattern, so that a pattern compiles whenever the set did.
const SIZE_LIMIT: usize = 256 << 20;

impl Expanded {
    fn compiled(&self) -> &Compiled {
        self.compiled.get_or_init(|| {
            let config = MetaRegex::config()
                .nfa_size_limit(Some(SIZE_LIMIT))
                .onepass_size_limit(Some(SIZE_LIMIT))
                .hybrid(false)
                .onepass(false);
            let regex = MetaRegex::builder()
                .configure(config)
                .build_from_hir(&self.hir)
                .expect("a pattern compiles alone, as it did in the anchored set");
            let mut groups = [None; 2 * CAPTURING.len()];
            let info = regex.group_info();
            for ((name, occurrence), group) in &self.captures {
                groups[slot(name, *occurrence)] = info.to_index(regex_automata::PatternID::ZERO, group);
            }
            Compiled { regex, groups }
        })
    }
}

/// What a pattern's regex captured in a haystack.
struct Caught<'h> {
    haystack: &'h str,
    caps: regex_automata::util::captures::Captures,
}

/// One capture group's match.
#[derive(Debug, Clone, Copy)]
struct Found<'h> {
    haystack: &'h str,
    start: usize,
    end: usize,
}

impl<'h> Caught<'h> {
    /// The match of pattern `compiled` at the start of `haystack`, with its captures, where no
    /// match ends past `reach`: the search reads no further (the engine that resolves captures
    /// pays for every byte it may read), though it still sees the text after as context.
    fn at_start(compiled: &Compiled, haystack: &'h str, reach: usize) -> Option<Caught<'h>> {
        let mut caps = compiled.regex.create_captures();
        let input = regex_automata::Input::new(haystack).span(0..reach.min(haystack.len()));
        compiled.regex.search_captures(&input, &mut caps);
        caps.is_match().then_some(Caught { haystack, caps })
    }

    fn get(&self, group: usize) -> Option<Found<'h>> {
        let span = self.caps.get_group(group)?;
        Some(Found { haystack: self.haystack, start: span.start, end: span.end })
    }
}

impl<'h> Found<'h> {
    fn start(&self) -> usize {
        self.start
    }

    fn end(&self) -> usize {
        self.end
    }

    fn as_str(&self) -> &'h str {
        &self.haystack[self.start..self.end]
    }
}

/// All money patterns, joined into one regex.
#[derive(Debug)]
pub struct Grammar {
    /// Where an amount may start: the leads of all patterns (see [`expand`]) joined in one
    /// regex. Every start of a pattern's match is a start of its lead's match, so trying the
    /// anchored patterns at each lead start, leftmost first, finds what the whole patterns
    /// joined would find; the leads make a far smaller automaton, cheaper to build and to run.
    /// `None` when the rule set has no money patterns.
    leads: Option<Leads>,
    /// The leads of the patterns without `{num}`: the only ones that can match in a text
    /// without digits, most of the prose. `None` when every pattern has a number.
    wordy: Option<Leads>,
    /// The anchored patterns as one set: which of them match at a start, in one DFA pass,
    /// so that captures are resolved only for those.
    anchored: AnchoredSet,
    patterns: Vec<Expanded>,
}

/// The leads joined in one regex, with a cover of the places each can start at.
///
/// Most lead starts are numbers that no pattern reads (a year, a count): finding each with the
/// regex costs a forward and a reverse search, where the cover finds the few places a lead can
/// start in one pass over the bytes. The anchored lazy DFA the cover is read from then only
/// confirms a start where the anchored patterns match, which is rare.
struct Leads {
    /// The leads' anchored lazy DFA and its caches; `None` when it cannot be built.
    dfa: Option<(LazyDfa, Box<Pool<LazyCache, CacheMaker>>)>,
    /// The leads joined, as a regex.
    source: String,
    /// `source` compiled, for the starts the DFA cannot decide (a Unicode word boundary before
    /// a non-ASCII byte): built then, or up front when there is no DFA.
    regex: OnceLock<Regex>,
    /// Where a lead may start, as the scan reads it.
    cover: StartCover,
}

impl std::fmt::Debug for Leads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Leads").field("source", &self.source).field("lazy", &self.dfa.is_some()).finish()
    }
}

/// The bytes a regex's match can start with, by the byte before it.
#[derive(Debug)]
struct FirstBytes {
    /// For each byte before a position (256: the start of the text), its row in `first`.
    row: Box<[u8; 257]>,
    /// Whether a match can start with a byte, after the look-behind of the row.
    first: Vec<[bool; 256]>,
}

impl FirstBytes {
    /// Whether a match may start with `byte` after one of the bytes `behind`.
    fn allows_after(&self, byte: u8, mut behind: impl Iterator<Item = usize>) -> bool {
        behind.any(|before| self.first[usize::from(self.row[before])][usize::from(byte)])
    }
}

/// How many ASCII bytes [`StartCover`] compares each byte of a text with: each costs three
/// vector instructions per sixteen bytes, and the shipped rules list five.
const LISTED: usize = 6;

/// The positions a regex's match may start at, as the scan of [`LeadStarts`] tests them
/// sixteen bytes at a time: every position its [`FirstBytes`] allows, and a few more (a word
/// start with a letter no match starts with, a letter after `_`), which the anchored patterns
/// then turn down as they turn down most of the others.
///
/// A position is in when its byte is listed here (a match may start with it after an ASCII
/// letter or digit, or it is none of those), or when it holds an ASCII letter or digit that
/// follows none. So a position the table allows after a letter or digit has a listed byte, and
/// one it allows after another byte (or at the start of the text) has a listed byte or a
/// letter or digit after none.
#[derive(Debug)]
struct StartCover {
    /// The listed ASCII bytes, each with bit 5 set (which folds the capitals onto the lower
    /// case), sixteen times over as the vector instructions read them: a byte is listed when,
    /// with its bit 5 set, it equals one of them. Unused places hold 0, which no byte with bit
    /// 5 set equals.
    listed: [[u8; 16]; LISTED],
    /// Every byte from this value on is listed, sixteen times over: `0x80` when a byte that goes
    /// on in a character is, else `0xC0` when a byte that begins one is, else `0xFF`, which no
    /// text holds; 0 when more ASCII bytes are listed than `listed` holds.
    from: [u8; 16],
    /// The ASCII letters and digits by nibbles, twice over (see [`by_nibbles`]).
    letters_and_digits_by_nibbles: [u8; 32],
    /// The listed ASCII bytes by nibbles, twice over (see [`by_nibbles`]).
    listed_by_nibbles: [u8; 32],
}

/// Bit `high` of byte `low` set when the ASCII byte `high << 4 | low` is in the set `holds`
/// takes, sixteen bytes twice over as an AVX2 shuffle reads a table: a byte is in when its low
/// nibble's entry holds the bit of its high nibble (see [`HIGH_NIBBLE_BITS`]). Testing a set of
/// any size so takes two shuffles, where comparing costs one comparison per listed byte.
fn by_nibbles(holds: impl Fn(u8) -> bool) -> [u8; 32] {
    let mut table = [0; 32];
    for byte in (0..0x80u8).filter(|&byte| holds(byte)) {
        let low = usize::from(byte & 0x0F);
        table[low] |= 1 << (byte >> 4);
        table[16 + low] |= 1 << (byte >> 4);
    }
    table
}

/// The bit of each high nibble in a [`by_nibbles`] table, twice over: none beyond ASCII.
const HIGH_NIBBLE_BITS: [u8; 32] = {
    let mut bits = [0; 32];
    let mut high = 0;
    while high < 8 {
        bits[high] = 1 << high;
        bits[16 + high] = 1 << high;
        high += 1;
    }
    bits
};

impl StartCover {
    fn new(starts: &FirstBytes) -> StartCover {
        let letters_and_digits = (0..=255u8).filter(u8::is_ascii_alphanumeric).map(usize::from);
        let listed = |byte: u8| {
            starts.allows_after(byte, letters_and_digits.clone())
                || !byte.is_ascii_alphanumeric() && starts.allows_after(byte, 0..=256)
        };
        let mut folded: Vec<u8> = (0..0x80u8).filter(|&byte| listed(byte)).map(|byte| byte | 0x20).collect();
        folded.sort_unstable();
        folded.dedup();
        let from = if folded.len() > LISTED {
            0
        } else if (0x80..0xC0).any(listed) {
            0x80
        } else if (0xC0..=0xFF).any(listed) {
            0xC0
        } else {
            0xFF
        };
        let mut listed = [[0; 16]; LISTED];
        for (place, byte) in listed.iter_mut().zip(&folded) {
            *place = [*byte; 16];
        }
        StartCover {
            listed,
            from: [from; 16],
            letters_and_digits_by_nibbles: by_nibbles(|byte| byte.is_ascii_alphanumeric()),
            listed_by_nibbles: by_nibbles(|byte| listed.iter().any(|place| place[0] == byte | 0x20)),
        }
    }

    /// The candidate starts among the 64 bytes of `bytes` from `block` on (fewer at its end):
    /// bit `i` for the byte at `block + i`.
    #[inline]
    fn block(&self, bytes: &[u8], block: usize) -> u64 {
        let after = u64::from(block.checked_sub(1).is_some_and(|before| bytes[before].is_ascii_alphanumeric()));
        let (letters_and_digits, listed) = self.classes_of_block(bytes, block);
        let starts = listed | letters_and_digits & !(letters_and_digits << 1 | after);
        match bytes.len() - block {
            short @ ..64 => starts & !(u64::MAX << short),
            _ => starts,
        }
    }

    /// The ASCII letters and digits among the 64 bytes of `bytes` from `block` on (`block` less
    /// than its length, or 0) and the listed ones, bit `i` for the byte at `block + i`; past the
    /// end of `bytes` the bits are those of zeros or unset.
    #[inline]
    fn classes_of_block(&self, bytes: &[u8], block: usize) -> (u64, u64) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            if let Some(sixty_four) = bytes.get(block..).and_then(<[u8]>::first_chunk::<64>) {
                // SAFETY: the processor has AVX2.
                return unsafe { self.wide_classes(sixty_four) };
            }
            if let Some(last) = bytes.last_chunk::<64>() {
                // The last block of a longer text: the sixty-four bytes that end the text are
                // read in place, with no copy, and their bits moved down to the block's.
                let shift = block + 64 - bytes.len();
                // SAFETY: the processor has AVX2.
                let (letters_and_digits, listed) = unsafe { self.wide_classes(last) };
                return (letters_and_digits >> shift, listed >> shift);
            }
        }
        self.classes_of_short_block(bytes, block)
    }

    /// [`StartCover::classes_of_block`] of a text shorter than a block, or on a processor
    /// without AVX2. Kept out of line: inlined, its copy of the block and its loop gave every
    /// call of [`StartCover::block`] a stack frame of nearly three hundred bytes.
    #[inline(never)]
    fn classes_of_short_block(&self, bytes: &[u8], block: usize) -> (u64, u64) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2.
            return unsafe { self.wide_classes(&padded_block(bytes, block)) };
        }
        let (mut letters_and_digits, mut listed) = (0, 0);
        for quarter in 0..4 {
            let at = block + 16 * quarter;
            if at >= bytes.len() {
                break;
            }
            // Past the end the chunk is padded with zeros, whose bits are cleared below.
            let (chunk_letters_and_digits, chunk_listed) = self.classes(&sixteen_at(bytes, at, 0));
            letters_and_digits |= u64::from(chunk_letters_and_digits) << (16 * quarter);
            listed |= u64::from(chunk_listed) << (16 * quarter);
        }
        (letters_and_digits, listed)
    }

    /// [`StartCover::classes_of_block`] of sixty-four bytes with AVX2, thirty-two at a time:
    /// both sets are looked up by nibbles (see [`by_nibbles`]), so the listed bytes cost two
    /// shuffles rather than a comparison each, and the letters and digits two more.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn wide_classes(&self, block: &[u8; 64]) -> (u64, u64) {
        use std::arch::x86_64::{
            _mm256_and_si256, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_max_epu8, _mm256_movemask_epi8,
            _mm256_set1_epi8, _mm256_setzero_si256, _mm256_shuffle_epi8, _mm256_srli_epi16,
        };
        // SAFETY: the unaligned load reads the thirty-two bytes of `thirty_two`, no more.
        let load = |thirty_two: &[u8; 32]| unsafe { _mm256_loadu_si256(thirty_two.as_ptr().cast()) };
        let (nibble, zero, from) =
            (_mm256_set1_epi8(0x0F), _mm256_setzero_si256(), _mm256_set1_epi8(self.from[0] as i8));
        let (high_bits, letters_and_digits, listed) =
            (load(&HIGH_NIBBLE_BITS), load(&self.letters_and_digits_by_nibbles), load(&self.listed_by_nibbles));
        let half = |thirty_two: &[u8; 32]| {
            let bytes = load(thirty_two);
            let high = _mm256_shuffle_epi8(high_bits, _mm256_and_si256(_mm256_srli_epi16::<4>(bytes), nibble));
            let low = _mm256_and_si256(bytes, nibble);
            let outside = |table| {
                let bit = _mm256_and_si256(_mm256_shuffle_epi8(table, low), high);
                _mm256_movemask_epi8(_mm256_cmpeq_epi8(bit, zero)) as u32
            };
            let beyond = _mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_max_epu8(bytes, from), bytes)) as u32;
            (u64::from(!outside(letters_and_digits)), u64::from(!outside(listed) | beyond))
        };
        let (first, second) = block.split_at(32);
        let (first, second) = (half(first.try_into().expect("32 bytes")), half(second.try_into().expect("32 bytes")));
        (first.0 | second.0 << 32, first.1 | second.1 << 32)
    }

    /// The ASCII letters and digits of sixteen bytes and the listed ones: bit `i` for `chunk[i]`.
    /// On x86-64 SSE2 instructions over all of them at once: a byte is in a range when its
    /// distance above the range's first value, which wraps below it, is at most the range's
    /// width, that is when the smaller of the two is the distance.
    #[cfg(target_arch = "x86_64")]
    #[inline]
    fn classes(&self, chunk: &[u8; 16]) -> (u32, u32) {
        use std::arch::x86_64::{
            _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
            _mm_set1_epi8, _mm_sub_epi8,
        };
        // SAFETY: SSE2 is part of every x86-64 processor (the baseline the target is compiled
        // for), and each unaligned load reads sixteen bytes of an array of sixteen, no more.
        unsafe {
            let bytes = _mm_loadu_si128(chunk.as_ptr().cast());
            let folded = _mm_or_si128(bytes, _mm_set1_epi8(0x20));
            let within = |first: u8, width: u8, bytes| {
                let above = _mm_sub_epi8(bytes, _mm_set1_epi8(first as i8));
                _mm_cmpeq_epi8(_mm_min_epu8(above, _mm_set1_epi8(width as i8)), above)
            };
            let letters_and_digits =
                _mm_movemask_epi8(_mm_or_si128(within(b'a', 25, folded), within(b'0', 9, bytes))) as u32;
            let mut listed = _mm_cmpeq_epi8(_mm_max_epu8(bytes, _mm_loadu_si128(self.from.as_ptr().cast())), bytes);
            for place in &self.listed {
                listed = _mm_or_si128(listed, _mm_cmpeq_epi8(folded, _mm_loadu_si128(place.as_ptr().cast())));
            }
            (letters_and_digits, _mm_movemask_epi8(listed) as u32)
        }
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn classes(&self, chunk: &[u8; 16]) -> (u32, u32) {
        self.classes_bytewise(chunk)
    }

    /// [`StartCover::classes`] byte by byte.
    #[cfg(any(test, not(target_arch = "x86_64")))]
    fn classes_bytewise(&self, chunk: &[u8; 16]) -> (u32, u32) {
        let mask = |holds: &dyn Fn(u8) -> bool| (0..16).filter(|&i| holds(chunk[i])).fold(0, |mask, i| mask | 1 << i);
        let listed = |byte: u8| byte >= self.from[0] || self.listed.iter().any(|place| place[0] == byte | 0x20);
        (mask(&|byte| byte.is_ascii_alphanumeric()), mask(&listed))
    }
}

/// The sixty-four bytes of `bytes` from `block` on, zeros past its end: the one block of a text
/// shorter than that.
#[cfg(target_arch = "x86_64")]
fn padded_block(bytes: &[u8], block: usize) -> [u8; 64] {
    let mut padded = [0; 64];
    for (quarter, at) in padded.chunks_exact_mut(16).zip((block..bytes.len()).step_by(16)) {
        quarter.copy_from_slice(&sixteen_at(bytes, at, 0));
    }
    padded
}

/// The candidate lead starts of one text, found in order: the candidates of [`StartCover`] are
/// read sixty-four positions at a time and kept from one call to the next, as most texts hold
/// a candidate every few bytes (a word start) and nearly all of them are turned down.
struct LeadStarts<'t> {
    cover: &'t StartCover,
    bytes: &'t [u8],
    /// The first position of the 64 that `candidates` holds: a multiple of 64.
    block: usize,
    /// The candidates of that block not yet read, bit `i` for position `block + i`.
    candidates: u64,
}

impl<'t> LeadStarts<'t> {
    fn new(leads: &'t Leads, text: &'t str) -> LeadStarts<'t> {
        let bytes = text.as_bytes();
        LeadStarts { cover: &leads.cover, bytes, block: 0, candidates: leads.cover.block(bytes, 0) }
    }

    /// The first candidate from `from` on (`from` never less than in the call before) where
    /// `dies` does not say the anchored patterns die on the bytes from there (see
    /// [`Walker::dies`]): every start of a pattern's match is one, and most positions that are
    /// not are left out. Inlined into its one caller, whose registers its loop over every
    /// candidate then shares: as a call it cost a few million instructions on the sample.
    #[inline(always)]
    fn next(&mut self, from: usize, dies: impl Fn(&[u8]) -> bool) -> Option<usize> {
        let bytes = self.bytes;
        if from >= self.block + 64 {
            if from >= bytes.len() {
                return None;
            }
            self.block = from - from % 64;
            self.candidates = self.cover.block(bytes, self.block);
        }
        self.candidates &= u64::MAX << (from - self.block);
        loop {
            while self.candidates == 0 {
                self.block += 64;
                if self.block >= bytes.len() {
                    return None;
                }
                self.candidates = self.cover.block(bytes, self.block);
            }
            let at = self.block + self.candidates.trailing_zeros() as usize;
            self.candidates &= self.candidates - 1;
            // Most candidates (nearly every word) are turned down by `dies` here.
            if !dies(&bytes[at..]) {
                return Some(at);
            }
        }
    }
}

impl Leads {
    /// The leads `source`, parsed as `hir`; an error when they do not compile.
    fn new(source: String, hir: Result<Hir, pieces::Error>) -> Result<Leads, regex::Error> {
        let dfa = hir
            .ok()
            .and_then(|hir| {
                thompson::Compiler::new().configure(lazy::without_captures(SIZE_LIMIT)).build_from_hir(&hir).ok()
            })
            .and_then(|nfa| {
                LazyDfa::builder().configure(LazyDfa::config().unicode_word_boundary(true)).build_from_nfa(nfa).ok()
            })
            .and_then(|dfa| Some((first_bytes(&dfa)?, dfa)));
        let regex = OnceLock::new();
        let (dfa, starts) = match dfa {
            Some((starts, dfa)) => {
                let maker = dfa.clone();
                (Some((dfa, Box::new(Pool::new(Box::new(move || maker.create_cache()) as CacheMaker)))), starts)
            }
            None => {
                // Without the DFA every byte may start a lead, and the regex decides.
                let _ = regex.set(leads_regex(&source)?);
                (None, FirstBytes { row: Box::new([0; 257]), first: vec![[true; 256]] })
            }
        };
        let cover = StartCover::new(&starts);
        Ok(Leads { dfa, source, regex, cover })
    }

    /// Whether a lead matches at `start` of `text`, with the text before it as context.
    fn starts_at(&self, text: &str, start: usize) -> bool {
        if let Some((dfa, caches)) = &self.dfa {
            let input =
                regex_automata::Input::new(text).range(start..).anchored(regex_automata::Anchored::Yes).earliest(true);
            if let Ok(found) = dfa.try_search_fwd(&mut caches.get(), &input) {
                return found.is_some();
            }
        }
        let regex = self.regex.get_or_init(|| leads_regex(&self.source).expect("the leads compile, as their DFA did"));
        regex.find_at(text, start).is_some_and(|found| found.start() == start)
    }
}

/// The leads `source` as a regex.
fn leads_regex(source: &str) -> Result<Regex, regex::Error> {
    regex::RegexBuilder::new(source).size_limit(SIZE_LIMIT).dfa_size_limit(64 << 20).build()
}

/// The [`FirstBytes`] of a regex, read from its lazy DFA `dfa`: a byte may start a match after
/// a look-behind unless it takes the anchored start state to the dead state. `None` when the
/// DFA cannot say.
fn first_bytes(dfa: &LazyDfa) -> Option<FirstBytes> {
    use regex_automata::Anchored;
    use regex_automata::util::start;
    let mut cache = dfa.create_cache();
    let mut row = Box::new([0; 257]);
    let mut first: Vec<[bool; 256]> = Vec::new();
    let mut starts = Vec::new();
    for behind in 0..=256 {
        let config = start::Config::new().anchored(Anchored::Yes).look_behind(u8::try_from(behind).ok());
        let state = dfa.start_state(&mut cache, &config).ok()?;
        let index = match starts.iter().find(|(known, _)| *known == state) {
            Some(&(_, index)) => index,
            None => {
                let mut bytes = [true; 256];
                for (byte, possible) in (0..=255).zip(bytes.iter_mut()) {
                    // A match state, even an empty match, or a quit (a Unicode word boundary
                    // before a non-ASCII byte) keeps the byte.
                    *possible = dfa.next_state(&mut cache, state, byte).map_or(true, |next| !next.is_dead());
                }
                let index = first.iter().position(|known| *known == bytes).unwrap_or_else(|| {
                    first.push(bytes);
                    first.len() - 1
                });
                starts.push((state, index));
                index
            }
        };
        row[behind] = u8::try_from(index).ok()?;
    }
    Some(FirstBytes { row, first })
}

/// The anchored patterns as one automaton that says which of them match at the start of a text.
enum AnchoredSet {
    /// A lazy DFA of all the patterns that reports every pattern it passes a match of, walked
    /// from the start until it dies (see [`Walker::matches`]): most starts (a year, a count)
    /// die within a few bytes, which the walk pays for and no more. It compiles to one
    /// automaton without capture groups, where a regex set also builds a reverse one: that was
    /// most of the money stage's compile time.
    Lazy { dfa: Box<LazyDfa>, caches: Box<Pool<Scratch, ScratchMaker>> },
    /// A regex set, for patterns a lazy DFA cannot run (a Unicode word boundary).
    Set(RegexSet),
}

impl std::fmt::Debug for AnchoredSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnchoredSet::Lazy { dfa, .. } => write!(f, "AnchoredSet::Lazy({} patterns)", dfa.pattern_len()),
            AnchoredSet::Set(set) => write!(f, "AnchoredSet::Set({set:?})"),
        }
    }
}

type Pool<T, F> = regex_automata::util::pool::Pool<T, F>;
type ScratchMaker = lazy::CacheMaker<Scratch>;
type CacheMaker = lazy::CacheMaker<LazyCache>;

/// A thread's cache of the anchored set's lazy DFA, and what its walks have shown about the
/// first two or three bytes of a text.
///
/// Most lead starts (a year, a count, a word) are turned down by their first, second or third
/// byte (a word such as `the` or `and` lives two bytes in the number words and currency codes),
/// but the DFA states that turn them down are spread over a large cache, and each walk pays for
/// finding its start state: which pairs and triples of bytes the walk dies on is learned here,
/// as the walks meet them, in small tables that stay in the processor's cache.
struct Scratch {
    cache: LazyCache,
    /// The walks' start state, got once per clearing of the cache.
    start: AnchoredStarts,
    /// Bit `pair % 64` of word `pair / 64`, where `pair` is a text's first two bytes as a
    /// little-endian `u16` (see [`pair_at`]): the walk over a text starting with them dies there
    /// without passing a match. A scan reads the pair with one load and tests it with one bit.
    dies: Box<[u64; 1 << 10]>,
    /// For a pair the walk got past, by the same `pair`, its row in `dies_third` (0: none yet).
    third_row: Box<[u16; 1 << 16]>,
    /// Bit `third` of a row: the walk over a text starting with the row's pair and `third`
    /// dies on the third byte without passing a match. Row 0 stays empty, for the pairs
    /// without a row of their own.
    dies_third: Vec<[u64; 4]>,
}

/// The first two bytes of a text's first three as one number, the index of their pair in
/// [`Scratch`]: read as one little-endian `u16`, in one load, where putting the two bytes
/// together took four instructions for every candidate start the scan asks about.
fn pair_at(head: &[u8; 3]) -> usize {
    let (pair, _) = head.split_first_chunk::<2>().expect("three bytes");
    usize::from(u16::from_le_bytes(*pair))
}

impl AnchoredSet {
    /// The lazy DFA of the anchored patterns, with the limits of the regex set it stands for;
    /// `None` when they cannot make one.
    fn lazy(hirs: &[&Hir]) -> Option<AnchoredSet> {
        let nfa =
            thompson::Compiler::new().configure(lazy::without_captures(SIZE_LIMIT)).build_many_from_hir(hirs).ok()?;
        let dfa = LazyDfa::builder()
            .configure(LazyDfa::config().match_kind(regex_automata::MatchKind::All).cache_capacity(64 << 20))
            .build_from_nfa(nfa)
            .ok()?;
        let maker = dfa.clone();
        let caches = Box::new(Pool::new(Box::new(move || Scratch {
            cache: maker.create_cache(),
            start: AnchoredStarts::new(regex_automata::Anchored::Yes),
            dies: Box::new([0; 1 << 10]),
            third_row: vec![0; 1 << 16].into_boxed_slice().try_into().expect("a row for every pair"),
            dies_third: vec![[0; 4]],
        }) as ScratchMaker));
        Some(AnchoredSet::Lazy { dfa: Box::new(dfa), caches })
    }

    /// What asks the set on one thread, for one text.
    fn walker(&self) -> Walker<'_> {
        match self {
            AnchoredSet::Lazy { dfa, caches } => Walker::Lazy(dfa, caches.get()),
            AnchoredSet::Set(set) => Walker::Set(set),
        }
    }
}

/// A thread's way into an [`AnchoredSet`]: with the cache of its lazy DFA, held while a text is read.
enum Walker<'a> {
    Lazy(&'a LazyDfa, regex_automata::util::pool::PoolGuard<'a, Scratch, ScratchMaker>),
    Set(&'a RegexSet),
}

impl Walker<'_> {
    /// Whether earlier walks showed that no pattern matches at the start of a text: the walk
    /// starts in the same state whatever the text (anchored, nothing before it), so the first
    /// two or three bytes it died on once, it dies on again, whatever follows them. What it
    /// dies on is learned only from a text with a byte more (see [`Walker::matches`]): a walk
    /// that read to the end of its text may have ended there rather than died. The tables are
    /// looked up once, here, so that the scan asking for every candidate keeps them in registers.
    fn dies(&self) -> impl Fn(&[u8]) -> bool + '_ {
        let tables = match self {
            Walker::Lazy(_, scratch) => Some((&*scratch.dies, &*scratch.third_row, scratch.dies_third.as_slice())),
            Walker::Set(_) => None,
        };
        move |text: &[u8]| match (tables, text.first_chunk::<3>()) {
            (Some((dies, third_row, dies_third)), Some(head)) => {
                let pair = pair_at(head);
                dies[pair >> 6] >> (pair & 63) & 1 == 1
                    || gate::has_byte(&dies_third[usize::from(third_row[pair])], head[2])
            }
            _ => false,
        }
    }

    /// Fills `matched` with the patterns that match at the start of `text`, in order, and
    /// learns what [`Walker::dies`] tells from then on. Returns how far into `text` a match
    /// can end: the bytes the walk read before it died, which no pattern's match runs past
    /// (the whole text when that is not known).
    fn matches(&mut self, text: &str, matched: &mut Vec<usize>) -> usize {
        matched.clear();
        match self {
            Walker::Lazy(dfa, scratch) => {
                let head = text.as_bytes().first_chunk::<3>().copied();
                let Scratch { cache, start, dies, third_row, dies_third } = &mut **scratch;
                let reach = match walk_all(dfa, cache, start, text, matched) {
                    Some(read) => {
                        if let Some(head) = head
                            && matched.is_empty()
                        {
                            let pair = pair_at(&head);
                            if read <= 2 {
                                dies[pair >> 6] |= 1 << (pair & 63);
                            } else if read == 3 && text.len() > 3 {
                                learn_third(&mut third_row[pair], dies_third, head[2]);
                            }
                        }
                        // A match ending at a byte is seen on the byte after it: the byte the
                        // walk died on ends none.
                        read
                    }
                    None => {
                        // The walk cannot stop short (no quit bytes, no giving up): if it ever
                        // did, every pattern is tried, which reads what the set would have said.
                        matched.clear();
                        matched.extend(0..dfa.pattern_len());
                        text.len()
                    }
                };
                matched.sort_unstable();
                matched.dedup();
                reach
            }
            Walker::Set(set) => {
                let matches = set.matches(text);
                // Most starts (a year, a count) match no pattern; walking every slot of the set
                // to find that out costs more than the DFA pass that decided it.
                if matches.matched_any() {
                    matched.extend(matches.iter());
                }
                text.len()
            }
        }
    }
}

/// Notes that the walk dies on byte `third` after the pair whose row in `dies_third` is `row`,
/// giving the pair a row first; once the rows fill a `u16`, new pairs are left to the walk.
fn learn_third(row: &mut u16, dies_third: &mut Vec<[u64; 4]>, third: u8) {
    if *row == 0 {
        let Ok(next) = u16::try_from(dies_third.len()) else { return };
        dies_third.push([0; 4]);
        *row = next;
    }
    gate::add_byte(&mut dies_third[usize::from(*row)], third);
}

/// Walks the lazy DFA `dfa` (match kind `All`, patterns anchored) over `text` from its start
/// until it dies or the text ends, pushing the patterns of every match state it passes onto
/// `matched`; the number of bytes read, `None` if it could not go on. The start state is taken
/// from `start` (kept with `cache`): every walk starts in the same one, which finding anew was
/// a good part of a walk of a few bytes.
fn walk_all(
    dfa: &LazyDfa,
    cache: &mut LazyCache,
    start: &mut AnchoredStarts,
    text: &str,
    matched: &mut Vec<usize>,
) -> Option<usize> {
    let bytes = text.as_bytes();
    let state = start.get(dfa, cache, bytes, 0)?;
    lazy::walk_from(dfa, cache, state, bytes, 0..bytes.len(), |cache, state, _| {
        for index in 0..dfa.match_len(cache, state) {
            matched.push(dfa.match_pattern(cache, state, index).as_usize());
        }
        true
    })
}

/// What a pattern matched, before the currency and qualifier are attached.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub pattern: usize,
    pub start: usize,
    pub end: usize,
    pub amount: Decimal,
    pub amount_max: Option<Decimal>,
    /// Index into [`Lexicon::codes`], `None` when the symbol does not say (`kr`).
    pub currency: Option<usize>,
    /// Where the currency name (or else symbol) was captured, if one was.
    pub name: Option<(usize, usize)>,
}

/// An error in one pattern, with the offending piece.
#[derive(Debug, PartialEq)]
pub struct PatternError(pub String);

impl Grammar {
    pub fn new(patterns: &[PatternSpec], lexicon: &Lexicon) -> Result<Grammar, (usize, PatternError)> {
        let fragments = Fragments::new(lexicon);
        let mut parser = pieces::Parser::new();
        let mut expanded = Vec::new();
        let mut sources = Vec::new();
        // Each lead with its text, which tells leads apart.
        let mut leads: Vec<(String, Pieces)> = Vec::new();
        let mut wordy: Vec<(String, Pieces)> = Vec::new();
        // Patterns share guards (`{bare_figure}$` five times, the end of a line four times): each
        // is compiled once, and a clone shares its program.
        let mut guards: HashMap<String, Regex> = HashMap::new();
        for (index, spec) in patterns.iter().enumerate() {
            let Expansion { regex, captures, lead } =
                expand(index, spec.pattern, &fragments).map_err(|e| (index, e))?;
            let mut compile = |pattern: Option<String>| {
                let Some(pattern) = pattern else { return Ok(None) };
                if let Some(guard) = guards.get(&pattern) {
                    return Ok(Some(guard.clone()));
                }
                let guard = regex::RegexBuilder::new(&pattern)
                    .size_limit(64 << 20)
                    .build()
                    .map_err(|e| (index, PatternError(format!("bad regex: {e}"))))?;
                guards.insert(pattern, guard.clone());
                Ok(Some(guard))
            };
            let after = |guard: Option<&str>| guard.map(|c| format!("^(?:{})", expand_guard(c, &fragments).to_regex()));
            let before =
                |guard: Option<&str>| guard.map(|c| format!("(?:{})$", expand_guard(c, &fragments).to_regex()));
            let not_followed_by = compile(after(spec.not_followed_by))?;
            let followed_by = compile(after(spec.followed_by))?;
            let unless_followed_by = compile(after(spec.unless_followed_by))?;
            let not_preceded_by = compile(before(spec.not_preceded_by))?;
            let preceded_by = compile(before(spec.preceded_by))?;
            // The trailing guard keeps `$5` out of `$5G` and codes out of longer words.
            let mut alternative = Pieces::text("(?:");
            alternative.append(&regex);
            alternative.push_str(")(?:[^A-Za-z0-9]|$)");
            let mut source = Pieces::text("^");
            source.append(&alternative);
            let starts_word = ["{num}", "{face}", "{words}", "{article}", "{code}", "{name}", "{lead}", "{prefix}"]
                .iter()
                .any(|m| spec.pattern.starts_with(m));
            let lead = lead.unwrap_or(alternative);
            let lead = (lead.to_regex(), lead);
            if !spec.pattern.contains("{num}") && !wordy.iter().any(|(text, _)| *text == lead.0) {
                wordy.push(lead.clone());
            }
            if !leads.iter().any(|(text, _)| *text == lead.0) {
                leads.push(lead);
            }
            let starts_number = spec.pattern.starts_with("{num}") || spec.pattern.starts_with("{face}");
            expanded.push(Expanded {
                source: source.to_regex(),
                hir: Hir::empty(),
                captures,
                compiled: OnceLock::new(),
                not_followed_by,
                unless_followed_by,
                not_preceded_by,
                followed_by,
                preceded_by,
                starts_word,
                starts_number,
            });
            sources.push(source);
        }
        // Each pattern is parsed here once: a pattern that does not parse is the one to blame.
        for (index, (pattern, source)) in expanded.iter_mut().zip(&sources).enumerate() {
            pattern.hir = parser.parse(source).map_err(|e| (index, PatternError(format!("bad regex: {e}"))))?;
        }
        let mut join = |alternatives: &[(String, Pieces)]| match alternatives.is_empty() {
            true => Ok(None),
            false => {
                let joined = Pieces::join(alternatives.iter().map(|(_, lead)| lead), "|");
                Leads::new(joined.to_regex(), parser.parse(&joined)).map(Some).map_err(together)
            }
        };
        let leads = join(&leads)?;
        let wordy = join(&wordy)?;
        let sources: Vec<&str> = expanded.iter().map(|pattern| pattern.source.as_str()).collect();
        let hirs: Vec<&Hir> = expanded.iter().map(|pattern| &pattern.hir).collect();
        let anchored = match AnchoredSet::lazy(&hirs) {
            Some(set) => set,
            None => AnchoredSet::Set(
                regex::RegexSetBuilder::new(&sources)
                    .size_limit(SIZE_LIMIT)
                    .dfa_size_limit(64 << 20)
                    .build()
                    .map_err(together)?,
            ),
        };
        Ok(Grammar { leads, wordy, anchored, patterns: expanded })
    }

    /// Every amount the patterns read in `text`, left to right, without overlaps.
    pub fn readings(&self, text: &str, lexicon: &Lexicon, out: &mut Vec<Reading>) {
        // `{num}` needs an ASCII digit: without one, only the patterns in `wordy` can match.
        let search = if has_digit(text.as_bytes()) { &self.leads } else { &self.wordy };
        let Some(leads) = search else { return };
        let mut starts = LeadStarts::new(leads, text);
        let mut walker = self.anchored.walker();
        let mut matched = Vec::new();
        let mut position = 0;
        while position < text.len() {
            // The leads only find where the next amount may start (a DFA search); which patterns
            // match there is one pass of the anchored set, and what a pattern's macros captured
            // is read with that pattern alone, as resolving captures on all the patterns at once
            // costs far more.
            let Some(start) = starts.next(position, walker.dies()) else { break };
            if !text.is_char_boundary(start) {
                // No lead starts inside a character.
                position = start + 1;
                continue;
            }
            let rest = &text[start..];
            let reach = walker.matches(rest, &mut matched);
            // A pattern's match starts where its lead matches; the scan let through more.
            // Most starts match no pattern, and are done with here.
            if matched.is_empty() || !leads.starts_at(text, start) {
                position = start + rest.chars().next().map_or(1, char::len_utf8);
                continue;
            }
            let before = &text[..start];
            let at_word_start = !before.ends_with(|c: char| c.is_ascii_alphanumeric());
            // `01` of `0.01`, or `.01` of `0.01`, is the tail of a number, not one of its own.
            let in_number = before.trim_end_matches(['.', ',']).ends_with(|c: char| c.is_ascii_digit());
            let reading = matched.iter().find_map(|&index| {
                let expanded = &self.patterns[index];
                if expanded.starts_word && !at_word_start || expanded.starts_number && in_number {
                    return None;
                }
                let caps = Caught::at_start(expanded.compiled(), rest, reach)?;
                self.accept(index, &caps, text, start, lexicon)
            });
            match reading {
                Some(reading) => {
                    position = reading.end;
                    out.push(reading);
                }
                // Nothing reads here: a reading may still start just after this position.
                None => position = start + text[start..].chars().next().map_or(1, char::len_utf8),
            }
        }
    }

    /// Reads pattern `pattern`'s match (captured in a haystack that starts at byte `offset` of
    /// `text`) and checks it against the pattern's context guards.
    fn accept(&self, pattern: usize, caps: &Caught, text: &str, offset: usize, lexicon: &Lexicon) -> Option<Reading> {
        let expanded = &self.patterns[pattern];
        let mut reading = read(pattern, expanded, caps, lexicon)?;
        reading.start += offset;
        reading.end += offset;
        reading.name = reading.name.map(|(start, end)| (start + offset, end + offset));
        let after = &text[reading.end..];
        // The ASCII word boundaries of the patterns see no letter in `ü`: an amount ending in a
        // word must not run into a non-ASCII letter either (`10-sekündigen` is no 10 SEK).
        let ends_word = text[..reading.end].ends_with(|c: char| c.is_ascii_alphabetic());
        if ends_word && after.starts_with(char::is_alphabetic) {
            return None;
        }
        let before = line_before(text, reading.start);
        let followed = expanded.not_followed_by.as_ref().is_some_and(|re| re.is_match(after))
            && !expanded.unless_followed_by.as_ref().is_some_and(|re| re.is_match(after));
        let preceded = expanded.not_preceded_by.as_ref().is_some_and(|re| re.is_match(before));
        let unfollowed = expanded.followed_by.as_ref().is_some_and(|re| !re.is_match(after));
        let unpreceded = expanded.preceded_by.as_ref().is_some_and(|re| !re.is_match(before));
        // A name meant in another sense (`20 pounds of muscle`) is judged by the words around it.
        let sense = reading
            .name
            .is_some_and(|(start, end)| lexicon.other_sense(&text[start..end], line_before(text, start), &text[end..]));
        (!followed && !preceded && !unfollowed && !unpreceded && !sense).then_some(reading)
    }
}

/// Whether `bytes` holds an ASCII digit, looked for sixteen bytes at a time: a block without one,
/// which then reads only the `wordy` leads, is read to its end for it.
fn has_digit(bytes: &[u8]) -> bool {
    static DIGITS: std::sync::LazyLock<ByteRanges> =
        std::sync::LazyLock::new(|| ByteRanges::covering(1, |byte| byte.is_ascii_digit()));
    DIGITS.find(bytes, 0).is_some()
}

/// The text of the line before `end`, at most [`CONTEXT`] bytes of it: what a context guard
/// looks at. Bounding it keeps each guard's cost independent of the length of the text.
fn line_before(text: &str, end: usize) -> &str {
    let mut start = end.saturating_sub(CONTEXT);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let window = &text[start..end];
    window.rfind('\n').map_or(window, |newline| &window[newline + 1..])
}

/// The error when the patterns, each of which parses, do not compile together (one of the
/// joined regexes is too big): no single pattern is to blame, so it is reported on the first.
fn together(error: impl std::fmt::Display) -> (usize, PatternError) {
    (0, PatternError(format!("the money patterns together do not compile: {error}")))
}

/// How far back a context guard looks.
const CONTEXT: usize = 256;

/// The lexicon's regex fragments, each built once: the patterns and guards refer to the same
/// few fragments dozens of times, and building one (the alternation of every currency name) is
/// a good part of compiling the patterns.
struct Fragments<'a> {
    lexicon: &'a Lexicon,
    /// (macro name, whether it opens its pattern) → fragment, `None` for an unknown macro.
    built: RefCell<HashMap<(String, bool), Fragment>>,
}

impl<'a> Fragments<'a> {
    fn new(lexicon: &'a Lexicon) -> Fragments<'a> {
        Fragments { lexicon, built: RefCell::new(HashMap::new()) }
    }

    /// [`Lexicon::fragment`], built on the first request.
    fn get(&self, name: &str, opens: bool) -> Fragment {
        let key = (name.to_string(), opens);
        if let Some(fragment) = self.built.borrow().get(&key) {
            return fragment.clone();
        }
        let fragment: Fragment = self.lexicon.fragment(name, opens).map(Rc::from);
        self.built.borrow_mut().insert(key, fragment.clone());
        fragment
    }
}

/// A lexicon fragment, shared by every regex it is written into; `None` for an unknown macro.
type Fragment = Option<Rc<str>>;

/// The guard macro `{bare_figure}`: a figure (digits with their separators) that no currency
/// sign or other digit stands right before.
const BARE_FIGURE: &str = "(?:^|[^0-9.,'’\\p{Sc}])[0-9][0-9.,'’]*";

/// The macro `{sp}`: one optional space, plain, narrow or not breaking, in patterns and guards.
const OPTIONAL_SPACE: &str = "(?:[ \u{a0}\u{202f}\u{2009}]?)";

/// Expands the vocabulary macros of a context guard (`[ ]?{num}{sp}{sym}`), without capture
/// groups. Braces that name no macro (`\u{a0}`, `{2,}`) are the regex's own.
fn expand_guard(guard: &str, fragments: &Fragments) -> Pieces {
    let mut out = Pieces::default();
    let mut rest = guard;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|close| close + open) else { break };
        let name = &rest[open + 1..close];
        out.push_str(&rest[..open]);
        match name {
            "sp" => out.push_str(OPTIONAL_SPACE),
            "bare_figure" => out.push_str(&format!("(?:{BARE_FIGURE})")),
            _ => {
                let fragment = match name {
                    "postscale" => fragments.get("scale", false),
                    _ if name.starts_with(|c: char| c.is_ascii_lowercase()) => fragments.get(name, false),
                    _ => None,
                };
                match fragment {
                    Some(fragment) => out.push_fragment(&fragment),
                    None => out.push_str(&rest[open..=close]),
                }
            }
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// One pattern expanded: its regex, the capture group of each macro, and its lead.
struct Expansion {
    regex: Pieces,
    captures: CaptureGroups,
    /// The pattern up to and including its first macro, without capture groups, where that
    /// prefix must match wherever the pattern does (`None` when the first macro is optional or
    /// inside a group or alternation).
    lead: Option<Pieces>,
}

/// Whether a pattern may be cut right after its first macro: the text before the macro (`literal`)
/// opens no group it does not close and has no alternation, and the macro is not made optional
/// or repeated by what follows it (`after`).
fn cuttable(literal: &str, after: &str) -> bool {
    let mut depth = 0i32;
    let mut class = false;
    let mut chars = literal.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' if !class => class = true,
            ']' if class => class = false,
            '(' if !class => depth += 1,
            ')' if !class => depth -= 1,
            '|' if !class && depth == 0 => return false,
            _ => {}
        }
    }
    let repeated = after.starts_with(['?', '*', '+'])
        || after.strip_prefix('{').is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
    depth == 0 && !class && !repeated
}

/// Expands the macros of one pattern into capture groups named after the pattern.
fn expand(index: usize, pattern: &str, fragments: &Fragments) -> Result<Expansion, PatternError> {
    let mut out = Pieces::default();
    let mut lead = None;
    let mut captures = HashMap::new();
    let mut rest = pattern;
    let mut first_macro = true;
    let mut numbers_seen = 0u8;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').ok_or_else(|| PatternError(format!("unclosed `{{` in `{pattern}`")))? + open;
        let name = &rest[open + 1..close];
        out.push_str(&rest[..open]);
        rest = &rest[close + 1..];
        if name.chars().all(|c| c.is_ascii_digit() || c == ',') {
            // A regex repetition such as `{2,}`.
            out.push_str(&format!("{{{name}}}"));
            continue;
        }
        let opens = first_macro && open == 0;
        if opens && WORD_START.contains(&name) {
            out.push_str("(?-u:\\b)");
        }
        // Where the macro's `{` is in the pattern, `rest` having moved past its `}`.
        let macro_start = pattern.len() - rest.len() - (close + 1) + open;
        let cut_here = first_macro && cuttable(&pattern[..macro_start], rest);
        first_macro = false;
        let fragment = match name {
            "sp" => Pieces::text(OPTIONAL_SPACE),
            "open" => Pieces::text("(?:\\()"),
            "neg" => Pieces::text("(?:[-\u{2212}])"),
            "close" => Pieces::text("(?:\\))"),
            _ => {
                let fragment = match name {
                    "postscale" => fragments.get("scale", opens).expect("scale is a known fragment"),
                    _ => {
                        fragments.get(name, opens).ok_or_else(|| PatternError(format!("unknown macro `{{{name}}}`")))?
                    }
                };
                let mut pieces = Pieces::default();
                pieces.push_fragment(&fragment);
                pieces
            }
        };
        if cut_here {
            let mut prefix = out.clone();
            match fragments.lexicon.lead_fragment(name, opens) {
                Some(start) => prefix.push_fragment(&Rc::from(start)),
                None => prefix.append(&fragment),
            }
            lead = Some(prefix);
        }
        // `{cents}` is a `{minor}` part held to two digits.
        let captured = match name {
            "cents" => "minor",
            "price" | "face" => "num",
            "pscale" => "scale",
            "wcode" => "code",
            _ => name,
        };
        match CAPTURING.iter().find(|&&m| m == captured) {
            Some(&macro_name) => {
                // A scale belongs to the number before it; anything else is numbered in order.
                let occurrence = match macro_name {
                    "num" | "words" | "article" => {
                        numbers_seen += 1;
                        numbers_seen
                    }
                    "scale" | "postscale" | "prefix" => numbers_seen.max(1),
                    _ if captures.contains_key(&(macro_name, 1)) => 2,
                    _ => 1,
                };
                if occurrence > 2 || captures.contains_key(&(macro_name, occurrence)) {
                    return Err(PatternError(format!("`{{{name}}}` occurs too often for one amount or range")));
                }
                let group = format!("p{index}_{macro_name}{occurrence}");
                out.push_str(&format!("(?P<{group}>"));
                out.append(&fragment);
                out.push_str(")");
                captures.insert((macro_name, occurrence), group);
            }
            None => out.append(&fragment),
        }
    }
    out.push_str(rest);
    if !["num", "words", "article"].iter().any(|name| captures.contains_key(&(name, 1))) {
        return Err(PatternError("a money pattern needs `{num}`, `{words}` or `{article}`".into()));
    }
    Ok(Expansion { regex: out, captures, lead })
}

/// Reads the amount(s), scale and currency out of one match; `None` when the words or digits do
/// not form a number.
fn read(pattern: usize, expanded: &Expanded, caps: &Caught, lexicon: &Lexicon) -> Option<Reading> {
    let groups = &expanded.compiled().groups;
    let get = |name: &'static str, occurrence: u8| groups[slot(name, occurrence)].and_then(|g| caps.get(g));
    let mut currency = None;
    let mut factor = Decimal::ONE;
    // A code says which currency even next to a symbol (`$1,190.00 AUD`, `NZD $100.70`).
    for name in ["code", "sym", "psym", "name", "lead", "sub", "informal", "counted"] {
        for occurrence in [1, 2] {
            if let Some(found) = get(name, occurrence)
                && currency.is_none()
            {
                let (of, subunit_factor) = lexicon.currency_of(name, found.as_str())?;
                currency = Some(of);
                factor = subunit_factor;
            }
        }
    }
    // A lone `.` before three digits groups thousands unless a scale follows (`1.250 mln dlrs`)
    // or the currency counts in thousandths (`423.923 KD`): money is written with two decimals or
    // none, and pages in Europe and Latin America group with dots (`3.000 Euro`, `$ 80.000`).
    let unscaled = ["scale", "postscale", "prefix"].iter().all(|name| get(name, 1).is_none());
    let whole = match currency.flatten() {
        Some(index) => lexicon.is_whole(index) || unscaled && !lexicon.has_thousandths(index),
        None => unscaled,
    };
    // "a" is one only before a unit it counts (`a dollar`), never in `a sterling effort`.
    if let (Some(words), Some(unit), None) =
        (get("words", 1), get("name", 1).or_else(|| get("sub", 1)).or_else(|| get("counted", 1)), get("scale", 1))
        && lexicon.number_words.bare_article_before(words.as_str(), unit.as_str())
    {
        return None;
    }
    let number = |occurrence: u8| -> Option<Option<Decimal>> {
        if let Some(digits) = get("num", occurrence) {
            return Some(Some(parse_numeral(digits.as_str(), whole)?));
        }
        if let Some(words) = get("words", occurrence) {
            return Some(Some(lexicon.number_words.parse(words.as_str())?));
        }
        if get("article", occurrence).is_some() {
            return Some(Some(Decimal::ONE));
        }
        Some(None)
    };
    let scale = |occurrence: u8| -> Option<Decimal> {
        let mut factor = Decimal::ONE;
        for name in ["scale", "postscale"] {
            if let Some(found) = get(name, occurrence) {
                factor = factor.checked_mul(lexicon.scale_of(found.as_str())?)?;
            }
        }
        if let Some(found) = get("prefix", occurrence) {
            factor = factor.checked_mul(lexicon.prefix_of(found.as_str())?)?;
        }
        Some(factor)
    };
    let low = number(1)??;
    let high = number(2)?;
    let (low_scale, high_scale) = (scale(1)?, scale(2)?);
    let low_scale = if high.is_some() && low_scale == Decimal::ONE { high_scale } else { low_scale };

    // The minor part of an amount in two units (`20 dollars and 43 cents`) counts in the subunit,
    // or without one (`20 dollars 43`) in the unit `[minor]` gives, and stays below one main unit.
    let minor = match get("minor", 1) {
        // A main part with decimals has its minor part already (`$3.5 and 10` is not 3.60).
        Some(_) if !low.fract().is_zero() => return None,
        Some(found) => {
            let subunit = match get("sub", 1) {
                Some(sub) => lexicon.currency_of("sub", sub.as_str())?.1,
                None => lexicon.bare_minor?,
            };
            let count = match parse_numeral(found.as_str(), false) {
                Some(digits) => digits,
                None => lexicon.number_words.parse(found.as_str())?,
            };
            // A fraction is of the main unit: `a dollar and a quarter` is 1.25.
            let minor = match count.fract().is_zero() {
                true => count.checked_mul(subunit)?,
                false if get("sub", 1).is_none() => count,
                false => return None,
            };
            if minor >= Decimal::ONE {
                return None;
            }
            minor
        }
        None => Decimal::ZERO,
    };
    let negative = get("open", 1).is_some() && get("close", 1).is_some() || get("neg", 1).is_some();
    let sign = if negative { Decimal::NEGATIVE_ONE } else { Decimal::ONE };
    let value =
        |n: Decimal, s: Decimal| n.checked_mul(s)?.checked_mul(factor)?.checked_mul(sign).map(|v| v.normalize());
    let amount = value(low, low_scale)?.checked_add(minor.checked_mul(sign)?)?.normalize();
    let amount_max = match high {
        Some(high) => {
            let max = value(high, high_scale)?;
            // A range runs upwards; `$10-$3 million` is not one.
            if max.abs() < amount.abs() {
                return None;
            }
            Some(max)
        }
        None => None,
    };

    let spans = groups.iter().filter_map(|group| group.and_then(|g| caps.get(g)));
    let start = spans.clone().map(|m| m.start()).min()?;
    let mut end = spans.map(|m| m.end()).max()?;
    // A symbol's abbreviation point that ends the amount doubles as a full stop (`450 kr.`): it
    // stays out of the span when the symbol is known without it and only space or nothing follows.
    let symbol = get("sym", 2).or_else(|| get("sym", 1)).filter(|sym| sym.end() == end);
    if let Some(stem) = symbol.and_then(|sym| sym.as_str().strip_suffix('.'))
        && lexicon.is_symbol(stem)
    {
        let whole = caps.get(0)?;
        let next = &whole.as_str()[end - whole.start()..];
        if next.is_empty() || next.starts_with(char::is_whitespace) {
            end -= 1;
        }
    }
    let name =
        ["name", "sym"].iter().find_map(|name| get(name, 2).or_else(|| get(name, 1))).map(|m| (m.start(), m.end()));
    Some(Reading { pattern, start, end, amount, amount_max, currency: currency.flatten(), name })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::money::lexicon::{QualifierEntry, ScaleEntry};
    use crate::rules::{Family, RuleFile};
    use std::borrow::Cow;

    fn lexicon() -> Lexicon {
        let file = RuleFile {
            path: "t".into(),
            relative: "money/t.toml".into(),
            family: Family::Money,
            text: Cow::Borrowed(""),
        };
        let mut lexicon = Lexicon::default();
        let currencies: crate::extract::money::MoneyFile = toml::from_str(
            r#"
            [[currency]]
            dollar = true
            symbols = ["$"]
            names = ["dollars", "dlrs"]
            subunits = [{ names = ["cents"], attached = ["c"], factor = "0.01" }]
            [[currency]]
            code = "EUR"
            symbols = ["€"]
            [[currency]]
            code = "ZAR"
            price_symbols = ["R"]
            "#,
        )
        .unwrap();
        for currency in &currencies.currency {
            lexicon.add_currency(&file, currency, "USD").unwrap();
        }
        lexicon.add_iso_codes(&["USD".into(), "EUR".into()]);
        lexicon.add_word_codes(&["GEL".into()]);
        let scale: ScaleEntry = toml::from_str(
            "factor = \"1000000\"\nwords = [\"million\", \"mln\"]\nletters = [\"M\", \"m\"]\nafter_letter_symbol = [\"m\", \"million\"]",
        )
        .unwrap();
        lexicon.add_scale(&file, &scale).unwrap();
        let scale: ScaleEntry =
            toml::from_str("factor = \"1000000000\"\nwords = [\"billion\", \"bn\"]\nletters = [\"B\", \"bn\"]")
                .unwrap();
        lexicon.add_scale(&file, &scale).unwrap();
        lexicon.add_qualifier(&QualifierEntry {
            value: crate::record::Qualifier::Approximate,
            phrases: vec!["about".into()],
        });
        lexicon
    }

    fn specs<'a>(patterns: &[&'a str]) -> Vec<PatternSpec<'a>> {
        patterns.iter().map(|pattern| PatternSpec { pattern, ..Default::default() }).collect()
    }

    fn read_all(patterns: &[&str], text: &str) -> Vec<(String, String, Option<String>)> {
        let lexicon = lexicon();
        let grammar = Grammar::new(&specs(patterns), &lexicon).unwrap();
        let mut out = Vec::new();
        grammar.readings(text, &lexicon, &mut out);
        out.into_iter()
            .map(|r| (text[r.start..r.end].to_string(), r.amount.to_string(), r.amount_max.map(|m| m.to_string())))
            .collect()
    }

    #[test]
    fn after_a_letter_symbol_only_the_marked_scales_are_read() {
        let patterns = ["{psym}{num}{pscale}"];
        assert_eq!(
            read_all(&patterns, "R20 million, R350m, R2M, R1bn, R3 mln"),
            [("R20 million".into(), "20000000".into(), None), ("R350m".into(), "350000000".into(), None)]
        );
    }

    #[test]
    fn a_face_value_is_whole_and_a_word_code_is_a_code() {
        assert_eq!(
            read_all(&["{face}{sp}{name}"], "40 100 dollars, 1,000 dollars, 2.5 dollars"),
            [("100 dollars".into(), "100".into(), None), ("1,000 dollars".into(), "1000".into(), None)]
        );
        let lexicon = lexicon();
        let grammar = Grammar::new(&specs(&["{num}{sp}{wcode}", "{code}{sp}{num}"]), &lexicon).unwrap();
        let mut out = Vec::new();
        grammar.readings("5 GEL and GEL 5", &lexicon, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].start, out[0].end), (0, 5));
        assert_eq!(out[0].currency.map(|c| lexicon.codes[c].as_str()), Some("GEL"));
    }

    #[test]
    fn a_scale_form_that_is_not_the_scales_own_cannot_follow_a_letter_symbol() {
        let file = RuleFile {
            path: "t".into(),
            relative: "money/t.toml".into(),
            family: Family::Money,
            text: Cow::Borrowed(""),
        };
        let scale: ScaleEntry =
            toml::from_str("factor = \"1000\"\nletters = [\"k\"]\nafter_letter_symbol = [\"K\"]").unwrap();
        assert!(Lexicon::default().add_scale(&file, &scale).is_err());
    }

    #[test]
    fn one_amount_is_read_once_and_exactly() {
        let patterns = ["{sym}{sp}{num}{scale}?", "{num}{scale}?{sp}{name}"];
        assert_eq!(
            read_all(&patterns, "It paid $1.1B, then $400M, then 83 mln dlrs, then €2.3bn."),
            [
                ("$1.1B".into(), "1100000000".into(), None),
                ("$400M".into(), "400000000".into(), None),
                ("83 mln dlrs".into(), "83000000".into(), None),
                ("€2.3bn".into(), "2300000000".into(), None),
            ]
        );
    }

    #[test]
    fn a_scale_on_the_high_end_applies_to_both() {
        let patterns = ["{sym}{num}{scale}?{sp}[-–]{sp}{sym}?{num}{scale}?", "{sym}{num} to {sym}?{num}{scale}"];
        assert_eq!(
            read_all(&patterns, "$5-10 million, $5 to $10 million"),
            [
                ("$5-10 million".into(), "5000000".into(), Some("10000000".into())),
                ("$5 to $10 million".into(), "5000000".into(), Some("10000000".into())),
            ]
        );
    }

    #[test]
    fn context_words_stay_outside_the_span_and_parentheses_negate() {
        let patterns = ["between {sym}{num}{scale}? and {sym}?{num}{scale}?", "{open}{sym}{num}{scale}?{close}"];
        assert_eq!(
            read_all(&patterns, "between $2 billion and $3 billion, a loss of ($48 million)"),
            [
                ("$2 billion and $3 billion".into(), "2000000000".into(), Some("3000000000".into())),
                ("($48 million)".into(), "-48000000".into(), None),
            ]
        );
    }

    #[test]
    fn not_money() {
        let patterns = ["{sym}{sp}{num}{scale}?", "{code}{sp}{num}{scale}?", "{num}{scale}?{sp}{sub}"];
        assert!(read_all(&patterns, "$PATH and $TSLA rose 3x; EUROPE 2025; $5G; 30 months").is_empty());
    }

    #[test]
    fn context_guards_reject_a_reading_and_let_a_later_one_through() {
        let lexicon = lexicon();
        let patterns = [
            PatternSpec { pattern: "{num}{sp}{sym}", not_followed_by: Some(r"\s?[0-9]"), ..Default::default() },
            PatternSpec { pattern: "{sym}{num}{scale}?", ..Default::default() },
        ];
        let grammar = Grammar::new(&patterns, &lexicon).unwrap();
        let mut out = Vec::new();
        grammar.readings("in 2025 $5 billion, then 3 €.", &lexicon, &mut out);
        let found: Vec<_> = out.iter().map(|r| (r.pattern, r.amount.to_string())).collect();
        assert_eq!(found, [(1, "5000000000".to_string()), (0, "3".to_string())]);
    }

    #[test]
    fn when_the_first_pattern_cannot_read_a_start_the_next_one_tries() {
        let patterns = ["{sym}{num}{scale}?{sp}[-–]{sp}{sym}?{num}{scale}?", "{sym}{num}{scale}?"];
        assert_eq!(
            read_all(&patterns, "$10-$3 million"),
            [("$10".into(), "10".into(), None), ("$3 million".into(), "3000000".into(), None)]
        );
    }

    #[test]
    fn a_leading_decimal_point_belongs_to_the_number() {
        assert_eq!(
            read_all(&["{num}{scale}?{sp}{name}"], ".5 million dollars"),
            [(".5 million dollars".into(), "500000".into(), None)]
        );
    }

    #[test]
    fn guards_expand_macros_and_keep_the_regex_braces() {
        let lexicon = lexicon();
        let guard = expand_guard("[ \\u{a0}]{1,2}{num}{sp}{sym}", &Fragments::new(&lexicon)).to_regex();
        assert!(guard.starts_with("[ \\u{a0}]{1,2}(?:"), "{guard}");
        let guard = Regex::new(&format!("^(?:{guard})")).unwrap();
        assert!(guard.is_match(" 1,75 €"));
        assert!(!guard.is_match(" 5 was"));
    }

    #[test]
    fn a_guard_shared_by_sides_and_patterns_keeps_its_own_anchor() {
        let lexicon = lexicon();
        // The same guard text before and after an amount is two regexes, anchored at the end and
        // at the start; the same guard in two patterns is one.
        let patterns = [
            PatternSpec {
                pattern: "{sym}{num}",
                not_preceded_by: Some("x"),
                not_followed_by: Some("x"),
                ..Default::default()
            },
            PatternSpec { pattern: "{num}{sp}{sym}", not_preceded_by: Some("x"), ..Default::default() },
        ];
        let grammar = Grammar::new(&patterns, &lexicon).unwrap();
        let mut out = Vec::new();
        grammar.readings("x $5, 7 € and fax$6 or x9 €", &lexicon, &mut out);
        let found: Vec<_> = out.iter().map(|r| (r.pattern, r.amount.to_string())).collect();
        assert_eq!(found, [(0, "5".to_string()), (1, "7".to_string())]);
    }

    #[test]
    fn a_required_context_keeps_amounts_out_of_other_places() {
        let lexicon = lexicon();
        let patterns =
            [PatternSpec { pattern: "{num}{sp}{sym}", followed_by: Some("{sp}{num}{sp}{sym}"), ..Default::default() }];
        let grammar = Grammar::new(&patterns, &lexicon).unwrap();
        let mut out = Vec::new();
        grammar.readings("3,49 € 1,75 € and 2025 $5 was", &lexicon, &mut out);
        let found: Vec<_> = out.iter().map(|r| r.amount.to_string()).collect();
        assert_eq!(found, ["3.49"]);
    }

    #[test]
    fn a_pattern_is_cut_after_its_first_macro_only_where_the_prefix_must_match() {
        assert!(cuttable("", "{sp}{num}"));
        assert!(cuttable("(?i:between) ", "{sp}{num}"));
        assert!(!cuttable("", "?{num}"));
        assert!(!cuttable("(?:", "|{code}){num}"));
        assert!(!cuttable("a|", "{num}"));
        assert!(!cuttable("[(]", "{2,}{num}"));
        let lexicon = lexicon();
        let fragments = Fragments::new(&lexicon);
        let lead = |pattern| expand(0, pattern, &fragments).unwrap().lead;
        let symbol = Regex::new(&format!("^(?:{})$", lead("{sym}{sp}{num}").unwrap().to_regex())).unwrap();
        assert!(symbol.is_match("$") && symbol.is_match("€") && !symbol.is_match("$5"));
        assert!(lead("(?:{sym}|{code}){num}").is_none());
        assert!(lead("{sym}?{num}").is_none());
    }

    #[test]
    fn the_lazy_set_says_what_a_regex_set_says() {
        let lexicon = lexicon();
        let patterns = specs(&[
            "{sym}{sp}{num}{scale}?",
            "{num}{scale}?{sp}{name}",
            "{num}{sp}{sym}",
            "{num}{sp}(?:{name}|{sym})",
            "{words}{sp}{name}",
            "{code}{sp}{num}",
        ]);
        let grammar = Grammar::new(&patterns, &lexicon).unwrap();
        assert!(matches!(grammar.anchored, AnchoredSet::Lazy { .. }));
        let set = RegexSet::new(grammar.patterns.iter().map(|pattern| &pattern.source)).unwrap();
        let mut walker = grammar.anchored.walker();
        let mut matched = Vec::new();
        let text = "$5 million, 3 € and 40 dollars; USD 12 or seven dollars in 2025, 7 dlrs";
        let mut found = 0;
        for start in (0..text.len()).filter(|&start| text.is_char_boundary(start)) {
            walker.matches(&text[start..], &mut matched);
            let expected: Vec<usize> = set.matches(&text[start..]).iter().collect();
            assert_eq!(matched, expected, "at {start}");
            found += matched.len();
        }
        assert!(found >= 6, "{found}");
    }

    #[test]
    fn the_first_bytes_keep_every_start_of_a_lead_and_skip_inside_words() {
        let lexicon = lexicon();
        let patterns = specs(&["{sym}{sp}{num}{scale}?", "{num}{sp}{name}", "{words}{sp}{name}", "{code}{sp}{num}"]);
        let grammar = Grammar::new(&patterns, &lexicon).unwrap();
        let leads = grammar.leads.as_ref().unwrap();
        let text = "In 2025, x12 cost $5 million, 3 € and 40 dollars; USD 12, seven dollars, a2b 7 dlrs";
        let mut candidates = Vec::new();
        let mut position = 0;
        let mut scan = LeadStarts::new(leads, text);
        while let Some(at) = scan.next(position, |_| false) {
            candidates.push(at);
            position = at + 1;
        }
        // Where the leads joined in a regex find a match, searched from every start in turn.
        let regex = Regex::new(&leads.source).unwrap();
        let mut starts = Vec::new();
        let mut position = 0;
        while let Some(found) = regex.find_at(text, position) {
            starts.push(found.start());
            position = found.start() + text[found.start()..].chars().next().unwrap().len_utf8();
        }
        assert!(starts.len() >= 6, "{starts:?}");
        assert!(starts.iter().all(|start| candidates.contains(start)), "{starts:?} {candidates:?}");
        assert!(candidates.iter().all(|&at| leads.starts_at(text, at) == starts.contains(&at)));
        // The digits inside `2025` and after the `x` of `x12` start no lead, and are not tried.
        for inside in [4, 5, 6, 10, 11] {
            assert!(!candidates.contains(&inside), "{inside}: {candidates:?}");
        }
    }

    /// The money rules the program ships with, compiled once for the tests that read their leads.
    fn shipped() -> &'static Grammar {
        static SHIPPED: std::sync::LazyLock<crate::extract::money::MoneyExtractor> = std::sync::LazyLock::new(|| {
            let source = crate::rules::RuleSource::embedded();
            crate::extract::money::MoneyExtractor::compile(&source, &mut crate::rules::Catalogue::default(), "USD")
                .unwrap()
        });
        &SHIPPED.grammar
    }

    /// Leads of all kinds: those of the shipped rules (whose symbols `Br` and `Ft` may start
    /// inside a word), of the test patterns, and leads without a DFA, which any byte may start.
    fn all_kinds_of_leads(test: &Grammar) -> Vec<&Leads> {
        static WITHOUT_DFA: std::sync::LazyLock<Leads> = std::sync::LazyLock::new(|| {
            let unparsed = Box::new(regex_syntax::parse("(").unwrap_err());
            Leads::new("[0-9]".into(), Err(unparsed)).unwrap()
        });
        let shipped = shipped();
        [&shipped.leads, &shipped.wordy, &test.leads, &test.wordy]
            .into_iter()
            .flatten()
            .chain([&*WITHOUT_DFA])
            .collect()
    }

    fn test_grammar() -> Grammar {
        let patterns = specs(&["{sym}{sp}{num}{scale}?", "{num}{sp}{name}", "{words}{sp}{name}", "{code}{sp}{num}"]);
        Grammar::new(&patterns, &lexicon()).unwrap()
    }

    /// The table `leads`' cover was made from.
    fn table(leads: &Leads) -> FirstBytes {
        match &leads.dfa {
            Some((dfa, _)) => first_bytes(dfa).unwrap(),
            None => FirstBytes { row: Box::new([0; 257]), first: vec![[true; 256]] },
        }
    }

    #[test]
    fn the_cover_lets_through_every_start_the_table_allows() {
        let test = test_grammar();
        let leads = all_kinds_of_leads(&test);
        assert!(leads[0].cover.listed.iter().any(|place| place[0].is_ascii_lowercase()), "letters inside words");
        // More listed bytes than the cover holds would make every byte a candidate: the shipped
        // rules must fit.
        assert!(leads[..2].iter().all(|leads| leads.cover.from[0] != 0));
        assert!(leads.iter().any(|leads| leads.cover.from[0] == 0));
        for leads in leads {
            let table = table(leads);
            for byte in 0..=255u8 {
                if table.allows_after(byte, [256].into_iter()) {
                    assert_eq!(leads.cover.block(&[byte], 0), 1, "{byte:x}");
                }
                for behind in 0..=255u8 {
                    if table.allows_after(byte, [usize::from(behind)].into_iter()) {
                        assert_eq!(leads.cover.block(&[behind, byte], 0) & 2, 2, "{behind:x} {byte:x}");
                        // The byte behind may also be the last of the block before.
                        let mut bytes = [b' '; 65];
                        bytes[63..].copy_from_slice(&[behind, byte]);
                        assert_eq!(leads.cover.block(&bytes, 64), 1, "{behind:x} {byte:x}");
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn the_cover_reads_sixteen_bytes_as_it_reads_each(chunk: [u8; 16]) {
            let test = test_grammar();
            for leads in all_kinds_of_leads(&test) {
                proptest::prop_assert_eq!(leads.cover.classes(&chunk), leads.cover.classes_bytewise(&chunk));
            }
        }

        #[test]
        fn the_cover_reads_a_block_as_it_reads_each_byte(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 1..140),
            block in 0..3usize,
        ) {
            let block = (64 * block).min(bytes.len() - 1);
            let test = test_grammar();
            for leads in all_kinds_of_leads(&test) {
                let (mut letters_and_digits, mut listed) = (0u64, 0u64);
                for i in 0..64 {
                    let mut chunk = [0; 16];
                    chunk[0] = bytes.get(block + i).copied().unwrap_or(0);
                    let (letter_or_digit, is_listed) = leads.cover.classes_bytewise(&chunk);
                    letters_and_digits |= u64::from(letter_or_digit & 1) << i;
                    listed |= u64::from(is_listed & 1) << i;
                }
                // Past the end of the text the bits are left unsaid.
                let within = u64::MAX >> 64usize.saturating_sub(bytes.len() - block);
                let (found_letters_and_digits, found_listed) = leads.cover.classes_of_block(&bytes, block);
                proptest::prop_assert_eq!(
                    (found_letters_and_digits & within, found_listed & within),
                    (letters_and_digits & within, listed & within)
                );
            }
        }

        #[test]
        fn the_scan_finds_what_the_cover_finds_byte_by_byte(
            text in "([a-zA-Z0-9 $€.(_-]|\\PC){0,200}",
            steps in proptest::collection::vec(1..90usize, 1..8),
            dying in 0..4usize,
        ) {
            let test = test_grammar();
            let bytes = text.as_bytes();
            let dies = |rest: &[u8]| rest.len() % 4 == dying;
            for leads in all_kinds_of_leads(&test) {
                let listed = |byte: u8| {
                    let mut chunk = [0; 16];
                    chunk[0] = byte;
                    leads.cover.classes_bytewise(&chunk).1 & 1 == 1
                };
                let candidate = |at: usize| {
                    listed(bytes[at])
                        || bytes[at].is_ascii_alphanumeric()
                            && !at.checked_sub(1).is_some_and(|before| bytes[before].is_ascii_alphanumeric())
                };
                let mut scan = LeadStarts::new(leads, &text);
                let mut position = 0;
                for step in steps.iter().cycle() {
                    let expected = (position..bytes.len()).find(|&at| candidate(at) && !dies(&bytes[at..]));
                    let found = scan.next(position, dies);
                    proptest::prop_assert_eq!(found, expected, "from {} of {:?}", position, text);
                    let Some(at) = found else { break };
                    position = at + step;
                }
            }
        }

        #[test]
        fn the_walks_learned_bytes_say_what_a_fresh_walk_says(
            words in proptest::collection::vec(
                "the|and|tw|two|th|a|an|\\$|€|USD|US|dollars|dol|d|[0-9]{1,4}|[.,]|million|m|5c|[ -]|x",
                0..24,
            )
        ) {
            let lexicon = lexicon();
            let patterns = specs(&[
                "{sym}{sp}{num}{scale}?",
                "{num}{scale}?{sp}{name}",
                "{words}{sp}{name}",
                "{code}{sp}{num}",
                "{num}{sub}",
            ]);
            let grammar = Grammar::new(&patterns, &lexicon).unwrap();
            let AnchoredSet::Lazy { dfa, .. } = &grammar.anchored else { panic!("a lazy set") };
            let text: String = words.concat();
            let mut walker = grammar.anchored.walker();
            let mut matched = Vec::new();
            // Twice over the text, so that the second round meets the bytes the first learned;
            // each start also as texts that end after a few bytes, which a walk reads to the end.
            let starts = (0..text.len()).chain(0..text.len()).filter(|&start| text.is_char_boundary(start));
            let ends = |start: usize| (start + 1..=start + 4).chain([text.len()]).filter(|&end| text.is_char_boundary(end));
            for (start, end) in starts.flat_map(|start| ends(start).map(move |end| (start, end))) {
                let rest = &text[start..end];
                let mut fresh = Vec::new();
                let mut fresh_start = AnchoredStarts::new(regex_automata::Anchored::Yes);
                let fresh_reach = walk_all(dfa, &mut dfa.create_cache(), &mut fresh_start, rest, &mut fresh).unwrap();
                fresh.sort_unstable();
                fresh.dedup();
                if walker.dies()(rest.as_bytes()) {
                    proptest::prop_assert!(fresh.is_empty(), "{:?} match at {} of {:?}", fresh, start, text);
                    continue;
                }
                let reach = walker.matches(rest, &mut matched);
                // How far a walk read is only asked of a start where a pattern matches.
                let (reach, fresh_reach) = if fresh.is_empty() { (0, 0) } else { (reach, fresh_reach) };
                proptest::prop_assert_eq!((&matched, reach), (&fresh, fresh_reach), "at {} of {:?}", start, text);
            }
        }

        #[test]
        fn digits_are_found_wherever_they_are(text in "[a-z 0-9.é]{0,40}") {
            proptest::prop_assert_eq!(has_digit(text.as_bytes()), text.bytes().any(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn no_patterns_read_nothing() {
        let lexicon = lexicon();
        let grammar = Grammar::new(&[], &lexicon).unwrap();
        let mut out = Vec::new();
        grammar.readings("$5 and 3 dollars", &lexicon, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn unknown_macros_and_missing_numbers_are_errors() {
        let lexicon = lexicon();
        assert_eq!(
            Grammar::new(&specs(&["{sym}{amount}"]), &lexicon).unwrap_err(),
            (0, PatternError("unknown macro `{amount}`".into()))
        );
        assert_eq!(
            Grammar::new(&specs(&["{sym}{num}", "{sym}"]), &lexicon).unwrap_err(),
            (1, PatternError("a money pattern needs `{num}`, `{words}` or `{article}`".into()))
        );
        let (index, PatternError(message)) =
            Grammar::new(&specs(&["{sym}{num}", "{num}{sp}{name}", "{sym}{num}(?:x"]), &lexicon).unwrap_err();
        assert_eq!(index, 2);
        assert!(message.starts_with("bad regex:"), "{message}");
    }
}
