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

    def token_ids(self, document: str) -> list[int]:
        """The ids of a document's feature tokens, in the order ``analyze`` gives them."""
        own, _, context = document.partition(CONTEXT_SEPARATOR)
        ids = self._text_ids(own, "")
        if context:
            ids.extend(self._text_ids(context, CONTEXT_PREFIX))
        return ids

    def _text_ids(self, text: str, prefix: str) -> list[int]:
        lookup, unknown = self._ids.get, self.unknown
        if self.analyzer.needs_whole_text(text):
            ids = [lookup(prefix + feature, unknown) for feature in self.analyzer.features(text)]
        else:
            # The common case, every chunk cached, runs in C: one map over the chunks and one chain of the ids.
            cache = self._chunks[bool(prefix)]
            chunks = text.split()
            found = list(map(cache.get, chunks))
            if None in found:
                for index, chunk in enumerate(chunks):
                    if found[index] is None:
                        found[index] = self._chunk_ids(chunk, prefix, cache)
            ids = list(chain.from_iterable(found))
        ids.extend(lookup(prefix + token, unknown) for token in shape_tokens(text))
        return ids

    def _chunk_ids(self, chunk: str, prefix: str, cache: dict) -> tuple[int, ...]:
        lookup, unknown = self._ids.get, self.unknown
        token = placeholder(chunk)
        if token is not None:  # not cached: nearly every URL and mention is seen once
            return (lookup(prefix + token, unknown),)
        if len(cache) >= CHUNK_CACHE_SIZE:
            cache.clear()
        found = cache[chunk] = tuple(lookup(prefix + token.norm, unknown) for token in self.analyzer.chunk_tokens(chunk))
        return found

    def transform(self, documents: list[str]) -> sp.csr_matrix:
        """TF-IDF rows (CSR, sorted indices) for the documents."""
        if not documents:
            return sp.csr_matrix((0, self.n_features))
        sequences = [self.token_ids(document) for document in documents]
        lengths = np.fromiter(map(len, sequences), dtype=np.int64, count=len(sequences))
        tokens = np.fromiter(chain.from_iterable(sequences), dtype=np.int64,
                             count=int(lengths.sum()))
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
