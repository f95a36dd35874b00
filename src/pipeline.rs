//! The pipeline: one document's text in, its findings out.
//!
//! ```text
//! lines ─► boilerplate ─► blocks of kept lines ─► money ─► entities ─► claims
//! ```
//!
//! Every stage is compiled once from a [`RuleSource`] when the pipeline is built; `analyse` only
//! reads, so one pipeline serves every thread.

use crate::clean::{BoilerplateClassifier, Removal, RepeatCounter, RepeatedLines};
use crate::extract::claims::ClaimExtractor;
use crate::extract::entities::EntityExtractor;
use crate::extract::money::MoneyExtractor;
use serde_json::{Map, Value};

use crate::decode::Decoded;
use crate::record::{BoilerplateItem, Findings, Record, Source};
use crate::rules::{Catalogue, FilesEvidence, RuleError, RuleSource};
use crate::segment::{self, Segmenter};
use crate::span::Span;

/// Settings that change what the rules mean.
#[derive(Debug, Clone)]
pub struct Options {
    /// The ISO 4217 code a bare `$` (and "dollars") stands for.
    pub dollar: String,
}

impl Default for Options {
    fn default() -> Options {
        Options { dollar: "USD".into() }
    }
}

/// Titles longer than this are prose, not titles.
const MAX_TITLE_CHARS: usize = 250;

/// Every stage, compiled.
#[derive(Debug)]
pub struct Pipeline {
    catalogue: Catalogue,
    segmenter: Segmenter,
    boilerplate: BoilerplateClassifier,
    money: MoneyExtractor,
    entities: EntityExtractor,
    claims: ClaimExtractor,
    /// Lines that repeat across the corpus, once the corpus pass has counted them (`--repeats`).
    repeated: std::sync::OnceLock<RepeatedLines>,
}

/// The line structure of a document after boilerplate removal.
#[derive(Debug)]
struct Layout {
    lines: Vec<Span>,
    removed: Vec<Removal>,
    /// `kept[i]`: line `i` survived boilerplate removal.
    kept: Vec<bool>,
    /// Kept lines grouped into blocks (see [`segment::blocks`]).
    blocks: Vec<Span>,
}

impl Pipeline {
    /// Compiles every stage. The stages do not depend on each other, so they compile side by
    /// side on the current rayon pool (one at a time on a pool of one thread), each registering
    /// its rules in a catalogue of its own; the catalogues are then joined in pipeline order, so
    /// that rules are listed, and a rule error is reported, as if the stages compiled in turn.
    pub fn new(source: &RuleSource, options: &Options) -> Result<Pipeline, RuleError> {
        fn stage<T>(compile: impl FnOnce(&mut Catalogue) -> Result<T, RuleError>) -> (Result<T, RuleError>, Catalogue) {
            let mut catalogue = Catalogue::default();
            (compile(&mut catalogue), catalogue)
        }
        // The two slowest stages start first, one on each thread; the rest fill in behind them,
        // the rule files' own evidence last (it only needs reading, and is added at the end).
        let ((entities, ((segmenter, boilerplate), files)), (money, claims)) = rayon::join(
            || {
                rayon::join(
                    || stage(|catalogue| EntityExtractor::compile(source, catalogue)),
                    || {
                        rayon::join(
                            || {
                                let segmenter = stage(|catalogue| Segmenter::compile(source, catalogue));
                                (segmenter, stage(|catalogue| BoilerplateClassifier::compile(source, catalogue)))
                            },
                            || FilesEvidence::read(source),
                        )
                    },
                )
            },
            || {
                rayon::join(
                    || stage(|catalogue| MoneyExtractor::compile(source, catalogue, &options.dollar)),
                    || stage(|catalogue| ClaimExtractor::compile(source, catalogue)),
                )
            },
        );
        fn joined<T>(
            catalogue: &mut Catalogue,
            (compiled, stage): (Result<T, RuleError>, Catalogue),
        ) -> Result<T, RuleError> {
            let compiled = compiled?;
            catalogue.append(stage)?;
            Ok(compiled)
        }
        let mut catalogue = Catalogue::default();
        let segmenter = joined(&mut catalogue, segmenter)?;
        let boilerplate = joined(&mut catalogue, boilerplate)?;
        let money = joined(&mut catalogue, money)?;
        let entities = joined(&mut catalogue, entities)?;
        let claims = joined(&mut catalogue, claims)?;
        catalogue.add_files(files)?;
        Ok(Pipeline { catalogue, segmenter, boilerplate, money, entities, claims, repeated: Default::default() })
    }

    /// Every rule of the rule set, with its documentation and examples.
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// From now on, removes the lines that `counter` found repeated across the corpus. Called
    /// once, before the documents are analysed; a second call changes nothing.
    pub fn learn_repeated_lines(&self, counter: &RepeatCounter) {
        self.repeated.get_or_init(|| self.repeated_lines(counter));
    }

    /// The lines that `counter` found often enough to count as the corpus's furniture.
    pub fn repeated_lines(&self, counter: &RepeatCounter) -> RepeatedLines {
        self.boilerplate.repeated_lines(counter)
    }

    /// Lines, removed lines and blocks of kept text.
    fn layout(&self, text: &str, repeated: Option<&RepeatedLines>) -> Layout {
        let lines = segment::lines(text);
        let removed = self.boilerplate.classify(text, &lines, repeated);
        let mut kept = vec![true; lines.len()];
        for removal in &removed {
            kept[removal.line] = false;
        }
        let blocks = segment::blocks(text, &lines, &kept);
        Layout { lines, removed, kept, blocks }
    }

    /// Runs every stage over one document's decoded text.
    pub fn analyse<'a>(&'a self, text: &'a str) -> Findings<'a> {
        self.analyse_in_corpus(text, self.repeated.get())
    }

    /// Runs every stage over one document's decoded text, removing the lines in `repeated` as
    /// the corpus pass would.
    pub fn analyse_in_corpus<'a>(&'a self, text: &'a str, repeated: Option<&RepeatedLines>) -> Findings<'a> {
        self.analyse_each(&[text], repeated).pop().expect("one finding per text")
    }

    /// Runs every stage over several documents, one stage over all of them before the next:
    /// each stage's automata and lazy-DFA caches then stay in the processor's caches while it
    /// reads the documents, where one document at a time through all the stages has each stage
    /// evict the tables of the one before (the stages together ran at about half the speed
    /// they have alone). The findings are those of each document analysed on its own.
    pub fn analyse_each<'a>(&'a self, texts: &[&'a str], repeated: Option<&RepeatedLines>) -> Vec<Findings<'a>> {
        let layouts: Vec<Layout> = texts.iter().map(|text| self.layout(text, repeated)).collect();
        let money: Vec<_> = texts
            .iter()
            .zip(&layouts)
            .map(|(text, layout)| {
                let mut money = Vec::new();
                for &block in &layout.blocks {
                    self.money.extract(text, block, &mut money);
                }
                money
            })
            .collect();
        let entities: Vec<_> =
            texts.iter().zip(&layouts).map(|(text, layout)| self.entities.extract(text, &layout.blocks)).collect();
        texts
            .iter()
            .zip(layouts)
            .zip(money.into_iter().zip(entities))
            .map(|((text, layout), (money, entities))| {
                let claims = self.claims.extract(text, &layout.blocks, &self.segmenter, &entities, &money);
                let boilerplate = layout
                    .removed
                    .iter()
                    .map(|removal| BoilerplateItem {
                        span: removal.span,
                        text: removal.span.of(text),
                        rule: self.boilerplate.rule_id(removal.rule),
                        kind: self.boilerplate.kind(removal.rule),
                    })
                    .collect();
                Findings { title: title(text, &layout), boilerplate, money, entities, claims }
            })
            .collect()
    }

    /// The record of one decoded document, with the fields a `--jsonl-in` line passes through.
    pub fn record<'a>(
        &'a self,
        source: Source,
        decoded: &'a Decoded<'a>,
        passthrough: Map<String, Value>,
    ) -> Record<'a> {
        Record { source, decoded, findings: self.analyse(decoded.text()), passthrough }
    }

    /// The records of several decoded documents, each with the fields it passes through, analysed
    /// together (see [`analyse_each`](Self::analyse_each)): each is the record
    /// [`record`](Self::record) gives.
    pub fn records<'a>(&'a self, documents: Vec<(Source, &'a Decoded<'a>, Map<String, Value>)>) -> Vec<Record<'a>> {
        let texts: Vec<&str> = documents.iter().map(|(_, decoded, _)| decoded.text()).collect();
        let findings = self.analyse_each(&texts, self.repeated.get());
        documents
            .into_iter()
            .zip(findings)
            .map(|((source, decoded, passthrough), findings)| Record { source, decoded, findings, passthrough })
            .collect()
    }

    /// The sentences of the kept text, in order.
    pub fn sentences(&self, text: &str) -> Vec<Span> {
        let mut sentences = Vec::new();
        for block in self.layout(text, self.repeated.get()).blocks {
            self.segmenter.sentences(text, block, &mut sentences);
        }
        sentences
    }

    /// The kept text: kept lines in their original order, joined by newlines, with runs of blank
    /// lines collapsed into one.
    pub fn kept_text(&self, text: &str) -> String {
        let layout = self.layout(text, self.repeated.get());
        let mut out = String::with_capacity(text.len());
        let mut previous_blank = true;
        for (line, kept) in layout.lines.iter().zip(&layout.kept) {
            let blank = segment::is_blank(text, *line);
            if !kept || (blank && previous_blank) {
                continue;
            }
            out.push_str(line.of(text));
            out.push('\n');
            previous_blank = blank;
        }
        while out.ends_with("\n\n") {
            out.pop();
        }
        out
    }
}

/// The first kept, non-blank line without markdown heading marks or emphasis, when short enough.
fn title<'a>(text: &'a str, layout: &Layout) -> Option<&'a str> {
    let line = layout.lines.iter().zip(&layout.kept).find(|(line, kept)| **kept && !segment::is_blank(text, **line))?.0;
    let title = line.of(text).trim().trim_start_matches('#').trim().trim_matches(['*', '_']).trim();
    (!title.is_empty() && title.chars().count() <= MAX_TITLE_CHARS).then_some(title)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pipeline() -> Pipeline {
        Pipeline::new(&RuleSource::embedded(), &Options::default()).unwrap()
    }

    #[test]
    fn extraction_ignores_boilerplate_lines() {
        let pipeline = pipeline();
        let text = "# Chip stocks slide\nNvidia fell 4% after a $2 billion charge.\nRead more: Why chip stocks lost $200 billion in a week\n";
        let findings = pipeline.analyse(text);
        assert_eq!(findings.title, Some("Chip stocks slide"));
        let amounts: Vec<_> = findings.money.iter().map(|m| m.text).collect();
        assert_eq!(amounts, ["$2 billion"]);
        assert_eq!(findings.boilerplate.len(), 1);
        assert_eq!(findings.boilerplate[0].kind, crate::record::BoilerplateKind::Related);
    }

    #[test]
    fn documents_analysed_together_get_the_records_they_get_alone() {
        let pipeline = pipeline();
        let texts = [
            "# Chip stocks slide\nNvidia fell 4% after a $2 billion charge, said Grace Okafor.\nShare this article\n",
            "",
            "Tessaro Shipping Group will pay €40 million for the port, its chief executive said on Monday.\n",
        ];
        let decoded: Vec<Decoded> = texts.iter().map(|text| Decoded::from_text(text)).collect();
        let line = |record: Record| {
            let mut line = Vec::new();
            record.write_json_line(&mut line);
            String::from_utf8(line).unwrap()
        };
        let passthrough = |index: usize| Map::from_iter([("n".to_string(), Value::from(index))]);
        let together: Vec<String> = pipeline
            .records(
                decoded
                    .iter()
                    .enumerate()
                    .map(|(index, decoded)| (Source::Id("doc".into()), decoded, passthrough(index)))
                    .collect(),
            )
            .into_iter()
            .map(line)
            .collect();
        let alone: Vec<String> = decoded
            .iter()
            .enumerate()
            .map(|(index, decoded)| line(pipeline.record(Source::Id("doc".into()), decoded, passthrough(index))))
            .collect();
        assert_eq!(together, alone);
        assert!(together[0].contains("$2 billion") && together[2].contains("€40 million"), "{together:?}");
        assert!(together[2].contains(r#""n":2"#), "{together:?}");
    }

    #[test]
    fn kept_text_drops_removed_lines_and_extra_blank_lines() {
        let pipeline = pipeline();
        let text = "Share this article\n\nFirst paragraph.\n\n\n\nSecond paragraph.\n© 2026 Example Media\n";
        assert_eq!(pipeline.kept_text(text), "First paragraph.\n\nSecond paragraph.\n");
    }
}
