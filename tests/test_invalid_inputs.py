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

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURES, ROOT, SAMPLE_REPORT
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
     "symlink-outside-content", "file-too-large"],
)
def test_cli_prints_the_same_problems_and_exits_1_on_errors(name: str, tmp_path: Path) -> None:
    """`python build.py check` exits 1 when there is an error, 0 for warnings only (the BOM)."""
    case = load_case(name)
    result = run_check(make_input(name, tmp_path))
    assert result.returncode == case.get("exit", 1), result.stderr
    assert "Traceback" not in result.stderr
    printed = [re.match(r".*?([^/]+):(\d+):\d+: (?:错误|警告)：.*（([a-z0-9-]+)）$", line) for line in result.stdout.splitlines()]
    assert sorted((m[1], int(m[2]), m[3]) for m in printed if m) == expected_problems(case)


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
