"""Score items: apply the kind rules, run the model, pick the flag, and quote the evidence.

How each kind is judged (the rules say liking or sharing campaign content is itself a breach):
``post`` its text; ``like`` the liked content; ``share`` the caption and the shared content separately,
flagged if either takes a side; ``comment`` its text read together with what it replies to (the parent's
words are separate, ``ctx_``-prefixed features).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from netral_scan.feeds import Item
from netral_scan.model import Model
from netral_scan.text import CONTEXT_PREFIX, CONTEXT_SEPARATOR, Analyzer, StemFilter, with_context
from netral_scan.vectorize import Encoded, Vectorizer

MAX_REASONS = 5
MAX_CANDIDATES = 3 * MAX_REASONS  # features looked up to find five distinct quotes
MAX_REASON_CHARS = 60
MAX_SCORED_CHARS = 100_000  # a longer text is scored on its first 100,000 characters
SCORE_DECIMALS = 4
PARENT_MARK = "↳ "  # evidence taken from the content replied to, not the person's own words


@dataclass
class Result:
    """The judgement of one item."""

    item: Item
    flagged: bool
    label: str
    score: float
    reasons: str = ""


# What ``score(..., unflagged_results=False)`` gives for a judged item that is not flagged: a scan writes no row for
# such an item and only counts it, so a Result of its own (0.2 s per 200,000 items in a micro-benchmark) is work for
# nothing. Shared: never changed (a watchlist match makes a new Result).
NOT_FLAGGED = Result(item=None, flagged=False, label="", score=0.0)


def item_documents(item: Item) -> list[str]:
    """The texts the model judges for an item (empty when there is nothing to judge)."""
    text, parent = item.text.strip(), item.parent_text.strip()
    if item.kind == "comment" and text:
        documents = [with_context(item.text, item.parent_text)]
    elif item.kind == "share":
        documents = [part for part in (item.text, item.parent_text) if part.strip()]
    elif item.kind == "like":
        documents = [item.parent_text if parent else item.text] if (parent or text) else []
    else:
        documents = [item.text if text else item.parent_text] if (text or parent) else []
    return [document[:MAX_SCORED_CHARS] for document in documents]


def training_document(kind: str, text: str, parent_text: str) -> str:
    """The one document a labelled row trains on: like ``item_documents``, but a share's caption and shared
    content are read together because the row's label belongs to the whole act."""
    if kind == "share" and text.strip() and parent_text.strip():
        return f"{text}\n{parent_text}"
    documents = item_documents(Item(id="", kind=kind, text=text, parent_text=parent_text))
    return documents[0] if documents else ""


class Scorer:
    """Scores batches of items with one model and threshold."""

    def __init__(self, model: Model, threshold: float | None = None):
        self.model = model
        self.threshold = model.threshold if threshold is None else threshold
        self.labels = model.labels
        self.partisan = model.partisan_columns
        self._weights = model.scoring_weights()
        features = self._weights.features.tolist()
        self._analyzer = Analyzer(StemFilter(features))
        self._vectorizer = Vectorizer(self._weights, self._analyzer)
        # A generator over the list, not np.char.find: 6 ms instead of 20 ms, before any worker can start.
        self._is_bigram = np.fromiter((" " in feature for feature in features), dtype=bool, count=len(features))
        coef = self._weights.coef
        # A binary model has one weight row, for its second class; contributions need one row per class.
        self._class_weights = np.vstack([-coef[0] / 2, coef[0] / 2]) if coef.shape[0] == 1 else coef

    def probabilities(self, documents: list[str]) -> tuple[np.ndarray, object]:
        """Class probabilities and TF-IDF rows for documents: the pipeline's own steps, except that words whose
        stem cannot be a feature are not stemmed and features are counted by id (the result is the same;
        ``tests/test_scoring.py`` and ``tests/test_vectorize.py`` check)."""
        probabilities, features, _ = self._judge(documents)
        return probabilities, features

    def _judge(self, documents: list[str]) -> tuple[np.ndarray, object, Encoded]:
        encoded = self._vectorizer.encode(documents)
        features = self._vectorizer.rows(encoded)
        return self._weights.probabilities(features), features, encoded

    def score(self, items: list[Item], explain_all: bool = False,
              unflagged_results: bool = True) -> list[Result | None]:
        """Judge items; ``None`` for an item with nothing to judge. Reasons are quoted for flagged items,
        and for every item with ``explain_all``. Without ``unflagged_results`` an item that is judged but neither
        flagged nor explained gets the shared ``NOT_FLAGGED`` instead of its own Result."""
        documents, owners = [], []
        for index, item in enumerate(items):
            for document in item_documents(item):
                documents.append(document)
                owners.append(index)
        results: list[Result | None] = [None] * len(items)
        if not documents:
            return results
        probabilities, features, encoded = self._judge(documents)
        partisan_scores = probabilities[:, self.partisan].sum(axis=1)
        rows = _best_rows(np.array(owners), partisan_scores)
        scores = partisan_scores[rows]
        flagged = scores >= self.threshold
        explained = rows if explain_all else rows[flagged]
        reasons = self.reasons(documents, encoded, self.ranked_features(features, probabilities, explained.tolist()))
        labels = np.argmax(probabilities[rows], axis=1)
        keep_all = unflagged_results or explain_all
        for row, score, flag, label in zip(rows.tolist(), scores.tolist(), flagged.tolist(), labels.tolist()):
            owner = owners[row]
            if flag or keep_all:
                results[owner] = Result(items[owner], flag, self.labels[label], round(score, SCORE_DECIMALS),
                                        reasons.get(row, ""))
            else:
                results[owner] = NOT_FLAGGED
        return results

    def ranked_features(self, features, probabilities: np.ndarray, rows: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """For the given rows, the features that raise the log-probability of each row's most likely side-taking
        class, as (row, column) arrays ordered by row and then largest first, at most MAX_CANDIDATES a row. A
        feature's contribution is x_j · (w_cj − Σ_k p_k w_kj), the linear model's exact gradient decomposition; all
        rows are computed at once."""
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        selected = features[rows]
        owner = np.repeat(np.arange(len(rows)), np.diff(selected.indptr))
        row_probabilities = probabilities[rows]
        partisan = np.asarray(self.partisan)
        side = partisan[np.argmax(row_probabilities[:, partisan], axis=1)]
        columns = selected.indices
        weights = self._class_weights[:, columns]
        contribution = selected.data * (weights[side[owner], np.arange(len(columns))]
                                        - np.einsum("nk,kn->n", row_probabilities[owner], weights))
        order = np.lexsort((-contribution, owner))  # by row, then largest contribution first
        order = order[contribution[order] > 0]
        owners = owner[order]
        rank = np.arange(len(order)) - np.searchsorted(owners, owners)  # place within its row
        kept = rank < MAX_CANDIDATES
        return np.asarray(rows, dtype=np.int64)[owners[kept]], columns[order[kept]].astype(np.int64)

    def reasons(self, documents: list[str], encoded: Encoded, ranked: tuple[np.ndarray, np.ndarray]) -> dict[int, str]:
        """For each ranked row, the surface words of its highest-ranked features, e.g.
        ``coblos; nomor 2; ↳ menang satu putaran``. Where each feature is first written is found for all rows at
        once from the batch's tokens; a document read as a whole text is walked again instead."""
        rows, columns = ranked
        traced = encoded.traced[rows]
        positions = self._vectorizer.first_positions(encoded, rows[traced], columns[traced])
        sources = self._vectorizer.sources(encoded, positions, self._is_bigram[columns[traced]])
        reasons, at = {}, 0  # at: where the row's sources start
        for row, start, end, quotable in _runs(rows, traced):
            if quotable:
                reasons[row] = _join_quotes(map(self._quote, itertools.repeat(encoded), sources[at:at + end - start]))
                at += end - start
            else:
                names = self._weights.features[columns[start:end]].tolist()
                spans = _feature_spans(documents[row], self._analyzer, set(names))
                reasons[row] = _join_quotes(spans.get(name) for name in names)
        return reasons

    def _quote(self, encoded: Encoded, source: tuple | None) -> str | None:
        if source is None:
            return None
        words, from_parent = self._vectorizer.quote(encoded, source)
        return _shortened(words, PARENT_MARK if from_parent else "")


def _best_rows(owners: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """For each owner (owners ascending), its row with the highest score; the first such row on a tie."""
    order = np.lexsort((-scores, owners))  # stable: equal scores keep their row order
    first = np.ones(len(order), dtype=bool)
    first[1:] = owners[order[1:]] != owners[order[:-1]]
    return order[first]


def _runs(rows: np.ndarray, traced: np.ndarray) -> Iterable[tuple[int, int, int, bool]]:
    """Each row of a row-ordered array with where its run starts and ends, and whether the row is traced."""
    if not len(rows):
        return []
    starts = np.flatnonzero(np.diff(rows, prepend=-1))
    ends = np.append(starts[1:], len(rows))
    return zip(rows[starts].tolist(), starts.tolist(), ends.tolist(), traced[starts].tolist())


def _join_quotes(surfaces: Iterable[str | None]) -> str:
    """Up to MAX_REASONS quotes in rank order, skipping one contained in an earlier quote and replacing earlier
    ones contained in it."""
    quoted: list[str] = []
    for surface in surfaces:  # plain loops: this runs for some six candidates of every flagged item
        if not surface:
            continue
        for earlier in quoted:
            if surface in earlier:
                break
        else:
            for earlier in quoted:
                if earlier in surface:
                    quoted = [earlier for earlier in quoted if earlier not in surface]
                    break
            quoted.append(surface)
            if len(quoted) >= MAX_REASONS:
                break
    return "; ".join(quoted)


def _feature_spans(document: str, analyzer: Analyzer, wanted: set[str]) -> dict[str, str]:
    """Map the wanted unigram and bigram features of a document to the words written for them (first
    occurrence). Only the wanted features are ever built as strings: this runs for every flagged item."""
    own, _, context = document.partition(CONTEXT_SEPARATOR)
    followers: dict[str, set[str]] = {}  # first word of a wanted bigram -> its possible second words
    for feature in wanted:
        first, _, second = feature.partition(" ")
        if second:
            followers.setdefault(first, set()).add(second)
    spans: dict[str, str] = {}
    for text, prefix, mark in ((own, "", ""), (context, CONTEXT_PREFIX, PARENT_MARK)):
        previous, previous_start = None, 0
        for offset, tokens in analyzer.chunk_spans(text):
            for feature, start, end in tokens:
                if prefix:
                    feature = prefix + feature
                if feature in wanted:
                    _remember(spans, feature, mark, text[offset + start:offset + end])
                if previous in followers and feature in followers[previous]:
                    _remember(spans, f"{previous} {feature}", mark, text[previous_start:offset + end])
                previous, previous_start = feature, offset + start
            if len(spans) == len(wanted):
                return spans
    return spans


def _remember(spans: dict[str, str], feature: str, mark: str, surface: str) -> None:
    if feature not in spans:
        spans[feature] = _shortened(" ".join(surface.split()), mark)


def _shortened(words: str, mark: str) -> str:
    if len(words) > MAX_REASON_CHARS:
        words = words[: MAX_REASON_CHARS - 1] + "…"
    return mark + words
