"""Watchlist: loading and validating CSV files, matching items by target, URL and name in a sentence."""

import time
from pathlib import Path

import pytest

from netral_scan.errors import NetralScanError
from netral_scan.feeds import Item, read_input
from netral_scan.watchlist import BUNDLED_PATH, COLUMNS, WatchMatch, load_watchlist

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
HEADER = ",".join(COLUMNS)
MATCHES_PER_SECOND_FLOOR = 20_000  # the scanner may ask about 100,000 items


@pytest.fixture(scope="module")
def watchlist():
    return load_watchlist()


def like(target="", url=""):
    return Item(id="1", kind="like", target=target, url=url)


def write_csv(tmp_path, *rows, header=HEADER):
    path = tmp_path / "mine.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_bundled_watchlist_has_the_pilpres_pairs_and_18_parties(watchlist):
    contests = {entry.contest for entry in watchlist.entries}
    assert {"pilpres2024", "pileg2024", "pilkada2024-jakarta", "pilkada2024-jabar", "pilkada2024-jateng",
            "pilkada2024-jatim", "pilkada2024-banten", "pilkada2024-sumut"} <= contests
    parties = {entry.side for entry in watchlist.entries if entry.contest == "pileg2024"}
    assert len(parties) == 18
    assert BUNDLED_PATH.name == "watchlist.csv"


def test_handle_match_with_at_sign_and_any_case(watchlist):
    assert watchlist.match(like("@Prabowo")) == WatchMatch(
        "Prabowo Subianto", "02 Prabowo–Gibran", "endorse", "target @Prabowo = Prabowo Subianto (02 Prabowo–Gibran)")


def test_exact_name_match_ignores_case_and_dashes(watchlist):
    match = watchlist.match(like("pdi-perjuangan"))
    assert (match.side, match.evidence) == ("PDIP (3)", 'target "pdi-perjuangan" = PDI Perjuangan (PDIP (3))')


def test_url_pattern_match_stops_at_the_end_of_the_handle(watchlist):
    match = watchlist.match(like(url="https://mobile.twitter.com/aniesbaswedan/status/1"))
    assert match.evidence == 'url contains "twitter.com/aniesbaswedan" = Anies Baswedan (01 Anies–Muhaimin)'
    assert watchlist.match(like(url="https://twitter.com/aniesbaswedan_fans/status/1")) is None
    assert watchlist.match(like(url="https://netflix.com/prabowo")) is None


def test_name_inside_a_title_sentence_as_a_whole_word(watchlist):
    match = watchlist.match(like("Budi menyukai kiriman Prabowo Subianto."))
    assert match.evidence == 'target mentions "Prabowo Subianto" = Prabowo Subianto (02 Prabowo–Gibran)'
    assert watchlist.match(like("Budi menyukai kiriman Prabowo Subiantoro.")) is None


def test_unrelated_items_do_not_match(watchlist):
    assert watchlist.match(like("Toko Kue Bu Sri", "https://www.facebook.com/tokokue")) is None
    assert watchlist.match(Item(id="2", kind="post", text="Prabowo Subianto")) is None  # text is not a target


def test_a_facebook_like_of_a_candidate_page_is_matched(watchlist):
    likes = [entry for entry in read_input(str(FIXTURES / "facebook" / "fb2024"))
             if isinstance(entry, Item) and entry.kind == "like"]
    judged = {entry.target: watchlist.match(entry) for entry in likes}
    assert judged["Prabowo Subianto"].side == "02 Prabowo–Gibran"
    assert judged["Ganjar Pranowo"].side == "03 Ganjar–Mahfud"  # a liked page
    assert judged["Toko Kue Bu Sri"] is None
    assert judged["KPU Kabupaten Contoh"] is None


def test_an_instagram_like_is_matched_by_owner_handle(watchlist):
    (like_item,) = [entry for entry in read_input(str(FIXTURES / "instagram" / "ig2024"))
                    if isinstance(entry, Item) and entry.kind == "like"]
    assert watchlist.match(like_item).evidence == (
        "target @gibran_rakabuming = Gibran Rakabuming Raka (02 Prabowo–Gibran)")


def test_user_file_adds_and_overrides(tmp_path):
    path = write_csv(
        tmp_path,
        "Relawan Sahabat Pelangi,pilkada2024-contoh,Pilkada Contoh 2,endorse,,facebook.com/relawansahabatpelangi",
        "KPU Kabupaten Contoh,pilkada2024-contoh,penyelenggara,political,@kpu_contoh,"
        "https://www.facebook.com/kpu.contoh",
        "Ganjar Pranowo,pilpres2024,03 Ganjar–Mahfud (diperiksa),endorse,,")
    watchlist = load_watchlist([str(path)])
    assert watchlist.match(like("Relawan Sahabat Pelangi")).side == "Pilkada Contoh 2"
    kpu = watchlist.match(like(url="https://www.facebook.com/kpu.contoh/posts/1"))
    assert (kpu.label, kpu.evidence) == (
        "political", 'url contains "facebook.com/kpu.contoh" = KPU Kabupaten Contoh (penyelenggara)')
    assert watchlist.match(like("@kpu_contoh")).name == "KPU Kabupaten Contoh"
    assert watchlist.match(like("Ganjar Pranowo")).side == "03 Ganjar–Mahfud (diperiksa)"


@pytest.mark.parametrize("rows, header, problem", [
    (["Calon A,pilkada,1,endorse,,"], "name,contest,side,label", "a watchlist needs the columns "
     "name,contest,side,label,handles,url_patterns (missing: handles, url_patterns)"),
    (["Calon A,pilkada,1,endorse,,", ",pilkada,2,endorse,,"], HEADER, "line 3: 'name' is empty"),
    (["Calon A,pilkada,1,dukung,,"], HEADER, "line 2: label 'dukung' is not one of endorse, attack, political, other"),
    (["Calon A,pilkada,1,endorse,calon a,"], HEADER, "line 2: handle 'calon a' is not an account handle "
     "(letters, digits, '_' and '.'; separate handles with ';')"),
    (["Calon A,pilkada,1,endorse,,x.com/a,extra"], HEADER,
     "line 2: more fields than columns (quote values that contain commas)"),
])
def test_bad_user_file_is_a_one_line_error_naming_file_and_line(tmp_path, rows, header, problem):
    path = write_csv(tmp_path, *rows, header=header)
    with pytest.raises(NetralScanError) as error:
        load_watchlist([str(path)])
    assert str(error.value) == f"{path}: {problem}"


def test_missing_user_file(tmp_path):
    with pytest.raises(NetralScanError, match="watchlist file not found"):
        load_watchlist([str(tmp_path / "tidak-ada.csv")])


def test_matching_is_fast_enough_for_big_feeds(watchlist):
    sample = [like(f"Teman {n}", f"https://www.facebook.com/teman{n}/posts/{n}") for n in range(20_000)]
    started = time.perf_counter()
    for item in sample:
        watchlist.match(item)
    assert len(sample) / (time.perf_counter() - started) > MATCHES_PER_SECOND_FLOOR


def test_is_watched_knows_handles_and_names_but_not_other_people():
    watchlist = load_watchlist()
    assert watchlist.is_watched("@Prabowo") and watchlist.is_watched("anies-baswedan")
    assert not watchlist.is_watched("@budi_b") and not watchlist.is_watched("Pak Haji Salim")
