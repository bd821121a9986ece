import io
import json

import netral_scan.scan as scan_module
from netral_scan.reports import RowWriter
from netral_scan.scan import Rows, scan


def test_batches_count_a_block_of_lines_as_its_records():
    from netral_scan.feeds import Pending, Skipped, decoded
    from netral_scan.feeds.generic import decode_ndjson_line

    block = Pending(decode_ndjson_line, "f.jsonl", [b'{"text": "a"}\n'] * 3, [1, 2, 4])
    skipped = Skipped("invalid JSON line", "f.jsonl", "line 5")
    batches = list(scan_module._batches([block, skipped, block, skipped, skipped], 4))
    assert batches == [[block, skipped], [block, skipped], [skipped]]
    assert [entry.position if isinstance(entry, Skipped) else entry.id
            for entry in decoded(batches[0])] == ["f.jsonl:1", "f.jsonl:2", "f.jsonl:4", "line 5"]


def _feed(tmp_path):
    texts = ["besok coblos nomor 2 ya, lanjutkan!", "jadwal debat capres malam ini di TV", "sarapan nasi uduk enak",
             "jangan pilih paslon itu, cuma jago ngomong", "ASN wajib netral, jangan like postingan kampanye"]
    path = tmp_path / "feed.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for number in range(60):
            handle.write(json.dumps({"id": str(number), "text": f"{texts[number % len(texts)]} {number}"}) + "\n")
        handle.write("not json\n")
    return str(path)


def test_workers_render_the_same_output_as_one_process(tmp_path, monkeypatch, default_model):
    monkeypatch.setattr(scan_module, "BATCH_SIZE", 7)  # nine batches: the parent judges one, workers the rest
    feed = _feed(tmp_path)
    outputs, summaries = {}, {}
    for jobs in (1, 2):
        stream = io.StringIO()
        summaries[jobs] = scan([feed], default_model, RowWriter(stream), include_all=True, jobs=jobs)
        outputs[jobs] = stream.getvalue()
    assert outputs[2] == outputs[1]
    assert outputs[1].count("\n") == 1 + 60  # the header and every item (include_all)
    assert summaries[2].items_read == summaries[1].items_read == 61
    assert summaries[2].skipped == summaries[1].skipped and summaries[1].skipped_total == 1


def test_rows_keeps_the_rows_as_dicts_in_input_order(tmp_path, monkeypatch, default_model):
    monkeypatch.setattr(scan_module, "BATCH_SIZE", 7)
    rows = Rows()
    summary = scan([_feed(tmp_path)], default_model, rows, jobs=2)
    assert len(rows) == summary.flagged > 0
    ids = [int(row["id"]) for row in rows]
    assert ids == sorted(ids) and all(row["flagged"] == "true" for row in rows)


def test_what_was_read_before_a_file_breaks_is_judged_alike_by_one_process_or_many(tmp_path, monkeypatch,
                                                                                     default_model):
    monkeypatch.setattr(scan_module, "BATCH_SIZE", 7)  # the break comes after four full batches and a partial one
    path = tmp_path / "feed.json"
    records = [{"id": str(number), "text": "besok coblos nomor 2 ya" if number % 2 else "sarapan dulu"}
               for number in range(30)]
    path.write_text(json.dumps(records)[:-30], encoding="utf-8")  # truncated inside the last record
    results = {}
    for jobs in (1, 2):
        stream = io.StringIO()
        summary = scan([str(path)], default_model, RowWriter(stream), include_all=True, jobs=jobs)
        results[jobs] = (stream.getvalue(), summary.items_read, summary.errors)
    assert results[2] == results[1]
    output, read, errors = results[1]
    assert read == 29 and output.count("\n") == 1 + 29  # every whole record before the break
    assert len(errors) == 1 and "truncated JSON" in errors[0]
