"""The generic feed format: a JSON array, NDJSON (``.jsonl``/``.ndjson``) or CSV of item objects.

Fields: ``id, kind, text, parent_text, target, author, created_at, url`` (see README); unknown fields are
kept in ``Item.extra`` and ignored. Everything is streamed: JSON arrays item by item with ijson, NDJSON and
CSV line by line.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import json.scanner
from datetime import datetime, timezone
from typing import BinaryIO, Iterator

from netral_scan.errors import FeedError
from netral_scan.feeds import KINDS, Entry, Item, Pending, Skipped
from netral_scan.feeds.archive import Archive, StdinArchive

TEXT_FIELDS = ("text", "parent_text", "target", "author", "url")  # in the order _entry unpacks them
FEED_FIELDS = frozenset({"id", "kind", "created_at", *TEXT_FIELDS})
KIND_ALIASES = {
    "status": "post", "tweet": "post", "video": "post", "reply": "comment", "retweet": "share",
    "repost": "share", "quote": "share", "reaction": "like", "favorite": "like", "favourite": "like",
}
SNIFF_BYTES = 64 * 1024
EXACT_POSITION_MAX_BYTES = 256 * 1024**2  # re-read a broken JSON file to name line:column up to this size
CSV_FIELD_LIMIT = 64 * 1024**2
NDJSON_BLOCK_LINES = 2000  # lines read and sent on undecoded together (scan's batch size)
MAX_JSON_DEPTH = 100  # nesting levels a JSON array feed may use (platform exports use fewer than ten)
_JSON_OPENING, _JSON_CLOSING = ("start_map", "start_array"), ("end_map", "end_array")
JSON_WHITESPACE = " \t\n\r"  # what JSON allows around a value (not the rest of Unicode's spaces)
_SCAN_JSON = json.scanner.make_scanner(json.JSONDecoder())  # one value at a position: (value, end)
FORMAT_BY_EXTENSION = {".json": "json", ".jsonl": "ndjson", ".ndjson": "ndjson", ".csv": "csv"}


def detect(archive: Archive) -> bool:
    """Any single file (its content decides the format), or a folder or zip holding feed files."""
    return archive.single_file or bool(_feed_members(archive))


def _feed_members(archive: Archive) -> list[str]:
    return [member for member in archive.members()
            if "." + member.rsplit(".", 1)[-1].lower() in FORMAT_BY_EXTENSION and not _hidden(member)]


def _hidden(member: str) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in member.split("/"))


def read(archive: Archive) -> Iterator[Entry]:
    members = archive.members() if archive.single_file else _feed_members(archive)
    for member in members:
        yield from _read_member(archive, member)


def _read_member(archive: Archive, member: str) -> Iterator[Entry]:
    source = archive.display(member)
    raw = archive.open(member)
    try:
        stream, first = _utf8_stream(raw, source)
        feed_format = _feed_format(member, first, source)
        if feed_format == "json":
            yield from _read_json(stream, source, archive, member)
        elif feed_format == "ndjson":
            yield from _read_ndjson(stream, source)
        else:
            yield from _read_csv(stream, source)
    except OSError as error:
        raise FeedError(source, f"read error ({error.strerror or error})") from None
    finally:
        if not isinstance(archive, StdinArchive):
            raw.close()


class _Prefixed(io.RawIOBase):
    """A raw stream that first returns an already-read prefix, then the rest of the original stream."""

    def __init__(self, prefix: bytes, rest: BinaryIO):
        self._prefix = prefix
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._prefix:
            size = min(len(buffer), len(self._prefix))
            buffer[:size] = self._prefix[:size]
            self._prefix = self._prefix[size:]
            return size
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _Utf8Transcoder(io.RawIOBase):
    """Re-encode a text stream (e.g. UTF-16) as UTF-8 bytes for the byte-oriented parsers."""

    def __init__(self, text: io.TextIOBase):
        self._text = text
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while len(self._pending) < len(buffer):
            chunk = self._text.read(SNIFF_BYTES)
            if not chunk:
                break
            self._pending += chunk.encode("utf-8", "surrogateescape")
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _utf8_stream(raw: BinaryIO, source: str) -> tuple[io.BufferedReader, bytes]:
    """Return a buffered UTF-8 byte stream without BOM and its first non-blank byte (``b''`` if empty)."""
    prefix = raw.read(SNIFF_BYTES)
    if prefix.startswith(b"\xef\xbb\xbf"):
        prefix = prefix[3:]
    elif prefix.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = io.TextIOWrapper(io.BufferedReader(_Prefixed(prefix, raw)), encoding="utf-16",
                                errors="surrogateescape")
        stream = io.BufferedReader(_Utf8Transcoder(text), SNIFF_BYTES)
        return stream, stream.peek(SNIFF_BYTES).lstrip()[:1]
    stripped = prefix.lstrip()
    if not stripped and not prefix:
        raise FeedError(source, "file is empty")
    if not stripped and len(prefix) < SNIFF_BYTES:
        raise FeedError(source, "file holds only whitespace")
    if b"\x00" in prefix:
        raise FeedError(source, "binary data, not a text feed (not JSON, NDJSON or CSV)")
    return io.BufferedReader(_Prefixed(prefix, raw), SNIFF_BYTES), stripped[:1]


def _feed_format(member: str, first: bytes, source: str) -> str:
    extension = "." + member.rsplit(".", 1)[-1].lower() if "." in member else ""
    by_extension = FORMAT_BY_EXTENSION.get(extension)
    if by_extension in ("json", "ndjson"):
        if first not in (b"[", b"{"):
            raise FeedError(source, f"not JSON: the file starts with {first!r} instead of '[' or '{{'")
        if by_extension == "json" and first == b"{":
            raise FeedError(source, "expected a JSON array of items, found an object "
                                    "(for one object per line name the file .jsonl)")
        return by_extension
    if by_extension == "csv":
        return "csv"
    if first == b"[":
        return "json"
    if first == b"{":
        return "ndjson"
    return "csv"


def _read_json(stream: io.BufferedReader, source: str, archive: Archive, member: str) -> Iterator[Entry]:
    import ijson

    position = 0
    try:
        for position, value in enumerate(_array_items(stream), start=1):
            yield _entry(value, source, position, f"item {position}")
    except (UnicodeDecodeError, ijson.JSONError) as error:
        if isinstance(error, UnicodeDecodeError) or "UTF8" in str(error):
            raise FeedError(source, _utf8_error_location(archive, member, position)) from None
        raise FeedError(source, _json_error_location(archive, member, error)) from None
    except _TooDeep:
        raise FeedError(source, f"invalid JSON: nested more than {MAX_JSON_DEPTH} levels deep (in item {position + 1})"
                        ) from None
    if position == 0 and not _is_json_array(archive, member):
        raise FeedError(source, "expected a JSON array of items")


class _TooDeep(Exception):
    """A JSON array nested deeper than MAX_JSON_DEPTH."""


def _array_items(stream: io.BufferedReader) -> Iterator:
    """The values of a top-level JSON array, as ``ijson.items(stream, "item")`` gives them, but refusing nesting deeper
    than MAX_JSON_DEPTH: ijson's item prefixes take memory quadratic in the depth (a 200 kB file of nested brackets
    took all of it), and a value that deep could not be sent to a worker anyway. Nothing for another root."""
    import ijson
    from ijson.common import ObjectBuilder

    # use_float=True: yajl itself then refuses an integer past 64 bits ("integer overflow"). With use_float=False
    # ijson 3.6's C parser reads any integer, but a 5,000-digit one crashed the process (segmentation fault).
    events = ijson.basic_parse(stream, use_float=True)
    if next(events, (None, None))[0] != "start_array":
        return
    depth, builder = 1, None
    for event, value in events:
        if event in _JSON_OPENING:
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise _TooDeep
        elif event in _JSON_CLOSING:
            depth -= 1
        if builder is None:
            if depth == 0:  # the array has ended; reading on lets ijson refuse anything after it
                continue
            if depth == 1:  # a number, string, true, false or null item
                yield value
                continue
            builder = ObjectBuilder()
        builder.event(event, value)
        if depth == 1:
            yield builder.value
            builder = None


def _is_json_array(archive: Archive, member: str) -> bool:
    if archive.name == "-":
        return True
    with archive.open(member) as again:
        return again.read(SNIFF_BYTES).lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"["


def _utf8_error_location(archive: Archive, member: str, items_before: int) -> str:
    """Name the byte offset of invalid UTF-8 in a JSON file (re-read only on this error path)."""
    if archive.name != "-":
        with archive.open(member) as again:
            offset = 0
            decoder = codecs.getincrementaldecoder("utf-8")()
            while block := again.read(SNIFF_BYTES):
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as error:
                    return f"invalid UTF-8 at byte {offset + error.start} (after item {items_before})"
                offset += len(block)
    return f"invalid UTF-8 (after item {items_before})"


def _json_error_location(archive: Archive, member: str, error: Exception) -> str:
    """Name line:column of a JSON error by re-reading the file with the json module, when it is a file of
    reasonable size; otherwise give ijson's own description."""
    if archive.name != "-":
        try:
            with archive.open(member) as again:
                data = again.read(EXACT_POSITION_MAX_BYTES + 1)
            if len(data) <= EXACT_POSITION_MAX_BYTES:
                json.loads(data.decode("utf-8-sig", "replace"))
        except json.JSONDecodeError as exact:
            text = exact.doc.rstrip()
            at_end = exact.msg.startswith("Unterminated string") or exact.pos >= len(text)
            if at_end:
                line, column = text.count("\n") + 1, len(text) - text.rfind("\n")
                return f"truncated JSON: the file ends at line {line} column {column} (byte {len(data)})"
            return f"invalid JSON at line {exact.lineno} column {exact.colno} ({exact.msg})"
        except (OSError, FeedError, ValueError, RecursionError):  # e.g. an integer of more than 4,300 digits
            pass
    return "invalid JSON (" + " ".join(str(error).split())[:120] + ")"


def _read_ndjson(stream: io.BufferedReader, source: str) -> Iterator[Pending]:
    read = 0
    while lines := list(itertools.islice(stream, NDJSON_BLOCK_LINES)):
        numbers = list(range(read + 1, read + len(lines) + 1))
        read += len(lines)
        if any(map(bytes.isspace, lines)):  # blank lines are not records
            numbers = [number for number, line in zip(numbers, lines) if not line.isspace()]
            lines = [line for line in lines if not line.isspace()]
        if lines:
            yield Pending(decode_ndjson_line, source, lines, numbers)


def decode_ndjson_line(line: bytes, source: str, number: int) -> Entry:
    """The item of one NDJSON line, or why it cannot be one."""
    where = f"line {number}"
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return Skipped("invalid UTF-8", source, where)
    try:
        try:
            # The json module's C scanner, called directly: the Python that json.loads wraps around it cost almost
            # as much as the scanning (0.44 s against 0.25 s over 200,000 lines). Anything unusual goes through
            # json.loads.
            value, end = _SCAN_JSON(text, 0)
            if end != len(text) and text[end:].strip(JSON_WHITESPACE):
                raise ValueError("extra data")
        except (StopIteration, ValueError):
            value = json.loads(text)  # the same value, or the error with its exact column
    except json.JSONDecodeError as error:
        return Skipped("invalid JSON line", source, f"{where} column {error.colno}")
    except RecursionError:
        return Skipped("invalid JSON line", source, f"{where}, nested too deeply")
    except ValueError:  # an integer of more than 4,300 digits
        return Skipped("invalid JSON line", source, f"{where}, number too long")
    return _entry(value, source, number, where)


def _read_csv(stream: io.BufferedReader, source: str) -> Iterator[Entry]:
    csv.field_size_limit(CSV_FIELD_LIMIT)
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="surrogateescape", newline="")
    reader = csv.DictReader(text)
    try:
        columns = [name.strip() for name in reader.fieldnames or []]
        if not {"text", "parent_text"} & set(columns):
            found = ", ".join(columns[:8]) or "nothing"
            raise FeedError(source, f"CSV needs a 'text' or 'parent_text' column (found: {found})")
        reader.fieldnames = columns
        for number, row in enumerate(reader, start=1):
            where = f"line {reader.line_num}"
            row.pop(None, None)
            if any(_has_bad_bytes(value) for value in row.values()):
                yield Skipped("invalid UTF-8", source, where)
                continue
            yield _entry({key: value for key, value in row.items() if value not in (None, "")}, source, number, where)
    except csv.Error as error:
        raise FeedError(source, f"invalid CSV at line {reader.line_num} ({error})") from None


def _has_bad_bytes(value) -> bool:
    return isinstance(value, str) and any("\udc80" <= char <= "\udcff" for char in value)


def _entry(value, source: str, number: int, where: str) -> Entry:
    """Build an item from one decoded record, or say why it cannot be one."""
    if not isinstance(value, dict):
        return Skipped("record is not an object", source, where)
    if FEED_FIELDS.isdisjoint(value):
        return Skipped("record has none of the feed fields", source, where)
    texts = []
    for name in TEXT_FIELDS:
        field_value = value.get(name, "")
        if type(field_value) is not str:  # nearly always a string: test that first
            if isinstance(field_value, (dict, list)):
                return Skipped(f"field '{name}' is not text", source, where)
            field_value = "" if field_value is None else str(field_value)
        texts.append(field_value)
    text, parent_text, target, author, url = texts
    kind = value.get("kind")
    if kind not in KINDS:  # the common case is already a clean kind name
        kind = str(kind or "post").strip().lower()
        kind = KIND_ALIASES.get(kind, kind)
        if kind not in KINDS:
            return Skipped("unknown kind", source, where)
    item_id = value.get("id")
    if isinstance(item_id, (dict, list)) or item_id in (None, ""):
        item_id = f"{source}:{number}"
    extra = {} if value.keys() <= FEED_FIELDS else {k: v for k, v in value.items() if k not in FEED_FIELDS}
    created_at = value.get("created_at", "")
    if type(created_at) is not str:
        created_at = _timestamp(created_at)
    # Positional: with keyword arguments, building 100,000s of items takes half as long again.
    return Item(str(item_id), kind, text, parent_text, target, author, created_at, url, source, extra)


def _timestamp(value) -> str:
    """ISO 8601 text as given; Unix seconds become ISO 8601 UTC."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(value, tz=timezone.utc).isoformat()
        except (OverflowError, OSError, ValueError):
            return ""
    return str(value) if not isinstance(value, (dict, list)) else ""
