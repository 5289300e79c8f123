"""Rules across documents: a unit's 部门预算, 部门决算, 绩效自评 and 项目支出绩效自评表 of one year agree
where they state the same figure, and a report's figures for last year agree with last year's own reports.

Only figures that truly are one figure are compared (the 决算's 年初预算数 is the published budget; the
self-evaluation's “三公” 本年决算 is the 决算's). A finding stands in the later or more derived
document; its message names the other place as file:line, because that place is in another file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Union

from gongkai.content import ReportEntry
from gongkai.models.base import Figure, value_of
from gongkai.models.disclosure import Budget, FinalAccounts, figure_at
from gongkai.models.project_evaluation import ProjectEvaluation
from gongkai.models.self_evaluation import GroupRows, SelfEvaluation
from gongkai.numbers import money
from gongkai.problems import FieldPath, Finding, Severity, display_file, format_path


@dataclass(frozen=True)
class Derived:
    """A figure computed from others (上年预算 = 本年预算 − 较上年增减), reported where it comes from."""

    value: Any
    path: FieldPath


# A figure as one report states it: typed in, derived, or left blank.
Stated = Union[Figure, Derived, None]


@dataclass(frozen=True)
class Same:
    """Two statements of one figure: here (the report checked) and there (the other report)."""

    here: str
    here_figure: Stated
    there: str
    there_figure: Stated
    here_where: FieldPath = ()  # where to report, when the figure here is left blank
    there_where: FieldPath = ()  # where to point, when the figure there is left blank


Rule = Callable[[Any, Any], Iterator[Same]]
# Last year's figures may be restated on a comparable basis (同口径) in this year's report, so a
# difference from last year's own report is worth a look but does not stop publishing.
SEVERITY = {"prior-year-mismatch": Severity.WARNING}
# (this kind, the other kind, the other's year relative to this one, finding code, rule)
RuleSpec = tuple[str, str, int, str, Rule]
# The self-evaluation's 附件1-1 “三公” rows and the same figures in a “三公” table.
THREE_PUBLIC_ROWS = (
    ("total", "合计", "total"),
    ("vehicles", "公务用车购置和维护经费", "vehicles"),
    ("vehicle_purchase", "公车购置", "vehicle_purchase"),
    ("vehicle_operation", "公车运行维护", "vehicle_operation"),
    ("overseas", "出国经费", "overseas"),
    ("reception", "公务接待", "reception"),
)


def cross_checks(entries: Sequence[ReportEntry]) -> Iterator[tuple[ReportEntry, Finding]]:
    """Every rule for every pair of the reports given: (the report at fault, the finding).

    Every rule compares reports of one unit, so a unit's reports can be checked on their own.
    """
    index = {(e.unit.id, e.year, e.kind): e for e in entries}
    for entry in entries:
        for kind, other_kind, offset, code, rule in RULES:
            other = index.get((entry.unit.id, entry.year + offset, other_kind))
            if entry.kind == kind and other is not None:
                for same in rule(entry.model, other.model):
                    for finding in _differs(code, same, other):
                        yield entry, finding
    yield from copied_figures(entries)


# Figures that make a copy recognisable: fewer than this, and two years may agree by chance.
COPIED_FIGURES = 5
_NUMBER = re.compile(r"-?\d+(\.\d+)?%?")
_HEADER = ("标题", "年度", "金额单位", "发布日期", "更正记录")


def copied_figures(entries: Sequence[ReportEntry]) -> Iterator[tuple[ReportEntry, Finding]]:
    """A report whose every figure is last year's report's, in the same places: a copy not yet updated."""
    index = {(e.unit.id, e.year, e.kind): e for e in entries}
    for entry in entries:
        before = index.get((entry.unit.id, entry.year - 1, entry.kind))
        if before is None:
            continue
        mine, theirs = _figures(entry.document.data), _figures(before.document.data)
        if mine == theirs and sum(value.strip("-0.%") != "" for value in mine.values()) >= COPIED_FIGURES:
            first = next(iter(mine))
            place = f"{display_file(before.source)}:{before.document.locate(first)[0]}"
            yield entry, Finding(
                "copied-figures", first,
                f"本报告的全部 {len(mine)} 个数字与{before.year}年{type(before.model).KIND_NAME}完全相同："
                f"是否复制了上年的文件而忘了改数字？请填写{entry.year}年度的数字（另见 {place}）",
                Severity.WARNING,
            )


def _figures(data: Any, path: FieldPath = ()) -> dict[FieldPath, str]:
    """Every value written as a number, by its place (the header, which a copy changes, left out)."""
    if isinstance(data, dict):
        items: Any = ((k, v) for k, v in data.items() if path or k not in _HEADER)
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        return {path: data} if isinstance(data, str) and _NUMBER.fullmatch(data.strip()) else {}
    found: dict[FieldPath, str] = {}
    for key, value in items:
        found.update(_figures(value, (*path, key)))
    return found


def _differs(code: str, same: Same, other: ReportEntry) -> Iterator[Finding]:
    here, there = value_of(same.here_figure), value_of(same.there_figure)
    if here == there:
        return
    there_path = same.there_figure.path if same.there_figure is not None else same.there_where
    line = other.document.locate(there_path)[0]
    place = f"{display_file(other.source)}:{line} {format_path(there_path)}"
    name = f"{other.year}年{type(other.model).KIND_NAME}"
    severity = SEVERITY.get(code, Severity.ERROR)
    rule = "如按同口径调整过，请在说明中写明" if severity is Severity.WARNING else "同一数字在两处应相同"
    yield Finding(
        code,
        same.here_figure.path if same.here_figure is not None else same.here_where,
        f"{same.here} {money(here)} 与{name}中的{same.there} {money(there)} 不一致：{rule}（另见 {place}）",
        severity,
    )


# 部门决算 against the same year's 部门预算: the 年初预算数 column is the published budget.

THREE_PUBLIC_COLUMNS = {
    "total": "合计", "vehicles": "公务用车购置及运行费", "vehicle_purchase": "公务用车购置费",
    "vehicle_operation": "公务用车运行费", "overseas": "因公出国（境）费", "reception": "公务接待费",
}


def final_initial_budget(final: FinalAccounts, budget: Budget) -> Iterator[Same]:
    mine, theirs = final.table("general-public"), budget.table("general-public")
    if mine is None or theirs is None or "年初预算数" not in (mine.parts[0].columns if mine.parts else ()):
        return
    here, here_at = figure_at(final, "general-public", "合计", "年初预算数")
    there, there_at = figure_at(budget, "general-public", "合计", "合计")
    yield Same(f"{mine.label}合计行的年初预算数", here, f"{theirs.label}合计行的合计", there, here_at or mine.path, there_at or theirs.path)
    budgeted = {row.code: row for row in theirs.rows if row.code}
    for row in mine.rows:
        other = budgeted.get(row.code)
        yield Same(
            f"{mine.label} {row.code} {row.name} 年初预算数", row.figure("年初预算数"),
            f"{theirs.label} {row.code}{'' if other else '（未列出）'} 合计", other.figure("合计") if other else None,
            row.path, theirs.path,
        )


# 绩效自评 against the same year's 部门预算 (年初预算) and 部门决算 (执行).


def _same(label: str, figure: Any, where: FieldPath, report: Any, table_id: str, row: str, column: str = "") -> Same:
    """This report's figure against one cell of a 预算 or 决算 table (named as the other report names it)."""
    there, there_at = figure_at(report, table_id, row, column)
    table = report.table(table_id)
    name = table.label if table is not None else table_id
    cell = "合计行" if row == "合计" else row.rpartition("/")[2]
    return Same(label, figure, f"{name}{cell}{'的' + column if column else ''}", there, where, there_at)


def self_evaluation_budget(r: SelfEvaluation, budget: Budget) -> Iterator[Same]:
    i, e = r.execution.income, r.execution.expenditure
    yield _same("收入预算年初预算", i.initial, i.path, budget, "overview", "收入/本年收入合计")
    yield _same("收入预算中的一般公共预算财政拨款", i.general_public, i.path, budget, "overview", "收入/一般公共预算拨款收入")
    yield _same("收入预算中的政府性基金预算拨款", i.government_fund, i.path, budget, "overview", "收入/政府性基金预算拨款收入")
    yield _same("收入预算中的国有资本经营预算拨款", i.state_capital, i.path, budget, "overview", "收入/国有资本经营预算拨款收入")
    yield _same("收入预算中的纳入财政专户管理的非税收入拨款", i.special_account, i.path, budget, "overview", "收入/财政专户管理资金收入")
    for label, figure, column in (
        ("支出预算年初预算", e.initial, "合计"), ("支出预算中的人员支出", e.personnel, "人员经费"),
        ("支出预算中的公用经费", e.public, "公用经费"), ("支出预算中的项目支出", e.projects, "项目支出"),
    ):
        yield _same(label, figure, e.path, budget, "spending", "合计", column)
    yield from _three_public_budget(r, budget)
    procurement = r.basic_data.costs.procurement
    if budget.table("other-figures") is not None:
        yield _same("附件1-1政府采购金额本年预算", procurement.budget, procurement.path, budget, "other-figures", "政府采购")


def _three_public_budget(r: SelfEvaluation, budget: Budget) -> Iterator[Same]:
    t = r.execution.three_public
    for label, figure, column in (
        ("“三公”经费本年预算", t.budget, "total"), ("公务接待费", t.reception, "reception"),
        ("公务用车购置费", t.vehicle_purchase, "vehicle_purchase"), ("公务用车运行维护费", t.vehicle_operation, "vehicle_operation"),
        ("因公出国（境）费", t.overseas, "overseas"),
    ):
        yield _same(f"报告正文{label}", figure, t.path, budget, "three-public", "预算数", THREE_PUBLIC_COLUMNS[column])
    previous, _ = figure_at(budget, "three-public", "上年预算数", "合计")
    if t.change is not None and previous is not None:
        implied = Derived(value_of(t.budget) - value_of(t.change), t.change.path)
        yield _same("由本年预算和较上年增减推得的上年预算", implied, t.change.path, budget, "three-public", "上年预算数", "合计")


def self_evaluation_final(r: SelfEvaluation, final: FinalAccounts) -> Iterator[Same]:
    x, costs = r.execution, r.basic_data.costs
    yield _same("附件1-2全年执行数", r.form.funds.executed, (), final, "spending", "合计", "合计")
    yield _same("基本支出实际支出", x.basic.actual, (), final, "spending", "合计", "基本支出")
    yield _same("项目支出实际支出", x.project.actual, (), final, "spending", "合计", "项目支出")
    yield _same("附件1-1公用经费本年决算", costs.public.total.actual, costs.public.total.path, final, "spending", "合计", "公用经费")
    by_income = r.form.funds.by_income
    yield _same("附件1-2按收入性质分的一般公共预算", by_income.general_public, by_income.path, final, "general-public", "合计", "全年预算数")
    if final.table("other-figures") is not None:
        procurement = costs.procurement
        yield _same("附件1-1政府采购金额本年决算", procurement.actual, procurement.path, final, "other-figures", "政府采购")
    yield from _three_public_rows(r, "actual", "本年决算", final, "决算数")
    if figure_at(final, "three-public", "上年决算数", "合计")[0] is not None:
        yield from _three_public_rows(r, "prior_actual", "上年决算", final, "上年决算数")


def _three_public_rows(r: SelfEvaluation, column: str, name: str, final: FinalAccounts, row_name: str) -> Iterator[Same]:
    rows = r.basic_data.costs.three_public
    for attribute, label, other in THREE_PUBLIC_ROWS:
        row = getattr(rows, attribute)
        yield _same(f"附件1-1“三公”经费{label}{name}", getattr(row, column), row.path, final, "three-public", row_name,
                    THREE_PUBLIC_COLUMNS[other])


# A report's figures for last year against last year's reports.


def self_evaluation_prior(r: SelfEvaluation, previous: SelfEvaluation) -> Iterator[Same]:
    mine, theirs = r.basic_data.costs, previous.basic_data.costs
    for attribute, label, _ in THREE_PUBLIC_ROWS:
        row, old = getattr(mine.three_public, attribute), getattr(theirs.three_public, attribute)
        yield Same(f"附件1-1“三公”经费{label}上年决算", row.prior_actual, f"附件1-1“三公”经费{label}本年决算", old.actual, row.path, old.path)
    yield from _group_prior("项目支出", mine.projects, theirs.projects)
    yield from _group_prior("公用经费", mine.public, theirs.public)
    t, old = r.execution.three_public, previous.execution.three_public
    if t.change is not None:
        implied = Derived(value_of(t.budget) - value_of(t.change), t.change.path)
        yield Same("由“三公”经费本年预算和较上年增减推得的上年预算", implied, "报告正文“三公”经费本年预算", old.budget)


def _group_prior(label: str, mine: GroupRows, theirs: GroupRows) -> Iterator[Same]:
    yield Same(f"附件1-1{label}合计上年决算", mine.total.prior_actual, f"附件1-1{label}合计本年决算", theirs.total.actual,
               mine.total.path, theirs.total.path)
    old_rows = {row.name: row for row in theirs.rows}
    for row in mine.rows:
        if row.name in old_rows:
            old = old_rows[row.name]
            yield Same(f"附件1-1{row.name}上年决算", row.prior_actual, f"附件1-1{row.name}本年决算", old.actual, row.path, old.path)


def self_evaluation_prior_final(r: SelfEvaluation, final: FinalAccounts) -> Iterator[Same]:
    costs = r.basic_data.costs
    for attribute, label, other in THREE_PUBLIC_ROWS:
        row = getattr(costs.three_public, attribute)
        yield _same(f"附件1-1“三公”经费{label}上年决算", row.prior_actual, row.path, final, "three-public", "决算数",
                    THREE_PUBLIC_COLUMNS[other])
    yield _same("附件1-1项目支出合计上年决算", costs.projects.total.prior_actual, costs.projects.total.path, final, "spending", "合计", "项目支出")
    yield _same("附件1-1公用经费合计上年决算", costs.public.total.prior_actual, costs.public.total.path, final, "spending", "合计", "公用经费")


def budget_prior(budget: Budget, previous: Budget) -> Iterator[Same]:
    yield from _three_public_prior(budget, "上年预算数", previous, "预算数")


def final_prior(final: FinalAccounts, previous: FinalAccounts) -> Iterator[Same]:
    yield from _three_public_prior(final, "上年决算数", previous, "决算数")


def _three_public_prior(mine: Any, label: str, theirs: Any, other: str) -> Iterator[Same]:
    for name in THREE_PUBLIC_COLUMNS.values():
        here, where = figure_at(mine, "three-public", label, name)
        if here is None:
            continue
        yield _same(f"“三公”经费{label}的{name}", here, where, theirs, "three-public", other, name)


# 项目支出绩效自评表 against the same year's self-evaluation: 附件1-1 lists each project's 本年预算 (its
# 年初预算) and 本年决算 (its 全年执行数). Only a row of exactly the same name is the same project.


def project_evaluation_self(r: ProjectEvaluation, self_evaluation: SelfEvaluation) -> Iterator[Same]:
    rows = {row.name: row for row in self_evaluation.basic_data.costs.projects.rows}
    for project in r.projects:
        row = rows.get(project.name)
        if row is None:
            continue
        f = project.funds
        yield Same(f"{project.name}的年初预算数", f.initial, f"附件1-1项目支出“{row.name}”本年预算", row.budget, f.path, row.path)
        yield Same(f"{project.name}的全年执行数", f.executed, f"附件1-1项目支出“{row.name}”本年决算", row.actual, f.path, row.path)


RULES: tuple[RuleSpec, ...] = (
    ("final-accounts", "budget", 0, "budget-mismatch", final_initial_budget),
    ("self-evaluation", "budget", 0, "budget-mismatch", self_evaluation_budget),
    ("self-evaluation", "final-accounts", 0, "final-accounts-mismatch", self_evaluation_final),
    ("self-evaluation", "self-evaluation", -1, "prior-year-mismatch", self_evaluation_prior),
    ("self-evaluation", "final-accounts", -1, "prior-year-mismatch", self_evaluation_prior_final),
    ("budget", "budget", -1, "prior-year-mismatch", budget_prior),
    ("final-accounts", "final-accounts", -1, "prior-year-mismatch", final_prior),
    ("project-evaluation", "self-evaluation", 0, "self-evaluation-mismatch", project_evaluation_self),
)



