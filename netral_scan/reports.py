"""Write results: atomic files, CSV/JSONL rows in a fixed column order, and the human summary."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

OUTPUT_COLUMNS = ("id", "kind", "author", "created_at", "flagged", "label", "score", "reasons", "text",
                  "parent_text", "target", "url", "source")
# OWASP CSV injection: a cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_STARTS)  # each is one character
EXCEL_BOM = "\ufeff"
EXCEL_DIGITS = 15  # Excel keeps 15 significant digits; longer numeric ids would be rounded


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[str]:
    """Yield a temporary path beside ``path``; rename it over ``path`` only if the block succeeds, so an
    interrupted run never leaves a half-written file."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent or ".")
    os.close(handle)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes 0600; give the file the user's usual mode
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def result_row(result) -> dict:
    """One output row for a scored item."""
    item = result.item
    return {"id": item.id, "kind": item.kind, "author": item.author, "created_at": item.created_at,
            "flagged": "true" if result.flagged else "false", "label": result.label,
            "score": f"{result.score:.4f}", "reasons": result.reasons, "text": item.text,
            "parent_text": item.parent_text, "target": item.target, "url": item.url, "source": item.source}


def neutralise(value: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with ``'`` (a lone ``-``, stdin, is not one)."""
    return "'" + value if value[:1] in _FORMULA_FIRST and value != "-" else value


class RowWriter:
    """Writes result rows as CSV (formula-safe) or JSONL (byte-exact values) to an open text stream.

    ``render`` turns a batch of rows into text and changes nothing, so a scan runs it in the worker process that
    judged the batch; ``put`` writes such text, in input order. The CSV header goes out with the first batch, or at
    ``finish`` if none came: a run that could read nothing then leaves nothing that looks like a clean result."""

    def __init__(self, stream: IO[str], output_format: str = "csv", columns=OUTPUT_COLUMNS, excel: bool = False):
        self.stream = stream
        self.excel = excel
        self.format = output_format
        self.columns = columns
        self._header_due = output_format == "csv"

    def render(self, rows: list[dict]) -> str:
        if self.format != "csv":
            return "".join(json.dumps({key: row.get(key, "") for key in self.columns}, ensure_ascii=False) + "\n"
                           for row in rows)
        text = io.StringIO()
        # A plain writer fed lists in column order: DictWriter checks every row's keys, a fifth of the write time.
        writer = csv.writer(text, lineterminator="\n")
        id_at = self.columns.index("id") if self.excel and "id" in self.columns else None
        for row in rows:
            cells = [neutralise(str(row.get(key, ""))) for key in self.columns]
            if id_at is not None and cells[id_at].isdigit() and len(cells[id_at]) > EXCEL_DIGITS:
                cells[id_at] = "'" + cells[id_at]  # keep a long numeric id as text, not 1.58792E+18
            writer.writerow(cells)
        return text.getvalue()

    def put(self, text: str) -> None:
        self.finish()
        self.stream.write(text)

    def finish(self) -> None:
        """Write the CSV header if it is not written yet (a scan with no rows still gives a valid, empty CSV)."""
        if self._header_due:
            self._header_due = False
            if self.excel:
                self.stream.write(EXCEL_BOM)
            csv.writer(self.stream, lineterminator="\n").writerow(self.columns)

    def write(self, row: dict) -> None:
        self.put(self.render([row]))


def format_summary(summary) -> str:
    """The human summary printed on stderr after a scan."""
    lines = [f"netral-scan: {summary.items_read} items read, {summary.scored} scored, "
             f"{summary.flagged} flagged, {summary.skipped_total} skipped ({summary.seconds:.1f} s)"]
    if summary.flagged:
        lines.append("  flagged by label: " + _counts(summary.flagged_by_label))
        lines.append("  flagged by kind:  " + _counts(summary.flagged_by_kind))
    for reason, count in sorted(summary.skipped.items(), key=lambda pair: -pair[1]):
        example = summary.skip_examples.get(reason, "")
        lines.append(f"  skipped {count}: {reason}" + (f" (first at {example})" if example else ""))
    for note, count in sorted(summary.notes.items()):
        lines.append(f"  note: {count} {note}")
    return "\n".join(lines)


def _counts(counter) -> str:
    return ", ".join(f"{key} {value}" for key, value in sorted(counter.items(), key=lambda pair: -pair[1]))
