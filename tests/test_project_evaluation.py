"""项目支出绩效自评表: each rule fires on a sample broken to break it, at the right file and line; the
rule across documents names both places; the page, PDF and downloads exist; `new` round-trips."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pikepdf
import pytest
from conftest import CONTENT, build_site
from test_budget import SELF, UNIT, _assert_names_other, edit, fill_blanks, line_of, run_new
from test_site_pages import NUMBER, parse, printed

from gongkai.pipeline import check
from gongkai.problems import Report
from gongkai.reader import read_document
from gongkai.site import chinese_number

PROJECTS = f"{UNIT}/2023/project-evaluation.yaml"
PAGE = f"{UNIT}/2023/project-evaluation.html"
# The sample's one warning, in the self-evaluation: not this kind's business.
SAMPLE_WARNING = (SELF, "deviation-missing")


def flat(site: Path, report: Report) -> set[tuple[str, int, str]]:
    """(file relative to the site, line, code) of every problem but the sample's own warning."""
    found = {(Path(p.file).resolve().relative_to(site.resolve()).as_posix(), p.line, p.code) for p in report.problems}
    return {f for f in found if (f[0], f[2]) != SAMPLE_WARNING and f[2] != "unknown-subject"}  # the classification's gaps


def places(site: Path, wanted: list[tuple[str, str, int, str]]) -> set[tuple[str, int, str]]:
    return {(name, line_of(site, name, needle, nth), code) for name, needle, nth, code in wanted}


def test_the_sample_passes_check_without_new_problems() -> None:
    report = check(CONTENT)
    assert report.errors == []
    found = {(Path(p.file).name, p.code) for p in report.problems if p.code != "unknown-subject"}
    assert found == {("self-evaluation.yaml", "deviation-missing")}


# Each rule: (name, [(old, new, nth)] edits of the project file, expected (file, needle, nth, code)).
CASES = [
    (
        "rate",
        [("      执行率: 100%", "      执行率: 99%", 1)],
        [(PROJECTS, "执行率: 99%", 1, "rate-mismatch")],
    ),
    (
        "rate-score",  # 执行率 100% earns the full 分值 10; the totals are kept consistent
        [("      得分: 10\n", "      得分: 9\n", 1), ("      得分: 98", "      得分: 97", 1)],
        [(PROJECTS, "      得分: 9", 1, "score-mismatch")],
    ),
    (
        "score-above-weight",
        [("分值: 5, 得分: 5}", "分值: 5, 得分: 6}", 1), ("        得分: 50", "        得分: 51", 1),
         ("      得分: 98", "      得分: 99", 1)],
        [(PROJECTS, "分值: 5, 得分: 6}", 1, "score-exceeds")],
    ),
    (
        "category-weights",  # and 15 of 16 now lacks a 偏差原因
        [("分值: 15, 得分: 15}", "分值: 16, 得分: 15}", 1)],
        [(PROJECTS, "        分值: 50", 1, "score-total"), (PROJECTS, "分值: 16, 得分: 15}", 1, "deviation-missing")],
    ),
    (
        "category-scores",
        [("        得分: 27", "        得分: 28", 1)],
        [(PROJECTS, "        得分: 28", 2, "score-total")],
    ),
    (
        "total",
        [("      得分: 97", "      得分: 96", 1)],
        [(PROJECTS, "      得分: 96", 1, "score-total")],
    ),
    (
        "total-weight",  # 总分 = 执行率 10 + 产出 50 + 效益 30 + 满意度 10
        [("      分值: 100", "      分值: 90", 2)],
        [(PROJECTS, "      分值: 90", 1, "score-total")],
    ),
    (
        "deviation-missing",
        [("                偏差原因: 与兄弟地市驻京联络处、属地部门的信息共享仍以临时沟通为主。改进措施：建立定期会商和信息通报制度。\n",
          "", 1)],
        [(PROJECTS, "              - 名称: 信访维稳协作机制", 1, "deviation-missing")],
    ),
    (
        "sources",
        [("财政拨款: {年初预算数: 62.34, 全年预算数: 46.78, 全年执行数: 46.78}",
          "财政拨款: {年初预算数: 62.34, 全年预算数: 46.78, 全年执行数: 46.70}", 1)],
        [(PROJECTS, "      全年执行数: 46.78", 1, "sum-mismatch")],
    ),
    (
        "other-sources",
        [("其他资金: {年初预算数: 0, 全年预算数: 0, 全年执行数: 0}", "其他资金: {年初预算数: 1.00, 全年预算数: 0, 全年执行数: 0}", 2)],
        [(PROJECTS, "      年初预算数: 10.00", 1, "sum-mismatch")],
    ),
    (
        "duplicate-name",  # now also the same project as 附件1-1's 专项业务（工作）经费, whose figures differ
        [("  - 项目名称: 维权维稳（工作）经费", "  - 项目名称: 专项业务（工作）经费", 1)],
        [(PROJECTS, "  - 项目名称: 专项业务（工作）经费", 2, "duplicate-project"),
         (PROJECTS, "      年初预算数: 10.00", 1, "self-evaluation-mismatch"),
         (PROJECTS, "      全年执行数: 7.49", 1, "self-evaluation-mismatch")],
    ),
]


@pytest.mark.parametrize(("name", "edits", "wanted"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_fires_where_it_is_broken(sample_site: Path, name: str, edits: list, wanted: list) -> None:
    for old, new, nth in edits:
        edit(sample_site, PROJECTS, old, new, nth)
    assert flat(sample_site, check(sample_site)) == places(sample_site, wanted)


def test_a_report_without_projects_is_an_error(sample_site: Path) -> None:
    path = sample_site / PROJECTS
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("项目:\n")] + "项目: []\n", encoding="utf-8")
    assert flat(sample_site, check(sample_site)) == {(PROJECTS, line_of(sample_site, PROJECTS, "项目: []"), "no-projects")}


def test_messages_show_expected_and_found(sample_site: Path) -> None:
    edit(sample_site, PROJECTS, "全年执行数: 46.78}", "全年执行数: 46.70}")
    edit(sample_site, PROJECTS, "      执行率: 100%", "      执行率: 99.5%", 2)
    messages = {p.code: p.message for p in check(sample_site).errors}
    assert messages["sum-mismatch"] == "专项业务（工作）经费的年度资金总额全年执行数 46.78 ≠ 财政拨款 46.70 + 其他资金 0.00 = 46.70"
    assert messages["rate-mismatch"] == "执行率 99.5% ≠ 全年执行数 7.49 ÷ 全年预算数 7.49 = 100%"
    edit(sample_site, PROJECTS, "  - 项目名称: 维权维稳（工作）经费", "  - 项目名称: 专项业务（工作）经费")
    [duplicate] = [p for p in check(sample_site).errors if p.code == "duplicate-project"]
    first = line_of(sample_site, PROJECTS, "  - 项目名称: 专项业务（工作）经费")
    assert duplicate.message.endswith(f"与第 1 个项目同名，每个项目只填一次（另见第 {first} 行 项目[0].项目名称）")


# Across documents: a project's 年初预算数 and 全年执行数 are 附件1-1's 本年预算 and 本年决算 of its name.


def test_execution_differs_from_the_self_evaluation_and_names_both_places(sample_site: Path) -> None:
    edit(sample_site, PROJECTS, "      全年执行数: 46.78", "      全年执行数: 46.79")
    edit(sample_site, PROJECTS, "全年预算数: 46.78, 全年执行数: 46.78}", "全年预算数: 46.78, 全年执行数: 46.79}")
    report = check(sample_site)
    line = line_of(sample_site, PROJECTS, "      全年执行数: 46.79")
    assert flat(sample_site, report) == {(PROJECTS, line, "self-evaluation-mismatch")}
    _assert_names_other(sample_site, report, PROJECTS, line, "self-evaluation-mismatch", SELF)
    [problem] = report.errors
    assert "2023年部门整体支出绩效自评报告中的附件1-1项目支出“专项业务（工作）经费”本年决算 46.78" in problem.message
    assert problem.message.endswith(f"{line_of(sample_site, SELF, '{名称: 专项业务（工作）经费')} 基础数据表.经费控制.项目支出.分项[0].本年决算）")


def test_a_change_in_the_self_evaluation_shows_in_the_project_form(sample_site: Path) -> None:
    edit(sample_site, SELF, "本年预算: 10.00, 本年决算: 7.49}", "本年预算: 10.00, 本年决算: 7.59}")
    found = flat(sample_site, check(sample_site))
    assert (PROJECTS, line_of(sample_site, PROJECTS, "      全年执行数: 7.49"), "self-evaluation-mismatch") in found
    assert {(f, c) for f, _, c in found} == {(PROJECTS, "self-evaluation-mismatch"), (SELF, "sum-mismatch")}


def test_only_a_project_of_exactly_the_same_name_is_compared(sample_site: Path) -> None:
    edit(sample_site, PROJECTS, "  - 项目名称: 专项业务（工作）经费", "  - 项目名称: 专项业务经费")
    edit(sample_site, PROJECTS, "      年初预算数: 62.34", "      年初预算数: 62.00")
    edit(sample_site, PROJECTS, "财政拨款: {年初预算数: 62.34", "财政拨款: {年初预算数: 62.00")
    assert flat(sample_site, check(sample_site)) == set()


# The page, its downloads and the PDF.


def source_figures(path: Path) -> set[str]:
    doc = read_document(path)
    skip = {"年度", "年度指标值", "实际完成值"}
    return {v for f in doc.marks if isinstance(v := doc.get(f), str) and NUMBER.fullmatch(v) and f[-1] not in skip}


def test_page_has_a_section_and_tables_per_project(built_sample: Path) -> None:
    html = (built_sample / PAGE).read_text(encoding="utf-8")
    for anchor, heading in (("summary", "项目汇总"), ("p1", "一、专项业务（工作）经费"), ("p2", "二、维权维稳（工作）经费")):
        assert f'<li><a href="#{anchor}">{heading}</a></li>' in html
        assert f'<h2 id="{anchor}-heading">{heading}</h2>' in html
    for table in ("projects", "project-1-funds", "project-1-indicators", "project-2-funds", "project-2-indicators"):
        assert f'<table id="{table}">' in html
    assert 'id="chart-project-1-scores"' in html and 'id="chart-project-2-scores"' in html
    assert "全年执行数7.49万元，其中财政拨款7.49万元；执行率100%" in html
    page = parse(built_sample / PAGE)
    cells = {c["text"] for c in page.cells}
    assert sorted(v for v in source_figures(CONTENT / PROJECTS) if not printed(v) & cells) == []
    names = {c["id"]: c["text"] for c in page.cells if c["id"]}
    twelve = [{names[h] for h in c["headers"].split()} for c in page.cells if c["tag"] == "td" and c["text"] == "12"]
    assert {"效益指标（30分）", "可持续影响指标", "信访维稳协作机制", "得分"} in twelve


def test_downloads_and_listings(built_sample: Path) -> None:
    folder = built_sample / UNIT / "2023" / "downloads"
    for name in ("projects", "project-1-funds", "project-1-indicators", "project-2-funds", "project-2-indicators"):
        assert (folder / f"{UNIT}-2023-project-evaluation-{name}.csv").is_file()
    assert (folder / f"{UNIT}-2023-project-evaluation.xlsx").is_file() and (folder / f"{UNIT}-2023-project-evaluation.json").is_file()
    funds = (folder / f"{UNIT}-2023-project-evaluation-project-2-funds.csv").read_text(encoding="utf-8-sig").splitlines()
    assert funds == [
        "项目,年初预算数（万元）,全年预算数（万元）,全年执行数（万元）,分值（分）,执行率（%）,得分（分）",
        "年度资金总额,10.00,7.49,7.49,10,100,10",
        "其中：财政拨款,10.00,7.49,7.49,——,——,——",
        "其中：其他资金,0,0,0,——,——,——",
    ]
    for listing in ("index.html", f"{UNIT}/index.html", "years/2023.html"):
        html = (built_sample / listing).read_text(encoding="utf-8")
        assert "project-evaluation.html" in html and "项目支出绩效自评表" in html


def test_pdf_has_every_project_and_its_sources(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(CONTENT, out, pdf=True)
    path = out / UNIT / "2023" / "project-evaluation.pdf"
    with pikepdf.open(path) as pdf:
        assert sorted(pdf.attachments) == [f"{UNIT}-2023-project-evaluation.json", "project-evaluation.yaml"]
        meta = pdf.open_metadata(set_pikepdf_as_editor=False)
        assert meta.get("pdfaid:part") == "3" and meta.get("pdfaid:conformance") == "A"
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for heading in ("项目汇总", "一、专项业务（工作）经费", "二、维权维稳（工作）经费", "（四）绩效指标"):
        assert heading in text
    assert "其中：财政拨款" in text and "信访维稳协作" in text  # a narrow cell wraps the rest of the name
    assert re.search(r"（PDF，\d+ KB，\d+ 页）", (out / PAGE).read_text(encoding="utf-8"))


# `new`: last year's projects or this year's self-evaluation, and `check` passing once filled.


def fill_every_blank(text: str) -> str:
    """fill_blanks, and also the first key of a list item (“- 项目名称:”), which it leaves alone."""
    lines = fill_blanks(text).split("\n")
    out = []
    for n, line in enumerate(lines):
        found = re.match(r"^(\s*- )([^#\s][^:]*):\s*(#.*)?$", line)
        following = next((x for x in lines[n + 1:] if x.strip()), "")
        if found and len(following) - len(following.lstrip()) <= len(found.group(1)):
            line = f"{found.group(1)}{found.group(2)}: 0"
        out.append(line)
    return "\n".join(out)


def test_new_carries_last_years_projects_and_passes_check_once_filled(sample_site: Path) -> None:
    result = run_new(sample_site, UNIT, "2024", "project-evaluation")
    assert result.returncode == 0, result.stderr
    assert "已带入：项目名称（2023年项目支出绩效自评表）" in result.stdout
    target = sample_site / UNIT / "2024" / "project-evaluation.yaml"
    text = target.read_text(encoding="utf-8")
    assert "  - 项目名称: 维权维稳（工作）经费  # " in text and "    主管部门: 湖南省怀化市人民政府驻北京联络处\n" in text
    assert "- {名称: 信访维稳协作机制, 年度指标值: , 实际完成值: , 分值: 15, 得分: , 偏差原因: }" in text
    assert check(sample_site).errors, "blank amounts and texts must be filled in before it passes"
    target.write_text(fill_every_blank(text), encoding="utf-8")
    assert check(sample_site).errors == []


def test_new_takes_this_years_projects_from_the_self_evaluation(sample_site: Path) -> None:
    (sample_site / PROJECTS).unlink()
    result = run_new(sample_site, UNIT, "2023", "project-evaluation")
    assert "2023年自评报告的绩效目标设定和附件1-1" in result.stdout
    text = (sample_site / PROJECTS).read_text(encoding="utf-8")
    assert re.search(r"项目名称: 专项业务（工作）经费 .*\n(.*\n){4}      年初预算数: 62.34\n.*\n      全年执行数: 46.78\n", text)
    assert re.search(r"项目名称: 维权维稳（工作）经费 .*\n(.*\n){4}      年初预算数: 10.00\n.*\n      全年执行数: 7.49\n", text)
    assert "self-evaluation-mismatch" not in {p.code for p in check(sample_site).problems}


def test_new_without_earlier_reports_starts_one_project_with_the_usual_indicators(sample_site: Path) -> None:
    unit = sample_site / "new-unit"
    unit.mkdir()
    (unit / "unit.yaml").write_bytes((sample_site / UNIT / "unit.yaml").read_bytes())
    assert run_new(sample_site, "new-unit", "2023", "project-evaluation").returncode == 0
    target = unit / "2023" / "project-evaluation.yaml"
    text = target.read_text(encoding="utf-8")
    assert text.count("  - 项目名称:") == 1
    for name in ("产出指标", "效益指标", "满意度指标", "成本指标", "可持续影响指标", "服务对象满意度指标"):
        assert f"- 名称: {name}\n" in text
    target.write_text(fill_every_blank(text), encoding="utf-8")
    assert [p for p in check(sample_site).errors if "new-unit" in p.file] == []


def test_a_corrected_figure_is_noted_once_in_its_projects_table(sample_site: Path, tmp_path: Path) -> None:
    edit(sample_site, PROJECTS, "      全年执行数: 7.49\n", "      全年执行数:\n        值: 7.49\n        更正:\n"
         "          原值: \"7.94\"\n          说明: 原表误将7.49写为7.94。\n          日期: 2026-11-29\n")
    out = tmp_path / "site"
    build_site(sample_site, out)
    html = (out / PAGE).read_text(encoding="utf-8")
    assert html.count("更正，原为 7.94") == 1 and 'id="project-2-funds-fix-0-3-ref"' in html
    assert "原表误将7.49写为7.94。" in html and "更正过的数字，其原值和理由见各项目的表。" in html


@pytest.mark.parametrize(("n", "text"), [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (21, "二十一"), (99, "九十九"), (100, "100")])
def test_projects_are_counted_as_section_headings_count(n: int, text: str) -> None:
    assert chinese_number(n) == text


# A 得分 the form left blank stays blank: in the page, the PDF, the CSV and the workbook; nothing is invented.

PROJECTS_FILE = f"{UNIT}/2023/project-evaluation.yaml"


def test_a_blank_score_stays_blank_everywhere(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    edit(content, PROJECTS_FILE, "实际完成值: 400余人次, 分值: 15, 得分: 15}", "实际完成值: 400余人次, 分值: 15, 得分: }")
    edit(content, PROJECTS_FILE, "      执行率: 100%\n      得分: 10\n", "      执行率: 100%\n      得分:\n")
    assert check(content).errors == []
    out = tmp_path / "site"
    build_site(content, out, pdf=True)
    folder = out / UNIT / "2023" / "downloads"
    rows = (folder / f"{UNIT}-2023-project-evaluation-project-1-indicators.csv").read_text(encoding="utf-8-sig").splitlines()
    [row] = [r for r in rows if "来京对接联络服务人次" in r]
    assert row.endswith(",15,,")  # 分值 15, 得分 blank, no 偏差原因
    funds = (folder / f"{UNIT}-2023-project-evaluation-project-1-funds.csv").read_text(encoding="utf-8-sig").splitlines()
    assert funds[1] == "年度资金总额,62.34,46.78,46.78,10,100,"  # 执行率（%）
    book = openpyxl.load_workbook(folder / f"{UNIT}-2023-project-evaluation.xlsx")
    sheet = next(s for s in book.worksheets if any("来京对接联络服务人次" == c.value for r in s.iter_rows() for c in r))
    [cells] = [r for r in sheet.iter_rows() if any(c.value == "来京对接联络服务人次" for c in r)]
    values = [c.value for c in cells]
    position = values.index("来京对接联络服务人次")
    assert values[position + 3] in (15, "15") and values[position + 4] is None
    page = (out / UNIT / "2023" / "project-evaluation.html").read_text(encoding="utf-8")
    cells = page.split("来京对接联络服务人次</th>", 1)[1].split("</tr>", 1)[0]
    assert re.search(r'class="num">15</td>\s*<td[^>]*class=" empty">', cells)  # shown as blank (“空” to a screen reader)
    assert "未填写得分（分值10分）" in page
    pdf = out / UNIT / "2023" / "project-evaluation.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    [line] = [t for t in text.splitlines() if "来京对接" in t and "400余人次" in t]
    assert re.search(r"400余人次\s+15\s+—空\s+—空\s*$", line), line  # the weight, then a blank 得分 (no figure)


def test_other_provinces_funding_rows_and_indicator_columns(sample_site: Path) -> None:
    """四川's and 安徽's forms: more sources of funds (they add up too), 指标性质 and 度量单位 where printed."""
    edit(sample_site, PROJECTS_FILE, "      其他资金: {年初预算数: 0, 全年预算数: 0, 全年执行数: 0}\n",
         "      上年结转资金: {年初预算数: 0, 全年预算数: 0, 全年执行数: 0}\n      单位资金: {年初预算数: 0, 全年预算数: 0, 全年执行数: 0.01}\n")
    edit(sample_site, PROJECTS_FILE, "{名称: 在京人才信息采集, 年度指标值: ≥200人,", "{名称: 在京人才信息采集, 指标性质: 定量, 年度指标值: ≥200, 度量单位: 人,")
    [problem] = check(sample_site).errors
    assert problem.code == "sum-mismatch" and "单位资金" in problem.message and "全年执行数" in problem.message
    edit(sample_site, PROJECTS_FILE, "全年执行数: 0.01}", "全年执行数: 0}")
    out = sample_site.parent / "site"
    build_site(sample_site, out)
    rows = (out / UNIT / "2023" / "downloads" / f"{UNIT}-2023-project-evaluation-project-1-indicators.csv").read_text("utf-8-sig").splitlines()
    assert rows[0].startswith("一级指标,二级指标,三级指标,指标性质,年度指标值,度量单位,实际完成值,分值")
    assert any(",在京人才信息采集,定量,≥200,人,206人,5,5" in r for r in rows)
    funds = (out / UNIT / "2023" / "downloads" / f"{UNIT}-2023-project-evaluation-project-1-funds.csv").read_text("utf-8-sig")
    assert "其中：上年结转资金" in funds and "其中：单位资金" in funds
