"""TikTok reader: the three layouts of user_data(_tiktok).json, null lists, key casing, TXT exports."""

import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from netral_scan.errors import FeedError
from netral_scan.feeds import Skipped
from netral_scan.feeds import tiktok
from netral_scan.feeds.archive import open_archive
from netral_scan.feeds.timestamps import from_tiktok

from conftest import read_all, items

FIXTURES = Path(__file__).parent / "fixtures" / "exports" / "tiktok"
TT2025 = FIXTURES / "tt2025"




def test_2025_layout_reads_every_section():
    entries = read_all(TT2025)
    source = f"{TT2025}/user_data_tiktok.json"
    assert [(e.id, e.kind, e.text, e.url, e.created_at) for e in items(entries)] == [
        ("7330000000000000003", "post", "Jalan-jalan ke pasar tradisional 🛒 #UMKM",
         "https://www.tiktokv.com/share/video/7330000000000000003/", "2024-02-05T12:00:00+00:00"),
        ("user_data_tiktok.json:CommentsList:1", "comment", "Gas terus Pak, menang satu putaran!",
         "https://www.tiktokv.com/share/video/7330000000000000001/", "2024-02-03T08:00:00+00:00"),
        ("user_data_tiktok.json:ItemFavoriteList:1", "like", "",
         "https://www.tiktokv.com/share/video/7330000000000000002/", "2024-02-04T10:00:00+00:00"),
        ("user_data_tiktok.json:ShareHistoryList:1", "share", "",
         "https://www.tiktokv.com/share/video/7330000000000000004/", "2024-02-06T13:00:00+00:00"),
        ("user_data_tiktok.json:RepostList:1", "share", "",
         "https://www.tiktokv.com/share/video/7330000000000000005/", "2024-02-07T14:00:00+00:00"),
    ]
    assert [entry for entry in entries if isinstance(entry, Skipped)] == [
        Skipped("text field is not text", source, "Comment > Comments > CommentsList item 2"),
        Skipped("like record without link", source, "Likes and Favorites > Like List > ItemFavoriteList item 2"),
    ]


def test_author_is_the_profile_user_name():
    assert {entry.author for entry in items(read_all(TT2025))} == {"rina.asn"}
    assert {entry.author for entry in items(read_all(FIXTURES / "tt2024"))} == {""}  # no profile in the file


def test_share_keeps_method_and_content_type():
    share = items(read_all(TT2025))[3]
    assert share.extra == {"SharedContent": "video", "Method": "WhatsApp"}


def test_december_2024_layout_with_null_lists():
    (like,) = read_all(FIXTURES / "tt2024")
    assert (like.kind, like.url, like.created_at) == (
        "like", "https://www.tiktokv.com/share/video/7320000000000000001/", "2024-01-20T07:30:00+00:00")


def test_older_activity_layout_with_capitalised_keys():
    entries = items(read_all(FIXTURES / "tt_old"))
    assert Counter(entry.kind for entry in entries) == {"post": 1, "comment": 1, "like": 1, "share": 1}
    post = entries[0]
    # A slideshow lists one link per line; the first one identifies the post.
    assert (post.id, post.url, post.text) == (
        "7240000000000000003", "https://www.tiktokv.com/share/video/7240000000000000003/", "")
    assert entries[1].text == "Lucu banget 😂"


def test_zip_reads_like_the_file(tmp_path):
    archive = tmp_path / "TikTok_Data_123456.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(TT2025 / "user_data_tiktok.json", "TikTok_Data_123456/user_data_tiktok.json")
    assert [(e.id, e.kind) for e in items(read_all(archive))] == [(e.id, e.kind) for e in items(read_all(TT2025))]


def test_renamed_single_file_is_recognised_by_its_sections(tmp_path):
    path = tmp_path / "export-rina.json"
    shutil.copy(FIXTURES / "tt_old" / "user_data.json", path)
    with open_archive(str(path)) as archive:
        assert tiktok.detect(archive)
    assert len(items(read_all(path))) == 4


def test_txt_export_asks_for_a_json_export():
    with pytest.raises(FeedError) as error:
        read_all(FIXTURES / "tt_txt")
    assert str(error.value) == (f"{FIXTURES / 'tt_txt'}: this TikTok export is in TXT format, which cannot be "
                                "read; download it again and choose the JSON format")


def test_invalid_json_names_line_and_column(tmp_path):
    path = tmp_path / "user_data_tiktok.json"
    path.write_text('{\n  "Comment": {\n    "Comments": {"CommentsList": [}\n  }\n}')
    with pytest.raises(FeedError, match=r"user_data_tiktok.json: invalid JSON at line 3 column 35"):
        read_all(path)


@pytest.mark.parametrize("value, expected", [
    ("2024-01-08 15:00:00", "2024-01-08T15:00:00+00:00"),
    ("2024-01-08 15:00:00 UTC", "2024-01-08T15:00:00+00:00"),
    ("", ""),
])
def test_tiktok_time_is_utc(value, expected):
    assert from_tiktok(value) == expected


def test_tiktok_time_that_is_not_a_time_raises():
    with pytest.raises(ValueError):
        from_tiktok("8 Januari 2024")
