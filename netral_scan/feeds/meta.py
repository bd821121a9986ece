"""Helpers shared by the platform-export readers.

Most of them exist because of Meta (Facebook, Instagram): its exports escape every non-ASCII UTF-8 byte as
``\\u00XX`` (mojibake), keep records in a generic ``label_values`` tree, and wrap the same lists either as a
bare array or under one key. The JSON loading and record-guarding helpers are used by every reader.
"""

from __future__ import annotations

import json
import re
import zipfile
import zlib
from typing import Callable, Iterable, Iterator

from netral_scan.errors import FeedError
from netral_scan.feeds import Entry, Skipped
from netral_scan.feeds.archive import STDIN_NAME, Archive

SNIFF_BYTES = 64 * 1024
# macOS adds resource forks when it re-zips a folder: a __MACOSX/ tree and "._name" files.
MACOS_FOLDER, MACOS_FORK_PREFIX = "__MACOSX/", "._"
_PART_NUMBER = re.compile(r"(\d+)")


class Malformed(ValueError):
    """A record that cannot become an item; the message is the reason reported in :class:`Skipped`."""


def basename(member: str) -> str:
    return member.rsplit("/", 1)[-1]


def find_members(archive: Archive, pattern: re.Pattern) -> list[str]:
    """Members whose file name (not path: folders were renamed twice) matches ``pattern``, with part files
    in numeric order (``_2`` before ``_10``)."""
    found = [member for member in archive.members()
             if pattern.fullmatch(basename(member)) and not _is_junk(member)]
    return sorted(found, key=_natural_key)


def _is_junk(member: str) -> bool:
    return member.startswith(MACOS_FOLDER) or basename(member).startswith(MACOS_FORK_PREFIX)


def _natural_key(member: str) -> list:
    return [int(part) if part.isdigit() else part for part in _PART_NUMBER.split(member)]


def head(archive: Archive, member: str, size: int = SNIFF_BYTES) -> bytes:
    """The first bytes of a member, for detection; never reads stdin, which could not be read again."""
    if archive.name == STDIN_NAME:
        return b""
    try:
        with archive.open(member) as stream:
            return stream.read(size)
    except (OSError, FeedError, zipfile.BadZipFile, zlib.error, EOFError):
        return b""


def load_json(archive: Archive, member: str, prepare: Callable[[str], str] | None = None):
    """Parse one member as JSON (``prepare`` may rewrite the text first, keeping positions).

    Raises :class:`FeedError` naming the member and the line and column of a syntax error.
    """
    source = archive.display(member)
    try:
        with archive.open(member) as stream:
            data = stream.read()
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise FeedError(source, f"cannot read the file ({error})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FeedError(source, f"invalid UTF-8 at byte {error.start}") from None
    if prepare is not None:
        text = prepare(text)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise FeedError(source, f"invalid JSON at line {error.lineno} column {error.colno} ({error.msg})") from None
    except ValueError as error:  # e.g. an integer too long to convert
        raise FeedError(source, f"invalid JSON ({error})") from None
    except RecursionError:
        raise FeedError(source, "invalid JSON (nested too deeply)") from None


def fix_mojibake(text: str) -> str:
    """Undo Meta's escaping of UTF-8 bytes as Latin-1 characters; keep text that was not escaped that way
    (plain ASCII, genuine Latin-1, or characters above U+00FF)."""
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def repair(value):
    """``fix_mojibake`` applied to every string in a decoded JSON value, keys included (keys are localised
    labels that a reader may need to read)."""
    if isinstance(value, str):
        return fix_mojibake(value)
    if isinstance(value, list):
        return [repair(element) for element in value]
    if isinstance(value, dict):
        return {fix_mojibake(key): repair(element) for key, element in value.items()}
    return value


def load_meta_json(archive: Archive, member: str):
    return repair(load_json(archive, member))


def record_list(value, source: str, keys: Iterable[str] = ()) -> list:
    """The records of a file, whichever wrapper it uses: a bare array, an object holding the list under
    one of ``keys`` (or under its only key), or a single record object. ``null`` means no records."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if not isinstance(value, dict):
        raise FeedError(source, "expected a JSON array or object of records")
    for key in keys:
        if key in value:
            return _as_list(value[key])
    if len(value) == 1:
        (only,) = value.values()
        if isinstance(only, list) or only is None:
            return _as_list(only)
    return [value]


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def label_values(record: dict) -> dict[str, str]:
    """Flatten Meta's generic ``label_values`` tree into ``{label: value}``.

    Labels inside a titled block get the title as prefix (``Owner.Name``); the first occurrence wins.
    """
    found: dict[str, str] = {}
    _walk_labels(record.get("label_values"), "", found)
    return found


def _walk_labels(entries, prefix: str, found: dict) -> None:
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        if "label" in entry:
            value = entry.get("value") or entry.get("href")
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                found.setdefault(prefix + str(entry["label"]), str(value))
        title = entry.get("title")
        inner = f"{prefix}{title}." if isinstance(title, str) and title else prefix
        for key in ("dict", "vec"):
            _walk_labels(entry.get(key), inner, found)


def first_url(values: Iterable[str]) -> str:
    """The first value shaped like a web address (labels are localised; the shape is not)."""
    return next((value for value in values if value.startswith(("http://", "https://"))), "")


def build_each(records: Iterable, build: Callable[[dict, int], Entry], source: str,
               what: str, position_label: str = "record") -> Iterator[Entry]:
    """Turn records into entries; a record that cannot be read becomes :class:`Skipped`, never a crash."""
    for position, record in enumerate(records, start=1):
        where = f"{position_label} {position}"
        if not isinstance(record, dict):
            yield Skipped(f"{what} record is not an object", source, where)
            continue
        try:
            entry = build(record, position)
        except Malformed as error:
            entry = Skipped(str(error), source, where)
        except (AttributeError, KeyError, TypeError, ValueError, IndexError):
            entry = Skipped(f"malformed {what} record", source, where)
        yield entry


def when(parse: Callable[[object], str], value) -> str:
    """A timestamp through ``parse``; a value that is not a time makes the record malformed."""
    try:
        return parse(value)
    except (ValueError, TypeError):
        raise Malformed("invalid timestamp") from None


def text_of(value) -> str:
    """A text field that must be text (or absent)."""
    if value is None:
        return ""
    if isinstance(value, (dict, list, bool)):
        raise Malformed("text field is not text")
    return str(value)


def stable_id(member: str, position: int) -> str:
    """An id for a record without a platform id: file name and position, the same for zip and folder."""
    return f"{basename(member)}:{position}"


def reexport_error(archive: Archive, platform: str, found_format: str) -> FeedError:
    return FeedError(archive.name, f"this {platform} export is in {found_format} format, which cannot be "
                                   f"read; download it again and choose the JSON format")
