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
/// path order.
pub fn inputs(paths: &[PathBuf], globs: &GlobSet) -> (Vec<Input>, Vec<WalkProblem>) {
    let mut inputs = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
        } else if path.is_dir() {
            walk(path, globs, &mut inputs, &mut problems);
        } else if path.exists() {
            let relative = path.file_name().map(PathBuf::from).unwrap_or_else(|| path.clone());
            inputs.push(Input::File { path: path.clone(), display: path.display().to_string(), relative });
        } else {
            problems
                .push(WalkProblem { message: format!("{}: no such file or directory", path.display()), failed: true });
        }
    }
    (inputs, problems)
}

fn walk(root: &Path, globs: &GlobSet, inputs: &mut Vec<Input>, problems: &mut Vec<WalkProblem>) {
    for found in files_under(root) {
        match found {
            Ok(path) => {
                let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
                if globs.is_match(&relative) || relative.file_name().is_some_and(|name| globs.is_match(name)) {
                    inputs.push(Input::File { display: path.display().to_string(), path, relative });
                }
            }
            Err(error) => problems.push(WalkProblem { message: error.to_string(), failed: !is_loop(&error) }),
        }
    }
}

/// Every file under `root`, recursively, in sorted path order: hidden files and directories
/// skipped, symbolic links followed (a loop among them is an error item).
pub fn files_under(root: &Path) -> impl Iterator<Item = Result<PathBuf, ignore::Error>> {
    ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .hidden(true)
        .follow_links(true)
        .sort_by_file_path(|a, b| a.cmp(b))
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

    #[test]
    fn directories_are_walked_in_sorted_order_with_default_globs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/nested")).unwrap();
        std::fs::create_dir_all(root.join(".hidden")).unwrap();
        for name in ["b/nested/z.md", "b/a.txt", "a.text", "c.html", ".secret.txt", ".hidden/x.txt", "D.TXT"] {
            std::fs::write(root.join(name), "x").unwrap();
        }
        let (found, problems) = inputs(&[root.to_path_buf()], &globs(&[]).unwrap());
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
        let (found, problems) = inputs(&[dir.path().to_path_buf(), missing], &globs(&["*.html".into()]).unwrap());
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
        let (found, problems) = inputs(&[dir.path().to_path_buf()], &globs(&[]).unwrap());
        assert_eq!(found.len(), 1);
        assert!(problems.iter().all(|p| !p.failed), "{problems:?}");
    }
}
