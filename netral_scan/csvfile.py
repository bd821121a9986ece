"""Small CSV files that users hand to netral-scan (watchlists, audit account lists)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterator

from netral_scan.errors import NetralScanError


def read_rows(path: Path, noun: str, columns: tuple, required: tuple,
              header_needs: tuple | None = None) -> Iterator[tuple[int, dict]]:
    """Yield ``(line, values)`` for each row, values stripped and keyed by ``columns``. The header must hold
    ``header_needs`` (default: the ``required`` columns), which must not be empty in any row. Every problem is a
    one-line :class:`NetralScanError` naming the file (and line): unreadable file, missing columns, a row with
    more fields than columns, an empty required field, invalid CSV."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise NetralScanError(f"{path}: {noun} file not found") from None
    except UnicodeDecodeError:
        raise NetralScanError(f"{path}: {noun} file is not UTF-8 text") from None
    except OSError as error:
        raise NetralScanError(f"{path}: cannot read the {noun} file ({error.strerror or error})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [column.strip() for column in reader.fieldnames or []]
        missing = [column for column in header_needs or required if column not in header]
        if missing:
            article = "an" if noun[0] in "aeiou" else "a"
            raise NetralScanError(f"{path}: {article} {noun} needs the columns {','.join(columns)} "
                                  f"(missing: {', '.join(missing)})")
        reader.fieldnames = header
        for row in reader:
            line = reader.line_num
            if None in row:
                raise NetralScanError(f"{path}: line {line}: more fields than columns (quote values that contain commas)")
            values = {column: (row.get(column) or "").strip() for column in columns}
            for column in required:
                if not values[column]:
                    raise NetralScanError(f"{path}: line {line}: '{column}' is empty")
            yield line, values
    except csv.Error as error:
        raise NetralScanError(f"{path}: line {reader.line_num}: invalid CSV ({error})") from None
