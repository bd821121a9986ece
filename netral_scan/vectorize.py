"""TF-IDF rows for scoring, without building feature strings.

The trained pipeline joins each document's feature tokens into a string and lets scikit-learn split it again and
build every bigram string, one Python string per token pair. When scanning, only the tokens and pairs that are
in the model's vocabulary matter. A batch of texts is split on whitespace by Arrow, each *distinct* chunk of the
batch is mapped to token ids (cached across batches, like the Analyzer's features), and the batch's tokens, their
unigram and bigram columns and the chunk each came from are kept as numpy arrays (``Encoded``): the rows are
counted from them, and the evidence of flagged documents is found in them. The rows are the same as
``tfidf.transform(analyze_texts(documents))``: ``tests/test_vectorize.py`` checks this.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from typing import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from netral_scan.model import Weights
from netral_scan.text import (CHUNK_CACHE_SIZE, CONTEXT_PREFIX, CONTEXT_SEPARATOR, HEADLINE_MIN_CAPITALS, MULTIWORD_HINT,
                               UPPERCASE_RE2, Analyzer, placeholder, shape_tokens)


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
        ids = self._ids
        unigrams, unigram_columns, openers, closers, bigram_columns = [], [], [], [], []
        for column, feature in enumerate(weights.features.tolist()):
            first, _, second = feature.partition(" ")
            token = ids.setdefault(first, len(ids))
            if second:
                openers.append(token)
                closers.append(ids.setdefault(second, len(ids)))
                bigram_columns.append(column)
            else:
                unigrams.append(token)
                unigram_columns.append(column)
        self.unknown = len(ids)
        self._base = self.unknown + 1  # a pair (a, b) is the integer a * base + b
        self._unigram_column = np.full(self._base, -1, dtype=np.int64)
        self._unigram_column[np.array(unigrams, dtype=np.int64)] = unigram_columns
        # Tokens that open or close some bigram: only pairs of such tokens are looked up.
        openers, closers = np.array(openers, dtype=np.int64), np.array(closers, dtype=np.int64)
        self._opens, self._closes = np.zeros(self._base, dtype=bool), np.zeros(self._base, dtype=bool)
        self._opens[openers] = self._closes[closers] = True
        self._pairs = IntTable(openers * self._base + closers, np.array(bigram_columns, dtype=np.int64))
        self._chunks: tuple[dict, dict] = ({}, {})  # chunk -> ids, for own words and for context words

    def transform(self, documents: list[str]) -> SparseRows:
        """TF-IDF rows (CSR, sorted indices) for the documents."""
        return self.rows(self.encode(documents))

    def rows(self, encoded: Encoded) -> SparseRows:
        """TF-IDF rows (CSR, sorted indices) of encoded documents."""
        size = encoded.size
        known = encoded.unigram >= 0
        paired = encoded.pair >= 0
        row_index = np.concatenate([encoded.row[known], encoded.row[paired]])
        columns = np.concatenate([encoded.unigram[known], encoded.pair[paired]])
        # Count each (row, column) once, in row order and then column order, as scikit-learn's counting does.
        cells, counts = np.unique(row_index * self.n_features + columns, return_counts=True)
        indptr = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(np.bincount(cells // self.n_features, minlength=size), out=indptr[1:])
        counts = SparseRows(counts.astype(np.float64), cells % self.n_features, indptr, (size, self.n_features))
        if self._sublinear:
            np.log(counts.data, counts.data)
            counts.data += 1.0
        if self._idf is not None:
            counts.data *= self._idf[counts.indices]
        if self._norm:
            _normalize_rows(counts, self._norm)
        return counts

    def encode(self, documents: list[str]) -> Encoded:
        """The documents' feature tokens in the order ``analyze`` gives them, their columns, and their sources."""
        owns, contexts, with_context = [], [], []
        for row, document in enumerate(documents):
            own, _, context = document.partition(CONTEXT_SEPARATOR)
            owns.append(own)
            if context:
                contexts.append(context)
                with_context.append(row)
        encoded = Encoded(len(documents))
        encoded.add(self._text_tokens(owns, ""), np.arange(len(documents)))
        if contexts:
            encoded.add(self._text_tokens(contexts, CONTEXT_PREFIX), np.array(with_context, dtype=np.int64))
        encoded.finish()
        tokens, row = encoded.tokens, encoded.row
        encoded.unigram = self._unigram_column[tokens]
        encoded.pair = np.full(len(tokens), -1, dtype=np.int64)  # the column of the pair starting at a position
        if len(tokens) > 1:
            at = np.flatnonzero((row[:-1] == row[1:]) & self._opens[tokens[:-1]] & self._closes[tokens[1:]])
            columns = self._pairs.get(tokens[at] * self._base + tokens[at + 1])
            paired = columns >= 0
            encoded.pair[at[paired]] = columns[paired]
        return encoded

    def _text_tokens(self, texts: list[str], prefix: str) -> list[Tokens]:
        """Two segments of tokens per text: its chunks' tokens, then tokens read from the whole text (a text with a
        pattern spanning chunks, and the document-level shape tokens)."""
        lookup, unknown = self._ids.get, self.unknown
        try:
            batch = _arrow_strings(texts)
        except UnicodeEncodeError:  # a lone surrogate (from a JSON escape) cannot be UTF-8: split in Python
            batch = None
        whole = self._read_whole(texts, batch)
        extra = [[lookup(prefix + feature, unknown) for feature in self.analyzer.features(text)] if read_whole else []
                 for text, read_whole in zip(texts, whole)]
        for index in self._may_have_shape(texts, batch):
            extra[index].extend(lookup(prefix + token, unknown) for token in shape_tokens(texts[index]))
        if batch is None or any(whole):
            chunked = [("" if read_whole else text) for text, read_whole in zip(texts, whole)]
            chunk_tokens = self._chunk_tokens(chunked, prefix)
        else:
            chunk_tokens = self._chunk_tokens(texts, prefix, batch)
        chunk_tokens.traced &= ~np.array(whole, dtype=bool)
        return [chunk_tokens, Tokens(*_flatten(extra), traced=np.ones(len(texts), dtype=bool), context=bool(prefix))]

    def _read_whole(self, texts: list[str], batch: pa.Array | None) -> list[bool]:
        """Which texts must be tokenised whole. Arrow finds, for the whole batch, the few that may hold a pattern
        spanning whitespace: asking each text in Python cost about a microsecond a text."""
        if batch is None:
            return list(map(self.analyzer.needs_whole_text, texts))
        whole = [False] * len(texts)
        hinted = pc.indices_nonzero(pc.match_substring_regex(batch, MULTIWORD_HINT, ignore_case=True))
        for index in _integers(hinted).tolist():
            whole[index] = self.analyzer.needs_whole_text(texts[index])
        return whole

    @staticmethod
    def _may_have_shape(texts: list[str], batch: pa.Array | None) -> Iterable[int]:
        """Which texts may hold a shape token: those with enough capitals for a headline, counted by Arrow for the
        whole batch. Calling ``shape_tokens`` on every text cost about 0.4 s per 200,000 items."""
        if batch is None:
            return range(len(texts))
        capitals = _integers(pc.count_substring_regex(batch, UPPERCASE_RE2))
        return np.flatnonzero(capitals >= HEADLINE_MIN_CAPITALS).tolist()

    def _chunk_tokens(self, texts: list[str], prefix: str, batch: pa.Array | None = None) -> Tokens:
        """Tokens of the texts' whitespace chunks. Arrow splits the batch and encodes its distinct chunks in C;
        Python only looks up each distinct chunk of the batch (and computes the ones it has not seen)."""
        try:
            batch = _arrow_strings(texts) if batch is None else batch
        except UnicodeEncodeError:  # a lone surrogate (from a JSON escape) cannot be UTF-8: split in Python
            ids, sizes = _flatten([list(chain.from_iterable(self._chunk_ids(chunk, prefix) for chunk in text.split()))
                                   for text in texts])
            return Tokens(ids, sizes, traced=np.zeros(len(texts), dtype=bool))
        chunk_lists = pc.utf8_split_whitespace(batch)  # the same whitespace as str.split(), but keeps empty chunks
        encoded = chunk_lists.flatten().dictionary_encode()
        distinct = encoded.dictionary.to_pylist()
        found = list(map(self._chunks[bool(prefix)].get, distinct))
        if None in found:
            found = [ids if ids is not None else self._chunk_ids(chunk, prefix) for chunk, ids in zip(distinct, found)]
        distinct_ids, distinct_sizes = _flatten(found)
        occurrence = _integers(encoded.indices)
        sizes = distinct_sizes[occurrence]
        ids = distinct_ids[_ranges(_starts(distinct_sizes)[occurrence], sizes)]
        ends = np.concatenate([[0], np.cumsum(sizes)])[_integers(chunk_lists.offsets)]
        chunk = np.repeat(np.arange(len(occurrence)), sizes)  # each token's chunk occurrence…
        part = np.arange(len(ids)) - np.repeat(_starts(sizes), sizes)  # …and its place in the chunk
        return Tokens(ids, np.diff(ends), np.ones(len(texts), dtype=bool), chunk, part, occurrence, distinct,
                      bool(prefix))

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

    def first_positions(self, encoded: Encoded, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """For each (row, column) asked, the first position in the row where that feature is written (a bigram's
        first token), or -1. Only tokens read chunk by chunk count, and a bigram's two tokens must come from the
        same text (not one from the comment and one from its parent)."""
        quotable = encoded.chunk >= 0
        asked_row = np.zeros(encoded.size, dtype=bool)
        asked_row[rows] = True
        quotable &= asked_row[encoded.row]  # only the rows asked about are searched
        same_text = np.zeros(len(encoded.tokens), dtype=bool)
        same_text[:-1] = quotable[:-1] & quotable[1:] & (encoded.context[:-1] == encoded.context[1:])
        unigram_at = np.flatnonzero(quotable & (encoded.unigram >= 0))
        pair_at = np.flatnonzero(same_text & (encoded.pair >= 0))
        positions = np.concatenate([unigram_at, pair_at])
        columns_at = np.concatenate([encoded.unigram[unigram_at], encoded.pair[pair_at]])
        keys = encoded.row[positions] * self.n_features + columns_at
        order = np.lexsort((positions, keys))
        keys, positions = keys[order], positions[order]
        first = np.ones(len(keys), dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        keys, positions = keys[first], positions[first]
        asked = rows * self.n_features + columns
        slots = np.minimum(np.searchsorted(keys, asked), max(len(keys) - 1, 0))
        hit = (keys[slots] == asked) if len(keys) else np.zeros(len(asked), dtype=bool)
        return np.where(hit, positions[slots] if len(keys) else -1, -1)

    def sources(self, encoded: Encoded, positions: np.ndarray, bigrams: np.ndarray) -> list[tuple | None]:
        """For each position (-1: not written), what quoting it needs: the chunks where its words start and end, with
        their occurrence numbers and the token's index in each, and whether they are in the parent text. Gathered for
        all positions at once."""
        hits = np.flatnonzero(positions >= 0)
        first = positions[hits]
        last = np.where(bigrams[hits], first + 1, first)
        first_chunk, last_chunk = encoded.chunk[first], encoded.chunk[last]
        found = zip(encoded.chunk_texts(first_chunk), encoded.part[first].tolist(), encoded.chunk_texts(last_chunk),
                    encoded.part[last].tolist(), first_chunk.tolist(), last_chunk.tolist(),
                    encoded.context[first].tolist())
        sources: list[tuple | None] = [None] * len(positions)
        for hit, source in zip(hits.tolist(), found):
            sources[hit] = source
        return sources

    def quote(self, encoded: Encoded, source: tuple) -> tuple[str, bool]:
        """The words written for a feature (see ``sources``), whitespace collapsed, and whether they come from the
        parent text. A letters-only chunk is one word, and every token it gives spans all of it."""
        first_text, first_part, last_text, last_part, first, last, from_parent = source
        if first == last:
            if first_text.isalpha():
                return first_text, from_parent
            tokens = self.analyzer.chunk_tokens(first_text)
            return first_text[tokens[first_part].start:tokens[last_part].end], from_parent
        start = 0 if first_text.isalpha() else self.analyzer.chunk_tokens(first_text)[first_part].start
        end = len(last_text) if last_text.isalpha() else self.analyzer.chunk_tokens(last_text)[last_part].end
        middle = encoded.chunk_texts(np.arange(first + 1, last)) if last > first + 1 else []
        return " ".join(filter(None, [first_text[start:], *middle, last_text[:end]])), from_parent


class IntTable:
    """A hash table from non-negative int64 keys to int64 values, built and probed with numpy (open addressing,
    linear probing). Looking up a batch's 50,000 token pairs takes a quarter of the time of a binary search in the
    sorted keys, whose every step misses the cache."""

    LOAD = 4  # table slots per key, at least

    def __init__(self, keys: np.ndarray, values: np.ndarray):
        bits = max(4, int(len(keys) * self.LOAD).bit_length())
        self._mask, self._shift = (1 << bits) - 1, np.uint64(64 - bits)
        self._keys = np.full(1 << bits, -1, dtype=np.int64)
        self._values = np.zeros(1 << bits, dtype=np.int64)
        slots, waiting = self._slots(keys), np.arange(len(keys))
        while len(waiting):
            free = waiting[self._keys[slots[waiting]] == -1]
            _, first = np.unique(slots[free], return_index=True)  # one key per free slot and round
            placed = free[first]
            self._keys[slots[placed]], self._values[slots[placed]] = keys[placed], values[placed]
            waiting = np.setdiff1d(waiting, placed, assume_unique=True)
            slots[waiting] = (slots[waiting] + 1) & self._mask

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        # Fibonacci hashing: the top bits of key × 2^64/φ, so that neighbouring keys land far apart.
        return ((keys.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> self._shift).astype(np.int64)

    def get(self, keys: np.ndarray) -> np.ndarray:
        """The value of each key, or -1 for a key not in the table."""
        result = np.full(len(keys), -1, dtype=np.int64)
        slots, waiting = self._slots(keys), np.arange(len(keys))
        while len(waiting):
            found = self._keys[slots[waiting]]
            hit = found == keys[waiting]
            result[waiting[hit]] = self._values[slots[waiting[hit]]]
            waiting = waiting[(found != -1) & ~hit]
            slots[waiting] = (slots[waiting] + 1) & self._mask
        return result


@dataclass
class SparseRows:
    """Rows of a sparse matrix in CSR layout, as ``scipy.sparse.csr_matrix`` keeps them: the few operations a scan
    needs, without importing scipy (a tenth of a second of start-up that every scan would wait for)."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    shape: tuple[int, int]

    def __getitem__(self, rows) -> SparseRows:
        """The given rows, in the order given."""
        rows = np.asarray(rows, dtype=np.int64)
        starts, sizes = self.indptr[rows], self.indptr[rows + 1] - self.indptr[rows]
        taken = _ranges(starts, sizes)
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(sizes, out=indptr[1:])
        return SparseRows(self.data[taken], self.indices[taken], indptr, (len(rows), self.shape[1]))

    def __matmul__(self, dense: np.ndarray) -> np.ndarray:
        """The dense product ``rows @ dense``, each row's terms summed in column order."""
        products = self.data[:, None] * dense[self.indices]
        result = np.zeros((self.shape[0], dense.shape[1]))
        nonempty = np.diff(self.indptr) > 0
        if products.size:
            result[nonempty] = np.add.reduceat(products, self.indptr[:-1][nonempty], axis=0)
        return result

    def toarray(self) -> np.ndarray:
        dense = np.zeros(self.shape)
        dense[np.repeat(np.arange(self.shape[0]), np.diff(self.indptr)), self.indices] = self.data
        return dense


@dataclass
class Tokens:
    """One segment of token ids for a list of texts, and, for tokens read chunk by chunk, where each came from."""

    ids: np.ndarray
    sizes: np.ndarray  # tokens per text
    traced: np.ndarray  # per text: False when any of its tokens cannot be traced to a chunk
    chunk: np.ndarray | None = None  # per token: its chunk occurrence (None: tokens read from the whole text)
    part: np.ndarray | None = None  # per token: its index among the chunk's tokens
    occurrence: np.ndarray | None = None  # per chunk occurrence: its index in `distinct`
    distinct: list | None = None
    context: bool = False


class Encoded:
    """A batch of documents as one array of token ids, with each token's document, columns and source chunk."""

    def __init__(self, size: int):
        self.size = size  # documents
        self.traced = np.ones(size, dtype=bool)  # documents whose every token can be quoted from its chunk
        self._segments: list[tuple[Tokens, np.ndarray]] = []
        self._occurrence: list[np.ndarray] = []
        self._distinct: list[str] = []
        self.unigram = self.pair = None

    def add(self, segments: list[Tokens], rows: np.ndarray) -> None:
        """Append, for the given documents, segments of tokens (in order after what they already have)."""
        for tokens in segments:
            self._segments.append((tokens, rows))
            self.traced[rows[~tokens.traced]] = False

    def finish(self) -> None:
        """Lay the segments out document by document."""
        totals = np.zeros(self.size, dtype=np.int64)  # tokens per document
        for tokens, rows in self._segments:
            totals[rows] += tokens.sizes
        size = int(totals.sum())
        self.tokens = np.empty(size, dtype=np.int64)
        self.chunk = np.full(size, -1, dtype=np.int64)
        self.part = np.zeros(size, dtype=np.int64)
        self.context = np.zeros(size, dtype=bool)
        cursor = _starts(totals)
        occurrences = 0
        for tokens, rows in self._segments:
            at = _ranges(cursor[rows], tokens.sizes)
            self.tokens[at] = tokens.ids
            self.context[at] = tokens.context
            if tokens.chunk is not None:
                self.chunk[at] = tokens.chunk + occurrences
                self.part[at] = tokens.part
                self._occurrence.append(tokens.occurrence + len(self._distinct))
                self._distinct.extend(tokens.distinct)
                occurrences += len(tokens.occurrence)
            cursor[rows] += tokens.sizes
        self._chunk_distinct = np.concatenate(self._occurrence) if self._occurrence else np.zeros(0, dtype=np.int64)
        self.row = np.repeat(np.arange(len(totals), dtype=np.int64), totals)
        del self._segments

    def chunk_texts(self, occurrences: np.ndarray) -> list[str]:
        distinct = self._distinct
        return [distinct[index] for index in self._chunk_distinct[occurrences].tolist()]


def _arrow_strings(texts: list[str]) -> pa.StringArray:
    """The texts as an Arrow string array, built from their UTF-8 bytes: ``pa.array`` would import pandas (0.15 s
    of start-up) to check whether the list is a pandas object. Raises UnicodeEncodeError on a lone surrogate."""
    encoded = [text.encode("utf-8") for text in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
    return pa.LargeStringArray.from_buffers(len(encoded), pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded)))


def _integers(array: pa.Array) -> np.ndarray:
    """An Arrow integer array without nulls as int64 numbers, read from its buffer (``to_numpy`` imports pandas)."""
    values = np.frombuffer(array.buffers()[1], dtype=np.dtype(f"int{array.type.bit_width}"))
    return values[array.offset:array.offset + len(array)].astype(np.int64)


def _flatten(sequences: list) -> tuple[np.ndarray, np.ndarray]:
    """Sequences of ints as one flat array and the length of each."""
    sizes = np.fromiter(map(len, sequences), dtype=np.int64, count=len(sequences))
    return np.fromiter(chain.from_iterable(sequences), dtype=np.int64, count=int(sizes.sum())), sizes


def _starts(sizes: np.ndarray) -> np.ndarray:
    return np.cumsum(sizes) - sizes


def _ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The concatenation of range(start, start + size) for each pair."""
    return np.repeat(starts - _starts(sizes), sizes) + np.arange(int(sizes.sum()))


def _normalize_rows(rows: SparseRows, norm: str) -> None:
    """Scale each row to unit norm in place, as ``sklearn.preprocessing.normalize`` does (empty rows stay 0)."""
    values = rows.data * rows.data if norm == "l2" else np.abs(rows.data)
    starts = rows.indptr[:-1]
    nonempty = np.diff(rows.indptr) > 0
    sums = np.zeros(rows.shape[0])
    sums[nonempty] = np.add.reduceat(values, starts[nonempty])
    scale = np.sqrt(sums) if norm == "l2" else sums
    scale[scale == 0.0] = 1.0
    rows.data /= np.repeat(scale, np.diff(rows.indptr))
