"""Labelled data, training and evaluation.

Threshold rule: training collects out-of-fold scores from stratified ``CV_FOLDS``-fold cross-validation on
the training data and picks the threshold with the best partisan F-beta (endorse + attack vs the rest) on them,
beta = ``THRESHOLD_BETA``: precision counts twice as much as recall, because an inspector must defend every flag
before a disciplinary board and a false flag costs more than a miss. The test split is never seen here.

Every fit (each fold's and the final one) also learns from joined pairs of its own rows (``joined_pairs``).
"""

from __future__ import annotations

import datetime
import hashlib
import platform
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from netral_scan import __version__
from netral_scan.errors import LabelledDataError
from netral_scan.feeds import KINDS, Item
from netral_scan.model import PARTISAN_LABELS, SEED, Model, build_pipeline
from netral_scan.scoring import Scorer, training_document
from netral_scan.text import CONTEXT_SEPARATOR

FOUR_LABELS = ("endorse", "attack", "political", "other")
BINARY_LABELS = {"partisan": "partisan", "neutral": "neutral", "1": "partisan", "0": "neutral",
                 "true": "partisan", "false": "neutral"}
CV_FOLDS = 5
THRESHOLD_BETA = 0.5
# Joined pairs added to each fit, as a share of its rows; chosen by CV partisan F1 among 0, 0.15, 0.25, 0.5
# (docs/model.md).
JOINED_SHARE = 0.15
METRIC_DECIMALS = 4


@dataclass
class LabelledData:
    """Labelled rows ready for training or evaluation."""

    texts: list[str]
    parents: list[str]
    kinds: list[str]
    labels: list[str]
    sha256: str
    name: str

    def documents(self) -> list[str]:
        return [training_document(k, t, p) for k, t, p in zip(self.kinds, self.texts, self.parents)]

    def items(self) -> list[Item]:
        return [Item(id=str(i), kind=k, text=t, parent_text=p)
                for i, (k, t, p) in enumerate(zip(self.kinds, self.texts, self.parents))]


def read_labelled(path: str | Path) -> LabelledData:
    """Read CSV, JSONL or JSON with at least ``text,label`` (optional ``kind``, ``parent_text``). Labels are the
    four classes or binary (``partisan``/``neutral``, ``1``/``0``). Raises :class:`LabelledDataError` naming the
    bad row."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise LabelledDataError(f"{path}: no such file")
    raw = path.read_bytes()
    suffix = path.suffix.lower()
    try:
        if suffix in (".jsonl", ".ndjson"):
            frame, first_row = pd.read_json(path, lines=True, dtype=False), 1
        elif suffix == ".json":
            frame, first_row = pd.read_json(path, dtype=False), 1
        else:
            frame, first_row = pd.read_csv(path, dtype=str, keep_default_na=False), 2
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise LabelledDataError(f"{path}: cannot read labelled data ({str(error).splitlines()[0]})") from None
    missing = {"text", "label"} - set(frame.columns)
    if missing:
        raise LabelledDataError(f"{path}: missing column(s) {', '.join(sorted(missing))} (need at least text,label)")
    rows = frame.fillna("").astype(str).to_dict("records")
    if not rows:
        raise LabelledDataError(f"{path}: no rows")
    texts, parents, kinds, labels = [], [], [], []
    for number, row in enumerate(rows, start=first_row):
        label = _label(row["label"], path, number)
        kind = (row.get("kind") or "post").strip().lower()
        if kind not in KINDS:
            raise LabelledDataError(f"{path}: row {number}: unknown kind {kind!r} (expected {', '.join(KINDS)})")
        text, parent = row["text"], row.get("parent_text", "")
        if not training_document(kind, text, parent).strip():
            raise LabelledDataError(f"{path}: row {number}: no text to learn from")
        texts.append(text), parents.append(parent), kinds.append(kind), labels.append(label)
    binary = {label in ("partisan", "neutral") for label in labels}
    if len(binary) > 1:
        first = next(i for i, label in enumerate(labels) if (label in ("partisan", "neutral")) != (labels[0] in ("partisan", "neutral")))
        raise LabelledDataError(f"{path}: row {first + first_row}: label {labels[first]!r} mixes binary and "
                                f"four-class labels")
    return LabelledData(texts, parents, kinds, labels, hashlib.sha256(raw).hexdigest(), path.name)


def _label(value: str, path: Path, number: int) -> str:
    label = value.strip().lower()
    if label in FOUR_LABELS:
        return label
    if label in BINARY_LABELS:
        return BINARY_LABELS[label]
    raise LabelledDataError(f"{path}: row {number}: unknown label {value!r} (expected "
                            f"{', '.join(FOUR_LABELS)}, or partisan/neutral, 1/0)")


def is_partisan(labels) -> np.ndarray:
    return np.isin(np.asarray(labels), PARTISAN_LABELS)


def best_threshold(truth: np.ndarray, scores: np.ndarray, beta: float = THRESHOLD_BETA) -> float:
    """The score threshold with the best partisan F-beta (beta < 1 weighs precision more)."""
    from sklearn.metrics import precision_recall_curve

    precision, recall, thresholds = precision_recall_curve(truth, scores)
    weighted = (1 + beta**2) * precision * recall / np.maximum(beta**2 * precision + recall, 1e-12)
    return float(thresholds[int(np.argmax(weighted[:-1]))])


def joined_pairs(documents: list[str], labels: np.ndarray, share: float, seed: int) -> tuple[list[str], np.ndarray]:
    """Extra rows, each two random rows joined into one text. Real posts are longer than the corpus's rows and mix a
    side-taking sentence with neutral talk; a joined row teaches that a side taken anywhere in a text takes a side.
    A side-taking row joined to a neutral one keeps its label; two neutral rows are `political` if either is
    (else the first's label); two side-taking rows and comments (whose context must stay last) are not joined."""
    rng = random.Random(seed)
    joined, joined_labels = [], []
    for _ in range(int(share * len(documents))):
        first, second = rng.sample(range(len(documents)), 2)
        sides = [labels[first] in PARTISAN_LABELS, labels[second] in PARTISAN_LABELS]
        if all(sides) or CONTEXT_SEPARATOR in documents[first] + documents[second]:
            continue
        if sides[0] or sides[1]:
            label = labels[first] if sides[0] else labels[second]
        else:
            label = "political" if "political" in (labels[first], labels[second]) else labels[first]
        joined.append(f"{documents[first]} {documents[second]}")
        joined_labels.append(label)
    return joined, np.asarray(joined_labels, dtype=labels.dtype)


def _fit(pipeline, documents: list[str], labels: np.ndarray, seed: int):
    extra, extra_labels = joined_pairs(documents, labels, JOINED_SHARE, seed)
    return pipeline.fit(documents + extra, np.concatenate([labels, extra_labels]))


def partisan_metrics(truth: np.ndarray, flagged: np.ndarray) -> dict:
    from sklearn.metrics import precision_recall_fscore_support

    precision, recall, f1, _ = precision_recall_fscore_support(truth, flagged, average="binary", zero_division=0)
    neutral = ~truth
    false_flag_rate = float(flagged[neutral].mean()) if neutral.any() else 0.0
    return {"precision": round(float(precision), METRIC_DECIMALS), "recall": round(float(recall), METRIC_DECIMALS),
            "f1": round(float(f1), METRIC_DECIMALS), "support": int(truth.sum()),
            "false_flag_rate": round(false_flag_rate, METRIC_DECIMALS), "neutral_support": int(neutral.sum())}


def train(data: LabelledData, seed: int = SEED) -> tuple[Model, dict]:
    """Fit the pipeline on all rows; choose the threshold on out-of-fold scores. Returns the model and the
    cross-validated metrics."""
    from sklearn.base import clone
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    documents, labels = data.documents(), np.asarray(data.labels)
    pipeline = build_pipeline()
    pipeline.set_params(clf__random_state=seed)
    folds = StratifiedKFold(n_splits=CV_FOLDS, shuffle=True, random_state=seed)
    classes = np.unique(labels)
    out_of_fold = np.zeros((len(labels), len(classes)))
    for fold, (fit_rows, held_out) in enumerate(folds.split(documents, labels)):
        fitted = _fit(clone(pipeline), [documents[i] for i in fit_rows], labels[fit_rows], seed + fold)
        columns = np.searchsorted(classes, fitted.classes_)  # a tiny fold may lack a class
        out_of_fold[np.ix_(held_out, columns)] = fitted.predict_proba([documents[i] for i in held_out])
    partisan_columns = [i for i, label in enumerate(classes) if label in PARTISAN_LABELS]
    truth = is_partisan(labels)
    scores = out_of_fold[:, partisan_columns].sum(axis=1)
    threshold = best_threshold(truth, scores)
    predicted = classes[out_of_fold.argmax(axis=1)]
    cv_metrics = {"folds": CV_FOLDS, "macro_f1": round(float(f1_score(labels, predicted, average="macro")), METRIC_DECIMALS),
                  "partisan": partisan_metrics(truth, scores >= threshold)}
    _fit(pipeline, documents, labels, seed)
    card = {
        "netral_scan_version": __version__,
        "created": datetime.date.today().isoformat(),
        "training_data": {"file": data.name, "sha256": data.sha256, "rows": len(labels),
                          "label_counts": {str(k): int(v) for k, v in zip(*np.unique(labels, return_counts=True))}},
        "seed": seed,
        "threshold_rule": f"best partisan F-beta, beta {THRESHOLD_BETA}, on {CV_FOLDS}-fold out-of-fold scores of "
                          "the training data",
        "joined_pairs_share": JOINED_SHARE,
        "cv_metrics": cv_metrics,
        "libraries": _library_versions(),
        "pipeline": {"steps": [name for name, _ in pipeline.steps], "features": int(pipeline.named_steps["clf"].coef_.shape[1]),
                     "C": pipeline.named_steps["clf"].C},
    }
    return Model(pipeline=pipeline, threshold=threshold, card=card), cv_metrics


def _library_versions() -> dict:
    from importlib.metadata import version

    versions = {"python": platform.python_version()}
    for name in ("scikit-learn", "numpy", "scipy", "PySastrawi", "skops"):
        versions[name] = version(name)
    return versions


@dataclass
class Evaluation:
    """Figures for a model on labelled data, plus the raw scores behind them."""

    metrics: dict
    truth: np.ndarray
    scores: np.ndarray


def evaluate(model: Model, data: LabelledData, threshold: float | None = None) -> Evaluation:
    """Per-class and partisan figures for a model on labelled data, scored exactly as ``check`` scores."""
    from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

    scorer = Scorer(model, threshold)
    results = scorer.score(data.items())
    scores = np.array([result.score for result in results])
    predicted = [result.label for result in results]
    truth_labels = np.asarray(data.labels)
    truth = is_partisan(truth_labels)
    metrics = {"data": data.name, "rows": len(truth_labels), "threshold": round(scorer.threshold, METRIC_DECIMALS),
               "partisan": partisan_metrics(truth, scores >= scorer.threshold)}
    if set(truth_labels) <= set(model.labels):
        labels = [label for label in model.labels if label in set(truth_labels) | set(predicted)]
        precision, recall, f1, support = precision_recall_fscore_support(truth_labels, predicted, labels=labels,
                                                                         zero_division=0)
        metrics["per_class"] = {label: {"precision": round(float(p), METRIC_DECIMALS), "recall": round(float(r), METRIC_DECIMALS),
                                        "f1": round(float(f), METRIC_DECIMALS), "support": int(s)}
                                for label, p, r, f, s in zip(labels, precision, recall, f1, support)}
        metrics["macro_f1"] = round(float(f1_score(truth_labels, predicted, labels=labels, average="macro")), METRIC_DECIMALS)
        metrics["confusion"] = {"labels": labels,
                                "matrix": confusion_matrix(truth_labels, predicted, labels=labels).tolist()}
    return Evaluation(metrics, truth, scores)


def plot_precision_recall(evaluation: Evaluation, path: str | Path) -> None:
    """Save a precision–recall curve of the partisan score with the threshold marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve

    precision, recall, _ = precision_recall_curve(evaluation.truth, evaluation.scores)
    at = evaluation.metrics["partisan"]
    figure, axes = plt.subplots(figsize=(5, 4))
    axes.plot(recall, precision, label="partisan (endorse + attack)")
    axes.scatter([at["recall"]], [at["precision"]], color="red", zorder=3,
                 label=f"threshold {evaluation.metrics['threshold']:.3f}")
    axes.set(xlabel="recall", ylabel="precision", xlim=(0, 1.02), ylim=(0, 1.02),
             title=f"{evaluation.metrics['data']}: partisan F1 {at['f1']:.3f}")
    axes.legend(loc="lower left")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def format_evaluation(metrics: dict) -> str:
    """A plain-text report of ``evaluate`` figures."""
    lines = [f"{metrics['data']}: {metrics['rows']} rows, threshold {metrics['threshold']}"]
    if "per_class" in metrics:
        lines.append(f"{'label':<10} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>8}")
        for label, row in metrics["per_class"].items():
            lines.append(f"{label:<10} {row['precision']:>9.4f} {row['recall']:>7.4f} {row['f1']:>7.4f} {row['support']:>8}")
        lines.append(f"macro F1: {metrics['macro_f1']:.4f}")
    p = metrics["partisan"]
    lines.append(f"partisan (endorse+attack) at threshold: precision {p['precision']:.4f}, recall {p['recall']:.4f}, "
                 f"F1 {p['f1']:.4f}, support {p['support']}")
    lines.append(f"false-flag rate on neutral rows: {p['false_flag_rate']:.4f} of {p['neutral_support']}")
    if "confusion" in metrics:
        labels = metrics["confusion"]["labels"]
        lines.append("confusion matrix (rows = true, columns = predicted):")
        lines.append(" " * 10 + "".join(f"{label:>10}" for label in labels))
        for label, row in zip(labels, metrics["confusion"]["matrix"]):
            lines.append(f"{label:<10}" + "".join(f"{value:>10}" for value in row))
    return "\n".join(lines)
