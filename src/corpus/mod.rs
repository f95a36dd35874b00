//! Where documents come from: files and directories named on the command line, standard input,
//! or JSON Lines records.
//!
//! Directories are walked recursively in sorted path order; hidden files and directories are
//! skipped, symbolic links are followed and loops among them skipped. Only files whose names
//! match the globs are taken (`*.txt`, `*.md`, `*.text` unless `--glob` says otherwise); a file
//! named on the command line is always taken.

mod jsonl;

pub use jsonl::{JsonlDocument, JsonlError, JsonlReader};

use std::path::{Path, PathBuf};

use globset::{GlobSet, GlobSetBuilder};

/// The globs used when `--glob` is not given.
pub const DEFAULT_GLOBS: [&str; 3] = ["*.txt", "*.md", "*.text"];

/// One document to read from the file system (or standard input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file: where to read it, how to show it, and its name relative to the argument it was
    /// found under (the file name for a file argument), used by `assay clean --out-dir`.
    File { path: PathBuf, display: String, relative: PathBuf },
    /// Standard input, named `-`.
    Stdin,
}

impl Input {
    /// The name shown in records and messages.
    pub fn display(&self) -> &str {
        match self {
            Input::File { display, .. } => display,
            Input::Stdin => "-",
        }
    }
}

/// The most bytes one document may have: a file, standard input or a `--jsonl-in` line. A
/// document is held whole in memory while it is analysed, so a run over a corpus needs about
/// this much per worker thread at worst; a bigger input is refused, not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(pub u64);

impl Limit {
    /// 64 MB: far more than any article, far less than the memory of a small machine.
    pub const DEFAULT: Limit = Limit(64_000_000);
    pub const NONE: Limit = Limit(u64::MAX);

    /// Why a document of `size` bytes is refused.
    pub fn refusal(self, size: u64) -> String {
        format!(
            "skipped: {}, over the limit of {} for one document (raise it with --max-input-size)",
            human(size),
            human(self.0)
        )
    }
}

fn human(bytes: u64) -> String {
    if bytes < 1_000_000 { format!("{bytes} bytes") } else { format!("{:.1} MB", bytes as f64 / 1e6) }
}

/// A problem found while walking, reported as a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkProblem {
    pub message: String,
    /// Whether a named input could not be read at all (sets exit code 1); a skipped symlink
    /// loop is only worth a warning.
    pub failed: bool,
}

/// Turns glob strings into a matcher; an invalid glob is a usage error.
pub fn globs(patterns: &[String]) -> Result<GlobSet, globset::Error> {
    let mut builder = GlobSetBuilder::new();
    if patterns.is_empty() {
        for pattern in DEFAULT_GLOBS {
            builder.add(globset::GlobBuilder::new(pattern).case_insensitive(true).build()?);
        }
    }
    for pattern in patterns {
        builder.add(globset::GlobBuilder::new(pattern).case_insensitive(true).build()?);
    }
    builder.build()
}

/// The documents named by `paths`, in order: each argument in turn, directories in sorted
/// path order. Found lazily, so that a run over a whole crawl never holds its list of files.
pub fn inputs<'a>(paths: &'a [PathBuf], globs: &'a GlobSet) -> impl Iterator<Item = Result<Input, WalkProblem>> + 'a {
    paths.iter().flat_map(move |path| -> Box<dyn Iterator<Item = Result<Input, WalkProblem>>> {
        if path.as_os_str() == "-" {
            Box::new(std::iter::once(Ok(Input::Stdin)))
        } else if path.is_dir() {
            Box::new(walk(path, globs))
        } else if path.exists() {
            Box::new(std::iter::once(Ok(Input::File {
                path: path.clone(),
                display: path.display().to_string(),
                relative: file_argument_name(path),
            })))
        } else {
            let message = format!("{}: no such file or directory", path.display());
            Box::new(std::iter::once(Err(WalkProblem { message, failed: true })))
        }
    })
}

/// The relative name of a file named on the command line: its file name.
fn file_argument_name(path: &Path) -> PathBuf {
    path.file_name().map(PathBuf::from).unwrap_or_else(|| path.to_path_buf())
}

/// Whether the globs take a file found under a directory at `relative`: by its relative path
/// or by its file name.
fn taken(globs: &GlobSet, relative: &Path) -> bool {
    globs.is_match(relative) || relative.file_name().is_some_and(|name| globs.is_match(name))
}

/// The input that the argument `path` gives the relative name `relative`, if it gives one,
/// as shown in messages. Lets `assay clean --out-dir` find out whether an earlier argument
/// already wrote a name by looking at the file system instead of remembering every name.
pub fn named_by(path: &Path, relative: &Path, globs: &GlobSet) -> Option<String> {
    if path.as_os_str() == "-" {
        None
    } else if path.is_dir() {
        // What the walk would take: no hidden component, a match for the globs, a file.
        let hidden = relative.components().any(|part| part.as_os_str().as_encoded_bytes().starts_with(b"."));
        let found = path.join(relative);
        (!hidden && taken(globs, relative) && found.is_file()).then(|| found.display().to_string())
    } else {
        (path.exists() && file_argument_name(path) == relative).then(|| path.display().to_string())
    }
}

fn walk<'a>(root: &'a Path, globs: &'a GlobSet) -> impl Iterator<Item = Result<Input, WalkProblem>> + 'a {
    files_under(root).filter_map(move |found| match found {
        Ok(path) => {
            let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            taken(globs, &relative).then(|| Ok(Input::File { display: path.display().to_string(), path, relative }))
        }
        Err(error) => Some(Err(WalkProblem { message: error.to_string(), failed: !is_loop(&error) })),
    })
}

/// Every file under `root`, recursively, in sorted path order: hidden files and directories
/// skipped, symbolic links followed (a loop among them is an error item).
pub fn files_under(root: &Path) -> impl Iterator<Item = Result<PathBuf, ignore::Error>> {
    ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .hidden(true)
        .follow_links(true)
        // Siblings share their parent's bytes, so comparing their paths as bytes orders them by
        // name: sorted path order, without splitting whole paths into components at each compare.
        .sort_by_file_path(|a, b| a.as_os_str().cmp(b.as_os_str()))
        .build()
        .filter_map(|entry| match entry {
            Ok(entry) if entry.file_type().is_some_and(|kind| kind.is_file()) => Some(Ok(entry.into_path())),
            Ok(_) => None,
            Err(error) => Some(Err(error)),
        })
}

fn is_loop(error: &ignore::Error) -> bool {
    match error {
        ignore::Error::Loop { .. } => true,
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => is_loop(err),
        ignore::Error::Partial(errors) => errors.iter().all(is_loop),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(paths: &[PathBuf], globs: &GlobSet) -> (Vec<Input>, Vec<WalkProblem>) {
        let (found, problems): (Vec<_>, Vec<_>) = inputs(paths, globs).partition(Result::is_ok);
        (found.into_iter().flatten().collect(), problems.into_iter().filter_map(Result::err).collect())
    }

    #[test]
    fn directories_are_walked_in_sorted_order_with_default_globs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/nested")).unwrap();
        std::fs::create_dir_all(root.join(".hidden")).unwrap();
        for name in ["b/nested/z.md", "b/a.txt", "a.text", "c.html", ".secret.txt", ".hidden/x.txt", "D.TXT"] {
            std::fs::write(root.join(name), "x").unwrap();
        }
        let (found, problems) = collect(&[root.to_path_buf()], &globs(&[]).unwrap());
        assert!(problems.is_empty(), "{problems:?}");
        let relative: Vec<_> = found
            .iter()
            .map(|input| match input {
                Input::File { relative, .. } => relative.display().to_string(),
                Input::Stdin => "-".into(),
            })
            .collect();
        assert_eq!(relative, ["D.TXT", "a.text", "b/a.txt", "b/nested/z.md"]);
    }

    #[test]
    fn explicit_globs_replace_the_defaults_and_missing_paths_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("page.html"), "x").unwrap();
        std::fs::write(dir.path().join("page.txt"), "x").unwrap();
        let missing = dir.path().join("missing");
        let (found, problems) = collect(&[dir.path().to_path_buf(), missing], &globs(&["*.html".into()]).unwrap());
        assert_eq!(found.len(), 1);
        assert!(found[0].display().ends_with("page.html"));
        assert_eq!(problems.len(), 1);
        assert!(problems[0].failed && problems[0].message.ends_with("missing: no such file or directory"));
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/a.txt"), "x").unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("sub/loop")).unwrap();
        let (found, problems) = collect(&[dir.path().to_path_buf()], &globs(&[]).unwrap());
        assert_eq!(found.len(), 1);
        assert!(problems.iter().all(|p| !p.failed), "{problems:?}");
    }
}
