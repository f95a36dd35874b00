//! Throughput of money extraction alone, over the sample corpus replicated to about 1 MB and read
//! paragraph by paragraph, as the pipeline hands it kept blocks.
//!
//! `cargo bench --bench money` reports MB/s; the rules are compiled once, outside the timing.

use std::hint::black_box;

use assay::extract::money::MoneyExtractor;
use assay::rules::{Catalogue, RuleSource};
use assay::span::Span;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Articles written for the project, with and without money in them.
const ARTICLES: [&str; 6] = [
    include_str!("../corpus/earnings-news.txt"),
    include_str!("../corpus/wire-story.txt"),
    include_str!("../corpus/press-release.txt"),
    include_str!("../corpus/analyst-note.txt"),
    include_str!("../corpus/no-money.txt"),
    include_str!("../tests/data/money_news.jsonl"),
];

fn money(c: &mut Criterion) {
    let mut text = String::new();
    while text.len() < 1 << 20 {
        for article in ARTICLES {
            text.push_str(article);
            text.push('\n');
        }
    }
    let mut paragraphs = Vec::new();
    let mut start = 0;
    for (at, _) in text.match_indices("\n\n").chain([(text.len(), "")]) {
        paragraphs.push(Span::new(start, at));
        start = (at + 2).min(text.len());
    }
    let extractor = MoneyExtractor::compile(&RuleSource::embedded(), &mut Catalogue::default(), "USD").unwrap();
    let mut group = c.benchmark_group("money");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(20);
    group.bench_function("extract", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            for &paragraph in &paragraphs {
                extractor.extract(black_box(&text), paragraph, &mut out);
            }
            out.len()
        })
    });
    group.finish();
}

criterion_group!(benches, money);
criterion_main!(benches);
