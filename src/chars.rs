//! Character classes for the scanners that count words and characters a byte at a time: an
//! ASCII byte is classed by a table, and only a character beyond ASCII is decoded. The classes
//! agree with `char::is_whitespace`, `char::is_alphabetic` and `char::is_alphanumeric`, so a
//! scanner gives the counts that `split_whitespace` and `chars()` would.

/// White space, as `char::is_whitespace` has it.
pub const SPACE: u8 = 1;
/// A letter, as `char::is_alphabetic` has it.
pub const LETTER: u8 = 2;
/// Alphanumeric but not a letter (`char::is_alphanumeric`): a digit, `½`, `Ⅻ`.
pub const DIGIT: u8 = 4;
/// A letter or a digit.
pub const ALPHANUMERIC: u8 = LETTER | DIGIT;

/// The class of each ASCII byte; 0 for marks and control bytes.
pub static ASCII_CLASS: [u8; 128] = {
    let mut table = [0; 128];
    let mut byte = 0;
    while byte < 128 {
        let b = byte as u8;
        table[byte] = if matches!(b, b'\t'..=b'\r' | b' ') {
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

/// [`class_at`] for a character beyond ASCII.
#[inline(never)]
fn class_beyond_ascii(text: &str, at: usize) -> (u8, usize) {
    let c = text[at..].chars().next().expect("a character starts here");
    let class = if c.is_alphabetic() {
        LETTER
    } else if c.is_alphanumeric() {
        DIGIT
    } else if c.is_whitespace() {
        SPACE
    } else {
        0
    };
    (class, c.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
