//! Bytes as read → text the stages can work on, and the way back to input offsets.
//!
//! Input is taken as UTF-8 whenever it is valid UTF-8 (a UTF-8 byte-order mark is skipped, not
//! removed: offsets still count it). A UTF-16 byte-order mark selects UTF-16. Anything else that
//! is not valid UTF-8 is handed to a detector (chardetng) and transcoded; Windows-1252 is what it
//! picks for most Western pages. Line ends are left exactly as they are: segmentation understands
//! `\n`, `\r\n` and a lone `\r`.
//!
//! Stages see only [`Decoded::text`]. Record offsets must point into the input as read, so every
//! decoded byte offset is translated with [`Decoded::input_offset`]: a constant shift for UTF-8
//! (the BOM), a table built while transcoding for everything else. Decoding a transcoded span
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
    /// `table[i]` is the input offset of the character that decoded byte `i` belongs to;
    /// `table[text.len()]` is the input length.
    Table(Vec<usize>),
}

/// Why a document was transcoded: where its bytes stopped being UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcoding {
    /// 1-based line of the first byte that is not valid UTF-8 (or 1 for a UTF-16 BOM).
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

/// How far into a non-UTF-8 input to look for NUL bytes before calling it binary.
const BINARY_SNIFF_LEN: usize = 8192;

impl<'a> Decoded<'a> {
    /// Decodes `input`, borrowing it when it is already UTF-8.
    pub fn new(input: &'a [u8]) -> Result<Decoded<'a>, DecodeError> {
        if let Some((encoding, bom_len)) = Encoding::for_bom(input) {
            if encoding == UTF_8 {
                return Ok(Self::utf8(input, bom_len));
            }
            let transcoding = Transcoding {
                line: 1,
                byte: input[0],
            };
            return Ok(Self::transcode(input, bom_len, encoding, transcoding));
        }
        if std::str::from_utf8(input).is_ok() {
            return Ok(Self::utf8(input, 0));
        }
        let sniff = &input[..input.len().min(BINARY_SNIFF_LEN)];
        if let Some(offset) = memchr::memchr(0, sniff) {
            return Err(DecodeError::Binary {
                line: line_of(input, offset),
                offset,
            });
        }
        let invalid_at = std::str::from_utf8(input)
            .map_err(|e| e.valid_up_to())
            .unwrap_err();
        let transcoding = Transcoding {
            line: line_of(input, invalid_at),
            byte: input[invalid_at],
        };
        let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        detector.feed(input, true);
        let encoding = detector.guess(None, chardetng::Utf8Detection::Deny);
        Ok(Self::transcode(input, 0, encoding, transcoding))
    }

    /// Text that is already a Rust string (a `--jsonl-in` document): offsets map one to one.
    pub fn from_str(text: &'a str) -> Decoded<'a> {
        Decoded {
            text: Cow::Borrowed(text),
            encoding: UTF_8,
            offsets: OffsetMap::Shift(0),
            input_len: text.len(),
            transcoding: None,
        }
    }

    fn utf8(input: &'a [u8], bom_len: usize) -> Decoded<'a> {
        let text =
            std::str::from_utf8(&input[bom_len..]).expect("validated as UTF-8 by the caller");
        Decoded {
            text: Cow::Borrowed(text),
            encoding: UTF_8,
            offsets: OffsetMap::Shift(bom_len),
            input_len: input.len(),
            transcoding: None,
        }
    }

    /// Decodes one input byte at a time so that every decoded character knows where it began.
    /// This path only runs for the rare non-UTF-8 document, so clarity beats speed here.
    fn transcode(
        input: &[u8],
        bom_len: usize,
        encoding: &'static Encoding,
        transcoding: Transcoding,
    ) -> Decoded<'a> {
        let mut decoder = encoding.new_decoder_without_bom_handling();
        let mut text = String::with_capacity(input.len() + input.len() / 2);
        let mut table = Vec::with_capacity(text.capacity() + 1);
        let mut char_start = bom_len;
        for (i, byte) in input.iter().enumerate().skip(bom_len) {
            let last = i + 1 == input.len();
            reserve_for(&decoder, &mut text, 1);
            let before = text.len();
            let _ = decoder.decode_to_string(std::slice::from_ref(byte), &mut text, last);
            if text.len() > before {
                table.resize(text.len(), char_start);
                char_start = i + 1;
            }
        }
        if input.len() == bom_len {
            reserve_for(&decoder, &mut text, 0);
            let _ = decoder.decode_to_string(&[], &mut text, true);
            table.resize(text.len(), char_start);
        }
        table.push(input.len());
        Decoded {
            text: Cow::Owned(text),
            encoding,
            offsets: OffsetMap::Table(table),
            input_len: input.len(),
            transcoding: Some(transcoding),
        }
    }

    /// The decoded text every stage reads.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The encoding the input was read as, lower-case (`utf-8`, `windows-1252`, `utf-16le`…).
    pub fn encoding_name(&self) -> String {
        self.encoding.name().to_ascii_lowercase()
    }

    /// Set when the input was not UTF-8 and had to be transcoded.
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
            OffsetMap::Table(table) => table[decoded],
        }
    }
}

fn reserve_for(decoder: &encoding_rs::Decoder, text: &mut String, input_len: usize) {
    let needed = decoder.max_utf8_buffer_length(input_len).unwrap_or(16);
    text.reserve(needed);
}

/// 1-based line number of `offset`, counting `\n`, `\r\n` and lone `\r` as line ends.
pub fn line_of(input: &[u8], offset: usize) -> usize {
    let before = &input[..offset.min(input.len())];
    let newlines = memchr::memchr_iter(b'\n', before).count();
    let lone_crs = memchr::memchr_iter(b'\r', before)
        .filter(|&i| input.get(i + 1) != Some(&b'\n'))
        .count();
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
            let (back, _, _) = decoded
                .encoding
                .decode_without_bom_handling(&input[from..to]);
            assert_eq!(back, &text[start..end], "span {start}..{end}");
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
        assert_eq!(
            &input[decoded.input_offset(7)..decoded.input_offset(12)],
            b"World"
        );
    }

    #[test]
    fn windows_1252_is_detected_and_mapped() {
        let input = b"He said \x93it cost \x80300\x94.\nNext line \xA312";
        let decoded = Decoded::new(input).unwrap();
        assert_eq!(decoded.encoding_name(), "windows-1252");
        assert_eq!(
            decoded.text(),
            "He said \u{201c}it cost \u{20ac}300\u{201d}.\nNext line \u{a3}12"
        );
        assert_eq!(
            decoded.transcoding(),
            Some(&Transcoding {
                line: 1,
                byte: 0x93
            })
        );
        let euro = decoded.text().find('€').unwrap();
        assert_eq!(decoded.input_offset(euro), 17);
        roundtrip_spans(&decoded, input);
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
    fn binary_is_refused_with_its_line() {
        let input = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff";
        assert_eq!(
            Decoded::new(input).unwrap_err(),
            DecodeError::Binary { line: 3, offset: 8 }
        );
    }

    #[test]
    fn line_of_counts_every_line_end_style() {
        let input = b"a\r\nb\rc\nd";
        assert_eq!(line_of(input, 0), 1);
        assert_eq!(line_of(input, 3), 2);
        assert_eq!(line_of(input, 5), 3);
        assert_eq!(line_of(input, 7), 4);
        assert_eq!(
            line_of(input, 2),
            1,
            "a CR that is half of CRLF is not a line end of its own"
        );
    }
}
