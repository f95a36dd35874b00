//! List files read once for all the rules that name them, and kept in a compact form.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Arc;

use foldhash::fast::FixedState;
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;

use super::gazetteer::{is_set, set};
use crate::rules::{RuleError, RuleFile, RuleSource};

/// The entries of a list file, looked up by surface.
///
/// Kept as one copy of the file's text and a table of offsets into it, so that a list of a
/// hundred thousand surnames costs a few allocations to build and to drop, not one per entry.
#[derive(Debug)]
pub struct WordList {
    text: Box<str>,
    /// (surface start, surface end, canonical start, canonical end), offsets into `text`.
    entries: Vec<[u32; 4]>,
    /// The index into `entries` of each distinct surface, by the surface's hash.
    by_surface: HashTable<u32>,
    /// A bit for each surface at its [`filter_hash`], a dozen or so bits a surface: most words
    /// looked up are in no list (a capitalised word that is no first name), and most of those
    /// are turned away by one bit, without the full hash and the probe of the table.
    filter: HashBits,
}

impl WordList {
    fn new(text: &str, pairs: &[(&str, &str)]) -> WordList {
        let offset = |part: &str| (part.as_ptr() as usize - text.as_ptr() as usize) as u32;
        let mut entries = Vec::with_capacity(pairs.len());
        let mut by_surface = HashTable::with_capacity(pairs.len());
        for &(surface, canonical) in pairs {
            let (start, canonical_start) = (offset(surface), offset(canonical));
            entries.push([
                start,
                start + surface.len() as u32,
                canonical_start,
                canonical_start + canonical.len() as u32,
            ]);
            let index = entries.len() as u32 - 1;
            let is_surface = |&other: &u32| surface_of(text, &entries, other) == surface;
            let rehash = |&other: &u32| hash(surface_of(text, &entries, other));
            // A surface listed twice maps to its last canonical name, as in a map built in order.
            match by_surface.entry(hash(surface), is_surface, rehash) {
                Entry::Occupied(mut listed) => *listed.get_mut() = index,
                Entry::Vacant(slot) => {
                    slot.insert(index);
                }
            }
        }
        let mut filter = HashBits::for_words(pairs.len());
        for &(surface, _) in pairs {
            filter.insert(filter_hash(surface.as_bytes()));
        }
        WordList { text: text.into(), entries, by_surface, filter }
    }

    /// The entry listing `surface`.
    #[inline]
    fn find(&self, surface: &str) -> Option<[u32; 4]> {
        if !self.filter.may_hold(filter_hash(surface.as_bytes())) {
            return None;
        }
        self.find_past_filter(surface)
    }

    /// [`WordList::find`] for a surface the filter lets through: out of line, so that the
    /// callers take the filter's test alone, without the registers the probe of the table saves.
    #[inline(never)]
    fn find_past_filter(&self, surface: &str) -> Option<[u32; 4]> {
        let index =
            self.by_surface.find(hash(surface), |&index| surface_of(&self.text, &self.entries, index) == surface)?;
        Some(self.entries[*index as usize])
    }

    /// Every surface the list holds, each once, in no particular order.
    pub fn surfaces(&self) -> impl ExactSizeIterator<Item = &str> {
        self.by_surface.iter().map(|&index| surface_of(&self.text, &self.entries, index))
    }

    #[inline]
    pub fn contains(&self, surface: &str) -> bool {
        self.find(surface).is_some()
    }

    /// The canonical name listed for `surface`.
    pub fn canonical(&self, surface: &str) -> Option<&str> {
        let [_, _, start, end] = self.find(surface)?;
        Some(&self.text[start as usize..end as usize])
    }
}

/// The surface of entry `index`.
fn surface_of<'t>(text: &'t str, entries: &[[u32; 4]], index: u32) -> &'t str {
    let [start, end, _, _] = entries[index as usize];
    &text[start as usize..end as usize]
}

/// A hash of `surface` cheaper than [`hash`], of its length and of up to sixteen of its bytes
/// (the first and last eight), good in its top bits.
#[inline]
fn filter_hash(surface: &[u8]) -> u64 {
    let len = surface.len();
    let word = match (surface.first_chunk::<8>(), surface.last_chunk::<8>()) {
        (Some(&head), Some(&tail)) => u64::from_le_bytes(head) ^ u64::from_le_bytes(tail).rotate_left(29),
        _ => match (surface.first_chunk::<4>(), surface.last_chunk::<4>()) {
            (Some(&head), Some(&tail)) => {
                u64::from(u32::from_le_bytes(head)) | u64::from(u32::from_le_bytes(tail)) << 32
            }
            _ if len == 0 => 0,
            _ => u64::from(surface[0]) | u64::from(surface[len / 2]) << 8 | u64::from(surface[len - 1]) << 16,
        },
    };
    (word ^ (len as u64) << 56).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// A bit for each word of a set at the top bits of the word's hash, eight to sixteen bits a
/// word: a word whose bit is clear is not in the set, and most words looked up in a word table
/// are in none, so one bit turns them away before the table is probed.
#[derive(Debug, Clone)]
pub(super) struct HashBits {
    bits: Box<[u64]>,
    /// What a hash is shifted by, to a bit of `bits`.
    shift: u32,
}

impl HashBits {
    /// Room for `words` words at eight bits a word or more: a power of two, and one 64-bit
    /// word at least, so that a look-up needs no test of the size.
    pub(super) fn for_words(words: usize) -> HashBits {
        let bits = (words * 8).next_power_of_two().max(64);
        HashBits { bits: vec![0; bits / 64].into_boxed_slice(), shift: u64::BITS - bits.trailing_zeros() }
    }

    /// How many words it has room for.
    pub(super) fn room(&self) -> usize {
        self.bits.len() * 64 / 8
    }

    pub(super) fn insert(&mut self, hash: u64) {
        set(&mut self.bits, (hash >> self.shift) as usize);
    }

    /// Whether a word of hash `hash` may be in the set.
    #[inline]
    pub(super) fn may_hold(&self, hash: u64) -> bool {
        is_set(&self.bits, (hash >> self.shift) as usize)
    }
}

/// The hash word tables key their words by.
pub(super) fn hash(surface: &str) -> u64 {
    FixedState::default().hash_one(surface)
}

/// The list files read so far, by path: each is read once however many rules name it.
#[derive(Debug)]
pub struct Lists<'s> {
    source: &'s RuleSource,
    read: HashMap<String, Arc<WordList>>,
}

impl<'s> Lists<'s> {
    pub fn new(source: &'s RuleSource) -> Lists<'s> {
        Lists { source, read: HashMap::new() }
    }

    /// The list named `name` in `file`.
    pub fn get(&mut self, file: &RuleFile, name: &toml::Spanned<String>) -> Result<Arc<WordList>, RuleError> {
        let list = self.source.list(file, name)?;
        if let Some(words) = self.read.get(&list.path) {
            return Ok(Arc::clone(words));
        }
        let words = Arc::new(WordList::new(list.text, &list.entries()?));
        self.read.insert(list.path, Arc::clone(&words));
        Ok(words)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_find_surfaces_and_their_last_canonical_name() {
        let text = "Acme\tAcme Corp\nBeta\nAcme\tAcme Inc\n";
        let pairs = [(&text[0..4], &text[5..14]), (&text[15..19], &text[15..19]), (&text[20..24], &text[25..33])];
        let list = WordList::new(text, &pairs);
        assert_eq!(list.canonical("Acme"), Some("Acme Inc"));
        assert_eq!(list.canonical("Beta"), Some("Beta"));
        assert!(list.contains("Beta"));
        assert!(!list.contains("Gamma"));
        assert!(!list.contains(""));
        let mut surfaces: Vec<&str> = list.surfaces().collect();
        surfaces.sort();
        assert_eq!(surfaces, ["Acme", "Beta"]);
    }

    #[test]
    fn the_filter_turns_away_no_listed_surface_of_any_length() {
        let words: Vec<String> = (0..400).map(|n| format!("{n}{}", "ab\u{e9}".repeat(n % 9))).collect();
        let text = words.join("\n");
        let mut pairs = Vec::new();
        let mut at = 0;
        for word in &words {
            let surface = &text[at..at + word.len()];
            pairs.push((surface, surface));
            at += word.len() + 1;
        }
        let list = WordList::new(&text, &pairs);
        assert!(words.iter().all(|word| list.contains(word)));
        assert!(!list.contains("400"));
        assert!(!list.contains("1ab\u{e9}ab\u{e9}"));
        // And it is worth its test: with eight bits or more a surface, it lets few of the
        // surfaces no list holds through to the probe of the table.
        let unlisted: Vec<String> = (0..1000).map(|n| format!("x{n}{}", "cd\u{e9}".repeat(n % 7))).collect();
        let through = unlisted.iter().filter(|word| list.filter.may_hold(filter_hash(word.as_bytes()))).count();
        assert!(through < 200, "{through} of 1000 unlisted surfaces pass the filter");
    }
}
