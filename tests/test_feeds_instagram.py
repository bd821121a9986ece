"""Instagram reader: both folder names, both wrapper styles, localised comment labels, both like layouts."""

import zipfile
from collections import Counter
from pathlib import Path

import pytest

from netral_scan.errors import FeedError
from netral_scan.feeds import Skipped
from netral_scan.feeds import instagram
from netral_scan.feeds.archive import open_archive

from conftest import read_all, items, by_id, zip_folder

FIXTURES = Path(__file__).parent / "fixtures" / "exports" / "instagram"
IG2024, IG_OLD = FIXTURES / "ig2024", FIXTURES / "ig_old"






def test_2024_layout_counts():
    entries = read_all(IG2024)
    assert Counter(entry.kind for entry in items(entries)) == {"post": 2, "comment": 2, "like": 1}
    assert Counter(entry.reason for entry in entries if isinstance(entry, Skipped)) == {
        "post record without media, caption or time": 1, "comment record without string_map_data": 1}


def test_single_media_post_takes_caption_and_time_from_media():
    post = by_id(read_all(IG2024))["posts_1.json:1"]
    assert (post.kind, post.text, post.created_at) == (
        "post", "Hari ini nyoblos ✌️ #Pemilu2024", "2024-02-02T16:00:00+00:00")


def test_carousel_takes_caption_and_time_from_the_post():
    post = by_id(read_all(IG2024))["posts_1.json:2"]
    assert (post.text, post.created_at, post.extra["media"]) == (
        "Jalan sehat bersama warga 🇮🇩", "2024-02-02T17:00:01+00:00", 2)


def test_comment_fields_are_found_by_shape_whatever_the_language():
    entries = by_id(read_all(IG2024))
    first, second = entries["post_comments_1.json:1"], entries["post_comments_1.json:2"]
    assert (first.kind, first.text, first.target, first.created_at) == (
        "comment", "Mantap Bu, lanjut dua periode! 👏", "khofifah.ip", "2024-02-02T18:00:00+00:00")
    # Unknown labels: the timestamp is the time, the owner label holds a username, the rest is the comment.
    assert (second.text, second.target) == ("Selamat ulang tahun kak, sehat selalu", "sahabat.lama")


def test_new_layout_like_takes_the_owner_username():
    like = by_id(read_all(IG2024))["800000000000001"]
    assert (like.kind, like.target, like.url, like.created_at) == (
        "like", "gibran_rakabuming", "https://www.instagram.com/p/Cxyz123/", "2024-02-02T20:00:00+00:00")
    assert like.extra == {"owner_name": "Gibran Rakabuming"}


def test_old_layout_with_wrapped_lists_and_the_media_folder():
    entries = items(read_all(IG_OLD))
    assert [(e.kind, e.text, e.target) for e in entries] == [
        ("post", "Kopi pagi “spesial” ☕", ""),
        ("comment", "Siap menangkan 02!", "relawan.pelangi"),
        ("like", "", "aniesbaswedan")]
    like = entries[2]
    assert (like.url, like.extra["reaction"], like.created_at) == (
        "https://www.instagram.com/p/Cabc999/", "👍", "2024-02-03T04:00:00+00:00")


def test_zip_with_wrapper_folder_reads_like_the_folder(tmp_path):
    archive = zip_folder(IG2024, tmp_path / "instagram-rina.asn-2024-02-20-abc.zip", prefix="instagram-rina/")
    assert [(e.id, e.kind, e.text, e.target) for e in items(read_all(archive))] == \
           [(e.id, e.kind, e.text, e.target) for e in items(read_all(IG2024))]


def test_junk_from_macos_is_ignored(tmp_path):
    path = zip_folder(IG_OLD, tmp_path / "instagram.zip")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("__MACOSX/your_instagram_activity/likes/._liked_posts.json", b"\x00\x05\x16\x07")
    assert len(items(read_all(path))) == 3


@pytest.mark.parametrize("path", [
    IG2024, IG_OLD,
    IG2024 / "your_instagram_activity" / "likes" / "liked_posts.json",
    IG2024 / "your_instagram_activity" / "comments" / "post_comments_1.json",
    IG2024 / "your_instagram_activity" / "content" / "posts_1.json",
])
def test_detects_folders_and_single_files(path):
    with open_archive(str(path)) as archive:
        assert instagram.detect(archive)


def test_single_liked_posts_file_is_read_as_instagram():
    path = IG_OLD / "your_instagram_activity" / "likes" / "liked_posts.json"
    (like,) = read_all(path)
    assert (like.kind, like.target, like.source) == ("like", "aniesbaswedan", str(path))


def test_html_export_asks_for_a_json_export(tmp_path):
    (tmp_path / "your_instagram_activity" / "likes").mkdir(parents=True)
    (tmp_path / "your_instagram_activity" / "likes" / "liked_posts.html").write_text("<html></html>")
    with pytest.raises(FeedError, match="this Instagram export is in HTML format"):
        read_all(tmp_path)
