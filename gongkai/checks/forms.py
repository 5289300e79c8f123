"""Rules for the tables of a form: one set of small functions for every declared table, so an added
table or a province's own form is checked without new code.

What they check: every required table is there (an empty one with its note); 科目编码 are well formed,
nested, and in the classification with its name; each row adds up across its columns (the form's 关系 and
every column's 下级); each 科目 table adds up down its tree (项 → 款 → 类 → 合计); each table of fixed items
adds up down its items; the parts of a table balance; and a figure the form states in two tables agrees.
A blank cell counts as zero and stays blank; a cell printed as “——” is not a figure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from gongkai import classification
from gongkai.checks.rules import Context
from gongkai.forms.bind import LISTED, BoundPart, BoundTable, Row
from gongkai.forms.spec import SUBJECT_ROWS, TOTAL_ROW, Part, Relation, Term
from gongkai.models.disclosure import Disclosure
from gongkai.numbers import decimals, plain, ratio_percent
from gongkai.problems import FieldPath, Finding, Severity

Check = Callable[[Disclosure, Context], Iterator[Finding]]
DIGITS = re.compile(r"[0-9]+")
CODE_LENGTHS = {"功能分类": (3, 5, 7), "经济分类": (3, 5)}
EXAMPLES = {"功能分类": "201 → 20103 → 2010301", "经济分类": "301 → 30101"}
LEVELS = ("类", "款", "项")


def _fmt(value: Decimal, places: int) -> str:
    return f"{value:.{places}f}"


# What the report has.


def required_tables(r: Disclosure, ctx: Context) -> Iterator[Finding]:
    """A required table that is missing is one error; every other check still runs."""
    for spec in r.FORM.tables:
        if spec.required and r.table(spec.id) is None:
            yield Finding(
                "missing-table", (),
                f"缺少“{spec.name}”。没有数据的表也要公开，写一行说明即可，如：{spec.name}: 本单位{r.year}年无相关收支，本表为空表。",
            )


def empty_tables_explained(r: Disclosure, ctx: Context) -> Iterator[Finding]:
    """An empty table is published with a note saying why; a 科目 table that lists rows has its 合计 row."""
    for table in r.tables:
        if table.empty and not table.note:
            subject = table.label.removesuffix("表")
            yield Finding(
                "empty-table", table.path,
                f"{table.label}没有数据。空表也要公开：请写明原因，如“本单位{r.year}年无{subject}”",
            )
        elif table.spec.by_subject and table.spec.scheme != LISTED and table.rows and table.total is None:
            yield Finding("missing-total", table.path, f"{table.label}列出了明细，但没有填写“合计”行")


# 科目: codes, their tree, the classification.


def codes_well_formed(r: Disclosure, ctx: Context) -> Iterator[Finding]:
    """Digits only, of a length the scheme has; each code listed once per table."""
    for table, part in _subject_parts(r):
        lengths = CODE_LENGTHS[_scheme(table, part)]
        first: dict[str, Row] = {}
        for row in part.subject_rows:
            if not row.code:
                continue
            if not DIGITS.fullmatch(row.code) or len(row.code) not in lengths:
                levels = "、".join(f"{name} {n} 位" for name, n in zip(LEVELS, lengths, strict=False))
                yield Finding(
                    "bad-code", row.path + ("科目编码",),
                    f"{table.label}：科目编码“{row.code}”（{row.name}）不符合{_scheme(table, part)}的编码规则："
                    f"应为半角数字，{levels}，如 {EXAMPLES[_scheme(table, part)]}",
                )
            elif row.code in first:
                yield Finding(
                    "duplicate-code", row.path + ("科目编码",),
                    f"{table.label}：科目编码 {row.code} 重复出现，每个科目只能列一行", see=(first[row.code].path + ("科目编码",),),
                )
            else:
                first[row.code] = row


def classification_nested(r: Disclosure, ctx: Context) -> Iterator[Finding]:
    """Each 款 under its 类 and each 项 under its 款: listed, and listed right above it."""
    for table, part in _subject_parts(r):
        if not part.spec.scheme:  # a 总表's 类 rows have no tree
            yield from _nesting(table.label, _valid(table, part))


def _nesting(label: str, rows: list[Row]) -> Iterator[Finding]:
    codes = {row.code for row in rows}
    above: dict[int, Row] = {}
    for row in rows:
        level = _level(row)
        if level > 0:
            parent = row.code[: (3, 5, 7)[level - 1]]
            where, name = row.path + ("科目编码",), f"{row.code} {row.name}"
            if parent not in codes:
                yield Finding(
                    "missing-parent", where,
                    f"{label}：{name} 的上级科目 {parent} 没有列出。分类表应逐级列出类、款、项，请补上 {parent} 这一行",
                )
            elif above.get(level - 1) is None or above[level - 1].code != parent:
                before = above.get(level - 1)
                after = f"排在 {before.code} {before.name} 之下" if before is not None else "排在了上级科目之前"
                yield Finding(
                    "misplaced-row", where,
                    f"{label}：{name} {after}，但它的编码以 {parent} 开头：请把这一行移到 {parent} 之下",
                )
        above = {k: v for k, v in above.items() if k < level} | {level: row}


def subjects_known(r: Disclosure, ctx: Context) -> Iterator[Finding]:
    """A code the classification has must carry its name there; codes and names it lacks are one warning."""
    unknown: dict[str, Row] = {}
    for table, part in _subject_parts(r):
        scheme = _scheme(table, part)
        for row in part.subject_rows:
            if row.code and not (DIGITS.fullmatch(row.code) and len(row.code) in CODE_LENGTHS[scheme]):
                continue
            if row.code:
                names = classification.names(scheme, row.code, r.year)
                if names and row.name not in names:
                    yield Finding(
                        "subject-name", row.path + ("科目名称",),
                        f"{table.label}：{row.code} 的科目名称应为“{names[0]}”，这里写的是“{row.name}”（{r.year}年{scheme}科目）",
                    )
                elif not names:
                    unknown.setdefault(f"{row.code} {row.name}", row)
            elif classification.code_of(scheme, row.name, r.year) is None:
                unknown.setdefault(row.name, row)
    if unknown:
        first = next(iter(unknown.values()))
        listed = "、".join(list(unknown)[:8]) + (f" 等 {len(unknown)} 个" if len(unknown) > 8 else "")
        yield Finding(
            "unknown-subject", first.path + (("科目编码",) if first.code else ()),
            f"科目 {listed} 不在本工具所带的{r.year}年科目表中，未能核对其编码和名称。请核对；"
            f"如果无误，是科目表尚缺，可按 README 的说明补充（gongkai/forms/classification/）",
            Severity.WARNING,
        )


def names_agree(r: Disclosure, ctx: Context) -> Iterator[Finding]:
    """One code, one name across all tables of the report (the classification may lack the code)."""
    first: dict[tuple[str, str], Row] = {}
    for table, part in _subject_parts(r):
        for row in _valid(table, part):
            seen = first.setdefault((_scheme(table, part), row.code), row)
            if seen.name != row.name:
                yield Finding(
                    "name-mismatch", row.path + ("科目名称",),
                    f"科目 {row.code} 的名称“{row.name}”与前面表中的“{seen.name}”不同：同一编码应为同一科目",
                    Severity.WARNING, see=(seen.path + ("科目名称",),),
                )


# Sums across a row.


def rows_add_up(r: Disclosure, ctx: Context) -> Iterator[Finding]:
    """Across each row: the form's column relations (合计 = 基本支出 + 项目支出 …) and each column's 下级."""
    for table in r.tables:
        for part in table.parts:
            rows = ([table.total] if table.total is not None else []) + part.rows
            for relation in _column_relations(part.spec):
                for row in rows:
                    yield from _row_relation(ctx, r, table, part, row, relation)


def _column_relations(part: Part) -> list[Relation]:
    relations = [rel for rel in part.relations if part.column(rel.left.row) is not None]
    for column in part.columns:
        if column.children:
            terms = tuple((1, Term(row=child)) for child in column.children)
            relations.append(Relation(f"{column.name} = {' + '.join(column.children)}", Term(row=column.name), terms))
    return relations


def _row_relation(ctx: Context, r: Disclosure, table: BoundTable, part: BoundPart, row: Row, rel: Relation) -> Iterator[Finding]:
    left = part.spec.column(rel.left.row)
    if left is None or left.name not in part.columns:
        return
    terms = [(sign, part.spec.column(t.row)) for sign, t in rel.right]
    if rel.ratio:
        yield from _ratio(r, table, row, left.name, [c.name for _, c in terms if c is not None])
        return
    if not any(c is not None and row.figure(c.name) is not None for _, c in terms):
        return
    if left.children and row.figure(left.name) is None and rel.right == tuple((1, Term(row=c)) for c in left.children):
        return  # a 小计 not printed: its parts stand for it
    values = [(sign, c.name, _cell(part.spec, row, c.name)) for sign, c in terms if c is not None]
    label = f"{table.label} {_row_label(row)} {left.name}"
    yield from _compare(ctx, r, label, row.figure(left.name), _cell(part.spec, row, left.name), values, row.path + (left.name,))


def _ratio(r: Disclosure, table: BoundTable, row: Row, rate: str, columns: list[str]) -> Iterator[Finding]:
    """增减幅度 = 增减额 ÷ 上年数, compared at the precision the rate was written with."""
    stated = row.figure(rate)
    if stated is None or len(columns) != 2:
        return
    numerator, denominator = (row.value(c) for c in columns)
    if numerator is None or denominator is None:
        return
    expected = ratio_percent(numerator, denominator, decimals(stated.value))
    if expected is not None and expected != stated.value:
        yield Finding(
            "rate-mismatch", stated.path,
            f"{table.label} {_row_label(row)} {rate} {plain(stated.value)}% ≠ {columns[0]} {plain(numerator)} ÷ "
            f"{columns[1]} {plain(denominator)} = {plain(expected)}%",
        )


def _cell(part: Part, row: Row, column: str) -> Decimal:
    """A cell's value; a 小计 left blank is the sum of its parts; a blank is zero."""
    value = row.value(column)
    if value is not None:
        return value
    spec = part.column(column)
    if spec is not None and spec.children and any(row.figure(c) is not None for c in spec.children):
        return sum((_cell(part, row, c) for c in spec.children), Decimal(0))
    return Decimal(0)


def _compare(
    ctx: Context, r: Disclosure, label: str, figure: object, found: Decimal,
    values: Sequence[tuple[int, str, Decimal]], where: FieldPath, code: str = "sum-mismatch",
) -> Iterator[Finding]:
    expected = sum((sign * value for sign, _, value in values), Decimal(0))
    if abs(found - expected) > ctx.tolerance * len(values):
        places = r.PLACES
        terms = "".join(
            f"{'' if n == 0 and sign > 0 else ' + ' if sign > 0 else ' − '}{name} {_fmt(value, places)}"
            for n, (sign, name, value) in enumerate(values)
        )
        at = getattr(figure, "path", None) or where
        yield Finding(code, at, f"{label} {_fmt(found, places)} ≠ {terms} = {_fmt(expected, places)}")


# Sums down a table.


def levels_add_up(r: Disclosure, ctx: Context) -> Iterator[Finding]:
    """Down each 科目 table: 项 → 款 → 类 → 合计, column by column (a table listed without codes: rows → 合计)."""
    for table in r.tables:
        if not table.spec.by_subject or not table.parts:
            continue
        part = table.parts[0]
        valid = _valid(table, part)
        by_code = {row.code: row for row in valid}
        for parent_code, children in _children(valid).items():
            parent = by_code.get(parent_code)
            if parent is not None:
                yield from _column_sums(ctx, r, table, part, parent, children)
        tops = [row for row in valid if _level(row) == 0]
        if not tops and not any(row.code for row in part.rows):
            tops = part.rows
        # A table printed with only its 合计 row (no detail rows) has nothing to add up.
        if table.total is not None and part.rows and (tops or table.spec.scheme == LISTED):
            yield from _column_sums(ctx, r, table, part, table.total, tops or part.rows)


def _column_sums(ctx: Context, r: Disclosure, table: BoundTable, part: BoundPart, parent: Row, children: list[Row]) -> Iterator[Finding]:
    for column in part.columns:
        if _is_rate(part, column):
            continue
        values = [(1, _row_label(c), _cell(part.spec, c, column)) for c in children]
        if parent.figure(column) is None and not any(c.figure(column) is not None for c in children):
            continue
        label = f"{table.label} {_row_label(parent)} {column}"
        yield from _compare(ctx, r, label, parent.figure(column), _cell(part.spec, parent, column), values, parent.path + (column,))


def _children(rows: list[Row]) -> dict[str, list[Row]]:
    result: dict[str, list[Row]] = {}
    for row in rows:
        level = _level(row)
        if level > 0:
            result.setdefault(row.code[: (3, 5, 7)[level - 1]], []).append(row)
    return result


def items_add_up(r: Disclosure, ctx: Context) -> Iterator[Finding]:
    """Down each table of fixed items: 本年收入合计 = its items, 总计 = 合计 + 结转 …, column by column."""
    for table in r.tables:
        for part in table.parts:
            for rel in part.spec.relations:
                if part.spec.column(rel.left.row) is None:
                    yield from _item_relation(ctx, r, table, part, rel)


def _item_relation(ctx: Context, r: Disclosure, table: BoundTable, part: BoundPart, rel: Relation) -> Iterator[Finding]:
    left = part.item(part.spec.item(rel.left.row).name)  # type: ignore[union-attr]
    if left is None:
        return
    for column in part.columns:
        if _is_rate(part, column):
            continue  # rates do not add up
        values = [(sign, *_part_sum(part, term.row, column)) for sign, term in rel.right]
        if left.figure(column) is None or not any(_filled(part, t.row, column) for _, t in rel.right):
            continue  # a 总计 that states only its 合计, or 政府采购 without its 其中: nothing to add up
        label = f"{table.label}{_side(part)}{left.label}{_column_label(part, column)}"
        yield from _compare(ctx, r, label, left.figure(column), _cell(part.spec, left, column), values, left.path)


def _part_sum(part: BoundPart, row: str, column: str) -> tuple[str, Decimal]:
    if row == SUBJECT_ROWS:
        return "各科目", sum((_cell(part.spec, s, column) for s in part.subject_rows), Decimal(0))
    item = part.spec.item(row)
    found = part.item(item.name) if item is not None else None
    return (found.label if found else row), (_cell(part.spec, found, column) if found else Decimal(0))


def _filled(part: BoundPart, row: str, column: str) -> bool:
    if row == SUBJECT_ROWS:
        return any(s.figure(column) is not None for s in part.subject_rows)
    item = part.spec.item(row)
    found = part.item(item.name) if item is not None else None
    return found is not None and found.figure(column) is not None


# One figure in two places.


def parts_agree(r: Disclosure, ctx: Context) -> Iterator[Finding]:
    """The parts of a table balance: 收入总计 = 支出总计."""
    for table in r.tables:
        for rel in table.spec.relations:
            yield from _equal(ctx, r, rel, {"": table}, code="unbalanced")


def tables_agree(r: Disclosure, ctx: Context) -> Iterator[Finding]:
    """What the form states in two tables is one figure: 总表 and 明细表, 基本支出 and its 明细 …"""
    present = {t.spec.id: t for t in r.tables}
    by_name = {name: present[spec.id] for spec in r.FORM.tables if spec.id in present for name in spec.names()}
    for rel in r.FORM.relations:
        if rel.per_class:
            yield from _per_class(r, rel, by_name)
        else:
            yield from _equal(ctx, r, rel, by_name)


@dataclass(frozen=True)
class _Value:
    label: str
    value: Decimal
    figure: object
    where: FieldPath


def _resolve(tables: dict[str, BoundTable], term: Term) -> _Value | None:
    """The figure a term names, or None when its table or row is not published."""
    table = tables.get(term.table)
    if table is None:
        return None
    if table.spec.by_subject:
        row, part = table.total, table.parts[0] if table.parts else None
        if part is None:
            return None
        column = part.spec.column(term.column or term.row)
        if column is None:
            return None
        if row is None:
            return _Value(f"{table.label}合计行的{column.name}", Decimal(0), None, table.path)
        return _Value(f"{table.label}合计行的{column.name}", _cell(part.spec, row, column.name), row.figure(column.name), row.path)
    part = table.part(term.part) if term.part else table.parts[0]
    if part is None:
        return None
    column = part.spec.column(term.column) if term.column else part.spec.columns[0]
    item = part.spec.item(term.row)
    found = part.item(item.name) if item is not None else None
    if column is None or item is None:
        return None
    label = f"{table.label}{_side(part)}{found.label if found else item.name}{_column_label(part, column.name)}"
    if found is None:
        return _Value(label, Decimal(0), None, part.path)
    return _Value(label, _cell(part.spec, found, column.name), found.figure(column.name), found.path)


def _equal(ctx: Context, r: Disclosure, rel: Relation, tables: dict[str, BoundTable], code: str = "figure-mismatch") -> Iterator[Finding]:
    left = _resolve(tables, rel.left)
    right = [(sign, _resolve(tables, term)) for sign, term in rel.right]
    if left is None or any(v is None for _, v in right):
        return
    values = [(sign, v.label, v.value) for sign, v in right]  # type: ignore[union-attr]
    expected = sum((sign * value for sign, _, value in values), Decimal(0))
    if abs(left.value - expected) <= ctx.tolerance * len(values):
        return
    places = r.PLACES
    at = getattr(left.figure, "path", None) or left.where
    see = tuple(getattr(v.figure, "path", None) or v.where for _, v in right)  # type: ignore[union-attr]
    if len(values) == 1 and values[0][0] == 1:
        other = right[0][1]
        message = (
            f"{left.label} {_fmt(left.value, places)} 与{other.label} {_fmt(other.value, places)} 不一致："  # type: ignore[union-attr]
            + ("收、支总计应相等" if code == "unbalanced" else "同一数字在两处应相同")
        )
    else:
        terms = " + ".join(f"{name} {_fmt(value, places)}" for _, name, value in values)
        message = f"{left.label} {_fmt(left.value, places)} ≠ {terms} = {_fmt(expected, places)}"
    yield Finding(code, at, message, see=see)


def _per_class(r: Disclosure, rel: Relation, tables: dict[str, BoundTable]) -> Iterator[Finding]:
    """Each 类 row of a summary table against the same 类 of the table that details it."""
    summary, detail = tables.get(rel.left.table), tables.get(rel.right[0][1].table)
    if summary is None or detail is None or not detail.parts:
        return
    part = summary.part(rel.left.row) or summary.parts[0]
    column = rel.left.column or part.spec.columns[0].name
    detail_column = rel.right[0][1].row
    classes = {row.code: row for row in _valid(detail, detail.parts[0]) if _level(row) == 0}
    by_name = {row.name: row for row in classes.values()}
    places, matched = r.PLACES, set()
    for row in part.subject_rows:
        there = classes.get(row.code) if row.code else by_name.get(row.name)
        if there is not None:
            matched.add(there.code)
        mine = _cell(part.spec, row, column)
        theirs = _cell(detail.parts[0].spec, there, detail_column) if there is not None else Decimal(0)
        if mine != theirs:
            name = f"{there.code} {there.name}" if there is not None else row.name
            yield Finding(
                "figure-mismatch", getattr(row.figure(column), "path", None) or row.path,
                f"{summary.label}{_side(part)}{row.label}{_column_label(part, column)} {_fmt(mine, places)} 与"
                f"{detail.label}中 {name} 的{detail_column} {_fmt(theirs, places)} 不一致：同一数字在两处应相同",
                see=((there.path,) if there is not None else ()),
            )
    for code, there in classes.items():
        value = _cell(detail.parts[0].spec, there, detail_column)
        if code not in matched and value:
            yield Finding(
                "class-missing", there.path,
                f"{detail.label}中有 {code} {there.name} {_fmt(value, places)}，但{summary.label}{_side(part)}中没有列出这一类",
            )


CHECKS: tuple[Check, ...] = (
    required_tables,
    empty_tables_explained,
    codes_well_formed,
    classification_nested,
    subjects_known,
    names_agree,
    rows_add_up,
    levels_add_up,
    items_add_up,
    parts_agree,
    tables_agree,
)


# Helpers.


def _subject_parts(r: Disclosure) -> Iterator[tuple[BoundTable, BoundPart]]:
    for table in r.tables:
        if table.spec.scheme == LISTED:
            continue
        for part in table.parts:
            if table.spec.by_subject or part.spec.scheme:
                yield table, part


def _scheme(table: BoundTable, part: BoundPart) -> str:
    return table.spec.scheme if table.spec.by_subject else part.spec.scheme


def _valid(table: BoundTable, part: BoundPart) -> list[Row]:
    """Rows whose code is well formed and seen for the first time (the others are reported once)."""
    lengths = CODE_LENGTHS.get(_scheme(table, part), ())
    seen: set[str] = set()
    valid = []
    for row in part.subject_rows:
        if row.code and DIGITS.fullmatch(row.code) and len(row.code) in lengths and row.code not in seen:
            seen.add(row.code)
            valid.append(row)
    return valid


def _level(row: Row) -> int:
    return (3, 5, 7).index(len(row.code))


def _row_label(row: Row) -> str:
    return f"{row.code} {row.name}" if row.code else (TOTAL_ROW if row.label == TOTAL_ROW else row.label)


def _is_rate(part: BoundPart, column: str) -> bool:
    spec = part.spec.column(column)
    return spec is not None and spec.percent


def _side(part: BoundPart) -> str:
    return f"（{part.spec.name}）" if part.spec.name else ""


def _column_label(part: BoundPart, column: str) -> str:
    return "" if part.spec.single else f"的{column}"
