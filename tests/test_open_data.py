"""Open data for the whole site: one long table of every figure, a valid Data Package, equal to the per-report CSVs."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
from collections import defaultdict
from pathlib import Path

from conftest import CONTENT, build_site
from frictionless import Package

from gongkai import archive, downloads
from gongkai.pipeline import BuildOptions, build, load
from gongkai.tables import TABLES_BY_KIND

DATA = "data/gongkai-data.csv"
FIGURE = re.compile(r"-?\d+(\.\d+)?%?")


def read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith("\ufeff".encode()), path
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def dataset(site: Path) -> list[dict[str, str]]:
    header, *rows = read_csv(site / DATA)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_the_data_package_validates_with_frictionless(built_sample: Path) -> None:
    package = Package(str(built_sample / "data" / "datapackage.json"))
    report = package.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])
    rows = len(dataset(built_sample))
    assert [task.stats["rows"] for task in report.tasks] == [rows, rows], "the CSV and the JSON hold the same rows"


def test_the_json_says_what_the_csv_says(built_sample: Path) -> None:
    records = json.loads((built_sample / "data" / "gongkai-data.json").read_text(encoding="utf-8"))
    as_text = [{k: "" if v is None else str(v) for k, v in r.items()} for r in records]
    assert as_text == dataset(built_sample)


def under(header: str, column: str) -> bool:
    """A CSV header is the column's label, or the label with its unit in brackets (“金额（万元）”)."""
    return header == column or (header.startswith(f"{column}（") and header.endswith("）"))


def test_every_row_is_a_cell_of_its_reports_csv(built_sample: Path) -> None:
    """Each value stands in its CSV at its row, under its column (whose header adds the unit)."""
    files: dict[str, list[list[str]]] = {}
    used: dict[tuple[str, int], set[int]] = defaultdict(set)
    for row in dataset(built_sample):
        source = row["来源文件"]
        table = files.setdefault(source, read_csv(built_sample / source))
        header, line = table[0], table[int(row["行号"])]
        column = next(
            c for c, label in enumerate(header)
            if c not in used[(source, int(row["行号"]))] and under(label, row["栏目"])
        )
        used[(source, int(row["行号"]))].add(column)
        assert line[column] == row["数值"], (source, row)
        if row["数字"]:
            assert row["数值"].removesuffix("%") == row["数字"]


def test_every_figure_of_every_csv_is_in_the_dataset(built_sample: Path) -> None:
    rows = dataset(built_sample)
    held, labels = defaultdict(list), defaultdict(set)
    for row in rows:
        held[(row["来源文件"], int(row["行号"]))].append(row["数值"])
        labels[(row["来源文件"], int(row["行号"]))].update(row["行"].split("·"))  # e.g. a 科目编码 heads its row
    csvs = list(built_sample.rglob("downloads/*.csv"))
    assert {row["来源文件"] for row in rows} <= {p.relative_to(built_sample).as_posix() for p in csvs}
    figures = 0
    for path in csvs:
        header, *lines = read_csv(path)
        notes = header[-1] == "更正说明"
        for number, line in enumerate(lines, 1):
            for value in line[: len(line) - notes]:
                place = (path.relative_to(built_sample).as_posix(), number)
                if FIGURE.fullmatch(value) and value not in labels[place]:
                    assert value in held[place], (path, number, value)
                    figures += 1
    assert figures > 500


def test_a_corrected_figure_keeps_its_published_value(built_sample: Path) -> None:
    rate = next(r for r in dataset(built_sample) if r["表格"] == "财政供养人员情况" and r["栏目"] == "控制率")
    assert (rate["数值"], rate["数字"], rate["计量单位"], rate["更正前"]) == ("52.63", "52.63", "%", "100%")


def test_the_home_page_links_the_open_data(built_sample: Path) -> None:
    home = (built_sample / "index.html").read_text(encoding="utf-8")
    assert "开放数据" in home
    for path in ("data/gongkai-data.csv", "data/gongkai-data.json", "data/datapackage.json"):
        assert f'href="{path}"' in home


def test_a_rebuild_makes_the_same_dataset_without_reading_unchanged_reports(tmp_path: Path) -> None:
    content = shutil.copytree(CONTENT, tmp_path / "content")
    options = BuildOptions(out=tmp_path / "site", pdf=False, jobs=1, cache=None)
    assert build(content, options).report.ok
    shutil.copytree(content / "huaihua-bjlxc", content / "other-unit")
    loaded = build(content, options)
    assert loaded.report.ok and loaded.content is not None
    assert {r.unit.id for r in loaded.content.reports if r.loaded} == {"other-unit"}
    fresh = tmp_path / "fresh"
    build_site(content, fresh)
    assert (options.out / DATA).read_bytes() == (fresh / DATA).read_bytes()
    assert {r["来源文件"].split("/")[0] for r in dataset(options.out)} == {"huaihua-bjlxc", "other-unit"}


def test_an_archived_year_keeps_its_rows(tmp_path: Path) -> None:
    content = shutil.copytree(CONTENT, tmp_path / "content")
    options = BuildOptions(out=tmp_path / "site", jobs=1, cache=tmp_path / "pdf-cache")
    loaded = build(content, options)
    assert loaded.report.ok and loaded.content is not None
    before = (options.out / DATA).read_bytes()
    archive.freeze(content, options.out, 2023, loaded.content, dt.date(2026, 11, 29))
    build_site(content, options.out, pdf=True)
    assert (options.out / DATA).read_bytes() == before


def test_rows_made_from_a_source_equal_its_long_file(built_sample: Path) -> None:
    """What a report frozen by a version that wrote no long file gets: the same rows, from its source."""
    loaded = load(CONTENT)
    assert loaded.content is not None
    for entry in loaded.content.reports:
        written = downloads.read_long_csv((built_sample / downloads.long_path(entry)).read_bytes())
        assert downloads.table_rows(entry, TABLES_BY_KIND[entry.kind](entry.model)) == written, entry.id
