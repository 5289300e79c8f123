"""Rules that tie a 部门预算 or 部门决算 together: every table adds up at every level of its
classification, each row adds up across its columns, and a figure repeated in two tables agrees.

Both kinds share their attribute names, so one set of rules serves both; labels in messages are the
tables' own names, read from the model (部门收支总表 in a budget, 收入支出决算总表 in final accounts).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Optional, Union

from pydantic import BaseModel

from gongkai.checks.rules import Context, same_figure, sum_equals
from gongkai.models.base import Figure, value_of
from gongkai.models.budget import (
    CODE_LENGTHS,
    ECONOMIC,
    FUNCTIONAL,
    Amounts,
    Budget,
    EconomicAmounts,
    ExpenseAmounts,
    FinalAccounts,
    FundAmounts,
    IncomeAmounts,
    Subject,
    SubjectTable,
    ThreePublicAmounts,
)
from gongkai.numbers import money
from gongkai.problems import FieldPath, Finding, Severity

Disclosure = Union[Budget, FinalAccounts]
Check = Callable[[Disclosure, Context], Iterator[Finding]]
# A classification row: a Subject with the amount columns of its table.
Row = Subject
DIGITS = re.compile(r"[0-9]+")
EXAMPLES = {FUNCTIONAL: "201 → 20103 → 2010301", ECONOMIC: "301 → 30101"}

# Within one row: each whole is the sum of its parts, when any part is filled in.
ROW_SUMS: dict[type[Amounts], tuple[tuple[str, tuple[str, ...]], ...]] = {
    ExpenseAmounts: (("basic", ("personnel", "public")), ("total", ("basic", "project"))),
    EconomicAmounts: (("total", ("personnel", "public")),),
    IncomeAmounts: (("total", IncomeAmounts.SOURCES),),
    FundAmounts: (("total", ("general_public", "government_fund", "state_capital")),),
    ThreePublicAmounts: (
        ("vehicles", ("vehicle_purchase", "vehicle_operation")),
        ("total", ("overseas", "vehicles", "reception")),
    ),
}

# The tables listed by 科目 with a 合计 row (attribute names, shared by both kinds).
SUBJECT_TABLES = ("income", "spending", "general_public", "basic", "government_fund", "state_capital")
# Financial appropriations by fund, and the table that details each fund's spending.
FUND_TABLES = (("general_public", "general_public"), ("government_fund", "government_fund"), ("state_capital", "state_capital"))


# Codes and the shape of the classification.


def codes_well_formed(r: Disclosure, ctx: Context) -> Iterator[Finding]:
    """Digits only, of a length the scheme has; each code listed once per table."""
    for label, rows in _row_lists(r):
        first: dict[str, Subject] = {}
        for row in rows:
            lengths = CODE_LENGTHS[row.SCHEME]
            if not DIGITS.fullmatch(row.code) or len(row.code) not in lengths:
                yield Finding("bad-code", row.path + ("科目编码",), _bad_code_message(label, row))
            elif row.code in first:
                yield Finding(
                    "duplicate-code", row.path + ("科目编码",),
                    f"{label}：科目编码 {row.code} 重复出现，每个科目只能列一行", see=(first[row.code].path + ("科目编码",),),
                )
            else:
                first[row.code] = row


def _bad_code_message(label: str, row: Subject) -> str:
    scheme = row.SCHEME
    levels = "、".join(f"{name} {n} 位" for name, n in zip(("类", "款", "项"), CODE_LENGTHS[scheme], strict=False))
    return (
        f"{label}：科目编码“{row.code}”（{row.name}）不符合{scheme}的编码规则："
        f"应为半角数字，{levels}，如 {EXAMPLES[scheme]}"
    )


def classification_nested(r: Disclosure, ctx: Context) -> Iterator[Finding]:
    """Each 款 under its 类 and each 项 under its 款: listed, and listed right above it."""
    for label, rows in _row_lists(r):
        yield from _nesting(label, _valid(rows))


def _nesting(label: str, rows: list[Row]) -> Iterator[Finding]:
    codes = {row.code for row in rows}
    above: dict[int, Row] = {}  # the latest row at each level
    for row in rows:
        lengths = CODE_LENGTHS[row.SCHEME]
        level = lengths.index(len(row.code))
        if level > 0:
            yield from _placed_under(label, row, row.code[: lengths[level - 1]], codes, above.get(level - 1))
        above = {k: v for k, v in above.items() if k < level} | {level: row}


def _placed_under(label: str, row: Row, parent: str, codes: set[str], above: Optional[Row]) -> Iterator[Finding]:
    where = row.path + ("科目编码",)
    name = f"{row.code} {row.name}"
    if parent not in codes:
        yield Finding(
            "missing-parent", where,
            f"{label}：{name} 的上级科目 {parent} 没有列出。分类表应逐级列出类、款、项，请补上 {parent} 这一行",
        )
    elif above is None or above.code != parent:
        after = f"排在 {above.code} {above.name} 之下" if above is not None else "排在了上级科目之前"
        yield Finding(
            "misplaced-row", where,
            f"{label}：{name} {after}，但它的编码以 {parent} 开头：请把这一行移到 {parent} 之下",
        )


def names_agree(r: Disclosure, ctx: Context) -> Iterator[Finding]:
    """One code, one name across all tables of the report (a typo in a name, or a wrong code)."""
    first: dict[str, Subject] = {}
    for _, rows in _row_lists(r):
        for row in _valid(rows):
            seen = first.setdefault(row.code, row)
            if seen.name != row.name:
                yield Finding(
                    "name-mismatch", row.path + ("科目名称",),
                    f"科目 {row.code} 的名称“{row.name}”与前面表中的“{seen.name}”不同：同一编码应为同一科目",
                    Severity.WARNING, see=(seen.path + ("科目名称",),),
                )


# Sums: across a row, and down the classification to the 合计 row.


def rows_add_up(r: Disclosure, ctx: Context) -> Iterator[Finding]:
    """Across each row: 基本支出 = 人员经费 + 公用经费, 合计 = 基本支出 + 项目支出, 合计 = Σ 来源 …"""
    for label, rows in _row_lists(r):
        for row in rows:
            yield from _row_sums(ctx, f"{label} {row.code} {row.name}", row)
    for name in SUBJECT_TABLES:
        table = getattr(r, name)
        if table.total is not None:
            yield from _row_sums(ctx, f"{_label(r, name)}合计行", table.total)
    for label, amounts in _summary_amounts(r):
        yield from _row_sums(ctx, label, amounts)


def _row_sums(ctx: Context, label: str, row: Amounts) -> Iterator[Finding]:
    columns = row.COLUMNS
    for whole, parts in _sums_of(row):
        if any(getattr(row, part) is not None for part in parts):
            yield from sum_equals(
                ctx,
                (f"{label} {columns[whole]}", getattr(row, whole)),
                [(columns[part], getattr(row, part)) for part in parts],
                where=row.path + (columns[whole],),
            )


def _sums_of(row: Amounts) -> tuple[tuple[str, tuple[str, ...]], ...]:
    for cls in type(row).__mro__:
        if cls in ROW_SUMS:
            return ROW_SUMS[cls]
    return ()


def levels_add_up(r: Disclosure, ctx: Context) -> Iterator[Finding]:
    """Down each table: 项 → 款 → 类 → 合计, column by column."""
    for name in SUBJECT_TABLES:
        table: SubjectTable = getattr(r, name)
        yield from _levels(ctx, _label(r, name), table.rows, _totals(table.total, "合计行的"))
    o, f = r.overview, r.fiscal
    spent = {"amount": ("本年支出合计", o.spending_total, o.path + ("本年支出合计",))}
    yield from _levels(ctx, _label(r, "overview"), o.spending, spent)
    yield from _levels(ctx, _label(r, "fiscal"), f.spending, _totals(f.spending_total, "本年支出合计的"))


# A table's totals by column: (label, figure, where to report a blank one).
Totals = dict[str, tuple[str, Optional[Figure], FieldPath]]


def _totals(total: Optional[Amounts], prefix: str) -> Optional[Totals]:
    if total is None:
        return None
    return {column: (f"{prefix}{name}", getattr(total, column), total.path + (name,)) for column, name in total.COLUMNS.items()}


def _levels(ctx: Context, label: str, rows: Sequence[Row], totals: Optional[Totals]) -> Iterator[Finding]:
    valid = _valid(rows)
    by_code = {row.code: row for row in valid}
    for parent_code, children in _children(valid).items():
        parent = by_code.get(parent_code)
        if parent is not None:
            yield from _column_sums(ctx, f"{label} {parent.code} {parent.name}", parent, children)
    tops = [row for row in valid if len(row.code) == 3]
    for column, (name, figure, where) in (totals or {}).items():
        parts = [(f"{t.code} {t.name}", getattr(t, column)) for t in tops]
        yield from sum_equals(ctx, (f"{label}{name}", figure), parts, where=where)


def _column_sums(ctx: Context, label: str, parent: Row, children: list[Row]) -> Iterator[Finding]:
    for column, name in parent.COLUMNS.items():
        yield from sum_equals(
            ctx,
            (f"{label} {name}", getattr(parent, column)),
            [(f"{c.code} {c.name}", getattr(c, column)) for c in children],
            where=parent.path + (name,),
        )


def _children(rows: list[Row]) -> dict[str, list[Row]]:
    """Rows by the code of the row one level up (a 项's 款, a 款's 类)."""
    result: dict[str, list[Row]] = {}
    for row in rows:
        lengths = CODE_LENGTHS[row.SCHEME]
        level = lengths.index(len(row.code))
        if level > 0:
            result.setdefault(row.code[: lengths[level - 1]], []).append(row)
    return result


def empty_tables_explained(r: Disclosure, ctx: Context) -> Iterator[Finding]:
    """An empty table is still published, with a note saying why it is empty."""
    for name in SUBJECT_TABLES:
        table = getattr(r, name)
        label = _label(r, name)
        if not table.rows and not table.note:
            yield Finding(
                "empty-table", table.path,
                f"{label}没有数据。空表也要公开：请在“说明”中写明原因，如“本单位{r.year}年无{label.removesuffix('表')}”",
            )
        elif table.rows and table.total is None:
            yield Finding("missing-total", table.path, f"{label}列出了明细，但没有填写“合计”行")


# The two summary tables: they add up, and each balances.


def overview_balances(r: Disclosure, ctx: Context) -> Iterator[Finding]:
    """收入总计 = 本年收入合计 + 上年结转；支出总计 = 本年支出合计 + 结转下年；收入总计 = 支出总计。"""
    o, label = r.overview, _label(r, "overview")
    carried_in, carried_out = _label(o, "carried_in"), _label(o, "carried_out")
    yield from sum_equals(ctx, (f"{label}收入总计", o.income_grand_total), [("本年收入合计", o.income.total), (carried_in, o.carried_in)])
    yield from sum_equals(ctx, (f"{label}支出总计", o.spending_grand_total), [("本年支出合计", o.spending_total), (carried_out, o.carried_out)])
    yield from _balanced(label, o.income_grand_total, o.spending_grand_total)


def fiscal_overview_balances(r: Disclosure, ctx: Context) -> Iterator[Finding]:
    f, label = r.fiscal, _label(r, "fiscal")
    carried_in, carried_out = _label(f, "carried_in"), _label(f, "carried_out")
    yield from sum_equals(
        ctx, (f"{label}收入总计", f.income_grand_total),
        [("本年收入合计", f.income.total), (carried_in, f.carried_in.total if f.carried_in else None)],
    )
    yield from sum_equals(
        ctx, (f"{label}支出总计", f.spending_grand_total),
        [("本年支出合计", f.spending_total.total), (carried_out, f.carried_out.total if f.carried_out else None)],
    )
    yield from _balanced(label, f.income_grand_total, f.spending_grand_total)


def _balanced(label: str, income: Figure, spending: Figure) -> Iterator[Finding]:
    if value_of(income) != value_of(spending):
        yield Finding(
            "unbalanced", spending.path,
            f"{label}不平衡：支出总计 {money(value_of(spending))} ≠ 收入总计 {money(value_of(income))}，两者应相等",
            see=(income.path,),
        )


# One figure in two tables.


def overview_matches_tables(r: Disclosure, ctx: Context) -> Iterator[Finding]:
    """The 收支总表 repeats the totals of the 收入总表 and the 类 rows of the 支出总表."""
    o, overview = r.overview, _label(r, "overview")
    income, spending = _label(r, "income"), _label(r, "spending")
    for column, name in IncomeAmounts.COLUMNS.items():
        yield from same_figure(
            (f"{income}合计行的{name}", _cell(r.income.total, column)),
            (f"{overview}本年收入的{name}", getattr(o.income, column)),
            where=o.income.path + (name,),
        )
    yield from same_figure(
        (f"{spending}合计行的合计", _cell(r.spending.total, "total")), (f"{overview}本年支出合计", o.spending_total)
    )
    detail = {row.code: row.total for row in r.spending.rows if len(row.code) == 3}
    yield from _class_rows(f"{spending}", detail, f"{overview}本年支出", {row.code: (row, row.amount) for row in o.spending})


def fiscal_matches_tables(r: Disclosure, ctx: Context) -> Iterator[Finding]:
    """财政拨款 by fund: its income is the 收支总表's; its spending is each fund's own table."""
    f, fiscal, overview = r.fiscal, _label(r, "fiscal"), _label(r, "overview")
    for column, name in FundAmounts.COLUMNS.items():
        if column != "total":
            yield from same_figure(
                (f"{overview}本年收入的{IncomeAmounts.COLUMNS[column]}", getattr(r.overview.income, column)),
                (f"{fiscal}本年收入的{name}", getattr(f.income, column)),
                where=f.income.path + (name,),
            )
    for column, table_name in FUND_TABLES:
        table, table_label, name = getattr(r, table_name), _label(r, table_name), FundAmounts.COLUMNS[column]
        yield from same_figure(
            (f"{table_label}合计行的合计", _cell(table.total, "total")),
            (f"{fiscal}本年支出合计的{name}", getattr(f.spending_total, column)),
            where=f.spending_total.path + (name,),
        )
        detail = {row.code: row.total for row in table.rows if len(row.code) == 3}
        mine = {row.code: (row, getattr(row, column)) for row in f.spending}
        yield from _class_rows(table_label, detail, f"{fiscal}本年支出（{name}）", mine)


def _class_rows(
    detail_label: str, detail: dict[str, Figure], summary_label: str, summary: dict[str, tuple[Subject, Optional[Figure]]]
) -> Iterator[Finding]:
    """Each 类 of a summary table against the same 类 of the table that details it."""
    for code, (row, figure) in summary.items():
        if len(code) == 3:
            yield from same_figure(
                (f"{detail_label} {code}", detail.get(code)), (f"{summary_label} {code} {row.name}", figure),
                where=row.path + ("科目编码",),
            )
    for code, figure in detail.items():
        if code not in summary and value_of(figure):
            yield Finding(
                "class-missing", figure.path,
                f"{detail_label}中有 {code} 类支出 {money(value_of(figure))}，但{summary_label}中没有列出这一类",
            )


def basic_matches_general_public(r: Disclosure, ctx: Context) -> Iterator[Finding]:
    """The 基本支出表 by 经济分类 details the 基本支出 of the 一般公共预算 table."""
    basic, general = r.basic.total, r.general_public.total
    b_label, g_label = _label(r, "basic"), _label(r, "general_public")
    pairs = (("total", "合计", "basic", "基本支出"), ("personnel", "人员经费", "personnel", "人员经费"),
             ("public", "公用经费", "public", "公用经费"))
    for b_column, b_name, g_column, g_name in pairs:
        yield from same_figure(
            (f"{g_label}合计行的{g_name}", _cell(general, g_column)),
            (f"{b_label}合计行的{b_name}", _cell(basic, b_column)),
            where=r.basic.path,
        )


def procurement_adds_up(r: Disclosure, ctx: Context) -> Iterator[Finding]:
    p = r.explanations.procurement
    parts = [("货物", p.goods), ("工程", p.works), ("服务", p.services)]
    if any(figure is not None for _, figure in parts):
        yield from sum_equals(ctx, ("政府采购金额", p.amount), parts)


CHECKS: tuple[Check, ...] = (
    codes_well_formed,
    classification_nested,
    names_agree,
    rows_add_up,
    levels_add_up,
    empty_tables_explained,
    overview_balances,
    fiscal_overview_balances,
    overview_matches_tables,
    fiscal_matches_tables,
    basic_matches_general_public,
    procurement_adds_up,
)


# Helpers.


def _label(model: BaseModel, name: str) -> str:
    """A field's Chinese name, as the form calls it (the YAML key)."""
    return type(model).model_fields[name].alias or name


def _row_lists(r: Disclosure) -> list[tuple[str, Sequence[Row]]]:
    """Every list of classification rows in the report, with the name of its table."""
    lists: list[tuple[str, Sequence[Row]]] = [(_label(r, name), getattr(r, name).rows) for name in SUBJECT_TABLES]
    lists.append((f"{_label(r, 'overview')}本年支出", r.overview.spending))
    lists.append((f"{_label(r, 'fiscal')}本年支出", r.fiscal.spending))
    return lists


def _valid(rows: Sequence[Row]) -> list[Row]:
    """Rows whose code is well formed and seen for the first time (the others are reported once)."""
    seen: set[str] = set()
    valid = []
    for row in rows:
        code = row.code
        if DIGITS.fullmatch(code) and len(code) in CODE_LENGTHS[row.SCHEME] and code not in seen:
            seen.add(code)
            valid.append(row)
    return valid


def _summary_amounts(r: Disclosure) -> Iterator[tuple[str, Amounts]]:
    """The summary tables' and the “三公” table's own rows, which add up across like table rows."""
    o, f, t = r.overview, r.fiscal, r.three_public
    yield f"{_label(r, 'overview')}本年收入", o.income
    fiscal = _label(r, "fiscal")
    for name in ("income", "carried_in", "spending_total", "carried_out"):
        amounts = getattr(f, name)
        if amounts is not None:
            yield f"{fiscal}{_label(f, name)}", amounts
    three = _label(r, "three_public")
    for name in type(t).model_fields:
        amounts = getattr(t, name)
        if amounts is not None:
            yield f"{three}{_label(t, name)}", amounts


def _cell(amounts: Optional[Amounts], column: str) -> Optional[Figure]:
    return None if amounts is None else getattr(amounts, column)
