//! Names no list can hold, found by regexes whose `name` group is the entity.

use std::borrow::Cow;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use regex_automata::hybrid::LazyStateID;
use regex_automata::meta::{self, Regex};
use regex_automata::nfa::thompson::{backtrack, backtrack::BoundedBacktracker};
use regex_automata::util::captures::{Captures, GroupInfo};
use regex_automata::{Anchored, Input, MatchKind};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Capture, Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Look, Repetition};

use super::gazetteer::LiteralStarts;
use super::lists::{Lists, WordList};
use super::names::collapse;
use super::{Candidate, EntityRule};
use crate::chars::ByteRanges;
use crate::rules::gate::{self, Gate};
use crate::rules::lazy::{self, AnchoredStarts, LazyCache, LazyDfa};
use crate::rules::{self, RuleError, RuleFile};
use crate::span::Span;
use aho_corasick::packed;
use regex_syntax::utf8::Utf8Sequences;

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
    /// The pattern as written, and compiled as `regex::Regex` compiles it; the regex engines'
    /// own interface lets a capture search start and end where the match is already known.
    pattern: String,
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
    /// The conditions on a run group (see [`RunGroup`]), by index in `conditions`: checked on
    /// the match's runs before a capture search, which most matches then never need (no word of
    /// `Ann Lee` is a place, so `Lee` is not either).
    runs: Vec<(usize, RunGroup)>,
    /// Whether the name is the match and every condition is a leading one or on a run group: a
    /// match whose runs settle the latter needs no capture search.
    runs_settle: bool,
    /// The regex with its classes cut to their ASCII characters, for the capture search of a
    /// match made of ASCII (most are): it finds the same groups there, and its automaton is a
    /// fraction of the size, which the capture search reads through at every match. A bounded
    /// backtracker, which the regex would run too, but only after a lazy DFA had found the
    /// match again: its span is known already.
    ascii_captures: Option<BoundedBacktracker>,
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
        let bad_regex =
            |error: &dyn std::fmt::Display| RuleError::at(file, pattern.span(), format!("bad regex: {error}"));
        let hir = regex_syntax::parse(pattern.get_ref()).map_err(|error| bad_regex(&error))?;
        let regex = build_regex(&hir).map_err(|error| bad_regex(&error))?;
        let group_index = |group: &str| {
            regex.group_info().pattern_names(regex_automata::PatternID::ZERO).position(|name| name == Some(group))
        };
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
        let leading: Vec<(LeadingGroup, Arc<WordList>, bool)> = conditions
            .iter()
            .filter_map(|(group, words, must_be_in)| {
                let leading = LeadingGroup::new(&hir, *group)?;
                Some((leading, Arc::clone(words), *must_be_in))
            })
            .collect();
        let name_is_match = is_whole_match(&hir, name_group);
        let needs_captures = !name_is_match || key_group.is_some() || leading.len() < conditions.len();
        // The conditions on leading groups are told on the text before, by the caller.
        let runs: Vec<(usize, RunGroup)> = conditions
            .iter()
            .enumerate()
            .filter(|&(_, (group, ..))| LeadingGroup::new(&hir, *group).is_none())
            .filter_map(|(index, (group, ..))| Some((index, RunGroup::new(&hir, *group)?)))
            .collect();
        let runs_settle = name_is_match && key_group.is_none() && leading.len() + runs.len() == conditions.len();
        let ascii_captures = needs_captures.then(|| ascii_regex(&hir, &regex)).flatten();
        Ok(PatternRule {
            rule: rule_index,
            pattern: pattern.get_ref().clone(),
            regex,
            key_group,
            name_group,
            conditions,
            leading,
            needs_captures,
            runs,
            runs_settle,
            ascii_captures,
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
        let mut locations: Option<Groups> = None;
        let mut at = 0;
        while at <= slice.len() {
            let Some(found) = self.regex.search(&Input::new(slice).range(at..)) else {
                break;
            };
            if found.is_empty() {
                // An empty match names nothing; the search goes on from the next character.
                at = found.end() + slice[found.end()..].chars().next().map_or(1, char::len_utf8);
                continue;
            }
            at = found.end();
            if self.leading_fails(&slice[found.range()]).is_some() {
                continue;
            }
            if let Some(candidate) = self.candidate(text, region, found.range(), &mut locations) {
                out.push(candidate);
            }
        }
    }

    /// `None` if the conditions on the leading groups hold for a match that begins `from`: the
    /// text of the match, or all of the text from the match's start, in which a leading group
    /// reads the same (see [`LeadingGroup`]). Else how many bytes such a match takes at least:
    /// a failing group's and what the pattern takes past it.
    fn leading_fails(&self, from: &str) -> Option<usize> {
        self.leading.iter().find_map(|(leading, words, must_be_in)| {
            let group = leading.of(from);
            (words.contains(group) != *must_be_in).then_some(group.len() + leading.rest)
        })
    }

    /// For a match `found` whose conditions need a capture search to be told, `None` if the
    /// conditions on its run groups fail: the match names nothing. Else whether it needs that
    /// search still: not when its runs settled every condition the leading groups left.
    fn runs_hold(&self, found: &str) -> Option<bool> {
        let mut unsettled = false;
        for (index, group) in &self.runs {
            let (_, words, must_be_in) = &self.conditions[*index];
            // The group's text is one of the runs: when none is listed, it is not either.
            let listed = group.runs(found).any(|run| words.contains(run));
            if !listed && *must_be_in {
                return None;
            }
            unsettled |= listed;
        }
        Some(unsettled || !self.runs_settle)
    }

    /// The candidate that the match at `found` in `region` of `text` names, if any, for a match
    /// whose leading groups are known to hold (see [`PatternRule::leading_fails`]).
    fn candidate<'a>(
        &'a self,
        text: &'a str,
        region: Span,
        found: std::ops::Range<usize>,
        locations: &mut Option<Groups>,
    ) -> Option<Candidate<'a>> {
        let slice = region.of(text);
        let matched = &slice[found.clone()];
        let needs_captures = self.needs_captures && self.runs_hold(matched)?;
        // The match was found by the fast engines; the groups only for a match that may name
        // something, by a search anchored at its start and ending at its end, which finds the
        // same match without looking for where it starts.
        if needs_captures {
            let Groups { slots, backtrack } = locations.get_or_insert_with(|| Groups {
                slots: self.regex.create_captures(),
                backtrack: self.ascii_captures.as_ref().map(BoundedBacktracker::create_cache),
            });
            let input = Input::new(slice).span(found.clone()).anchored(Anchored::Yes);
            let searched = match (&self.ascii_captures, backtrack) {
                // The backtracker declines a match too long for its memory of visited states.
                (Some(ascii), Some(cache)) if matched.is_ascii() => ascii.try_search(cache, &input, slots).is_ok(),
                _ => false,
            };
            if !searched {
                self.regex.search_captures(&input, slots);
            }
            debug_assert_eq!(slots.get_match().map(|m| m.range()), Some(found.clone()));
        }
        let group = |index: usize| match &locations {
            Some(Groups { slots, .. }) if needs_captures => {
                slots.get_group(index).map(|span| (span.start, &slice[span.start..span.end]))
            }
            // Without captures, only the name is asked for, and it is the match.
            _ => Some((found.start, matched)),
        };
        let (name_start, name) = group(self.name_group)?;
        let holds = |&(index, ref words, must_be_in): &(usize, Arc<WordList>, bool)| {
            group(index).is_some_and(|(_, part)| words.contains(part)) == must_be_in
        };
        // Without captures every condition is a leading one, which the caller checked, or one
        // that the match's runs settled.
        if needs_captures && !self.conditions.iter().all(holds) {
            return None;
        }
        let mut span = Span::new(region.start + name_start, region.start + name_start + name.len());
        span = self.strip(text, span);
        if span.is_empty() || !super::is_whole_word(text, span) {
            return None;
        }
        let key = self.key_group.and_then(group).map_or(span.of(text), |(_, part)| part);
        let canonical = match self.canonical_map.as_ref().and_then(|map| map.canonical(key)) {
            Some(listed) => Cow::Borrowed(listed),
            None => self.canonical_of(span.of(text)),
        };
        Some(Candidate { span, rule: self.rule, canonical })
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
    held: Held,
    /// The fewest bytes a match takes past the group.
    rest: usize,
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
        // What follows must take a character: else the group could end with the match.
        if apart(&held, rest, Edge::First)? {
            return None;
        }
        let rest = rest.iter().map(|part| part.properties().minimum_len()).sum::<Option<usize>>().unwrap_or(0);
        Some(LeadingGroup { held: Held::new(&held), rest })
    }

    /// The group's text in `found`, a match of the pattern or a text that begins with one: what
    /// follows the group in the match begins with a character the group cannot hold.
    fn of<'m>(&self, found: &'m str) -> &'m str {
        // Byte by byte while the text is ASCII (a name's first word mostly is), without decoding
        // its characters.
        let bytes = found.as_bytes();
        let ascii = bytes.iter().position(|&byte| !byte.is_ascii() || !self.held.ascii[usize::from(byte)]);
        let Some(from) = ascii.filter(|&at| !bytes[at].is_ascii()) else {
            return &found[..ascii.unwrap_or(found.len())];
        };
        let end =
            found[from..].char_indices().find(|&(_, c)| !self.held.holds(c)).map_or(found.len(), |(at, _)| from + at);
        &found[..end]
    }
}

/// A capture group that every match goes through, never empty, between characters it cannot
/// hold or the ends of the match: its text is then one of the match's runs of the characters it
/// can hold. For the surname of `(?P<first>\p{Lu}\p{Ll}+)\s(?P<last>\p{Lu}\p{Ll}+)(?:\sJr\.)?`,
/// one of the match's words. When no run of a match is in a group's list, the group's text is
/// not either, which a capture search need not be run to tell.
#[derive(Debug)]
struct RunGroup {
    held: Held,
}

impl RunGroup {
    /// The run group `group` of `hir`, if it is one.
    fn new(hir: &Hir, group: usize) -> Option<RunGroup> {
        let (capture, before, after) = around(hir, group as u32)?;
        if capture.sub.properties().minimum_len().is_none_or(|len| len == 0) {
            return None;
        }
        let mut held = ClassUnicode::empty();
        held_chars(&capture.sub, &mut held)?;
        apart(&held, &before, Edge::Last)?;
        apart(&held, &after, Edge::First)?;
        Some(RunGroup { held: Held::new(&held) })
    }

    /// The runs of `found`, a match of the pattern, one of which is the group's text.
    fn runs<'m>(&'m self, found: &'m str) -> impl Iterator<Item = &'m str> {
        found.split(|c| !self.held.holds(c)).filter(|run| !run.is_empty())
    }
}

/// The characters a group can hold, as sorted ranges, and the ASCII ones as a table.
#[derive(Debug)]
struct Held {
    ranges: Vec<(char, char)>,
    ascii: [bool; 128],
}

impl Held {
    fn new(class: &ClassUnicode) -> Held {
        let ranges: Vec<(char, char)> = class.iter().map(|range| (range.start(), range.end())).collect();
        let mut ascii = [false; 128];
        for (byte, slot) in ascii.iter_mut().enumerate() {
            let c = char::from(byte as u8);
            *slot = ranges.iter().any(|&(start, end)| start <= c && c <= end);
        }
        Held { ranges, ascii }
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
}

/// Whether `parts`, what a match goes through on one side of a group, nearest first, may take
/// no character there; `None` if a character of `held` may be the one next to the group, or if
/// this cannot tell.
fn apart(held: &ClassUnicode, parts: &[&Hir], edge: Edge) -> Option<bool> {
    let mut next = ClassUnicode::empty();
    let may_be_empty = parts.iter().try_fold(true, |empty, part| Some(empty && edge_chars(part, edge, &mut next)?))?;
    let mut both = held.clone();
    both.intersect(&next);
    both.iter().next().is_none().then_some(may_be_empty)
}

/// Group `group` of `hir`, if every match goes through it, with the parts of the match before
/// it and after it, nearest first.
fn around(hir: &Hir, group: u32) -> Option<(&Capture, Vec<&Hir>, Vec<&Hir>)> {
    match hir.kind() {
        HirKind::Capture(capture) if capture.index == group => Some((capture, Vec::new(), Vec::new())),
        HirKind::Capture(capture) => around(&capture.sub, group),
        HirKind::Concat(parts) => parts.iter().enumerate().find_map(|(at, part)| {
            let (capture, mut before, mut after) = around(part, group)?;
            before.extend(parts[..at].iter().rev());
            after.extend(&parts[at + 1..]);
            Some((capture, before, after))
        }),
        _ => None,
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

/// Which end of a match [`edge_chars`] looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    First,
    Last,
}

/// Adds every character a match of `hir` can begin with (or end with, for [`Edge::Last`]) to
/// `set`; returns whether it may match the empty string (assertions take no character). `None`
/// for byte classes.
fn edge_chars(hir: &Hir, edge: Edge, set: &mut ClassUnicode) -> Option<bool> {
    Some(match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(literal) => {
            let mut chars = std::str::from_utf8(&literal.0).ok()?.chars();
            match if edge == Edge::First { chars.next() } else { chars.next_back() } {
                Some(c) => {
                    set.push(ClassUnicodeRange::new(c, c));
                    false
                }
                None => true,
            }
        }
        HirKind::Class(Class::Unicode(class)) => {
            set.union(class);
            false
        }
        HirKind::Class(Class::Bytes(_)) => return None,
        HirKind::Repetition(repetition) => edge_chars(&repetition.sub, edge, set)? || repetition.min == 0,
        HirKind::Capture(capture) => edge_chars(&capture.sub, edge, set)?,
        HirKind::Concat(parts) => {
            let mut ordered: Vec<&Hir> = parts.iter().collect();
            if edge == Edge::Last {
                ordered.reverse();
            }
            for part in ordered {
                if !edge_chars(part, edge, set)? {
                    return Some(false);
                }
            }
            true
        }
        HirKind::Alternation(branches) => {
            let mut empty = false;
            for branch in branches {
                empty |= edge_chars(branch, edge, set)?;
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

/// The backtracker of `hir` with its classes cut to ASCII ([`ascii_only`]), if it has the groups
/// of `regex`, the regex of `hir`, and no assertion that tells Unicode word characters: on a text
/// of ASCII, it then matches where `regex` does, with the same groups, whatever is around. Its
/// automaton is compiled as the regex compiles its own ([`rules::capturing_nfa`]).
fn ascii_regex(hir: &Hir, regex: &Regex) -> Option<BoundedBacktracker> {
    if hir.properties().look_set().contains_word_unicode() {
        return None;
    }
    let nfa = rules::capturing_nfa(&ascii_only(hir))?;
    let names = |groups: &GroupInfo| {
        groups.all_names().map(|(_, index, name)| (index, name.map(str::to_string))).collect::<Vec<_>>()
    };
    (names(nfa.group_info()) == names(regex.group_info())).then(|| BoundedBacktracker::new_from_nfa(nfa).ok()).flatten()
}

/// `hir` with each class of characters cut to its ASCII characters.
fn ascii_only(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) => {
            let mut ascii = class.clone();
            ascii.intersect(&ClassUnicode::new([ClassUnicodeRange::new('\0', '\x7F')]));
            Hir::class(Class::Unicode(ascii))
        }
        HirKind::Repetition(repetition) => Hir::repetition(Repetition {
            min: repetition.min,
            max: repetition.max,
            greedy: repetition.greedy,
            sub: Box::new(ascii_only(&repetition.sub)),
        }),
        HirKind::Capture(capture) => Hir::capture(Capture {
            index: capture.index,
            name: capture.name.clone(),
            sub: Box::new(ascii_only(&capture.sub)),
        }),
        HirKind::Concat(parts) => Hir::concat(parts.iter().map(ascii_only).collect()),
        HirKind::Alternation(branches) => Hir::alternation(branches.iter().map(ascii_only).collect()),
        _ => hir.clone(),
    }
}

/// The regex of `hir`, built as `regex::RegexBuilder` builds the rule regexes
/// ([`rules::build_regex`]).
fn build_regex(hir: &Hir) -> Result<Regex, String> {
    let config = meta::Config::new()
        .match_kind(MatchKind::LeftmostFirst)
        .utf8_empty(true)
        .nfa_size_limit(Some(rules::REGEX_SIZE_LIMIT))
        .hybrid_cache_capacity(rules::REGEX_DFA_SIZE_LIMIT);
    meta::Builder::new().configure(config).build_from_hir(hir).map_err(|error| match error.size_limit() {
        Some(limit) => format!("the compiled regex exceeds the size limit of {limit} bytes"),
        None => error.to_string(),
    })
}

/// Words one of which begins every match of `hir` (none empty), if there are such. A class of
/// up to [`PREFIX_CLASS`] characters is written out, so that a word is told with the space
/// after it (`a `, not every word that begins with `a`), as long as there are no more than
/// [`PREFIX_WORDS`] words.
fn prefix_literals(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let prefixes =
        Extractor::new().kind(ExtractKind::Prefix).limit_class(PREFIX_CLASS).limit_total(PREFIX_WORDS).extract(hir);
    let literals = prefixes.literals()?;
    let words: Vec<Vec<u8>> = literals.iter().map(|literal| literal.as_bytes().to_vec()).collect();
    (!words.is_empty() && words.iter().all(|word| !word.is_empty())).then_some(words)
}

/// `\s`, the 25 white-space characters, fits.
const PREFIX_CLASS: usize = 32;
const PREFIX_WORDS: usize = 250;

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
    /// The rules found from their possible starts instead, if any.
    starts: Option<Starts>,
}

impl Patterns {
    pub fn new(rules: Vec<PatternRule>) -> Patterns {
        let gates = rules.iter().map(|rule| Gate::new(&rule.pattern)).collect();
        let starts = Starts::new(&rules);
        Patterns { rules, gates, starts }
    }

    /// Appends the candidates of each of `regions` of `text` in turn. A thread's walks take
    /// their caches once for all the regions, most of which are a few lines long.
    pub fn find<'a>(&'a self, text: &'a str, regions: &[Span], out: &mut Vec<Candidate<'a>>) {
        let mut scratch = self.starts.as_ref().map(|starts| (starts, starts.caches.get()));
        let mut started = Vec::new();
        for &region in regions {
            if let Some((starts, scratch)) = &mut scratch {
                starts.find(scratch, &self.rules, &self.gates, text, region, &mut started);
                // Stable: each rule's candidates stay in the order of the text.
                started.sort_by_key(|&(rule, _)| rule);
            }
            self.add(text, region, &mut started, out);
        }
    }

    /// Appends to `out` the candidates of `region` of `text`: `started`, those of the walked
    /// rules by rule, which it takes, and those the other rules find.
    fn add<'a>(
        &'a self,
        text: &'a str,
        region: Span,
        started: &mut Vec<(usize, Candidate<'a>)>,
        out: &mut Vec<Candidate<'a>>,
    ) {
        // In rule order, as the candidates' order breaks ties between equal ones.
        if self.starts.as_ref().is_some_and(|starts| starts.members.len() == self.rules.len()) {
            // Most blocks have none, and an empty drain costs tens of instructions all the same.
            if !started.is_empty() {
                out.extend(started.drain(..).map(|(_, candidate)| candidate));
            }
            return;
        }
        let slice = region.of(text);
        let mut started = started.drain(..).peekable();
        for (index, (rule, gate)) in self.rules.iter().zip(&self.gates).enumerate() {
            if self.starts.as_ref().is_some_and(|starts| starts.walked[index]) {
                while let Some((_, candidate)) = started.next_if(|&(rule, _)| rule == index) {
                    out.push(candidate);
                }
            } else if gate.admits(slice) {
                rule.find(text, region, out);
            }
        }
    }

    /// Whether the rule at `index` is a pattern rule.
    pub fn contains(&self, index: usize) -> bool {
        self.rules.iter().any(|r| r.rule == index)
    }
}

type Pool<T, F> = regex_automata::util::pool::Pool<T, F>;
type CacheMaker = lazy::CacheMaker<Scratch>;

/// A rule's capture groups, and the cache of its ASCII backtracker if it has one (see
/// [`PatternRule::ascii_captures`]).
struct Groups {
    slots: Captures,
    backtrack: Option<backtrack::Cache>,
}

/// What a thread's walks write to: the caches of the two lazy DFAs, and what a block's walk keeps
/// track of, kept from block to block rather than allocated for each.
struct Scratch {
    walk: LazyCache,
    ends: LazyCache,
    /// The start states of the walks, and of each member's search for its match's end.
    walk_starts: AnchoredStarts,
    end_starts: Vec<AnchoredStarts>,
    /// Where each rule's next search may begin.
    next: Vec<usize>,
    /// The members that match in each match state of the walk met so far.
    state_members: StateMembers,
    /// Each rule's capture groups, made for its first match that needs them.
    locations: Vec<Option<Groups>>,
    /// Each rule's last match whose end is not looked up yet: a match whose leading groups fail
    /// names nothing, and its end only tells whether a later start of its rule falls inside it.
    unended: Vec<Option<Unended>>,
}

/// A match whose end is not looked up yet, with bounds on that end.
#[derive(Debug, Clone)]
struct Unended {
    start: usize,
    /// Where its shortest match from `start` would end (see [`PatternRule::leading_fails`]): a
    /// later start before it falls inside the match, whatever its end (`Rose` of `Stocks Rose`).
    at_least: usize,
    /// Past its end: where the walk that found it died.
    before: usize,
}

/// The rules whose matches begin only where few positions of a text do: with a byte such as a
/// capital letter or `$`, or with one of a few words (`based in`, a title, an article after a
/// word boundary). They are searched from those positions only. A regex search reads every byte
/// of the block, once per rule, and finds where a match starts by a second search backwards
/// over it, whose lazy DFA states are built anew on text it has not seen. Here one lazy DFA of
/// all these rules, anchored, is walked from each possible start until it dies, a few bytes on:
/// it tells which rules match there, and only those search, from there, for the match the
/// regex would find (the leftmost one is the one starting there). The anchored DFA has few
/// states, as it follows one start at a time.
struct Starts {
    /// The indices in [`Patterns::rules`] of the rules walked, by pattern of `dfa`.
    members: Vec<usize>,
    /// Whether the rule at each index in [`Patterns::rules`] is walked.
    walked: Vec<bool>,
    /// What a byte may begin, by bit: a match of a rule walked from its first bytes
    /// ([`BEGINS_MATCH`]), or one of the words the other walked rules begin with, anywhere
    /// ([`BEGINS_WORD`]) or after a word boundary only ([`BEGINS_WORD_AFTER_BOUNDARY`]).
    first: [u8; 256],
    /// For a byte that begins a character of two bytes or more and may begin a match
    /// ([`BEGINS_MATCH`]), the bytes that may follow it there, by row `byte - 0xC0`: the
    /// characters a match may begin with are few of those that share a first byte (`’`, `–` and
    /// `é` begin none, `À` begins one).
    second: Box<[[u64; 4]; 64]>,
    /// Where those words may begin.
    words: Option<LiteralStarts>,
    words_after_boundary: Option<LiteralStarts>,
    /// What the bytes of a block are sifted with, sixteen at a time: the bytes that may begin a
    /// match ([`BEGINS_MATCH`]) or a word after a word boundary, or ranges that take them in.
    sifted: ByteRanges,
    /// The ASCII lower-case letters: one after another is inside a word, where it begins no
    /// match (no rule walked from its first bytes begins with one, see [`Starts::new`]) and no
    /// word after a word boundary. The sifted bytes that begin such words (`a`, `t`) are mostly
    /// there, and are dropped so sixty-four at a time rather than tested one by one.
    lower_case: ByteRanges,
    /// The words that may begin anywhere and with a byte that begins no match (a lower-case
    /// letter, which most words of a text begin with): their first bytes, and a vectorised
    /// search for their heads when one can be built.
    words_anywhere: Option<WordsAnywhere>,
    dfa: LazyDfa,
    /// The same rules' automaton, leftmost-first and anchored at a chosen rule's start: where
    /// the match the regex would find from a start ends, without a search backwards.
    ends: LazyDfa,
    caches: Pool<Scratch, CacheMaker>,
}

impl std::fmt::Debug for Starts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Starts").field("members", &self.members).finish_non_exhaustive()
    }
}

/// The most memory the walked lazy DFA may take, as for a rule regex (see
/// [`rules::REGEX_DFA_SIZE_LIMIT`]).
const STARTS_CACHE: usize = rules::REGEX_DFA_SIZE_LIMIT;

/// The bits of [`Starts::first`].
const BEGINS_MATCH: u8 = 1;
const BEGINS_WORD: u8 = 2;
const BEGINS_WORD_AFTER_BOUNDARY: u8 = 4;

/// How many steps of the walks a block may take, per byte before the start walked from, and in
/// all, before its regexes take over: prose takes about one.
const WALK_STEPS_PER_BYTE: usize = 16;
const WALK_STEPS_FREE: usize = 4096;

impl Starts {
    /// The walk of the rules that can take it: those whose matches are never empty and begin
    /// either with no lower-case ASCII letter (which begins most words of a text) or with one of
    /// a few words. `None` if no rule can.
    fn new(rules: &[PatternRule]) -> Option<Starts> {
        let mut members = Vec::new();
        let mut first = [0u8; 256];
        let mut second = Box::new([[0u64; 4]; 64]);
        let mut words: Vec<Vec<u8>> = Vec::new();
        let mut words_after_boundary: Vec<Vec<u8>> = Vec::new();
        let mut sources = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            // A walk tells the members that match as bits of a `u64`; the rules past them are
            // left to their regexes.
            if members.len() == u64::BITS as usize {
                break;
            }
            let Ok(hir) = regex_syntax::parse(&rule.pattern) else {
                continue;
            };
            let Some(bytes) = gate::first_bytes(&hir) else {
                continue;
            };
            if !(b'a'..=b'z').any(|byte| gate::has_byte(&bytes, byte)) {
                for byte in 0..=255u8 {
                    if gate::has_byte(&bytes, byte) {
                        first[usize::from(byte)] |= BEGINS_MATCH;
                    }
                }
                let mut chars = ClassUnicode::empty();
                match edge_chars(&hir, Edge::First, &mut chars) {
                    Some(_) => add_second_bytes(&chars, &mut second),
                    // Characters this cannot tell: any byte may follow.
                    None => {
                        for lead in 0xC0..=0xFFu8 {
                            if gate::has_byte(&bytes, lead) {
                                second[usize::from(lead - 0xC0)] = [!0; 4];
                            }
                        }
                    }
                }
            } else if let Some(literals) = prefix_literals(&hir) {
                // After a word boundary, a word that begins with a letter or digit begins where
                // the byte before is none: most of its occurrences inside words are passed over.
                let boundary = hir.properties().look_set_prefix().iter().any(|look| {
                    matches!(
                        look,
                        Look::WordAscii
                            | Look::WordUnicode
                            | Look::WordStartAscii
                            | Look::WordStartUnicode
                            | Look::WordStartHalfAscii
                            | Look::WordStartHalfUnicode
                    )
                });
                for literal in literals {
                    let lead = usize::from(literal[0]);
                    if boundary && regex_syntax::is_word_byte(literal[0]) {
                        first[lead] |= BEGINS_WORD_AFTER_BOUNDARY;
                        words_after_boundary.push(literal);
                    } else {
                        first[lead] |= BEGINS_WORD;
                        words.push(literal);
                    }
                }
            } else {
                continue;
            }
            members.push(index);
            sources.push(rule.pattern.as_str());
        }
        if members.is_empty() {
            return None;
        }
        let begins_no_match = |byte: u8| first[usize::from(byte)] & BEGINS_MATCH == 0;
        let sifted = ByteRanges::covering(SIFT_RANGES, |byte| {
            first[usize::from(byte)] & (BEGINS_MATCH | BEGINS_WORD_AFTER_BOUNDARY) != 0
        });
        let mut heads: Vec<&[u8]> = words
            .iter()
            .filter(|word| begins_no_match(word[0]))
            .map(|word| &word[..word.len().min(WORD_HEAD)])
            .collect();
        heads.sort_unstable();
        heads.dedup();
        let words_anywhere = (!heads.is_empty()).then(|| WordsAnywhere {
            first: std::array::from_fn(|byte| heads.iter().any(|head| usize::from(head[0]) == byte)),
            heads: packed::Config::new().match_kind(packed::MatchKind::LeftmostFirst).builder().extend(&heads).build(),
        });
        let literal_starts = |literals: &[Vec<u8>]| {
            (!literals.is_empty()).then(|| LiteralStarts::new(literals.iter().map(Vec::as_slice)))
        };
        let words_after_boundary = literal_starts(&words_after_boundary);
        let words = literal_starts(&words);
        let nfa = regex_automata::nfa::thompson::Compiler::new()
            .configure(lazy::without_captures(rules::REGEX_SIZE_LIMIT))
            .build_many(&sources)
            .ok()
            // A walk cannot tell where an empty match would be split inside a character.
            .filter(|nfa| !nfa.has_empty())?;
        let dfa = LazyDfa::builder()
            .configure(LazyDfa::config().match_kind(MatchKind::All).cache_capacity(STARTS_CACHE))
            .build_from_nfa(nfa.clone())
            .ok()?;
        let ends = LazyDfa::builder()
            .configure(
                LazyDfa::config()
                    .match_kind(MatchKind::LeftmostFirst)
                    .starts_for_each_pattern(true)
                    .cache_capacity(STARTS_CACHE),
            )
            .build_from_nfa(nfa)
            .ok()?;
        let makers = (dfa.clone(), ends.clone());
        let walked_rules = members.len();
        let caches = Pool::new(Box::new(move || Scratch {
            walk: makers.0.create_cache(),
            ends: makers.1.create_cache(),
            walk_starts: AnchoredStarts::new(Anchored::Yes),
            end_starts: (0..walked_rules)
                .map(|member| AnchoredStarts::new(Anchored::Pattern(regex_automata::PatternID::new_unchecked(member))))
                .collect(),
            next: Vec::with_capacity(walked_rules),
            state_members: StateMembers::default(),
            locations: std::iter::repeat_with(|| None).take(walked_rules).collect(),
            unended: Vec::with_capacity(walked_rules),
        }) as CacheMaker);
        let mut walked = vec![false; rules.len()];
        for &index in &members {
            walked[index] = true;
        }
        Some(Starts {
            members,
            walked,
            first,
            second,
            words,
            words_after_boundary,
            sifted,
            lower_case: ByteRanges::covering(1, |byte| byte.is_ascii_lowercase()),
            words_anywhere,
            dfa,
            ends,
            caches,
        })
    }

    /// Whether a match of a walked rule may begin at `start` in `bytes`, whose byte there may
    /// begin what `begins` (bits of [`Starts::first`]) tells.
    #[inline]
    fn may_begin(&self, bytes: &[u8], start: usize, begins: u8) -> bool {
        let word_at = |words: &Option<LiteralStarts>| words.as_ref().is_some_and(|words| words.begins(bytes, start));
        begins & BEGINS_MATCH != 0
            || (begins & BEGINS_WORD != 0 && word_at(&self.words))
            || (begins & BEGINS_WORD_AFTER_BOUNDARY != 0
                && start.checked_sub(1).is_none_or(|before| !regex_syntax::is_word_byte(bytes[before]))
                && word_at(&self.words_after_boundary))
    }

    /// Whether a walk may start at `start` in `bytes` for what the bits `asked` of
    /// [`Starts::first`] stand for: [`Starts::may_begin`], and for a byte of a character of two
    /// bytes or more, whether a match may begin with that character.
    #[inline]
    fn may_start(&self, bytes: &[u8], start: usize, asked: u8) -> bool {
        let byte = bytes[start];
        let begins = self.first[usize::from(byte)] & asked;
        if begins & BEGINS_MATCH != 0 && !byte.is_ascii() {
            return match byte.checked_sub(0xC0) {
                Some(row) => {
                    bytes.get(start + 1).is_some_and(|&next| gate::has_byte(&self.second[usize::from(row)], next))
                }
                // The bytes inside a character begin nothing.
                None => false,
            };
        }
        begins != 0 && self.may_begin(bytes, start, begins)
    }

    /// The first position from `at` on in `bytes` where one of [`Starts::words_anywhere`] may
    /// begin, or the end of `bytes`.
    fn next_word_anywhere(&self, bytes: &[u8], mut at: usize) -> usize {
        let Some(words) = &self.words_anywhere else {
            return bytes.len();
        };
        match &words.heads {
            Some(heads) => {
                while let Some(found) = heads.find_in(bytes, aho_corasick::Span::from(at..bytes.len())) {
                    if self.may_start(bytes, found.start(), !0) {
                        return found.start();
                    }
                    at = found.start() + 1;
                }
            }
            // Without the vectorised search (too many heads, or no SIMD), each of their first
            // bytes is tested.
            None => {
                while let Some(&byte) = bytes.get(at) {
                    if words.first[usize::from(byte)] && self.may_start(bytes, at, !0) {
                        return at;
                    }
                    at += 1;
                }
            }
        }
        bytes.len()
    }

    /// Walks the DFA over `bytes` from `start` until it dies or `bytes` end: the members that
    /// match from there, as bits, and the number of bytes read; `None` if the walk could not go
    /// on.
    fn walk(
        &self,
        cache: &mut LazyCache,
        starts: &mut AnchoredStarts,
        state_members: &mut StateMembers,
        bytes: &[u8],
        start: usize,
    ) -> Option<(u64, usize)> {
        let state = starts.get(&self.dfa, cache, bytes, start)?;
        // A run of bytes inside a match stays in one match state: its matches are taken once.
        let mut taken = None;
        let mut matching = 0;
        let read = lazy::walk_from(&self.dfa, cache, state, bytes, start..bytes.len(), |cache, state, _| {
            if taken != Some(state) {
                taken = Some(state);
                matching |= state_members.get(&self.dfa, cache, state);
            }
            true
        })?;
        Some((matching, read))
    }

    /// The candidates of the walked rules in `region` of `text`, each with its rule's index,
    /// every rule's in the order its regex finds them, found with the thread's `scratch`.
    /// `gates` are the rules' gates, by index as `rules`.
    fn find<'a>(
        &self,
        scratch: &mut Scratch,
        rules: &'a [PatternRule],
        gates: &[Gate],
        text: &'a str,
        region: Span,
        out: &mut Vec<(usize, Candidate<'a>)>,
    ) {
        let slice = region.of(text);
        let bytes = slice.as_bytes();
        let Scratch {
            walk: walk_cache,
            ends: ends_cache,
            walk_starts,
            end_starts,
            next,
            state_members,
            locations,
            unended,
        } = scratch;
        // Where each rule's next search may begin: the end of its last match, as for a regex
        // iterating over its matches.
        next.clear();
        next.resize(self.members.len(), 0);
        unended.clear();
        unended.resize(self.members.len(), None);
        // For a match whose leading groups hold.
        let mut push = |member: usize, found: std::ops::Range<usize>, out: &mut Vec<(usize, Candidate<'a>)>| {
            let rule = &rules[self.members[member]];
            if let Some(candidate) = rule.candidate(text, region, found, &mut locations[member]) {
                out.push((self.members[member], candidate));
            }
        };
        // The match of a member that begins at `start`, the one its regex would find from there.
        let mut match_from = |member: usize, start: usize| {
            // Walked until it dies, the leftmost-first DFA passes the match's end last.
            let mut end = None;
            let walked = end_starts[member].get(&self.ends, ends_cache, bytes, start).and_then(|state| {
                lazy::walk_from(&self.ends, ends_cache, state, bytes, start..bytes.len(), |_, _, read| {
                    end = Some(start + read);
                    true
                })
            });
            match walked {
                Some(_) => end.map(|end| start..end),
                // The DFA cannot give up (no quit bytes, no giving up); if it did, the regex says.
                None => rules[self.members[member]]
                    .regex
                    .search(&Input::new(slice).range(start..))
                    .map(|found| found.range()),
            }
        };
        let mut steps = 0;
        // The starts found sixteen bytes at a time, and those of the words that may begin
        // anywhere, merged in order.
        let mut sifted = Sift::new(self, text.as_bytes(), region);
        let mut sifted_start = sifted.next(self, bytes);
        let mut word = self.next_word_anywhere(bytes, 0);
        loop {
            let start = word.min(sifted_start);
            if start == bytes.len() {
                break;
            }
            if word == start {
                word = self.next_word_anywhere(bytes, start + 1);
            }
            if sifted_start == start {
                sifted_start = sifted.next(self, bytes);
            }
            // A walk dies a few bytes on in prose, but reads to the end of a long token made of
            // capitals (a code, a run of initials) from each of them: past a budget of a few
            // steps per byte, the regexes search the rest of the block, as they would alone.
            if steps > WALK_STEPS_PER_BYTE * start + WALK_STEPS_FREE {
                for member in 0..self.members.len() {
                    if let Some(unended) = unended[member].take().filter(|unended| start < unended.before) {
                        next[member] = match_from(member, unended.start).map_or(usize::MAX, |found| found.end);
                    }
                    let rule = &rules[self.members[member]];
                    let mut at = start.max(next[member]);
                    // Most rules hold a literal (`Act`, `-based`, `$`) that such a token lacks:
                    // a vectorised search for it spares a regex reading the rest of the block.
                    if !gates[self.members[member]].admits(&slice[at..]) {
                        continue;
                    }
                    while at < bytes.len() {
                        let Some(found) = rule.regex.search(&Input::new(slice).range(at..)) else {
                            break;
                        };
                        at = found.end();
                        if rule.leading_fails(&slice[found.range()]).is_none() {
                            push(member, found.range(), out);
                        }
                    }
                }
                return;
            }
            // With where the walk died: no match from here ends past it.
            let (mut matching, walked_to) = match self.walk(walk_cache, walk_starts, state_members, bytes, start) {
                Some((matching, read)) => {
                    steps += read;
                    (matching, start + read)
                }
                // The walk cannot stop short (no quit bytes, no giving up): if it ever did,
                // every rule searches from here, which finds what the walk would have told.
                None => (u64::MAX >> (u64::BITS as usize - self.members.len()), bytes.len()),
            };
            // In the members' order, as the rules' candidates are kept.
            while matching != 0 {
                let member = matching.trailing_zeros() as usize;
                matching &= matching - 1;
                if start < next[member] || unended[member].as_ref().is_some_and(|unended| start < unended.at_least) {
                    continue;
                }
                if let Some(unended) = unended[member].take().filter(|unended| start < unended.before) {
                    let Some(found) = match_from(member, unended.start) else {
                        next[member] = usize::MAX;
                        continue;
                    };
                    next[member] = found.end;
                    if start < found.end {
                        continue;
                    }
                }
                // No match of the rule begins between its last one and here, so its leftmost
                // match from here is the one the regex finds next. Most that fail their leading
                // groups (a capitalised word that is no listed first name) are told so before
                // their end is looked for, which most of them never need.
                if let Some(shortest) = rules[self.members[member]].leading_fails(&slice[start..]) {
                    unended[member] = Some(Unended { start, at_least: start + shortest, before: walked_to });
                    continue;
                }
                let Some(found) = match_from(member, start) else {
                    next[member] = usize::MAX;
                    continue;
                };
                next[member] = found.end;
                push(member, found, out);
            }
        }
    }
}

/// Adds to `second` (rows by first byte from `0xC0`, see [`Starts::second`]) the second bytes of
/// the characters in `chars` of two bytes or more.
fn add_second_bytes(chars: &ClassUnicode, second: &mut [[u64; 4]; 64]) {
    for range in chars.iter() {
        for sequence in Utf8Sequences::new(range.start(), range.end()) {
            if let [lead, next, ..] = sequence.as_slice() {
                for byte in lead.start..=lead.end {
                    for follower in next.start..=next.end {
                        gate::add_byte(&mut second[usize::from(byte - 0xC0)], follower);
                    }
                }
            }
        }
    }
}

/// How many bytes of a word [`WordsAnywhere::heads`] looks for: enough to tell most words from
/// the many that share their first bytes, few enough that the words sharing them (`based in`
/// followed by each white space) are one.
const WORD_HEAD: usize = 4;

/// The most byte ranges the sift of a block tests: each costs a few vector instructions per
/// sixteen bytes.
const SIFT_RANGES: usize = 4;

/// The members that match in each match state of the walks' DFA, as bits: read off a state once
/// rather than at every walk that meets it. A clearing of the cache renames its states, and so
/// forgets them. Kept in a table by a hash of the state's id, one state a slot: a walk meets a
/// few match states over and over, and a look-up in a hash map costs several times a slot's.
/// A state that finds its slot taken by another is read off again, and takes it.
struct StateMembers {
    clears: usize,
    slots: Box<[Option<(LazyStateID, u64)>; STATE_SLOTS]>,
}

/// How many states [`StateMembers`] keeps, in four KiB: few enough to clear at a cache clearing.
const STATE_SLOTS: usize = 256;

impl Default for StateMembers {
    fn default() -> StateMembers {
        StateMembers { clears: 0, slots: Box::new([None; STATE_SLOTS]) }
    }
}

impl StateMembers {
    #[inline]
    fn get(&mut self, dfa: &LazyDfa, cache: &LazyCache, state: LazyStateID) -> u64 {
        if cache.clear_count() != self.clears {
            self.clears = cache.clear_count();
            self.slots.fill(None);
        }
        let slot = &mut self.slots[state_slot(state)];
        match *slot {
            Some((kept, members)) if kept == state => members,
            _ => {
                let members = (0..dfa.match_len(cache, state))
                    .fold(0, |members, index| members | 1 << dfa.match_pattern(cache, state, index).as_usize());
                *slot = Some((state, members));
                members
            }
        }
    }
}

/// The slot of [`StateMembers`] for `state`: the top bits of its id times an odd constant, which
/// spreads ids that differ only in their low bits (state ids step by the DFA's stride).
#[inline]
fn state_slot(state: LazyStateID) -> usize {
    let mut bits = IdBits(0);
    state.hash(&mut bits);
    (bits.0.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (u64::BITS - STATE_SLOTS.trailing_zeros())) as usize
}

/// A state id's bits, read through its `Hash`, the only way a lazy DFA's state shows them: its
/// `u32` is written whole, where a general hasher would spend tens of instructions mixing it.
struct IdBits(u64);

impl Hasher for IdBits {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u32(&mut self, bits: u32) {
        self.0 = self.0.rotate_left(32) ^ u64::from(bits);
    }
}

/// See [`Starts::words_anywhere`].
#[derive(Debug)]
struct WordsAnywhere {
    first: [bool; 256],
    heads: Option<packed::Searcher>,
}

/// The positions of a block where a walk may start, but for [`Starts::words_anywhere`]: the
/// bytes [`Starts::sifted`] takes in, found sixty-four at a time, each tested by
/// [`Starts::may_start`].
struct Sift<'t> {
    /// The whole text, and where the block begins in it: the sixty-four bytes a mask is read
    /// from may run past the block's end into the text, rather than be copied and padded.
    text: &'t [u8],
    from: usize,
    /// Where the sixty-four bytes of `mask` begin, in the block.
    at: usize,
    /// The positions not yet taken among those sixty-four, one bit each.
    mask: u64,
}

impl<'t> Sift<'t> {
    /// For `region` of `text`.
    fn new(starts: &Starts, text: &'t [u8], region: Span) -> Sift<'t> {
        let mut sift = Sift { text, from: region.start, at: 0, mask: 0 };
        sift.mask = sift.sift(starts, &text[region.start..region.end], 0);
        sift
    }

    /// The bytes [`Starts::sifted`] takes in among the sixty-four of `bytes`, the block, from
    /// `at` on, but for the lower-case letters after one ([`Starts::lower_case`]). Near the
    /// block's end, the bits past it are dropped.
    #[inline]
    fn sift(&self, starts: &Starts, bytes: &[u8], at: usize) -> u64 {
        let rest = bytes.len() - at;
        // An empty block has no position, and may end the text: no sixty-four bytes to shift.
        if rest == 0 {
            return 0;
        }
        let kept = if rest < 64 { (1 << rest) - 1 } else { u64::MAX };
        let begin = self.from + at;
        let masks = |block: &[u8; 64]| (starts.sifted.mask64(block), starts.lower_case.mask64(block));
        let (sifted, lower) = match self.text.get(begin..).and_then(<[u8]>::first_chunk::<64>) {
            Some(block) => masks(block),
            None => match self.text.len().checked_sub(64) {
                // The text's last sixty-four bytes hold the rest of the block, from bit
                // `begin - last` on.
                Some(last) => {
                    let (sifted, lower) = masks(self.text[last..].first_chunk::<64>().expect("sixty-four bytes"));
                    (sifted >> (begin - last), lower >> (begin - last))
                }
                // A text of fewer than sixty-four bytes.
                None => {
                    let rest = &self.text[begin..];
                    let mut block = [0; 64];
                    block[..rest.len()].copy_from_slice(rest);
                    masks(&block)
                }
            },
        };
        let lower_before = at.checked_sub(1).is_some_and(|before| bytes[before].is_ascii_lowercase());
        sifted & kept & !(lower & (lower << 1 | u64::from(lower_before)))
    }

    /// The next position where a walk may start, or the end of `bytes`.
    #[inline]
    fn next(&mut self, starts: &Starts, bytes: &[u8]) -> usize {
        loop {
            while self.mask == 0 {
                self.at += 64;
                if self.at >= bytes.len() {
                    return bytes.len();
                }
                self.mask = self.sift(starts, bytes, self.at);
            }
            let start = self.at + self.mask.trailing_zeros() as usize;
            self.mask &= self.mask - 1;
            let byte = bytes[start];
            let begins = starts.first[usize::from(byte)];
            // Most starts are ASCII capitals, which begin a match wherever they are.
            if begins & BEGINS_MATCH != 0 && byte.is_ascii() {
                return start;
            }
            // The bytes inside a character begin nothing.
            if (0x80..0xC0).contains(&byte) {
                continue;
            }
            // Bytes taken in for a word after a word boundary (`a`, `t`) may be inside a word
            // still, after a capital or a digit.
            let inside_word = start.checked_sub(1).is_some_and(|before| regex_syntax::is_word_byte(bytes[before]));
            if inside_word && begins & BEGINS_MATCH == 0 {
                continue;
            }
            // The words that may begin anywhere are the other stream's.
            if starts.may_start(bytes, start, !BEGINS_WORD) {
                return start;
            }
        }
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
        assert_eq!(first.of("Ann Lee"), "Ann");
        assert_eq!(first.of("Zoë Lund"), "Zoë");
        // A group that is not first, or that what follows could continue, or that could end
        // with the match, is not read off.
        assert!(leading(r"(?P<name>(?P<first>\p{Lu}\p{Ll}+)\s(?P<last>\p{Lu}\p{Ll}+))", 3).is_none());
        assert!(leading(r"(?P<first>\p{Lu}\w+)\p{Ll}", 1).is_none());
        assert!(leading(r"(?P<first>\p{Lu}\p{Ll}+)(?:\s\p{Lu})?", 1).is_none());
        assert!(leading(r"x(?P<first>\p{Lu}\p{Ll}+)\s", 1).is_none());
    }

    #[test]
    fn a_run_group_is_one_of_the_runs_of_the_match() {
        let run = |pattern: &str, group: usize| RunGroup::new(&regex_syntax::parse(pattern).unwrap(), group);
        let last = run(
            r"(?P<name>(?P<first>\p{Lu}\p{Ll}+)(?:\s\p{Lu}\.)?\s(?P<last>\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?)(?:\s(?:Jr\.|III))?)",
            3,
        )
        .unwrap();
        assert_eq!(last.runs("Émile K. Lund-Ørsted III").collect::<Vec<_>>(), ["Émile", "K", "Lund-Ørsted", "III"]);
        assert!(run(r"(?P<name>\p{Lu}+)(?-u:\b)", 1).is_some());
        // A group next to characters it can hold, perhaps past an optional part, or that can be
        // empty, or that a match may go without, is none.
        assert!(run(r"(?P<last>\p{L}+)x", 1).is_none());
        assert!(run(r"x\s?(?P<last>\p{L}+)", 1).is_none());
        assert!(run(r"\s(?P<last>\p{Ll}*)", 1).is_none());
        assert!(run(r"x(?:\s(?P<last>\p{Ll}+))?", 1).is_none());
        assert!(run(r"x|\s(?P<last>\p{Ll}+)", 1).is_none());
    }

    #[test]
    fn a_name_is_the_whole_match_with_assertions_around_it_only() {
        let whole = |pattern: &str| is_whole_match(&regex_syntax::parse(pattern).unwrap(), 1);
        assert!(whole(r"(?P<name>\p{Lu}+\sAct)(?-u:\b)"));
        assert!(!whole(r"(?P<name>\p{Lu}+)-based"));
        assert!(!whole(r"in\s(?P<name>\p{Lu}+)"));
    }

    fn rule(index: usize, pattern: &str) -> PatternRule {
        PatternRule {
            rule: index,
            pattern: pattern.to_string(),
            regex: Regex::new(pattern).unwrap(),
            name_group: 1,
            key_group: None,
            conditions: Vec::new(),
            leading: Vec::new(),
            needs_captures: false,
            runs: Vec::new(),
            runs_settle: false,
            ascii_captures: None,
            canonical: CanonicalForm::AsWritten,
            canonical_map: None,
            strip_leading: Vec::new(),
        }
    }

    /// Rules of every kind a walk takes: led by capitals, by `$`, by words anywhere or after a
    /// word boundary, anchored at the start; and one left to its regex.
    const WALKED_PATTERNS: [&str; 8] = [
        r"(?P<name>(?:\p{Lu}\w*\s){0,2}\p{Lu}\w*\s(?:Group|Bank)(?-u:\b))",
        r"(?P<name>\p{Lu}\p{Ll}+\s\p{Lu}\p{Ll}+)",
        r"(?P<name>(?:the|a)\s\p{Lu}\p{Ll}+)",
        r"(?P<name>\$[A-Z]{1,5})(?-u:\b)",
        r"(?-u:\b)(?:the|an?|The)\s(?P<name>\p{Lu}\p{Ll}+)\s\p{Ll}",
        r"(?:analyst|Mr\.?|based in)\s(?P<name>\p{Lu}\p{Ll}+)",
        r"^(?P<name>\p{Lu}{2,})(?:,\s)",
        r"(?P<name>\p{Ll}+\s\p{Lu}\p{Ll}+)",
    ];

    fn walked_patterns() -> Patterns {
        Patterns::new(WALKED_PATTERNS.iter().enumerate().map(|(index, pattern)| rule(index, pattern)).collect())
    }

    /// Candidates by rule and span.
    type Found = Vec<(usize, Span)>;

    /// The candidates that `patterns` finds in `text`, and those that the rules' regexes find,
    /// one rule after another.
    fn found_and_expected(patterns: &Patterns, text: &str, regions: &[Span]) -> (Found, Found) {
        let mut found = Vec::new();
        patterns.find(text, regions, &mut found);
        let mut expected = Vec::new();
        for &region in regions {
            for rule in &patterns.rules {
                rule.find(text, region, &mut expected);
            }
        }
        let spans = |candidates: &[Candidate]| candidates.iter().map(|c| (c.rule, c.span)).collect::<Vec<_>>();
        (spans(&found), spans(&expected))
    }

    #[test]
    fn rules_found_from_their_starts_find_what_their_regexes_find() {
        let walked = walked_patterns();
        // Only the last rule, which may begin with any lower-case word, is left to its regex.
        assert_eq!(walked.starts.as_ref().map(|starts| starts.members.clone()), Some(vec![0, 1, 2, 3, 4, 5, 6]));
        let capitals = "ABCDEFGHIJ".repeat(40);
        for text in [
            "Ann Lee of Alder Ridge Tessaro Group met the Okafor Bank, $ABC and $ABCDEFG. Émile Zola",
            "xAnn Lee, Tessaro  Group: Tessaro Bank Group Bank",
            "OSLO, the Ann tide, xthe Ann tide, an Ann and a Bea; psychoanalyst Ann, Mr. Lee, Mr Lee, based in Oslo",
            "a Ann b The Ann c the Ann the Bea x",
            // Characters beyond ASCII that begin a match (`Ñ`, `Å`) and that do not (`’`, `“`, `é`).
            "“Ann Lee” – the Ñandú Group’s Ångström Bank, éÜber Lee; spokeswoman Émile, a\u{a0}Ann tide",
            capitals.as_str(),
            &format!("{capitals} Ann Lee Tessaro Group"),
            // Past the walks' budget, the rules whose literals (`Group`, `$`, `based in`) follow,
            // some matching more than once, one (`Bea Ito`) inside another's match.
            &format!("{capitals} Ann Lee, $ABC, the Ann tide, based in Oslo, Tessaro Group"),
            &format!("{capitals} Ann Lee, Bea Ito Bank {capitals} Cy Li, Mr Bea Ito; Dee Oslo Group {capitals}"),
        ] {
            let (found, expected) = found_and_expected(&walked, text, &[Span::new(0, text.len())]);
            assert_eq!(found, expected, "{text}");
            // Blocks that end before the text does, whose sift reads the text past them.
            let cut = |at: usize| (at..).find(|&at| text.is_char_boundary(at)).expect("the end is a boundary");
            let regions = [Span::new(0, cut(text.len() / 3)), Span::new(cut(text.len() / 2), cut(2 * text.len() / 3))];
            let (found, expected) = found_and_expected(&walked, text, &regions);
            assert_eq!(found, expected, "{text} in {regions:?}");
            // Empty blocks, one of them at the text's end, whose sift reads no byte.
            let empty = [
                Span::new(0, 0),
                Span::new(cut(text.len() / 2), cut(text.len() / 2)),
                Span::new(text.len(), text.len()),
            ];
            let (found, expected) = found_and_expected(&walked, text, &empty);
            assert_eq!((found.len(), found), (0, expected), "{text} in {empty:?}");
        }
    }

    proptest::proptest! {
        /// Walked or, past the budget, searched by their regexes, the rules find what their
        /// regexes find.
        #[test]
        fn walks_and_searches_past_the_budget_find_what_the_regexes_find(
            // A long run of capitals spends the walks' budget; most texts have none.
            run in proptest::option::of(proptest::collection::vec("[A-Z]{50}|[A-Za-z0-9+/]{50}", 6..12)),
            pieces in proptest::collection::vec(
                "Ann|Lee|Bea|Ito|Tessaro|Group|Bank|\\$ABC|\\$ABCDEFG|the|a|an|The|based in|Mr\\.|OSLO|Émile|Ñandú|’|“|, | |  |\\n|x|[A-Z]{1,12}",
                0..40,
            ),
        ) {
            static WALKED: std::sync::OnceLock<Patterns> = std::sync::OnceLock::new();
            let walked = WALKED.get_or_init(walked_patterns);
            let text = run.map(|run| run.concat()).unwrap_or_default() + &pieces.concat();
            let (found, expected) = found_and_expected(walked, &text, &[Span::new(0, text.len())]);
            proptest::prop_assert_eq!(found, expected);
        }
    }

    #[test]
    fn the_rules_with_conditions_find_what_their_regexes_and_groups_find() {
        let source = crate::rules::RuleSource::embedded();
        let mut extractor =
            super::super::EntityExtractor::compile(&source, &mut crate::rules::Catalogue::default()).unwrap();
        // Runs of capitalised words that fail the first-name condition at each start, some inside
        // the shortest match of a start before; names whose surname is, or is not, listed.
        let text = "Stocks Rose Sharply Today. Emeka Okafor met Tom Brandt, Mary K. Lund Jr. and Tom \
                    Norway in Oslo; Sofia Lindgren, Sofia Airport, Will Brandt, Grace Paris and John \
                    Smith-Jones III. Freight Rates Fell As Tom Kent Ltd Grew, said Ann Lee-Oslo Tom Texas.";
        let regions = [Span::new(0, text.len()), Span::new(7, 60)];
        let described = |candidates: &[Candidate]| {
            let mut described: Vec<(usize, Span, String)> =
                candidates.iter().map(|c| (c.rule, c.span, c.canonical.to_string())).collect();
            described.sort();
            described
        };
        let (found, expected) = found_and_expected(&extractor.patterns, text, &regions);
        assert_eq!(found, expected);
        let mut candidates = Vec::new();
        extractor.patterns.find(text, &regions, &mut candidates);
        let found = described(&candidates);
        assert!(found.len() > 10, "{found:?}");
        // Without the runs, every condition is told on the groups of a capture search.
        for rule in &mut extractor.patterns.rules {
            rule.runs.clear();
            rule.runs_settle = false;
        }
        let mut candidates = Vec::new();
        extractor.patterns.find(text, &regions, &mut candidates);
        assert_eq!(found, described(&candidates));
    }

    #[test]
    fn the_regex_cut_to_ascii_finds_the_groups_of_an_ascii_match() {
        let texts = [
            "Ann K. Lee Jr. met Ann O'Hara-Lund III and Bea Ito, based in Oslo; analyst Cy Li said",
            "Mr. Lee of Tessaro Holdings, Inc. and Oslo's mayor; Zurich-based $ABC.",
        ];
        for pattern in [
            r"(?P<name>(?P<first>\p{Lu}\p{Ll}+)(?:\s\p{Lu}\.)?\s(?P<last>(?:Mc|O'|O’)?\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?)(?:\s(?:Jr\.|III|II))?)",
            r"(?:based in|analyst|Mr\.?)\s(?P<name>\p{Lu}[\p{L}'’-]+(?:\s\p{Lu}[\p{L}'’-]+)?)",
            r"(?P<name>\p{Lu}\p{Ll}+)(?:'s|’s)\s(?:mayor|residents)(?-u:\b)",
            r"(?P<name>(?:\p{Lu}[\p{L}\p{N}&'’.-]*\s){0,3}\p{Lu}[\p{L}\p{N}&'’.-]*(?:\s?,\s(?:Inc)(?-u:\b)(?:\s?\.)?|\s(?:Holdings?)(?-u:\b)))",
            r"(?P<name>\$(?P<key>[A-Z]{1,5}))(?-u:\b)|(?P<place>\p{Lu}[\p{L}.]+)-based",
        ] {
            let hir = regex_syntax::parse(pattern).unwrap();
            let regex = build_regex(&hir).unwrap();
            let ascii = ascii_regex(&hir, &regex).unwrap();
            let mut matches = 0;
            for text in texts {
                for found in regex.find_iter(text) {
                    matches += 1;
                    let input = Input::new(text).span(found.range()).anchored(Anchored::Yes);
                    let (mut expected, mut got) = (regex.create_captures(), ascii.create_captures());
                    regex.search_captures(&input, &mut expected);
                    ascii.try_search(&mut ascii.create_cache(), &input, &mut got).unwrap();
                    let groups =
                        |slots: &Captures| slots.iter().map(|group| group.map(|span| span.range())).collect::<Vec<_>>();
                    assert_eq!(groups(&got), groups(&expected), "{pattern} in {text}");
                }
            }
            assert!(matches > 0, "{pattern} matches none of the texts, so nothing was compared");
        }
        // A pattern that tells Unicode word characters apart is left whole.
        let hir = regex_syntax::parse(r"\b(?P<name>\p{Lu}\w+)").unwrap();
        assert!(ascii_regex(&hir, &build_regex(&hir).unwrap()).is_none());
    }

    #[test]
    fn title_case_handles_hyphens_and_capitals() {
        assert_eq!(title_case("NEW"), "New");
        assert_eq!(title_case("WINSTON-SALEM"), "Winston-Salem");
    }
}
