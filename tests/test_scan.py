

def test_undecoded_lines_travel_to_workers_packed_and_come_back_the_same():
    from netral_scan.feeds import Pending, Skipped
    from netral_scan.feeds.generic import decode_ndjson_line
    from netral_scan.scan import _packed, _unpacked

    lines = [Pending(decode_ndjson_line, b'{"text": "a"}\n', "f.jsonl", number) for number in (1, 2, 4)]
    packed = _packed(lines)
    assert not isinstance(packed, list) and _unpacked(packed) == lines
    mixed = lines + [Skipped("invalid JSON line", "f.jsonl", "line 5")]
    assert _packed(mixed) is mixed and _unpacked(mixed) is mixed
