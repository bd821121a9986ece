import csv
import io
import json

import pytest

from netral_scan.reports import OUTPUT_COLUMNS, RowWriter, atomic_path, neutralise


def test_columns_are_in_the_documented_order():
    assert OUTPUT_COLUMNS == ("id", "kind", "author", "created_at", "flagged", "label", "score", "reasons", "text",
                              "parent_text", "target", "url", "source")


@pytest.mark.parametrize("value", ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_neutralised(value):
    assert neutralise(value) == "'" + value


def test_plain_cells_are_left_alone():
    assert neutralise("coblos 02") == "coblos 02"


def test_csv_writer_neutralises_and_jsonl_stays_exact():
    row = {"id": "1", "text": "=1+1", "score": "0.5"}
    csv_out, jsonl_out = io.StringIO(), io.StringIO()
    RowWriter(csv_out).write(row)
    RowWriter(jsonl_out, "jsonl").write(row)
    [written] = list(csv.DictReader(io.StringIO(csv_out.getvalue())))
    assert written["text"] == "'=1+1"
    assert json.loads(jsonl_out.getvalue())["text"] == "=1+1"


def test_excel_output_starts_with_a_bom():
    out = io.StringIO()
    RowWriter(out, excel=True).finish()
    assert out.getvalue().startswith("\ufeffid,kind")


def test_the_header_is_written_once_with_the_first_batch_or_at_finish():
    out = io.StringIO()
    writer = RowWriter(out)
    assert out.getvalue() == ""
    writer.put(writer.render([{"id": "1"}]))
    writer.finish()
    assert out.getvalue().count("id,kind") == 1 and out.getvalue().endswith("1" + "," * (len(OUTPUT_COLUMNS) - 1) + "\n")


def test_atomic_path_leaves_nothing_when_the_block_fails(tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as temporary:
            open(temporary, "w").write("half")
            raise RuntimeError("crash")
    assert list(tmp_path.iterdir()) == []


def test_atomic_path_renames_on_success(tmp_path):
    target = tmp_path / "out.csv"
    with atomic_path(target) as temporary:
        open(temporary, "w").write("done")
    assert target.read_text() == "done" and list(tmp_path.iterdir()) == [target]


@pytest.mark.parametrize("output_format,excel", [("csv", False), ("csv", True), ("jsonl", False)])
def test_a_rendered_batch_is_the_rows_written_one_by_one(output_format, excel):
    rows = [{"id": "1587920000000000000", "text": "coblos 02, \"gas\"\nbesok", "score": "0.9"},
            {"id": "2", "text": "-1 hari lagi", "reasons": "coblos; ↳ nomor 2"}, {"id": "3"}]
    one_by_one, batched = io.StringIO(), io.StringIO()
    writer = RowWriter(one_by_one, output_format, excel=excel)
    for row in rows:
        writer.write(row)
    batch_writer = RowWriter(batched, output_format, excel=excel)
    batch_writer.put(batch_writer.render(rows))
    assert batched.getvalue() == one_by_one.getvalue()
    assert batched.getvalue().count("coblos 02") == 1


def test_render_writes_nothing_itself():
    out = io.StringIO()
    writer = RowWriter(out)
    header = out.getvalue()
    assert writer.render([{"id": "1"}]) == "1" + "," * (len(OUTPUT_COLUMNS) - 1) + "\n"
    assert out.getvalue() == header


def test_excel_keeps_a_long_numeric_id_as_text():
    assert RowWriter(io.StringIO(), excel=True).render([{"id": "1587920000000000000"}]).startswith("'158792")
