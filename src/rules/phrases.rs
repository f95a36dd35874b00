//! Phrase lists of many rules matched in one Aho-Corasick pass, ASCII case-insensitively, whole
//! words only, each phrase at the [`Position`] its rule asks for.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::Position;

/// Collects phrases per rule.
#[derive(Debug, Default)]
pub struct PhraseSetBuilder {
    phrases: Vec<String>,
    owners: Vec<usize>,
    positions: Vec<Position>,
}

impl PhraseSetBuilder {
    /// Adds the phrases of rule `owner`, to be found at `position`.
    pub fn add(&mut self, owner: usize, phrases: &[String], position: Position) {
        for phrase in phrases {
            self.phrases.push(phrase.clone());
            self.owners.push(owner);
            self.positions.push(position);
        }
    }

    pub fn build(self) -> PhraseSet {
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&self.phrases)
            .expect("phrase lists of rule files fit an automaton");
        PhraseSet { automaton, owners: self.owners, positions: self.positions }
    }
}

/// All phrases, compiled.
#[derive(Debug)]
pub struct PhraseSet {
    automaton: AhoCorasick,
    owners: Vec<usize>,
    positions: Vec<Position>,
}

impl PhraseSet {
    /// Calls `found(rule, start, end)` for every phrase occurrence in `text` that sits where its
    /// rule asks, overlapping ones included.
    pub fn find(&self, text: &str, mut found: impl FnMut(usize, usize, usize)) {
        for hit in self.automaton.find_overlapping_iter(text) {
            let index = hit.pattern().as_usize();
            if self.positions[index].admits(text, hit.start(), hit.end()) {
                found(self.owners[index], hit.start(), hit.end());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_whole_words_at_their_position_for_their_rule() {
        let mut builder = PhraseSetBuilder::default();
        builder.add(0, &["share this".into()], Position::Start);
        builder.add(1, &["this".into(), "cost".into()], Position::Anywhere);
        let set = builder.build();
        let mut hits = Vec::new();
        set.find("Share THIS: the cost, costly", |rule, start, end| hits.push((rule, start, end)));
        assert_eq!(hits, [(0, 0, 10), (1, 6, 10), (1, 16, 20)]);
    }
}
