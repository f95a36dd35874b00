//! List files read once for all the rules that name them, and kept in a compact form.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Arc;

use foldhash::fast::FixedState;
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;

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
        WordList { text: text.into(), entries, by_surface }
    }

    /// The entry listing `surface`.
    fn find(&self, surface: &str) -> Option<[u32; 4]> {
        let index =
            self.by_surface.find(hash(surface), |&index| surface_of(&self.text, &self.entries, index) == surface)?;
        Some(self.entries[*index as usize])
    }

    /// Every surface the list holds, each once, in no particular order.
    pub fn surfaces(&self) -> impl ExactSizeIterator<Item = &str> {
        self.by_surface.iter().map(|&index| surface_of(&self.text, &self.entries, index))
    }

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
}
