//! Phrase lists of many rules matched in one Aho-Corasick pass, case-insensitively, whole words
//! only, each phrase at the [`Position`] its rule asks for. The automaton folds ASCII case; other
//! capitals (`Ähnliche Beiträge`) are folded in a copy of the text that keeps every offset, so
//! phrases with non-ASCII letters are written in lower case.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use super::Position;
use crate::span::Span;

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
        // A DFA: phrase lists are a few thousand bytes, and every document is read with them.
        let automaton = AhoCorasickBuilder::new()
            .kind(Some(AhoCorasickKind::DFA))
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&self.phrases)
            .expect("phrase lists of rule files fit an automaton");
        let leading_only = self.positions.iter().all(|&position| position != Position::Anywhere);
        let longest = self.phrases.iter().map(String::len).max().unwrap_or(0);
        PhraseSet { automaton, owners: self.owners, positions: self.positions, leading_only, longest }
    }
}

/// All phrases, compiled.
#[derive(Debug)]
pub struct PhraseSet {
    automaton: AhoCorasick,
    owners: Vec<usize>,
    positions: Vec<Position>,
    /// No phrase may sit anywhere: each starts at or before the first letter or digit of the
    /// text (see [`Position::admits`]), so only the text's first words need searching.
    leading_only: bool,
    /// Bytes of the longest phrase.
    longest: usize,
}

impl PhraseSet {
    /// Calls `found(rule, start, end)` for every phrase occurrence in `text` that sits where its
    /// rule asks, overlapping ones included.
    pub fn find(&self, text: &str, mut found: impl FnMut(usize, usize, usize)) {
        let searched = if self.leading_only { &text[..self.leading_reach(text)] } else { text };
        let folded = fold_non_ascii_capitals(searched);
        for hit in self.automaton.find_overlapping_iter(folded.as_ref()) {
            let index = hit.pattern().as_usize();
            if self.positions[index].admits(text, hit.start(), hit.end()) {
                found(self.owners[index], hit.start(), hit.end());
            }
        }
    }
}

impl PhraseSet {
    /// The end of the part of `text` where phrases that start at or before its first letter or
    /// digit can lie.
    fn leading_reach(&self, text: &str) -> usize {
        let body_start = text.len() - text.trim_start_matches(|c: char| !c.is_alphanumeric()).len();
        let mut end = text.len().min(body_start + self.longest);
        while !text.is_char_boundary(end) {
            end += 1;
        }
        end
    }

    /// What [`find`](Self::find) gives on each of `parts` (spans of `text` in order, none
    /// overlapping the next), in one pass over them: calls `found(part, rule, start, end)`, offsets
    /// into `text`, for every phrase occurrence inside a part that sits where its rule asks in that
    /// part, parts in order. One pass instead of one per part saves the start-up of each search.
    pub fn find_in_parts(&self, text: &str, parts: &[Span], mut found: impl FnMut(usize, usize, usize, usize)) {
        let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
            return;
        };
        if parts.windows(2).any(|pair| pair[1].start < pair[0].end) {
            for (index, &part) in parts.iter().enumerate() {
                self.find(part.of(text), |rule, start, end| found(index, rule, part.start + start, part.start + end));
            }
            return;
        }
        let offset = first.start;
        let folded = fold_non_ascii_capitals(&text[offset..last.end]);
        let mut at = 0;
        // Overlapping hits come in the order of their ends, and parts in order end in order too.
        for hit in self.automaton.find_overlapping_iter(folded.as_ref()) {
            let (start, end) = (offset + hit.start(), offset + hit.end());
            while parts[at].end < end {
                at += 1;
            }
            let part = parts[at];
            let index = hit.pattern().as_usize();
            if part.start <= start && self.positions[index].admits(part.of(text), start - part.start, end - part.start)
            {
                found(at, self.owners[index], start, end);
            }
        }
    }
}

/// `text` with each non-ASCII capital lowered where its lower case is one character of the same
/// length in UTF-8, so that byte offsets into the copy are offsets into `text`; borrowed when
/// there is nothing to fold. ASCII capitals may stay: the automaton folds them itself.
fn fold_non_ascii_capitals(text: &str) -> std::borrow::Cow<'_, str> {
    if !non_ascii_chars(text).any(|(_, c)| c.is_uppercase()) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut folded = String::with_capacity(text.len());
    let mut copied = 0;
    for (at, c) in non_ascii_chars(text) {
        folded.push_str(&text[copied..at]);
        let mut lower = c.to_lowercase();
        match (lower.next(), lower.next()) {
            (Some(l), None) if l.len_utf8() == c.len_utf8() => folded.push(l),
            _ => folded.push(c),
        }
        copied = at + c.len_utf8();
    }
    folded.push_str(&text[copied..]);
    std::borrow::Cow::Owned(folded)
}

/// The non-ASCII characters of `text` and their offsets; runs of ASCII are skipped undecoded.
fn non_ascii_chars(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = at + text.as_bytes()[at..].iter().position(|byte| !byte.is_ascii())?;
        let c = text[start..].chars().next()?;
        at = start + c.len_utf8();
        Some((start, c))
    })
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

    #[test]
    fn folds_non_ascii_capitals_and_keeps_offsets() {
        let mut builder = PhraseSetBuilder::default();
        builder.add(0, &["ähnliche beiträge".into()], Position::Anywhere);
        let set = builder.build();
        let text = "İ ÄHNLICHE Beiträge";
        let mut hits = Vec::new();
        set.find(text, |rule, start, end| hits.push((rule, start, end)));
        assert_eq!(hits, [(0, 3, text.len())]);
        assert_eq!(&text[hits[0].1..hits[0].2], "ÄHNLICHE Beiträge");
    }

    #[test]
    fn finds_in_parts_what_it_finds_in_each_part() {
        let mut builder = PhraseSetBuilder::default();
        builder.add(0, &["share this".into()], Position::Start);
        builder.add(1, &["this".into(), "cost".into(), "cost rose".into()], Position::Anywhere);
        let set = builder.build();
        let text = "Share THIS: the cost; cost rose. ÄH, share this cost";
        let cut = |a: &str, b: &str| Span::new(text.find(a).unwrap(), text.find(b).unwrap() + b.len());
        for parts in [
            vec![cut("Share", "cost;"), cut("cost rose", "rose."), cut("share this", "this cost")],
            vec![cut("THIS", "cost rose"), cut("ÄH", "share this cost")],
            vec![cut("Share", "cost rose"), cut("cost rose", "this cost")],
        ] {
            let mut each = Vec::new();
            for (index, part) in parts.iter().enumerate() {
                set.find(part.of(text), |rule, start, end| {
                    each.push((index, rule, part.start + start, part.start + end))
                });
            }
            let mut once = Vec::new();
            set.find_in_parts(text, &parts, |index, rule, start, end| once.push((index, rule, start, end)));
            assert_eq!(once, each, "{parts:?}");
        }
    }
}
