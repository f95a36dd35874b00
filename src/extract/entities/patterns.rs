//! Names no list can hold, found by regexes whose `name` group is the entity.
//!
//! Most patterns begin with a capital letter (or a `$`, or at the start of a block), which few
//! bytes of a text are. Such a pattern is not scanned over the whole block: its match can only
//! begin at one of those bytes, so an anchored search there finds exactly the matches the
//! unanchored scan would (see [`Starts`]). Searching the whole block with every pattern, or with
//! all of them in one automaton, made the lazy DFAs build new states all the way through the
//! text: the union of Unicode classes and counted repetitions has far too many of them.

use std::borrow::Cow;
use std::sync::Arc;

use regex_automata::meta::Regex;
use regex_automata::util::captures::Captures;
use regex_automata::{Anchored, Input, PatternID};
use regex_syntax::hir::{Class, Hir, HirKind, Look};

use super::lists::{Lists, WordList};
use super::{Candidate, EntityRule};
use crate::rules::{RuleError, RuleFile};
use crate::span::Span;

/// `{ group = "first", list = "lists/first_names.tsv" }`: a named group and a list file whose
/// surfaces it must (`require`) or must not (`reject`) be one of.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub group: String,
    pub list: toml::Spanned<String>,
}

/// How a pattern's match becomes a canonical name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CanonicalForm {
    /// The name as written, whitespace collapsed.
    #[default]
    AsWritten,
    /// Each word capitalised, the rest lower case: `NEW YORK` → `New York`.
    TitleCase,
}

/// Where a pattern's matches can begin, worked out from the pattern itself.
#[derive(Debug)]
enum Starts {
    /// Only at the start of a block (`^…`).
    BlockStart,
    /// Only at the bytes marked in the table (UTF-8 lead bytes standing for their characters):
    /// none of them a lower-case ASCII letter, a digit or a space, so they are few in prose.
    Bytes(Box<[bool; 256]>),
    /// Anywhere worth an anchored search: the regex's own scan (with its literal prefilter)
    /// searches the block.
    Anywhere,
}

impl Starts {
    fn of(hir: &Hir) -> Starts {
        if hir.properties().look_set_prefix().contains(Look::Start) {
            return Starts::BlockStart;
        }
        let mut table = Box::new([false; 256]);
        let nullable = first_bytes(hir, &mut table);
        let common = |byte: usize| {
            let byte = byte as u8;
            byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte.is_ascii_whitespace()
        };
        if nullable || (0..256).any(|byte| table[byte] && common(byte)) {
            Starts::Anywhere
        } else {
            Starts::Bytes(table)
        }
    }
}

/// Marks in `table` every byte a match of `hir` can begin with, and returns whether `hir` can
/// match the empty string (then what follows it can begin the match too). Look-around
/// assertions are taken as empty: that can only mark more bytes, never fewer.
fn first_bytes(hir: &Hir, table: &mut [bool; 256]) -> bool {
    let mut mark = |first: u8, last: u8| table[usize::from(first)..=usize::from(last)].fill(true);
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(literal) => {
            // A literal is never empty: an empty one is `HirKind::Empty`.
            literal.0.first().map(|&byte| mark(byte, byte)).is_none()
        }
        HirKind::Class(Class::Unicode(class)) => {
            // The lead byte of a UTF-8 sequence grows with the code point.
            let lead = |c: char| c.encode_utf8(&mut [0; 4]).as_bytes()[0];
            for range in class.ranges() {
                mark(lead(range.start()), lead(range.end()));
            }
            false
        }
        HirKind::Class(Class::Bytes(class)) => {
            for range in class.ranges() {
                mark(range.start(), range.end());
            }
            false
        }
        HirKind::Repetition(repetition) => first_bytes(&repetition.sub, table) || repetition.min == 0,
        HirKind::Capture(capture) => first_bytes(&capture.sub, table),
        HirKind::Concat(parts) => parts.iter().all(|part| first_bytes(part, table)),
        HirKind::Alternation(branches) => {
            // Every branch marks its bytes: no short circuit.
            branches.iter().map(|branch| first_bytes(branch, table)).collect::<Vec<_>>().contains(&true)
        }
    }
}

#[derive(Debug)]
pub struct PatternRule {
    rule: usize,
    regex: Regex,
    starts: Starts,
    /// The index of the `name` group, and of the `key` group if there is one: looked up once
    /// rather than by name at every match.
    name_group: usize,
    key_group: Option<usize>,
    /// (group index, surfaces, whether the group must be among them).
    conditions: Vec<(usize, Arc<WordList>, bool)>,
    canonical: CanonicalForm,
    canonical_map: Option<Arc<WordList>>,
    strip_leading: Vec<String>,
}

impl PatternRule {
    pub fn compile(
        lists: &mut Lists,
        file: &RuleFile,
        rule_index: usize,
        rule: &EntityRule,
    ) -> Result<PatternRule, RuleError> {
        let pattern = rule.pattern.as_ref().expect("called for pattern rules only");
        let bad = |error: &dyn std::fmt::Display| RuleError::at(file, pattern.span(), format!("bad regex: {error}"));
        let hir = regex_syntax::parse(pattern.get_ref()).map_err(|error| bad(&error))?;
        let regex = Regex::builder()
            .configure(
                Regex::config()
                    .nfa_size_limit(Some(64 << 20))
                    // Patterns over Unicode classes outgrow the default 2 MiB lazy DFA cache on
                    // long blocks, and the search then falls back to the slower NFA engines.
                    .hybrid_cache_capacity(8 << 20),
            )
            .build_from_hir(&hir)
            .map_err(|error| bad(&error))?;
        let group_index = |group: &str| regex.group_info().to_index(PatternID::ZERO, group);
        let Some(name_group) = group_index("name") else {
            return Err(RuleError::at(file, pattern.span(), "an entity pattern needs a `(?P<name>…)` group"));
        };
        let mut conditions = Vec::new();
        for (requirement, must_be_in) in
            rule.require.iter().map(|r| (r, true)).chain(rule.reject.iter().map(|r| (r, false)))
        {
            let Some(group) = group_index(&requirement.group) else {
                return Err(RuleError::at(
                    file,
                    pattern.span(),
                    format!("no group `{}` in the pattern", requirement.group),
                ));
            };
            conditions.push((group, lists.get(file, &requirement.list)?, must_be_in));
        }
        let canonical_map = rule.canonical_list.as_ref().map(|list| lists.get(file, list)).transpose()?;
        let key_group = group_index("key");
        Ok(PatternRule {
            rule: rule_index,
            starts: Starts::of(&hir),
            regex,
            key_group,
            name_group,
            conditions,
            canonical: rule.canonical,
            canonical_map,
            strip_leading: rule.strip_leading.clone(),
        })
    }

    /// Appends the rule's names in `region` to `out`, finding the same matches as an unanchored
    /// scan of the region would. `candidates` are the offsets in the region of every byte that
    /// may begin a match of a [`Starts::Bytes`] rule, in order; `caps` is this rule's.
    fn find<'a>(
        &'a self,
        text: &'a str,
        region: Span,
        candidates: &[usize],
        caps: &mut Captures,
        out: &mut Vec<Candidate<'a>>,
    ) {
        let slice = region.of(text);
        let anchored_at = |at: usize, caps: &mut Captures| {
            self.regex.search_captures(&Input::new(slice).range(at..).anchored(Anchored::Yes), caps);
            caps.is_match()
        };
        match &self.starts {
            Starts::BlockStart => {
                if anchored_at(0, caps) {
                    self.accept(text, region, caps, out);
                }
            }
            Starts::Bytes(table) => {
                // A match ends the search there, as in a scan: the next begins after it.
                let mut from = 0;
                for &at in candidates {
                    if at >= from && table[usize::from(slice.as_bytes()[at])] && anchored_at(at, caps) {
                        self.accept(text, region, caps, out);
                        from = caps.get_match().map_or(at + 1, |found| found.end().max(at + 1));
                    }
                }
            }
            Starts::Anywhere => {
                let mut input = Input::new(slice);
                // None of the patterns matches the empty string, so a search resumes where the
                // last match ended, as `captures_iter` would.
                while input.start() < slice.len() {
                    self.regex.search_captures(&input, caps);
                    let Some(found) = caps.get_match() else { break };
                    self.accept(text, region, caps, out);
                    input.set_start(found.end().max(found.start() + 1));
                }
            }
        }
    }

    /// Turns the match in `caps` (offsets into `region`) into a candidate, if its groups meet
    /// the rule's conditions.
    fn accept<'a>(&'a self, text: &'a str, region: Span, caps: &Captures, out: &mut Vec<Candidate<'a>>) {
        let slice = region.of(text);
        let group = |index: usize| caps.get_group(index).map(|span| &slice[span.start..span.end]);
        let Some(name) = caps.get_group(self.name_group) else {
            return;
        };
        let holds = |&(index, ref words, must_be_in): &(usize, Arc<WordList>, bool)| {
            group(index).is_some_and(|surface| words.contains(surface)) == must_be_in
        };
        if !self.conditions.iter().all(holds) {
            return;
        }
        let mut span = Span::new(region.start + name.start, region.start + name.end);
        span = self.strip(text, span);
        if span.is_empty() || !super::is_whole_word(text, span) {
            return;
        }
        let key = self.key_group.and_then(group).unwrap_or(span.of(text));
        let canonical = match self.canonical_map.as_ref().and_then(|map| map.canonical(key)) {
            Some(listed) => Cow::Borrowed(listed),
            None => Cow::Owned(self.canonical_of(span.of(text))),
        };
        out.push(Candidate { span, rule: self.rule, canonical });
    }

    /// Drops leading words such as "The" and leading possessives ("Japan's" in "Japan's
    /// Sakuragawa Trust Bank": a possessive never starts a name), and a trailing possessive.
    fn strip(&self, text: &str, mut span: Span) -> Span {
        loop {
            let current = span.of(text);
            let first = current.split_whitespace().next().unwrap_or("");
            let is_possessive = first.ends_with("'s") || first.ends_with("\u{2019}s");
            let listed = self.strip_leading.iter().any(|w| w == first);
            if first.len() == current.len() || !(is_possessive || listed) {
                break;
            }
            span = Span::new(span.start + first.len(), span.end).trim(text);
        }
        for possessive in ["'s", "\u{2019}s", "'", "\u{2019}"] {
            if span.of(text).ends_with(possessive) {
                span.end -= possessive.len();
                break;
            }
        }
        span.trim(text)
    }

    fn canonical_of(&self, name: &str) -> String {
        let words = name.split_whitespace();
        match self.canonical {
            CanonicalForm::AsWritten => words.collect::<Vec<_>>().join(" "),
            CanonicalForm::TitleCase => words.map(title_case).collect::<Vec<_>>().join(" "),
        }
    }
}

/// `NEW` → `New`, `SAN-FRANCISCO` → `San-Francisco`.
fn title_case(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut at_start = true;
    for c in word.chars() {
        if at_start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        at_start = !c.is_alphanumeric();
    }
    out
}

/// Every pattern rule.
#[derive(Debug)]
pub struct Patterns {
    rules: Vec<PatternRule>,
    /// The bytes any [`Starts::Bytes`] rule may begin with: found in one pass over a block for
    /// all those rules.
    starts: Box<[bool; 256]>,
}

impl Patterns {
    pub fn new(rules: Vec<PatternRule>) -> Patterns {
        let mut starts = Box::new([false; 256]);
        for rule in &rules {
            if let Starts::Bytes(table) = &rule.starts {
                for (any, &this) in starts.iter_mut().zip(table.iter()) {
                    *any |= this;
                }
            }
        }
        Patterns { rules, starts }
    }

    /// Appends the names the pattern rules find in `regions` of `text` to `out`.
    pub fn find<'a>(&'a self, text: &'a str, regions: &[Span], out: &mut Vec<Candidate<'a>>) {
        let mut caps: Vec<Captures> = self.rules.iter().map(|rule| rule.regex.create_captures()).collect();
        let mut candidates = Vec::new();
        for &region in regions {
            candidates.clear();
            let bytes = region.of(text).as_bytes();
            candidates.extend((0..bytes.len()).filter(|&at| self.starts[usize::from(bytes[at])]));
            for (rule, caps) in self.rules.iter().zip(&mut caps) {
                rule.find(text, region, &candidates, caps, out);
            }
        }
    }

    /// Whether the rule at `index` is a pattern rule.
    pub fn contains(&self, index: usize) -> bool {
        self.rules.iter().any(|r| r.rule == index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(pattern: &str) -> Starts {
        Starts::of(&regex_syntax::parse(pattern).unwrap())
    }

    #[test]
    fn matches_start_only_where_the_pattern_can_begin() {
        let Starts::Bytes(table) = starts(r"(?:\p{Lu}\w*\s)?(?P<name>\$[A-Z]+|Ölwerk)") else {
            panic!("a pattern that begins in a capital or a `$` is searched at those bytes");
        };
        let marked: Vec<u8> = (0..=255).filter(|&byte| table[usize::from(byte)]).collect();
        assert!(marked.contains(&b'$') && marked.contains(&b'A') && marked.contains(&"Ö".as_bytes()[0]));
        assert!(!marked.contains(&b'a') && !marked.contains(&b' ') && !marked.contains(&b'1'));
        assert!(matches!(starts(r"^(?P<name>\p{Lu}{2,}),"), Starts::BlockStart));
        // A lower-case word, or a pattern that may match nothing, can begin anywhere.
        assert!(matches!(starts(r"(?:the|A)\s(?P<name>\p{Lu}\w+)"), Starts::Anywhere));
        assert!(matches!(starts(r"(?P<name>\p{Lu}?)"), Starts::Anywhere));
    }

    #[test]
    fn title_case_handles_hyphens_and_capitals() {
        assert_eq!(title_case("NEW"), "New");
        assert_eq!(title_case("WINSTON-SALEM"), "Winston-Salem");
    }
}
