"""Labelled data, training and evaluation.

Threshold rule: training collects out-of-fold scores from stratified ``CV_FOLDS``-fold cross-validation on
the training data and picks the threshold with the best partisan F1 (endorse + attack vs the rest) on them.
The test split is never seen here.
"""

from __future__ import annotations

import datetime
import hashlib
import platform
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from netral_scan import __version__
from netral_scan.errors import LabelledDataError
from netral_scan.feeds import KINDS, Item
from netral_scan.model import PARTISAN_LABELS, SEED, Model, build_pipeline
from netral_scan.scoring import Scorer, training_document

FOUR_LABELS = ("endorse", "attack", "political", "other")
BINARY_LABELS = {"partisan": "partisan", "neutral": "neutral", "1": "partisan", "0": "neutral",
                 "true": "partisan", "false": "neutral"}
CV_FOLDS = 5
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


def best_threshold(truth: np.ndarray, scores: np.ndarray) -> float:
    """The score threshold with the best partisan F1."""
    from sklearn.metrics import precision_recall_curve

    precision, recall, thresholds = precision_recall_curve(truth, scores)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    return float(thresholds[int(np.argmax(f1[:-1]))])


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
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    documents, labels = data.documents(), np.asarray(data.labels)
    pipeline = build_pipeline()
    pipeline.set_params(clf__random_state=seed)
    folds = StratifiedKFold(n_splits=CV_FOLDS, shuffle=True, random_state=seed)
    out_of_fold = cross_val_predict(pipeline, documents, labels, cv=folds, method="predict_proba")
    classes = np.unique(labels)
    partisan_columns = [i for i, label in enumerate(classes) if label in PARTISAN_LABELS]
    truth = is_partisan(labels)
    scores = out_of_fold[:, partisan_columns].sum(axis=1)
    threshold = best_threshold(truth, scores)
    predicted = classes[out_of_fold.argmax(axis=1)]
    cv_metrics = {"folds": CV_FOLDS, "macro_f1": round(float(f1_score(labels, predicted, average="macro")), METRIC_DECIMALS),
                  "partisan": partisan_metrics(truth, scores >= threshold)}
    pipeline.fit(documents, labels)
    card = {
        "netral_scan_version": __version__,
        "created": datetime.date.today().isoformat(),
        "training_data": {"file": data.name, "sha256": data.sha256, "rows": len(labels),
                          "label_counts": {str(k): int(v) for k, v in zip(*np.unique(labels, return_counts=True))}},
        "seed": seed,
        "threshold_rule": f"best partisan F1 on {CV_FOLDS}-fold out-of-fold scores of the training data",
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
