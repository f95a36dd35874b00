//! Bytes as read → text the stages can work on, and the way back to input offsets.
//!
//! Input is taken as UTF-8 whenever it is valid UTF-8 (a UTF-8 byte-order mark is skipped, not
//! removed: offsets still count it). A UTF-16 byte-order mark selects UTF-16. Input that is
//! mostly UTF-8 with a few invalid bytes (a stray Windows-1252 quote) stays UTF-8, the invalid
//! bytes replaced. Anything else is handed to a detector (chardetng) and transcoded; Windows-1252
//! is what it picks for most Western pages. Line ends are left exactly as they are: segmentation understands
//! `\n`, `\r\n` and a lone `\r`.
//!
//! Stages see only [`Decoded::text`]. Record offsets must point into the input as read, so every
//! decoded byte offset is translated with [`Decoded::input_offset`]: a constant shift for UTF-8
//! (the BOM), runs recorded while transcoding for everything else. Decoding a transcoded span
//! `input[start..end]` with the reported encoding gives back exactly the item's `text`.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8};

/// A document's text, decoded, with what is needed to point back into the input.
#[derive(Debug)]
pub struct Decoded<'a> {
    text: Cow<'a, str>,
    encoding: &'static Encoding,
    offsets: OffsetMap,
    input_len: usize,
    transcoding: Option<Transcoding>,
}

#[derive(Debug)]
enum OffsetMap {
    /// Input offset = decoded offset + shift (UTF-8, shifted by a BOM when there is one).
    Shift(usize),
    /// Transcoded text, as runs of characters that step through the input `unit` input bytes
    /// per decoded byte (ASCII read from UTF-8 or a single-byte encoding steps 1:1, ASCII read
    /// from UTF-16 2:1); every other character is a run of its own. A run per character, or a
    /// table entry per decoded byte, would take several times the input's size in memory on a
    /// big document; runs take a few bytes per character that changed width.
    Runs { runs: Vec<Run>, unit: usize },
}

/// Decoded byte `decoded` comes from input byte `input`; the run goes on to the next run's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    decoded: usize,
    input: usize,
}

/// Where an input that should have been UTF-8 stopped being so: worth a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcoding {
    /// 1-based line of the first byte that is not valid UTF-8.
    pub line: usize,
    /// That byte.
    pub byte: u8,
}

/// Input that cannot be read as text at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("binary data (NUL byte at offset {offset}), not text")]
    Binary { line: usize, offset: usize },
}

/// `bytes` as a string, or the length of their longest valid UTF-8 prefix.
///
/// Nearly every input is valid UTF-8, so the check runs with SIMD and only an invalid input
/// is read again, by the standard library, to find where it goes wrong.
fn as_utf8(bytes: &[u8]) -> Result<&str, usize> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(_) => std::str::from_utf8(bytes).map_err(|error| error.valid_up_to()),
    }
}

/// How far into a non-UTF-8 input to look for NUL bytes before calling it binary.
const BINARY_SNIFF_LEN: usize = 8192;

impl<'a> Decoded<'a> {
    /// Decodes `input`, borrowing it when it is already UTF-8.
    pub fn new(input: &'a [u8]) -> Result<Decoded<'a>, DecodeError> {
        if let Some((encoding, bom_len)) = Encoding::for_bom(input) {
            return Ok(match as_utf8(&input[bom_len..]) {
                Ok(text) if encoding == UTF_8 => Self::utf8(text, input.len(), bom_len),
                // A UTF-8 BOM over invalid bytes: keep UTF-8 and replace what cannot be read.
                Err(valid_up_to) if encoding == UTF_8 => {
                    let at = bom_len + valid_up_to;
                    let transcoding = Transcoding { line: line_of(input, at), byte: input[at] };
                    Self::transcode(input, bom_len, encoding, Some(transcoding))
                }
                // UTF-16, declared by its BOM: nothing to warn about.
                _ => Self::transcode(input, bom_len, encoding, None),
            });
        }
        let invalid_at = match as_utf8(input) {
            Ok(text) => return Ok(Self::utf8(text, input.len(), 0)),
            Err(valid_up_to) => valid_up_to,
        };
        let sniff = &input[..input.len().min(BINARY_SNIFF_LEN)];
        if let Some(offset) = memchr::memchr(0, sniff) {
            return Err(DecodeError::Binary { line: line_of(input, offset), offset });
        }
        let transcoding = Transcoding { line: line_of(input, invalid_at), byte: input[invalid_at] };
        let encoding = if mostly_utf8(input) { UTF_8 } else { detect(input) };
        Ok(Self::transcode(input, 0, encoding, Some(transcoding)))
    }

    /// Text that is already a Rust string (a `--jsonl-in` document): offsets map one to one.
    pub fn from_text(text: &'a str) -> Decoded<'a> {
        Self::utf8(text, text.len(), 0)
    }

    /// Valid UTF-8 `text`, found `bom_len` bytes into an input of `input_len` bytes.
    fn utf8(text: &'a str, input_len: usize, bom_len: usize) -> Decoded<'a> {
        Decoded {
            text: Cow::Borrowed(text),
            encoding: UTF_8,
            offsets: OffsetMap::Shift(bom_len),
            input_len,
            transcoding: None,
        }
    }

    /// Decodes `input[bom_len..]` as `encoding`, recording where its characters began. Every
    /// character's span must decode back to exactly that character; a multi-byte legacy
    /// decoding that cannot promise this (malformed input) is replaced by Windows-1252, which
    /// always can. One stray byte sends a whole UTF-8 document down this path.
    fn transcode(
        input: &[u8],
        bom_len: usize,
        encoding: &'static Encoding,
        transcoding: Option<Transcoding>,
    ) -> Decoded<'a> {
        let body = &input[bom_len..];
        let mapped = if encoding == UTF_8 {
            Some(utf8_lossy(body, bom_len))
        } else if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
            Some(utf16(body, bom_len, encoding == encoding_rs::UTF_16LE))
        } else if encoding.is_single_byte() {
            single_byte(body, bom_len, encoding)
        } else {
            multi_byte(body, bom_len, encoding)
        };
        let (encoding, mapped) = match mapped {
            Some(mapped) => (encoding, mapped),
            None => {
                let fallback = encoding_rs::WINDOWS_1252;
                (fallback, single_byte(body, bom_len, fallback).expect("Windows-1252 maps every byte to one character"))
            }
        };
        let (text, offsets) = mapped.finish(input.len());
        Decoded { text: Cow::Owned(text), encoding, offsets, input_len: input.len(), transcoding }
    }

    /// The decoded text every stage reads.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The encoding the input was read as, lower-case (`utf-8`, `windows-1252`, `utf-16le`…).
    pub fn encoding_name(&self) -> String {
        self.encoding.name().to_ascii_lowercase()
    }

    /// Set when the input was not what it should have been (invalid UTF-8), for a warning.
    pub fn transcoding(&self) -> Option<&Transcoding> {
        self.transcoding.as_ref()
    }

    /// Length of the input as read, in bytes.
    pub fn input_len(&self) -> usize {
        self.input_len
    }

    /// Translates a byte offset into the decoded text (a character boundary) into a byte offset
    /// into the input as read.
    pub fn input_offset(&self, decoded: usize) -> usize {
        match &self.offsets {
            OffsetMap::Shift(shift) => decoded + shift,
            OffsetMap::Runs { runs, unit } => {
                // The first run starts at decoded byte 0, so some run starts at or before `decoded`.
                let run = runs[runs.partition_point(|run| run.decoded <= decoded) - 1];
                run.input + unit * (decoded - run.decoded)
            }
        }
    }
}

/// Whether input that is not valid UTF-8 is still mostly UTF-8: it holds at least as many valid
/// multi-byte characters as invalid sequences. Such a file (a UTF-8 page with a stray
/// Windows-1252 quote) is read as UTF-8 with the stray bytes replaced: reading all of it as
/// Windows-1252 would garble every one of its valid characters instead.
fn mostly_utf8(input: &[u8]) -> bool {
    let (mut valid, mut invalid) = (0usize, 0usize);
    for chunk in input.utf8_chunks() {
        valid += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    valid > 0 && valid >= invalid
}

/// Below this many non-ASCII bytes a detector has too little evidence to overrule Windows-1252.
const WEAK_EVIDENCE: usize = 32;

/// The encoding of input that is not UTF-8. The detector decides, except that a short text
/// whose non-ASCII bytes all read as ordinary Western characters in Windows-1252 (curly quotes,
/// dashes, €, £, accented letters) is taken as Windows-1252: on a few bytes a detector guesses,
/// and the Western pages this tool reads are far more often 1252 than anything else.
fn detect(input: &[u8]) -> &'static Encoding {
    let non_ascii: Vec<u8> = input.iter().copied().filter(|b| !b.is_ascii()).collect();
    if non_ascii.len() < WEAK_EVIDENCE && non_ascii.iter().all(|&b| western_in_1252(b)) {
        return encoding_rs::WINDOWS_1252;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(input, true);
    detector.guess(None, chardetng::Utf8Detection::Deny)
}

/// Bytes that Windows-1252 maps to typographic punctuation, currency signs or Latin letters.
fn western_in_1252(byte: u8) -> bool {
    matches!(byte, 0x80 | 0x85 | 0x91..=0x97 | 0x99 | 0xA0..=0xA3 | 0xA5 | 0xA7 | 0xA9 | 0xAB | 0xAE | 0xB0 | 0xB7 | 0xBB | 0xBF..=0xFF)
}

/// Decoded text as it is built, with the runs that map it back to the input.
struct Mapped {
    text: String,
    runs: Vec<Run>,
    unit: usize,
    /// Added to every input offset (the BOM's length).
    base: usize,
    /// Where in the input the next character must start to extend the last run; `None` after a
    /// character that changed width, which ends its run.
    run_goes_on_at: Option<usize>,
}

impl Mapped {
    fn new(capacity: usize, unit: usize, base: usize) -> Mapped {
        Mapped { text: String::with_capacity(capacity), runs: Vec::new(), unit, base, run_goes_on_at: None }
    }

    /// Appends `decoded`, read from the `width` input bytes at `at`: one character, or several
    /// that each step through the input `unit` bytes per decoded byte.
    fn push(&mut self, decoded: &str, at: usize, width: usize) {
        let steps_evenly = width == self.unit * decoded.len();
        if !(steps_evenly && self.run_goes_on_at == Some(at)) {
            self.runs.push(Run { decoded: self.text.len(), input: self.base + at });
        }
        self.text.push_str(decoded);
        self.run_goes_on_at = steps_evenly.then_some(at + width);
    }

    fn push_char(&mut self, c: char, at: usize, width: usize) {
        self.push(c.encode_utf8(&mut [0; 4]), at, width);
    }

    /// The text, and its map; the decoded text's end maps to the input's end.
    fn finish(mut self, input_len: usize) -> (String, OffsetMap) {
        self.runs.push(Run { decoded: self.text.len(), input: input_len });
        (self.text, OffsetMap::Runs { runs: self.runs, unit: self.unit })
    }
}

/// UTF-8 with invalid sequences replaced, one U+FFFD per maximal invalid subpart, as the UTF-8
/// decoders of browsers and of encoding_rs do.
fn utf8_lossy(body: &[u8], base: usize) -> Mapped {
    let mut mapped = Mapped::new(body.len(), 1, base);
    let mut at = 0;
    for chunk in body.utf8_chunks() {
        mapped.push(chunk.valid(), at, chunk.valid().len());
        at += chunk.valid().len();
        if !chunk.invalid().is_empty() {
            mapped.push_char(char::REPLACEMENT_CHARACTER, at, chunk.invalid().len());
            at += chunk.invalid().len();
        }
    }
    mapped
}

/// UTF-16 code units; an unpaired surrogate or a trailing odd byte becomes U+FFFD.
fn utf16(body: &[u8], base: usize, little_endian: bool) -> Mapped {
    let units = body.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if little_endian { u16::from_le_bytes(pair) } else { u16::from_be_bytes(pair) }
    });
    let mut mapped = Mapped::new(body.len(), 2, base);
    let mut at = 0;
    for decoded in char::decode_utf16(units) {
        let (c, width) = match decoded {
            Ok(c) => (c, 2 * c.len_utf16()),
            Err(_) => (char::REPLACEMENT_CHARACTER, 2),
        };
        mapped.push_char(c, at, width);
        at += width;
    }
    if body.len() % 2 == 1 {
        mapped.push_char(char::REPLACEMENT_CHARACTER, body.len() - 1, 1);
    }
    mapped
}

/// A single-byte encoding: every byte is one character.
fn single_byte(body: &[u8], base: usize, encoding: &'static Encoding) -> Option<Mapped> {
    let (decoded, _) = encoding.decode_without_bom_handling(body);
    let mut mapped = Mapped::new(decoded.len(), 1, base);
    let mut chars = decoded.chars();
    for at in 0..body.len() {
        mapped.push_char(chars.next()?, at, 1);
    }
    chars.next().is_none().then_some(mapped)
}

/// A multi-byte legacy encoding (Shift_JIS, GBK, Big5…), fed one byte at a time, each character
/// verified as it comes: `None` when some character's bytes do not decode back to exactly that
/// character (several characters out of one step cannot each have bytes of their own).
fn multi_byte(body: &[u8], base: usize, encoding: &'static Encoding) -> Option<Mapped> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut mapped = Mapped::new(body.len() * 2, 1, base);
    let mut step = String::new();
    let mut char_start = 0;
    for (i, byte) in body.iter().enumerate() {
        step.clear();
        step.reserve(decoder.max_utf8_buffer_length(1).unwrap_or(16));
        let _ = decoder.decode_to_string(std::slice::from_ref(byte), &mut step, i + 1 == body.len());
        let mut chars = step.chars();
        let Some(c) = chars.next() else { continue };
        let (back, _) = encoding.decode_without_bom_handling(&body[char_start..=i]);
        if chars.next().is_some() || !back.chars().eq(std::iter::once(c)) {
            return None;
        }
        mapped.push_char(c, char_start, i + 1 - char_start);
        char_start = i + 1;
    }
    Some(mapped)
}

/// 1-based line and column (in characters) of byte `offset`, for messages.
pub fn position(input: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset.min(input.len());
    let line_start = input[..offset].iter().rposition(|&b| b == b'\n' || b == b'\r').map_or(0, |i| i + 1);
    (line_of(input, offset), String::from_utf8_lossy(&input[line_start..offset]).chars().count() + 1)
}

/// 1-based line number of `offset`, counting `\n`, `\r\n` and lone `\r` as line ends.
pub fn line_of(input: &[u8], offset: usize) -> usize {
    let before = &input[..offset.min(input.len())];
    let newlines = memchr::memchr_iter(b'\n', before).count();
    let lone_crs = memchr::memchr_iter(b'\r', before).filter(|&i| input.get(i + 1) != Some(&b'\n')).count();
    1 + newlines + lone_crs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip_spans(decoded: &Decoded, input: &[u8]) {
        let text = decoded.text();
        for (start, _) in text.char_indices() {
            let end = start + text[start..].chars().next().unwrap().len_utf8();
            let (from, to) = (decoded.input_offset(start), decoded.input_offset(end));
            let (back, _) = decoded.encoding.decode_without_bom_handling(&input[from..to]);
            assert_eq!(back, &text[start..end], "span {start}..{end}");
        }
    }

    proptest::proptest! {
        /// Whatever the bytes and whichever path decodes them, the characters' input spans
        /// follow each other without gaps or overlap from the start of the body to the end of
        /// the input, and each decodes back to its character.
        #[test]
        fn every_character_maps_back_to_its_own_input_bytes(
            bom in proptest::sample::select(vec![&b""[..], b"\xEF\xBB\xBF", b"\xFF\xFE", b"\xFE\xFF"]),
            body in proptest::collection::vec(proptest::prop_oneof![0x20u8..0x7F, 0x80u8..=0xFF, proptest::strategy::Just(b'\n')], 0..300),
        ) {
            let input = [bom, &body[..]].concat();
            let decoded = Decoded::new(&input).unwrap();
            let text = decoded.text();
            let mut expected_start = if text.is_empty() { input.len() } else { decoded.input_offset(0) };
            proptest::prop_assert!(expected_start <= bom.len());
            for (start, c) in text.char_indices() {
                proptest::prop_assert_eq!(decoded.input_offset(start), expected_start);
                expected_start = decoded.input_offset(start + c.len_utf8());
                proptest::prop_assert!(expected_start > decoded.input_offset(start), "empty span at {}", start);
            }
            proptest::prop_assert_eq!(decoded.input_offset(text.len()), input.len());
            roundtrip_spans(&decoded, &input);
        }

        /// The SIMD check and the standard library agree on every input: valid text, and
        /// text broken at any point by stray, cut or overlong bytes, long enough to be read in
        /// whole vectors.
        #[test]
        fn the_utf8_check_agrees_with_the_standard_library(
            text in "[a-z \u{e9}\u{416}\u{4e2d}\u{1f600}]{0,200}",
            broken in proptest::option::of((0usize..1000, proptest::sample::select(vec![0x80u8, 0xC0, 0xE2, 0xF0, 0xFF, 0xED]))),
        ) {
            let mut bytes = text.into_bytes();
            if let Some((at, byte)) = broken {
                let at = at % (bytes.len() + 1);
                bytes.insert(at, byte);
            }
            let expected = std::str::from_utf8(&bytes).map_err(|error| error.valid_up_to());
            proptest::prop_assert_eq!(as_utf8(&bytes), expected);
        }
    }

    #[test]
    fn utf8_is_borrowed_and_unshifted() {
        let decoded = Decoded::new("Grüße $5".as_bytes()).unwrap();
        assert!(matches!(decoded.text, Cow::Borrowed(_)));
        assert_eq!(decoded.encoding_name(), "utf-8");
        assert_eq!(decoded.input_offset(7), 7);
        assert!(decoded.transcoding().is_none());
    }

    #[test]
    fn utf8_bom_is_counted_in_offsets() {
        let input = b"\xEF\xBB\xBFHello\r\nWorld";
        let decoded = Decoded::new(input).unwrap();
        assert_eq!(decoded.text(), "Hello\r\nWorld");
        assert_eq!(decoded.input_offset(0), 3);
        assert_eq!(&input[decoded.input_offset(7)..decoded.input_offset(12)], b"World");
    }

    #[test]
    fn windows_1252_is_detected_and_mapped() {
        let input = b"He said \x93it cost \x80300\x94.\nNext line \xA312";
        let decoded = Decoded::new(input).unwrap();
        assert_eq!(decoded.encoding_name(), "windows-1252");
        assert_eq!(decoded.text(), "He said \u{201c}it cost \u{20ac}300\u{201d}.\nNext line \u{a3}12");
        assert_eq!(decoded.transcoding(), Some(&Transcoding { line: 1, byte: 0x93 }));
        let euro = decoded.text().find('€').unwrap();
        assert_eq!(decoded.input_offset(euro), 17);
        roundtrip_spans(&decoded, input);
    }

    #[test]
    fn a_longer_central_european_text_is_left_to_the_detector() {
        let polish = "Złoty umocnił się wobec euro, a giełda w Warszawie zyskała. Spółki paliwowe i banki \
                      prowadziły wzrosty; ceny akcji wzrosły o kilka procent, a obroty były wyższe niż zwykle.";
        let (input, _, _) = encoding_rs::WINDOWS_1250.encode(polish);
        let decoded = Decoded::new(&input).unwrap();
        assert_eq!(decoded.encoding_name(), "windows-1250");
        assert_eq!(decoded.text(), polish);
    }

    #[test]
    fn utf16_with_bom_is_transcoded() {
        let mut input = vec![0xFF, 0xFE];
        for unit in "a€b".encode_utf16() {
            input.extend_from_slice(&unit.to_le_bytes());
        }
        let decoded = Decoded::new(&input).unwrap();
        assert_eq!(decoded.text(), "a€b");
        assert_eq!(decoded.encoding_name(), "utf-16le");
        assert_eq!(decoded.input_offset(1), 4);
        assert_eq!(decoded.input_offset(decoded.text().len()), input.len());
        roundtrip_spans(&decoded, &input);
    }

    #[test]
    fn a_utf8_bom_over_invalid_bytes_keeps_utf8_and_replaces_them() {
        let input = b"\xEF\xBB\xBFok \x93bad\n";
        let decoded = Decoded::new(input).unwrap();
        assert_eq!(decoded.encoding_name(), "utf-8");
        assert_eq!(decoded.text(), "ok \u{fffd}bad\n");
        assert_eq!(decoded.transcoding(), Some(&Transcoding { line: 1, byte: 0x93 }));
        roundtrip_spans(&decoded, input);
    }

    #[test]
    fn a_multi_byte_legacy_encoding_maps_every_character() {
        let japanese = "東京証券取引所の株価は、半導体関連株の上昇を受けて三日続伸した。市場関係者は、\
                        海外投資家の買いが続いていると指摘している。円相場は一ドル百五十円台で推移した。";
        let (input, _, _) = encoding_rs::SHIFT_JIS.encode(japanese);
        let decoded = Decoded::new(&input).unwrap();
        assert_eq!(decoded.encoding_name(), "shift_jis");
        assert_eq!(decoded.text(), japanese);
        roundtrip_spans(&decoded, &input);
    }

    #[test]
    fn a_utf8_page_with_a_stray_windows_1252_byte_stays_utf8() {
        let input = "Café: €5 million, \u{93}best\u{94} deal".replace(['\u{93}', '\u{94}'], "");
        let mut input = input.into_bytes();
        input.insert(input.len() - 5, 0x93);
        let decoded = Decoded::new(&input).unwrap();
        assert_eq!(decoded.encoding_name(), "utf-8");
        assert_eq!(decoded.text(), "Café: €5 million, best\u{fffd} deal");
        roundtrip_spans(&decoded, &input);
    }

    #[test]
    fn utf16_declared_by_its_bom_needs_no_warning() {
        let mut input = vec![0xFE, 0xFF];
        for unit in "ok".encode_utf16() {
            input.extend_from_slice(&unit.to_be_bytes());
        }
        let decoded = Decoded::new(&input).unwrap();
        assert_eq!((decoded.text(), decoded.transcoding()), ("ok", None));
    }

    #[test]
    fn position_counts_characters_on_the_line() {
        assert_eq!(position("ab\r\nçd".as_bytes(), 6), (2, 2));
        assert_eq!(position(b"x", 0), (1, 1));
    }

    #[test]
    fn binary_is_refused_with_its_line() {
        let input = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff";
        assert_eq!(Decoded::new(input).unwrap_err(), DecodeError::Binary { line: 3, offset: 8 });
    }

    #[test]
    fn line_of_counts_every_line_end_style() {
        let input = b"a\r\nb\rc\nd";
        assert_eq!(line_of(input, 0), 1);
        assert_eq!(line_of(input, 3), 2);
        assert_eq!(line_of(input, 5), 3);
        assert_eq!(line_of(input, 7), 4);
        assert_eq!(line_of(input, 2), 1, "a CR that is half of CRLF is not a line end of its own");
    }
}
