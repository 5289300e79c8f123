"""`import`: the finance system's Excel exports and earlier years' published files become a report's YAML.

The table of contents: read every file into sheets (and a document's text) -> find the tables by
their titles and header rows (the form's, for 预算 and 决算; evaluation.py's, for the 绩效自评) ->
compose the YAML data (every figure placed, or kept as a leftover with its cell) -> write
content/<unit>/<year>/<kind>.yaml -> check it as `check` would. Readers are one module per outside
library (xlsx.py: python_calamine, pdf.py: pdfplumber, docx.py: python-docx); nothing past them
knows which kind of file it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gongkai.models  # noqa: F401  first: forms.bind and the models import each other
from gongkai.forms.spec import KindForm, TableSpec
from gongkai.importing import evaluation
from gongkai.importing.compose import Composer, Conversion, Leftover, Record, Rounded
from gongkai.importing.grid import Extracted, ImportFileError, Sheet
from gongkai.importing.recognise import Block, find_blocks, match_title
from gongkai.importing.yamltext import to_yaml
from gongkai.models import REPORT_KINDS
from gongkai.models.disclosure import Disclosure
from gongkai.problems import Problem
from gongkai.sources import UNIT_FILE

INFO_SHEET = "说明"  # our own workbooks' first sheet: the report's title, unit of money, date, notes
DISCLOSURE_KINDS = ("budget", "final-accounts")
IMPORTED_KINDS = (*DISCLOSURE_KINDS, "project-evaluation", "self-evaluation")
# The self-evaluation's sections in the order its files are written.
_SELF_ORDER = ("标题", "年度", "金额单位", "发布日期", "正文", "基本情况", "预算执行", "政府性基金预算支出", "国有资本经营预算支出",
               "社会保险基金预算支出", "绩效情况", "基础数据表", "自评表")
Log = Callable[[str], None]

__all__ = ["ImportFileError", "ImportRequest", "ImportResult", "import_files", "read_and_compose", "read_files"]


@dataclass(frozen=True)
class ImportRequest:
    files: Sequence[Path]
    unit: str
    year: int
    kind: str = ""  # one of IMPORTED_KINDS; guessed from the tables' titles when empty
    content: Path = Path("content")
    force: bool = False
    to_wanyuan: bool = False  # convert figures given in 元 to 万元
    published: str = ""  # 发布日期 when the files do not say it (an export never does)


@dataclass
class ImportResult:
    path: Path
    kind: str
    data: dict[str, Any]
    found: list[tuple[str, str]] = field(default_factory=list)  # (table name, where it was found)
    missing: list[str] = field(default_factory=list)  # tables of the form not found
    leftovers: list[Leftover] = field(default_factory=list)
    rounded: list[Rounded] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what else the reader should know (units, skipped text)
    problems: list[Problem] = field(default_factory=list)  # what `check` says of the written file
    written: bool = False
    seconds: float = 0.0


def import_files(request: ImportRequest, log: Log = lambda line: None, write: bool = True) -> ImportResult:
    """Read, recognise, compose, write and check; ImportFileError for a file that cannot be read."""
    started = time.perf_counter()
    result = read_and_compose(request, _content(request), log, write)
    if write:
        _write(result, request)
        result.problems = _check(request.content, result.path)
    result.seconds = time.perf_counter() - started
    return result


def read_and_compose(request: ImportRequest, content: Any, log: Log = lambda line: None, write: bool = True) -> ImportResult:
    """The import without the site's loading, writing and checking (what bench/run.py times)."""
    _supported(request.kind)
    extracted = read_files(request.files, log)
    sheets = [sheet for found in extracted for sheet in found.sheets]
    info = _info(sheets)
    meta = {**_document_meta(extracted), **info}
    captions = [info.get("captions", {}).get(s.name, s.name) for s in sheets]
    kind = request.kind or _guess_kind(sheets, captions, content)
    result = ImportResult(request.content / request.unit / str(request.year) / f"{kind}.yaml", kind, {})
    if write and result.path.exists() and not request.force:
        raise ImportFileError(f"{result.path} 已经存在，不会覆盖。要用导入的内容替换它，请加 --force")
    if kind == "project-evaluation":
        result.data = _project_evaluation(sheets, info, meta, request, result)
    elif kind == "self-evaluation":
        result.data = _self_evaluation(extracted, sheets, info, meta, request, result)
    else:
        _disclosure(extracted, sheets, info, meta, content, request, result, log)
    return result


def _disclosure(
    extracted: list[Extracted], sheets: list[Sheet], info: dict[str, Any], meta: dict[str, Any], content: Any,
    request: ImportRequest, result: ImportResult, log: Log,
) -> None:
    """部门预算 and 部门决算: the form's tables by title and header, then a document's text."""
    form = _form(content, request.unit, result.kind)
    blocks = _blocks(sheets, info, form, request.year, result, log)
    if not blocks and not any(found.sections for found in extracted):
        names = "、".join(t.name for t in form.tables[:3])
        raise ImportFileError(f"没有认出任何一张{REPORT_KINDS[result.kind].KIND_NAME}的表格：表名（如 {names}）应写在表格上方一行或工作表名中")
    result.data = _compose(blocks, form, meta, request, content, result)
    _add_text(extracted, result)


def _project_evaluation(
    sheets: list[Sheet], info: dict[str, Any], meta: dict[str, Any], request: ImportRequest, result: ImportResult
) -> dict[str, Any]:
    """项目支出绩效自评表: each project's two tables; what no table holds is left blank and said."""
    tables = [s for s in sheets if not (s.name == INFO_SHEET and info)]
    captions = info.get("captions", {})
    for sheet in tables:
        if not evaluation.is_project_table(captions.get(sheet.name, sheet.name)):
            _unrecognised(sheet, len(sheet.rows), result)
    projects = evaluation.project_data(tables, captions, result.leftovers)
    if not projects:
        raise ImportFileError("没有认出任何一个项目的“项目名称：项目资金”表")
    result.found = [(p["项目名称"], "项目资金、绩效指标完成情况") for p in projects]
    result.notes.append("表格中没有主管部门、实施单位、年度总体目标和一级指标的得分：已留空，请照原表填写")
    return {
        "标题": meta.get("报告") or f"{request.year}年{REPORT_KINDS[result.kind].KIND_NAME}",
        "年度": str(request.year),
        "金额单位": meta.get("金额单位") or "万元",
        "发布日期": meta.get("发布日期") or request.published or None,
        "项目": projects,
    }


def _self_evaluation(
    extracted: list[Extracted], sheets: list[Sheet], info: dict[str, Any], meta: dict[str, Any], request: ImportRequest,
    result: ImportResult,
) -> dict[str, Any]:
    """部门整体支出绩效自评报告: the figures of its tables; its text and the fields no table holds are left blank."""
    tables = [s for s in sheets if not (s.name == INFO_SHEET and info)]
    captions = info.get("captions", {})
    known = [s for s in tables if captions.get(s.name, s.name) in evaluation.SELF_TABLES]
    for sheet in tables:
        if sheet not in known:
            _unrecognised(sheet, len(sheet.rows), result)  # a 附件 in another layout: its figures are listed
    figures = evaluation.self_evaluation_data(known, captions, request.year, result.leftovers)
    sections = {heading: text for found in extracted for heading, text in found.sections.items()}
    if sections:
        figures["正文"] = sections
    result.found = [(captions.get(s.name, s.name), s.name) for s in known]
    blank = [path for path in evaluation.SELF_NOT_IN_WORKBOOK if not (path == "正文" and sections)]
    result.notes.append(f"表格中没有的各项已留空，请照原文填写：{'、'.join(blank)}")
    data = {
        "标题": meta.get("报告") or f"{request.year}年{REPORT_KINDS[result.kind].KIND_NAME}",
        "年度": str(request.year),
        "金额单位": meta.get("金额单位") or "万元",
        "发布日期": meta.get("发布日期") or request.published or None,
        **figures,
    }
    return {key: data[key] for key in sorted(data, key=lambda k: _SELF_ORDER.index(k) if k in _SELF_ORDER else len(_SELF_ORDER))}


def read_files(files: Sequence[Path], log: Log = lambda line: None) -> list[Extracted]:
    """What each file holds, in the order given; each library loads only when its kind of file comes."""
    found = []
    for path in files:
        if not path.is_file():
            raise ImportFileError(f"找不到文件“{path}”")
        read = _reader(path)
        log(f"正在读取 {path.name}……")  # a long PDF takes seconds
        extracted = read(path)
        log(f"已读取 {path.name}：{len(extracted.sheets)} 个{'工作表' if path.suffix.lower() in _WORKBOOKS else '表格'}")
        found.append(extracted)
    return found


_WORKBOOKS = (".xlsx", ".xlsm", ".xls", ".ods")
_SUPPORTED = (*_WORKBOOKS, ".pdf", ".docx")


def _reader(path: Path) -> Callable[[Path], Extracted]:
    suffix = path.suffix.lower()
    if suffix in _WORKBOOKS:
        from gongkai.importing import xlsx

        return lambda p: Extracted(xlsx.read_workbook(p))
    if suffix == ".pdf":
        from gongkai.importing import pdf

        return pdf.read_pdf
    if suffix == ".docx":
        from gongkai.importing import docx

        return docx.read_docx
    raise ImportFileError(f"不支持的文件类型“{path.suffix or path.name}”：可以导入 {'、'.join(_SUPPORTED)} 文件")


# The pieces.


def _content(request: ImportRequest) -> Any:
    """The site as it is, for the unit's form and the site's decimals; the unit must exist."""
    from gongkai.pipeline import load

    unit_file = request.content / request.unit / UNIT_FILE
    if not unit_file.is_file():
        raise ImportFileError(f"找不到单位“{request.unit}”：请先创建 {unit_file}（单位名称、内设机构、主要职能职责）")
    return load(request.content).content


def _supported(kind: str) -> None:
    """The self-evaluation's tables are derived from nested data and text, which no workbook holds."""
    if kind and kind not in IMPORTED_KINDS:
        raise ImportFileError(f"报告类型“{kind}”暂不能从表格导入：可以导入的报告类型有 {'、'.join(IMPORTED_KINDS)}")


def _form(content: Any, unit: str, kind: str) -> KindForm:
    if content is None:
        return REPORT_KINDS[kind].FORM  # type: ignore[attr-defined]
    from gongkai.pipeline import model_class

    entry = content.units.get(unit)
    model = model_class(content, kind, entry.model.form if entry is not None else None)
    assert issubclass(model, Disclosure)
    return model.FORM


def _guess_kind(sheets: list[Sheet], captions: list[str], content: Any) -> str:
    """An evaluation by its tables' titles, else the disclosure kind whose tables they name most (预算 on a tie)."""
    if evaluation.is_project_workbook(captions):
        return "project-evaluation"
    if evaluation.is_self_evaluation_workbook(captions):
        return "self-evaluation"

    def score(kind: str) -> int:
        form = _form(content, "", kind)
        return sum(1 for s in sheets for row in [s.name, *(v for r in s.rows[:8] for v in r if isinstance(v, str))]
                   if match_title(row, form) is not None)
    return max(DISCLOSURE_KINDS, key=score)


def _document_meta(extracted: list[Extracted]) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for found in extracted:
        meta.update({k: v for k, v in found.meta.items() if k not in meta})
    return meta


def _add_text(extracted: list[Extracted], result: ImportResult) -> None:
    """A document's sections become the 情况说明; lines with figures outside tables and sections are listed."""
    sections = {heading: text for found in extracted for heading, text in found.sections.items()}
    if sections:
        result.data["情况说明"] = sections
    for found in extracted:
        result.leftovers += [Leftover(place, text, "表格和情况说明以外的文字，未导入") for place, text in found.stray]


def _info(sheets: list[Sheet]) -> dict[str, Any]:
    """What our own workbook's 说明 sheet says: 报告 (title), 金额单位, 发布日期, and each table's 注."""
    sheet = next((s for s in sheets if s.name == INFO_SHEET), None)
    if sheet is None:
        return {}
    meta: dict[str, Any] = {"notes": {}}
    listing = False
    for row in sheet.rows:
        cells = [str(v) if v is not None else "" for v in row] + ["", "", "", ""]
        if cells[0] == "工作表" and cells[1] == "表格":
            listing = True
        elif listing and cells[1]:
            meta["notes"][cells[1]] = cells[3]
            meta.setdefault("captions", {})[cells[0]] = cells[1]  # sheet names are cut at 31 characters
        elif cells[0] in ("报告", "金额单位", "发布日期"):
            meta[cells[0]] = cells[1]
    return meta


def _blocks(
    sheets: list[Sheet], meta: dict[str, Any], form: KindForm, year: int, result: ImportResult, log: Log
) -> list[Block]:
    blocks = []
    for sheet in sheets:
        if sheet.name == INFO_SHEET and meta:
            continue
        found = find_blocks(sheet, form, year)
        _unrecognised(sheet, found[0].title_row if found else len(sheet.rows), result)
        for block in found:
            if any(role.kind == "line" for role in block.roles):
                result.notes.append(f"{block.title_place}《{block.title.name}》的行次栏是行号，不是金额，未导入")
            log(f"  {block.title_place}：{block.title.name}{('（' + block.title.part + '）') if block.title.part else ''}")
        blocks += found
    return blocks


def _unrecognised(sheet: Sheet, before: int, result: ImportResult) -> None:
    """Rows above the first title the form knows (a whole sheet without one): their figures are listed, none guessed."""
    from gongkai.importing.compose import figure_text  # the same reading of a figure as the tables'

    figures = 0
    for r, row in enumerate(sheet.rows[:max(before, 0)]):
        for c, value in enumerate(row):
            text = figure_text(value)
            if text is not None:
                figures += 1
                why = "在第一张表的标题之前" if before < len(sheet.rows) else f"“{sheet.name}”不是本工具认得的表，请照原表填写"
                result.leftovers.append(Leftover(sheet.place(r, c), text, why))
    if before == len(sheet.rows) and not figures:
        result.notes.append(f"工作表“{sheet.name}”中没有认出表格，也没有数字，已跳过")


def _compose(
    blocks: list[Block], form: KindForm, meta: dict[str, Any], request: ImportRequest, content: Any, result: ImportResult
) -> dict[str, Any]:
    places = content.config.places if content is not None else 2
    unit = _money_unit(blocks, meta, request, result)
    composer = Composer(Conversion(active=request.to_wanyuan and unit == "元", places=places))
    kind_model = REPORT_KINDS[result.kind]
    data: dict[str, Any] = {
        "标题": meta.get("报告") or f"{request.year}年{kind_model.KIND_NAME}",
        "年度": str(request.year),
        "金额单位": "万元" if composer.conversion.active else unit,
        "发布日期": meta.get("发布日期") or request.published or None,
    }
    if not data["发布日期"]:
        result.notes.append("表格中没有发布日期：请在文件的“发布日期”处填写（如 2024-02-26），或导入时加 --published 2024-02-26。未填写时检查不到各表的数字")
    for spec in form.tables:
        mine = [b for b in blocks if b.title.spec.id == spec.id]
        if not mine:
            result.missing.append(spec.name)
            continue
        mine = _one_table(spec, mine, composer)
        records: list[Record] = [record for block in mine for record in composer.records(block)]
        columns = list(dict.fromkeys(c.name for b in mine for role in b.roles if role.kind == "amount" for c in role.columns.values()))
        name = mine[0].title.name
        result.found.append((name, "、".join(b.title_place for b in mine)))
        note = meta.get("notes", {}).get(name, "") or next((b.note for b in mine if b.note), "")
        data[name] = note if not records and note else composer.table(spec, records, columns)
    result.leftovers += composer.leftovers
    result.notes += composer.skipped
    result.rounded = composer.conversion.rounded
    return data


def _one_table(spec: TableSpec, blocks: list[Block], composer: Composer) -> list[Block]:
    """A table found twice (not as its two sides): the first is kept, the other's figures are listed."""
    kept: list[Block] = []
    for block in blocks:
        clash = next((k for k in kept if not k.title.part or not block.title.part or k.title.part == block.title.part), None)
        if clash is None:
            kept.append(block)
            continue
        for record in composer.records(block):
            composer.leave_record(record, f"《{spec.name}》已在{clash.title_place}读到，这里是第二次出现")
    return kept


def _money_unit(blocks: list[Block], meta: dict[str, Any], request: ImportRequest, result: ImportResult) -> str:
    """One unit for the whole report: as the tables state it, else as the 说明 sheet, else 万元."""
    stated = {b.unit for b in blocks if b.unit}
    if len(stated) > 1:
        where = "、".join(f"{b.title_place}（{b.unit}）" for b in blocks if b.unit)
        raise ImportFileError(f"各表的金额单位不一致：{where}。请先统一为万元或元再导入")
    unit = next(iter(stated), str(meta.get("金额单位") or "万元"))  # a table that states none is in the others' unit
    if unit == "元" and not request.to_wanyuan:
        result.notes.append("表格的金额单位是元，报告按元写入（金额单位: 元）。要换算为万元，请加 --to-wanyuan")
    if unit == "元" and request.to_wanyuan:
        result.notes.append("金额已由元换算为万元：除以 10000，需要时四舍五入到网站规定的小数位（见下）")
    return unit


def _write(result: ImportResult, request: ImportRequest) -> None:
    comments = [
        f"{REPORT_KINDS[result.kind].KIND_NAME}：由 python build.py import 从 {'、'.join(p.name for p in request.files)} 导入。",
        "请核对导入报告中未导入的数字，补写表格中没有的文字部分（如“情况说明”）。",
    ]
    result.path.parent.mkdir(parents=True, exist_ok=True)
    result.path.write_text(to_yaml(result.data, comments), encoding="utf-8", newline="\n")
    result.written = True


def _check(root: Path, path: Path) -> list[Problem]:
    from gongkai.pipeline import check

    report = check(root)
    return [p for p in report.problems if Path(p.file).resolve() == path.resolve()]
