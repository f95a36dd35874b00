//! One benchmark per pipeline stage, on the sample corpus (`corpus/`, written for this project)
//! read as one document per file, plus the whole pipeline. Each stage gets exactly the input
//! the pipeline would give it, prepared outside the timed loop. Throughput is in input bytes.
//!
//! `cargo bench --bench stages` (add `-- stage/<name>` for one stage; `stage/gazetteer` is the
//! entity lists' scan alone).

use std::hint::black_box;
use std::time::Duration;

use assay::clean::BoilerplateClassifier;
use assay::decode::Decoded;
use assay::extract::claims::ClaimExtractor;
use assay::extract::entities::EntityExtractor;
use assay::extract::money::MoneyExtractor;
use assay::pipeline::{Options, Pipeline};
use assay::record::{Record, Source};
use assay::rules::{Catalogue, RuleSource};
use assay::segment::{self, Segmenter};
use assay::span::Span;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// The sample articles as read from disk, in sorted order.
fn articles() -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("corpus/").map(|e| e.expect("entry").path()).collect();
    files.sort();
    files.into_iter().map(|path| (path.display().to_string(), std::fs::read(&path).expect("article"))).collect()
}

/// What the stages after boilerplate removal read: the text and its blocks of kept lines.
struct Prepared {
    text: String,
    lines: Vec<Span>,
    blocks: Vec<Span>,
}

fn stages(c: &mut Criterion) {
    let source = RuleSource::embedded();
    let mut catalogue = Catalogue::default();
    let segmenter = Segmenter::compile(&source, &mut catalogue).unwrap();
    let boilerplate = BoilerplateClassifier::compile(&source, &mut catalogue).unwrap();
    let money = MoneyExtractor::compile(&source, &mut catalogue, "USD").unwrap();
    let entities = EntityExtractor::compile(&source, &mut catalogue).unwrap();
    let claims = ClaimExtractor::compile(&source, &mut catalogue).unwrap();
    let pipeline = Pipeline::new(&source, &Options::default()).unwrap();

    let articles = articles();
    let bytes: u64 = articles.iter().map(|(_, a)| a.len() as u64).sum();
    let prepared: Vec<Prepared> = articles
        .iter()
        .map(|(_, raw)| {
            let text = Decoded::new(raw).unwrap().text().to_string();
            let lines = segment::lines(&text);
            let mut kept = vec![true; lines.len()];
            for removal in boilerplate.classify(&text, &lines, None) {
                kept[removal.line] = false;
            }
            let blocks = segment::blocks(&text, &lines, &kept);
            Prepared { text, lines, blocks }
        })
        .collect();

    let mut group = c.benchmark_group("stage");
    group.throughput(Throughput::Bytes(bytes));
    group.warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2)).sample_size(20);
    group.bench_function("decode", |b| {
        b.iter(|| articles.iter().map(|(_, raw)| Decoded::new(black_box(raw)).unwrap().text().len()).sum::<usize>())
    });
    group.bench_function("segment", |b| {
        let mut sentences = Vec::new();
        b.iter(|| {
            sentences.clear();
            for doc in &prepared {
                let lines = segment::lines(black_box(&doc.text));
                let kept = vec![true; lines.len()];
                for block in segment::blocks(&doc.text, &lines, &kept) {
                    segmenter.sentences(&doc.text, block, &mut sentences);
                }
            }
            sentences.len()
        })
    });
    group.bench_function("boilerplate", |b| {
        b.iter(|| {
            prepared.iter().map(|doc| boilerplate.classify(black_box(&doc.text), &doc.lines, None).len()).sum::<usize>()
        })
    });
    group.bench_function("money", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            let mut found = 0;
            for doc in &prepared {
                out.clear();
                for &block in &doc.blocks {
                    money.extract(black_box(&doc.text), block, &mut out);
                }
                found += out.len();
            }
            found
        })
    });
    // The gazetteer alone: one Aho-Corasick scan with every list loaded, before overlaps are resolved.
    group.bench_function("gazetteer", |b| {
        b.iter(|| {
            prepared
                .iter()
                .map(|doc| {
                    doc.blocks
                        .iter()
                        .map(|&block| entities.count_listed_names(black_box(&doc.text), block))
                        .sum::<usize>()
                })
                .sum::<usize>()
        })
    });
    group.bench_function("entities", |b| {
        b.iter(|| prepared.iter().map(|doc| entities.extract(black_box(&doc.text), &doc.blocks).len()).sum::<usize>())
    });
    group.bench_function("claims", |b| {
        let found: Vec<_> = prepared
            .iter()
            .map(|doc| {
                let mut amounts = Vec::new();
                for &block in &doc.blocks {
                    money.extract(&doc.text, block, &mut amounts);
                }
                (entities.extract(&doc.text, &doc.blocks), amounts)
            })
            .collect();
        b.iter(|| {
            prepared
                .iter()
                .zip(&found)
                .map(|(doc, (names, amounts))| {
                    claims.extract(black_box(&doc.text), &doc.blocks, &segmenter, names, amounts).len()
                })
                .sum::<usize>()
        })
    });
    group.bench_function("serialise", |b| {
        let decoded: Vec<_> = articles.iter().map(|(_, raw)| Decoded::new(raw).unwrap()).collect();
        let records: Vec<Record> = articles
            .iter()
            .zip(&decoded)
            .map(|((path, _), decoded)| pipeline.record(Source::Path(path.clone()), decoded, Default::default()))
            .collect();
        let mut out = Vec::new();
        b.iter(|| {
            out.clear();
            for record in &records {
                black_box(record).write_json_line(&mut out);
            }
            out.len()
        })
    });
    group.bench_function("pipeline", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            out.clear();
            for (path, raw) in &articles {
                let decoded = Decoded::new(black_box(raw)).unwrap();
                pipeline.record(Source::Path(path.clone()), &decoded, Default::default()).write_json_line(&mut out);
            }
            out.len()
        })
    });
    group.finish();

    let mut startup = c.benchmark_group("start-up");
    startup.warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3)).sample_size(10);
    startup.bench_function("compile rules", |b| b.iter(|| Pipeline::new(&source, &Options::default()).unwrap()));
    startup.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
