"""Scan inputs end to end: read entries, score them in batches, hand rows to a writer, count everything.

Every entry read is either scored or counted as skipped with a reason: ``items_read == scored + skipped``.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from netral_scan.errors import FeedError
from netral_scan.feeds import Item, Skipped, read_input
from netral_scan.model import Model
from netral_scan.periods import Window
from netral_scan.reports import result_row
from netral_scan.scoring import Result, Scorer

BATCH_SIZE = 2000
NOT_JUDGEABLE = "not judgeable (no text, no watchlisted target)"
OUTSIDE_WINDOW = "outside the time window"
UNDATED = "items without a date (kept)"
WATCHLIST_SCORE = 1.0  # a like or share of a watchlisted account is a breach by rule, not by text
WATCHLIST_KINDS = ("like", "share")


@dataclass
class Summary:
    """What a scan did, for the human summary and the exit code."""

    items_read: int = 0
    scored: int = 0
    flagged: int = 0
    flagged_by_label: Counter = field(default_factory=Counter)
    flagged_by_kind: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    skip_examples: dict = field(default_factory=dict)
    notes: Counter = field(default_factory=Counter)
    errors: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def skip(self, reason: str, where: str) -> None:
        self.skipped[reason] += 1
        self.skip_examples.setdefault(reason, where)


def _batches(entries: Iterable, size: int) -> Iterator[list]:
    iterator = iter(entries)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def scan(inputs: list[str], model: Model, write: Callable[[dict], None], threshold: float | None = None,
         include_all: bool = False, platform: str | None = None,
         progress: Callable[[int], None] | None = None, summary: Summary | None = None,
         window: Window | None = None, watchlist=None) -> Summary:
    """Scan each input, calling ``write`` with an output row for every flagged item (every item with
    ``include_all``). An input that cannot be read is recorded in ``Summary.errors`` and the others are
    still scanned. Pass ``summary`` to keep the counts of a run that is interrupted. Items outside
    ``window`` are skipped; likes and shares whose target is on ``watchlist`` are flagged by rule."""
    started = time.perf_counter()
    scorer = Scorer(model, threshold)
    summary = summary if summary is not None else Summary()
    for path in inputs:
        try:
            for batch in _batches(read_input(path, platform), BATCH_SIZE):
                _scan_batch(batch, scorer, write, include_all, summary, window, watchlist)
                if progress:
                    progress(len(batch))
        except FeedError as error:
            summary.errors.append(str(error))
        finally:
            summary.seconds = time.perf_counter() - started
    return summary


def _scan_batch(batch: list, scorer: Scorer, write, include_all: bool, summary: Summary,
                window: Window | None, watchlist) -> None:
    items: list[Item] = []
    for entry in batch:
        summary.items_read += 1
        if isinstance(entry, Skipped):
            summary.skip(entry.reason, f"{entry.source} {entry.position}".strip())
            continue
        inside = window.contains(entry.created_at) if window else True
        if inside is False:
            summary.skip(OUTSIDE_WINDOW, f"{entry.source} id {entry.id}")
            continue
        if inside is None:
            summary.notes[UNDATED] += 1
        items.append(entry)
    for item, result in zip(items, scorer.score(items, explain_all=include_all)):
        if watchlist is not None and item.kind in WATCHLIST_KINDS:
            result = _with_watchlist(item, result, watchlist)
        if result is None:
            summary.skip(NOT_JUDGEABLE, f"{item.source} id {item.id}")
            continue
        summary.scored += 1
        if result.flagged:
            summary.flagged += 1
            summary.flagged_by_label[result.label] += 1
            summary.flagged_by_kind[item.kind] += 1
        if result.flagged or include_all:
            write(result_row(result))


def _with_watchlist(item: Item, result: Result | None, watchlist) -> Result | None:
    """Flag a like or share of a watchlisted account, quoting the match; keep the model's evidence."""
    match = watchlist.match(item)
    if match is None:
        return result
    if result is not None and result.flagged:
        result.reasons = "; ".join(filter(None, (match.evidence, result.reasons)))
        return result
    return Result(item, True, match.label, WATCHLIST_SCORE, match.evidence)
