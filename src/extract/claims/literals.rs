//! The literals a regex cannot match without: a small set of strings one of which every match
//! contains. A unit that holds none of a pattern's literals cannot match it, so the pattern is
//! not run there; all literals of all patterns are found in one pass over a block. A pattern
//! whose set is common (the digits) may have further sets, every match holding a string of each
//! (`3×` needs a digit and `×`), so that it is run only where a unit holds one of every set.
//!
//! The set is read off the regex's syntax tree. Look-arounds (`\b`, `^`) match no text and are
//! left out, which only widens the set; strings are in ASCII lower case and are looked for
//! ASCII-case-insensitively, which widens it again. Wider is safe: the set only rules units out.
//! One look-around is kept where it opens or closes a string: an ASCII word boundary
//! (`(?-u:\b)`), which the string's occurrence must then show too, so that a short word is not
//! found inside longer ones (`us` in `business`, `up` in `group`).

use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// The most strings a set may hold; larger sets are given up as too weak to be worth it.
const MAX_STRINGS: usize = 64;
/// The most further sets kept for a pattern (see [`further`]).
const MAX_FURTHER: usize = 2;
/// The most characters a class may hold to be spelt out as strings.
const MAX_CLASS: u32 = 16;

/// Stands for an ASCII word boundary inside the strings worked on here: it matches no text, and
/// is taken out of a string before the string is looked for, leaving a mark where it opened or
/// closed it. A pattern that holds this character itself gives no strings from there.
const BOUNDARY: char = '\0';

/// A string one of which every match of a pattern contains, in ASCII lower case, and whether
/// an ASCII word boundary holds where it starts and where it ends in every such match.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Literal {
    pub text: String,
    pub bounded_start: bool,
    pub bounded_end: bool,
}

impl Literal {
    fn new(marked: &str) -> Literal {
        Literal {
            text: marked.replace(BOUNDARY, ""),
            bounded_start: marked.starts_with(BOUNDARY),
            bounded_end: marked.ends_with(BOUNDARY),
        }
    }
}

/// The length of a string's text, without the boundaries in it.
fn text_len(marked: &str) -> usize {
    marked.len() - marked.matches(BOUNDARY).count() * BOUNDARY.len_utf8()
}

/// What is known about the text a piece of a regex matches.
#[derive(Debug, Clone, Default)]
struct Known {
    /// Every match of the piece is one of these strings.
    exact: Option<Vec<String>>,
    /// Every match of the piece contains one of these strings.
    required: Option<Vec<String>>,
}

/// The strings one of which every match of the parsed pattern `hir` contains, or `None` when
/// there is no small such set. A set with a lone letter in it (`i`, `x`) is no use either:
/// nearly every unit has that letter.
pub fn required(hir: &Hir) -> Option<Vec<Literal>> {
    let set = known(hir).required.filter(|set| !has_lone_letter(set) && !set.iter().any(|s| text_len(s) == 0))?;
    let mut literals: Vec<Literal> = set.iter().map(|marked| Literal::new(marked)).collect();
    literals.sort();
    literals.dedup();
    Some(literals)
}

/// The words, as written (letter case kept), that are every match of the parsed pattern `hir`
/// when the pattern is nothing but a choice of ASCII words set off by ASCII word boundaries
/// (`(?-u:\b)(?:[Mm]e|[Ww]e)(?-u:\b)`, `(?-u:\b)I(?-u:\b)`); `None` for any other pattern. Such a
/// pattern matches a text just where one of the words occurs in it, spelt so, with an ASCII word
/// boundary at either end: a find of its literals (see [`whole_words`]) that checks the letter
/// case answers it without running its regex.
pub fn exact_words(hir: &Hir) -> Option<Vec<String>> {
    let mut words = Vec::new();
    for marked in spelt(hir)? {
        let word = marked.strip_prefix(BOUNDARY)?.strip_suffix(BOUNDARY)?;
        let bytes = word.as_bytes();
        let is_word = |byte: Option<&u8>| byte.is_some_and(|&byte| regex_syntax::is_word_byte(byte));
        if !word.is_ascii() || word.contains(BOUNDARY) || !is_word(bytes.first()) || !is_word(bytes.last()) {
            return None;
        }
        words.push(word.to_string());
    }
    words.sort();
    words.dedup();
    Some(words)
}

/// The literals of a pattern whose matches are all one of `words` (see [`exact_words`]): the
/// words in ASCII lower case, each with a word boundary at both ends.
pub fn whole_words(words: &[String]) -> Vec<Literal> {
    let mut literals: Vec<Literal> = words
        .iter()
        .map(|word| Literal { text: word.to_ascii_lowercase(), bounded_start: true, bounded_end: true })
        .collect();
    literals.sort();
    literals.dedup();
    literals
}

/// Every string the parsed pattern `hir` can match, as written, with [`BOUNDARY`] for an ASCII
/// word boundary; `None` when they are too many or the pattern has any other look-around.
fn spelt(hir: &Hir) -> Option<Vec<String>> {
    let set = match hir.kind() {
        HirKind::Empty => vec![String::new()],
        HirKind::Look(Look::WordAscii) => vec![BOUNDARY.to_string()],
        HirKind::Look(_) => return None,
        HirKind::Literal(literal) => {
            vec![std::str::from_utf8(&literal.0).ok().filter(|s| !s.contains(BOUNDARY))?.to_string()]
        }
        HirKind::Class(class) => spelt_out(class).filter(|set| !set.iter().any(|s| s.contains(BOUNDARY)))?,
        HirKind::Capture(capture) => spelt(&capture.sub)?,
        HirKind::Repetition(repetition) => match (repetition.min, repetition.max) {
            (1, Some(1)) => spelt(&repetition.sub)?,
            (0, Some(1)) => {
                let mut set = spelt(&repetition.sub)?;
                set.push(String::new());
                set
            }
            _ => return None,
        },
        HirKind::Alternation(subs) => {
            let mut all = Vec::new();
            for sub in subs {
                all.extend(spelt(sub)?);
            }
            all
        }
        HirKind::Concat(subs) => {
            let mut run = vec![String::new()];
            for sub in subs {
                let next = spelt(sub)?;
                if run.len() * next.len() > MAX_STRINGS {
                    return None;
                }
                run = run.iter().flat_map(|a| next.iter().map(move |b| format!("{a}{b}"))).collect();
            }
            run
        }
    };
    (set.len() <= MAX_STRINGS).then_some(set)
}

fn has_lone_letter(set: &[String]) -> bool {
    set.iter().any(|s| is_lone_letter(s))
}

/// Whether the marked string is one ASCII letter, with or without word boundaries.
fn is_lone_letter(marked: &str) -> bool {
    let mut chars = marked.chars().filter(|&c| c != BOUNDARY);
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_ascii_alphabetic())
}

/// Further sets of strings every match of the parsed pattern `hir` contains one of each, beside
/// `first`, the set [`required`] gives: a unit that lacks a literal of any of them cannot match
/// either. A pattern whose first set is common (a digit) is then run only in the units that hold
/// what else it needs (`3×`, `40 jobs`). Only a first set with a literal of one character (a
/// digit) is common enough for that to pay: beside a set of words, the further sets are commoner
/// than it (`,`, `to`, `is`), and finding them costs more than the runs they save. At most
/// [`MAX_FURTHER`], strongest first; a set that a unit holds whenever it holds one of `first`
/// (or of a set kept before) rules nothing more out, and is left out.
pub fn further(hir: &Hir, first: &[Literal]) -> Vec<Vec<Literal>> {
    if !first.iter().any(|literal| literal.text.chars().count() == 1) {
        return Vec::new();
    }
    let (_, mut sets) = clauses(hir);
    sets.sort_by_cached_key(|set| std::cmp::Reverse(strength(set)));
    let mut kept: Vec<Vec<Literal>> = Vec::new();
    for set in sets {
        let mut literals: Vec<Literal> = set.iter().map(|marked| Literal::new(marked)).collect();
        literals.sort();
        literals.dedup();
        // Each literal of `found` implies one of `set`: the same text, with no boundary more.
        let held_with = |found: &[Literal]| {
            found.iter().all(|f| {
                literals.iter().any(|l| {
                    l.text == f.text && (!l.bounded_start || f.bounded_start) && (!l.bounded_end || f.bounded_end)
                })
            })
        };
        if held_with(first) || kept.iter().any(|k| held_with(k)) {
            continue;
        }
        kept.push(literals);
        if kept.len() == MAX_FURTHER {
            break;
        }
    }
    kept
}

/// The most ways the sets of the alternatives of a choice are joined (see [`clauses`]).
const MAX_JOINED: usize = 8;

/// Sets of strings (marked with [`BOUNDARY`], in ASCII lower case, of at most [`MAX_STRINGS`]
/// each) every match of `hir` contains one of each, each of use to rule
/// units out: no string empty, and no lone letter without a word boundary at either end
/// (nearly every unit has one; `x` that ends a word, as in `3x`, is rarer). Given with what is
/// known about `hir`, which the sets of the pieces around it are read from: worked out together,
/// bottom-up, each piece's known strings are worked out once, not once per piece above it.
fn clauses(hir: &Hir) -> (Known, Vec<Vec<String>>) {
    let (known_parts, mut part_sets): (Vec<Known>, Vec<Vec<Vec<String>>>) = parts(hir).iter().map(clauses).unzip();
    let mut sets = match hir.kind() {
        HirKind::Capture(_) => part_sets.pop().unwrap_or_default(),
        HirKind::Repetition(repetition) if repetition.min > 0 => part_sets.pop().unwrap_or_default(),
        HirKind::Concat(_) => {
            let mut sets: Vec<Vec<String>> = part_sets.into_iter().flatten().collect();
            // Runs of pieces with known text spell out longer strings, as in [`known`].
            for start in 0..known_parts.len() {
                let mut run: Option<Vec<String>> = None;
                for next in &known_parts[start..] {
                    let Some(joined) = run_with(run.as_deref(), next.exact.as_deref()) else {
                        break;
                    };
                    sets.push(joined.clone());
                    run = Some(joined);
                }
            }
            sets
        }
        HirKind::Alternation(_) => {
            // A match of the choice is one of an alternative, so it holds a string of each set of
            // that alternative: the union of one set of each alternative is a set of the choice.
            // The strongest two of each are joined in every way while that makes few sets, else
            // the strongest one of each.
            let mut choices: Vec<Vec<Vec<String>>> = part_sets
                .into_iter()
                .map(|mut sets| {
                    sets.sort_by_cached_key(|set| std::cmp::Reverse(strength(set)));
                    sets.dedup();
                    sets
                })
                .collect();
            let ways = choices.iter().try_fold(1usize, |ways, sets| ways.checked_mul(sets.len().min(2)));
            let keep = if ways.is_some_and(|ways| ways <= MAX_JOINED) { 2 } else { 1 };
            let mut joined = vec![Vec::new()];
            for sets in &mut choices {
                sets.truncate(keep);
                joined = joined
                    .iter()
                    .flat_map(|union: &Vec<String>| sets.iter().map(move |set| [union.as_slice(), set].concat()))
                    .collect();
            }
            joined.into_iter().filter_map(normalised).collect()
        }
        _ => Vec::new(),
    };
    let known = known_from(hir, known_parts);
    // Every match of a piece with known text is one of its strings.
    sets.extend(known.exact.clone());
    sets.retain(|set| {
        set.iter()
            .all(|s| text_len(s) > 0 && !(is_lone_letter(s) && !s.starts_with(BOUNDARY) && !s.ends_with(BOUNDARY)))
    });
    (known, sets)
}

/// The pieces `hir` is made of, in order.
fn parts(hir: &Hir) -> &[Hir] {
    match hir.kind() {
        HirKind::Capture(capture) => std::slice::from_ref(&capture.sub),
        HirKind::Repetition(repetition) => std::slice::from_ref(&repetition.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs,
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => &[],
    }
}

fn known(hir: &Hir) -> Known {
    known_from(hir, parts(hir).iter().map(known).collect())
}

/// What is known about `hir`, from what is known about each of its [`parts`].
fn known_from(hir: &Hir, mut parts: Vec<Known>) -> Known {
    match hir.kind() {
        HirKind::Look(Look::WordAscii) => Known { exact: Some(vec![BOUNDARY.to_string()]), required: None },
        HirKind::Empty | HirKind::Look(_) => Known { exact: Some(vec![String::new()]), required: None },
        HirKind::Literal(literal) => match std::str::from_utf8(&literal.0) {
            Ok(text) if !text.contains(BOUNDARY) => {
                let set = normalised(vec![text.to_string()]);
                Known { exact: set.clone(), required: set }
            }
            _ => Known::default(),
        },
        HirKind::Class(class) => {
            let set = spelt_out(class).filter(|set| !set.iter().any(|s| s.contains(BOUNDARY))).and_then(normalised);
            Known { exact: set.clone(), required: set }
        }
        // A capture and a repetition are made of one piece.
        HirKind::Capture(_) => parts.pop().unwrap_or_default(),
        HirKind::Repetition(repetition) => {
            let sub = parts.pop().unwrap_or_default();
            match (repetition.min, repetition.max) {
                (1, Some(1)) => sub,
                (0, Some(1)) => Known {
                    exact: sub.exact.and_then(|mut set| {
                        set.push(String::new());
                        normalised(set)
                    }),
                    required: None,
                },
                (0, _) => Known::default(),
                _ => Known { exact: None, required: sub.required },
            }
        }
        HirKind::Alternation(_) => {
            let union = |pick: fn(&Known) -> &Option<Vec<String>>| {
                let mut all = Vec::new();
                for sub in &parts {
                    all.extend(pick(sub).as_ref()?.iter().cloned());
                }
                normalised(all)
            };
            Known { exact: union(|k| &k.exact), required: union(|k| &k.required) }
        }
        HirKind::Concat(_) => {
            let mut best: Option<Vec<String>> = None;
            // A set with a lone letter in it is given up at the end (see [`required`]): another
            // part of the sequence is worth more, even when it looks weaker.
            let mut consider = |set: Option<&Vec<String>>| {
                if let Some(set) = set.filter(|set| !set.iter().any(|s| text_len(s) == 0) && !has_lone_letter(set))
                    && best.as_ref().is_none_or(|b| strength(set) > strength(b))
                {
                    best = Some(set.clone());
                }
            };
            for sub in &parts {
                consider(sub.required.as_ref());
            }
            // Runs of pieces with known text spell out longer strings ("w" "a" "s" is "was").
            for start in 0..parts.len() {
                let mut run: Option<Vec<String>> = None;
                for sub in &parts[start..] {
                    let Some(next) = run_with(run.as_deref(), sub.exact.as_deref()) else {
                        break;
                    };
                    run = Some(next);
                    consider(run.as_ref());
                }
            }
            let exact =
                parts.iter().try_fold(vec![String::new()], |run, sub| run_with(Some(&run), sub.exact.as_deref()));
            Known { exact, required: best }
        }
    }
}

/// `run` followed by `next`: every string of one then one of the other, if that is few enough.
fn run_with(run: Option<&[String]>, next: Option<&[String]>) -> Option<Vec<String>> {
    let next = next?;
    let Some(run) = run else {
        return normalised(next.to_vec());
    };
    if run.len() * next.len() > MAX_STRINGS {
        return None;
    }
    normalised(run.iter().flat_map(|a| next.iter().map(move |b| [a.as_str(), b].concat())).collect())
}

/// How selective a set is: its shortest string, longer being better, then the fewest word
/// boundaries at the edges of any of its strings, more being better (a word found only whole
/// rules out far more units than a string one shorter or one fewer), then fewer strings.
fn strength(set: &[String]) -> (usize, usize, std::cmp::Reverse<usize>) {
    let edges = |s: &String| usize::from(s.starts_with(BOUNDARY)) + usize::from(s.ends_with(BOUNDARY));
    let shortest = set.iter().map(|s| text_len(s)).min().unwrap_or(0);
    (shortest, set.iter().map(edges).min().unwrap_or(0), std::cmp::Reverse(set.len()))
}

fn spelt_out(class: &Class) -> Option<Vec<String>> {
    match class {
        Class::Unicode(class) => {
            let size: u32 = class.ranges().iter().map(|r| u32::from(r.end()) - u32::from(r.start()) + 1).sum();
            (size <= MAX_CLASS)
                .then(|| class.ranges().iter().flat_map(|r| (r.start()..=r.end()).map(|c| c.to_string())).collect())
        }
        Class::Bytes(class) => {
            let size: usize = class.ranges().iter().map(|r| usize::from(r.end() - r.start()) + 1).sum();
            let ascii = class.ranges().iter().all(|r| r.end().is_ascii());
            (ascii && size <= MAX_CLASS as usize).then(|| {
                class.ranges().iter().flat_map(|r| (r.start()..=r.end()).map(|b| char::from(b).to_string())).collect()
            })
        }
    }
}

/// The set in ASCII lower case without repeats, or `None` when it is too large.
fn normalised(mut set: Vec<String>) -> Option<Vec<String>> {
    set.iter_mut().for_each(|s| s.make_ascii_lowercase());
    set.sort();
    set.dedup();
    (set.len() <= MAX_STRINGS).then_some(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(strings: &[&str]) -> Option<Vec<String>> {
        Some(strings.iter().map(|s| s.to_string()).collect())
    }

    /// The literals `required` gives for `pattern`, which must parse.
    fn literals(pattern: &str) -> Option<Vec<Literal>> {
        required(&regex_syntax::parse(pattern).unwrap())
    }

    /// The texts of the literals `required` gives.
    fn texts(pattern: &str) -> Option<Vec<String>> {
        literals(pattern).map(|set| set.into_iter().map(|literal| literal.text).collect())
    }

    #[test]
    fn spells_out_the_strings_every_match_contains() {
        assert_eq!(texts(r"(?i)(?-u:\b)was(?-u:\b)"), set(&["was", "wa\u{17F}"]));
        assert_eq!(texts(r"^(?P<who>\p{Lu}\p{L}+)\s+(?:said|told)(?-u:\b)"), set(&["said", "told"]));
        assert_eq!(texts(r"[”\x22],?\s+(?:said|says)"), set(&["said", "says"]));
        assert_eq!(texts(r"[0-9]{1,3}\s?%"), set(&["%"]));
        assert_eq!(texts(r"[Tt]he company"), set(&["the company"]));
        assert_eq!(texts(r"[0-9]\s?x"), set(&["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]));
    }

    #[test]
    fn marks_the_word_boundaries_a_string_sits_between() {
        let bounds = |pattern: &str| -> Vec<(String, bool, bool)> {
            literals(pattern).unwrap().into_iter().map(|l| (l.text, l.bounded_start, l.bounded_end)).collect()
        };
        assert_eq!(bounds(r"(?-u:\b)(?:us|we)(?-u:\b)"), [("us".into(), true, true), ("we".into(), true, true)]);
        assert_eq!(bounds(r"\s(?:up|down)(?-u:\b)"), [("down".into(), false, true), ("up".into(), false, true)]);
        // A Unicode boundary is not an ASCII one, and a boundary inside a string marks nothing.
        assert_eq!(bounds(r"\bsaid\b"), [("said".into(), false, false)]);
        assert_eq!(bounds(r"said(?-u:\b) in"), [("said in".into(), false, false)]);
        assert_eq!(bounds(r"(?:(?-u:\b)said|says)"), [("said".into(), true, false), ("says".into(), false, false)]);
        assert_eq!(texts("a\x00bc"), None);
    }

    #[test]
    fn tells_patterns_that_are_a_choice_of_whole_words() {
        let words = |pattern: &str| exact_words(&regex_syntax::parse(pattern).unwrap());
        let set = |words: &[&str]| Some(words.iter().map(|w| w.to_string()).collect::<Vec<_>>());
        assert_eq!(words(r"(?-u:\b)I(?-u:\b)"), set(&["I"]));
        assert_eq!(
            words(r"(?-u:\b)(?:[Mm]e|[Oo]urs?|[Uu]s)(?-u:\b)"),
            set(&["Me", "Our", "Ours", "Us", "me", "our", "ours", "us"])
        );
        assert_eq!(words(r"(?-u:\b)may(?-u:\b)"), set(&["may"]));
        // A Unicode boundary, a missing boundary, a repeat, an anchor or a word edge that is no
        // word byte: none is a plain choice of whole words.
        assert_eq!(words(r"\bmay\b"), None);
        assert_eq!(words(r"(?-u:\b)may"), None);
        assert_eq!(words(r"(?-u:\b)ma+y(?-u:\b)"), None);
        assert_eq!(words(r"^(?-u:\b)may(?-u:\b)"), None);
        assert_eq!(words(r"(?-u:\b)may\.(?-u:\b)"), None);
        // Case folding reaches beyond ASCII (`k` folds to the Kelvin sign).
        assert_eq!(words(r"(?i)(?-u:\b)ok(?-u:\b)"), None);
        let literals = whole_words(&set(&["Us", "us", "I"]).unwrap());
        let texts: Vec<(&str, bool, bool)> =
            literals.iter().map(|l| (l.text.as_str(), l.bounded_start, l.bounded_end)).collect();
        assert_eq!(texts, [("i", true, true), ("us", true, true)]);
    }

    #[test]
    fn further_sets_hold_what_a_match_needs_beside_the_first() {
        let further = |pattern: &str| -> Vec<Vec<(String, bool, bool)>> {
            let hir = regex_syntax::parse(pattern).unwrap();
            let first = required(&hir).unwrap();
            let sets = super::further(&hir, &first);
            sets.into_iter()
                .map(|set| set.into_iter().map(|l| (l.text, l.bounded_start, l.bounded_end)).collect())
                .collect()
        };
        // A figure needs the sign after it: a digit alone is common, `×` or `x` ending a word is not.
        assert_eq!(
            further(r"[0-9]+\s?(?:×|x(?-u:\b))|(?-u:\b)tenfold(?-u:\b)"),
            [vec![("tenfold".into(), true, true), ("x".into(), false, true), ("×".into(), false, false)]]
        );
        // A lone letter is of use only with a boundary.
        assert_eq!(further(r"[0-9]\s?(?:jobs|k)"), Vec::<Vec<(String, bool, bool)>>::new());
        assert_eq!(
            further(r"[0-9]\s?(?:jobs|k(?-u:\b))"),
            [vec![("jobs".into(), false, false), ("k".into(), false, true)]]
        );
        // Beside a first set of words, a further one is commoner than it.
        assert_eq!(further(r"[0-9]\s?said"), Vec::<Vec<(String, bool, bool)>>::new());
        // What an optional piece needs, a match need not hold, however deep the piece sits.
        assert_eq!(
            further(r"[0-9]+(?:\s?(?:jobs|users))?(?:(?:\s?k(?-u:\b))?\s?(?:×|x(?-u:\b)))"),
            [vec![("x".into(), false, true), ("×".into(), false, false)]]
        );
    }

    proptest::proptest! {
        /// Every text a pattern matches holds a literal of each of its sets, the first and the
        /// further ones, with the boundaries the literal asks for: the sets only rule out texts
        /// the pattern cannot match.
        #[test]
        fn a_match_holds_a_literal_of_every_set(
            pattern in proptest::sample::select(vec![
                r"(?i)[0-9]+(?:\.[0-9]+)?\s?(?:×|x(?-u:\b))|(?-u:\b)(?:two|ten)fold(?-u:\b)|(?-u:\b)(?:doubled|tripled)(?-u:\b)",
                r"(?i)(?-u:\b)[0-9][0-9,.]*\s?(?:thousand|k(?-u:\b)|users|jobs|MW(?-u:\b)|times)",
                r"(?i)^(?:[0-9]{1,2}\s+)?(?:jan|may|dec)[a-z]*\.?\s+[0-9]{4}[\s.]*$",
                r"(?-u:\b)(?:I|[Ww]e)\s+(?:just\s+)?[A-Za-z][a-z]+ed(?-u:\b)",
            ]),
            text in r"(?:[0-9]|x|X|×|k|K|\u{212a}|ſ|s|S| |\.|,|_|jobs|JOBS|fold|two|tenfold|doubled|users|uſers|mw|may|dec|I|we|jumped|ed|a){0,14}",
        ) {
            let hir = regex_syntax::parse(pattern).unwrap();
            let regex = regex::Regex::new(pattern).unwrap();
            // Most texts drawn miss the pattern: they tell nothing, and are not counted as rejects.
            if !regex.is_match(&text) {
                return Ok(());
            }
            let lowered = text.to_ascii_lowercase();
            let word = |at: usize| lowered.as_bytes().get(at).is_some_and(|&byte| regex_syntax::is_word_byte(byte));
            let boundary = |at: usize| (at > 0 && word(at - 1)) != word(at);
            let holds = |literal: &Literal| {
                lowered.match_indices(literal.text.as_str()).any(|(at, found)| {
                    (!literal.bounded_start || boundary(at)) && (!literal.bounded_end || boundary(at + found.len()))
                })
            };
            let first = required(&hir).unwrap();
            for set in std::iter::once(first.clone()).chain(super::further(&hir, &first)) {
                proptest::prop_assert!(set.iter().any(holds), "{:?} in {:?}", set, text);
            }
        }
    }

    #[test]
    fn gives_up_without_a_small_set() {
        assert_eq!(texts(r"\p{Lu}+"), None);
        assert_eq!(texts(r"(?:said)?\s+\w+"), None);
        assert_eq!(texts(r"said|\w+"), None);
        assert_eq!(texts(r"(?-u:\b)(?:I|we)(?-u:\b)"), None);
    }
}
