//! Known names, matched in one Aho-Corasick pass over each kept block.

use foldhash::HashMap;
use std::borrow::Cow;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::{Candidate, EntityRule, is_whole_word};
use crate::rules::{RuleError, RuleFile, RuleSource};
use crate::span::Span;

#[derive(Debug, Clone, Copy)]
struct Entry {
    rule: usize,
    priority: i32,
    canonical: usize,
    versioned: bool,
    plural: bool,
}

/// Collects the names of every list rule before the automaton is built. Names are borrowed from
/// the list files wherever they can be.
#[derive(Debug, Default)]
pub struct Builder<'s> {
    surfaces: Vec<Cow<'s, str>>,
    entries: Vec<Entry>,
    index: HashMap<Cow<'s, str>, usize>,
    canonicals: Canonicals,
    canonical_index: HashMap<Cow<'s, str>, usize>,
}

impl<'s> Builder<'s> {
    /// Adds a rule's `list` file and inline `entries`. A name listed by several rules keeps the
    /// entry of the rule with the highest priority (the first one on a tie).
    pub fn add_rule(
        &mut self,
        source: &'s RuleSource,
        file: &RuleFile,
        rule_index: usize,
        rule: &EntityRule,
    ) -> Result<(), RuleError> {
        let mut names: Vec<(Cow<'s, str>, Cow<'s, str>)> = Vec::new();
        if let Some(list) = &rule.list {
            let list = source.list(file, list)?;
            for (surface, canonical) in list.entries()? {
                names.push((Cow::Borrowed(surface), Cow::Borrowed(canonical)));
            }
        }
        for entry in &rule.entries {
            match entry.as_slice() {
                [surface] => names.push((Cow::Owned(surface.clone()), Cow::Owned(surface.clone()))),
                [surface, canonical] => names.push((Cow::Owned(surface.clone()), Cow::Owned(canonical.clone()))),
                _ => {
                    return Err(RuleError::at(
                        file,
                        rule.id.span(),
                        "`entries` items are [surface] or [surface, canonical]",
                    ));
                }
            }
        }
        for (surface, canonical) in names {
            let canonical = self.intern(canonical);
            let entry = Entry {
                rule: rule_index,
                priority: rule.priority,
                canonical,
                versioned: rule.versioned,
                plural: rule.plural,
            };
            match self.index.get(&surface) {
                Some(&existing) if self.entries[existing].priority >= rule.priority => {}
                Some(&existing) => self.entries[existing] = entry,
                None => {
                    self.index.insert(surface.clone(), self.surfaces.len());
                    self.surfaces.push(surface);
                    self.entries.push(entry);
                }
            }
        }
        Ok(())
    }

    fn intern(&mut self, canonical: Cow<'s, str>) -> usize {
        if let Some(&index) = self.canonical_index.get(&canonical) {
            return index;
        }
        let index = self.canonicals.push(&canonical);
        self.canonical_index.insert(canonical, index);
        index
    }

    pub fn build(mut self) -> Gazetteer {
        // Tokenised text splits the final period off an abbreviation (`U.S .`, `N.Y .`): the
        // split form of a dotted abbreviation names the same thing.
        for index in 0..self.surfaces.len() {
            let surface = &self.surfaces[index];
            if let Some(body) = surface.strip_suffix('.').filter(|body| body.contains('.')) {
                let split: Cow<'s, str> = Cow::Owned(format!("{body} ."));
                if !self.index.contains_key(&split) {
                    self.index.insert(split.clone(), self.surfaces.len());
                    self.surfaces.push(split);
                    self.entries.push(self.entries[index]);
                }
            }
        }
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(self.surfaces.iter().map(|surface| surface.as_bytes()))
            .expect("gazetteer names fit an automaton");
        Gazetteer { automaton, entries: self.entries, canonicals: self.canonicals }
    }
}

/// The canonical names, in one string: tens of thousands of them are built and dropped with a
/// few allocations.
#[derive(Debug, Default)]
struct Canonicals {
    text: String,
    ends: Vec<usize>,
}

impl Canonicals {
    fn push(&mut self, name: &str) -> usize {
        self.text.push_str(name);
        self.ends.push(self.text.len());
        self.ends.len() - 1
    }

    fn get(&self, index: usize) -> &str {
        let start = index.checked_sub(1).map_or(0, |before| self.ends[before]);
        &self.text[start..self.ends[index]]
    }
}

/// All listed names, compiled.
#[derive(Debug)]
pub struct Gazetteer {
    automaton: AhoCorasick,
    entries: Vec<Entry>,
    canonicals: Canonicals,
}

impl Gazetteer {
    /// Appends the whole-word occurrences of listed names in `region` to `out`.
    pub fn find<'a>(&'a self, text: &'a str, region: Span, out: &mut Vec<Candidate<'a>>) {
        let slice = region.of(text);
        for found in self.automaton.find_iter(slice) {
            let entry = &self.entries[found.pattern().as_usize()];
            let start = region.start + found.start();
            let mut end = region.start + found.end();
            let rest = &text[end..region.end];
            if entry.versioned {
                end += rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            }
            if entry.plural && text[end..region.end].starts_with('s') {
                end += 1;
            }
            let span = Span::new(start, end);
            if !is_whole_word(text, span) {
                continue;
            }
            out.push(Candidate {
                span,
                rule: entry.rule,
                canonical: Cow::Borrowed(self.canonicals.get(entry.canonical)),
            });
        }
    }
}
