//! List files read once for all the rules that name them, and kept in a compact form.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Arc;

use foldhash::fast::FixedState;

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
    /// Open addressing: (an index into `entries` plus one, 0 for an empty slot; the high half
    /// of the surface's hash, so that most mismatches need no comparison). The length is a
    /// power of two at least twice the number of entries, so that probe runs stay short.
    slots: Vec<(u32, u32)>,
}

impl WordList {
    fn new(text: &str, pairs: &[(&str, &str)]) -> WordList {
        let offset = |part: &str| (part.as_ptr() as usize - text.as_ptr() as usize) as u32;
        let mut list = WordList {
            text: text.into(),
            entries: Vec::with_capacity(pairs.len()),
            slots: vec![(0, 0); (pairs.len() * 2).next_power_of_two().max(16)],
        };
        for &(surface, canonical) in pairs {
            let (start, end) = (offset(surface), offset(surface) + surface.len() as u32);
            let (canonical_start, canonical_end) = (offset(canonical), offset(canonical) + canonical.len() as u32);
            list.entries.push([start, end, canonical_start, canonical_end]);
            let index = list.entries.len() as u32;
            // A surface listed twice maps to its last canonical name, as in a map built in order.
            let hash = hash(surface);
            match list.probe(surface, hash) {
                Ok(slot) | Err(slot) => list.slots[slot] = (index, (hash >> 32) as u32),
            }
        }
        list
    }

    /// The slot holding `surface` (`Ok`), or the empty slot where it would go (`Err`).
    fn probe(&self, surface: &str, hash: u64) -> Result<usize, usize> {
        let mask = self.slots.len() - 1;
        let tag = (hash >> 32) as u32;
        let mut slot = hash as usize & mask;
        loop {
            match self.slots[slot] {
                (0, _) => return Err(slot),
                (index, slot_tag) if slot_tag == tag && self.surface(index as usize - 1) == surface.as_bytes() => {
                    return Ok(slot);
                }
                _ => slot = (slot + 1) & mask,
            }
        }
    }

    fn surface(&self, index: usize) -> &[u8] {
        let [start, end, _, _] = self.entries[index];
        &self.text.as_bytes()[start as usize..end as usize]
    }

    pub fn contains(&self, surface: &str) -> bool {
        self.probe(surface, hash(surface)).is_ok()
    }

    /// The canonical name listed for `surface`.
    pub fn canonical(&self, surface: &str) -> Option<&str> {
        let slot = self.probe(surface, hash(surface)).ok()?;
        let [_, _, start, end] = self.entries[self.slots[slot].0 as usize - 1];
        Some(&self.text[start as usize..end as usize])
    }
}

fn hash(surface: &str) -> u64 {
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
    }
}
