"""The audit's HTML report: self-contained, hostile text escaped, evidence highlighted, and (when Chromium and
chromedriver are installed) rendered without console errors with a table that sorts."""

import csv
import io
import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from netral_scan import audit
from netral_scan.audit import AccountResult, Account, AuditOptions, run_audit
from netral_scan.report_html import highlight, weekly_counts

from test_audit import CAMPAIGN_ACCOUNT, CLEAN_ACCOUNT, build_root

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"))
CHROMEDRIVER_CANDIDATES = ("/usr/bin/chromedriver", shutil.which("chromedriver"))
FIXED_TIME = "2024-03-01T09:00:00+07:00"
CHROMIUM_OPTIONS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """An audit of the fixture accounts (with the broken zip), its report in Indonesian."""
    base = tmp_path_factory.mktemp("report")
    outdir = base / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(audit, "_now", lambda: FIXED_TIME)
        run_audit(build_root(base), outdir, AuditOptions(jobs=1))
    return outdir


def _html(outdir: Path) -> str:
    return (outdir / "report.html").read_text(encoding="utf-8")


def test_report_needs_nothing_from_the_network(report):
    html = _html(report)
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=\"(https?:)?//", html)
    assert "default-src 'none'" in html and "script-src 'sha256-" in html
    assert "<style>" in html and "<svg" in html and "<script>" in html


def test_hostile_text_is_escaped_not_run(report):
    html = _html(report)
    assert "<script>alert('xss')" not in html and '<img src=x' not in html
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert html.count("<script>") == 1


def test_only_web_links_are_links(report):
    html = _html(report)
    assert 'href="javascript:' not in html
    assert "javascript:alert(&#x27;link&#x27;)" in html  # shown as text
    links = re.findall(r'<a href="(https?:[^"]*)" ([^>]*)>', html)
    assert links and all(attributes == 'rel="noopener noreferrer" target="_blank"' for _, attributes in links)
    assert 'href="https://example.org/p/4?a=1&amp;b=&quot;&gt;&lt;script&gt;"' in html


def test_evidence_words_are_marked(report):
    html = _html(report)
    assert re.search(r"<mark>coblos</mark>", html, re.IGNORECASE)


def test_summary_shows_the_model_threshold_and_generation_time(report, default_model):
    html = _html(report)
    assert default_model.card["model_sha256"] in html and "default.skops" in html
    assert f"{default_model.threshold:.4f}" in html and FIXED_TIME in html
    assert "Item ditandai" in html and 'lang="id"' in html


def test_english_labels(tmp_path):
    root = build_root(tmp_path, platforms=False, broken=False)
    run_audit(root, tmp_path / "out", AuditOptions(jobs=1, lang="en"))
    html = _html(tmp_path / "out")
    assert 'lang="en"' in html and "Flagged items" in html and "Item ditandai" not in html


def test_highlight_marks_phrases_across_whitespace_and_escapes_around_them():
    text = "Ayo <b>COBLOS</b>\nnomor   2 & menang"
    assert highlight(text, ["coblos", "nomor 2", "tidak ada"]) == \
        "Ayo &lt;b&gt;<mark>COBLOS</mark>&lt;/b&gt;\n<mark>nomor   2</mark> &amp; menang"
    assert highlight("nomor 2024", ["nomor 2"]) == "nomor 2024"
    assert highlight("satu dua tiga", ["satu dua", "dua tiga"]) == "<mark>satu dua tiga</mark>"


def test_weekly_counts_fill_empty_weeks():
    rows = [{"created_at": day, "score": "0.9", "reasons": ""} for day in
            ("2024-01-01T10:00:00+07:00", "2024-01-03", "2024-01-17T00:00:00Z", "")]
    result = AccountResult(Account("a", "a.jsonl"), rows=rows)
    run = audit.AuditRun(root="r", root_path="/r", generated_at="", model_file="", model_sha256="", threshold=0.5,
                         since="", until="", watchlists=[], platform="", redacted=False, labels=[], results=[result])
    weeks, undated, earlier = weekly_counts(run)
    assert weeks == [(date(2024, 1, 1), 2), (date(2024, 1, 8), 0), (date(2024, 1, 15), 1)]
    assert (undated, earlier) == (1, 0)


def _first(candidates) -> str | None:
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


def _table_order(driver) -> list[str]:
    from selenium.webdriver.common.by import By

    rows = driver.find_elements(By.CSS_SELECTOR, "#accounts tbody tr")
    return [row.get_attribute("data-account") for row in rows]


def test_report_renders_in_chromium_and_the_table_sorts(report, tmp_path):
    chromium, chromedriver = _first(CHROMIUM_CANDIDATES), _first(CHROMEDRIVER_CANDIDATES)
    if not chromium or not chromedriver:
        pytest.skip("chromium and chromedriver are not installed")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (*CHROMIUM_OPTIONS, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,2000"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: Selenium Manager never runs, so nothing is downloaded.
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    try:
        driver.get((report / "report.html").as_uri())
        accounts = list(csv.DictReader(io.StringIO((report / "accounts.csv").read_text(encoding="utf-8"))))
        assert _table_order(driver) == [row["account_id"] for row in accounts]
        flagged_header = driver.find_elements(By.CSS_SELECTOR, "#accounts thead th")[7]
        flagged_header.click()
        by_flagged = sorted(accounts, key=lambda row: int(row["flagged"]))  # stable: ties keep id order
        assert _table_order(driver) == [row["account_id"] for row in by_flagged]
        assert flagged_header.get_attribute("aria-sort") == "ascending"
        flagged_header.click()
        descending = sorted(by_flagged, key=lambda row: -int(row["flagged"]))  # ties keep the order shown
        assert _table_order(driver) == [row["account_id"] for row in descending]
        assert flagged_header.get_attribute("aria-sort") == "descending"
        assert driver.find_elements(By.CSS_SELECTOR, "mark")
        severe = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        assert severe == []
        screenshot = report / "report.png"
        driver.find_elements(By.CSS_SELECTOR, "#accounts thead th")[7].click()  # back to ascending for the picture
        assert driver.save_screenshot(str(screenshot))
        print(f"report screenshot: {screenshot}")
    finally:
        driver.quit()
    assert screenshot.stat().st_size > 0
    assert {CAMPAIGN_ACCOUNT, CLEAN_ACCOUNT} <= set(row["account_id"] for row in accounts)
