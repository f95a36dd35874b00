//! Money: every amount an article states, with its exact decimal value and ISO 4217 currency.
//!
//! The knowledge lives in `rules/money/`: currencies (symbols, codes, names, subunits), scales,
//! qualifiers, number words, and the `[[rule]]` patterns that combine them (see the `grammar` module for the
//! pattern language). This module compiles them and reads amounts out of the kept text.
//!
//! Values are exact decimals end to end (`$1.1B` is 1100000000, never 1100000000.0000002). A `$`
//! and a bare "dollars" mean the currency given with `--dollar` (USD unless told otherwise). A
//! qualifier phrase just before the amount ("about", "more than", "up to") sets `qualifier`; a
//! minus sign right before the amount, or accounting parentheses around it, make it negative. A
//! unit written right after it (`per share`, `a month`, `/mo`) makes it a rate and sets `per`.

mod grammar;
mod lexicon;
mod number;
mod pieces;

use regex::Regex;
use rust_decimal::Decimal;

use self::grammar::{Grammar, PatternSpec, Reading};
use self::lexicon::{
    CurrencyEntry, Lexicon, MinorEntry, NumberWordsEntry, QualifierEntry, RatesEntry, ScaleEntry, UnitEntry,
};
use crate::record::MoneyItem;
use crate::rules::{self, Catalogue, Family, RuleError, RuleSource, rule_table};
use crate::span::Span;

rule_table! {
    /// A `[[rule]]` in `rules/money/`: one way of writing an amount.
    pub struct MoneyRule {
        /// The pattern, in the language described in the `grammar` module.
        pub pattern: toml::Spanned<String>,
        /// A regex that must not match the text right after the amount.
        #[serde(default)]
        pub not_followed_by: Option<String>,
        /// A regex that, matching the text right after the amount, lifts `not_followed_by`.
        #[serde(default)]
        pub unless_followed_by: Option<String>,
        /// A regex that must not match the text right before the amount.
        #[serde(default)]
        pub not_preceded_by: Option<String>,
        /// A regex that must match the text right after the amount.
        #[serde(default)]
        pub followed_by: Option<String>,
        /// A regex that must match the text right before the amount.
        #[serde(default)]
        pub preceded_by: Option<String>,
    }
}

/// The `[codes]` table: ISO 4217 codes that may be written as codes next to an amount.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodesEntry {
    pub iso_4217: Vec<String>,
    /// Codes that are also ordinary capitalised words (`ALL`, `TOP`): never read as currencies.
    #[serde(default)]
    pub excluded: Vec<String>,
    /// Withdrawn codes still found in archives and wire copy (`DEM`, `ESP`).
    #[serde(default)]
    pub historic: Vec<String>,
    /// Codes also read in lower case after a number (`140,00 pln`, `10eur`), as shop pages and
    /// chat-style copy write them: the major currencies whose codes are no English word.
    #[serde(default)]
    pub lower_case: Vec<String>,
    /// Of `excluded`, the codes read after a figure by the rules with `{wcode}` (`5 GEL`), where
    /// the context tells the code from the word (`5 GEL packs`).
    #[serde(default)]
    pub after_figure: Vec<String>,
}

/// Any file of the money family; each uses some of the tables.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoneyFile {
    #[serde(default)]
    pub rule: Vec<MoneyRule>,
    #[serde(default)]
    pub currency: Vec<CurrencyEntry>,
    #[serde(default)]
    pub codes: Option<CodesEntry>,
    #[serde(default)]
    pub scale: Vec<ScaleEntry>,
    #[serde(default)]
    pub qualifier: Vec<QualifierEntry>,
    #[serde(default)]
    pub number_words: Option<NumberWordsEntry>,
    #[serde(default)]
    pub rates: Option<RatesEntry>,
    #[serde(default)]
    pub minor: Option<MinorEntry>,
    #[serde(default)]
    pub unit: Vec<UnitEntry>,
}

/// The money extractor, compiled from `rules/money/`.
#[derive(Debug)]
pub struct MoneyExtractor {
    lexicon: Lexicon,
    grammar: Grammar,
    /// Reads the unit of a rate after an amount (`per share`); `None` without rate tables.
    rate: Option<Regex>,
    rule_ids: Vec<String>,
}

impl MoneyExtractor {
    /// Compiles the money rules; `dollar` is the ISO code a bare `$` stands for.
    pub fn compile(source: &RuleSource, catalogue: &mut Catalogue, dollar: &str) -> Result<MoneyExtractor, RuleError> {
        let files: Vec<_> = source.files(Family::Money).collect();
        let parsed: Vec<MoneyFile> = files.iter().map(|file| rules::parse(file)).collect::<Result<_, _>>()?;
        let mut lexicon = Lexicon::default();
        for (file, money) in files.iter().zip(&parsed) {
            if let Some(codes) = &money.codes {
                let usable: Vec<String> = codes
                    .iso_4217
                    .iter()
                    .chain(&codes.historic)
                    .filter(|code| !codes.excluded.contains(code))
                    .cloned()
                    .collect();
                lexicon.add_iso_codes(&usable);
                lexicon.add_lower_case_codes(&codes.lower_case);
                lexicon.add_word_codes(&codes.after_figure);
            }
            for currency in &money.currency {
                lexicon.add_currency(file, currency, dollar)?;
            }
            for scale in &money.scale {
                lexicon.add_scale(file, scale)?;
            }
            for qualifier in &money.qualifier {
                lexicon.add_qualifier(qualifier);
            }
            if let Some(words) = &money.number_words {
                lexicon.add_number_words(file, words)?;
            }
            if let Some(minor) = &money.minor {
                lexicon.bare_minor = Some(lexicon::decimal(file, &minor.factor)?);
            }
            if let Some(rates) = &money.rates {
                lexicon.add_rates(rates);
            }
            for unit in &money.unit {
                lexicon.add_unit(unit);
            }
        }
        let mut patterns = Vec::new();
        let mut located = Vec::new();
        for (file, money) in files.iter().zip(&parsed) {
            for rule in &money.rule {
                rule.register(file, catalogue)?;
                patterns.push(PatternSpec {
                    pattern: rule.pattern.get_ref(),
                    not_followed_by: rule.not_followed_by.as_deref(),
                    unless_followed_by: rule.unless_followed_by.as_deref(),
                    not_preceded_by: rule.not_preceded_by.as_deref(),
                    followed_by: rule.followed_by.as_deref(),
                    preceded_by: rule.preceded_by.as_deref(),
                });
                located.push((file, rule));
            }
        }
        let grammar = Grammar::new(&patterns, &lexicon).map_err(|(index, error)| {
            let (file, rule) = located[index];
            RuleError::at(file, rule.pattern.span(), error.0)
        })?;
        let rule_ids = located.iter().map(|(_, rule)| rule.id.get_ref().clone()).collect();
        let rate = lexicon.rate_regex();
        Ok(MoneyExtractor { lexicon, grammar, rate, rule_ids })
    }

    /// Appends the amounts found in `region` of `text` to `out`, in order.
    pub fn extract<'a>(&'a self, text: &'a str, region: Span, out: &mut Vec<MoneyItem<'a>>) {
        let slice = region.of(text);
        let mut readings = Vec::new();
        self.grammar.readings(slice, &self.lexicon, &mut readings);
        for Reading { pattern, start, end, amount, amount_max, currency, name } in readings {
            // A symbol that does not say which currency it is (`kr`) may be told by a cue nearby.
            let currency = currency.or_else(|| {
                let (name_start, name_end) = name?;
                let form = &slice[name_start..name_end];
                self.lexicon.resolve(form, text, region.start + name_start)
            });
            let mut span = Span::new(region.start + start, region.start + end);
            let minus = minus_sign_before(&text[region.start..span.start]);
            let sign = match minus {
                Some(length) => {
                    span.start -= length;
                    Decimal::NEGATIVE_ONE
                }
                None => Decimal::ONE,
            };
            let qualifier = self.lexicon.qualifier_before(&text[region.start..span.start]);
            let per = self.rate.as_ref().and_then(|rate| self.lexicon.per_after(rate, &text[span.end..region.end]));
            out.push(MoneyItem {
                span,
                text: span.of(text),
                rule: &self.rule_ids[pattern],
                amount: amount * sign,
                amount_max: amount_max.map(|max| max * sign),
                currency: currency.map(|index| self.lexicon.codes[index].as_str()),
                qualifier,
                per,
            });
        }
    }
}

/// Length of a minus sign that directly precedes an amount and starts a token (`-$5M`, `−€3bn`),
/// or `None` for a hyphen inside a word or range.
fn minus_sign_before(before: &str) -> Option<usize> {
    let sign = before.chars().next_back().filter(|&c| c == '-' || c == '\u{2212}')?;
    let rest = &before[..before.len() - sign.len_utf8()];
    rest.chars().next_back().is_none_or(|c| c.is_whitespace() || c == '(').then_some(sign.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minus_sign_only_when_it_starts_a_token() {
        assert_eq!(minus_sign_before("a swing to -"), Some(1));
        assert_eq!(minus_sign_before("−"), Some(3));
        assert_eq!(minus_sign_before("pre-"), None);
        assert_eq!(minus_sign_before("$5-"), None);
    }
}
