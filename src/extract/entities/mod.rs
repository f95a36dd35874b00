//! Entities: the organisations, people, places and products an article names, typed and with a
//! canonical name to group by.
//!
//! Three engines, all driven by `rules/entities/`:
//!
//! - **gazetteers** (module `gazetteer`): rules with a `list` file or inline `entries` of known names,
//!   matched in one pass of a trie of the names (case-sensitive, whole words: leftmost-longest among the
//!   positions where a word begins, so that a name glued to the word before it hides nothing). A rule can
//!   allow a version number (`Trainium2`) or a plural `s` (`TPUs`) after the name; a dotted
//!   abbreviation also matches with its final period split off by a tokenizer (`U.S .`).
//! - **patterns** (module `patterns`): regexes whose `name` group is the entity, for names no list can
//!   hold: organisation suffixes (`Tessaro Shipping Group`), `X of Y` names, first name + surname,
//!   titles before names, places after "based in", datelines, cashtags. The rules whose matches
//!   never begin with a lower-case ASCII letter, or always begin with one of a few words (a
//!   title, `based in`), are walked together, by one anchored automaton, from the positions a
//!   match of theirs can begin at; any other searches a block only when its gate
//!   ([`crate::rules::gate`]: the literals a match needs) lets the block through.
//! - **capitalised names** (module `names`): runs of capitalised words left over by the other two,
//!   judged against a list of capitalised ordinary words and by how the document writes them,
//!   typed by cues (surnames, "said", "near", "the X bar") or as organisations. The document's
//!   words are read and shaped once for all these rules.
//!
//! The gazetteer and the capitalised-name rules both look for words from where they may begin:
//! one scan of the kept blocks (module `scan`) finds those positions for both.
//!
//! Overlap policy, applied in one place (`EntityExtractor::resolve`) to every list and pattern
//! candidate: the **longest** candidate wins, then the rule with the higher **priority**, then the
//! **earliest**. The capitalised-name rules then see only the text no survivor covers (in file
//! order, so a cue rule claims a run before the general one), except that a run right after a
//! one-word listed organisation or place extends it (`Brookfield Kerr`). Last comes
//! document-level consistency: a surname used alone after the full name ("Okafor" after "Grace
//! Okafor"), and the first word or the suffix-less name of an organisation found by a pattern
//! ("Tessaro" after "Tessaro Shipping Group"), get the same type and canonical name; such an
//! alias replaces an earlier item only when it has exactly its span and a lower priority.

mod gazetteer;
mod lists;
mod names;
mod patterns;
mod scan;

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use foldhash::HashSet;

use crate::chars::{self, ASCII_CLASS, ByteRanges, SPACE};
use crate::record::{EntityItem, EntityType};
use crate::rules::{self, Catalogue, Family, RuleError, RuleFile, RuleSource, rule_table};
use crate::span::{Span, SpanSet};

use self::gazetteer::Gazetteer;
use self::lists::Lists;
use self::names::{CapitalisedConfig, CapitalisedNames, DocumentWords, Lexicon};
use self::patterns::{PatternRule, Patterns};
use self::scan::WordScan;

rule_table! {
    /// A `[[rule]]` in `rules/entities/`: a list of names, or a pattern.
    pub struct EntityRule {
        /// `ORG`, `PERSON`, `LOC`, `PRODUCT` or `MISC`.
        #[serde(rename = "type")]
        pub entity_type: EntityType,
        /// Breaks ties between overlapping candidates of the same length; higher wins.
        #[serde(default)]
        pub priority: i32,
        /// A list file of `surface<TAB>canonical` lines (canonical optional), relative to this file.
        #[serde(default)]
        pub list: Option<toml::Spanned<String>>,
        /// Inline names: `["AWS", "Amazon Web Services"]` or `["Anthropic"]`.
        #[serde(default)]
        pub entries: Vec<Vec<String>>,
        /// Allow digits right after a listed name (`Trainium2`); the canonical name stays the list's.
        #[serde(default)]
        pub versioned: bool,
        /// Allow a plural `s` right after a listed name (`TPUs`).
        #[serde(default)]
        pub plural: bool,
        /// A regex whose `name` group is the entity.
        #[serde(default)]
        pub pattern: Option<toml::Spanned<String>>,
        /// For patterns: named groups whose text must be in a list file.
        #[serde(default)]
        pub require: Vec<patterns::Requirement>,
        /// For patterns: named groups whose text must not be in a list file.
        #[serde(default)]
        pub reject: Vec<patterns::Requirement>,
        /// For patterns: how the canonical name is made from the match.
        #[serde(default)]
        pub canonical: patterns::CanonicalForm,
        /// For patterns: a list file mapping the `key` group (or the name) to a canonical name,
        /// tried before `canonical`.
        #[serde(default)]
        pub canonical_list: Option<toml::Spanned<String>>,
        /// For patterns: leading words dropped from the `name` group (`The`).
        #[serde(default)]
        pub strip_leading: Vec<String>,
        /// An alias rule: later mentions of one word of an earlier multi-word entity of this
        /// rule's type get that entity's canonical name.
        #[serde(default)]
        pub alias: Option<AliasWord>,
        /// A capitalised-name rule: runs of capitalised words left over by every other rule,
        /// judged against a list of capitalised ordinary words.
        #[serde(default)]
        pub capitalised: Option<CapitalisedConfig>,
    }
}

/// Which word of an earlier multi-word entity is used alone as an alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AliasWord {
    /// The surname of a person: "Okafor" after "Grace Okafor".
    LastWord,
    /// The distinctive first word of an organisation found by a pattern: "Tessaro" after
    /// "Tessaro Shipping Group".
    FirstWord,
    /// The given name of a person, used alone in profiles: "Malcolm" after "Malcolm Turnbull".
    GivenName,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EntitiesFile {
    #[serde(default)]
    rule: Vec<EntityRule>,
    /// Words that are never an entity on their own, whatever matched them (months, "The").
    #[serde(default)]
    never_alone: Vec<String>,
    /// Words that end a run of capitalised words for the capitalised-name rules: titles and
    /// calendar words ("Prime Minister", "Chief Executive", "March").
    #[serde(default)]
    run_breaks: Vec<String>,
}

/// An entity before overlaps are resolved.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    pub span: Span,
    pub rule: usize,
    pub canonical: Cow<'a, str>,
}

#[derive(Debug)]
struct RuleInfo {
    id: String,
    entity_type: EntityType,
    priority: i32,
}

/// The entity extractor, compiled from `rules/entities/`.
#[derive(Debug)]
pub struct EntityExtractor {
    rules: Vec<RuleInfo>,
    gazetteer: Gazetteer,
    patterns: Patterns,
    never_alone: HashSet<String>,
    /// By rule, the alias rules (rule index, which word) that take the words of its entities:
    /// those of its type, and for a first word or a given name only those of a pattern rule (a
    /// given name that a first-name list or a title vouched for). Most entities' rules have none:
    /// the capitalised names, typed as organisations, give no alias.
    aliases_of: Vec<Vec<(usize, AliasWord)>>,
    /// Capitalised-name rules, run on what the others left.
    names: Vec<CapitalisedNames>,
    /// The rules whose names come from lists.
    gazetteer_rules: HashSet<usize>,
    /// What the capitalised-name rules ask of words, and the `run_breaks`.
    lexicon: Lexicon,
}

/// When a document's aliases are found by one automaton of all of them: a byte that begins
/// aliases is tried against each of them, and the aliases grow with a document, so past
/// `ALIAS_SEARCHES` of them and `ALIAS_SEARCH_BYTES` (aliases times bytes searched; which keeps
/// the tries linear in the document) the automaton finds them in one pass. It costs more to
/// build than a page's scan.
const ALIAS_SEARCHES: usize = 32;
const ALIAS_SEARCH_BYTES: usize = 1 << 20;

/// How many ranges of bytes the scan for the first bytes of aliases tests: each costs a few
/// vector instructions per sixteen bytes, and a page's aliases begin with a few capitals.
const ALIAS_SIFT_RANGES: usize = 3;

impl EntityExtractor {
    pub fn compile(source: &RuleSource, catalogue: &mut Catalogue) -> Result<EntityExtractor, RuleError> {
        let mut rules = Vec::new();
        let mut gazetteer = gazetteer::Builder::default();
        let mut pattern_rules = Vec::new();
        let mut never_alone = HashSet::default();
        let mut aliases = Vec::new();
        let mut capitalised = Vec::new();
        let mut gazetteer_rules = HashSet::default();

        let files: Vec<(&RuleFile, EntitiesFile)> =
            source.files(Family::Entities).map(|file| Ok((file, rules::parse(file)?))).collect::<Result<_, _>>()?;
        let mut run_breaks = HashSet::default();
        for (_, parsed) in &files {
            never_alone.extend(parsed.never_alone.iter().cloned());
            run_breaks.extend(parsed.run_breaks.iter().cloned());
        }
        let shared_never_alone = Arc::new(never_alone.clone());
        let mut lists = Lists::new(source);
        let mut lexicon = Lexicon::new(&run_breaks, &never_alone);
        for (file, parsed) in files {
            for rule in parsed.rule {
                rule.register(file, catalogue)?;
                let index = rules.len();
                rules.push(RuleInfo {
                    id: rule.id.get_ref().clone(),
                    entity_type: rule.entity_type,
                    priority: rule.priority,
                });
                let is_list = rule.list.is_some() || !rule.entries.is_empty();
                match (&rule.pattern, is_list, rule.alias, &rule.capitalised) {
                    (Some(_), false, None, None) => {
                        pattern_rules.push(PatternRule::compile(&mut lists, file, index, &rule)?)
                    }
                    (None, true, None, None) => {
                        gazetteer_rules.insert(index);
                        gazetteer.add_rule(source, file, index, &rule)?
                    }
                    (None, false, Some(word), None) => aliases.push((index, word)),
                    (None, false, None, Some(config)) => capitalised.push(CapitalisedNames::compile(
                        &mut lists,
                        &mut lexicon,
                        file,
                        index,
                        &rule,
                        config,
                        &shared_never_alone,
                    )?),
                    _ => {
                        return Err(RuleError::at(
                            file,
                            rule.id.span(),
                            "an entity rule needs exactly one of `pattern`, `list`/`entries`, `alias` or `capitalised`",
                        ));
                    }
                }
            }
        }
        let patterns = Patterns::new(pattern_rules);
        let aliases_of = rules
            .iter()
            .enumerate()
            .map(|(index, info)| {
                let takes = |&&(alias_rule, word): &&(usize, AliasWord)| {
                    rules[alias_rule].entity_type == info.entity_type
                        && (word == AliasWord::LastWord || patterns.contains(index))
                };
                aliases.iter().filter(takes).copied().collect()
            })
            .collect();
        Ok(EntityExtractor {
            rules,
            gazetteer: gazetteer.build(),
            patterns,
            never_alone,
            aliases_of,
            names: capitalised,
            gazetteer_rules,
            lexicon,
        })
    }

    /// The entities in `regions` of `text` (the kept blocks), in order, without overlaps.
    pub fn extract<'a>(&'a self, text: &'a str, regions: &[Span]) -> Vec<EntityItem<'a>> {
        let mut candidates = Vec::new();
        // Where words may begin, read once for the gazetteer and the capitalised-name rules.
        let scan = WordScan::new(text, regions, self.gazetteer.other_firsts());
        for (index, &region) in regions.iter().enumerate() {
            self.gazetteer.find(text, region, scan.names(index), &mut candidates);
        }
        // After all the listed names rather than after each block's: no two candidates of two
        // blocks tie (they begin apart), so the candidates' order breaks ties as before.
        self.patterns.find(text, regions, &mut candidates);
        candidates.retain(|c| !self.never_alone.contains(c.span.of(text)));
        let mut chosen = resolve(candidates, |rule| self.rules[rule].priority);
        // A run after a one-word listed organisation or place extends it (`Brookfield Kerr`).
        let extendable = |c: &Candidate| {
            matches!(self.rules[c.rule].entity_type, EntityType::Org | EntityType::Loc)
                && self.gazetteer_rules.contains(&c.rule)
                && !c.span.of(text).contains(char::is_whitespace)
        };
        let document = DocumentWords::new(text, regions, &scan, &self.lexicon);
        for names in &self.names {
            names.find(text, regions, &mut chosen, &document, extendable, |c| self.rules[c.rule].entity_type);
        }
        self.add_aliases(text, regions, &mut chosen);
        chosen
            .into_iter()
            .map(|c| EntityItem {
                span: c.span,
                text: c.span.of(text),
                rule: &self.rules[c.rule].id,
                entity_type: self.rules[c.rule].entity_type,
                canonical: c.canonical,
            })
            .collect()
    }

    /// How many listed names occur in `region` of `text`, before overlaps are resolved: the
    /// gazetteer pass alone, for measuring its throughput.
    pub fn count_listed_names(&self, text: &str, region: Span) -> usize {
        let mut candidates = Vec::new();
        let scan = WordScan::new(text, &[region], self.gazetteer.other_firsts());
        self.gazetteer.find(text, region, scan.names(0), &mut candidates);
        candidates.len()
    }

    /// Later mentions of one word of a multi-word entity (see [`AliasWord`]) inherit its type and
    /// canonical name.
    fn add_aliases<'a>(&self, text: &'a str, regions: &[Span], chosen: &mut Vec<Candidate<'a>>) {
        // alias word → (alias rule, canonical name, where the full name ends)
        let mut aliases: BTreeMap<&str, (usize, Cow<'a, str>, usize)> = BTreeMap::new();
        for c in chosen.iter() {
            let takers = &self.aliases_of[c.rule];
            if takers.is_empty() {
                continue;
            }
            let name = c.span.of(text);
            let Some((first, last, three_or_more)) = outer_words(name) else { continue };
            for &(alias_rule, word) in takers {
                let short_names = match word {
                    AliasWord::LastWord => [Some(last), None],
                    // "Alder Ridge" after "Alder Ridge Partners" too: the name without its suffix.
                    AliasWord::FirstWord => {
                        let without_suffix = name.rfind(char::is_whitespace).map(|end| name[..end].trim_end());
                        [Some(first), without_suffix.filter(|_| three_or_more)]
                    }
                    AliasWord::GivenName => [Some(first), None],
                };
                for alias in short_names.into_iter().flatten() {
                    let alias = alias.trim_end_matches(|ch: char| !ch.is_alphanumeric());
                    if alias.chars().count() > 2 && !self.never_alone.contains(alias) {
                        aliases.entry(alias).or_insert((alias_rule, c.canonical.clone(), c.span.end));
                    }
                }
            }
        }
        if aliases.is_empty() {
            return;
        }
        let aliases: Vec<_> = aliases.into_iter().collect();
        let wanted: Vec<(&str, usize)> = aliases.iter().map(|(alias, (_, _, after))| (*alias, *after)).collect();
        let searched: usize = regions.iter().map(|region| region.len()).sum();
        let one_pass = aliases.len() > ALIAS_SEARCHES && aliases.len() * searched > ALIAS_SEARCH_BYTES;
        let mut occurrences: Vec<Candidate<'a>> = alias_occurrences(text, regions, &wanted, one_pass)
            .into_iter()
            .filter(|&(_, span)| is_whole_word(text, span))
            .map(|(index, span)| {
                let (_, (alias_rule, canonical, _)) = &aliases[index];
                Candidate { span, rule: *alias_rule, canonical: canonical.clone() }
            })
            .collect();
        if occurrences.is_empty() {
            return;
        }
        // The same policy as for all candidates: longest first, then earliest.
        occurrences.sort_by_key(|c| (std::cmp::Reverse(c.span.len()), c.span.start));
        debug_assert!(chosen.windows(2).all(|pair| pair[0].span.end <= pair[1].span.start));
        let mut found_spans = SpanSet::default();
        let mut found: Vec<Candidate<'a>> = Vec::new();
        let mut replaced = vec![false; chosen.len()];
        for occurrence in occurrences {
            if found_spans.overlaps(occurrence.span) {
                continue;
            }
            // An alias takes over a match of exactly its span from a weaker rule only.
            let blockers = overlapped(chosen, occurrence.span);
            let weaker = |i: usize| {
                chosen[i].span == occurrence.span
                    && self.rules[chosen[i].rule].priority < self.rules[occurrence.rule].priority
            };
            if blockers.clone().all(weaker) {
                for blocker in blockers {
                    replaced[blocker] = true;
                }
                found_spans.insert(occurrence.span, found.len());
                found.push(occurrence);
            }
        }
        let mut kept: Vec<Candidate<'a>> =
            chosen.drain(..).zip(replaced).filter(|(_, replaced)| !replaced).map(|(c, _)| c).collect();
        kept.extend(found);
        kept.sort_by_key(|c| c.span.start);
        *chosen = kept;
    }
}

/// Longest first, then the higher `priority` of the rule, then earliest, then first in
/// `candidates`; returns the survivors in text order.
fn resolve<'a>(candidates: Vec<Candidate<'a>>, priority: impl Fn(usize) -> i32) -> Vec<Candidate<'a>> {
    // Sorted by keys read once, not by a priority looked up at every comparison, and by their
    // index last: no two keys tie, so a sort that moves small keys in place orders them as a
    // stable sort of the candidates would.
    let mut order: Vec<(Reverse<usize>, Reverse<i32>, usize, usize)> = candidates
        .iter()
        .enumerate()
        .map(|(index, c)| (Reverse(c.span.len()), Reverse(priority(c.rule)), c.span.start, index))
        .collect();
    order.sort_unstable();
    // The bytes the survivors take, a bit each: no candidate is empty, so two overlap when they
    // share a byte, and a few words of bits stand in for a search tree of the survivors.
    let mut taken = vec![0u64; candidates.iter().map(|c| c.span.end).max().unwrap_or(0).div_ceil(64)];
    // (start, order taken in, index), sorted by the first two as a stable sort by start would.
    let mut survivors: Vec<(usize, usize, usize)> = Vec::with_capacity(order.len());
    for &(_, _, start, index) in &order {
        if take(&mut taken, candidates[index].span) {
            survivors.push((start, survivors.len(), index));
        }
    }
    survivors.sort_unstable();
    let mut candidates: Vec<Option<Candidate<'a>>> = candidates.into_iter().map(Some).collect();
    survivors.iter().map(|&(_, _, index)| candidates[index].take().expect("each candidate survives once")).collect()
}

/// Sets the bits of the bytes of `span` (not empty) in `taken` unless one of them is set already;
/// returns whether they were all clear.
fn take(taken: &mut [u64], span: Span) -> bool {
    debug_assert!(!span.is_empty(), "an empty candidate overlaps nothing");
    let (first, last) = (span.start / 64, (span.end - 1) / 64);
    let bits = |word: usize| {
        let low = if word == first { span.start % 64 } else { 0 };
        let high = if word == last { (span.end - 1) % 64 } else { 63 };
        (u64::MAX << low) & (u64::MAX >> (63 - high))
    };
    let words = &mut taken[first..=last];
    if words.iter().zip(first..).any(|(&held, word)| held & bits(word) != 0) {
        return false;
    }
    for (held, word) in words.iter_mut().zip(first..) {
        *held |= bits(word);
    }
    true
}

/// The indices of the entities of `chosen` that overlap `span`. The entities are sorted by start
/// and disjoint, hence by end too: they are found by a binary search.
fn overlapped(chosen: &[Candidate], span: Span) -> std::ops::Range<usize> {
    let first = chosen.partition_point(|c| c.span.end <= span.start);
    first..first + chosen[first..].iter().take_while(|c| c.span.start < span.end).count()
}

/// Every occurrence in `regions` of `text` of each of `aliases` (alias, where its search
/// begins; sorted by alias), overlapping ones too, as (index in `aliases`, span), in no
/// particular order: by one scan for the bytes that begin an alias, or by one automaton of all
/// of them in `one_pass`.
fn alias_occurrences(text: &str, regions: &[Span], aliases: &[(&str, usize)], one_pass: bool) -> Vec<(usize, Span)> {
    let mut occurrences = Vec::new();
    if !one_pass {
        debug_assert!(aliases.is_sorted_by_key(|&(alias, _)| alias));
        // A search per alias paid its set-up for each alias and block, and read the text once
        // per alias; the aliases of a page begin with a few capitals, found sixteen bytes at a
        // time in one scan, and each is tried against the aliases that begin with it, which
        // are neighbours in `aliases`: from the first of them, by byte (`usize::MAX` for none).
        let mut first_of = [usize::MAX; 256];
        for (index, (alias, _)) in aliases.iter().enumerate().rev() {
            first_of[usize::from(alias.as_bytes()[0])] = index;
        }
        let sift = ByteRanges::covering(ALIAS_SIFT_RANGES, |byte| first_of[usize::from(byte)] != usize::MAX);
        let from = aliases.iter().map(|&(_, after)| after).min().unwrap_or(usize::MAX);
        for &region in regions {
            let bytes = &text.as_bytes()[..region.end];
            let mut at = region.start.max(from);
            while at < bytes.len() {
                let Some(found) = sift.find(bytes, at) else { break };
                at = found + 1;
                let byte = bytes[found];
                // The ranges may take in bytes between those that begin an alias.
                let first = first_of[usize::from(byte)];
                if first == usize::MAX {
                    continue;
                }
                let alike = aliases[first..].iter().take_while(|(alias, _)| alias.as_bytes()[0] == byte);
                for (index, &(alias, after)) in (first..).zip(alike) {
                    // Most capitals that begin an alias are followed by another letter than its.
                    let alias = alias.as_bytes();
                    if found >= after
                        && alias.get(1).is_none_or(|second| bytes.get(found + 1) == Some(second))
                        && bytes[found..].starts_with(alias)
                    {
                        occurrences.push((index, Span::new(found, found + alias.len())));
                    }
                }
            }
        }
        return occurrences;
    }
    // A contiguous NFA: a DFA, which the builder picks for a few dozen names, costs more to
    // build than it saves on one pass over a document.
    let automaton = AhoCorasick::builder()
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .build(aliases.iter().map(|(alias, _)| alias))
        .expect("a document's aliases, words of it, fit an automaton");
    for &region in regions {
        for at in automaton.find_overlapping_iter(region.of(text)) {
            let span = Span::new(region.start + at.start(), region.start + at.end());
            if span.start >= aliases[at.pattern()].1 {
                occurrences.push((at.pattern().as_usize(), span));
            }
        }
    }
    occurrences
}

/// The first and last of two or more words of `name`, and whether more lie between them.
/// An ASCII name (most are) is read as bytes, a few words at a time.
fn outer_words(name: &str) -> Option<(&str, &str, bool)> {
    if !name.is_ascii() {
        let mut words = name.split_whitespace();
        let (first, last) = (words.next()?, words.next_back()?);
        return Some((first, last, words.next().is_some()));
    }
    // ASCII white space is what `char::is_whitespace` holds of ASCII.
    let bytes = name.as_bytes();
    let space = |byte: &u8| ASCII_CLASS[usize::from(*byte)] == SPACE;
    let start = bytes.iter().position(|byte| !space(byte))?;
    let first_end = start + bytes[start..].iter().position(space)?;
    let end = bytes.iter().rposition(|byte| !space(byte))? + 1;
    let last_start = bytes[..end].iter().rposition(space)? + 1;
    if last_start <= start {
        return None;
    }
    let three_or_more = bytes[first_end..last_start].iter().any(|byte| !space(byte));
    Some((&name[start..first_end], &name[last_start..end], three_or_more))
}

/// Whether `span` is not glued to letters or digits on either side.
pub fn is_whole_word(text: &str, span: Span) -> bool {
    begins_word(text, span.start) && ends_word(text, span.end)
}

/// Whether a word may begin at `at` (a character boundary): no letter or digit comes before it.
pub fn begins_word(text: &str, at: usize) -> bool {
    text[..at].chars().next_back().is_none_or(|c| !chars::is_alphanumeric(c))
}

/// Whether a word may end at `at` (a character boundary): no letter or digit comes after it.
pub fn ends_word(text: &str, at: usize) -> bool {
    text[at..].chars().next().is_none_or(|c| !chars::is_alphanumeric(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outer_words_are_those_split_whitespace_finds() {
        for name in [
            "Alder Ridge",
            "Alder Ridge Partners",
            "  Alder  ",
            " Alder ",
            "Alder",
            "",
            " ",
            "a\tb\nc",
            " Inês  Varela ",
            "x\u{a0}y z",
        ] {
            let words: Vec<&str> = name.split_whitespace().collect();
            let expected = match words.as_slice() {
                [first, .., last] => Some((*first, *last, words.len() > 2)),
                _ => None,
            };
            assert_eq!(outer_words(name), expected, "{name:?}");
        }
    }

    /// Disjoint entities in order, each `len` long after a `gap` from the one before, and the
    /// span set of them that the fast lookups are held to.
    pub(super) fn disjoint_candidates(gaps: &[(usize, usize)]) -> (Vec<Candidate<'static>>, SpanSet) {
        let mut chosen = Vec::new();
        let mut end = 0;
        for &(gap, len) in gaps {
            let span = Span::new(end + gap, end + gap + len);
            end = span.end;
            chosen.push(Candidate { span, rule: 0, canonical: Cow::Borrowed("") });
        }
        let set = chosen.iter().enumerate().map(|(index, c)| (c.span, index)).collect();
        (chosen, set)
    }

    proptest::proptest! {
        /// Candidates that tie on length, priority and start, nest and overlap: the survivors
        /// are those of a stable sort of the candidates by length, priority and start.
        #[test]
        fn the_survivors_are_those_of_a_stable_sort(
            // Spans that end within a word of bits, and some that reach into the next.
            candidates in proptest::collection::vec((0usize..140, 1usize..80, 0usize..4, 0usize..3), 0..30),
        ) {
            let priorities = [0, 5, -5, 5];
            let candidates: Vec<Candidate> = candidates
                .into_iter()
                .map(|(start, len, rule, canonical)| Candidate {
                    span: Span::new(start, start + len),
                    rule,
                    canonical: Cow::Owned(canonical.to_string()),
                })
                .collect();
            let mut sorted = candidates.clone();
            sorted.sort_by(|a, b| {
                b.span
                    .len()
                    .cmp(&a.span.len())
                    .then(priorities[b.rule].cmp(&priorities[a.rule]))
                    .then(a.span.start.cmp(&b.span.start))
            });
            let mut taken = SpanSet::default();
            let mut expected: Vec<Candidate> = Vec::new();
            for candidate in sorted {
                if !taken.overlaps(candidate.span) {
                    taken.insert(candidate.span, expected.len());
                    expected.push(candidate);
                }
            }
            expected.sort_by_key(|c| c.span.start);
            let described = |chosen: &[Candidate]| {
                chosen.iter().map(|c| (c.span, c.rule, c.canonical.to_string())).collect::<Vec<_>>()
            };
            proptest::prop_assert_eq!(described(&resolve(candidates, |rule| priorities[rule])), described(&expected));
        }

        /// Entities next to one another or apart, and spans before, between, across and after them.
        #[test]
        fn the_entities_a_span_overlaps_are_those_a_span_set_finds(
            gaps in proptest::collection::vec((0usize..3, 1usize..4), 0..8),
            start in 0usize..30,
            len in 0usize..8,
        ) {
            let (chosen, set) = disjoint_candidates(&gaps);
            let span = Span::new(start, start + len);
            let mut expected: Vec<usize> = set.overlapping(span).map(|(_, index)| index).collect();
            expected.reverse();
            proptest::prop_assert_eq!(overlapped(&chosen, span).collect::<Vec<_>>(), expected);
        }

        /// Aliases that overlap, nest and repeat, begin with bytes the scan's ranges join or
        /// not (`A`, `B`, `a`, `b`, a space, a byte beyond ASCII), in regions that cut through
        /// them: the scan and the automaton each find what trying every position finds.
        #[test]
        fn the_scan_and_the_automaton_find_each_occurrence_of_the_aliases(
            text in "[abAB é]{0,60}",
            aliases in proptest::collection::btree_map("[abAB é]{1,4}", 0usize..60, 1..12),
            cuts in proptest::collection::vec(0usize..60, 0..4),
        ) {
            let mut bounds: Vec<usize> = cuts.into_iter().chain([0, text.len()]).filter(|&at| text.is_char_boundary(at)).collect();
            bounds.sort_unstable();
            bounds.dedup();
            let regions: Vec<Span> = bounds.windows(2).step_by(2).map(|pair| Span::new(pair[0], pair[1])).collect();
            let aliases: Vec<(&str, usize)> = aliases.iter().map(|(alias, &after)| (alias.as_str(), after)).collect();
            let sorted = |mut found: Vec<(usize, Span)>| {
                found.sort_by_key(|&(index, span)| (span.start, span.end, index));
                found
            };
            let mut every: Vec<(usize, Span)> = Vec::new();
            for (index, &(alias, after)) in aliases.iter().enumerate() {
                for region in &regions {
                    for at in region.start.max(after)..region.end {
                        if text.as_bytes()[at..region.end].starts_with(alias.as_bytes()) {
                            every.push((index, Span::new(at, at + alias.len())));
                        }
                    }
                }
            }
            let every = sorted(every);
            proptest::prop_assert_eq!(&sorted(alias_occurrences(&text, &regions, &aliases, false)), &every);
            proptest::prop_assert_eq!(&sorted(alias_occurrences(&text, &regions, &aliases, true)), &every);
        }
    }
}
