//! Names no list can hold, found by regexes whose `name` group is the entity.

use std::borrow::Cow;
use std::sync::Arc;

use regex::Regex;

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
        Ok(PatternRule {
            rule: rule_index,
            regex,
            key_group,
            name_group,
            conditions,
            canonical: rule.canonical,
            canonical_map,
            strip_leading: rule.strip_leading.clone(),
        })
    }

    fn find<'a>(&'a self, text: &'a str, region: Span, out: &mut Vec<Candidate<'a>>) {
        let slice = region.of(text);
        // The matches one after another, as `captures_iter` finds them, into one set of
        // locations rather than a new one per match.
        let mut locations = self.regex.capture_locations();
        let mut at = 0;
        while at <= slice.len() {
            let Some(found) = self.regex.captures_read_at(&mut locations, slice, at) else {
                break;
            };
            if found.is_empty() {
                // An empty match names nothing; the search goes on from the next character.
                at = found.end() + slice[found.end()..].chars().next().map_or(1, char::len_utf8);
                continue;
            }
            at = found.end();
            let group = |index: usize| locations.get(index).map(|(start, end)| (start, &slice[start..end]));
            let Some((name_start, name)) = group(self.name_group) else {
                continue;
            };
            let holds = |&(index, ref words, must_be_in): &(usize, Arc<WordList>, bool)| {
                group(index).is_some_and(|(_, part)| words.contains(part)) == must_be_in
            };
            if !self.conditions.iter().all(holds) {
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

    #[test]
    fn title_case_handles_hyphens_and_capitals() {
        assert_eq!(title_case("NEW"), "New");
        assert_eq!(title_case("WINSTON-SALEM"), "Winston-Salem");
    }
}
