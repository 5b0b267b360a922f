"""Reading a date,value CSV into an SPC chart as JSON, and the `spc` subcommand.

Each bad file gets the exact message a spreadsheet user would read: the
file, the row (header = row 1) and the fix.
"""

from __future__ import annotations

import argparse
import json
import math

import pytest

from metrics.cli.spc import add_spc_subcommand, run_spc_command
from metrics.spc.csv_input import SpcInputError, read_spc_csv, spc_from_csv

GOOD_ROWS = "".join(f"2024-01-{d:02d},{v}\n" for d, v in zip(range(1, 21), [6, 14] * 10, strict=True))


def write(tmp_path, text: str, name: str = "series.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BAD_FILES = [
    ("empty_file", "", "row 1: the file is empty. Put the header date,value on row 1 and one row per day below it."),
    (
        "blank_lines_only",
        "\n\n",
        "row 1: the file is empty. Put the header date,value on row 1 and one row per day below it.",
    ),
    (
        "header_only",
        "date,value\n",
        "row 2: the file has a header but no data rows. Add one row per day below the header.",
    ),
    (
        "missing_header",
        "2024-01-01,5\n2024-01-02,6\n",
        "row 1: there is no header row (row 1 holds data). Insert a first row with the column names date,value.",
    ),
    (
        "missing_value_column",
        "date,count\n2024-01-01,5\n",
        "row 1: the header lacks the column value (it reads: date,count). Name the columns date and value on row 1.",
    ),
    (
        "missing_both_columns",
        "day,count\n2024-01-01,5\n",
        "row 1: the header lacks the columns date and value (it reads: day,count). Name the columns date and value on "
        "row 1.",
    ),
    (
        "impossible_date",
        "date,value\n2024-01-01,5\n2024-02-30,6\n",
        "row 3: the date '2024-02-30' does not exist. Write dates as YYYY-MM-DD, for example 2024-01-31.",
    ),
    (
        "date_in_another_format",
        "date,value\n2024-01-01,5\n01/02/2024,6\n",
        "row 3: the date '01/02/2024' is not in the form YYYY-MM-DD. Write dates as YYYY-MM-DD, for example "
        "2024-01-31.",
    ),
    ("empty_date", "date,value\n,5\n", "row 2: the date is empty. Write dates as YYYY-MM-DD, for example 2024-01-31."),
    (
        "value_not_a_number",
        "date,value\n2024-01-01,5\n2024-01-02,five\n",
        "row 3: the value 'five' is not a number. Write a plain number such as 12 or 3.5 (no units or thousands "
        "separators), "
        "or leave it empty for a missing day.",
    ),
    (
        "value_with_a_unit",
        "date,value\n2024-01-01,5%\n",
        "row 2: the value '5%' is not a number. Write a plain number such as 12 or 3.5 (no units or thousands "
        "separators), "
        "or leave it empty for a missing day.",
    ),
    (
        "duplicate_date",
        "date,value\n2024-01-01,5\n2024-01-02,6\n2024-01-01,7\n",
        "row 4: the date 2024-01-01 already appears on row 2. Each date may appear once: remove or merge the duplicate "
        "row.",
    ),
    (
        "row_without_a_value_cell",
        "date,value\n2024-01-01,5\n2024-01-02\n",
        "row 3: the row has 1 cell but the header has 2. "
        "Give every row a date and a value, separated by a comma (leave the value empty for a missing day).",
    ),
]


@pytest.mark.parametrize(("text", "message"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_a_malformed_file_is_refused_naming_file_row_and_fix(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(SpcInputError) as caught:
        spc_from_csv(path, "increase")
    assert str(caught.value) == f"{path}: {message}"
    assert isinstance(caught.value, ValueError)


def test_a_missing_file_is_refused(tmp_path):
    path = tmp_path / "nope.csv"
    with pytest.raises(SpcInputError) as caught:
        spc_from_csv(path, "increase")
    assert str(caught.value) == f"{path}: no such file. Check the path and the file name."


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("date,value\n2024-01-01,5\n2024-01-02,caf\xe9\n".encode("latin-1"))
    with pytest.raises(SpcInputError) as caught:
        spc_from_csv(path, "increase")
    assert str(caught.value) == f"{path}: the file is not UTF-8 text. Save it from your spreadsheet as 'CSV UTF-8'."


def test_a_bad_rebase_date_names_the_option(tmp_path):
    path = write(tmp_path, "date,value\n" + GOOD_ROWS)
    with pytest.raises(SpcInputError) as caught:
        spc_from_csv(path, "increase", rebase=["1 April"])
    assert (
        str(caught.value)
        == "--rebase: '1 April' is not a date. Write each rebase date as YYYY-MM-DD, for example 2024-04-01."
    )


def test_an_unknown_direction_is_refused(tmp_path):
    path = write(tmp_path, "date,value\n" + GOOD_ROWS)
    with pytest.raises(
        SpcInputError, match=r"^--improvement: 'up' is not a direction\. Use one of: increase, decrease, neutral\.$"
    ):
        spc_from_csv(path, "up")


def test_the_json_has_one_point_per_date_with_the_required_keys(tmp_path):
    path = write(tmp_path, "date,value\n" + GOOD_ROWS + "2024-01-21,40\n")
    result = spc_from_csv(path, "increase", target=100)
    assert set(result) == {"points", "variation_icon", "assurance_icon"}
    assert len(result["points"]) == 21
    first = result["points"][0]
    assert {"date", "value", "mean", "lower_limit", "upper_limit", "point_type"} <= set(first)
    assert first["date"] == "2024-01-01" and first["value"] == 6.0 and first["point_type"] == "common_cause"
    assert result["points"][-1]["rule"] == "beyond_limit"
    assert result["variation_icon"] == "improvement_high" and result["assurance_icon"] == "consistent_fail"
    json.dumps(result, allow_nan=False)  # valid JSON: no NaN anywhere


def test_header_names_are_matched_in_any_order_and_case_and_extra_columns_are_ignored(tmp_path):
    path = write(tmp_path, "\ufeffWard, Value ,Date\nA,5,2024-01-02\nA,4,2024-01-01\n")
    dates, values = read_spc_csv(path)
    assert [d.isoformat() for d in dates] == ["2024-01-02", "2024-01-01"] and values == [5.0, 4.0]
    points = spc_from_csv(path, "increase")["points"]
    assert [p["date"] for p in points] == ["2024-01-01", "2024-01-02"]


@pytest.mark.parametrize("gap", ["", "NA", "na", " "], ids=["empty", "NA", "na", "space"])
def test_an_empty_or_na_value_is_a_gap_shown_as_null(tmp_path, gap):
    path = write(tmp_path, f"date,value\n2024-01-01,5\n2024-01-02,{gap}\n2024-01-03,7\n")
    points = spc_from_csv(path, "neutral")["points"]
    assert points[1]["value"] is None and points[1]["point_type"] is None and points[1]["rule"] is None
    assert points[1]["mean"] == 6.0
    assert math.isclose(points[0]["mean"], 6.0)


def test_blank_lines_are_skipped_but_still_counted_as_rows(tmp_path):
    path = write(tmp_path, "date,value\n2024-01-01,5\n\n2024-01-02,x\n")
    with pytest.raises(SpcInputError, match=r": row 4: the value 'x' is not a number"):
        spc_from_csv(path, "increase")


def test_rebase_dates_start_phases_in_the_json(tmp_path):
    path = write(tmp_path, "date,value\n" + GOOD_ROWS)
    points = spc_from_csv(path, "increase", rebase=["2024-01-11"])["points"]
    assert [p["phase"] for p in points] == [0] * 10 + [1] * 10
    assert all(p["trial_limits"] for p in points)


# ---------------------------------------------------------------- the subcommand


def parse(argv, **defaults):
    parser = argparse.ArgumentParser(prog="metrics")
    sub = parser.add_subparsers(dest="command", required=True)
    add_spc_subcommand(sub)
    if defaults:
        parser.set_defaults(**defaults)
    return parser.parse_args(argv)


def test_the_subcommand_prints_json_and_returns_0(tmp_path, capsys):
    path = write(tmp_path, "date,value\n" + GOOD_ROWS)
    args = parse(
        ["spc", str(path), "--improvement", "decrease", "--target", "40", "--rebase", "2024-01-11", "--format", "json"]
    )
    assert args.func is run_spc_command
    assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["assurance_icon"] == "consistent_pass" and out["points"][10]["phase"] == 1


def test_the_subcommand_reports_a_bad_file_on_stderr_and_returns_2(tmp_path, capsys):
    path = write(tmp_path, "date,value\n2024-01-01,five\n")
    assert run_spc_command(parse(["spc", str(path), "--improvement", "increase"])) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"error: {path}: row 2: the value 'five' is not a number. Write a plain number such as 12 or 3.5 "
        "(no units or thousands separators), or leave it empty for a missing day.\n"
    )


def test_the_subcommand_needs_a_direction_with_a_file(tmp_path, capsys):
    path = write(tmp_path, "date,value\n" + GOOD_ROWS)
    assert run_spc_command(parse(["spc", str(path)])) == 2
    assert (
        "--improvement: missing. Say which direction is better: --improvement increase|decrease|neutral."
        in capsys.readouterr().err
    )


def test_the_subcommand_rejects_an_unknown_direction_at_parse_time():
    with pytest.raises(SystemExit):
        parse(["spc", "x.csv", "--improvement", "up"])


def test_without_a_file_the_subcommand_uses_the_series_loader_hook(capsys):
    calls = []

    def loader(args):
        calls.append(args)
        return [f"2024-01-{d:02d}" for d in range(1, 16)], [6, 14] * 7 + [40], "increase", 100.0, []

    assert run_spc_command(parse(["spc"], series_loader=loader)) == 0
    out = json.loads(capsys.readouterr().out)
    assert (
        len(calls) == 1 and out["variation_icon"] == "improvement_high" and out["assurance_icon"] == "consistent_fail"
    )


def test_options_given_on_the_command_line_override_the_loader(capsys):
    def loader(args):
        return [f"2024-01-{d:02d}" for d in range(1, 16)], [6, 14] * 7 + [40], "increase", 100.0, []

    assert run_spc_command(parse(["spc", "--improvement", "decrease", "--target", "-100"], series_loader=loader)) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["variation_icon"] == "concern_high" and out["assurance_icon"] == "consistent_fail"


def test_without_a_file_or_a_loader_the_subcommand_explains_and_returns_2(capsys):
    assert run_spc_command(parse(["spc"])) == 2
    assert capsys.readouterr().err == "error: spc: no series given. Give a CSV FILE with the columns date,value.\n"


def test_a_loader_series_the_engine_refuses_is_reported_not_raised(capsys):
    def loader(args):
        return ["2024-01-01", "2024-01-01"], [1, 2], "increase", None, []

    assert run_spc_command(parse(["spc"], series_loader=loader)) == 2
    assert "the series has the date 2024-01-01 more than once" in capsys.readouterr().err
