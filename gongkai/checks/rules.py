"""The arithmetic rules every form is made of; each yields findings and never raises or prints."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from gongkai.models.base import Figure, value_of
from gongkai.numbers import decimals, money, percent, plain, ratio_percent
from gongkai.problems import FieldPath, Finding, Severity

# A labelled figure: ("基本支出", amount); the figure may be a blank cell (None).
Term = tuple[str, Figure | None]


@dataclass(frozen=True)
class Context:
    """What rules need to know beyond the figures: the declared rounding tolerance."""

    tolerance: Decimal = Decimal("0.00")  # per summand, from site.yaml 校验.舍入容差


def _where(figure: Figure | None, fallback: FieldPath) -> FieldPath:
    return figure.path if figure is not None else fallback


def sum_equals(
    ctx: Context, total: Term, parts: Sequence[Term], where: FieldPath = (), code: str = "sum-mismatch"
) -> Iterator[Finding]:
    """total = Σ parts, within the declared tolerance per summand."""
    label, figure = total
    expected = sum((value_of(f) for _, f in parts), Decimal(0))
    found = value_of(figure)
    if abs(found - expected) > ctx.tolerance * len(parts):
        terms = " + ".join(f"{name} {money(value_of(f))}" for name, f in parts)
        yield Finding(code, _where(figure, where), f"{label} {money(found)} ≠ {terms} = {money(expected)}")


def parts_within(total: Term, parts: Sequence[Term], where: FieldPath = ()) -> Iterator[Finding]:
    """Rows listed as “其中” may leave things out, but cannot add up to more than their total."""
    label, figure = total
    listed = sum((value_of(f) for _, f in parts), Decimal(0))
    if listed > value_of(figure):
        yield Finding(
            "parts-exceed",
            _where(figure, where),
            f"{label} {money(value_of(figure))} 小于其中所列各项之和 {money(listed)}",
        )


def same_figure(first: Term, second: Term, where: FieldPath = ()) -> Iterator[Finding]:
    """One figure stated in two places must be stated the same; reported at the second place."""
    (label_a, a), (label_b, b) = first, second
    if value_of(a) != value_of(b):
        see = (a.path,) if a is not None else ()
        yield Finding(
            "figure-mismatch",
            _where(b, where),
            f"{label_b} {money(value_of(b))} 与{label_a} {money(value_of(a))} 不一致：同一数字在两处应相同",
            see=see,
        )


def difference_equals(
    ctx: Context, result: Term, minuend: Term, subtrahend: Term, where: FieldPath = ()
) -> Iterator[Finding]:
    """result = minuend − subtrahend (结余 = 全年预算 − 实际支出)."""
    label, figure = result
    expected = value_of(minuend[1]) - value_of(subtrahend[1])
    if abs(value_of(figure) - expected) > ctx.tolerance * 2:
        yield Finding(
            "balance-mismatch",
            _where(figure, where),
            f"{label} {money(value_of(figure))} ≠ {minuend[0]} {money(value_of(minuend[1]))} − "
            f"{subtrahend[0]} {money(value_of(subtrahend[1]))} = {money(expected)}",
        )


def rate_equals(
    rate: Term, numerator: Term, denominator: Term, severity: Severity = Severity.ERROR, code: str = "rate-mismatch"
) -> Iterator[Finding]:
    """rate = numerator ÷ denominator, compared at the precision the rate was written with."""
    label, figure = rate
    if figure is None:
        return
    stated = Decimal(figure.value)  # type: ignore[attr-defined]
    expected = ratio_percent(value_of(numerator[1]), value_of(denominator[1]), decimals(stated))
    if expected is not None and expected != stated:
        yield Finding(
            code,
            figure.path,
            f"{label} {percent(stated)} ≠ {numerator[0]} {_number(numerator[1])} ÷ "
            f"{denominator[0]} {_number(denominator[1])} = {percent(expected)}",
            severity,
        )


def not_above(value: Term, limit: Term, code: str = "score-exceeds", where: FieldPath = ()) -> Iterator[Finding]:
    label, figure = value
    if value_of(figure) > value_of(limit[1]):
        yield Finding(
            code,
            _where(figure, where),
            f"{label} {_number(figure)} 超过了{limit[0]} {_number(limit[1])}",
        )


def _number(figure: Figure | None) -> str:
    value = value_of(figure)
    return money(value) if decimals(value) == 2 else plain(value)
