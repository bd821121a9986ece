"""Time windows: ``--since``/``--until`` dates and named election periods.

The named periods follow the calendar of the KPU regulations (PKPU 3/2022 for Pemilu 2024, PKPU 2/2024 for
Pilkada 2024). The default periods cover the stages *before and after* the campaign, because PP 94/2021 and
UU 7/2017 Pasal 283 forbid taking sides "sebelum, selama, dan sesudah masa kampanye"; the ``-kampanye``
variants cover only campaign, quiet period and voting day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from netral_scan.errors import NetralScanError

PERIODS = {
    # candidacy of presidential pairs opens → end of vote recapitulation
    "pemilu2024": (date(2023, 10, 19), date(2024, 3, 20)),
    "pemilu2024-kampanye": (date(2023, 11, 28), date(2024, 2, 14)),
    # support gathering for independent candidates opens → end of recapitulation
    "pilkada2024": (date(2024, 5, 5), date(2024, 12, 16)),
    "pilkada2024-kampanye": (date(2024, 9, 25), date(2024, 11, 27)),
}


@dataclass(frozen=True)
class Window:
    """An inclusive range of calendar dates; either end may be open."""

    since: date | None = None
    until: date | None = None

    def contains(self, created_at: str) -> bool | None:
        """Whether an item's timestamp falls in the window, by the date as written in the item's own
        time zone (UTC when it has none); ``None`` when the item has no usable date."""
        day = item_date(created_at)
        if day is None:
            return None
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)


def item_date(created_at: str) -> date | None:
    if not created_at:
        return None
    try:
        return datetime.fromisoformat(created_at.strip().replace("Z", "+00:00")).date()
    except ValueError:
        return None


def make_window(since: str | None = None, until: str | None = None, period: str | None = None) -> Window | None:
    """Build the window from options; ``--since``/``--until`` narrow a named period. ``None`` if unbounded."""
    start = end = None
    if period is not None:
        if period not in PERIODS:
            raise NetralScanError(f"unknown period {period!r} (choose from {', '.join(PERIODS)})")
        start, end = PERIODS[period]
    if since:
        start = max(filter(None, (start, _parse_day(since, "--since"))))
    if until:
        end = min(filter(None, (end, _parse_day(until, "--until"))))
    if start is None and end is None:
        return None
    return Window(start, end)


def _parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise NetralScanError(f"{option} {value!r} is not a date like 2023-11-28") from None
