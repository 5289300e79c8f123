"""`new UNIT YEAR KIND`: start a report file with every field present and blank where the finance
officer fills it in; what the form repeats from earlier reports is carried over already.

Carried over: last year's figures where the form shows them (the self-evaluation's 上年决算 columns,
the “三公” table's 上年预算数 or 上年决算数), the 科目 rows (code and name, amounts blank) of last
year's report of the kind, and for a 决算 the 年初预算数 of the same year's published 部门预算.
A 项目支出绩效自评表 starts with the projects of the same year's self-evaluation (names, 年初预算数
and 全年执行数 from 附件1-1) or else last year's, each keeping last year's 主管部门, 实施单位 and
indicator names and weights; with neither, one blank project with the usual indicator tree.
"""

from __future__ import annotations

import difflib
import json
import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from gongkai import pipeline
from gongkai.checks.cross import THREE_PUBLIC_COLUMNS, THREE_PUBLIC_ROWS
from gongkai.content import Content, ReportEntry
from gongkai.forms.spec import KindForm, TableSpec
from gongkai.models import REPORT_KINDS, Disclosure, FinalAccounts, ProjectEvaluation, SelfEvaluation
from gongkai.models.base import Figure, Strict
from gongkai.models.disclosure import figure_at
from gongkai.models.project_evaluation import Project
from gongkai.models.self_evaluation import IndicatorCategory
from gongkai.pipeline import load
from gongkai.problems import format_path
from gongkai.reader import Document, read_document
from gongkai.sources import UNIT_FILE
from gongkai.validate import validate

DEFAULT_MONEY_UNIT = "万元"
_PLAIN = re.compile(r"[^:#{}\[\],&*!|>'\"%@`\n]+")  # text that YAML reads back unchanged without quotes


class NewReportError(Exception):
    """The report cannot be started (unknown unit, existing file): a message for the user."""


@dataclass
class Draft:
    """The data of the new file as nested dicts (None = a blank to fill in), and what was carried over."""

    data: dict[str, Any]
    tables: dict[str, str] = field(default_factory=dict)  # a form's table names by id (部门预算、决算)
    carried: list[str] = field(default_factory=list)

    def put(self, path: tuple[str, ...], value: Any) -> None:
        node = self.data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value


@dataclass(frozen=True)
class NewReport:
    path: Path
    carried: list[str]
    blanks: int
    # (line, field) of each blank `check` will ask for: the to-do list, marked “必填” in the file too.
    required: list[tuple[int, str]] = field(default_factory=list)
    # (line, field, year) of carried text that names another year: marked “请核对” in the file.
    review: list[tuple[int, str, int]] = field(default_factory=list)


def new_report(root: Path, unit: str, year: int, kind: str) -> NewReport:
    """Write content/<unit>/<year>/<kind>.yaml; never overwrite an existing file."""
    if kind not in REPORT_KINDS:
        close = difflib.get_close_matches(kind, list(REPORT_KINDS), n=1, cutoff=0.5)
        hint = f"你是不是想写“{close[0]}”？" if close else ""
        raise NewReportError(f"不认识的报告类型“{kind}”。{hint}报告类型可以是：{'、'.join(REPORT_KINDS)}")
    target = root / unit / str(year) / f"{kind}.yaml"
    if not (root / unit / UNIT_FILE).is_file():
        raise NewReportError(f"找不到单位“{unit}”：请先创建 {root / unit / UNIT_FILE}（单位名称、内设机构、主要职能职责）")
    if target.exists():
        raise NewReportError(f"{target} 已经存在，不会覆盖。要重新开始，请先把它改名或移走")
    content = load(root).content
    model = REPORT_KINDS[kind]
    if issubclass(model, Disclosure) and content is not None:
        model = pipeline.model_class(content, kind, _unit_form(content, unit))
    draft = Draft(*disclosure_skeleton(model.FORM)) if issubclass(model, Disclosure) else Draft(skeleton(model))
    if kind == ProjectEvaluation.KIND:
        draft.put(("项目",), [_blank_project(None)])
    if content is not None:
        CARRY[kind](draft, year, _reports_of(content, unit))
    draft.put(("年度",), str(year))
    draft.put(("标题",), f"{year}年{REPORT_KINDS[kind].KIND_NAME}")
    if draft.data["金额单位"] is None:
        draft.put(("金额单位",), DEFAULT_MONEY_UNIT)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = to_yaml(draft.data, REPORT_KINDS[kind])
    target.write_text(text, encoding="utf-8", newline="\n")
    # Ask the validator which blanks `check` will refuse, so what `new` says and what `check` says agree.
    document = read_document(target)
    required = _required(document, model)
    review = list(_other_years(document.data, (), year, document))
    notes = {line: "必填" for line, _ in required} | {line: f"请核对：沿用上年的文字，写的是{old}年" for line, _, old in review}
    target.write_text(_annotate(text, notes), encoding="utf-8", newline="\n")
    return NewReport(target, draft.carried, _blanks(draft.data), required, review)


def _required(document: Document, model: type[Strict]) -> list[tuple[int, str]]:
    _, findings = validate(document, model)
    places = {(document.locate(f.path)[0], format_path(f.path)) for f in findings if f.code == "missing-value"}
    return sorted(places)


_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?=年)")


def _other_years(data: Any, path: tuple[Any, ...], year: int, document: Document) -> Iterator[tuple[int, str, int]]:
    """Carried texts (keys or values) that name a year other than the new one: last year's words."""
    if path and path[0] in ("标题", "年度"):
        return
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        here = (*path, key)
        for text in (key, value):
            found = [int(m.group()) for m in _YEAR.finditer(text)] if isinstance(text, str) else []
            other = next((y for y in found if y != year), None)
            if other is not None:
                yield document.locate(here)[0], format_path(here), other
                break
        yield from _other_years(value, here, year, document)


def _annotate(text: str, notes: dict[int, str]) -> str:
    """Put each note in the comment of its line (1-based), before the field's own explanation."""
    lines = text.split("\n")
    for number, note in notes.items():
        line = lines[number - 1]
        code, _, comment = line.partition("  # ")
        lines[number - 1] = f"{code}  # {note}" + (f"；{comment}" if comment else "")
    return "\n".join(lines)


# Every field of a model, blank.


def skeleton(model: type[BaseModel]) -> dict[str, Any]:
    return {info.alias or name: _blank(info.annotation) for name, info in model.model_fields.items()}


def _blank(annotation: Any) -> Any:
    annotation = _unwrap(annotation)
    if typing.get_origin(annotation) is list:
        return []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and not issubclass(annotation, Figure):
        return skeleton(annotation)
    return None


def _unwrap(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(options[0])
    if typing.get_origin(annotation) is typing.Annotated:
        return typing.get_args(annotation)[0]
    return annotation


def _blanks(data: Any) -> int:
    if isinstance(data, dict):
        return sum(_blanks(v) for v in data.values())
    if isinstance(data, list):
        return sum(_blanks(v) for v in data)
    return int(data is None)


# What each kind carries over from the unit's other reports.

Reports = dict[tuple[int, str], ReportEntry]


def _reports_of(content: Content, unit: str) -> Reports:
    return {(e.year, e.kind): e for e in content.reports if e.unit.id == unit}


def _carry_budget(draft: Draft, year: int, reports: Reports) -> None:
    _carry_disclosure(draft, "budget", year, reports, ("上年预算数", "预算数"))


def _carry_final_accounts(draft: Draft, year: int, reports: Reports) -> None:
    _carry_disclosure(draft, "final-accounts", year, reports, ("上年决算数", "决算数"))
    budget = reports.get((year, "budget"))
    target = draft.data.get(_table_name(draft, "general-public"))
    if budget is None or not isinstance(target, dict):
        return
    general = budget.model.table("general-public")  # type: ignore[union-attr]
    if general is None or general.total is None:
        return
    target.setdefault("合计", {})["年初预算数"] = _amount(general.total.figure("合计"))
    rows = {row["科目编码"]: row for row in target.get("明细", [])}
    for row in general.rows:
        carried = rows.get(row.code)
        if carried is None:
            carried = {"科目编码": row.code, "科目名称": row.name}
            target.setdefault("明细", []).append(carried)
        carried["年初预算数"] = _amount(row.figure("合计"))
    draft.carried.append(f"一般公共预算财政拨款支出决算表的年初预算数（{year}年部门预算）")


def _carry_disclosure(draft: Draft, kind: str, year: int, reports: Reports, three_public: tuple[str, str]) -> None:
    """The 科目 rows of last year's tables (amounts blank), its 情况说明 headings, and last year's “三公” row."""
    previous = reports.get((year - 1, kind))
    if previous is None:
        return
    model = previous.model
    draft.put(("金额单位",), model.money_unit)  # type: ignore[union-attr]
    if model.narrative:  # type: ignore[union-attr]
        draft.data["情况说明"] = {heading: None for heading in model.narrative}  # type: ignore[union-attr]
    for table in model.tables:  # type: ignore[union-attr]
        name = _table_name(draft, table.spec.id)
        target = draft.data.get(name)
        if isinstance(target, dict) and table.spec.by_subject and table.rows:
            target["明细"] = [{"科目编码": row.code, "科目名称": row.name} if row.code else {"科目名称": row.name} for row in table.rows]
    old_row, new_row = three_public
    three = model.table("three-public")  # type: ignore[union-attr]
    target = draft.data.get(_table_name(draft, "three-public"))
    stated = three.parts[0].item(new_row) if three is not None and three.parts else None
    if stated is not None and isinstance(target, dict):
        target[old_row] = {column: _amount(stated.figure(column)) for column in three.parts[0].columns}
        draft.carried.append(f"“三公”经费{old_row}（{year - 1}年{type(model).KIND_NAME}的{new_row}）")
    draft.carried.append(f"各表的科目编码和名称（{year - 1}年{type(model).KIND_NAME}）")


def _table_name(draft: Draft, table_id: str) -> str:
    return draft.tables.get(table_id, "")


def _amount(figure: Any) -> str | None:
    return None if figure is None else str(figure.value)


def disclosure_skeleton(form: KindForm) -> tuple[dict[str, Any], dict[str, str]]:
    """Every table of the form with its usual columns, blank; the names by table id."""
    data: dict[str, Any] = {"标题": None, "年度": None, "金额单位": None, "发布日期": None}
    names = {}
    for spec in form.tables:
        names[spec.id] = spec.name
        data[spec.name] = _blank_table(spec)
    return data, names


def _blank_table(spec: TableSpec) -> dict[str, Any]:
    def row(part: Any) -> Any:
        columns = [c for c in spec.default_columns if part.column(c)] or [c.name for c in part.columns]
        return None if part.single else {column: None for column in columns}

    if spec.by_subject:
        return {"合计": row(spec.parts[0]), "明细": []}
    if not spec.sided:
        return {item.name: row(spec.parts[0]) for item in spec.parts[0].items}
    return {part.name: {item.name: row(part) for item in part.items} for part in spec.parts}


# The headings of the 湖南 部门整体支出绩效自评报告, as the seed prints them (../shared/seed/000_1a1813143cd16474.txt).
SELF_EVALUATION_HEADINGS = (
    "一、部门、单位基本情况", "二、部门整体支出管理及使用情况", "三、政府性基金预算支出情况", "四、国有资本经营预算支出情况",
    "五、社会保险基金预算支出情况", "六、部门整体支出绩效情况", "七、存在的问题及原因分析", "八、下一步改进措施",
    "九、其他需要说明的情况",
)


def _carry_self_evaluation(draft: Draft, year: int, reports: Reports) -> None:
    """正文's headings (last year's, or the form's), and 附件1-1's 上年决算: last year's self-evaluation, or 决算."""
    previous, final = reports.get((year - 1, "self-evaluation")), reports.get((year - 1, "final-accounts"))
    headings = previous.model.text if previous is not None else SELF_EVALUATION_HEADINGS  # type: ignore[union-attr]
    draft.data["正文"] = {heading: None for heading in headings}
    if previous is not None:
        _carry_from_self_evaluation(draft, previous.model)  # type: ignore[arg-type]
        draft.carried.append(f"附件1-1 经费控制情况的上年决算数（{year - 1}年自评报告的本年决算数）")
    elif final is not None:
        _carry_from_final_accounts(draft, final.model)  # type: ignore[arg-type]
        draft.carried.append(f"附件1-1 经费控制情况的上年决算数（{year - 1}年部门决算）")


COSTS = ("基础数据表", "经费控制")


def _carry_from_self_evaluation(draft: Draft, previous: SelfEvaluation) -> None:
    draft.put(("金额单位",), previous.money_unit)
    old = previous.basic_data.costs
    for attribute, label, _ in THREE_PUBLIC_ROWS:
        draft.put(COSTS + ("三公经费", label, "上年决算"), _text(getattr(old.three_public, attribute).actual))
    for group, key in ((old.projects, "项目支出"), (old.public, "公用经费")):
        draft.put(COSTS + (key, "合计", "上年决算"), _text(group.total.actual))
        rows = [{"名称": row.name, "上年决算": _text(row.actual), "本年预算": None, "本年决算": None} for row in group.rows]
        draft.put(COSTS + (key, "分项"), rows)


def _carry_from_final_accounts(draft: Draft, final: FinalAccounts) -> None:
    draft.put(("金额单位",), final.money_unit)
    for _, label, other in THREE_PUBLIC_ROWS:
        draft.put(COSTS + ("三公经费", label, "上年决算"), _amount(figure_at(final, "three-public", "决算数", THREE_PUBLIC_COLUMNS[other])[0]))
    draft.put(COSTS + ("项目支出", "合计", "上年决算"), _amount(figure_at(final, "spending", "合计", "项目支出")[0]))
    draft.put(COSTS + ("公用经费", "合计", "上年决算"), _amount(figure_at(final, "spending", "合计", "公用经费")[0]))


# 项目支出绩效自评表: which projects, and what each keeps from last year's form.

# The usual 一级指标 and their 二级指标, for a project with no form of last year to start from.
STANDARD_INDICATORS = (
    ("产出指标", ("数量指标", "质量指标", "时效指标", "成本指标")),
    ("效益指标", ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标")),
    ("满意度指标", ("服务对象满意度指标",)),
)


def _blank_project(name: str | None) -> dict[str, Any]:
    project = skeleton(Project)
    project["项目名称"] = name
    project["绩效指标"] = [
        {"名称": label, "分值": None, "得分": None, "二级指标": [{"名称": group, "三级指标": []} for group in groups]}
        for label, groups in STANDARD_INDICATORS
    ]
    return project


def _carry_project_evaluation(draft: Draft, year: int, reports: Reports) -> None:
    """This year's projects (from the self-evaluation, else last year's form), with last year's setup."""
    previous, evaluation = reports.get((year - 1, "project-evaluation")), reports.get((year, "self-evaluation"))
    last: ProjectEvaluation | None = previous.model if previous else None  # type: ignore[assignment]
    this: SelfEvaluation | None = evaluation.model if evaluation else None  # type: ignore[assignment]
    old = {p.name: p for p in last.projects} if last else {}
    planned = [p.name for p in this.basics.targets.projects] if this else []
    names = planned or list(old)
    if not names:
        return
    projects = [_project_like(old.get(name), name) for name in names]
    if this is not None and planned:
        _carry_project_figures(projects, this)
        draft.carried.append(f"项目名称，及其年初预算数和全年执行数（{year}年自评报告的绩效目标设定和附件1-1 项目支出）")
    else:
        draft.carried.append(f"项目名称（{year - 1}年项目支出绩效自评表）")
    if last is not None:
        draft.put(("金额单位",), last.money_unit)
        if any(name in old for name in names):
            draft.carried.append(f"同名项目的主管部门、实施单位和绩效指标名称、分值（{year - 1}年项目支出绩效自评表）")
    draft.put(("项目",), projects)


def _project_like(old: Project | None, name: str) -> dict[str, Any]:
    """A blank project; with last year's form of the same name, its people and indicator tree (no results)."""
    project = _blank_project(name)
    if old is None:
        return project
    project.update({"主管部门": old.department, "实施单位": old.implementer, "项目负责人": old.manager})
    project["项目资金"]["分值"] = _text(old.funds.weight)
    project["总分"]["分值"] = _text(old.total.weight)
    project["绩效指标"] = [_category_like(category) for category in old.categories]
    return project


def _category_like(category: IndicatorCategory) -> dict[str, Any]:
    groups = [
        {"名称": group.name, "三级指标": [
            {"名称": i.name, "年度指标值": None, "实际完成值": None, "分值": _text(i.weight), "得分": None, "偏差原因": None}
            for i in group.indicators
        ]}
        for group in category.groups
    ]
    return {"名称": category.name, "分值": _text(category.weight), "得分": None, "二级指标": groups}


def _carry_project_figures(projects: list[dict[str, Any]], evaluation: SelfEvaluation) -> None:
    """附件1-1's row of exactly the same name gives 年初预算数 (本年预算) and 全年执行数 (本年决算)."""
    rows = {row.name: row for row in evaluation.basic_data.costs.projects.rows}
    planned = {p.name: p.amount for p in evaluation.basics.targets.projects}
    for project in projects:
        row = rows.get(project["项目名称"])
        funds = project["项目资金"]
        funds["年初预算数"] = _text(row.budget if row is not None else planned.get(project["项目名称"]))
        if row is not None:
            funds["全年执行数"] = _text(row.actual)


CARRY = {
    "budget": _carry_budget,
    "final-accounts": _carry_final_accounts,
    "self-evaluation": _carry_self_evaluation,
    "project-evaluation": _carry_project_evaluation,
}


def _text(figure: Figure | None) -> str | None:
    """A figure as the finance officer wrote it (Decimal keeps “55.20”)."""
    return None if figure is None else str(Decimal(figure.value))  # type: ignore[attr-defined]


# Writing the draft as YAML text, with each field's explanation as a comment.


def to_yaml(data: dict[str, Any], model: type[BaseModel]) -> str:
    lines = [f"# {model.__doc__.splitlines()[0] if model.__doc__ else ''}",
             "# 标有“必填”的空白必须填写；其余空白，没有的可以不填。标有“请核对”的是沿用上年的文字。",
             "# 填好后运行 python build.py check 检查。"]
    lines += _mapping(data, model, 0)
    return "\n".join(lines) + "\n"


def _mapping(data: dict[str, Any], model: type[BaseModel] | None, indent: int) -> list[str]:
    infos = {info.alias or name: info for name, info in model.model_fields.items()} if model else {}
    lines = []
    pad = " " * indent
    for key, value in data.items():
        info = infos.get(key)
        note = f"  # {info.description}" if info is not None and info.description else ""
        child = _unwrap(info.annotation) if info is not None else None
        if isinstance(value, dict):
            lines.append(f"{pad}{key}:{note}")
            lines += _mapping(value, child if _is_model(child) else None, indent + 2)
        elif isinstance(value, list) and value:
            lines.append(f"{pad}{key}:{note}")
            lines += [line for item in value for line in _item(item, _element(child), indent + 2)]
        elif isinstance(value, list):
            lines.append(f"{pad}{key}: []{note}")
        else:
            lines.append(f"{pad}{key}:{' ' + _scalar(value) if value is not None else ''}{note}")
    return lines


def _item(item: dict[str, Any], model: type[BaseModel] | None, indent: int) -> list[str]:
    """A list item: a flat row on one line; one that nests lists or mappings as an indented block."""
    pad = " " * indent
    if not any(isinstance(v, (dict, list)) for v in item.values()):
        return [f"{pad}- {_flow(item)}"]
    lines = _mapping(item, model, indent + 2)
    return [f"{pad}- {lines[0].lstrip()}", *lines[1:]]


def _element(annotation: Any) -> type[BaseModel] | None:
    """The model of a list's items (list[Project] → Project), for the comments of its fields."""
    args = typing.get_args(annotation) if typing.get_origin(annotation) is list else ()
    element = _unwrap(args[0]) if args else None
    return element if _is_model(element) else None


def _flow(row: dict[str, Any]) -> str:
    """One row per line, as the published tables list them: easy to paste over."""
    return "{" + ", ".join(f"{k}: {_scalar(v) if v is not None else ''}" for k, v in row.items()) + "}"


def _scalar(value: str) -> str:
    text = str(value)
    return text if _PLAIN.fullmatch(text) and text == text.strip() else json.dumps(text, ensure_ascii=False)


def _is_model(candidate: Any) -> bool:
    return isinstance(candidate, type) and issubclass(candidate, BaseModel)


def _unit_form(content: Content, unit: str) -> str | None:
    entry = content.units.get(unit)
    return entry.model.form if entry is not None else None
