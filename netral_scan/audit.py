"""Batch audits: a folder with one export per account, scanned with the same core as ``check``.

Each account is scanned by :func:`netral_scan.scan.scan`; its flagged rows and counts are saved under
``OUTDIR/.state/<account>.json`` as soon as it finishes, so an interrupted audit resumes where it stopped.
``OUTDIR/.state/run.json`` records the options that change results (a rerun with other options is refused),
the first run's start time and the key of ``--redact`` pseudonyms. The state holds the unredacted findings:
it is the auditor's working data, not for circulation. Redaction is applied when the outputs are written,
across all accounts at once. The final outputs (``flagged.csv``, ``accounts.csv``, ``report.html``,
``junit.xml``) are rendered from the saved results only, accounts sorted by id, so a resumed audit writes
the same bytes as one run in one go.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import unicodedata
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Callable

import netral_scan
from netral_scan.csvfile import read_rows
from netral_scan.errors import NetralScanError
from netral_scan.periods import Window, item_date
from netral_scan.reports import OUTPUT_COLUMNS, RowWriter, atomic_path

STATE_DIR = ".state"
RUN_STATE = "run.json"
STATE_VERSION = 1
FLAGGED_FILE, ACCOUNTS_FILE, REPORT_FILE, JUNIT_FILE = "flagged.csv", "accounts.csv", "report.html", "junit.xml"
FLAGGED_COLUMNS = ("account_id", *OUTPUT_COLUMNS)
MANIFEST_COLUMNS = ("account_id", "name", "unit", "path")
REQUIRED_MANIFEST_COLUMNS = ("account_id", "path")
# A file entry's id drops only these extensions, so "budi.santoso" (a folder or a bare file) keeps its dot.
FEED_SUFFIXES = (".zip", ".json", ".jsonl", ".ndjson", ".csv", ".js")
KIND_COLUMNS = ("post", "comment", "share", "like")
BASE_LABELS = ("endorse", "attack", "political", "other")
REASON_SEPARATOR = "; "
PARENT_MARK = "↳ "
TOP_REASONS = 5
PSEUDONYM_PREFIX = "akun-"
PSEUDONYM_HEX_DIGITS = 6
REDACT_KEY_BYTES = 32
STATUS_CLEAN, STATUS_FLAGGED, STATUS_ERROR = "clean", "flagged", "error"
_SAFE_STATE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}")
_MENTION = re.compile(r"(?<![\w.@])@(\w(?:[\w.]*\w)?)")


class AuditStateError(NetralScanError):
    """OUTDIR holds an audit started with other options, or its state cannot be read."""


@dataclass(frozen=True)
class Account:
    """One audited person: an id, the export to read and, from a manifest, a name and unit."""

    id: str
    path: str
    name: str = ""
    unit: str = ""


@dataclass
class AccountResult:
    """What the scan of one account found: its flagged rows and its counts."""

    account: Account
    rows: list = field(default_factory=list)
    items_read: int = 0
    judged: int = 0
    not_judgeable: int = 0
    outside_window: int = 0
    skipped_other: int = 0
    flagged_by_label: dict = field(default_factory=dict)
    flagged_by_kind: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)

    @property
    def flagged(self) -> int:
        return len(self.rows)

    @property
    def status(self) -> str:
        return STATUS_ERROR if self.errors else STATUS_FLAGGED if self.rows else STATUS_CLEAN

    @property
    def highest_score(self) -> str:
        return max((row["score"] for row in self.rows), key=float, default="")

    @property
    def flagged_dates(self) -> list:
        return sorted(day for day in (item_date(row["created_at"]) for row in self.rows) if day)

    def top_reasons(self, count: int = TOP_REASONS) -> list[tuple[str, int]]:
        """The most frequent evidence phrases of the flagged items, compared without case."""
        counts: Counter = Counter()
        spelling: dict[str, str] = {}
        for row in self.rows:
            for phrase in evidence_phrases(row["reasons"]):
                counts[phrase.casefold()] += 1
                spelling.setdefault(phrase.casefold(), phrase)
        ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:count]
        return [(spelling[key], number) for key, number in ranked]


@dataclass
class AuditRun:
    """Everything the final outputs show: the run's settings and the results sorted by account id."""

    root: str
    root_path: str
    generated_at: str
    model_file: str
    model_sha256: str
    threshold: float
    since: str
    until: str
    watchlists: list
    platform: str
    redacted: bool
    labels: list
    results: list

    @property
    def flagged_items(self) -> int:
        return sum(result.flagged for result in self.results)

    @property
    def flagged_accounts(self) -> list:
        return [result for result in self.results if result.rows]

    @property
    def unreadable_accounts(self) -> list:
        return [result for result in self.results if result.errors]


@dataclass
class AuditResult:
    """What :func:`run_audit` did: the run as reported, how many accounts came from an earlier run, the files."""

    run: AuditRun
    resumed: int
    outputs: list


@dataclass(frozen=True)
class AuditOptions:
    """The options of an audit. Those in :func:`_identity` change results and must match on a resume."""

    model_path: str | None = None
    accounts_file: str | None = None
    threshold: float | None = None
    window: Window | None = None
    watchlists: tuple = ()
    platform: str | None = None
    redact: bool = False
    jobs: int | None = None
    lang: str = "id"
    junit: bool = False
    restart: bool = False


def evidence_phrases(reasons: str) -> list[str]:
    """The evidence phrases of a ``reasons`` cell, without the mark of words from the replied-to content."""
    return [phrase.removeprefix(PARENT_MARK).strip() for phrase in reasons.split(REASON_SEPARATOR)
            if phrase.strip()]


# --- accounts -------------------------------------------------------------------------------------------


def discover_accounts(root: Path, manifest: Path | None = None, exclude: tuple = ()) -> list[Account]:
    """The accounts to audit, sorted by id: the manifest's rows, or else one per entry of ``root``."""
    if not root.is_dir():
        raise NetralScanError(f"{root}: not a folder (ROOT holds one export per account)")
    accounts = _read_manifest(manifest, root) if manifest else _root_entries(root, exclude)
    if not accounts:
        raise NetralScanError(f"{root}: no account exports found")
    return sorted(accounts, key=lambda account: account.id)


def _root_entries(root: Path, exclude: tuple) -> list[Account]:
    excluded = {path.resolve() for path in exclude}
    by_id: dict[str, Account] = {}
    for entry in sorted(root.iterdir()):
        if entry.name.startswith(".") or entry.resolve() in excluded:
            continue
        account_id = entry.name if entry.is_dir() else _strip_feed_suffix(entry.name)
        if account_id in by_id:
            raise NetralScanError(f"{root}: {Path(by_id[account_id].path).name} and {entry.name} both give the "
                                  f"account id {account_id!r}; rename one or list the accounts with --accounts")
        by_id[account_id] = Account(account_id, str(entry.resolve()))
    return list(by_id.values())


def _strip_feed_suffix(name: str) -> str:
    suffix = Path(name).suffix
    return name[: -len(suffix)] if suffix.lower() in FEED_SUFFIXES and len(name) > len(suffix) else name


def _read_manifest(path: Path, root: Path) -> list[Account]:
    accounts: dict[str, Account] = {}
    for line, values in read_rows(path, "accounts list", MANIFEST_COLUMNS, REQUIRED_MANIFEST_COLUMNS):
        export = Path(values["path"])
        export = export if export.is_absolute() else root / export
        if values["account_id"] in accounts:
            raise NetralScanError(f"{path}: line {line}: account_id {values['account_id']!r} is listed twice")
        accounts[values["account_id"]] = Account(values["account_id"], str(export.resolve()), values["name"],
                                                 values["unit"])
    return list(accounts.values())


# --- scanning one account -------------------------------------------------------------------------------


def scan_account(account: Account, model, watchlist, threshold: float | None = None,
                 window: Window | None = None, platform: str | None = None, root: str = "",
                 jobs: int = 1) -> AccountResult:
    """Scan one account's export with the core scanner and keep its flagged rows and counts. Sources are
    shown relative to ``root``, so the outputs do not depend on where the folder sits. ``jobs`` > 1 judges
    the batches of this one export in parallel (the output is the same)."""
    from netral_scan.scan import NOT_JUDGEABLE, OUTSIDE_WINDOW, Rows, Summary, scan

    rows = Rows()
    summary = Summary()
    try:
        scan([account.path], model, rows, threshold=threshold, window=window, watchlist=watchlist,
             platform=platform, summary=summary, jobs=jobs)
    except Exception as error:  # one export hitting a reader bug must not stop the audit of a whole office
        summary.errors.append(f"{account.path}: unexpected error while reading ({type(error).__name__}: {error})")
    for row in rows:
        row["source"] = _relative(row["source"], root)
    not_judgeable, outside = summary.skipped[NOT_JUDGEABLE], summary.skipped[OUTSIDE_WINDOW]
    return AccountResult(
        account=account, rows=rows, items_read=summary.items_read, judged=summary.scored,
        not_judgeable=not_judgeable, outside_window=outside,
        skipped_other=summary.skipped_total - not_judgeable - outside,
        flagged_by_label=dict(summary.flagged_by_label), flagged_by_kind=dict(summary.flagged_by_kind),
        errors=[_relative(message, root) for message in summary.errors])


def _relative(text: str, root: str) -> str:
    prefix = root.rstrip(os.sep) + os.sep
    return text.replace(prefix, "") if root else text


# Worker processes load the model and watchlist once, in the initializer, and keep them here.
_WORKER: dict = {}


def _init_worker(model_path: str, watchlists: tuple) -> None:
    from netral_scan.model import load
    from netral_scan.watchlist import load_watchlist

    # Ctrl-C reaches the whole process group; only the parent handles it (it stops the workers).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER["model"] = load(model_path)
    _WORKER["watchlist"] = load_watchlist(list(watchlists))


def _scan_in_worker(account: Account, settings: dict) -> AccountResult:
    return scan_account(account, _WORKER["model"], _WORKER["watchlist"], **settings)


# --- redaction ------------------------------------------------------------------------------------------


class Redactor:
    """Stable pseudonyms for third parties: ``akun-`` + the first hex digits of HMAC-SHA256(key, name).
    The audited person (a row's ``author``) is not a third party and keeps their name. Nor are the accounts for
    which ``public`` says yes (an audit passes the watchlist's): contestants' official and campaign accounts are
    public, and a like or share of one is the evidence an inspector must be able to show."""

    def __init__(self, key: bytes, public: Callable[[str], bool] = lambda name: False):
        self.key = key
        self.public = public

    def pseudonym(self, name: str) -> str:
        digest = hmac.new(self.key, _name_key(name).encode("utf-8"), hashlib.sha256).hexdigest()
        return PSEUDONYM_PREFIX + digest[:PSEUDONYM_HEX_DIGITS]

    def redact_rows(self, rows: list[dict]) -> list[dict]:
        """Replace every target of these rows, in every text field, and every @mention."""
        own = {_name_key(row["author"]) for row in rows if row["author"].strip()}
        names = {row["target"].strip() for row in rows
                 if row["target"].strip() and _name_key(row["target"]) not in own and not self.public(row["target"])}
        pattern = self._pattern(names)

        def replace(match: re.Match) -> str:
            if match.group(1) is None:
                return self.pseudonym(match.group())
            handle = match.group(1)
            return match.group() if _name_key(handle) in own or self.public(handle) else "@" + self.pseudonym(handle)

        return [self._redact_row(row, pattern, replace, names) for row in rows]

    def _pattern(self, names: set[str]) -> re.Pattern:
        # One pass over each text, longest names first, so a pseudonym is never replaced again.
        choices = [_bounded(name) for name in sorted(names, key=lambda name: (-len(name), name))]
        return re.compile("|".join([_MENTION.pattern, *choices]), re.IGNORECASE)

    def _redact_row(self, row: dict, pattern: re.Pattern, replace, names: set[str]) -> dict:
        redacted = dict(row)
        for column in ("text", "parent_text", "reasons", "url"):
            redacted[column] = pattern.sub(replace, row[column])
        if row["target"].strip() in names:
            redacted["target"] = self.pseudonym(row["target"])
        return redacted


def redact_results(results: list[AccountResult], redactor: Redactor) -> list[AccountResult]:
    """The results with third parties pseudonymised across all accounts: a name that is one account's
    target is replaced in every other account's rows too."""
    redacted = iter(redactor.redact_rows([row for result in results for row in result.rows]))
    return [replace(result, rows=list(itertools.islice(redacted, len(result.rows)))) for result in results]


def _name_key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().removeprefix("@").casefold()


def _bounded(name: str) -> str:
    """A name as a regex that does not match inside a longer word."""
    before = r"(?<!\w)" if re.match(r"\w", name) else ""
    after = r"(?!\w)" if re.search(r"\w$", name) else ""
    return before + re.escape(name) + after


# --- state ----------------------------------------------------------------------------------------------


def _now() -> str:
    """The run's generated-at time; the only wall-clock value in the outputs, taken once, by the first run."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _identity(root: Path, model, threshold: float, options: AuditOptions) -> dict:
    """The settings that change what is found; a resumed audit must use the same."""
    from netral_scan.model import file_sha256
    from netral_scan.watchlist import BUNDLED_PATH

    window = options.window or Window()
    watchlists = [BUNDLED_PATH, *map(Path, options.watchlists)]
    return {"state_version": STATE_VERSION, "netral_scan": netral_scan.__version__, "root": str(root),
            "model_sha256": model.card.get("model_sha256", ""), "threshold": threshold,
            "since": window.since.isoformat() if window.since else None,
            "until": window.until.isoformat() if window.until else None,
            "watchlist_sha256": [file_sha256(path) for path in watchlists],
            "platform": options.platform}


def _open_state(state_dir: Path, identity: dict, restart: bool) -> dict:
    """The run state: the existing one if its identity matches, else a fresh one (only with --restart)."""
    if restart and state_dir.exists():
        shutil.rmtree(state_dir)
    path = state_dir / RUN_STATE
    if path.exists():
        state = _read_json(path)
        if not isinstance(state, dict) or not isinstance(state.get("identity"), dict):
            raise AuditStateError(f"{path}: unreadable audit state; add --restart to start over")
        if state["identity"] != identity:
            raise AuditStateError(f"{state_dir.parent}: holds an audit started with other options "
                                  f"({_differences(state['identity'], identity)}); rerun with the same options "
                                  f"to resume it, or add --restart to start over")
        return state
    state_dir.mkdir(parents=True, exist_ok=True)
    # The key is made even without --redact, so a later --redact run over this state can use it.
    state = {"identity": identity, "generated_at": _now(), "redact_key": secrets.token_hex(REDACT_KEY_BYTES)}
    _write_json(path, state)
    return state


def _differences(old: dict, new: dict) -> str:
    keys = sorted(key for key in set(old) | set(new) if old.get(key) != new.get(key))
    return ", ".join(f"{key} {_short(old.get(key))} → {_short(new.get(key))}" for key in keys)


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


def _state_file(state_dir: Path, account_id: str) -> Path:
    """``<account>.json``; an id that is not a safe file name gets a hashed, collision-free one."""
    if _SAFE_STATE_NAME.fullmatch(account_id) and account_id != Path(RUN_STATE).stem:
        return state_dir / f"{account_id}.json"
    digest = hashlib.sha256(account_id.encode("utf-8")).hexdigest()[:16]
    return state_dir / f"_{re.sub(r'[^A-Za-z0-9_.-]', '_', account_id)[:60]}-{digest}.json"


def _finished(state_dir: Path, account: Account) -> AccountResult | None:
    """The saved result of an account, if it finished reading the same export without an error.
    Accounts that could not be read are tried again: their export may have been fixed."""
    saved = _read_json(_state_file(state_dir, account.id))
    try:
        if saved["account"]["id"] != account.id or saved["account"]["path"] != account.path or saved["errors"]:
            return None
        saved["account"] = account  # name and unit come from the current manifest
        return AccountResult(**saved)
    except (KeyError, TypeError):
        return None


def _save(state_dir: Path, result: AccountResult) -> None:
    _write_json(_state_file(state_dir, result.account.id), asdict(result))


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_json(path: Path, value) -> None:
    with atomic_path(path) as temporary:
        Path(temporary).write_text(json.dumps(value, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


# --- the run --------------------------------------------------------------------------------------------


def run_audit(root: str | os.PathLike, outdir: str | os.PathLike, options: AuditOptions = AuditOptions(),
              progress: Callable[[int, int], None] | None = None) -> AuditResult:
    """Audit every account under ``root`` and write the outputs in ``outdir``. ``progress(done, total)`` is
    called once before scanning (``done`` = accounts resumed from an earlier run) and after each account.
    Raises :class:`NetralScanError` for bad options or a state from a run with other options."""
    from netral_scan.model import load
    from netral_scan.report_html import check_language
    from netral_scan.scan import DEFAULT_JOBS
    from netral_scan.watchlist import load_watchlist

    root, outdir = Path(root).resolve(), Path(outdir).resolve()
    check_language(options.lang)
    _check_platform(options.platform)
    manifest = Path(options.accounts_file).resolve() if options.accounts_file else None
    accounts = discover_accounts(root, manifest, exclude=tuple(filter(None, (outdir, manifest))))
    model = load(options.model_path)
    watchlist = load_watchlist(list(options.watchlists))
    threshold = model.threshold if options.threshold is None else options.threshold
    outdir.mkdir(parents=True, exist_ok=True)
    state_dir = outdir / STATE_DIR
    state = _open_state(state_dir, _identity(root, model, threshold, options), options.restart)
    results = {account.id: _finished(state_dir, account) for account in accounts}
    pending = [account for account in accounts if results[account.id] is None]
    resumed = len(accounts) - len(pending)

    def record(result: AccountResult) -> None:
        _save(state_dir, result)
        results[result.account.id] = result
        if progress:
            progress(sum(value is not None for value in results.values()), len(accounts))

    if progress:
        progress(resumed, len(accounts))
    settings = {"threshold": threshold, "window": options.window, "platform": options.platform, "root": str(root)}
    jobs = options.jobs or DEFAULT_JOBS
    if min(jobs, len(pending)) > 1:
        _scan_parallel(pending, settings, min(jobs, len(pending)), (model.path, tuple(options.watchlists)), record)
    else:
        # One account left (or --jobs 1): its own batches may still use the requested processes.
        for account in pending:
            record(scan_account(account, model, watchlist, **settings, jobs=jobs))
    finished = [results[account.id] for account in accounts]
    if options.redact:
        finished = redact_results(finished, Redactor(bytes.fromhex(state["redact_key"]), watchlist.is_watched))
    run = _audit_run(root, state, model, threshold, options, finished)
    return AuditResult(run, resumed, write_outputs(outdir, run, options.lang, options.junit))


def _check_platform(platform: str | None) -> None:
    from netral_scan.feeds import platforms

    if platform is not None and platform not in platforms():
        raise NetralScanError(f"unknown platform {platform!r} (choose from {', '.join(platforms())})")


def _scan_parallel(pending: list, settings: dict, jobs: int, worker_args: tuple, record) -> None:
    # "spawn": forking a parent that may run a progress thread can deadlock; a fresh interpreter cannot.
    executor = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_init_worker, initargs=worker_args)
    try:
        futures = [executor.submit(_scan_in_worker, account, settings) for account in pending]
        for future in as_completed(futures):
            record(future.result())
    except BrokenProcessPool:
        _stop(executor)
        raise NetralScanError("a worker process died (out of memory?); finished accounts are kept: rerun the "
                              "same command to resume, with a lower --jobs") from None
    except BaseException:
        _stop(executor)
        raise
    executor.shutdown()


def _stop(executor: ProcessPoolExecutor) -> None:
    """Drop queued accounts and end running ones now; finished accounts are already saved."""
    workers = list((getattr(executor, "_processes", None) or {}).values())  # no public way before Python 3.14
    executor.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.terminate()


def _audit_run(root: Path, state: dict, model, threshold: float, options: AuditOptions,
               results: list) -> AuditRun:
    window = options.window or Window()
    return AuditRun(
        root=root.name, root_path=str(root), generated_at=state["generated_at"], model_file=Path(model.path).name,
        model_sha256=model.card.get("model_sha256", ""), threshold=threshold,
        since=window.since.isoformat() if window.since else "", until=window.until.isoformat() if window.until else "",
        watchlists=[Path(path).name for path in options.watchlists], platform=options.platform or "",
        redacted=options.redact, labels=list(dict.fromkeys([*BASE_LABELS, *model.labels])), results=results)


# --- outputs --------------------------------------------------------------------------------------------


def write_outputs(outdir: Path, run: AuditRun, lang: str = "id", junit: bool = False) -> list[Path]:
    """Write flagged.csv, accounts.csv, report.html and (with ``junit``) junit.xml, each atomically."""
    from netral_scan import junit as junit_xml
    from netral_scan import report_html

    written = [outdir / FLAGGED_FILE, outdir / ACCOUNTS_FILE, outdir / REPORT_FILE]
    _write_csv(written[0], FLAGGED_COLUMNS, flagged_rows(run))
    _write_csv(written[1], account_columns(run), [account_row(result, run) for result in run.results])
    _write_text(written[2], report_html.render(run, lang))
    if junit:
        written.append(outdir / JUNIT_FILE)
        _write_text(written[-1], junit_xml.render(run))
    return written


def flagged_rows(run: AuditRun) -> list[dict]:
    return [{"account_id": result.account.id, **row} for result in run.results for row in result.rows]


def account_columns(run: AuditRun) -> tuple:
    return ("account_id", "name", "unit", "path", "status", "items_read", "judged", "not_judgeable",
            "outside_window", "skipped_other", "flagged", *(f"flagged_{label}" for label in run.labels),
            *(f"flagged_{kind}" for kind in KIND_COLUMNS), "highest_score", "first_flagged", "last_flagged",
            "top_reasons", "errors")


def account_row(result: AccountResult, run: AuditRun) -> dict:
    """One row of accounts.csv."""
    account, dates = result.account, result.flagged_dates
    row = {"account_id": account.id, "name": account.name, "unit": account.unit,
           "path": display_path(account.path, run),
           "status": result.status, "items_read": result.items_read, "judged": result.judged,
           "not_judgeable": result.not_judgeable, "outside_window": result.outside_window,
           "skipped_other": result.skipped_other, "flagged": result.flagged,
           "highest_score": result.highest_score,
           "first_flagged": dates[0].isoformat() if dates else "",
           "last_flagged": dates[-1].isoformat() if dates else "",
           "top_reasons": REASON_SEPARATOR.join(f"{phrase} ({count})" for phrase, count in result.top_reasons()),
           "errors": " | ".join(result.errors)}
    row.update({f"flagged_{label}": result.flagged_by_label.get(label, 0) for label in run.labels})
    row.update({f"flagged_{kind}": result.flagged_by_kind.get(kind, 0) for kind in KIND_COLUMNS})
    return row


def display_path(path: str, run: AuditRun) -> str:
    """An account's export as shown in the outputs: its name inside ROOT, or its full path elsewhere."""
    inside = Path(path).is_relative_to(run.root_path)
    return Path(path).relative_to(run.root_path).as_posix() if inside else path


def _write_csv(path: Path, columns: tuple, rows: list[dict]) -> None:
    with atomic_path(path) as temporary:
        with open(temporary, "w", encoding="utf-8", newline="") as stream:
            writer = RowWriter(stream, "csv", columns=columns)
            writer.put(writer.render(rows))


def _write_text(path: Path, text: str) -> None:
    with atomic_path(path) as temporary:
        with open(temporary, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
