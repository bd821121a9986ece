"""Indonesian social-media text pipeline: normalise, tokenise with spans, stem.

Normalisation happens *before* stemming because PySastrawi's own cleaner deletes emoji, ``#``, ``@`` and
digits, which carry most of the campaign signal (ballot numbers, gestures, hashtags). Every token keeps the
character span it came from so that evidence can be quoted in the words the person actually wrote.
"""

from __future__ import annotations

import functools
import re
from typing import Iterable, NamedTuple

from netral_scan.lexicon import GESTURE_EMOJI, HASHTAG_WORDS, NUMBER_WORDS, SLANG

URL_TOKEN = "tok_url"
MENTION_TOKEN = "tok_mention"
NUMBER_TOKEN = "tok_num"
DATE_TOKEN = "tok_date"
# Upper-case AMIN is the 01 pair's acronym; lower-case "amin/aamiin" is a prayer.
AMIN_ACRONYM_TOKEN = "amin_paslon"
# Parent-text features of a comment live in their own namespace so the model can tell
# "what I wrote" from "what I replied to".
CONTEXT_PREFIX = "ctx_"
CONTEXT_SEPARATOR = "\x1e"
STEM_CACHE_SIZE = 200_000
MAX_BALLOT_NUMBER = 24  # party numbers run to 24 (Partai Ummat)
MAX_KEPT_NUMBER_DIGITS = 4  # years survive as themselves; longer numbers (money, phones) do not

_EMOJI_NOISE = re.compile("[\ufe0f\ufe0e\u200d\U0001f3fb-\U0001f3ff]")
_ELONGATION = re.compile(r"([a-z])\1{2,}")

_TOKEN_RE = re.compile(
    r"""
    (?P<url>(?:https?://|www\.)\S+)
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
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup if match.lastgroup not in ("salam_n", "ballot_n") else None
        start, end = match.span()
        raw = match.group()
        if match.group("url"):
            tokens.append(Token(URL_TOKEN, start, end))
        elif match.group("mention"):
            tokens.append(Token(MENTION_TOKEN, start, end))
        elif match.group("hashtag"):
            body = raw[1:]
            tokens.append(Token("#" + body.lower(), start, end))
            for part in _split_hashtag(body):
                tokens.extend(Token(norm, start, end) for norm in _part_tokens(part))
        elif match.group("date"):
            tokens.append(Token(DATE_TOKEN, start, end))
        elif match.group("salam"):
            number = match.group("salam_n")
            number = NUMBER_WORDS.get(number.lower(), number) if number else "3"
            tokens.append(Token(f"salam_jari_{number}", start, end))
        elif match.group("ballot"):
            number = int(match.group("ballot_n"))
            if 0 < number <= MAX_BALLOT_NUMBER:
                tokens.append(Token(f"nomor_{number}", start, end))
            else:
                tokens.append(Token("nomor", start, end))
                tokens.append(Token(_number_token(match.group("ballot_n")), start, end))
        elif match.group("keycap"):
            tokens.append(Token(GESTURE_EMOJI[raw.replace("\ufe0f", "")], start, end))
        elif match.group("number"):
            tokens.append(Token(_number_token(raw), start, end))
        elif match.group("word"):
            if raw == "AMIN":
                tokens.append(Token(AMIN_ACRONYM_TOKEN, start, end))
            else:
                tokens.extend(Token(norm, start, end) for norm in _normal_word(raw))
        elif kind == "emoji":
            symbol = _EMOJI_NOISE.sub("", raw)
            if symbol:
                tokens.append(Token(GESTURE_EMOJI.get(symbol, symbol), start, end))
    return tokens


def _part_tokens(part: str) -> list[str]:
    return [_number_token(part)] if part.isdigit() else _normal_word(part)


@functools.cache
def _stemmer():
    """Build the PySastrawi stemmer once per process. It is never stored on a pipeline step: it would be
    pickled into every model file together with its CC-BY-NC-SA dictionary."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@functools.lru_cache(maxsize=STEM_CACHE_SIZE)
def stem(token: str) -> str:
    """Stem one normalised token; placeholders, numbers, hashtags and feature tokens pass unchanged."""
    if not token.isalpha():
        return token
    return _stemmer().stem(token) or token


def analyze(document: str) -> list[str]:
    """Turn a document into the model's feature tokens (stems, context tokens prefixed)."""
    own, _, context = document.partition(CONTEXT_SEPARATOR)
    features = [stem(token.norm) for token in tokenize(own)]
    features.extend(CONTEXT_PREFIX + stem(token.norm) for token in tokenize(context))
    return features


def analyze_texts(documents: Iterable[str]) -> list[str]:
    """Pipeline step: each document becomes a space-joined string of feature tokens."""
    return [" ".join(analyze(document)) for document in documents]


def with_context(text: str, context: str) -> str:
    """Join a comment and the text it replies to into one document."""
    return f"{text.replace(CONTEXT_SEPARATOR, ' ')}{CONTEXT_SEPARATOR}{context.replace(CONTEXT_SEPARATOR, ' ')}"
