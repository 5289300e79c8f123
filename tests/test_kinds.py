"""Every report kind has all its parts, and a province's form is a data file and nothing else."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import CONTENT, ROOT

from gongkai import new, site
from gongkai.checks import CHECKS_BY_KIND
from gongkai.forms import spec
from gongkai.models import REPORT_KINDS, Disclosure
from gongkai.models import disclosure as disclosure_module
from gongkai.pipeline import check
from gongkai.tables import TABLES_BY_KIND


@pytest.mark.parametrize("kind", sorted(REPORT_KINDS))
def test_every_kind_has_every_part(kind: str) -> None:
    model = REPORT_KINDS[kind]
    assert model.KIND == kind and model.KIND_NAME == site.KIND_NAMES[kind]
    assert CHECKS_BY_KIND[kind] and kind in TABLES_BY_KIND and kind in new.CARRY
    assert (ROOT / "templates" / f"report-{kind}.html").is_file()
    assert (ROOT / "templates" / "pdf" / f"report-{kind}.html").is_file()
    if issubclass(model, Disclosure):  # its tables come from every shipped form that declares the kind
        forms = [spec.load_form(name) for name in spec.form_names()]
        assert any(kind in form.kinds for form in forms)


def test_every_shipped_form_loads_and_names_its_sources() -> None:
    for name in spec.form_names():
        form = spec.load_form(name)
        assert form.sources and form.kinds, name
        for kind_form in form.kinds.values():
            assert len({t.id for t in kind_form.tables}) == len(kind_form.tables)


def test_a_province_is_a_data_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new province's form, written as YAML beside the shipped ones, is chosen in site.yaml and checks a report."""
    forms = tmp_path / "forms"
    shutil.copytree(spec.FORMS_DIR, forms, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (forms / "test-province.yaml").write_text(
        "名称: 测试省\n继承: 全国\n说明: 测试用的省级表样\n来源: [测试]\n报告:\n  budget:\n    表格:\n"
        "      - 编号: three-public\n        别名: [部门“三公”经费预算表]\n"
        "      - 编号: meetings\n        名称: 会议费培训费预算表\n        排在: three-public\n        必填: 是\n"
        "        栏目: [金额]\n        项目: [会议费, 培训费, 合计]\n        关系: [合计 = 会议费 + 培训费]\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(spec, "FORMS_DIR", forms)
    for cached in (spec._form_files, spec.load_form, disclosure_module._model):
        cached.cache_clear()
    try:
        content = tmp_path / "content"
        shutil.copytree(CONTENT, content)
        site_file = content / "site.yaml"
        site_file.write_text(site_file.read_text("utf-8").replace("表样: 湖南", "表样: 测试省"), encoding="utf-8")
        budget = content / "huaihua-bjlxc" / "2023" / "budget.yaml"
        text = budget.read_text("utf-8").replace("一般公共预算财政拨款“三公”经费支出表:", "部门“三公”经费预算表:")
        budget.write_text(text + "会议费培训费预算表:\n  会议费: 0.20\n  培训费: 0.30\n  合计: 0.60\n", encoding="utf-8")
        problems = [(p.code, Path(p.file).name) for p in check(content).problems if p.code != "unknown-subject"]
        assert ("sum-mismatch", "budget.yaml") in problems  # 0.60 ≠ 0.20 + 0.30: the new table is checked
        assert ("missing-table", "budget.yaml") in problems  # 2024's budget lacks the province's new table
        assert not [p for p in problems if p[0] == "unknown-table"]
    finally:
        for cached in (spec._form_files, spec.load_form, disclosure_module._model):
            cached.cache_clear()
