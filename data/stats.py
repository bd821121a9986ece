"""Corpus report: size, labels, kinds, coverage per slice, hard-negative share, test-split balance and the
near-duplicate check.

Usage: python data/stats.py [--pairs N]   (N near-duplicate pairs to print, default 20)

Near-duplicates: rows whose TF-IDF vectors of character 3–5-grams (text + parent text) have cosine
similarity >= NEAR_DUPLICATE_COSINE. Context pairs (the same short comment under different parents) are not
near-duplicates, because their parents differ.
"""

import argparse
import csv
import re
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parent
NEAR_DUPLICATE_COSINE = 0.9
CHUNK = 1000
HARD_NEGATIVE_CUES = re.compile(
    r"kampanye|paslon|capres|cawapres|calon|coblos|pilih|dukung|nomor|\b0?[1-4]\b|☝|✌|🤟|jari|pemilu|pilkada|"
    r"pilpres|partai|prabowo|gibran|anies|ganjar|mahfud|muhaimin|jokowi|amin|pbb|pkb|pan\b|ppp|gerindra|golkar|"
    r"pdip|banteng|garuda|gelora|lanjut|perubahan|menang|gemoy|sat set|\b(?:tkn|tpn|kpu|bawaslu)\b", re.I)


def load() -> list[dict]:
    rows = []
    for split in ("train", "test"):
        with open(DATA / f"{split}.csv", newline="", encoding="utf-8") as handle:
            rows.extend(dict(row, split=split) for row in csv.DictReader(handle))
    return rows


def table(title: str, counter: Counter, total: int) -> None:
    print(f"\n{title}")
    for key, count in counter.most_common():
        print(f"  {key:<34} {count:>6}  {100 * count / total:5.1f}%")


def near_duplicates(rows: list[dict]) -> list[tuple[float, int, int]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    documents = [f"{row['text']} || {row['parent_text']}".lower() for row in rows]
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=1).fit_transform(documents)
    pairs = []
    for start in range(0, vectors.shape[0], CHUNK):
        block = (vectors[start:start + CHUNK] @ vectors.T).tocoo()
        for i, j, value in zip(block.row, block.col, block.data):
            if start + i < j and value >= NEAR_DUPLICATE_COSINE:
                pairs.append((float(value), start + i, int(j)))
    return sorted(pairs, reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=20)
    arguments = parser.parse_args()
    rows = load()
    total = len(rows)
    print(f"corpus: {total} rows ({sum(r['split'] == 'train' for r in rows)} train, "
          f"{sum(r['split'] == 'test' for r in rows)} test)")
    table("labels", Counter(r["label"] for r in rows), total)
    table("kinds", Counter(r["kind"] for r in rows), total)
    parts = [r["topic"].split(":") + ["", "", ""] for r in rows]
    table("contests (topic part 1)", Counter(p[0] or "-" for p in parts), total)
    table("registers (topic part 2)", Counter(p[1] or "-" for p in parts), total)
    missing_parent = sum(r["kind"] != "post" and not r["parent_text"] for r in rows)
    print(f"\nlike/share/comment rows without parent_text: {missing_parent}")
    neutral = [r for r in rows if r["label"] in ("political", "other")]
    hard = [r for r in neutral if HARD_NEGATIVE_CUES.search(r["text"] + " " + r["parent_text"])]
    print(f"hard negatives (neutral rows holding campaign-like tokens): {len(hard)} = {100 * len(hard) / total:.1f}% "
          f"of the corpus")
    print("\ntest share per label:")
    for label in sorted({r["label"] for r in rows}):
        of_label = [r for r in rows if r["label"] == label]
        print(f"  {label:<10} {sum(r['split'] == 'test' for r in of_label) / len(of_label):.3f}")
    first_words = Counter(" ".join(r["text"].lower().split()[:3]) for r in rows if r["text"])
    print("\nmost common opening words (template check): "
          + ", ".join(f"'{k}' {v}" for k, v in first_words.most_common(8)))
    pairs = near_duplicates(rows)
    print(f"\nnear-duplicate pairs (cosine >= {NEAR_DUPLICATE_COSINE}): {len(pairs)}")
    for value, i, j in pairs[: arguments.pairs]:
        print(f"  {value:.3f}  {rows[i]['text'][:60]!r} | {rows[j]['text'][:60]!r}")


if __name__ == "__main__":
    main()
