"""Rebuilds do no work twice, and never publish a stale or tampered output."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLE_REPORT

from gongkai import incremental, outputs
from gongkai.pipeline import BuildOptions, ContentChanged, Loaded, SetupError, build, check, load

PAGE = "huaihua-bjlxc/2023/self-evaluation.html"


def run(content: Path, out: Path) -> list[str]:
    logs: list[str] = []
    loaded = build(content, BuildOptions(out=out, pdf=False), logs.append)
    assert loaded.report.ok
    return logs


def inodes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()}


def test_a_no_op_rebuild_touches_nothing(sample_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    run(sample_site, out)
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*")}
    logs = run(sample_site, out)
    assert any("没有变化" in line for line in logs)
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*")} == before


def test_one_edit_renders_that_report_and_keeps_the_rest(sample_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    run(sample_site, out)
    before = inodes(out)
    report = sample_site / SAMPLE_REPORT
    report.write_text(report.read_text(encoding="utf-8").replace("金额: 55.20}", "金额: 55.30}").replace("基本工资55.20万元", "基本工资55.30万元"), encoding="utf-8")
    logs = run(sample_site, out)
    after = inodes(out)
    assert "55.30" in (out / PAGE).read_text(encoding="utf-8")
    assert after[PAGE] != before[PAGE]
    assert after["index.html"] == before["index.html"], "index pages did not change, so they are kept"
    assert any("1 份报告有变化" in line for line in logs)


def test_a_hand_edited_output_is_noticed_and_rendered_again(sample_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    run(sample_site, out)
    good = (out / "index.html").read_text(encoding="utf-8")
    (out / "index.html").write_text("被改坏的首页", encoding="utf-8")
    run(sample_site, out)
    assert (out / "index.html").read_text(encoding="utf-8") == good


def test_a_corrupt_state_file_means_a_full_build(sample_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    run(sample_site, out)
    good = (out / PAGE).read_bytes()
    (tmp_path / ".site.build-state.json").write_text("{not json", encoding="utf-8")
    logs = run(sample_site, out)
    assert not any("没有变化" in line for line in logs)
    assert (out / PAGE).read_bytes() == good


def test_a_new_year_in_the_menu_renders_old_reports_again(sample_site: Path, tmp_path: Path) -> None:
    """Every report page lists the years in its menu: adding a year must reach them all."""
    out = tmp_path / "site"
    run(sample_site, out)
    year_2022 = sample_site / "huaihua-bjlxc" / "2022"
    year_2022.mkdir()
    text = (sample_site / SAMPLE_REPORT).read_text(encoding="utf-8")
    (year_2022 / "self-evaluation.yaml").write_text(
        text.replace("年度: 2023", "年度: 2022").replace("标题: 2023年", "标题: 2022年"), encoding="utf-8"
    )
    run(sample_site, out)
    assert "2022年度" in (out / PAGE).read_text(encoding="utf-8")


# The checks of unchanged units are taken from the last build; an edited unit is read and checked again.

OTHER = "other-unit"
FINAL = "huaihua-bjlxc/2023/final-accounts.yaml"


@pytest.fixture
def two_units(sample_site: Path) -> Path:
    shutil.copytree(sample_site / "huaihua-bjlxc", sample_site / OTHER)
    return sample_site


def build_logged(content: Path, out: Path) -> Loaded:
    return build(content, BuildOptions(out=out, pdf=False))


def read_units(loaded: Loaded) -> set[str]:
    """The units whose reports this build read (the others' checks came from the last build)."""
    assert loaded.content is not None
    return {e.unit.id for e in loaded.content.reports if e.loaded}


def test_an_edit_reads_and_checks_only_its_own_unit(two_units: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = build_logged(two_units, out)
    assert read_units(first) == {OTHER, "huaihua-bjlxc"}
    report = two_units / OTHER / "2023" / "self-evaluation.yaml"
    report.write_text(report.read_text(encoding="utf-8").replace("金额: 55.20}", "金额: 55.30}").replace("基本工资55.20万元", "基本工资55.30万元"), encoding="utf-8")
    second = build_logged(two_units, out)
    assert second.report.ok
    assert read_units(second) == {OTHER}
    assert second.content is not None
    assert {u.id for u in second.content.units.values() if u.loaded} == {OTHER}, "unit files too"
    assert "55.30" in (out / OTHER / "2023" / "self-evaluation.html").read_text(encoding="utf-8")
    # The unchanged unit's warning is still reported, exactly as a full check reports it.
    assert second.report.sorted() == check(two_units).sorted()
    assert any(p.code == "deviation-missing" and "huaihua-bjlxc" in p.file for p in second.report.problems)


def test_an_edit_that_breaks_an_unchanged_report_of_its_unit_is_caught(two_units: Path, tmp_path: Path) -> None:
    """The 决算 changes; the rule fails in the self-evaluation, a file the edit did not touch."""
    out = tmp_path / "site"
    build_logged(two_units, out)
    page = (out / PAGE).read_bytes()
    final = two_units / FINAL
    text = final.read_text(encoding="utf-8").replace("    合计: 34.12", "    合计: 34.22", 1)
    final.write_text(text.replace("    公务接待费: 21.43", "    公务接待费: 21.53", 1), encoding="utf-8")
    loaded = build_logged(two_units, out)
    assert {(Path(p.file).name, p.code) for p in loaded.report.errors} == {("self-evaluation.yaml", "final-accounts-mismatch")}
    assert all("huaihua-bjlxc" in p.file for p in loaded.report.errors)
    assert (out / PAGE).read_bytes() == page, "the failed build left the published site as it was"


def test_checks_are_not_taken_from_a_build_by_other_code(
    two_units: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    build_logged(two_units, out)
    (two_units / "site.yaml").touch()  # not a change: the build must still look at the units
    monkeypatch.setattr(incremental, "code_digest", lambda: "a newer gongkai")
    report = two_units / OTHER / "2023" / "self-evaluation.yaml"
    report.write_text(report.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert read_units(build_logged(two_units, out)) == {OTHER, "huaihua-bjlxc"}


def test_a_state_file_edited_by_hand_is_not_trusted(two_units: Path, tmp_path: Path) -> None:
    """Someone deletes the cached warning: the seal no longer matches, so every unit is checked again."""
    out = tmp_path / "site"
    build_logged(two_units, out)
    state_file = tmp_path / ".site.build-state.json"
    seal, body = state_file.read_text(encoding="utf-8").split("\n", 1)
    state = json.loads(body)
    state["units"]["huaihua-bjlxc"]["problems"] = []
    state_file.write_text(seal + "\n" + json.dumps(state, ensure_ascii=False), encoding="utf-8")
    report = two_units / OTHER / "2023" / "self-evaluation.yaml"
    report.write_text(report.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    loaded = build_logged(two_units, out)
    assert read_units(loaded) == {OTHER, "huaihua-bjlxc"}
    assert any(p.code == "deviation-missing" and "huaihua-bjlxc" in p.file for p in loaded.report.problems)


def test_a_report_saved_broken_during_a_build_stops_it(two_units: Path, tmp_path: Path) -> None:
    """A report whose checks came from the last build is read again when a page needs it; if it no
    longer reads cleanly (saved half-way while the build ran), that is an error, not a stale page."""
    out = tmp_path / "site"
    build_logged(two_units, out)
    page = (out / PAGE).read_bytes()
    loaded = load(two_units, known=incremental.load_state(tmp_path / ".site.build-state.json", out).units)
    assert loaded.content is not None and not any(e.loaded for e in loaded.content.reports)
    report = two_units / SAMPLE_REPORT
    report.write_text("标题: [未写完", encoding="utf-8")
    with pytest.raises(ContentChanged) as raised:
        _ = [e.model for e in loaded.content.reports]
    assert raised.value.path.name == "self-evaluation.yaml"
    assert pickle.loads(pickle.dumps(raised.value)).path == raised.value.path, "it can come back from a worker"
    assert (out / PAGE).read_bytes() == page


def test_a_report_taken_away_leaves_the_site_on_the_next_build(two_units: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_logged(two_units, out)
    before = inodes(out)
    gone = f"{OTHER}/2024/budget"
    assert (out / f"{gone}.html").is_file()
    (two_units / f"{gone}.yaml").unlink()
    assert build_logged(two_units, out).report.ok
    after = inodes(out)
    assert not any(path.startswith(f"{OTHER}/2024/") for path in after), "its page, downloads and folder are gone"
    assert after[PAGE] == before[PAGE], "the other reports stay as they were"


def test_a_site_removed_while_a_rebuild_runs_is_not_half_published(
    two_units: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild keeps the unchanged files where they are; if they vanish meanwhile it must not publish
    the few new files as if they were the site."""
    out = tmp_path / "site"
    build_logged(two_units, out)
    report = two_units / OTHER / "2023" / "self-evaluation.yaml"
    report.write_text(report.read_text(encoding="utf-8").replace("金额: 55.20}", "金额: 55.30}").replace("基本工资55.20万元", "基本工资55.30万元"), encoding="utf-8")
    write = outputs.write_reports_html

    def write_then_remove_the_site(*args: object) -> object:
        written = write(*args)  # type: ignore[arg-type]
        shutil.rmtree(out)
        return written

    monkeypatch.setattr(outputs, "write_reports_html", write_then_remove_the_site)
    with pytest.raises(SetupError, match="被删除，未发布任何文件"):
        build_logged(two_units, out)
    assert not out.exists()
    assert not list(tmp_path.glob(".site.staging-*")), "the staging folder is cleaned up"
