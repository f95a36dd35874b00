//! Short words as numbers: a word of up to 8 bytes packed into a `u64`, and a table keyed by such
//! numbers that a line scanner can ask once per word of running text.
//!
//! A general hash map costs several times what the scanner spends on the bytes of a short word;
//! this table hashes with one multiplication and compares whole keys.

/// The bytes of a word of at most 8 bytes in one `u64`, the first in the lowest byte. Words hold
/// no zero byte, so words of different lengths never share a key.
pub fn pack(word: &[u8]) -> u64 {
    word.iter().take(8).enumerate().fold(0, |key, (i, &byte)| key | u64::from(byte) << (8 * i))
}

/// The key of a word's first 8 bytes read case-insensitively: [`pack`] of them with ASCII capitals
/// lowered and every byte beyond ASCII zeroed. Of an ASCII word of up to 8 bytes it is the key of
/// the word in lower case; words that differ in their first 8 bytes only by ASCII case or by
/// which characters beyond ASCII they hold share it.
pub fn folded_key(word: &[u8]) -> u64 {
    let mut bytes = [0; 8];
    let n = word.len().min(8);
    bytes[..n].copy_from_slice(&word[..n]);
    fold_packed(u64::from_le_bytes(bytes))
}

/// [`folded_key`] of the `len` bytes of `bytes` from `from`, read in one 8-byte load where
/// `bytes` reaches that far.
#[inline]
pub fn folded_key_at(bytes: &[u8], from: usize, len: usize) -> u64 {
    match bytes.get(from..from + 8).and_then(|eight| <[u8; 8]>::try_from(eight).ok()) {
        Some(eight) if len < 8 => fold_packed(u64::from_le_bytes(eight) & ((1 << (8 * len)) - 1)),
        Some(eight) => fold_packed(u64::from_le_bytes(eight)),
        None => folded_key(&bytes[from..from + len]),
    }
}

/// Lowers the ASCII capitals of up to 8 packed bytes and zeroes those beyond ASCII.
#[inline]
fn fold_packed(packed: u64) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Every byte with its high bit set becomes zero; the rest are ASCII.
    let ascii = packed & !(((packed & HIGH) >> 7) * 0xff);
    // A byte is a capital when adding 0x3f carries it to 0x80 (at least `A`) and adding 0x25
    // does not (at most `Z`); no sum of an ASCII byte carries into the next byte.
    let capitals = (ascii + 0x3f3f_3f3f_3f3f_3f3f) & !(ascii + 0x2525_2525_2525_2525) & HIGH;
    ascii | capitals >> 2
}

/// A table from non-zero keys to values, by open addressing.
#[derive(Debug)]
pub struct KeyTable<V> {
    /// Zero marks an empty slot.
    keys: Vec<u64>,
    values: Vec<V>,
    len: usize,
    /// 64 minus the bits of the slot count: a hash's top bits pick the slot.
    shift: u32,
}

impl<V: Copy + Default> Default for KeyTable<V> {
    fn default() -> Self {
        KeyTable { keys: vec![0; 16], values: vec![V::default(); 16], len: 0, shift: 64 - 4 }
    }
}

impl<V: Copy + Default> KeyTable<V> {
    fn slot(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }

    /// The value of `key`, if it is in the table.
    #[inline]
    pub fn get(&self, key: u64) -> Option<&V> {
        let mask = self.keys.len() - 1;
        let mut slot = self.slot(key);
        loop {
            match self.keys[slot] {
                found if found == key => return Some(&self.values[slot]),
                0 => return None,
                _ => slot = (slot + 1) & mask,
            }
        }
    }

    /// The value of `key`, added with the default value when missing. `key` must not be zero.
    pub fn entry(&mut self, key: u64) -> &mut V {
        assert_ne!(key, 0, "zero marks an empty slot");
        if 2 * (self.len + 1) > self.keys.len() {
            self.grow();
        }
        let mask = self.keys.len() - 1;
        let mut slot = self.slot(key);
        while self.keys[slot] != key {
            if self.keys[slot] == 0 {
                self.keys[slot] = key;
                self.len += 1;
                break;
            }
            slot = (slot + 1) & mask;
        }
        &mut self.values[slot]
    }

    fn grow(&mut self) {
        let size = 2 * self.keys.len();
        let old = std::mem::replace(
            self,
            KeyTable {
                keys: vec![0; size],
                values: vec![V::default(); size],
                len: 0,
                shift: 64 - size.trailing_zeros(),
            },
        );
        for (key, value) in old.keys.into_iter().zip(old.values) {
            if key != 0 {
                *self.entry(key) = value;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_keys_fold_ascii_case_and_blank_what_is_beyond_ascii() {
        for word in ["the", "And", "ZEBRA@[`{", "a1_Z9", "eightch", "longer words"] {
            assert_eq!(folded_key(word.as_bytes()), pack(word.to_ascii_lowercase().as_bytes()), "{word}");
        }
        assert_eq!(folded_key("Über".as_bytes()), folded_key("über".as_bytes()));
        assert_eq!(folded_key("Über".as_bytes()), pack(b"ber") << 16);
        assert_ne!(folded_key(b"bar"), folded_key(b"bat"));
        let text = "Ab Über-Cafés and long words";
        for from in 0..text.len() {
            for to in from..=text.len() {
                let key = folded_key_at(text.as_bytes(), from, to - from);
                assert_eq!(key, folded_key(&text.as_bytes()[from..to]), "{from}..{to}");
            }
        }
    }

    #[test]
    fn a_table_finds_what_was_put_in_it() {
        let mut table = KeyTable::<u32>::default();
        let keys: Vec<u64> = (1..2000u64).map(|k| (2 * k + 1).wrapping_mul(0x1234_5678_9abc_def1)).collect();
        for (i, &key) in keys.iter().enumerate() {
            *table.entry(key) |= i as u32;
        }
        for (i, &key) in keys.iter().enumerate() {
            assert_eq!(table.get(key), Some(&(i as u32)));
        }
        assert_eq!(table.get(2), None);
    }
}
