#!/usr/bin/env python3
"""Derive assay's entity gazetteer lists from public source tables.

Usage (from the repository root):

    python3 scripts/derive_gazetteers.py --source DIR --out rules/entities/lists

DIR must contain these tables (UTF-8, tab-separated, first line a header):

  companies.tsv        name, short_name, ticker, sources   (US listings; ODC-PDDL)
  cities.tsv           name, country, subcountry, geonameid (GeoNames cities
                       with more than 15,000 inhabitants; CC-BY-4.0)
  us_states.tsv        name, abbr
  currencies.tsv       code, name, numeric, minor_unit (ISO 4217; ODC-PDDL)
  first_names_us.txt, first_names_all.txt, surnames_us.txt, surnames_all.txt
                       one name per line (smashew/NameDatabases; Unlicense)
  english_word_logprob_top200k.tsv
                       word, log_prob: case-sensitive unigram log-probabilities
                       (spacy-lookups-data). Used only to decide which
                       surfaces are ordinary English words; common_words.tsv lists
                       those decisions, no probabilities are copied.

It writes companies.tsv, tickers.tsv, cities.tsv, us_states.tsv,
first_names.tsv, first_names_ambiguous.tsv, surnames.tsv, currency_codes.tsv and
common_words.tsv into --out; first names that are also ordinary words or
other entities (Will, Grace, Georgia) are left out of first_names.tsv, written to
first_names_ambiguous.tsv and listed by --report. The hand-written
lists already in --out (countries, demonyms, regions, organizations,
central_banks_regulators, indices, products) are read, never written: they
are used to avoid giving one surface to two lists and to check that
canonical names agree.

Standard library only; the output is deterministic (sorted, no timestamps).
Pass --report FILE to get every dropped surface with the reason, and
--check (with --out only) to validate all list files without deriving:
format, sorting, duplicates, demonym canonicals; surfaces shared by several
lists are printed for information. Sources and licences: see
rules/entities/lists/LICENSES.md.
"""

import argparse
import collections
import os
import re
import sys
import unicodedata

SCRIPT = "scripts/derive_gazetteers.py"

# ---------------------------------------------------------------------------
# Reading helpers


def read_lines(path):
    """Lines of a text file: BOM removed, CR/LF endings removed."""
    with open(path, "rb") as fh:
        text = fh.read().decode("utf-8-sig")
    return [line.rstrip("\r") for line in text.split("\n")]


def read_tsv(path):
    """Rows of a headed TSV as dicts (blank lines skipped)."""
    lines = read_lines(path)
    header = lines[0].split("\t")
    rows = []
    for line in lines[1:]:
        if not line.strip():
            continue
        cells = line.split("\t")
        cells += [""] * (len(header) - len(cells))
        rows.append(dict(zip(header, (c.strip() for c in cells))))
    return rows


def read_name_list(path):
    names = []
    for line in read_lines(path):
        name = line.strip().lstrip("\ufeff")
        if name:
            names.append(name)
    return names


def read_gazetteer(path):
    """Read one of our own list files: {surface: canonical}."""
    entries = {}
    if not os.path.exists(path):
        return None
    for line in read_lines(path):
        if not line or line.startswith("#"):
            continue
        surface, _, canonical = line.partition("\t")
        entries[surface] = canonical or surface
    return entries


# ---------------------------------------------------------------------------
# Word frequencies


class WordFreq:
    """Case-sensitive unigram log-probabilities, with ranks."""

    def __init__(self, path):
        self.lp = {}
        for i, line in enumerate(read_lines(path)):
            if i == 0 or "\t" not in line:
                continue
            word, _, prob = line.rpartition("\t")
            if not word.strip():
                continue
            try:
                self.lp[word] = float(prob)
            except ValueError:
                continue
        order = sorted(self.lp, key=lambda w: (-self.lp[w], w))
        self.rank = {w: i + 1 for i, w in enumerate(order)}

    def get(self, word):
        return self.lp.get(word)

    def common_word(self, token):
        """Reason string if `token` (one word, any case) is an ordinary
        English word that would often appear capitalised in prose (sentence
        starts, headlines), else None.

        The test compares the capitalised form with the lowercase form.
        Ordinary words are capitalised only at sentence starts, so their
        lowercase form dominates; names are mostly written capitalised.
        """
        low = token.lower()
        if low == token:
            return None
        p_low = self.lp.get(low)
        if p_low is None:
            return None
        r_low = self.rank[low]
        title = token[:1].upper() + token[1:].lower()
        caps = [p for p in (self.lp.get(token), self.lp.get(title)) if p is not None]
        if not caps:
            if r_low <= 100000:
                return "word:only-lowercase"
            return None
        d = max(caps) - p_low
        if d < 0 and r_low <= 60000:
            return "word:lowercase-more-frequent"
        if d < -1.0:
            return "word:lowercase-much-more-frequent"
        if r_low <= 20000 and d < 0.5:
            return "word:top20k-not-mainly-capitalised"
        return None

    def name_like_word(self, token):
        """Reason if a first name is also an ordinary word (looser than
        common_word: lowercase usage of real names in web text runs at
        roughly 5-15% of the capitalised form)."""
        low = token.lower()
        if low == token or low not in self.lp:
            return None
        r_low = self.rank[low]
        p_cap = self.lp.get(token)
        d = (p_cap if p_cap is not None else -30.0) - self.lp[low]
        if d < 0 and r_low <= 200000:
            return "word:lowercase-more-frequent"
        if d < 1.0 and r_low <= 50000:
            return "word:lowercase-frequent"
        if d < 1.5 and r_low <= 20000:
            return "word:top20k"
        return None


# ---------------------------------------------------------------------------
# Small text helpers

FOLD_EXTRA = {
    "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss",
    "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ı": "i", "ð": "d", "Ð": "D",
    "þ": "th", "Þ": "Th", "ħ": "h", "Ħ": "H",
    "\u2019": "'", "\u02bb": "'", "\u02bc": "'", "\u2018": "'",
}


def ascii_fold(text):
    out = []
    for ch in text:
        ch = FOLD_EXTRA.get(ch, ch)
        for c in unicodedata.normalize("NFKD", ch):
            if not unicodedata.combining(c):
                out.append(c)
    return "".join(out)


def has_letter(text):
    return any(c.isalpha() for c in text)


MONTHS_DAYS = {
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December", "Monday", "Tuesday",
    "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Spring",
    "Summer", "Autumn", "Winter", "Christmas", "Easter",
}

# Capitalised words that are titles or name particles rather than names.
TITLE_WORDS = {
    "King", "Queen", "Prince", "Princess", "Duke", "Duchess", "Earl", "Baron",
    "Lord", "Lady", "Sir", "Dame", "Pope", "Saint", "Santa", "San", "Santo",
    "General", "Major", "Captain", "Judge", "Bishop", "Sheikh", "Emir",
    "Sultan", "President", "Senator", "Governor", "Mayor", "Doctor", "Don",
    "Christian", "Muslim", "Jesus", "God", "Allah", "Buddha",
}

# ---------------------------------------------------------------------------
# Companies

LEGAL_SUFFIX = re.compile(
    r"(?:,\s*|\s+)(?:"
    r"Inc\.?|Incorporated|Corp\.?|Corporation|Co\.|Co|Company|Companies|"
    r"Ltd\.?|Limited|L\.L\.C\.|LLC|L\.P\.|LP|plc|PLC|Plc|p\.l\.c\.|"
    r"S\.A\.B\. de C\.V\.|S\.A\.|SA|S\.p\.A\.|SpA|N\.V\.|NV|AG|SE|A/S|ASA|"
    r"AB|Oyj|GmbH|KGaA|S\.E\.|Ltda\.?|S\.A\.A\.|Bhd|Tbk|"
    r"Holdings?|Group"
    r")\.?$"
)
TRAILING_JOINER = re.compile(r"(?:,|\s+&|\s+and)\s*$")

# Closed-end fund families: their listing lines are funds, not companies.
FUND_FAMILIES = (
    "BlackRock", "Blackrock", "Nuveen", "Eaton Vance", "PIMCO", "Pimco", "abrdn",
    "Aberdeen", "Western Asset", "Gabelli", "GAMCO", "Calamos", "Cohen & Steers",
    "John Hancock", "Invesco", "Templeton", "MFS", "Allspring", "Virtus",
    "Flaherty & Crumrine", "Neuberger", "DoubleLine", "Kayne Anderson", "Tortoise",
    "Clough", "Saba", "Franklin", "Putnam", "Federated Hermes", "Pioneer",
    "BNY Mellon", "Royce", "Liberty All", "Destra", "Thornburg", "DWS",
    "Guggenheim", "First Trust", "XAI", "Angel Oak", "Source Capital",
    "General American Investors", "Adams", "Ellsworth", "Bancroft",
)
# Last words of truncated fund lines ("BlackRock Multi", "Nuveen AMT").
FUND_TAIL = {
    "Multi", "Tax", "AMT", "Select", "Closed", "Risk", "Micro", "Small", "Rate",
    "Inflation", "Asia", "Dynamic", "Municipals", "MuniHoldings", "MuniYield",
    "Common", "Duration", "Floating", "Investors", "Income", "Opportunities",
    "Trust", "Portfolio", "and", "ex", "of", "&",
}

# Listing lines that describe securities other than a company's shares, or
# vehicles that are not operating companies.
NON_COMPANY = [
    (re.compile(r"\b(?:ETF|ETFs|ETN|ETNs|ETRACS|iPath|MicroSectors|Fund|Funds|"
                r"Portfolio|Leveraged|Operating Partnership)\b", re.I), "fund"),
    (re.compile(r"\b(?:Gold|Silver|Platinum|Palladium|Bitcoin|Ether|Ethereum|"
                r"Crypto|Commodity) Trust\b"), "fund"),
    (re.compile(r"\bTrust\b.*\b(?:Income|Municipal|Bond|Dividend|Opportunit\w*|"
                r"Equity|Credit|Yield|Strateg\w*|Premium|Enhanced|Quality|"
                r"Investment Grade|Total Return|Allocation|Infrastructure|"
                r"Utilit\w*|Health Sciences|Science|Tax\w*|Term|Floating|"
                r"Senior|Duration|Debt|Securities|Technology|Global|"
                r"Emerging|Preferred)\b", re.I), "fund-trust"),
    (re.compile(r"\b(?:Income|Municipal|Dividend|Bond|Debt|Credit|Yield|"
                r"Strateg\w*|Opportunit\w*|Equity|Allocation|Investment Grade|"
                r"Health Sciences|Science and Technology|Energy and Resources|"
                r"Universal|Utility|Investors|Focus)"
                r"\b.*\bTrust\b", re.I), "fund-trust"),
    (re.compile(r"\b(?:Warrants?|Rights|Units?|Preferred|Preference|"
                r"Debentures?|Notes?|Subordinated|Perpetual|Depositary Shares? "
                r"(?:each )?representing.*(?:preferred|interest))\b", re.I),
     "security"),
    (re.compile(r"%|\b\d+\.\d+\b|\bdue \d{4}\b|\b(?:STRATS|ZONES|Certificates?|Series \d)\b"),
     "security"),
    (re.compile(r"\b(?:Index|Indices)\b"), "index"),
    (re.compile(r"^Synthetic\b|\bStructured Products\b"), "security"),
]


# Families that are not listed companies themselves: a line carrying just the
# family name is a (truncated) fund line.
FUND_ONLY_FAMILIES = {
    "Nuveen", "John Hancock", "Liberty All", "PIMCO", "Pimco", "abrdn",
    "Aberdeen", "Gabelli", "Eaton Vance", "Calamos", "Western Asset",
    "Allspring", "Royce", "DoubleLine", "Templeton", "MFS", "Putnam",
    "Flaherty & Crumrine", "Destra", "Saba", "Clough", "Tortoise",
}


def fund_family_line(raw):
    """Closed-end fund lines of the big fund families, often truncated."""
    if raw in FUND_ONLY_FAMILIES:
        return True
    for fam in FUND_FAMILIES:
        if raw == fam or not raw.startswith(fam + " "):
            continue
        rest = raw[len(fam):].strip()
        if re.search(r"\bTrust\b", rest) and not re.search(
                r"\b(?:Realty|Property|Properties|Mortgage|Hospitality|"
                r"Residential|Lodging|Hotel) Trust\b", rest):
            return True
        if not LEGAL_SUFFIX.search(raw) and rest.split()[-1] in FUND_TAIL:
            return True
    return False


SHARE_NOISE = [
    re.compile(r"\s*\([^)]*\)"),                  # (Class A), (DE), (New) ...
    re.compile(r"\s*\([^)]*$"),                   # unclosed "(representing Ten"
    re.compile(r"\s+(?:Class [A-Z]\b.*|Series [A-Z]\b.*)$"),
    re.compile(r"\s+(?:Common Stock|Common Shares?|Ordinary Shares?|"
               r"American Depositary Shares?|American Depository Shares?|"
               r"Sponsored ADR|ADRs?|ADSs?|Depositary Shares?|"
               r"Registered Shares?)\b.*$", re.I),
    re.compile(r"\s+Spon\w*\b.*$"),            # "Sponsored ADR", "Sponosred"
    re.compile(r"\s+Cmn Shs\b.*$"),
    re.compile(r"\s+(?:American|Registered|Common|Ordinary)$"),
    re.compile(r"\s+\$[\d.]+ Par Value.*$"),
]

# Well-known companies whose usual name differs from what the listings give.
# Keyed by ticker; the value becomes the canonical name of every surface of
# that company.
CANONICAL_BY_TICKER = {
    "META": "Meta", "DIS": "Disney", "F": "Ford", "TM": "Toyota",
    "HON": "Honeywell", "KO": "Coca-Cola", "GOOG": "Alphabet",
    "GOOGL": "Alphabet", "BRK.B": "Berkshire Hathaway",
    "JPM": "JPMorgan Chase", "IBM": "IBM", "AMD": "AMD", "HPQ": "HP",
    "HPE": "Hewlett Packard Enterprise", "BABA": "Alibaba", "SONY": "Sony",
    "SHEL": "Shell", "UBS": "UBS", "HSBC": "HSBC", "BP": "BP",
    "LLY": "Eli Lilly", "WFC": "Wells Fargo", "MRK": "Merck", "DE": "Deere",
    "SAN": "Santander", "BSAC": "Santander Chile", "XOM": "ExxonMobil",
    "LOW": "Lowe's", "MCD": "McDonald's", "COST": "Costco", "CSCO": "Cisco",
    "VZ": "Verizon", "UBER": "Uber", "CRM": "Salesforce",
    "AMZN": "Amazon", "NVDA": "Nvidia", "TSM": "Taiwan Semiconductor Manufacturing",
    "GS": "Goldman Sachs", "MS": "Morgan Stanley", "BAC": "Bank of America",
    "C": "Citigroup", "UNH": "UnitedHealth", "PG": "Procter & Gamble",
    "CMCSA": "Comcast", "T": "AT&T", "TMUS": "T-Mobile US", "V": "Visa",
    "MA": "Mastercard", "ARM": "Arm", "BCS": "Barclays", "DB": "Deutsche Bank",
    "ORCL": "Oracle", "INTC": "Intel", "MSFT": "Microsoft", "AAPL": "Apple",
    "TSLA": "Tesla", "NFLX": "Netflix", "AVGO": "Broadcom", "QCOM": "Qualcomm",
    "MU": "Micron", "PLTR": "Palantir", "SMCI": "Super Micro Computer",
    "DELL": "Dell", "CRWV": "CoreWeave", "SNOW": "Snowflake",
    "BBVA": "BBVA", "ASML": "ASML", "RTX": "RTX", "MMM": "3M",
    "GE": "GE Aerospace", "GM": "General Motors", "BA": "Boeing",
    "CME": "CME Group", "CBRS": "Cerebras", "ING": "ING", "MUFG": "MUFG",
    "MFG": "Mizuho", "NXPI": "NXP", "NYT": "The New York Times",
    "PDD": "PDD Holdings", "SKHY": "SK Hynix", "CRCL": "Circle",
    "LYG": "Lloyds Banking Group", "NWG": "NatWest", "NMR": "Nomura",
    "NOK": "Nokia", "SAP": "SAP", "GSK": "GSK", "BHP": "BHP",
    "RIO": "Rio Tinto", "UL": "Unilever", "NVO": "Novo Nordisk",
    "INFY": "Infosys", "EQNR": "Equinor", "SPOT": "Spotify", "VOD": "Vodafone",
    "HMC": "Honda Motor", "KKR": "KKR", "COIN": "Coinbase",
    "HOOD": "Robinhood", "JEF": "Jefferies", "RJF": "Raymond James",
    "PIPR": "Piper Sandler", "BN": "Brookfield", "MSTR": "Strategy",
    "WMT": "Walmart", "TGT": "Target", "GAP": "Gap", "XYZ": "Block",
}

# Extra surfaces for well-known companies (own knowledge): surface -> ticker.
EXTRA_SURFACES = {
    "Micron": "MU", "Palantir": "PLTR", "Disney": "DIS", "Walt Disney Co.": "DIS",
    "Ford Motor Co.": "F", "Exxon": "XOM", "Exxon Mobil": "XOM",
    "Cisco": "CSCO", "Costco": "COST", "Verizon": "VZ", "Uber": "UBER",
    "Honeywell": "HON", "Toyota": "TM", "Sony": "SONY", "Shell": "SHEL",
    "Alibaba": "BABA", "Alibaba Group": "BABA", "Eli Lilly": "LLY",
    "Wells Fargo": "WFC", "Merck": "MRK", "Deere": "DE", "John Deere": "DE",
    "Lowe's": "LOW", "Coca-Cola": "KO", "Coca-Cola Co.": "KO",
    "JPMorgan Chase": "JPM", "JPMorgan Chase & Co.": "JPM",
    "Berkshire Hathaway": "BRK.B", "Dell": "DELL", "Meta": "META",
    "Block Inc.": "XYZ", "Nvidia": "NVDA", "Target Corp.": "TGT",
    "MicroStrategy": "MSTR",
    "Gap Inc.": "GAP",
}

# Surfaces kept although the frequency test calls them ordinary words: the
# company reading dominates in business text (judgment, see LICENSES.md).
KEEP_DESPITE_WORD = {
    "Uber", "Visa", "Meta", "Shell", "Oracle", "Amazon", "Apple", "Alphabet",
    "Caterpillar", "Reddit", "Snowflake", "Workday", "Cognizant",
}

# Surfaces dropped although they pass the tests (judgment): person names
# more often than companies in news, or junk forms from the listings.
COMPANY_DROP = {
    "Coca", "Abbott", "Deere &", "Merck &", "Wells Fargo &", "Eli Lilly and",
    "Walt Disney", "Johnson", "Stanley", "Morgan", "Schwab", "Lilly",
    "Sachs", "Wells", "Chase", "Dollar", "Trump", "Hertz", "Dillard's",
    "Cooper", "Dover", "Everest", "Hartford", "Rollins", "McCormick",
}


def is_acronym_like(token, freq):
    """True if an ALL-CAPS token reads as an acronym (keep it in caps)."""
    letters = [c for c in token if c.isalpha()]
    if len(letters) < 5 or not token.isupper():
        return True
    title = token[:1] + token[1:].lower()
    p_title, p_caps = freq.get(title), freq.get(token)
    if p_title is not None and (p_caps is None or p_title >= p_caps):
        return False
    if p_caps is not None and p_title is None:
        return True
    word = "".join(letters).upper()
    vowels = sum(1 for c in word if c in "AEIOUY")
    if vowels / len(word) < 0.3:
        return True
    if re.search(r"[^AEIOUY]{4,}", word):
        return True
    return False


def title_variant(surface, freq):
    """`NVIDIA Corporation` -> `Nvidia Corporation` (None if no change)."""
    out, changed = [], False
    for tok in surface.split(" "):
        core = re.sub(r"[^A-Za-z]", "", tok)
        if len(core) >= 5 and core.isupper() and tok.isupper() and \
                not is_acronym_like(core, freq) and "." not in tok:
            tok = re.sub(r"[A-Z]+", lambda m: m.group(0)[0] + m.group(0)[1:].lower(), tok)
            changed = True
        out.append(tok)
    return " ".join(out) if changed else None


def clean_listing_name(raw):
    name = re.sub(r"\s+", " ", raw).strip()
    # "Brookfield Infrastructure Corporation Brookfield Infrastructure Corporation"
    half = name.split(" ")
    if len(half) % 2 == 0 and half[:len(half) // 2] == half[len(half) // 2:]:
        name = " ".join(half[:len(half) // 2])
    for pat in SHARE_NOISE:
        name = pat.sub("", name)
    name = re.sub(r"\s+", " ", name).strip()
    name = re.sub(r"\b(Corporation|Company|Incorporated|Limited)\.$", r"\1", name)
    name = name.rstrip(",").strip()
    return name


GROUPING_SUFFIX = re.compile(r"\s+(?:Group|Holdings?)$")


def strip_chain(name, freq):
    """All names obtained by repeatedly removing legal-form suffixes.

    "Group"/"Holdings" stay when removing them would leave a name ending in
    an ordinary word ("Lloyds Banking Group", "Match Group").
    """
    chain = [name]
    cur = name
    while True:
        nxt = LEGAL_SUFFIX.sub("", cur)
        nxt = TRAILING_JOINER.sub("", nxt).strip()
        if nxt == cur or not nxt or len(nxt) < 2:
            break
        if GROUPING_SUFFIX.search(cur) and not LEGAL_SUFFIX.search(nxt):
            last = nxt.split()[-1]
            if freq.common_word(last):
                break
        chain.append(nxt)
        cur = nxt
    return chain


class UnionFind:
    def __init__(self):
        self.parent = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


def derive_companies(rows, freq, names, other_lists, place_names, log):
    """Returns (companies {surface: canonical}, tickers {ticker: canonical})."""
    first_names, surnames = names
    all_tickers = {r["ticker"] for r in rows if r.get("ticker")}

    # 1. Clean each listing line; drop non-companies.
    items = []  # (row index, ticker, sources, cleaned full name, chain)
    for i, r in enumerate(rows):
        raw = r["name"]
        reason = None
        for pat, why in NON_COMPANY:
            if pat.search(raw):
                reason = why
                break
        if not reason and fund_family_line(re.sub(r"\s+", " ", raw).strip()):
            reason = "fund-family"
        if not reason and r["sources"] in ("nyse_arca", "cboe_bzx") and \
                not LEGAL_SUFFIX.search(raw):
            reason = "exchange-traded-product"
        if reason:
            log("companies", raw, "line:" + reason)
            continue
        full = clean_listing_name(raw)
        if not full or not has_letter(full):
            log("companies", raw, "line:empty-after-cleaning")
            continue
        chain = strip_chain(full, freq)
        # Listings give "Amazon.com, Inc.": also try without ".com".
        common = chain[-1]
        if re.search(r"\.com$", common, re.I) and len(common) > 7:
            chain.append(common[:-4])
        if common.startswith("The "):
            chain.append(common[4:])
        items.append((i, r["ticker"], r["sources"], full, chain))

    # 2. Group listing lines into companies: same ticker or same cleaned name.
    uf = UnionFind()
    for i, ticker, _, full, chain in items:
        uf.find(("row", i))
        if ticker:
            uf.union(("row", i), ("ticker", ticker))
        uf.union(("row", i), ("name", full))
    groups = collections.defaultdict(list)
    for item in items:
        groups[uf.find(("row", item[0]))].append(item)

    # 3. Canonical name per group.
    def canonical_for(group):
        for _, ticker, _, _, _ in sorted(group):
            if ticker in CANONICAL_BY_TICKER:
                return CANONICAL_BY_TICKER[ticker]
        sp = [it for it in group if "sp500" in it[2].split(",")]
        pool = sp or group
        cands = sorted({it[4][-1] for it in pool},
                       key=lambda c: (len(c.split()), len(c), c))
        best = cands[0]
        tv = title_variant(best, freq)
        return tv or best

    surface_map = collections.defaultdict(set)   # surface -> {canonical}
    anchored = set()                              # surfaces carrying a legal suffix
    in_sp500 = set()                              # surfaces of S&P 500 companies
    ticker_map = {}
    ticker_rank = {}
    token_df = collections.Counter()              # token -> number of companies

    group_list = sorted(groups.values(), key=lambda g: min(it[0] for it in g))
    group_canon = []
    for group in group_list:
        canon = canonical_for(group)
        group_canon.append(canon)
        toks = set()
        for it in group:
            toks.update(it[4][-1].split())
        for t in toks:
            token_df[t] += 1

    for group, canon in zip(group_list, group_canon):
        fulls = {it[3] for it in group}
        sp = any("sp500" in it[2].split(",") for it in group)
        sp_tickers = {it[1] for it in group if "sp500" in it[2].split(",")}
        tickers_here = {it[1] for it in group if it[1]}
        if sp:
            in_sp500.add(canon)
        for _, ticker, sources, full, chain in group:
            # Listings sometimes cut names short ("Coca" for Coca-Cola,
            # "Sherwin" for Sherwin-Williams): no surfaces from those lines.
            truncated = "sp500" not in sources.split(",") and \
                not LEGAL_SUFFIX.search(full) and any(
                f != full and (f.startswith(full + " ") or f.startswith(full + "-"))
                for f in fulls) and not any(
                full in it[4] for it in group if it[3] != full)
            if truncated:
                log("companies", full, "line:truncated-name")
                chain = []
            forms = []
            for k, form in enumerate(chain):
                forms.append((form, k < len(chain) - 1 and
                              LEGAL_SUFFIX.search(form) is not None))
                if "," in form:
                    forms.append((re.sub(r",\s*", " ", form),
                                  LEGAL_SUFFIX.search(form) is not None))
            for form, is_anchored in list(forms):
                tv = title_variant(form, freq)
                if tv:
                    forms.append((tv, is_anchored))
            for form, is_anchored in forms:
                surface_map[form].add(canon)
                if is_anchored:
                    anchored.add(form)
                if sp:
                    in_sp500.add(form)
            # Tickers: drop warrants/units/rights/preferred/notes lines
            # (5-letter NASDAQ codes whose 4-letter stem is the same company).
            if ticker:
                t_reason = None
                if not re.fullmatch(r"[A-Z][A-Z0-9]*(?:[.\-][A-Z0-9]+)?", ticker):
                    t_reason = "ticker:format"
                elif sp_tickers and ticker not in sp_tickers:
                    # S&P 500 company: its index tickers are the common shares;
                    # other symbols are notes or preferred (AT&T "TBB").
                    t_reason = "ticker:not-the-index-share-class"
                elif ticker not in sp_tickers and any(
                        t != ticker and ticker.startswith(t) and len(t) >= 2
                        for t in tickers_here):
                    # "ADAMZ", "CLSKW": suffixed symbols of the same company.
                    t_reason = "ticker:non-common-share-class"
                if t_reason:
                    log("tickers", ticker, t_reason)
                    continue
                prio = (0 if "sp500" in sources.split(",") else 1, len(canon), canon)
                if ticker in ticker_map and ticker_map[ticker] != canon:
                    if prio < ticker_rank[ticker]:
                        log("tickers", ticker + " -> " + ticker_map[ticker],
                            "ticker:conflict-lost")
                        ticker_map[ticker], ticker_rank[ticker] = canon, prio
                    else:
                        log("tickers", ticker + " -> " + canon, "ticker:conflict-lost")
                    continue
                ticker_map[ticker] = canon
                ticker_rank[ticker] = prio

    for surface, ticker in EXTRA_SURFACES.items():
        canon = CANONICAL_BY_TICKER.get(ticker)
        if canon and ticker in ticker_map:
            surface_map[surface].add(canon)
            anchored.add(surface)  # hand-checked
            in_sp500.add(surface)
    # Canonical names themselves are surfaces too (e.g. "Nvidia").
    for canon in set(group_canon):
        surface_map[canon].add(canon)

    # 4. Filter surfaces.
    ctx = dict(freq=freq, first_names=first_names, surnames=surnames,
               all_tickers=all_tickers, token_df=token_df,
               other_lists=other_lists, place_names=place_names)
    result = {}
    for surface in sorted(surface_map):
        canons = surface_map[surface]
        canon = sorted(canons, key=lambda c: (len(c), c))[0]
        reason = company_surface_reason(surface, surface in anchored,
                                        surface in in_sp500, ctx)
        if reason:
            log("companies", surface, reason)
            continue
        if len(canons) > 1:
            log("companies", surface + " -> " + " | ".join(sorted(canons)),
                "ambiguous:kept-shortest-canonical")
        result[surface] = canon
    return result, ticker_map


# Words that make up generic company names ("First Bank", "Quantum
# Computing", "Data Storage"): a two-word surface made only of these reads as
# ordinary prose, not a name, unless the company is in the S&P 500. Corporate
# designators (Bancorp, Holdings, Group, Trust, Therapeutics ...) are not in
# the set: a surface ending in one of them is a name.
GENERIC_WORDS = set("""
First National Global American United International Capital Financial Bank
Community Services Service Solutions Systems Technology Technologies
Partners Resources Energy Health Healthcare Data Information Research Public
Policy Life Time Quantum Computing Media Core AI Live Interactive
Institutions Investors Storage Brands Digital Real Estate Income Growth
Value Management Insurance Mortgage Finance Credit Properties Property
Investment Investments Acquisition Acquisitions Ventures Innovation
Innovations Strategic Education Standard Security Securities Network
Networks Communications Software Science Sciences Bio Medical Power Water
Oil Gas Gold Silver Mining Metals Minerals Materials Products Consumer
Retail Marketing Logistics Transport Infrastructure Development Construction
Home Homes Housing Residential Commercial Industrial Enterprise Enterprises
Business Office Care Clinical Diagnostics Devices Precision Advanced
Integrated Smart Green Blue Clean Renewable Solar Wind Nuclear Electric Fuel
Fuels Air Space Aerospace Defense North South East West Northern Southern
Eastern Western Central Pacific Atlantic New Great Big Open One Next Future
Modern Creative Focus Strength Ways Multi Title Line Stage Garden Park Star
Sun Planet Alliance Royalty Equity Diversified Institute Oncology Vehicle
Entertainment Sports Games Gaming Foods Food Beverage Beverages Worldwide
America Americas Vision Horizon Point Summit Bridge Light Mobile Wireless
Cloud Cyber Robotics Automation Dynamics Signal Direct Select Premier Prime
Pro Plus Max Total Universal General of and the & for
""".split())


def company_surface_reason(surface, is_anchored, is_sp500, ctx):
    freq = ctx["freq"]
    if surface in COMPANY_DROP:
        return "hand:drop"
    letters = sum(1 for c in surface if c.isalpha())
    if letters < 3 or len(surface) < 3:
        return "short"
    if not re.search(r"[A-Za-z]", surface):
        return "no-latin-letter"
    if surface in ctx["other_lists"]:
        return "owned-by:" + ctx["other_lists"][surface]
    toks = surface.split()
    if toks[-1].lower() in ("of", "and", "&", "the", "for", "ex", "de"):
        return "truncated"
    if is_anchored:
        return None
    if len(toks) == 1:
        tok = toks[0]
        caps = re.sub(r"[^A-Za-z]", "", tok)
        if caps.isupper() and tok in ctx["all_tickers"] and len(tok) <= 5 and \
                not is_sp500:
            return "ticker-shaped"
        if re.fullmatch(r"[A-Z]{3,4}", tok) and not is_sp500:
            return "short-acronym"
        if tok in KEEP_DESPITE_WORD:
            return None
        if tok in MONTHS_DAYS or tok in TITLE_WORDS:
            return "calendar-or-title"
        camel = re.search(r"[a-z][A-Z]", tok) or tok[:1].islower()
        if not camel:
            why = freq.common_word(tok)
            if why:
                return why
            if ctx["token_df"][tok] >= 4 and tok.lower() in freq.lp:
                return "generic-name-part(df=%d)" % ctx["token_df"][tok]
        if tok in ctx["first_names"]:
            return "person:first-name"
        if tok in ctx["surnames"] and not is_sp500:
            return "person:surname"
        if tok in ctx["place_names"] and not is_sp500:
            return "place-name"
        return None
    content = [t for t in toks if t not in ("of", "and", "the", "&", "for")]
    if not is_sp500 and len(content) <= 2 and all(t in GENERIC_WORDS for t in toks):
        return "generic-phrase"
    return None


# ---------------------------------------------------------------------------
# Cities

# World capitals and major cities (own list, general knowledge), kept
# whatever the filters say. One city per line: canonical English name, then
# other surfaces, separated by "|". Capitals or big cities whose names are
# also very common first names, surnames or words are left out on purpose
# (e.g. Jackson, Lincoln, Madison, Victoria, Hamilton, Male, Reading, Split,
# Florence).
MAJOR_CITIES_TEXT = """
# United States
New York City|NYC|New York, N.Y.
Los Angeles
Chicago
Houston
Phoenix
Philadelphia
San Antonio
San Diego
Dallas
Austin
San Jose
San Francisco
Seattle
Denver
Boston
Atlanta
Miami
Detroit
Minneapolis
Saint Paul|St. Paul
Nashville
Charlotte
Las Vegas
Portland
Baltimore
Pittsburgh
Cleveland
Cincinnati
Columbus
Indianapolis
Milwaukee
Kansas City
St. Louis|Saint Louis
Salt Lake City
Sacramento
Oakland
Orlando
Tampa
Jacksonville
Raleigh
Durham
New Orleans
Omaha
Fort Worth
El Paso
Arlington
Tucson
Fresno
Mesa
Colorado Springs
Long Beach
Virginia Beach
Tulsa
Wichita
Bakersfield
Anaheim
Santa Ana
Riverside
Corpus Christi
Lexington
Newark
Greensboro
Plano
Lubbock
Scottsdale
Glendale
Reno
Norfolk
Chesapeake
Irvine
Boise
Spokane
Rochester
Des Moines
Tacoma
Huntsville
Grand Rapids
Knoxville
Worcester
Providence
Chattanooga
Akron
Dayton
Memphis
Louisville
Albuquerque
Oklahoma City
Baton Rouge
Little Rock
Birmingham
Honolulu
Anchorage
Albany
Hartford
Stamford
Greenwich
Trenton
Annapolis
Richmond
Charleston
Tallahassee
Harrisburg
Juneau
Topeka
Lansing
Frankfort
Santa Fe
Carson City
Jefferson City
Montpelier
Ann Arbor
Berkeley
Princeton
Pasadena
Boulder
Burbank
Hollywood
Santa Monica
Beverly Hills
Malibu
Brooklyn
Manhattan
Bronx|The Bronx
Harlem
Miami Beach
Fort Lauderdale
Boca Raton
West Palm Beach
Palm Beach
Palo Alto
Mountain View
Menlo Park
Cupertino
Santa Clara
Sunnyvale
San Mateo
Redwood City
Foster City
South San Francisco
Milpitas
Fremont
Redmond
Bellevue
Bentonville
Dearborn
Tempe
Round Rock
The Woodlands
Armonk
Purchase
Cambridge
Oxford
# Canada
Toronto
Montreal|Montréal
Vancouver
Calgary
Ottawa
Edmonton
Winnipeg
Quebec City|Québec City
Halifax
Mississauga
Waterloo
Kitchener
Saskatoon
# Latin America and the Caribbean
Mexico City
Monterrey
Guadalajara
Tijuana
Puebla
Cancún|Cancun
Querétaro|Queretaro
São Paulo|Sao Paulo
Rio de Janeiro
Brasília|Brasilia
Belo Horizonte
Porto Alegre
Curitiba
Recife
Fortaleza
Manaus
Campinas
Buenos Aires
Córdoba|Cordoba
Santiago
Valparaíso|Valparaiso
Lima
Arequipa
Cusco|Cuzco
Bogotá|Bogota
Medellín|Medellin
Cali
Barranquilla
Cartagena
Caracas
Maracaibo
Quito
Guayaquil
La Paz
Sucre
Montevideo
Asunción|Asuncion
Havana
Panama City
San Juan
Kingston
Nassau
Port-au-Prince
Santo Domingo
Guatemala City
San Salvador
Tegucigalpa
Managua
San José|San Jose, Costa Rica
Belmopan
Paramaribo
Georgetown
Port of Spain
Bridgetown
Castries
Roseau
Basseterre
# Europe
London
Paris
Berlin
Madrid
Rome
Milan
Frankfurt|Frankfurt am Main
Munich|München
Hamburg
Cologne|Köln
Düsseldorf|Dusseldorf
Stuttgart
Dortmund
Leipzig
Dresden
Hanover|Hannover
Nuremberg|Nürnberg
Bremen
Bonn
Mannheim
Karlsruhe
Heidelberg
Wolfsburg
Ingolstadt
Zurich|Zürich
Geneva
Basel
Bern
Lausanne
Lugano
Zug
Davos
Vienna
Salzburg
Graz
Linz
Innsbruck
Amsterdam
Rotterdam
The Hague
Utrecht
Eindhoven
Groningen
Brussels
Antwerp
Ghent
Liège|Liege
Luxembourg City
Dublin
Cork
Edinburgh
Glasgow
Aberdeen
Manchester
Liverpool
Leeds
Sheffield
Bristol
Newcastle|Newcastle upon Tyne
Nottingham
Leicester
Coventry
Southampton
Brighton
Milton Keynes
Cardiff
Swansea
Belfast
Lisbon
Porto
Barcelona
Valencia
Seville
Bilbao
Málaga|Malaga
Zaragoza
Copenhagen
Aarhus|Århus
Stockholm
Gothenburg
Malmö|Malmo
Uppsala
Oslo
Bergen
Trondheim
Stavanger
Helsinki
Espoo
Tampere
Turku
Oulu
Reykjavik|Reykjavík
Warsaw
Kraków|Krakow
Gdańsk|Gdansk
Wrocław|Wroclaw
Poznań|Poznan
Łódź|Lodz
Katowice
Prague
Brno
Budapest
Bratislava
Ljubljana
Zagreb
Belgrade
Sarajevo
Podgorica
Skopje
Tirana
Pristina
Sofia
Plovdiv
Varna
Bucharest
Cluj-Napoca
Timișoara|Timisoara
Chișinău|Chisinau
Kyiv|Kiev
Kharkiv|Kharkov
Odesa|Odessa
Lviv
Dnipro
Mariupol
Minsk
Vilnius
Riga
Tallinn
Moscow
Saint Petersburg|St. Petersburg
Novosibirsk
Yekaterinburg
Kazan
Nizhny Novgorod
Vladivostok
Sochi
Murmansk
Kaliningrad
Athens
Thessaloniki
Piraeus
Nicosia
Limassol
Valletta
Istanbul
Ankara
Izmir
Antalya
Bursa
Lyon
Marseille
Toulouse
Bordeaux
Nantes
Strasbourg
Montpellier
Lille
Rennes
Grenoble
Turin
Naples
Venice
Bologna
Genoa
Palermo
Verona
Tbilisi
Yerevan
Baku
Andorra la Vella
Vaduz
# Middle East and Africa
Dubai
Abu Dhabi
Sharjah
Doha
Riyadh
Jeddah
Mecca|Makkah
Medina|Madinah
Dammam
Neom|NEOM
Kuwait City
Manama
Muscat
Tehran
Isfahan
Mashhad
Baghdad
Basra
Mosul
Erbil
Damascus
Aleppo
Homs
Beirut
Amman
Jerusalem
Tel Aviv
Haifa
Ramallah
Sanaa|Sana'a
Aden
Cairo
Alexandria
Giza
Port Said
Casablanca
Rabat
Marrakesh|Marrakech
Tangier
Algiers
Oran
Tunis
Tripoli
Benghazi
Khartoum
Addis Ababa
Nairobi
Mombasa
Kampala
Kigali
Dar es Salaam
Dodoma
Zanzibar
Lagos
Abuja
Kano
Ibadan
Port Harcourt
Accra
Kumasi
Dakar
Abidjan
Kinshasa
Lubumbashi
Goma
Luanda
Lusaka
Harare
Bulawayo
Maputo
Johannesburg
Cape Town
Pretoria
Durban
Soweto
Stellenbosch
Windhoek
Gaborone
Antananarivo
Port Louis
Bamako
Niamey
Ouagadougou
Conakry
Freetown
Monrovia
Lomé|Lome
Cotonou
Porto-Novo
Yaoundé|Yaounde
Douala
Libreville
Brazzaville
Bangui
N'Djamena
Juba
Asmara
Mogadishu
Lilongwe
Maseru
Mbabane
Nouakchott
Bujumbura
Gitega
Malabo
Banjul
Bissau
Praia
Moroni
# Asia and Oceania
Tokyo
Osaka
Yokohama
Nagoya
Kyoto
Sapporo
Fukuoka
Sendai
Hiroshima
Nagasaki
Seoul
Busan
Incheon
Daegu
Daejeon
Gwangju
Suwon
Pyeongtaek
Pyongyang
Beijing
Shanghai
Shenzhen
Guangzhou
Hangzhou
Chengdu
Wuhan
Tianjin
Chongqing
Nanjing
Suzhou
Wuxi
Ningbo
Xiamen
Hefei
Xi'an|Xian
Shenyang
Harbin
Changchun
Dalian
Qingdao
Jinan
Zhengzhou
Changsha
Nanchang
Fuzhou
Kunming
Guiyang
Nanning
Lanzhou
Urumqi|Ürümqi
Lhasa
Hohhot
Shijiazhuang
Taiyuan
Dongguan
Foshan
Zhuhai
Taipei
Hsinchu
Taichung
Tainan
Kaohsiung
Mumbai|Bombay
New Delhi
Delhi
Bengaluru|Bangalore
Hyderabad
Chennai
Kolkata|Calcutta
Pune
Ahmedabad
Jaipur
Lucknow
Kanpur
Surat
Indore
Bhopal
Nagpur
Visakhapatnam
Kochi
Coimbatore
Thiruvananthapuram
Chandigarh
Amritsar
Varanasi
Agra
Gurugram|Gurgaon
Noida
Karachi
Lahore
Islamabad
Rawalpindi
Faisalabad
Peshawar
Dhaka
Chittagong|Chattogram
Kathmandu
Colombo
Kabul
Kandahar
Tashkent
Samarkand
Almaty
Astana
Bishkek
Dushanbe
Ashgabat
Ulaanbaatar|Ulan Bator
Bangkok
Chiang Mai
Phuket
Pattaya
Hanoi
Ho Chi Minh City|Saigon
Da Nang
Haiphong|Hai Phong
Phnom Penh
Vientiane
Yangon|Rangoon
Mandalay
Naypyidaw
Kuala Lumpur
Johor Bahru
Penang|George Town
Cyberjaya
Jakarta
Surabaya
Bandung
Medan
Manila
Quezon City
Cebu|Cebu City
Davao|Davao City
Bandar Seri Begawan
Dili
Thimphu
Sydney
Melbourne
Brisbane
Perth
Adelaide
Canberra
Hobart
Gold Coast
Auckland
Wellington
Christchurch
Port Moresby
Suva
Apia
Honiara
Port Vila
Nuku'alofa
"""

# GeoNames names that are mainly something else in English text: people,
# brands, events, clubs, fictional places, words of other languages.
# Own judgment after reviewing the frequent ones.
CITY_DROP = set("""
Obama Republic Kobe Kanye Naruto Olympic Vista Mustang Bama Vulcan Atlantis
Naga Commonwealth Hola Ajax Fuji Eureka Mandela Dalai Keystone Columbine
Coachella Pontiac Hitachi Sparta Baja Marlboro Benfica Uptown Pandaria
Fiddlesticks Yukon Woodstock Concord Wimbledon Kaka Gumi Wembley Morsi Soma
Confederation Nagato Fords Centurion Essendon Astoria Erlang Centennial Tenno
Kamina Evergreen Hillsborough Caterham Buckeye Nederland Euclid Talladega
Durango Kuda Shiki Saki Argos Wacha Seaside Mongo Claremont Potomac Mifune
Saratoga Daigo Sweetwater Kasumi Algonquin Rayleigh Hikari Andalucía Kobo
Portage Chekhov Edea Woodlands Taylors Vite Masai Sachin Trafalgar Azusa
Utena Lakota Zouma Kropotkin Gummi Antelope Bayside Sycamore Norco Croix
Vicar Tigre Woodlawn Grapevine Shenandoah Itami Falun Foligno Amagi Amla
Ampere Altos Arys Asahi Basi Bati Bedi Beli Beltline Bondo Capela Caracal
Carnot Carrefour Cerro Chiari Cirie Clydesdale Cocos Cognac Colonia
Constitución Damiao Daru Dinar Eldorado Florsheim Fria Fujin García Gare
Garzón Gorgonzola Guapo Hansi Hexing Hino Hojo Indi Kantai Kelo Kumo Moana
Moshi Nagar Noord Papaya Pitou Paulista Puyo Pérez Pushkin Ramada Republica
Reserva Rioja Romita Shahada Shevchenko Showa Sinanju Souma Steeles Sunan
Suárez Takeo Tivoli Toba Tonk Toyo Universidad Wadi Xindi Yunmen Zhaozhou
Yishan Korsakov Soka Kirov Orel Hermitage Mitte Pinewood Ascot Bletchley
Riverside Midland Suez Magsaysay Agri Takada
""".split()) | {"Silver Lake", "General Pico", "Country Club Hills"}

# Last words that make a two-word name a place ("Coral Springs", "Cherry
# Hill"), even when the first word is a first name and the second a surname.
PLACE_NOUNS = set("""
Springs Spring Park Hill Hills Grove Lake Lakes Ridge Terrace Cove Vale Shade
Harbour Harbor Town Point Beach Heights Valley City Falls Creek Bay Gardens
Garden Village Woods Wood Forest Field Fields Meadows Station Junction Island
Rapids Bluff Bluffs Mills Mill Port Crossing Landing Acres Estates Glen Dale
Center Centre Mountain Plains Prairie River Shores Square Wells Oaks Oak Chapel
""".split())

# First words of place names that are not given names here.
PLACE_PARTICLES = set("""
Le La Les Los Las El Del De Da Do Dos Das Van Von Monte Nova Novo Nueva Nuevo
Santa Santo San Sao São Mount Port Fort Saint Sainte Villa Vila Puerto Porto
Bandar Kota Ban Ciudad Colonia Lago Mae
""".split())

# Multi-word GeoNames names made only of these words are generic descriptions
# ("Financial District", "Country Club", "Old City", "Four Corners").
GENERIC_PLACE_WORDS = set("""
City Town Central Center Centre Old New Park Way Port Area District Country
Club Business Bay International Financial Golden Triangle Corners Five Four
Seven Eight Mile Plains Point High Valley Hill Hills Heights Lake Lakes River
Falls Springs Spring Beach Mount Square Garden Gardens Village Villages Estate
Levels Mid Core Neighbourhoods One North South East West Upper Lower Little
Great Grand Royal Harbour Harbor University Market Crossing Crossings Commons
Side Near Far Peak Gap Colony Beaches
""".split())


def parse_major_cities():
    major = collections.OrderedDict()
    for line in MAJOR_CITIES_TEXT.split("\n"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        major[parts[0]] = parts[1:]
    return major


MAJOR_CITIES = parse_major_cities()


def derive_cities(rows, freq, names, other_lists, company_surfaces, log):
    first_names, surnames = names
    result = {}
    keep_reason = {}

    def add(surface, canon, why):
        if surface in other_lists:
            log("cities", surface, "owned-by:" + other_lists[surface])
            return
        if surface in result and result[surface] != canon:
            log("cities", surface + " -> " + canon, "duplicate-surface")
            return
        result[surface] = canon
        keep_reason[surface] = why

    for canon, aliases in MAJOR_CITIES.items():
        for s in [canon] + aliases:
            add(s, canon, "major")
            f = ascii_fold(s)
            if f != s:
                add(f, canon, "major")

    major_names = set()
    for canon, aliases in MAJOR_CITIES.items():
        major_names.add(canon)
        major_names.update(aliases)

    seen = set()
    for r in rows:
        name = r["name"]
        if name in seen:
            continue
        seen.add(name)
        if name in major_names:
            continue
        reason = city_reason(name, freq, first_names, surnames, other_lists,
                             company_surfaces)
        if reason:
            log("cities", name, reason)
            continue
        add(name, name, "geonames")
    # ASCII-folded forms of the GeoNames names ("Düren" -> "Duren").
    for surface in sorted(result):
        canon = result[surface]
        if keep_reason[surface] != "geonames":
            continue
        folded = ascii_fold(surface)
        if folded == surface or folded in result or folded in seen:
            continue
        reason = city_reason(folded, freq, first_names, surnames, other_lists,
                             company_surfaces)
        if reason:
            log("cities", folded, "folded:" + reason)
            continue
        result[folded] = canon
        keep_reason[folded] = "folded"
    return result


def city_reason(name, freq, first_names, surnames, other_lists,
                company_surfaces):
    if not name[:1].isupper():
        return "form:not-capitalised"
    if re.search(r"[\d()/]", name):
        return "form:digits-or-brackets"
    letters = sum(1 for c in name if c.isalpha())
    if letters < 4:
        return "short"
    if name in other_lists:
        return "owned-by:" + other_lists[name]
    if name in company_surfaces:
        return "owned-by:companies"
    if name in CITY_DROP:
        return "hand:drop"
    toks = re.split(r"[\s\-]+", name)
    if len(toks) == 1:
        if name in MONTHS_DAYS or name in TITLE_WORDS:
            return "calendar-or-title"
        why = freq.common_word(name)
        if why:
            return why
        if name in first_names:
            return "person:first-name"
        if name in surnames:
            return "person:surname"
        if name.isupper():
            return "form:all-caps"
        return None
    # Multi-word names: drop places named after a person, which read as the
    # person ("Benito Juarez"), but not "Coral Springs" or "Santa Rosa".
    words = name.split()
    if len(words) == 2 and words[0] in first_names and words[1] in surnames and \
            words[1] not in PLACE_NOUNS and len(words[0]) >= 4 and \
            words[0] not in TITLE_WORDS and words[0] not in PLACE_PARTICLES and \
            not freq.name_like_word(words[0]) and not freq.common_word(words[1]):
        return "person:first+surname"
    if toks[0] == "The" or all(t in GENERIC_PLACE_WORDS for t in toks):
        return "generic-place-phrase"
    return None


# ---------------------------------------------------------------------------
# US states

def derive_states(rows, log):
    result = {}
    for r in rows:
        name = r["name"]
        if name == "District of Columbia":
            continue
        result[name] = name
    for s in ("District of Columbia", "Washington, D.C.", "Washington D.C.",
              "Washington DC", "D.C."):
        result[s] = "Washington, D.C."
    for s in ("New York State", "New York state"):
        result[s] = "New York"
    for s in ("Washington State", "Washington state"):
        result[s] = "Washington"
    # Newspaper-style abbreviations, as in datelines ("CARVER FALLS, Minn."); those that are
    # also words or titles (Ind., Miss., La., Wash., Me.) are left out.
    for s, name in STATE_ABBREVIATIONS.items():
        if name in result:
            result[s] = name
    return result


STATE_ABBREVIATIONS = {
    "Ala.": "Alabama", "Ariz.": "Arizona", "Ark.": "Arkansas", "Calif.": "California",
    "Colo.": "Colorado", "Conn.": "Connecticut", "Del.": "Delaware", "Fla.": "Florida",
    "Ga.": "Georgia", "Ill.": "Illinois", "Kan.": "Kansas", "Kans.": "Kansas", "Ky.": "Kentucky",
    "Md.": "Maryland", "Mass.": "Massachusetts", "Mich.": "Michigan", "Minn.": "Minnesota",
    "Mo.": "Missouri", "Mont.": "Montana", "Neb.": "Nebraska", "Nev.": "Nevada",
    "N.H.": "New Hampshire", "N.J.": "New Jersey", "N.M.": "New Mexico", "N.Y.": "New York",
    "N.C.": "North Carolina", "N.D.": "North Dakota", "Okla.": "Oklahoma", "Ore.": "Oregon",
    "Pa.": "Pennsylvania", "R.I.": "Rhode Island", "S.C.": "South Carolina",
    "S.D.": "South Dakota", "Tenn.": "Tennessee", "Tex.": "Texas", "Vt.": "Vermont",
    "Va.": "Virginia", "W.Va.": "West Virginia", "Wis.": "Wisconsin", "Wyo.": "Wyoming",
}


# ---------------------------------------------------------------------------
# First names

# Given names frequent in business, technology and politics news that the
# source lists lack (own list).
EXTRA_FIRST_NAMES = """
Elon Satya Sundar Jensen Demis Masayoshi Keir Narendra Shigeru Arvind Aravind
Sridhar Fumio Kazuo Haruhiko Kristalina Recep Andrés Nicolás Shinzo Prabowo
Joko Wenfeng Kaifu Lip-Bu Jen-Hsun Chamath Safra Changpeng Mukesh Gautam Ratan
Nandan Azim Yoshihide Akio Tadashi Masahiro Satoshi Kenichiro Tobi Dara Vlad
Sanjay Vijay Rajesh Suresh Ramesh Anand Amitabh Nirmala Shaktikanta Sanjiv
Rakesh Uday Kiran Yiming Rishi
""".split()

NAME_SHAPE = re.compile(r"^[^\W\d_][^\W\d_'\-]*(?:['\-][^\W\d_]+)*$")


def derive_first_names(us_names, all_names, freq, place_and_org, log):
    clear, ambiguous = set(), set()
    for name in sorted(set(us_names) | set(all_names) | set(EXTRA_FIRST_NAMES)):
        if not NAME_SHAPE.match(name) or not name[:1].isupper():
            log("first_names", name, "form")
            continue
        letters = [c for c in name if c.isalpha()]
        if len(letters) < 2:
            log("first_names", name, "short")
            continue
        if name.isupper() or not any(c in "aeiouyAEIOUYáéíóúàèìòùâêîôûäëïöüãõ" for c in name):
            log("first_names", name, "form:acronym-like")
            continue
        why = None
        if name in MONTHS_DAYS or name in TITLE_WORDS:
            why = "calendar-or-title"
        elif name in place_and_org:
            why = "also:" + place_and_org[name]
        else:
            why = freq.name_like_word(name)
        if why:
            ambiguous.add(name)
            log("first_names", name, "ambiguous:" + why)
        else:
            clear.add(name)
    return clear, ambiguous


# ---------------------------------------------------------------------------
# Writing


def derive_common_words(freq):
    """Capitalised and all-capitals forms of ordinary English words: `Markets`, `Share`, `GPU`.

    A Title-case form is listed when the word is mostly written in lower case (see
    WordFreq.common_word); an all-capitals token when it is itself frequent (log-probability at
    least COMMON_ACRONYM_LOGPROB), which keeps generic acronyms (CEO, GPU, IPO) and drops rare
    ones that are usually organisations (CRI, ANZ)."""
    words = {}
    for word, lp in freq.lp.items():
        if not word.isalpha():
            continue
        if word.islower():
            title = word[:1].upper() + word[1:]
            if freq.common_word(title):
                words[title] = title
        elif word.isupper() and len(word) >= 2 and lp >= COMMON_ACRONYM_LOGPROB:
            words[word] = word
    return words


def derive_surnames(names, freq):
    """Capitalised one-word surnames of three letters or more that are not ordinary words."""
    return {n: n for n in names
            if n[:1].isupper() and len(n) >= 3 and " " not in n and "\t" not in n
            and n == n.strip() and not freq.common_word(n)}


# An all-capitals token at least this frequent is a generic acronym, not a name.
COMMON_ACRONYM_LOGPROB = -14.8


def header(title, lines):
    out = ["# assay entity list: " + title]
    out += ["# " + l for l in lines]
    out.append("# Format: surface<TAB>canonical (canonical omitted when equal to the surface).")
    return out


def write_list(path, head, entries, with_canonical=True, always_canonical=False):
    surfaces = sorted(entries)
    body = []
    for s in surfaces:
        if not s or "\t" in s or "\n" in s or s != s.strip():
            raise ValueError("bad surface %r in %s" % (s, path))
        c = entries[s] if with_canonical else s
        if not with_canonical or (c == s and not always_canonical):
            body.append(s)
        else:
            body.append(s + "\t" + c)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(head + body) + "\n")
    return len(body)


def check_lists(directory):
    """Validate every list file in `directory`; returns a list of problems.

    Also prints surfaces that appear in more than one list (informational).
    """
    problems = []
    seen = collections.defaultdict(list)
    canon_of = {}
    for fname in sorted(os.listdir(directory)):
        if not fname.endswith(".tsv"):
            continue
        path = os.path.join(directory, fname)
        with open(path, "rb") as fh:
            raw = fh.read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            problems.append("%s: not UTF-8" % fname)
            continue
        if text.startswith("\ufeff") or "\r" in text:
            problems.append("%s: BOM or CR found" % fname)
        lines = text.split("\n")
        if lines[-1] != "":
            problems.append("%s: no final newline" % fname)
        lines = lines[:-1]
        if not lines or not lines[0].startswith("#"):
            problems.append("%s: no header comment" % fname)
        prev = None
        names = {}
        for n, line in enumerate(lines, 1):
            if line.startswith("#"):
                continue
            cols = line.split("\t")
            surface = cols[0]
            if not surface or surface != surface.strip() or len(cols) > 2 or \
                    (len(cols) == 2 and not cols[1].strip()):
                problems.append("%s:%d: bad line %r" % (fname, n, line))
                continue
            if surface in names:
                problems.append("%s:%d: duplicate surface %r" % (fname, n, surface))
            if prev is not None and surface < prev:
                problems.append("%s:%d: not sorted (%r after %r)" % (fname, n, surface, prev))
            prev = surface
            names[surface] = cols[1] if len(cols) == 2 else surface
            seen[surface].append(fname[:-4])
        canon_of[fname[:-4]] = names
    if "demonyms" in canon_of and "countries" in canon_of:
        # Regional adjectives (European, Asian) point at their region.
        places = set(canon_of["countries"].values()) | set(canon_of.get("regions", {}).values())
        for s, c in canon_of["demonyms"].items():
            if c not in places:
                problems.append("demonyms.tsv: %r -> %r is not a country or region canonical" % (s, c))
    shared = {s: l for s, l in seen.items() if len(l) > 1 and
              not set(l) <= {"first_names", "first_names_ambiguous"}}
    pairs = collections.Counter(tuple(l) for l in shared.values())
    if pairs:
        print("surfaces in more than one list (the loader decides which wins):")
        for pair, count in sorted(pairs.items()):
            examples = sorted(s for s, l in shared.items() if tuple(l) == pair)[:6]
            print("  %-45s %4d  e.g. %s" % (" + ".join(pair), count, ", ".join(examples)))
    return problems


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", help="directory with the source tables")
    ap.add_argument("--check", action="store_true",
                    help="only validate the list files in --out (no derivation)")
    ap.add_argument("--out", required=True, help="rules/entities/lists directory")
    ap.add_argument("--report", help="write every dropped surface with its reason here")
    args = ap.parse_args(argv)
    if args.check:
        problems = check_lists(args.out)
        for p in problems:
            print("problem:", p)
        print("%d problem(s)" % len(problems))
        return 1 if problems else 0
    if not args.source:
        ap.error("--source is required unless --check is given")
    src = lambda f: os.path.join(args.source, f)
    out = lambda f: os.path.join(args.out, f)
    os.makedirs(args.out, exist_ok=True)

    drops = []

    def log(listname, surface, reason):
        drops.append((listname, reason, surface))

    freq = WordFreq(src("english_word_logprob_top200k.tsv"))
    first_us = read_name_list(src("first_names_us.txt"))
    first_all = read_name_list(src("first_names_all.txt"))
    surnames_us = set(read_name_list(src("surnames_us.txt")))
    first_set = set(n for n in first_us)  # US first names: person cue for drops

    # Hand-written lists (read only).
    hand = {}
    for name in ("countries", "demonyms", "regions", "organizations",
                 "central_banks_regulators", "indices", "products"):
        g = read_gazetteer(out(name + ".tsv"))
        if g is None:
            print("warning: %s.tsv not found in --out; cross-list checks "
                  "skipped for it" % name, file=sys.stderr)
            g = {}
        hand[name] = g

    states = derive_states(read_tsv(src("us_states.tsv")), log)

    owned = {}
    for name in ("countries", "demonyms", "regions", "organizations",
                 "central_banks_regulators", "indices", "products"):
        for s in hand[name]:
            owned.setdefault(s, name)
    for s in states:
        owned.setdefault(s, "us_states")

    # Companies may share surfaces with organizations.tsv (same canonical
    # expected); they must not take place names.
    company_owned = {s: l for s, l in owned.items() if l != "organizations"}
    city_rows = read_tsv(src("cities.tsv"))
    place_names = {r["name"] for r in city_rows}
    companies, tickers = derive_companies(
        read_tsv(src("companies.tsv")), freq, (first_set, surnames_us),
        company_owned, place_names, log)

    org_like = set(companies) | set(hand["organizations"]) | \
        set(hand["central_banks_regulators"]) | set(hand["products"]) | \
        set(hand["indices"])
    cities = derive_cities(city_rows, freq, (first_set, surnames_us), owned,
                           org_like, log)

    place_and_org = {}
    for s in hand["countries"]:
        place_and_org.setdefault(s, "country")
    for s in hand["demonyms"]:
        place_and_org.setdefault(s, "demonym")
    for s in hand["regions"]:
        place_and_org.setdefault(s, "region")
    for s in states:
        place_and_org.setdefault(s, "us-state")
    for s, c in cities.items():
        place_and_org.setdefault(s, "major-city" if c in MAJOR_CITIES else "city")
    for name in ("organizations", "products", "central_banks_regulators", "indices"):
        for s in hand[name]:
            place_and_org.setdefault(s, name)
    for s in companies:
        place_and_org.setdefault(s, "company")
    clear, ambiguous = derive_first_names(first_us, first_all, freq,
                                          place_and_org, log)

    # Canonical agreement with organizations.tsv.
    for s, c in sorted(hand["organizations"].items()):
        if s in companies and companies[s] != c:
            print("warning: %r is %r in companies.tsv but %r in organizations.tsv"
                  % (s, companies[s], c), file=sys.stderr)

    lic_co = "Licence: ODC-PDDL-1.0 (source listings are public-domain facts); see LICENSES.md."
    counts = {}
    counts["companies.tsv"] = write_list(out("companies.tsv"), header(
        "companies (ORG)",
        ["Companies listed on US exchanges (S&P 500, NASDAQ, NYSE, NYSE American and others):",
         "full names, names without legal-form suffixes, Title-case forms of all-caps names.",
         "Funds, trusts, warrants, units, rights, preferred shares and notes removed; surfaces",
         "that are ordinary English words, person names, tickers or generic name parts removed.",
         "Canonical = the company's usual short name.",
         "Derived from US exchange listing tables by " + SCRIPT + ".",
         lic_co]), companies)
    counts["tickers.tsv"] = write_list(out("tickers.tsv"), header(
        "tickers (match only as cashtags, e.g. $NVDA; never as bare words)",
        ["Ticker symbols of US-listed companies (common shares and share classes; warrants,",
         "units, rights, preferred and notes symbols removed). Canonical = company name as in companies.tsv.",
         "Derived from US exchange listing tables by " + SCRIPT + ".",
         lic_co]), tickers, always_canonical=True)
    counts["cities.tsv"] = write_list(out("cities.tsv"), header(
        "cities (LOC)",
        ["World capitals and major business cities (own list, English names and common",
         "variants), plus cities over 15,000 inhabitants from GeoNames, filtered for precision:",
         "names that are ordinary English words, first names or surnames, names of countries,",
         "states, regions or companies, and names under 4 letters were removed.",
         "ASCII forms of accented names added. Canonical = city name.",
         "Derived by " + SCRIPT + " from the GeoNames cities15000 table.",
         "Licence: CC-BY-4.0. Contains data from GeoNames (https://www.geonames.org/),",
         "licensed under CC BY 4.0; modified (filtered, variants added). See LICENSES.md."]),
        cities)
    counts["us_states.tsv"] = write_list(out("us_states.tsv"), header(
        "US states (LOC)",
        ["The 50 US states and Washington, D.C., and newspaper abbreviations (Minn., W.Va.; no",
         "two-letter postal codes). Canonical = state name;",
         "District of Columbia, D.C. and Washington D.C. forms -> Washington, D.C.",
         "Washington alone is the state here, although news often means the US government.",
         "Generated by " + SCRIPT + " (facts; no licence restriction). See LICENSES.md."]),
        states)
    counts["first_names.tsv"] = write_list(out("first_names.tsv"), [
        "# assay entity list: first names (cue for 'Firstname Lastname' person patterns)",
        "# One name per line. Names that are also ordinary English words, places, titles,",
        "# months or organisation/product names are left out (the script's --report lists them).",
        "# Derived by " + SCRIPT + " from smashew/NameDatabases first-name lists (US and all).",
        "# Licence: Unlicense (public domain). See LICENSES.md."],
        {n: n for n in clear}, with_canonical=False)

    counts["first_names_ambiguous.tsv"] = write_list(out("first_names_ambiguous.tsv"), [
        "# assay entity list: first names that are also ordinary words, places, titles or",
        "# organisation names (Grace, Will, Sofia): a person cue only together with a known surname.",
        "# One name per line. The names first_names.tsv leaves out as ambiguous.",
        "# Derived by " + SCRIPT + " from smashew/NameDatabases first-name lists (US and all).",
        "# Licence: Unlicense (public domain). See LICENSES.md."],
        {n: n for n in ambiguous}, with_canonical=False)

    counts["surnames.tsv"] = write_list(out("surnames.tsv"), [
        "# assay entity list: surnames (cue for two- and three-word person names no other rule knows)",
        "# One name per line; names that are ordinary English words (Hunt, Street) left out.",
        "# Derived by " + SCRIPT + " from smashew/NameDatabases surname lists (US and all).",
        "# Licence: Unlicense (public domain). See LICENSES.md."],
        derive_surnames(read_name_list(src("surnames_us.txt")) + read_name_list(src("surnames_all.txt")), freq),
        with_canonical=False)
    counts["currency_codes.tsv"] = write_list(out("currency_codes.tsv"), [
        "# assay entity list: ISO 4217 currency codes (never a name on their own: DKK, USD)",
        "# Derived by " + SCRIPT + " from the ISO 4217 active codes table.",
        "# Licence: ODC-PDDL-1.0 (facts). See LICENSES.md."],
        {r["code"]: r["code"] for r in read_tsv(src("currencies.tsv")) if r.get("code")},
        with_canonical=False)
    counts["common_words.tsv"] = write_list(out("common_words.tsv"), [
        "# assay entity list: capitalised forms of ordinary English words (not entities on their own)",
        "# Title-case forms of words mostly written in lower case (Markets, Share, Independence), and",
        "# frequent all-capitals acronyms (CEO, GPU). Used by the capitalised-name rule to tell a",
        "# capitalised common word (sentence start, heading) from an unknown name.",
        "# Derived by " + SCRIPT + " from the case-sensitive unigram log-probabilities of",
        "# spacy-lookups-data (MIT); only the decision is kept, not the numbers. See LICENSES.md."],
        derive_common_words(freq), with_canonical=False)

    for f, n in counts.items():
        print("%-28s %6d lines" % (f, n))
    by = collections.Counter((l, r.split("(")[0].split(":")[0] if not r.startswith(("word", "person", "owned", "line", "ticker", "ambiguous", "form", "folded"))
                              else ":".join(r.split(":")[:2])) for l, r, _ in drops)
    print("dropped / flagged:")
    for (l, r), n in sorted(by.items()):
        print("  %-22s %-45s %6d" % (l, r, n))
    if args.report:
        with open(args.report, "w", encoding="utf-8", newline="\n") as fh:
            for l, r, s in sorted(drops):
                fh.write("%s\t%s\t%s\n" % (l, r, s))
    problems = check_lists(args.out)
    for p in problems:
        print("problem:", p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
