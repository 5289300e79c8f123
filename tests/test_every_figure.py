"""Nudging any figure of the sample by one cent (or one) must be caught by `check`.

Every figure that takes part in a sum, a rate or a cross-reference is covered; the few that stand
alone on the forms are listed below by name, so adding a rule or a figure shows up here.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import CONTENT, SAMPLE_REPORT, copy_site

from gongkai.pipeline import check
from gongkai.problems import format_path
from gongkai.reader import read_document

NUMBER = re.compile(r"\d+(\.\d+)?%?")
NOT_FIGURES = {"年度", "联系电话", "年度指标值", "实际完成值"}  # text that happens to be digits

# Figures no rule ties to anything else: the forms print them once, with nothing to add up to.
STANDALONE = {
    # 其中 rows: listed parts, which may leave things out. (The body's main items are stated in its text.)
    *(f"基础数据表.经费控制.公用经费.分项[{i}].上年决算" for i in range(3)),
    *(f"基础数据表.经费控制.公用经费.分项[{i}].本年预算" for i in range(3)),
    "基础数据表.经费控制.公用经费.分项[1].本年决算",
    "基础数据表.经费控制.公用经费.分项[2].本年决算",
    "基础数据表.经费控制.公用经费.合计.上年决算",  # its 本年决算 is tied to the same year's 部门决算
    # Stated once; last year's figures are checked against last year's report when it is in content/.
    # With nothing approved and nothing built, a control rate is 0 ÷ 0: nothing to check it against.
    "基础数据表.楼堂馆所.批复规模",
    "基础数据表.楼堂馆所.规模控制率",
    "基础数据表.楼堂馆所.投资概算控制率",
}


def figures(path: Path) -> list[tuple[str, int, int, str]]:
    """(field path, line, column, text) of every plain numeric value in the file."""
    doc = read_document(path)
    found = []
    for field, mark in doc.marks.items():
        value = doc.get(field)
        if not isinstance(value, str) or not NUMBER.fullmatch(value) or field[-1] in NOT_FIGURES:
            continue
        if field[-1] in ("原值", "日期") or field[-2:-1] == ("更正",):
            continue
        shown = format_path(field[:-1] if field[-1] == "值" else field)
        found.append((shown, mark.value_line, mark.value_column, value))
    return found


def nudged(text: str) -> str:
    """One cent more for amounts and rates written with decimals, one more for whole numbers."""
    number = text.rstrip("%")
    step = Decimal("0.01") if "." in number else Decimal(1)
    return f"{Decimal(number) + step}{'%' if text.endswith('%') else ''}"


SAMPLE_FIGURES = figures(CONTENT / SAMPLE_REPORT)


def signatures(site: Path) -> set[tuple[int, str, str]]:
    """Problems without their file name, which differs between copies of the site."""
    return {(p.line, p.code, p.message) for p in check(site).problems}


BASELINE = signatures(CONTENT)  # the warning the unchanged sample already has


def test_the_sample_has_its_figures() -> None:
    assert len(SAMPLE_FIGURES) > 120


def problems_after_nudge(tmp_path: Path, report: Path, line: int, column: int, text: str) -> set[tuple[int, str, str]]:
    """Nudge the figure written `text` at line:column of a copy of the sample; the problems that appear."""
    site = copy_site(CONTENT, tmp_path / "content")
    report_file = site / report
    lines = report_file.read_text(encoding="utf-8").split("\n")
    row = lines[line - 1]
    assert row[column - 1 : column - 1 + len(text)] == text
    lines[line - 1] = row[: column - 1] + nudged(text) + row[column - 1 + len(text) :]
    report_file.write_text("\n".join(lines), encoding="utf-8")
    return signatures(site) - BASELINE


@pytest.mark.parametrize(("field", "line", "column", "text"), SAMPLE_FIGURES, ids=[f[0] for f in SAMPLE_FIGURES])
def test_a_nudged_figure_is_caught(tmp_path: Path, field: str, line: int, column: int, text: str) -> None:
    new = problems_after_nudge(tmp_path, SAMPLE_REPORT, line, column, text)
    if field in STANDALONE:
        assert not new, f"{field} is listed as standalone but a rule now ties it: move it out of STANDALONE"
    else:
        assert new, f"changing {field} from {text} to {nudged(text)} went unnoticed"
