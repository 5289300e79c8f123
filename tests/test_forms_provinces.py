"""The shipped provincial 表样 files: each loads, carries its sources, and differs from 全国 only as declared."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import CONTENT

from gongkai.forms import spec
from gongkai.pipeline import BuildOptions, build, check

NATIONAL_FINAL_ACCOUNTS = [
    "收入支出决算总表", "收入决算表", "支出决算表", "财政拨款收入支出决算总表", "一般公共预算财政拨款支出决算表",
    "一般公共预算财政拨款基本支出决算明细表", "政府性基金预算财政拨款收入支出决算表",
    "国有资本经营预算财政拨款支出决算表", "财政拨款“三公”经费支出决算表",
]


def test_every_shipped_form_loads_and_names_its_sources() -> None:
    for name in spec.form_names():
        form = spec.load_form(name)
        data = spec._read(spec.form_files()[name])
        assert data.get("来源"), f"表样“{name}”没有写来源"
        assert form.name == name


def test_sichuan_keeps_the_nine_national_tables_and_separates_state_capital_income() -> None:
    """四川 prints 国有资本经营预算财政拨款收入支出决算表 (十一) and …支出决算表 (十二) as two tables (渠县 2024)."""
    sichuan = spec.load_form("四川").of("final-accounts")
    national = spec.load_form("全国").of("final-accounts")
    names = [t.name for t in sichuan.tables if t.required]
    assert [n for n in names if n in NATIONAL_FINAL_ACCOUNTS] == NATIONAL_FINAL_ACCOUNTS
    assert national.table("国有资本经营预算财政拨款收入支出决算表").id == "state-capital"
    assert sichuan.table("国有资本经营预算财政拨款收入支出决算表") is None
    assert sichuan.table("国有资本经营预算财政拨款支出决算表").id == "state-capital"


def test_a_province_can_remove_an_inherited_alias() -> None:
    parent = {"表格": [{"编号": "t", "名称": "甲表", "别名": ["乙表", "丙表"]}]}
    child = {"表格": [{"编号": "t", "别名": ["丁表"], "去掉别名": ["乙表"]}]}
    merged = spec._merge_kind(parent, child)["表格"][0]
    assert merged["别名"] == ["丙表", "丁表"]
    assert "去掉别名" not in merged


STATE_CAPITAL_INCOME = """
其他表格:
  - 名称: 国有资本经营预算财政拨款收入支出决算表
    栏目: [合计, 基本支出, 项目支出]
    关系: [合计 = 基本支出 + 项目支出]
    合计: {合计: 0.90, 基本支出: 0.40, 项目支出: 0.50}
"""


def _sample_as(tmp_path: Path, form: str) -> Path:
    content = tmp_path / form / "content"
    shutil.copytree(CONTENT, content)
    site_file = content / "site.yaml"
    site_file.write_text(site_file.read_text("utf-8").replace("表样: 湖南", f"表样: {form}"), encoding="utf-8")
    return content


def _problems(content: Path) -> list[tuple[str, str, int]]:
    return sorted((p.code, Path(p.file).name, p.line) for p in check(content).problems)


def test_a_sichuan_report_is_checked_and_builds(tmp_path: Path) -> None:
    """The sample under 四川: the nine national tables check as under 湖南; a 四川 table without a declared
    layout, written under 其他表格 with its printed columns, is checked by the generic rules and published."""
    hunan, sichuan = _sample_as(tmp_path, "湖南"), _sample_as(tmp_path, "四川")
    assert _problems(sichuan) == _problems(hunan)
    report = sichuan / "huaihua-bjlxc" / "2023" / "final-accounts.yaml"
    original = report.read_text("utf-8")
    report.write_text(original + STATE_CAPITAL_INCOME, encoding="utf-8")
    assert _problems(sichuan) == _problems(hunan)
    out = tmp_path / "site"
    build(sichuan, BuildOptions(out=out, pdf=False))
    pages = [p for p in out.rglob("final-accounts.html") if "2023" in p.as_posix()]
    assert pages and "国有资本经营预算财政拨款收入支出决算表" in pages[0].read_text("utf-8")
    report.write_text(original + STATE_CAPITAL_INCOME.replace("合计: 0.90", "合计: 1.00"), encoding="utf-8")
    added = [p for p in _problems(sichuan) if p not in _problems(hunan)]
    assert added == [("sum-mismatch", "final-accounts.yaml", added[0][2])]  # 1.00 ≠ 0.40 + 0.50
