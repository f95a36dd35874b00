//! Throughput of entity extraction with every list of `rules/entities/` loaded: the gazetteer
//! pass alone (one Aho-Corasick scan) and the whole entity stage (lists, patterns, capitalised
//! names, aliases). The text is the sample corpus repeated to about 2 MB.

use std::hint::black_box;

use assay::extract::entities::EntityExtractor;
use assay::rules::{Catalogue, RuleSource};
use assay::span::Span;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const SAMPLES: [&str; 6] = [
    include_str!("../corpus/analyst-note.txt"),
    include_str!("../corpus/earnings-news.txt"),
    include_str!("../corpus/newsletter-cards.txt"),
    include_str!("../corpus/no-money.txt"),
    include_str!("../corpus/press-release.txt"),
    include_str!("../corpus/wire-story.txt"),
];

const TARGET_BYTES: usize = 2 << 20;

fn sample_text() -> String {
    let mut text = String::with_capacity(TARGET_BYTES + 16 * 1024);
    while text.len() < TARGET_BYTES {
        for sample in SAMPLES {
            text.push_str(sample);
            text.push_str("\n\n");
        }
    }
    text
}

/// Paragraphs, as the pipeline hands kept blocks to the extractor.
fn paragraphs(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut start = 0;
    for (at, _) in text.match_indices("\n\n") {
        if at > start {
            spans.push(Span::new(start, at));
        }
        start = at + 2;
    }
    spans
}

fn entities(c: &mut Criterion) {
    let extractor = EntityExtractor::compile(&RuleSource::embedded(), &mut Catalogue::default())
        .expect("the embedded entity rules compile");
    let text = sample_text();
    let blocks = paragraphs(&text);
    let mut group = c.benchmark_group("entities");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(20);
    group.bench_function("gazetteer", |b| {
        b.iter(|| blocks.iter().map(|&block| extractor.count_listed_names(black_box(&text), block)).sum::<usize>())
    });
    group.bench_function("extract", |b| b.iter(|| extractor.extract(black_box(&text), &blocks).len()));
    group.finish();
}

criterion_group!(benches, entities);
criterion_main!(benches);
