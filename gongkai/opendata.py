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
    """The dataset and its package into stage/data/; returns the files written.

    Each report's long CSV and JSON are copied in, bytes only, report by report: nothing is parsed
    and a province's millions of figures are never held at once.
    """
    folder = stage / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    entries = sorted(content.reports, key=lambda e: (e.unit.id, e.year, e.kind))
    with open(stage / CSV_PATH, "wb") as table, open(stage / JSON_PATH, "wb") as records:
        table.write(downloads.long_csv_bytes([]))
        records.write(b"[")
        first = True
        for entry in entries:
            csv_bytes, json_bytes = _long_files(stage, entry)
            table.write(csv_bytes.split(b"\r\n", 1)[1])  # without its header line
            body = json_bytes.strip()[1:-1].strip(b"\n")  # the records, without the list's brackets
            if body:
                records.write((b"\n" if first else b",\n") + body)
                first = False
        records.write(b"]\n" if first else b"\n]\n")
    (stage / PACKAGE_PATH).write_bytes(_package_bytes(content))
    return [CSV_PATH, JSON_PATH, PACKAGE_PATH]


def _long_files(stage: Path, entry: ReportEntry) -> tuple[bytes, bytes]:
    """A report's long CSV and JSON as the new site holds them; a report frozen by a version that wrote
    no long files (or only the CSV) has them made from its source, as rendered now."""
    csv_file, json_file = stage / downloads.long_path(entry), stage / downloads.long_json_path(entry)
    if csv_file.is_file() and json_file.is_file():
        data = csv_file.read_bytes()
        if data.split(b"\r\n", 1)[0] + b"\r\n" == downloads.long_csv_bytes([]):  # our own layout
            return data, json_file.read_bytes()
    rows = downloads.table_rows(entry, TABLES_BY_KIND[entry.kind](entry.model))
    return downloads.long_csv_bytes(rows), downloads.long_json_bytes(rows)


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
