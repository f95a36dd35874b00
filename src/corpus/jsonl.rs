//! `--jsonl-in`: one JSON object per line with a string `"text"` and an optional `"id"`; every
//! other field is carried through to the record untouched.

use std::io::{BufRead, Read};

use serde_json::{Map, Value};

use super::Limit;

/// One document read from a JSON Lines input.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonlDocument {
    pub id: Value,
    pub text: String,
    pub passthrough: Map<String, Value>,
}

/// A line that is not a usable document. Displayed as `line N: reason`.
#[derive(Debug, thiserror::Error)]
pub enum JsonlError {
    #[error("line {line}: not a JSON object: {reason}")]
    Syntax { line: usize, reason: String },
    #[error("line {line}: no string field \"text\"")]
    NoText { line: usize },
    #[error("line {line}: {source}")]
    Io { line: usize, source: std::io::Error },
    #[error("line {line}: {}", limit.refusal(*size))]
    TooLong { line: usize, size: u64, limit: Limit },
}

/// Reads documents line by line; blank lines are skipped, and a UTF-8 byte-order mark before
/// the first line is ignored. A read error ends the input: it is reported once, as the last item.
/// A line longer than the limit is reported and skipped without being held in memory.
pub struct JsonlReader<R> {
    reader: R,
    line: usize,
    buffer: Vec<u8>,
    finished: bool,
    limit: Limit,
}

impl<R: BufRead> JsonlReader<R> {
    pub fn new(reader: R, limit: Limit) -> JsonlReader<R> {
        JsonlReader { reader, line: 0, buffer: Vec::new(), finished: false, limit }
    }

    /// Reads one line into the buffer, or as much of it as the limit allows and skips the rest.
    fn read_line(&mut self) -> std::io::Result<Option<u64>> {
        let max = self.limit.0;
        let read = (&mut self.reader).take(max.saturating_add(1)).read_until(b'\n', &mut self.buffer)?;
        if read as u64 > max && self.buffer.last() != Some(&b'\n') {
            let rest = self.reader.skip_until(b'\n')?;
            return Ok(Some(read as u64 + rest as u64));
        }
        Ok(None)
    }
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = Result<JsonlDocument, JsonlError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.finished {
            self.buffer.clear();
            self.line += 1;
            let line = self.line;
            match self.read_line() {
                Ok(Some(size)) => {
                    self.buffer = Vec::new();
                    return Some(Err(JsonlError::TooLong { line, size, limit: self.limit }));
                }
                Ok(None) if self.buffer.is_empty() => self.finished = true,
                Ok(None) => {
                    let bom = if line == 1 && self.buffer.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
                    let raw = &self.buffer[bom..];
                    if raw.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    return Some(parse_line(line, raw));
                }
                Err(source) => {
                    self.finished = true;
                    return Some(Err(JsonlError::Io { line, source }));
                }
            }
        }
        None
    }
}

fn parse_line(line: usize, raw: &[u8]) -> Result<JsonlDocument, JsonlError> {
    let mut object: Map<String, Value> =
        serde_json::from_slice(raw).map_err(|error| JsonlError::Syntax { line, reason: error.to_string() })?;
    let text = match object.shift_remove("text") {
        Some(Value::String(text)) => text,
        _ => return Err(JsonlError::NoText { line }),
    };
    let id = object.shift_remove("id").unwrap_or(Value::Null);
    Ok(JsonlDocument { id, text, passthrough: object })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_documents_and_reports_bad_lines_with_their_number() {
        let input = "\u{feff}{\"id\": 7, \"text\": \"a\", \"url\": \"u\", \"n\": 1.50}\n\n{\"text\": 5}\nnot json\n{\"text\": \"b\"}";
        let results: Vec<_> = JsonlReader::new(input.as_bytes(), Limit::NONE).collect();
        assert_eq!(results.len(), 4);
        let first = results[0].as_ref().unwrap();
        assert_eq!((&first.id, first.text.as_str()), (&Value::from(7), "a"));
        assert_eq!(serde_json::to_string(&first.passthrough).unwrap(), r#"{"url":"u","n":1.50}"#);
        assert_eq!(results[1].as_ref().unwrap_err().to_string(), "line 3: no string field \"text\"");
        assert!(results[2].as_ref().unwrap_err().to_string().starts_with("line 4: not a JSON object"));
        assert_eq!(results[3].as_ref().unwrap().id, Value::Null);
    }

    #[test]
    fn a_line_over_the_limit_is_reported_and_skipped() {
        let input = "{\"text\": \"short\"}\n{\"text\": \"far too long for the limit\"}\n{\"text\": \"ok\"}";
        let results: Vec<_> = JsonlReader::new(input.as_bytes(), Limit(20)).collect();
        assert_eq!(results.len(), 3);
        assert_eq!(results[0].as_ref().unwrap().text, "short");
        let refusal = results[1].as_ref().unwrap_err().to_string();
        assert!(
            refusal.starts_with("line 2: skipped: 39 bytes, over the limit of 20 bytes")
                && refusal.contains("--max-input-size"),
            "{refusal}"
        );
        assert_eq!(results[2].as_ref().unwrap().text, "ok");
    }

    /// A reader that always fails, as a directory opened as a file does.
    struct Broken;

    impl std::io::Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("Is a directory"))
        }
    }

    #[test]
    fn a_read_error_is_reported_once_and_ends_the_input() {
        let results: Vec<_> = JsonlReader::new(std::io::BufReader::new(Broken), Limit::NONE).collect();
        assert_eq!(results.len(), 1);
        assert_eq!(results[0].as_ref().unwrap_err().to_string(), "line 1: Is a directory");
    }
}
