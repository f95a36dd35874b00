//! Many documents through one pipeline: read, decode, analyse and serialise each one on a
//! thread pool, and hand the results back in input order.
//!
//! Documents are taken from their source only as earlier results are written, so memory stays
//! bounded by a window of documents per thread, not by the corpus; one document is never read
//! past its [`Limit`].

use std::collections::VecDeque;
use std::io::Read;

use serde_json::{Map, Value};

use crate::corpus::{Input, JsonlDocument, Limit};
use crate::decode::{DecodeError, Decoded};
use crate::pipeline::Pipeline;
use crate::record::Source;

/// Documents in flight per thread: read, being analysed, or done and waiting for an earlier one
/// to be written. Enough to keep every thread busy behind a slow document; few enough that
/// memory does not depend on the corpus.
const WINDOW_PER_THREAD: usize = 32;

/// Bytes in flight per thread, counted as [`Weigh`] counts them: big documents (a `--jsonl-in`
/// line, or the records of big files waiting behind a slow one) fill the window long before
/// the count of documents does. One document is always let through, however big.
const BYTES_PER_THREAD: usize = 16 << 20;

/// About how many bytes a document or its result holds while it is in flight.
pub trait Weigh {
    fn weigh(&self) -> usize;
}

impl Weigh for Outcome {
    fn weigh(&self) -> usize {
        self.output.capacity() + self.messages.iter().map(String::len).sum::<usize>()
    }
}

impl<T: Weigh, E> Weigh for Result<T, E> {
    fn weigh(&self) -> usize {
        self.as_ref().map_or(0, T::weigh)
    }
}

impl<T: Weigh> Weigh for Option<T> {
    fn weigh(&self) -> usize {
        self.as_ref().map_or(0, T::weigh)
    }
}

impl<A: Weigh, B: Weigh> Weigh for (A, B) {
    fn weigh(&self) -> usize {
        self.0.weigh() + self.1.weigh()
    }
}

/// A file to read holds only its name until a worker reads it.
impl Weigh for Input {
    fn weigh(&self) -> usize {
        0
    }
}

impl Weigh for JsonlDocument {
    fn weigh(&self) -> usize {
        self.text.len()
    }
}

impl Weigh for Vec<u64> {
    fn weigh(&self) -> usize {
        self.len() * size_of::<u64>()
    }
}

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

/// Documents handed to a worker at a time. Each hand-off costs a wake-up on each side (the worker
/// when it is given work, the writing thread when a result comes back), which on pages of a few
/// kilobytes was a tenth of the time spent outside the stages; a few documents per hand-off make
/// that negligible while a window still holds several chunks per thread to balance the load.
const CHUNK_ITEMS: usize = 8;

/// A chunk is closed early once it weighs this much, so that big documents (a `--jsonl-in` line)
/// still travel one at a time and the byte window keeps its meaning.
const CHUNK_BYTES: usize = 256 << 10;

/// Runs `work` over `items` on `pool`, calling `sink` with the results in input order.
///
/// Items are taken from the iterator only as results are written, so at most a window of them
/// is in memory, bounded both in count and in bytes; the calling thread feeds the pool and
/// writes while the workers analyse, and no worker waits for the others between documents.
/// Items travel in chunks of consecutive ones (see `CHUNK_ITEMS`). A panic in `work` is raised
/// again here.
pub fn in_order<T, R, E>(
    pool: &rayon::ThreadPool,
    items: impl IntoIterator<Item = T>,
    work: impl Fn(T) -> R + Sync,
    sink: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E>
where
    T: Send + Weigh,
    R: Send + Weigh,
{
    in_order_by_chunk(pool, items, |chunk| chunk.into_iter().map(&work).collect(), sink)
}

/// [`in_order`], with `work` given each chunk of items whole: it returns one result per item,
/// in the items' order.
pub fn in_order_by_chunk<T, R, E>(
    pool: &rayon::ThreadPool,
    items: impl IntoIterator<Item = T>,
    work: impl Fn(Vec<T>) -> Vec<R> + Sync,
    mut sink: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E>
where
    T: Send + Weigh,
    R: Send + Weigh,
{
    let threads = pool.current_num_threads().max(1);
    let (window, byte_window) = (WINDOW_PER_THREAD * threads, BYTES_PER_THREAD * threads);
    let work = &work;
    let (sender, receiver) = std::sync::mpsc::channel();
    pool.in_place_scope(|scope| {
        // Fused: it is asked again after it has run out, while the last results come back.
        let mut items = items.into_iter().fuse();
        // Chunks `written..issued`, in order: the weight of the chunk's items while they are
        // worked on, then the chunk's results and their weight.
        let mut pending: VecDeque<(usize, Option<Vec<R>>)> = VecDeque::with_capacity(window);
        let (mut written, mut issued) = (0usize, 0usize);
        // Items taken but not yet written, and what they (or their results) weigh.
        let (mut in_flight, mut bytes) = (0usize, 0usize);
        let mut outcome = Ok(());
        let mut chunk = Vec::with_capacity(CHUNK_ITEMS);
        let mut chunk_weight = 0;
        loop {
            loop {
                let room = outcome.is_ok() && in_flight < window && (in_flight == 0 || bytes < byte_window);
                let item = if room { items.next() } else { None };
                if let Some(item) = &item {
                    let weight = item.weigh();
                    (in_flight, bytes, chunk_weight) = (in_flight + 1, bytes + weight, chunk_weight + weight);
                }
                let last = item.is_none();
                chunk.extend(item);
                if !chunk.is_empty() && (last || chunk.len() == CHUNK_ITEMS || chunk_weight >= CHUNK_BYTES) {
                    let (sender, index) = (sender.clone(), issued);
                    let taken = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK_ITEMS));
                    scope.spawn(move |_| {
                        let items = taken.len();
                        let results = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            let results = work(taken);
                            assert_eq!(results.len(), items, "one result per item of a chunk");
                            results
                        }));
                        // The receiver lives until every issued chunk has come back.
                        let _ = sender.send((index, results));
                    });
                    pending.push_back((std::mem::take(&mut chunk_weight), None));
                    issued += 1;
                }
                if last {
                    break;
                }
            }
            if written == issued {
                return outcome;
            }
            let (index, results) = receiver.recv().expect("the sender is held here");
            match results {
                Ok(results) => {
                    let (slot, weight) = (&mut pending[index - written], results.iter().map(R::weigh).sum::<usize>());
                    bytes = bytes - slot.0 + weight;
                    *slot = (weight, Some(results));
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
            while pending.front().is_some_and(|(_, results)| results.is_some()) {
                let (weight, results) = pending.pop_front().expect("checked to be there");
                let results = results.expect("checked to be done");
                (bytes, in_flight, written) = (bytes - weight, in_flight - results.len(), written + 1);
                for result in results {
                    if outcome.is_ok() {
                        outcome = sink(result);
                    }
                }
            }
        }
    })
}

/// Why an input was not read.
enum ReadError {
    Io(std::io::Error),
    /// Bigger than the limit: at least this many bytes.
    TooBig(u64),
}

/// Reads a file or standard input whole, but never more than `limit` bytes of it.
fn read_input(input: &Input, limit: Limit) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    let read = match input {
        Input::File { path, .. } => {
            let file = std::fs::File::open(path).map_err(ReadError::Io)?;
            let size = file.metadata().map_err(ReadError::Io)?.len();
            if size > limit.0 {
                return Err(ReadError::TooBig(size));
            }
            bytes.reserve_exact(size as usize);
            file.take(limit.0.saturating_add(1)).read_to_end(&mut bytes)
        }
        Input::Stdin => {
            let mut stdin = std::io::stdin().lock();
            let read = (&mut stdin).take(limit.0.saturating_add(1)).read_to_end(&mut bytes).map_err(ReadError::Io)?;
            if read as u64 > limit.0 {
                // Counted, not kept, so that the message can say how big it was.
                let rest = std::io::copy(&mut stdin, &mut std::io::sink()).map_err(ReadError::Io)?;
                return Err(ReadError::TooBig(read as u64 + rest));
            }
            return Ok(bytes);
        }
    };
    read.map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit.0 {
        return Err(ReadError::TooBig(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Reads and decodes one input, then hands its text to `finish`.
fn with_decoded(input: &Input, limit: Limit, finish: impl FnOnce(&Decoded, &mut Outcome)) -> Outcome {
    let bytes = match read(input, limit) {
        Ok(bytes) => bytes,
        Err(failure) => return failure,
    };
    match decode(input, &bytes) {
        Ok((decoded, mut outcome)) => {
            finish(&decoded, &mut outcome);
            outcome
        }
        Err(failure) => failure,
    }
}

/// The bytes of one input, or the failure to report.
fn read(input: &Input, limit: Limit) -> Result<Vec<u8>, Outcome> {
    read_input(input, limit).map_err(|error| {
        let name = input.display();
        match error {
            ReadError::Io(error) => Outcome::failure(format!("{name}: {error}")),
            ReadError::TooBig(size) => Outcome::failure(format!("{name}: {}", limit.refusal(size))),
        }
    })
}

/// The decoded text of one input's `bytes`, with the outcome that carries its warnings so far,
/// or the failure to report.
fn decode<'b>(input: &Input, bytes: &'b [u8]) -> Result<(Decoded<'b>, Outcome), Outcome> {
    let name = input.display();
    let decoded = match Decoded::new(bytes) {
        Ok(decoded) => decoded,
        Err(error @ DecodeError::Binary { line, .. }) => {
            return Err(Outcome::failure(format!("{name}:{line}: skipped: {error}")));
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
    Ok((decoded, outcome))
}

/// The keys of the distinct lines of one input, for the corpus pass (`--repeats`); an input that
/// cannot be read has none (the second pass reports it).
pub fn line_keys(input: &Input, limit: Limit) -> Vec<u64> {
    let mut keys = Vec::new();
    with_decoded(input, limit, |decoded, _| keys = crate::clean::distinct_line_keys(decoded.text()));
    keys
}

/// `assay extract` on several files (or standard input): for each, its record as one JSON line
/// or its failure, in order; an input given as `Err` has already failed. The documents are
/// analysed together (see [`Pipeline::records`]).
pub fn extract_inputs(pipeline: &Pipeline, inputs: Vec<Result<Input, Outcome>>, limit: Limit) -> Vec<Outcome> {
    let mut outcomes: Vec<Option<Outcome>> = Vec::with_capacity(inputs.len());
    let mut loaded = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.into_iter().enumerate() {
        match input.and_then(|input| read(&input, limit).map(|bytes| (input, bytes))) {
            Ok((input, bytes)) => {
                outcomes.push(None);
                loaded.push((index, input, bytes));
            }
            Err(failure) => outcomes.push(Some(failure)),
        }
    }
    // The decoded texts borrow the bytes read, and the records the decoded texts.
    let mut documents = Vec::with_capacity(loaded.len());
    for (index, input, bytes) in &loaded {
        match decode(input, bytes) {
            Ok((decoded, outcome)) => {
                outcomes[*index] = Some(outcome);
                documents.push((*index, input, decoded));
            }
            Err(failure) => outcomes[*index] = Some(failure),
        }
    }
    let documents = documents
        .iter()
        .map(|(index, input, decoded)| (*index, Source::Path(input.display().to_string()), decoded, Map::new()))
        .collect();
    write_records(pipeline, outcomes, documents)
}

/// `assay extract --jsonl-in` on several lines' documents: for each, its record as one JSON line
/// or its failure, in order; a line given as `Err` has already failed. The documents are
/// analysed together, as [`extract_inputs`] analyses files.
pub fn extract_jsonl(pipeline: &Pipeline, documents: Vec<Result<JsonlDocument, Outcome>>) -> Vec<Outcome> {
    let mut outcomes: Vec<Option<Outcome>> = Vec::with_capacity(documents.len());
    // The decoded texts borrow the texts, and the records the decoded texts.
    let (mut texts, mut sources) = (Vec::new(), Vec::new());
    for (index, document) in documents.into_iter().enumerate() {
        match document {
            Ok(document) => {
                outcomes.push(Some(Outcome::default()));
                texts.push(document.text);
                sources.push((index, Source::Id(document.id), document.passthrough));
            }
            Err(failure) => outcomes.push(Some(failure)),
        }
    }
    let decoded: Vec<Decoded> = texts.iter().map(|text| Decoded::from_text(text)).collect();
    let documents = sources
        .into_iter()
        .zip(&decoded)
        .map(|((index, source, passthrough), decoded)| (index, source, decoded, passthrough))
        .collect();
    write_records(pipeline, outcomes, documents)
}

/// Analyses `documents` together (see [`Pipeline::records`]) and appends each one's record, as
/// a JSON line, to its outcome: the one at its index in `outcomes`, which holds one for every
/// document. The outcomes, in order.
fn write_records<'a>(
    pipeline: &Pipeline,
    mut outcomes: Vec<Option<Outcome>>,
    documents: Vec<(usize, Source, &'a Decoded<'a>, Map<String, Value>)>,
) -> Vec<Outcome> {
    let (indices, documents): (Vec<usize>, Vec<_>) = documents
        .into_iter()
        .map(|(index, source, decoded, passthrough)| (index, (source, decoded, passthrough)))
        .unzip();
    for (index, record) in indices.into_iter().zip(pipeline.records(documents)) {
        let outcome = outcomes[index].as_mut().expect("every document has its outcome");
        record.write_json_line(&mut outcome.output);
    }
    outcomes.into_iter().map(|outcome| outcome.expect("every input has its outcome")).collect()
}

/// `assay clean` on one file or standard input: its kept text.
pub fn clean_input(pipeline: &Pipeline, input: &Input, limit: Limit) -> Outcome {
    with_decoded(input, limit, |decoded, outcome| {
        outcome.output = pipeline.kept_text(decoded.text()).into_bytes();
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Test items weigh what they say.
    impl Weigh for u64 {
        fn weigh(&self) -> usize {
            *self as usize
        }
    }

    impl Weigh for u32 {
        fn weigh(&self) -> usize {
            0
        }
    }

    impl Weigh for () {
        fn weigh(&self) -> usize {
            0
        }
    }

    #[test]
    fn big_items_are_let_through_one_at_a_time_and_small_ones_fill_the_window() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let taken = std::sync::atomic::AtomicUsize::new(0);
        let big = (BYTES_PER_THREAD * 2) as u64;
        let items = [big, big, big, 1, 1, 1, 1].into_iter().inspect(|_| {
            taken.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        });
        let mut seen = Vec::new();
        in_order(
            &pool,
            items,
            |n| n,
            |n| {
                seen.push((n, taken.load(std::sync::atomic::Ordering::SeqCst)));
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        // Each big item is alone in flight: the next one is taken only once it is written.
        let taken_when_written: Vec<_> = seen.iter().map(|&(_, taken)| taken).collect();
        assert_eq!(&taken_when_written[..3], [1, 2, 3]);
        assert_eq!(seen.iter().map(|&(n, _)| n).collect::<Vec<_>>(), [big, big, big, 1, 1, 1, 1]);
        assert_eq!(taken.into_inner(), 7);
    }

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

    #[test]
    fn a_failing_sink_stops_the_run_and_no_more_items_are_taken() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let taken = std::sync::atomic::AtomicUsize::new(0);
        let items = (0..100_000u64).inspect(|_| {
            taken.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        let mut written = 0;
        let result = in_order(
            &pool,
            items,
            |n| n,
            |n| {
                if n == 10 {
                    return Err(n);
                }
                written += 1;
                Ok(())
            },
        );
        assert_eq!((result, written), (Err(10), 10));
        assert!(taken.into_inner() <= 10 + 1 + WINDOW_PER_THREAD * 2);
    }

    #[test]
    fn a_panic_in_the_work_reaches_the_caller() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            in_order(&pool, 0..10u32, |n| assert_ne!(n, 5, "bad item"), |()| Ok::<(), ()>(()))
        }));
        assert!(caught.is_err());
    }
}
