"""Contestants' official and campaign accounts, to judge likes and shares by whose content they touched.

A like or a share usually carries no text of its own: what shows a side is its target (a page name, a
handle, a title sentence such as "Budi menyukai kiriman Prabowo Subianto.") or the address it points at.
The bundled list is ``netral_scan/watchlist.csv``; users add their own files with the same columns (see
``docs/watchlist.md``). All lookups are precomputed, so matching costs a few dictionary and regex look-ups
per item.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import netral_scan
from netral_scan.csvfile import read_rows
from netral_scan.errors import NetralScanError
from netral_scan.feeds import Item

BUNDLED_PATH = Path(netral_scan.__file__).resolve().parent / "watchlist.csv"  # package data
COLUMNS = ("name", "contest", "side", "label", "handles", "url_patterns")
REQUIRED_COLUMNS = ("name", "contest", "side", "label")
LABELS = ("endorse", "attack", "political", "other")  # the act labels of data/LABELS.md
LIST_SEPARATOR = ";"
# A one-word name ("Surya") inside a sentence is too often somebody else.
MIN_WORDS_IN_SENTENCE = 2
_URL_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?")
_NAME_SEPARATORS = re.compile(r"[\s\-‐‑–—_]+")
_HANDLE = re.compile(r"[\w.]+")


@dataclass(frozen=True)
class WatchEntry:
    """One account or page of a contestant."""

    name: str
    contest: str
    side: str
    label: str
    handles: tuple[str, ...] = ()
    url_patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class WatchMatch:
    name: str
    side: str
    label: str
    evidence: str


class Watchlist:
    """Look-ups built once from the entries; a later entry overrides an earlier one with the same key."""

    def __init__(self, entries: list[WatchEntry]):
        self.entries = list(entries)
        self._by_handle: dict[str, WatchEntry] = {}
        self._by_name: dict[str, WatchEntry] = {}
        self._by_url: dict[str, WatchEntry] = {}
        for entry in self.entries:
            self._by_handle.update({_handle_key(handle): entry for handle in entry.handles})
            self._by_name[_name_key(entry.name)] = entry
            self._by_url.update({pattern: entry for pattern in entry.url_patterns})
        # Longest first, so that "prabowo subianto" wins over a shorter name inside it.
        self._url_regex = _alternation(self._by_url, before=r"(?<![\w-])", after=r"(?![\w.-])")
        sentence_names = [name for name in self._by_name if len(name.split()) >= MIN_WORDS_IN_SENTENCE]
        self._name_regex = _alternation(sentence_names, before=r"(?<!\w)", after=r"(?!\w)")

    def __len__(self) -> int:
        return len(self.entries)

    def is_watched(self, name: str) -> bool:
        """Whether a name or @handle is one of the watched accounts."""
        return _handle_key(name.strip().removeprefix("@")) in self._by_handle or _name_key(name) in self._by_name

    def match(self, item: Item) -> WatchMatch | None:
        """The watched account an item's target or URL points at, with quotable evidence; ``None`` if none."""
        target = item.target.strip()
        if target:
            handle = target.removeprefix("@")
            entry = self._by_handle.get(_handle_key(handle))
            if entry:
                return _found(entry, f"target @{handle}")
            entry = self._by_name.get(_name_key(target))
            if entry:
                return _found(entry, f'target "{target}"')
        if item.url and self._url_regex:
            found = self._url_regex.search(item.url.lower())
            if found:
                return _found(self._by_url[found.group()], f'url contains "{found.group()}"')
        if target and self._name_regex:
            found = self._name_regex.search(_name_key(target))
            if found:
                entry = self._by_name[found.group()]
                return _found(entry, f'target mentions "{entry.name}"')
        return None


def _found(entry: WatchEntry, what: str) -> WatchMatch:
    return WatchMatch(entry.name, entry.side, entry.label, f"{what} = {entry.name} ({entry.side})")


def _alternation(keys, before: str, after: str) -> re.Pattern | None:
    if not keys:
        return None
    choices = "|".join(re.escape(key) for key in sorted(keys, key=len, reverse=True))
    return re.compile(f"{before}(?:{choices}){after}")


def _handle_key(handle: str) -> str:
    return unicodedata.normalize("NFKC", handle).strip().casefold()


def _name_key(name: str) -> str:
    """Names compare without case, and with hyphens, dashes and runs of spaces as one space
    ("Prabowo-Gibran" = "prabowo gibran"); NFKC turns styled letters (𝐏𝐫𝐚𝐛𝐨𝐰𝐨) into plain ones."""
    return _NAME_SEPARATORS.sub(" ", unicodedata.normalize("NFKC", name).casefold()).strip()


def load_watchlist(extra_paths: list[str] | None = None) -> Watchlist:
    """The bundled watchlist plus the user's files (same columns; their rows override bundled ones)."""
    entries = _read(BUNDLED_PATH)
    for path in extra_paths or []:
        entries += _read(Path(path))
    return Watchlist(entries)


def _read(path: Path) -> list[WatchEntry]:
    return [_entry(values, path, line) for line, values in read_rows(path, "watchlist", COLUMNS, REQUIRED_COLUMNS, COLUMNS)]


def _entry(values: dict, path: Path, line: int) -> WatchEntry:
    if values["label"] not in LABELS:
        raise NetralScanError(f"{path}: line {line}: label '{values['label']}' is not one of {', '.join(LABELS)}")
    handles = tuple(handle.removeprefix("@") for handle in _split(values["handles"]))
    bad = next((handle for handle in handles if not _HANDLE.fullmatch(handle)), None)
    if bad is not None:
        raise NetralScanError(f"{path}: line {line}: handle '{bad}' is not an account handle "
                              f"(letters, digits, '_' and '.'; separate handles with ';')")
    patterns = tuple(_URL_PREFIX.sub("", pattern.lower()) for pattern in _split(values["url_patterns"]))
    return WatchEntry(values["name"], values["contest"], values["side"], values["label"], handles,
                      tuple(pattern for pattern in patterns if pattern))


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]
