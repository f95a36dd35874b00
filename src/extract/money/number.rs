//! Numerals as articles write them, to exact decimals: digit strings with any of the usual
//! separators, and written-out numbers ("seventy-five", "half a").

use std::collections::HashMap;
use std::str::FromStr;

use rust_decimal::Decimal;

/// Parses a numeral such as `1,234.5`, `1.234,5`, `3,50`, `12,34,567`, `1 049,95` or `1'049.95`.
///
/// Which mark is the decimal separator is decided from the string alone: the last of `.`/`,`
/// when both occur; a lone `,` followed by exactly three digits groups thousands (English news),
/// otherwise it is a decimal comma; several `.` group thousands. Spaces, no-break and thin spaces
/// and apostrophes always group thousands.
pub fn parse_numeral(raw: &str) -> Option<Decimal> {
    let digits_only: String =
        raw.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\'' | '\u{2019}')).collect();
    let commas = digits_only.matches(',').count();
    let dots = digits_only.matches('.').count();
    let decimal_mark = match (commas, dots) {
        (0, 0) => None,
        (_, 0) => {
            let after_last = digits_only.len() - digits_only.rfind(',')? - 1;
            (commas == 1 && after_last != 3).then_some(',')
        }
        (0, _) => (dots == 1).then_some('.'),
        _ => Some(if digits_only.rfind(',')? > digits_only.rfind('.')? { ',' } else { '.' }),
    };
    let normalised: String = digits_only
        .chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            c if Some(c) == decimal_mark => Some('.'),
            _ => None,
        })
        .collect();
    Decimal::from_str(&normalised).ok()
}

/// The number words of one language, from `rules/money/numbers.toml`.
#[derive(Debug, Default)]
pub struct NumberWords {
    /// `one` → 1 … `nineteen` → 19, and the tens (`twenty` → 20 …).
    pub values: HashMap<String, Decimal>,
    /// Words that multiply what came before them within a number: `hundred` → 100.
    pub multipliers: HashMap<String, Decimal>,
    /// Articles that mean one when a multiplier or scale follows: `a`, `an`.
    pub articles: Vec<String>,
    /// Fractions written before an article: `half` (a billion) → 0.5.
    pub fractions: HashMap<String, Decimal>,
    /// Words allowed between parts and ignored: `and`.
    pub fillers: Vec<String>,
}

impl NumberWords {
    /// Every word the written-number pattern should accept.
    pub fn vocabulary(&self) -> Vec<&str> {
        let mut words: Vec<&str> = self
            .values
            .keys()
            .chain(self.multipliers.keys())
            .chain(self.fractions.keys())
            .map(String::as_str)
            .chain(self.articles.iter().map(String::as_str))
            .collect();
        words.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        words
    }

    /// The value of a written number such as `seventy-five`, `two hundred and five`, `a`,
    /// `half a`, or `None` when the words do not form one number.
    pub fn parse(&self, raw: &str) -> Option<Decimal> {
        let lower = raw.to_lowercase();
        let tokens: Vec<&str> =
            lower.split([' ', '-']).filter(|t| !t.is_empty() && !self.fillers.iter().any(|f| f == t)).collect();
        match tokens.as_slice() {
            [] => None,
            [fraction, article] if self.fractions.contains_key(*fraction) && self.is_article(article) => {
                self.fractions.get(*fraction).copied()
            }
            [article] if self.is_article(article) => Some(Decimal::ONE),
            [article, rest @ ..] if self.is_article(article) => {
                // "a hundred": the article stands for one only before a multiplier.
                let first_multiplier = self.multipliers.get(*rest.first()?)?;
                self.parse_tokens(&rest[1..], *first_multiplier)
            }
            _ => self.parse_tokens(&tokens, Decimal::ZERO),
        }
    }

    fn is_article(&self, token: &str) -> bool {
        self.articles.iter().any(|a| a == token)
    }

    /// Accumulates values left to right; a value may only follow a larger one ("twenty five",
    /// not "five twenty"), and a multiplier scales everything before it.
    fn parse_tokens(&self, tokens: &[&str], start: Decimal) -> Option<Decimal> {
        let mut total = start;
        let mut last_added: Option<Decimal> = (start > Decimal::ZERO).then_some(start);
        let mut since_multiplier = Decimal::ZERO;
        for token in tokens {
            if let Some(&value) = self.values.get(*token) {
                if let Some(previous) = last_added
                    && since_multiplier > Decimal::ZERO
                    && (previous < Decimal::from(20) || value >= Decimal::from(10))
                {
                    return None;
                }
                total += value;
                since_multiplier += value;
                last_added = Some(value);
            } else if let Some(&multiplier) = self.multipliers.get(*token) {
                if since_multiplier == Decimal::ZERO {
                    return None;
                }
                total = total - since_multiplier + since_multiplier * multiplier;
                since_multiplier = Decimal::ZERO;
                last_added = None;
            } else {
                return None;
            }
        }
        (total > Decimal::ZERO).then_some(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn separators_are_read_the_way_news_writes_them() {
        for (raw, expected) in [
            ("1,234.5", "1234.5"),
            ("1.234,5", "1234.5"),
            ("3,50", "3.50"),
            ("5,000", "5000"),
            ("12,34,567", "1234567"),
            ("1 049,95", "1049.95"),
            ("1\u{202f}049", "1049"),
            ("1'049.95", "1049.95"),
            ("1.234.567", "1234567"),
            ("1.25", "1.25"),
            ("0.35", "0.35"),
            (".5", "0.5"),
        ] {
            assert_eq!(parse_numeral(raw), Some(d(expected)), "{raw}");
        }
    }

    fn english() -> NumberWords {
        let mut words = NumberWords::default();
        for (word, value) in [("one", 1), ("two", 2), ("five", 5), ("seven", 7), ("twenty", 20), ("seventy", 70)] {
            words.values.insert(word.into(), Decimal::from(value));
        }
        words.multipliers.insert("hundred".into(), Decimal::from(100));
        words.articles = vec!["a".into(), "an".into()];
        words.fractions.insert("half".into(), d("0.5"));
        words.fillers = vec!["and".into()];
        words
    }

    #[test]
    fn written_numbers() {
        let words = english();
        assert_eq!(words.parse("Seventy-five"), Some(d("75")));
        assert_eq!(words.parse("seven"), Some(d("7")));
        assert_eq!(words.parse("two hundred and five"), Some(d("205")));
        assert_eq!(words.parse("a hundred"), Some(d("100")));
        assert_eq!(words.parse("a"), Some(d("1")));
        assert_eq!(words.parse("half a"), Some(d("0.5")));
        assert_eq!(words.parse("five twenty"), None);
        assert_eq!(words.parse("two five"), None);
        assert_eq!(words.parse("a twenty"), None);
        assert_eq!(words.parse("hundred"), None);
    }
}
