//! `--jsonl-in`: one JSON object per line with a string `"text"` and an optional `"id"`; every
//! other field is carried through to the record untouched.

use std::io::BufRead;

use serde_json::{Map, Value};

/// One document read from a JSON Lines input.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonlDocument {
    /// 1-based line number in the input.
    pub line: usize,
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
}

/// Reads documents line by line; blank lines are skipped.
pub struct JsonlReader<R> {
    reader: R,
    line: usize,
    buffer: String,
}

impl<R: BufRead> JsonlReader<R> {
    pub fn new(reader: R) -> JsonlReader<R> {
        JsonlReader { reader, line: 0, buffer: String::new() }
    }
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = Result<JsonlDocument, JsonlError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buffer.clear();
            self.line += 1;
            let line = self.line;
            match self.reader.read_line(&mut self.buffer) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(source) => return Some(Err(JsonlError::Io { line, source })),
            }
            if self.buffer.trim().is_empty() {
                continue;
            }
            return Some(parse_line(line, &self.buffer));
        }
    }
}

fn parse_line(line: usize, raw: &str) -> Result<JsonlDocument, JsonlError> {
    let mut object: Map<String, Value> =
        serde_json::from_str(raw).map_err(|error| JsonlError::Syntax { line, reason: error.to_string() })?;
    let text = match object.shift_remove("text") {
        Some(Value::String(text)) => text,
        _ => return Err(JsonlError::NoText { line }),
    };
    let id = object.shift_remove("id").unwrap_or(Value::Null);
    Ok(JsonlDocument { line, id, text, passthrough: object })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_documents_and_reports_bad_lines_with_their_number() {
        let input =
            "{\"id\": 7, \"text\": \"a\", \"url\": \"u\", \"n\": 1.50}\n\n{\"text\": 5}\nnot json\n{\"text\": \"b\"}";
        let results: Vec<_> = JsonlReader::new(input.as_bytes()).collect();
        assert_eq!(results.len(), 4);
        let first = results[0].as_ref().unwrap();
        assert_eq!((first.line, &first.id, first.text.as_str()), (1, &Value::from(7), "a"));
        assert_eq!(serde_json::to_string(&first.passthrough).unwrap(), r#"{"url":"u","n":1.50}"#);
        assert_eq!(results[1].as_ref().unwrap_err().to_string(), "line 3: no string field \"text\"");
        assert!(results[2].as_ref().unwrap_err().to_string().starts_with("line 4: not a JSON object"));
        let last = results[3].as_ref().unwrap();
        assert_eq!((last.line, &last.id), (5, &Value::Null));
    }
}
