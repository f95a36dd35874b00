//! Unknown names: runs of capitalised words that no list or pattern claimed, told apart from
//! capitalised ordinary words (sentence starts, headings) by a list of such words and by how
//! the document itself writes them.

use foldhash::HashSet;
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::sync::Arc;

use super::gazetteer::{is_set, set};
use super::lists::{self, HashBits, Lists, WordList};
use super::scan::{Bits, WordScan};
use super::{Candidate, EntityRule};
use crate::chars::{self, ASCII_CLASS, LETTER, SPACE, class_at};
use crate::record::EntityType;
use crate::rules::{RuleError, RuleFile};
use crate::span::Span;

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

/// A word with the shape of a word of a name, whatever the rule (see [`name_shaped`]): the only
/// words a run of capitalised words can hold. Kept apart from the other words, which need none
/// of this.
#[derive(Debug, Clone)]
struct NameWord {
    span: Span,
    /// The hash of its surface (see [`lists::hash`]), made once for the look-up in the lexicon
    /// and kept for the count of its mentions (see [`DocumentWords::inside`]).
    hash: u64,
    /// Whether it begins a sentence (see [`starts_sentence`]) or lies in a headline: where any
    /// word is written capitalised. Told once here rather than by each rule for each run.
    initial: bool,
    /// Whether it lies inside a sentence (begins none): what [`DocumentWords::inside`] counts.
    inside_sentence: bool,
    /// Whether it may go on a run that the name-shaped word before it is in: runs are made of
    /// consecutive words of a region, one space or ` & ` between (see [`joined`]). Told once
    /// here for every rule.
    joins_previous: bool,
    /// Whether it is one of the entity files' `never_alone` words: a name of this word alone is
    /// turned down without a look-up of its text.
    never_alone: bool,
    /// What the rules ask of it, answered once for all of them (see [`Lexicon`]): the
    /// lexicon's lists that contain it, and those it is an ordinary word of.
    listed: u32,
    common: u32,
    /// The rules (by slot) that drop it from the start of a run, and the rules whose
    /// `last_words` it is.
    strip: u32,
    last: u32,
    /// The rules (by slot) whose `preceded_by` holds the word before it, and whose
    /// `followed_by` holds the word after it: read once, as the word is, rather than by each rule
    /// for each run it judges. Read for every word, they also tell which rules' cues the
    /// document holds at all (see [`DocumentWords::cued`]).
    preceded: u32,
    followed: u32,
}

/// What the capitalised-name rules ask of each name-shaped word, gathered from every rule so
/// that a document's words are looked up once for all of them rather than once per rule.
#[derive(Debug, Default)]
pub struct Lexicon {
    /// The rules' `common` and `reject` lists, each once, by bit.
    lists: Vec<Arc<WordList>>,
    /// The lists some rule asks whether a word is an ordinary word of (`common`), and those
    /// some rule asks merely whether a word is in (`reject`).
    as_common: u32,
    as_reject: u32,
    /// Every word of those lists, of the rules' `strip_leading` and `last_words` and of the run
    /// breaks, with all that is known of it: one look-up per word answers every list and rule.
    known: KnownWords,
    /// The rules' `preceded_by` and `followed_by` words, apart: a few dozen words, asked about
    /// for the words around every name-shaped word, stay in the cache where the tens of thousands
    /// above would not.
    cues: KnownWords,
    /// The [`head`]s and lengths of the `preceded_by` and of the `followed_by` words, apart.
    preceded_heads: CueHeads,
    /// The last two bytes of the `preceded_by` words, by [`pair_head`]: a word before a
    /// name-shaped word that ends in two others is none of them, told before it is read back to
    /// its start.
    preceded_tails: [u64; 16],
    followed_heads: CueHeads,
    /// The [`head`]s and lengths of the run breaks: most words in capitals (`CEO`, `GDP`) share
    /// none with one, and are not written in Title case to be looked up (see
    /// [`Lexicon::breaks_in_title_case`]).
    break_heads: CueHeads,
    /// How many rules took a slot.
    slots: usize,
    /// The rules (by slot) that have `preceded_by` and `followed_by` words.
    asks_preceded: u32,
    asks_followed: u32,
    /// Whether some `followed_by` word has a character beyond ASCII: if none has, the words
    /// after name-shaped words that have one are turned away before they are lower-cased (see
    /// [`Lexicon::followed`]).
    followed_beyond_ascii: bool,
    /// The fewest `min_mentions` of any rule: only a word written capitalised inside sentences
    /// that often can be asked whether the document also writes it in lower case.
    min_mentions: usize,
}

/// What the lexicon knows of a word.
#[derive(Debug, Default, Clone, Copy)]
struct Facts {
    /// The lexicon's lists that hold it, by bit.
    lists: u32,
    /// The rules (by slot) whose `strip_leading`, `last_words`, `preceded_by` and
    /// `followed_by` it is.
    strip: u32,
    last: u32,
    preceding: u32,
    following: u32,
    /// Whether it ends a run of capitalised words (the entity files' `run_breaks`).
    run_break: bool,
    /// Whether it is never an entity on its own (the entity files' `never_alone`).
    never_alone: bool,
}

/// Words and their [`Facts`], kept as one text and a table of offsets into it, like a
/// [`WordList`].
#[derive(Debug)]
struct KnownWords {
    text: String,
    /// (start, end) of each word in `text`, and its facts, by the word's hash. The facts are kept
    /// in the table itself: a look-up, made for every capitalised word of every document, reads
    /// the table and the word's letters, and no third place between them.
    by_word: HashTable<(u32, u32, Facts)>,
    /// A bit for each word at the top bits of its hash: most capitalised words of a document
    /// are no known word, and most of those are turned away by one bit, without the call that
    /// probes the table.
    filter: HashBits,
}

impl Default for KnownWords {
    fn default() -> KnownWords {
        KnownWords { text: String::new(), by_word: HashTable::new(), filter: HashBits::for_words(0) }
    }
}

impl KnownWords {
    /// Room for `additional` more words, made at once rather than by growing word by word.
    fn reserve(&mut self, additional: usize) {
        let text = &self.text;
        self.by_word.reserve(additional, |&(start, end, _)| lists::hash(&text[start as usize..end as usize]));
        self.make_room_in_filter(additional);
    }

    /// Makes the filter anew from the words' hashes when `additional` more words would leave it
    /// under eight bits a word: for twice the words, so that words added one by one remake it
    /// a few times, and a list added at once (see [`KnownWords::reserve`]) once.
    fn make_room_in_filter(&mut self, additional: usize) {
        let words = self.by_word.len() + additional;
        if words > self.filter.room() {
            self.filter = HashBits::for_words(words * 2);
            for &(start, end, _) in &self.by_word {
                self.filter.insert(lists::hash(&self.text[start as usize..end as usize]));
            }
        }
    }

    /// The facts of `word`; nothing for a word the lexicon does not know.
    fn get(&self, word: &str) -> Facts {
        self.get_hashed(word, lists::hash(word))
    }

    /// The facts of `word`, whose hash is `hash`.
    fn get_hashed(&self, word: &str, hash: u64) -> Facts {
        if !self.filter.may_hold(hash) {
            return Facts::default();
        }
        // Compared as bytes: the offsets are the word's own, and slicing the text as a `str`
        // would check both of them for a character boundary at every probe.
        let (text, word) = (self.text.as_bytes(), word.as_bytes());
        let is_word = |&(start, end, _): &(u32, u32, Facts)| &text[start as usize..end as usize] == word;
        self.by_word.find(hash, is_word).map(|&(_, _, facts)| facts).unwrap_or_default()
    }

    /// The facts of `word`, to change, added if new.
    fn entry(&mut self, word: &str) -> &mut Facts {
        let hash = lists::hash(word);
        self.make_room_in_filter(1);
        self.filter.insert(hash);
        let text = &mut self.text;
        let entry = self.by_word.entry(
            hash,
            |&(start, end, _)| &text[start as usize..end as usize] == word,
            |&(start, end, _)| lists::hash(&text[start as usize..end as usize]),
        );
        match entry {
            Entry::Occupied(known) => &mut known.into_mut().2,
            Entry::Vacant(slot) => {
                let start = text.len() as u32;
                text.push_str(word);
                &mut slot.insert((start, text.len() as u32, Facts::default())).into_mut().2
            }
        }
    }
}

/// Past this many bytes searched in all (the words asked about times the length of the
/// document), [`DocumentWords::writes_lower`] reads all the document's words once instead of
/// searching for each word: the searches stay linear in the document.
const LOWER_SEARCH_BYTES: usize = 1 << 20;

/// The one character beyond ASCII whose lower case is ASCII (`k`).
const KELVIN_SIGN: char = '\u{212A}';

/// Rules and lists are told apart by bits of a `u32`.
const MAX_SLOTS: usize = 32;

impl Lexicon {
    pub fn new(run_breaks: &HashSet<String>, never_alone: &HashSet<String>) -> Lexicon {
        let mut lexicon = Lexicon { min_mentions: usize::MAX, ..Lexicon::default() };
        for word in run_breaks {
            lexicon.known.entry(word).run_break = true;
            lexicon.break_heads.add(word);
        }
        for word in never_alone {
            lexicon.known.entry(word).never_alone = true;
        }
        lexicon
    }

    /// The bit of `words` among the lexicon's lists, adding it if it is new.
    fn list_bit(&mut self, words: &Arc<WordList>, as_common: bool) -> Option<u32> {
        let index = match self.lists.iter().position(|list| Arc::ptr_eq(list, words)) {
            Some(index) => index,
            None if self.lists.len() < MAX_SLOTS => {
                self.lists.push(Arc::clone(words));
                let surfaces = words.surfaces();
                self.known.reserve(surfaces.len());
                for surface in surfaces {
                    self.known.entry(surface).lists |= 1 << (self.lists.len() - 1);
                }
                self.lists.len() - 1
            }
            None => return None,
        };
        let bit = 1 << index;
        if as_common {
            self.as_common |= bit;
        } else {
            self.as_reject |= bit;
        }
        Some(bit)
    }

    /// What the document asks of a name-shaped word, answered by every list and rule; `facts`
    /// are what the lexicon knows of `surface` itself, `shape` its shape.
    fn describe(&self, word: &mut NameWord, surface: &str, shape: Shape, facts: Facts) {
        word.listed = facts.lists & self.as_reject;
        word.common = facts.lists & self.as_common;
        // A list that does not hold the word may still hold it as an ordinary word written
        // otherwise (see [`Lexicon::ordinary_in`]): asked only of the lists that need it.
        let missing = self.as_common & !facts.lists;
        if missing != 0 {
            word.common |= self.ordinary_in(surface, shape, facts.lists) & missing;
        }
        word.strip = facts.strip;
        word.last = facts.last;
    }

    /// Whether `word`, in capitals, is a run break written in Title case (`JAN`, `MONDAY`).
    fn breaks_in_title_case(&self, word: &str) -> bool {
        // As in `followed`: two ASCII bytes keep their head in Title case, and an ASCII word its
        // length.
        let head_kept = word.bytes().take(2).all(|byte| byte.is_ascii());
        if head_kept && !self.break_heads.may_hold(word, word.is_ascii().then_some(word.len())) {
            return false;
        }
        with_title_case(word, |title| self.known.get(title).run_break)
    }

    /// `word` as a `preceded_by` word of the rules in `slot`.
    fn add_preceded_by(&mut self, word: &str, slot: u32) {
        self.cues.entry(word).preceding |= slot;
        self.asks_preceded |= slot;
        self.preceded_heads.add(word);
        if let Some(&tail) = word.as_bytes().last_chunk() {
            set(&mut self.preceded_tails, pair_head(tail));
        }
    }

    /// `word` as a `followed_by` word of the rules in `slot`.
    fn add_followed_by(&mut self, word: &str, slot: u32) {
        self.cues.entry(word).following |= slot;
        self.asks_followed |= slot;
        self.followed_heads.add(word);
        self.followed_beyond_ascii |= !word.is_ascii();
    }

    /// The rules whose `preceded_by` holds the word before `at` in `region` of `text` (see
    /// [`word_ending`]).
    fn preceded(&self, text: &str, region: Span, at: usize) -> u32 {
        let end = region.start + end_past_blanks(&text.as_bytes()[region.start..at]);
        self.preceded_past_blanks(text, region.start, end)
    }

    /// [`Lexicon::preceded`] of a word in a region that starts at `start`, the spaces and tabs
    /// before the word beginning at `end`: passed once for this and for [`opens_sentence`]. Read
    /// once per name-shaped word (see [`NameWord::preceded`]), in the loop over the words: not a
    /// call; and not asked of a word that begins a sentence, which no letter or digit precedes
    /// past spaces and tabs: no word.
    #[inline]
    fn preceded_past_blanks(&self, text: &str, start: usize, end: usize) -> u32 {
        if self.asks_preceded == 0 {
            return 0;
        }
        // Told by the last bytes before the blanks, as `word_ending` reads them: most
        // name-shaped words inside a sentence follow one that ends in two ASCII letters or digits
        // no cue ends in (`the`, `of`), or punctuation (`,`).
        let bytes = &text.as_bytes()[start..end];
        match *bytes {
            [] => return 0,
            [.., last] if last.is_ascii() && !last.is_ascii_alphanumeric() => return 0,
            [.., first, second]
                if first.is_ascii_alphanumeric()
                    && second.is_ascii_alphanumeric()
                    && !is_set(&self.preceded_tails, pair_head([first, second])) =>
            {
                return 0;
            }
            _ => {}
        }
        let previous = word_ending(text, start, end);
        // Most words before a name-shaped word (`the`, `and`) share no first two letters and
        // length with a cue: they are turned away without a look-up.
        if previous.is_empty() || !self.preceded_heads.may_hold(previous, Some(previous.len())) {
            return 0;
        }
        self.cues.get(previous).preceding
    }

    /// The rules whose `followed_by` holds the word after `end` in `region` of `text` (see
    /// [`word_after`]), in lower case. In the loop over the words, as `preceded`.
    #[inline]
    fn followed(&self, text: &str, region: Span, end: usize) -> u32 {
        if self.asks_followed == 0 || !self.followed_heads.may_begin(&text.as_bytes()[end..region.end]) {
            return 0;
        }
        let next = word_after(text, region, end);
        // As in `preceded`, before the word is lower-cased: two ASCII bytes keep their head in
        // lower case, other characters may not (`Р` and `р` begin with different bytes), and an
        // ASCII word keeps its length (`İ` has a longer lower case).
        let head_kept = next.bytes().take(2).all(|byte| byte.is_ascii());
        if next.is_empty() || (head_kept && !self.followed_heads.may_hold(next, next.is_ascii().then_some(next.len())))
        {
            return 0;
        }
        // The lower case of a word beyond ASCII is beyond ASCII too unless its only characters
        // beyond ASCII are Kelvin signs (see `only_the_kelvin_sign_lower_cases_to_ascii`): with
        // every cue in ASCII, such a word, from a page in another script, is no cue, told without
        // its lower case, a copy on the heap.
        if !self.followed_beyond_ascii && !next.is_ascii() && !next.contains(KELVIN_SIGN) {
            return 0;
        }
        with_lower_case(next, |lower| self.cues.get(lower).following)
    }

    /// The lists that have `surface` (which the lists in `lists` hold, of shape `shape`) as an
    /// ordinary word written capitalised: listed as such, or a hyphenated compound of such words
    /// (`Lock-In`). Asked of most name-shaped words, whose shape is read already.
    fn ordinary_in(&self, surface: &str, shape: Shape, lists: u32) -> u32 {
        let mut ordinary = self.listed_in(surface, shape, lists);
        if shape.hyphen {
            ordinary |= surface
                .split('-')
                .filter(|part| !part.is_empty())
                .fold(!0, |all, part| all & self.listed_in(part, Shape::of(part), self.known.get(part).lists));
        }
        ordinary
    }

    /// The lists that hold `part` (`lists` hold it as written; `shape` is its shape), or, for a
    /// long all-capitals word, its Title-case form (`INDEPENDENCE`); short ones are acronyms
    /// (`CRI` is not `Cri`). Asked of most name-shaped words, in the loop over the words: as a
    /// call, which a plain hint left it, it cost more than its test.
    #[inline(always)]
    fn listed_in(&self, part: &str, shape: Shape, lists: u32) -> u32 {
        let all_capitals = shape.chars >= 4 && !shape.lower;
        if all_capitals { lists | with_title_case(part, |title| self.known.get(title).lists) } else { lists }
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
    min_words: usize,
    listed_with: Option<EntityType>,
    extend: bool,
    /// What the rule's configuration makes of every run (see [`RunNeeds`]), told once here
    /// rather than for each of the hundreds of thousands of runs a pass judges.
    needs: RunNeeds,
}

/// What a capitalised-name rule asks of every run, read off its configuration once.
#[derive(Debug, Clone, Copy)]
struct RunNeeds {
    /// Whether the rule takes only runs that some cue marks: it has last words, words before or
    /// after a run, or a list a run may be an item of.
    cues: bool,
    /// The fewest words a run needs before [`CapitalisedNames::judge`] strips any.
    fewest_words: usize,
    /// Whether all the rule's cues are at the end of a run (its last word, the word after it)
    /// or a neighbouring item of a list: none at its start, which the words it loses move.
    end_cues_only: bool,
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
        lexicon.min_mentions = lexicon.min_mentions.min(config.min_mentions);
        let mut rejected = 0;
        for name in &config.reject {
            rejected |= lexicon.list_bit(&lists.get(file, name)?, false).ok_or_else(too_many)?;
        }
        let common = lexicon.list_bit(&lists.get(file, &config.common)?, true).ok_or_else(too_many)?;
        for word in &rule.strip_leading {
            lexicon.known.entry(word).strip |= slot;
        }
        for word in &config.last_words {
            lexicon.known.entry(word).last |= slot;
        }
        for word in &config.preceded_by {
            lexicon.add_preceded_by(word, slot);
        }
        for word in &config.followed_by {
            lexicon.add_followed_by(word, slot);
        }
        let surnames = config.surnames.as_ref().map(|name| lists.get(file, name)).transpose()?;
        let cues = !config.last_words.is_empty()
            || !config.preceded_by.is_empty()
            || !config.followed_by.is_empty()
            || config.listed_with.is_some();
        let needs = RunNeeds {
            cues,
            // A name ends in a surname after a first name, and a cue rule asks for `min_words`.
            fewest_words: match surnames {
                Some(_) => 2,
                None if cues => config.min_words,
                None => 1,
            },
            end_cues_only: surnames.is_none() && cues && config.preceded_by.is_empty(),
        };
        Ok(CapitalisedNames {
            surnames,
            rule: rule_index,
            slot,
            common,
            never_alone: Arc::clone(never_alone),
            min_mentions: config.min_mentions,
            rejected,
            min_words: config.min_words,
            listed_with: config.listed_with,
            extend: config.extend,
            needs,
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
        // `covering` reads the entities as the resolution left them: sorted by start, disjoint.
        debug_assert!(chosen.windows(2).all(|pair| pair[0].span.end <= pair[1].span.start));
        // A rule that takes only the runs its cues mark finds nothing where no word is marked by
        // one: most documents name no event, family or product.
        if self.only_word_cues() && document.cued & self.slot == 0 {
            return;
        }
        let mut free = Uncovered::new(chosen);
        // Only a rule that extends entities marks them: the others make no flags to read back.
        let mut extended = if self.extend { vec![false; chosen.len()] } else { Vec::new() };
        let mut found = Vec::new();
        // A rule of two words or more that extends nothing turns down a run of one word.
        let takes_one = self.extend || self.needs.fewest_words < 2;
        for (&region, shaped) in regions.iter().zip(document.shaped_by_region()) {
            // Runs are made of name-shaped words only: the others are skipped without a look.
            let mut k = 0;
            while k < shaped.len() {
                // Most words are joined to no other: they are passed over unlooked at by such a
                // rule (the words asked about are still in text order).
                let alone = || !shaped[k].joins_previous && !shaped.get(k + 1).is_some_and(|next| next.joins_previous);
                if !takes_one && alone() {
                    debug_assert!(self.judge(text, region, &shaped[k..=k], document, true).is_none());
                    k += 1;
                    continue;
                }
                if !self.is_name_word(&shaped[k], &mut free) {
                    k += 1;
                    continue;
                }
                let first = k;
                k += 1;
                while shaped.get(k).is_some_and(|next| next.joins_previous) && self.is_name_word(&shaped[k], &mut free)
                {
                    k += 1;
                }
                let words = &shaped[first..k];
                let run = Span::new(words[0].span.start, words[words.len() - 1].span.end);
                // The entity ends one space before the run.
                let before = (self.extend && run.start >= 2).then(|| covering(chosen, run.start - 2)).flatten().filter(
                    |&(span, index)| {
                        span.end + 1 == run.start
                            && &text[span.end..run.start] == " "
                            && !extended[index]
                            && extendable(&chosen[index])
                            && !starts_sentence(text, region, span.start)
                    },
                );
                let name = match before {
                    Some((span, index)) => {
                        extended[index] = true;
                        Some(Span::new(span.start, run.end))
                    }
                    // Most runs are one word, which the rules of two or more turn down unlooked at.
                    None if words.len() < self.needs.fewest_words => {
                        // Listed or not, the run is too short (`listed` only ever lets one in).
                        debug_assert!(self.judge(text, region, words, document, true).is_none());
                        None
                    }
                    None => {
                        let listed = self.listed_with.is_some_and(|wanted| {
                            listed_next_to(text, region, run, chosen, |index| type_of(&chosen[index]) == wanted)
                        });
                        // A rule of cues turns down unjudged the runs that none marks: most of them.
                        if listed || self.may_be_cued(words) {
                            self.judge(text, region, words, document, listed)
                        } else {
                            debug_assert!(self.judge(text, region, words, document, false).is_none());
                            None
                        }
                    }
                };
                // Most names are one word, whose look-up in the lexicon told whether it is a
                // `never_alone` word: only a longer name's text is looked up.
                let never_alone = |span: &Span| match words {
                    [.., last] if *span == last.span => last.never_alone,
                    _ => self.never_alone.contains(span.of(text)),
                };
                if let Some(span) = name.filter(|span| !never_alone(span)) {
                    // A judged run is words joined by single spaces or `&`, with no white space to
                    // collapse; an extended entity is checked.
                    let canonical = match before {
                        Some(_) => collapse(span.of(text)),
                        None => Cow::Borrowed(span.of(text)),
                    };
                    found.push(Candidate { span, rule: self.rule, canonical });
                }
            }
        }
        // Most rules extend nothing in most documents, and many find nothing: the chosen
        // entities are then kept in place.
        if extended.contains(&true) {
            let mut extended = extended.into_iter();
            chosen.retain(|_| !extended.next().expect("a flag for each chosen entity"));
        }
        if !found.is_empty() {
            merge_by_start(chosen, found);
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
    // Asked of most runs by the rule of no cues, in the walk over them: not a call.
    #[inline]
    fn judge(
        &self,
        text: &str,
        region: Span,
        run: &[NameWord],
        document: &DocumentWords,
        listed: bool,
    ) -> Option<Span> {
        let initial = run[0].initial;
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
        if self.needs.cues {
            let cued =
                run.len() >= self.min_words && (listed || self.cued_at_end(last) || first.preceded & self.slot != 0);
            return cued.then_some(span);
        }
        let stripped = span.start != original_start;
        let has_rare = run.iter().any(|w| !self.is_common(w));
        if has_rare && !stripped && initial {
            // A sentence start capitalises any word: a coined word there ("Shrinkflation has
            // arrived") or a heading glued to the sentence ("Farmgate Pressure Ghana") is a name
            // only if the document also writes the first word capitalised inside a sentence, or
            // the run ends in a word English does not otherwise use.
            let first_inside = document.inside(first) > 0;
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
        (run.len() == 1 && self.capitalised_in_document(document, &run[0])).then_some(span)
    }

    /// Whether the rule takes a run only when a cue that words carry marks it: its last word, or
    /// the word before or after it.
    fn only_word_cues(&self) -> bool {
        self.needs.cues && self.listed_with.is_none() && self.surnames.is_none() && !self.extend
    }

    /// Whether a run not listed may be taken for its cues, told by the cues its words carry: a
    /// rule of no cues (or of surnames, which judge by these alone) takes runs on other grounds.
    /// A cue before a run is asked of its first word once the leading words are stripped, which
    /// may be any of its words: all are asked, rather than the run stripped first.
    fn may_be_cued(&self, run: &[NameWord]) -> bool {
        if !self.needs.cues || self.surnames.is_some() {
            return true;
        }
        match run.last() {
            Some(last) if self.needs.end_cues_only => self.cued_at_end(last),
            _ => run.iter().any(|word| (word.last | word.followed | word.preceded) & self.slot != 0),
        }
    }

    /// Whether one of the rule's cues at the end of a run that ends in `last` holds: its last
    /// word or the word after it.
    fn cued_at_end(&self, last: &NameWord) -> bool {
        (last.last | last.followed) & self.slot != 0
    }

    /// Whether `word`, an ordinary word of the rule's list, is written capitalised inside
    /// sentences at least `min_mentions` times in the document, and never in lower case. Acronyms
    /// are always capitalised and prove nothing.
    fn capitalised_in_document(&self, document: &DocumentWords, word: &NameWord) -> bool {
        // `writes_lower` searches for ordinary words only.
        debug_assert!(self.is_common(word));
        let surface = word.span.of(document.text);
        // The cheap questions first: most words are not written capitalised that often.
        surface.chars().any(char::is_lowercase)
            && document.inside(word) >= self.min_mentions
            && !with_lower_case(surface, |lower| document.writes_lower(lower))
    }
}

/// How a document writes its words, gathered once for all capitalised-name rules: what they
/// judge sentence starts, headlines and lone ordinary words by.
#[derive(Debug)]
pub struct DocumentWords<'a> {
    text: &'a str,
    /// What the words are described by.
    lexicon: &'a Lexicon,
    /// The name-shaped words of all regions, in order, the only ones a run can hold; those of
    /// region `i` end at `shaped_ends[i]`. One vector for the document, not one per region: a
    /// page has a dozen regions, each of which grew a vector of its own.
    shaped: Vec<NameWord>,
    shaped_ends: Vec<usize>,
    /// The regions the words were read from, in order, disjoint.
    regions: Vec<Span>,
    /// Name-shaped words (the index of one in `shaped`), with how often each is written inside a
    /// sentence, by the words' kept hashes, and which of them the table holds (see
    /// [`DocumentWords::inside`]); gathered on the first question: many documents raise none.
    inside: OnceCell<(AskedWords, HashTable<(u32, u32)>)>,
    /// The words written in lower case that [`DocumentWords::writes_lower`] can be asked
    /// about; gathered in one pass only once the searches for them reach
    /// [`LOWER_SEARCH_BYTES`] (a big document).
    lower: OnceCell<HashSet<&'a str>>,
    /// The words `writes_lower` searched the text for, with whether it writes them. Each search
    /// reads the text the regions span: past [`LOWER_SEARCH_BYTES`] read in all, `lower` is
    /// gathered instead.
    searched: RefCell<Vec<(String, bool)>>,
    /// Lines written in title case, in order.
    headlines: Vec<Span>,
    /// The rules (by slot) whose cues mark a name-shaped word of the document: its `last_words`
    /// hold the word, or its `preceded_by` the word before it, or its `followed_by` the word
    /// after it.
    cued: u32,
}

impl<'a> DocumentWords<'a> {
    /// The words of `regions` of `text` (in order, disjoint), described by `lexicon`; `scan`
    /// holds the regions' capitals at word starts.
    pub fn new(text: &'a str, regions: &[Span], scan: &WordScan, lexicon: &'a Lexicon) -> DocumentWords<'a> {
        // `lower_occurrence` finds the region of a word by a binary search.
        debug_assert!(regions.windows(2).all(|pair| pair[0].end <= pair[1].start));
        // Each name-shaped word starts at one of the scan's capitals: room for as many words is
        // made at once, rather than by growing the vector some eight times a page.
        let capitals = scan.capital_count();
        let mut document = DocumentWords {
            text,
            lexicon,
            shaped: Vec::with_capacity(capitals),
            shaped_ends: Vec::with_capacity(regions.len()),
            regions: regions.to_vec(),
            inside: OnceCell::new(),
            lower: OnceCell::new(),
            searched: RefCell::new(Vec::new()),
            headlines: Vec::new(),
            cued: 0,
        };
        for (index, &region) in regions.iter().enumerate() {
            let first = document.shaped.len();
            // Only words that start in a capital are read; the others are passed over unread.
            let mut words = Words::new(text, region);
            let mut capitals = scan.capitals(index);
            while let Some(WordRead { span, surface, capital, shape }) = words.next_capitalised(&mut capitals) {
                // A one-letter word is empty, with no capital.
                if !capital {
                    continue;
                }
                debug_assert_eq!(surface, span.of(text));
                debug_assert!(starts_capitalised(surface));
                // The blanks before the word are passed once, for both questions about the text
                // before it: whether it begins a sentence, and which rules' `preceded_by` hold the
                // word before it. Each walked back over them on its own.
                let blanks = region.start + end_past_blanks(&text.as_bytes()[region.start..span.start]);
                let starts_sentence = opens_sentence(&text.as_bytes()[region.start..blanks]);
                debug_assert_eq!(starts_sentence, self::starts_sentence(text, region, span.start));
                debug_assert!(!starts_sentence || lexicon.preceded(text, region, span.start) == 0);
                let hash = lists::hash(surface);
                let facts = lexicon.known.get_hashed(surface, hash);
                // Most words have their shape told as they were read: not those that lost a
                // possessive, nor hyphenated ones beyond ASCII.
                let shape = shape.unwrap_or_else(|| Shape::of(surface));
                if name_shaped(surface, shape, facts.run_break, lexicon) {
                    // The words are consecutive too: what `joined` allows between them holds no
                    // letter or digit, so no word.
                    let joins_previous =
                        document.shaped[first..].last().is_some_and(|last| joined(text, last.span.end, span.start));
                    let mut name_word = NameWord {
                        span,
                        hash,
                        initial: starts_sentence,
                        inside_sentence: !starts_sentence,
                        joins_previous,
                        never_alone: facts.never_alone,
                        listed: 0,
                        common: 0,
                        strip: 0,
                        last: 0,
                        preceded: if starts_sentence {
                            0
                        } else {
                            lexicon.preceded_past_blanks(text, region.start, blanks)
                        },
                        followed: lexicon.followed(text, region, span.end),
                    };
                    lexicon.describe(&mut name_word, surface, shape, facts);
                    document.cued |= name_word.last | name_word.preceded | name_word.followed;
                    document.shaped.push(name_word);
                }
            }
            let headlines_before = document.headlines.len();
            let mut start = region.start;
            let breaks = memchr::memchr_iter(b'\n', region.of(text).as_bytes()).map(|at| region.start + at);
            for end in breaks.chain([region.end]) {
                let line = Span::new(start, end);
                let (from, to) = (start - region.start, end - region.start);
                let capitals = scan.capitals_within(index, from, to);
                if is_title_case(line.of(text), capitals, scan.lower_runs_within(index, from, to)) {
                    document.headlines.push(line);
                }
                start = end + 1;
            }
            // Most regions hold no headline, and their words keep whether they begin a sentence.
            if document.headlines.len() > headlines_before {
                let headlines = &document.headlines[headlines_before..];
                for word in &mut document.shaped[first..] {
                    word.initial |= in_lines(headlines, word.span.start);
                }
            }
            document.shaped_ends.push(document.shaped.len());
        }
        document
    }

    /// The name-shaped words of each region, in the order of the regions.
    fn shaped_by_region(&self) -> impl Iterator<Item = &[NameWord]> {
        let starts = std::iter::once(0).chain(self.shaped_ends.iter().copied());
        starts.zip(&self.shaped_ends).map(|(start, &end)| &self.shaped[start..end])
    }

    /// How often the document writes `word`, a name-shaped word of it, as it is (capitalised)
    /// inside a sentence. Only name-shaped words are counted: whether a word is name-shaped is
    /// told by its letters alone, and the others are never asked about. The table holds the words
    /// the rules ask about (see [`AskedWords`]); any other is counted by a pass over the words.
    fn inside(&self, word: &NameWord) -> usize {
        // Compared as bytes, as the known words are (see `KnownWords::get_hashed`).
        let bytes = self.text.as_bytes();
        let surface_of = |index: u32| {
            let span = self.shaped[index as usize].span;
            &bytes[span.start..span.end]
        };
        let (asked, counts) = self.inside.get_or_init(|| {
            let asked = AskedWords::of(&self.shaped);
            let mut inside = HashTable::with_capacity(self.shaped.len());
            let counted = |other: &&NameWord| other.inside_sentence && asked.may_hold(other);
            for (index, other) in self.shaped.iter().enumerate().filter(|(_, other)| counted(other)) {
                let surface = &bytes[other.span.start..other.span.end];
                let is_surface = |&(seen, _): &(u32, u32)| surface_of(seen) == surface;
                let rehash = |&(seen, _): &(u32, u32)| self.shaped[seen as usize].hash;
                match inside.entry(other.hash, is_surface, rehash) {
                    Entry::Occupied(mut counted) => counted.get_mut().1 += 1,
                    Entry::Vacant(slot) => {
                        slot.insert((index as u32, 1));
                    }
                }
            }
            (asked, inside)
        });
        let surface = &bytes[word.span.start..word.span.end];
        if !asked.may_hold(word) {
            // No rule asks about such a word: it is counted by a pass over the words.
            let written = |other: &&NameWord| other.inside_sentence && other.hash == word.hash;
            return self
                .shaped
                .iter()
                .filter(written)
                .filter(|other| &bytes[other.span.start..other.span.end] == surface)
                .count();
        }
        counts.find(word.hash, |&(seen, _)| surface_of(seen) == surface).map_or(0, |&(_, count)| count as usize)
    }

    /// Whether `word` is written as given, in lower case, somewhere. Asked only of the lower-case
    /// form of a name-shaped word with a lower-case letter that some rule's list holds as an
    /// ordinary word, written capitalised inside sentences at least the lexicon's `min_mentions`
    /// times (see [`CapitalisedNames::capitalised_in_document`]): each word asked is searched for
    /// in the text, once; past [`LOWER_SEARCH_BYTES`] searched (a big document), every word that
    /// can be asked is gathered, and the document's lower-case words are read and looked for among
    /// them in one pass instead, most turned away by their first two bytes. (A set of all its
    /// lower-case words would cost a hash and an insertion per word.)
    fn writes_lower(&self, word: &str) -> bool {
        if let Some(lower) = self.lower.get() {
            return lower.contains(word);
        }
        if let Some(&(_, writes)) = self.searched.borrow().iter().find(|(searched, _)| searched == word) {
            return writes;
        }
        // A few words are asked about in a page, fewer than can be: each is searched for when
        // first asked about.
        let stretch = self.stretch().map_or(0, |stretch| stretch.len());
        if (self.searched.borrow().len() + 1) * stretch <= LOWER_SEARCH_BYTES {
            let writes = self.lower_occurrence(word).is_some();
            self.searched.borrow_mut().push((word.to_string(), writes));
            return writes;
        }
        let lower = self.lower.get_or_init(|| {
            let lower = |word: &str| with_lower_case(word, str::to_string);
            // Names are most of the words written capitalised that often, and are never asked
            // about: only the ordinary words of some rule's list are searched for.
            let asked: HashSet<String> = self
                .shaped
                .iter()
                .filter(|shaped| {
                    shaped.common != 0
                        && shaped.span.of(self.text).chars().any(char::is_lowercase)
                        && self.inside(shaped) >= self.lexicon.min_mentions
                })
                .map(|shaped| shaped.span.of(self.text))
                .map(lower)
                .collect();
            let mut heads = [0u64; 16];
            for word in &asked {
                set(&mut heads, head(word));
            }
            // The words with no capital letter are read here, for the few documents that ask,
            // rather than gathered for every document while its capitalised words are.
            self.regions
                .iter()
                .flat_map(|&region| Words::new(self.text, region))
                .filter(|&(_, capital)| !capital)
                .map(|(span, _)| span.of(self.text))
                .filter(|word| is_set(&heads, head(word)) && asked.contains(*word))
                .collect()
        });
        lower.contains(word)
    }

    /// `word` as the document writes it somewhere as a word with no capital letter, if it does:
    /// found by one search of the text the regions span, and the word each occurrence in a
    /// region starts, if any, read.
    fn lower_occurrence(&self, word: &str) -> Option<&'a str> {
        let stretch = self.stretch()?;
        let bytes = stretch.of(self.text).as_bytes();
        let finder = memchr::memmem::Finder::new(word);
        // Occurrences may overlap (`aa` in `aaa`): each is looked at.
        let mut from = 0;
        while let Some(found) = finder.find(&bytes[from..]) {
            let at = stretch.start + from + found;
            let span = Span::new(at, at + word.len());
            from += found + 1;
            let index = self.regions.partition_point(|region| region.end < span.end);
            let Some(&region) = self.regions.get(index).filter(|region| region.start <= at) else { continue };
            let mut words = Words::new(self.text, region);
            if let Some(WordRead { span: read, capital, .. }) = words.word_from(at - region.start) {
                if read == span && !capital {
                    return Some(span.of(self.text));
                }
                // No word starts inside this one: each word is read once, however many
                // occurrences (`aa` in `aaaa`) it holds.
                from = from.max(region.start + words.at - stretch.start);
            }
        }
        None
    }

    /// The text from the start of the first region to the end of the last.
    fn stretch(&self) -> Option<Span> {
        Some(Span::new(self.regions.first()?.start, self.regions.last()?.end))
    }
}

/// The words [`DocumentWords::inside`] counts: the rules ask about a word that begins a sentence
/// or lies in a headline (of a run the document may write capitalised elsewhere) and about an
/// ordinary word of some list (written capitalised often enough to be a name). The names written
/// inside sentences, most of the words counted, are neither: counting only the words written as
/// one of those somewhere, told by a bit of their hash, keeps them out of the table.
#[derive(Debug)]
struct AskedWords {
    /// One bit per [`AskedWords::bit`] of the hashes of the words that begin a sentence or lie
    /// in a headline.
    initial: [u64; 16],
}

impl AskedWords {
    fn of(words: &[NameWord]) -> AskedWords {
        let mut initial = [0; 16];
        for word in words.iter().filter(|word| word.initial) {
            set(&mut initial, AskedWords::bit(word.hash));
        }
        AskedWords { initial }
    }

    /// Whether the words written as `word` may be asked about: each of them is then counted.
    fn may_hold(&self, word: &NameWord) -> bool {
        word.common != 0 || is_set(&self.initial, AskedWords::bit(word.hash))
    }

    fn bit(hash: u64) -> usize {
        (hash >> 54) as usize
    }
}

/// Whether `at` lies in one of `lines` (in order, disjoint).
fn in_lines(lines: &[Span], at: usize) -> bool {
    let next = lines.partition_point(|line| line.end < at);
    lines.get(next).is_some_and(|line| line.start <= at)
}

/// Whether a word starts in a capital letter.
fn starts_capitalised(word: &str) -> bool {
    match word.as_bytes().first() {
        Some(byte) if byte.is_ascii() => byte.is_ascii_uppercase(),
        _ => word.starts_with(char::is_uppercase),
    }
}

/// Whether a line is written in title case (a headline): of its words of four letters or more,
/// at least four and no more than one in five start in lower case. `capitals` is how many ASCII
/// capitals and first bytes of characters beyond ASCII it holds (see
/// [`WordScan::capitals_within`]), `lower_runs` how many runs of four ASCII letters or more that
/// begin in lower case after an ASCII byte that is no letter, or at its start (see
/// [`WordScan::lower_runs_within`]).
fn is_title_case(line: &str, capitals: usize, lower_runs: usize) -> bool {
    let bytes = line.as_bytes();
    // (letter, width) of the character at `at`, beyond ASCII: punctuation and Latin letters
    // are told by their bytes (see `class_at`), without the look-up of the letters that decoding
    // costs; whether a letter is a capital is asked only of a run's first.
    let letter_at = |at: usize| {
        let (class, width) = class_at(line, at);
        (class & LETTER != 0, width)
    };
    // Each capitalised run begins with a capital of its own, an ASCII one or a character beyond
    // ASCII (told by its lead byte): their count bounds the capitalised words, and turns down
    // most prose after its first few lower-case words.
    debug_assert_eq!(capitals, bytes.iter().filter(|&&byte| byte.is_ascii_uppercase() || byte >= 0xC0).count());
    debug_assert_eq!(
        lower_runs,
        (0..bytes.len())
            .filter(|&at| {
                let after_no_letter = at == 0 || (bytes[at - 1].is_ascii() && !bytes[at - 1].is_ascii_alphabetic());
                let letters = bytes.get(at + 1..at + 4).is_some_and(|three| three.iter().all(u8::is_ascii_alphabetic));
                bytes[at].is_ascii_lowercase() && after_no_letter && letters
            })
            .count()
    );
    // Each of the lower-case runs is a lower-case run of those counted below, and the capitalised
    // ones number no more than the capitals: more such runs than a quarter of the capitals, and
    // the line is no headline. Counted many bytes at a time by the scan, they turn down most
    // prose before any run is read.
    if capitals < 4 || lower_runs > capitals / 4 {
        return false;
    }
    let (mut upper, mut lower) = (0, 0);
    let mut at = 0;
    // One run of letters at a time; ASCII letters and other ASCII bytes in tight loops.
    while at < bytes.len() {
        let capital = match bytes[at] {
            byte if byte.is_ascii_alphabetic() => byte.is_ascii_uppercase(),
            byte if byte.is_ascii() => {
                at += 1;
                continue;
            }
            _ => match letter_at(at) {
                (true, _) => line[at..].starts_with(char::is_uppercase),
                (false, width) => {
                    at += width;
                    continue;
                }
            },
        };
        let mut letters = 0;
        loop {
            while at < bytes.len() && bytes[at].is_ascii_alphabetic() {
                at += 1;
                letters += 1;
            }
            match bytes.get(at) {
                Some(byte) if !byte.is_ascii() => match letter_at(at) {
                    (true, width) => {
                        at += width;
                        letters += 1;
                    }
                    _ => break,
                },
                _ => break,
            }
        }
        // The run ends at `at`: a character that is no letter, or the end of the line.
        if letters >= 4 {
            if capital {
                upper += 1;
            } else {
                lower += 1;
                // Prose stops here: the line has not enough capitals, or the rest of it no
                // room, for enough capitalised words (four letters and a break each) to
                // outweigh its lower-case ones.
                if lower * 4 > capitals || lower * 4 > upper + (line.len() - at + 1) / 5 {
                    return false;
                }
            }
        }
    }
    upper >= 4 && lower * 5 <= upper + lower
}

/// Whether a word that starts in a capital may be part of a name, whatever the rule: two letters
/// or more, no run break, no plural acronym.
/// `shape` is the shape of `surface`, `is_break` whether it is itself a run break.
fn name_shaped(surface: &str, shape: Shape, is_break: bool, lexicon: &Lexicon) -> bool {
    !shape.lower_part
        && shape.letters >= 2
        && (shape.letters >= 3 || !shape.digit)
        && !is_break
        && (shape.lower || !lexicon.breaks_in_title_case(surface))
        && !is_plural_acronym(surface)
}

/// What [`name_shaped`] and [`Lexicon::listed_in`] read of a word, in one pass: its characters
/// and letters, whether any is lower case, a digit or a hyphen, and whether a part of a compound
/// starts in lower case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shape {
    chars: usize,
    letters: usize,
    lower: bool,
    digit: bool,
    hyphen: bool,
    /// Every part of a compound is capitalised in a name (`Rolls-Royce`), not in
    /// `Cornish-founded`.
    lower_part: bool,
}

impl Shape {
    #[cfg(test)]
    const EMPTY: Shape = Shape { chars: 0, letters: 0, lower: false, digit: false, hyphen: false, lower_part: false };

    /// The shape of `word`. Asked of a capitalised word whose reading did not tell it (see
    /// [`WordRead`]) and of the parts of a compound: an ASCII one, most of them, is read
    /// as bytes, with no character decoded (one table look-up a byte, which also tells a byte
    /// beyond ASCII), and its parts are looked at only if it has a hyphen. In the loop over the
    /// words, not a call.
    #[inline]
    fn of(word: &str) -> Shape {
        let bytes = word.as_bytes();
        let (flags, letters) = bytes.iter().fold((0, 0), |(flags, letters), &byte| {
            let class = WORD_BYTES[usize::from(byte)];
            (flags | class, letters + usize::from(class & ASCII_LETTER != 0))
        });
        if flags & BEYOND_ASCII != 0 {
            return Shape::of_mixed(word, flags, letters);
        }
        Shape::of_ascii(bytes, flags, letters)
    }

    /// The shape of `word`, which has characters beyond ASCII, whose ASCII bytes' classes make
    /// `flags` and hold `letters` letters: only the characters beyond ASCII (one or two in most
    /// such words, `Übersicht`) and the starts of parts are decoded, not every character.
    fn of_mixed(word: &str, flags: u8, letters: usize) -> Shape {
        let bytes = word.as_bytes();
        let hyphen = flags & HYPHEN != 0;
        let lower_at = |at: usize| match bytes.get(at) {
            Some(byte) if byte.is_ascii() => byte.is_ascii_lowercase(),
            Some(_) => word[at..].starts_with(char::is_lowercase),
            None => false,
        };
        let mut shape = Shape {
            // A character begins at each byte that continues none.
            chars: bytes.iter().filter(|&&byte| byte & 0xC0 != 0x80).count(),
            letters,
            lower: flags & LOWER_CASE != 0,
            digit: flags & ASCII_DIGIT != 0,
            hyphen,
            // A part starts the word or follows a hyphen.
            lower_part: lower_at(0)
                || (hyphen && bytes.iter().enumerate().any(|(at, &byte)| byte == b'-' && lower_at(at + 1))),
        };
        for (at, _) in bytes.iter().enumerate().filter(|&(_, &byte)| byte >= 0xC0) {
            let c = word[at..].chars().next().expect("a character starts here");
            shape.letters += usize::from(chars::is_alphabetic(c));
            shape.lower |= c.is_lowercase();
        }
        shape
    }

    /// The shape of `word`, all ASCII, whose bytes' [`WORD_BYTES`] classes make `flags` and
    /// hold `letters` letters: told by the reader of the words as it reads them.
    #[inline]
    fn of_ascii(bytes: &[u8], flags: u8, letters: usize) -> Shape {
        debug_assert!(bytes.is_ascii());
        let hyphen = flags & HYPHEN != 0;
        // A part starts the word or follows a hyphen.
        let lower_part = bytes.first().is_some_and(u8::is_ascii_lowercase)
            || (hyphen && bytes.windows(2).any(|pair| pair[0] == b'-' && pair[1].is_ascii_lowercase()));
        Shape {
            chars: bytes.len(),
            letters,
            lower: flags & LOWER_CASE != 0,
            digit: flags & ASCII_DIGIT != 0,
            hyphen,
            lower_part,
        }
    }

    /// The shape of `word`, read character by character.
    #[cfg(test)]
    fn of_chars(word: &str) -> Shape {
        // A part starts the word or follows a hyphen.
        let mut part_start = true;
        word.chars().fold(Shape::EMPTY, |shape, c| {
            let (lower, hyphen) = (c.is_lowercase(), c == '-');
            let lower_part = shape.lower_part | (part_start && lower);
            part_start = hyphen;
            Shape {
                chars: shape.chars + 1,
                letters: shape.letters + usize::from(chars::is_alphabetic(c)),
                lower: shape.lower | lower,
                digit: shape.digit | c.is_ascii_digit(),
                hyphen: shape.hyphen | hyphen,
                lower_part,
            }
        })
    }
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

/// `OCTOBER` → `October`; other words unchanged in their first letter.
fn title_case(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect())
        .unwrap_or_default()
}

/// `f(&title_case(word))`, without a copy on the heap for a short ASCII word.
fn with_title_case<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    with_recased(word, true, f)
}

/// `f(&word.to_lowercase())`, without a copy on the heap for a short ASCII word.
fn with_lower_case<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    with_recased(word, false, f)
}

/// `word` lower-cased, its first letter upper-cased again if `title`, handed to `f`: on the
/// stack when the word is short and ASCII.
fn with_recased<R>(word: &str, title: bool, f: impl FnOnce(&str) -> R) -> R {
    let mut buffer = [0; 32];
    match buffer.get_mut(..word.len()).filter(|_| word.is_ascii()) {
        Some(cased) => {
            cased.copy_from_slice(word.as_bytes());
            cased.make_ascii_lowercase();
            if let Some(first) = cased.first_mut().filter(|_| title) {
                first.make_ascii_uppercase();
            }
            f(std::str::from_utf8(cased).expect("ASCII stays UTF-8"))
        }
        None if title => f(&title_case(word)),
        None => f(&word.to_lowercase()),
    }
}

/// `SMEs`, `NPAs`: the plural of an acronym is a class of things, not a name. Asked of every
/// name-shaped word: most end in another byte than `s`, and most stems have a lower-case letter
/// among their first two, told before the stem's characters are counted.
fn is_plural_acronym(word: &str) -> bool {
    if word.as_bytes().last() != Some(&b's') {
        return false;
    }
    // An ASCII `s` is a character of its own: the bytes before it are the stem.
    let stem = &word[..word.len() - 1];
    stem.chars().all(char::is_uppercase) && stem.chars().nth(1).is_some()
}

// The bits of `WORD_BYTES`. [`Words`] reads whether a byte is an ASCII letter or digit, a
// capital, a joiner (`&`, `-`, `.`, `'`), or part of a character beyond ASCII, which is decoded;
// [`Shape::of`] whether it is a lower-case letter, a digit, a hyphen, a letter, or beyond ASCII.
const WORD_CHAR: u8 = 1;
const CAPITAL: u8 = 2;
const JOINER: u8 = 4;
const BEYOND_ASCII: u8 = 8;
const LOWER_CASE: u8 = 16;
const ASCII_DIGIT: u8 = 32;
const HYPHEN: u8 = 64;
const ASCII_LETTER: u8 = 128;

/// What the word scan and the shape of a word need to know of a byte, by byte value: one
/// look-up a byte for both.
static WORD_BYTES: [u8; 256] = {
    let mut table = [0; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = if b >= 0x80 {
            BEYOND_ASCII
        } else if b.is_ascii_uppercase() {
            WORD_CHAR | CAPITAL | ASCII_LETTER
        } else if b.is_ascii_lowercase() {
            WORD_CHAR | LOWER_CASE | ASCII_LETTER
        } else if b.is_ascii_digit() {
            WORD_CHAR | ASCII_DIGIT
        } else if b == b'-' {
            JOINER | HYPHEN
        } else if matches!(b, b'&' | b'.' | b'\'') {
            JOINER
        } else {
            0
        };
        byte += 1;
    }
    table
};

/// The words of a region, in order (letters and digits, joined by `&`, `-`, `.` or an apostrophe when a
/// letter or digit follows; a trailing possessive is not part of it), each with whether it has
/// a capital letter anywhere. A one-letter word comes out empty, at its start. Runs of ASCII
/// are read a byte at a time with a table look-up.
struct Words<'t> {
    slice: &'t str,
    /// Where the region starts in the text.
    offset: usize,
    at: usize,
}

impl<'t> Words<'t> {
    fn new(text: &'t str, region: Span) -> Words<'t> {
        Words { slice: region.of(text), offset: region.start, at: 0 }
    }

    /// The character at `at`, beyond ASCII: (letter or digit, capital, width).
    fn beyond_ascii(&self, at: usize) -> (bool, bool, usize) {
        let (c, width) = self.char_beyond_ascii(at);
        (c.is_some_and(chars::is_alphanumeric), c.is_some_and(char::is_uppercase), width)
    }

    /// Whether the character at `at`, beyond ASCII, is a capital, and its width. A capital is
    /// a letter (see `every_capital_is_a_letter`): the look-up of the letters, the costlier
    /// one, is not made.
    fn capital_beyond_ascii(&self, at: usize) -> (bool, usize) {
        let (c, width) = self.char_beyond_ascii(at);
        (c.is_some_and(char::is_uppercase), width)
    }

    /// The character at `at`, beyond ASCII, and its width; none for general punctuation
    /// (U+2000 to U+203F: curly quotes, dashes, `…`, `•`, spaces), the most common text beyond
    /// ASCII in English news, which holds no letter or digit and is told by its first bytes.
    fn char_beyond_ascii(&self, at: usize) -> (Option<char>, usize) {
        if self.slice.as_bytes()[at..].starts_with(&[0xE2, 0x80]) {
            return (None, 3);
        }
        let c = self.slice[at..].chars().next().expect("a character starts here");
        (Some(c), c.len_utf8())
    }

    /// The next word that starts in a capital letter, the words before it skipped. Only the
    /// region's `capitals` (ASCII capitals and first bytes of characters beyond ASCII, after no
    /// ASCII letter or digit: see [`WordScan`]) are looked at: the lower-case words between
    /// them, most of the text, are not read.
    fn next_capitalised(&mut self, capitals: &mut Bits) -> Option<WordRead<'t>> {
        let bytes = self.slice.as_bytes();
        capitals.skip_to(self.at);
        for at in capitals {
            // A capital is a letter (see `every_capital_is_a_letter`), whose width is known once
            // it is told: the word is read on from there, its start neither looked for nor
            // decoded again.
            let width = match bytes[at] {
                byte if byte.is_ascii() => 1,
                _ => match self.capital_beyond_ascii(at) {
                    (true, width) => width,
                    (false, _) => continue,
                },
            };
            if self.word_starts_at(at) {
                return Some(self.read_on(at, at + width, !bytes[at].is_ascii()));
            }
        }
        self.at = bytes.len();
        None
    }

    /// The word that starts at `at`, if one does; the words after it are read from its end.
    fn word_from(&mut self, at: usize) -> Option<WordRead<'t>> {
        if !self.word_char_at(at) || !self.word_starts_at(at) {
            return None;
        }
        self.at = at;
        let word = self.read();
        debug_assert!(word.is_some_and(|word| word.span.start == self.offset + at));
        word
    }

    /// Whether a word starts at `at`, if a letter or digit does: the character before it is
    /// neither a letter or digit nor a joiner after a letter or digit, which [`Words::next`]
    /// would have read on into it.
    fn word_starts_at(&self, at: usize) -> bool {
        let bytes = self.slice.as_bytes();
        if at == 0 {
            return true;
        }
        if self.word_char_before(at) {
            return false;
        }
        let joiner = if WORD_BYTES[usize::from(bytes[at - 1])] & JOINER != 0 {
            1
        } else if bytes[..at].ends_with("’".as_bytes()) {
            "’".len()
        } else {
            return true;
        };
        !self.word_char_before(at - joiner)
    }

    /// Whether a letter or digit ends at `at`.
    fn word_char_before(&self, at: usize) -> bool {
        let bytes = self.slice.as_bytes();
        match at.checked_sub(1).map(|last| bytes[last]) {
            None => false,
            Some(byte) if byte.is_ascii() => WORD_BYTES[usize::from(byte)] & WORD_CHAR != 0,
            Some(_) => {
                let start = (at.saturating_sub(4)..at).rev().find(|&start| self.slice.is_char_boundary(start));
                self.beyond_ascii(start.expect("a character ends here")).0
            }
        }
    }

    /// Whether a letter or digit starts at `at`.
    fn word_char_at(&self, at: usize) -> bool {
        match self.slice.as_bytes().get(at) {
            Some(&byte) if byte.is_ascii() => WORD_BYTES[usize::from(byte)] & WORD_CHAR != 0,
            Some(_) => self.beyond_ascii(at).0,
            None => false,
        }
    }

    /// The next word. The classes of a word's bytes and its letters are gathered as it is read,
    /// for its shape: a capitalised word is not read a second time for it.
    // Inlined into the one loop that reads a document's words: one call per word otherwise.
    #[inline]
    fn read(&mut self) -> Option<WordRead<'t>> {
        let bytes = self.slice.as_bytes();
        let mut at = self.at;
        let start = loop {
            while at < bytes.len() && WORD_BYTES[usize::from(bytes[at])] & (WORD_CHAR | BEYOND_ASCII) == 0 {
                at += 1;
            }
            if at == bytes.len() {
                self.at = at;
                return None;
            }
            if bytes[at].is_ascii() {
                at += 1;
                break at - 1;
            }
            let (word_char, _, width) = self.beyond_ascii(at);
            at += width;
            if word_char {
                break at - width;
            }
        };
        // An ASCII capital is told by its class, with the others'.
        let first_capital = !bytes[start].is_ascii() && self.capital_beyond_ascii(start).0;
        Some(self.read_on(start, at, first_capital))
    }

    /// The word whose first character, a letter or digit, lies from `start` to `at`, where no
    /// word goes on into it; `first_capital`: whether that character is a capital beyond ASCII.
    // Always inlined: as a call, made for every capitalised word, it cost some fifty
    // instructions a word in saved registers and in the word handed back through memory.
    #[inline(always)]
    fn read_on(&mut self, start: usize, mut at: usize, first_capital: bool) -> WordRead<'t> {
        let bytes = self.slice.as_bytes();
        // The first character counts only once another joins it: a one-letter word is empty.
        let (mut end, mut capital) = (start, first_capital);
        // The classes of the word's ASCII bytes (a byte beyond ASCII marks it), and its letters.
        let mut flags = WORD_BYTES[usize::from(bytes[start])];
        let mut letters = usize::from(flags & ASCII_LETTER != 0);
        // For the shape of a word beyond ASCII that starts in a capital, told from the characters
        // decoded here: the bytes beyond the first of each character, and whether one is a lower
        // case letter (asked only until some letter is).
        let starts_capital = first_capital || flags & CAPITAL != 0;
        letters += usize::from(first_capital);
        let mut continuations = at - start - 1;
        let mut lower = false;
        loop {
            let run = at;
            while let Some(&byte) = bytes.get(at) {
                let class = WORD_BYTES[usize::from(byte)];
                if class & WORD_CHAR == 0 {
                    break;
                }
                flags |= class;
                letters += usize::from(class & ASCII_LETTER != 0);
                at += 1;
            }
            if at > run {
                end = at;
            }
            let Some(&byte) = bytes.get(at) else { break };
            let joiner = if byte.is_ascii() {
                if WORD_BYTES[usize::from(byte)] & JOINER == 0 {
                    break;
                }
                1
            } else {
                let (c, width) = self.char_beyond_ascii(at);
                // Most characters in words are letters: a digit's second look-up is rare.
                let letter = c.is_some_and(chars::is_alphabetic);
                if letter || c.is_some_and(chars::is_alphanumeric) {
                    capital |= c.is_some_and(char::is_uppercase);
                    letters += usize::from(letter);
                    if starts_capital && !lower && flags & LOWER_CASE == 0 {
                        lower = c.is_some_and(char::is_lowercase);
                    }
                    continuations += width - 1;
                    flags |= BEYOND_ASCII;
                    at += width;
                    end = at;
                    continue;
                }
                if !bytes[at..].starts_with("’".as_bytes()) {
                    break;
                }
                width
            };
            if !self.word_char_at(at + joiner) {
                break;
            }
            flags |= WORD_BYTES[usize::from(byte)];
            continuations += joiner - 1;
            at += joiner;
        }
        capital |= flags & CAPITAL != 0;
        self.at = at;
        let mut word = &self.slice[start..end];
        // Both possessives end in `s`: most words need no look at them.
        if word.ends_with('s') {
            for possessive in ["'s", "’s"] {
                if word.len() > possessive.len() + 1 {
                    word = word.strip_suffix(possessive).unwrap_or(word);
                }
            }
        }
        let span = Span::new(self.offset + start, self.offset + start + word.len());
        // The bytes read are the word's unless it lost a possessive or is one letter (empty).
        let whole = word.len() == end - start && end > start;
        let shape = match () {
            _ if !whole => None,
            _ if flags & BEYOND_ASCII == 0 => Some(Shape::of_ascii(word.as_bytes(), flags, letters)),
            // A part after a hyphen may start in a lower-case letter beyond ASCII, not looked at
            // here.
            _ if starts_capital && flags & HYPHEN == 0 => Some(Shape {
                chars: word.len() - continuations,
                letters,
                lower: lower || flags & LOWER_CASE != 0,
                digit: flags & ASCII_DIGIT != 0,
                hyphen: false,
                lower_part: false,
            }),
            _ => None,
        };
        WordRead { span, surface: word, capital: capital && !word.is_empty(), shape }
    }
}

/// A word as [`Words`] reads it: where it is, its text (the span's, taken where the reading
/// has it at hand, with no second check of the span's ends), whether it has a capital letter
/// anywhere, and its shape when the reading told it (a word that lost no possessive, ASCII, or
/// beyond ASCII with a capital first and no hyphen).
#[derive(Debug, Clone, Copy)]
struct WordRead<'t> {
    span: Span,
    surface: &'t str,
    capital: bool,
    shape: Option<Shape>,
}

impl Iterator for Words<'_> {
    type Item = (Span, bool);

    #[inline]
    fn next(&mut self) -> Option<(Span, bool)> {
        self.read().map(|word| (word.span, word.capital))
    }
}

/// The separators between the items of a list; the ones with a conjunction close it.
const LIST_SEPARATORS: [(&str, bool); 5] =
    [(", and ", true), (", or ", true), (" and ", true), (" or ", true), (", ", false)];

/// Whether the run at `span` is an item of a list with a neighbouring item that `wanted`
/// accepts (given its index in `chosen`, the entities sorted by start, disjoint). A bare comma
/// on one side counts only with a separator on the other, so that "In Bavaria, Kelvara said" is
/// no list.
fn listed_next_to(text: &str, region: Span, span: Span, chosen: &[Candidate], wanted: impl Fn(usize) -> bool) -> bool {
    let before = &text[region.start..span.start];
    let after = &text[span.end..region.end];
    // Asked of every run by a rule of `listed_with`: most have a separator on neither side,
    // told from a few bytes rather than by trying each separator on each side.
    if !may_adjoin_separator(before.as_bytes(), after.as_bytes()) {
        return false;
    }
    let left = LIST_SEPARATORS.iter().find(|(separator, _)| before.ends_with(separator));
    let right = LIST_SEPARATORS.iter().find(|(separator, _)| after.starts_with(separator));
    let left_item = left.is_some_and(|(separator, _)| {
        let end = span.start - separator.len();
        end > region.start && covering(chosen, end - 1).is_some_and(|(item, index)| item.end == end && wanted(index))
    });
    let right_item = right.is_some_and(|(separator, _)| {
        let start = span.end + separator.len();
        start < region.end && covering(chosen, start).is_some_and(|(item, index)| item.start == start && wanted(index))
    });
    let closes = |side: Option<&(&str, bool)>| side.is_some_and(|&(_, conjunction)| conjunction);
    (left_item && (closes(left) || right.is_some())) || (right_item && (closes(right) || left.is_some()))
}

/// Whether one of [`LIST_SEPARATORS`] may end `before` or begin `after`: every one ends in
/// `d `, `r ` or `, `, and begins with `, `, ` a` or ` o`.
fn may_adjoin_separator(before: &[u8], after: &[u8]) -> bool {
    matches!(before, [.., b'd' | b'r' | b',', b' ']) || matches!(after, [b',', b' ', ..] | [b' ', b'a' | b'o', ..])
}

/// `found` put among `chosen`, both sorted by start, in order of start, those of `chosen` first
/// among those of one start: what a stable sort of the two one after the other gives, in one
/// pass rather than a sort (which found both runs, then merged them).
fn merge_by_start<'a>(chosen: &mut Vec<Candidate<'a>>, found: Vec<Candidate<'a>>) {
    // The runs of a rule are found in text order, and a name lies in its run or, extended,
    // starts at the entity right before it.
    debug_assert!(found.windows(2).all(|pair| pair[0].span.start <= pair[1].span.start));
    let mut merged = Vec::with_capacity(chosen.len() + found.len());
    let mut found = found.into_iter().peekable();
    for candidate in chosen.drain(..) {
        while let Some(name) = found.next_if(|name| name.span.start < candidate.span.start) {
            merged.push(name);
        }
        merged.push(candidate);
    }
    merged.extend(found);
    *chosen = merged;
}

/// The entity of `chosen` (sorted by start, disjoint) that covers the byte at `at`, with its
/// index: found by a binary search of the entities as they are, rather than in an index built of
/// them for each rule that asks.
fn covering(chosen: &[Candidate], at: usize) -> Option<(Span, usize)> {
    let index = chosen.partition_point(|c| c.span.start <= at).checked_sub(1)?;
    let span = chosen[index].span;
    (span.end > at).then_some((span, index))
}

/// Five bits of each of the first two bytes of a word (none for a one-byte word), an index into
/// a table of 1024 bits: every pair of ASCII letters apart, whatever their case.
fn head(word: &str) -> usize {
    word.as_bytes().first_chunk().map_or(0, |&pair| pair_head(pair))
}

/// The [`head`] of a word that begins with `first` and `second`.
fn pair_head([first, second]: [u8; 2]) -> usize {
    usize::from(first & 31) << 5 | usize::from(second & 31)
}

/// The [`head`]s of cue words with their lengths in bytes (past fifteen, as fifteen): a word
/// whose head no cue of its length has is none of them. The heads alone let through the short
/// words that begin like a cue (`and` like `analyst`, `the` like `throughout`, `for` like
/// `founder`), the most common words around a run.
#[derive(Debug, Default)]
struct CueHeads {
    /// By head, the lengths of the cues with that head, one bit each; empty until a cue is added.
    lengths: Vec<u16>,
}

impl CueHeads {
    fn add(&mut self, cue: &str) {
        self.lengths.resize(1024, 0);
        self.lengths[head(cue)] |= length_bit(cue.len());
    }

    /// Whether `word` may be a cue: some cue has its head and, if `len` is given, that length.
    fn may_hold(&self, word: &str, len: Option<usize>) -> bool {
        let lengths = self.lengths.get(head(word)).copied().unwrap_or(0);
        lengths & len.map_or(u16::MAX, length_bit) != 0
    }

    /// Whether the word that [`word_after`] reads at the start of `after` may be a cue, told
    /// from its first two bytes when both are ASCII letters or digits: most words after a run
    /// have a head no cue has, and are turned away before the word is scanned to its end. Those
    /// that share one with a cue (`and` with `analyst`) are turned away by their length, which
    /// an ASCII word keeps in lower case, before the word is read again and looked up.
    /// Many runs end a sentence or a clause, or the region: no word follows them, told from the
    /// first byte.
    fn may_begin(&self, after: &[u8]) -> bool {
        let start = after.iter().position(|&byte| !matches!(byte, b' ' | b'\t' | b',')).unwrap_or(after.len());
        match after[start..] {
            [first, second, ref rest @ ..] if first.is_ascii_alphanumeric() && second.is_ascii_alphanumeric() => {
                let lengths = self.lengths.get(pair_head([first, second])).copied().unwrap_or(0);
                if lengths == 0 {
                    return false;
                }
                // As `word_after` reads it: a byte beyond ASCII after the ASCII letters and
                // digits may go on with a letter.
                match rest.iter().position(|byte| !byte.is_ascii_alphanumeric()) {
                    Some(len) if !rest[len].is_ascii() => true,
                    len => lengths & length_bit(2 + len.unwrap_or(rest.len())) != 0,
                }
            }
            [] => false,
            [first, ..] if first.is_ascii() && !first.is_ascii_alphanumeric() => false,
            _ => true,
        }
    }
}

/// The bit of a length in [`CueHeads::lengths`].
fn length_bit(len: usize) -> u16 {
    1 << len.min(15)
}

/// The word before `at` in `region` of `text`: the letters and digits before it, past spaces
/// and tabs.
#[cfg(test)]
fn word_before(text: &str, region: Span, at: usize) -> &str {
    word_ending(text, region.start, region.start + end_past_blanks(&text.as_bytes()[region.start..at]))
}

/// The letters and digits of `text` that end at `end`, from `start` on: the word before a word,
/// once the blanks between are passed (`Lexicon::preceded` has passed them already).
fn word_ending(text: &str, start: usize, end: usize) -> &str {
    // Asked of the first word of many runs: read as bytes, unless a byte beyond ASCII, which may
    // be part of a letter, ends the word.
    let bytes = &text.as_bytes()[start..end];
    let from = bytes.iter().rposition(|byte| !byte.is_ascii_alphanumeric()).map_or(0, |last| last + 1);
    if from == 0 || bytes[from - 1].is_ascii() {
        return &text[start + from..end];
    }
    text[start..end].rsplit(|c: char| !chars::is_alphanumeric(c)).next().unwrap_or("")
}

/// Where `bytes` end without the spaces and tabs that end them.
fn end_past_blanks(bytes: &[u8]) -> usize {
    bytes.iter().rposition(|&byte| byte != b' ' && byte != b'\t').map_or(0, |last| last + 1)
}

/// The word after `end` in `region` of `text`: the letters and digits after it, past spaces,
/// tabs and commas.
fn word_after(text: &str, region: Span, end: usize) -> &str {
    // As in `word_ending`.
    let bytes = &text.as_bytes()[end..region.end];
    let start = bytes.iter().position(|&byte| !matches!(byte, b' ' | b'\t' | b',')).unwrap_or(bytes.len());
    let len = bytes[start..].iter().position(|byte| !byte.is_ascii_alphanumeric()).unwrap_or(bytes.len() - start);
    if bytes.get(start + len).is_none_or(u8::is_ascii) {
        return &text[end + start..end + start + len];
    }
    let after = text[end..region.end].trim_start_matches([' ', '\t', ',']);
    after.split(|c: char| !chars::is_alphanumeric(c)).next().unwrap_or("")
}

/// Whether two words are separated by one space only (or by ` & `), so that they can belong to
/// one name.
fn joined(text: &str, end: usize, start: usize) -> bool {
    // Asked of every name-shaped word after another: told by the bytes between them, with no
    // character boundary to check first.
    matches!(text.as_bytes()[end..start], [b' '] | [b' ', b'&', b' '] | [b'&'])
}

/// Whether the word at `at` begins a sentence, a line or a quotation: only spaces and opening
/// punctuation between it and the start of the region, a line break or a sentence end.
fn starts_sentence(text: &str, region: Span, at: usize) -> bool {
    let before = &text.as_bytes()[region.start..at];
    opens_sentence(&before[..end_past_blanks(before)])
}

/// [`starts_sentence`] of a word after `before`, the text of its region before it, the spaces
/// and tabs that end it passed already (see [`DocumentWords::new`]).
// Asked of every capitalised word, in the loop over them: not a call (a hint to inline it was
// not taken).
#[inline(always)]
fn opens_sentence(mut before: &[u8]) -> bool {
    // Asked of every capitalised word: read as bytes. The text before is valid UTF-8, so a
    // three-byte character that ends it is told by its last three bytes.
    loop {
        before = match before {
            [rest @ .., b' ' | b'\t' | b'"' | b'\'' | b'(' | b'[' | b'*' | b'#' | b'>'] => rest,
            // `“`, `‘`
            [rest @ .., 0xE2, 0x80, 0x9C | 0x98] => rest,
            _ => break,
        };
    }
    matches!(
        before,
        [] | [.., b'\n' | b'\r' | b'.' | b'!' | b'?' | b':' | b';' | b'|' | b'-']
        // `•`, `–`, `—`, `…`, `”`
            | [.., 0xE2, 0x80, 0xA2 | 0x93 | 0x94 | 0xA6 | 0x9D]
    )
}

/// Whether the word at `at` follows running text: a lower-case word or a comma before it.
fn follows_prose(text: &str, region: Span, at: usize) -> bool {
    let before = text[region.start..at].trim_end_matches([' ', '\t']);
    match before.chars().next_back() {
        Some(',') => true,
        Some(c) if chars::is_alphabetic(c) => {
            let word_start = before
                .char_indices()
                .rev()
                .find(|&(_, c)| !chars::is_alphanumeric(c))
                .map_or(0, |(i, c)| i + c.len_utf8());
            before[word_start..].starts_with(char::is_lowercase)
        }
        _ => false,
    }
}

/// The name with its whitespace collapsed; most names have nothing to collapse.
pub(super) fn collapse(name: &str) -> Cow<'_, str> {
    // One pass over the bytes: single spaces between words and no other ASCII whitespace; the
    // characters beyond ASCII of a name that has some (`Inês`) are decoded to find white space
    // among them.
    let bytes = name.as_bytes();
    let collapsed = bytes.iter().enumerate().all(|(at, &b)| match b {
        b' ' => at > 0 && at + 1 < bytes.len() && bytes[at + 1] != b' ',
        _ => !b.is_ascii() || ASCII_CLASS[usize::from(b)] != SPACE,
    }) && (name.is_ascii() || !name.chars().any(|c| c != ' ' && c.is_whitespace()));
    if collapsed { Cow::Borrowed(name) } else { Cow::Owned(name.split_whitespace().collect::<Vec<_>>().join(" ")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_capital_is_a_letter() {
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            assert!(!c.is_uppercase() || c.is_alphanumeric(), "{c:?}");
        }
    }

    proptest::proptest! {
        /// Entities next to one another, apart, and at the start of the text.
        #[test]
        fn the_entity_covering_a_byte_is_the_one_a_span_set_finds(
            gaps in proptest::collection::vec((0usize..3, 1usize..4), 0..8),
            at in 0usize..30,
        ) {
            let (chosen, set) = crate::extract::entities::tests::disjoint_candidates(&gaps);
            proptest::prop_assert_eq!(covering(&chosen, at), set.overlapping(Span::new(at, at + 1)).next());
        }

        /// Names merged among the chosen entities, some at the start of one, are where a stable
        /// sort of both by start puts them.
        #[test]
        fn names_merged_by_start_are_where_a_stable_sort_puts_them(
            mut chosen_starts in proptest::collection::vec(0usize..20, 0..8),
            mut found_starts in proptest::collection::vec(0usize..20, 1..6),
        ) {
            chosen_starts.sort_unstable();
            found_starts.sort_unstable();
            // The rule tells them apart.
            let candidates = |starts: &[usize], rule| {
                starts.iter().map(|&start| Candidate { span: Span::new(start, start + 1), rule, canonical: Cow::Borrowed("") }).collect::<Vec<_>>()
            };
            let (chosen, found) = (candidates(&chosen_starts, 0), candidates(&found_starts, 1));
            let mut sorted = chosen.clone();
            sorted.extend(found.clone());
            sorted.sort_by_key(|c| c.span.start);
            let mut merged = chosen;
            merge_by_start(&mut merged, found);
            let key = |c: &Candidate| (c.span, c.rule);
            proptest::prop_assert_eq!(merged.iter().map(key).collect::<Vec<_>>(), sorted.iter().map(key).collect::<Vec<_>>());
        }
    }

    proptest::proptest! {
        /// Words glued by joiners, possessives, capitals inside words, one-letter words and
        /// characters beyond ASCII, in regions that may cut through words.
        #[test]
        fn capitalised_words_are_the_words_read_one_by_one_that_start_in_a_capital(
            text in "([aAbBsS'&.\\- ,]|’|é|É|“|Ⅻ){0,40}",
            cut in 0usize..4,
        ) {
            let start = (0..=cut.min(text.len())).rev().find(|&at| text.is_char_boundary(at)).unwrap_or(0);
            let region = Span::new(start, text.len());
            let plain: Vec<(Span, bool)> = Words::new(&text, region)
                .filter(|&(span, capital)| capital && starts_capitalised(span.of(&text)))
                .collect();
            let mut words = Words::new(&text, region);
            let scan = WordScan::new(&text, &[region], None);
            let mut capitals = scan.capitals(0);
            let skipping: Vec<(Span, bool)> =
                std::iter::from_fn(|| words.next_capitalised(&mut capitals))
                    .filter(|word| word.capital)
                    .map(|word| (word.span, word.capital))
                    .collect();
            proptest::prop_assert_eq!(skipping, plain);
        }

        /// The search for a word and the pass over every word of the regions agree on whether
        /// the document writes it in lower case.
        #[test]
        fn lower_case_words_are_found_by_a_search_as_by_reading_every_word(
            text in "([abAB'&.\\- ,]|’|é){0,40}",
            word in "[ab]{1,3}|[ab]’[ab]|a-b|é[ab]",
        ) {
            // Two regions with a gap between them, whose words are no region's.
            let third = text.len() / 3;
            let regions = [Span::new(0, third), Span::new(third, 2 * third), Span::new(2 * third, text.len())]
                .into_iter()
                .step_by(2)
                .filter(|region| text.is_char_boundary(region.start) && text.is_char_boundary(region.end))
                .collect::<Vec<_>>();
            let lexicon = Lexicon::default();
            let document = DocumentWords::new(&text, &regions, &WordScan::new(&text, &regions, None), &lexicon);
            let plain = regions
                .iter()
                .flat_map(|&region| Words::new(&text, region))
                .any(|(span, capital)| !capital && span.of(&text) == word);
            proptest::prop_assert_eq!(document.lower_occurrence(&word).is_some(), plain);
        }

        /// Counted among the name-shaped words only, a name-shaped word is written inside
        /// sentences as often as every capitalised word read says.
        #[test]
        fn mentions_inside_sentences_are_those_of_every_capitalised_word(
            text in "(Ab|AB|ABs|Ab's|ab|A|Ab-ab|É[ab]|[ .\n]){0,40}",
        ) {
            let region = Span::new(0, text.len());
            let lexicon = Lexicon::default();
            let document = DocumentWords::new(&text, &[region], &WordScan::new(&text, &[region], None), &lexicon);
            let inside: Vec<&str> = Words::new(&text, region)
                .filter(|&(span, capital)| capital && !starts_sentence(&text, region, span.start))
                .map(|(span, _)| span.of(&text))
                .collect();
            for word in &document.shaped {
                let plain = inside.iter().filter(|&&other| other == word.span.of(&text)).count();
                proptest::prop_assert_eq!(document.inside(word), plain);
            }
        }
    }

    proptest::proptest! {
        /// Joiners, possessives, one-letter words, digits and characters beyond ASCII: the shape
        /// told while a word is read is the shape of the word read, and it is told of every ASCII
        /// word that lost no possessive.
        #[test]
        fn shapes_told_while_reading_are_the_shapes_of_the_words_read(
            text in "([aAbBsS1'&.\\- ,]|’|é|É|Р|р|½|ǅ){0,40}",
        ) {
            let mut words = Words::new(&text, Span::new(0, text.len()));
            while let Some(word) = words.read() {
                let surface = word.span.of(&text);
                let possessive = ["'s", "’s"].iter().any(|possessive| text[word.span.end..].starts_with(possessive));
                match word.shape {
                    Some(shape) => proptest::prop_assert_eq!(shape, Shape::of(surface), "{}", surface),
                    None => proptest::prop_assert!(surface.is_empty() || !surface.is_ascii() || possessive, "{}", surface),
                }
            }
        }
    }

    proptest::proptest! {
        /// The words around a run, read as bytes up to the first byte beyond ASCII, are the ones
        /// read as characters: letters beyond ASCII, punctuation beyond ASCII and white space
        /// beyond ASCII next to them.
        #[test]
        fn words_around_a_run_read_as_bytes_are_the_words_read_as_characters(
            text in "([aB1 \t,.]|é|Р|’|\u{a0}){0,20}",
            cut in 0usize..4,
            at in 0usize..40,
        ) {
            let boundary = |at: usize| (0..=at.min(text.len())).rev().find(|&at| text.is_char_boundary(at)).unwrap_or(0);
            let region = Span::new(boundary(cut), text.len());
            let at = boundary(at).max(region.start);
            let before = text[region.start..at].trim_end_matches([' ', '\t']);
            let plain_before = before.rsplit(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
            proptest::prop_assert_eq!(word_before(&text, region, at), plain_before);
            let after = text[at..].trim_start_matches([' ', '\t', ',']);
            let plain_after = after.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
            proptest::prop_assert_eq!(word_after(&text, region, at), plain_after);
        }
    }

    proptest::proptest! {
        /// Cues that share heads with other words, of the same length or not, long ones, words
        /// that lower-case to other lengths, and punctuation where a word may follow: the cues
        /// around a position are those looked up without the heads' sift.
        #[test]
        fn cues_sifted_by_heads_are_the_cues_looked_up(
            cues in proptest::collection::vec("([abkAB0]|é|İ){1,17}", 1..6),
            text in "([abAB0 ,\t.)]|é|İ|’|\u{212A}){0,40}",
            at in 0usize..60,
            cue_after in proptest::option::of(0usize..6),
            cue_before in proptest::option::of(0usize..6),
        ) {
            let mut lexicon = Lexicon::default();
            for (index, cue) in cues.iter().enumerate() {
                let (before, after) = if index % 2 == 0 { (1, 0) } else { (0, 2) };
                // The words after a run are looked up in lower case, as the rules write them.
                if before != 0 {
                    lexicon.add_preceded_by(cue, before);
                } else {
                    lexicon.add_followed_by(&cue.to_lowercase(), after);
                }
            }
            let at = (0..=at.min(text.len())).rev().find(|&at| text.is_char_boundary(at)).unwrap_or(0);
            // Random text seldom holds a cue: one is put after `at` (as the text after a run
            // is lower-cased before the look-up) to check that the cues are found.
            let text = match cue_after {
                Some(index) => format!("{}, {},{}", &text[..at], cues[index % cues.len()].to_lowercase(), &text[at..]),
                None => text,
            };
            // And one before it, as written, for the words before a run.
            let (text, at) = match cue_before {
                Some(index) => {
                    let before = format!("{} {} ", &text[..at], cues[index % cues.len()]);
                    (format!("{before}{}", &text[at..]), before.len())
                }
                None => (text, at),
            };
            let region = Span::new(0, text.len());
            let previous = word_before(&text, region, at);
            let preceding = if previous.is_empty() { 0 } else { lexicon.cues.get(previous).preceding };
            proptest::prop_assert_eq!(lexicon.preceded(&text, region, at), preceding);
            let next = word_after(&text, region, at);
            let following = if next.is_empty() { 0 } else { lexicon.cues.get(&next.to_lowercase()).following };
            proptest::prop_assert_eq!(lexicon.followed(&text, region, at), following);
        }
    }

    /// Words added one by one, past every remake of the filter, are found with their facts, and
    /// words never added have none.
    #[test]
    fn known_words_are_found_past_every_remake_of_the_filter() {
        let mut known = KnownWords::default();
        let words: Vec<String> = (1..=3000).map(|n| format!("Word{n}")).collect();
        for (n, word) in words.iter().enumerate() {
            known.entry(word).strip = n as u32 + 1;
            if (n + 1).is_power_of_two() || n + 1 == words.len() {
                for (m, added) in words[..=n].iter().enumerate() {
                    assert_eq!(known.get(added).strip, m as u32 + 1, "{added}");
                }
                let others = (0..=n).filter(|&m| known.get(&format!("Other{m}")).strip != 0).count();
                assert_eq!(others, 0);
            }
        }
        assert!(known.filter.room() >= words.len());
        // The look-ups above pass whatever the filter holds, since the table answers past it:
        // the filter must also be worth its test, turning away most words never added.
        let through = (0..words.len()).filter(|m| known.filter.may_hold(lists::hash(&format!("Other{m}")))).count();
        assert!(through < words.len() / 4, "{through} of {} words never added pass the filter", words.len());
    }

    /// What [`Lexicon::followed`] turns words beyond ASCII away by, for every character.
    #[test]
    fn only_the_kelvin_sign_lower_cases_to_ascii() {
        let to_ascii = |c: &char| !c.is_ascii() && c.to_lowercase().all(|lower| lower.is_ascii());
        let found: Vec<char> = (0..=u32::from(char::MAX)).filter_map(char::from_u32).filter(to_ascii).collect();
        assert_eq!(found, [KELVIN_SIGN]);
    }

    #[test]
    fn cues_are_found_whatever_the_case_of_the_word_after_and_only_as_written_before() {
        let mut lexicon = Lexicon::default();
        for (word, slot) in [("said", 1), ("раз", 2)] {
            lexicon.add_followed_by(word, slot);
        }
        lexicon.add_preceded_by("By", 4);
        let text = "By Kiln Tide SAID, by Rua Vane, Said x Pier РАЗ";
        let region = Span::new(0, text.len());
        let end_of = |w: &str| text.find(w).unwrap() + w.len();
        assert_eq!(lexicon.followed(text, region, end_of("Tide")), 1);
        assert_eq!(lexicon.followed(text, region, end_of("Vane")), 1);
        assert_eq!(lexicon.followed(text, region, end_of("Pier")), 2);
        assert_eq!(lexicon.followed(text, region, end_of("Kiln")), 0);
        assert_eq!(lexicon.preceded(text, region, text.find("Kiln").unwrap()), 4);
        assert_eq!(lexicon.preceded(text, region, text.find("Rua").unwrap()), 0);
    }

    fn surfaces(text: &str) -> Vec<&str> {
        Words::new(text, Span::new(0, text.len())).map(|(span, _)| span.of(text)).collect()
    }

    #[test]
    fn words_keep_joined_forms_and_drop_possessives() {
        assert_eq!(
            surfaces("S&P and O'Neil's U.S. lastminute.com, Lock-In."),
            ["S&P", "and", "O'Neil", "U.S", "lastminute.com", "Lock-In"]
        );
    }

    #[test]
    fn words_tell_whether_they_have_a_capital() {
        let text = "iPhone apple Éclair d’Été I a-B 3M";
        let words: Vec<(&str, bool)> =
            Words::new(text, Span::new(0, text.len())).map(|(span, capital)| (span.of(text), capital)).collect();
        assert_eq!(
            words,
            [
                ("iPhone", true),
                ("apple", false),
                ("Éclair", true),
                ("d’Été", true),
                ("", false),
                ("a-B", true),
                ("3M", true)
            ]
        );
    }

    #[test]
    fn general_punctuation_holds_no_letter_or_digit() {
        assert!(('\u{2000}'..='\u{203f}').all(|c| !c.is_alphanumeric() && !c.is_uppercase()));
        let text = "“Kiln—Tide…” ‘x’ Ô";
        let words: Vec<&str> = Words::new(text, Span::new(0, text.len())).map(|(span, _)| span.of(text)).collect();
        assert_eq!(words, ["Kiln", "Tide", "", ""]);
    }

    #[test]
    fn document_words_count_mentions_inside_sentences_and_find_headlines() {
        let text = "Rates Rise As Ports Reopen Across Europe\nThe Coalition met. Coalition members and the Coalition agreed; a coalition formed.";
        // `Coalition` and `Members` are ordinary words, the only ones `writes_lower` is asked of.
        let mut lexicon = Lexicon { as_common: 1, min_mentions: 2, ..Lexicon::default() };
        lexicon.known.entry("Coalition").lists = 1;
        lexicon.known.entry("Members").lists = 1;
        let document = DocumentWords::new(
            text,
            &[Span::new(0, text.len())],
            &WordScan::new(text, &[Span::new(0, text.len())], None),
            &lexicon,
        );
        let inside =
            |at: usize| document.shaped.iter().find(|word| word.span.start == at).map(|word| document.inside(word));
        assert_eq!(inside(text.find("Coalition agreed").unwrap()), Some(2));
        assert_eq!(inside(text.find("Coalition members").unwrap()), Some(2));
        assert!(document.writes_lower("coalition"));
        assert!(in_lines(&document.headlines, text.find("Ports").unwrap()));
        assert!(!in_lines(&document.headlines, text.find("members").unwrap()));
        // A word of a headline, one that begins a sentence and one inside a sentence.
        let initial = |at: usize| document.shaped.iter().find(|word| word.span.start == at).map(|word| word.initial);
        assert_eq!(initial(text.find("Ports").unwrap()), Some(true));
        assert_eq!(initial(text.find("Coalition members").unwrap()), Some(true));
        assert_eq!(initial(text.find("Coalition agreed").unwrap()), Some(false));
    }

    #[test]
    fn lower_case_words_are_told_alike_by_searches_and_by_the_one_pass_past_their_budget() {
        let prose = "The Coalition met. Coalition members and the Coalition agreed; a coalition formed. \
                     The Harbour opened, and the Harbour fees rose.";
        let mut lexicon = Lexicon { as_common: 1, min_mentions: 2, ..Lexicon::default() };
        lexicon.known.entry("Coalition").lists = 1;
        lexicon.known.entry("Harbour").lists = 1;
        // A document too long for even one search: the first question reads every word.
        let long = format!("{prose}\n{}", "and so on ".repeat(LOWER_SEARCH_BYTES / 10 + 1));
        for text in [prose, long.as_str()] {
            let document = DocumentWords::new(
                text,
                &[Span::new(0, text.len())],
                &WordScan::new(text, &[Span::new(0, text.len())], None),
                &lexicon,
            );
            assert!(document.writes_lower("coalition"));
            assert_eq!(document.lower.get().is_some(), text.len() > LOWER_SEARCH_BYTES);
            assert!(!document.writes_lower("harbour"));
        }
    }

    #[test]
    fn names_collapse_whitespace_and_borrow_when_there_is_none() {
        assert!(matches!(collapse("Polar Vane"), Cow::Borrowed("Polar Vane")));
        assert_eq!(collapse("Polar \n Vane"), "Polar Vane");
        assert_eq!(collapse("Polar\u{a0}Vane"), "Polar Vane");
        assert_eq!(collapse("Polar \u{2009}Vane"), "Polar Vane");
        assert!(matches!(collapse("Inês Vane"), Cow::Borrowed("Inês Vane")));
        assert_eq!(collapse("Polar\u{b}Vane"), "Polar Vane");
        assert_eq!(with_lower_case("Said", str::to_string), "said");
        assert_eq!(with_lower_case("ÉTÉ", str::to_string), "été");
        assert_eq!(with_title_case("OCTOBER", str::to_string), "October");
        assert_eq!(with_title_case("ÉTÉ", str::to_string), "Été");
    }

    #[test]
    fn headlines_need_four_capitalised_long_words() {
        assert!(headline("Rates Rise As Ports Reopen Across Europe"));
        assert!(headline("Öl-Preise Steigen Über Erwartungen"));
        assert!(!headline("Rates rise as ports reopen across Europe"));
        assert!(!headline("Rise In Rates"));
    }

    /// [`is_title_case`] of `line`, its capitals counted by the scan of word starts, as for the
    /// lines of a document.
    fn headline(line: &str) -> bool {
        let scan = WordScan::new(line, &[Span::new(0, line.len())], None);
        is_title_case(line, scan.capitals_within(0, 0, line.len()), scan.lower_runs_within(0, 0, line.len()))
    }

    /// The lower-case runs of `line` that the scan of word starts counts, as for the lines of a
    /// document.
    fn lower_runs(line: &str) -> usize {
        WordScan::new(line, &[Span::new(0, line.len())], None).lower_runs_within(0, 0, line.len())
    }

    /// Whether `line` is a headline, told by splitting it into runs of letters.
    fn plain_title_case(line: &str) -> bool {
        let (mut upper, mut lower) = (0, 0);
        for word in line.split(|c: char| !c.is_alphabetic()).filter(|word| word.chars().count() >= 4) {
            if word.starts_with(char::is_uppercase) {
                upper += 1;
            } else {
                lower += 1;
            }
        }
        upper >= 4 && lower * 5 <= upper + lower
    }

    /// [`may_adjoin_separator`] spells out what the separators end and begin with: a separator
    /// added to [`LIST_SEPARATORS`] must fit it.
    #[test]
    fn every_list_separator_may_adjoin_a_run() {
        for (separator, _) in LIST_SEPARATORS {
            assert!(may_adjoin_separator(format!("Oslo{separator}").as_bytes(), b""), "{separator:?} before");
            assert!(may_adjoin_separator(b"", format!("{separator}Oslo").as_bytes()), "{separator:?} after");
        }
    }

    proptest::proptest! {
        #[test]
        fn headlines_are_what_counting_the_long_words_plainly_finds(
            // Capitals and lower case letters within and beyond ASCII (`ǅ` is a title-case letter,
            // `中` one of no case), and punctuation beyond ASCII that ends a word.
            words in proptest::collection::vec("[A-Za-z]{0,2}[A-Za-zÉéÖöЖжǅ中ß]{1,5}[ ’—.1]{0,2}", 0..12),
        ) {
            let line = words.concat();
            proptest::prop_assert_eq!(headline(&line), plain_title_case(&line), "{}", line);
        }

        /// Lines of mostly capitalised words, many of them headlines, some with a lower-case word
        /// or a few: long enough to span several chunks of sixteen bytes.
        #[test]
        fn headlines_among_capitalised_words_are_what_counting_plainly_finds(
            words in proptest::collection::vec(
                "(A[a-z]{2,6}|[ÉÖЖǅ][a-z]{3}|中[A-Z][a-z]{3}|AB[A-Z]{2}|[a-z]{4,6}|[a-z]{1,3}|é[a-z]{3}|1[a-z]{4})",
                0..24,
            ),
            gaps in proptest::collection::vec("[ ,.’—'1-]{1,2}", 24),
        ) {
            let line: String = words.iter().zip(&gaps).map(|(word, gap)| format!("{word}{gap}")).collect();
            proptest::prop_assert_eq!(headline(&line), plain_title_case(&line), "{}", line);
        }

        /// The lower-case runs that turn prose down are the ones counted byte by byte.
        #[test]
        fn lower_runs_are_the_runs_counted_byte_by_byte(
            // Runs of three to five letters, some after letters beyond ASCII.
            line in "(abcd|abcde|abc|Abcd|aBcd|é|É|’|Ж|[aZ1 ,'-]){0,40}",
        ) {
            let bytes = line.as_bytes();
            let runs = (0..bytes.len())
                .filter(|&at| {
                    let after_no_letter = at == 0 || (bytes[at - 1].is_ascii() && !bytes[at - 1].is_ascii_alphabetic());
                    let letters = bytes.get(at + 1..at + 4).is_some_and(|three| three.iter().all(u8::is_ascii_alphabetic));
                    bytes[at].is_ascii_lowercase() && after_no_letter && letters
                })
                .count();
            proptest::prop_assert_eq!(lower_runs(&line), runs, "{}", line);
        }

        /// The lists that hold a word as an ordinary word, told by the word's shape, are the ones
        /// told by reading the word and its parts again.
        #[test]
        fn ordinary_words_told_by_their_shape_are_the_ones_told_by_reading_them(
            surface in "(Lock|LOCK|In|IN|Été|ÉTÉ|Cri|CRI|Long|LONG|LONG1|AB-C|x)(-(Lock|LOCK|In|IN|ÉTÉ|CRI|LONG|l)|-){0,3}",
        ) {
            let mut lexicon = Lexicon::default();
            for (word, list) in [("Lock", 1), ("In", 2), ("Été", 4), ("Long", 8), ("Long1", 16), ("Lock-In", 32), ("Ab-c", 64)] {
                lexicon.known.entry(word).lists |= list;
            }
            let listed = |part: &str, lists: u32| {
                let all_capitals = part.chars().count() >= 4 && !part.chars().any(char::is_lowercase);
                if all_capitals { lists | lexicon.known.get(&title_case(part)).lists } else { lists }
            };
            let lists = lexicon.known.get(&surface).lists;
            let mut plain = listed(&surface, lists);
            if surface.contains('-') {
                plain |= surface
                    .split('-')
                    .filter(|part| !part.is_empty())
                    .fold(!0, |all, part| all & listed(part, lexicon.known.get(part).lists));
            }
            proptest::prop_assert_eq!(lexicon.ordinary_in(&surface, Shape::of(&surface), lists), plain, "{}", surface);
        }

        /// Text with a separator of a list at its end or at its start is never turned away (the
        /// separators themselves: see [`every_list_separator_may_adjoin_a_run`]).
        #[test]
        fn separators_of_lists_are_never_turned_away(
            before in "(, and |, or | and | or |, |[ ,adnor]){0,4}",
            after in "(, and |, or | and | or |, |[ ,adnor]){0,4}",
        ) {
            let separated = LIST_SEPARATORS
                .iter()
                .any(|(separator, _)| before.ends_with(separator) || after.starts_with(separator));
            proptest::prop_assert!(!separated || may_adjoin_separator(before.as_bytes(), after.as_bytes()));
        }

        /// A word's shape read as bytes is its shape read as characters.
        #[test]
        fn shapes_read_as_bytes_are_shapes_read_as_characters(
            word in "(-a|-A|-é|-0|-|[aAzZ09'.&]|é|É|ǅ|Ⅻ|中){0,8}",
        ) {
            proptest::prop_assert_eq!(Shape::of(&word), Shape::of_chars(&word));
        }
    }

    #[test]
    fn lower_runs_begin_after_ascii_bytes_that_are_no_letters() {
        for (line, runs) in [("abcd", 1), (" abcd", 1), ("1abcd,efgh", 2), ("abc", 0), ("Aabcd", 0), ("éabcd", 0)] {
            assert_eq!(lower_runs(line), runs, "{line}");
        }
        // Across the scan's words of sixty-four bits.
        for spaces in [30, 60, 61, 62, 63, 64, 125] {
            for before in ["Ж", "’", "é"] {
                let line = format!("{}{before}abcd", " ".repeat(spaces));
                assert_eq!(lower_runs(&line), 0, "{line}");
            }
            assert_eq!(lower_runs(&format!("{}abcd", " ".repeat(spaces))), 1);
            assert_eq!(lower_runs(&format!("{}Xabcd", " ".repeat(spaces))), 0);
        }
    }

    #[test]
    fn shapes_tell_parts_that_start_in_lower_case() {
        for (word, lower_part) in [("Rolls-Royce", false), ("Cornish-founded", true), ("A-b", true), ("AB-", false)] {
            assert_eq!(Shape::of(word).lower_part, lower_part, "{word}");
        }
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
    fn words_in_capitals_break_runs_as_their_title_case_does() {
        let run_breaks = ["Jan", "Monday", "Über"].map(str::to_string).into_iter().collect();
        let lexicon = Lexicon::new(&run_breaks, &HashSet::default());
        for (word, breaks) in
            [("JAN", true), ("MONDAY", true), ("ÜBER", true), ("JANE", false), ("CEO", false), ("MO", false)]
        {
            assert_eq!(lexicon.breaks_in_title_case(word), breaks, "{word}");
        }
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
        // Opening quotes and brackets beyond ASCII are passed over, and a sentence ends in
        // punctuation beyond ASCII too; other characters beyond ASCII end nothing.
        let text = "x “‘(Kiln said. x•Tide x—Pier x…Mole x”Dune é Rise ‘Crag";
        let region = Span::new(0, text.len());
        let at = |w: &str| text.find(w).unwrap();
        for word in ["Kiln", "Tide", "Pier", "Mole", "Dune"] {
            assert_eq!(starts_sentence(text, region, at(word)), word != "Kiln", "{word}");
        }
        assert!(!starts_sentence(text, region, at("Rise")));
        assert!(!starts_sentence(text, region, at("Crag")));
        assert!(starts_sentence(text, Span::new(at("‘Crag"), text.len()), at("Crag")));
    }
}
