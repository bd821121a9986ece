"""Facebook reader, the shared Meta helpers, and archive-level errors (corrupt zip, unknown input)."""

import json
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from netral_scan.errors import FeedError
from netral_scan.feeds import Skipped
from netral_scan.feeds import facebook
from netral_scan.feeds.archive import open_archive
from netral_scan.feeds.meta import fix_mojibake, label_values
from netral_scan.feeds.timestamps import from_unix

from conftest import read_all, items, by_id, zip_folder

FIXTURES = Path(__file__).parent / "fixtures" / "exports" / "facebook"
FB2024 = FIXTURES / "fb2024"






# --- the 2024+ layout ------------------------------------------------------------------------------------

def test_2024_layout_counts_by_kind_and_skip_reason():
    entries = read_all(FB2024)
    assert Counter(entry.kind for entry in items(entries)) == {"post": 5, "share": 2, "comment": 3, "like": 6}
    assert Counter(entry.reason for entry in entries if isinstance(entry, Skipped)) == {
        "post record is not an object": 1, "invalid timestamp": 1, "comment record without comment data": 1,
        "duplicate reaction (listed in both likes_and_reactions layouts)": 2}


def test_mojibake_is_repaired_in_every_string():
    post = by_id(read_all(FB2024))["your_posts__check_ins__photos_and_videos_1.json:1"]
    assert post.text == "Salam dua jari ✌️ untuk Indonesia 🇮🇩 “Bersatu kita maju”"
    assert post.created_at == "2024-02-01T01:00:00+00:00"
    assert post.extra["title"] == "Rina Marlina memperbarui statusnya."


def test_share_with_text_keeps_link_and_its_title():
    share = by_id(read_all(FB2024))["your_posts__check_ins__photos_and_videos_1.json:2"]
    assert (share.kind, share.text, share.url, share.parent_text) == (
        "share", "Wajib nonton!", "https://berita.example.invalid/debat-capres", "Debat capres ketiga malam ini")


def test_share_without_text_is_still_an_item_with_its_url():
    share = by_id(read_all(FB2024))["your_posts__check_ins__photos_and_videos_1.json:3"]
    assert (share.kind, share.text, share.url) == ("share", "", "https://www.facebook.com/prabowosubianto/posts/555")


def test_other_peoples_comments_on_own_photo_are_never_attributed():
    entries = read_all(FB2024)
    assert not any("Coblos 01" in (entry.text + entry.parent_text) for entry in items(entries))
    photo = by_id(entries)["your_posts__check_ins__photos_and_videos_1.json:4"]
    assert (photo.text, photo.extra["media"]) == ("Rapat koordinasi di kantor kecamatan", 1)


def test_part_files_are_all_read():
    assert "your_posts__check_ins__photos_and_videos_2.json:2" in by_id(read_all(FB2024))


def test_malformed_records_are_skipped_with_their_position():
    skipped = [entry for entry in read_all(FB2024) if isinstance(entry, Skipped)]
    assert Skipped("invalid timestamp",
                   f"{FB2024}/your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_2.json",
                   "record 1") in skipped


def test_posts_on_other_pages_use_label_values():
    post = by_id(read_all(FB2024))["900000000000001"]
    assert (post.kind, post.text, post.target) == (
        "post", "Semangat Bu, semoga lancar kampanyenya 💪", "Khofifah Indar Parawansa")


def test_comments_take_their_target_from_the_title():
    entries = by_id(read_all(FB2024))
    comment = entries["comments.json:1"]
    assert (comment.kind, comment.text, comment.target, comment.author) == (
        "comment", "Sat set, lanjutkan Pak! 👍", "Ganjar Pranowo", "Rina Marlina")
    assert entries["comments.json:2"].target == ""  # a reply to one's own comment names no one


def test_group_posts_and_comments():
    entries = by_id(read_all(FB2024))
    assert entries["group_posts_and_comments.json:1"].target == "Guru Honorer Bersatu"
    comment = entries["your_comments_in_groups.json:1"]
    assert (comment.target, comment.extra["group"]) == ("Yusuf Hamdani", "Posko Pemenangan Kecamatan Contoh")


def test_reactions_in_both_layouts_are_deduplicated():
    likes = [entry for entry in items(read_all(FB2024)) if entry.kind == "like"]
    assert [(like.id, like.target) for like in likes] == [
        ("900000000000011", "Prabowo Subianto"),
        ("900000000000012", "Relawan Sahabat Pelangi"),  # owner given as an Owner block
        ("900000000000013", "KPU Kabupaten Contoh"),
        ("likes_and_reactions_1.json:3", "Toko Kue Bu Sri"),  # same second as the KPU like, other owner
        ("likes_and_reactions_1.json:4", "Dedi Kurnia"),
        ("pages_you've_liked.json:1", "Ganjar Pranowo"),
    ]
    assert likes[0].url == "https://www.facebook.com/prabowosubianto/posts/777"
    assert likes[0].extra["reaction"] == "Like"
    assert likes[3].extra == {"reaction": "LIKE", "title": "Rina Marlina menyukai kiriman Toko Kue Bu Sri."}
    assert likes[3].parent_text == ""


def test_messages_are_never_opened():
    # The fixture's message_1.json is not valid JSON: reading it would raise.
    assert read_all(FB2024)


def test_zip_with_wrapper_folder_reads_like_the_folder(tmp_path):
    archive = zip_folder(FB2024, tmp_path / "facebook-rina.zip", prefix="facebook-rina-2024-02-20/")
    from_zip, from_folder = read_all(archive), read_all(FB2024)
    assert [(e.id, e.kind, e.text, e.target) for e in items(from_zip)] == \
           [(e.id, e.kind, e.text, e.target) for e in items(from_folder)]
    assert items(from_zip)[0].source == (f"{archive}/facebook-rina-2024-02-20/your_facebook_activity/posts/"
                                         "your_posts__check_ins__photos_and_videos_1.json")


# --- older layouts ----------------------------------------------------------------------------------------

def test_2022_layout_with_a_single_object_posts_file():
    entries = items(read_all(FIXTURES / "fb2022"))
    assert [(e.kind, e.target) for e in entries] == [
        ("post", "Anies Baswedan"), ("comment", "Partai Pelangi"), ("like", "Anies Baswedan"), ("like", "")]
    sticker_comment = entries[1]
    assert (sticker_comment.text, sticker_comment.url) == ("", "https://video.example.invalid/orasi")


def test_oldest_layout_reads_reactions_v2():
    entries = items(read_all(FIXTURES / "fb_old"))
    assert [(e.id, e.kind, e.target) for e in entries] == [
        ("your_posts_1.json:1", "post", ""), ("comments.json:1", "comment", "Budi Hartono"),
        ("posts_and_comments.json:1", "like", "Budi Hartono")]


# --- detection ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    FB2024, FIXTURES / "fb2022", FIXTURES / "fb_old",
    FB2024 / "your_facebook_activity" / "comments_and_reactions" / "comments.json",
    FB2024 / "your_facebook_activity" / "comments_and_reactions" / "likes_and_reactions_1.json",
])
def test_detects_folders_and_single_files(path):
    with open_archive(str(path)) as archive:
        assert facebook.detect(archive)


def test_single_file_keeps_the_file_as_source():
    path = FB2024 / "your_facebook_activity" / "comments_and_reactions" / "comments.json"
    entries = read_all(path)
    assert {entry.source for entry in entries} == {str(path)}
    assert items(entries)[0].kind == "comment"


def test_a_generic_feed_named_comments_json_is_not_taken(tmp_path):
    path = tmp_path / "comments.json"
    path.write_text(json.dumps([{"id": "1", "kind": "comment", "text": "halo"}]))
    with open_archive(str(path)) as archive:
        assert not facebook.detect(archive)


def test_html_export_asks_for_a_json_export():
    with pytest.raises(FeedError) as error:
        read_all(FIXTURES / "fb_html")
    assert str(error.value) == (f"{FIXTURES / 'fb_html'}: this Facebook export is in HTML format, which cannot "
                                "be read; download it again and choose the JSON format")


def test_forcing_the_platform_on_another_export_says_what_is_missing(tmp_path):
    (tmp_path / "catatan.json").write_text("[]")
    with pytest.raises(FeedError, match="no Facebook export files found"):
        read_all(tmp_path, platform="facebook")


def test_invalid_json_names_file_line_and_column(tmp_path):
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "your_posts_1.json").write_text('[\n  {"timestamp": 1706745600,\n   "title" "x"}\n]')
    with pytest.raises(FeedError) as error:
        read_all(tmp_path)
    assert str(error.value) == (f"{tmp_path}/posts/your_posts_1.json: invalid JSON at line 3 column 12 "
                                "(Expecting ':' delimiter)")


# --- title parsing, mojibake, label_values, timestamps ----------------------------------------------------

@pytest.mark.parametrize("title, owner", [
    ("Budi menyukai kiriman Prabowo Subianto.", "Prabowo Subianto"),
    ("X liked Y's post.", "Y"),
    ("Budi Santoso reacted to Calon Bupati Contoh's video.", "Calon Bupati Contoh"),
    ("Budi Santoso liked Partai Contoh.", "Partai Contoh"),
    ("Budi Santoso replied to his own comment.", ""),
    ("Budi Santoso liked a post.", ""),
    ("Budi posted in Relawan Jawa Barat.", "Relawan Jawa Barat"),
    ("Budi mengomentari foto Siti Aminah.", "Siti Aminah"),
    ("Budi Santoso updated his status.", None),
])
def test_owner_from_title(title, owner):
    assert facebook.owner_from_title(title) == owner


@pytest.mark.parametrize("escaped, repaired", [
    ("\u00f0\u009f\u0087\u00ae\u00f0\u009f\u0087\u00a9", "🇮🇩"),
    ("\u00e2\u009c\u008c\u00ef\u00b8\u008f", "✌️"),
    ("\u00e2\u0080\u009cya\u00e2\u0080\u009d", "“ya”"),
    ("café", "café"),  # genuine Latin-1: not valid UTF-8 once re-encoded, kept
    ("ok ’", "ok ’"),  # characters above U+00FF: already proper text, kept
    ("plain", "plain"),
])
def test_fix_mojibake(escaped, repaired):
    assert fix_mojibake(escaped) == repaired


def test_label_values_prefixes_labels_inside_titled_blocks():
    record = {"label_values": [
        {"label": "Reaction", "value": "Wow"},
        {"title": "Owner", "dict": [{"dict": [{"label": "Name", "value": "A"}, {"label": "URL", "value": "u"}]}]},
        {"title": "Tags", "vec": [{"label": "Tag", "value": "t1"}, {"label": "Tag", "value": "t2"}]}]}
    assert label_values(record) == {"Reaction": "Wow", "Owner.Name": "A", "Owner.URL": "u", "Tags.Tag": "t1"}


@pytest.mark.parametrize("value, expected", [
    (1706745600, "2024-02-01T00:00:00+00:00"), ("1706745600", "2024-02-01T00:00:00+00:00"), (None, ""), (0, "")])
def test_unix_seconds_become_utc(value, expected):
    assert from_unix(value) == expected


def test_unix_time_that_is_not_a_time_raises():
    with pytest.raises(ValueError):
        from_unix("kemarin")


# --- archive-level errors --------------------------------------------------------------------------------

def test_unreadable_zip_is_one_line_feed_error(tmp_path):
    path = tmp_path / "facebook.zip"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(FeedError) as error:
        read_all(path)
    assert str(error.value).startswith(f"{path}: not a readable zip archive")
    assert "\n" not in str(error.value)


def test_zip_with_a_corrupt_member_is_one_line_feed_error(tmp_path):
    folder = tmp_path / "export" / "posts"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "fb_old" / "posts" / "your_posts_1.json", folder)
    path = tmp_path / "facebook.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.write(folder / "your_posts_1.json", "posts/your_posts_1.json")
    data = bytearray(path.read_bytes())
    data[data.index(b"Kerja bakti")] ^= 0xFF  # break the stored bytes, not the zip directory
    path.write_bytes(bytes(data))
    with pytest.raises(FeedError) as error:
        read_all(path)
    assert str(error.value).startswith(f"{path}/posts/your_posts_1.json: cannot read the file (Bad CRC-32")
    assert "\n" not in str(error.value)


def test_unknown_archive_is_one_line_feed_error(tmp_path):
    (tmp_path / "catatan.txt").write_text("belanja: beras, telur")
    (tmp_path / "foto.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(FeedError) as error:
        read_all(tmp_path)
    assert str(error.value) == f"{tmp_path}: no recognisable feed or platform export found"
