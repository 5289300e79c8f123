"""The site file and a unit's own file: who publishes, and who the department is."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from gongkai.forms.spec import form_names
from gongkai.models.base import Markdown, Money, Strict, Text, parse_count, parse_text


def parse_form(value: Any) -> str:
    name = parse_text(value)
    if name not in form_names():
        raise PydanticCustomError(
            "unknown-form", "没有名为“{name}”的表样。可以选择：{names}", {"name": name, "names": "、".join(form_names())}
        )
    return name


def parse_places(value: Any) -> int:
    places = parse_count(value)
    if places > 4:
        raise PydanticCustomError("bad-value", "金额小数位数应为 0 到 4", {})
    return places


def parse_url(value: Any) -> str:
    """The published address goes into feed.xml's xml:base, the sitemap and robots.txt: a web address and nothing else."""
    url = parse_text(value)
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced [ in the host
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname or _NOT_IN_URL.search(url):
        raise PydanticCustomError(
            "bad-url", "“{url}”不是有效的网址：应以 https:// 或 http:// 开头，不含空格，如 https://czj.example.gov.cn/yjsgk/",
            {"url": url},
        )
    return url


# Whitespace would split robots.txt's line; quotes and angle brackets are never part of an address as typed.
_NOT_IN_URL = re.compile(r"[\s\"'<>\\^`{|}]")
FormName = Annotated[str, BeforeValidator(parse_form)]
Places = Annotated[int, BeforeValidator(parse_places)]
Url = Annotated[str, BeforeValidator(parse_url)]


class Checking(Strict):
    """校验设置。"""

    rounding_tolerance: Money = Field(
        Decimal("0.00"),
        alias="舍入容差",
        description="每个加数允许的舍入误差；默认 0，即合计必须与分项之和到分一致",
    )


class SiteConfig(Strict):
    """content/site.yaml：整个网站的基本信息。"""

    title: Text = Field(alias="网站名称")
    publisher: Text = Field(alias="发布机构")
    description: Markdown | None = Field(None, alias="简介")
    base_url: Url | None = Field(None, alias="网址", description="正式发布的网址，用于站点地图和订阅，如 https://czj.example.gov.cn/yjsgk/")
    contact: Text | None = Field(None, alias="联系方式")
    accessibility_contact: Text | None = Field(None, alias="无障碍联系方式")
    checking: Checking = Field(default_factory=Checking, alias="校验")
    form: FormName = Field("全国", alias="表样", description="部门预算、部门决算的表样：全国，或本省的表样如 湖南、四川")
    places: Places = Field(2, alias="金额小数位数", description="表中金额的小数位数，默认 2（到分）；有的省公开到 3 位")


class Unit(Strict):
    """单位基本信息：content/<单位>/unit.yaml。"""

    name: Text = Field(alias="名称")
    short_name: Text | None = Field(None, alias="简称")
    budget_level: Text | None = Field(None, alias="预算级次", description="如：一级部门预算单位")
    departments: list[Text] = Field(default_factory=list, alias="内设机构")
    organization: Markdown | None = Field(None, alias="机构设置", description="机构设置的补充说明")
    functions: Markdown = Field(alias="主要职能职责")
    form: FormName | None = Field(None, alias="表样", description="本单位与网站不同的表样（如省直单位用省的表样）")
