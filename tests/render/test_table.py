import datetime as dt
import json

import polars as pl
import pytest

from monitor.render.table import as_table, cut_id, fit_widths, render

T = dt.datetime(2021, 2, 5, 2, 0, 7, tzinfo=dt.UTC)


def frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "name": ["int_product_page_views", "stg_events"],
            "runs": [3, 12],
            "median_s": [41.234, 0.5],
            "last": [T, None],
            "ok": [True, False],
            "trend": [[1.0, 2.0, 8.0], [3.0, 3.0]],
            "tags": [["nightly", "core"], []],
            "unique_id": ["model.greenery.int_product_page_views", "model.greenery.stg_events"],
        }
    )


def test_a_table_that_fits_is_whole() -> None:
    assert as_table(frame(), 200).splitlines() == [
        "name                    runs  median_s  last              ok   trend  tags           "
        "unique_id",
        "──────────────────────  ────  ────────  ────────────────  ───  ─────  ─────────────  "
        "─────────────────────────────────────",
        "int_product_page_views     3     41.23  2021-02-05 02:00  yes  ▁▂█    nightly, core  "
        "model.greenery.int_product_page_views",
        "stg_events                12      0.50                    no   ▁▁                    "
        "model.greenery.stg_events",
    ]


def test_a_narrow_terminal_cuts_text_and_keeps_numbers_and_times() -> None:
    lines = as_table(frame(), 110).splitlines()
    assert [len(line) for line in lines] == [94, 110, 110, 110]
    assert lines[2] == (
        "int_product_page_views     3     41.23  2021-02-05 02:00  yes  ▁▂█    nightly, core  "
        "…y.int_product_page_views"
    )


def test_columns_that_cannot_fit_are_left_out_and_named() -> None:
    lines = as_table(frame(), 60).splitlines()
    assert all(len(line) <= 60 for line in lines)
    assert lines[0] == "name                   runs  median_s  last              ok"
    assert lines[2] == "int_product_page_vie…     3     41.23  2021-02-05 02:00  yes"
    # the note wraps: it is never cut
    assert lines[-2:] == ["(3 more columns, --format csv shows all: trend, tags,", "unique_id)"]


def test_no_rows() -> None:
    assert as_table(frame().clear(), 200).splitlines()[-1] == "(no rows)"


@pytest.mark.parametrize(
    ("text", "width", "cut"),
    [
        ("model.greenery.int_product_page_views", 12, "…_page_views"),
        ("Database Error in model x", 10, "Database …"),
        ("short", 10, "short"),
    ],
)
def test_ids_keep_their_end_other_text_its_start(text: str, width: int, cut: str) -> None:
    assert cut_id(text, width) == cut
    assert len(cut_id(text, width)) <= width


def test_fit_widths_squeezes_the_widest_first() -> None:
    assert fit_widths([10, 40, 30], [6, 6, 6], 80) == [10, 40, 30]
    assert fit_widths([10, 40, 30], [6, 6, 6], 50) == [10, 20, 20]
    assert fit_widths([10, 40, 30], [10, 6, 6], 26) == [10, 8, 8]


def test_csv_is_complete() -> None:
    assert render(frame(), "csv") == (
        "name,runs,median_s,last,ok,trend,tags,unique_id\n"
        "int_product_page_views,3,41.234,2021-02-05T02:00:07.000000+0000,true,1.0;2.0;8.0,nightly;core,model.greenery.int_product_page_views\n"
        'stg_events,12,0.5,,false,3.0;3.0,"",model.greenery.stg_events\n'
    )  # fmt: skip


def test_csv_nested_values_as_json() -> None:
    labels = pl.DataFrame({"labels": [[{"key": "job", "value": "nightly"}]]})
    assert render(labels, "csv") == 'labels\n"[{""key"": ""job"", ""value"": ""nightly""}]"\n'


def test_json_is_an_array_of_row_objects() -> None:
    rows = json.loads(render(frame(), "json"))
    assert rows[0] == {
        "name": "int_product_page_views",
        "runs": 3,
        "median_s": 41.234,
        "last": "2021-02-05T02:00:07+00:00",
        "ok": True,
        "trend": [1.0, 2.0, 8.0],
        "tags": ["nightly", "core"],
        "unique_id": "model.greenery.int_product_page_views",
    }
    assert rows[1]["last"] is None
    assert render(frame().clear(), "json") == "[]\n"


def test_markdown() -> None:
    text = render(frame().select("name", "runs", "trend").head(1), "markdown")
    assert text == (
        "| name | runs | trend |\n|---|---:|---|\n| int_product_page_views | 3 | ▁▂█ |\n"
    )


def test_markdown_escapes_pipes() -> None:
    text = render(pl.DataFrame({"message": ["a | b"]}), "markdown")
    assert text.splitlines()[-1] == "| a \\| b |"


def test_markdown_cells_are_literal_text() -> None:
    hostile = "<script>x</script> [a](javascript:alert(1))\n# heading"
    text = render(pl.DataFrame({"<b>": [hostile]}), "markdown")
    assert text == (
        "| &lt;b&gt; |\n|---|\n"
        "| &lt;script&gt;x&lt;/script&gt; \\[a\\](javascript:alert(1)) # heading |\n"
    )


def test_terminal_cells_have_no_escape_sequences_or_bidi_overrides() -> None:
    hostile = "\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07 \u202eexe \x1b[31mred"
    text = as_table(pl.DataFrame({"message": [hostile]}), 80)
    assert text.splitlines()[-1] == "click exe red"


def test_labels_read_as_key_value() -> None:
    labels = pl.DataFrame({"labels": [[{"key": "job", "value": "nightly"}]]})
    assert as_table(labels, 80).splitlines()[-1] == "job=nightly"


def test_uuids_give_way_first() -> None:
    runs = pl.DataFrame(
        {
            "invocation_id": ["7308425f-c58c-40c3-97c4-9a13f8930755"],
            "message": [
                "int_user_funnel_steps failed: Runtime Error in model int_user_funnel_steps"
            ],
        }
    )
    assert as_table(runs, 200).splitlines()[-1].startswith("7308425f-c58c-40c3-97c4-9a13f8930755  ")
    assert as_table(runs, 80).splitlines() == [
        "invocation_id  message",
        "─────────────  ─────────────────────────────────────────────────────────────────",
        "7308425f-c58…  int_user_funnel_steps failed: Runtime Error in model int_user_fu…",
    ]  # fmt: skip
