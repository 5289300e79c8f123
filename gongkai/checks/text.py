"""The figures a report's text states, checked against the report's own tables and fields.

Any report kind: its texts (path, section heading, text) and its known figures (every figure of its model or
bound tables, with the names it goes by) are gathered here; `gongkai.textfigures` reads and ties the figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from gongkai.checks.rules import Context
from gongkai.forms.bind import Dash
from gongkai.models.base import (
    AreaFigure,
    ChangeAmount,
    ChangeRate,
    CountFigure,
    Figure,
    Rate,
    ScoreFigure,
    Strict,
)
from gongkai.models.disclosure import Disclosure
from gongkai.models.project_evaluation import ProjectEvaluation
from gongkai.models.self_evaluation import SelfEvaluation
from gongkai.numbers import plain
from gongkai.problems import FieldPath, Finding, Severity
from gongkai.textfigures import (
    AREA,
    COUNT,
    GENERIC,
    MONEY,
    PERCENT,
    SCORE,
    Known,
    Stated,
    find,
    parts_exceed,
    plain_text,
    tie,
)

# A text to read: where it is in the file, the heading it stands under, and the text.
Text = tuple[FieldPath, str, str]
_ITEM_NAMES = ("name", "subject")  # a list item's own name, standing in for its index
# “预算数”, “上年决算数”: a column or row that says when, not what; a text never names a figure by it alone.
_PERIOD_ONLY = re.compile(r"(?:上年|本年|年初|全年|\d{4}年)?(?:预算|决算|执行|调整|预算执行)?数?")


def self_evaluation_texts(r: SelfEvaluation, ctx: Context) -> Iterator[Finding]:
    texts = [(("正文", heading), heading, body) for heading, body in r.text.items()]
    yield from check_texts(texts, model_figures(r, r.money_unit))


def disclosure_texts(r: Disclosure, ctx: Context) -> Iterator[Finding]:
    texts = [(("情况说明", heading), heading, body) for heading, body in r.narrative.items()]
    yield from check_texts(texts, table_figures(r))


def project_texts(r: ProjectEvaluation, ctx: Context) -> Iterator[Finding]:
    for index, project in enumerate(r.projects):
        known = model_figures(project, r.money_unit, ("项目", index))
        texts = [
            (("项目", index, "年度总体目标", key), project.name, getattr(project.goals, attribute))
            for key, attribute in (("预期目标", "expected"), ("实际完成情况", "achieved"))
        ]
        yield from check_texts(texts, known)


def check_texts(texts: list[Text], known: list[Known]) -> Iterator[Finding]:
    """Each stated figure tied to a field, or a finding at its line and column; and the text's own sums."""
    for path, section, text in texts:
        figures = find(text, section)
        for stated in figures:
            yield from _tie_findings(path, stated, known)
        for total, parts, listed in parts_exceed(figures, text):
            terms = " + ".join(p.written for p in parts)
            yield Finding(
                "text-parts-exceed", path,
                f"正文写“{total.written}”，其中所列各项 {terms} = {plain(listed)}{total.unit}，比总数还多。"
                "请核对总数和各项，改正写错的那个",
                offset=total.start,
            )


def _tie_findings(path: FieldPath, stated: Stated, known: list[Known]) -> Iterator[Finding]:
    if stated.marker_bad is not None:
        yield Finding(
            "text-marker", path,
            f"“{stated.written}”后的“{{{stated.marker_bad}}}”看不懂：核对标记只能写 {{=字段路径}} 或 {{不核对：理由}}",
            Severity.WARNING, offset=stated.start,
        )
    result = tie(stated, known)
    if result.agrees:
        return
    if result.how == "引用无效":
        yield Finding(
            "text-reference", path,
            f"“{stated.written}”后引用的“{stated.reference}”没有找到唯一对应的数字：请写出字段的完整路径，"
            "如 预算执行.基本支出.实际支出",
            offset=stated.start,
        )
    elif result.field is not None:
        yield Finding(
            "text-figure-mismatch", path,
            f"正文写“{stated.written}”，但{result.field.where}是 {_shown(result.field)}：两处应一致。"
            "请改正写错的一处；如果正文说的是另一个数字，在它后面写 {=字段路径} 注明",
            see=(result.field.path,), offset=stated.start,
        )
    else:
        yield Finding(
            "text-figure-unmatched", path,
            f"正文中的“{stated.written}”在本报告的表格和数据中找不到。请核对这个数字；"
            "如果它本来就不在表中（如工作量、人次），在它后面写 {不核对：理由}",
            Severity.WARNING, offset=stated.start,
        )


def _shown(known: Known) -> str:
    unit = {MONEY: known.money_unit, PERCENT: "%", COUNT: "", SCORE: "分", AREA: "平方米"}.get(known.measure, "")
    value = f"{known.value:f}" if known.measure == MONEY else plain(known.value)
    return f"{value}{unit}"


_MEASURES: tuple[tuple[type[Figure], str], ...] = (
    (ChangeRate, PERCENT), (Rate, PERCENT), (ScoreFigure, SCORE), (CountFigure, COUNT), (AreaFigure, AREA),
)


def model_figures(model: Strict, money_unit: str, base: FieldPath = ()) -> list[Known]:
    """Every figure of a model, named by its keys (a list item by its own 名称 or 科目)."""
    found: list[Known] = []
    _visit(model, base, (), money_unit, found)
    return found


def _visit(obj: Any, path: FieldPath, names: tuple[str, ...], unit: str, found: list[Known]) -> None:
    if isinstance(obj, Figure):
        value = getattr(obj, "value", None)
        if isinstance(value, (Decimal, int)):
            measure = next((m for kind, m in _MEASURES if isinstance(obj, kind)), MONEY)
            change = isinstance(obj, (ChangeAmount, ChangeRate))
            leaf = names[-1:] if names and names[-1] not in GENERIC else names[-2:-1]
            found.append(Known(path, names, leaf, Decimal(value), measure, unit, change))
        return
    if isinstance(obj, Strict):
        for name, info in type(obj).model_fields.items():
            alias = info.alias or name
            _visit(getattr(obj, name), path + (alias,), names + (alias,), unit, found)
    elif isinstance(obj, list):
        for index, item in enumerate(obj):
            own = next((getattr(item, a) for a in _ITEM_NAMES if isinstance(getattr(item, a, None), str)), None)
            _visit(item, path + (index,), names + ((own,) if own else ()), unit, found)


def table_figures(r: Disclosure) -> list[Known]:
    """Every cell of a 预算 or 决算, named by its table, part, row and column."""
    found: list[Known] = []
    for table in r.tables:
        for part in table.parts:
            rows = part.rows + ([table.total] if table.total is not None and part is table.parts[0] else [])
            for row in rows:
                for column, cell in row.cells.items():
                    if isinstance(cell, Dash) or getattr(cell, "value", None) is None:
                        continue
                    measure = PERCENT if isinstance(cell, Rate) else MONEY
                    change = any(word in column for word in ("增减", "增长", "变动"))
                    names = (table.spec.name, part.spec.name, row.name or row.label, column)
                    row_name = row.name or row.label
                    total = row is table.total or any(word in row_name for word in ("合计", "总计", "小计"))
                    labels = tuple(
                        label for label in (
                            row_name, row_name + column, part.spec.name + row_name, *((column,) if total else ())
                        )
                        if not _PERIOD_ONLY.fullmatch(label)
                    )
                    found.append(Known(cell.path, names, labels, Decimal(cell.value), measure, r.money_unit, change))
    return found


def text_corrections_found(r: SelfEvaluation, ctx: Context) -> Iterator[Finding]:
    """A 正文更正 must point at its corrected words: once, in the section it names."""
    for index, fix in enumerate(r.text_corrections):
        path: FieldPath = ("正文更正", index)
        if fix.section is not None and fix.section not in r.text:
            yield Finding("text-correction", path + ("位置",), f"正文中没有标题为“{fix.section}”的部分")
            continue
        bodies = [r.text[fix.section]] if fix.section is not None else list(r.text.values())
        count = sum(plain_text(body).count(fix.corrected) for body in bodies)
        if count != 1:
            where = f"“{fix.section}”中" if fix.section else "正文中"
            how = "没有找到" if count == 0 else f"出现了 {count} 次"
            yield Finding(
                "text-correction", path + ("更正为",),
                f"更正后的文字“{fix.corrected}”在{where}{how}：须恰好出现一次。请写得更长一些，或用“位置”指明所在部分",
            )
