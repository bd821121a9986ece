import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netral_scan.feeds import Item, read_input
from netral_scan.model import DEFAULT_MODEL_PATH, load

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_FEED = ROOT / "examples" / "feed.jsonl"


@pytest.fixture(scope="session")
def default_model():
    return load(DEFAULT_MODEL_PATH, with_pipeline=True)


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def write_feed(tmp_path):
    """Write items as a JSON array, NDJSON or CSV feed and return its path."""

    def write(items, name="feed.jsonl"):
        path = tmp_path / name
        if name.endswith(".json"):
            path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        elif name.endswith(".csv"):
            import csv

            columns = sorted({key for item in items for key in item})
            with open(path, "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns)
                writer.writeheader()
                writer.writerows(items)
        else:
            path.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
        return path

    return write


def run_cli(*args, stdin=None):
    """Run netral-scan as a subprocess, as a user does."""
    return subprocess.run([sys.executable, "-m", "netral_scan", *map(str, args)], capture_output=True, text=True,
                          input=stdin, cwd=ROOT)


def read_all(path, platform=None):
    return list(read_input(str(path), platform))


def items(entries):
    return [entry for entry in entries if isinstance(entry, Item)]


def by_id(entries):
    return {entry.id: entry for entry in items(entries)}


def zip_folder(folder: Path, zip_path: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, prefix + file.relative_to(folder).as_posix())
    return zip_path
