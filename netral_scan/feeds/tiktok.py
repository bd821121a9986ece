"""TikTok "Download your data" in JSON: one ``user_data_tiktok.json`` (older: ``user_data.json``).

Three layouts are in circulation (section 4 of the export-formats research): sections moved between roots
("Activity", "Your Activity", "Likes and Favorites", "Post" / "Video"), key casing drifts ("Date"/"date"),
and empty lists are ``null``. Every known path is probed, without regard to case. Likes, shares and
reposts carry only a date and a link.
"""

from __future__ import annotations

import re
from typing import Iterator

from netral_scan.errors import FeedError
from netral_scan.feeds import Entry, Item
from netral_scan.feeds.archive import Archive
from netral_scan.feeds.meta import (Malformed, basename, build_each, find_members, head, load_json, reexport_error,
                                    text_of, when)
from netral_scan.feeds.timestamps import from_tiktok

PLATFORM = "TikTok"
USER_DATA = re.compile(r"[^/]*user_data[^/]*\.json")
USER_DATA_TXT = re.compile(r"[^/]*user_data[^/]*\.txt")
# A file exported under another name is recognised by these keys in its first part.
MARKERS = (b'"ItemFavoriteList"', b'"CommentsList"', b'"ShareHistoryList"', b'"RepostList"', b'"VideoList"')
MARKER_SNIFF_BYTES = 1024**2
# The TXT export is a folder of files named after the sections.
TXT_NAMES = frozenset({"like list.txt", "share history.txt", "video browsing history.txt", "browsing history.txt",
                       "favorite videos.txt", "comments.txt", "videos.txt", "login history.txt",
                       "search history.txt", "searches.txt"})
TXT_MIN_NAMES = 2
ACTIVITY_ROOTS = ("Your Activity", "Activity")
POSTS = (("Post", "Posts", "VideoList"), ("Video", "Videos", "VideoList"))
COMMENTS = (("Comment", "Comments", "CommentsList"),)
LIKES = tuple((root, "Like List", "ItemFavoriteList") for root in ("Likes and Favorites", *ACTIVITY_ROOTS))
SHARES = tuple((root, "Share History", "ShareHistoryList") for root in ACTIVITY_ROOTS)
REPOSTS = tuple((root, "Reposts", "RepostList") for root in ACTIVITY_ROOTS)
PROFILES = (("Profile And Settings", "Profile Info", "ProfileMap"), ("Profile", "Profile Information", "ProfileMap"),
            ("Profile", "Profile Info", "ProfileMap"))
PLACEHOLDERS = frozenset({"", "N/A", "None", "null"})
_VIDEO_ID = re.compile(r"/(?:video|photo)/(\d+)")


def detect(archive: Archive) -> bool:
    if find_members(archive, USER_DATA) or _txt_export(archive):
        return True
    if archive.single_file:
        member = archive.members()[0]
        start = head(archive, member, MARKER_SNIFF_BYTES)
        return start.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") and any(m in start for m in MARKERS)
    return False


def read(archive: Archive) -> Iterator[Entry]:
    members = find_members(archive, USER_DATA) or (archive.members()[:1] if archive.single_file else [])
    if not members:
        if _txt_export(archive):
            raise reexport_error(archive, PLATFORM, "TXT")
        raise FeedError(archive.name, "no TikTok export file found (user_data_tiktok.json)")
    for member in members:
        source = archive.display(member)
        data = load_json(archive, member)
        if not isinstance(data, dict):
            raise FeedError(source, "expected a JSON object with TikTok's sections")
        author = _own_user_name(data)
        for entry in _entries(data, basename(member), source):
            if isinstance(entry, Item):
                entry.author = author
            yield entry


def _entries(data: dict, name: str, source: str) -> Iterator[Entry]:
    for paths, build in ((POSTS, _post), (COMMENTS, _comment), (LIKES, _like), (SHARES, _share),
                         (REPOSTS, _repost)):
        for path in paths:
            records = _section(data, path)
            if records is None:
                continue
            if not isinstance(records, list):
                raise FeedError(source, f"section {' > '.join(path)} is not a list")
            list_name = path[-1]
            yield from build_each(
                records, lambda record, position: build(record, f"{name}:{list_name}:{position}", source),
                source, list_name, position_label=f"{' > '.join(path)} item")


def _txt_export(archive: Archive) -> bool:
    names = {basename(member).casefold() for member in archive.members()}
    return bool(find_members(archive, USER_DATA_TXT)) or len(names & TXT_NAMES) >= TXT_MIN_NAMES


def _own_user_name(data: dict) -> str:
    """The account's own user name, the author of everything in the file."""
    profiles = (_section(data, path) for path in PROFILES)
    profile = next((found for found in profiles if isinstance(found, dict)), {})
    name = _field_value(profile, "userName")
    return name if isinstance(name, str) else ""


def _section(data: dict, path: tuple):
    """The value at ``path`` (keys compared without case), or ``None`` when absent or ``null``."""
    value = data
    for key in path:
        if not isinstance(value, dict):
            return None
        value = _field_value(value, key)
    return value


def _field_value(record: dict, name: str):
    if name in record:
        return record[name]
    wanted = name.casefold()
    return next((value for key, value in record.items() if key.casefold() == wanted), None)


def _field(record: dict, name: str) -> str:
    value = text_of(_field_value(record, name)).strip()
    return "" if value in PLACEHOLDERS else value


def _post(record: dict, item_id: str, source: str) -> Item:
    # A slideshow's Link holds one address per line; the first identifies the post.
    link = _field(record, "Link").splitlines()[0] if _field(record, "Link") else ""
    video_id = _VIDEO_ID.search(link)
    return Item(id=video_id.group(1) if video_id else item_id, kind="post", text=_field(record, "Title"),
                created_at=when(from_tiktok, _field(record, "Date")), url=link, source=source,
                extra={"likes": _field(record, "Likes")} if _field(record, "Likes") else {})


def _comment(record: dict, item_id: str, source: str) -> Item:
    if _field_value(record, "Comment") is None:
        raise Malformed("comment record without comment text")
    url = _field(record, "url")
    context = {key: _field(record, key) for key in ("video", "photo") if _field(record, key)}
    return Item(id=item_id, kind="comment", text=_field(record, "Comment"),
                created_at=when(from_tiktok, _field(record, "Date")),
                url=url if url.startswith("http") else "", source=source, extra=context)


def _like(record: dict, item_id: str, source: str) -> Item:
    return _link_only(record, item_id, source, "like", {})


def _share(record: dict, item_id: str, source: str) -> Item:
    extra = {key: _field(record, key) for key in ("SharedContent", "Method") if _field(record, key)}
    return _link_only(record, item_id, source, "share", extra)


def _repost(record: dict, item_id: str, source: str) -> Item:
    return _link_only(record, item_id, source, "share", {"repost": True})


def _link_only(record: dict, item_id: str, source: str, kind: str, extra: dict) -> Item:
    link = _field(record, "Link")
    if not link:
        raise Malformed(f"{kind} record without link")
    return Item(id=item_id, kind=kind, created_at=when(from_tiktok, _field(record, "Date")), url=link,
                source=source, extra=extra)
