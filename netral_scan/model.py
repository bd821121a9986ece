"""The model: a scikit-learn pipeline (normalise + stem → TF-IDF → logistic regression), its flag
threshold, and safe persistence.

Model files are written with ``skops.io``, which loads only the types it is told to trust, so a model file
cannot run code. The loader refuses any type outside ``ALLOWED_TYPES`` and checks the file's SHA-256
against the JSON card written beside it.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from netral_scan.errors import ModelFileError

PACKAGE_ROOT = Path(__file__).resolve().parent
DEFAULT_MODEL_PATH = PACKAGE_ROOT.parent / "models" / "default.skops"
CARD_SUFFIX = ".card.json"
PARTISAN_LABELS = ("endorse", "attack", "partisan")
SEED = 20240214
NGRAM_RANGE = (1, 2)
MIN_DF = 2
REGULARISATION_C = 16.0  # best 5-fold CV partisan F1 on data/train.csv among 2, 4, 8, 16, 32 (docs/model.md)
MAX_ITER = 3000

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
class Model:
    """A trained pipeline with its flag threshold and card."""

    pipeline: object
    threshold: float
    card: dict
    path: str = ""

    @property
    def labels(self) -> list[str]:
        return [str(label) for label in self.pipeline.classes_]

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


def load(path: str | os.PathLike | None = None) -> Model:
    """Load a model file after checking its card's SHA-256 and that every type in it is allowed."""
    import skops.io as sio

    path = Path(path or DEFAULT_MODEL_PATH)
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
