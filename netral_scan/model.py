"""The model: a scikit-learn pipeline (normalise + stem → TF-IDF → logistic regression), its flag
threshold, and safe persistence.

Model files are written with ``skops.io``, which loads only the types it is told to trust, so a model file
cannot run code. The loader refuses any type outside ``ALLOWED_TYPES`` and checks the file's SHA-256
against the JSON card written beside it.

Scanning needs only the fitted numbers (feature names, idf, weights), so the file also holds them as one
``.npz`` member read with ``allow_pickle=False``: ``check`` and ``audit`` load them without importing
scikit-learn or skops, which took 1.3 of the 2.1 seconds a small scan spent starting.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from netral_scan.errors import ModelFileError

PACKAGE_ROOT = Path(__file__).resolve().parent
DEFAULT_MODEL_PATH = PACKAGE_ROOT / "models" / "default.skops"  # package data: found by any install
CARD_SUFFIX = ".card.json"
PARTISAN_LABELS = ("endorse", "attack", "partisan")
SEED = 20240214
NGRAM_RANGE = (1, 2)
MIN_DF = 2
REGULARISATION_C = 64.0  # best 5-fold CV partisan F0.5 on data/train.csv among 8-128, ties to the smaller (docs/model.md)
MAX_ITER = 3000

WEIGHTS_MEMBER = "netral_scan/weights.npz"  # zip member beside skops' own; older model files lack it
# Every type a netral-scan model file may hold beyond the numpy/scipy/sklearn types skops trusts by default.
ALLOWED_TYPES = frozenset({"netral_scan.text.analyze_texts"})


def build_pipeline():
    """The untrained pipeline. The first step is a module-level function, so no stemmer is ever pickled."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    from netral_scan.text import analyze_texts

    return Pipeline([
        ("analyze", FunctionTransformer(analyze_texts)),
        ("tfidf", TfidfVectorizer(token_pattern=r"\S+", lowercase=False, ngram_range=NGRAM_RANGE,
                                  min_df=MIN_DF, sublinear_tf=True)),
        ("clf", LogisticRegression(C=REGULARISATION_C, max_iter=MAX_ITER, class_weight="balanced")),
    ])


@dataclass
class Weights:
    """What scoring needs from a fitted pipeline, as plain arrays (row ``i`` of ``coef`` is class ``i``)."""

    features: object  # feature names, by column
    idf: object | None  # None when the vectoriser does not use idf
    sublinear: bool
    norm: str | None  # "l2", "l1" or None, as TfidfVectorizer's norm
    max_ngram: int
    coef: object
    intercept: object
    classes: object

    @classmethod
    def of_pipeline(cls, pipeline) -> Weights:
        tfidf, clf = pipeline.named_steps["tfidf"], pipeline.named_steps["clf"]
        return cls(features=tfidf.get_feature_names_out().astype(str), idf=tfidf.idf_ if tfidf.use_idf else None,
                   sublinear=bool(tfidf.sublinear_tf), norm=tfidf.norm, max_ngram=int(tfidf.ngram_range[1]),
                   coef=clf.coef_, intercept=clf.intercept_, classes=clf.classes_.astype(str))

    def probabilities(self, rows):
        """Class probabilities of TF-IDF rows, as ``LogisticRegression.predict_proba`` computes them."""
        import numpy as np

        decision = np.asarray(rows @ self.coef.T) + self.intercept
        if decision.shape[1] == 1:  # binary: one decision value for the second class
            positive = 1.0 / (1.0 + np.exp(-decision[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        decision -= decision.max(axis=1, keepdims=True)
        np.exp(decision, out=decision)
        decision /= decision.sum(axis=1, keepdims=True)
        return decision

    def to_bytes(self, threshold: float) -> bytes:
        import numpy as np

        buffer = io.BytesIO()
        np.savez(buffer, features=self.features, idf=np.empty(0) if self.idf is None else self.idf,
                 use_idf=self.idf is not None, sublinear=self.sublinear, norm=self.norm or "",
                 max_ngram=self.max_ngram, coef=self.coef, intercept=self.intercept, classes=self.classes,
                 threshold=threshold)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> tuple[Weights, float]:
        """The weights and threshold. ``allow_pickle=False``: an object array in the member is refused."""
        import numpy as np

        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            weights = cls(features=arrays["features"], idf=arrays["idf"] if arrays["use_idf"] else None,
                          sublinear=bool(arrays["sublinear"]), norm=str(arrays["norm"]) or None,
                          max_ngram=int(arrays["max_ngram"]), coef=arrays["coef"], intercept=arrays["intercept"],
                          classes=arrays["classes"])
            return weights, float(arrays["threshold"])


@dataclass
class Model:
    """A trained pipeline with its flag threshold and card. A model loaded for scanning has only its
    ``weights``; ``pipeline`` is then None."""

    pipeline: object
    threshold: float
    card: dict
    path: str = ""
    weights: Weights | None = None

    def scoring_weights(self) -> Weights:
        if self.weights is None:
            self.weights = Weights.of_pipeline(self.pipeline)
        return self.weights

    @property
    def labels(self) -> list[str]:
        return [str(label) for label in self.scoring_weights().classes]

    @property
    def partisan_columns(self) -> list[int]:
        return [i for i, label in enumerate(self.labels) if label in PARTISAN_LABELS]


def card_path(model_path: str | os.PathLike) -> Path:
    path = Path(model_path)
    return path.with_name(path.name.removesuffix(path.suffix) + CARD_SUFFIX)


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save(model: Model, path: str | os.PathLike) -> Path:
    """Write the model file and its card atomically; return the card path."""
    import skops.io as sio

    from netral_scan.reports import atomic_path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pipeline, features = _without_vocabulary(model.pipeline)
    with atomic_path(path) as temporary:
        sio.dump({"pipeline": pipeline, "features": features, "threshold": float(model.threshold)}, temporary,
                 compression=zipfile.ZIP_DEFLATED)
        with zipfile.ZipFile(temporary, "a", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(WEIGHTS_MEMBER, Weights.of_pipeline(model.pipeline).to_bytes(float(model.threshold)))
    card = dict(model.card, threshold=float(model.threshold), labels=model.labels,
                model_file=path.name, model_sha256=file_sha256(path))
    write_card(card, card_path(path))
    model.card = card
    return card_path(path)


def _without_vocabulary(pipeline) -> tuple[object, object]:
    """A copy of the pipeline without the TF-IDF vocabulary, and the feature names as one array. skops writes a
    dict entry by entry into its JSON schema (14 MB for 25,000 features, a second to load); an array is one
    .npy member."""
    import copy

    pipeline = copy.deepcopy(pipeline)
    tfidf = pipeline.named_steps["tfidf"]
    features = tfidf.get_feature_names_out().astype(str)
    del tfidf.vocabulary_
    return pipeline, features


def write_card(card: dict, path: Path) -> None:
    from netral_scan.reports import atomic_path

    with atomic_path(path) as temporary:
        Path(temporary).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def load(path: str | os.PathLike | None = None, with_pipeline: bool = False) -> Model:
    """Load a model file after checking its card's SHA-256. Without ``with_pipeline`` only the scoring weights
    are read when the file has them; otherwise the skops content is loaded, refusing any type outside the
    allow-list."""
    path = Path(path or DEFAULT_MODEL_PATH)
    card = _checked_card(path)
    if not with_pipeline:
        try:
            with zipfile.ZipFile(path) as archive:
                data = archive.read(WEIGHTS_MEMBER) if WEIGHTS_MEMBER in archive.namelist() else None
            if data is not None:
                weights, threshold = Weights.from_bytes(data)
                return Model(pipeline=None, threshold=threshold, card=card, path=str(path), weights=weights)
        except Exception as error:  # zipfile and numpy raise many types on a malformed file
            raise ModelFileError(f"{path}: not a readable model file ({type(error).__name__})") from None
    return _load_skops(path, card)


def _checked_card(path: Path) -> dict:
    if not path.is_file():
        raise ModelFileError(f"{path}: model file not found")
    card_file = card_path(path)
    if not card_file.is_file():
        raise ModelFileError(f"{path}: model card {card_file.name} not found beside it")
    try:
        card = json.loads(card_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelFileError(f"{card_file}: unreadable model card ({error})") from None
    if card.get("model_sha256") != file_sha256(path):
        raise ModelFileError(f"{path}: SHA-256 does not match its card; the file was changed or replaced")
    return card


def _load_skops(path: Path, card: dict) -> Model:
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as error:  # skops raises many types on a malformed file
        raise ModelFileError(f"{path}: not a readable model file ({type(error).__name__})") from None
    refused = sorted(set(untrusted) - ALLOWED_TYPES)
    if refused:
        raise ModelFileError(f"{path}: refused, the file contains types outside the allow-list: "
                             f"{', '.join(refused[:5])}")
    try:
        content = sio.load(path, trusted=list(untrusted))
        pipeline = content["pipeline"]
        if "features" in content:
            pipeline.named_steps["tfidf"].vocabulary_ = {str(name): column
                                                          for column, name in enumerate(content["features"])}
        return Model(pipeline=pipeline, threshold=float(content["threshold"]), card=card, path=str(path))
    except Exception as error:
        raise ModelFileError(f"{path}: not a readable model file ({type(error).__name__})") from None
