//! The catalogue of loaded rules: ids, documentation and inline examples, for `assay check` and
//! for the `rule` field of every item.

use std::collections::HashMap;

use toml::Spanned;

use super::{Family, RuleError, RuleFile};

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
}

/// The shared fields of a `[[rule]]` table, borrowed while registering it.
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
    pub description: String,
    pub why: String,
    pub known_problems: String,
    pub examples: Vec<ExampleDoc>,
    pub negatives: Vec<NegativeDoc>,
    /// Whether the items a rule acts on name it (in `rule`, or for claims in `cues`). A rule that
    /// only vetoes or guards (a sentence-boundary guard, a claim veto) leaves no trace: its
    /// examples cannot be traced to it, and it cannot have negatives.
    pub traceable: bool,
}

#[derive(Debug, Clone)]
pub struct ExampleDoc {
    pub text: String,
    pub line: usize,
    pub col: usize,
    pub expect: Option<Vec<toml::Table>>,
    pub todo: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NegativeDoc {
    pub text: String,
    pub line: usize,
    pub col: usize,
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
        if let Some(&previous) = self.by_id.get(name) {
            let earlier = &self.rules[previous];
            return Err(RuleError::at(
                file,
                id.span(),
                format!("duplicate rule id `{name}` (first defined at {}:{})", earlier.file, earlier.line),
            ));
        }
        let locate = |span: std::ops::Range<usize>| crate::decode::position(file.text.as_bytes(), span.start);
        let (line, _) = locate(id.span());
        let examples = doc
            .examples
            .iter()
            .map(|example| {
                let (line, col) = locate(example.text.span());
                ExampleDoc {
                    text: example.text.get_ref().clone(),
                    line,
                    col,
                    expect: example.expect.clone(),
                    todo: example.todo.clone(),
                }
            })
            .collect();
        let negatives = doc
            .negatives
            .iter()
            .map(|negative| {
                let (line, col) = locate(negative.span());
                NegativeDoc { text: negative.get_ref().clone(), line, col }
            })
            .collect();
        let index = self.rules.len();
        self.rules.push(RuleDoc {
            id: name.clone(),
            family: file.family,
            file: file.path.clone(),
            line,
            description: doc.description.trim().to_string(),
            why: doc.why.trim().to_string(),
            known_problems: doc.known_problems.trim().to_string(),
            examples,
            negatives,
            traceable: true,
        });
        self.by_id.insert(name.clone(), index);
        Ok(index)
    }

    /// Marks the rule at `index` as leaving no trace on items (see [`RuleDoc::traceable`]); its
    /// negatives could never fail, so having any is an error.
    pub fn leaves_no_trace(&mut self, file: &RuleFile, index: usize) -> Result<(), RuleError> {
        let rule = &mut self.rules[index];
        rule.traceable = false;
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
    fn kebab_case_ids() {
        assert!(is_kebab_case("share-prompt"));
        assert!(is_kebab_case("iso-4217-code"));
        assert!(!is_kebab_case("Share"));
        assert!(!is_kebab_case("share--prompt"));
        assert!(!is_kebab_case("share_prompt"));
        assert!(!is_kebab_case(""));
    }
}
