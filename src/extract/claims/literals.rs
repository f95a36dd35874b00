//! The literals a regex cannot match without: a small set of strings one of which every match
//! contains. A unit that holds none of a pattern's literals cannot match it, so the pattern is
//! not run there; all literals of all patterns are found in one pass over a block.
//!
//! The set is read off the regex's syntax tree. Look-arounds (`\b`, `^`) match no text and are
//! left out, which only widens the set; strings are in ASCII lower case and are looked for
//! ASCII-case-insensitively, which widens it again. Wider is safe: the set only rules units out.

use regex_syntax::hir::{Class, Hir, HirKind};

/// The most strings a set may hold; larger sets are given up as too weak to be worth it.
const MAX_STRINGS: usize = 64;
/// The most characters a class may hold to be spelt out as strings.
const MAX_CLASS: u32 = 16;

/// What is known about the text a piece of a regex matches.
#[derive(Debug, Clone, Default)]
struct Known {
    /// Every match of the piece is one of these strings.
    exact: Option<Vec<String>>,
    /// Every match of the piece contains one of these strings.
    required: Option<Vec<String>>,
}

/// The strings (ASCII lower case) one of which every match of `pattern` contains, or `None`
/// when there is no small such set (or the pattern does not parse). A set with a lone letter in
/// it (`i`, `x`) is no use either: nearly every unit has that letter.
pub fn required(pattern: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let lone_letter = |s: &String| s.len() == 1 && s.as_bytes()[0].is_ascii_alphabetic();
    known(&hir).required.filter(|set| !set.iter().any(lone_letter))
}

fn known(hir: &Hir) -> Known {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Known { exact: Some(vec![String::new()]), required: None },
        HirKind::Literal(literal) => match std::str::from_utf8(&literal.0) {
            Ok(text) => {
                let set = normalised(vec![text.to_string()]);
                Known { exact: set.clone(), required: set }
            }
            Err(_) => Known::default(),
        },
        HirKind::Class(class) => {
            let set = spelt_out(class).and_then(normalised);
            Known { exact: set.clone(), required: set }
        }
        HirKind::Capture(capture) => known(&capture.sub),
        HirKind::Repetition(repetition) => {
            let sub = known(&repetition.sub);
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
        HirKind::Alternation(subs) => {
            let subs: Vec<Known> = subs.iter().map(known).collect();
            let union = |pick: fn(&Known) -> &Option<Vec<String>>| {
                let mut all = Vec::new();
                for sub in &subs {
                    all.extend(pick(sub).as_ref()?.iter().cloned());
                }
                normalised(all)
            };
            Known { exact: union(|k| &k.exact), required: union(|k| &k.required) }
        }
        HirKind::Concat(subs) => {
            let subs: Vec<Known> = subs.iter().map(known).collect();
            let mut best: Option<Vec<String>> = None;
            let mut consider = |set: Option<Vec<String>>| {
                if let Some(set) = set.filter(|set| !set.iter().any(String::is_empty))
                    && best.as_ref().is_none_or(|b| strength(&set) > strength(b))
                {
                    best = Some(set);
                }
            };
            for sub in &subs {
                consider(sub.required.clone());
            }
            // Runs of pieces with known text spell out longer strings ("w" "a" "s" is "was").
            for start in 0..subs.len() {
                let mut run: Option<Vec<String>> = None;
                for sub in &subs[start..] {
                    let Some(next) = run_with(run.as_deref(), sub.exact.as_deref()) else {
                        break;
                    };
                    run = Some(next);
                    consider(run.clone());
                }
            }
            let exact =
                subs.iter().try_fold(vec![String::new()], |run, sub| run_with(Some(&run), sub.exact.as_deref()));
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
    normalised(run.iter().flat_map(|a| next.iter().map(move |b| format!("{a}{b}"))).collect())
}

/// How selective a set is: its shortest string, longer being better, then fewer strings.
fn strength(set: &[String]) -> (usize, std::cmp::Reverse<usize>) {
    (set.iter().map(String::len).min().unwrap_or(0), std::cmp::Reverse(set.len()))
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
fn normalised(set: Vec<String>) -> Option<Vec<String>> {
    let mut set: Vec<String> = set.into_iter().map(|s| s.to_ascii_lowercase()).collect();
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

    #[test]
    fn spells_out_the_strings_every_match_contains() {
        assert_eq!(required(r"(?i)(?-u:\b)was(?-u:\b)"), set(&["was", "wa\u{17F}"]));
        assert_eq!(required(r"^(?P<who>\p{Lu}\p{L}+)\s+(?:said|told)(?-u:\b)"), set(&["said", "told"]));
        assert_eq!(required(r"[”\x22],?\s+(?:said|says)"), set(&["said", "says"]));
        assert_eq!(required(r"[0-9]{1,3}\s?%"), set(&["%"]));
        assert_eq!(required(r"[Tt]he company"), set(&["the company"]));
    }

    #[test]
    fn gives_up_without_a_small_set() {
        assert_eq!(required(r"\p{Lu}+"), None);
        assert_eq!(required(r"(?:said)?\s+\w+"), None);
        assert_eq!(required(r"said|\w+"), None);
        assert_eq!(required(r"(unclosed"), None);
        assert_eq!(required(r"(?-u:\b)(?:I|we)(?-u:\b)"), None);
    }
}
