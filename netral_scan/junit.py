"""The audit as JUnit XML, so CI systems (GitLab, Jenkins, GitHub) show one test case per account:
failed when it has flagged items, an error when its export could not be read."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from netral_scan.audit import AccountResult, AuditRun

SUITE_NAME = "netral-scan audit"
CLASS_PREFIX = "netral-scan.audit"
DEFAULT_CLASS = "accounts"
MAX_DETAIL_CHARS = 200  # per item in a failure's text; the full rows are in flagged.csv
# Characters XML 1.0 cannot carry at all, not even escaped; feeds do contain them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(run: AuditRun) -> str:
    """The JUnit XML document for an audit run."""
    counts = {"tests": str(len(run.results)), "failures": str(len(_failed(run))),
              "errors": str(len(run.unreadable_accounts))}
    suites = ET.Element("testsuites", name=SUITE_NAME, **counts)
    suite = ET.SubElement(suites, "testsuite", name=SUITE_NAME, **counts, skipped="0", timestamp=run.generated_at)
    properties = ET.SubElement(suite, "properties")
    for name, value in (("model", run.model_file), ("model_sha256", run.model_sha256),
                        ("threshold", f"{run.threshold:.4f}"), ("since", run.since), ("until", run.until)):
        ET.SubElement(properties, "property", name=name, value=_clean(value))
    for result in run.results:
        _testcase(suite, result)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _failed(run: AuditRun) -> list[AccountResult]:
    return [result for result in run.flagged_accounts if not result.errors]


def _testcase(suite: ET.Element, result: AccountResult) -> None:
    account = result.account
    case = ET.SubElement(suite, "testcase", name=_clean(account.id),
                         classname=_clean(f"{CLASS_PREFIX}.{account.unit or DEFAULT_CLASS}"))
    if result.errors:
        found = f"; {result.flagged} flagged items before the error" if result.rows else ""
        error = ET.SubElement(case, "error", type="unreadable", message=_clean(f"export could not be read{found}"))
        error.text = _clean("\n".join(result.errors))
    elif result.rows:
        failure = ET.SubElement(case, "failure", type="flagged", message=_clean(
            f"{result.flagged} flagged items (highest score {result.highest_score})"))
        failure.text = _clean("\n".join(_detail(row) for row in result.rows))


def _detail(row: dict) -> str:
    text = " ".join((row["text"] or row["parent_text"] or row["target"]).split())
    if len(text) > MAX_DETAIL_CHARS:
        text = text[: MAX_DETAIL_CHARS - 1] + "…"
    return f"{row['created_at'] or '-'} {row['kind']} {row['label']} {row['score']}: {row['reasons']} | {text}"


def _clean(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)
