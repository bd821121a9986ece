"""TF-IDF rows for scoring, without building feature strings.

The trained pipeline joins each document's feature tokens into a string and lets scikit-learn split it again and
build every bigram string, one Python string per token pair. When scanning, only the tokens and pairs that are
in the model's vocabulary matter, so each whitespace chunk is mapped once to token ids (cached, like the
Analyzer's features), and a whole batch's unigram and bigram columns are looked up with numpy. The rows are the
same as ``tfidf.transform(analyze_texts(documents))``: ``tests/test_vectorize.py`` checks this.
"""

from __future__ import annotations

from itertools import chain

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from netral_scan.model import Weights
from netral_scan.text import CHUNK_CACHE_SIZE, CONTEXT_PREFIX, CONTEXT_SEPARATOR, Analyzer, placeholder, shape_tokens


class Vectorizer:
    """Maps documents to the fitted ``TfidfVectorizer``'s rows. Works for the model's (1, 1) or (1, 2) n-grams."""

    def __init__(self, weights: Weights, analyzer: Analyzer):
        if weights.max_ngram > 2:
            raise ValueError("the scan vectoriser handles unigrams and bigrams only")
        self.analyzer = analyzer
        self.n_features = len(weights.features)
        self._sublinear, self._norm, self._idf = weights.sublinear, weights.norm, weights.idf
        # Every token that is a feature or part of a bigram feature gets an id; all other tokens share `unknown`.
        self._ids: dict[str, int] = {}
        unigrams, bigrams = [], []
        for column, feature in enumerate(weights.features.tolist()):
            parts = [self._ids.setdefault(part, len(self._ids)) for part in feature.split(" ")]
            (unigrams if len(parts) == 1 else bigrams).append((parts, column))
        self.unknown = len(self._ids)
        self._base = self.unknown + 1  # a pair (a, b) is the integer a * base + b
        self._unigram_column = np.full(self._base, -1, dtype=np.int64)
        for (token,), column in unigrams:
            self._unigram_column[token] = column
        keys = np.array([a * self._base + b for (a, b), _ in bigrams], dtype=np.int64)
        order = np.argsort(keys)
        self._pair_keys = keys[order]
        self._pair_columns = np.array([column for _, column in bigrams], dtype=np.int64)[order]
        self._chunks: tuple[dict, dict] = ({}, {})  # chunk -> ids, for own words and for context words

    def transform(self, documents: list[str]) -> sp.csr_matrix:
        """TF-IDF rows (CSR, sorted indices) for the documents."""
        if not documents:
            return sp.csr_matrix((0, self.n_features))
        tokens, lengths = self.token_ids(documents)
        rows = np.repeat(np.arange(len(documents), dtype=np.int64), lengths)
        unigram = self._unigram_column[tokens]
        known = unigram >= 0
        same_row = rows[:-1] == rows[1:]
        keys = tokens[:-1] * self._base + tokens[1:]
        slots = np.minimum(np.searchsorted(self._pair_keys, keys), max(len(self._pair_keys) - 1, 0))
        paired = same_row & (self._pair_keys[slots] == keys) if len(self._pair_keys) else same_row & False
        row_index = np.concatenate([rows[known], rows[:-1][paired]])
        columns = np.concatenate([unigram[known], self._pair_columns[slots[paired]]])
        counts = sp.csr_matrix((np.ones(len(columns)), (row_index, columns)), shape=(len(documents), self.n_features))
        counts.sum_duplicates()  # also sorts the indices, as scikit-learn's counting does
        if self._sublinear:
            np.log(counts.data, counts.data)
            counts.data += 1.0
        if self._idf is not None:
            counts.data *= self._idf[counts.indices]
        if self._norm:
            _normalize_rows(counts, self._norm)
        return counts

    def token_ids(self, documents: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The ids of all documents' feature tokens, in the order ``analyze`` gives them, and each document's count."""
        owns, contexts, with_context = [], [], []
        for row, document in enumerate(documents):
            own, _, context = document.partition(CONTEXT_SEPARATOR)
            owns.append(own)
            if context:
                contexts.append(context)
                with_context.append(row)
        segments = self._text_ids(owns, "")
        if contexts:
            rows = np.array(with_context, dtype=np.int64)
            for ids, lengths in self._text_ids(contexts, CONTEXT_PREFIX):
                spread = np.zeros(len(documents), dtype=np.int64)
                spread[rows] = lengths
                segments.append((ids, spread))
        return _concatenate_rows(segments)

    def _text_ids(self, texts: list[str], prefix: str) -> list[tuple[np.ndarray, np.ndarray]]:
        """Two segments of token ids per text: its chunks' tokens, then whole-text and shape tokens."""
        lookup, unknown = self._ids.get, self.unknown
        whole = [self.analyzer.needs_whole_text(text) for text in texts]
        extra = [[lookup(prefix + feature, unknown) for feature in self.analyzer.features(text)] if read_whole else []
                 for text, read_whole in zip(texts, whole)]
        for ids, text in zip(extra, texts):
            ids.extend(lookup(prefix + token, unknown) for token in shape_tokens(text))
        chunked = [("" if read_whole else text) for text, read_whole in zip(texts, whole)]
        return [self._chunk_token_ids(chunked, prefix), _flatten(extra)]

    def _chunk_token_ids(self, texts: list[str], prefix: str) -> tuple[np.ndarray, np.ndarray]:
        """Token ids of the texts' whitespace chunks. Arrow splits the batch and encodes its distinct chunks in C;
        Python only looks up each distinct chunk of the batch (and computes the ones it has not seen)."""
        try:
            batch = pa.array(texts, type=pa.string())
        except UnicodeEncodeError:  # a lone surrogate (from a JSON escape) cannot be UTF-8: split in Python
            return _flatten([list(chain.from_iterable(self._chunk_ids(chunk, prefix) for chunk in text.split()))
                             for text in texts])
        chunk_lists = pc.utf8_split_whitespace(batch)  # the same whitespace as str.split(), but keeps empty chunks
        encoded = chunk_lists.flatten().dictionary_encode()
        distinct = encoded.dictionary.to_pylist()
        found = list(map(self._chunks[bool(prefix)].get, distinct))
        if None in found:
            found = [ids if ids is not None else self._chunk_ids(chunk, prefix) for chunk, ids in zip(distinct, found)]
        distinct_ids, distinct_sizes = _flatten(found)
        occurrence = encoded.indices.to_numpy()
        sizes = distinct_sizes[occurrence]
        ids = distinct_ids[_ranges(_starts(distinct_sizes)[occurrence], sizes)]
        ends = np.concatenate([[0], np.cumsum(sizes)])[chunk_lists.offsets.to_numpy()]
        return ids, np.diff(ends)

    def _chunk_ids(self, chunk: str, prefix: str) -> tuple[int, ...]:
        cache = self._chunks[bool(prefix)]
        found = cache.get(chunk)
        if found is not None:
            return found
        lookup, unknown = self._ids.get, self.unknown
        if not chunk.isalpha():
            token = placeholder(chunk)
            if token is not None:  # not cached: nearly every URL and mention is seen once
                return (lookup(prefix + token, unknown),)
        if len(cache) >= CHUNK_CACHE_SIZE:
            cache.clear()
        found = cache[chunk] = tuple(lookup(prefix + feature, unknown) for feature in self.analyzer.chunk_features(chunk))
        return found


def _flatten(sequences: list) -> tuple[np.ndarray, np.ndarray]:
    """Sequences of ints as one flat array and the length of each."""
    sizes = np.fromiter(map(len, sequences), dtype=np.int64, count=len(sequences))
    return np.fromiter(chain.from_iterable(sequences), dtype=np.int64, count=int(sizes.sum())), sizes


def _starts(sizes: np.ndarray) -> np.ndarray:
    return np.cumsum(sizes) - sizes


def _ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The concatenation of range(start, start + size) for each pair."""
    return np.repeat(starts - _starts(sizes), sizes) + np.arange(int(sizes.sum()))


def _concatenate_rows(segments: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Join per-row segments (flat values, length per row) row by row: row 0's segments in order, then row 1's…"""
    totals = sum(sizes for _, sizes in segments)
    out = np.empty(int(totals.sum()), dtype=np.int64)
    cursor = _starts(totals)
    for values, sizes in segments:
        out[_ranges(cursor, sizes)] = values
        cursor = cursor + sizes
    return out, totals


def _normalize_rows(rows: sp.csr_matrix, norm: str) -> None:
    """Scale each row to unit norm in place, as ``sklearn.preprocessing.normalize`` does (empty rows stay 0)."""
    values = rows.data * rows.data if norm == "l2" else np.abs(rows.data)
    starts = rows.indptr[:-1]
    nonempty = np.diff(rows.indptr) > 0
    sums = np.zeros(rows.shape[0])
    sums[nonempty] = np.add.reduceat(values, starts[nonempty])
    scale = np.sqrt(sums) if norm == "l2" else sums
    scale[scale == 0.0] = 1.0
    rows.data /= np.repeat(scale, np.diff(rows.indptr))
