"""Rules that tie a 部门整体支出绩效自评报告 together: its body, 附件1-1 and 附件1-2."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

from gongkai.checks.rules import (
    Context,
    difference_equals,
    not_above,
    parts_within,
    rate_equals,
    same_figure,
    sum_equals,
)
from gongkai.models.base import Figure, ScoreFigure, value_of
from gongkai.models.self_evaluation import ControlRow, FundsRow, IndicatorCategory, SelfEvaluation, Total
from gongkai.numbers import decimals, money, plain, rounded
from gongkai.problems import Finding, Severity

Check = Callable[[SelfEvaluation, Context], Iterator[Finding]]
COLUMNS = {"prior_actual": "上年决算", "budget": "本年预算", "actual": "本年决算"}


def income_adds_up(r: SelfEvaluation, ctx: Context) -> Iterator[Finding]:
    i = r.execution.income
    yield from sum_equals(
        ctx,
        ("收入预算年初预算", i.initial),
        [
            ("一般公共预算财政拨款", i.general_public),
            ("纳入财政专户管理的非税收入拨款", i.special_account),
            ("政府性基金预算拨款", i.government_fund),
            ("国有资本经营预算拨款", i.state_capital),
        ],
    )


def expenditure_adds_up(r: SelfEvaluation, ctx: Context) -> Iterator[Finding]:
    e = r.execution.expenditure
    yield from sum_equals(
        ctx,
        ("支出预算年初预算", e.initial),
        [("人员支出", e.personnel), ("公用经费", e.public), ("项目支出", e.projects)],
    )


def income_matches_expenditure(r: SelfEvaluation, ctx: Context) -> Iterator[Finding]:
    i, e = r.execution.income, r.execution.expenditure
    yield from same_figure(("收入预算年初预算", i.initial), ("支出预算年初预算", e.initial))
    if i.change is not None and e.change is not None:
        yield from same_figure(("收入较上年增减", i.change), ("支出较上年增减", e.change))


def basic_spending_holds(r: SelfEvaluation, ctx: Context) -> Iterator[Finding]:
    b, e = r.execution.basic, r.execution.expenditure
    yield from sum_equals(ctx, ("基本支出年初预算", b.initial), [("人员支出", e.personnel), ("公用经费", e.public)])
    yield from difference_equals(ctx, ("基本支出结余", b.balance), ("全年预算", b.full_year), ("实际支出", b.actual))
    yield from parts_within(("基本支出实际支出", b.actual), [(item.subject, item.amount) for item in b.items])


def project_spending_holds(r: SelfEvaluation, ctx: Context) -> Iterator[Finding]:
    p, e = r.execution.project, r.execution.expenditure
    yield from same_figure(("支出预算中的项目支出", e.projects), ("项目支出年初预算", p.initial))
    terms = [("年初预算", p.initial, 1), ("年中追加", p.added, 1), ("年中调减", p.reduced, -1)]
    given = [(label, figure, sign) for label, figure, sign in terms if figure is not None]
    expected = sum((sign * value_of(figure) for _, figure, sign in given), Decimal(0))
    if abs(value_of(p.full_year) - expected) > ctx.tolerance * len(given):
        shown = "".join(f" {'+' if sign > 0 else '−'} {label} {_m(figure)}" for label, figure, sign in given)
        yield Finding(
            "sum-mismatch",
            p.full_year.path,
            f"项目支出全年预算 {_m(p.full_year)} ≠{shown[2:]} = {money(expected)}",
        )


def three_public_adds_up(r: SelfEvaluation, ctx: Context) -> Iterator[Finding]:
    t = r.execution.three_public
    yield from sum_equals(
        ctx,
        ("“三公”经费本年预算", t.budget),
        [
            ("公务接待费", t.reception),
            ("公务用车购置费", t.vehicle_purchase),
            ("公务用车运行维护费", t.vehicle_operation),
            ("因公出国（境）费", t.overseas),
        ],
    )


def three_public_change_holds(r: SelfEvaluation, ctx: Context) -> Iterator[Finding]:
    """“减少16.08万元，下降31.79%”: the rate is the change over last year's figure."""
    t = r.execution.three_public
    if t.change is None or t.change_rate is None:
        return
    previous = value_of(t.budget) - value_of(t.change)
    if previous == 0:
        return
    stated = t.change_rate.value
    expected = rounded(value_of(t.change) / previous * 100, decimals(stated))
    if expected != stated:
        yield Finding(
            "change-mismatch",
            t.change_rate.path,
            f"“三公”经费增减率 {plain(stated)}% ≠ 增减额 {_m(t.change)} ÷ 上年预算 {money(previous)}"
            f"（本年 {_m(t.budget)} − 增减额）= {plain(expected)}%",
        )


def targets_hold(r: SelfEvaluation, ctx: Context) -> Iterator[Finding]:
    t, e = r.basics.targets, r.execution.expenditure
    yield from same_figure(("支出预算年初预算", e.initial), ("绩效目标设定的整体支出", t.total))
    yield from same_figure(("支出预算中的项目支出", e.projects), ("绩效目标设定的项目支出", t.project_total))
    if t.projects:
        yield from sum_equals(ctx, ("绩效目标设定的项目支出", t.project_total), [(p.name, p.amount) for p in t.projects])
        if t.project_count.value != len(t.projects):
            yield Finding(
                "count-mismatch",
                t.project_count.path,
                f"项目数 {t.project_count.value} 与列出的项目个数 {len(t.projects)} 不一致",
            )


def staffing_holds(r: SelfEvaluation, ctx: Context) -> Iterator[Finding]:
    s, staff = r.basics.staffing, r.basic_data.staff
    if s.on_post_parts:
        listed = sum(part.count.value for part in s.on_post_parts)
        if listed != s.on_post.value:
            yield Finding(
                "sum-mismatch",
                s.on_post.path,
                f"在编在岗 {s.on_post.value} 人 ≠ 其中各项之和 {listed} 人",
            )
    for label, body, table in (("编制数", s.authorized, staff.authorized), ("在职人数", s.on_post, staff.on_post)):
        if body.value != table.value:
            yield Finding(
                "figure-mismatch",
                table.path,
                f"附件1-1 {label} {table.value} 与报告正文 {body.value} 不一致：同一数字在两处应相同",
                see=(body.path,),
            )
    yield from rate_equals(
        ("财政供养人员控制率", staff.control_rate),
        ("实际在职人数", staff.on_post),
        ("编制数", staff.authorized),
        Severity.WARNING,
        "control-rate",
    )


def evaluation_holds(r: SelfEvaluation, ctx: Context) -> Iterator[Finding]:
    ev, total = r.evaluation, r.form.total
    yield from _same_score(("附件1-2 总分的分值", total.weight), ("报告正文的总分", ev.full_marks))
    yield from _same_score(("附件1-2 总分的得分", total.score), ("报告正文的得分", ev.score))
    yield from not_above(("得分", ev.score), ("总分", ev.full_marks))
    if ev.full_marks.value:
        share = ev.score.value / ev.full_marks.value * 100
        grade = "优秀" if share >= 90 else "良好" if share >= 80 else "中" if share >= 60 else "差"
        if grade != ev.grade:
            yield Finding(
                "grade-mismatch",
                ev.path + ("等级",),
                f"等级“{ev.grade}”与得分 {plain(ev.score.value)} 分不符：按 90 分以上优秀、80–90 良好、"
                f"60–80 中、60 分以下差，应为“{grade}”",
                Severity.WARNING,
            )


def three_public_table_adds_up(r: SelfEvaluation, ctx: Context) -> Iterator[Finding]:
    rows = r.basic_data.costs.three_public
    for column, name in COLUMNS.items():
        yield from sum_equals(
            ctx,
            (f"附件1-1“三公”经费{name}", _cell(rows.total, column)),
            [
                ("公务用车购置和维护经费", _cell(rows.vehicles, column)),
                ("出国经费", _cell(rows.overseas, column)),
                ("公务接待", _cell(rows.reception, column)),
            ],
            where=rows.total.path,
        )
        yield from sum_equals(
            ctx,
            (f"公务用车购置和维护经费{name}", _cell(rows.vehicles, column)),
            [("公车购置", _cell(rows.vehicle_purchase, column)), ("公车运行维护", _cell(rows.vehicle_operation, column))],
            where=rows.vehicles.path,
        )


def three_public_table_matches_body(r: SelfEvaluation, ctx: Context) -> Iterator[Finding]:
    t, rows = r.execution.three_public, r.basic_data.costs.three_public
    pairs = (
        ("“三公”经费本年预算", t.budget, rows.total),
        ("公务接待费", t.reception, rows.reception),
        ("公务用车购置费", t.vehicle_purchase, rows.vehicle_purchase),
        ("公务用车运行维护费", t.vehicle_operation, rows.vehicle_operation),
        ("因公出国（境）费", t.overseas, rows.overseas),
    )
    for label, body, row in pairs:
        yield from same_figure((f"报告正文{label}", body), (f"附件1-1{label}本年预算", row.budget), where=row.path)


def project_table_holds(r: SelfEvaluation, ctx: Context) -> Iterator[Finding]:
    group, p = r.basic_data.costs.projects, r.execution.project
    for column, name in COLUMNS.items():
        yield from sum_equals(
            ctx,
            (f"附件1-1项目支出{name}", _cell(group.total, column)),
            [(row.name, _cell(row, column)) for row in group.rows],
            where=group.total.path,
        )
    yield from same_figure(("报告正文项目支出年初预算", p.initial), ("附件1-1项目支出本年预算", group.total.budget), group.total.path)
    yield from same_figure(("报告正文项目支出实际支出", p.actual), ("附件1-1项目支出本年决算", group.total.actual), group.total.path)
    budgets = {project.name: project.amount for project in r.basics.targets.projects}
    for row in group.rows:
        if row.name in budgets:
            yield from same_figure((f"绩效目标设定中{row.name}", budgets[row.name]), (f"附件1-1{row.name}本年预算", row.budget), row.path)


def public_table_holds(r: SelfEvaluation, ctx: Context) -> Iterator[Finding]:
    group = r.basic_data.costs.public
    for column, name in COLUMNS.items():
        yield from parts_within(
            (f"附件1-1公用经费{name}", _cell(group.total, column)),
            [(row.name, _cell(row, column)) for row in group.rows],
            where=group.total.path,
        )
    yield from same_figure(("报告正文公用经费", r.execution.expenditure.public), ("附件1-1公用经费本年预算", group.total.budget), group.total.path)
    spent = {item.subject: item.amount for item in r.execution.basic.items}
    for row in group.rows:
        if row.name in spent:
            yield from same_figure((f"报告正文{row.name}", spent[row.name]), (f"附件1-1{row.name}本年决算", row.actual), row.path)


def basic_adjustment_matches(r: SelfEvaluation, ctx: Context) -> Iterator[Finding]:
    row, b = r.basic_data.costs.basic_adjustment, r.execution.basic
    yield from same_figure(("报告正文基本支出年初预算", b.initial), ("附件1-1部门基本支出预算调整本年预算", row.budget), row.path)
    yield from same_figure(("报告正文基本支出实际支出", b.actual), ("附件1-1部门基本支出预算调整本年决算", row.actual), row.path)


def buildings_hold(r: SelfEvaluation, ctx: Context) -> Iterator[Finding]:
    b = r.basic_data.buildings
    for label, approved, actual in (
        ("实际规模", b.approved_area, b.actual_area),
        ("实际投资", b.budget_investment, b.actual_investment),
    ):
        if approved.value == 0 and actual.value > 0:
            yield Finding("unapproved-building", actual.path, f"楼堂馆所没有批复（为 0），{label}却为 {plain(actual.value)}")
    yield from rate_equals(("规模控制率", b.area_control_rate), ("实际规模", b.actual_area), ("批复规模", b.approved_area))
    yield from rate_equals(
        ("投资概算控制率", b.investment_control_rate), ("实际投资", b.actual_investment), ("预算投资", b.budget_investment)
    )


def funds_match_body(r: SelfEvaluation, ctx: Context) -> Iterator[Finding]:
    f, x = r.form.funds, r.execution
    yield from same_figure(("报告正文年初预算", x.income.initial), ("附件1-2年初预算数", f.initial))
    yield from sum_equals(
        ctx, ("附件1-2全年预算数", f.full_year), [("基本支出全年预算", x.basic.full_year), ("项目支出全年预算", x.project.full_year)]
    )
    yield from sum_equals(
        ctx, ("附件1-2全年执行数", f.executed), [("基本支出实际支出", x.basic.actual), ("项目支出实际支出", x.project.actual)]
    )


def funds_rate_and_score(r: SelfEvaluation, ctx: Context) -> Iterator[Finding]:
    yield from rate_and_score_hold(r.form.funds)


def rate_and_score_hold(f: FundsRow) -> Iterator[Finding]:
    """执行率 = 全年执行数 ÷ 全年预算数; its 得分 is 执行率 × 分值, capped at the 分值 (a warning)."""
    yield from rate_equals(("执行率", f.rate), ("全年执行数", f.executed), ("全年预算数", f.full_year))
    if value_of(f.full_year) == 0 or f.score is None:
        return  # no 得分 stated: nothing to compare
    earned = min(f.weight.value, rounded(f.executed.value / f.full_year.value * f.weight.value, 2))
    if earned != f.score.value:
        yield Finding(
            "score-mismatch",
            f.score.path,
            f"预算执行率得分 {plain(f.score.value)} ≠ 执行率 × 分值 {plain(f.weight.value)}（不超过分值）= {plain(earned)}",
            Severity.WARNING,
        )


def income_nature_adds_up(r: SelfEvaluation, ctx: Context) -> Iterator[Finding]:
    n, f = r.form.funds.by_income, r.form.funds
    yield from sum_equals(
        ctx,
        ("按收入性质分合计", n.total),
        [
            ("一般公共预算", n.general_public),
            ("政府性基金拨款", n.government_fund),
            ("纳入专户管理的非税收入拨款", n.special_account),
            ("其他资金", n.other),
        ],
    )
    yield from same_figure(("全年预算数", f.full_year), ("按收入性质分合计", n.total))


def spending_nature_adds_up(r: SelfEvaluation, ctx: Context) -> Iterator[Finding]:
    n, x = r.form.funds.by_spending, r.execution
    yield from sum_equals(
        ctx,
        ("按支出性质分合计", n.total),
        [("基本支出", n.basic), ("项目支出", n.project), ("转入结余分配", n.balance)],
    )
    yield from same_figure(("报告正文基本支出实际支出", x.basic.actual), ("按支出性质分的基本支出", n.basic), n.path)
    yield from same_figure(("报告正文项目支出实际支出", x.project.actual), ("按支出性质分的项目支出", n.project), n.path)
    yield from same_figure(("报告正文基本支出结余", x.basic.balance), ("按支出性质分的转入结余分配", n.balance), n.path)


def indicators_add_up(r: SelfEvaluation, ctx: Context) -> Iterator[Finding]:
    yield from scores_add_up(r.form.funds, r.form.categories, r.form.total)


def scores_add_up(funds: FundsRow, categories: list[IndicatorCategory], total: Total) -> Iterator[Finding]:
    """Each category's 分值 and 得分 are its indicators'; 总分 = 执行率 + every category; 得分 ≤ 分值."""
    for category in categories:
        indicators = [i for group in category.groups for i in group.indicators]
        yield from _score_sum(f"{category.name}分值", category.weight, [i.weight for i in indicators])
        if category.score is not None and all(i.score is not None for i in indicators):
            yield from _score_sum(f"{category.name}得分", category.score, [i.score for i in indicators])
        for indicator in indicators:
            if indicator.score is not None and indicator.weight is not None:
                yield from not_above((f"“{indicator.name}”得分", indicator.score), ("分值", indicator.weight))
    yield from _score_sum("总分的分值", total.weight, [funds.weight] + [c.weight for c in categories])
    scores = [funds.score] + [i.score for c in categories for g in c.groups for i in g.indicators]
    if total.score is not None and all(s is not None for s in scores):  # a form left partly blank adds up to nothing
        yield from _score_sum("总分的得分", total.score, scores)


def deviations_explained(r: SelfEvaluation, ctx: Context) -> Iterator[Finding]:
    yield from deviations_given(r.form.categories)


def deviations_given(categories: list[IndicatorCategory]) -> Iterator[Finding]:
    """A lost point needs its 偏差原因分析及改进措施, or the reader cannot tell why."""
    for category in categories:
        for group in category.groups:
            for indicator in group.indicators:
                if indicator.score is None or indicator.weight is None:
                    continue
                if indicator.score.value < indicator.weight.value and not indicator.deviation:
                    yield Finding(
                        "deviation-missing",
                        indicator.path + ("名称",),
                        f"“{indicator.name}”得分 {plain(indicator.score.value)} 低于分值 {plain(indicator.weight.value)}，"
                        "但未填写“偏差原因”（偏差原因分析及改进措施）",
                        Severity.WARNING,
                    )


CHECKS: tuple[Check, ...] = (
    income_adds_up,
    expenditure_adds_up,
    income_matches_expenditure,
    basic_spending_holds,
    project_spending_holds,
    three_public_adds_up,
    three_public_change_holds,
    targets_hold,
    staffing_holds,
    evaluation_holds,
    three_public_table_adds_up,
    three_public_table_matches_body,
    project_table_holds,
    public_table_holds,
    basic_adjustment_matches,
    buildings_hold,
    funds_match_body,
    funds_rate_and_score,
    income_nature_adds_up,
    spending_nature_adds_up,
    indicators_add_up,
    deviations_explained,
)


def _cell(row: ControlRow, column: str) -> Figure | None:
    return getattr(row, column)


def _m(figure: Figure | None) -> str:
    return money(value_of(figure))


def _same_score(first: tuple[str, ScoreFigure | None], second: tuple[str, ScoreFigure]) -> Iterator[Finding]:
    (label_a, a), (label_b, b) = first, second
    if a is not None and a.value != b.value:
        yield Finding(
            "figure-mismatch",
            b.path,
            f"{label_b} {plain(b.value)} 与{label_a} {plain(a.value)} 不一致：同一数字在两处应相同",
            see=(a.path,),
        )


def _score_sum(label: str, total: ScoreFigure, parts: list[ScoreFigure | None]) -> Iterator[Finding]:
    expected = sum((value_of(p) for p in parts), Decimal(0))
    if total.value != expected:
        yield Finding(
            "score-total",
            total.path,
            f"{label} {plain(total.value)} ≠ 各项之和 {plain(expected)}",
        )
