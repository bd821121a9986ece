"""Feeds: turn an input (file, folder, zip or stdin) into a stream of items.

An input is opened as an :class:`~netral_scan.feeds.archive.Archive` (a set of named members), then the
first reader in ``READERS`` whose ``detect`` accepts it reads it. To add a platform, write one module with
``detect(archive) -> bool`` and ``read(archive) -> Iterator[Item | Skipped]`` and add one entry below (a reader
may also yield :class:`Pending` blocks of records that are decoded later, as the NDJSON reader does).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Callable, Iterable, Iterator, NamedTuple

from netral_scan.errors import FeedError

KINDS = ("post", "comment", "share", "like")


@dataclass
class Item:
    """One thing a person did on a platform."""

    id: str
    kind: str
    text: str = ""
    parent_text: str = ""
    target: str = ""
    author: str = ""
    created_at: str = ""
    url: str = ""
    source: str = ""
    extra: dict = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Skipped:
    """An input record that could not become an item, with the reason and where it was."""

    reason: str
    source: str
    position: str = ""


Entry = Item | Skipped


class Pending(NamedTuple):
    """Records read but not yet decoded: a block of NDJSON lines with their line numbers. Decoding is most of the
    cost of reading, so a parallel scan sends blocks like this to the worker that judges them; ``decode()`` gives
    their Items or Skipped records. (Blocks, not one record per line: building 200,000 line records cost the parent,
    which also feeds the workers, a tenth of a second.)"""

    decoder: Callable[[bytes, str, int], Entry]  # a module-level function, so the block pickles
    source: str
    lines: list[bytes]
    numbers: list[int]

    def decode(self) -> list[Entry]:
        decoder, source = self.decoder, self.source
        return [decoder(line, source, number) for line, number in zip(self.lines, self.numbers)]


def decoded(entries: Iterable[Entry | Pending]) -> Iterator[Entry]:
    """The entries with every :class:`Pending` block replaced by its decoded records, in order."""
    for entry in entries:
        if isinstance(entry, Pending):
            yield from entry.decode()
        else:
            yield entry


def _readers() -> dict[str, ModuleType]:
    # Imported here so that `netral-scan --help` does not pay for every reader.
    from netral_scan.feeds import facebook, generic, instagram, tiktok, twitter

    return {"facebook": facebook, "instagram": instagram, "twitter": twitter, "tiktok": tiktok,
            "generic": generic}


def platforms() -> list[str]:
    """Names accepted by ``--platform``."""
    return list(_readers())


def read_input(path: str, platform: str | None = None, deferred: bool = False) -> Iterator[Entry | Pending]:
    """Stream the entries of one input; ``path`` may be ``-`` for stdin. With ``deferred``, records a reader can
    decode later are given as :class:`Pending` (``scan`` decodes them where it judges them).

    Raises :class:`FeedError` when the input cannot be opened or recognised; errors in the middle of a
    stream are raised when reached, after the entries before them.
    """
    from netral_scan.feeds.archive import open_archive

    readers = _readers()
    if platform is not None and platform not in readers:
        raise FeedError(path, f"unknown platform {platform!r} (choose from {', '.join(readers)})")
    with open_archive(path) as archive:
        if platform is not None:
            reader = readers[platform]
        else:
            reader = next((r for r in readers.values() if r.detect(archive)), None)
        if reader is None:
            raise FeedError(path, "no recognisable feed or platform export found")
        for member in archive.unsafe_members():
            yield Skipped("zip member with an unsafe name ignored (never extracted)", path, member)
        yield from reader.read(archive) if deferred else decoded(reader.read(archive))
