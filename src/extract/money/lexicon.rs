//! The money vocabulary from `rules/money/`: currencies with their symbols, codes, names and
//! subunits; scales; qualifiers; number words. Each becomes a regex fragment for the patterns and
//! a lookup table for reading what the fragment captured.

use std::collections::HashMap;
use std::str::FromStr;

use regex::Regex;
use rust_decimal::Decimal;
use toml::Spanned;

use super::number::NumberWords;
use crate::record::Qualifier;
use crate::rules::{RuleError, RuleFile};

/// A `[[currency]]` table.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurrencyEntry {
    /// ISO 4217 code; left out for a symbol that does not say which currency it is (`kr`).
    #[serde(default)]
    pub code: Option<Spanned<String>>,
    /// The generic dollar: its code is whatever `--dollar` says (USD unless told otherwise).
    #[serde(default)]
    pub dollar: bool,
    /// Amounts are whole in practice (yen, rupiah, dong): a lone `.` or `,` before three digits
    /// groups thousands (`Rp 31.500` is 31500).
    #[serde(default)]
    pub whole: bool,
    /// Amounts have three decimals (Kuwaiti dinar, Omani rial): `423.923 KD` keeps its point.
    #[serde(default)]
    pub thousandths: bool,
    /// Symbols written next to the amount, before or after it: `$`, `US$`, `€`, `zł`.
    #[serde(default)]
    pub symbols: Vec<String>,
    /// Symbols that are letters or words in other senses (`R` of `R8`, `Q` of `Q4`): read only
    /// by the rules with the `{psym}` macro, before a figure written as a price (`R8,499`) or
    /// after one alone on its line (`200Q`). Matched as written.
    #[serde(default)]
    pub price_symbols: Vec<String>,
    /// Names written after the amount, matched case-insensitively: `dollars`, `dlrs`, `euros`.
    #[serde(default)]
    pub names: Vec<String>,
    /// Names also written before the amount (`ringgit 42`, `rupees 450 crore`), matched like
    /// `names`. Kept to names that mean nothing but money, so `won 3 games` stays no money.
    #[serde(default)]
    pub leading: Vec<String>,
    /// Subunits: `cents`, `p`, with the fraction of the main unit each is worth.
    #[serde(default)]
    pub subunits: Vec<SubunitEntry>,
    /// Informal units that mean money only in context (`grand`, `quarter`), with what each is
    /// worth in the main unit; only rules with the `{informal}` or `{counted}` macros read them.
    #[serde(default)]
    pub informal: Vec<InformalEntry>,
    /// Names or symbols of this currency that also mean something else (`pounds` of weight, the
    /// `C $` of `Plan C $5`), and the context that gives the other sense away.
    #[serde(default)]
    pub other_sense: Vec<OtherSenseEntry>,
    /// For a symbol or name that does not say which currency it is (`kr`): the currency a cue
    /// nearby (a country, a city, a code) makes it.
    #[serde(default)]
    pub resolve: Vec<ResolveEntry>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveEntry {
    /// Symbols or names of this entry (any case) that the cues resolve.
    pub forms: Vec<String>,
    pub code: String,
    /// Words matched case-sensitively as whole words: `Sweden`, `Swedish`, `SEK`.
    pub cues: Vec<String>,
}

/// A compiled [`ResolveEntry`].
#[derive(Debug)]
struct Resolver {
    forms: Vec<String>,
    currency: usize,
    cues: Regex,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InformalEntry {
    /// Words matched case-insensitively, a space or hyphen allowed before them.
    pub names: Vec<String>,
    pub factor: Spanned<String>,
    /// Whether a number alone makes it money (`five grand`; `four quarters` is a fiscal year).
    #[serde(default)]
    pub counted: bool,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtherSenseEntry {
    /// Names or symbols, as listed in `names` or `symbols` (any case), that have the other sense.
    pub names: Vec<String>,
    /// Whether `names` hold only as written: the lower-case `le` is the French article, while
    /// `LE` is only ever the Egyptian pound.
    #[serde(default)]
    pub case_sensitive: bool,
    /// A regex matching the end of the text before the name in the other sense (`weighs 20 `).
    #[serde(default)]
    pub preceded_by: Option<String>,
    /// A regex matching the start of the text after the name in the other sense (` of`).
    #[serde(default)]
    pub followed_by: Option<String>,
    /// A regex that, matching the text after the name, keeps the money sense after all
    /// (` of taxpayers' money`).
    #[serde(default)]
    pub unless_followed_by: Option<String>,
}

/// A compiled [`OtherSenseEntry`].
#[derive(Debug)]
struct OtherSense {
    /// Lower-cased unless `case_sensitive`.
    names: Vec<String>,
    case_sensitive: bool,
    preceded_by: Option<Regex>,
    followed_by: Option<Regex>,
    unless_followed_by: Option<Regex>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubunitEntry {
    /// Names written after the amount (case-insensitive), a space allowed before them: `cents`.
    #[serde(default)]
    pub names: Vec<String>,
    /// Letters and signs written right after the digits (case-sensitive): `p`, `c`, `¢`.
    #[serde(default)]
    pub attached: Vec<String>,
    pub factor: Spanned<String>,
}

/// A `[[scale]]` table: `million` and its abbreviations.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleEntry {
    pub factor: Spanned<String>,
    /// Words and abbreviations matched case-insensitively, after a space, a hyphen or nothing.
    #[serde(default)]
    pub words: Vec<String>,
    /// Letters matched case-sensitively and only right after the digits: `m`, `M`, `bn`.
    #[serde(default)]
    pub letters: Vec<String>,
    /// Letters glued to the front of a currency code: `MUSD` (millions of dollars), `kEUR`.
    #[serde(default)]
    pub code_prefixes: Vec<String>,
    /// Of `words` and `letters`, those also read after a figure glued to a one-letter symbol
    /// (`R1.5bn`, `R350m`), where the others make model names and haplogroups (`R1T`, `R1b`)
    /// or a name's next word (`R8 Grand Tour`).
    #[serde(default)]
    pub after_letter_symbol: Vec<String>,
}

/// A `[[qualifier]]` table: phrases written just before an amount that bound or soften it.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualifierEntry {
    /// The record's `qualifier` value: `approximate`, `at_least`, `at_most`.
    pub value: Qualifier,
    pub phrases: Vec<String>,
}

/// The `[rates]` table: how a rate's unit is joined to the amount before it (`per`, `a`, `/`).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatesEntry {
    /// Words or signs between the amount and the unit, matched case-insensitively.
    pub connectors: Vec<String>,
    /// Words that, right after the unit, make it a point in time rather than a rate
    /// (`$10 billion a year ago`).
    #[serde(default)]
    pub not_followed_by: Vec<String>,
}

/// A `[[unit]]` table: one unit of a rate and the ways it is written.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitEntry {
    /// The name reported in `per`.
    pub unit: String,
    /// Forms matched case-insensitively after a connector: `share`, `diluted share`.
    pub forms: Vec<String>,
    /// Words that, right after this unit, make it no rate (`a piece of cake`).
    #[serde(default)]
    pub not_followed_by: Vec<String>,
}

/// The `[minor]` table.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinorEntry {
    /// The fraction of the main unit a bare minor part counts in: hundredths.
    pub factor: Spanned<String>,
}

/// The `[number_words]` table.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberWordsEntry {
    #[serde(default)]
    pub values: HashMap<String, Spanned<String>>,
    #[serde(default)]
    pub multipliers: HashMap<String, Spanned<String>>,
    #[serde(default)]
    pub articles: Vec<String>,
    #[serde(default)]
    pub fractions: HashMap<String, Spanned<String>>,
    #[serde(default)]
    pub fillers: Vec<String>,
    /// Words between a fraction and its article: `of` (`three quarters of a million`).
    #[serde(default)]
    pub partitives: Vec<String>,
    /// The currency names and subunits an article alone counts as one of: `a dollar`, `a penny`.
    #[serde(default)]
    pub article_units: Vec<String>,
    /// Words for the decimal point, after which each word is one digit: `six point eight`.
    #[serde(default)]
    pub points: Vec<String>,
}

/// Which currency a captured symbol, code or name stands for (`None`: unknown, e.g. `kr`).
type CurrencyOf = Option<usize>;

/// Everything the money patterns can refer to, compiled.
#[derive(Debug, Default)]
pub struct Lexicon {
    /// Currency codes in use, indexed by [`CurrencyOf`].
    pub codes: Vec<String>,
    /// Currencies whose amounts are whole in practice, indexed like `codes`.
    whole: Vec<bool>,
    /// Currencies whose amounts have three decimals, indexed like `codes`.
    thousandths: Vec<bool>,
    symbols: HashMap<String, CurrencyOf>,
    /// See [`CurrencyEntry::price_symbols`].
    price_symbols: HashMap<String, CurrencyOf>,
    iso_codes: HashMap<String, CurrencyOf>,
    /// Codes that are also capitalised words (`GEL`), read only after a figure: see
    /// [`crate::extract::money::CodesEntry::after_figure`].
    word_codes: HashMap<String, CurrencyOf>,
    names: HashMap<String, CurrencyOf>,
    /// Lower-cased names that may stand before the amount; each is in `names` too.
    leading: Vec<String>,
    /// Subunit form (lower-cased when it is a name) → (currency, factor).
    subunits: HashMap<String, (CurrencyOf, Decimal)>,
    subunit_names: Vec<String>,
    subunit_attached: Vec<String>,
    /// Informal unit (lower case) → (currency, factor); see [`InformalEntry`].
    informal: HashMap<String, (CurrencyOf, Decimal)>,
    informal_names: Vec<String>,
    counted_names: Vec<String>,
    other_senses: Vec<OtherSense>,
    resolvers: Vec<Resolver>,
    /// Scale form (lower-cased for words) → factor.
    scales: HashMap<String, Decimal>,
    scale_words: Vec<String>,
    scale_letters: Vec<String>,
    /// The scale letters and (lower-cased) words also read after a one-letter symbol, from
    /// `after_letter_symbol`.
    symbol_scale_letters: Vec<String>,
    symbol_scale_words: Vec<String>,
    /// Code prefix (`M`, `k`) → factor; kept apart from the letters, as `T` in `TEUR` is thousands.
    code_prefixes: HashMap<String, Decimal>,
    /// (lower-case phrase, qualifier value), longest phrase first.
    qualifiers: Vec<(String, Qualifier)>,
    pub number_words: NumberWords,
    /// What a minor part written without its subunit counts in (`20 dollars 43`), from `[minor]`.
    pub bare_minor: Option<Decimal>,
    rate_connectors: Vec<String>,
    rate_stops: Vec<String>,
    /// Unit form (lower case) → the unit's name, and the words that may not follow it.
    rate_units: HashMap<String, (String, Vec<String>)>,
}

pub fn decimal(file: &RuleFile, raw: &Spanned<String>) -> Result<Decimal, RuleError> {
    Decimal::from_str(raw.get_ref())
        .map_err(|error| RuleError::at(file, raw.span(), format!("not a decimal number: {error}")))
}

impl Lexicon {
    /// Adds the codes that are written as codes (`USD 5m`, `5m USD`), from `[codes]`.
    pub fn add_iso_codes(&mut self, codes: &[String]) {
        for code in codes {
            let index = self.currency_index(code);
            self.iso_codes.insert(code.clone(), Some(index));
        }
    }

    /// Adds codes that are also capitalised words, read only by the rules with `{wcode}`.
    pub fn add_word_codes(&mut self, codes: &[String]) {
        for code in codes {
            let index = self.currency_index(code);
            self.word_codes.insert(code.clone(), Some(index));
        }
    }

    /// Adds codes read in lower case after a number; they are read as names, which match in
    /// any case and may be glued to the digits.
    pub fn add_lower_case_codes(&mut self, codes: &[String]) {
        for code in codes {
            let index = self.currency_index(code);
            self.names.insert(code.to_lowercase(), Some(index));
        }
    }

    pub fn add_currency(&mut self, file: &RuleFile, entry: &CurrencyEntry, dollar: &str) -> Result<(), RuleError> {
        let currency = match (&entry.code, entry.dollar) {
            (_, true) => Some(self.currency_index(dollar)),
            (Some(code), false) => Some(self.currency_index(code.get_ref())),
            (None, false) => None,
        };
        if let Some(index) = currency {
            self.whole[index] |= entry.whole;
            self.thousandths[index] |= entry.thousandths;
        }
        for symbol in &entry.symbols {
            self.symbols.insert(symbol.clone(), currency);
        }
        for symbol in &entry.price_symbols {
            self.price_symbols.insert(symbol.clone(), currency);
        }
        for name in &entry.names {
            self.names.insert(name.to_lowercase(), currency);
            // Shop and chat copy runs the words of a name together (`42 Saudiriyal`).
            if name.contains(' ') {
                self.names.insert(name.to_lowercase().replace(' ', ""), currency);
            }
        }
        for name in &entry.leading {
            self.names.insert(name.to_lowercase(), currency);
            self.leading.push(name.to_lowercase());
        }
        for subunit in &entry.subunits {
            let factor = decimal(file, &subunit.factor)?;
            for name in &subunit.names {
                self.subunits.insert(name.to_lowercase(), (currency, factor));
                self.subunit_names.push(name.to_lowercase());
            }
            for form in &subunit.attached {
                self.subunits.insert(form.clone(), (currency, factor));
                self.subunit_attached.push(form.clone());
            }
        }
        for informal in &entry.informal {
            let factor = decimal(file, &informal.factor)?;
            for name in &informal.names {
                self.informal.insert(name.to_lowercase(), (currency, factor));
                self.informal_names.push(name.to_lowercase());
                if informal.counted {
                    self.counted_names.push(name.to_lowercase());
                }
            }
        }
        for resolve in &entry.resolve {
            let currency = self.currency_index(&resolve.code);
            let cues = alternation(resolve.cues.iter().map(String::as_str), Case::Sensitive, Boundary::Letters);
            self.resolvers.push(Resolver {
                forms: resolve.forms.iter().map(|f| f.to_lowercase()).collect(),
                currency,
                cues: Regex::new(&cues).map_err(|e| RuleError::at(file, 0..0, format!("bad resolve cues: {e}")))?,
            });
        }
        for sense in &entry.other_sense {
            let compile = |regex: &Option<String>, anchor: fn(&str) -> String| {
                regex
                    .as_deref()
                    .map(|r| Regex::new(&anchor(r)))
                    .transpose()
                    .map_err(|e| RuleError::at(file, 0..0, format!("bad other_sense regex: {e}")))
            };
            self.other_senses.push(OtherSense {
                names: match sense.case_sensitive {
                    true => sense.names.clone(),
                    false => sense.names.iter().map(|n| n.to_lowercase()).collect(),
                },
                case_sensitive: sense.case_sensitive,
                preceded_by: compile(&sense.preceded_by, |r| format!("(?:{r})$"))?,
                followed_by: compile(&sense.followed_by, |r| format!("^(?:{r})"))?,
                unless_followed_by: compile(&sense.unless_followed_by, |r| format!("^(?:{r})"))?,
            });
        }
        Ok(())
    }

    /// The currency that the cue nearest to byte `at` of `text` gives `form` (a symbol or name
    /// that does not say which currency it is), looking back first and then ahead, at most
    /// [`CUE_WINDOW`] bytes either way; `None` without a resolver or a cue.
    pub fn resolve(&self, form: &str, text: &str, at: usize) -> Option<usize> {
        let form = form.trim_start_matches([' ', '\u{a0}', '-']).to_lowercase();
        let start = floor_char_boundary(text, at.saturating_sub(CUE_WINDOW));
        let end = floor_char_boundary(text, (at + CUE_WINDOW).min(text.len()));
        let window = &text[start..end];
        let at = at - start;
        self.resolvers
            .iter()
            .filter(|resolver| resolver.forms.contains(&form))
            .filter_map(|resolver| {
                // (ahead?, distance): a cue before the amount beats one after it.
                let nearest =
                    resolver
                        .cues
                        .find_iter(window)
                        .map(|cue| {
                            if cue.end() <= at {
                                (false, at - cue.end())
                            } else {
                                (true, cue.start().saturating_sub(at))
                            }
                        })
                        .min()?;
                Some((nearest, resolver.currency))
            })
            .min()
            .map(|(_, currency)| currency)
    }

    /// Whether the currency name `name`, between `before` and `after`, is meant in its other
    /// sense (`20 pounds of muscle`).
    pub fn other_sense(&self, name: &str, before: &str, after: &str) -> bool {
        let name = name.trim_start_matches([' ', '\u{a0}', '-']);
        let lower = name.to_lowercase();
        let named = |sense: &&OtherSense| match sense.case_sensitive {
            true => sense.names.iter().any(|n| n == name),
            false => sense.names.contains(&lower),
        };
        self.other_senses.iter().filter(named).any(|sense| {
            sense.preceded_by.as_ref().is_some_and(|re| re.is_match(before))
                || sense.followed_by.as_ref().is_some_and(|re| re.is_match(after))
                    && !sense.unless_followed_by.as_ref().is_some_and(|re| re.is_match(after))
        })
    }

    pub fn add_scale(&mut self, file: &RuleFile, entry: &ScaleEntry) -> Result<(), RuleError> {
        let factor = decimal(file, &entry.factor)?;
        for word in &entry.words {
            self.scales.insert(word.to_lowercase(), factor);
            self.scale_words.push(word.to_lowercase());
        }
        for letters in &entry.letters {
            self.scales.insert(letters.clone(), factor);
            self.scale_letters.push(letters.clone());
        }
        for prefix in &entry.code_prefixes {
            self.code_prefixes.insert(prefix.clone(), factor);
        }
        for form in &entry.after_letter_symbol {
            if entry.letters.contains(form) {
                self.symbol_scale_letters.push(form.clone());
            } else if entry.words.iter().any(|word| word.eq_ignore_ascii_case(form)) {
                self.symbol_scale_words.push(form.to_lowercase());
            } else {
                return Err(RuleError::at(
                    file,
                    entry.factor.span(),
                    format!("`{form}` in after_letter_symbol is none of this scale's words or letters"),
                ));
            }
        }
        Ok(())
    }

    pub fn add_qualifier(&mut self, entry: &QualifierEntry) {
        for phrase in &entry.phrases {
            self.qualifiers.push((phrase.to_lowercase(), entry.value));
        }
        self.qualifiers.sort_by_key(|(phrase, _)| std::cmp::Reverse(phrase.len()));
    }

    pub fn add_number_words(&mut self, file: &RuleFile, entry: &NumberWordsEntry) -> Result<(), RuleError> {
        let words = &mut self.number_words;
        for (target, source) in [
            (&mut words.values, &entry.values),
            (&mut words.multipliers, &entry.multipliers),
            (&mut words.fractions, &entry.fractions),
        ] {
            for (word, value) in source {
                target.insert(word.to_lowercase(), decimal(file, value)?);
            }
        }
        words.articles.extend(entry.articles.iter().map(|a| a.to_lowercase()));
        words.fillers.extend(entry.fillers.iter().map(|f| f.to_lowercase()));
        words.partitives.extend(entry.partitives.iter().map(|p| p.to_lowercase()));
        words.article_units.extend(entry.article_units.iter().map(|u| u.to_lowercase()));
        words.points.extend(entry.points.iter().map(|p| p.to_lowercase()));
        Ok(())
    }

    pub fn add_rates(&mut self, entry: &RatesEntry) {
        self.rate_connectors.extend(entry.connectors.iter().map(|c| c.to_lowercase()));
        self.rate_stops.extend(entry.not_followed_by.iter().map(|w| w.to_lowercase()));
    }

    pub fn add_unit(&mut self, entry: &UnitEntry) {
        for form in &entry.forms {
            let stops = entry.not_followed_by.iter().map(|w| w.to_lowercase()).collect();
            self.rate_units.insert(form.to_lowercase(), (entry.unit.clone(), stops));
        }
    }

    /// The regex that reads a rate's unit right after an amount, with the unit form in group 1;
    /// `None` without connectors or units.
    pub fn rate_regex(&self) -> Option<Regex> {
        if self.rate_connectors.is_empty() || self.rate_units.is_empty() {
            return None;
        }
        let connector =
            alternation(self.rate_connectors.iter().map(String::as_str), Case::Insensitive, Boundary::Letters);
        let unit = alternation(self.rate_units.keys().map(String::as_str), Case::Insensitive, Boundary::Letters);
        let pattern = format!("^[ \u{a0}]*{connector}[ \u{a0}]*({unit})(?:[^A-Za-z0-9]|$)");
        Some(Regex::new(&pattern).expect("escaped literal forms always compile"))
    }

    /// The unit of the rate written right after an amount (`after` starts at its end), if any.
    pub fn per_after<'a>(&'a self, rate: &Regex, after: &str) -> Option<&'a str> {
        let found = rate.captures(after)?;
        let form = found.get(1)?;
        let next_word = after[form.end()..].trim_start().split(|c: char| !c.is_alphanumeric()).next()?;
        let (unit, unit_stops) = self.rate_units.get(&form.as_str().to_lowercase())?;
        if self.rate_stops.iter().chain(unit_stops).any(|stop| stop.eq_ignore_ascii_case(next_word)) {
            return None;
        }
        Some(unit.as_str())
    }

    fn currency_index(&mut self, code: &str) -> usize {
        match self.codes.iter().position(|c| c == code) {
            Some(index) => index,
            None => {
                self.whole.push(false);
                self.thousandths.push(false);
                self.codes.push(code.to_string());
                self.codes.len() - 1
            }
        }
    }

    /// The regex fragment for a macro of the pattern language, without its capture group.
    /// `opens` says whether the macro opens its pattern: only there must a symbol, code or number
    /// not start inside a word. Further in, what comes before is the pattern's own (digits, a
    /// scale letter, a code), so `USD3.14`, `3.14US$` and `30 MUSD` are read.
    pub fn fragment(&self, name: &str, opens: bool) -> Option<String> {
        // What follows a symbol or code is the pattern's own (a number, a space), and the end of
        // the whole match is guarded by the grammar.
        let glued = if opens { Boundary::Start } else { Boundary::None };
        Some(match name {
            // Letters with a dollar sign (`US$`, `hk$`) say the currency in any case; other symbols
            // only in theirs (`Ft` is forints, `ft` feet).
            "sym" => format!(
                "(?:{}|{})",
                alternation(
                    self.symbols.keys().map(String::as_str).filter(|s| is_lettered_dollar(s)),
                    Case::Insensitive,
                    glued
                ),
                alternation(
                    self.symbols.keys().map(String::as_str).filter(|s| !is_lettered_dollar(s)),
                    Case::Sensitive,
                    glued
                ),
            ),
            "psym" => alternation(self.price_symbols.keys().map(String::as_str), Case::Sensitive, glued),
            "code" => alternation(self.iso_codes.keys().map(String::as_str), Case::Sensitive, glued),
            "wcode" => alternation(self.word_codes.keys().map(String::as_str), Case::Sensitive, glued),
            // After the digits a name may be glued to them (`2963yen`), as a scale is.
            "name" => alternation(
                self.names.keys().map(String::as_str),
                Case::Insensitive,
                if opens { Boundary::Letters } else { Boundary::End },
            ),
            "lead" => alternation(self.leading.iter().map(String::as_str), Case::Insensitive, Boundary::Letters),
            "informal" | "counted" => format!(
                "[ \u{a0}-]?{}",
                alternation(
                    match name {
                        "informal" => self.informal_names.iter(),
                        _ => self.counted_names.iter(),
                    }
                    .map(String::as_str),
                    Case::Insensitive,
                    Boundary::Letters
                )
            ),
            // A hyphen joins a subunit used as an adjective: `a 12-cent dividend`.
            "sub" => format!(
                "(?:{}|[ \u{a0}-]?{})",
                alternation(self.subunit_attached.iter().map(String::as_str), Case::Sensitive, Boundary::None),
                alternation(self.subunit_names.iter().map(String::as_str), Case::Insensitive, Boundary::Letters),
            ),
            "scale" => format!(
                "(?:{}|[ \u{a0}-]?{})",
                alternation(self.scale_letters.iter().map(String::as_str), Case::Sensitive, Boundary::None),
                alternation(self.scale_words.iter().map(String::as_str), Case::Insensitive, Boundary::End),
            ),
            // After a one-letter symbol a scale letter may be a model's or haplogroup's
            // (`R1T`, `R1b`): only the forms marked safe there.
            "pscale" => format!(
                "(?:{}|[ \u{a0}-]?{})",
                alternation(self.symbol_scale_letters.iter().map(String::as_str), Case::Sensitive, Boundary::None),
                alternation(self.symbol_scale_words.iter().map(String::as_str), Case::Insensitive, Boundary::End),
            ),
            "prefix" => alternation(self.code_prefixes.keys().map(String::as_str), Case::Sensitive, Boundary::None),
            "num" => match opens {
                true => format!("(?-u:\\b){NUMERAL}|{FRACTION_ONLY}"),
                false => format!("{NUMERAL}|{FRACTION_ONLY}"),
            },
            "words" => self.words_fragment(),
            "article" => {
                alternation(self.number_words.articles.iter().map(String::as_str), Case::Insensitive, Boundary::Letters)
            }
            // The minor part of an amount in two units (`and 43 cents`): two digits or words.
            "minor" => format!("[0-9]{{1,2}}|{}", self.words_fragment()),
            // The minor part as price tags write it after the unit or a broken decimal point
            // (`12€50`, `$119. 95`): exactly two digits.
            "cents" => "[0-9]{2}".to_string(),
            // A figure as a price tag writes it: with two decimals or with thousands groups.
            "price" => PRICE.to_string(),
            "face" => FACE.to_string(),
            _ => return None,
        })
    }

    /// The start of a macro's fragment where it is shorter than the fragment: what matches
    /// wherever the whole fragment does, and nowhere else (a numeral starts with its first digit,
    /// a written number with its first word). A lead made of these finds the same starts as one
    /// of the whole fragments, with a smaller automaton.
    pub fn lead_fragment(&self, name: &str, opens: bool) -> Option<String> {
        match name {
            "num" => Some(match opens {
                true => r"(?-u:\b)[0-9]|\.[0-9]".to_string(),
                false => r"[0-9]|\.[0-9]".to_string(),
            }),
            // A written number may open with digits before its decimal point (`1 point 5`).
            "words" => Some(format!("{}|[0-9]", self.number_word())),
            _ => None,
        }
    }

    /// One number word.
    fn number_word(&self) -> String {
        alternation(self.number_words.vocabulary().into_iter(), Case::Insensitive, Boundary::Letters)
    }

    /// Number words, and digits around a spoken decimal point (`1 point 5`, `one point 2`), as
    /// transcripts write a number read aloud; the parse takes digits only around the point.
    fn words_fragment(&self) -> String {
        let word = self.number_word();
        let filler = alternation(
            self.number_words.fillers.iter().chain(&self.number_words.partitives).map(String::as_str),
            Case::Insensitive,
            Boundary::Letters,
        );
        let point =
            alternation(self.number_words.points.iter().map(String::as_str), Case::Insensitive, Boundary::Letters);
        let digits = "[0-9]+(?-u:\\b)";
        format!("(?:{word}|{digits} {point})(?:[ -](?:{filler} )?(?:{word}|{digits}))*")
    }

    /// The currency a captured symbol, code, name or subunit stands for, and the subunit factor.
    pub fn currency_of(&self, kind: &str, captured: &str) -> Option<(CurrencyOf, Decimal)> {
        let captured = captured.trim_start_matches([' ', '\u{a0}', '-']);
        match kind {
            "sym" => self
                .symbols
                .get(captured)
                .or_else(|| {
                    let folded = captured.to_lowercase();
                    self.symbols
                        .iter()
                        .find(|(form, _)| is_lettered_dollar(form) && form.to_lowercase() == folded)
                        .map(|(_, c)| c)
                })
                .map(|&c| (c, Decimal::ONE)),
            "code" => {
                self.iso_codes.get(captured).or_else(|| self.word_codes.get(captured)).map(|&c| (c, Decimal::ONE))
            }
            "psym" => self.price_symbols.get(captured).map(|&c| (c, Decimal::ONE)),
            "name" | "lead" => self.names.get(&captured.to_lowercase()).map(|&c| (c, Decimal::ONE)),
            "sub" => self.subunits.get(captured).or_else(|| self.subunits.get(&captured.to_lowercase())).copied(),
            "informal" | "counted" => self.informal.get(&captured.to_lowercase()).copied(),
            _ => None,
        }
    }

    /// The factor of a captured scale (`M`, ` million`, `-billion`).
    pub fn scale_of(&self, captured: &str) -> Option<Decimal> {
        let form = captured.trim_start_matches([' ', '\u{a0}', '-']);
        self.scales.get(form).or_else(|| self.scales.get(&form.to_lowercase())).copied()
    }

    /// Whether amounts in currency `index` are whole in practice.
    pub fn is_whole(&self, index: usize) -> bool {
        self.whole[index]
    }

    /// Whether amounts in currency `index` have three decimals.
    pub fn has_thousandths(&self, index: usize) -> bool {
        self.thousandths[index]
    }

    pub fn is_symbol(&self, form: &str) -> bool {
        self.symbols.contains_key(form)
    }

    /// The factor of a captured code prefix (`M` of `MUSD`).
    pub fn prefix_of(&self, captured: &str) -> Option<Decimal> {
        self.code_prefixes.get(captured).copied()
    }

    /// The qualifier whose phrase ends `before` (the text just before an amount), if any.
    pub fn qualifier_before(&self, before: &str) -> Option<Qualifier> {
        let tail: String = {
            let trimmed = before.trim_end();
            let start = trimmed.char_indices().rev().nth(24).map_or(0, |(i, _)| i);
            trimmed[start..].to_lowercase()
        };
        self.qualifiers.iter().find_map(|(phrase, value)| {
            let rest = tail.strip_suffix(phrase.as_str())?;
            rest.chars().next_back().is_none_or(|c| !c.is_alphanumeric()).then_some(*value)
        })
    }
}

/// How far from an amount a cue that resolves its currency may be.
const CUE_WINDOW: usize = 2000;

/// The largest char boundary of `text` at or before `index`.
fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// Digits with thousands groups (`,` `.` spaces `'`), Indian grouping, and a decimal part. Dot
/// groups with a decimal comma (`2.109,00`) come first, so that the comma part is not left over.
const NUMERAL: &str = concat!(
    r"(?:[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]{1,2}",
    r"|(?:[0-9]{1,2}(?:,[0-9]{2})+,[0-9]{3}",
    r"|[0-9]{1,3}(?:(?:,[0-9]{3})+|(?:\.[0-9]{3}){2,}|(?:[ \u{a0}\u{202f}\u{2009}'’][0-9]{3})+)",
    r"|[0-9]+)(?:[.,][0-9]+)?)",
);

/// A numeral that can only be a price or a count: two decimals (`273.00`, `19,90`), or thousands
/// groups with or without them (`8,499`, `1.299,00`).
const PRICE: &str = r"[0-9]{1,3}(?:[,.][0-9]{3})+(?:[.,][0-9]{2})?|[0-9]+[.,][0-9]{2}";

/// The face value of a bill or coin: a whole number, grouped with commas if at all, so that a
/// count before it (`40 100 dollar bills`) is not taken for a thousands group.
const FACE: &str = r"[1-9][0-9]{0,2}(?:,[0-9]{3})+|[1-9][0-9]*";

/// A bare decimal part (`.5`).
const FRACTION_ONLY: &str = r"\.[0-9]+";

/// A dollar sign with letters that say which dollar (`US$`, `NZ$`).
fn is_lettered_dollar(symbol: &str) -> bool {
    symbol.contains('$') && symbol.contains(|c: char| c.is_ascii_alphabetic())
}

#[derive(Clone, Copy, PartialEq)]
enum Case {
    Sensitive,
    Insensitive,
}

#[derive(Clone, Copy, PartialEq)]
enum Boundary {
    /// Forms that begin or end with an ASCII letter must not run into other letters there.
    Letters,
    /// Only the end is guarded: the form may follow digits directly (`2.3bn`).
    End,
    /// Only the start is guarded: digits may follow the form directly (`USD3.14`).
    Start,
    None,
}

/// A regex alternation of literal forms in which a longer form wins over a shorter one it starts
/// with (`US$` over `US`), written as a trie: forms that share a beginning share one branch
/// (`U(?:S(?:D|\$)|AH)`), so that a backtracking engine resolving captures tries a few branches
/// per character instead of every form. Forms that are not prefixes of one another cannot match
/// at the same place, so only the order along a branch matters: a longer form before the end of
/// a shorter one.
fn alternation<'a>(forms: impl Iterator<Item = &'a str>, case: Case, boundary: Boundary) -> String {
    let mut forms: Vec<&str> = forms.collect();
    forms.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    forms.dedup();
    if forms.is_empty() {
        return "(?:[^\\s\\S])".to_string();
    }
    let mut trie = Trie::default();
    for form in &forms {
        trie.insert(form.chars().map(|c| match case {
            // Under `(?i)` a form and its lower case match the same text; one branch serves both.
            Case::Insensitive => single_lowercase(c),
            Case::Sensitive => c,
        }));
    }
    let flags = if case == Case::Insensitive { "?i:" } else { "?:" };
    format!("({flags}{})", trie.regex(None, boundary))
}

/// The lower case of `c` when it is one character, else `c` itself.
fn single_lowercase(c: char) -> char {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(single), None) => single,
        _ => c,
    }
}

/// A prefix tree of literal forms, children in the order their first form was inserted.
#[derive(Default)]
struct Trie {
    children: Vec<(char, Trie)>,
    /// A form ends here.
    end: bool,
}

impl Trie {
    fn insert(&mut self, mut chars: impl Iterator<Item = char>) {
        let Some(c) = chars.next() else {
            self.end = true;
            return;
        };
        let index = match self.children.iter().position(|(child, _)| *child == c) {
            Some(index) => index,
            None => {
                self.children.push((c, Trie::default()));
                self.children.len() - 1
            }
        };
        self.children[index].1.insert(chars);
    }

    /// The regex for the forms below this node; `previous` is the character leading here
    /// (`None` at the root), which decides the word-boundary guards at both ends of a form.
    fn regex(&self, previous: Option<char>, boundary: Boundary) -> String {
        let mut alternatives: Vec<String> = self
            .children
            .iter()
            .map(|(c, child)| {
                let mut alternative = String::new();
                if previous.is_none()
                    && matches!(boundary, Boundary::Letters | Boundary::Start)
                    && c.is_ascii_alphabetic()
                {
                    alternative.push_str("(?-u:\\b)");
                }
                alternative.push_str(&regex::escape(c.encode_utf8(&mut [0; 4])));
                alternative.push_str(&child.regex(Some(*c), boundary));
                alternative
            })
            .collect();
        if self.end {
            let guarded = matches!(boundary, Boundary::Letters | Boundary::End)
                && previous.is_some_and(|c| c.is_ascii_alphabetic());
            alternatives.push(if guarded { "(?-u:\\b)".to_string() } else { String::new() });
        }
        match alternatives.len() {
            1 => alternatives.pop().unwrap_or_default(),
            _ => format!("(?:{})", alternatives.join("|")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternation_puts_longer_forms_first_and_guards_letters() {
        let fragment = alternation(["$", "US$", "kr"].into_iter(), Case::Sensitive, Boundary::Letters);
        assert_eq!(fragment, r"(?:(?:(?-u:\b)US\$|(?-u:\b)kr(?-u:\b)|\$))");
    }

    #[test]
    fn alternation_shares_beginnings_and_tries_the_longer_form_first() {
        let fragment = alternation(["dlrs", "Dollar", "dollars"].into_iter(), Case::Insensitive, Boundary::End);
        assert_eq!(fragment, r"(?i:d(?:ollar(?:s(?-u:\b)|(?-u:\b))|lrs(?-u:\b)))");
        let shared = Regex::new(&format!("^{fragment}")).unwrap();
        assert_eq!(shared.find("DOLLARS.").map(|m| m.as_str()), Some("DOLLARS"));
        assert_eq!(shared.find("dollar,").map(|m| m.as_str()), Some("dollar"));
        assert!(!shared.is_match("dollarsign"));
    }

    #[test]
    fn qualifiers_are_found_at_a_word_boundary() {
        let mut lexicon = Lexicon::default();
        lexicon.add_qualifier(&QualifierEntry {
            value: Qualifier::Approximate,
            phrases: vec!["about".into(), "an estimated".into()],
        });
        lexicon.add_qualifier(&QualifierEntry { value: Qualifier::AtLeast, phrases: vec!["more than".into()] });
        assert_eq!(lexicon.qualifier_before("cost an estimated "), Some(Qualifier::Approximate));
        assert_eq!(lexicon.qualifier_before("More than "), Some(Qualifier::AtLeast));
        assert_eq!(lexicon.qualifier_before("roundabout "), None);
        assert_eq!(lexicon.qualifier_before(""), None);
    }
}
