//! Names no list can hold, found by regexes whose `name` group is the entity.

use std::borrow::Cow;
use std::sync::Arc;

use regex::{CaptureLocations, Regex};
use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind};

use super::lists::{Lists, WordList};
use super::names::collapse;
use super::{Candidate, EntityRule};
use crate::rules::gate::Gate;
use crate::rules::{self, RuleError, RuleFile};
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

#[derive(Debug)]
pub struct PatternRule {
    rule: usize,
    regex: Regex,
    /// The index of the `name` group, and of the `key` group if there is one: looked up once
    /// rather than by name at every match.
    name_group: usize,
    key_group: Option<usize>,
    /// (group index, surfaces, whether the group must be among them).
    conditions: Vec<(usize, Arc<WordList>, bool)>,
    /// The conditions on a group that begins every match and whose end the match itself shows
    /// (see [`LeadingGroup`]): checked on the match before any capture search, which most
    /// matches then never need (`Freight Rates` has no listed first name).
    leading: Vec<(LeadingGroup, Arc<WordList>, bool)>,
    /// Whether a match needs a capture search at all: not when the `name` group is the whole
    /// match and every condition is a leading one.
    needs_captures: bool,
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
        let regex = rules::compile_regex(file, pattern)?;
        let group_index = |group: &str| regex.capture_names().position(|name| name == Some(group));
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
        let hir = regex_syntax::parse(pattern.get_ref()).ok();
        let leading: Vec<(LeadingGroup, Arc<WordList>, bool)> = conditions
            .iter()
            .filter_map(|(group, words, must_be_in)| {
                let leading = LeadingGroup::new(hir.as_ref()?, *group)?;
                Some((leading, Arc::clone(words), *must_be_in))
            })
            .collect();
        let name_is_match = hir.as_ref().is_some_and(|hir| is_whole_match(hir, name_group));
        let needs_captures = !name_is_match || key_group.is_some() || leading.len() < conditions.len();
        Ok(PatternRule {
            rule: rule_index,
            regex,
            key_group,
            name_group,
            conditions,
            leading,
            needs_captures,
            canonical: rule.canonical,
            canonical_map,
            strip_leading: rule.strip_leading.clone(),
        })
    }

    fn find<'a>(&'a self, text: &'a str, region: Span, out: &mut Vec<Candidate<'a>>) {
        let slice = region.of(text);
        // The matches one after another, as `captures_iter` finds them, into one set of
        // locations rather than a new one per match, made for the first match that needs it:
        // most blocks have none.
        let mut locations: Option<CaptureLocations> = None;
        let mut at = 0;
        while at <= slice.len() {
            // The match first, by the fast engines; the groups only for a match that may name
            // something, by a search from its start, which finds the same match.
            let Some(found) = self.regex.find_at(slice, at) else {
                break;
            };
            if found.is_empty() {
                // An empty match names nothing; the search goes on from the next character.
                at = found.end() + slice[found.end()..].chars().next().map_or(1, char::len_utf8);
                continue;
            }
            at = found.end();
            let leading_holds = |(leading, words, must_be_in): &(LeadingGroup, Arc<WordList>, bool)| {
                words.contains(leading.of(found.as_str())) == *must_be_in
            };
            if !self.leading.iter().all(leading_holds) {
                continue;
            }
            if self.needs_captures {
                let slots = locations.get_or_insert_with(|| self.regex.capture_locations());
                let again = self.regex.captures_read_at(slots, slice, found.start());
                debug_assert_eq!(again.map(|m| m.range()), Some(found.range()));
            }
            let group = |index: usize| match &locations {
                Some(slots) if self.needs_captures => slots.get(index).map(|(start, end)| (start, &slice[start..end])),
                // Without captures, only the name is asked for, and it is the match.
                _ => Some((found.start(), found.as_str())),
            };
            let Some((name_start, name)) = group(self.name_group) else {
                continue;
            };
            let holds = |&(index, ref words, must_be_in): &(usize, Arc<WordList>, bool)| {
                group(index).is_some_and(|(_, part)| words.contains(part)) == must_be_in
            };
            // Without captures every condition is a leading one, checked above.
            if self.needs_captures && !self.conditions.iter().all(holds) {
                continue;
            }
            let mut span = Span::new(region.start + name_start, region.start + name_start + name.len());
            span = self.strip(text, span);
            if span.is_empty() || !super::is_whole_word(text, span) {
                continue;
            }
            let key = self.key_group.and_then(group).map_or(span.of(text), |(_, part)| part);
            let canonical = match self.canonical_map.as_ref().and_then(|map| map.canonical(key)) {
                Some(listed) => Cow::Borrowed(listed),
                None => self.canonical_of(span.of(text)),
            };
            out.push(Candidate { span, rule: self.rule, canonical });
        }
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

    fn canonical_of<'a>(&self, name: &'a str) -> Cow<'a, str> {
        match self.canonical {
            CanonicalForm::AsWritten => collapse(name),
            CanonicalForm::TitleCase => {
                Cow::Owned(name.split_whitespace().map(title_case).collect::<Vec<_>>().join(" "))
            }
        }
    }
}

/// A capture group that begins every match, made of characters that none of what follows it can
/// begin with: its text is then the longest prefix of the match made of its characters. For
/// `(?P<first>\p{Lu}\p{Ll}+)\s…`, the first word of the match.
#[derive(Debug)]
struct LeadingGroup {
    /// The characters the group can hold, as sorted ranges, and the ASCII ones as a table.
    ranges: Vec<(char, char)>,
    ascii: [bool; 128],
}

impl LeadingGroup {
    /// The leading group `group` of `hir`, if it is one.
    fn new(hir: &Hir, group: usize) -> Option<LeadingGroup> {
        let parts = leading_parts(hir, group as u32);
        let (first, rest) = parts.split_first()?;
        let HirKind::Capture(capture) = first.kind() else {
            return None;
        };
        if capture.index as usize != group {
            return None;
        }
        let mut held = ClassUnicode::empty();
        held_chars(&capture.sub, &mut held)?;
        let mut next = ClassUnicode::empty();
        // What follows must take a character: else the group could end with the match.
        let follower_may_be_empty =
            rest.iter().try_fold(true, |empty, part| Some(empty && first_chars(part, &mut next)?))?;
        if follower_may_be_empty {
            return None;
        }
        let mut both = held.clone();
        both.intersect(&next);
        if both.iter().next().is_some() {
            return None;
        }
        let ranges: Vec<(char, char)> = held.iter().map(|range| (range.start(), range.end())).collect();
        let mut ascii = [false; 128];
        for (byte, slot) in ascii.iter_mut().enumerate() {
            let c = char::from(byte as u8);
            *slot = ranges.iter().any(|&(start, end)| start <= c && c <= end);
        }
        Some(LeadingGroup { ranges, ascii })
    }

    fn holds(&self, c: char) -> bool {
        match self.ascii.get(c as usize) {
            Some(&held) => held,
            None => {
                let next = self.ranges.partition_point(|&(_, end)| end < c);
                self.ranges.get(next).is_some_and(|&(start, _)| start <= c)
            }
        }
    }

    /// The group's text in `found`, a match of the pattern.
    fn of<'m>(&self, found: &'m str) -> &'m str {
        let end = found.char_indices().find(|&(_, c)| !self.holds(c)).map_or(found.len(), |(at, _)| at);
        &found[..end]
    }
}

/// The parts a match of `hir` goes through, in order, as far as they begin it: captures other
/// than `keep` and leading concatenations opened up.
fn leading_parts(hir: &Hir, keep: u32) -> Vec<&Hir> {
    match hir.kind() {
        HirKind::Capture(capture) if capture.index != keep => leading_parts(&capture.sub, keep),
        HirKind::Concat(parts) => {
            let mut leading = parts.first().map_or_else(Vec::new, |first| leading_parts(first, keep));
            leading.extend(parts.iter().skip(1));
            leading
        }
        _ => vec![hir],
    }
}

/// Adds every character a match of `hir` can hold to `set`; `None` for what this cannot tell
/// (assertions, byte classes).
fn held_chars(hir: &Hir, set: &mut ClassUnicode) -> Option<()> {
    match hir.kind() {
        HirKind::Empty => {}
        HirKind::Literal(literal) => {
            for c in std::str::from_utf8(&literal.0).ok()?.chars() {
                set.push(ClassUnicodeRange::new(c, c));
            }
        }
        HirKind::Class(Class::Unicode(class)) => set.union(class),
        HirKind::Class(Class::Bytes(_)) | HirKind::Look(_) => return None,
        HirKind::Repetition(repetition) => held_chars(&repetition.sub, set)?,
        HirKind::Capture(capture) => held_chars(&capture.sub, set)?,
        HirKind::Concat(parts) | HirKind::Alternation(parts) => {
            for part in parts {
                held_chars(part, set)?;
            }
        }
    }
    Some(())
}

/// Adds every character a match of `hir` can begin with to `set`; returns whether it may match
/// the empty string (assertions take no character). `None` for byte classes.
fn first_chars(hir: &Hir, set: &mut ClassUnicode) -> Option<bool> {
    Some(match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(literal) => match std::str::from_utf8(&literal.0).ok()?.chars().next() {
            Some(c) => {
                set.push(ClassUnicodeRange::new(c, c));
                false
            }
            None => true,
        },
        HirKind::Class(Class::Unicode(class)) => {
            set.union(class);
            false
        }
        HirKind::Class(Class::Bytes(_)) => return None,
        HirKind::Repetition(repetition) => first_chars(&repetition.sub, set)? || repetition.min == 0,
        HirKind::Capture(capture) => first_chars(&capture.sub, set)?,
        HirKind::Concat(parts) => {
            for part in parts {
                if !first_chars(part, set)? {
                    return Some(false);
                }
            }
            true
        }
        HirKind::Alternation(branches) => {
            let mut empty = false;
            for branch in branches {
                empty |= first_chars(branch, set)?;
            }
            empty
        }
    })
}

/// Whether group `name` of `hir` is the whole match: the pattern is that group, with at most
/// assertions around it.
fn is_whole_match(hir: &Hir, name: usize) -> bool {
    match hir.kind() {
        HirKind::Capture(capture) => capture.index as usize == name,
        HirKind::Concat(parts) => {
            let mut taking = parts.iter().filter(|part| !matches!(part.kind(), HirKind::Look(_)));
            taking.next().is_some_and(|part| is_whole_match(part, name)) && taking.next().is_none()
        }
        _ => false,
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
    /// What a block must show for each rule to be run on it: one of the literals every match
    /// holds (`Act`, `-based`, `$`), found by a vectorised search, and for a rule anchored at
    /// the start of the block, a first byte that can begin a match. Most rules fail these on
    /// most blocks. (A set of all the regexes, which tells exactly which match, builds lazy DFA
    /// states for every mix of the rules' positions: on text it has not seen, it cost more than
    /// the regexes it saved.)
    gates: Vec<Gate>,
}

impl Patterns {
    pub fn new(rules: Vec<PatternRule>) -> Patterns {
        let gates = rules.iter().map(|rule| Gate::new(rule.regex.as_str())).collect();
        Patterns { rules, gates }
    }

    pub fn find<'a>(&'a self, text: &'a str, region: Span, out: &mut Vec<Candidate<'a>>) {
        let slice = region.of(text);
        // In rule order, as the candidates' order breaks ties between equal ones.
        for (rule, gate) in self.rules.iter().zip(&self.gates) {
            if gate.admits(slice) {
                rule.find(text, region, out);
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

    fn leading(pattern: &str, group: usize) -> Option<LeadingGroup> {
        LeadingGroup::new(&regex_syntax::parse(pattern).unwrap(), group)
    }

    #[test]
    fn a_leading_group_is_read_off_the_match() {
        let first = leading(r"(?P<name>(?P<first>\p{Lu}\p{Ll}+)(?:\s\p{Lu}\.)?\s(?P<last>\p{Lu}\p{Ll}+))", 2).unwrap();
        assert_eq!(first.of("Émile K. Lund"), "Émile");
        // A group that is not first, or that what follows could continue, or that could end
        // with the match, is not read off.
        assert!(leading(r"(?P<name>(?P<first>\p{Lu}\p{Ll}+)\s(?P<last>\p{Lu}\p{Ll}+))", 3).is_none());
        assert!(leading(r"(?P<first>\p{Lu}\w+)\p{Ll}", 1).is_none());
        assert!(leading(r"(?P<first>\p{Lu}\p{Ll}+)(?:\s\p{Lu})?", 1).is_none());
        assert!(leading(r"x(?P<first>\p{Lu}\p{Ll}+)\s", 1).is_none());
    }

    #[test]
    fn a_name_is_the_whole_match_with_assertions_around_it_only() {
        let whole = |pattern: &str| is_whole_match(&regex_syntax::parse(pattern).unwrap(), 1);
        assert!(whole(r"(?P<name>\p{Lu}+\sAct)(?-u:\b)"));
        assert!(!whole(r"(?P<name>\p{Lu}+)-based"));
        assert!(!whole(r"in\s(?P<name>\p{Lu}+)"));
    }

    #[test]
    fn title_case_handles_hyphens_and_capitals() {
        assert_eq!(title_case("NEW"), "New");
        assert_eq!(title_case("WINSTON-SALEM"), "Winston-Salem");
    }
}
