"""Instagram export from Meta's Accounts Center, in JSON (section 2 of the export-formats research).

Files are found by name: posts moved from ``content/`` to ``media/`` and a zip may add a wrapper folder.
Each list comes either as a bare array or under one key, "not predictable from the file name". Comment
fields are keyed by labels in the account's language, so they are recognised by the shape of their values.
"""

from __future__ import annotations

import re
from typing import Iterator

from netral_scan.errors import FeedError
from netral_scan.feeds import Entry, Item
from netral_scan.feeds.archive import Archive
from netral_scan.feeds.meta import (Malformed, build_each, find_members, first_url, head, label_values,
                                    load_meta_json, record_list, reexport_error, stable_id, text_of, when)
from netral_scan.feeds.timestamps import from_unix

PLATFORM = "Instagram"
FOLDER = "your_instagram_activity/"
POSTS = re.compile(r"(?:posts|archived_posts)(?:_\d+)?\.json|reels\.json")
COMMENTS = re.compile(r"(?:post_comments|reels_comments)(?:_\d+)?\.json")
# The research's specimen of the unverified new layout carries a suffix in its name; accept such names.
LIKES = re.compile(r"liked_(?:posts|comments)(?:_\d+)?(?:\.[\w.]+)?\.json")
# posts_1.json is a common name: outside an Instagram folder, the content must look like Instagram media.
POST_MARKERS = (b'"creation_timestamp"', b'"ig_reels_media"')
HTML_NAMES = re.compile(r"(?:posts_\d+|post_comments(?:_\d+)?|liked_posts|liked_comments)\.html")
POST_KEYS = ("ig_reels_media", "ig_archived_post_media")
COMMENT_KEYS = ("comments_media_comments", "comments_reels_comments")
LIKE_KEYS = ("likes_media_likes", "likes_comment_likes")
# English and Dutch labels are seen in real exports; the Indonesian ones are guesses. Labels not known
# here fall back to the shape of the values.
COMMENT_LABELS = ("comment", "opmerking", "komentar")
OWNER_LABEL_HINTS = ("owner", "eigenaar", "pemilik", "username", "pengguna")


def detect(archive: Archive) -> bool:
    if find_members(archive, COMMENTS) or find_members(archive, LIKES):
        return True
    return bool(_post_files(archive) or _html_members(archive))


def read(archive: Archive) -> Iterator[Entry]:
    posts = _post_files(archive)
    comments, likes = find_members(archive, COMMENTS), find_members(archive, LIKES)
    if not (posts or comments or likes):
        if _html_members(archive):
            raise reexport_error(archive, PLATFORM, "HTML")
        raise FeedError(archive.name, "no Instagram export files found (such as posts_1.json or liked_posts.json)")
    for member in posts:
        yield from _read_file(archive, member, POST_KEYS, "post", _post)
    for member in comments:
        yield from _read_file(archive, member, COMMENT_KEYS, "comment", _comment)
    for member in likes:
        yield from _read_file(archive, member, LIKE_KEYS, "like", _like)


def _post_files(archive: Archive) -> list[str]:
    return [member for member in find_members(archive, POSTS)
            if FOLDER in member or any(marker in head(archive, member) for marker in POST_MARKERS)]


def _html_members(archive: Archive) -> list[str]:
    return [member for member in archive.members()
            if HTML_NAMES.fullmatch(member.rsplit("/", 1)[-1]) or (FOLDER in member and member.endswith(".html"))]


def _read_file(archive: Archive, member: str, keys: tuple, what: str, build) -> Iterator[Entry]:
    source = archive.display(member)
    records = record_list(load_meta_json(archive, member), source, keys)
    yield from build_each(records, lambda record, position: build(record, position, member, source),
                          source, what)


def _post(record: dict, position: int, member: str, source: str) -> Item:
    """Carousels keep caption and time on the post; single-media posts keep them on ``media[0]``."""
    media = [element for element in record.get("media") or [] if isinstance(element, dict)]
    first = media[0] if media else {}
    caption = text_of(record.get("title")) or text_of(first.get("title"))
    created = record.get("creation_timestamp") or first.get("creation_timestamp")
    if not created and not caption and not media:
        raise Malformed("post record without media, caption or time")
    return Item(id=stable_id(member, position), kind="post", text=caption, created_at=when(from_unix, created),
                source=source, extra={"media": len(media)})


def _comment(record: dict, position: int, member: str, source: str) -> Item:
    fields = record.get("string_map_data")
    if not isinstance(fields, dict):
        raise Malformed("comment record without string_map_data")
    created, comment, owner = "", "", ""
    texts: dict[str, str] = {}
    for label, field in fields.items():
        if not isinstance(field, dict):
            continue
        if field.get("timestamp") and not created:
            created = when(from_unix, field["timestamp"])
        value = field.get("value")
        if isinstance(value, str) and value:
            texts[label] = value
    for label, value in texts.items():
        lowered = label.casefold()
        if lowered in COMMENT_LABELS:
            comment = value
        elif any(hint in lowered for hint in OWNER_LABEL_HINTS):
            owner = value
    if not comment:
        rest = [value for label, value in texts.items() if value != owner]
        comment = max(rest, key=len, default="")
    return Item(id=stable_id(member, position), kind="comment", text=comment, target=owner,
                created_at=created, source=source)


def _like(record: dict, position: int, member: str, source: str) -> Item:
    if "label_values" in record:
        values = label_values(record)
        return Item(id=str(record.get("fbid") or stable_id(member, position)), kind="like",
                    parent_text=values.get("Caption", ""),
                    target=values.get("Owner.Username") or values.get("Owner.Name") or values.get("Username", ""),
                    created_at=when(from_unix, record.get("timestamp")),
                    url=values.get("URL") or first_url(values.values()), source=source,
                    extra={"owner_name": values["Owner.Name"]} if "Owner.Name" in values else {})
    liked = next((entry for entry in record.get("string_list_data") or [] if isinstance(entry, dict)), None)
    if liked is None:
        raise Malformed("like record without string_list_data")
    return Item(id=stable_id(member, position), kind="like", target=text_of(record.get("title")),
                created_at=when(from_unix, liked.get("timestamp")), url=text_of(liked.get("href")),
                source=source, extra={"reaction": text_of(liked.get("value"))} if liked.get("value") else {})
