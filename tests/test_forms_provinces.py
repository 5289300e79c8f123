"""The shipped provincial 表样 files: each loads, carries its sources, and differs from 全国 only as declared."""

from __future__ import annotations

from gongkai.forms import spec

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
