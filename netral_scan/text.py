"""Indonesian social-media text pipeline: normalise, tokenise with spans, stem.

Normalisation happens *before* stemming because PySastrawi's own cleaner deletes emoji, ``#``, ``@`` and
digits, which carry most of the campaign signal (ballot numbers, gestures, hashtags). Every token keeps the
character span it came from so that evidence can be quoted in the words the person actually wrote.
"""

from __future__ import annotations

import functools
import math
import re
from operator import itemgetter
from typing import Callable, Iterable, Iterator, NamedTuple

from netral_scan.lexicon import (CONTESTANT_WORDS, EMOJI_NAMES, GESTURE_EMOJI, HASHTAG_WORDS, NUMBER_WORDS, PARTY_WORDS,
                                SLANG)

URL_TOKEN = "tok_url"
MENTION_TOKEN = "tok_mention"
NUMBER_TOKEN = "tok_num"
DATE_TOKEN = "tok_date"
# Upper-case AMIN is the 01 pair's acronym; lower-case "amin/aamiin" is a prayer.
AMIN_ACRONYM_TOKEN = "amin_paslon"
# Class tokens added after a word naming a contestant or a party (lexicon.CONTESTANT_WORDS, PARTY_WORDS).
CONTESTANT_TOKEN = "ent_contestant"
PARTY_TOKEN = "ent_party"
# Parent-text features of a comment live in their own namespace so the model can tell
# "what I wrote" from "what I replied to".
CONTEXT_PREFIX = "ctx_"
CONTEXT_SEPARATOR = "\x1e"
# News headlines are written in Title Case: a document-level shape token lets the model tell a headline naming a
# candidate from a post praising one, even for headline words it never saw.
HEADLINE_TOKEN = "shape_headline"
HEADLINE_MIN_WORDS = 5
HEADLINE_TITLE_SHARE = 0.6  # at least this share of words start with a capital…
HEADLINE_CAPS_SHARE = 0.5  # …but fewer than this share are all capitals (shouting is not a headline)
# A headline has at least this many words starting with a capital, hence at least this many capitals: a text with
# fewer has no shape token.
HEADLINE_MIN_CAPITALS = math.ceil(HEADLINE_TITLE_SHARE * HEADLINE_MIN_WORDS)
# The characters for which str.isupper() is true (letters of category Lu, and Other_Uppercase: Roman numerals,
# circled and squared letters), as an RE2 class for Arrow. tests/test_text.py checks every code point.
UPPERCASE_RE2 = r"[\p{Lu}\x{2160}-\x{216F}\x{24B6}-\x{24CF}\x{1F130}-\x{1F149}\x{1F150}-\x{1F169}\x{1F170}-\x{1F189}]"
STEM_CACHE_SIZE = 100_000
MAX_BALLOT_NUMBER = 24  # party numbers run to 24 (Partai Ummat)
MAX_KEPT_NUMBER_DIGITS = 4  # years survive as themselves; longer numbers (money, phones) do not

_EMOJI_NOISE = re.compile("[\ufe0f\ufe0e\u200d\U0001f3fb-\U0001f3ff]")
_ELONGATION = re.compile(r"([a-z])\1{2,}")

_TOKEN_RE = re.compile(
    r"""
    (?P<emoji_name><[A-Za-z][A-Za-z :-]{1,40}>)
  | (?P<url>(?:https?://|www\.)\S+)
  | (?P<mention>@\w+)
  | (?P<hashtag>\#\w+)
  | (?P<date>\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b)
  | (?P<salam>\bsalam\s+(?P<salam_n>satu|dua|tiga|empat|[1-4])\s*jari\b|\bsalam\s+metal\b)
  | (?P<ballot>\b(?:nomor|nomer|nmr|no)\.?\s*(?:urut\s*)?(?P<ballot_n>0?\d{1,2})\b)
  | (?P<keycap>[1-4]\ufe0f?\u20e3)
  | (?P<number>\d+(?:[.,]\d+)*)
  | (?P<word>[^\W\d_]+(?:['’-][^\W\d_]+)*)
  | (?P<emoji>[\u2600-\u27bf\U0001f000-\U0001faff])
    """,
    re.VERBOSE | re.IGNORECASE,
)
_HEADLINE_WORD = re.compile(r"[^\W\d_][^\W\d_'’-]+")
_CAMEL_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_LETTERS_OR_DIGITS = re.compile(r"[^\W\d_]+|\d+")


class Token(NamedTuple):
    """A normalised token and the span of the original text it came from."""

    norm: str
    start: int
    end: int


def _squash(word: str) -> str:
    """Squash letter elongations: mantaaap → mantap, bangettt → banget."""
    return _ELONGATION.sub(r"\1", word)


def _normal_word(word: str) -> list[str]:
    lowered = word.lower().replace("’", "'")
    squashed = _squash(lowered)
    mapped = SLANG.get(lowered) or SLANG.get(squashed) or squashed
    return mapped.split()


def _number_token(digits: str) -> str:
    """Ballot-like numbers keep their value (``02`` and ``2`` both become ``2``); long numbers are one token."""
    plain = digits.replace(".", "").replace(",", "")
    if len(plain) > MAX_KEPT_NUMBER_DIGITS:
        return NUMBER_TOKEN
    if len(plain) == 2 and plain.startswith("0"):
        return "0" + plain[1]
    return plain


def _split_hashtag(body: str) -> list[str]:
    """Split a hashtag body into words: by case when it has it, else by known words."""
    if body != body.lower():
        return [part.lower() for part in _CAMEL_PARTS.findall(body)]
    parts: list[str] = []
    for chunk in _LETTERS_OR_DIGITS.findall(body):
        parts.extend(_segment_known_words(chunk) if chunk.isalpha() else [chunk])
    return parts


@functools.lru_cache(maxsize=4096)
def _segment_known_words(chunk: str) -> tuple[str, ...]:
    """Segment a lower-case run into known words; give the run back unchanged if it does not segment."""
    best: list[tuple[str, ...] | None] = [None] * (len(chunk) + 1)
    best[0] = ()
    for end in range(1, len(chunk) + 1):
        for start in range(end):
            if best[start] is not None and chunk[start:end] in HASHTAG_WORDS:
                candidate = best[start] + (chunk[start:end],)
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
    return best[-1] if best[-1] else (chunk,)


def tokenize(text: str) -> list[Token]:
    """Normalise ``text`` into tokens with spans: URLs and mentions become placeholders, hashtags are kept and
    split, ballot numbers and campaign gestures become tokens, slang is normalised and elongations squashed."""
    tokens: list[Token] = []
    append = tokens.append
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup
        start, end = match.span()
        if kind == "word":
            for norm in _word_tokens(match.group()):
                append(Token(norm, start, end))
        elif kind == "number":
            append(Token(_number_token(match.group()), start, end))
        elif kind == "emoji":
            symbol = _EMOJI_NOISE.sub("", match.group())
            if symbol:
                append(Token(GESTURE_EMOJI.get(symbol, symbol), start, end))
        elif kind == "url":
            append(Token(URL_TOKEN, start, end))
        elif kind == "emoji_name":
            name = match.group()[1:-1].lower()
            symbol = EMOJI_NAMES.get(name)
            append(Token(GESTURE_EMOJI.get(symbol, symbol) if symbol else "emoji_" + name.replace(" ", "_"), start, end))
        elif kind == "mention":
            append(Token(MENTION_TOKEN, start, end))
        elif kind == "hashtag":
            tokens.extend(Token(norm, start, end) for norm in _hashtag_tokens(match.group()[1:]))
        elif kind == "date":
            append(Token(DATE_TOKEN, start, end))
        elif match.group("salam"):
            number = match.group("salam_n")
            number = NUMBER_WORDS.get(number.lower(), number) if number else "3"
            append(Token(f"salam_jari_{number}", start, end))
        elif match.group("ballot"):
            number = int(match.group("ballot_n"))
            if 0 < number <= MAX_BALLOT_NUMBER:
                append(Token(f"nomor_{number}", start, end))
            else:
                append(Token("nomor", start, end))
                append(Token(_number_token(match.group("ballot_n")), start, end))
        elif match.group("keycap"):
            append(Token(GESTURE_EMOJI[match.group().replace("\ufe0f", "")], start, end))
    return tokens


@functools.lru_cache(maxsize=STEM_CACHE_SIZE)
def _word_tokens(raw: str) -> tuple[str, ...]:
    if raw == "AMIN":
        return (AMIN_ACRONYM_TOKEN, CONTESTANT_TOKEN)
    return tuple(_with_entities(_normal_word(raw)))


@functools.lru_cache(maxsize=STEM_CACHE_SIZE)
def _hashtag_tokens(body: str) -> tuple[str, ...]:
    norms = ["#" + body.lower()]
    for part in _split_hashtag(body):
        norms.extend(_with_entities(_part_tokens(part)))
    return tuple(norms)


def _with_entities(norms: list[str]) -> list[str]:
    """The words, each contestant or party name followed by its class token."""
    out = []
    for norm in norms:
        out.append(norm)
        if norm in CONTESTANT_WORDS:
            out.append(CONTESTANT_TOKEN)
        elif norm in PARTY_WORDS:
            out.append(PARTY_TOKEN)
    return out


def _part_tokens(part: str) -> list[str]:
    return [_number_token(part)] if part.isdigit() else _normal_word(part)


@functools.cache
def _stemmer():
    """Build the PySastrawi stemmer once per process. It is never stored on a pipeline step: it would be
    pickled into every model file together with its CC-BY-NC-SA dictionary."""
    import sys

    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    stemmer = StemmerFactory().create_stemmer()
    patterns = RulePatterns()
    for name, module in list(sys.modules.items()):
        if name.startswith("Sastrawi.") and getattr(module, "re", None) is re:
            module.re = patterns
    visitors = stemmer.delegatedStemmer.visitor_provider.prefix_visitors
    visitors[:] = [HeadFiltered.of(visitor, patterns) for visitor in visitors]
    from Sastrawi.Stemmer.Context.Context import Context

    Context.accept_prefix_visitors = _indexed_prefix_visits(Context.accept_prefix_visitors, visitors)
    return stemmer


def _indexed_prefix_visits(original: Callable, visitors: list) -> Callable:
    """PySastrawi's ``Context.accept_prefix_visitors`` offering a word only the prefix rules that can apply to it, in
    their order: the unfiltered ones and the ``HeadFiltered`` ones with a head starting with the word's first letter.
    A skipped rule changes nothing, and the checks PySastrawi makes after it repeat those made after the rule before
    it; only skipped rules before the first offered one matter, so the dictionary is checked first then."""
    always = [visitor for visitor in visitors if not isinstance(visitor, HeadFiltered)]
    letters = {head[0] for visitor in visitors if isinstance(visitor, HeadFiltered) for head in visitor.heads}
    by_letter = {letter: [visitor for visitor in visitors if not isinstance(visitor, HeadFiltered)
                          or any(head[0] == letter for head in visitor.heads)] for letter in letters}

    def accept_prefix_visitors(context, offered):
        if offered is not visitors:
            return original(context, offered)
        applicable = by_letter.get(context.current_word[:1], always)
        if not applicable or applicable[0] is not visitors[0]:
            if context.dictionary.contains(context.current_word) or context.process_is_stopped:
                return context.current_word
        removals = len(context.removals)
        for visitor in applicable:
            visitor.visit(context)
            if context.dictionary.contains(context.current_word) or context.process_is_stopped:
                return context.current_word
            if len(context.removals) > removals:
                return None
        return None

    return accept_prefix_visitors


class HeadFiltered:
    """A PySastrawi prefix rule (``PrefixDisambiguator``) that is not visited for a word starting with none of its
    patterns' literal heads: every pattern would fail, and such a visit changes nothing. Each word is offered some
    forty rules up to three times, and most rules are for prefixes it does not have."""

    def __init__(self, visitor, heads: tuple[str, ...]):
        self.visitor, self.heads = visitor, heads

    @classmethod
    def of(cls, visitor, patterns: RulePatterns):
        """The visitor, filtered by the heads of the patterns its rules try first (learnt by trying each rule on
        an empty word), or unchanged when a rule has no literal head."""
        rules = getattr(visitor, "disambiguators", None)  # RemovePlainPrefix has none: it is kept as it is
        if not rules:
            return visitor
        heads = []
        for rule in rules:
            tried = patterns.first_patterns(rule.disambiguate)
            head = _LITERAL_HEAD.match(tried[0]) if tried else None
            if head is None:
                return visitor
            heads.append(head.group(1))
        return cls(visitor, tuple(heads))

    def visit(self, context) -> None:
        if context.current_word.startswith(self.heads):
            self.visitor.visit(context)


# The letters a rule's pattern must start with: "^meng([aiueo])(.*)$" → "meng". Only letters followed by a group, a
# class or the end are taken, so that a quantifier never applies to them.
_LITERAL_HEAD = re.compile(r"\^?([a-z]+)(?=[(\[$]|$)")


class RulePatterns:
    """Stands in for ``re`` inside PySastrawi's rule modules, with the same results, faster.

    Each affix rule calls ``re.match``/``re.sub`` with a pattern string, and every rule that fires records what it
    removed with ``re.sub(new_word, "", old_word, count=1)``: the intermediate *word* is used as a pattern. On a
    feed with thousands of new words Python's pattern cache (512 entries) overflows, and the rules' own patterns
    are parsed and compiled again and again (a fifth of the stemming time). Here a pattern that is a plain word
    is replaced as a string, as the regex would, and the rules' patterns are compiled once.
    """

    def __init__(self):
        self._compiled: dict[tuple[str, int], re.Pattern] = {}
        self._tried: list[str] | None = None

    def _pattern(self, pattern: str, flags: int) -> re.Pattern:
        compiled = self._compiled.get((pattern, flags))
        if compiled is None:
            compiled = self._compiled[pattern, flags] = re.compile(pattern, flags)
        return compiled

    def first_patterns(self, rule: Callable[[str], object]) -> list[str]:
        """The patterns a rule tries on an empty word (none matches it, so only the first is tried)."""
        self._tried = []
        try:
            rule("")
            return self._tried
        finally:
            self._tried = None

    def match(self, pattern: str, string: str, flags: int = 0):
        if self._tried is not None:
            self._tried.append(pattern)
        return self._pattern(pattern, flags).match(string)

    def sub(self, pattern: str, replacement: str, string: str, count: int = 0, flags: int = 0) -> str:
        if not flags and pattern.replace("-", "").isalpha() and "\\" not in replacement:  # a plain word matches itself
            return string.replace(pattern, replacement, count or -1)
        return self._pattern(pattern, flags).sub(replacement, string, count=count)

    def __getattr__(self, name: str):
        return getattr(re, name)  # flags and anything else the rules may use


@functools.cache
def _root_words() -> frozenset[str]:
    """PySastrawi's root dictionary: a root word is its own stem, so it need not go through the affix rules."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return frozenset(StemmerFactory().get_words())


@functools.lru_cache(maxsize=STEM_CACHE_SIZE)
def stem(token: str) -> str:
    """Stem one normalised token; placeholders, numbers, hashtags, feature tokens and root words pass
    unchanged."""
    if not token.replace("-", "").isalpha() or ("-" not in token and token in _root_words()):
        return token
    if token.isascii() and token.islower():
        # PySastrawi's text normaliser and word cache would give back the word as it is, and that cache never
        # forgets: its word stemmer is called directly (a quarter of the stemming time of new words).
        return _stemmer().delegatedStemmer.stem_word(token) or token
    return _stemmer().stem(token) or token


# The tokeniser's patterns that may span whitespace (salam dua jari, no 2, nomor urut 3, <Victory Hand>), in the
# forms that do: a text holding one is tokenised whole. The ballot part is the tokeniser's own ballot pattern with
# whitespace required where it allows some ("no problem", "nomor hp" are read chunk by chunk).
_MULTIWORD = re.compile(
    r"""\bsalam\s
      | \b(?:nomor|nomer|nmr|no)\.?(?:\s+(?:urut\s*)?|urut\s+)0?\d{1,2}\b
      | <[A-Za-z][A-Za-z:-]*\s""",
    re.VERBOSE | re.IGNORECASE)
# RE2 classes (for Arrow) holding every character that Python's \s and \d match in a str pattern: RE2's own \s and \d
# are ASCII. tests/test_text.py checks every code point.
WHITESPACE_RE2 = r"[\s\x{0B}\x{1C}-\x{1F}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]"
DIGIT_RE2 = r"\p{Nd}"
# Every match of _MULTIWORD matches this too, ignoring case, so Arrow can pick out the texts to check for a whole
# batch at once: it is _MULTIWORD without \b, with only the first digit, and with "<" alone for an emoji name. RE2
# folds case as Python's re does for these letters (s also as ſ).
MULTIWORD_HINT = (rf"salam{WHITESPACE_RE2}|(?:nomor|nomer|nmr|no)\.?(?:{WHITESPACE_RE2}+(?:urut{WHITESPACE_RE2}*)?"
                  rf"|urut{WHITESPACE_RE2}+)0?{DIGIT_RE2}|<")
CHUNK_CACHE_SIZE = 100_000
_CHUNK = re.compile(r"\S+")  # the same chunks as str.split()
# A chunk that is one URL or one mention is one placeholder token, exactly as ``tokenize`` reads it. Nearly all are
# seen once (two in five distinct chunks of a feed), so they are answered directly and kept out of the caches.
_PLACEHOLDER_CHUNK = re.compile(r"(?P<url>(?:https?://|www\.)\S+)|(?P<mention>@\w+)", re.IGNORECASE)


def placeholder(chunk: str) -> str | None:
    """The placeholder token of a chunk that is one URL or mention, else None."""
    match = _PLACEHOLDER_CHUNK.fullmatch(chunk)
    if match is None:
        return None
    return URL_TOKEN if match.lastgroup == "url" else MENTION_TOKEN


class Analyzer:
    """Turns documents into the model's feature tokens (stems; a comment's context tokens prefixed).

    Social-media words repeat (Zipf), so the features of each whitespace-separated chunk are computed once and
    cached; a text whose tokens could span chunks is tokenised whole. A word for which ``worth_stemming`` says
    no is kept as written: its stem could not be a feature anyway. Both caches are bounded.
    """

    def __init__(self, worth_stemming: Callable[[str], bool] | None = None):
        self._worth_stemming = worth_stemming
        self._chunks: dict[str, tuple[Token, ...]] = {}

    def stem(self, norm: str) -> str:
        return stem(norm) if self._worth_stemming is None or self._worth_stemming(norm) else norm

    @staticmethod
    def needs_whole_text(text: str) -> bool:
        """Whether a text holds a pattern that may span whitespace, so it cannot be read chunk by chunk."""
        if "<" not in text:
            # Most texts hold none of the pattern's words: a substring test is four times quicker than the search.
            # casefold, as IGNORECASE matching does (ſalam matches salam).
            folded = text.casefold()
            if "no" not in folded and "nm" not in folded and "salam" not in folded:
                return False
        return _MULTIWORD.search(text) is not None

    def chunk_tokens(self, chunk: str) -> tuple[Token, ...]:
        """The features of one whitespace-free chunk, each with its span in the chunk (cached)."""
        found = self._chunks.get(chunk)
        if found is None:
            token = placeholder(chunk)
            if token is not None:
                return (Token(token, 0, len(chunk)),)
            if len(self._chunks) >= CHUNK_CACHE_SIZE:
                self._chunks.clear()
            found = self._chunks[chunk] = tuple(Token(self.stem(token.norm), token.start, token.end)
                                                for token in tokenize(chunk))
        return found

    def chunk_features(self, chunk: str) -> tuple[str, ...]:
        """The features of one whitespace-free chunk, without spans (not cached: callers cache by chunk)."""
        if chunk.isalpha():
            # Letters only: the tokeniser would read it as one word (no URL, mention, number or gesture can
            # match), so the regex and the spans are skipped. Most of a feed's new chunks are such words.
            return tuple(map(self.stem, _word_tokens(chunk)))
        return tuple(token.norm for token in self.chunk_tokens(chunk))

    def feature_spans(self, text: str) -> Iterator[tuple[str, int, int]]:
        """The features of a text in order, each with the start and end of the text it comes from."""
        for offset, tokens in self.chunk_spans(text):
            for feature, start, end in tokens:
                yield feature, offset + start, offset + end

    def chunk_spans(self, text: str) -> list[tuple[int, tuple[Token, ...]]]:
        """The text's chunks as (offset, the chunk's features with spans relative to the offset)."""
        if self.needs_whole_text(text):
            return [(0, tuple(Token(self.stem(token.norm), token.start, token.end) for token in tokenize(text)))]
        chunk_tokens = self.chunk_tokens
        return [(chunk.start(), chunk_tokens(chunk.group())) for chunk in _CHUNK.finditer(text)]

    def features(self, text: str) -> list[str]:
        return [feature for feature, _, _ in self.feature_spans(text)]

    def analyze(self, document: str) -> list[str]:
        own, _, context = document.partition(CONTEXT_SEPARATOR)
        features = self.features(own) + shape_tokens(own)
        if context:
            features.extend(CONTEXT_PREFIX + feature for feature in self.features(context) + shape_tokens(context))
        return features

    def analyze_texts(self, documents: Iterable[str]) -> list[str]:
        return [" ".join(self.analyze(document)) for document in documents]


def shape_tokens(text: str) -> list[str]:
    """Document-level shape tokens: ``shape_headline`` for a Title-Case headline."""
    if text.islower():  # no capital at all: most posts, and the quickest answer
        return []
    words = _HEADLINE_WORD.findall(text)
    if len(words) < HEADLINE_MIN_WORDS:
        return []
    if sum(map(str.isupper, map(itemgetter(0), words))) < HEADLINE_TITLE_SHARE * len(words):
        return []  # sentence case, the usual answer: all-capital words need not be counted
    return [HEADLINE_TOKEN] if sum(map(str.isupper, words)) < HEADLINE_CAPS_SHARE * len(words) else []


_ANALYZER = Analyzer()


def analyze(document: str) -> list[str]:
    """Turn a document into the model's feature tokens (stems, context tokens prefixed)."""
    return _ANALYZER.analyze(document)


def analyze_texts(documents: Iterable[str]) -> list[str]:
    """Pipeline step: each document becomes a space-joined string of feature tokens."""
    return _ANALYZER.analyze_texts(documents)


# PySastrawi strips, from the end: a particle (lah|kah|tah|pun), a possessive (ku|mu|nya) and a derivational
# suffix (is|isme|isasi|i|kan|an), and may restore part of them. Any tail of such a combination may follow a root.
_SUFFIX_COMBINATIONS = [d + p + q for d in ("", "is", "isme", "isasi", "i", "kan", "an") for p in ("", "ku", "mu", "nya")
                        for q in ("", "lah", "kah", "tah", "pun")]
_SUFFIX_TAILS = frozenset(combination[i:] for combination in _SUFFIX_COMBINATIONS for i in range(len(combination) + 1))
_MAX_SUFFIX = max(map(len, _SUFFIX_TAILS))
# Up to three prefixes from PySastrawi's disambiguation rules, then the root's first letter (or its re-coding,
# absorbed in the prefix) and possibly an infix.
# meN-/peN- before se-, te-, pe- re-code their first letter too (menye|asa → se|asa → asa), hence menye, mene, meme.
_PREFIX_UNITS = ("di", "ke", "se", "ku", "kau", "be", "ber", "bel", "te", "ter", "me", "mem", "men", "meng", "meny",
                 "menge", "menye", "mene", "meme", "pe", "pem", "pen", "peng", "peny", "penge", "penye", "pene", "peme",
                 "per", "pel")
_PREFIXES, _PREFIX_HEADS = {""}, set()
for _ in range(3):
    # A head of a run of prefixes is a shorter run followed by part of one more unit: built this way, not by slicing
    # every run (that took 60 ms of start-up; the module now imports in about 35 ms in all).
    _PREFIX_HEADS |= {left + unit[:i] for left in _PREFIXES for unit in _PREFIX_UNITS for i in range(1, len(unit))}
    _PREFIXES |= {left + unit for left in _PREFIXES for unit in _PREFIX_UNITS}
# Every head of a run of prefixes, and whether it is a whole run.
_PREFIX_HEADS = {head: head in _PREFIXES for head in _PREFIX_HEADS | _PREFIXES}
_INFIXES = frozenset(("el", "em", "er", "in"))
_MAX_INFIXES = 2  # PySastrawi's rules loop, so a word may lose more than one infix
# meN-/peN- re-code a root's first letter as the last letter of the prefix: memilih (p), menulis (t), mengirim (k),
# menyapu (s).
_RECODED_AS = {"p": "m", "t": "n", "k": "g", "s": "y"}
_SHORT_WORD = 3  # PySastrawi leaves words of three letters or fewer alone


class StemFilter:
    """Says whether a word's stem could be one of a model's features, without stemming it.

    PySastrawi returns either the word itself or a root of its dictionary obtained by stripping prefixes, suffixes and
    infixes (-el-, -em-, -er-, -in-), after which it may re-code the root's first letter (memilih → pilih).
    None of these touch a root *after* its first letter, and suffixes are only stripped from the end. So a word
    can only stem to a root r if r without its first letter occurs in the word, followed by a suffix tail and
    preceded by prefixes, perhaps an infix, and a letter that is r's first letter or the nasal that re-codes it
    (p → m, t → n, k → ng, s → ny: the last letter of the prefix). A word that fails that test is not stemmed:
    its stem could not be a feature anyway.
    """

    def __init__(self, features: Iterable[str]):
        parts = {part.removeprefix(CONTEXT_PREFIX) for feature in features for part in feature.split(" ")}
        roots = {part for part in parts if part.replace("-", "").isalpha()}
        self.roots = frozenset(roots)
        # A stem that differs from its word is always a dictionary root; other features match only themselves.
        self.stems = frozenset(roots & _root_words())
        # The same roots as a prefix may end them: with the first letter as it is, or re-coded (tulis → nulis).
        self.recoded = self.stems | {_RECODED_AS[root[0]] + root[1:] for root in self.stems if root[0] in _RECODED_AS}
        # The last two letters of every root's tail (the root without its first letter; the whole tail when
        # shorter): a cut of the word that does not end so cannot be followed by a root's tail, whatever prefix
        # comes before it.
        self.tail_ends = frozenset(root[1:][-2:] for root in self.stems)
        self._any_tail_ends = "" in self.tail_ends  # a one-letter root: every cut may be followed by its tail
        self._known: dict[str, bool] = {}

    def __call__(self, word: str) -> bool:
        known = self._known.get(word)
        if known is None:
            # PySastrawi deletes letters outside a-z before stemming (éta → ta), so such words are always stemmed.
            known = self._known[word] = word in self.roots or "-" in word or not word.isascii() or (
                len(word) > _SHORT_WORD and self._ends_like_a_root(word))
            if len(self._known) > STEM_CACHE_SIZE:
                self._known.clear()
        return known

    def _ends_like_a_root(self, word: str, infixes: int = _MAX_INFIXES) -> bool:
        size = len(word)
        # Where a run of prefixes can end; the root's first letter (or, re-coded, the prefix's last) sits just there.
        ends = []
        for p in range(size + 1):
            whole = _PREFIX_HEADS.get(word[:p])
            if whole is None:  # no longer run of prefixes can start this way either
                break
            if whole:
                ends.append(p)
        stems, recoded, tail_ends = self.stems, self.recoded, self.tail_ends
        for cut in range(min(_MAX_SUFFIX, size) + 1):
            end = size - cut
            if word[end:] not in _SUFFIX_TAILS:
                break  # every tail of a suffix tail is one too, so no longer cut can be
            if not (word[end - 2:end] in tail_ends or word[end - 1:end] in tail_ends or self._any_tail_ends):
                continue
            for p in ends:
                # The root's first letter follows the prefix unchanged (di|tulis), or the prefix's last letter stands
                # for it (me|n-ulis).
                if word[p:end] in stems or (p and word[p - 1:end] in recoded):
                    return True
        if infixes:
            # PySastrawi takes an infix out right after the first letter of the word it holds at that moment, which
            # may still carry prefixes (pen|s-in-e|asi → sineasi → seasi → asi): try the word without each such infix.
            for p in ends:
                if word[p + 1:p + 3] in _INFIXES and self._ends_like_a_root(word[:p + 1] + word[p + 3:], infixes - 1):
                    return True
        return False


def with_context(text: str, context: str) -> str:
    """Join a comment and the text it replies to into one document."""
    return f"{text.replace(CONTEXT_SEPARATOR, ' ')}{CONTEXT_SEPARATOR}{context.replace(CONTEXT_SEPARATOR, ' ')}"
