//! The corpus-level cue: a line that recurs, word for word, in many documents of one corpus is
//! the site's furniture (a footer, a newsletter box, a disclaimer), whatever its words.
//!
//! It needs the whole corpus, so it is a second pass that the commands run on request
//! (`--repeats`): the first pass counts in how many documents each distinct line occurs, the
//! second removes the lines counted often enough. Without it, each document is judged on its own
//! and the output does not depend on what else was read.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

/// A line's identity across documents: its words, lower case, white space collapsed. Lines with
/// no letter or digit have none (`* * *` repeats everywhere and means nothing).
pub fn line_key(line: &str) -> Option<u64> {
    if !line.chars().any(char::is_alphanumeric) {
        return None;
    }
    // SipHash with fixed keys: the same line has the same key in every run.
    let mut hasher = std::hash::DefaultHasher::new();
    for word in line.split_whitespace() {
        for c in word.chars().flat_map(char::to_lowercase) {
            c.hash(&mut hasher);
        }
        ' '.hash(&mut hasher);
    }
    Some(hasher.finish())
}

/// The keys of the distinct lines of one document.
pub fn distinct_line_keys(text: &str) -> Vec<u64> {
    let keys: HashSet<u64> =
        crate::segment::lines(text).into_iter().filter_map(|line| line_key(line.of(text))).collect();
    keys.into_iter().collect()
}

/// In how many documents each line occurs.
#[derive(Debug, Default)]
pub struct RepeatCounter {
    documents: usize,
    counts: HashMap<u64, u32>,
}

impl RepeatCounter {
    /// Counts one document, given the keys of its distinct lines.
    pub fn add(&mut self, keys: &[u64]) {
        self.documents += 1;
        for &key in keys {
            *self.counts.entry(key).or_default() += 1;
        }
    }

    /// The lines found in at least `min_documents` documents and in at least `min_share` of all.
    pub fn repeated(&self, min_documents: usize, min_share: f64) -> RepeatedLines {
        let needed = (min_documents as f64).max(min_share * self.documents as f64);
        let keys = self.counts.iter().filter(|(_, count)| f64::from(**count) >= needed).map(|(&key, _)| key).collect();
        RepeatedLines { keys }
    }
}

/// The lines that repeat across the corpus.
#[derive(Debug, Default)]
pub struct RepeatedLines {
    keys: HashSet<u64>,
}

impl RepeatedLines {
    pub fn contains(&self, line: &str) -> bool {
        line_key(line).is_some_and(|key| self.keys.contains(&key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_in_enough_documents_repeat() {
        let pages = [
            "Storm closes port\nSubscribe to the Harbor Ledger\n© Harbor Media",
            "Rates fall again\nSubscribe to the  harbor ledger\n© Harbor Media",
            "Cranes idle\n© Harbor Media\n* * *",
            "Subscribe to the Harbor Ledger\nA new terminal\n* * *",
        ];
        let mut counter = RepeatCounter::default();
        for page in pages {
            counter.add(&distinct_line_keys(page));
        }
        let repeated = counter.repeated(3, 0.5);
        assert!(repeated.contains("SUBSCRIBE to the Harbor Ledger"));
        assert!(repeated.contains("© Harbor Media"));
        assert!(!repeated.contains("Cranes idle"));
        assert!(!repeated.contains("* * *"));
        assert!(!counter.repeated(3, 0.9).contains("© Harbor Media"));
    }
}
