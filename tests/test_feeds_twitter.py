"""X / Twitter reader: manifest and part files, replies, retweets, quotes, likes, and the JS wrapper."""

import zipfile
from collections import Counter
from pathlib import Path

import pytest

from netral_scan.errors import FeedError
from netral_scan.feeds import Skipped
from netral_scan.feeds import twitter
from netral_scan.feeds.archive import open_archive
from netral_scan.feeds.timestamps import from_snowflake, from_twitter

from conftest import read_all, items, by_id

FIXTURES = Path(__file__).parent / "fixtures" / "exports" / "twitter"
X2024 = FIXTURES / "x2024"





def test_archive_counts_across_part_files():
    entries = read_all(X2024)
    assert Counter(entry.kind for entry in items(entries)) == {"post": 2, "comment": 1, "share": 2, "like": 2}
    assert Counter(entry.reason for entry in entries if isinstance(entry, Skipped)) == {
        "invalid timestamp": 1, "tweet without text": 1}


def test_post_has_entities_unescaped_and_short_links_expanded():
    post = by_id(read_all(X2024))["1750000000000000001"]
    assert (post.kind, post.text, post.created_at, post.url) == (
        "post", "Debat & adu gagasan malam ini, simak di https://berita.example.invalid/debat",
        "2024-02-01T02:00:00+00:00", "https://x.com/i/web/status/1750000000000000001")


def test_reply_is_a_comment_on_the_replied_account():
    reply = by_id(read_all(X2024))["1750000000000000002"]
    assert (reply.kind, reply.target, reply.text) == ("comment", "prabowo", "@prabowo Lanjutkan Pak! ✌️")


def test_author_is_the_handle_named_in_the_manifest():
    assert {entry.author for entry in items(read_all(X2024))} == {"rina_asn"}


def test_reply_to_oneself_continues_a_thread_as_a_post():
    assert by_id(read_all(X2024))["1750000000000000004"].kind == "post"


def test_retweet_is_a_share_of_the_retweeted_text():
    retweet = by_id(read_all(X2024))["1750000000000000003"]
    assert (retweet.kind, retweet.target, retweet.text) == ("share", "aniesbaswedan", "")
    assert retweet.parent_text == "Perubahan untuk Indonesia yang adil makmur untuk semua, mari kita wujudkan bersama…"
    assert retweet.extra["truncated"] is True


def test_quote_of_another_account_is_a_share_with_own_words():
    quote = by_id(read_all(X2024))["1750000000000000006"]
    assert (quote.kind, quote.target, quote.source) == ("share", "ganjarpranowo", f"{X2024}/data/tweets-part1.js")
    assert quote.text == "Cek ini https://twitter.com/ganjarpranowo/status/1750000000000000999"


def test_likes_carry_the_liked_text_but_no_time():
    entries = by_id(read_all(X2024))
    like = entries["like:1755000000000000123"]
    assert (like.kind, like.parent_text, like.text, like.created_at, like.url) == (
        "like", "Coblos nomor 3, sat set! & tuntas", "", "",
        "https://twitter.com/i/web/status/1755000000000000123")
    assert like.extra == {"tweet_created_at": from_snowflake("1755000000000000123")}
    assert entries["like:1755000000000000124"].parent_text == ""  # deleted or protected tweet


def test_file_listed_in_manifest_but_missing_is_reported(tmp_path):
    archive = tmp_path / "twitter-2024.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for file in (X2024 / "data").iterdir():
            if file.name != "tweets-part1.js" and file.is_file():
                out.write(file, f"twitter-2024/data/{file.name}")
    entries = read_all(archive)
    assert Skipped("tweets file listed in manifest.js is missing", f"{archive}/twitter-2024/data/manifest.js",
                   "data/tweets-part1.js") in entries
    assert "1750000000000000001" in by_id(entries)


def test_zip_reads_like_the_folder(tmp_path):
    archive = tmp_path / "x.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for file in X2024.rglob("*"):
            if file.is_file():
                out.write(file, file.relative_to(X2024).as_posix())
    assert [(e.id, e.kind, e.text) for e in items(read_all(archive))] == \
           [(e.id, e.kind, e.text) for e in items(read_all(X2024))]


def test_old_archive_without_tweet_wrapper_or_manifest():
    (tweet,) = read_all(FIXTURES / "x2019")
    assert (tweet.id, tweet.kind, tweet.text, tweet.created_at) == (
        "1100000000000000001", "post", "Pemilu damai, jangan golput ya", "2019-03-03T10:00:00+00:00")


@pytest.mark.parametrize("path", [X2024, FIXTURES / "x2019", X2024 / "data" / "tweets.js", X2024 / "data" / "like.js"])
def test_detects_archives_and_single_files(path):
    with open_archive(str(path)) as archive:
        assert twitter.detect(archive)


def test_single_tweets_file_is_read_without_the_manifest():
    entries = read_all(X2024 / "data" / "tweets.js")
    assert len(items(entries)) == 4
    # Without the manifest the own handle is unknown: a reply to oneself stays a comment.
    assert by_id(entries)["1750000000000000004"].kind == "comment"


def test_broken_file_names_its_line_and_column(tmp_path):
    path = tmp_path / "tweets.js"
    path.write_text('window.YTD.tweets.part0 = [ {\n  "tweet" : { "id_str" : "1" ]\n} ]')
    with pytest.raises(FeedError) as error:
        read_all(path)
    assert str(error.value) == f"{path}: invalid JSON at line 2 column 30 (Expecting ',' delimiter)"


def test_javascript_is_never_evaluated(tmp_path):
    path = tmp_path / "tweets.js"
    path.write_text('window.YTD.tweets.part0 = (function () { return [] })()')
    with pytest.raises(FeedError, match="invalid JSON at line 1 column 27"):
        read_all(path)


@pytest.mark.parametrize("value, expected", [
    ("Wed Nov 02 21:30:39 +0000 2022", "2022-11-02T21:30:39+00:00"),
    ("Wed Nov 02 21:30:39 +0700 2022", "2022-11-02T21:30:39+07:00"),
    ("", ""),
])
def test_twitter_time(value, expected):
    assert from_twitter(value) == expected


def test_snowflake_time():
    assert from_snowflake("1750000000000000001") == "2024-01-24T03:38:08+00:00"
    assert from_snowflake("not-an-id") == ""
