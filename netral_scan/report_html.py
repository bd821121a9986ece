"""The audit's HTML report: one self-contained file (inline CSS, JS and SVG) that works offline.

Every value from a feed is hostile until escaped: all text goes through :func:`html.escape`, evidence is
highlighted by escaping the pieces between matches, links are kept only for http(s) addresses, and a
Content-Security-Policy allows no network at all and only the one inline script, by its hash.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import date, timedelta
from html import escape
from urllib.parse import urlsplit

from netral_scan.audit import (STATUS_CLEAN, STATUS_ERROR, STATUS_FLAGGED, AccountResult, AuditRun,
                               display_path, evidence_phrases)
from netral_scan.errors import NetralScanError

LINK_SCHEMES = ("http", "https")
TIMELINE_WIDTH, TIMELINE_HEIGHT = 760, 180
TIMELINE_MARGIN_LEFT, TIMELINE_MARGIN_BOTTOM, TIMELINE_MARGIN_TOP = 36, 34, 12
TIMELINE_MAX_WEEKS = 260  # five years; older flagged items are counted in a note instead of drawn
TIMELINE_MAX_LABELS = 12
MAX_ITEMS_SHOWN = 500  # per account; a browser slows down on more, and flagged.csv has them all

TEXTS = {
    "id": {
        "title": "Laporan audit netralitas ASN", "summary": "Ringkasan", "generated": "Dibuat",
        "folder": "Folder", "model": "Model", "sha256": "SHA-256 model", "threshold": "Ambang batas",
        "window": "Periode", "all_dates": "semua tanggal", "watchlists": "Daftar pantau tambahan",
        "platform": "Platform", "auto": "otomatis", "redacted": "Nama pihak ketiga disamarkan",
        "yes": "ya", "no": "tidak", "accounts": "Akun", "accounts_total": "Akun diaudit",
        "flagged_accounts": "Akun dengan temuan", "unreadable_accounts": "Akun tidak terbaca",
        "flagged_items": "Item ditandai", "items_read": "Item dibaca",
        "timeline": "Linimasa item ditandai per minggu (ISO)",
        "timeline_empty": "Tidak ada item bertanggal yang ditandai.",
        "undated": "item ditandai tanpa tanggal", "earlier": "item ditandai sebelum",
        "account": "Akun", "name": "Nama", "unit": "Unit kerja", "status": "Status", "judged": "Dinilai",
        "not_judgeable": "Tak dapat dinilai", "flagged": "Ditandai", "highest_score": "Skor tertinggi",
        "first_flagged": "Temuan pertama", "last_flagged": "Temuan terakhir", "top_reasons": "Bukti tersering",
        "errors": "Galat", "export": "Berkas ekspor", "sort_hint": "Klik judul kolom untuk mengurutkan.",
        "date": "Tanggal", "kind": "Jenis", "label": "Label", "score": "Skor", "content": "Isi",
        "evidence": "Bukti", "link": "Tautan", "open": "buka", "target": "Pihak yang dituju",
        "none_flagged": "Tidak ada item yang ditandai.", "details": "Temuan per akun",
        "more_items": "item lain tidak ditampilkan; semuanya ada di flagged.csv",
        "status_names": {STATUS_CLEAN: "bersih", STATUS_FLAGGED: "ada temuan", STATUS_ERROR: "tidak terbaca"},
        "kinds": {"post": "kiriman", "comment": "komentar", "share": "bagikan", "like": "suka"},
        "labels": {"endorse": "mendukung", "attack": "menyerang", "political": "politik (netral)",
                   "other": "lainnya", "partisan": "berpihak", "neutral": "netral"},
    },
    "en": {
        "title": "Civil-servant election-neutrality audit", "summary": "Summary", "generated": "Generated",
        "folder": "Folder", "model": "Model", "sha256": "Model SHA-256", "threshold": "Threshold",
        "window": "Period", "all_dates": "all dates", "watchlists": "Extra watchlists",
        "platform": "Platform", "auto": "detected", "redacted": "Third-party names redacted",
        "yes": "yes", "no": "no", "accounts": "Accounts", "accounts_total": "Accounts audited",
        "flagged_accounts": "Accounts with findings", "unreadable_accounts": "Unreadable accounts",
        "flagged_items": "Flagged items", "items_read": "Items read",
        "timeline": "Flagged items per ISO week", "timeline_empty": "No dated flagged items.",
        "undated": "flagged items without a date", "earlier": "flagged items before",
        "account": "Account", "name": "Name", "unit": "Unit", "status": "Status", "judged": "Judged",
        "not_judgeable": "Not judgeable", "flagged": "Flagged", "highest_score": "Highest score",
        "first_flagged": "First flagged", "last_flagged": "Last flagged", "top_reasons": "Top evidence",
        "errors": "Errors", "export": "Export", "sort_hint": "Click a column header to sort.",
        "date": "Date", "kind": "Kind", "label": "Label", "score": "Score", "content": "Content",
        "evidence": "Evidence", "link": "Link", "open": "open", "target": "Target",
        "none_flagged": "No flagged items.", "details": "Findings per account",
        "more_items": "more items not shown; flagged.csv has them all",
        "status_names": {STATUS_CLEAN: "clean", STATUS_FLAGGED: "flagged", STATUS_ERROR: "unreadable"},
        "kinds": {"post": "post", "comment": "comment", "share": "share", "like": "like"},
        "labels": {"endorse": "endorse", "attack": "attack", "political": "political (neutral)",
                   "other": "other", "partisan": "partisan", "neutral": "neutral"},
    },
}

STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;margin:0;background:#f6f7f9}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:0 0 .6em}h2{font-size:1.25em;margin:1.6em 0 .6em}h3{font-size:1.05em;margin:0 0 .4em}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;margin:0}
dl.facts dt{color:#5a6275}dl.facts dd{margin:0;overflow-wrap:anywhere}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:1em 0}
.card{background:#fff;border:1px solid #dde1e8;border-radius:8px;padding:10px 16px;min-width:140px}
.card b{display:block;font-size:1.6em}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #dde1e8;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#eef1f5}th button{all:unset;cursor:pointer;font-weight:600}
th[aria-sort=ascending] button::after{content:" \\25B2"}th[aria-sort=descending] button::after{content:" \\25BC"}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.status-flagged{color:#a31515;font-weight:600}.status-error{color:#8a5300;font-weight:600}.status-clean{color:#1b6b2f}
section.account{background:#fff;border:1px solid #dde1e8;border-radius:8px;padding:14px 16px;margin:14px 0}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
.parent{white-space:pre-wrap;overflow-wrap:anywhere;color:#4a5161;border-left:3px solid #c9ced8;
padding-left:8px;margin-top:4px}
mark{background:#ffe066;padding:0 1px}
.errors{color:#8a5300}.muted{color:#5a6275}
svg.timeline rect.bar{fill:#c0392b}svg.timeline text{font-size:11px;fill:#5a6275}
svg.timeline line{stroke:#9aa2b1}
@media print{body{background:#fff}section.account{break-inside:avoid}}
"""

# Plain inline JS: sort a table by the clicked column (numbers by data-value), toggling the direction.
SCRIPT = """
(function () {
  "use strict";
  function key(row, column, numeric) {
    var cell = row.cells[column];
    var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent;
    if (!numeric) { return raw.trim().toLowerCase(); }
    var number = parseFloat(raw);
    return isNaN(number) ? -Infinity : number;
  }
  function sortBy(table, header) {
    var column = header.cellIndex;
    var numeric = header.getAttribute("data-type") === "number";
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, column, numeric), y = key(b, column, numeric);
      var order = numeric ? (x < y ? -1 : x > y ? 1 : 0) : x.localeCompare(y);
      return ascending ? order : -order;
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      cell.setAttribute("aria-sort", "none");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    rows.forEach(function (row) { body.appendChild(row); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header) {
      header.addEventListener("click", function () { sortBy(table, header); });
    });
  });
}());
"""


def check_language(lang: str) -> None:
    if lang not in TEXTS:
        raise NetralScanError(f"unknown language {lang!r} (choose from {', '.join(TEXTS)})")


def render(run: AuditRun, lang: str = "id") -> str:
    """The whole report as one HTML document."""
    check_language(lang)
    t = TEXTS[lang]
    body = "\n".join([f"<h1>{escape(t['title'])}</h1>", _summary(run, t), _timeline(run, t),
                      _accounts_table(run, t), f"<h2>{escape(t['details'])}</h2>",
                      *(_account_section(index, result, run, t) for index, result in enumerate(run.results, 1))])
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{_policy()}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="referrer" content="no-referrer">\n<link rel="icon" href="data:,">\n'
            f"<title>{escape(t['title'])} — {escape(run.root)}</title>\n<style>{STYLE}</style>\n</head>\n"
            f"<body>\n<main>\n{body}\n</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n")


def _policy() -> str:
    # No network at all (default-src 'none'); the one inline script runs because its hash is listed.
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
    return (f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; img-src data:; "
            f"base-uri 'none'; form-action 'none'")


def _summary(run: AuditRun, t: dict) -> str:
    window = f"{run.since or '…'} – {run.until or '…'}" if run.since or run.until else t["all_dates"]
    facts = [(t["generated"], run.generated_at), (t["folder"], run.root), (t["model"], run.model_file),
             (t["sha256"], run.model_sha256), (t["threshold"], f"{run.threshold:.4f}"), (t["window"], window),
             (t["platform"], run.platform or t["auto"]),
             (t["watchlists"], ", ".join(run.watchlists) or "–"),
             (t["redacted"], t["yes"] if run.redacted else t["no"])]
    cards = [(t["accounts_total"], len(run.results)), (t["flagged_accounts"], len(run.flagged_accounts)),
             (t["unreadable_accounts"], len(run.unreadable_accounts)), (t["flagged_items"], run.flagged_items),
             (t["items_read"], sum(result.items_read for result in run.results))]
    return (f"<h2>{escape(t['summary'])}</h2>\n<dl class=\"facts\">"
            + "".join(f"<dt>{escape(name)}</dt><dd>{escape(str(value))}</dd>" for name, value in facts)
            + "</dl>\n<div class=\"cards\">"
            + "".join(f'<div class="card"><b>{value}</b>{escape(name)}</div>' for name, value in cards)
            + "</div>")


# --- timeline -------------------------------------------------------------------------------------------


def weekly_counts(run: AuditRun) -> tuple[list[tuple[date, int]], int, int]:
    """Flagged items per ISO week (Monday, count), every week from the first to the last; plus the number
    of undated items and of items older than the drawn span."""
    days = [day for result in run.results for day in result.flagged_dates]
    undated = run.flagged_items - len(days)
    if not days:
        return [], undated, 0
    mondays = [day - timedelta(days=day.weekday()) for day in days]
    last = max(mondays)
    first = max(min(mondays), last - timedelta(weeks=TIMELINE_MAX_WEEKS - 1))
    counts = {first + timedelta(weeks=index): 0 for index in range((last - first).days // 7 + 1)}
    earlier = 0
    for monday in mondays:
        if monday < first:
            earlier += 1
        else:
            counts[monday] += 1
    return sorted(counts.items()), undated, earlier


def _timeline(run: AuditRun, t: dict) -> str:
    weeks, undated, earlier = weekly_counts(run)
    notes = []
    if earlier:
        notes.append(f"{earlier} {t['earlier']} {weeks[0][0].isoformat()}")
    if undated:
        notes.append(f"{undated} {t['undated']}")
    note = f'<p class="muted">{escape("; ".join(notes))}</p>' if notes else ""
    chart = _svg(weeks, t) if weeks else f'<p class="muted">{escape(t["timeline_empty"])}</p>'
    return f"<h2>{escape(t['timeline'])}</h2>\n{chart}\n{note}"


def _svg(weeks: list[tuple[date, int]], t: dict) -> str:
    plot_width = TIMELINE_WIDTH - TIMELINE_MARGIN_LEFT
    plot_height = TIMELINE_HEIGHT - TIMELINE_MARGIN_BOTTOM - TIMELINE_MARGIN_TOP
    step, top = plot_width / len(weeks), max(count for _, count in weeks)
    baseline = TIMELINE_HEIGHT - TIMELINE_MARGIN_BOTTOM
    every = -(-len(weeks) // TIMELINE_MAX_LABELS)
    parts = [f'<svg class="timeline" role="img" viewBox="0 0 {TIMELINE_WIDTH} {TIMELINE_HEIGHT}" '
             f'width="100%" style="max-width:{TIMELINE_WIDTH}px" xmlns="http://www.w3.org/2000/svg">',
             f'<title>{escape(t["timeline"])}</title>',
             f'<line x1="{TIMELINE_MARGIN_LEFT}" y1="{baseline}" x2="{TIMELINE_WIDTH}" y2="{baseline}"/>',
             f'<text x="{TIMELINE_MARGIN_LEFT - 6}" y="{TIMELINE_MARGIN_TOP + 4}" text-anchor="end">{top}</text>',
             f'<text x="{TIMELINE_MARGIN_LEFT - 6}" y="{baseline}" text-anchor="end">0</text>']
    for index, (monday, count) in enumerate(weeks):
        x = TIMELINE_MARGIN_LEFT + index * step
        height = plot_height * count / top
        year, week, _ = monday.isocalendar()
        label = f"{year}-W{week:02d}"
        parts.append(f'<rect class="bar" x="{x + step * 0.1:.1f}" y="{baseline - height:.1f}" '
                     f'width="{step * 0.8:.1f}" height="{height:.1f}"><title>{label} ({monday.isoformat()}): '
                     f"{count}</title></rect>")
        if index % every == 0:
            parts.append(f'<text x="{x + step / 2:.1f}" y="{baseline + 16}" text-anchor="middle">{label}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


# --- accounts table -------------------------------------------------------------------------------------

# Each column of the accounts table: its text key and how it sorts.
ACCOUNT_COLUMNS = (("account", "text"), ("name", "text"), ("unit", "text"), ("status", "text"),
                   ("items_read", "number"), ("judged", "number"), ("not_judgeable", "number"),
                   ("flagged", "number"), ("highest_score", "number"), ("first_flagged", "text"),
                   ("last_flagged", "text"), ("top_reasons", "text"))


def _account_values(result: AccountResult, t: dict) -> list:
    """The cells of one account's row, in the order of ``ACCOUNT_COLUMNS``."""
    dates = result.flagged_dates
    return [result.account.id, result.account.name, result.account.unit, t["status_names"][result.status],
            result.items_read, result.judged, result.not_judgeable, result.flagged, result.highest_score,
            dates[0].isoformat() if dates else "", dates[-1].isoformat() if dates else "",
            "; ".join(f"{phrase} ({count})" for phrase, count in result.top_reasons())]


def _accounts_table(run: AuditRun, t: dict) -> str:
    header = "".join(f'<th scope="col" data-type="{kind}" aria-sort="none"><button type="button">'
                     f"{escape(t[key])}</button></th>" for key, kind in ACCOUNT_COLUMNS)
    rows = [_account_row(index, result, t) for index, result in enumerate(run.results, 1)]
    return (f"<h2>{escape(t['accounts'])}</h2>\n<p class=\"muted\">{escape(t['sort_hint'])}</p>\n"
            f'<table class="sortable" id="accounts">\n<thead><tr>{header}</tr></thead>\n<tbody>\n'
            + "\n".join(rows) + "\n</tbody>\n</table>")


def _account_row(index: int, result: AccountResult, t: dict) -> str:
    cells = []
    for (key, kind), value in zip(ACCOUNT_COLUMNS, _account_values(result, t)):
        text = escape(str(value))
        if key == "account":
            cells.append(f'<td><a href="#account-{index}">{text}</a></td>')
        elif key == "status":
            cells.append(f'<td class="status-{result.status}">{text}</td>')
        elif kind == "number":
            cells.append(f'<td class="num" data-value="{text}">{text}</td>')
        else:
            cells.append(f"<td>{text}</td>")
    return f'<tr data-account="{escape(result.account.id)}">{"".join(cells)}</tr>'


# --- per-account findings -------------------------------------------------------------------------------


def _account_section(index: int, result: AccountResult, run: AuditRun, t: dict) -> str:
    account = result.account
    title = " — ".join(escape(part) for part in (account.id, account.name, account.unit) if part)
    facts = (f'<p class="muted">{escape(t["export"])}: {escape(display_path(account.path, run))} · '
             f'{escape(t["items_read"])} {result.items_read} · {escape(t["judged"])} {result.judged} · '
             f'{escape(t["not_judgeable"])} {result.not_judgeable} · {escape(t["flagged"])} {result.flagged} · '
             f'<span class="status-{result.status}">{escape(t["status_names"][result.status])}</span></p>')
    errors = "".join(f'<p class="errors">{escape(t["errors"])}: {escape(message)}</p>' for message in result.errors)
    items = _items_table(result, t) if result.rows else f'<p class="muted">{escape(t["none_flagged"])}</p>'
    return f'<section class="account" id="account-{index}">\n<h3>{title}</h3>\n{facts}\n{errors}{items}\n</section>'


def _items_table(result: AccountResult, t: dict) -> str:
    header = "".join(f"<th>{escape(t[key])}</th>"
                     for key in ("date", "kind", "label", "score", "content", "evidence", "link"))
    rows = [_item_row(row, t) for row in result.rows[:MAX_ITEMS_SHOWN]]
    hidden = len(result.rows) - len(rows)
    more = f'\n<p class="muted">{hidden} {escape(t["more_items"])}</p>' if hidden > 0 else ""
    return f"<table>\n<thead><tr>{header}</tr></thead>\n<tbody>\n" + "\n".join(rows) + f"\n</tbody>\n</table>{more}"


def _item_row(row: dict, t: dict) -> str:
    phrases = evidence_phrases(row["reasons"])
    content = f'<div class="text">{highlight(row["text"], phrases)}</div>' if row["text"] else ""
    if row["parent_text"]:
        content += f'<div class="parent">↳ {highlight(row["parent_text"], phrases)}</div>'
    if row["target"]:
        content += f'<div class="muted">{escape(t["target"])}: {escape(row["target"])}</div>'
    evidence = "<br>".join(escape(phrase) for phrase in phrases)
    cells = (escape(row["created_at"].replace("T", " ", 1)), escape(t["kinds"].get(row["kind"], row["kind"])),
             escape(t["labels"].get(row["label"], row["label"])), escape(row["score"]), content, evidence,
             _link(row["url"], t))
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def _link(url: str, t: dict) -> str:
    """A link only to a web address; anything else (javascript:, data:, file:) is shown as text."""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme not in LINK_SCHEMES:
        return escape(url)
    return (f'<a href="{escape(url.strip(), quote=True)}" rel="noopener noreferrer" target="_blank">'
            f"{escape(t['open'])}</a>")


# --- highlighting ---------------------------------------------------------------------------------------


def highlight(text: str, phrases: list[str]) -> str:
    """``text`` HTML-escaped, with every occurrence of the evidence phrases wrapped in ``<mark>``."""
    spans = sorted(span for phrase in phrases for span in _occurrences(text, phrase))
    pieces, position = [], 0
    for start, end in _merged(spans):
        pieces += [escape(text[position:start]), "<mark>", escape(text[start:end]), "</mark>"]
        position = end
    pieces.append(escape(text[position:]))
    return "".join(pieces)


def _occurrences(text: str, phrase: str) -> list[tuple[int, int]]:
    # Reasons quote the words with runs of whitespace made one space, and cut long ones with "…".
    cut = phrase.endswith("…")
    words = phrase.removesuffix("…").split()
    if not words:
        return []
    pattern = r"\s+".join(re.escape(word) for word in words)
    before = r"(?<!\w)" if re.match(r"\w", words[0]) else ""
    after = r"(?!\w)" if re.search(r"\w$", words[-1]) and not cut else ""
    return [match.span() for match in re.finditer(before + pattern + after, text, re.IGNORECASE)]


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
