"""A catalogue of broken content: each case gives its problem code at its line, and never a traceback.

Each folder under tests/fixtures/invalid/ is one mistake a finance officer makes. Its case.yaml says how to
make the input from a fresh copy of the sample (content/ with only its self-evaluation report) and which
problems `check` must report:

    about:        what went wrong, in the officer's words
    file:         the file to edit (default: the sample report)
    replace:      {old text: new text}; each old text must occur exactly once in that file
    encoding:     save the edited file in this encoding (gbk, utf-8-sig)
    grow_to:      pad the file with a trailing comment to this many bytes
    move:         {from: path, to: path} inside the content folder
    link_outside: move this file out of the content folder and leave a symlink to it in its place
    message:      a text that some problem's message must contain
    exit:         what `python build.py check` exits with (default 1)
    expect:       every problem, as "file name:line code"

A site.yaml, unit.yaml or self-evaluation.yaml next to case.yaml replaces that file whole.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CONTENT, FIXTURES, ROOT, SAMPLE_REPORT, copy_site
from sample_only import copy_sample_report

from gongkai.pipeline import check

CASES = FIXTURES / "invalid"
NAMES = sorted(p.name for p in CASES.iterdir() if (p / "case.yaml").is_file())
WHOLE_FILES = {
    "site.yaml": Path("site.yaml"),
    "unit.yaml": Path("huaihua-bjlxc/unit.yaml"),
    "self-evaluation.yaml": SAMPLE_REPORT,
}
# PyYAML's own words must never reach a finance officer.
ENGLISH = re.compile(r"\b(expected|found|while|but|not allowed)\b")

Expected = list[tuple[str, int, str]]


def load_case(name: str) -> dict[str, Any]:
    return yaml.safe_load((CASES / name / "case.yaml").read_text(encoding="utf-8"))


def expected_problems(case: dict[str, Any]) -> Expected:
    """["self-evaluation.yaml:21 bad-amount", ...] as sorted (file name, line, code) tuples."""
    problems = []
    for item in case["expect"]:
        place, code = item.split()
        name, line = place.rsplit(":", 1)
        problems.append((name, int(line), code))
    return sorted(problems)


def make_input(name: str, work: Path) -> Path:
    """The sample under `work` with the case's mistake made in it; returns the content folder."""
    case = load_case(name)
    root = copy_sample_report(work / "content")
    for file_name, place in WHOLE_FILES.items():
        if (CASES / name / file_name).is_file():
            shutil.copyfile(CASES / name / file_name, root / place)
    target = root / case.get("file", SAMPLE_REPORT)
    text = target.read_text(encoding="utf-8")
    for old, new in case.get("replace", {}).items():
        assert text.count(old) == 1, f"{name}: {old!r} occurs {text.count(old)} times in {target.name}"
        text = text.replace(old, new)
    data = text.encode(case.get("encoding", "utf-8"))
    if "grow_to" in case:
        data += b"\n#" + b" " * (case["grow_to"] - len(data))
    target.write_bytes(data)
    if "move" in case:
        (root / case["move"]["from"]).rename(root / case["move"]["to"])
    if "link_outside" in case:
        inside = root / case["link_outside"]
        outside = work / "outside" / inside.name
        outside.parent.mkdir()
        inside.rename(outside)
        inside.symlink_to(outside)
    return root


def run_check(content: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "check", str(content)], capture_output=True, text=True, cwd=ROOT
    )


@pytest.mark.parametrize("name", NAMES)
def test_each_mistake_is_reported_at_its_line(name: str, tmp_path: Path) -> None:
    case = load_case(name)
    report = check(make_input(name, tmp_path))
    assert sorted(report.flatten()) == expected_problems(case)
    assert report.ok == (case.get("exit", 1) == 0)
    if "message" in case:
        assert any(case["message"] in p.message for p in report.problems), [p.message for p in report.problems]
    for problem in report.problems:
        assert problem.line >= 1 and problem.column >= 1
        assert not ENGLISH.search(problem.message), problem.message


@pytest.mark.parametrize(
    "name",
    ["yaml-unclosed-quote", "yaml-tab-indent", "malformed-amount", "gbk-encoding", "utf8-bom", "alias-bomb",
     "symlink-outside-content", "file-too-large", "surrogate-in-amount", "surrogate-in-title", "nul-escape"],
)
def test_cli_prints_the_same_problems_and_exits_1_on_errors(name: str, tmp_path: Path) -> None:
    """`python build.py check` exits 1 when there is an error, 0 for warnings only (the BOM)."""
    case = load_case(name)
    result = run_check(make_input(name, tmp_path))
    assert result.returncode == case.get("exit", 1), result.stderr
    assert "Traceback" not in result.stderr
    printed = [re.match(r".*?([^/]+):(\d+):\d+: (?:错误|警告)：.*（([a-z0-9-]+)）$", line) for line in result.stdout.splitlines()]
    assert sorted((m[1], int(m[2]), m[3]) for m in printed if m) == expected_problems(case)


@pytest.mark.parametrize(("name", "column"), [("bidi-isolate", 10), ("noncharacter", 9), ("nul-escape", 8)])
def test_a_bad_character_is_located_at_its_column(name: str, column: int, tmp_path: Path) -> None:
    """At the character itself where the file shows it; at the value's quote when an escape made it."""
    [problem] = check(make_input(name, tmp_path)).problems
    assert (problem.line, problem.column) == (248, column)
    assert problem.path.endswith("填表人")


def test_catalogue_covers_every_kind_of_mistake() -> None:
    codes = {code for name in NAMES for _, _, code in expected_problems(load_case(name))}
    assert codes >= {
        "yaml-syntax", "yaml-tab", "duplicate-key", "unknown-key", "wrong-type", "negative-amount", "bad-amount",
        "too-many-decimals", "fullwidth-digit", "thousands-separator", "unit-in-figure", "not-utf8", "bom",
        "yaml-alias", "yaml-tag", "missing-field", "missing-value", "bad-date", "year-mismatch", "unknown-file",
        "outside-content", "file-too-large",
    }


@pytest.mark.parametrize("depth", [41, 500, 1001, 100_000])
@pytest.mark.parametrize("brackets", ["[]", "{}"])
def test_deep_nesting_is_refused_not_a_recursion_error(depth: int, brackets: str, tmp_path: Path) -> None:
    root = copy_sample_report(tmp_path / "content")
    report_file = root / SAMPLE_REPORT
    opening, closing = brackets
    nested = (opening if opening == "[" else "{a: ") * depth + "x" + closing * depth
    report_file.write_text("# 嵌套过深\n嵌套: " + nested + "\n" + report_file.read_text(encoding="utf-8"), encoding="utf-8")
    assert check(root).flatten() == [("self-evaluation.yaml", 2, "too-complex")]


def _report_is_a_folder(root: Path) -> None:
    (root / SAMPLE_REPORT).unlink()
    (root / SAMPLE_REPORT).mkdir()


def _report_links_to_nothing(root: Path) -> None:
    (root / SAMPLE_REPORT).unlink()
    (root / SAMPLE_REPORT).symlink_to(root / SAMPLE_REPORT.parent / "deleted.yaml")


def _link_loop(root: Path) -> None:
    loop = root / SAMPLE_REPORT.parent / "loop.yaml"
    loop.symlink_to(loop)


def _site_links_outside(root: Path) -> None:
    outside = root.parent / "elsewhere.yaml"
    (root / "site.yaml").rename(outside)
    (root / "site.yaml").symlink_to(outside)


def _site_links_outside_and_no_units(root: Path) -> None:
    _site_links_outside(root)
    shutil.rmtree(root / SAMPLE_REPORT.parts[0])


ODD_FILES = [
    pytest.param(_report_is_a_folder, [("self-evaluation.yaml", 1, "ignored-file")], id="report-is-a-folder"),
    pytest.param(_report_links_to_nothing, [("self-evaluation.yaml", 1, "unreadable-file")], id="link-to-nothing"),
    pytest.param(
        _link_loop, [("loop.yaml", 1, "outside-content"), ("self-evaluation.yaml", 344, "deviation-missing")],
        id="link-loop",
    ),
    pytest.param(
        _site_links_outside, [("site.yaml", 1, "outside-content")], id="site-links-outside",
    ),
    pytest.param(
        _site_links_outside_and_no_units, [("site.yaml", 1, "outside-content")], id="site-links-outside-no-units",
    ),
]


@pytest.mark.parametrize(("make", "expected"), ODD_FILES)
def test_odd_files_are_reported_not_raised(make: Callable[[Path], None], expected: Expected, tmp_path: Path) -> None:
    root = copy_sample_report(tmp_path / "content")
    make(root)
    assert sorted(check(root).flatten()) == sorted(expected)


@pytest.mark.parametrize(("year", "message"), [("1800", "年度“1800”超出范围：应在 2000 到 2100 之间"),
                                               ("2101", "超出范围"), ("٢٠٢٤", "应为正整数"), ("²", "应为正整数")])
def test_new_refuses_a_year_out_of_range(year: str, message: str, tmp_path: Path) -> None:
    root = copy_sample_report(tmp_path / "content")
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "new", "huaihua-bjlxc", year, "self-evaluation", "--content", str(root)],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in (root / "huaihua-bjlxc").iterdir()) == ["2023", "unit.yaml"]


def _rename_report(name: str) -> Callable[[Path], None]:
    def rename(root: Path) -> None:
        (root / SAMPLE_REPORT).rename(root / SAMPLE_REPORT.parent / name)
    return rename


def _report_folder_named_yaml(root: Path) -> None:
    (root / SAMPLE_REPORT.parent / "project-evaluation.yaml").mkdir()


def _hide_unit(root: Path) -> None:
    (root / "huaihua-bjlxc").rename(root / ".huaihua-bjlxc")


def _hide_year(root: Path) -> None:
    (root / SAMPLE_REPORT.parent).rename(root / "huaihua-bjlxc" / ".2023")


def _macos_leftovers(root: Path) -> None:
    """What a Mac leaves on a USB drive, an editor's lock and a git folder: not content, no warning."""
    (root / SAMPLE_REPORT.parent / "._self-evaluation.yaml").write_bytes(b"\0\5\26\7")
    (root / SAMPLE_REPORT.parent / ".#self-evaluation.yaml").write_text("x", encoding="utf-8")
    (root / ".git").mkdir()


SKIPPED = [
    pytest.param(_rename_report("self-evaluation.YAML"), "self-evaluation.YAML", "ignored-file",
                 "扩展名要写成小写的 .yaml，请改名为“self-evaluation.yaml”", id="upper-case-extension"),
    pytest.param(_rename_report("self-evaluation.Yml"), "self-evaluation.Yml", "ignored-file",
                 "请改名为“self-evaluation.yaml”", id="mixed-case-yml"),
    pytest.param(_rename_report(".self-evaluation.yaml"), ".self-evaluation.yaml", "ignored-file",
                 "名称以“.”开头的文件和文件夹会被跳过", id="hidden-report"),
    pytest.param(_report_folder_named_yaml, "project-evaluation.yaml", "ignored-file", "它是一个文件夹", id="folder-x-yaml"),
    pytest.param(_hide_unit, ".huaihua-bjlxc", "ignored-file", "请改名为“huaihua-bjlxc”", id="hidden-unit"),
    pytest.param(_hide_year, ".2023", "ignored-file", "请改名为“2023”", id="hidden-year"),
]


@pytest.mark.parametrize(("make", "name", "code", "message"), SKIPPED)
def test_what_looks_like_content_but_is_skipped_is_warned_about(
    make: Callable[[Path], None], name: str, code: str, message: str, tmp_path: Path
) -> None:
    root = copy_sample_report(tmp_path / "content")
    make(root)
    found = [p for p in check(root).problems if Path(p.file).name == name]
    assert [(p.code, p.line, p.severity.value) for p in found] == [(code, 1, "warning")], found
    assert message in found[0].message


def test_files_a_mac_or_an_editor_leaves_are_not_warned_about(tmp_path: Path) -> None:
    root = copy_sample_report(tmp_path / "content")
    _macos_leftovers(root)
    assert check(root).flatten() == check(copy_sample_report(tmp_path / "clean")).flatten()


@pytest.mark.parametrize(
    ("place", "code", "severity"),
    [(SAMPLE_REPORT, "special-file", 1), (Path("huaihua-bjlxc/unit.yaml"), "special-file", 1),
     (Path("notes"), "ignored-file", 0), (SAMPLE_REPORT.parent / "draft.yaml", "ignored-file", 0)],
    ids=["report", "unit-file", "top-level", "in-year-folder"],
)
def test_a_named_pipe_is_never_opened(place: Path, code: str, severity: int, tmp_path: Path) -> None:
    """Opening a FIFO waits for a writer forever: `check` hung. It is reported by its name and never opened."""
    root = copy_sample_report(tmp_path / "content")
    target = root / place
    target.unlink(missing_ok=True)
    os.mkfifo(target)
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "check", str(root)], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stdout.splitlines() if f"（{code}）" in line and f"{place.name}:1:1:" in line]
    assert len(lines) == 1 and "命名管道" in lines[0], result.stdout
    assert result.returncode == severity or severity == 0, result.stdout


def _refuse(monkeypatch: pytest.MonkeyPatch, method: str, target: Path) -> None:
    """As if `target` had no read permission (the tests run as root, who may read anything)."""
    original = getattr(Path, method)

    def refused(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == target:
            raise PermissionError(13, "Permission denied", str(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, method, refused)


@pytest.mark.parametrize("folder", [SAMPLE_REPORT.parent, Path("huaihua-bjlxc")], ids=["year", "unit"])
def test_an_unreadable_folder_is_an_error_not_a_traceback(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_sample_report(tmp_path / "content").resolve()
    _refuse(monkeypatch, "iterdir", root / folder)
    [problem] = [p for p in check(root).problems if p.code == "unreadable-folder"]
    assert (Path(problem.file).name, problem.line, problem.severity.value) == (folder.name, 1, "error")
    assert f"无法读取文件夹“{folder.name}”（没有读取权限，请检查文件夹权限）" in problem.message


def test_an_unreadable_file_says_to_check_its_permissions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_sample_report(tmp_path / "content").resolve()
    _refuse(monkeypatch, "open", root / SAMPLE_REPORT)
    [problem] = check(root).problems
    assert (Path(problem.file).name, problem.line, problem.code) == ("self-evaluation.yaml", 1, "unreadable-file")
    assert "没有读取权限，请检查文件权限" in problem.message


def test_pydantic_constraints_are_told_in_chinese(tmp_path: Path) -> None:
    """正文 needs one part (a pydantic constraint): its English ("List should have at least 1 item") leaked."""
    root = copy_sample_report(tmp_path / "content")
    report_file = root / SAMPLE_REPORT
    text = re.sub(r"^正文:\n(?:[ \n].*\n)*", "正文: {}\n", report_file.read_text(encoding="utf-8"), count=1, flags=re.M)
    report_file.write_text(text, encoding="utf-8")
    [problem] = [p for p in check(root).problems if p.path == "正文"]
    assert (problem.line, problem.code, problem.message) == (10, "wrong-type", "格式不对：至少要写一项")


def test_a_table_cells_correction_is_told_in_chinese(tmp_path: Path) -> None:
    """A 更正 in a 部门预算 table is validated apart: pydantic's "Field required" reached the officer."""
    root = copy_site(CONTENT, tmp_path / "content")
    budget = root / "huaihua-bjlxc/2024/budget.yaml"
    text = budget.read_text(encoding="utf-8")
    old = "一般公共服务支出, 合计: 248.90,"
    line = text[: text.index(old)].count("\n") + 1  # the first of the tables that state it
    budget.write_text(text.replace(old, "一般公共服务支出, 合计: {值: 248.90, 更正: {原值: 300, 理由: 笔误}},", 1), encoding="utf-8")
    found = sorted((p.line, p.message) for p in check(root).problems if p.code == "bad-correction")
    assert found == [(line, "更正的写法有误：不认识的键“理由”，请检查拼写，或删除这一项"),
                     (line, "更正的写法有误：缺少必填项“说明”")]


def test_a_file_name_that_is_not_utf8_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    """A name from a zip made on another system: printing or hashing it raised UnicodeEncodeError."""
    root = copy_sample_report(tmp_path / "content")
    (root / SAMPLE_REPORT.parent / os.fsdecode(b"\xb1\xa8\xb8\xe6.yaml")).write_bytes(b"x: 1\n")  # 报告 in GBK
    result = subprocess.run(  # the path is printed as its bytes, as ls does: read them back leniently
        [sys.executable, str(ROOT / "build.py"), "check", str(root)], capture_output=True, text=True, errors="replace",
        cwd=ROOT,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    [line] = [line for line in result.stdout.splitlines() if "（bad-file-name）" in line]
    assert ".yaml:1:1: 错误：文件名“" in line and "不是 UTF-8 编码" in line


def test_a_build_is_not_stopped_by_a_name_that_is_not_utf8_where_no_content_is(tmp_path: Path) -> None:
    """Every file of the content folder goes into the build's digest, drafts in _folders too."""
    from conftest import build_site

    root = copy_sample_report(tmp_path / "content")
    (root / "_drafts").mkdir()
    (root / "_drafts" / os.fsdecode(b"\xb1\xa8\xb8\xe6.yaml")).write_bytes(b"x: 1\n")
    build_site(root, tmp_path / "site")
    assert (tmp_path / "site" / "index.html").is_file()


def test_a_file_that_stops_being_utf8_further_down_is_reported_at_that_line(tmp_path: Path) -> None:
    """Text pasted from an old GBK document into a UTF-8 file: the line where reading stops, not line 1."""
    root = copy_sample_report(tmp_path / "content")
    report = root / SAMPLE_REPORT
    lines = report.read_text(encoding="utf-8").splitlines(keepends=True)
    pasted = next(n for n in range(40, len(lines)) if not lines[n].isascii())  # 0-based: the first Chinese line after 40
    report.write_bytes("".join(lines[:pasted]).encode("utf-8") + "".join(lines[pasted:]).encode("gbk"))
    [problem] = [p for p in check(root).problems if p.code == "not-utf8"]
    assert problem.line == pasted + 1 and f"第 {pasted + 1} 行起无法读取" in problem.message
