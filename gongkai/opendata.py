"""Open data for the whole site: every figure of every report in one long table, as CSV and JSON,
described by a Frictionless Data Package (data/datapackage.json).

Made from the per-report long files (downloads.long_rows) in the complete new site, just before it
is published: a report rendered by this build wrote its file into the staging folder, an unchanged
one keeps last build's (linked in), a frozen one has it in its archive bag. So a rebuild reads no
report's model for it. Only a report frozen by a version that wrote no long file is read, and its
rows are made from its source as the site renders it now.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gongkai import downloads
from gongkai.content import Content, ReportEntry
from gongkai.tables import TABLES_BY_KIND

FOLDER = "data"
NAME = "gongkai-data"
CSV_PATH = f"{FOLDER}/{NAME}.csv"
JSON_PATH = f"{FOLDER}/{NAME}.json"
PACKAGE_PATH = f"{FOLDER}/datapackage.json"

# The Table Schema of the dataset: each field as a reader of the files should understand it.
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("单位", "string", "发布报告的单位"),
    ("年度", "integer", "报告所属年度"),
    ("报告", "string", "报告种类：部门预算、部门决算、部门整体支出绩效自评报告、项目支出绩效自评表"),
    ("表格", "string", "报告中的表格名称"),
    ("行号", "integer", "该数字在来源文件中的行（不含表头，从 1 起）"),
    ("行", "string", "该行的项目名称（多级时以“·”连接）"),
    ("栏目", "string", "该数字所在的栏目"),
    ("数值", "string", "与来源文件中的单元格完全相同：“——”表示该栏不适用，空白表示原文未填写"),
    ("数字", "number", "数值为数字时的数字（百分比不带 %），否则为空"),
    ("计量单位", "string", "数字的单位：万元、元、%、分、人等"),
    ("更正前", "string", "发布后更正过的数字：原发布的数值；未更正为空"),
    ("来源文件", "string", "该报告的表格 CSV 下载，相对于网站根目录"),
)
assert tuple(name for name, _, _ in FIELDS) == downloads.LONG_FIELDS, "the schema describes the long files"


def write_open_data(stage: Path, content: Content) -> list[str]:
    """The dataset and its package into stage/data/; returns the files written."""
    rows = [row for entry in sorted(content.reports, key=lambda e: (e.unit.id, e.year, e.kind)) for row in _rows(stage, entry)]
    folder = stage / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    (stage / CSV_PATH).write_bytes(downloads.long_csv_bytes(rows))
    (stage / JSON_PATH).write_bytes(_json_bytes(rows))
    (stage / PACKAGE_PATH).write_bytes(_package_bytes(content))
    return [CSV_PATH, JSON_PATH, PACKAGE_PATH]


def _rows(stage: Path, entry: ReportEntry) -> list[list[str]]:
    long_file = stage / downloads.long_path(entry)
    rows = downloads.read_long_csv(long_file.read_bytes()) if long_file.is_file() else None
    if rows is None:  # frozen by a version that wrote no long file: from the source, as rendered now
        rows = downloads.table_rows(entry, TABLES_BY_KIND[entry.kind](entry.model))
    return rows


def _json_bytes(rows: list[list[str]]) -> bytes:
    """One object per figure; 数字 as the text of the number (JSON numbers would pass through binary floats)."""
    records = [_record(row) for row in rows]
    return (json.dumps(records, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _record(row: list[str]) -> dict[str, Any]:
    record: dict[str, Any] = dict(zip(downloads.LONG_FIELDS, row, strict=True))
    record["年度"], record["行号"] = int(record["年度"]), int(record["行号"])
    record["数字"] = record["数字"] or None
    return record


def _package_bytes(content: Content) -> bytes:
    schema = {
        "fields": [{"name": name, "type": kind, "description": about} for name, kind, about in FIELDS],
        "missingValues": [""],
    }
    resource = {"profile": "tabular-data-resource", "schema": schema}
    package = {
        "name": NAME,
        "title": f"{content.config.title}开放数据",
        "description": f"{content.config.publisher}公开的全部报告中每一个表格数字，一行一个（长表格式）。"
                       "数字与原文一致，未重新四舍五入；与各报告的表格 CSV 下载逐格相同。",
        "profile": "tabular-data-package",
        "resources": [
            {**resource, "name": f"{NAME}-csv", "path": f"{NAME}.csv", "format": "csv", "mediatype": "text/csv",
             "encoding": "utf-8-sig"},
            {**resource, "name": f"{NAME}-json", "path": f"{NAME}.json", "format": "json",
             "mediatype": "application/json", "encoding": "utf-8"},
        ],
    }
    return (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
