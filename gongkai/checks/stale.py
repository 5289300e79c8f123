"""Stale copies: last year's file saved under this year with only 年度 changed.

A report that names another year in its 标题, was published before its year could be published, or whose
texts never name its own year, is most likely a copy that still says last year's words. These are warnings:
a text may have reasons to speak of other years, but the finance officer should look.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from gongkai.checks.rules import Context
from gongkai.models.base import ReportHeader
from gongkai.models.disclosure import Budget, Disclosure
from gongkai.models.project_evaluation import ProjectEvaluation
from gongkai.models.self_evaluation import SelfEvaluation
from gongkai.problems import FieldPath, Finding, Severity

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?=\s*年)")
_HINT = "是否从上年的文件复制而来？"


def stale_title(r: ReportHeader, ctx: Context) -> Iterator[Finding]:
    """A 标题 that names a year names the report's own."""
    years = [int(y) for y in _YEAR.findall(r.title)]
    if years and r.year not in years:
        yield Finding(
            "stale-title", ("标题",),
            f"标题写的是{years[0]}年，而这是{r.year}年度的报告：{_HINT}请把标题改为“{r.year}年{r.KIND_NAME}”",
            severity=Severity.WARNING,
        )


def stale_date(r: ReportHeader, ctx: Context) -> Iterator[Finding]:
    """A budget is published in its year at the earliest; the other reports after the year has ended."""
    earliest = r.year if isinstance(r, Budget) else r.year + 1
    published = r.published
    if isinstance(published, dt.date) and published.year < earliest:
        when = f"{earliest}年以后" if earliest > r.year else f"{earliest}年当年或以后"
        yield Finding(
            "stale-date", ("发布日期",),
            f"发布日期 {published.isoformat()} 早于{r.year}年度的{r.KIND_NAME}可能发布的时间（应在{when}）：{_HINT}"
            "请填写本次公开的日期",
            severity=Severity.WARNING,
        )


def stale_text(r: ReportHeader, ctx: Context) -> Iterator[Finding]:
    """Texts that name years, none of them the report's own: last year's text under this year's 年度."""
    mentions = [(path, m) for path, text in _texts(r) for m in _YEAR.finditer(text)]
    if not mentions or any(int(m.group(1)) == r.year for _, m in mentions):
        return
    path, first = mentions[0]
    named = sorted({int(m.group(1)) for _, m in mentions})
    yield Finding(
        "stale-text", path,
        f"文字中提到的年度（{'、'.join(f'{y}年' for y in named)}）都不是本报告的{r.year}年：{_HINT}"
        "请逐段核对文字是否已改为本年度的情况",
        severity=Severity.WARNING, offset=first.start(),
    )


def _texts(r: Any) -> list[tuple[FieldPath, str]]:
    """A report's free texts, each with its place."""
    if isinstance(r, SelfEvaluation):
        return [(("正文", heading), body) for heading, body in r.text.items() if body]
    if isinstance(r, Disclosure):
        return [(("情况说明", heading), body) for heading, body in r.narrative.items() if body]
    if isinstance(r, ProjectEvaluation):
        return [
            (("项目", index, "年度总体目标", key), text)
            for index, project in enumerate(r.projects)
            for key, text in (("预期目标", project.goals.expected), ("实际完成情况", project.goals.achieved))
            if text
        ]
    return []


CHECKS = (stale_title, stale_date, stale_text)
