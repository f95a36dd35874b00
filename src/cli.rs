//! Command-line arguments and the commands behind them.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args as ClapArgs, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use assay::atomic::OutputFile;
use assay::batch::{self, Outcome};
use assay::check::{self, BlessResult, Paint, Report, Selection};
use assay::clean::RepeatCounter;
use assay::corpus::{self, Input, JsonlReader, Limit};
use assay::pipeline::{Options, Pipeline};
use assay::rules::{Family, RuleError, RuleSource};

#[derive(Debug, Parser)]
#[command(
    name = "assay",
    version,
    about = "Turn scraped article text into structured records: page chrome stripped, entities, money figures and claims extracted with exact byte spans."
)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, ClapArgs)]
struct Common {
    /// Read rules from DIR (laid out like the repository's rules/) instead of the built-in ones.
    #[arg(long, global = true, value_name = "DIR")]
    rules: Option<PathBuf>,
    /// ISO 4217 code that a bare `$` and "dollars" stand for.
    #[arg(long, global = true, value_name = "CODE", default_value = "USD")]
    dollar: String,
    /// Number of worker threads, 1 to 1024 (default: one per core).
    #[arg(long, short = 'j', global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    jobs: Option<u16>,
    /// No progress bar and no warnings; errors are still printed.
    #[arg(long, short = 'q', global = true)]
    quiet: bool,
    /// Largest document to read (a file, standard input or a --jsonl-in line), in bytes or with
    /// a unit: 500k, 64MB, 2GB. Bigger ones are skipped with an error. Each worker holds one
    /// document whole.
    #[arg(long, global = true, value_name = "SIZE", default_value = "64MB", value_parser = parse_size)]
    max_input_size: u64,
}

/// A byte count, optionally with a decimal unit (k, M, G, with or without `B`).
fn parse_size(text: &str) -> Result<u64, String> {
    let lower = text.trim().to_ascii_lowercase();
    let digits = lower.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let scale = match &lower[digits.len()..] {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "m" | "mb" => 1_000_000,
        "g" | "gb" => 1_000_000_000,
        unit => return Err(format!("unknown unit `{unit}` (use k, MB or GB)")),
    };
    let number: u64 = digits.trim().parse().map_err(|_| format!("`{text}` is not a size such as 64MB"))?;
    number.checked_mul(scale).filter(|&size| size > 0).ok_or_else(|| format!("`{text}` is out of range"))
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write one JSON record per document (JSON Lines) with boilerplate, money, entities and claims.
    Extract {
        /// Files, directories (walked recursively) or `-` for one document on standard input.
        paths: Vec<PathBuf>,
        /// Read documents from JSON Lines ({"id", "text", ...}) in FILE, or `-` for standard input.
        #[arg(long, value_name = "FILE")]
        jsonl_in: Option<PathBuf>,
        /// Write the records to FILE (atomically) instead of standard output.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        /// Glob for files to take from directories (repeatable; default *.txt, *.md, *.text).
        #[arg(long, value_name = "GLOB")]
        glob: Vec<String>,
        /// Also remove lines that repeat across many of the documents (a first pass counts them).
        #[arg(long)]
        repeats: bool,
    },
    /// Write each document's kept text, boilerplate removed.
    Clean {
        /// Files, directories (walked recursively) or `-` for standard input.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Write each document to DIR under its relative name (`-` or absent: standard output).
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
        /// Glob for files to take from directories (repeatable; default *.txt, *.md, *.text).
        #[arg(long, value_name = "GLOB")]
        glob: Vec<String>,
        /// Also remove lines that repeat across many of the documents (a first pass counts them).
        #[arg(long)]
        repeats: bool,
    },
    /// Check every rule against its inline examples, and the pipeline against the fixtures.
    Check {
        /// Directory of fixture articles with their `<name>.expected.json` records
        /// [default: tests/fixtures, skipped when absent].
        #[arg(long, value_name = "DIR")]
        fixtures: Option<PathBuf>,
        /// Rewrite the fixtures' expected records from the current output, say what changed, then check.
        #[arg(long)]
        bless: bool,
        /// Check only this rule: its examples and negatives, and its items in the fixtures (repeatable).
        #[arg(long, value_name = "ID")]
        rule: Vec<String>,
        /// Check only this family's rules (repeatable).
        #[arg(long, value_name = "NAME", value_parser = family_name)]
        family: Vec<Family>,
        /// `human` (coloured on a terminal unless NO_COLOR is set) or `json` (one document).
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// List every rule: id, family, number of examples and negatives, and where it is defined.
    Rules {
        /// List only this family's rules (repeatable).
        #[arg(long, value_name = "NAME", value_parser = family_name)]
        family: Vec<Family>,
    },
    /// Print one rule: what it matches, why, its known problems, its examples and negatives.
    Rule {
        /// The rule's id, as in the `rule` field of the items it produces.
        id: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Json,
}

fn family_name(name: &str) -> Result<Family, String> {
    Family::from_name(name).ok_or_else(|| {
        let names: Vec<_> = Family::ALL.iter().map(|family| family.name()).collect();
        format!("expected one of {}", names.join(", "))
    })
}

/// An error in how the command was called (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct UsageError(String);

/// Exit code 2 for usage and rule errors, 1 for everything else that stops a run.
pub fn exit_code_for(error: &anyhow::Error) -> ExitCode {
    if error.downcast_ref::<UsageError>().is_some() || error.downcast_ref::<RuleError>().is_some() {
        ExitCode::from(2)
    } else {
        ExitCode::from(1)
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let common = &args.common;
    if common.dollar.len() != 3 || !common.dollar.bytes().all(|b| b.is_ascii_uppercase()) {
        bail!(UsageError(format!(
            "--dollar {}: not an ISO 4217 code (three capital letters, e.g. CAD)",
            common.dollar
        )));
    }
    let source = match &common.rules {
        Some(dir) => RuleSource::from_dir(dir)?,
        None => RuleSource::embedded(),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(common.jobs.map_or(0, usize::from))
        .build()
        .context("starting worker threads")?;
    // Compiled on the worker threads, so that independent stages compile side by side.
    // Never dropped: freeing the compiled rules, millions of small allocations, would cost more
    // at exit than analysing a small input does. The operating system takes the memory back
    // whole when the process ends, as it does for ripgrep's.
    let options = Options { dollar: common.dollar.clone() };
    let pipeline: &'static Pipeline = Box::leak(Box::new(pool.install(|| Pipeline::new(&source, &options))?));
    crate::tune_allocator_for_documents();
    let run = Run { pipeline, pool: &pool, common };
    let result = match args.command {
        Command::Extract { paths, jsonl_in, output, glob, repeats } => {
            run.extract(&paths, jsonl_in.as_deref(), output.as_deref(), &glob, repeats)
        }
        Command::Clean { paths, out_dir, glob, repeats } => run.clean(&paths, out_dir.as_deref(), &glob, repeats),
        Command::Check { fixtures, bless, rule, family, format } => {
            let selection = Selection::of(pipeline.catalogue(), &rule, &family).map_err(UsageError)?;
            check_rules(pipeline, fixtures.as_deref(), bless, &selection, format)
        }
        Command::Rules { family } => list_rules(pipeline, &family),
        Command::Rule { id } => show_rule(pipeline, &id),
    };
    match result {
        Err(error) if is_broken_pipe(&error) => Ok(ExitCode::SUCCESS),
        other => other,
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .any(|cause| cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe))
}

/// Prints warnings and errors, keeping them clear of the progress bar.
struct Reporter {
    bar: Option<ProgressBar>,
    quiet: bool,
    failures: usize,
}

impl Reporter {
    /// A spinner with the count of documents done: inputs are found while they are processed,
    /// so their number is not known in advance.
    fn new(common: &Common) -> Reporter {
        let bar = (!common.quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {pos} documents ({per_sec})")
                    .expect("valid progress template"),
            );
            bar
        });
        Reporter { bar, quiet: common.quiet, failures: 0 }
    }

    fn report(&mut self, outcome: &Outcome) {
        self.failures += usize::from(outcome.failed);
        for message in &outcome.messages {
            self.say(outcome.failed, message);
        }
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// Errors always print; warnings only when not quiet.
    fn say(&self, is_error: bool, message: &str) {
        if self.quiet && !is_error {
            return;
        }
        let label = if is_error { "error" } else { "warning" };
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("assay: {label}: {message}")),
            None => eprintln!("assay: {label}: {message}"),
        }
    }

    fn finish(self) -> ExitCode {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
        if self.failures > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
    }
}

/// The inputs named by `paths`, found while they are processed; a path that cannot be read
/// comes as an error item, reported in its place.
fn gather_inputs<'a>(
    paths: &'a [PathBuf],
    globs: &'a globset::GlobSet,
) -> anyhow::Result<impl Iterator<Item = Result<Input, corpus::WalkProblem>> + 'a> {
    stdin_at_most_once(paths)?;
    Ok(corpus::inputs(paths, globs))
}

fn stdin_at_most_once(paths: &[PathBuf]) -> anyhow::Result<()> {
    if paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        bail!(UsageError("`-` (standard input) can be given only once".into()));
    }
    Ok(())
}

fn glob_set(glob: &[String]) -> anyhow::Result<globset::GlobSet> {
    Ok(corpus::globs(glob).map_err(|error| UsageError(format!("--glob: {error}")))?)
}

/// A problem met while walking, as the outcome of a document that was not processed.
fn walk_outcome(problem: corpus::WalkProblem) -> Outcome {
    Outcome { output: Vec::new(), messages: vec![problem.message], failed: problem.failed }
}

/// What every document command needs: the compiled rules, the threads, the shared options.
struct Run<'a> {
    pipeline: &'a Pipeline,
    pool: &'a rayon::ThreadPool,
    common: &'a Common,
}

impl Run<'_> {
    fn extract(
        &self,
        paths: &[PathBuf],
        jsonl_in: Option<&Path>,
        output: Option<&Path>,
        glob: &[String],
        repeats: bool,
    ) -> anyhow::Result<ExitCode> {
        let Run { pipeline, pool, common } = *self;
        let limit = Limit(common.max_input_size);
        if paths.is_empty() && jsonl_in.is_none() {
            bail!(UsageError("nothing to read: give files, directories, `-`, or --jsonl-in FILE".into()));
        }
        if !paths.is_empty() && jsonl_in.is_some() {
            bail!(UsageError("give either PATHs or --jsonl-in, not both".into()));
        }
        if repeats && jsonl_in.is_some() {
            bail!(UsageError("--repeats counts lines over PATHs; it does not read --jsonl-in".into()));
        }
        let mut sink = OutputSink::open(output)?;
        let code = match jsonl_in {
            Some(source) => {
                let reader: Box<dyn std::io::BufRead> = if source.as_os_str() == "-" {
                    Box::new(std::io::stdin().lock())
                } else {
                    let file = std::fs::File::open(source).with_context(|| format!("{}", source.display()))?;
                    Box::new(std::io::BufReader::new(file))
                };
                let name = source.display().to_string();
                let mut reporter = Reporter::new(common);
                batch::in_order_by_chunk(
                    pool,
                    JsonlReader::new(reader, limit),
                    |documents| {
                        let documents = documents
                            .into_iter()
                            .map(|document| document.map_err(|error| Outcome::failure(format!("{name}: {error}"))))
                            .collect();
                        batch::extract_jsonl(pipeline, documents)
                    },
                    |outcome| {
                        reporter.report(&outcome);
                        sink.write(outcome.output)
                    },
                )?;
                reporter.finish()
            }
            None => {
                let mut reporter = Reporter::new(common);
                let globs = glob_set(glob)?;
                if repeats {
                    self.count_repeats(paths, &globs, limit)?;
                }
                batch::in_order_by_chunk(
                    pool,
                    gather_inputs(paths, &globs)?,
                    |inputs| {
                        let inputs = inputs.into_iter().map(|input| input.map_err(walk_outcome)).collect();
                        batch::extract_inputs(pipeline, inputs, limit)
                    },
                    |outcome| {
                        reporter.report(&outcome);
                        sink.write(outcome.output)
                    },
                )?;
                reporter.finish()
            }
        };
        sink.finish()?;
        Ok(code)
    }

    /// The corpus pass of `--repeats`: counts the lines of every input before any is analysed.
    /// The inputs are walked twice rather than held; what cannot be read is reported by the
    /// second walk, which analyses them.
    fn count_repeats(&self, paths: &[PathBuf], globs: &globset::GlobSet, limit: Limit) -> anyhow::Result<()> {
        if paths.iter().any(|path| path.as_os_str() == "-") {
            bail!(UsageError(
                "--repeats reads its inputs twice, and standard input (`-`) can be read only once".into()
            ));
        }
        let mut counter = RepeatCounter::default();
        let counted: Result<(), std::convert::Infallible> = batch::in_order(
            self.pool,
            gather_inputs(paths, globs)?,
            |input| input.map(|input| batch::line_keys(&input, limit)).unwrap_or_default(),
            |keys| {
                counter.add(&keys);
                Ok(())
            },
        );
        counted.unwrap_or_else(|never| match never {});
        self.pipeline.learn_repeated_lines(&counter);
        Ok(())
    }

    fn clean(
        &self,
        paths: &[PathBuf],
        out_dir: Option<&Path>,
        glob: &[String],
        repeats: bool,
    ) -> anyhow::Result<ExitCode> {
        let Run { pipeline, pool, common } = *self;
        let out_dir = out_dir.filter(|dir| dir.as_os_str() != "-");
        let limit = Limit(common.max_input_size);
        let mut reporter = Reporter::new(common);
        let globs = glob_set(glob)?;
        // Two inputs with the same relative name would overwrite each other: the first wins. One
        // argument never gives a name twice, so only earlier arguments are asked whether they
        // gave it; nothing is remembered per file.
        stdin_at_most_once(paths)?;
        let inputs = paths.iter().enumerate().flat_map(|(index, path)| {
            let earlier = &paths[..index];
            let globs = &globs;
            corpus::inputs(std::slice::from_ref(path), globs).map(move |input| {
                let (Some(dir), Ok(Input::File { relative, display, .. })) = (out_dir, &input) else { return input };
                match earlier.iter().find_map(|path| corpus::named_by(path, relative, globs)) {
                    None => input,
                    Some(first) => {
                        let target = dir.join(relative);
                        let message =
                            format!("{display}: skipped: {} is already written from {first}", target.display());
                        Err(corpus::WalkProblem { message, failed: true })
                    }
                }
            })
        });
        if repeats {
            self.count_repeats(paths, &globs, limit)?;
        }
        let mut stdout = OutputSink::open(None)?;
        batch::in_order(
            pool,
            inputs,
            |input| match input {
                Ok(input) => {
                    let outcome = batch::clean_input(pipeline, &input, limit);
                    (Some(input), outcome)
                }
                Err(problem) => (None, walk_outcome(problem)),
            },
            |(input, mut outcome)| {
                if !outcome.failed {
                    match (out_dir, input.as_ref()) {
                        (Some(dir), Some(Input::File { relative, .. })) => {
                            let target = dir.join(relative);
                            let written = target
                                .parent()
                                .map_or(Ok(()), std::fs::create_dir_all)
                                .and_then(|()| assay::atomic::write(&target, &outcome.output));
                            if let Err(error) = written {
                                outcome.failed = true;
                                outcome.messages.push(format!("{}: {error}", target.display()));
                            }
                        }
                        _ => stdout.write(std::mem::take(&mut outcome.output))?,
                    }
                }
                reporter.report(&outcome);
                Ok::<(), std::io::Error>(())
            },
        )?;
        stdout.finish()?;
        Ok(reporter.finish())
    }
}

/// Outputs are gathered until they hold this many bytes, then written with one vectored write:
/// each stays where its worker serialised it instead of being copied into a `BufWriter`'s buffer
/// first (a copy of every output byte, which is about three times the input). About what such a
/// buffer held: the system calls are as few as before, and what waits between two writes, out of
/// the byte window of [`batch`], stays small next to it: under 64 KB of output (in buffers of at
/// most about twice their lengths, see `Record::write_json_line`) and the one that fills it.
const GATHER_BYTES: usize = 1 << 16;

/// Outputs gathered at most: small ones (failed documents, short records) stop gathering before
/// the bytes do, well below the slices a system call takes (1024 on Linux).
const GATHER_OUTPUTS: usize = 64;

/// Standard output, or the output file, put in place when everything is written (see
/// [`assay::atomic`]), and the outputs waiting to be written to it, in order.
struct OutputSink {
    target: Target,
    gathered: Vec<Vec<u8>>,
    gathered_bytes: usize,
}

enum Target {
    Stdout(std::io::StdoutLock<'static>),
    File { file: OutputFile, path: PathBuf },
}

impl OutputSink {
    fn open(output: Option<&Path>) -> anyhow::Result<OutputSink> {
        let target = match output {
            None => Target::Stdout(std::io::stdout().lock()),
            Some(path) if path.as_os_str() == "-" => return OutputSink::open(None),
            Some(path) => {
                let file = OutputFile::create(path).with_context(|| format!("{}: cannot write", path.display()))?;
                Target::File { file, path: path.to_path_buf() }
            }
        };
        Ok(OutputSink { target, gathered: Vec::with_capacity(GATHER_OUTPUTS), gathered_bytes: 0 })
    }

    /// Takes one document's output, written after those taken before it.
    fn write(&mut self, output: Vec<u8>) -> std::io::Result<()> {
        if output.is_empty() {
            return Ok(());
        }
        self.gathered_bytes += output.len();
        self.gathered.push(output);
        if self.gathered_bytes >= GATHER_BYTES || self.gathered.len() == GATHER_OUTPUTS {
            self.write_gathered()?;
        }
        Ok(())
    }

    fn write_gathered(&mut self) -> std::io::Result<()> {
        let out: &mut dyn Write = match &mut self.target {
            Target::Stdout(out) => out,
            Target::File { file, .. } => file,
        };
        write_all_vectored(out, &self.gathered)?;
        self.gathered.clear();
        self.gathered_bytes = 0;
        Ok(())
    }

    fn finish(mut self) -> anyhow::Result<()> {
        self.write_gathered()?;
        match self.target {
            Target::Stdout(mut out) => out.flush()?,
            Target::File { file, path } => {
                file.commit().with_context(|| format!("{}: cannot write", path.display()))?;
            }
        }
        Ok(())
    }
}

/// Writes `buffers` one after the other, as few system calls as `out` takes to write them.
fn write_all_vectored(out: &mut dyn Write, buffers: &[Vec<u8>]) -> std::io::Result<()> {
    let mut slices = Vec::with_capacity(buffers.len() + 1);
    if let Some((last, before)) = buffers.split_last() {
        slices.extend(before.iter().map(|buffer| std::io::IoSlice::new(buffer)));
        // The last byte goes in a slice of its own: standard output's line writer looks for the
        // last slice with a newline, scanning each from its start, and the newline that ends a
        // record would otherwise be found only after the whole record was read again.
        let (body, end) = last.split_at(last.len().saturating_sub(1));
        slices.extend([body, end].into_iter().filter(|part| !part.is_empty()).map(std::io::IoSlice::new));
    }
    let mut rest = &mut slices[..];
    while !rest.is_empty() {
        match out.write_vectored(rest) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(written) => std::io::IoSlice::advance_slices(&mut rest, written),
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

fn list_rules(pipeline: &Pipeline, families: &[Family]) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let rules = pipeline.catalogue().rules().iter();
    for rule in rules.filter(|rule| families.is_empty() || families.contains(&rule.family)) {
        writeln!(
            out,
            "{}\t{}\t{} examples, {} negatives\t{}:{}",
            rule.id,
            rule.family.name(),
            rule.examples.len(),
            rule.negatives.len(),
            rule.file,
            rule.line
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn show_rule(pipeline: &Pipeline, id: &str) -> anyhow::Result<ExitCode> {
    let Some(rule) = pipeline.catalogue().get(id) else {
        bail!(UsageError(format!("no rule `{id}` (`assay rules` lists them)")));
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{} ({}) {}:{}\n", rule.id, rule.family.name(), rule.file, rule.line)?;
    for (heading, body) in
        [("What it matches", &rule.description), ("Why", &rule.why), ("Known problems", &rule.known_problems)]
    {
        if !body.is_empty() {
            writeln!(out, "{heading}\n    {body}\n")?;
        }
    }
    if !rule.examples.is_empty() {
        writeln!(out, "Examples")?;
        for example in &rule.examples {
            writeln!(out, "    {:?}  ({}:{})", example.input.text, rule.file, example.input.line)?;
            for expected in example.expect.iter().flatten() {
                writeln!(out, "        → {}", toml::Value::Table(expected.clone()))?;
            }
            if let Some(reason) = &example.todo {
                writeln!(out, "        (todo: {reason})")?;
            }
        }
        writeln!(out)?;
    }
    if !rule.negatives.is_empty() {
        writeln!(out, "Negatives")?;
        for negative in &rule.negatives {
            writeln!(out, "    {:?}  ({}:{})", negative.text, rule.file, negative.line)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Where fixtures are looked for when `--fixtures` is not given.
const DEFAULT_FIXTURES: &str = "tests/fixtures";

fn check_rules(
    pipeline: &Pipeline,
    fixtures: Option<&Path>,
    bless: bool,
    selection: &Selection,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let (found, orphans) = match fixtures {
        Some(dir) => check::find_fixtures(dir).map_err(|e| UsageError(e.to_string()))?,
        None if !Path::new(DEFAULT_FIXTURES).is_dir() => {
            eprintln!("assay: no {DEFAULT_FIXTURES}/ here: checking the rules' own examples only");
            Default::default()
        }
        None => check::find_fixtures(Path::new(DEFAULT_FIXTURES)).map_err(|e| UsageError(e.to_string()))?,
    };
    if bless {
        for result in check::bless(pipeline, &found) {
            match result {
                BlessResult::Written(path, None) => {
                    eprintln!("blessed {} (no readable expected record before)", path.display())
                }
                BlessResult::Written(path, Some(changes)) => {
                    let plural = if changes.len() == 1 { "" } else { "s" };
                    eprintln!("blessed {} ({} change{plural})", path.display(), changes.len());
                    for change in changes {
                        eprintln!("    was {}: {}: {}", change.kind.label(), change.location, change.detail);
                    }
                }
                BlessResult::Unchanged(_) => {}
                BlessResult::Failed(path, error) => {
                    eprintln!("assay: error: could not bless {}: {error}", path.display())
                }
            }
        }
    }
    // A fixture that cannot be checked is reported before any result, like a broken rule file.
    let (loaded, mut broken) = check::load(pipeline, &found);
    broken.extend(orphans);
    if !broken.is_empty() {
        for error in &broken {
            eprintln!("assay: {error}");
        }
        return Ok(ExitCode::from(2));
    }
    let mut cases = check::check_rules(pipeline, selection);
    cases.extend(check::check_fixtures(&loaded, selection));
    let report = Report::new(cases);
    let summary = format!("{} passed, {} failed", report.passed, report.failed);
    match format {
        Format::Json => {
            let mut out = std::io::stdout().lock();
            serde_json::to_writer(&mut out, &report)?;
            writeln!(out)?;
            eprintln!("{summary}");
        }
        Format::Human => {
            // Colour only on a terminal, and never when NO_COLOR is set to anything.
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
            let paint = Paint(std::io::stdout().is_terminal() && !no_color);
            let mut out = std::io::stdout().lock();
            for case in &report.cases {
                case.write_human(&mut out, paint)?;
            }
            let colour = if report.failed == 0 { Paint::GREEN } else { Paint::RED };
            writeln!(out, "{}", paint.apply(colour, &summary))?;
        }
    }
    Ok(if report.failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Takes at most three bytes a call, of the first buffer only (the default
    /// `write_vectored`): every partial write that can happen, happens.
    struct Trickle(Vec<u8>);

    impl Write for Trickle {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            let taken = bytes.len().min(3);
            self.0.extend_from_slice(&bytes[..taken]);
            Ok(taken)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn partial_vectored_writes_are_carried_on_where_they_stopped() {
        let buffers: Vec<Vec<u8>> =
            ["a", "bcdefgh", "", "ijkl\n", "m"].iter().map(|text| text.as_bytes().to_vec()).collect();
        let mut out = Trickle(Vec::new());
        write_all_vectored(&mut out, &buffers).unwrap();
        assert_eq!(out.0, buffers.concat());
    }

    #[test]
    fn outputs_reach_the_file_whole_and_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("records.jsonl");
        // Empty outputs (failed documents), small ones that stop gathering by their count, and
        // big ones that stop it by their bytes.
        let outputs: Vec<Vec<u8>> = (0..300usize)
            .map(|index| match index % 7 {
                0 => Vec::new(),
                3 => vec![b'x'; GATHER_BYTES / 3 + index],
                _ => format!("{{\"n\":{index}}}\n").into_bytes(),
            })
            .collect();
        let mut sink = OutputSink::open(Some(&path)).unwrap();
        for output in outputs.clone() {
            sink.write(output).unwrap();
        }
        assert_eq!(
            std::fs::metadata(&path).map(|metadata| metadata.len()).unwrap_or(0),
            0,
            "not in place before the end"
        );
        sink.finish().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), outputs.concat());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
