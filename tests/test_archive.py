"""The yearly archive: freeze a year, keep it frozen, publish corrections openly, verify every byte."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import tempfile
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
    改动:
      - {字段: "预算执行.基本支出.主要明细[0].金额", 原值: "55.20", 更正为: "55.10"}
      - {字段: 正文.二、部门整体支出管理及使用情况, 原值: 基本工资55.20万元, 更正为: 基本工资55.10万元}
"""
SECOND_CORRECTION = """  - 日期: 2026-12-02
    内容: 津贴补贴由0.15万元更正为0.16万元
    原因: 补记一笔津贴
    改动:
      - {字段: "预算执行.基本支出.主要明细[1].金额", 原值: "0.15", 更正为: "0.16"}
      - {字段: 正文.二、部门整体支出管理及使用情况, 原值: 津贴补贴0.15万元, 更正为: 津贴补贴0.16万元}
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
    text, figure = loaded.report.errors
    assert {text.code, figure.code} == {"frozen-changed"}
    assert figure.file.endswith(str(SAMPLE_REPORT)) and figure.path == "预算执行.基本支出.主要明细[0].金额"
    assert (figure.line, figure.column) == (line_of(content / SAMPLE_REPORT, "金额: 55.10}"), 24)
    assert "归档时是“55.20”，现在是“55.10”" in figure.message and "更正记录" in figure.message
    assert '原值: "55.20", 更正为: "55.10"' in figure.message, "the message says what to write"
    assert text.line == line_of(content / SAMPLE_REPORT, "基本工资55.10万元") and "基本工资55.10万元" in text.message
    assert snapshot(site) == before


def line_of(path: Path, words: str) -> int:
    [number] = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if words in line]
    return number


def correct_once(content: Path) -> None:
    edit(content / SAMPLE_REPORT, "金额: 55.20}", "金额: 55.10}")
    edit(content / SAMPLE_REPORT, "基本工资55.20万元", "基本工资55.10万元")
    (content / SAMPLE_REPORT).write_text((content / SAMPLE_REPORT).read_text(encoding="utf-8") + CORRECTION,
                                         encoding="utf-8")


def test_every_later_edit_needs_its_own_record(frozen: tuple[Path, Path, BuildOptions]) -> None:
    """The first correction does not open the report to silent edits: the seal is checked every time."""
    content, site, options = frozen
    correct_once(content)
    assert build(content, options).report.ok
    before = snapshot(site)
    edit(content / SAMPLE_REPORT, "津贴补贴, 金额: 0.15}", "津贴补贴, 金额: 0.16}")
    edit(content / SAMPLE_REPORT, "津贴补贴0.15万元", "津贴补贴0.16万元")
    problems = build(content, options).report.errors
    assert [p.code for p in problems] == ["frozen-changed"] * 2
    assert problems[1].path == "预算执行.基本支出.主要明细[1].金额" and "归档时是“0.15”" in problems[1].message
    assert snapshot(site) == before
    (content / SAMPLE_REPORT).write_text((content / SAMPLE_REPORT).read_text(encoding="utf-8") + SECOND_CORRECTION,
                                         encoding="utf-8")
    assert build(content, options).report.ok
    assert "津贴补贴由0.15万元更正为0.16万元" in (site / PAGE).read_text(encoding="utf-8")


def test_a_record_whose_old_value_was_never_published_is_refused(frozen: tuple[Path, Path, BuildOptions]) -> None:
    content, _, options = frozen
    correct_once(content)
    edit(content / SAMPLE_REPORT, '原值: "55.20"', '原值: "55.30"')
    [problem] = build(content, options).report.errors
    assert problem.code == "frozen-change-mismatch" and problem.path.endswith("改动[0].原值")
    assert "原值是“55.30”" in problem.message and "这里是“55.20”" in problem.message


def test_records_made_before_the_freeze_cannot_be_rewritten(frozen: tuple[Path, Path, BuildOptions]) -> None:
    content, _, options = frozen
    edit(content / SAMPLE_REPORT, "原因: 原表笔误", "原因: 笔误")
    problems = build(content, options).report.errors
    assert [p.code for p in problems] == ["frozen-record-changed"] and problems[0].path == "更正记录"


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
    correct_once(content)
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
    published = site / "huaihua-bjlxc/2023/downloads/huaihua-bjlxc-2023-self-evaluation-income.csv"
    data = bytearray(published.read_bytes())
    data[-3] ^= 1
    published.write_bytes(bytes(data))
    [message] = archive.verify(content, site)
    assert "self-evaluation-income.csv" in message and "已被修改" in message

    stored = content / "archive/2023/data/site/huaihua-bjlxc/2023/downloads/huaihua-bjlxc-2023-self-evaluation.json"
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


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sample built and 2023 frozen once for the tamper cases; each case works on a copy."""
    work = tmp_path_factory.mktemp("sealed")
    content = work / "content"
    shutil.copytree(ROOT / "content", content)
    options = BuildOptions(out=work / "site", jobs=1, cache=work / "pdf")
    loaded = build(content, options)
    assert loaded.content is not None
    archive.freeze(content, options.out, 2023, loaded.content, FROZEN_ON)
    return content, options.out


BAG_PAGE = f"data/site/{PAGE}"


def _consistent_tamper(content: Path, site: Path, keep_tagmanifest: bool) -> None:
    """Change a frozen page in the site and in the bag, and rewrite the bag's manifests to match."""
    for copy in (site / PAGE, content / "archive/2023" / BAG_PAGE):
        copy.write_text(copy.read_text(encoding="utf-8").replace("194.30", "184.30"), encoding="utf-8")
    bag = bagit.Bag(str(content / "archive/2023"))
    bag.save(manifests=True)
    if not keep_tagmanifest:
        (content / "archive/2023/tagmanifest-sha256.txt").unlink()


def _link_instead(path: Path) -> None:
    """The same bytes, but a link to a file outside the folder (which someone could change later)."""
    twin = Path(tempfile.mkdtemp()) / path.name
    shutil.copyfile(path, twin)
    path.unlink()
    path.symlink_to(twin)


TAMPERS = {
    "tagmanifest deleted, payload and manifest made consistent": (
        lambda c, s: _consistent_tamper(c, s, keep_tagmanifest=False), "标签清单缺失"),
    "the whole bag rewritten consistently": (
        lambda c, s: _consistent_tamper(c, s, keep_tagmanifest=True), "与封存记录（seals.txt）不符"),
    "year folder deleted": (lambda c, s: shutil.rmtree(c / "archive/2023"), "归档包文件夹"),
    "a published file replaced by a symlink": (lambda c, s: _link_instead(s / PAGE), "是符号链接"),
    "a bag file replaced by a symlink": (lambda c, s: _link_instead(c / "archive/2023" / BAG_PAGE), "是符号链接"),
    "one byte of a published page": (
        lambda c, s: (s / PAGE).write_bytes((s / PAGE).read_bytes().replace(b"194.30", b"194.31", 1)), "已被修改"),
    "a page added beside the year's published pages": (
        lambda c, s: (s / PAGE).with_name("extra.html").write_text("<p>另一份报告</p>", encoding="utf-8"), "多出"),
    "a file added to the bag's payload": (
        lambda c, s: (c / "archive/2023" / BAG_PAGE).with_name("extra.html").write_bytes(b"x"), "多出"),
    "manifest deleted": (lambda c, s: (c / "archive/2023/manifest-sha256.txt").unlink(), "缺少"),
    "manifest garbage": (
        lambda c, s: (c / "archive/2023/manifest-sha256.txt").write_bytes(b"\x00\xffgarbage\n"), "无法读取"),
    "seals.txt deleted": (lambda c, s: (c / "archive/seals.txt").unlink(), "没有2023年度的封存记录"),
}


@pytest.mark.parametrize("tamper", TAMPERS, ids=list(TAMPERS))
def test_verify_finds_each_tamper_in_one_plain_sentence(sealed: tuple[Path, Path], tmp_path: Path, tamper: str) -> None:
    content, site = tmp_path / "content", tmp_path / "site"
    shutil.copytree(sealed[0], content, symlinks=True)
    shutil.copytree(sealed[1], site, symlinks=True)
    assert archive.verify(content, site) == [], "the untouched copy verifies"
    change, words = TAMPERS[tamper]
    change(content, site)
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "verify", "--content", str(content),
                             "--site", str(site)], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and result.stderr == ""
    [message, summary] = result.stdout.splitlines()
    assert words in message and summary == "发现 1 处不一致。"
    words_left = re.findall(r"[A-Za-z]{3,}", re.sub(r"[\w.-]*[./-][\w./-]*", "", message))
    assert set(words_left) <= {"SHA", "python", "build", "verify", "archive", "Bagging", "Date"}, "no library English"


def test_a_rebuild_restores_a_tampered_frozen_page_and_says_so(frozen: tuple[Path, Path, BuildOptions]) -> None:
    content, site, options = frozen
    assert build(content, options).report.ok
    original = (site / PAGE).read_bytes()
    (site / PAGE).write_bytes(original.replace(b"194.30", b"194.31", 1))
    said: list[str] = []
    assert build(content, options, log=said.append).report.ok
    assert (site / PAGE).read_bytes() == original
    assert any("已按归档包恢复" in line and PAGE in line for line in said), said
    assert archive.verify(content, site) == []


def test_verify_still_checks_the_live_pages_of_a_corrected_year(frozen: tuple[Path, Path, BuildOptions]) -> None:
    content, site, options = frozen
    correct_once(content)
    assert build(content, options).report.ok
    (site / PAGE).unlink()
    [message] = archive.verify(content, site)
    assert PAGE in message and "缺失" in message
    (site / ORIGINALS / "self-evaluation.html").write_text("伪造", encoding="utf-8")
    assert len(archive.verify(content, site)) == 2


def test_a_deleted_year_stops_check_and_build(frozen: tuple[Path, Path, BuildOptions]) -> None:
    content, site, options = frozen
    before = snapshot(site)
    shutil.rmtree(content / "archive/2023")
    [problem] = build(content, options).report.errors
    assert problem.code == "archive-damaged" and "2023年度已归档" in problem.message and "不见了" in problem.message
    assert snapshot(site) == before


def test_an_auditor_verifies_with_sha256sum_alone_as_the_readme_says(sealed: tuple[Path, Path], tmp_path: Path) -> None:
    """The README's three commands, run on a copy laid out as a repository: content/ beside site/."""
    shutil.copytree(sealed[0], tmp_path / "content")
    shutil.copytree(sealed[1], tmp_path / "site")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("cd content/archive/2023\n", 1)[1].split("```", 1)[0]
    commands = [line.split("   #", 1)[0].strip() for line in block.splitlines() if line.strip()]
    script = "set -e -o pipefail\ncd content/archive/2023\n" + "\n".join(commands[1:])
    assert subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True).returncode == 0
    seal = subprocess.run(["bash", "-c", "cd content/archive/2023 && " + commands[0]], cwd=tmp_path,
                          capture_output=True, text=True).stdout.split()[0]
    assert (tmp_path / "content/archive/seals.txt").read_text(encoding="utf-8") == f"2023 {seal}\n"
    page = tmp_path / "site" / PAGE
    page.write_bytes(page.read_bytes().replace(b"194.30", b"194.31", 1))
    assert subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True).returncode != 0


def test_a_figure_corrected_in_place_needs_one_record_of_its_own(frozen: tuple[Path, Path, BuildOptions]) -> None:
    """`金额: {值: …, 更正: {原值: …}}` is one change of that figure; its note needs no record of its own."""
    content, _, options = frozen
    edit(content / SAMPLE_REPORT, "{科目: 津贴补贴, 金额: 0.15}",
         '{科目: 津贴补贴, 金额: {值: 0.16, 更正: {原值: "0.15", 说明: 补记一笔津贴}}}')
    edit(content / SAMPLE_REPORT, "津贴补贴0.15万元", "津贴补贴0.16万元")
    problems = build(content, options).report.errors
    assert [(p.code, p.path) for p in problems][-1] == ("frozen-changed", "预算执行.基本支出.主要明细[1].金额")
    assert all(p.code == "frozen-changed" for p in problems) and len(problems) == 2, [str(p) for p in problems]
    (content / SAMPLE_REPORT).write_text((content / SAMPLE_REPORT).read_text(encoding="utf-8") + SECOND_CORRECTION,
                                         encoding="utf-8")
    assert build(content, options).report.ok
