"""X / Twitter archive: ``data/tweets.js`` (or ``tweet.js``, ``tweets-partN.js``) and ``data/like.js``.

The files are JavaScript assignments (``window.YTD.tweets.part0 = [...]``): the assignment is blanked out
and the rest parsed as JSON, never evaluated. ``data/manifest.js``, when present, names the part files.
"""

from __future__ import annotations

import html
import re
from typing import Iterator

from netral_scan.errors import FeedError
from netral_scan.feeds import Entry, Item, Skipped
from netral_scan.feeds.archive import Archive
from netral_scan.feeds.meta import (Malformed, basename, build_each, find_members, head, load_json, record_list,
                                    stable_id, text_of, when)
from netral_scan.feeds.timestamps import from_snowflake, from_twitter

TWEETS = re.compile(r"tweets?(?:-part\d+)?\.js")
LIKES = re.compile(r"like(?:-part\d+)?\.js")
MANIFEST = re.compile(r"manifest\.js")
DATA_MARKERS = (b"window.YTD.", b"window.__THAR_CONFIG")
MARKER_SNIFF_BYTES = 256
MANIFEST_TYPES = {"tweets": ("tweets", "tweet"), "likes": ("like",)}
_ASSIGNMENT = re.compile(r"\A\s*window\.[\w.$]+\s*=")
_RETWEET = re.compile(r"RT @(?P<user>\w+): ?(?P<text>.*)", re.DOTALL)
_STATUS_URL = re.compile(r"https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(?P<user>\w+)/status/\d+", re.IGNORECASE)
PERMALINK = "https://x.com/i/web/status/{}"
TRUNCATION_MARK = "…"  # retweets and liked tweets are cut at about 140 characters


def detect(archive: Archive) -> bool:
    candidates = find_members(archive, TWEETS) + find_members(archive, LIKES) + find_members(archive, MANIFEST)
    return any(head(archive, member, MARKER_SNIFF_BYTES).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(DATA_MARKERS)
               for member in candidates)


def read(archive: Archive) -> Iterator[Entry]:
    own_handle, tweet_files, like_files = "", [], []
    manifests = find_members(archive, MANIFEST)
    if manifests:
        own_handle, tweet_files, like_files, missing = _from_manifest(archive, manifests[0])
        yield from missing
    # Without a manifest, or with one that lists nothing of a kind, the files are found by name.
    tweet_files = tweet_files or find_members(archive, TWEETS)
    like_files = like_files or find_members(archive, LIKES)
    if not (tweet_files or like_files or manifests):
        raise FeedError(archive.name, "no X/Twitter archive files found (such as data/tweets.js or data/like.js)")
    for member in tweet_files:
        source = archive.display(member)
        records = record_list(load_json(archive, member, _blank_assignment), source)
        yield from build_each(records, lambda record, position: _tweet(record, position, member, source, own_handle),
                              source, "tweet")
    for member in like_files:
        source = archive.display(member)
        records = record_list(load_json(archive, member, _blank_assignment), source)
        yield from build_each(records, lambda record, position: _like(record, source, own_handle), source,
                              "like")


def _blank_assignment(text: str) -> str:
    """Replace ``window.YTD.x.part0 =`` with spaces (so JSON errors keep their line and column) and drop the
    trailing semicolon."""
    match = _ASSIGNMENT.match(text)
    if match:
        text = re.sub(r"[^\n]", " ", match.group()) + text[match.end():]
    return text.rstrip().removesuffix(";")


def _from_manifest(archive: Archive, manifest: str):
    """Own handle, tweet files, like files and a Skipped entry for each listed file that is missing.

    The manifest names files as ``data/tweets.js``; they are looked up next to the manifest, whatever
    folder the archive was unpacked into.
    """
    config = load_json(archive, manifest, _blank_assignment)
    if not isinstance(config, dict):
        raise FeedError(archive.display(manifest), "manifest is not a JSON object")
    folder = manifest[: -len(basename(manifest))]
    present = set(archive.members())
    data_types = config.get("dataTypes") if isinstance(config.get("dataTypes"), dict) else {}
    found: dict[str, list[str]] = {"tweets": [], "likes": []}
    missing = []
    for kind, type_names in MANIFEST_TYPES.items():
        for type_name in type_names:
            entry = data_types.get(type_name)
            for listed in (entry.get("files") or []) if isinstance(entry, dict) else []:
                name = text_of(listed.get("fileName")) if isinstance(listed, dict) else ""
                member = folder + basename(name)
                if member in present:
                    found[kind].append(member)
                elif name and str(listed.get("count", "")) != "0":
                    missing.append(Skipped(f"{kind} file listed in manifest.js is missing",
                                           archive.display(manifest), name))
    user_info = config.get("userInfo") if isinstance(config.get("userInfo"), dict) else {}
    return text_of(user_info.get("userName")), found["tweets"], found["likes"], missing


def _tweet(record: dict, position: int, member: str, source: str, own_handle: str) -> Item:
    tweet = record.get("tweet", record)  # archives from about 2019 have no "tweet" wrapper
    if not isinstance(tweet, dict):
        raise Malformed("tweet record is not an object")
    raw_text = tweet.get("full_text", tweet.get("text"))
    if raw_text is None:
        raise Malformed("tweet without text")
    tweet_id = text_of(tweet.get("id_str") or tweet.get("id"))
    text = _expand_links(html.unescape(text_of(raw_text)), tweet)
    item = Item(id=tweet_id or stable_id(member, position), kind="post", text=text, author=own_handle,
                created_at=when(from_twitter, tweet.get("created_at")),
                url=PERMALINK.format(tweet_id) if tweet_id else "", source=source)
    retweet = _RETWEET.match(text)
    reply_to = text_of(tweet.get("in_reply_to_status_id_str") or tweet.get("in_reply_to_status_id"))
    quoted = next((match for match in map(_STATUS_URL.search, _expanded_urls(tweet)) if match), None)
    if retweet:
        item.kind, item.target, item.text = "share", retweet["user"], ""
        item.parent_text = retweet["text"]
        if item.parent_text.endswith(TRUNCATION_MARK):
            item.extra["truncated"] = True
    elif reply_to:
        item.target = text_of(tweet.get("in_reply_to_screen_name"))
        item.extra["in_reply_to"] = reply_to
        # A reply to oneself continues a thread: it is a post, not a comment on someone.
        item.kind = "post" if own_handle and item.target.casefold() == own_handle.casefold() else "comment"
    elif quoted and quoted["user"].casefold() != own_handle.casefold():
        item.kind, item.target = "share", quoted["user"]
        item.extra["quoted_url"] = quoted.group()
    return item


def _like(record: dict, source: str, own_handle: str) -> Item:
    like = record.get("like", record)
    tweet_id = text_of(like.get("tweetId"))
    if not tweet_id:
        raise Malformed("like without tweetId")
    # No time of the like is exported; the liked tweet's own time is derivable from its id.
    return Item(id=f"like:{tweet_id}", kind="like", parent_text=html.unescape(text_of(like.get("fullText"))),
                author=own_handle, url=text_of(like.get("expandedUrl")), source=source,
                extra={"tweet_created_at": from_snowflake(tweet_id)})


def _link_entities(tweet: dict) -> list[dict]:
    entities = [tweet.get("entities"), tweet.get("extended_entities")]
    return [link for group in entities if isinstance(group, dict) for key in ("urls", "media")
            for link in group.get(key) or [] if isinstance(link, dict)]


def _expanded_urls(tweet: dict) -> list[str]:
    """Addresses of the links in the text (media links point at the tweet itself and are left out)."""
    entities = tweet.get("entities") if isinstance(tweet.get("entities"), dict) else {}
    return [link["expanded_url"] for link in entities.get("urls") or []
            if isinstance(link, dict) and isinstance(link.get("expanded_url"), str)]


def _expand_links(text: str, tweet: dict) -> str:
    """Replace ``t.co`` short links with the addresses they stand for."""
    for link in _link_entities(tweet):
        short, long = link.get("url"), link.get("expanded_url")
        if isinstance(short, str) and isinstance(long, str) and short:
            text = text.replace(short, long)
    return text
