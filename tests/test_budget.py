"""部门预算 and 部门决算: each rule fires on a sample broken to break it, at the right file and line;
rules across documents name both places; the pages, downloads and PDFs of the new kinds exist."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from conftest import CONTENT, ROOT

from gongkai.pipeline import BuildOptions, build, check
from gongkai.problems import Report

UNIT = "huaihua-bjlxc"
BUDGET = f"{UNIT}/2023/budget.yaml"
BUDGET_2024 = f"{UNIT}/2024/budget.yaml"
FINAL = f"{UNIT}/2023/final-accounts.yaml"
SELF = f"{UNIT}/2023/self-evaluation.yaml"

# A place in the sample: (file, a piece of text on the line, which occurrence of it in the file).
Place = tuple[str, str, int]


def edit(site: Path, name: str, old: str, new: str, nth: int = 1) -> None:
    """Replace the nth occurrence of `old` (which must be there) in one file of the site."""
    path = site / name
    text = path.read_text(encoding="utf-8")
    start = -1
    for _ in range(nth):
        start = text.index(old, start + 1)
    path.write_text(text[:start] + new + text[start + len(old):], encoding="utf-8")


def line_of(site: Path, name: str, needle: str, nth: int = 1) -> int:
    lines = [n for n, line in enumerate((site / name).read_text(encoding="utf-8").split("\n"), 1) if needle in line]
    return lines[nth - 1]


def flat(site: Path, report: Report, severity: str | None = None) -> set[tuple[str, int, str]]:
    """(file relative to the site, line, code) of every problem, but the sample's own warning."""
    return {
        (Path(p.file).resolve().relative_to(site.resolve()).as_posix(), p.line, p.code)
        for p in report.problems
        if p.code not in ("deviation-missing", "unknown-subject") and (severity is None or p.severity.value == severity)
    }


def expected(site: Path, places: list[tuple[str, str, int, str]]) -> set[tuple[str, int, str]]:
    return {(name, line_of(site, name, needle, nth), code) for name, needle, nth, code in places}


def test_the_sample_passes_check_with_all_three_kinds() -> None:
    report = check(CONTENT)
    assert report.errors == []
    # Beyond the self-evaluation's own warning, only the classification list's gaps (one warning a report).
    assert {p.code for p in report.problems if not p.file.endswith("self-evaluation.yaml")} <= {"unknown-subject"}
    assert len([p for p in report.problems if p.code == "unknown-subject"]) == 3


# Each rule within one report: (name, file, old, new, nth occurrence, expected places).
CASES = [
    (
        "bad-code",
        BUDGET, '{科目编码: "2080506", 科目名称: 机关事业单位职业年金缴费支出, 合计: 1.50, 一般公共预算拨款',
        '{科目编码: "208056", 科目名称: 机关事业单位职业年金缴费支出, 合计: 1.50, 一般公共预算拨款', 1,
        [(BUDGET, '"208056"', 1, "bad-code"),
         (BUDGET, '{科目编码: "20805", 科目名称: 行政事业单位养老支出, 合计: 34.70, 一般公共预算拨款', 1, "sum-mismatch")],
    ),
    (
        "duplicate-code",
        BUDGET, '{科目编码: "30206", 科目名称: 电费', '{科目编码: "30205", 科目名称: 电费', 1,
        [(BUDGET, '科目名称: 电费', 1, "duplicate-code"), (BUDGET, '{科目编码: "302", 科目名称: 商品和服务支出', 1, "sum-mismatch"),
         (BUDGET, '科目名称: 电费', 1, "subject-name")],  # 30205 is 水费 in the classification list
    ),
    (
        "missing-parent",
        BUDGET, '    - {科目编码: "22102", 科目名称: 住房改革支出, 合计: 1.80, 基本支出: 1.80, 人员经费: 1.80}\n', "", 1,
        [(BUDGET, '{科目编码: "2210201", 科目名称: 住房公积金, 合计: 1.80, 基本支出', 1, "missing-parent")],
    ),
    (
        "misplaced-row",
        BUDGET,
        '    - {科目编码: "2010308", 科目名称: 信访事务, 合计: 10.00, 一般公共预算拨款: 10.00}\n'
        '    - {科目编码: "208", 科目名称: 社会保障和就业支出, 合计: 34.70, 一般公共预算拨款: 34.70}\n',
        '    - {科目编码: "208", 科目名称: 社会保障和就业支出, 合计: 34.70, 一般公共预算拨款: 34.70}\n'
        '    - {科目编码: "2010308", 科目名称: 信访事务, 合计: 10.00, 一般公共预算拨款: 10.00}\n', 1,
        [(BUDGET, '{科目编码: "2010308", 科目名称: 信访事务, 合计: 10.00, 一般公共预算拨款', 1, "misplaced-row")],
    ),
    (
        "basic-is-personnel-plus-public",  # in the 一般公共预算 table (the second table with this row)
        BUDGET, "基本支出: 167.89, 人员经费: 143.89, 公用经费: 24.00}", "基本支出: 167.89, 人员经费: 143.80, 公用经费: 24.00}", 2,
        [(BUDGET, '{科目编码: "2010301", 科目名称: 行政运行, 合计: 167.89, 基本支出', 2, "sum-mismatch"),
         (BUDGET, '{科目编码: "20103", 科目名称: 政府办公厅（室）及相关机构事务, 合计: 240.23, 基本支出', 2, "sum-mismatch")],
    ),
    (
        "total-row-and-cross-document",  # the 部门支出总表's 合计 row, which the self-evaluation repeats
        BUDGET, "公用经费: 24.00, 项目支出: 72.34}", "公用经费: 24.00, 项目支出: 72.43}", 1,
        [(BUDGET, "项目支出: 72.43}", 1, "sum-mismatch"), (SELF, "    项目支出: 72.34", 2, "budget-mismatch")],
    ),
    (
        "unbalanced",
        BUDGET, "    支出总计: 293.53\n\n部门收入总表", "    支出总计: 293.54\n\n部门收入总表", 1,
        [(BUDGET, "支出总计: 293.54", 1, "sum-mismatch"), (BUDGET, "    收入总计: 293.53", 1, "unbalanced")],
    ),
    (
        "overview-repeats-the-tables",
        BUDGET, "    一般公共预算拨款收入: 293.53\n", "    一般公共预算拨款收入: 293.50\n", 1,
        [(BUDGET, "一般公共预算拨款收入: 293.50", 1, "figure-mismatch"), (BUDGET, "    本年收入合计: 293.53", 1, "sum-mismatch"),
         (SELF, "    一般公共预算财政拨款: 293.53", 1, "budget-mismatch")],
    ),
    (
        "fiscal-repeats-the-fund-tables",
        BUDGET, "    社会保障和就业支出: {合计: 34.70, 一般公共预算: 34.70}",
        "    社会保障和就业支出: {合计: 34.70, 一般公共预算: 34.60, 政府性基金预算: 0.10}", 1,
        [(BUDGET, "一般公共预算: 34.60", 1, "figure-mismatch"),
         (BUDGET, "    本年支出合计: {合计: 293.53", 1, "sum-mismatch")],
    ),
    (
        "basic-table-details-general-public",
        BUDGET, "  合计: {合计: 221.19, 人员经费: 197.19, 公用经费: 24.00}", "  合计: {合计: 221.29, 人员经费: 197.29, 公用经费: 24.00}", 1,
        [(BUDGET, "合计: {合计: 221.29", 1, "figure-mismatch"), (BUDGET, "合计: {合计: 221.29", 1, "figure-mismatch"),
         (BUDGET, "合计: {合计: 221.29", 1, "sum-mismatch")],
    ),
    (
        "empty-table-needs-a-note",
        BUDGET, "国有资本经营预算财政拨款支出表: 本单位2023年无国有资本经营预算财政拨款安排的支出，本表为空表。",
        "国有资本经营预算财政拨款支出表: {明细: []}", 1,
        [(BUDGET, "国有资本经营预算财政拨款支出表:", 1, "empty-table")],
    ),
    (
        "rows-need-a-total",
        BUDGET, "政府性基金预算财政拨款支出表: 本单位2023年无政府性基金预算财政拨款安排的支出，本表为空表。",
        '政府性基金预算财政拨款支出表: {明细: [{科目编码: "212", 科目名称: 城乡社区支出, 合计: 0}]}', 1,
        [(BUDGET, "政府性基金预算财政拨款支出表:", 1, "missing-total")],
    ),
    (
        "a-missing-table-is-one-error",
        BUDGET, "国有资本经营预算财政拨款支出表: 本单位2023年无国有资本经营预算财政拨款安排的支出，本表为空表。\n", "", 1,
        [(BUDGET, "标题: 2023年部门预算", 1, "missing-table")],
    ),
    (
        "class-missing-from-the-overview",
        BUDGET, "    卫生健康支出: 16.80\n    住房保障支出: 1.80\n", "    卫生健康支出: 18.60\n", 1,
        [(BUDGET, "卫生健康支出: 18.60", 1, "figure-mismatch"),
         (BUDGET, '{科目编码: "221", 科目名称: 住房保障支出, 合计: 1.80, 基本支出', 1, "class-missing")],
    ),
    (
        "one-code-one-name",
        BUDGET, '{科目编码: "2010302", 科目名称: 一般行政管理事务, 合计: 62.34, 项目支出',
        '{科目编码: "2010302", 科目名称: 一般行政管理, 合计: 62.34, 项目支出', 1,
        [(BUDGET, "科目名称: 一般行政管理,", 1, "name-mismatch")],
    ),
    (
        "a-known-code-with-another-name",  # 30101 is in the classification list with its source
        BUDGET, '{科目编码: "30101", 科目名称: 基本工资, 合计: 56.00',
        '{科目编码: "30101", 科目名称: 基本工资费, 合计: 56.00', 1,
        [(BUDGET, "科目名称: 基本工资费,", 1, "subject-name")],
    ),
    (
        "procurement-adds-up",
        BUDGET, "  货物: 4.00", "  货物: 3.00", 1,
        [(BUDGET, "  政府采购: 4.00", 1, "sum-mismatch"),
         (BUDGET, "其中货物4.00万元", 1, "text-figure-mismatch")],  # the text states the table's figure
    ),
    (
        "final-levels-and-initial-budget",
        FINAL, "年初预算数: 62.34,", "年初预算数: 62.35,", 1,
        [(FINAL, '{科目编码: "20103", 科目名称: 政府办公厅（室）及相关机构事务, 年初预算数', 1, "sum-mismatch"),
         (FINAL, "年初预算数: 62.35,", 1, "budget-mismatch")],
    ),
    (
        "final-fiscal-balances",
        FINAL, "    年末财政拨款结转和结余: {合计: 0.12, 一般公共预算财政拨款: 0.12", "    年末财政拨款结转和结余: {合计: 0.13, 一般公共预算财政拨款: 0.13", 1,
        [(FINAL, "    总计: {合计: 300.32}", 1, "sum-mismatch")],
    ),
]


@pytest.mark.parametrize(("name", "file", "old", "new", "nth", "places"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_fires_where_it_is_broken(
    sample_site: Path, name: str, file: str, old: str, new: str, nth: int, places: list
) -> None:
    edit(sample_site, file, old, new, nth)
    assert flat(sample_site, check(sample_site)) == expected(sample_site, places)


def test_messages_show_expected_and_found(sample_site: Path) -> None:
    edit(sample_site, BUDGET, "基本支出: 167.89, 人员经费: 143.89, 公用经费: 24.00}", "基本支出: 167.89, 人员经费: 143.80, 公用经费: 24.00}", 2)
    messages = [p.message for p in check(sample_site).errors]
    assert "一般公共预算财政拨款支出表 2010301 行政运行 基本支出 167.89 ≠ 人员经费 143.80 + 公用经费 24.00 = 167.80" in messages
    edit(sample_site, BUDGET, '"2080506"', '"20805O6"')
    [bad] = [p for p in check(sample_site).errors if p.code == "bad-code"]
    assert bad.path == "部门收入总表.明细[9].科目编码"
    assert "“20805O6”" in bad.message and "类 3 位、款 5 位、项 7 位" in bad.message


# Across documents: the problem stands in one file and its message names the other file and line.

CROSS = [
    (
        "self-evaluation-three-public-vs-budget",
        [(BUDGET, "    合计: 34.50\n    因公出国（境）费: 0\n    公务用车购置及运行费: 13.00\n    公务用车购置费: 0\n"
                  "    公务用车运行费: 13.00\n    公务接待费: 21.50",
          "    合计: 34.60\n    因公出国（境）费: 0\n    公务用车购置及运行费: 13.00\n    公务用车购置费: 0\n"
          "    公务用车运行费: 13.00\n    公务接待费: 21.60")],
        [(SELF, "    本年预算: 34.50", 1, "budget-mismatch", BUDGET), (SELF, "    公务接待费: 21.50", 1, "budget-mismatch", BUDGET),
         (BUDGET_2024, "    合计: 34.50", 1, "prior-year-mismatch", BUDGET),
         (BUDGET_2024, "    公务接待费: 21.50", 1, "prior-year-mismatch", BUDGET)],
    ),
    (
        "self-evaluation-three-public-vs-final",
        [(FINAL, "    合计: 34.12", "    合计: 34.22"), (FINAL, "    公务接待费: 21.43", "    公务接待费: 21.53")],
        [(SELF, "      合计: {上年决算: 25.12", 1, "final-accounts-mismatch", FINAL),
         (SELF, "      公务接待: {上年决算", 1, "final-accounts-mismatch", FINAL)],
    ),
    (
        "self-evaluation-last-year-vs-final-last-year",
        [(FINAL, "    合计: 25.12", "    合计: 25.22"), (FINAL, "    公务接待费: 10.42", "    公务接待费: 10.52")],
        [(SELF, "      合计: {上年决算: 25.12", 1, "final-accounts-mismatch", FINAL),
         (SELF, "      公务接待: {上年决算", 1, "final-accounts-mismatch", FINAL)],
    ),
    (
        "self-evaluation-general-public-full-year-vs-final",
        [(SELF, "      一般公共预算: 300.32", "      一般公共预算: 300.30"), (SELF, "      其他资金: 0.16", "      其他资金: 0.18")],
        [(SELF, "      一般公共预算: 300.30", 1, "final-accounts-mismatch", FINAL)],
    ),
    (
        "self-evaluation-public-costs-and-procurement",
        [(SELF, "本年预算: 24.00, 本年决算: 23.46}", "本年预算: 24.00, 本年决算: 23.56}"),
         (SELF, "政府采购金额: {本年预算: 4.00, 本年决算: 2.05}", "政府采购金额: {本年预算: 4.10, 本年决算: 2.15}")],
        [(SELF, "本年决算: 23.56}", 1, "final-accounts-mismatch", FINAL),
         (SELF, "政府采购金额: {本年预算: 4.10", 1, "budget-mismatch", BUDGET),
         (SELF, "政府采购金额: {本年预算: 4.10", 1, "final-accounts-mismatch", FINAL)],
    ),
    (
        "self-evaluation-execution-vs-final",
        [(SELF, "全年执行数: 300.36", "全年执行数: 300.37")],
        [(SELF, "全年执行数: 300.37", 1, "final-accounts-mismatch", FINAL), (SELF, "全年执行数: 300.37", 1, "sum-mismatch", None)],
    ),
    (
        "budget-last-year-vs-last-budget",
        [(BUDGET_2024, "    公务接待费: 21.50", "    公务接待费: 21.40"), (BUDGET_2024, "    合计: 34.50", "    合计: 34.40")],
        [(BUDGET_2024, "    合计: 34.40", 1, "prior-year-mismatch", BUDGET),
         (BUDGET_2024, "    公务接待费: 21.40", 1, "prior-year-mismatch", BUDGET)],
    ),
]


@pytest.mark.parametrize(("name", "edits", "places"), CROSS, ids=[c[0] for c in CROSS])
def test_each_cross_document_rule_names_both_places(sample_site: Path, name: str, edits: list, places: list) -> None:
    for file, old, new in edits:
        edit(sample_site, file, old, new)
    report = check(sample_site)
    assert flat(sample_site, report) == expected(sample_site, [(f, n, k, c) for f, n, k, c, _ in places])
    for file, needle, nth, code, other in places:
        if other is not None:
            _assert_names_other(sample_site, report, file, line_of(sample_site, file, needle, nth), code, other)


def _assert_names_other(site: Path, report: Report, file: str, line: int, code: str, other: str) -> None:
    """The message at (file, line) gives the other place as path:line, and that line exists there."""
    [problem] = [p for p in report.problems if p.line == line and p.code == code and p.file.endswith(file)]
    found = re.search(r"另见 (\S+):(\d+) ", problem.message)
    assert found, problem.message
    assert found.group(1).endswith(other) and 0 < int(found.group(2)) <= len((site / other).read_text("utf-8").split("\n"))


def test_prior_year_rules_compare_with_last_years_reports(sample_site: Path) -> None:
    """Last year's figures in this year's reports against last year's own (a copy of 2023 as 2022 disagrees)."""
    for kind in ("budget", "final-accounts", "self-evaluation"):
        source = sample_site / UNIT / "2023" / f"{kind}.yaml"
        (sample_site / UNIT / "2022").mkdir(exist_ok=True)
        (sample_site / UNIT / "2022" / f"{kind}.yaml").write_text(
            source.read_text(encoding="utf-8").replace("年度: 2023", "年度: 2022"), encoding="utf-8"
        )
    report = check(sample_site)
    assert report.errors == []  # last year's figures may be restated on a comparable basis: warnings
    found = flat(sample_site, report, "warning")
    stale = {"stale-title", "stale-date", "stale-text", "copied-figures"}  # the copies are stale, and said to be
    assert {code for _, _, code in found} >= stale - {"stale-date"}  # published later than 2022: possible
    found = [x for x in found if x[2] not in stale]
    assert {(file, code) for file, _, code in found} == {
        (BUDGET, "prior-year-mismatch"), (FINAL, "prior-year-mismatch"), (SELF, "prior-year-mismatch"),
    }
    three_public = ["    合计: 50.58", "    公务用车购置及运行费: 28.58", "    公务用车运行费: 28.58", "    公务接待费: 22.00"]
    assert {(BUDGET, line_of(sample_site, BUDGET, n), "prior-year-mismatch") for n in three_public} == {
        x for x in found if x[0] == BUDGET
    }
    final_lines = ["    合计: 25.12", "    公务用车购置及运行费: 14.70", "    公务用车运行费: 14.70", "    公务接待费: 10.42"]
    assert {(FINAL, line_of(sample_site, FINAL, n), "prior-year-mismatch") for n in final_lines} == {
        x for x in found if x[0] == FINAL
    }
    self_lines = ["合计: {上年决算: 25.12", "公务用车购置和维护经费: {上年决算", "公车运行维护: {上年决算", "公务接待: {上年决算",
                  "合计: {上年决算: 83.19", "{名称: 专项业务（工作）经费", "{名称: 维权维稳（工作）经费", "- 名称: 工作经费",
                  "合计: {上年决算: 21.86", "{名称: 办公费", "{名称: 水费、电费、差旅费", "    较上年增减: -16.08"]
    assert {(SELF, line_of(sample_site, SELF, n), "prior-year-mismatch") for n in self_lines} == {
        x for x in found if x[0] == SELF
    }
    for problem in report.warnings:
        if problem.code == "prior-year-mismatch":
            assert re.search(rf"另见 \S+/{UNIT}/2022/[a-z-]+\.yaml:\d+ ", problem.message), problem.message


# `new`: a file with every field, what earlier reports carry over, and `check` passing once filled.

DATE_KEYS = ("发布日期", "填报日期", "日期")


def fill_blanks(text: str) -> str:
    """Every blank as a consistent value: amounts 0, rates 0%, dates a date, texts “0” (a valid text)."""
    lines = text.split("\n")
    out = []
    for n, line in enumerate(lines):
        found = re.match(r"^(\s*)([^#\s-][^:]*):\s*(#.*)?$", line)
        following = next((x for x in lines[n + 1:] if x.strip()), "")
        if found and len(following) - len(following.lstrip()) <= len(found.group(1)):
            key = found.group(2)
            value = "2025-03-01" if key in DATE_KEYS else "0%" if key.endswith("率") else "优秀" if key == "等级" else "0"
            line = f"{found.group(1)}{key}: {value}"
        out.append(re.sub(r": (?=[,}])", ": 0", line))
    return "\n".join(out)


def run_new(content: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "new", *args, "--content", str(content)],
                          capture_output=True, text=True, cwd=ROOT)


@pytest.mark.parametrize(("year", "kind"), [(2025, "budget"), (2024, "final-accounts"), (2024, "self-evaluation")])
def test_new_report_passes_check_once_its_blanks_are_filled(sample_site: Path, year: int, kind: str) -> None:
    if kind == "self-evaluation":  # zeros would disagree with the 2024 budget's figures
        (sample_site / BUDGET_2024).unlink()
    result = run_new(sample_site, UNIT, str(year), kind)
    assert result.returncode == 0, result.stderr
    target = sample_site / UNIT / str(year) / f"{kind}.yaml"
    assert f"已生成 {target}" in result.stdout and "已带入" in result.stdout and "python build.py check" in result.stdout
    assert check(sample_site).errors, "blank amounts and texts must be filled in before it passes"
    target.write_text(fill_blanks(target.read_text(encoding="utf-8")), encoding="utf-8")
    assert check(sample_site).errors == []


@pytest.mark.parametrize(("year", "kind"), [(2025, "budget"), (2024, "final-accounts"), (2024, "self-evaluation")])
def test_new_lists_as_to_do_exactly_what_check_asks_for(sample_site: Path, year: int, kind: str) -> None:
    """The blanks `new` marks “必填” and lists are the ones `check` refuses; `check` prints them as one to-do."""
    result = run_new(sample_site, UNIT, str(year), kind)
    target = sample_site / UNIT / str(year) / f"{kind}.yaml"
    lines = target.read_text(encoding="utf-8").split("\n")
    marked = {n for n, line in enumerate(lines, 1) if "# 必填" in line}
    listed = {int(m) for m in re.findall(r"^  第 (\d+) 行 ", result.stdout, re.M)}
    report = check(sample_site)
    refused = {p.line for p in report.problems if p.code == "missing-value" and p.file.endswith(f"{year}/{kind}.yaml")}
    assert marked == listed == refused and len(refused) > 5
    assert "此项不能为空" not in result.stdout and "没有的金额可以留空" not in result.stdout
    printed = [line for line in report.lines(200) if f"{year}/{kind}.yaml" in line and "missing-value" in line]
    assert len(printed) == 1 and f"还有 {len(refused)} 项必填内容没有填写" in printed[0]


def test_new_marks_carried_text_that_names_last_year(sample_site: Path) -> None:
    edit(sample_site, BUDGET_2024, "  十、名词解释:", "  十、2024年名词解释:")
    result = run_new(sample_site, UNIT, "2025", "budget")
    text = (sample_site / UNIT / "2025" / "budget.yaml").read_text(encoding="utf-8")
    [line] = [line for line in text.split("\n") if "2024年名词解释" in line]
    assert "# 请核对：沿用上年的文字，写的是2024年" in line
    assert "请核对" in result.stdout and "（2024年）" in result.stdout


def test_new_carries_last_years_figures_and_this_years_budget(sample_site: Path) -> None:
    assert run_new(sample_site, UNIT, "2024", "final-accounts").returncode == 0
    text = (sample_site / UNIT / "2024" / "final-accounts.yaml").read_text(encoding="utf-8")
    assert re.search(r"\n  上年决算数:.*\n    合计: 34.12\n", text)  # 2023 决算's “三公” 决算数
    assert "{科目编码: 2010301, 科目名称: 行政运行, 年初预算数: 170.70}" in text  # the 2024 budget
    assert "发布日期:  # 必填\n" in text and "年度: 2024\n" in text and "标题: 2024年部门决算\n" in text
    assert run_new(sample_site, UNIT, "2024", "self-evaluation").returncode == 0
    text = (sample_site / UNIT / "2024" / "self-evaluation.yaml").read_text(encoding="utf-8")
    assert "      公务接待:\n        上年决算: 21.43\n        本年预算:\n" in text
    assert "{名称: 专项业务（工作）经费, 上年决算: 46.78, 本年预算: , 本年决算: }" in text


def test_new_self_evaluation_falls_back_on_last_years_final_accounts(sample_site: Path) -> None:
    (sample_site / SELF).unlink()
    shutil.copytree(sample_site / UNIT / "2023", sample_site / UNIT / "2022")
    for kind in ("budget", "final-accounts"):
        edit(sample_site, f"{UNIT}/2022/{kind}.yaml", "年度: 2023", "年度: 2022")
    result = run_new(sample_site, UNIT, "2023", "self-evaluation")
    assert "2022年部门决算" in result.stdout
    text = (sample_site / SELF).read_text(encoding="utf-8")
    assert "      合计:\n        上年决算: 34.12\n" in text and "      公车运行维护:\n        上年决算: 12.69\n" in text
    assert "    项目支出:  # 分项之和等于合计\n      合计:\n        上年决算: 106.06\n" in text


def test_new_refuses_to_overwrite_and_names_the_mistake(sample_site: Path) -> None:
    before = (sample_site / BUDGET).read_bytes()
    again = run_new(sample_site, UNIT, "2023", "budget")
    assert again.returncode == 2 and "已经存在，不会覆盖" in again.stderr
    assert (sample_site / BUDGET).read_bytes() == before
    assert "你是不是想写“final-accounts”" in run_new(sample_site, UNIT, "2025", "final-account").stderr
    assert "找不到单位" in run_new(sample_site, "no-such-unit", "2025", "budget").stderr


# Pages, downloads and PDFs of the new kinds (every page also goes through axe-core and the Nu checker).


def test_pages_and_downloads_of_the_new_kinds(built_sample: Path) -> None:
    for report in ("2023/budget", "2023/final-accounts", "2024/budget"):
        page = (built_sample / UNIT / f"{report}.html").read_text(encoding="utf-8")
        assert "十、名词解释" in page and 'id="general-public"' in page and "附表" in page
        kind = report.split("/")[1]
        downloads = built_sample / UNIT / report.split("/")[0] / "downloads"
        stem = f"{UNIT}-{report.replace('/', '-')}"  # unit, year and kind in every name
        assert (downloads / f"{stem}.xlsx").is_file() and (downloads / f"{stem}.json").is_file()
        assert (downloads / f"{stem}-three-public.csv").is_file()
        assert not (downloads / f"{kind}.xlsx").exists()
    home = (built_sample / "index.html").read_text(encoding="utf-8")
    for kind in ("budget", "final-accounts", "self-evaluation"):
        assert f'href="{UNIT}/2023/{kind}.html"' in home
    csv = (built_sample / UNIT / f"2023/downloads/{UNIT}-2023-final-accounts-general-public.csv").read_text(encoding="utf-8-sig")
    assert csv.splitlines()[0].startswith("科目编码,科目名称,年初预算数（万元）,全年预算数（万元）,决算数·合计（万元）")
    assert "2010301,行政运行,167.89,144.99,144.87,144.87,121.57,23.30," in csv


@pytest.fixture(scope="module")
def built_with_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pdf")
    loaded = build(CONTENT, BuildOptions(out=root / "site", pdf=True, jobs=2, cache=root / "cache"))
    assert loaded.report.ok
    return root / "site"


@pytest.mark.parametrize("report", ["2023/budget", "2023/final-accounts", "2024/budget"])
def test_pdfs_of_the_new_kinds(built_with_pdf: Path, report: str) -> None:
    path = built_with_pdf / UNIT / f"{report}.pdf"
    kind = report.split("/")[1]
    with pikepdf.open(path) as pdf:
        year = report.split("/")[0]
        assert sorted(pdf.attachments) == sorted([f"{UNIT}-{year}-{kind}.json", f"{kind}.yaml"])
        meta = pdf.open_metadata(set_pikepdf_as_editor=False)
        assert meta.get("pdfaid:part") == "3" and meta.get("pdfaid:conformance") == "A"
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "十、名词解释" in text
    total = "300.36" if kind == "final-accounts" else "305.60" if report.startswith("2024") else "293.53"
    assert total in text
    page = (built_with_pdf / UNIT / f"{report}.html").read_text(encoding="utf-8")
    assert re.search(r"（PDF，\d+ KB，\d+ 页）", page)


def test_a_copied_unit_checks_on_its_own(sample_site: Path) -> None:
    """Cross-document rules pair reports of one unit only."""
    shutil.copytree(sample_site / UNIT, sample_site / "second-unit")
    edit(sample_site, "second-unit/2023/budget.yaml", "    本年支出合计: 293.53", "    本年支出合计: 293.63")
    found = {(f.split("/")[0], code) for f, _, code in flat(sample_site, check(sample_site))}
    assert found == {("second-unit", "sum-mismatch"), ("second-unit", "figure-mismatch")}
