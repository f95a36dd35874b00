//! Many documents through one pipeline: read, decode, analyse and serialise each one on a
//! thread pool, and hand the results back in input order.
//!
//! Documents are taken in batches so that memory stays bounded by the batch, not the corpus:
//! a batch is processed in parallel, then its results are written in order before the next
//! batch is read.

use std::io::Read;

use rayon::prelude::*;

use crate::corpus::{Input, JsonlDocument};
use crate::decode::{DecodeError, Decoded};
use crate::pipeline::Pipeline;
use crate::record::Source;

/// Documents per thread in one batch.
const BATCH_PER_THREAD: usize = 32;

/// What processing one document produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Bytes to write: a JSON line for `extract`, the kept text for `clean`.
    pub output: Vec<u8>,
    /// Warnings and errors to print on standard error, already prefixed with the document.
    pub messages: Vec<String>,
    /// The document could not be processed (it has no output).
    pub failed: bool,
}

impl Outcome {
    /// A document that could not be processed, and why.
    pub fn failure(message: String) -> Outcome {
        Outcome { output: Vec::new(), messages: vec![message], failed: true }
    }
}

/// Runs `work` over `items` on `pool`, calling `sink` with the results in input order.
pub fn in_order<T, R, E>(
    pool: &rayon::ThreadPool,
    items: impl IntoIterator<Item = T>,
    work: impl Fn(T) -> R + Sync,
    mut sink: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E>
where
    T: Send,
    R: Send,
{
    let batch_size = BATCH_PER_THREAD * pool.current_num_threads().max(1);
    let mut items = items.into_iter().peekable();
    let mut batch = Vec::with_capacity(batch_size);
    while items.peek().is_some() {
        batch.extend(items.by_ref().take(batch_size));
        let results: Vec<R> = pool.install(|| batch.par_drain(..).map(&work).collect());
        for result in results {
            sink(result)?;
        }
    }
    Ok(())
}

/// Reads a file or standard input whole.
fn read_input(input: &Input) -> std::io::Result<Vec<u8>> {
    match input {
        Input::File { path, .. } => std::fs::read(path),
        Input::Stdin => {
            let mut bytes = Vec::new();
            std::io::stdin().lock().read_to_end(&mut bytes)?;
            Ok(bytes)
        }
    }
}

/// Reads and decodes one input, then hands its text to `finish`.
fn with_decoded(input: &Input, finish: impl FnOnce(&Decoded, &mut Outcome)) -> Outcome {
    let name = input.display();
    let bytes = match read_input(input) {
        Ok(bytes) => bytes,
        Err(error) => return Outcome::failure(format!("{name}: {error}")),
    };
    let decoded = match Decoded::new(&bytes) {
        Ok(decoded) => decoded,
        Err(error @ DecodeError::Binary { line, .. }) => {
            return Outcome::failure(format!("{name}:{line}: skipped: {error}"));
        }
    };
    let mut outcome = Outcome::default();
    if let Some(transcoding) = decoded.transcoding() {
        let (line, byte, encoding) = (transcoding.line, transcoding.byte, decoded.encoding_name());
        outcome.messages.push(if encoding == "utf-8" {
            format!("{name}:{line}: not valid UTF-8 (byte 0x{byte:02X}); read as utf-8, invalid bytes replaced")
        } else {
            format!("{name}:{line}: not valid UTF-8 (byte 0x{byte:02X}); read as {encoding}")
        });
    }
    finish(&decoded, &mut outcome);
    outcome
}

/// The keys of the distinct lines of one input, for the corpus pass (`--repeats`); an input that
/// cannot be read has none (the second pass reports it).
pub fn line_keys(input: &Input) -> Vec<u64> {
    let mut keys = Vec::new();
    with_decoded(input, |decoded, _| keys = crate::clean::distinct_line_keys(decoded.text()));
    keys
}

/// `assay extract` on one file or standard input: its record as one JSON line.
pub fn extract_input(pipeline: &Pipeline, input: &Input) -> Outcome {
    with_decoded(input, |decoded, outcome| {
        let record = pipeline.record(Source::Path(input.display().to_string()), decoded, Default::default());
        record.write_json_line(&mut outcome.output);
    })
}

/// `assay extract --jsonl-in` on one line's document.
pub fn extract_jsonl(pipeline: &Pipeline, document: JsonlDocument) -> Outcome {
    let decoded = Decoded::from_text(&document.text);
    let record = pipeline.record(Source::Id(document.id), &decoded, document.passthrough);
    let mut outcome = Outcome::default();
    record.write_json_line(&mut outcome.output);
    outcome
}

/// `assay clean` on one file or standard input: its kept text.
pub fn clean_input(pipeline: &Pipeline, input: &Input) -> Outcome {
    with_decoded(input, |decoded, outcome| {
        outcome.output = pipeline.kept_text(decoded.text()).into_bytes();
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_input_order_whatever_the_threads() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
        let mut seen = Vec::new();
        in_order(
            &pool,
            0..1000u64,
            |n| {
                std::thread::sleep(std::time::Duration::from_micros((1000 - n) % 7));
                n * 2
            },
            |r| {
                seen.push(r);
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert_eq!(seen, (0..1000u64).map(|n| n * 2).collect::<Vec<_>>());
    }
}
