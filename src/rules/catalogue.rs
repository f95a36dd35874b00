//! The catalogue of loaded rules: ids, documentation and inline examples, for `assay check` and
//! for the `rule` field of every item.

use std::collections::HashMap;

use toml::Spanned;

use super::{Family, RuleError, RuleFile, RuleSource};

/// An inline example as written in a rule file.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// The input text.
    pub text: Spanned<String>,
    /// The items the rule must produce from it, each a partial item (`text`, `amount`, `type`…).
    /// Boilerplate rules may leave it out: the whole text must then be one removed span.
    #[serde(default)]
    pub expect: Option<Vec<toml::Table>>,
    /// Marks a known gap: reported by the check, but not a failure.
    #[serde(default)]
    pub todo: Option<String>,
    /// Other documents of the same corpus: when given, the example is read with the corpus pass
    /// (`--repeats`) over them and the example's own text, for rules that only a corpus shows.
    #[serde(default)]
    pub corpus: Vec<String>,
}

/// A file's own evidence: `examples` and `negatives` written as top-level keys, before any
/// table. A data file (currencies, scales, scoring) has no `[[rule]]` of its own to carry them.
#[derive(Debug, Default, serde::Deserialize)]
struct FileEvidence {
    #[serde(default)]
    examples: Vec<Example>,
    #[serde(default)]
    negatives: Vec<Spanned<String>>,
}

/// The evidence of every rule file, in family order, or the error of a file that does not read.
///
/// Reading it parses every rule file again, which needs no rule registered: it can be read while
/// the stages compile, and is added to the catalogue (see [`Catalogue::add_files`]) after them.
pub struct FilesEvidence<'s>(Vec<(&'s RuleFile, Result<FileEvidence, RuleError>)>);

impl<'s> FilesEvidence<'s> {
    pub fn read(source: &'s RuleSource) -> FilesEvidence<'s> {
        let files = Family::ALL.into_iter().flat_map(|family| source.files(family));
        FilesEvidence(
            files
                .map(|file| {
                    let evidence = toml::from_str(&file.text).map_err(|error| {
                        RuleError::at(file, error.span().unwrap_or(0..0), error.message().trim_end().to_string())
                    });
                    (file, evidence)
                })
                .collect(),
        )
    }
}

/// The shared fields of a `[[rule]]` table, borrowed while registering it.
#[derive(Clone)]
pub struct Documentation<'a> {
    pub description: &'a str,
    pub why: &'a str,
    pub known_problems: &'a str,
    pub examples: &'a [Example],
    pub negatives: &'a [Spanned<String>],
}

/// One rule's documentation and examples, with locations in its file.
#[derive(Debug, Clone)]
pub struct RuleDoc {
    pub id: String,
    pub family: Family,
    pub file: String,
    pub line: usize,
    /// Column of the id in its file (1 for a file's own entry).
    pub col: usize,
    pub description: String,
    pub why: String,
    pub known_problems: String,
    pub examples: Vec<ExampleDoc>,
    pub negatives: Vec<Quoted>,
    pub kind: EntryKind,
}

/// What a catalogue entry is, which says how its examples and negatives are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A rule whose items name it (in `rule`, or for claims in `cues`): its examples must be
    /// traced to it, and its negatives must produce no item that names it.
    Rule,
    /// A rule that only vetoes or guards (a sentence-boundary guard, a claim veto) and leaves no
    /// trace on items: its examples cannot be traced to it, and it cannot have negatives.
    Untraced,
    /// A rule file's own evidence, under the file's path as id (`money/scales.toml`). Its data
    /// serves every rule of the family, so its examples are checked against all the family's
    /// items, and its negatives must produce no item of the family at all.
    File,
}

impl RuleDoc {
    /// The error of a second rule with this one's id.
    fn redefined(&self) -> String {
        format!("duplicate rule id `{}` (first defined at {}:{})", self.id, self.file, self.line)
    }

    /// Whether the items the entry acts on name it.
    pub fn traceable(&self) -> bool {
        self.kind == EntryKind::Rule
    }
}

#[derive(Debug, Clone)]
pub struct ExampleDoc {
    pub input: Quoted,
    pub expect: Option<Vec<toml::Table>>,
    pub todo: Option<String>,
    /// The other documents of the example's corpus (see [`Example::corpus`]).
    pub corpus: Vec<String>,
}

/// A string as written in a rule file: its value, and where each of its bytes sits in the file,
/// so that a finding inside an example is reported at its own `file:line:col`.
#[derive(Debug, Clone)]
pub struct Quoted {
    pub text: String,
    /// Line and column of the opening quote.
    pub line: usize,
    pub col: usize,
    /// The string as written, quotes and escapes included.
    raw: String,
}

impl Quoted {
    fn new(file: &RuleFile, string: &Spanned<String>) -> Quoted {
        let span = string.span();
        let (line, col) = crate::decode::position(file.text.as_bytes(), span.start);
        let raw = file.text.get(span).unwrap_or_default().to_string();
        Quoted { text: string.get_ref().clone(), line, col, raw }
    }

    /// Line and column in the rule file of byte `offset` of the string's value.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let at = raw_offset(&self.raw, offset);
        let (line, col) = crate::decode::position(self.raw.as_bytes(), at);
        if line == 1 { (self.line, self.col + col - 1) } else { (self.line + line - 1, col) }
    }
}

/// The byte of a TOML string token `raw` where byte `offset` of its value is written: past the
/// quotes, the newline that opens a multi-line string, escapes and line-ending backslashes.
fn raw_offset(raw: &str, offset: usize) -> usize {
    let delimiter = ["'''", "\"\"\"", "'", "\""].into_iter().find(|d| raw.starts_with(d)).unwrap_or("");
    let literal = delimiter.starts_with('\'');
    let mut at = delimiter.len();
    if delimiter.len() == 3 {
        at += ["\r\n", "\n"].into_iter().find(|nl| raw[at..].starts_with(nl)).map_or(0, str::len);
    }
    let bytes = raw.as_bytes();
    let mut value = 0;
    while at < raw.len() {
        let escape = !literal && bytes[at] == b'\\';
        if escape && matches!(bytes.get(at + 1), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            // A line-ending backslash: the value skips all whitespace up to the next text.
            at += 1 + raw[at + 1..].len() - raw[at + 1..].trim_start().len();
            continue;
        }
        if value >= offset {
            break;
        }
        if !escape {
            let width = raw[at..].chars().next().map_or(1, char::len_utf8);
            at += width;
            value += width;
            continue;
        }
        match bytes.get(at + 1) {
            Some(&(letter @ b'u' | letter @ b'U')) => {
                let digits = if letter == b'u' { 4 } else { 8 };
                let code = raw.get(at + 2..at + 2 + digits).and_then(|hex| u32::from_str_radix(hex, 16).ok());
                value += code.and_then(char::from_u32).map_or(1, char::len_utf8);
                at += 2 + digits;
            }
            _ => {
                value += 1;
                at += 2;
            }
        }
    }
    at.min(raw.len())
}

/// Every rule of a rule set, in load order, with unique ids.
#[derive(Debug, Default)]
pub struct Catalogue {
    rules: Vec<RuleDoc>,
    by_id: HashMap<String, usize>,
}

impl Catalogue {
    /// Adds a rule; its id must be kebab-case and not used by any other rule.
    pub fn add(&mut self, file: &RuleFile, id: &Spanned<String>, doc: Documentation) -> Result<usize, RuleError> {
        let name = id.get_ref();
        if !is_kebab_case(name) {
            return Err(RuleError::at(file, id.span(), format!("rule id `{name}` is not kebab-case")));
        }
        if let Some(earlier) = self.get(name) {
            return Err(RuleError::at(file, id.span(), earlier.redefined()));
        }
        let (line, col) = crate::decode::position(file.text.as_bytes(), id.span().start);
        let index = self.rules.len();
        self.rules.push(RuleDoc {
            id: name.clone(),
            family: file.family,
            file: file.path.clone(),
            line,
            col,
            description: doc.description.trim().to_string(),
            why: doc.why.trim().to_string(),
            known_problems: doc.known_problems.trim().to_string(),
            examples: documented(file, doc.examples)?,
            negatives: doc.negatives.iter().map(|negative| Quoted::new(file, negative)).collect(),
            kind: EntryKind::Rule,
        });
        self.by_id.insert(name.clone(), index);
        Ok(index)
    }

    /// Adds an entry for each file of `source` that has evidence of its own (top-level `examples`
    /// and `negatives`) or no rules, under its path as id (`money/scales.toml`); its
    /// description is the first paragraph of the file's header comment. A file without rules
    /// holds data that its family's rules read: with no evidence of its own, the check reports
    /// it as untested. Runs after every family has registered its rules, on the `files` read
    /// by [`FilesEvidence::read`].
    pub fn add_files(&mut self, files: FilesEvidence) -> Result<(), RuleError> {
        for (file, evidence) in files.0 {
            let evidence = evidence?;
            let has_rules = self.rules.iter().any(|rule| rule.file == file.path);
            if has_rules && evidence.examples.is_empty() && evidence.negatives.is_empty() {
                continue;
            }
            let first = evidence.examples.iter().map(|example| &example.text).chain(&evidence.negatives).next();
            let line = first.map_or(1, |text| crate::decode::position(file.text.as_bytes(), text.span().start).0);
            self.by_id.insert(file.relative.clone(), self.rules.len());
            self.rules.push(RuleDoc {
                id: file.relative.clone(),
                family: file.family,
                file: file.path.clone(),
                line,
                col: 1,
                description: header(&file.text),
                why: String::new(),
                known_problems: String::new(),
                examples: documented(file, &evidence.examples)?,
                negatives: evidence.negatives.iter().map(|negative| Quoted::new(file, negative)).collect(),
                kind: EntryKind::File,
            });
        }
        Ok(())
    }

    /// Appends the rules of `later`, registered after every rule already here (a stage compiled
    /// on its own); an id that is already here is an error at its place in `later`'s file.
    pub fn append(&mut self, later: Catalogue) -> Result<(), RuleError> {
        for rule in later.rules {
            if let Some(earlier) = self.get(&rule.id) {
                let message = earlier.redefined();
                return Err(RuleError::Invalid { path: rule.file, line: rule.line, col: rule.col, message });
            }
            self.by_id.insert(rule.id.clone(), self.rules.len());
            self.rules.push(rule);
        }
        Ok(())
    }

    /// Marks the rule at `index` as leaving no trace on items (see [`RuleDoc::traceable`]); its
    /// negatives could never fail, so having any is an error.
    pub fn leaves_no_trace(&mut self, file: &RuleFile, index: usize) -> Result<(), RuleError> {
        let rule = &mut self.rules[index];
        rule.kind = EntryKind::Untraced;
        match rule.negatives.first() {
            Some(negative) => Err(RuleError::Invalid {
                path: file.path.clone(),
                line: negative.line,
                col: negative.col,
                message: format!(
                    "rule `{}` leaves no trace on items, so a negative cannot fail; write it as an example with its expected items",
                    rule.id
                ),
            }),
            None => Ok(()),
        }
    }

    pub fn rules(&self) -> &[RuleDoc] {
        &self.rules
    }

    pub fn get(&self, id: &str) -> Option<&RuleDoc> {
        self.by_id.get(id).map(|&index| &self.rules[index])
    }
}

/// A rule file's examples as the check reads them; only a boilerplate example may leave out
/// what it expects.
fn documented(file: &RuleFile, examples: &[Example]) -> Result<Vec<ExampleDoc>, RuleError> {
    if let Some(example) = examples.iter().find(|example| example.expect.is_none())
        && file.family != Family::Boilerplate
    {
        let message = "an example needs `expect = [...]`: only a boilerplate example may stand for its whole text";
        return Err(RuleError::at(file, example.text.span(), message));
    }
    Ok(examples
        .iter()
        .map(|example| ExampleDoc {
            input: Quoted::new(file, &example.text),
            expect: example.expect.clone(),
            todo: example.todo.clone(),
            corpus: example.corpus.clone(),
        })
        .collect())
}

/// The first paragraph of the comment a file opens with, as one line.
fn header(text: &str) -> String {
    let lines = text.lines().map(str::trim).take_while(|line| line.starts_with('#'));
    let paragraph = lines.map(|line| line.trim_start_matches('#').trim()).take_while(|line| !line.is_empty());
    paragraph.collect::<Vec<_>>().join(" ")
}

fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && id
            .split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_inside_a_string_skip_quotes_escapes_and_opening_newlines() {
        assert_eq!(raw_offset(r#""a $5""#, 2), 3);
        assert_eq!(raw_offset(r#""\"Hi\" $5""#, 5), 8);
        assert_eq!(raw_offset(r#""\u00e9 $5""#, 3), 8);
        assert_eq!(raw_offset(r"'C:\ $5'", 4), 5);
        assert_eq!(raw_offset("'''\nab\ncd'''", 3), 7);
        assert_eq!(raw_offset("\"\"\"a \\\n   b\"\"\"", 2), 10);
        let quoted = Quoted { text: "ab\ncd".into(), line: 4, col: 12, raw: "'''\nab\ncd'''".into() };
        assert_eq!((quoted.position(0), quoted.position(4)), ((5, 1), (6, 2)));
        let quoted = Quoted { text: "a $5".into(), line: 3, col: 20, raw: "\"a $5\"".into() };
        assert_eq!(quoted.position(2), (3, 23));
    }

    #[test]
    fn a_header_is_the_first_paragraph_of_the_opening_comment() {
        let text = "# Scales: words that\n#  multiply an amount.\n#\n# More detail.\n\nexamples = []\n";
        assert_eq!(header(text), "Scales: words that multiply an amount.");
        assert_eq!(header("[[scale]]\n# Not a header.\n"), "");
    }

    #[test]
    fn appending_a_catalogue_keeps_the_order_and_finds_ids_defined_twice() {
        let file = |path: &str, family| RuleFile {
            path: format!("rules/{path}"),
            relative: path.into(),
            family,
            text: "[[rule]]\nid = \"share-prompt\"\n".into(),
        };
        let (first, second) = (file("boilerplate/a.toml", Family::Boilerplate), file("claims/b.toml", Family::Claims));
        let doc = Documentation { description: "d", why: "", known_problems: "", examples: &[], negatives: &[] };
        let id = |name: &str| Spanned::new(14..26, name.to_string());
        let mut earlier = Catalogue::default();
        earlier.add(&first, &id("share-prompt"), doc.clone()).unwrap();
        let mut later = Catalogue::default();
        later.add(&second, &id("money-figure"), doc.clone()).unwrap();
        earlier.append(later).unwrap();
        let ids: Vec<_> = earlier.rules().iter().map(|rule| rule.id.as_str()).collect();
        assert_eq!(ids, ["share-prompt", "money-figure"]);
        assert_eq!(earlier.get("money-figure").map(|rule| rule.family), Some(Family::Claims));
        let mut again = Catalogue::default();
        again.add(&second, &id("share-prompt"), doc).unwrap();
        assert_eq!(
            earlier.append(again).unwrap_err().to_string(),
            "rules/claims/b.toml:2:6: duplicate rule id `share-prompt` (first defined at rules/boilerplate/a.toml:2)"
        );
    }

    #[test]
    fn kebab_case_ids() {
        assert!(is_kebab_case("share-prompt"));
        assert!(is_kebab_case("iso-4217-code"));
        assert!(!is_kebab_case("Share"));
        assert!(!is_kebab_case("share--prompt"));
        assert!(!is_kebab_case("share_prompt"));
        assert!(!is_kebab_case(""));
    }
}
