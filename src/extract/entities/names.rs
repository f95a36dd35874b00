//! Unknown names: runs of capitalised words that no list or pattern claimed, told apart from
//! capitalised ordinary words (sentence starts, headings) by a list of such words and by how
//! the document itself writes them.

use foldhash::{HashMap, HashSet};
use std::borrow::Cow;
use std::cell::OnceCell;
use std::sync::Arc;

use super::lists::{Lists, WordList};
use super::{Candidate, EntityRule};
use crate::chars::{ASCII_CLASS, SPACE};
use crate::record::EntityType;
use crate::rules::{RuleError, RuleFile};
use crate::span::{Span, SpanSet};

/// `capitalised = { common = "lists/common_words.tsv", min_mentions = 2 }`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapitalisedConfig {
    /// Capitalised forms of ordinary words (`Markets`, `Share`, `GPU`).
    pub common: toml::Spanned<String>,
    /// How often a single ordinary word must be written capitalised inside sentences of the
    /// document, and never in lower case, to count as a name there (`Coalition`).
    pub min_mentions: usize,
    /// When set, the rule takes only runs of two or three words whose last word is in this list
    /// and whose first word is not an ordinary word (`Anshu Gupta`).
    #[serde(default)]
    pub surnames: Option<toml::Spanned<String>>,
    /// Lists of words that are never part of a name (currency codes).
    #[serde(default)]
    pub reject: Vec<toml::Spanned<String>>,
    /// Cues: when any is set, the rule takes only runs of at least `min_words` words that end
    /// in one of `last_words` (`Independence Day`), follow one of `preceded_by` (lower case,
    /// "said Inês Carvalho") or come before one of `followed_by`, a comma allowed between
    /// ("Polar Bite bar", "Rui Tavares, president").
    #[serde(default)]
    pub last_words: Vec<String>,
    #[serde(default)]
    pub preceded_by: Vec<String>,
    #[serde(default)]
    pub followed_by: Vec<String>,
    #[serde(default = "one")]
    pub min_words: usize,
    /// A cue too: the run is an item of a list (`,`, `and`, `or`) next to an entity of this
    /// type ("off Rumoi and Esashi", "across Devon, Somerset and Wales").
    #[serde(default)]
    pub listed_with: Option<EntityType>,
    /// Whether a run right after a one-word listed organisation or place makes one name with it
    /// (`Brookfield Kerr`, `Meridian Wire`).
    #[serde(default)]
    pub extend: bool,
}

fn one() -> usize {
    1
}

/// A word of the text: letters and digits, joined by `&`, `-`, `.` or an apostrophe when a
/// letter or digit follows; a trailing possessive is not part of it.
#[derive(Debug, Clone, Copy)]
struct Word {
    span: Span,
    /// Whether the word starts in a capital.
    capitalised: bool,
    /// For a word starting in a capital: whether it begins a sentence (see [`starts_sentence`]).
    starts_sentence: bool,
}

/// A word with the shape of a word of a name, whatever the rule (see [`name_shaped`]): the only
/// words a run of capitalised words can hold. Kept apart from the other words, which need none
/// of this.
#[derive(Debug, Clone, Copy)]
struct NameWord {
    span: Span,
    /// Whether it begins a sentence (see [`starts_sentence`]).
    starts_sentence: bool,
    /// Its index among the words of its region: runs are made of consecutive words.
    index: u32,
    /// What the rules ask of it, answered once for all of them (see [`Lexicon`]): the
    /// lexicon's lists that contain it, and those it is an ordinary word of.
    listed: u32,
    common: u32,
    /// The rules (by slot) that drop it from the start of a run, and the rules whose
    /// `last_words` it is.
    strip: u32,
    last: u32,
}

/// What the capitalised-name rules ask of each name-shaped word, gathered from every rule so
/// that a document's words are looked up once for all of them rather than once per rule.
#[derive(Debug, Default)]
pub struct Lexicon {
    /// The rules' `common` and `reject` lists, each once, with whether some rule asks whether a
    /// word is an ordinary word of it (`common`) or merely listed in it (`reject`).
    lists: Vec<LexiconList>,
    /// The rules' `strip_leading` and `last_words`, by word: which rules (by slot) have it; and
    /// the words that end a run of capitalised words (the entity files' `run_breaks`). One
    /// look-up answers all three.
    rule_words: HashMap<String, RuleWords>,
    /// How many rules took a slot.
    slots: usize,
}

#[derive(Debug)]
struct LexiconList {
    words: Arc<WordList>,
    as_common: bool,
    as_reject: bool,
}

#[derive(Debug, Default, Clone, Copy)]
struct RuleWords {
    strip: u32,
    last: u32,
    run_break: bool,
}

/// Rules and lists are told apart by bits of a `u32`.
const MAX_SLOTS: usize = 32;

impl Lexicon {
    pub fn new(run_breaks: &HashSet<String>) -> Lexicon {
        let mut lexicon = Lexicon::default();
        for word in run_breaks {
            lexicon.rule_words.entry(word.clone()).or_default().run_break = true;
        }
        lexicon
    }

    fn is_run_break(&self, word: &str) -> bool {
        self.rule_words.get(word).is_some_and(|rules| rules.run_break)
    }

    /// The bit of `words` among the lexicon's lists, adding it if it is new.
    fn list_bit(&mut self, words: &Arc<WordList>, as_common: bool) -> Option<u32> {
        let index = match self.lists.iter().position(|list| Arc::ptr_eq(&list.words, words)) {
            Some(index) => index,
            None if self.lists.len() < MAX_SLOTS => {
                self.lists.push(LexiconList { words: Arc::clone(words), as_common: false, as_reject: false });
                self.lists.len() - 1
            }
            None => return None,
        };
        let list = &mut self.lists[index];
        if as_common {
            list.as_common = true;
        } else {
            list.as_reject = true;
        }
        Some(1 << index)
    }

    /// What the document asks of a name-shaped word, answered by every list and rule; `rules`
    /// is its entry in `rule_words`.
    fn describe(&self, word: &mut NameWord, surface: &str, rules: Option<&RuleWords>) {
        for (index, list) in self.lists.iter().enumerate() {
            let bit = 1 << index;
            let contains = list.words.contains(surface);
            if list.as_reject && contains {
                word.listed |= bit;
            }
            if list.as_common && (contains || is_common(&list.words, surface)) {
                word.common |= bit;
            }
        }
        if let Some(rules) = rules {
            word.strip = rules.strip;
            word.last = rules.last;
        }
    }
}

#[derive(Debug)]
pub struct CapitalisedNames {
    rule: usize,
    /// This rule's bit in a word's `strip` and `last` (see [`Lexicon`]).
    slot: u32,
    /// The bit of the `common` list in a word's `common`, and of the `reject` lists in its
    /// `listed`.
    common: u32,
    rejected: u32,
    /// The entity files' `never_alone` words.
    never_alone: Arc<HashSet<String>>,
    min_mentions: usize,
    surnames: Option<Arc<WordList>>,
    has_last_words: bool,
    preceded_by: HashSet<String>,
    followed_by: HashSet<String>,
    min_words: usize,
    listed_with: Option<EntityType>,
    extend: bool,
}

impl CapitalisedNames {
    pub fn compile(
        lists: &mut Lists,
        lexicon: &mut Lexicon,
        file: &RuleFile,
        rule_index: usize,
        rule: &EntityRule,
        config: &CapitalisedConfig,
        never_alone: &Arc<HashSet<String>>,
    ) -> Result<CapitalisedNames, RuleError> {
        let too_many = || {
            RuleError::at(file, rule.id.span(), format!("at most {MAX_SLOTS} capitalised-name rules and word lists"))
        };
        if lexicon.slots == MAX_SLOTS {
            return Err(too_many());
        }
        let slot = 1 << lexicon.slots;
        lexicon.slots += 1;
        let mut rejected = 0;
        for name in &config.reject {
            rejected |= lexicon.list_bit(&lists.get(file, name)?, false).ok_or_else(too_many)?;
        }
        let common = lexicon.list_bit(&lists.get(file, &config.common)?, true).ok_or_else(too_many)?;
        for word in &rule.strip_leading {
            lexicon.rule_words.entry(word.clone()).or_default().strip |= slot;
        }
        for word in &config.last_words {
            lexicon.rule_words.entry(word.clone()).or_default().last |= slot;
        }
        let surnames = config.surnames.as_ref().map(|name| lists.get(file, name)).transpose()?;
        Ok(CapitalisedNames {
            surnames,
            rule: rule_index,
            slot,
            common,
            never_alone: Arc::clone(never_alone),
            min_mentions: config.min_mentions,
            rejected,
            has_last_words: !config.last_words.is_empty(),
            preceded_by: config.preceded_by.iter().cloned().collect(),
            followed_by: config.followed_by.iter().cloned().collect(),
            min_words: config.min_words,
            listed_with: config.listed_with,
            extend: config.extend,
        })
    }

    /// Adds the unknown names found in the parts of `regions` that no entity in `chosen` covers.
    /// `extendable` tells which chosen entities a following run may extend (see `extend`), and
    /// `type_of` the type of a chosen entity (see `listed_with`).
    pub fn find<'a>(
        &self,
        text: &'a str,
        regions: &[Span],
        chosen: &mut Vec<Candidate<'a>>,
        document: &DocumentWords,
        extendable: impl Fn(&Candidate) -> bool,
        type_of: impl Fn(&Candidate) -> EntityType,
    ) {
        // Only the cue rules that look at the entities around a run need them indexed.
        let mut taken = SpanSet::default();
        if self.extend || self.listed_with.is_some() {
            for (index, c) in chosen.iter().enumerate() {
                taken.insert(c.span, index);
            }
        }
        let mut free = Uncovered::new(chosen);
        let mut extended = vec![false; chosen.len()];
        let mut found = Vec::new();
        for (&region, shaped) in regions.iter().zip(&document.shaped) {
            // Runs are made of name-shaped words only: the others are skipped without a look.
            let mut k = 0;
            while k < shaped.len() {
                if !self.is_name_word(&shaped[k], &mut free) {
                    k += 1;
                    continue;
                }
                let first = k;
                k += 1;
                while shaped.get(k).is_some_and(|next| next.index == shaped[k - 1].index + 1)
                    && self.is_name_word(&shaped[k], &mut free)
                    && joined(text, shaped[k - 1].span.end, shaped[k].span.start)
                {
                    k += 1;
                }
                let words = &shaped[first..k];
                let run = Span::new(words[0].span.start, words[words.len() - 1].span.end);
                // The entity ends one space before the run.
                let before = (self.extend && run.start >= 2)
                    .then(|| taken.overlapping(Span::new(run.start - 2, run.start - 1)).next())
                    .flatten()
                    .filter(|&(span, index)| {
                        span.end + 1 == run.start
                            && &text[span.end..run.start] == " "
                            && !extended[index]
                            && extendable(&chosen[index])
                            && !starts_sentence(text, region, span.start)
                    });
                let name = match before {
                    Some((span, index)) => {
                        extended[index] = true;
                        Some(Span::new(span.start, run.end))
                    }
                    None => {
                        let listed = self.listed_with.is_some_and(|wanted| {
                            listed_next_to(text, region, run, &taken, |index| type_of(&chosen[index]) == wanted)
                        });
                        self.judge(text, region, words, document, listed)
                    }
                };
                if let Some(span) = name.filter(|span| !self.never_alone.contains(span.of(text))) {
                    found.push(Candidate { span, rule: self.rule, canonical: collapse(span.of(text)) });
                }
            }
        }
        // Most rules extend nothing in most documents, and many find nothing: the chosen
        // entities are then kept in place.
        if extended.contains(&true) {
            let mut kept: Vec<Candidate<'a>> =
                chosen.drain(..).zip(extended).filter(|(_, extended)| !extended).map(|(c, _)| c).collect();
            kept.extend(found);
            kept.sort_by_key(|c| c.span.start);
            *chosen = kept;
        } else if !found.is_empty() {
            chosen.extend(found);
            chosen.sort_by_key(|c| c.span.start);
        }
    }

    /// A capitalised word, outside every chosen entity, that may be part of a name.
    fn is_name_word(&self, word: &NameWord, free: &mut Uncovered) -> bool {
        word.listed & self.rejected == 0 && free.is_free(word.span)
    }

    /// Whether a name-shaped word is an ordinary word of the rule's `common` list.
    fn is_common(&self, word: &NameWord) -> bool {
        word.common & self.common != 0
    }

    /// The name in a run of capitalised words, if they make one.
    /// `listed` tells whether the run is an item of a list next to an entity of `listed_with`.
    fn judge(
        &self,
        text: &str,
        region: Span,
        run: &[NameWord],
        document: &DocumentWords,
        listed: bool,
    ) -> Option<Span> {
        let initial = run[0].starts_sentence || document.in_headline(run[0].span.start);
        let original_start = run[0].span.start;
        let mut run = run;
        while let Some((first, rest)) = run.split_first() {
            if first.strip & self.slot != 0 || (initial && self.is_common(first)) {
                run = rest;
            } else {
                break;
            }
        }
        let (first, last) = (run.first()?, run.last()?);
        let span = Span::new(first.span.start, last.span.end);
        if let Some(surnames) = &self.surnames {
            let fits = (2..=3).contains(&run.len())
                && !span.of(text).contains('&')
                && surnames.contains(last.span.of(text))
                && !self.is_common(first);
            return fits.then_some(span);
        }
        if self.has_cues() {
            let cued = run.len() >= self.min_words && (listed || self.cued(text, region, span, last));
            return cued.then_some(span);
        }
        let stripped = span.start != original_start;
        let has_rare = run.iter().any(|w| !self.is_common(w));
        if has_rare && !stripped && initial {
            // A sentence start capitalises any word: a coined word there ("Shrinkflation has
            // arrived") or a heading glued to the sentence ("Farmgate Pressure Ghana") is a name
            // only if the document also writes the first word capitalised inside a sentence, or
            // the run ends in a word English does not otherwise use.
            let first_inside = document.inside(first.span.of(text)) > 0;
            let last_rare = !self.is_common(last);
            let acronym = !first.span.of(text).chars().any(char::is_lowercase);
            return (first_inside || acronym || (run.len() >= 2 && last_rare)).then_some(span);
        }
        if has_rare {
            return Some(span);
        }
        // Only ordinary words: a name when written capitalised in the middle of running text
        // ("analysts at Capital Economics"), or, for one word, when the document keeps writing
        // it so ("the Coalition").
        if initial || stripped {
            return None;
        }
        if run.len() >= 2 && follows_prose(text, region, original_start) {
            return Some(span);
        }
        (run.len() == 1 && self.capitalised_in_document(document, run[0].span.of(text))).then_some(span)
    }

    fn has_cues(&self) -> bool {
        self.has_last_words
            || !self.preceded_by.is_empty()
            || !self.followed_by.is_empty()
            || self.listed_with.is_some()
    }

    /// Whether one of the rule's cues holds for the run at `span`, whose last word is `last`.
    /// Every rule asks this of every run, and most rules have one kind of cue: the words around
    /// the run are read only for the cues the rule has.
    fn cued(&self, text: &str, region: Span, span: Span, last: &NameWord) -> bool {
        let preceded = || {
            let before = text[region.start..span.start].trim_end_matches([' ', '\t']);
            let previous = before.rsplit(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
            !previous.is_empty() && self.preceded_by.contains(previous)
        };
        let followed = || {
            let after = text[span.end..region.end].trim_start_matches([' ', '\t', ',']);
            let next = after.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
            !next.is_empty() && self.followed_by.contains(lower_case(next).as_ref())
        };
        last.last & self.slot != 0
            || (!self.preceded_by.is_empty() && preceded())
            || (!self.followed_by.is_empty() && followed())
    }

    /// Whether `word` is written capitalised inside sentences at least `min_mentions` times in
    /// the document, and never in lower case. Acronyms are always capitalised and prove nothing.
    fn capitalised_in_document(&self, document: &DocumentWords, word: &str) -> bool {
        // The cheap questions first: most words are not written capitalised that often.
        word.chars().any(char::is_lowercase)
            && document.inside(word) >= self.min_mentions
            && !document.writes_lower(&word.to_lowercase())
    }
}

/// How a document writes its words, gathered once for all capitalised-name rules: what they
/// judge sentence starts, headlines and lone ordinary words by.
#[derive(Debug)]
pub struct DocumentWords<'a> {
    text: &'a str,
    /// The words of each region.
    words: Vec<Vec<Word>>,
    /// The name-shaped words of each region, the only ones a run can hold.
    shaped: Vec<Vec<NameWord>>,
    /// Capitalised words, with how often each is written inside a sentence; gathered on the
    /// first question: many documents raise none.
    inside: OnceCell<HashMap<&'a str, usize>>,
    /// Words written in lower case; gathered on the first question, apart from `inside`: it
    /// holds most of the document's words and is asked about far more rarely.
    lower: OnceCell<HashSet<&'a str>>,
    /// Lines written in title case, in order.
    headlines: Vec<Span>,
}

impl<'a> DocumentWords<'a> {
    /// The words of `regions` of `text`, described by `lexicon`.
    pub fn new(text: &'a str, regions: &[Span], lexicon: &Lexicon) -> DocumentWords<'a> {
        let mut document = DocumentWords {
            text,
            words: Vec::new(),
            shaped: Vec::new(),
            inside: OnceCell::new(),
            lower: OnceCell::new(),
            headlines: Vec::new(),
        };
        for &region in regions {
            let mut region_words: Vec<Word> = Vec::with_capacity(region.len() / 6);
            let mut shaped = Vec::new();
            for span in words(text, region) {
                let surface = span.of(text);
                let mut word = Word { span, capitalised: false, starts_sentence: false };
                if surface.starts_with(char::is_uppercase) {
                    word.capitalised = true;
                    word.starts_sentence = starts_sentence(text, region, span.start);
                    let rules = lexicon.rule_words.get(surface);
                    if name_shaped(surface, rules.is_some_and(|rules| rules.run_break), lexicon) {
                        let mut name_word = NameWord {
                            span,
                            starts_sentence: word.starts_sentence,
                            index: region_words.len() as u32,
                            listed: 0,
                            common: 0,
                            strip: 0,
                            last: 0,
                        };
                        lexicon.describe(&mut name_word, surface, rules);
                        shaped.push(name_word);
                    }
                }
                region_words.push(word);
            }
            let mut start = region.start;
            for line in region.of(text).split('\n') {
                let span = Span::new(start, start + line.len());
                if is_title_case(line) {
                    document.headlines.push(span);
                }
                start = span.end + 1;
            }
            document.words.push(region_words);
            document.shaped.push(shaped);
        }
        document
    }

    /// How often `word` is written, capitalised as given, inside a sentence.
    fn inside(&self, word: &str) -> usize {
        let inside = self.inside.get_or_init(|| {
            let mut inside = HashMap::default();
            for word in self.words.iter().flatten().filter(|word| word.capitalised && !word.starts_sentence) {
                *inside.entry(word.span.of(self.text)).or_default() += 1;
            }
            inside
        });
        inside.get(word).copied().unwrap_or(0)
    }

    /// Whether `word` is written as given, in lower case, somewhere.
    fn writes_lower(&self, word: &str) -> bool {
        let lower = self.lower.get_or_init(|| {
            let count = self.words.iter().map(Vec::len).sum();
            let mut lower = HashSet::with_capacity_and_hasher(count, Default::default());
            for word in self.words.iter().flatten().filter(|word| !word.capitalised) {
                let surface = word.span.of(self.text);
                if !surface.chars().any(char::is_uppercase) {
                    lower.insert(surface);
                }
            }
            lower
        });
        lower.contains(word)
    }

    /// Whether `at` lies in a title-case line.
    fn in_headline(&self, at: usize) -> bool {
        let next = self.headlines.partition_point(|line| line.end < at);
        self.headlines.get(next).is_some_and(|line| line.start <= at)
    }
}

/// Whether a line is written in title case (a headline): of its words of four letters or more,
/// at least four and no more than one in five start in lower case.
fn is_title_case(line: &str) -> bool {
    let (mut upper, mut lower) = (0, 0);
    // Runs of letters, counted as they end: (letters so far, whether the first is a capital).
    let (mut letters, mut capital) = (0, false);
    for (at, c) in line.char_indices().chain([(line.len(), ' ')]) {
        if c.is_alphabetic() {
            if letters == 0 {
                capital = c.is_uppercase();
            }
            letters += 1;
            continue;
        }
        if letters >= 4 {
            if capital {
                upper += 1;
            } else {
                lower += 1;
                // Prose stops here: the rest of the line has no room for enough capitalised
                // words (four letters and a break each) to outweigh its lower-case ones.
                if lower * 4 > upper + (line.len() - at + 1) / 5 {
                    return false;
                }
            }
        }
        letters = 0;
    }
    upper >= 4 && lower * 5 <= upper + lower
}

/// Whether a word is an ordinary word written capitalised: listed in `common` as such, or a
/// hyphenated compound of such words (`Lock-In`).
fn is_common(common: &WordList, surface: &str) -> bool {
    let listed = |part: &str| {
        // A long all-capitals word is judged by its Title-case form too (`INDEPENDENCE`);
        // short ones are acronyms (`CRI` is not `Cri`).
        common.contains(part)
            || (part.chars().count() >= 4
                && !part.chars().any(char::is_lowercase)
                && common.contains(&title_case(part)))
    };
    listed(surface) || (surface.contains('-') && surface.split('-').all(|part| part.is_empty() || listed(part)))
}

/// Whether a word that starts in a capital may be part of a name, whatever the rule: two letters
/// or more, no run break, no plural acronym.
/// `is_break` tells whether `surface` itself is a run break.
fn name_shaped(surface: &str, is_break: bool, lexicon: &Lexicon) -> bool {
    // One pass over the word: its letters, whether any is lower case or a digit, and whether a
    // part of a compound starts in lower case.
    let (mut letters, mut lower, mut digit, mut lower_part) = (0, false, false, false);
    let mut part_start = true;
    for c in surface.chars() {
        let is_lower = c.is_lowercase();
        // Every part of a compound is capitalised in a name (`Rolls-Royce`), not in
        // `Cornish-founded`.
        lower_part |= part_start && is_lower;
        part_start = c == '-';
        letters += usize::from(c.is_alphabetic());
        lower |= is_lower;
        digit |= c.is_ascii_digit();
    }
    !lower_part
        && letters >= 2
        && (letters >= 3 || !digit)
        && !is_break
        && (lower || !lexicon.is_run_break(&title_case(surface)))
        && !is_plural_acronym(surface)
}

/// Which words the chosen entities cover, asked of words in text order: a walk along the
/// entities (sorted by start, disjoint) instead of a search per word.
struct Uncovered<'c, 'a> {
    chosen: &'c [Candidate<'a>],
    next: usize,
}

impl<'c, 'a> Uncovered<'c, 'a> {
    fn new(chosen: &'c [Candidate<'a>]) -> Self {
        Uncovered { chosen, next: 0 }
    }

    /// Whether no chosen entity overlaps `span`; spans must be asked about in order of start.
    fn is_free(&mut self, span: Span) -> bool {
        while self.chosen.get(self.next).is_some_and(|c| c.span.end <= span.start) {
            self.next += 1;
        }
        self.chosen.get(self.next).is_none_or(|c| !c.span.overlaps(span))
    }
}

/// `next.to_lowercase()`, without a copy for the usual ASCII lower-case word.
fn lower_case(word: &str) -> Cow<'_, str> {
    if word.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        Cow::Borrowed(word)
    } else {
        Cow::Owned(word.to_lowercase())
    }
}

/// `OCTOBER` → `October`; other words unchanged in their first letter.
fn title_case(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect())
        .unwrap_or_default()
}

/// `SMEs`, `NPAs`: the plural of an acronym is a class of things, not a name.
fn is_plural_acronym(word: &str) -> bool {
    word.strip_suffix('s').is_some_and(|stem| stem.chars().count() >= 2 && stem.chars().all(|c| c.is_uppercase()))
}

/// The words of `region`, in order. A one-letter word comes out empty, at its start.
fn words(text: &str, region: Span) -> impl Iterator<Item = Span> + '_ {
    let slice = region.of(text);
    // Most text is ASCII: a byte decides the character without decoding.
    let char_at = move |at: usize| match slice.as_bytes().get(at) {
        Some(&byte) if byte.is_ascii() => Some(byte as char),
        Some(_) => slice[at..].chars().next(),
        None => None,
    };
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = loop {
            let c = char_at(at)?;
            at += c.len_utf8();
            if c.is_alphanumeric() {
                break at - c.len_utf8();
            }
        };
        let mut end = start;
        while let Some(c) = char_at(at) {
            let after = at + c.len_utf8();
            if c.is_alphanumeric() {
                at = after;
                end = after;
            } else if matches!(c, '&' | '-' | '.' | '\'' | '’') && char_at(after).is_some_and(char::is_alphanumeric) {
                at = after;
            } else {
                break;
            }
        }
        let mut word = &slice[start..end];
        for possessive in ["'s", "’s"] {
            if word.len() > possessive.len() + 1 {
                word = word.strip_suffix(possessive).unwrap_or(word);
            }
        }
        Some(Span::new(region.start + start, region.start + start + word.len()))
    })
}

/// The separators between the items of a list; the ones with a conjunction close it.
const LIST_SEPARATORS: [(&str, bool); 5] =
    [(", and ", true), (", or ", true), (" and ", true), (" or ", true), (", ", false)];

/// Whether the run at `span` is an item of a list with a neighbouring item that `wanted`
/// accepts (given its index in `taken`). A bare comma on one side counts only with a separator
/// on the other, so that "In Bavaria, Kelvara said" is no list.
fn listed_next_to(text: &str, region: Span, span: Span, taken: &SpanSet, wanted: impl Fn(usize) -> bool) -> bool {
    let before = &text[region.start..span.start];
    let after = &text[span.end..region.end];
    let left = LIST_SEPARATORS.iter().find(|(separator, _)| before.ends_with(separator));
    let right = LIST_SEPARATORS.iter().find(|(separator, _)| after.starts_with(separator));
    let left_item = left.is_some_and(|(separator, _)| {
        let end = span.start - separator.len();
        end > region.start
            && taken.overlapping(Span::new(end - 1, end)).any(|(item, index)| item.end == end && wanted(index))
    });
    let right_item = right.is_some_and(|(separator, _)| {
        let start = span.end + separator.len();
        start < region.end
            && taken.overlapping(Span::new(start, start + 1)).any(|(item, index)| item.start == start && wanted(index))
    });
    let closes = |side: Option<&(&str, bool)>| side.is_some_and(|&(_, conjunction)| conjunction);
    (left_item && (closes(left) || right.is_some())) || (right_item && (closes(right) || left.is_some()))
}

/// Whether two words are separated by one space only (or by ` & `), so that they can belong to
/// one name.
fn joined(text: &str, end: usize, start: usize) -> bool {
    matches!(&text[end..start], " " | " & " | "&")
}

/// Whether the word at `at` begins a sentence, a line or a quotation: only spaces and opening
/// punctuation between it and the start of the region, a line break or a sentence end.
fn starts_sentence(text: &str, region: Span, at: usize) -> bool {
    let before = text[region.start..at].trim_end_matches([' ', '\t', '"', '“', '‘', '\'', '(', '[', '*', '#', '>']);
    match before.chars().next_back() {
        None => true,
        Some(c) => matches!(c, '\n' | '\r' | '.' | '!' | '?' | ':' | ';' | '|' | '•' | '-' | '–' | '—' | '…' | '”'),
    }
}

/// Whether the word at `at` follows running text: a lower-case word or a comma before it.
fn follows_prose(text: &str, region: Span, at: usize) -> bool {
    let before = text[region.start..at].trim_end_matches([' ', '\t']);
    match before.chars().next_back() {
        Some(',') => true,
        Some(c) if c.is_alphabetic() => {
            let word_start =
                before.char_indices().rev().find(|(_, c)| !c.is_alphanumeric()).map_or(0, |(i, c)| i + c.len_utf8());
            before[word_start..].starts_with(char::is_lowercase)
        }
        _ => false,
    }
}

/// The name with its whitespace collapsed; most names have nothing to collapse.
pub(super) fn collapse(name: &str) -> Cow<'_, str> {
    // One pass over the bytes: ASCII, with single spaces between words and no other whitespace.
    let bytes = name.as_bytes();
    let collapsed = bytes.iter().enumerate().all(|(at, &b)| match b {
        b' ' => at > 0 && at + 1 < bytes.len() && bytes[at + 1] != b' ',
        _ => b.is_ascii() && ASCII_CLASS[usize::from(b)] != SPACE,
    });
    if collapsed { Cow::Borrowed(name) } else { Cow::Owned(name.split_whitespace().collect::<Vec<_>>().join(" ")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn surfaces(text: &str) -> Vec<&str> {
        words(text, Span::new(0, text.len())).map(|span| span.of(text)).collect()
    }

    #[test]
    fn words_keep_joined_forms_and_drop_possessives() {
        assert_eq!(
            surfaces("S&P and O'Neil's U.S. lastminute.com, Lock-In."),
            ["S&P", "and", "O'Neil", "U.S", "lastminute.com", "Lock-In"]
        );
    }

    #[test]
    fn document_words_count_mentions_inside_sentences_and_find_headlines() {
        let text = "Rates Rise As Ports Reopen Across Europe\nThe Coalition met. Coalition members and the Coalition agreed; a coalition formed.";
        let document = DocumentWords::new(text, &[Span::new(0, text.len())], &Lexicon::default());
        assert_eq!(document.inside("Coalition"), 2);
        assert!(document.writes_lower("coalition"));
        assert!(document.in_headline(text.find("Ports").unwrap()));
        assert!(!document.in_headline(text.find("members").unwrap()));
    }

    #[test]
    fn names_collapse_whitespace_and_borrow_when_there_is_none() {
        assert!(matches!(collapse("Polar Vane"), Cow::Borrowed("Polar Vane")));
        assert_eq!(collapse("Polar \n Vane"), "Polar Vane");
        assert_eq!(collapse("Polar\u{a0}Vane"), "Polar Vane");
        assert_eq!(collapse("Polar\u{b}Vane"), "Polar Vane");
        assert_eq!(lower_case("Said"), "said");
        assert!(matches!(lower_case("said"), Cow::Borrowed("said")));
    }

    #[test]
    fn headlines_need_four_capitalised_long_words() {
        assert!(is_title_case("Rates Rise As Ports Reopen Across Europe"));
        assert!(is_title_case("Öl-Preise Steigen Über Erwartungen"));
        assert!(!is_title_case("Rates rise as ports reopen across Europe"));
        assert!(!is_title_case("Rise In Rates"));
    }

    #[test]
    fn uncovered_words_are_found_walking_the_entities() {
        let chosen =
            [Span::new(2, 5), Span::new(8, 12)].map(|span| Candidate { span, rule: 0, canonical: Cow::Borrowed("") });
        let mut free = Uncovered::new(&chosen);
        let answers: Vec<bool> =
            [(0, 2), (3, 4), (5, 8), (6, 9), (12, 14)].map(|(start, end)| free.is_free(Span::new(start, end))).into();
        assert_eq!(answers, [true, false, true, false, true]);
    }

    #[test]
    fn plural_acronyms_and_title_case() {
        assert!(is_plural_acronym("SMEs"));
        assert!(!is_plural_acronym("Ms"));
        assert!(!is_plural_acronym("Texas"));
        assert_eq!(title_case("OCTOBER"), "October");
    }

    #[test]
    fn sentence_starts_and_prose() {
        let text = "Rates fell. \"Shares rose, Kiln Tide said\n- Note";
        let region = Span::new(0, text.len());
        let at = |w: &str| text.find(w).unwrap();
        assert!(starts_sentence(text, region, at("Rates")));
        assert!(starts_sentence(text, region, at("Shares")));
        assert!(!starts_sentence(text, region, at("Kiln")));
        assert!(starts_sentence(text, region, at("Note")));
        assert!(follows_prose(text, region, at("Kiln")));
        assert!(!follows_prose(text, region, at("Shares")));
    }
}
