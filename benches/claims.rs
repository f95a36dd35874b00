//! Throughput of the claims stage alone: units, cue rules, attribution and scores over the kept
//! blocks of the sample corpus, with the entities and money figures found beforehand.

use std::hint::black_box;

use assay::extract::claims::ClaimExtractor;
use assay::pipeline::{Options, Pipeline};
use assay::record::Findings;
use assay::rules::{Catalogue, RuleSource};
use assay::segment::{self, Segmenter};
use assay::span::Span;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn corpus() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut paths: Vec<_> = std::fs::read_dir(&dir).expect("corpus/").map(|e| e.expect("entry").path()).collect();
    paths.sort();
    // Files that are not UTF-8 are decoded by the pipeline, not here; the stage needs text.
    paths.into_iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect()
}

/// The kept blocks of a document: its lines less the ones the boilerplate stage removed.
fn kept_blocks(text: &str, findings: &Findings) -> Vec<Span> {
    let lines = segment::lines(text);
    let kept: Vec<bool> =
        lines.iter().map(|line| !findings.boilerplate.iter().any(|b| b.span.contains(*line))).collect();
    segment::blocks(text, &lines, &kept)
}

fn claims(c: &mut Criterion) {
    let source = RuleSource::embedded();
    let pipeline = Pipeline::new(&source, &Options::default()).expect("built-in rules");
    let mut catalogue = Catalogue::default();
    let segmenter = Segmenter::compile(&source, &mut catalogue).expect("segment rules");
    let extractor = ClaimExtractor::compile(&source, &mut catalogue).expect("claims rules");
    let texts = corpus();
    let inputs: Vec<_> = texts
        .iter()
        .map(|text| {
            let findings = pipeline.analyse(text);
            let blocks = kept_blocks(text, &findings);
            (text.as_str(), blocks, findings)
        })
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut group = c.benchmark_group("claims");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("corpus", |b| {
        b.iter(|| {
            for (text, blocks, findings) in &inputs {
                black_box(extractor.extract(text, blocks, &segmenter, &findings.entities, &findings.money));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, claims);
criterion_main!(benches);
