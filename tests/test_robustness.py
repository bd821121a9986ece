"""Bad, big and hostile input, through the CLI: exit code, the one-line message, and what was written."""

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netral_scan.cli import app

from conftest import ROOT

SUMMARY = re.compile(r"netral-scan: (\d+) items read, (\d+) scored, (\d+) flagged, (\d+) skipped")
SKIP_LINE = re.compile(r"^  skipped (\d+): ", re.M)
CAMPAIGN = {"id": "c1", "text": "Ayo 14 Februari coblos nomor 2, menangkan 02 satu putaran! ✌️"}


def check(runner, *args):
    result = runner.invoke(app, ["check", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def error_lines(result):
    return [line for line in result.stderr.splitlines() if line.startswith("netral-scan: error:")]


def counts(result):
    read, scored, flagged, skipped = map(int, SUMMARY.search(result.stderr).groups())
    return read, scored, flagged, skipped


@pytest.mark.parametrize("name, content, message", [
    ("empty.json", b"", "file is empty"),
    ("blank.jsonl", b"  \n\t\n", "file holds only whitespace"),
    ("truncated.json", b'[{"text": "a"}, {"text": "b', "truncated JSON: the file ends at line 1 column 28 (byte 27)"),
    ("object.json", b'{"items": []}', "expected a JSON array of items, found an object"),
    ("image.json", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data, not a text feed"),
    ("bad-utf8.json", b'[{"text": "ok"}, {"text": "\xff\xfe"}]', "invalid UTF-8 at byte 27 (after item 1)"),
    ("columns.csv", b"id,message\n1,halo\n", "CSV needs a 'text' or 'parent_text' column (found: id, message)"),
    ("corrupt.zip", b"PK\x03\x04 this is not a zip", "not a readable zip archive"),
])
def test_unreadable_inputs_give_one_line_exit_two_and_the_other_inputs_are_scanned(runner, tmp_path, name, content,
                                                                                  message):
    bad = tmp_path / name
    bad.write_bytes(content)
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(CAMPAIGN) + "\n", encoding="utf-8")
    result = check(runner, bad, good)
    assert result.exit_code == 2
    [line] = error_lines(result)
    assert line.startswith(f"netral-scan: error: {bad}") and message in line
    assert [row["id"] for row in csv.DictReader(io.StringIO(result.stdout))] == ["c1"]
    assert "Traceback" not in result.output


def test_missing_file_and_unrecognisable_folder(runner, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "a.jpg").write_bytes(b"\xff\xd8")
    result = check(runner, tmp_path / "missing.json", folder)
    assert result.exit_code == 2
    assert error_lines(result) == [f"netral-scan: error: {tmp_path / 'missing.json'}: no such file or directory",
                                   f"netral-scan: error: {folder}: no recognisable feed or platform export found"]


def test_unreadable_file(runner, tmp_path, monkeypatch):
    path = tmp_path / "locked.json"
    path.write_text("[]")
    path.chmod(0)
    if os.geteuid() == 0:  # root reads any file: make the permission check see what a user would
        monkeypatch.setattr("netral_scan.feeds.archive.os.access", lambda *args: False)
    result = check(runner, path)
    assert result.exit_code == 2 and error_lines(result) == [f"netral-scan: error: {path}: permission denied"]


def test_one_bad_ndjson_line_is_named_and_counted_and_the_rest_scanned(runner, tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps(CAMPAIGN) + '\n{"text": oops}\n{"id": "n", "text": "sarapan nasi uduk sebelum berangkat kerja"}\n', encoding="utf-8")
    result = check(runner, path, "--all")
    assert result.exit_code == 1
    assert "skipped 1: invalid JSON line (first at " in result.stderr and "line 2 column 10" in result.stderr
    assert counts(result) == (3, 2, 1, 1)
    assert [row["id"] for row in csv.DictReader(io.StringIO(result.stdout))] == ["c1", "n"]


@pytest.mark.parametrize("value, written", [(123, "123"), (None, ""), (True, "True")])
def test_fields_of_the_wrong_scalar_type_are_coerced(runner, tmp_path, value, written):
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({"id": 1, "text": value, "parent_text": "coblos 02"}) + "\n", encoding="utf-8")
    result = check(runner, path, "--all")
    [row] = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["text"] == written and row["id"] == "1"


def test_a_list_as_text_is_skipped_with_a_reason(runner, tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({"text": ["a", "b"]}) + "\n", encoding="utf-8")
    result = check(runner, path)
    assert result.exit_code == 0 and "skipped 1: field 'text' is not text" in result.stderr


def test_items_without_id_get_a_stable_id(runner, tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({"text": CAMPAIGN["text"]}) + "\n", encoding="utf-8")
    first = check(runner, path).stdout
    assert first == check(runner, path).stdout and f"{path}:1" in first


def test_a_five_megabyte_text_is_scored(runner, tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({"id": "big", "text": "coblos nomor 2 " + "kata " * 1_000_000}) + "\n")
    result = check(runner, path, "--all")
    assert result.exit_code in (0, 1) and counts(result) == (1, 1, counts(result)[2], 0)


def test_utf8_bom_and_utf16_feeds(runner, tmp_path):
    text = json.dumps([CAMPAIGN], ensure_ascii=False)
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + text.encode())
    (tmp_path / "utf16.json").write_bytes(text.encode("utf-16"))
    result = check(runner, tmp_path / "bom.json", tmp_path / "utf16.json")
    assert result.exit_code == 1
    assert [row["text"] for row in csv.DictReader(io.StringIO(result.stdout))] == [CAMPAIGN["text"]] * 2


def test_a_zip_bomb_is_refused(runner, tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("feed.jsonl", b" " * (20 * 1024 * 1024))
    result = check(runner, path)
    assert result.exit_code == 2
    [line] = error_lines(result)
    assert "over the 200:1 limit (possible zip bomb)" in line


def test_zip_members_that_climb_out_are_never_written_and_are_counted(runner, tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../evil.jsonl", json.dumps(CAMPAIGN) + "\n")
        archive.writestr("/etc/evil.jsonl", json.dumps(CAMPAIGN) + "\n")
        archive.writestr("feed/ok.jsonl", json.dumps({"id": "ok", "text": "sarapan nasi uduk sebelum berangkat kerja"}) + "\n")
    before = set(tmp_path.parent.iterdir())
    result = check(runner, path, "--all")
    assert set(tmp_path.parent.iterdir()) == before and not (tmp_path / "evil.jsonl").exists()
    assert "skipped 2: zip member with an unsafe name ignored (never extracted)" in result.stderr
    assert [row["id"] for row in csv.DictReader(io.StringIO(result.stdout))] == ["ok"]


def test_csv_injection_is_neutralised_and_jsonl_is_exact(runner, tmp_path):
    path = tmp_path / "feed.jsonl"
    item = {"id": "1587920147083591680", "text": "=HYPERLINK(\"http://x\") coblos nomor 2 ✌️", "author": "@budi"}
    path.write_text(json.dumps(item) + "\n", encoding="utf-8")
    [row] = list(csv.DictReader(io.StringIO(check(runner, path, "--all").stdout)))
    assert row["text"].startswith("'=HYPERLINK") and row["author"] == "'@budi"
    assert row["id"] == item["id"]
    jsonl = json.loads(check(runner, path, "--all", "--format", "jsonl").stdout)
    assert jsonl["text"] == item["text"] and jsonl["author"] == "@budi"
    excel = check(runner, path, "--all", "--excel").stdout
    assert excel.startswith("\ufeffid,") and "\n'1587920147083591680," in excel


def test_the_output_is_never_written_over_an_input(runner, tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps(CAMPAIGN) + "\n")
    result = check(runner, path, "-o", path)
    assert result.exit_code == 2 and path.read_text() == json.dumps(CAMPAIGN) + "\n"


def big_feed(tmp_path, items=60_000):
    path = tmp_path / "big.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for number in range(items):
            handle.write(json.dumps({"id": number, "text": f"kata{number} coblos {number % 7} pemilu damai"}) + "\n")
    return path


@pytest.mark.parametrize("signum, code, word", [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")])
def test_an_interrupted_run_leaves_no_output_file_and_says_what_was_done(tmp_path, signum, code, word):
    feed, out = big_feed(tmp_path), tmp_path / "out" / "flagged.csv"
    out.parent.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "netral_scan", "check", str(feed), "-o", str(out), "--jobs", "1"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not list(out.parent.iterdir()) and time.time() < deadline:  # the temporary output appears when scanning
        time.sleep(0.05)
    time.sleep(0.5)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == code
    assert list(out.parent.iterdir()) == []
    assert f"netral-scan: error: {word}; no output file was written" in stderr
    assert SUMMARY.search(stderr) and "Traceback" not in stderr


def test_piping_into_head_ends_quietly(tmp_path):
    feed = big_feed(tmp_path, 20_000)
    result = subprocess.run(f"{sys.executable} -m netral_scan check {feed} --all --jobs 1 | head -n 2", shell=True,
                            cwd=ROOT, capture_output=True, text=True)
    assert len(result.stdout.splitlines()) == 2
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


FIELD_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=40),
                         st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
ITEMS = st.lists(st.dictionaries(st.sampled_from(["id", "kind", "text", "parent_text", "target", "created_at", "x"]),
                                 FIELD_VALUES, max_size=6), max_size=8)


def assert_accounted(result):
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1, 2)
    if result.exit_code != 2:
        read, scored, _, skipped = counts(result)
        assert read == scored + skipped
        assert skipped == sum(int(n) for n in SKIP_LINE.findall(result.stderr))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=ITEMS, extension=st.sampled_from([".json", ".jsonl", ".csv"]))
def test_random_items_are_all_accounted_for(runner, tmp_path, items, extension):
    path = tmp_path / f"feed{extension}"
    if extension == ".json":
        path.write_text(json.dumps(items), encoding="utf-8")
    elif extension == ".jsonl":
        path.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
    else:
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=["id", "kind", "text", "parent_text", "target", "created_at", "x"])
            writer.writeheader()
            writer.writerows({k: json.dumps(v) if isinstance(v, (list, dict)) else v for k, v in item.items()}
                             for item in items)
    assert_accounted(check(runner, path))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300), extension=st.sampled_from([".json", ".jsonl", ".csv", ".zip", ""]))
def test_random_bytes_never_crash(runner, tmp_path, data, extension):
    path = tmp_path / f"feed{extension}"
    path.write_bytes(data)
    assert_accounted(check(runner, path))
