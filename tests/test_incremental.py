"""Rebuilds do no work twice, and never publish a stale or tampered output."""

from __future__ import annotations

from pathlib import Path

from conftest import SAMPLE_REPORT

from gongkai.pipeline import BuildOptions, build

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
    report.write_text(report.read_text(encoding="utf-8").replace("金额: 55.20}", "金额: 55.30}"), encoding="utf-8")
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
