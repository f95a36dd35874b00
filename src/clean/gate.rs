//! A cheap necessary condition for each line pattern anchored at the start, derived from the
//! pattern itself, so that the regex runs only on lines it could match.
//!
//! Most lines are prose and most patterns fail on them at once, yet a regex call costs about as
//! much as scanning a short line, and a line meets some twenty patterns. A pattern anchored at the
//! start (`^…`) can only match a line whose first byte may begin a match: `^[\s*_#>]*by\s+…` never
//! matches a line starting with `T`. The set of such bytes is worked out from the parsed pattern
//! and is never smaller than the regex needs: zero-width assertions are passed over, and a class
//! lets in every byte that may start one of its characters.

use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// What a line must show for one pattern to be tried on it.
#[derive(Debug)]
pub struct Gate {
    /// For a pattern anchored at the start that cannot match the empty string: the bytes a
    /// match may start with, one bit per byte.
    first_bytes: Option<[u64; 4]>,
}

impl Gate {
    /// The gate of `pattern`; one that lets every line through when the pattern does not parse
    /// here (the regex compiler reports the error).
    pub fn new(pattern: &str) -> Gate {
        let Ok(hir) = regex_syntax::parse(pattern) else {
            return Gate { first_bytes: None };
        };
        let anchored = hir.properties().look_set_prefix().contains(Look::Start);
        let first_bytes = anchored
            .then(|| {
                let mut set = [0u64; 4];
                (!first_bytes(&hir, &mut set)).then_some(set)
            })
            .flatten();
        Gate { first_bytes }
    }

    /// Whether the pattern may match `line` as far as its first byte tells.
    pub fn admits(&self, line: &str) -> bool {
        let Some(set) = &self.first_bytes else { return true };
        line.as_bytes().first().is_some_and(|&first| has_byte(set, first))
    }
}

fn has_byte(set: &[u64; 4], byte: u8) -> bool {
    set[usize::from(byte >> 6)] >> (byte & 63) & 1 == 1
}

fn add_byte(set: &mut [u64; 4], byte: u8) {
    set[usize::from(byte >> 6)] |= 1 << (byte & 63);
}

fn add_bytes(set: &mut [u64; 4], from: u8, to: u8) {
    for byte in from..=to {
        add_byte(set, byte);
    }
}

/// Adds to `set` every byte that may start a match of `hir`; returns whether `hir` may match the
/// empty string (then what follows it may start the match too). Zero-width assertions are passed
/// over, which only ever lets more bytes in.
fn first_bytes(hir: &Hir, set: &mut [u64; 4]) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(literal) => match literal.0.first() {
            Some(&byte) => {
                add_byte(set, byte);
                false
            }
            None => true,
        },
        // The first byte of a character's UTF-8 form grows with the character, so a range of
        // characters starts with the bytes between those of its ends.
        HirKind::Class(Class::Unicode(class)) => {
            for range in class.iter() {
                let lead = |c: char| c.encode_utf8(&mut [0; 4]).as_bytes()[0];
                add_bytes(set, lead(range.start()), lead(range.end()));
            }
            false
        }
        HirKind::Class(Class::Bytes(class)) => {
            for range in class.iter() {
                add_bytes(set, range.start(), range.end());
            }
            false
        }
        HirKind::Repetition(repetition) => first_bytes(&repetition.sub, set) || repetition.min == 0,
        HirKind::Capture(capture) => first_bytes(&capture.sub, set),
        HirKind::Concat(parts) => parts.iter().all(|part| first_bytes(part, set)),
        HirKind::Alternation(branches) => {
            branches.iter().fold(false, |nullable, branch| first_bytes(branch, set) | nullable)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchored_patterns_need_a_possible_first_byte() {
        let gate = Gate::new(r"^[\s*_#>]*(?i:by|posted by)\s+\p{Lu}");
        assert!(gate.admits("By Ann Lee"));
        assert!(gate.admits("**posted by Ann"));
        assert!(!gate.admits("The port reopened."));
        // `(?i)k` also matches the Kelvin sign, whose first byte the gate lets in.
        assert!(Gate::new(r"(?i)^k").admits("\u{212A}"));
        assert!(!Gate::new(r"(?i)^k").admits("x"));
    }

    #[test]
    fn patterns_not_anchored_or_matching_nothing_let_every_line_through() {
        assert!(Gate::new(r"^\s*$").admits("x"));
        assert!(Gate::new(r"©.{0,60}(?:19|20)[0-9]{2}").admits("x"));
        assert!(Gate::new(r"^(?:a|\b)x?y?").admits("z"));
    }

    #[test]
    fn the_gate_never_refuses_a_line_the_pattern_matches() {
        let patterns = [r"^(?:\S+\s+){3}.*©\s*\w+$", r"(?i)^[\s*_|>-]*\d{1,2}:\d{2}\s*$", r"^(?:x?y|z)", r"^\p{Lu}\w+"];
        let lines = ["one two three four © Ann", "  12:30 ", "y", "z", "ab", "1:2", "© x", "Élan", "Ωmega"];
        for pattern in patterns {
            let (gate, regex) = (Gate::new(pattern), regex::Regex::new(pattern).unwrap());
            for line in lines {
                assert!(!regex.is_match(line) || gate.admits(line), "{pattern} on {line}");
            }
        }
    }
}
