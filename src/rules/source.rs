//! Where rule files come from: the copy embedded at build time, or a directory on disk.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{Dir, include_dir};

use super::RuleError;

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/rules");

/// The rule families, one directory each, in pipeline order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    Segment,
    Boilerplate,
    Money,
    Entities,
    Claims,
}

impl Family {
    pub const ALL: [Family; 5] =
        [Family::Segment, Family::Boilerplate, Family::Money, Family::Entities, Family::Claims];

    /// The family's directory name under the rules root, which is also its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Family::Segment => "segment",
            Family::Boilerplate => "boilerplate",
            Family::Money => "money",
            Family::Entities => "entities",
            Family::Claims => "claims",
        }
    }

    pub fn from_name(name: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|family| family.name() == name)
    }
}

/// One TOML rule file.
#[derive(Debug)]
pub struct RuleFile {
    /// Path as shown in messages: `rules/money/currencies.toml`, or under the `--rules` directory.
    pub path: String,
    /// Path relative to the rules root, with `/` separators: `money/currencies.toml`.
    pub relative: String,
    pub family: Family,
    pub text: Cow<'static, str>,
}

/// All rule files and list files of one rule set.
#[derive(Debug)]
pub struct RuleSource {
    label: String,
    files: Vec<RuleFile>,
    /// Non-TOML files (lists), keyed by path relative to the rules root.
    lists: BTreeMap<String, Cow<'static, str>>,
}

impl RuleSource {
    /// The rule set built into the binary from the repository's `rules/` directory.
    pub fn embedded() -> RuleSource {
        let mut entries = Vec::new();
        collect_embedded(&EMBEDDED, &mut entries);
        let mut source = RuleSource { label: "rules".into(), files: Vec::new(), lists: BTreeMap::new() };
        for (relative, contents) in entries {
            let text = std::str::from_utf8(contents).expect("embedded rule files are UTF-8");
            source.insert(relative, Cow::Borrowed(text)).expect("embedded rules are laid out by family");
        }
        source
    }

    /// A rule set read from `dir`, laid out like the repository's `rules/` directory.
    pub fn from_dir(dir: &Path) -> Result<RuleSource, RuleError> {
        let label = dir.display().to_string().trim_end_matches('/').to_string();
        let mut source = RuleSource { label, files: Vec::new(), lists: BTreeMap::new() };
        let walk = walkdir(dir)
            .map_err(|source_error| RuleError::Io { path: dir.display().to_string(), source: source_error })?;
        for path in walk {
            let relative = path
                .strip_prefix(dir)
                .expect("walked under dir")
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let text = std::fs::read_to_string(&path)
                .map_err(|error| RuleError::Io { path: path.display().to_string(), source: error })?;
            source.insert(relative, Cow::Owned(text))?;
        }
        if source.files.is_empty() {
            return Err(RuleError::Io {
                path: dir.display().to_string(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no rule files (*.toml) in family directories",
                ),
            });
        }
        Ok(source)
    }

    fn insert(&mut self, relative: String, text: Cow<'static, str>) -> Result<(), RuleError> {
        let path = format!("{}/{}", self.label, relative);
        let Some((family_dir, rest)) = relative.split_once('/') else {
            // Top-level files (a README, a licence note) are documentation, not rules.
            return Ok(());
        };
        let Some(family) = Family::from_name(family_dir) else {
            let names: Vec<_> = Family::ALL.iter().map(|f| f.name()).collect();
            return Err(RuleError::Invalid {
                path,
                line: 1,
                col: 1,
                message: format!("unknown rule family `{family_dir}` (expected one of {})", names.join(", ")),
            });
        };
        if rest.ends_with(".toml") {
            self.files.push(RuleFile { path, relative, family, text });
        } else {
            self.lists.insert(relative, text);
        }
        Ok(())
    }

    /// The family's directory, as shown in messages.
    fn family_path(&self, family: Family) -> String {
        format!("{}/{}", self.label, family.name())
    }

    /// An error about a family's rules taken together, where no one place in a file is to blame.
    pub fn family_error(&self, family: Family, message: impl Into<String>) -> RuleError {
        RuleError::Invalid { path: self.family_path(family), line: 1, col: 1, message: message.into() }
    }

    /// The TOML files of one family, in path order.
    pub fn files(&self, family: Family) -> impl Iterator<Item = &RuleFile> {
        self.files.iter().filter(move |file| file.family == family)
    }

    /// A list file named by `file` (relative to `file`'s directory); `name` locates errors.
    pub fn list(&self, file: &RuleFile, name: &toml::Spanned<String>) -> Result<ListFile<'_>, RuleError> {
        let dir = file.relative.rsplit_once('/').map_or("", |(dir, _)| dir);
        let relative = format!("{dir}/{}", name.get_ref());
        match self.lists.get(&relative) {
            Some(text) => Ok(ListFile { path: format!("{}/{relative}", self.label), text }),
            None => Err(RuleError::at(file, name.span(), format!("list file `{relative}` not found"))),
        }
    }
}

/// A list file (`surface<TAB>canonical` lines) named by a rule.
#[derive(Debug)]
pub struct ListFile<'a> {
    /// Path as shown in messages.
    pub path: String,
    pub text: &'a str,
}

impl<'a> ListFile<'a> {
    /// The list's `surface<TAB>canonical` entries (canonical defaults to the surface), skipping
    /// blank lines and `#` comments; a malformed line is an error with its line number.
    pub fn entries(&self) -> Result<Vec<(&'a str, &'a str)>, RuleError> {
        let text: &'a str = self.text;
        let bytes = text.as_bytes();
        let mut entries = Vec::with_capacity(text.len() / 8);
        let (mut start, mut number) = (0, 0);
        // Lists run to a hundred thousand lines: one pass over the bytes finds each line's end
        // and its tabs, rather than a search for each.
        while start < bytes.len() {
            let (mut end, mut tab, mut tabs) = (start, None, 0);
            while end < bytes.len() && bytes[end] != b'\n' {
                if bytes[end] == b'\t' {
                    tab = tab.or(Some(end));
                    tabs += 1;
                }
                end += 1;
            }
            number += 1;
            let line = text[start..end].trim_end_matches('\r');
            let line_start = start;
            start = end + 1;
            if is_blank(line) || line.starts_with('#') {
                continue;
            }
            match tab {
                None => entries.push((line, line)),
                Some(at) => {
                    let (surface, canonical) = (&text[line_start..at], &line[at + 1 - line_start..]);
                    if tabs > 1 || is_blank(surface) || is_blank(canonical) {
                        return Err(self.error(number, "expected `surface` or `surface<TAB>canonical`"));
                    }
                    entries.push((surface, canonical));
                }
            }
        }
        Ok(entries)
    }

    /// An error about line `line` of the list.
    fn error(&self, line: usize, message: impl Into<String>) -> RuleError {
        RuleError::Invalid { path: self.path.clone(), line, col: 1, message: message.into() }
    }
}

/// Whether `text` is empty or whitespace only; list lines nearly always start with a letter,
/// which decides it without a Unicode scan.
fn is_blank(text: &str) -> bool {
    match text.as_bytes().first() {
        Some(byte) if byte.is_ascii_alphanumeric() => false,
        _ => text.trim().is_empty(),
    }
}

fn collect_embedded(dir: &'static Dir<'static>, out: &mut Vec<(String, &'static [u8])>) {
    for file in dir.files() {
        out.push((file.path().to_string_lossy().replace('\\', "/"), file.contents()));
    }
    for sub in dir.dirs() {
        collect_embedded(sub, out);
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
}

/// Files under `dir`, recursively, hidden ones skipped, in sorted order.
fn walkdir(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    if !dir.is_dir() {
        return Err(std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"));
    }
    crate::corpus::files_under(dir).map(|found| found.map_err(std::io::Error::other)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_rules_cover_every_family() {
        let source = RuleSource::embedded();
        for family in Family::ALL {
            assert!(source.files(family).next().is_some(), "no embedded rules for {}", family.name());
        }
        assert!(Family::ALL.iter().flat_map(|&f| source.files(f)).all(|f| f.path.starts_with("rules/")));
    }

    #[test]
    fn list_entries_skip_comments_and_blank_lines_and_report_bad_lines() {
        let list = ListFile { path: "l.tsv".into(), text: "# names\r\nAcme\tAcme Corp\r\n\n  \nBeta\nGamma\t \n" };
        let error = list.entries().unwrap_err().to_string();
        assert!(error.starts_with("l.tsv:6:1: expected"), "{error}");
        let list = ListFile { path: "l.tsv".into(), text: "# names\r\nAcme\tAcme Corp\r\n\n  \nBeta\nDelta" };
        assert_eq!(list.entries().unwrap(), [("Acme", "Acme Corp"), ("Beta", "Beta"), ("Delta", "Delta")]);
        let list = ListFile { path: "l.tsv".into(), text: "A\tB\tC\n" };
        assert!(list.entries().is_err());
    }

    #[test]
    fn unknown_family_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("mony")).unwrap();
        std::fs::write(dir.path().join("mony/a.toml"), "").unwrap();
        let error = RuleSource::from_dir(dir.path()).unwrap_err().to_string();
        assert!(error.contains("mony/a.toml:1:1: unknown rule family `mony`"), "{error}");
    }
}
