"""A report's key figures: the few numbers a unit's comparison page sets side by side, year by year.

They are taken from the model once, when the report is read, and kept in its Listing, so the
comparison page (an index page) is drawn on a rebuild without reading any report again.
Each figure names the table of its report page it stands in, so the page can link to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from gongkai.models.base import Figure
from gongkai.models.disclosure import Disclosure, figure_at
from gongkai.models.self_evaluation import SelfEvaluation

if TYPE_CHECKING:  # forms.bind imports the models, which content.py (our importer) needs first
    from gongkai.forms.bind import BoundTable

FigureKind = Literal["money", "percent", "score"]


@dataclass(frozen=True)
class KeyFigure:
    """One key figure of a report: what it is, its value as published, and the table it stands in."""

    name: str  # e.g. "收支总计"; with the report's kind, names the figure across years
    value: Decimal
    kind: FigureKind
    anchor: str  # the id of its table on the report page

    def to_json(self) -> list[str]:
        return [self.name, str(self.value), self.kind, self.anchor]

    @classmethod
    def from_json(cls, raw: list[str]) -> KeyFigure:
        name, value, kind, anchor = raw
        return cls(str(name), Decimal(value), kind, str(anchor))  # type: ignore[arg-type]


# The rows of the “三公” tables: (our name, the form's column).
THREE_PUBLIC = (
    ("“三公”经费合计", "合计"),
    ("因公出国（境）费", "因公出国（境）费"),
    ("公务用车购置费", "公务用车购置费"),
    ("公务用车运行费", "公务用车运行费"),
    ("公务接待费", "公务接待费"),
)
# 收支总计 is 收入总计 in a 预算 and 总计 in a 决算 (the national forms' names; provinces alias theirs).
GRAND_TOTAL = {"budget": "收入/收入总计", "final-accounts": "收入/总计"}
# The “三公” row that holds this year's figure: the budget's 预算数, the final accounts' 决算数.
THREE_PUBLIC_ROW = {"budget": "预算数", "final-accounts": "决算数"}

# Every key figure, in the order the comparison page lists them, by report kind.
NAMES: dict[str, tuple[tuple[str, FigureKind], ...]] = {
    "budget": (("收支总计", "money"), ("基本支出", "money"), ("项目支出", "money"),
               *((name, "money") for name, _ in THREE_PUBLIC)),
    "final-accounts": (("收支总计", "money"), ("基本支出", "money"), ("项目支出", "money"),
                       *((name, "money") for name, _ in THREE_PUBLIC)),
    "self-evaluation": (("执行率", "percent"), ("自评得分", "score")),
}


def key_figures(kind: str, model: Any) -> tuple[KeyFigure, ...]:
    """The report's key figures that it states; a figure left blank is left out (and stays blank)."""
    if isinstance(model, Disclosure):
        return tuple(_disclosure(kind, model))
    if isinstance(model, SelfEvaluation):
        return tuple(_self_evaluation(model))
    return ()


def _disclosure(kind: str, report: Disclosure) -> Iterator[KeyFigure]:
    wanted = [("收支总计", "overview", GRAND_TOTAL[kind], ""),
              ("基本支出", "spending", "合计", "基本支出"), ("项目支出", "spending", "合计", "项目支出")]
    wanted += [(name, "three-public", THREE_PUBLIC_ROW[kind], column) for name, column in THREE_PUBLIC]
    for name, table_id, row, column in wanted:
        figure, _ = figure_at(report, table_id, row, column)
        table = report.table(table_id)
        if figure is not None and table is not None:
            yield KeyFigure(name, Decimal(figure.value), "money", _anchor(table, row))


def _anchor(table: BoundTable, row: str) -> str:
    """The id the report page gives the table (a two-sided table split by side gets one id per side)."""
    part_name = row.rpartition("/")[0]
    split = len(table.parts) > 1 and len({tuple(p.columns) for p in table.parts}) > 1
    if not split or not part_name:
        return table.spec.id
    number = next(n for n, p in enumerate(table.parts, 1) if p.spec.name == part_name)
    return f"{table.spec.id}-{number}"


def _self_evaluation(report: SelfEvaluation) -> Iterator[KeyFigure]:
    stated: list[tuple[str, Figure | None, FigureKind, str]] = [
        ("执行率", report.form.funds.rate, "percent", "funds"),
        ("自评得分", report.form.total.score, "score", "indicators"),
    ]
    for name, figure, kind, anchor in stated:
        if figure is not None:
            yield KeyFigure(name, Decimal(figure.value), kind, anchor)  # type: ignore[attr-defined]
