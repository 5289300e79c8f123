"""Rules that tie a 项目支出绩效自评表 together: each project's form, as the department's 附件1-2 is tied.

The 执行率, score and 偏差原因 rules are the self-evaluation's own, given one project's parts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from gongkai.checks.rules import Context, sum_equals
from gongkai.checks.self_evaluation import deviations_given, rate_and_score_hold, scores_add_up
from gongkai.models.project_evaluation import ProjectEvaluation, ProjectFunds, SourceRow
from gongkai.problems import Finding

Check = Callable[[ProjectEvaluation, Context], Iterator[Finding]]


def projects_listed(r: ProjectEvaluation, ctx: Context) -> Iterator[Finding]:
    """At least one project, each named once: the name is how the page, the toc and 附件1-1 find it."""
    if not r.projects:
        yield Finding("no-projects", ("项目",), "“项目”下至少要有一个项目：每个项目填写一张自评表")
    seen: dict[str, int] = {}
    for index, project in enumerate(r.projects):
        if project.name in seen:
            yield Finding(
                "duplicate-project",
                project.path + ("项目名称",),
                f"项目名称“{project.name}”重复：与第 {seen[project.name] + 1} 个项目同名，每个项目只填一次",
                see=(r.projects[seen[project.name]].path + ("项目名称",),),
            )
        else:
            seen[project.name] = index


def sources_add_up(r: ProjectEvaluation, ctx: Context) -> Iterator[Finding]:
    """年度资金总额 = 财政拨款 + 其他资金, in each of 年初预算数, 全年预算数 and 全年执行数."""
    for project in r.projects:
        yield from _sources_of(project.name, project.funds, ctx)


def _sources_of(name: str, funds: ProjectFunds, ctx: Context) -> Iterator[Finding]:
    sources = funds.sources()
    if not sources:
        return  # the form leaves the 其中 rows out: nothing to add up
    for column, label in SourceRow.COLUMNS.items():
        yield from sum_equals(
            ctx,
            (f"{name}的年度资金总额{label}", getattr(funds, column)),
            [(source, getattr(row, column)) for source, row in sources],
            where=funds.path,
        )


def funds_rate_and_score(r: ProjectEvaluation, ctx: Context) -> Iterator[Finding]:
    for project in r.projects:
        yield from rate_and_score_hold(project.funds)


def indicators_add_up(r: ProjectEvaluation, ctx: Context) -> Iterator[Finding]:
    for project in r.projects:
        yield from scores_add_up(project.funds, project.categories, project.total)


def deviations_explained(r: ProjectEvaluation, ctx: Context) -> Iterator[Finding]:
    for project in r.projects:
        yield from deviations_given(project.categories)


CHECKS: tuple[Check, ...] = (
    projects_listed,
    sources_add_up,
    funds_rate_and_score,
    indicators_add_up,
    deviations_explained,
)
