//! Sentence boundaries: UAX #29 proposes, the abbreviation rules in `rules/segment/` veto.

use foldhash::HashMap;

use crate::rules::{self, Catalogue, Family, RuleError, RuleSource, rule_table};
use crate::span::Span;

use super::breaks::sentence_breaks;

rule_table! {
    /// A `[[rule]]` in `rules/segment/`: tokens after which a proposed sentence break is vetoed.
    pub struct SegmentRule {
        /// Tokens (with their full stop) that do not end a sentence, e.g. `"Mr."`, `"U.S."`.
        #[serde(default)]
        pub abbreviations: Vec<String>,
        /// Veto a break after a single capital letter and full stop (`J.`) before a capitalised word.
        #[serde(default)]
        pub initials: bool,
        /// `never` (the default): the token never ends a sentence. `before-opener`: it ends one
        /// only when the next word is a sentence opener (see `sentence_openers`), as in "in the
        /// U.S. The".
        #[serde(default)]
        pub ends_sentence: Ending,
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ending {
    #[default]
    Never,
    BeforeOpener,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SegmentFile {
    #[serde(default)]
    rule: Vec<SegmentRule>,
    /// Words that typically open a sentence ("The", "It", "But"): after an abbreviation that can
    /// end a sentence, one of these means it did.
    #[serde(default)]
    sentence_openers: Vec<String>,
}

/// Splits blocks of text into sentences.
#[derive(Debug, Default)]
pub struct Segmenter {
    abbreviations: HashMap<String, Ending>,
    /// Per length in bytes: the first bytes of the abbreviations of that length, one bit each.
    /// Most tokens before a break ("said.") have no abbreviation of their length and first
    /// byte: those are told apart without hashing them.
    abbreviation_starts: Vec<[u64; 4]>,
    initials: bool,
    openers: Vec<String>,
}

impl Segmenter {
    pub fn compile(source: &RuleSource, catalogue: &mut Catalogue) -> Result<Segmenter, RuleError> {
        let mut segmenter = Segmenter::default();
        for file in source.files(Family::Segment) {
            let parsed: SegmentFile = rules::parse(file)?;
            for rule in &parsed.rule {
                let index = rule.register(file, catalogue)?;
                catalogue.leaves_no_trace(file, index)?;
                for abbreviation in &rule.abbreviations {
                    segmenter.add_abbreviation(abbreviation, rule.ends_sentence);
                }
                segmenter.initials |= rule.initials;
            }
            segmenter.openers.extend(parsed.sentence_openers);
        }
        Ok(segmenter)
    }

    fn add_abbreviation(&mut self, abbreviation: &str, ending: Ending) {
        self.abbreviations.insert(abbreviation.to_string(), ending);
        let Some(&first) = abbreviation.as_bytes().first() else {
            return;
        };
        if self.abbreviation_starts.len() <= abbreviation.len() {
            self.abbreviation_starts.resize(abbreviation.len() + 1, [0; 4]);
        }
        self.abbreviation_starts[abbreviation.len()][usize::from(first >> 6)] |= 1 << (first & 63);
    }

    /// How `token` ends a sentence when it is an abbreviation; `None` when it is none.
    fn abbreviation(&self, token: &str) -> Option<Ending> {
        let &first = token.as_bytes().first()?;
        let starts = self.abbreviation_starts.get(token.len())?;
        if starts[usize::from(first >> 6)] & 1 << (first & 63) == 0 {
            return None;
        }
        self.abbreviations.get(token).copied()
    }

    /// Appends the sentences of `block` (a span of `text`) to `out`, trimmed, in order.
    pub fn sentences(&self, text: &str, block: Span, out: &mut Vec<Span>) {
        let slice = block.of(text);
        if slice.is_empty() {
            return;
        }
        // Each proposed break is judged as it is found: no list of breaks per block.
        let mut open = Span::new(block.start, block.start);
        let mut cut = |offset: usize| {
            let offset = block.start + offset;
            if !open.is_empty() {
                // Trimmed once, for the judgement and for the list.
                let sentence = open.trim(text);
                let content_end = if sentence.is_empty() { open.start } else { sentence.end };
                let (before, space) = (Span::new(open.start, content_end), Span::new(content_end, open.end));
                if !self.vetoes_break(before.of(text), space.of(text), Span::new(open.end, offset).of(text)) {
                    if !sentence.is_empty() {
                        out.push(sentence);
                    }
                    open.start = open.end;
                }
            }
            open.end = offset;
        };
        sentence_breaks(slice, &mut cut);
        cut(slice.len());
        push_trimmed(text, open, out);
    }

    /// Whether the break UAX #29 proposes between `before`, followed by the white space `space`,
    /// and `after` should not be one.
    fn vetoes_break(&self, before: &str, space: &str, after: &str) -> bool {
        if space.contains(['\n', '\r']) {
            // Inside a block every line end is a hard wrap (see `segment::blocks`).
            return true;
        }
        let last_token = &before[last_token_start(before)..];
        let last_token = last_token.trim_start_matches(['(', '"', '\u{201c}', '\'']);
        // The next word is read only for the few tokens that ask about it.
        let next_word = || after.split_whitespace().next().unwrap_or("");
        match self.abbreviation(last_token) {
            Some(Ending::Never) => return true,
            Some(Ending::BeforeOpener) => {
                let next = next_word().trim_end_matches(|c: char| !c.is_alphanumeric());
                return !self.openers.iter().any(|opener| opener == next);
            }
            None => {}
        }
        self.initials && is_initial(last_token) && next_word().chars().next().is_some_and(char::is_uppercase)
    }
}

/// Where the last token of `text` (after its last white space) starts. Read as bytes back to
/// the white space; a character beyond ASCII on the way is decoded on its own.
fn last_token_start(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut at = bytes.len();
    while at > 0 {
        match bytes[at - 1] {
            byte if crate::chars::is_ascii_space(byte) => return at,
            0x80.. => {
                let c = text[..at].chars().next_back().expect("a character ends here");
                if c.is_whitespace() {
                    return at;
                }
                at -= c.len_utf8();
            }
            _ => at -= 1,
        }
    }
    0
}

/// `J.` — one capital letter and a full stop.
fn is_initial(token: &str) -> bool {
    let mut chars = token.chars();
    matches!((chars.next(), chars.next(), chars.next()), (Some(c), Some('.'), None) if c.is_uppercase())
}

fn push_trimmed(text: &str, span: Span, out: &mut Vec<Span>) {
    let trimmed = span.trim(text);
    if !trimmed.is_empty() {
        out.push(trimmed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<String> {
        let segmenter = Segmenter::compile(&RuleSource::embedded(), &mut Catalogue::default()).unwrap();
        let mut out = Vec::new();
        segmenter.sentences(text, Span::new(0, text.len()), &mut out);
        out.iter().map(|s| s.of(text).to_string()).collect()
    }

    #[test]
    fn abbreviations_and_numbers_do_not_split() {
        assert_eq!(
            split("Acme Inc. raised $1.25B. Mr. J. Smith of the U.S. Treasury said 3.5 was fine. It was."),
            ["Acme Inc. raised $1.25B.", "Mr. J. Smith of the U.S. Treasury said 3.5 was fine.", "It was."]
        );
    }

    #[test]
    fn an_abbreviation_before_an_opener_ends_the_sentence() {
        assert_eq!(
            split("They moved to the U.S. The move paid off."),
            ["They moved to the U.S.", "The move paid off."]
        );
    }

    proptest::proptest! {
        /// A token is an abbreviation exactly when the map of abbreviations has it: the test of
        /// its length and first byte turns away none.
        #[test]
        fn abbreviations_are_told_as_the_map_tells(
            token in "[A-Za-z.]{0,8}|(Mr|Mrs|Ms|Dr|U\\.S|U\\.K|e\\.g|Inc|Co|No|St|v|vs)\\.?",
        ) {
            let segmenter = Segmenter::compile(&RuleSource::embedded(), &mut Catalogue::default()).unwrap();
            proptest::prop_assert_eq!(segmenter.abbreviation(&token), segmenter.abbreviations.get(&token).copied());
        }

        /// The last token read back as bytes is the one `rsplit` on white space gives.
        #[test]
        fn the_last_token_is_what_follows_the_last_white_space(text in "[a. \t\n\u{b}\u{c}\u{1c}\u{85}\u{a0}\u{e9}\u{2003}\u{3000}]{0,12}") {
            let token = text.rsplit(char::is_whitespace).next().unwrap_or(&text);
            proptest::prop_assert_eq!(&text[last_token_start(&text)..], token);
        }
    }

    #[test]
    fn questions_and_exclamations_split() {
        assert_eq!(split("Is it real? Yes! It is."), ["Is it real?", "Yes!", "It is."]);
    }
}
