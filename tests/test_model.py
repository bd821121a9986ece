import json
import pickle
import shutil
from pathlib import Path

import pytest
import skops.io as sio

import netral_scan
from conftest import ROOT
from netral_scan.errors import ModelFileError
from netral_scan.model import DEFAULT_MODEL_PATH, Model, card_path, file_sha256, load, save


class Payload:
    """Creates a marker file if a loader ever restores it (skops calls ``__setstate__``)."""

    def __init__(self, marker):
        self.marker = marker

    def __setstate__(self, state):
        open(state["marker"], "w").write("ran")
        self.__dict__.update(state)


class PicklePayload:
    """Creates a marker file if anything ever unpickles it."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def copy_default(tmp_path):
    model = tmp_path / "model.skops"
    shutil.copy(DEFAULT_MODEL_PATH, model)
    shutil.copy(card_path(DEFAULT_MODEL_PATH), card_path(model))
    return model


def write_card_for(model, **fields):
    card_path(model).write_text(json.dumps({"model_sha256": file_sha256(model), **fields}))


def test_the_default_model_loads_with_its_card(default_model):
    assert default_model.labels == ["attack", "endorse", "other", "political"]
    assert 0 < default_model.threshold < 1
    assert default_model.card["model_sha256"] == file_sha256(DEFAULT_MODEL_PATH)


def test_a_model_file_holding_a_foreign_type_is_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "marker"
    model = tmp_path / "evil.skops"
    sio.dump({"pipeline": Payload(str(marker)), "threshold": 0.5}, model)
    write_card_for(model)
    with pytest.raises(ModelFileError, match="refused, the file contains types outside the allow-list: .*Payload"):
        load(model)
    assert not marker.exists()
    sio.load(model, trusted=sio.get_untrusted_types(file=model))  # the payload is real: trusting it runs it
    assert marker.exists()


def test_a_pickle_disguised_as_a_model_is_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "marker"
    model = tmp_path / "evil.skops"
    model.write_bytes(pickle.dumps(PicklePayload(str(marker))))
    write_card_for(model)
    with pytest.raises(ModelFileError, match="not a readable model file"):
        load(model)
    assert not marker.exists()
    pickle.loads(model.read_bytes())  # the payload is real: unpickling it runs it
    assert marker.exists()


def test_a_changed_model_file_fails_the_sha256_check(tmp_path):
    model = copy_default(tmp_path)
    with open(model, "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ModelFileError, match="SHA-256 does not match its card"):
        load(model)


def test_a_model_without_its_card_is_refused(tmp_path):
    model = copy_default(tmp_path)
    card_path(model).unlink()
    with pytest.raises(ModelFileError, match="model card model.card.json not found"):
        load(model)


def test_a_missing_model_file_is_an_error(tmp_path):
    with pytest.raises(ModelFileError, match="model file not found"):
        load(tmp_path / "nope.skops")


def test_a_saved_model_gives_the_same_vocabulary_and_probabilities(default_model, tmp_path):
    import zipfile

    import numpy as np

    path = tmp_path / "copy.skops"
    save(Model(default_model.pipeline, default_model.threshold, dict(default_model.card)), path)  # save() sets the card
    copy = load(path, with_pipeline=True)
    documents = ["coblos 02 ya", "Prabowo Gibran Bertemu Relawan", "sarapan nasi uduk"]
    assert copy.pipeline.named_steps["tfidf"].vocabulary_ == default_model.pipeline.named_steps["tfidf"].vocabulary_
    assert np.array_equal(copy.pipeline.predict_proba(documents), default_model.pipeline.predict_proba(documents))
    with zipfile.ZipFile(path) as archive:  # the vocabulary is an array member, not thousands of schema entries
        assert archive.getinfo("schema.json").file_size < 100_000
    assert "vocabulary_" in vars(default_model.pipeline.named_steps["tfidf"])  # saving did not change the model


def test_a_model_loaded_for_scanning_has_only_its_weights_and_scores_the_same(default_model):
    import numpy as np

    from netral_scan.scoring import Scorer

    scanning = load(DEFAULT_MODEL_PATH)
    assert scanning.pipeline is None and scanning.threshold == default_model.threshold
    assert scanning.labels == default_model.labels
    documents = ["coblos 02 ya", "Prabowo Gibran Bertemu Relawan", "sarapan nasi uduk", "", "xyzzy"]
    probabilities, _ = Scorer(scanning).probabilities(documents)
    assert np.allclose(probabilities, default_model.pipeline.predict_proba(documents), rtol=0, atol=1e-12)


def test_a_model_file_without_scoring_weights_still_loads_for_scanning(tmp_path):
    import zipfile

    from netral_scan.model import WEIGHTS_MEMBER

    old = tmp_path / "old.skops"
    with zipfile.ZipFile(DEFAULT_MODEL_PATH) as source, zipfile.ZipFile(old, "w") as target:
        for member in source.infolist():
            if member.filename != WEIGHTS_MEMBER:
                target.writestr(member, source.read(member))
    write_card_for(old)
    model = load(old)
    assert model.pipeline is not None and model.labels == ["attack", "endorse", "other", "political"]


def test_scoring_weights_holding_a_pickle_are_refused_and_nothing_runs(tmp_path):
    import io
    import zipfile

    import numpy as np

    from netral_scan.model import WEIGHTS_MEMBER

    marker = tmp_path / "marker"
    payload = np.array([PicklePayload(str(marker))], dtype=object)
    buffer = io.BytesIO()
    np.savez(buffer, features=payload)
    rebuilt = tmp_path / "evil.skops"
    with zipfile.ZipFile(DEFAULT_MODEL_PATH) as source, zipfile.ZipFile(rebuilt, "w") as target:
        for member in source.infolist():
            is_weights = member.filename == WEIGHTS_MEMBER
            target.writestr(member, buffer.getvalue() if is_weights else source.read(member))
    write_card_for(rebuilt)
    with pytest.raises(ModelFileError, match="not a readable model file"):
        load(rebuilt)
    assert not marker.exists()
    np.load(io.BytesIO(buffer.getvalue()), allow_pickle=True)["features"]  # the payload is real: trusting it runs it
    assert marker.exists()


def test_bundled_model_and_watchlist_are_package_data():
    # A non-editable install (`pip install .`, a wheel) copies only the package: what `check` loads by default must
    # be inside it and declared in pyproject.toml.
    import tomllib

    from netral_scan.watchlist import BUNDLED_PATH

    package = Path(netral_scan.__file__).resolve().parent
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["netral_scan"]
    for path in (DEFAULT_MODEL_PATH, card_path(DEFAULT_MODEL_PATH), BUNDLED_PATH):
        assert path.is_file() and path.resolve().relative_to(package).as_posix() in declared
