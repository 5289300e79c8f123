"""部门预算 and 部门决算: a header, the narrative as published, and tables bound to the site's form.

The tables are not classes of ours: each report kind's tables are declared by the form (`gongkai/forms/`),
so a province's 表样 is a data file. A report's model class is made per form (`for_form`), and binding
its tables (`bind`) turns what the finance officer wrote into rows and figures, or into findings.
"""

from __future__ import annotations

from functools import cache
from typing import Any, ClassVar

from pydantic import Field, PrivateAttr, model_validator

from gongkai.forms.bind import Binder, BoundTable
from gongkai.forms.spec import KindForm, load_form
from gongkai.models.base import Markdown, ReportHeader
from gongkai.models.self_evaluation import CorrectionEntry
from gongkai.problems import Finding

TABLES_KEY = "（表格）"  # where the before-validator gathers the tables; not a key anyone writes


class Disclosure(ReportHeader):
    """What every 预算 and 决算 file holds; its tables are all the keys that are not the header's."""

    FORM_NAME: ClassVar[str] = "全国"
    FORM: ClassVar[KindForm]
    PLACES: ClassVar[int] = 2

    narrative: dict[str, Markdown] = Field(
        default_factory=dict, alias="情况说明", description="公开文本的各部分，按原文顺序：标题: 正文"
    )
    extra: list[Any] | None = Field(None, alias="其他表格", description="本单位表样以外公开的表")
    corrections_log: list[CorrectionEntry] = Field(
        default_factory=list, alias="更正记录", description="发布后的更正：已归档的报告只能通过新增更正记录来修改"
    )
    raw_tables: dict[str, Any] = Field(default_factory=dict, alias=TABLES_KEY)
    _tables: list[BoundTable] = PrivateAttr(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _gather_tables(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        own = {info.alias for info in cls.model_fields.values()}
        tables = {k: v for k, v in data.items() if k not in own}
        return {**{k: v for k, v in data.items() if k in own}, TABLES_KEY: tables}

    def bind(self) -> list[Finding]:
        """Read the tables against the form; the findings say what could not be read, and where."""
        binder = Binder(self.PLACES, self.year)
        self._tables = binder.bind_all(self.FORM, self.raw_tables, self.extra)
        return binder.findings

    @property
    def tables(self) -> list[BoundTable]:
        return self._tables

    def table(self, table_id: str) -> BoundTable | None:
        return next((t for t in self._tables if t.spec.id == table_id), None)

    @classmethod
    def for_form(cls, form_name: str, places: int = 2) -> type[Disclosure]:
        return _model(cls, form_name, places)


@cache
def _model(base: type[Disclosure], form_name: str, places: int) -> type[Disclosure]:
    form = load_form(form_name).of(base.KIND)
    attributes = {"FORM_NAME": form_name, "FORM": form, "PLACES": places, "__module__": __name__}
    return type(f"{base.__name__}_{form_name}_{places}", (base,), attributes)  # type: ignore[return-value]


class Budget(Disclosure):
    """部门预算：content/<单位>/<年度>/budget.yaml。"""

    KIND: ClassVar[str] = "budget"
    KIND_NAME: ClassVar[str] = "部门预算"


class FinalAccounts(Disclosure):
    """部门决算：content/<单位>/<年度>/final-accounts.yaml。"""

    KIND: ClassVar[str] = "final-accounts"
    KIND_NAME: ClassVar[str] = "部门决算"


def figure_at(report: Disclosure, table_id: str, row: str, column: str = "") -> tuple[Any, tuple[Any, ...]]:
    """A figure by table id, row (合计, a 科目编码, or [分栏/]项目) and column, with where it stands (or would).

    Table ids and item names are the national form's, which every province keeps (or aliases).
    """
    table = report.table(table_id)
    if table is None or not table.parts:
        return None, ()
    if table.spec.by_subject:
        found = table.total if row == "合计" else next((r for r in table.rows if r.code == row), None)
        part = table.parts[0]
    else:
        part_name, _, item = row.rpartition("/")
        part = table.part(part_name) if part_name else table.parts[0]
        found = part.item(item) if part is not None else None
    if found is None or part is None:
        return None, table.path
    return found.figure(column or part.spec.columns[0].name), found.path
