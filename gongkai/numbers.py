"""Decimal arithmetic and formatting shared by the checks and the pages: rounding is explicit."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value: Decimal | None) -> str:
    """Two decimals, as the forms print amounts: 24 -> 24.00."""
    return "" if value is None else f"{Decimal(value).quantize(CENT, ROUND_HALF_UP):.2f}"


def plain(value: Decimal | None) -> str:
    """A score or count as written: 10 stays 10, 8.5 stays 8.5."""
    if value is None:
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(value: Decimal | None) -> str:
    return "" if value is None else f"{plain(value)}%"


def decimals(value: Decimal) -> int:
    """How many decimals a figure was written with (99.96% -> 2, 100% -> 0)."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def rounded(value: Decimal, places: int) -> Decimal:
    """Round half up to `places` decimals, the way the forms round."""
    return value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def ratio_percent(numerator: Decimal, denominator: Decimal, places: int) -> Decimal | None:
    """numerator / denominator as a percentage rounded to `places`; None when undefined."""
    if denominator == 0:
        return None
    return rounded(numerator / denominator * 100, places)


def signed(value: Decimal) -> str:
    return f"+{money(value)}" if value > 0 else money(value)
