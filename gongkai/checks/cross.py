"""Rules across documents: a unit's 部门预算, 部门决算, 绩效自评 and 项目支出绩效自评表 of one year agree
where they state the same figure, and a report's figures for last year agree with last year's own reports.

Only figures that truly are one figure are compared (the 决算's 年初预算数 is the published budget; the
self-evaluation's “三公” 本年决算 is the 决算's). A finding stands in the later or more derived
document; its message names the other place as file:line, because that place is in another file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Optional, Union

from gongkai.content import ReportEntry
from gongkai.models.base import Figure, value_of
from gongkai.models.budget import Budget, FinalAccounts, ThreePublicAmounts
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


def final_initial_budget(final: FinalAccounts, budget: Budget) -> Iterator[Same]:
    mine, theirs = final.general_public, budget.general_public
    yield Same(
        "一般公共预算财政拨款支出决算表合计行的年初预算数", mine.total.initial if mine.total else None,
        "一般公共预算财政拨款支出表合计行的合计", theirs.total.total if theirs.total else None,
        mine.path, theirs.path,
    )
    budgeted = {row.code: row for row in theirs.rows}
    for row in mine.rows:
        there = budgeted.get(row.code)
        yield Same(
            f"一般公共预算财政拨款支出决算表 {row.code} {row.name} 年初预算数", row.initial,
            f"一般公共预算财政拨款支出表 {row.code}{'' if there else '（未列出）'} 合计", there.total if there else None,
            row.path, theirs.path,
        )


# 绩效自评 against the same year's 部门预算 (年初预算) and 部门决算 (执行).


def self_evaluation_budget(r: SelfEvaluation, budget: Budget) -> Iterator[Same]:
    i, e, income, spent = r.execution.income, r.execution.expenditure, budget.overview.income, budget.spending.total
    yield Same("收入预算年初预算", i.initial, "部门收支总表本年收入合计", income.total)
    yield Same("收入预算中的一般公共预算财政拨款", i.general_public, "部门收支总表一般公共预算拨款", income.general_public, i.path, income.path)
    yield Same("收入预算中的政府性基金预算拨款", i.government_fund, "部门收支总表政府性基金预算拨款", income.government_fund, i.path, income.path)
    yield Same("收入预算中的国有资本经营预算拨款", i.state_capital, "部门收支总表国有资本经营预算拨款", income.state_capital, i.path, income.path)
    yield Same("收入预算中的纳入财政专户管理的非税收入拨款", i.special_account, "部门收支总表财政专户管理资金", income.special_account, i.path, income.path)
    for label, figure, column, name in (
        ("支出预算年初预算", e.initial, "total", "合计"), ("支出预算中的人员支出", e.personnel, "personnel", "人员经费"),
        ("支出预算中的公用经费", e.public, "public", "公用经费"), ("支出预算中的项目支出", e.projects, "project", "项目支出"),
    ):
        yield Same(label, figure, f"部门支出总表合计行的{name}", getattr(spent, column) if spent else None, e.path, budget.spending.path)
    yield from _three_public_budget(r, budget)
    procurement = r.basic_data.costs.procurement
    yield Same("附件1-1政府采购金额本年预算", procurement.budget, "政府采购金额", budget.explanations.procurement.amount, procurement.path)


def _three_public_budget(r: SelfEvaluation, budget: Budget) -> Iterator[Same]:
    t, planned = r.execution.three_public, budget.three_public.budget
    for label, figure, column in (
        ("“三公”经费本年预算", t.budget, "total"), ("公务接待费", t.reception, "reception"),
        ("公务用车购置费", t.vehicle_purchase, "vehicle_purchase"), ("公务用车运行维护费", t.vehicle_operation, "vehicle_operation"),
        ("因公出国（境）费", t.overseas, "overseas"),
    ):
        yield Same(f"报告正文{label}", figure, f"“三公”经费支出表预算数的{ThreePublicAmounts.COLUMNS[column]}", getattr(planned, column), t.path, planned.path)
    previous = budget.three_public.previous
    if t.change is not None and previous is not None:
        implied = Derived(value_of(t.budget) - value_of(t.change), t.change.path)
        yield Same("由本年预算和较上年增减推得的上年预算", implied, "“三公”经费支出表上年预算数的合计", previous.total)


def self_evaluation_final(r: SelfEvaluation, final: FinalAccounts) -> Iterator[Same]:
    x, spent, costs = r.execution, final.spending.total, r.basic_data.costs
    yield Same("附件1-2全年执行数", r.form.funds.executed, "支出决算表合计行的合计", _cell(spent, "total"), (), final.spending.path)
    yield Same("基本支出实际支出", x.basic.actual, "支出决算表合计行的基本支出", _cell(spent, "basic"), (), final.spending.path)
    yield Same("项目支出实际支出", x.project.actual, "支出决算表合计行的项目支出", _cell(spent, "project"), (), final.spending.path)
    yield Same("附件1-1公用经费本年决算", costs.public.total.actual, "支出决算表合计行的公用经费", _cell(spent, "public"),
               costs.public.total.path, final.spending.path)
    general = final.general_public.total
    by_income = r.form.funds.by_income
    yield Same("附件1-2按收入性质分的一般公共预算", by_income.general_public,
               "一般公共预算财政拨款支出决算表合计行的全年预算数", general.full_year if general else None, by_income.path, final.general_public.path)
    yield Same("附件1-1政府采购金额本年决算", costs.procurement.actual, "政府采购金额", final.explanations.procurement.amount, costs.procurement.path)
    three = final.three_public
    yield from _three_public_rows(r, "actual", "本年决算", three.actual, "“三公”经费支出决算表决算数")
    if three.previous is not None:
        yield from _three_public_rows(r, "prior_actual", "上年决算", three.previous, "“三公”经费支出决算表上年决算数")


def _three_public_rows(r: SelfEvaluation, column: str, name: str, amounts: ThreePublicAmounts, there: str) -> Iterator[Same]:
    rows = r.basic_data.costs.three_public
    for attribute, label, other in THREE_PUBLIC_ROWS:
        row = getattr(rows, attribute)
        yield Same(f"附件1-1“三公”经费{label}{name}", getattr(row, column), f"{there}的{ThreePublicAmounts.COLUMNS[other]}",
                   getattr(amounts, other), row.path, amounts.path)


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
    costs, spent = r.basic_data.costs, final.spending.total
    three = final.three_public.actual
    for attribute, label, other in THREE_PUBLIC_ROWS:
        row = getattr(costs.three_public, attribute)
        yield Same(f"附件1-1“三公”经费{label}上年决算", row.prior_actual,
                   f"“三公”经费支出决算表决算数的{ThreePublicAmounts.COLUMNS[other]}", getattr(three, other), row.path, three.path)
    yield Same("附件1-1项目支出合计上年决算", costs.projects.total.prior_actual, "支出决算表合计行的项目支出", _cell(spent, "project"),
               costs.projects.total.path, final.spending.path)
    yield Same("附件1-1公用经费合计上年决算", costs.public.total.prior_actual, "支出决算表合计行的公用经费", _cell(spent, "public"),
               costs.public.total.path, final.spending.path)


def budget_prior(budget: Budget, previous: Budget) -> Iterator[Same]:
    if budget.three_public.previous is not None:
        yield from _three_public_prior(budget.three_public.previous, "上年预算数", previous.three_public.budget, "预算数")


def final_prior(final: FinalAccounts, previous: FinalAccounts) -> Iterator[Same]:
    if final.three_public.previous is not None:
        yield from _three_public_prior(final.three_public.previous, "上年决算数", previous.three_public.actual, "决算数")


def _three_public_prior(mine: ThreePublicAmounts, label: str, theirs: ThreePublicAmounts, other: str) -> Iterator[Same]:
    for column, name in ThreePublicAmounts.COLUMNS.items():
        yield Same(f"“三公”经费{label}的{name}", getattr(mine, column), f"“三公”经费{other}的{name}", getattr(theirs, column),
                   mine.path, theirs.path)


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


def _cell(amounts: Any, column: str) -> Optional[Figure]:
    return None if amounts is None else getattr(amounts, column)
