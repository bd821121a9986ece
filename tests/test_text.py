import csv
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from netral_scan.model import build_pipeline
from netral_scan.text import (AMIN_ACRONYM_TOKEN, CONTESTANT_TOKEN, CONTEXT_PREFIX, MENTION_TOKEN, PARTY_TOKEN, URL_TOKEN,
                              StemFilter, analyze, stem, tokenize, with_context)

ROOT = Path(__file__).resolve().parent.parent
STOCK_STEMS = """
import sys
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
stemmer = StemmerFactory().create_stemmer()
print("\\n".join(stemmer.stem(word) or word for word in sys.stdin.read().split("\\n")), end="")
"""


def corpus_sample(rows: int = 500) -> list[str]:
    with open(ROOT / "data" / "test.csv", encoding="utf-8") as handle:
        return [row["text"] + " " + row["parent_text"] for row in list(csv.DictReader(handle))[:rows]]


def norms(text):
    return [token.norm for token in tokenize(text)]


@pytest.mark.parametrize("text, expected", [
    ("#PrabowoGibran2024", ["#prabowogibran2024", "prabowo", CONTESTANT_TOKEN, "gibran", CONTESTANT_TOKEN, "2024"]),
    ("#jokowiamin", ["#jokowiamin", "jokowi", CONTESTANT_TOKEN, "amin"]),
    ("#AMIN", ["#amin", "amin"]),
    ("#randomtag", ["#randomtag", "randomtag"]),
])
def test_hashtags_are_kept_and_split(text, expected):
    assert norms(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("coblos 01", ["coblos", "01"]),
    ("pilih no 2", ["pilih", "nomor_2"]),
    ("pilih no. 2", ["pilih", "nomor_2"]),
    ("nomor urut 3", ["nomor_3"]),
    ("nomer 1", ["nomor_1"]),
    ("partai nomor 24", ["partai", "nomor_24"]),
    ("1️⃣", ["nomor_1"]),
])
def test_ballot_numbers_survive_as_tokens(text, expected):
    assert norms(text) == expected


def test_dates_and_long_numbers_are_not_ballot_numbers():
    assert norms("tanggal 01/02/2024 bayar Rp 150.000") == ["tanggal", "tok_date", "bayar", "rp", "tok_num"]


@pytest.mark.parametrize("text, expected", [
    ("☝️", ["jari_1"]),
    ("✌️", ["jari_2"]),
    ("✌🏽", ["jari_2"]),
    ("🤟", ["jari_3"]),
    ("salam dua jari", ["salam_jari_2"]),
    ("Salam 1 jari", ["salam_jari_1"]),
    ("salam metal", ["salam_jari_3"]),
    ("salam 4 jari", ["salam_jari_4"]),
])
def test_campaign_gestures_map_to_tokens(text, expected):
    assert norms(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("yg gk bgt udh", ["yang", "tidak", "banget", "sudah"]),
    ("nggak", ["tidak"]),
    ("mantaaap", ["mantap"]),
    ("kereeen bangettt", ["keren", "banget"]),
])
def test_slang_is_normalised_and_elongations_squashed(text, expected):
    assert norms(text) == expected


def test_urls_and_mentions_become_placeholders():
    assert norms("@budi cek https://t.co/abc ya") == [MENTION_TOKEN, "cek", URL_TOKEN, "ya"]


def test_upper_case_amin_is_the_acronym_and_prayer_is_not():
    assert norms("pilih AMIN") == ["pilih", AMIN_ACRONYM_TOKEN, CONTESTANT_TOKEN]
    assert norms("aamiin ya Allah") == ["amin", "ya", "allah"]


def test_contestant_and_party_names_get_a_class_token_and_everyday_words_do_not():
    assert norms("Pak Ganjar ke Solo") == ["pak", "ganjar", CONTESTANT_TOKEN, "ke", "solo"]
    assert norms("kader PDIP") == ["kader", "pdip", PARTY_TOKEN]
    assert CONTESTANT_TOKEN not in norms("ganti kata sandi wifi, Agus")  # password; a common first name
    assert PARTY_TOKEN not in norms("bayar PBB dan PKB")  # land and vehicle tax


def test_tokens_keep_the_span_of_the_written_words():
    text = "Ayo coblos Nomor Urut 2!"
    assert [text[t.start:t.end] for t in tokenize(text)] == ["Ayo", "coblos", "Nomor Urut 2"]


def test_stemming_uses_sastrawi_and_leaves_feature_tokens_alone():
    assert stem("memilih") == "pilih"
    assert stem("dukungannya") == "dukung"
    for token in ("nomor_2", "#amin", "02", URL_TOKEN):
        assert stem(token) == token


def test_context_words_live_in_their_own_namespace():
    features = analyze(with_context("setuju", "coblos 02"))
    assert features == ["tuju", CONTEXT_PREFIX + "coblos", CONTEXT_PREFIX + "02"]


def test_the_pipeline_never_carries_the_stemmer():
    stem("memilih")  # make sure the stemmer exists in this process
    payload = pickle.dumps(build_pipeline())
    assert b"Sastrawi" not in payload and b"kata-dasar" not in payload


def test_chunk_cached_analysis_equals_whole_text_tokenisation():
    import csv

    from netral_scan.text import Analyzer, tokenize

    texts = ["salam dua jari ✌️ coblos no 2!", "cuma <Victory Hand> @Ahok <Trophy>", "nomor urut 3 🤟 #GanjarMahfud", "pilih AMIN ☝️ https://t.co/x",
             "tgl 14/02/2024 jam 07.00 @kpu", "kata-kata mantaaap bgt (no.2)"]
    with open(Path(__file__).resolve().parent.parent / "data" / "test.csv", encoding="utf-8") as handle:
        texts += [row["text"] or row["parent_text"] for row in csv.DictReader(handle)]
    analyzer = Analyzer()
    for text in texts:
        assert analyzer.features(text) == [stem(token.norm) for token in tokenize(text)], text


def test_emoji_written_as_names_are_read_as_emoji():
    assert norms("Aku 2!! <Victory Hand> <Trophy>") == ["aku", "2", "jari_2", "🏆"]
    assert norms("<Some Unknown Thing>") == ["emoji_some_unknown_thing"]


@pytest.mark.parametrize("text, expected", [
    ("Prabowo-Sandi Janji Tidak Ambil Gaji Jika Terpilih https://t.co/x", ["shape_headline"]),
    ("KPU Tetapkan Jadwal Debat Capres Ketiga", ["shape_headline"]),
    ("JANGAN PILIH CAPRES YANG SUKA BOHONG", []),
    ("ayo coblos nomor 2 tanggal 14 februari", []),
    ("Mantap Pak", []),
])
def test_title_case_headlines_get_a_shape_token(text, expected):
    from netral_scan.text import shape_tokens

    assert shape_tokens(text) == expected


def test_the_arrow_class_of_capitals_holds_exactly_what_str_isupper_calls_upper():
    import pyarrow as pa
    import pyarrow.compute as pc

    from netral_scan.text import UPPERCASE_RE2

    every = [chr(point) for point in range(0x110000) if not 0xD800 <= point < 0xE000]
    matched = pc.match_substring_regex(pa.array(every), UPPERCASE_RE2).to_pylist()
    assert [char for char, match in zip(every, matched) if match != char.isupper()] == []


@given(st.lists(st.sampled_from(["Kpu", "Debat", "KPU", "Ⅻ", "Ⓐbc", "Élan", "ǅemal", "ya", "2024", " ", "-", "\n"]),
                max_size=12))
@example(["Kpu", " ", "Debat", " ", "Élan", " ", "ya", " ", "ya"])
@settings(max_examples=500, deadline=None)
def test_a_text_with_a_shape_token_has_the_capitals_arrow_counts(pieces):
    import pyarrow as pa
    import pyarrow.compute as pc

    from netral_scan.text import HEADLINE_MIN_CAPITALS, UPPERCASE_RE2, shape_tokens

    text = "".join(pieces)
    if shape_tokens(text):
        assert pc.count_substring_regex(pa.array([text]), UPPERCASE_RE2)[0].as_py() >= HEADLINE_MIN_CAPITALS


@pytest.mark.parametrize("word", ["pensineasi", "sinematikan", "kinerja", "pemberdayaan", "memperjuangkannya"])
def test_the_stem_filter_passes_words_whose_stem_is_a_feature(word):
    """Infixes may sit after prefixes (pen|s-in-e|asi: PySastrawi gives "asi"); the filter must still pass them."""
    assert stem(word) != word
    assert StemFilter([stem(word)])(word)


_PREFIX_FORMS = ("ber", "be", "ter", "te", "me", "mem", "men", "meng", "meny", "menge", "memper", "pe", "pem", "pen",
                 "peng", "peny", "penge", "per", "di", "ke", "se", "ku", "kau", "diper", "ber", "pel")


def test_faster_rule_patterns_give_pysastrawis_own_stems():
    """``RulePatterns`` replaces ``re`` inside PySastrawi and ``HeadFiltered`` skips rules for prefixes a word does
    not have; a fresh process without them must stem identically, including every prefix rule's forms."""
    from netral_scan.text import _root_words

    roots = sorted(_root_words())[::300]
    affixed = [prefix + root[start:] + suffix for root in roots for prefix in _PREFIX_FORMS for start in (0, 1)
               for suffix in ("", "kan")]
    text = " ".join(corpus_sample()) + " pensineasi sinematikan menelunjuk pemberdayaan memperjuangkannya"
    # Hyphenated, capitalised and non-ASCII words go through PySastrawi's normaliser; plain ones skip it.
    odd = {"kata-kata", "anak-anaknya", "bermain-main", "Memilih", "MENANGKAN", "pemiluña", "éta"}
    words = sorted({t.norm for t in tokenize(text) if t.norm.isalpha()} | set(affixed) | odd)
    stock = subprocess.run([sys.executable, "-c", STOCK_STEMS], input="\n".join(words), capture_output=True,
                           text=True, check=True).stdout.split("\n")
    assert [stem(word) for word in words] == stock


@pytest.mark.parametrize("chunk", ["https://t.co/Ab12Cd", "HTTP://x.id/a?b=1,", "www.kpu.go.id", "@budi_99", "@Jokowi",
                                   "@budi,", "@budi's", "http://", "<Victory", "#coblos02", "kpu.go.id", "no.2"])
def test_a_chunk_answered_as_a_placeholder_is_exactly_what_tokenize_reads(chunk):
    from netral_scan.text import Token, placeholder

    token = placeholder(chunk)
    if token is not None:
        assert tokenize(chunk) == [Token(token, 0, len(chunk))]
    else:
        assert chunk in {"@budi,", "@budi's", "http://", "<Victory", "#coblos02", "kpu.go.id", "no.2"}


@pytest.mark.parametrize("text, whole", [("coblos no 2", True), ("NOMOR URUT 3", True), ("ſalam dua jari", True),
                                         ("<Victory Hand> gas", True), ("ekonomi naik", False), ("nmr. 1 ya", True),
                                         ("sarapan dulu", False), ("no", False), ("#no 2", True)])
def test_texts_with_patterns_that_span_whitespace_are_read_whole(text, whole):
    from netral_scan.text import _MULTIWORD, Analyzer

    assert Analyzer.needs_whole_text(text) is whole
    assert whole == (_MULTIWORD.search(text) is not None)


def test_the_arrow_hint_for_such_patterns_reads_case_spaces_and_digits_as_python_re_does():
    import pyarrow as pa
    import pyarrow.compute as pc

    from netral_scan.text import DIGIT_RE2, WHITESPACE_RE2

    every = "".join(chr(point) for point in range(0x110000) if not 0xD800 <= point < 0xE000)
    for letter in set("salamnomorurut"):
        same = re.findall(re.escape(letter), every, re.IGNORECASE)  # e.g. s, S and ſ for "s"
        assert pc.all(pc.match_substring_regex(pa.array(same), re.escape(letter), ignore_case=True)).as_py()
    for python, re2 in ((r"\s", WHITESPACE_RE2), (r"\d", DIGIT_RE2)):
        assert pc.all(pc.match_substring_regex(pa.array(re.findall(python, every)), f"^{re2}$")).as_py()


_PIECES = ["no", "No.", "nomor", "NMR", "urut", "salam", "ſalam", "dua", "jari", "metal", "2", "02", "٢", ".", " ", "\t",
           "\u3000", "\x1c", "<Victory Hand>", "<Victory", "#", "x"]


@given(st.lists(st.sampled_from(_PIECES), max_size=10))
@example(["nomor", "urut", " ", "2"])
@example(["No.", " ", "urut", "02"])
@example(["salam", " ", "dua", " ", "jari"])
@example(["x", "<Victory Hand>"])
@example(["NMR", "\u3000", "urut", "\x1c", "٢"])
@settings(max_examples=1000, deadline=None)
def test_a_text_read_chunk_by_chunk_gives_what_tokenising_it_whole_gives(pieces):
    from netral_scan.text import MULTIWORD_HINT, Analyzer, stem

    import pyarrow as pa
    import pyarrow.compute as pc

    text = "".join(pieces)
    if Analyzer.needs_whole_text(text):
        assert pc.match_substring_regex(pa.array([text]), MULTIWORD_HINT, ignore_case=True)[0].as_py()
    else:
        assert Analyzer().features(text) == [stem(token.norm) for token in tokenize(text)]
