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
//! placeholder repeated zero times away), the whole text is parsed instead. So it is where the
//! text would nest past the parser's limit: a fragment's depth counts from its placeholder's, as
//! the parser counts it in the whole text, so a rule file gets the text's own error. A debug
//! build checks every regex built from pieces against its whole text parsed.

use std::collections::HashMap;
use std::rc::Rc;

use std::convert::Infallible;

use regex_syntax::ast::{self, Ast, ClassSetItem, GroupKind};
use regex_syntax::hir::translate::Translator;
use regex_syntax::hir::{Capture, Hir, HirKind, Repetition};

/// What a placeholder holds: its `Hir` differs under every flag (`a` under `i`, the space under
/// `x`, `.` under `s`, `R` and `u`, `$` under `m` and `R`, the greed of `*` under `U`).
const PROBE: &str = "a .*$";
/// The placeholder group of fragment `n` is named this followed by `n`.
const PLACEHOLDER: &str = "__fragment";
/// How deep a regex may nest: `regex_syntax`'s default, which the whole text is parsed with.
const NEST_LIMIT: u32 = 250;

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
    /// Each fragment parsed and how deep it nests, `None` when it does not parse alone or has
    /// capture groups.
    fragments: HashMap<Rc<str>, Option<(Hir, u32)>>,
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
        #[cfg(debug_assertions)]
        assert_eq!(
            Ok(&hir),
            regex_syntax::Parser::new().parse(&pieces.to_regex()).as_ref(),
            "a regex built from pieces is its text parsed, and is built only where the text parses"
        );
        Ok(hir)
    }

    /// The regex `pieces` put together from its template and fragments; `None` where that
    /// might differ from parsing its text.
    fn compose(&mut self, pieces: &Pieces) -> Option<Hir> {
        for piece in &pieces.0 {
            if let Piece::Fragment(fragment) = piece
                && !self.fragments.contains_key(fragment)
            {
                let parsed = parse_measured(fragment)
                    .filter(|(hir, _)| hir.properties().explicit_captures_len() == 0)
                    .map(|(hir, depth)| (hir, depth.deepest));
                self.fragments.insert(Rc::clone(fragment), parsed);
            }
        }
        let fragments: Vec<&(Hir, u32)> = pieces
            .0
            .iter()
            .filter_map(|piece| match piece {
                Piece::Fragment(fragment) => Some(self.fragments[fragment].as_ref()),
                Piece::Text(_) => None,
            })
            .collect::<Option<_>>()?;
        let (template, depth) = parse_measured(&pieces.template())?;
        // In the text a fragment's nodes nest in its group, where the placeholder's group is (the
        // template held to the limit with the probe in it, the rest of the text is too).
        let nested_past_limit = depth.placeholders.len() != fragments.len()
            || depth.placeholders.iter().zip(&fragments).any(|(&group, &&(_, deepest))| group + deepest > NEST_LIMIT);
        if nested_past_limit {
            return None;
        }
        let fragments: Vec<&Hir> = fragments.into_iter().map(|(hir, _)| hir).collect();
        let mut placing = Placing { fragments: &fragments, probe: &self.probe, placed: 0 };
        let hir = placing.place(template)?;
        (placing.placed == fragments.len()).then_some(hir)
    }
}

/// `text` parsed as `regex_syntax::Parser` parses it, and how deep it nests.
fn parse_measured(text: &str) -> Option<(Hir, Depth)> {
    let ast = ast::parse::ParserBuilder::new().nest_limit(NEST_LIMIT).build().parse(text).ok()?;
    let depth = ast::visit(&ast, Depth::default()).unwrap_or_else(|never| match never {});
    let hir = Translator::new().translate(text, &ast).ok()?;
    Some((hir, depth))
}

/// How deep a regex nests, counted as the parser counts against its nest limit, and the depth of
/// each placeholder group, in the order they are written.
#[derive(Default)]
struct Depth {
    depth: u32,
    deepest: u32,
    placeholders: Vec<u32>,
}

impl Depth {
    fn enter(&mut self) {
        self.depth += 1;
        self.deepest = self.deepest.max(self.depth);
    }
}

/// Whether the parser counts `ast` a level of nesting (all but the leaves).
fn nests(ast: &Ast) -> bool {
    !matches!(
        ast,
        Ast::Empty(_)
            | Ast::Flags(_)
            | Ast::Literal(_)
            | Ast::Dot(_)
            | Ast::Assertion(_)
            | Ast::ClassUnicode(_)
            | Ast::ClassPerl(_)
    )
}

impl ast::Visitor for Depth {
    type Output = Depth;
    type Err = Infallible;

    fn finish(self) -> Result<Depth, Infallible> {
        Ok(self)
    }

    fn visit_pre(&mut self, ast: &Ast) -> Result<(), Infallible> {
        if nests(ast) {
            self.enter();
        }
        if let Ast::Group(group) = ast
            && let GroupKind::CaptureName { name, .. } = &group.kind
            && name.name.starts_with(PLACEHOLDER)
        {
            self.placeholders.push(self.depth);
        }
        Ok(())
    }

    fn visit_post(&mut self, ast: &Ast) -> Result<(), Infallible> {
        if nests(ast) {
            self.depth -= 1;
        }
        Ok(())
    }

    fn visit_class_set_item_pre(&mut self, item: &ClassSetItem) -> Result<(), Infallible> {
        if matches!(item, ClassSetItem::Bracketed(_) | ClassSetItem::Union(_)) {
            self.enter();
        }
        Ok(())
    }

    fn visit_class_set_item_post(&mut self, item: &ClassSetItem) -> Result<(), Infallible> {
        if matches!(item, ClassSetItem::Bracketed(_) | ClassSetItem::Union(_)) {
            self.depth -= 1;
        }
        Ok(())
    }

    fn visit_class_set_binary_op_pre(&mut self, _: &ast::ClassSetBinaryOp) -> Result<(), Infallible> {
        self.enter();
        Ok(())
    }

    fn visit_class_set_binary_op_post(&mut self, _: &ast::ClassSetBinaryOp) -> Result<(), Infallible> {
        self.depth -= 1;
        Ok(())
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

    /// How deep `text` nests by the parser's own count: the least nest limit it parses under.
    fn parsers_depth(text: &str) -> usize {
        let parses = |limit| regex_syntax::ParserBuilder::new().nest_limit(limit).build().parse(text).is_ok();
        (0..=NEST_LIMIT).find(|&limit| parses(limit)).unwrap() as usize
    }

    #[test]
    fn a_fragment_nests_from_its_placeholders_depth_as_in_its_text() {
        let nested = |groups: usize, fragment: &str| pieces(&[&"(?:".repeat(groups), &")".repeat(groups)], &[fragment]);
        let deep = |inner: &str| format!("{}{inner}{}", "(?:".repeat(12), ")".repeat(12));
        for fragment in [deep("a"), deep("a|[[b]]|[a&&[^c]]x*"), deep("(?:a(?:b|c+)+)")] {
            // The placeholder group sits one deeper than the groups around it: in `groups` groups
            // the fragment reaches the limit, in one more it passes it (the template, with the
            // probe 2 deeper than its group, parses either way).
            let groups = NEST_LIMIT as usize - 1 - parsers_depth(&fragment);
            assert!(composed(&nested(groups, &fragment)), "{fragment}");
            let too_deep = nested(groups + 1, &fragment);
            assert!(Parser::new().compose(&too_deep).is_none(), "{fragment}");
            let text = regex_syntax::Parser::new().parse(&too_deep.to_regex()).map_err(|e| e.to_string());
            assert!(text.as_ref().is_err_and(|e| e.contains("maximum number of nested")), "{text:?}");
            assert_eq!(Parser::new().parse(&too_deep).map_err(|e| e.to_string()), text);
        }
    }

    #[test]
    fn a_fragment_that_does_not_parse_alone_gives_the_texts_own_error() {
        let broken = pieces(&["(", ""], &["a)|(b"]);
        assert_eq!(Parser::new().compose(&broken), None);
        let text = regex_syntax::Parser::new().parse(&broken.to_regex());
        assert_eq!(Parser::new().parse(&broken).map_err(|e| e.to_string()), text.map_err(|e| e.to_string()));
    }
}
