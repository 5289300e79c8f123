"""Strict building blocks: typed figures read from the text exactly as the finance officer wrote it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError

from gongkai.problems import FieldPath, Finding

FULLWIDTH = str.maketrans("０１２３４５６７８９．％－＋，", "0123456789.%-+,")
_MONEY = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
_UNITS = ("万元", "元", "亿元", "人", "个", "分", "次", "㎡")
# Bounds that no real figure reaches and that keep every sum and ratio within Decimal's 28 digits.
MAX_DIGITS = 15  # integer digits of an amount, area or count: 千万亿
MAX_SCORE_DIGITS = 6
MAX_PERCENT_DECIMALS = 4
# The years a report, a year folder or `new` may name: a typo (1800, 3023) fails here, not in a sum by year.
FIRST_YEAR = 2000
LAST_YEAR = 2100


class Strict(BaseModel):
    """Unknown keys are errors, so a typo never silently drops a figure."""

    model_config = ConfigDict(extra="forbid", populate_by_name=False, validate_default=False)
    PLACES: ClassVar[int] = 2  # the site's 金额小数位数 (see `with_places`)
    _path: FieldPath = PrivateAttr(default=())

    @property
    def path(self) -> FieldPath:
        """Where this object stands in its YAML file, set once the document is validated."""
        return self._path

    def bind(self) -> list[Finding]:
        """What validation alone cannot read, once it passed (部门预算、决算 read their tables against a form)."""
        return []


def _as_text(value: Any, what: str) -> str:
    if value is None:
        raise PydanticCustomError("missing-value", "此项不能为空：请填写{what}", {"what": what})
    if not isinstance(value, str):
        raise PydanticCustomError("wrong-type", "应填写{what}，而不是列表或多行结构", {"what": what})
    return value.strip()


def _ascii_digits(text: str) -> str:
    """Digits of another script (Arabic-Indic ١٢٣, Devanagari) look like a number and Decimal() reads them."""
    other = next((c for c in text if c.isdigit() and not c.isascii() and c not in "０１２３４５６７８９"), None)
    if other is not None:
        raise PydanticCustomError(
            "non-ascii-digit",
            "“{text}”中的“{digit}”不是半角阿拉伯数字：数字请用键盘上的 0–9 输入",
            {"text": text, "digit": other},
        )
    return text


def _number_text(value: Any, what: str, unit_hint: str) -> str:
    """Reject the usual ways a figure gets mistyped, each with its own clear message."""
    text = _ascii_digits(_as_text(value, what))
    if text != text.translate(FULLWIDTH) and _MONEY.fullmatch(text.translate(FULLWIDTH).rstrip("%")):
        raise PydanticCustomError(
            "fullwidth-digit", "“{text}”含全角字符，请改用半角数字：{fixed}", {"text": text, "fixed": text.translate(FULLWIDTH)}
        )
    if re.fullmatch(r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?%?", text):
        raise PydanticCustomError(
            "thousands-separator", "“{text}”不要使用千位分隔符，请写成 {fixed}", {"text": text, "fixed": text.replace(",", "")}
        )
    for unit in _UNITS:
        if text.endswith(unit) and _MONEY.fullmatch(text[: -len(unit)].strip()):
            raise PydanticCustomError(
                "unit-in-figure", "“{text}”不要带单位，只写数字{hint}", {"text": text, "hint": unit_hint}
            )
    return text


def parse_money(value: Any, signed: bool = False, places: int = 2) -> Decimal:
    text = _number_text(value, "金额", "（金额单位在文件开头统一声明）")
    if not _MONEY.fullmatch(text):
        raise PydanticCustomError("bad-amount", "“{text}”不是有效的金额，应写成如 293.53 的数字", {"text": text})
    amount = Decimal(_within(text, "bad-amount"))
    if amount < 0 and not signed:
        raise PydanticCustomError("negative-amount", "金额不能为负数：“{text}”", {"text": text})
    if amount.as_tuple().exponent < -places:  # type: ignore[operator]
        most = "两位小数（到分）" if places == 2 else f"{places}位小数"
        raise PydanticCustomError("too-many-decimals", "金额最多保留{most}：“{text}”", {"text": text, "most": most})
    return amount


def _places(info: ValidationInfo) -> int:
    """The site's 金额小数位数, passed by `validate` as the validation context (2 without one)."""
    context = info.context if isinstance(info.context, dict) else {}
    return int(context.get("places", 2))


def _money_in_context(value: Any, info: ValidationInfo) -> Decimal:
    return parse_money(value, places=_places(info))


def _signed_money_in_context(value: Any, info: ValidationInfo) -> Decimal:
    return parse_money(value, signed=True, places=_places(info))


def parse_area(value: Any) -> Decimal:
    text = _number_text(value, "面积", "（单位为平方米）")
    if not re.fullmatch(r"[0-9]+(\.[0-9]{1,2})?", text):
        raise PydanticCustomError("bad-area", "“{text}”不是有效的面积，应为非负数，最多两位小数", {"text": text})
    return Decimal(_within(text, "bad-area"))


def parse_signed_money(value: Any) -> Decimal:
    return parse_money(value, signed=True)


def parse_percent(value: Any, signed: bool = False) -> Decimal:
    text = _number_text(value, "百分比", "")
    if not text.endswith("%") or not _MONEY.fullmatch(text[:-1].strip()):
        raise PydanticCustomError("bad-percent", "“{text}”不是有效的百分比，应写成如 99.96% 的形式", {"text": text})
    number = Decimal(_within(text[:-1].strip(), "bad-percent"))
    if number < 0 and not signed:
        raise PydanticCustomError("bad-percent", "百分比不能为负数：“{text}”", {"text": text})
    if number.as_tuple().exponent < -MAX_PERCENT_DECIMALS:  # type: ignore[operator]
        raise PydanticCustomError("bad-percent", "百分比最多保留四位小数：“{text}”", {"text": text})
    return number


def parse_signed_percent(value: Any) -> Decimal:
    return parse_percent(value, signed=True)


def parse_count(value: Any) -> int:
    text = _number_text(value, "人数或个数", "")
    if not re.fullmatch(r"[0-9]+", text):
        raise PydanticCustomError("bad-count", "“{text}”应为不带小数的非负整数", {"text": text})
    return int(_within(text, "bad-count"))


def parse_score(value: Any) -> Decimal:
    text = _number_text(value, "分数", "")
    if not re.fullmatch(r"[0-9]+(\.[0-9]{1,2})?", text):
        raise PydanticCustomError("bad-score", "“{text}”不是有效的分数，应为非负数，最多两位小数", {"text": text})
    return Decimal(_within(text, "bad-score", MAX_SCORE_DIGITS))


def _within(text: str, code: str, limit: int = MAX_DIGITS) -> str:
    """A figure with more integer digits than any real one has: a slip of the keyboard, not a number to divide by."""
    if len(text.lstrip("+-").split(".")[0].lstrip("0")) > limit:
        raise PydanticCustomError(
            code, "“{text}”位数过多（整数部分最多 {limit} 位），请检查是否多打了数字", {"text": text, "limit": limit}
        )
    return text


def parse_date(value: Any) -> dt.date:
    text = _ascii_digits(_as_text(value, "日期"))
    found = re.fullmatch(r"([0-9]{4})[-/年.]([0-9]{1,2})[-/月.]([0-9]{1,2})日?", text)
    if found and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        year, month, day = (int(g) for g in found.groups())
        raise PydanticCustomError(
            "bad-date", "日期“{text}”请写成 {fixed} 的形式", {"text": text, "fixed": f"{year:04d}-{month:02d}-{day:02d}"}
        )
    try:
        return dt.date.fromisoformat(text) if found else _bad_date(text)
    except ValueError:
        return _bad_date(text)


def _bad_date(text: str) -> dt.date:
    raise PydanticCustomError("bad-date", "“{text}”不是有效的日期，应写成如 2024-06-06 的形式", {"text": text})


def parse_year(value: Any) -> int:
    text = _ascii_digits(_as_text(value, "年度"))
    if not re.fullmatch(r"[0-9]{4}", text):
        raise PydanticCustomError("bad-year", "“{text}”不是有效的年度，应写成如 2023 的四位数字", {"text": text})
    if not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise PydanticCustomError(
            "bad-year", "年度“{text}”超出范围：应在 {first} 到 {last} 之间", {"text": text, "first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return int(text)


def parse_text(value: Any) -> str:
    text = _as_text(value, "文字")
    if not text:
        raise PydanticCustomError("missing-value", "此项不能为空：请填写文字", {})
    return text


Money = Annotated[Decimal, BeforeValidator(_money_in_context)]
SignedMoney = Annotated[Decimal, BeforeValidator(_signed_money_in_context)]
Area = Annotated[Decimal, BeforeValidator(parse_area)]
Percent = Annotated[Decimal, BeforeValidator(parse_percent)]
SignedPercent = Annotated[Decimal, BeforeValidator(parse_signed_percent)]
Count = Annotated[int, BeforeValidator(parse_count)]
Score = Annotated[Decimal, BeforeValidator(parse_score)]
Date = Annotated[dt.date, BeforeValidator(parse_date)]
Year = Annotated[int, BeforeValidator(parse_year)]
Text = Annotated[str, BeforeValidator(parse_text)]
# Narrative in Markdown; sanitized when rendered.
Markdown = Annotated[str, BeforeValidator(parse_text)]


MONEY_UNITS = ("万元", "元")


def parse_money_unit(value: Any) -> str:
    unit = parse_text(value)
    if unit not in MONEY_UNITS:
        raise PydanticCustomError("bad-value", "金额单位只能是：{units}", {"units": "、".join(MONEY_UNITS)})
    return unit


MoneyUnit = Annotated[str, BeforeValidator(parse_money_unit)]


class ReportHeader(Strict):
    """What every report file starts with; each kind adds its own sections and ends with 更正记录."""

    KIND: ClassVar[str]
    KIND_NAME: ClassVar[str]

    title: Text = Field(alias="标题")
    year: Year = Field(alias="年度")
    money_unit: MoneyUnit = Field(alias="金额单位", description="万元 或 元，全文统一")
    published: Date = Field(alias="发布日期")


class Correction(Strict):
    """更正：发布后发现的错误，保留原值并说明理由。"""

    published: str = Field(alias="原值", description="原发布的数值（照原文填写）")
    reason: Text = Field(alias="说明", description="更正理由")
    date: Date | None = Field(None, alias="日期", description="更正日期")

    @model_validator(mode="before")
    @classmethod
    def _published_as_text(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("原值") is None and "原值" in data:
            data = {**data, "原值": "（空）"}
        return data


class Figure(Strict):
    """A figure written either plainly (`293.53`) or with a correction note."""

    correction: Correction | None = Field(None, alias="更正")

    @model_validator(mode="before")
    @classmethod
    def _plain_value(cls, data: Any) -> Any:
        return {"值": data} if isinstance(data, str) else data


class Amount(Figure):
    """金额（单位见文件开头的“金额单位”）。"""

    value: Money = Field(alias="值")


class ChangeAmount(Figure):
    """增减额：增加为正，减少为负。"""

    value: SignedMoney = Field(alias="值")


class Rate(Figure):
    """百分比，如 99.96%。"""

    value: Percent = Field(alias="值")


class ChangeRate(Figure):
    """增减率：上升为正，下降为负。"""

    value: SignedPercent = Field(alias="值")


class ScoreFigure(Figure):
    """分值或得分。"""

    value: Score = Field(alias="值")


class AreaFigure(Figure):
    """面积（平方米）。"""

    value: Area = Field(alias="值")


class CountFigure(Figure):
    """人数、个数。"""

    value: Count = Field(alias="值")


def value_of(figure: Figure | None) -> Decimal:
    """A blank cell counts as zero in sums; rendering keeps it visibly blank."""
    return Decimal(0) if figure is None else Decimal(figure.value)  # type: ignore[attr-defined]


def walk(obj: Any, path: FieldPath = ()) -> Iterator[Strict]:
    """Every model in a validated tree, after giving each its place in the source."""
    if isinstance(obj, Strict):
        obj._path = path
        yield obj
        for name, info in type(obj).model_fields.items():
            yield from walk(getattr(obj, name), path + (info.alias or name,))
    elif isinstance(obj, list):
        for index, item in enumerate(obj):
            yield from walk(item, path + (index,))


_WITH_PLACES: dict[tuple[type[Strict], int], type[Strict]] = {}


def with_places(model: type[Strict], places: int) -> type[Strict]:
    """The model whose amounts may carry the site's 金额小数位数 (a subclass, made once per model and places)."""
    if places == model.PLACES:
        return model
    key = (model, places)
    if key not in _WITH_PLACES:
        name = f"{model.__name__}_{places}"
        _WITH_PLACES[key] = type(name, (model,), {"PLACES": places, "__module__": model.__module__, "__qualname__": name})
    return _WITH_PLACES[key]

