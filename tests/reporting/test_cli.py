"""`flask taper report CODE`: a programme's (by its code) or a grant scheme's (by its reference
prefix) taper table as CSV or JSON, for finance systems."""

import csv
import io
import json

from tests.reporting.tapers import anchors, community_plus

COLUMNS = ["financial_year", "core_target", "core_planned", "external_planned",
           "total_planned", "committed", "paid"]


def report(app, *args):
    return app.test_cli_runner().invoke(args=["taper", "report", *args])


def test_a_programmes_taper_as_csv(ctx):
    anchors()

    result = report(ctx, "ANCHORS")

    assert result.exit_code == 0, result.output
    assert list(csv.reader(io.StringIO(result.output))) == [
        COLUMNS,
        ["2024/25", "180000.00", "185000.00", "250000.00", "435000.00", "420000.00",
         "62000.00"],
        ["2025/26", "150000.00", "80000.00", "170000.00", "250000.00", "0.00", "0.00"],
        ["2026/27", "", "50000.00", "60000.00", "110000.00", "0.00", "0.00"],
        ["Total", "330000.00", "315000.00", "480000.00", "795000.00", "420000.00",
         "62000.00"],
    ]


def test_a_schemes_taper_as_json(ctx):
    community_plus()

    result = report(ctx, "cpg", "--format", "json")

    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert (found["kind"], found["code"], found["name"]) == ("scheme", "CPG", "Community Plus")
    assert found["years"] == [
        {"financial_year": "2024/25", "core_target": "49500.00", "core_planned": "1000.00",
         "external_planned": "3000.00", "total_planned": "4000.00", "committed": "4000.00",
         "paid": "2000.50"},
        {"financial_year": "2025/26", "core_target": "30000.00", "core_planned": "2500.00",
         "external_planned": "0.00", "total_planned": "2500.00", "committed": "2500.00",
         "paid": "0.00"}]
    assert found["total"]["total_planned"] == "6500.00"


def test_an_unknown_code_is_an_error(ctx):
    result = report(ctx, "NOPE")

    assert result.exit_code != 0
    assert ("There is no programme with the code NOPE and no grant scheme with the "
            "reference prefix NOPE.") in result.output


def test_only_csv_and_json(ctx):
    anchors()
    result = report(ctx, "ANCHORS", "--format", "xml")
    assert result.exit_code == 2
    assert "'xml' is not one of 'csv', 'json'" in result.output
