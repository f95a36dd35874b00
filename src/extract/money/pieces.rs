//! A regex written out of the pattern's own text and the lexicon's fragments, parsed a fragment
//! at a time.
//!
//! The money patterns, their leads and their guards write the same few fragments (the
//! alternation of every currency name under `(?i)`, every symbol, every code) dozens of times.
//! Parsing each regex's whole text parses each fragment again every time, case folding every
//! letter of every name: that was most of the money stage's start-up. Here each distinct
//! fragment is parsed once. A regex is parsed with a small placeholder group where each fragment
//! goes, and each placeholder is then replaced by its fragment's [`Hir`], the nodes above it
//! rebuilt through `Hir`'s own constructors, which are what the parser builds with: literals
//! merge across the seam, alternations flatten, capture groups are numbered as in the text.
//!
//! A fragment parses alone as it parses inside the text only under the default flags: the
//! placeholder holds a probe that shows any flag in force there (`(?i)`, `(?x)`, `(?s)`…), and
//! where one is, or anything else is out of the ordinary (a fragment with capture groups, a
//! placeholder repeated zero times away), the whole text is parsed instead. A debug build
//! checks every regex built from pieces against its whole text parsed. (One difference is left:
//! a fragment parsed alone is not held to the parser's nesting limit by the groups around it,
//! so a regex nested past the limit, which its text would be refused for, is built.)

use std::collections::HashMap;
use std::rc::Rc;

use regex_syntax::hir::{Capture, Hir, HirKind, Repetition};

/// What a placeholder holds: its `Hir` differs under every flag (`a` under `i`, the space under
/// `x`, `.` under `s`, `R` and `u`, `$` under `m` and `R`, the greed of `*` under `U`).
const PROBE: &str = "a .*$";
/// The placeholder group of fragment `n` is named this followed by `n`.
const PLACEHOLDER: &str = "__fragment";

#[derive(Debug, Clone)]
enum Piece {
    Text(String),
    Fragment(Rc<str>),
}

/// A regex as text and fragments, in order.
#[derive(Debug, Clone, Default)]
pub struct Pieces(Vec<Piece>);

impl Pieces {
    /// The regex `text`, without fragments.
    pub fn text(text: &str) -> Pieces {
        let mut pieces = Pieces::default();
        pieces.push_str(text);
        pieces
    }

    pub fn push_str(&mut self, text: &str) {
        match self.0.last_mut() {
            Some(Piece::Text(last)) => last.push_str(text),
            _ => self.0.push(Piece::Text(text.to_string())),
        }
    }

    /// Appends `fragment`, a regex that parses alone, as a non-capturing group.
    pub fn push_fragment(&mut self, fragment: &Rc<str>) {
        self.0.push(Piece::Fragment(Rc::clone(fragment)));
    }

    pub fn append(&mut self, other: &Pieces) {
        for piece in &other.0 {
            match piece {
                Piece::Text(text) => self.push_str(text),
                Piece::Fragment(fragment) => self.push_fragment(fragment),
            }
        }
    }

    /// `pieces` joined by `separator`.
    pub fn join<'a>(pieces: impl IntoIterator<Item = &'a Pieces>, separator: &str) -> Pieces {
        let mut joined = Pieces::default();
        for (index, pieces) in pieces.into_iter().enumerate() {
            if index > 0 {
                joined.push_str(separator);
            }
            joined.append(pieces);
        }
        joined
    }

    /// The whole regex as text.
    pub fn to_regex(&self) -> String {
        self.write(|fragment, _| format!("(?:{fragment})"))
    }

    /// The regex with a placeholder group for each fragment, numbered in order.
    fn template(&self) -> String {
        self.write(|_, n| format!("(?P<{PLACEHOLDER}{n}>{PROBE})"))
    }

    fn write(&self, mut fragment: impl FnMut(&str, usize) -> String) -> String {
        let mut out = String::new();
        let mut fragments = 0;
        for piece in &self.0 {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Fragment(text) => {
                    out.push_str(&fragment(text, fragments));
                    fragments += 1;
                }
            }
        }
        out
    }
}

/// The error of a regex that does not parse.
pub type Error = Box<regex_syntax::Error>;

/// Parses [`Pieces`], each distinct fragment once.
pub struct Parser {
    /// Each fragment parsed, `None` when it does not parse alone or has capture groups.
    fragments: HashMap<Rc<str>, Option<Hir>>,
    probe: Hir,
}

impl Parser {
    pub fn new() -> Parser {
        let probe = regex_syntax::Parser::new().parse(PROBE).expect("the probe parses");
        Parser { fragments: HashMap::new(), probe }
    }

    /// The regex `pieces`, as `regex_syntax` parses its whole text.
    pub fn parse(&mut self, pieces: &Pieces) -> Result<Hir, Error> {
        let Some(hir) = self.compose(pieces) else {
            return regex_syntax::Parser::new().parse(&pieces.to_regex()).map_err(Box::new);
        };
        // Parsed alone, a fragment is not held to the nesting limit of the text around it: a
        // text nested past the limit fails to parse where its pieces do not.
        #[cfg(debug_assertions)]
        if let Ok(parsed) = regex_syntax::Parser::new().parse(&pieces.to_regex()) {
            assert_eq!(hir, parsed, "a regex built from pieces equals its text parsed");
        }
        Ok(hir)
    }

    /// The regex `pieces` put together from its template and fragments; `None` where that
    /// might differ from parsing its text.
    fn compose(&mut self, pieces: &Pieces) -> Option<Hir> {
        for piece in &pieces.0 {
            if let Piece::Fragment(fragment) = piece
                && !self.fragments.contains_key(fragment)
            {
                let hir = regex_syntax::Parser::new()
                    .parse(fragment)
                    .ok()
                    .filter(|hir| hir.properties().explicit_captures_len() == 0);
                self.fragments.insert(Rc::clone(fragment), hir);
            }
        }
        let fragments: Vec<&Hir> = pieces
            .0
            .iter()
            .filter_map(|piece| match piece {
                Piece::Fragment(fragment) => Some(self.fragments[fragment].as_ref()),
                Piece::Text(_) => None,
            })
            .collect::<Option<_>>()?;
        let template = regex_syntax::Parser::new().parse(&pieces.template()).ok()?;
        let mut placing = Placing { fragments: &fragments, probe: &self.probe, placed: 0 };
        let hir = placing.place(template)?;
        (placing.placed == fragments.len()).then_some(hir)
    }
}

/// Replaces the placeholders of a template, in order.
struct Placing<'a> {
    fragments: &'a [&'a Hir],
    probe: &'a Hir,
    /// The placeholders replaced so far: every capture group after them in the template is
    /// numbered that much higher than in the text.
    placed: usize,
}

impl Placing<'_> {
    /// `hir` with its placeholders replaced; `None` when one is not as expected.
    fn place(&mut self, hir: Hir) -> Option<Hir> {
        if hir.properties().explicit_captures_len() == 0 {
            return Some(hir);
        }
        Some(match hir.into_kind() {
            HirKind::Capture(capture) => {
                let placeholder = capture.name.as_deref().and_then(|name| name.strip_prefix(PLACEHOLDER));
                if let Some(number) = placeholder {
                    // Placeholders come in the order they were written; a probe that parsed
                    // otherwise shows flags in force.
                    if number != self.placed.to_string() || *capture.sub != *self.probe {
                        return None;
                    }
                    self.placed += 1;
                    return self.fragments.get(self.placed - 1).map(|&fragment| fragment.clone());
                }
                let index = capture.index.checked_sub(u32::try_from(self.placed).ok()?)?;
                Hir::capture(Capture { index, name: capture.name, sub: Box::new(self.place(*capture.sub)?) })
            }
            HirKind::Concat(subs) => Hir::concat(subs.into_iter().map(|sub| self.place(sub)).collect::<Option<_>>()?),
            HirKind::Alternation(subs) => {
                Hir::alternation(subs.into_iter().map(|sub| self.place(sub)).collect::<Option<_>>()?)
            }
            HirKind::Repetition(repetition) => {
                let sub = Box::new(self.place(*repetition.sub)?);
                Hir::repetition(Repetition { sub, ..repetition })
            }
            // A leaf holds no capture group.
            HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(parts: &[&str], fragments: &[&str]) -> Pieces {
        let mut pieces = Pieces::default();
        for (index, part) in parts.iter().enumerate() {
            pieces.push_str(part);
            if let Some(fragment) = fragments.get(index) {
                pieces.push_fragment(&Rc::from(*fragment));
            }
        }
        pieces
    }

    /// Parses `pieces` both ways; whether the fragments were put in place.
    fn composed(pieces: &Pieces) -> bool {
        let mut parser = Parser::new();
        let composed = parser.compose(pieces);
        let parsed = regex_syntax::Parser::new().parse(&pieces.to_regex()).unwrap();
        if let Some(composed) = &composed {
            assert_eq!(*composed, parsed, "{}", pieces.to_regex());
        }
        assert_eq!(parser.parse(pieces).unwrap(), parsed);
        composed.is_some()
    }

    #[test]
    fn fragments_take_their_place_as_the_parser_would_put_them() {
        // Literals merge across the seam, alternations flatten and collapse into classes.
        assert!(composed(&pieces(&["ab", "cd"], &["xy|z"])));
        assert!(composed(&pieces(&["ab", "cd"], &["xyz"])));
        assert!(composed(&pieces(&["(?:", "|", ")"], &["a", "b|c"])));
        assert!(composed(&pieces(&["(?:", "|q|", ")?"], &["a", "[0-9]"])));
        assert!(composed(&pieces(&["x(?:", "){2}y"], &["(?i:dollars?)|dlrs"])));
        // Capture groups before, around and after fragments keep the text's numbers.
        assert!(composed(&pieces(&["(a)(?P<n>", ")(b", ")(?P<m>c)"], &["x|y", "z"])));
        // Scoped flags closed before a fragment leave it alone.
        assert!(composed(&pieces(&["(?i:between) ", "(?-u:\\b)"], &["dollar"])));
    }

    #[test]
    fn a_fragment_under_flags_or_with_its_own_groups_is_parsed_in_its_text() {
        for flags in ["(?i)", "(?x)", "(?s)", "(?m)", "(?U)", "(?R)"] {
            assert!(!composed(&pieces(&[&format!("{flags}a "), " b"], &["k. *$|x"])), "{flags}");
        }
        assert!(!composed(&pieces(&["(?i:a", ")"], &["k"])));
        assert!(!composed(&pieces(&["a(?-u:", ")"], &["b"])));
        assert!(!composed(&pieces(&["a", ""], &["(b)"])));
        // Repeated zero times, a placeholder vanishes from the template, its number with it.
        assert!(!composed(&pieces(&["(?:", "){0}(c)"], &["b"])));
        // A group of the text's own with a placeholder's name is a duplicate: the text is parsed.
        assert!(!composed(&pieces(&["(?P<__fragment0>a .*$)", ""], &["b"])));
    }

    #[test]
    fn a_fragment_that_does_not_parse_alone_gives_the_texts_own_error() {
        let broken = pieces(&["(", ""], &["a)|(b"]);
        assert_eq!(Parser::new().compose(&broken), None);
        let text = regex_syntax::Parser::new().parse(&broken.to_regex());
        assert_eq!(Parser::new().parse(&broken).map_err(|e| e.to_string()), text.map_err(|e| e.to_string()));
    }
}
