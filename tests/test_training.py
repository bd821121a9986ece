import numpy as np
import pytest

from netral_scan.errors import LabelledDataError
from netral_scan.text import CONTEXT_SEPARATOR
from netral_scan.training import best_threshold, evaluate, joined_pairs, read_labelled, train

SMALL = [
    ("coblos nomor 2 tanggal 14 februari ✌️", "endorse"), ("ayo menangkan 02 satu putaran", "endorse"),
    ("pilih AMIN, perubahan pasti ☝️", "endorse"), ("sat set 03 menang, coblos ganjar mahfud 🤟", "endorse"),
    ("lanjutkan pak prabowo, 02 pasti menang", "endorse"), ("dukung ganjar mahfud nomor 3", "endorse"),
    ("jangan pilih capres omon-omon", "attack"), ("asal bukan 02, salam 4 jari", "attack"),
    ("jangan pilih paslon yang cuma jago ngomong", "attack"), ("capres dinasti jangan sampai menang", "attack"),
    ("capres pembohong jangan dipilih lagi", "attack"), ("tolak anies, gagal urus jakarta", "attack"),
    ("asn wajib netral, jangan like postingan paslon", "political"), ("kpu buka cek dpt online", "political"),
    ("jadwal debat capres ketiga minggu malam", "political"), ("bawaslu ingatkan sanksi asn tidak netral", "political"),
    ("ayo datang ke tps tanggal 14, pilih sesuai hati nurani", "political"), ("kpu undi nomor urut paslon", "political"),
    ("selamat pagi, sarapan nasi uduk dulu", "other"), ("juara 2 lomba mewarnai ✌️", "other"),
    ("bayar pbb sebelum jatuh tempo", "other"), ("kucingku gemoy banget", "other"),
    ("lari pagi 10k selesai, mantap", "other"), ("resep rendang padang asli", "other"),
]


def write_csv(tmp_path, rows, header="text,label"):
    path = tmp_path / "labels.csv"
    lines = [header] + [",".join(f'"{value}"' for value in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_binary_labels_are_accepted(tmp_path):
    data = read_labelled(write_csv(tmp_path, [("coblos 02", "1"), ("halo", "0"), ("pilih amin", "partisan"),
                                             ("sarapan", "neutral")]))
    assert data.labels == ["partisan", "neutral", "partisan", "neutral"]


@pytest.mark.parametrize("rows, message", [
    ([("a", "endorse"), ("b", "pro")], r"row 3: unknown label 'pro'"),
    ([("a", "endorse"), ("", "other")], r"row 3: no text to learn from"),
    ([("a", "endorse"), ("b", "neutral")], r"row 3: label 'neutral' mixes binary and four-class labels"),
])
def test_bad_labelled_rows_are_named(tmp_path, rows, message):
    with pytest.raises(LabelledDataError, match=message):
        read_labelled(write_csv(tmp_path, rows))


def test_missing_columns_are_named(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("tweet,label\nhalo,other\n", encoding="utf-8")
    with pytest.raises(LabelledDataError, match=r"missing column\(s\) text"):
        read_labelled(path)


def test_unknown_kind_is_named(tmp_path):
    with pytest.raises(LabelledDataError, match=r"row 2: unknown kind 'poke'"):
        read_labelled(write_csv(tmp_path, [("halo", "other", "poke")], header="text,label,kind"))


def test_best_threshold_maximises_f1():
    truth = np.array([True, True, False, False])
    assert best_threshold(truth, np.array([0.9, 0.6, 0.5, 0.1]), beta=1.0) == pytest.approx(0.6)


def test_the_default_threshold_rule_weighs_precision_more():
    truth = np.array([True, True, False, True, False, False])
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.2, 0.1])
    assert best_threshold(truth, scores, beta=1.0) == pytest.approx(0.6)  # F1 takes the third hit, and a miss
    assert best_threshold(truth, scores) == pytest.approx(0.8)  # beta 0.5 stops before the false flag


def test_joined_pairs_keep_the_side_taken_and_never_join_two_sides_or_comments():
    documents = ["coblos 02", "jangan pilih dia", "jadwal debat", "sarapan dulu", f"setuju{CONTEXT_SEPARATOR}ayo"]
    labels = np.array(["endorse", "attack", "political", "other", "endorse"])
    joined, joined_labels = joined_pairs(documents, labels, share=40, seed=1)
    assert joined and joined == joined_pairs(documents, labels, share=40, seed=1)[0]
    by_text = dict(zip(documents, labels))
    for text, label in zip(joined, joined_labels):
        parts = [document for document in documents if document in text]
        assert len(parts) == 2 and CONTEXT_SEPARATOR not in text
        sides = [by_text[part] for part in parts if by_text[part] in ("endorse", "attack")]
        assert len(sides) <= 1
        assert label == (sides[0] if sides else "political")


def test_train_and_evaluate_report_honest_figures(tmp_path):
    data = read_labelled(write_csv(tmp_path, SMALL))
    model, cv = train(data)
    assert cv["folds"] == 5 and 0 <= cv["macro_f1"] <= 1
    assert model.card["training_data"]["rows"] == len(SMALL)
    metrics = evaluate(model, data).metrics
    assert set(metrics["per_class"]) == {"endorse", "attack", "political", "other"}
    assert sum(map(sum, metrics["confusion"]["matrix"])) == len(SMALL)
