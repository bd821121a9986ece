"""Batch audits: a ROOT of fixture accounts (several platforms, a generic campaign feed, a clean account and
a broken zip), the CSV and JUnit outputs, exit codes, --fail-on, --redact and resumption."""

import csv
import io
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from netral_scan import audit
from netral_scan.audit import (FLAGGED_COLUMNS, AuditOptions, AuditStateError, Redactor, discover_accounts,
                               run_audit)
from netral_scan.cli import app
from netral_scan.reports import OUTPUT_COLUMNS
from netral_scan.scan import Rows, scan
from netral_scan.watchlist import load_watchlist

from conftest import ROOT

EXPORTS = ROOT / "tests" / "fixtures" / "exports"
AUDIT_FIXTURES = ROOT / "tests" / "fixtures" / "audit"
FALLBACK = AUDIT_FIXTURES / "platform_fallback.jsonl"
# account entry in ROOT -> (platform export under tests/fixtures/exports, how it is put in ROOT)
PLATFORM_ACCOUNTS = {
    "andi.x": ("twitter/x2024", "folder"),
    "sari.ig.zip": ("instagram/ig2024", "zip"),
    "rina.fb.zip": ("facebook/fb2022", "zip"),
    "dewi.tiktok.json": ("tiktok/tt2025/user_data_tiktok.json", "file"),
}
CAMPAIGN_ACCOUNT, CLEAN_ACCOUNT, BROKEN_ACCOUNT = "budi", "citra", "rusak"
OUTPUTS = ("flagged.csv", "accounts.csv", "report.html", "junit.xml")
FIXED_TIME = "2024-03-01T09:00:00+07:00"


def _zip_folder(folder: Path, target: Path) -> None:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())


def _add_platform_account(root: Path, entry: str, export: str, how: str) -> None:
    """Copy or zip a platform export; a generic feed stands in while a platform's fixture is missing."""
    source = EXPORTS / export
    if not source.exists():
        shutil.copy(FALLBACK, root / (entry.split(".")[0] + ".jsonl"))
    elif how == "folder":
        shutil.copytree(source, root / entry)
    elif how == "zip":
        _zip_folder(source, root / entry)
    else:
        shutil.copy(source, root / entry)


def build_root(base: Path, platforms: bool = True, broken: bool = True) -> Path:
    """A ROOT folder with one export per account."""
    root = base / "kantor"
    root.mkdir()
    if platforms:
        for entry, (export, how) in PLATFORM_ACCOUNTS.items():
            _add_platform_account(root, entry, export, how)
    shutil.copy(AUDIT_FIXTURES / "campaign.jsonl", root / f"{CAMPAIGN_ACCOUNT}.jsonl")
    shutil.copy(AUDIT_FIXTURES / "clean.jsonl", root / f"{CLEAN_ACCOUNT}.jsonl")
    if broken:
        (root / f"{BROKEN_ACCOUNT}.zip").write_bytes(b"PK\x03\x04 this is not really a zip archive")
    return root


def read_csv(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def run(runner, root: Path, outdir: Path, *options):
    return runner.invoke(app, ["audit", str(root), "-o", str(outdir), "--jobs", "1", *map(str, options)])


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """One full audit with --junit, shared by the tests that only read its outputs."""
    from typer.testing import CliRunner

    base = tmp_path_factory.mktemp("audit")
    root = build_root(base)
    outdir = base / "out"
    result = run(CliRunner(), root, outdir, "--junit")
    return root, outdir, result


def test_accounts_are_the_entries_of_root_sorted_by_id(audited):
    root, _, _ = audited
    ids = [account.id for account in discover_accounts(root)]
    assert ids == sorted(ids)
    assert {CAMPAIGN_ACCOUNT, CLEAN_ACCOUNT, BROKEN_ACCOUNT} <= set(ids)
    assert len(ids) == 3 + len(PLATFORM_ACCOUNTS)


def test_broken_account_gives_exit_two_and_the_others_are_still_reported(audited):
    _, outdir, result = audited
    assert result.exit_code == 2, result.output
    assert f"netral-scan: error: {BROKEN_ACCOUNT}: {BROKEN_ACCOUNT}.zip: not a readable zip archive" in result.stderr
    assert "Traceback" not in result.output
    assert all((outdir / name).is_file() for name in OUTPUTS)


def test_flagged_csv_holds_what_check_finds_for_each_account(audited, default_model):
    root, outdir, _ = audited
    rows = read_csv(outdir / "flagged.csv")
    assert (outdir / "flagged.csv").read_text(encoding="utf-8").splitlines()[0] == ",".join(FLAGGED_COLUMNS)
    expected = []
    for account in discover_accounts(root):
        found = Rows()
        scan([account.path], default_model, found, watchlist=load_watchlist())
        for row in found:
            row["source"] = row["source"].replace(f"{root}/", "")
        expected += [{"account_id": account.id, **row} for row in found]
    assert [row["account_id"] for row in rows] == sorted(row["account_id"] for row in rows)
    assert [(row["account_id"], row["id"], row["score"], row["source"]) for row in rows] == \
           [(row["account_id"], row["id"], row["score"], row["source"]) for row in expected]
    assert {row["account_id"] for row in rows} >= {CAMPAIGN_ACCOUNT, "andi.x"}
    assert CLEAN_ACCOUNT not in {row["account_id"] for row in rows}


def test_flagged_csv_is_formula_safe(audited):
    _, outdir, _ = audited
    texts = [row["text"] for row in read_csv(outdir / "flagged.csv") if row["id"] == "b-06"]
    assert texts == ["'=HYPERLINK(\"http://evil.example\") Ayo 14 Februari coblos nomor 2, menangkan 02 satu putaran!"]


def test_accounts_csv_has_one_row_per_account_with_counts(audited, default_model):
    root, outdir, _ = audited
    rows = {row["account_id"]: row for row in read_csv(outdir / "accounts.csv")}
    assert list(rows) == [account.id for account in discover_accounts(root)]
    budi, citra, rusak = rows[CAMPAIGN_ACCOUNT], rows[CLEAN_ACCOUNT], rows[BROKEN_ACCOUNT]
    assert (budi["status"], budi["items_read"], budi["path"]) == ("flagged", "6", f"{CAMPAIGN_ACCOUNT}.jsonl")
    assert int(budi["judged"]) + int(budi["not_judgeable"]) == 6
    assert int(budi["flagged"]) == int(budi["flagged_endorse"]) + int(budi["flagged_attack"]) + \
        int(budi["flagged_political"]) + int(budi["flagged_other"])
    assert int(budi["flagged"]) == sum(int(budi[f"flagged_{kind}"]) for kind in ("post", "comment", "share", "like"))
    assert budi["first_flagged"] == "2024-01-20" and budi["last_flagged"] == "2024-02-10"
    assert re.fullmatch(r"\d\.\d{4}", budi["highest_score"])
    assert "coblos" in budi["top_reasons"].lower()
    assert (citra["status"], citra["flagged"], citra["not_judgeable"], citra["errors"]) == ("clean", "0", "1", "")
    assert rusak["status"] == "error" and "not a readable zip archive" in rusak["errors"]
    assert rusak["errors"].startswith(f"{BROKEN_ACCOUNT}.zip:")  # no absolute path of the auditor's disk


def test_junit_has_one_testcase_per_account(audited):
    root, outdir, _ = audited
    suite = ET.parse(outdir / "junit.xml").getroot()
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert list(cases) == [account.id for account in discover_accounts(root)]
    assert cases[CAMPAIGN_ACCOUNT].find("failure") is not None
    assert cases[BROKEN_ACCOUNT].find("error") is not None and cases[BROKEN_ACCOUNT].find("failure") is None
    assert list(cases[CLEAN_ACCOUNT]) == []
    flagged = {row["account_id"] for row in read_csv(outdir / "flagged.csv")}
    assert suite.get("failures") == str(len(flagged - {BROKEN_ACCOUNT}))
    assert suite.get("errors") == "1" and suite.get("tests") == str(len(cases))


def test_exit_one_when_flagged_and_zero_when_clean(runner, tmp_path):
    root = build_root(tmp_path, platforms=False, broken=False)
    assert run(runner, root, tmp_path / "out").exit_code == 1
    (root / f"{CAMPAIGN_ACCOUNT}.jsonl").unlink()
    result = run(runner, root, tmp_path / "clean-out")
    assert result.exit_code == 0, result.output
    assert read_csv(tmp_path / "clean-out" / "flagged.csv") == []


def test_fail_on_exits_one_only_past_n_flagged_items(runner, tmp_path):
    root = build_root(tmp_path, platforms=False, broken=False)
    total = len(read_csv(_audit_to(runner, root, tmp_path / "first")))
    assert total > 1
    assert run(runner, root, tmp_path / "first", "--fail-on", total).exit_code == 0
    assert run(runner, root, tmp_path / "first", "--fail-on", total - 1).exit_code == 1


def _audit_to(runner, root: Path, outdir: Path) -> Path:
    run(runner, root, outdir)
    return outdir / "flagged.csv"


def test_redact_leaves_no_third_party_name_in_any_output(runner, tmp_path):
    root = build_root(tmp_path)
    run(runner, root, tmp_path / "plain")
    plain = read_csv(tmp_path / "plain" / "flagged.csv")
    # Third parties: the targets, except where the audited person replies to themself, and except the watched
    # campaign and official accounts, which are public and are the evidence of a like or share.
    watchlist = load_watchlist()
    targets = {row["target"] for row in plain if row["target"] and row["target"] != row["author"]}
    public = {target for target in targets if watchlist.is_watched(target)}
    names = (targets - public) | {"salim.relawan"}  # only @mentioned
    assert {"Pak Haji Salim", "salim.relawan", "relawan.sejahtera"} <= names and {"prabowo", "Anies Baswedan"} <= public
    result = run(runner, root, tmp_path / "redacted", "--redact", "--junit")
    assert result.exit_code == 2
    for name in OUTPUTS:
        text = (tmp_path / "redacted" / name).read_text(encoding="utf-8").casefold()
        leaked = [target for target in names if target.casefold() in text]
        assert leaked == [], f"{name} shows {leaked}"
    redacted = read_csv(tmp_path / "redacted" / "flagged.csv")
    assert [row["id"] for row in redacted] == [row["id"] for row in plain]
    for row, unredacted in zip(redacted, plain):
        if unredacted["target"] in public:
            assert row["target"] == unredacted["target"]
        elif row["target"] and row["target"] != row["author"]:
            assert re.fullmatch(r"akun-[0-9a-f]{6}", row["target"])
    salim = next(row for row in redacted if row["id"] == "b-03")
    assert salim["text"] == f"Setuju {salim['target']}, lanjutkan!"
    assert re.search(r"cc @akun-[0-9a-f]{6}$", salim["parent_text"])


def test_pseudonyms_are_stable_and_keyed():
    first, other = Redactor(b"k" * 32), Redactor(b"x" * 32)
    assert first.pseudonym("@Budi.Relawan") == first.pseudonym("budi.relawan")
    assert first.pseudonym("budi.relawan") != other.pseudonym("budi.relawan")
    row = {"text": "halo @ani_b dan Budi, bukan Budiman; mail ani@example.org; saya @Rina", "parent_text": "",
           "reasons": "", "url": "", "target": "Budi", "author": "rina"}
    redacted = first.redact_rows([row])[0]
    budi, ani = first.pseudonym("Budi"), first.pseudonym("ani_b")
    assert redacted["text"] == f"halo @{ani} dan {budi}, bukan Budiman; mail ani@example.org; saya @Rina"
    assert redacted["target"] == budi


def test_watched_accounts_are_not_pseudonymised():
    redactor = Redactor(b"k" * 32, load_watchlist().is_watched)
    row = {"text": "mantap @aniesbaswedan, salam buat @budi_b", "parent_text": "", "reasons": "", "url": "",
           "target": "@prabowo", "author": "rina"}
    redacted = redactor.redact_rows([row])[0]
    assert redacted["text"] == f"mantap @aniesbaswedan, salam buat @{redactor.pseudonym('budi_b')}"
    assert redacted["target"] == "@prabowo"


def _options(**changes) -> AuditOptions:
    return AuditOptions(**{"jobs": 1, "junit": True, **changes})


def _interrupt_after(count: int):
    def progress(done, total):
        progress.calls += 1
        if progress.calls > count:  # the first call reports the accounts resumed, before any scan
            raise KeyboardInterrupt

    progress.calls = 0
    return progress


def _same_outputs(first: Path, second: Path) -> None:
    for name in OUTPUTS:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_interrupted_audit_resumes_to_the_same_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(audit, "_now", lambda: FIXED_TIME)
    root = build_root(tmp_path)
    run_audit(root, tmp_path / "once", _options())
    with pytest.raises(KeyboardInterrupt):
        run_audit(root, tmp_path / "resumed", _options(), progress=_interrupt_after(1))
    first = discover_accounts(root)[0].id
    saved = sorted(path.name for path in (tmp_path / "resumed" / ".state").iterdir())
    assert saved == sorted([f"{first}.json", "run.json"])
    assert not (tmp_path / "resumed" / "flagged.csv").exists()
    monkeypatch.setattr(audit, "_now", lambda: "a later time that must not be used")
    calls = []
    result = run_audit(root, tmp_path / "resumed", _options(), progress=lambda done, total: calls.append(done))
    assert result.resumed == 1 and calls[0] == 1 and calls[-1] == len(result.run.results)
    _same_outputs(tmp_path / "once", tmp_path / "resumed")
    assert FIXED_TIME in (tmp_path / "resumed" / "report.html").read_text(encoding="utf-8")


def test_redacted_audit_keeps_its_pseudonyms_when_resumed(tmp_path):
    root = build_root(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        run_audit(root, tmp_path / "resumed", _options(redact=True), progress=_interrupt_after(2))
    # A run in one go with the same key and start time: start it from a copy of the run state alone.
    (tmp_path / "once" / ".state").mkdir(parents=True)
    shutil.copy(tmp_path / "resumed" / ".state" / "run.json", tmp_path / "once" / ".state" / "run.json")
    run_audit(root, tmp_path / "once", _options(redact=True))
    run_audit(root, tmp_path / "resumed", _options(redact=True))
    _same_outputs(tmp_path / "once", tmp_path / "resumed")


def test_parallel_audit_writes_the_same_bytes_as_serial(tmp_path, monkeypatch):
    monkeypatch.setattr(audit, "_now", lambda: FIXED_TIME)
    root = build_root(tmp_path)
    run_audit(root, tmp_path / "serial", _options())
    run_audit(root, tmp_path / "parallel", _options(jobs=2))
    _same_outputs(tmp_path / "serial", tmp_path / "parallel")


def test_rerun_with_other_options_is_refused_unless_restarted(runner, tmp_path):
    root = build_root(tmp_path, platforms=False, broken=False)
    run(runner, root, tmp_path / "out")
    result = run(runner, root, tmp_path / "out", "--threshold", "0.9")
    assert result.exit_code == 2
    assert "holds an audit started with other options (threshold" in result.stderr
    assert "add --restart to start over" in result.stderr
    result = run(runner, root, tmp_path / "out", "--threshold", "0.9", "--restart")
    assert result.exit_code in (0, 1) and "(0 from an earlier run)" in result.stderr


def test_a_fixed_export_is_read_again_on_rerun(runner, tmp_path):
    root = build_root(tmp_path, platforms=False)
    assert run(runner, root, tmp_path / "out").exit_code == 2
    export = EXPORTS / "instagram" / "ig2024"
    if not export.exists():
        pytest.skip("the Instagram fixture export is missing")
    (root / f"{BROKEN_ACCOUNT}.zip").unlink()
    _zip_folder(export, root / f"{BROKEN_ACCOUNT}.zip")
    result = run(runner, root, tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert "(2 from an earlier run)" in result.stderr


def test_manifest_names_accounts_units_and_paths(runner, tmp_path):
    root = build_root(tmp_path, platforms=False, broken=False)
    manifest = tmp_path / "akun.csv"
    manifest.write_text("account_id,name,unit,path\n"
                        f"NIP-001,Budi Santoso,Dinas Pendidikan,{CAMPAIGN_ACCOUNT}.jsonl\n"
                        f"NIP-002,Citra Dewi,Bappeda,{root / (CLEAN_ACCOUNT + '.jsonl')}\n", encoding="utf-8")
    result = run(runner, root, tmp_path / "out", "--accounts", manifest, "--junit")
    assert result.exit_code == 1, result.output
    rows = read_csv(tmp_path / "out" / "accounts.csv")
    assert [(row["account_id"], row["name"], row["unit"], row["status"]) for row in rows] == [
        ("NIP-001", "Budi Santoso", "Dinas Pendidikan", "flagged"), ("NIP-002", "Citra Dewi", "Bappeda", "clean")]
    assert {row["account_id"] for row in read_csv(tmp_path / "out" / "flagged.csv")} == {"NIP-001"}
    cases = ET.parse(tmp_path / "out" / "junit.xml").getroot().iter("testcase")
    assert [case.get("classname") for case in cases] == ["netral-scan.audit.Dinas Pendidikan",
                                                          "netral-scan.audit.Bappeda"]


def test_manifest_errors_name_the_line(tmp_path):
    manifest = tmp_path / "akun.csv"
    manifest.write_text("account_id,path\na,a.jsonl\na,b.jsonl\n", encoding="utf-8")
    with pytest.raises(audit.NetralScanError, match=r"akun.csv: line 3: account_id 'a' is listed twice"):
        discover_accounts(tmp_path, manifest)


def test_entries_that_give_the_same_id_are_refused(tmp_path):
    (tmp_path / "budi.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "budi.zip").write_bytes(b"")
    with pytest.raises(audit.NetralScanError, match="budi.jsonl and budi.zip both give the account id 'budi'"):
        discover_accounts(tmp_path)


def test_state_mismatch_is_a_user_error(tmp_path):
    root = build_root(tmp_path, platforms=False, broken=False)
    run_audit(root, tmp_path / "out", _options())
    with pytest.raises(AuditStateError, match=r"\(platform null → \"generic\"\)"):
        run_audit(root, tmp_path / "out", _options(platform="generic"))
    run_audit(root, tmp_path / "out", _options(redact=True, lang="en"))  # output-only options may change


def test_unknown_language_is_refused_before_scanning(runner, tmp_path):
    root = build_root(tmp_path, platforms=False, broken=False)
    result = run(runner, root, tmp_path / "out", "--lang", "fr")
    assert result.exit_code == 2
    assert result.stderr.strip() == "netral-scan: error: unknown language 'fr' (choose from id, en)"
    assert not (tmp_path / "out").exists()


def test_audit_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`netral-scan audit ROOT -o OUTDIR" in readme and "## Batch audits" in readme


def test_output_columns_follow_check():
    assert FLAGGED_COLUMNS == ("account_id", *OUTPUT_COLUMNS)


def test_audit_has_help_with_an_example(runner):
    result = runner.invoke(app, ["audit", "--help"])
    assert result.exit_code == 0 and "Example: netral-scan audit" in result.stdout
