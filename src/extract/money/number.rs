//! Numerals as articles write them, to exact decimals: digit strings with any of the usual
//! separators, and written-out numbers ("seventy-five", "half a").

use std::collections::HashMap;

use rust_decimal::Decimal;

/// Parses a numeral such as `1,234.5`, `1.234,5`, `3,50`, `12,34,567`, `1 049,95` or `1'049.95`.
///
/// Which mark is the decimal separator is decided from the string and the currency: the last of
/// `.`/`,` when both occur; a lone `,` followed by exactly three digits groups thousands (English
/// news), otherwise it is a decimal comma; several `.` group thousands, and so does a lone `.`
/// before three digits in a currency whose amounts are `whole` (`Rp 31.500`). Spaces, no-break and thin spaces
/// and apostrophes always group thousands. Groups must be well formed (`1,234,567` or Indian
/// `12,34,567`, never `1,234,56`), and a number too long to hold exactly is refused rather than
/// rounded.
pub fn parse_numeral(raw: &str, whole: bool) -> Option<Decimal> {
    // Plain digits, the commonest numeral, need no separator analysis.
    if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) {
        return Decimal::from_str_exact(raw).ok();
    }
    let is_space_group = |c: char| matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\'' | '\u{2019}');
    let commas = raw.matches(',').count();
    let dots = raw.matches('.').count();
    let decimal_mark = match (commas, dots) {
        (0, 0) => None,
        (_, 0) => {
            let after_last = raw.len() - raw.rfind(',')? - 1;
            (commas == 1 && after_last != 3).then_some(',')
        }
        (0, _) => {
            let after_last = raw.len() - raw.rfind('.')? - 1;
            // `0.125` is never 125.
            let leading_zero = raw.starts_with("0.") || raw.starts_with('.');
            (dots == 1 && !(whole && after_last == 3 && !leading_zero)).then_some('.')
        }
        _ => Some(if raw.rfind(',')? > raw.rfind('.')? { ',' } else { '.' }),
    };
    let (integer, fraction) = match decimal_mark {
        Some(mark) => raw.rsplit_once(mark)?,
        None => (raw, ""),
    };
    let groups: Vec<&str> = integer.split(|c: char| c == ',' || c == '.' || is_space_group(c)).collect();
    let comma_grouped = !integer.contains(|c: char| c == '.' || is_space_group(c));
    if !(well_grouped(&groups, comma_grouped) || integer.is_empty()) || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let integer: String = groups.concat();
    let integer = if integer.is_empty() { "0" } else { integer.as_str() };
    let normalised = if fraction.is_empty() { integer.to_string() } else { format!("{integer}.{fraction}") };
    Decimal::from_str_exact(&normalised).ok()
}

/// Thousands groups (`1`, `234`, `567`) or, written with commas, Indian groups (`12`, `34`,
/// `567`): every group but the first has three digits, or the last has three and the ones
/// between have two.
fn well_grouped(groups: &[&str], indian_allowed: bool) -> bool {
    let digits = |g: &&str| g.bytes().all(|b| b.is_ascii_digit());
    match groups {
        [] => false,
        [only] => !only.is_empty() && digits(only),
        [first, rest @ .., last] => {
            let western = (1..=3).contains(&first.len()) && rest.iter().all(|g| g.len() == 3) && last.len() == 3;
            let indian = (1..=2).contains(&first.len()) && rest.iter().all(|g| g.len() == 2) && last.len() == 3;
            groups.iter().all(digits) && (western || (indian && indian_allowed))
        }
    }
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
    /// Words allowed only between a fraction and the article after it, and ignored: the `of` of
    /// `three quarters of a (million)`.
    pub partitives: Vec<String>,
    /// Units an article alone counts as one of (`a dollar`); other names after an article are
    /// adjectives or idioms (`a sterling effort`, `a quid pro quo`).
    pub article_units: Vec<String>,
    /// Words for the decimal point (`point`): the words after one are digits (`one point three`).
    pub points: Vec<String>,
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
            .chain(self.points.iter().map(String::as_str))
            .collect();
        words.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        words
    }

    /// The value of a written number such as `seventy-five`, `two hundred and five`, `a`,
    /// `half a`, or `None` when the words do not form one number.
    pub fn parse(&self, raw: &str) -> Option<Decimal> {
        let lower = raw.to_lowercase();
        let all: Vec<&str> = lower.split([' ', '-']).filter(|t| !t.is_empty()).collect();
        let is_partitive = |t: &str| self.partitives.iter().any(|p| p == t);
        for (index, token) in all.iter().enumerate() {
            let fraction_before = index > 0 && self.fractions.contains_key(all[index - 1]);
            let article_after = all.get(index + 1).is_some_and(|next| self.is_article(next));
            if is_partitive(token) && !(fraction_before && article_after) {
                return None;
            }
        }
        let tokens: Vec<&str> =
            all.into_iter().filter(|t| !self.fillers.iter().any(|f| f == t) && !is_partitive(t)).collect();
        if let Some(point) = tokens.iter().position(|t| self.points.iter().any(|p| p == t)) {
            return self.parse_decimal(&tokens[..point], &tokens[point + 1..]);
        }
        self.value(&tokens)
    }

    /// The value of the tokens of a written number, fillers and partitives left out.
    fn value(&self, tokens: &[&str]) -> Option<Decimal> {
        match tokens {
            [] => None,
            // "half a", "three quarters (of) a (million)", "a quarter (of) a": the article after a
            // fraction is the one it is a fraction of.
            [rest @ .., fraction, article] if self.fractions.contains_key(*fraction) && self.is_article(article) => {
                self.value(&tokens[..rest.len() + 1])
            }
            // "quarter (million)", "a quarter (million)", "three quarters (billion)".
            [fraction] if self.fractions.contains_key(*fraction) => self.fractions.get(*fraction).copied(),
            [article, fraction] if self.is_article(article) && self.fractions.contains_key(*fraction) => {
                self.fractions.get(*fraction).copied()
            }
            // "seven and a half (billion)": the filler is gone, the article and fraction add.
            [count @ .., article, fraction]
                if !count.is_empty() && self.is_article(article) && self.fractions.contains_key(*fraction) =>
            {
                self.parse_tokens(count, Decimal::ZERO)?.checked_add(*self.fractions.get(*fraction)?)
            }
            [count @ .., fraction] if self.fractions.contains_key(*fraction) => {
                let count = self.parse_tokens(count, Decimal::ZERO)?;
                count.checked_mul(*self.fractions.get(*fraction)?)
            }
            [article] if self.is_article(article) => Some(Decimal::ONE),
            [article, rest @ ..] if self.is_article(article) => {
                // "a hundred": the article stands for one only before a multiplier.
                let first_multiplier = self.multipliers.get(*rest.first()?)?;
                self.parse_tokens(&rest[1..], *first_multiplier)
            }
            _ => self.parse_tokens(tokens, Decimal::ZERO),
        }
    }

    /// A number written with a decimal point (`six point eight`, `zero point five`): a whole
    /// number, then one digit per word.
    fn parse_decimal(&self, whole: &[&str], digits: &[&str]) -> Option<Decimal> {
        if digits.is_empty() {
            return None;
        }
        let is_digits = |token: &str| token.bytes().all(|b| b.is_ascii_digit());
        let whole = match whole {
            [single] if self.values.get(*single).is_some_and(|v| v.is_zero()) => Decimal::ZERO,
            [single] if is_digits(single) => Decimal::from_str_exact(single).ok()?,
            _ => self.parse_tokens(whole, Decimal::ZERO)?,
        };
        // The digits read as a whole number, then scaled down by one place per digit; a word is
        // one digit, digits written as digits are as many as they are (`1 point 25`).
        let mut fraction = Decimal::ZERO;
        let mut places = 0u32;
        for token in digits {
            let spelled: Vec<Decimal> = match is_digits(token) {
                true => token.bytes().map(|b| Decimal::from(b - b'0')).collect(),
                false => vec![*self.values.get(*token).filter(|v| **v < Decimal::TEN)?],
            };
            for value in spelled {
                fraction = fraction.checked_mul(Decimal::TEN)?.checked_add(value)?;
                places += 1;
            }
        }
        fraction.set_scale(places).ok()?;
        whole.checked_add(fraction)
    }

    /// Whether `raw` is an article alone and `unit` (a currency name or subunit as captured) is
    /// not one it counts: then the words are no amount.
    pub fn bare_article_before(&self, raw: &str, unit: &str) -> bool {
        let unit = unit.trim_start_matches([' ', '\u{a0}', '-']).to_lowercase();
        self.is_article(&raw.to_lowercase()) && !self.article_units.contains(&unit)
    }

    fn is_article(&self, token: &str) -> bool {
        self.articles.iter().any(|a| a == token)
    }

    /// Accumulates values left to right; a value may only follow a larger one ("twenty five",
    /// not "five twenty"), and a multiplier scales what was added since the previous multiplier
    /// ("two hundred and five": two × 100, then five).
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
    use std::str::FromStr;

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
            assert_eq!(parse_numeral(raw, false), Some(d(expected)), "{raw}");
        }
    }

    #[test]
    fn a_whole_currency_groups_with_a_lone_dot() {
        assert_eq!(parse_numeral("31.500", true), Some(d("31500")));
        assert_eq!(parse_numeral("31.500", false), Some(d("31.5")));
        assert_eq!(parse_numeral("1.5", true), Some(d("1.5")));
        assert_eq!(parse_numeral("0.125", true), Some(d("0.125")));
    }

    #[test]
    fn malformed_groups_and_overlong_numbers_are_refused() {
        for raw in
            ["1,234,56", "1.23.456", "1,,234", "99999999999999999999999999999999", "1.00000000000000000000000000001"]
        {
            assert_eq!(parse_numeral(raw, false), None, "{raw}");
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
        words.fractions.insert("quarter".into(), d("0.25"));
        words.fractions.insert("quarters".into(), d("0.25"));
        words.values.insert("three".into(), Decimal::from(3));
        words.fillers = vec!["and".into()];
        words.partitives = vec!["of".into()];
        words.values.insert("zero".into(), Decimal::ZERO);
        words.points = vec!["point".into()];
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
        assert_eq!(words.parse("half"), Some(d("0.5")));
        assert_eq!(words.parse("a quarter"), Some(d("0.25")));
        assert_eq!(words.parse("three quarters"), Some(d("0.75")));
        assert_eq!(words.parse("seven and a half"), Some(d("7.5")));
        assert_eq!(words.parse("five twenty"), None);
        assert_eq!(words.parse("two five"), None);
        assert_eq!(words.parse("a twenty"), None);
        assert_eq!(words.parse("hundred"), None);
        assert_eq!(words.parse("three quarters of a"), Some(d("0.75")));
        assert_eq!(words.parse("a quarter of a"), Some(d("0.25")));
        assert_eq!(words.parse("half of a"), Some(d("0.5")));
        assert_eq!(words.parse("one of a"), None);
        assert_eq!(words.parse("three quarters of"), None);
    }

    #[test]
    fn written_decimals() {
        let words = english();
        assert_eq!(words.parse("one point three"), Some(d("1.3")));
        assert_eq!(words.parse("seventy-five point two five"), Some(d("75.25")));
        assert_eq!(words.parse("zero point five"), Some(d("0.5")));
        assert_eq!(words.parse("one point twenty"), None);
        assert_eq!(words.parse("point five"), None);
        assert_eq!(words.parse("one point"), None);
        assert_eq!(words.parse("a point two"), None);
        assert_eq!(words.parse("1 point 1"), Some(d("1.1")));
        assert_eq!(words.parse("12 point 25"), Some(d("12.25")));
        assert_eq!(words.parse("one point 3"), Some(d("1.3")));
        assert_eq!(words.parse("twenty 5"), None);
        assert_eq!(words.parse("1 5"), None);
        assert_eq!(words.parse("1 point"), None);
    }
}
