"""`build`: a failed build leaves the published site as it was; unsafe Markdown never reaches a page."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE_REPORT, build_site

from gongkai import outputs
from gongkai.markup import render_markdown
from gongkai.pipeline import BuildOptions, build
from gongkai.render import TEMPLATES


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run_build(content: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "build", str(content), "--out", str(out), "--no-pdf"],
        capture_output=True, text=True, cwd=ROOT,
    )


def test_build_publishes_the_sample(sample_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = run_build(sample_site, out)
    assert result.returncode == 0, result.stderr
    assert (out / "huaihua-bjlxc/2023/self-evaluation.html").is_file()
    assert not list(tmp_path.glob(".site.staging-*")) + list(tmp_path.glob(".site.old-*")), "no staging folder is left"


def test_a_failed_build_leaves_the_published_site_untouched(sample_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert run_build(sample_site, out).returncode == 0
    before = snapshot(out)
    report = sample_site / SAMPLE_REPORT
    report.write_text(report.read_text(encoding="utf-8").replace("实际支出: 194.30", "实际支出: 194.31"), encoding="utf-8")
    result = run_build(sample_site, out)
    assert result.returncode == 1
    assert "错误：" in result.stdout and "未发布" in result.stderr
    assert snapshot(out) == before
    assert not list(tmp_path.glob(".site.staging-*"))


def test_two_builds_give_the_same_bytes(sample_site: Path, tmp_path: Path) -> None:
    build_site(sample_site, tmp_path / "a")
    build_site(sample_site, tmp_path / "b")
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


PAYLOAD = """正文。<script>alert('x')</script>

<img src="x.png" onerror="alert('y')">

[点击](javascript:alert('z')) <iframe src="https://example.com"></iframe>

<a href="https://example.com" onclick="steal()">链接</a>
"""


def test_unsafe_markdown_is_neutralised() -> None:
    html = str(render_markdown(PAYLOAD))
    for bad in ("<script", "onerror", "javascript:", "<iframe", "onclick", "alert('x')"):
        assert bad not in html, bad
    assert '<a href="https://example.com" rel="noopener noreferrer">链接</a>' in html


def test_unsafe_markdown_in_content_never_reaches_the_page(sample_site: Path, tmp_path: Path) -> None:
    report = sample_site / SAMPLE_REPORT
    text = report.read_text(encoding="utf-8")
    text = text.replace("    单位无其他需要说明的情况。\n", "".join(f"    {line}\n" for line in PAYLOAD.splitlines()))
    report.write_text(text, encoding="utf-8")
    build_site(sample_site, tmp_path / "site")
    page = (tmp_path / "site" / "huaihua-bjlxc/2023/self-evaluation.html").read_text(encoding="utf-8")
    assert "正文。" in page
    own = '<script src="../../assets/site.js" defer></script>'  # the site's one script, in every page's head
    assert page.count(own) == 1
    page = page.replace(own, "")
    for bad in ("<script", "onerror", "javascript:", "<iframe", "onclick"):
        assert bad not in page, bad


# Without PDFs the reports are made in parallel worker processes (outputs.write_reports_html).


@pytest.fixture
def three_units(sample_site: Path) -> Path:
    """The sample unit three times over: enough reports for the build to use its worker processes."""
    for copy in ("copy-one", "copy-two"):
        shutil.copytree(sample_site / "huaihua-bjlxc", sample_site / copy)
    assert sum(1 for _ in sample_site.glob("*/*/*.yaml")) >= outputs.PARALLEL_FROM
    return sample_site


def test_parallel_and_serial_builds_give_the_same_site(three_units: Path, tmp_path: Path) -> None:
    for jobs in (1, 2):
        loaded = build(three_units, BuildOptions(out=tmp_path / f"jobs-{jobs}", pdf=False, jobs=jobs))
        assert loaded.report.ok, loaded.report.errors
    assert snapshot(tmp_path / "jobs-1") == snapshot(tmp_path / "jobs-2")
    assert (tmp_path / "jobs-2" / "copy-two" / "2023" / "downloads" / "copy-two-2023-self-evaluation.xlsx").is_file()


def test_a_template_error_in_a_worker_names_the_template_and_its_line(three_units: Path, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    body = templates / "_report-self-evaluation-body.html"
    body.write_text("{{ no_such_value }}\n" + body.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "site"
    loaded = build(three_units, BuildOptions(out=out, pdf=False, jobs=2, templates=templates))
    [problem] = set(loaded.report.errors)
    assert problem.code == "template-error" and "no_such_value" in problem.message
    assert problem.file.endswith("_report-self-evaluation-body.html") and problem.line == 1
    assert not out.exists(), "nothing is published"
