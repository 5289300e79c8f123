"""The published text, word for word, and every figure in it checked against the report's own data."""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import CONTENT, ROOT, build_site, copy_site

from gongkai.pipeline import check
from gongkai.reader import read_document
from gongkai.textfigures import find

SEED_TEXT = ROOT.parent / "shared" / "seed" / "000_1a1813143cd16474.txt"
REPORT = Path("huaihua-bjlxc/2023/self-evaluation.yaml")
BUDGET = Path("huaihua-bjlxc/2023/budget.yaml")
FINAL = Path("huaihua-bjlxc/2023/final-accounts.yaml")
PROJECTS = Path("huaihua-bjlxc/2023/project-evaluation.yaml")
TEXT_CODES = {"text-figure-mismatch", "text-figure-unmatched", "text-parts-exceed", "text-reference"}


class _SectionText(HTMLParser):
    """The text of each <section id="sN"> of a page, with the correction links left out."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, str] = {}
        self._current: str | None = None
        self._depth = 0
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "section" and re.fullmatch(r"s\d+", found.get("id") or ""):
            self._current, self._depth = found["id"], 0
            self.sections[self._current] = ""
        if self._current and tag == "section":
            self._depth += 1
        if self._current and tag == "a" and "correction-ref" in (found.get("class") or ""):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if self._current and tag == "a" and self._skip:
            self._skip -= 1
        if self._current and tag == "section":
            self._depth -= 1
            if self._depth == 0:
                self._current = None

    def handle_data(self, data: str) -> None:
        if self._current and not self._skip:
            self.sections[self._current] += data


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _original_sections() -> list[str]:
    """The seed's narrative (title to the 附件 list), split at its 一、二、… headings."""
    lines = SEED_TEXT.read_text(encoding="utf-8").split("\n")[3:63]
    sections: list[str] = []
    for line in lines:
        if re.match(r"^[一二三四五六七八九十]+、", line):
            sections.append("")
        sections[-1] += line + "\n"
    return sections


def _page_sections(page: Path) -> list[str]:
    parser = _SectionText()
    parser.feed(page.read_text(encoding="utf-8"))
    return [parser.sections[key] for key in sorted(parser.sections, key=lambda k: int(k[1:]))]


def _undo_corrections(text: str, corrections: list[dict]) -> str:
    for fix in corrections:
        text = text.replace(fix["更正为"], fix["原文"], 1)
    return text


@pytest.mark.skipif(not SEED_TEXT.exists(), reason="the seed text is outside the repository")
def test_the_page_shows_the_published_text_word_for_word(built_sample: Path) -> None:
    page = built_sample / "huaihua-bjlxc" / "2023" / "self-evaluation.html"
    corrections = read_document(CONTENT / REPORT).data.get("正文更正") or []
    shown = _page_sections(page)
    original = _original_sections()
    assert len(shown) == len(original) == 9
    for number, (mine, theirs) in enumerate(zip(shown, original, strict=True), 1):
        assert _squeeze(_undo_corrections(mine, corrections)) == _squeeze(theirs), f"第 {number} 部分与原文不同"


def _figures_of_sample_text() -> list[tuple[str, int, str]]:
    """(section, offset, figure) for every checked figure of the sample's 正文."""
    data = read_document(CONTENT / REPORT).data
    return [
        (heading, figure.start, figure.written)
        for heading, body in data["正文"].items()
        for figure in find(body, heading)
        if figure.acknowledged is None
    ]


def _nudged(written: str) -> str:
    number = re.match(r"\d+(\.\d+)?", written).group()
    return f"{Decimal(number) + Decimal('0.01')}" + written[len(number):]


FIGURES = _figures_of_sample_text()


def test_the_sample_text_states_its_figures() -> None:
    assert len(FIGURES) >= 45  # every amount, count, score and rate of sections 一 to 六


@pytest.mark.parametrize("section, offset, written", FIGURES, ids=[f"{s[:2]}-{w}" for s, _, w in FIGURES])
def test_a_figure_of_the_text_nudged_by_a_cent_is_caught_at_its_place(
    tmp_path: Path, section: str, offset: int, written: str
) -> None:
    site = copy_site(CONTENT, tmp_path / "content")
    for other in (BUDGET, FINAL, PROJECTS, Path("huaihua-bjlxc/2024")):
        target = site / other
        if target.is_dir():
            for child in target.iterdir():
                child.unlink()
            target.rmdir()
        else:
            target.unlink()
    source = site / REPORT
    text = source.read_text(encoding="utf-8")
    document = read_document(source)
    body = document.data["正文"][section]
    line, column = document.locate_in_text(("正文", section), offset)
    lines = text.split("\n")
    assert lines[line - 1][column - 1:].startswith(body[offset:offset + len(written)])
    lines[line - 1] = lines[line - 1][: column - 1] + _nudged(written) + lines[line - 1][column - 1 + len(written):]
    source.write_text("\n".join(lines), encoding="utf-8")
    found = [(p.line, p.column, p.code) for p in check(site).problems if p.code in TEXT_CODES]
    assert (line, column) in [(ln, col) for ln, col, _ in found], found


def _edit(site: Path, relative: Path, old: str, new: str) -> Path:
    path = site / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if needle in line)


def test_a_field_the_text_states_changed_is_caught_in_the_text_and_at_the_field(sample_site: Path) -> None:
    path = _edit(sample_site, REPORT, "    实际支出: 194.30\n", "    实际支出: 194.31\n")
    problems = check(sample_site).problems
    text_line = _line_of(path, "实际支出194.30万元")
    mismatch = [p for p in problems if p.code == "text-figure-mismatch"]
    assert [p.line for p in mismatch] == [text_line]
    assert "194.31" in mismatch[0].message and "预算执行 → 基本支出 → 实际支出" in mismatch[0].message
    field_line = _line_of(path, "实际支出: 194.31")
    assert any(p.line == field_line and p.severity.value == "error" for p in problems)


def test_a_table_figure_a_disclosure_text_states_changed_is_caught_at_both_places(sample_site: Path) -> None:
    path = _edit(
        sample_site, FINAL, "2023年机关运行经费决算23.30万元。", "2023年机关运行经费决算23.31万元。"
    )
    problems = check(sample_site).problems
    assert [p.line for p in problems if p.code == "text-figure-mismatch"] == [_line_of(path, "决算23.31万元")]


def test_totals_stated_as_the_years_own_income_and_spending_are_errors(sample_site: Path) -> None:
    """大英县 2022: “收、支总计各是 4125.49、4143.91 万元” gave 本年收入合计 and 本年支出合计 as the 总计."""
    sentence = "本单位2023年收、支总计各是300.48、300.36万元。"
    path = _edit(sample_site, FINAL, "  二、收支总体情况: |\n", f"  二、收支总体情况: |\n    {sentence}\n\n")
    problems = [p for p in check(sample_site).problems if p.code == "text-figure-mismatch"]
    line = _line_of(path, sentence)
    assert [(p.line, p.column) for p in problems] == [(line, path.read_text(encoding="utf-8").split("\n")[line - 1].index("300.36") + 1)]
    assert "收入支出决算总表 → 支出 → 总计" in problems[0].message and "300.48" in problems[0].message


def test_a_basic_spending_that_is_basic_plus_project_is_an_error(sample_site: Path) -> None:
    """梧州 2023: “一般公共预算基本支出 911000.39 元，其中人员经费 809961.19 元、公用经费 71339.2 元”."""
    sentence = "2023年一般公共预算基本支出293.53万元，其中人员经费197.19万元、公用经费24.00万元。"
    path = _edit(sample_site, BUDGET, "  五、机关运行经费: |\n", f"  五、机关运行经费: |\n    {sentence}\n\n")
    problems = [p for p in check(sample_site).problems if p.code == "text-figure-mismatch"]
    line = _line_of(path, sentence)
    assert [p.line for p in problems] == [line]
    text = path.read_text(encoding="utf-8").split("\n")[line - 1]
    assert problems[0].column == text.index("293.53") + 1
    assert "基本支出" in problems[0].message and "221.19" in problems[0].message


def test_parts_that_add_up_to_more_than_their_total_are_an_error(sample_site: Path) -> None:
    """池州 2022: “本项目共完成预算资金89.97万元。其中：30万元……；30万元……；29.99万元……” (= 89.99)."""
    sentence = "本项目共完成预算资金89.97万元。其中：30万元用于预算编制；30万元用于审计；29.99万元用于设计。"
    path = _edit(
        sample_site, PROJECTS, "      实际完成情况: 全年为", f"      实际完成情况: {sentence}全年为"
    )
    problems = [p for p in check(sample_site).problems if p.code == "text-parts-exceed"]
    line = _line_of(path, sentence)
    text = path.read_text(encoding="utf-8").split("\n")[line - 1]
    assert [(p.line, p.column) for p in problems] == [(line, text.index("89.97") + 1)]
    assert "89.99" in problems[0].message


def test_a_figure_no_field_holds_is_one_warning_until_acknowledged(sample_site: Path) -> None:
    sentence = "全年接待来访群众120人次。"
    path = _edit(sample_site, REPORT, "    单位无其他需要说明的情况。\n", f"    单位无其他需要说明的情况。{sentence}\n")
    warnings = [p for p in check(sample_site).problems if p.code == "text-figure-unmatched"]
    assert [p.line for p in warnings] == [_line_of(path, sentence)]
    _edit(sample_site, REPORT, "120人次。", "120人次{不核对：接待量，表中没有}。")
    assert not [p for p in check(sample_site).problems if p.code in TEXT_CODES]


def test_an_explicit_reference_ties_a_figure_to_its_field(sample_site: Path) -> None:
    _edit(sample_site, REPORT, "34.50万元{=预算执行.三公经费.本年预算}", "34.50万元{=基础数据表.经费控制.三公经费.合计.本年预算}")
    assert not [p for p in check(sample_site).problems if p.code in TEXT_CODES]
    _edit(sample_site, REPORT, "34.50万元{=基础数据表.经费控制.三公经费.合计.本年预算}", "34.50万元{=三公经费.合计.本年决算}")
    [problem] = [p for p in check(sample_site).problems if p.code in TEXT_CODES]
    assert problem.code == "text-figure-mismatch" and "34.12" in problem.message


def test_a_corrected_passage_is_marked_in_the_text_and_listed(sample_site: Path, tmp_path: Path) -> None:
    _edit(sample_site, REPORT, "公务用车维护费13万元", "公务用车运行维护费13万元")
    path = sample_site / REPORT
    path.write_text(path.read_text(encoding="utf-8") + (
        "\n正文更正:\n  - 原文: 公务用车维护费13万元\n    更正为: 公务用车运行维护费13万元\n"
        "    说明: 预算科目名称为“公务用车运行维护费”，原文漏写“运行”二字。\n    日期: 2026-12-02\n"
    ), encoding="utf-8")
    out = tmp_path / "site"
    build_site(sample_site, out)
    page = (out / "huaihua-bjlxc" / "2023" / "self-evaluation.html").read_text(encoding="utf-8")
    assert "公务用车运行维护费13万元 <a class=\"correction-ref\"" in page
    assert "更正，原为“公务用车维护费13万元”" in page
    assert "原为“公务用车维护费13万元”，更正为“公务用车运行维护费13万元”（2026年12月2日更正）" in page
    corrections = read_document(path).data["正文更正"]
    original = _original_sections()
    shown = _page_sections(out / "huaihua-bjlxc" / "2023" / "self-evaluation.html")
    assert _squeeze(_undo_corrections(shown[1], corrections)) == _squeeze(original[1])


def test_a_correction_whose_words_are_not_in_the_text_is_an_error(sample_site: Path) -> None:
    path = sample_site / REPORT
    path.write_text(path.read_text(encoding="utf-8") + (
        "\n正文更正:\n  - 原文: 甲\n    更正为: 这句话不在正文里\n    说明: 测试\n    日期: 2026-12-02\n"
    ), encoding="utf-8")
    assert "text-correction" in check(sample_site).codes()
