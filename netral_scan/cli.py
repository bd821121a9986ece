"""Command-line interface: each command parses its options, calls one library function and reports.

Exit status, like a linter: 0 nothing flagged, 1 something flagged, 2 an input could not be read or the
usage is wrong. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from netral_scan.errors import NetralScanError

EXIT_CLEAN, EXIT_FLAGGED, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143
PROGRESS_MIN_SECONDS = 1.0

app = typer.Typer(help="Audit civil servants' social-media feeds for breaches of election neutrality.",
                  add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None,
                  no_args_is_help=True)


class OutputFormat(str, Enum):
    csv = "csv"
    jsonl = "jsonl"


def _error(message: str) -> None:
    typer.echo(f"netral-scan: error: {message}", err=True)


class _Terminated(Exception):
    """Raised from the SIGTERM handler so that cleanup (temporary output files) runs."""


def _on_sigterm(signum, frame):
    raise _Terminated()


@contextmanager
def _user_errors(done=lambda: ""):
    """Turn library errors, interrupts and broken pipes into one line and an exit code; on an interrupt,
    first print ``done()``, what was done so far."""
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    except NetralScanError as error:
        _error(str(error))
        raise typer.Exit(EXIT_ERROR)
    except BrokenPipeError:
        # `netral-scan check feed.json | head`: the reader left; stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(EXIT_CLEAN)
    except (KeyboardInterrupt, _Terminated) as stop:
        interrupted = isinstance(stop, KeyboardInterrupt)
        if done():
            typer.echo(done(), err=True)
        _error(f"{'interrupted' if interrupted else 'terminated'}; no output file was written")
        raise typer.Exit(EXIT_INTERRUPTED if interrupted else EXIT_TERMINATED)
    finally:
        signal.signal(signal.SIGTERM, previous)


@functools.lru_cache(maxsize=4)
def _load_model(path: Optional[Path]):
    """Load a model once per process (tests invoke the app many times in one process)."""
    from netral_scan.model import load

    return load(path)


class _NothingRead(Exception):
    """Raised inside the output block so that a run which read nothing leaves no output file."""


@contextmanager
def _output_stream(output: Optional[Path], excel: bool = False):
    """Stdout, or a temporary file renamed over ``output`` only when the run completes."""
    if output is None or str(output) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    from netral_scan.reports import atomic_path

    encoding = "utf-8"
    with atomic_path(output) as temporary:
        with open(temporary, "w", encoding=encoding, newline="") as stream:
            yield stream


def _same_file(output: Optional[Path], inputs: list[str]) -> Optional[str]:
    if output is None or str(output) == "-" or not output.exists():
        return None
    return next((path for path in inputs if path != "-" and os.path.exists(path) and os.path.samefile(path, output)), None)


@contextmanager
def _progress_bar():
    """A progress counter on stderr for long runs, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.completed:,} items"), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("scan", total=None)
        yield lambda count: progress.advance(task, count)


@app.command()
def check(
    feeds: Annotated[list[str], typer.Argument(help="Feed files, folders or zips; '-' reads stdin.")],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write CSV here instead of stdout.")] = None,
    threshold: Annotated[Optional[float], typer.Option(min=0.0, max=1.0, help="Flag at or above this score (default: the model's).")] = None,
    all_items: Annotated[bool, typer.Option("--all", help="Write every scored item, not only flagged ones.")] = False,
    model: Annotated[Optional[Path], typer.Option(help="Model file (default: the bundled model).")] = None,
    output_format: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = OutputFormat.csv,
    excel: Annotated[bool, typer.Option("--excel", help="Start CSV with a UTF-8 BOM so Excel reads it right.")] = False,
    platform: Annotated[Optional[str], typer.Option(help="Force the input format: generic, facebook, instagram, x, tiktok.")] = None,
    watchlist: Annotated[Optional[list[str]], typer.Option(help="Extra watchlist CSV of campaign accounts (repeatable).")] = None,
    since: Annotated[Optional[str], typer.Option(help="Only items on or after this date (YYYY-MM-DD).")] = None,
    until: Annotated[Optional[str], typer.Option(help="Only items on or before this date (YYYY-MM-DD).")] = None,
    period: Annotated[Optional[str], typer.Option(help="Named election period: pemilu2024, pilkada2024, pemilu2024-kampanye, pilkada2024-kampanye.")] = None,
    jobs: Annotated[Optional[int], typer.Option(min=1, help="Worker processes (default: all cores).")] = None,
):
    """Scan feeds and write the items that take a side.

    Example: netral-scan check examples/feed.jsonl -o flagged.csv
    """
    from netral_scan.periods import make_window
    from netral_scan.reports import RowWriter, format_summary
    from netral_scan.scan import DEFAULT_JOBS, Summary, scan
    from netral_scan.watchlist import load_watchlist

    clash = _same_file(output, feeds)
    if clash:
        _error(f"{output}: refusing to write the output over the input {clash}")
        raise typer.Exit(EXIT_ERROR)
    summary = Summary()
    with _user_errors(done=lambda: format_summary(summary) if summary.items_read else ""):
        window = make_window(since, until, period)
        accounts = load_watchlist(watchlist)
        loaded = _load_model(model)
        try:
            with _output_stream(output, excel) as stream, _progress_bar() as progress:
                writer = RowWriter(stream, output_format.value, excel=excel)
                scan(feeds, loaded, writer, threshold=threshold, include_all=all_items, platform=platform,
                     progress=progress, summary=summary, window=window, watchlist=accounts,
                     jobs=jobs or DEFAULT_JOBS)
                if summary.errors and not summary.items_read:
                    raise _NothingRead  # an empty report would read as "nothing flagged"
                writer.finish()
        except _NothingRead:
            pass
    for message in summary.errors:
        _error(message)
    typer.echo(format_summary(summary), err=True)
    if summary.errors and not summary.items_read:
        typer.echo("netral-scan: no input could be read, so no output was written", err=True)
    raise typer.Exit(EXIT_ERROR if summary.errors else EXIT_FLAGGED if summary.flagged else EXIT_CLEAN)


@app.command()
def explain(
    text: Annotated[str, typer.Argument(help="The text to judge.")],
    kind: Annotated[str, typer.Option(help="post, comment, share or like.")] = "post",
    parent: Annotated[str, typer.Option(help="What the comment replies to / what was shared.")] = "",
    model: Annotated[Optional[Path], typer.Option(help="Model file (default: the bundled model).")] = None,
):
    """Print the score, label and contributing words for one text.

    Example: netral-scan explain "besok coblos nomor 2 ya"
    """
    from netral_scan.feeds import KINDS, Item
    from netral_scan.scoring import Scorer

    if kind not in KINDS:
        _error(f"unknown kind {kind!r} (choose from {', '.join(KINDS)})")
        raise typer.Exit(EXIT_ERROR)
    with _user_errors():
        scorer = Scorer(_load_model(model))
        item = Item(id="explain", kind=kind, text=text, parent_text=parent)
        result = scorer.score([item], explain_all=True)[0]
    if result is None:
        _error("nothing to judge: the text is empty")
        raise typer.Exit(EXIT_ERROR)
    typer.echo(f"score {result.score:.4f} (threshold {scorer.threshold:.4f}) label {result.label} "
               f"{'FLAGGED' if result.flagged else 'not flagged'}")
    typer.echo(f"evidence: {result.reasons or '-'}")
    raise typer.Exit(EXIT_FLAGGED if result.flagged else EXIT_CLEAN)


@app.command()
def train(
    data: Annotated[Path, typer.Argument(help="Labelled CSV, JSONL or JSON with at least text,label.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Model file to write (.skops).")] = Path("model.skops"),
    test: Annotated[Optional[Path], typer.Option(help="Held-out labelled data to evaluate on; figures go in the card.")] = None,
):
    """Train a model on labelled data, pick its threshold and write it with its card.

    Example: netral-scan train data/train.csv --test data/test.csv -o netral_scan/models/default.skops
    """
    from netral_scan import model as model_io
    from netral_scan import training

    with _user_errors():
        labelled = training.read_labelled(data)
        held_out = training.read_labelled(test) if test else None
        trained, cv_metrics = training.train(labelled)
        if held_out is not None:
            trained.card["test_metrics"] = training.evaluate(trained, held_out).metrics
        card = model_io.save(trained, output)
    partisan = cv_metrics["partisan"]
    typer.echo(f"cross-validated ({cv_metrics['folds']} folds): macro F1 {cv_metrics['macro_f1']:.4f}; partisan "
               f"precision {partisan['precision']:.4f} recall {partisan['recall']:.4f} F1 {partisan['f1']:.4f}")
    typer.echo(f"threshold {trained.threshold:.4f} (best partisan F-beta, beta {training.THRESHOLD_BETA}, "
               "on out-of-fold scores)")
    if held_out is not None:
        typer.echo(training.format_evaluation(trained.card["test_metrics"]))
    typer.echo(f"wrote {output} and {card}")


@app.command()
def evaluate(
    data: Annotated[Path, typer.Argument(help="Labelled CSV, JSONL or JSON with at least text,label.")],
    model: Annotated[Optional[Path], typer.Option(help="Model file (default: the bundled model).")] = None,
    threshold: Annotated[Optional[float], typer.Option(min=0.0, max=1.0, help="Override the model's threshold.")] = None,
    plot: Annotated[Optional[Path], typer.Option(help="Save a precision-recall curve PNG here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
):
    """Print precision, recall, F1 and the confusion matrix of a model on labelled data.

    Example: netral-scan evaluate data/test.csv
    """
    from netral_scan import training

    with _user_errors():
        result = training.evaluate(_load_model(model), training.read_labelled(data), threshold)
        if plot:
            try:
                training.plot_precision_recall(result, plot)
            except ImportError:
                _error("--plot needs matplotlib: pip install 'netral-scan[plot]'")
                raise typer.Exit(EXIT_ERROR)
    typer.echo(json.dumps(result.metrics, indent=2) if as_json else training.format_evaluation(result.metrics))


@app.command()
def audit(
    root: Annotated[Path, typer.Argument(help="Folder with one export (zip, folder or feed file) per account.")],
    outdir: Annotated[Path, typer.Option("--output", "-o", help="Folder for flagged.csv, accounts.csv, report.html.")],
    accounts: Annotated[Optional[Path], typer.Option(help="Manifest CSV: account_id,name,unit,path.")] = None,
    threshold: Annotated[Optional[float], typer.Option(min=0.0, max=1.0, help="Flag at or above this score (default: the model's).")] = None,
    period: Annotated[Optional[str], typer.Option(help="Named election period: pemilu2024, pilkada2024, pemilu2024-kampanye, pilkada2024-kampanye.")] = None,
    since: Annotated[Optional[str], typer.Option(help="Only items on or after this date (YYYY-MM-DD).")] = None,
    until: Annotated[Optional[str], typer.Option(help="Only items on or before this date (YYYY-MM-DD).")] = None,
    watchlist: Annotated[Optional[list[str]], typer.Option(help="Extra watchlist CSV of campaign accounts (repeatable).")] = None,
    model: Annotated[Optional[Path], typer.Option(help="Model file (default: the bundled model).")] = None,
    jobs: Annotated[Optional[int], typer.Option(min=1, help="Accounts scanned in parallel (default: CPU count).")] = None,
    lang: Annotated[str, typer.Option(help="Report language: id or en.")] = "id",
    junit: Annotated[bool, typer.Option("--junit", help="Also write junit.xml, one test case per account.")] = False,
    fail_on: Annotated[Optional[int], typer.Option(min=0, help="Exit 1 only when more than N items are flagged in total.")] = None,
    redact: Annotated[bool, typer.Option("--redact", help="Replace third parties' names and handles with pseudonyms.")] = False,
    platform: Annotated[Optional[str], typer.Option(help="Force the input format: generic, facebook, instagram, x, tiktok.")] = None,
    restart: Annotated[bool, typer.Option("--restart", help="Discard the saved progress of an earlier run in OUTDIR.")] = False,
):
    """Audit a folder of accounts; write flagged.csv, accounts.csv and report.html (resumable).

    Example: netral-scan audit kantor/ -o hasil-audit --period pemilu2024 --junit
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from netral_scan.audit import STATE_DIR, AuditOptions, run_audit
    from netral_scan.periods import make_window

    bar = Progress(TextColumn("accounts"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   console=Console(stderr=True), transient=True, disable=not sys.stderr.isatty())
    task = bar.add_task("audit", total=None)
    state = outdir / STATE_DIR
    kept = f"netral-scan: finished accounts are kept in {state}; run the same command again to resume"
    with _user_errors(done=lambda: kept if state.is_dir() else ""), bar:
        options = AuditOptions(model_path=model, accounts_file=accounts, threshold=threshold,
                               window=make_window(since, until, period), watchlists=tuple(watchlist or ()),
                               platform=platform, redact=redact, jobs=jobs, lang=lang, junit=junit, restart=restart)
        result = run_audit(root, outdir, options, lambda done, total: bar.update(task, completed=done, total=total))
    run = result.run
    for unreadable in run.unreadable_accounts:
        _error(f"{unreadable.account.id}: " + "; ".join(unreadable.errors))
    typer.echo(f"netral-scan: {len(run.results)} accounts audited ({result.resumed} from an earlier run), "
               f"{len(run.flagged_accounts)} with flagged items ({run.flagged_items} items), "
               f"{len(run.unreadable_accounts)} unreadable → {outdir}", err=True)
    over = run.flagged_items > (fail_on if fail_on is not None else 0)
    raise typer.Exit(EXIT_ERROR if run.unreadable_accounts else EXIT_FLAGGED if over else EXIT_CLEAN)


def main() -> None:
    """The ``netral-scan`` program: runs the app, then ends the process without the interpreter's clean-up.

    Freeing every module of numpy, pyarrow and the rest at exit takes 0.07–0.1 s and serves nothing once a command
    has finished: each command closes its files and its worker pools itself. Scripts that audit hundreds of
    accounts run the program hundreds of times. Only a normal end (``SystemExit``) is cut short; any other exception
    unwinds as usual."""
    try:
        app(prog_name="netral-scan")
        code = EXIT_CLEAN
    except SystemExit as end:
        code = end.code
    if code is not None and not isinstance(code, int):  # as Python itself does with `sys.exit("message")`
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader of a pipe has gone: nothing left to say to it
        pass
    os._exit(code or EXIT_CLEAN)
