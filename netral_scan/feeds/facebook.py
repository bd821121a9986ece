"""Facebook "Download Your Information" export in JSON (docs/export-formats.md section 1 of the research).

Files are found by name, not path: the folders changed between the three generations of the export
(``posts/``, ``your_activity_across_facebook/``, ``your_facebook_activity/``) and a zip may add a wrapper
folder. Messages are never opened. Comments by other people inside a post's media (``media.comments``)
are never read: they are not the subject's acts.

Titles ("Budi liked Partai Contoh's post.") are written in the account's UI language; they are parsed for
the owner's name where the sentence is recognised and kept whole in ``extra["title"]`` as evidence.
"""

from __future__ import annotations

import re
from typing import Iterator

from netral_scan.errors import FeedError
from netral_scan.feeds import Entry, Item, Skipped
from netral_scan.feeds.archive import Archive
from netral_scan.feeds.meta import (Malformed, build_each, find_members, first_url, head, label_values,
                                    load_meta_json, record_list, reexport_error, stable_id, text_of, when)
from netral_scan.feeds.timestamps import from_unix

PLATFORM = "Facebook"
POSTS = re.compile(r"your_posts(?:__check_ins__photos_and_videos)?(?:_\d+)?\.json")
OTHER_PAGES = re.compile(r"posts_on_other_pages_and_profiles(?:_\d+)?\.json")
GROUP_POSTS = re.compile(r"group_posts_and_comments\.json")
GROUP_COMMENTS = re.compile(r"your_comments_in_groups\.json")
REACTIONS = re.compile(r"likes_and_reactions(?:_\d+)?\.json")
PAGE_LIKES = re.compile(r"pages_you(?:'|’)ve_liked\.json")
# Names other exports use too: only taken when the content shows Facebook's key.
COMMENTS = re.compile(r"comments\.json")
OLD_REACTIONS = re.compile(r"posts_and_comments\.json")
SNIFFED = ((COMMENTS, b'"comments_v2"'), (OLD_REACTIONS, b'"reactions_v2"'))
BY_NAME = (POSTS, OTHER_PAGES, GROUP_POSTS, GROUP_COMMENTS, REACTIONS, PAGE_LIKES)
HTML_NAMES = re.compile(r"(?:your_posts\w*|likes_and_reactions(?:_\d+)?|your_comments_in_groups|"
                        r"group_posts_and_comments|posts_on_other_pages_and_profiles\w*)\.html")
HTML_FOLDERS = ("your_facebook_activity/", "your_activity_across_facebook/")

# What a title names after the verb ("…'s post", "kiriman …"); English from real exports, Indonesian
# from the research's example only ("Budi menyukai kiriman Prabowo Subianto.") - extend when a real
# Indonesian export is seen.
_OBJECTS_EN = (r"(?:post|photo|video|comment|reply|link|reel|status|story|album|event|life event|timeline|note"
               r"|live video)")
_OBJECTS_ID = (r"(?:kiriman|postingan|foto|video|komentar|balasan|tautan|reel|status|cerita|album|acara|kronologi"
               r"|catatan)")
OWNER_PATTERNS = (
    re.compile(rf"\b(?:liked|reacted to|commented on|replied to|wrote on|shared|posted on) "
               rf"(?P<owner>.+?)['’]s {_OBJECTS_EN}\b"),
    re.compile(r"\b(?:liked|reacted to|replied to|commented on|posted in|shared a link to|shared a post to) "
               r"(?P<owner>.+?)\.?$"),
    re.compile(rf"\b(?:menyukai|menanggapi|mengomentari|membalas|membagikan|bereaksi terhadap|berkomentar di) "
               rf"{_OBJECTS_ID} (?:dari |milik )?(?P<owner>.+?)\.?$"),
    re.compile(r"\b(?:menyukai|membalas|menanggapi|memposting di|mengirim di|menulis di kronologi) "
               r"(?P<owner>.+?)\.?$"),
)
NOT_AN_OWNER = re.compile(rf"(?:an? |his |her |their |your |sebuah |.* sendiri$|{_OBJECTS_ID}$)", re.I)


def detect(archive: Archive) -> bool:
    if any(find_members(archive, pattern) for pattern in BY_NAME):
        return True
    if any(marker in head(archive, member) for pattern, marker in SNIFFED
           for member in find_members(archive, pattern)):
        return True
    return bool(_html_members(archive))


def read(archive: Archive) -> Iterator[Entry]:
    files = {name: find_members(archive, pattern) for name, pattern in
             (("posts", POSTS), ("other_pages", OTHER_PAGES), ("group_posts", GROUP_POSTS),
              ("group_comments", GROUP_COMMENTS), ("reactions", REACTIONS), ("page_likes", PAGE_LIKES))}
    files["comments"] = _sniffed(archive, COMMENTS, b'"comments_v2"')
    files["reactions"] += _sniffed(archive, OLD_REACTIONS, b'"reactions_v2"')
    if not any(files.values()):
        if _html_members(archive):
            raise reexport_error(archive, PLATFORM, "HTML")
        raise FeedError(archive.name, "no Facebook export files found (such as your_posts_1.json or comments.json)")
    for member in files["posts"] + files["other_pages"]:
        yield from _read_file(archive, member, (), "post", _post_or_label_values)
    for member in files["group_posts"]:
        yield from _read_file(archive, member, ("group_posts_v2",), "group post", _group_post)
    for member in files["comments"]:
        yield from _read_file(archive, member, ("comments_v2",), "comment", _comment)
    for member in files["group_comments"]:
        yield from _read_file(archive, member, ("group_comments_v2",), "group comment", _comment)
    reactions = _Reactions()
    for member in files["reactions"]:
        yield from _read_file(archive, member, ("reactions_v2",), "reaction", reactions.build)
    for member in files["page_likes"]:
        yield from _read_file(archive, member, ("page_likes_v2", "page_likes"), "page like", _page_like)


def _sniffed(archive: Archive, pattern: re.Pattern, marker: bytes) -> list[str]:
    return [member for member in find_members(archive, pattern) if marker in head(archive, member)]


def _html_members(archive: Archive) -> list[str]:
    return [member for member in archive.members() if member.endswith(".html")
            and (HTML_NAMES.fullmatch(member.rsplit("/", 1)[-1]) or any(f in member for f in HTML_FOLDERS))]


def _read_file(archive: Archive, member: str, keys: tuple, what: str, build) -> Iterator[Entry]:
    source = archive.display(member)
    records = record_list(load_meta_json(archive, member), source, keys)
    yield from build_each(records, lambda record, position: build(record, position, member, source),
                          source, what)


def owner_from_title(title: str) -> str | None:
    """The owner named in a title sentence ("… liked Partai Contoh's post." → "Partai Contoh"); ``""`` when
    it names no one else ("… replied to his own comment.", "… liked a post."); ``None`` when the sentence
    is not recognised."""
    for pattern in OWNER_PATTERNS:
        match = pattern.search(title)
        if match:
            owner = match.group("owner").strip()
            return "" if NOT_AN_OWNER.match(owner) else owner
    return None


def _target(title: str, fallback: str) -> str:
    """The owner from the title; for a title that is not recognised, ``fallback`` (usually the sentence
    itself, so that a watched name inside it can still be found)."""
    owner = owner_from_title(title)
    return fallback if owner is None else owner


def _post_or_label_values(record: dict, position: int, member: str, source: str) -> Item:
    if "label_values" in record:
        return _post_on_other_page(record, position, member, source)
    return _post(record, position, member, source, title_as_target=False)


def _group_post(record: dict, position: int, member: str, source: str) -> Item:
    return _post(record, position, member, source, title_as_target=True)


def _post(record: dict, position: int, member: str, source: str, title_as_target: bool) -> Item:
    """An own post; one with an ``external_context`` attachment is a share of that link."""
    title = text_of(record.get("title"))
    texts = [text_of(data.get("post")) for data in _dicts(record.get("data")) if data.get("post")]
    attachments = [data for attachment in _dicts(record.get("attachments"))
                   for data in _dicts(attachment.get("data"))]
    external = next((data["external_context"] for data in attachments
                     if isinstance(data.get("external_context"), dict)), None)
    extra = _extra(title=title, media=sum(1 for data in attachments if "media" in data),
                   place=_place_name(attachments))
    target = _target(title, title if title_as_target else "")
    return Item(id=stable_id(member, position), kind="share" if external else "post",
                text="\n".join(texts) or _media_description(attachments),
                parent_text=text_of(external.get("name")) if external else "",
                target=target, created_at=when(from_unix, record.get("timestamp")),
                url=text_of(external.get("url")) if external else "", source=source, extra=extra)


def _post_on_other_page(record: dict, position: int, member: str, source: str) -> Item:
    values = label_values(record)
    return Item(id=str(record.get("fbid") or stable_id(member, position)), kind="post",
                text=values.get("Message", ""), target=values.get("Target", ""),
                created_at=when(from_unix, record.get("timestamp")),
                url=values.get("URL") or first_url(values.values()), source=source)


def _comment(record: dict, position: int, member: str, source: str) -> Item:
    comment = next((data["comment"] for data in _dicts(record.get("data"))
                    if isinstance(data.get("comment"), dict)), None)
    if comment is None:
        raise Malformed("comment record without comment data")
    title = text_of(record.get("title"))
    group = text_of(comment.get("group"))
    attachments = [data for attachment in _dicts(record.get("attachments"))
                   for data in _dicts(attachment.get("data"))]
    link = next((data["external_context"].get("url") for data in attachments
                 if isinstance(data.get("external_context"), dict)), "")
    author = text_of(comment.get("author"))
    owner = owner_from_title(title)
    # A comment in a group on one's own post is aimed at the group.
    target = owner or group or (_without_actor(title, author) if owner is None else "")
    return Item(id=stable_id(member, position), kind="comment", text=text_of(comment.get("comment")),
                target=target, author=author,
                created_at=when(from_unix, comment.get("timestamp") or record.get("timestamp")),
                url=text_of(link), source=source,
                extra=_extra(title=title, group=group, media=sum(1 for data in attachments if "media" in data)))


def _page_like(record: dict, position: int, member: str, source: str) -> Item:
    return Item(id=stable_id(member, position), kind="like", target=text_of(record.get("name")),
                created_at=when(from_unix, record.get("timestamp")), url=text_of(record.get("url")),
                source=source, extra={"object": "page"})


class _Reactions:
    """Reactions in both layouts, each reaction once.

    A 2024+ export holds the same reactions twice: ``likes_and_reactions.json`` (label_values: reaction,
    URL, owner name) and ``likes_and_reactions_N.json`` (title sentence only). A reaction seen in the other
    layout at the same second on the same owner is reported as a duplicate instead of a second like.
    """

    def __init__(self):
        self.seen: dict[str, list[tuple[str, str, str]]] = {}

    def build(self, record: dict, position: int, member: str, source: str) -> Entry:
        if "label_values" in record:
            layout, item = "label_values", self._new_layout(record, position, member, source)
        else:
            layout, item = "title", self._old_layout(record, position, member, source)
        target, title = item.target.casefold(), item.extra.get("title", "").casefold()
        earlier = self.seen.setdefault(item.created_at, [])
        for other_layout, other_target, other_title in earlier:
            if other_layout != layout and target and other_target and (
                    target == other_target or target in other_title or other_target in title):
                return Skipped("duplicate reaction (listed in both likes_and_reactions layouts)", source,
                               f"record {position}")
        earlier.append((layout, target, title))
        return item

    @staticmethod
    def _new_layout(record: dict, position: int, member: str, source: str) -> Item:
        values = label_values(record)
        title = text_of(record.get("title"))
        target = (values.get("Name") or values.get("Owner.Name") or values.get("Owner.Username")
                  or _target(title, title))
        return Item(id=str(record.get("fbid") or stable_id(member, position)), kind="like", target=target,
                    created_at=when(from_unix, record.get("timestamp")),
                    url=values.get("URL") or first_url(values.values()), source=source,
                    extra=_extra(reaction=values.get("Reaction", ""), title=title,
                                 owner_url=values.get("Owner.URL", "")))

    @staticmethod
    def _old_layout(record: dict, position: int, member: str, source: str) -> Item:
        reaction = next((data["reaction"] for data in _dicts(record.get("data"))
                         if isinstance(data.get("reaction"), dict)), {})
        title = text_of(record.get("title"))
        if not title and not reaction:
            raise Malformed("reaction record without title or reaction data")
        actor = text_of(reaction.get("actor"))
        return Item(id=stable_id(member, position), kind="like",
                    target=_target(title, _without_actor(title, actor)),
                    author=actor, created_at=when(from_unix, record.get("timestamp")),
                    source=source, extra=_extra(reaction=text_of(reaction.get("reaction")), title=title))


def _without_actor(title: str, actor: str) -> str:
    """An unrecognised title as target, without the subject's own name in front: a civil servant who
    shares a name with a candidate must not match the watchlist on every one of their titles."""
    if actor and title.startswith(actor):
        return title[len(actor):].strip()
    return title


def _dicts(value) -> list[dict]:
    return [element for element in value if isinstance(element, dict)] if isinstance(value, list) else []


def _media_description(attachments: list[dict]) -> str:
    """A photo's own caption, when the post has no text and all its media carry the same one."""
    descriptions = {text_of(data["media"].get("description")) for data in attachments
                    if isinstance(data.get("media"), dict)}
    return descriptions.pop() if len(descriptions) == 1 else ""


def _place_name(attachments: list[dict]) -> str:
    return next((text_of(data["place"].get("name")) for data in attachments
                 if isinstance(data.get("place"), dict)), "")


def _extra(**values) -> dict:
    return {key: value for key, value in values.items() if value}
