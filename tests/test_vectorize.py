import csv

import numpy as np
import pytest

from netral_scan.scoring import Scorer, training_document
from netral_scan.text import with_context
from netral_scan.vectorize import IntTable, Vectorizer

from conftest import ROOT

TRICKY = [
    "",
    "   ",
    "xyzzy qwerty",
    "Ayo coblos nomor urut 2 tanggal 14/2/2024, salam dua jari ✌️✌️ #PrabowoGibran2024",
    "Prabowo Gibran Bertemu Relawan Di Jakarta Hari Ini",  # headline shape token, and bigrams across it
    with_context("setuju, lanjutkan!", "Ayo coblos 02 tanggal 14 Februari, lanjutkan pembangunan!"),
    with_context("Maaf pak, saya ASN", "<Victory Hand> no 1 aja, AMIN!"),
    "coblos coblos coblos 02 02",  # repeated unigrams and bigrams
    # read chunk by chunk ("no", "salam", "nomor" without a ballot number) and whole (a ballot across chunks)
    "no problem bro, salam kenal, nomor hp 0812 3456",
    "nomorurut 2 ya, no.  3, nomor urut\t1, NO 02!",
    "Salam  dua jari ✌️ dan #salam dua",
]


def corpus_documents(limit: int = 600) -> list[str]:
    with open(ROOT / "data" / "test.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[:limit]
    return [training_document(row["kind"], row["text"], row["parent_text"]) for row in rows]


def test_rows_equal_the_pipelines_own_tfidf_rows(default_model):
    documents = corpus_documents() + TRICKY
    fast = Scorer(default_model)._vectorizer.transform(documents)
    slow = default_model.pipeline[:-1].transform(documents)
    assert fast.shape == slow.shape
    assert np.array_equal(fast.indptr, slow.indptr) and np.array_equal(fast.indices, slow.indices)
    assert np.allclose(fast.data, slow.data, rtol=0, atol=1e-12)


def test_a_warm_cache_gives_the_same_rows(default_model):
    vectorizer = Scorer(default_model)._vectorizer
    documents = corpus_documents(200)
    first = vectorizer.transform(documents)
    again = vectorizer.transform(documents)
    assert all(np.array_equal(getattr(first, name), getattr(again, name)) for name in ("data", "indices", "indptr"))


def test_an_empty_batch_gives_no_rows(default_model):
    assert Scorer(default_model)._vectorizer.transform([]).shape == (0, len(default_model.pipeline[1].vocabulary_))


def test_trigram_models_are_refused(default_model):
    from dataclasses import replace

    trigrams = replace(default_model.scoring_weights(), max_ngram=3)
    with pytest.raises(ValueError, match="unigrams and bigrams"):
        Vectorizer(trigrams, Scorer(default_model)._analyzer)


def test_sparse_rows_select_and_multiply_as_scipy_does(default_model):
    import scipy.sparse

    rows = Scorer(default_model)._vectorizer.transform(corpus_documents(50) + [""])
    reference = scipy.sparse.csr_matrix((rows.data, rows.indices, rows.indptr), shape=rows.shape)
    picked = [5, 0, 50, 5, 3]
    assert np.array_equal(rows[picked].toarray(), reference[picked].toarray())
    weights = np.random.default_rng(0).normal(size=(rows.shape[1], 4))
    assert np.allclose(rows @ weights, reference @ weights, rtol=0, atol=1e-12)
    assert (rows[[]] @ weights).shape == (0, 4)


def test_int_table_finds_every_key_and_only_those():
    rng = np.random.default_rng(1)
    keys = rng.choice(10**9, size=5000, replace=False)
    values = rng.integers(0, 10**6, size=5000)
    table = IntTable(keys, values)
    assert np.array_equal(table.get(keys), values)
    absent = np.setdiff1d(rng.integers(0, 10**9, size=5000), keys)
    assert (table.get(absent) == -1).all()
    crowded = IntTable(np.arange(0, 64, 4), np.arange(16))  # neighbouring keys, some sharing slots
    assert np.array_equal(crowded.get(np.arange(64)), np.where(np.arange(64) % 4 == 0, np.arange(64) // 4, -1))
    assert IntTable(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)).get(keys).tolist() == [-1] * 5000
