import json

import pytest

from netral_scan.errors import FeedError
from netral_scan.feeds import Item, Skipped, read_input


def entries(path):
    return list(read_input(str(path)))


ITEMS = [
    {"id": "a", "kind": "post", "text": "halo", "author": "budi", "created_at": "2024-01-02T03:04:05+07:00",
     "url": "https://example.org/a", "extra_field": 1},
    {"id": "b", "kind": "like", "parent_text": "coblos 02", "target": "tkn"},
]


@pytest.mark.parametrize("name", ["feed.json", "feed.jsonl", "feed.ndjson", "feed.csv"])
def test_each_generic_format_gives_the_same_items(write_feed, name):
    read = entries(write_feed(ITEMS, name))
    assert [(e.id, e.kind, e.text, e.parent_text, e.target) for e in read] == [
        ("a", "post", "halo", "", ""), ("b", "like", "", "coblos 02", "tkn")]
    assert read[0].created_at == "2024-01-02T03:04:05+07:00"
    assert read[0].source.endswith(name)


def test_unknown_fields_are_kept_and_ignored(write_feed):
    assert entries(write_feed(ITEMS, "feed.jsonl"))[0].extra == {"extra_field": 1}


def test_items_without_id_get_a_stable_id_from_file_and_position(write_feed):
    path = write_feed([{"text": "satu"}, {"text": "dua"}], "feed.jsonl")
    assert [e.id for e in entries(path)] == [f"{path}:1", f"{path}:2"]
    assert [e.id for e in entries(path)] == [f"{path}:1", f"{path}:2"]


def test_kind_defaults_to_post_and_aliases_are_understood(write_feed):
    path = write_feed([{"text": "a"}, {"text": "b", "kind": "Reply"}, {"text": "c", "kind": "retweet"}])
    assert [e.kind for e in entries(path)] == ["post", "comment", "share"]


@pytest.mark.parametrize("value, expected", [(42, "42"), (None, ""), (1.5, "1.5")])
def test_scalar_text_is_coerced(write_feed, value, expected):
    assert entries(write_feed([{"text": value}]))[0].text == expected


@pytest.mark.parametrize("value", [["a", "b"], {"a": 1}])
def test_structured_text_is_skipped_with_a_reason(write_feed, value):
    [entry] = entries(write_feed([{"text": value}]))
    assert isinstance(entry, Skipped) and entry.reason == "field 'text' is not text" and entry.position == "line 1"


def test_unknown_kind_is_skipped(write_feed):
    [entry] = entries(write_feed([{"text": "a", "kind": "poke"}]))
    assert isinstance(entry, Skipped) and entry.reason == "unknown kind"


def test_unix_seconds_become_iso_utc(write_feed):
    assert entries(write_feed([{"text": "a", "created_at": 0}]))[0].created_at == "1970-01-01T00:00:00+00:00"


def test_one_bad_ndjson_line_is_counted_and_the_rest_kept(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text('{"text": "satu"}\n{"text": \n{"text": "tiga"}\n', encoding="utf-8")
    read = entries(path)
    assert [e.text for e in read if isinstance(e, Item)] == ["satu", "tiga"]
    [bad] = [e for e in read if isinstance(e, Skipped)]
    assert bad.reason == "invalid JSON line" and bad.position.startswith("line 2")


@pytest.mark.parametrize("line", ['{"text": "a"}', '  {"text": "a"}', '{"text": "a"}  \t\r', '{"text": "a"}\u3000',
                                  '{"text": "a"} {"text": "b"}', '\ufeff{"text": "a"}', '[1, 2]', '"just text"', '{"text": "a"',
                                  '{"text": "a\tb"}', '{"text": NaN}', '{"a": 1, "a": 2, "text": "x"}', ""])
def test_a_ndjson_line_decodes_as_json_loads_reads_it(line):
    from netral_scan.feeds.generic import _entry, decode_ndjson_line

    line += "\n"  # as the reader gives it
    try:
        expected = _entry(json.loads(line), "f", 1, "line 1")
    except json.JSONDecodeError as error:
        expected = Skipped("invalid JSON line", "f", f"line 1 column {error.colno}")
    assert decode_ndjson_line(line.encode("utf-8"), "f", 1) == expected


def test_a_line_nested_too_deeply_is_skipped_not_a_crash(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text('{"text": ' + "[" * 100_000 + "]" * 100_000 + '}\n{"text": "dua"}\n', encoding="utf-8")
    read = entries(path)
    assert read[0] == Skipped("invalid JSON line", str(path), "line 1, nested too deeply")
    assert read[1].text == "dua"


@pytest.mark.parametrize("document", ["[]", '[1, "a", null, true, 2.5, -0]', '[{"a": [1, {"b": {}}], "c": "é"}, [], {}]',
                                      '[[["x"]]]', ' [ {"text": "a", "text": "b"} ] ', "[1] [2]", "[1,", '{"a": 1}', "7"])
def test_json_array_items_are_what_ijson_items_gives(document):
    import io

    import ijson

    from netral_scan.feeds.generic import _array_items

    def read(reader):
        try:
            return list(reader(io.BytesIO(document.encode("utf-8"))))
        except ijson.JSONError as error:
            return type(error)

    assert read(_array_items) == read(lambda stream: ijson.items(stream, "item", use_float=True))


def test_a_json_array_nested_too_deeply_is_refused_without_eating_memory(tmp_path):
    path = tmp_path / "feed.json"  # ijson's own item prefixes would take about 25 GB for this 200 kB file
    path.write_text('[{"text": "a"}, {"x": ' + "[" * 100_000 + "]" * 100_000 + "}]", encoding="utf-8")
    with pytest.raises(FeedError, match=r"nested more than 100 levels deep \(in item 2\)"):
        entries(path)


def test_an_integer_too_long_for_python_in_a_json_array_is_one_error(tmp_path):
    path = tmp_path / "feed.json"
    path.write_text('[{"text": "a"}, {"id": 1' + "0" * 5000 + ', "text": "b"}]', encoding="utf-8")
    with pytest.raises(FeedError, match=r"feed.json: invalid JSON \(parse error: integer overflow"):
        entries(path)


def test_an_integer_too_long_for_python_is_a_skipped_line(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text('{"id": 1' + "0" * 5000 + ', "text": "a"}\n{"text": "b"}\n', encoding="utf-8")
    read = entries(path)
    assert read[0] == Skipped("invalid JSON line", str(path), "line 1, number too long") and read[1].text == "b"


def test_truncated_json_names_the_position(tmp_path):
    path = tmp_path / "feed.json"
    path.write_text('[{"text": "satu"},\n {"text": "du', encoding="utf-8")
    with pytest.raises(FeedError, match=r"feed.json: truncated JSON: the file ends at line 2 column"):
        entries(path)


def test_invalid_json_names_line_and_column(tmp_path):
    path = tmp_path / "feed.json"
    path.write_text('[{"text": "satu"},\n {"text" "dua"}]', encoding="utf-8")
    with pytest.raises(FeedError, match=r"invalid JSON at line 2 column 10"):
        entries(path)


def test_json_of_the_wrong_shape_is_an_error(tmp_path):
    path = tmp_path / "feed.json"
    path.write_text(json.dumps({"items": 3}), encoding="utf-8")
    with pytest.raises(FeedError, match="expected a JSON array of items, found an object"):
        entries(path)


def test_records_that_are_not_items_are_skipped(write_feed):
    read = entries(write_feed([3, {"foo": 1}], "feed.json"))
    assert [e.reason for e in read] == ["record is not an object", "record has none of the feed fields"]


@pytest.mark.parametrize("content, message", [
    (b"", "file is empty"),
    (b"  \n\t \n", "file holds only whitespace"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not JSON"),
])
def test_empty_and_binary_files_are_errors(tmp_path, content, message):
    path = tmp_path / "feed.json"
    path.write_bytes(content)
    with pytest.raises(FeedError, match=message):
        entries(path)


def test_utf8_bom_and_utf16_are_read(tmp_path):
    text = '[{"text": "coblos ✌️"}]'
    for name, data in [("bom.json", b"\xef\xbb\xbf" + text.encode()), ("utf16.json", text.encode("utf-16"))]:
        path = tmp_path / name
        path.write_bytes(data)
        assert entries(path)[0].text == "coblos ✌️"


def test_invalid_utf8_in_a_line_is_skipped(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b'{"text": "ok"}\n{"text": "\xff\xfe bad"}\n')
    read = entries(path)
    assert isinstance(read[0], Item) and read[1] == Skipped("invalid UTF-8", str(path), "line 2")


def test_csv_without_text_columns_is_an_error(tmp_path):
    path = tmp_path / "feed.csv"
    path.write_text("id,message\n1,halo\n", encoding="utf-8")
    with pytest.raises(FeedError, match=r"CSV needs a 'text' or 'parent_text' column \(found: id, message\)"):
        entries(path)


def test_missing_file_is_an_error():
    with pytest.raises(FeedError, match="nope.json: no such file or directory"):
        entries("nope.json")


def test_a_five_megabyte_text_is_read(write_feed):
    big = "kata " * 1_000_000
    assert len(entries(write_feed([{"text": big}], "feed.csv"))[0].text) == len(big)


def test_deferred_ndjson_blocks_decode_to_the_same_entries(tmp_path, monkeypatch):
    import pickle

    from netral_scan.feeds import Pending

    monkeypatch.setattr("netral_scan.feeds.generic.NDJSON_BLOCK_LINES", 2)  # several blocks, one with a blank line
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b'{"id": "a", "text": "coblos 02"}\n\n{"id": "b", "text": [1]}\nnot json\n\xff\xfe\n'
                     b'{"text": "tanpa id", "kind": "like", "parent_text": "x"}\n')
    direct = list(read_input(str(path)))
    deferred = list(read_input(str(path), deferred=True))
    assert all(isinstance(entry, Pending) for entry in deferred)
    assert [entry for block in deferred for entry in pickle.loads(pickle.dumps(block)).decode()] == direct
    assert [number for block in deferred for number in block.numbers] == [1, 3, 4, 5, 6]  # line 2 is blank
    assert [getattr(entry, "reason", None) for entry in direct] == [
        None, "field 'text' is not text", "invalid JSON line", "invalid UTF-8", None]
