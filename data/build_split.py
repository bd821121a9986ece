"""Merge corpus parts into data/train.csv and data/test.csv with a fixed, stratified test split.

A row's split is decided by a hash of its content, so it never changes when the corpus grows: a test row stays
a test row forever and is never used for training or threshold choice. The hash is taken per label, which
keeps each label's share of the test split near TEST_SHARE (``python data/stats.py`` reports it).

Usage: python data/build_split.py [extra.csv ...]   (re-reads train.csv + test.csv + data/parts/*.csv)
"""

import csv
import hashlib
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent
COLUMNS = ["text", "label", "kind", "parent_text", "topic"]
LABELS = {"endorse", "attack", "political", "other"}
KINDS = {"post", "comment", "share", "like"}
TEST_SHARE = 0.2
HASH_BUCKETS = 1000


def key(row: dict) -> tuple:
    return (row["kind"], " ".join(row["text"].split()).lower(), " ".join(row["parent_text"].split()).lower())


def is_test(row: dict) -> bool:
    digest = hashlib.sha256("\x1f".join((row["label"],) + key(row)).encode("utf-8")).hexdigest()
    return int(digest, 16) % HASH_BUCKETS < TEST_SHARE * HASH_BUCKETS


def read_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = []
        for number, row in enumerate(csv.DictReader(handle), start=2):
            row = {column: (row.get(column) or "").strip() for column in COLUMNS}
            if row["label"] not in LABELS or row["kind"] not in KINDS:
                sys.exit(f"{path}: row {number}: bad label {row['label']!r} or kind {row['kind']!r}")
            if row["kind"] == "post":
                row["parent_text"] = ""
            if not (row["text"] or row["parent_text"]):
                sys.exit(f"{path}: row {number}: no text")
            rows.append(row)
        return rows


def main(extra: list[str]) -> None:
    sources = [DATA / "train.csv", DATA / "test.csv", *sorted((DATA / "parts").glob("*.csv")), *map(Path, extra)]
    seen, rows, duplicates, conflicts = {}, [], 0, 0
    for source in sources:
        if not source.exists():
            continue
        for row in read_rows(source):
            if key(row) in seen:
                duplicates += 1
                conflicts += seen[key(row)] != row["label"]
                continue
            seen[key(row)] = row["label"]
            rows.append(row)
    for name, selected in (("train", [r for r in rows if not is_test(r)]), ("test", [r for r in rows if is_test(r)])):
        with open(DATA / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(selected)
        print(f"{name}.csv: {len(selected)} rows")
    print(f"dropped {duplicates} exact duplicates ({conflicts} with a conflicting label, first label kept)")


if __name__ == "__main__":
    main(sys.argv[1:])
