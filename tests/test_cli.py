import csv
import io
import json
import re

import pytest

from netral_scan.cli import app
from netral_scan.reports import OUTPUT_COLUMNS

from conftest import EXAMPLE_FEED, ROOT, run_cli

CAMPAIGN = {"id": "c1", "kind": "post", "text": "Ayo 14 Februari coblos nomor 2, menangkan 02 satu putaran! ✌️"}
NEUTRAL = {"id": "n1", "kind": "post", "text": "Selamat pagi, sarapan nasi uduk dulu sebelum berangkat kerja"}
ERROR_LINE = re.compile(r"^netral-scan: error: \S.*$")


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_check_writes_flagged_items_with_the_documented_columns(runner):
    result = runner.invoke(app, ["check", str(EXAMPLE_FEED)])
    assert result.exit_code == 1
    header = result.stdout.splitlines()[0]
    assert header == ",".join(OUTPUT_COLUMNS)
    written = rows(result.stdout)
    assert written and all(row["flagged"] == "true" for row in written)
    assert all(re.fullmatch(r"\d\.\d{4}", row["score"]) for row in written)
    assert {row["source"] for row in written} == {str(EXAMPLE_FEED)}
    assert "items read" in result.stderr and "flagged by label" in result.stderr


def test_all_writes_every_scored_item(runner, write_feed):
    result = runner.invoke(app, ["check", str(write_feed([CAMPAIGN, NEUTRAL])), "--all"])
    assert [row["flagged"] for row in rows(result.stdout)] == ["true", "false"]


def test_exit_zero_when_nothing_is_flagged(runner, write_feed):
    result = runner.invoke(app, ["check", str(write_feed([NEUTRAL]))])
    assert result.exit_code == 0
    assert result.stdout.strip() == ",".join(OUTPUT_COLUMNS)


def test_exit_one_when_something_is_flagged(runner, write_feed):
    assert runner.invoke(app, ["check", str(write_feed([CAMPAIGN]))]).exit_code == 1


def test_unreadable_input_gives_one_line_and_exit_two_after_scanning_the_others(runner, write_feed, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('[{"text": "a"},\n {"text" "b"}]', encoding="utf-8")
    good = write_feed([CAMPAIGN])
    result = runner.invoke(app, ["check", str(broken), str(good)])
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("netral-scan: error:")]
    assert errors == [f"netral-scan: error: {broken}: invalid JSON at line 2 column 10 (Expecting ':' delimiter)"]
    assert [row["id"] for row in rows(result.stdout)] == ["c1"]
    assert "Traceback" not in result.output


def test_missing_file_is_exit_two(runner):
    result = runner.invoke(app, ["check", "no-such-feed.json"])
    assert result.exit_code == 2
    assert "netral-scan: error: no-such-feed.json: no such file or directory" in result.stderr
    assert result.stdout == ""  # not even a CSV header: an empty report would read as "nothing flagged"


def test_a_run_that_reads_nothing_leaves_no_output_file(runner, tmp_path):
    output = tmp_path / "flagged.csv"
    result = runner.invoke(app, ["check", "no-such-feed.json", "-o", str(output)])
    assert result.exit_code == 2
    assert not output.exists() and list(tmp_path.iterdir()) == []
    assert "no output was written" in result.stderr
    result = runner.invoke(app, ["check", "no-such-feed.json", str(EXAMPLE_FEED), "-o", str(output)])
    assert result.exit_code == 2  # one input was read: its rows are written, and the error still says what failed
    assert len(rows(output.read_text(encoding="utf-8"))) == 5


def test_a_readable_feed_with_nothing_flagged_still_gives_a_header(runner, tmp_path):
    feed = tmp_path / "calm.jsonl"
    feed.write_text(json.dumps({"id": "1", "text": "selamat pagi, sarapan dulu"}) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(feed)])
    assert result.exit_code == 0
    assert result.stdout.startswith("id,kind,author")


def test_usage_errors_are_exit_two(runner):
    assert runner.invoke(app, ["check"]).exit_code == 2
    assert runner.invoke(app, ["check", str(EXAMPLE_FEED), "--threshold", "7"]).exit_code == 2
    assert runner.invoke(app, ["check", str(EXAMPLE_FEED), "--period", "nope"]).exit_code == 2


def test_output_file_and_jsonl_format(runner, write_feed, tmp_path):
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["check", str(write_feed([CAMPAIGN])), "-o", str(out), "--format", "jsonl"])
    assert result.exit_code == 1 and result.stdout == ""
    [row] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert list(row) == list(OUTPUT_COLUMNS) and row["text"] == CAMPAIGN["text"]


def test_refuses_to_write_over_an_input(runner, write_feed):
    feed = write_feed([CAMPAIGN])
    before = feed.read_bytes()
    result = runner.invoke(app, ["check", str(feed), "-o", str(feed)])
    assert result.exit_code == 2 and "refusing to write the output over the input" in result.stderr
    assert feed.read_bytes() == before


def test_not_judgeable_items_are_counted(runner, write_feed):
    result = runner.invoke(app, ["check", str(write_feed([{"id": "x", "kind": "like"}]))])
    assert result.exit_code == 0
    assert "1 items read, 0 scored" in result.stderr and "not judgeable" in result.stderr


def test_period_filter_skips_and_counts(runner, write_feed):
    feed = write_feed([dict(CAMPAIGN, created_at="2019-04-01T10:00:00+07:00"), dict(CAMPAIGN, id="c2")])
    result = runner.invoke(app, ["check", str(feed), "--period", "pemilu2024"])
    assert "skipped 1: outside the time window" in result.stderr
    assert "note: 1 items without a date (kept)" in result.stderr
    assert [row["id"] for row in rows(result.stdout)] == ["c2"]


def test_explain_prints_score_label_and_evidence(runner):
    result = runner.invoke(app, ["explain", CAMPAIGN["text"]])
    assert result.exit_code == 1
    assert re.match(r"score \d\.\d{4} \(threshold \d\.\d{4}\) label endorse FLAGGED", result.stdout)
    assert "evidence:" in result.stdout


def test_train_and_evaluate_through_the_cli(runner, tmp_path):
    from test_training import SMALL, write_csv

    labels = write_csv(tmp_path, SMALL)
    model = tmp_path / "m.skops"
    result = runner.invoke(app, ["train", str(labels), "-o", str(model)])
    assert result.exit_code == 0, result.output
    assert "cross-validated (5 folds)" in result.stdout and model.exists()
    evaluated = runner.invoke(app, ["evaluate", str(labels), "--model", str(model), "--json"])
    assert evaluated.exit_code == 0
    assert set(json.loads(evaluated.stdout)) >= {"per_class", "partisan", "confusion", "macro_f1", "threshold"}


def test_train_names_the_bad_row(runner, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("text,label\nhalo,other\ncoblos,pro\n", encoding="utf-8")
    result = runner.invoke(app, ["train", str(path), "-o", str(tmp_path / "m.skops")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"netral-scan: error: {path}: row 3: unknown label 'pro' (expected endorse, attack, political, other, or partisan/neutral, 1/0)"


def test_every_command_has_help_and_is_in_the_readme(runner):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("check", "explain", "train", "evaluate"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "Example: netral-scan" in result.stdout
        assert f"netral-scan {command}" in readme


def test_as_a_subprocess_stdin_and_exit_codes():
    result = run_cli("check", "-", stdin=json.dumps(CAMPAIGN) + "\n")
    assert result.returncode == 1
    assert rows(result.stdout)[0]["source"] == "-"
    assert "Traceback" not in result.stderr


def test_as_a_subprocess_a_bad_input_is_one_line():
    result = run_cli("check", "missing.jsonl")
    assert result.returncode == 2
    assert [line for line in result.stderr.splitlines() if ERROR_LINE.match(line)] == [
        "netral-scan: error: missing.jsonl: no such file or directory"]


def test_as_a_subprocess_a_large_output_reaches_the_pipe_whole():
    # The program ends without the interpreter's clean-up (cli.main): all it wrote must reach the pipe, with a pool.
    items = [dict(CAMPAIGN, id=f"p{number}") for number in range(3000)]
    result = run_cli("check", "-", "--all", stdin="".join(json.dumps(item) + "\n" for item in items))
    assert result.returncode == 1
    assert [row["id"] for row in rows(result.stdout)] == [item["id"] for item in items]
    assert "3000 items read" in result.stderr


def test_main_turns_a_message_exit_into_status_one(monkeypatch, capsys):
    from netral_scan import cli

    def app(prog_name):
        raise SystemExit("gone")

    ends = []
    monkeypatch.setattr(cli, "app", app)
    monkeypatch.setattr(cli.os, "_exit", ends.append)
    cli.main()
    assert ends == [1] and capsys.readouterr().err == "gone\n"


def test_evaluate_plots_a_precision_recall_curve(runner, tmp_path):
    pytest.importorskip("matplotlib")
    from test_training import SMALL, write_csv

    plot = tmp_path / "pr.png"
    result = runner.invoke(app, ["evaluate", str(write_csv(tmp_path, SMALL)), "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
