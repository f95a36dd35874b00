//! Claims: the sentences (or parts of sentences) that assert something checkable or
//! consequential, with their kinds, hedges, speaker and a check-worthiness score.
//!
//! Units come from the kept text's sentences (see [`units`]). Each unit is read by the cue rules
//! of `rules/claims/`, each a list of `phrases` (ASCII case-insensitive, whole words) and/or
//! `patterns`, or a `feature` of the unit (it holds a money figure, or at least `min_entities`
//! entities, is a step of an `→` chain, or has between `min_words` and `max_words` words). A cue
//! rule has a `role`:
//!
//! - `cue`: marks the unit with its `kind` (if any) and adds its `weight` (negative for cues of
//!   the speaker's own stance) to the score;
//! - `hedge`: records the words it matched in `hedges` and adds its `weight`;
//! - `attribution`: a pattern whose `speaker` group names who makes the claim; `refers_back`
//!   lists speakers (`he`, `the company`) that name the last entity of a type before the unit;
//! - `veto`: the unit is never a claim (questions, greetings, calls to action, datelines).
//!
//! All units of a paragraph are read before any is scored, so that direct speech without a
//! speaker takes the speaker of the quotation it belongs to (see `carry_attribution`).
//!
//! The score is `1 / (1 + e^-(bias + Σ weights))` over the rules that fired, each counted once;
//! the unit is a claim when the score reaches `threshold` and it has at least `min_words` words
//! with a letter (both set in `[scoring]`, where the fitting of the weights is described). The
//! claim's `rule` is the cue rule that contributed most; `cues` lists every rule that fired.

mod units;

use std::borrow::Cow;
use std::collections::BTreeMap;

use regex::Regex;

use crate::record::{Attribution, ClaimItem, ClaimKind, EntityItem, EntityType, MoneyItem};
use crate::rules::{self, Catalogue, Family, PhraseSet, PhraseSetBuilder, Position, RuleError, RuleSource, rule_table};
use crate::segment::Segmenter;
use crate::span::Span;

use self::units::Unit;

rule_table! {
    /// A `[[rule]]` in `rules/claims/`: one cue.
    pub struct ClaimRule {
        #[serde(default)]
        pub role: Role,
        /// The kind of claim this cue marks.
        #[serde(default)]
        pub kind: Option<ClaimKind>,
        /// Added to the score when the rule fires.
        #[serde(default)]
        pub weight: f32,
        /// Phrases looked for in the unit, ASCII case-insensitively, as whole words.
        #[serde(default)]
        pub phrases: Vec<String>,
        /// Where a phrase must sit in the unit.
        #[serde(default)]
        pub position: Position,
        /// Regexes tried on the unit. Attribution patterns need a `speaker` group.
        #[serde(default)]
        pub patterns: Vec<toml::Spanned<String>>,
        /// A property of the unit instead of phrases or patterns.
        #[serde(default)]
        pub feature: Option<Feature>,
        /// For attribution rules: words that are never a speaker on their own (pronouns).
        #[serde(default)]
        pub not_speakers: Vec<String>,
        /// For attribution rules: speakers that refer back to the last entity of a type before
        /// them (`he` to a PERSON, `the company` to an ORG), lower case.
        #[serde(default)]
        pub refers_back: BTreeMap<String, EntityType>,
        /// For the `entity` feature: the fewest entities the unit must hold.
        #[serde(default)]
        pub min_entities: Option<usize>,
        /// For the `word-count` feature: the fewest words the unit may have.
        #[serde(default)]
        pub min_words: Option<usize>,
        /// For the `word-count` feature: the most words the unit may have.
        #[serde(default)]
        pub max_words: Option<usize>,
    }
}

/// What a cue rule does when it fires.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    #[default]
    Cue,
    Hedge,
    Attribution,
    Veto,
}

/// Properties of a unit that cue rules can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Feature {
    /// The unit holds a money figure.
    Money,
    /// The unit holds at least `min_entities` named entities (one when left out).
    Entity,
    /// The unit is one step of an `→` chain.
    ArrowChain,
    /// The unit has between `min_words` and `max_words` words (either bound may be left out).
    WordCount,
}

/// The `[scoring]` table.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scoring {
    pub bias: f32,
    pub threshold: f32,
    pub min_words: usize,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimsFile {
    #[serde(default)]
    rule: Vec<ClaimRule>,
    #[serde(default)]
    scoring: Option<Scoring>,
}

#[derive(Debug)]
struct Compiled {
    id: String,
    role: Role,
    kind: Option<ClaimKind>,
    weight: f32,
    patterns: Vec<Regex>,
    feature: Option<Feature>,
    not_speakers: Vec<String>,
    refers_back: BTreeMap<String, EntityType>,
    min_entities: usize,
    words: std::ops::RangeInclusive<usize>,
}

/// The claim extractor, compiled from `rules/claims/`.
#[derive(Debug)]
pub struct ClaimExtractor {
    rules: Vec<Compiled>,
    phrases: PhraseSet,
    scoring: Scoring,
}

/// What is known about a unit before its cue rules run.
#[derive(Debug, Clone, Copy)]
struct Facts {
    entities: usize,
    has_money: bool,
    /// Words with a letter or digit in them.
    words: usize,
}

/// What the cue rules found in one unit.
#[derive(Debug, Default)]
struct Reading<'a> {
    fired: Vec<usize>,
    hedges: Vec<&'a str>,
    /// The speaker's span and the attribution rule that found it.
    attribution: Option<(Span, usize)>,
}

/// A unit that passed the word count, read but not yet scored.
#[derive(Debug)]
struct Pending<'a> {
    unit: Unit,
    quote: units::Quoting,
    reading: Reading<'a>,
    entities: Vec<usize>,
    money: Vec<usize>,
}

impl ClaimExtractor {
    pub fn compile(source: &RuleSource, catalogue: &mut Catalogue) -> Result<ClaimExtractor, RuleError> {
        let mut rules = Vec::new();
        let mut phrases = PhraseSetBuilder::default();
        let mut scoring = None;
        for file in source.files(Family::Claims) {
            let parsed: ClaimsFile = rules::parse(file)?;
            scoring = parsed.scoring.or(scoring);
            for rule in parsed.rule {
                let registered = rule.register(file, catalogue)?;
                if rule.role == Role::Veto {
                    catalogue.leaves_no_trace(file, registered)?;
                }
                if rule.phrases.is_empty() && rule.patterns.is_empty() && rule.feature.is_none() {
                    return Err(RuleError::at(
                        file,
                        rule.id.span(),
                        "a claim rule needs `phrases`, `patterns` or `feature`",
                    ));
                }
                let mut patterns = Vec::new();
                for pattern in &rule.patterns {
                    let regex = rules::compile_regex(file, pattern)?;
                    if rule.role == Role::Attribution && !regex.capture_names().any(|n| n == Some("speaker")) {
                        return Err(RuleError::at(
                            file,
                            pattern.span(),
                            "an attribution pattern needs a `(?P<speaker>…)` group",
                        ));
                    }
                    patterns.push(regex);
                }
                if (rule.feature == Some(Feature::WordCount)) != (rule.min_words.is_some() || rule.max_words.is_some())
                {
                    return Err(RuleError::at(
                        file,
                        rule.id.span(),
                        "`min_words` and `max_words` go with `feature = \"word-count\"`, and it needs one of them",
                    ));
                }
                if rule.min_entities.is_some() && rule.feature != Some(Feature::Entity) {
                    return Err(RuleError::at(file, rule.id.span(), "`min_entities` goes with `feature = \"entity\"`"));
                }
                let index = rules.len();
                phrases.add(index, &rule.phrases, rule.position);
                rules.push(Compiled {
                    id: rule.id.into_inner(),
                    role: rule.role,
                    kind: rule.kind,
                    weight: rule.weight,
                    patterns,
                    feature: rule.feature,
                    not_speakers: rule.not_speakers,
                    refers_back: rule.refers_back.into_iter().map(|(k, v)| (k.to_lowercase(), v)).collect(),
                    min_entities: rule.min_entities.unwrap_or(1),
                    words: rule.min_words.unwrap_or(0)..=rule.max_words.unwrap_or(usize::MAX),
                });
            }
        }
        let scoring = scoring.ok_or_else(|| RuleError::Invalid {
            path: source.family_path(Family::Claims),
            line: 1,
            col: 1,
            message: "no `[scoring]` table in any claims rule file".into(),
        })?;
        Ok(ClaimExtractor { rules, phrases: phrases.build(), scoring })
    }

    /// The claims in the kept `blocks` of `text`, given the entities and money already found.
    pub fn extract<'a>(
        &'a self,
        text: &'a str,
        blocks: &[Span],
        segmenter: &Segmenter,
        entities: &[EntityItem<'a>],
        money: &[MoneyItem<'a>],
    ) -> Vec<ClaimItem<'a>> {
        let mut claims = Vec::new();
        let mut sentences = Vec::new();
        let mut pieces = Vec::new();
        let mut pending = Vec::new();
        for &block in blocks {
            sentences.clear();
            pieces.clear();
            segmenter.sentences(text, block, &mut sentences);
            for &sentence in &sentences {
                units::split(text, sentence, sentence.start == block.start, entities, money, &mut pieces);
            }
            pending.clear();
            let quotes = units::quoting(text, &pieces);
            for (&unit, quote) in pieces.iter().zip(quotes) {
                pending.extend(self.prepare(text, unit, quote, entities, money));
            }
            carry_attribution(&mut pending);
            claims.extend(pending.drain(..).filter_map(|p| self.claim(text, p, entities)));
        }
        claims
    }

    /// Reads one unit, unless it has too few words or a veto fired on it.
    fn prepare<'a>(
        &self,
        text: &'a str,
        unit: Unit,
        quote: units::Quoting,
        entities: &[EntityItem<'a>],
        money: &[MoneyItem<'a>],
    ) -> Option<Pending<'a>> {
        let words = unit.span.of(text).split_whitespace().filter(|w| w.chars().any(char::is_alphabetic)).count();
        if words < self.scoring.min_words {
            return None;
        }
        let entities = inside(unit.span, entities, |e| e.span);
        let money = inside(unit.span, money, |m| m.span);
        let facts = Facts { entities: entities.len(), has_money: !money.is_empty(), words };
        let reading = self.read(text, unit, facts);
        if reading.fired.iter().any(|&r| self.rules[r].role == Role::Veto) {
            return None;
        }
        Some(Pending { unit, quote, reading, entities, money })
    }

    /// Scores a read unit; a claim when the score reaches the threshold.
    fn claim<'a>(&'a self, text: &'a str, pending: Pending<'a>, entities: &[EntityItem<'a>]) -> Option<ClaimItem<'a>> {
        let Pending { unit, mut reading, entities: inside_entities, money: inside_money, .. } = pending;
        reading.fired.sort_unstable();
        reading.fired.dedup();
        let total: f32 = self.scoring.bias + reading.fired.iter().map(|&r| self.rules[r].weight).sum::<f32>();
        let score = 1.0 / (1.0 + (-total).exp());
        if score < self.scoring.threshold {
            return None;
        }
        let strongest = reading
            .fired
            .iter()
            .copied()
            .max_by(|&a, &b| self.rules[a].weight.total_cmp(&self.rules[b].weight).then(b.cmp(&a)))?;
        let mut kinds: Vec<ClaimKind> = reading.fired.iter().filter_map(|&r| self.rules[r].kind).collect();
        kinds.sort();
        kinds.dedup();
        let attribution = reading
            .attribution
            .map(|(speaker, rule)| speaker_of(text, unit.span, speaker, &self.rules[rule], entities));
        Some(ClaimItem {
            span: unit.span,
            text: unit.span.of(text),
            rule: &self.rules[strongest].id,
            kinds,
            hedges: reading.hedges,
            attribution,
            score: (score * 1000.0).round() / 1000.0,
            cues: reading.fired.iter().map(|&r| self.rules[r].id.as_str()).collect(),
            entities: inside_entities,
            money: inside_money,
        })
    }

    /// Runs every cue rule over one unit.
    fn read<'a>(&self, text: &'a str, unit: Unit, facts: Facts) -> Reading<'a> {
        let unit_text = unit.span.of(text);
        let mut reading = Reading::default();
        let fire = |reading: &mut Reading<'a>, rule: usize| {
            if !reading.fired.contains(&rule) {
                reading.fired.push(rule);
            }
        };
        self.phrases.find(unit_text, |rule, start, end| {
            fire(&mut reading, rule);
            if self.rules[rule].role == Role::Hedge {
                reading.hedges.push(&unit_text[start..end]);
            }
        });
        for (index, rule) in self.rules.iter().enumerate() {
            let by_feature = match rule.feature {
                Some(Feature::Money) => facts.has_money,
                Some(Feature::Entity) => facts.entities >= rule.min_entities,
                Some(Feature::ArrowChain) => unit.chain_step,
                Some(Feature::WordCount) => rule.words.contains(&facts.words),
                None => false,
            };
            if by_feature {
                fire(&mut reading, index);
            }
            // Only attributions need groups; the others ask the cheaper question.
            for pattern in &rule.patterns {
                match rule.role {
                    Role::Hedge => {
                        let Some(whole) = pattern.find(unit_text) else {
                            continue;
                        };
                        reading.hedges.push(whole.as_str());
                    }
                    Role::Attribution => {
                        let Some(speaker) = pattern.captures(unit_text).and_then(|caps| caps.name("speaker")) else {
                            continue;
                        };
                        if rule.not_speakers.iter().any(|word| word == speaker.as_str().trim()) {
                            continue;
                        }
                        if reading.attribution.is_none() {
                            let start = unit.span.start + speaker.start();
                            reading.attribution = Some((Span::new(start, start + speaker.len()).trim(text), index));
                        }
                    }
                    Role::Cue | Role::Veto => {
                        if !pattern.is_match(unit_text) {
                            continue;
                        }
                    }
                }
                fire(&mut reading, index);
                break;
            }
        }
        reading.hedges = without_nested(reading.hedges);
        reading
    }
}

/// Indices of the items (sorted by start) whose spans lie inside `unit`.
fn inside<T>(unit: Span, items: &[T], span_of: impl Fn(&T) -> Span) -> Vec<usize> {
    let first = items.partition_point(|item| span_of(item).start < unit.start);
    (first..items.len())
        .take_while(|&i| span_of(&items[i]).start < unit.end)
        .filter(|&i| unit.contains(span_of(&items[i])))
        .collect()
}

/// Slices of one text in order, without those that lie inside another ("estimated" inside
/// "an estimated").
fn without_nested(mut slices: Vec<&str>) -> Vec<&str> {
    let range = |s: &str| (s.as_ptr() as usize, s.as_ptr() as usize + s.len());
    slices.sort_by_key(|s| (range(s).0, std::cmp::Reverse(s.len())));
    let mut kept: Vec<&str> = Vec::with_capacity(slices.len());
    for slice in slices {
        let (start, end) = range(slice);
        if !kept.iter().any(|k| range(k).0 <= start && end <= range(k).1) {
            kept.push(slice);
        }
    }
    kept
}

/// Gives the units of a paragraph that are direct speech without a speaker the speaker of the
/// quotation they belong to: a quotation spanning several units takes the speaker named after
/// its last one (`"A. B," she said.`), and a quotation right after an attributed one continues
/// it (`"A," Kern said. "B."`). The attribution rule counts as fired on the unit it is carried to.
fn carry_attribution(units: &mut [Pending]) {
    for i in (0..units.len().saturating_sub(1)).rev() {
        let next = &units[i + 1];
        if units[i].quote.continues
            && next.quote.starts_quoted
            && units[i].reading.attribution.is_none()
            && let Some(found) = next.reading.attribution
        {
            give(&mut units[i].reading, found);
        }
    }
    for i in 1..units.len() {
        let previous = &units[i - 1];
        if units[i].quote.starts_quoted
            && previous.quote.starts_quoted
            && units[i].reading.attribution.is_none()
            && let Some(found) = previous.reading.attribution
        {
            give(&mut units[i].reading, found);
        }
    }
}

fn give(reading: &mut Reading, (speaker, rule): (Span, usize)) {
    reading.attribution = Some((speaker, rule));
    reading.fired.push(rule);
}

/// The speaker of an attribution: the entity it names when there is one (a person before an
/// organisation; another entity only when it covers the whole speaker), the entity it refers back to (`he`, `the company`: the last one of its type before
/// the unit), else its words.
fn speaker_of<'a>(
    text: &'a str,
    unit: Span,
    speaker: Span,
    rule: &Compiled,
    entities: &[EntityItem<'a>],
) -> Attribution<'a> {
    let first = entities.partition_point(|e| e.span.end <= speaker.start);
    let named = (first..entities.len()).take_while(|&i| entities[i].span.start < speaker.end);
    let named = named.clone().find(|&i| entities[i].entity_type == EntityType::Person).or_else(|| {
        // A place inside a longer speaker is part of a name ("Sofia Lindgren"), not the speaker.
        named.clone().find(|&i| entities[i].entity_type == EntityType::Org || entities[i].span.contains(speaker))
    });
    let referred = || {
        let wanted = rule.refers_back.get(&speaker.of(text).to_lowercase())?;
        // What the unit itself names is what the speaker talks about, not who the speaker is.
        let before_unit = entities.partition_point(|e| e.span.end <= unit.start);
        entities[..before_unit].iter().rposition(|e| e.entity_type == *wanted)
    };
    match named.or_else(referred) {
        Some(index) => Attribution { speaker: entities[index].canonical.clone(), span: speaker, entity: Some(index) },
        None => Attribution { speaker: Cow::Borrowed(speaker.of(text)), span: speaker, entity: None },
    }
}
