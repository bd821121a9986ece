"""Generate a large feed in the generic NDJSON format whose vocabulary behaves like social-media text.

Words are drawn from a Zipf distribution over an unbounded vocabulary, so distinct words keep growing with
the feed: frequent function words and slang at the head; affixed forms of Indonesian roots (the roots come
from the installed PySastrawi dictionary, read at generation time, never copied into the repo), personal names,
typos and letter elongations in the tail; plus hashtags, numbers, URLs, @mentions and emoji.

Usage: python bench/make_feed.py ITEMS OUT.jsonl [--seed N]
"""

import argparse
import json
import random
import sys

import numpy as np

ZIPF_EXPONENT = 1.38
HEAD = ("yang di dan ini itu ke dari ada aja gk yg bgt udh sama juga tidak lagi kita saya aku dia mereka "
        "untuk dengan karena tapi kalau jadi bisa mau harus sudah belum masih akan pak bu mas mbak guys wkwk "
        "pilih coblos nomor presiden capres paslon pemilu kampanye dukung menang rakyat indonesia negara "
        "semoga amin terima kasih mantap keren banget hari besok kemarin malam pagi kerja kantor rumah").split()
PREFIXES = ["", "", "", "me", "mem", "men", "meng", "di", "ber", "ter", "pe", "pen", "per", "ke", "se"]
SUFFIXES = ["", "", "", "kan", "an", "i", "nya", "lah", "kah", "kannya", "annya", "pun", "ku", "mu"]
SYLLABLES = "ba bu ri sa ti na ko mi de wa yu gi ra lo pe su ha ni to ma ja ku se di an ar in".split()
EMOJI = ["🔥", "😂", "🙏", "👍", "✌️", "☝️", "🤟", "🇮🇩", "❤️", "😭", "💪", "🎉"]
KINDS = ["post"] * 55 + ["comment"] * 20 + ["share"] * 12 + ["like"] * 13


def word_for_rank(rank: int, roots: list[str]) -> str:
    """A deterministic word for each Zipf rank: the same rank always gives the same word."""
    if rank < len(HEAD):
        return HEAD[rank]
    rng = random.Random(rank)
    roll = rng.random()
    if roll < 0.12:
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))  # names, loanwords
    word = rng.choice(PREFIXES) + rng.choice(roots) + rng.choice(SUFFIXES)
    if roll < 0.24:  # typo: drop, double or swap a letter
        i = rng.randrange(1, len(word))
        word = rng.choice([word[:i] + word[i + 1:], word[:i] + word[i] + word[i:], word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]])
    elif roll < 0.30:  # elongation
        i = rng.randrange(len(word))
        word = word[:i] + word[i] * rng.randint(3, 6) + word[i + 1:]
    return word


def text(rng: random.Random, ranks, roots) -> str:
    words = [word_for_rank(int(r) - 1, roots) for r in ranks]
    if rng.random() < 0.2:
        words.insert(rng.randrange(len(words) + 1), "#" + "".join(w.capitalize() for w in rng.sample(words, min(2, len(words)))) + str(rng.choice(["", "2024", "2019"])))
    if rng.random() < 0.15:
        words.append(f"https://t.co/{rng.getrandbits(40):x}")
    if rng.random() < 0.2:
        words.insert(0, f"@{word_for_rank(rng.randrange(50, 5000), roots)}{rng.randrange(100)}")
    if rng.random() < 0.2:
        words.append(rng.choice(EMOJI) * rng.randint(1, 3))
    if rng.random() < 0.15:
        words.insert(rng.randrange(len(words) + 1), str(rng.choice([1, 2, 3, 2024, 14, 27, 100, 2500000])))
    return " ".join(words)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("items", type=int)
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    roots = [w for w in StemmerFactory().get_words() if w.isalpha() and len(w) > 3]
    rng = random.Random(arguments.seed)
    numpy_rng = np.random.default_rng(arguments.seed)
    distinct: set[str] = set()
    with open(arguments.out, "w", encoding="utf-8") as out:
        for number in range(arguments.items):
            kind = rng.choice(KINDS)
            record = {"id": f"gen-{number}", "kind": kind, "author": "akun.uji",
                      "created_at": f"2024-0{1 + number % 2}-{1 + number % 28:02d}T10:00:00+07:00"}
            own = text(rng, numpy_rng.zipf(ZIPF_EXPONENT, rng.randint(4, 35)) % 5_000_000, roots)
            if kind == "like":
                record["parent_text"] = own
            else:
                record["text"] = own
                if kind in ("comment", "share"):
                    record["parent_text"] = text(rng, numpy_rng.zipf(ZIPF_EXPONENT, rng.randint(6, 30)) % 5_000_000, roots)
            distinct.update(w.lower() for field in ("text", "parent_text") for w in record.get(field, "").split() if w.isalpha())
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {arguments.items} items to {arguments.out}; {len(distinct)} distinct words", file=sys.stderr)


if __name__ == "__main__":
    main()
