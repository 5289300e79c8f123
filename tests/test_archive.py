"""The yearly archive: freeze a year, keep it frozen, publish corrections openly, verify every byte."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import bagit
import pytest
from conftest import ROOT, SAMPLE_REPORT
from test_build import snapshot

from gongkai import archive
from gongkai.pipeline import BuildOptions, build, check

FROZEN_ON = dt.date(2026, 11, 29)
PAGE = "huaihua-bjlxc/2023/self-evaluation.html"
ORIGINALS = f"huaihua-bjlxc/2023-{FROZEN_ON.isoformat()}"
CORRECTION = """  - 日期: 2026-12-01
    内容: 基本工资由55.20万元更正为55.10万元
    原因: 核对工资发放明细后发现原数多计0.10万元
"""


@pytest.fixture(scope="module")
def pdf_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pdf-cache")


@pytest.fixture
def frozen(sample_site: Path, tmp_path: Path, pdf_cache: Path) -> tuple[Path, Path, BuildOptions]:
    """A copy of the sample with 2023 built and frozen; returns (content, site, build options)."""
    options = BuildOptions(out=tmp_path / "site", jobs=1, cache=pdf_cache)
    loaded = build(sample_site, options)
    assert loaded.report.ok and loaded.content is not None
    archive.freeze(sample_site, options.out, 2023, loaded.content, FROZEN_ON)
    return sample_site, options.out, options


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_bag_validates_with_bagits_own_validation(frozen: tuple[Path, Path, BuildOptions]) -> None:
    content, _, _ = frozen
    bag = bagit.Bag(str(content / "archive" / "2023"))
    bag.validate()
    payload = set(bag.payload_files())
    assert f"data/site/{PAGE}" in payload
    assert "data/site/huaihua-bjlxc/2023/self-evaluation.pdf" in payload
    assert f"data/content/{SAMPLE_REPORT.as_posix()}" in payload
    assert bag.info["Bagging-Date"] == FROZEN_ON.isoformat()


def test_rebuilding_a_frozen_year_changes_nothing(frozen: tuple[Path, Path, BuildOptions]) -> None:
    content, site, options = frozen
    before = snapshot(site)
    assert build(content, options).report.ok
    after = snapshot(site)
    changed = {name for name in before if before[name] != after.get(name)}
    assert changed == {"archive.html"}, "only the archive page learns the freeze date"
    assert archive.verify(content, site) == []


def test_editing_a_frozen_figure_is_refused_naming_the_file(frozen: tuple[Path, Path, BuildOptions]) -> None:
    content, site, options = frozen
    before = snapshot(site)
    edit(content / SAMPLE_REPORT, "金额: 55.20}", "金额: 55.10}")
    edit(content / SAMPLE_REPORT, "基本工资55.20万元", "基本工资55.10万元")
    loaded = build(content, options)
    [problem] = loaded.report.errors
    assert problem.code == "frozen-changed"
    assert problem.file.endswith(str(SAMPLE_REPORT))
    assert "源文件被修改" in problem.message and "更正记录" in problem.message
    assert snapshot(site) == before


def test_a_syntax_error_in_a_frozen_year_is_its_only_error(frozen: tuple[Path, Path, BuildOptions]) -> None:
    """The file is still there: no "源文件…已被删除或移走" beside the error that says what is wrong with it."""
    content, _, _ = frozen
    edit(content / SAMPLE_REPORT, "    编制数: 19\n    在编在岗", "    编制数：19\n    在编在岗")
    problems = check(content).errors
    assert len(problems) == 1, [(p.code, p.file, p.message) for p in problems]
    problem = problems[0]
    assert (problem.code, problem.line) == ("yaml-syntax", 115)
    assert "中文冒号“：”" in problem.message


def test_a_recorded_correction_republishes_and_keeps_the_original(frozen: tuple[Path, Path, BuildOptions]) -> None:
    content, site, options = frozen
    original_pdf = (site / "huaihua-bjlxc/2023/self-evaluation.pdf").read_bytes()
    edit(content / SAMPLE_REPORT, "金额: 55.20}", "金额: 55.10}")
    edit(content / SAMPLE_REPORT, "基本工资55.20万元", "基本工资55.10万元")
    (content / SAMPLE_REPORT).write_text((content / SAMPLE_REPORT).read_text(encoding="utf-8") + CORRECTION,
                                         encoding="utf-8")
    loaded = build(content, options)
    assert loaded.report.ok, [str(p) for p in loaded.report.errors]
    page = (site / PAGE).read_text(encoding="utf-8")
    assert "修订记录" in page and "基本工资由55.20万元更正为55.10万元" in page
    assert f'href="../2023-{FROZEN_ON.isoformat()}/self-evaluation.pdf"' in page
    assert (site / ORIGINALS / "self-evaluation.pdf").read_bytes() == original_pdf
    assert "55.20" in (site / ORIGINALS / "self-evaluation.html").read_text(encoding="utf-8")
    assert "55.10" in page
    assert archive.verify(content, site) == []
    record = subprocess.run(["pdftotext", str(site / "huaihua-bjlxc/2023/self-evaluation.pdf"), "-"],
                            capture_output=True, text=True, check=True).stdout
    assert "修订记录" in record and "基本工资由55.20万元更正为55.10万元" in record, "the PDF of record carries its history"
    assert f"{ORIGINALS}/self-evaluation.pdf" in record.replace("\n", "")
    archive_page = (site / "archive.html").read_text(encoding="utf-8")
    assert "2026年12月1日更正" in archive_page and "2026年11月29日" in archive_page


def test_verify_names_a_flipped_byte_in_the_site_and_in_the_bag(frozen: tuple[Path, Path, BuildOptions]) -> None:
    content, site, _ = frozen
    published = site / "huaihua-bjlxc/2023/downloads/self-evaluation-income.csv"
    data = bytearray(published.read_bytes())
    data[-3] ^= 1
    published.write_bytes(bytes(data))
    [message] = archive.verify(content, site)
    assert "self-evaluation-income.csv" in message and "已被修改" in message

    stored = content / "archive/2023/data/site/huaihua-bjlxc/2023/downloads/self-evaluation.json"
    stored.write_bytes(stored.read_bytes() + b" ")
    messages = archive.verify(content, site, [2023])
    assert any("归档包校验失败" in m and "self-evaluation.json" in m for m in messages)


def test_a_template_change_after_the_freeze_leaves_the_frozen_year_alone(
    frozen: tuple[Path, Path, BuildOptions], tmp_path: Path
) -> None:
    content, site, options = frozen
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    edit(templates / "base.html", "<footer class=\"site-footer\">", "<footer class=\"site-footer\"><p>新页脚</p>")
    before = snapshot(site)
    assert build(content, BuildOptions(out=site, jobs=1, cache=options.cache, templates=templates)).report.ok
    after = snapshot(site)
    frozen_files = [name for name in before if name.startswith("huaihua-bjlxc/2023/")]
    assert frozen_files and all(before[name] == after[name] for name in frozen_files)
    assert "新页脚" in (site / "index.html").read_text(encoding="utf-8")


def test_archive_and_verify_commands(sample_site: Path, tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], capture_output=True, text=True,
                              cwd=tmp_path)

    site = tmp_path / "site"
    package = tmp_path / "2023.tar"
    result = run("archive", "2023", str(sample_site), "--out", str(site), "--package", str(package))
    assert result.returncode == 0, result.stderr
    assert package.stat().st_size > 100_000
    assert run("verify", "--content", str(sample_site), "--site", str(site)).returncode == 0
    again = run("archive", "2023", str(sample_site), "--out", str(site))
    assert again.returncode == 2 and "已经归档" in again.stderr
    (site / "huaihua-bjlxc/2023/self-evaluation.html").unlink()
    missing = run("verify", "2023", "--content", str(sample_site), "--site", str(site))
    assert missing.returncode == 1 and "缺失" in missing.stdout
