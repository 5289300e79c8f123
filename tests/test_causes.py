"""One cause, one error: the errors one mistyped figure explains are folded under the error at that figure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import CONTENT, ROOT, SAMPLE_REPORT, copy_site
from test_every_figure import SAMPLE_FIGURES, STANDALONE, nudged

from gongkai.causes import fold_causes
from gongkai.pipeline import check
from gongkai.problems import Problem, Severity


def errors_after(site: Path, line: int, column: int, text: str) -> list[Problem]:
    report_file = site / SAMPLE_REPORT
    lines = report_file.read_text(encoding="utf-8").split("\n")
    row = lines[line - 1]
    assert row[column - 1 : column - 1 + len(text)] == text
    lines[line - 1] = row[: column - 1] + nudged(text) + row[column - 1 + len(text) :]
    report_file.write_text("\n".join(lines), encoding="utf-8")
    return [p for p in check(site).problems if p.severity is Severity.ERROR]


def unfolded(problems: list[Problem]) -> set[tuple[int, str, str]]:
    return {(q.line, q.code, q.message) for p in problems for q in (p, *p.consequences) if q.code != "likely-cause"}


def test_one_cent_in_basic_spending_is_one_error_with_five_consequences(sample_site: Path) -> None:
    """The issue's own example: 194.30 → 194.31 gave six errors, and the finance officer could not tell which to fix."""
    [figure] = [f for f in SAMPLE_FIGURES if f[0] == "预算执行.基本支出.实际支出"]
    errors = errors_after(sample_site, *figure[1:])
    assert len(errors) == 6
    [lead] = fold_causes(errors)
    assert lead.line == figure[1] and len(lead.consequences) == 5
    assert unfolded([lead]) == unfolded(errors), "nothing is lost, only folded"
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", str(sample_site)],
                            capture_output=True, text=True, cwd=ROOT)
    shown = [line for line in result.stdout.splitlines() if ": 错误：" in line]
    assert len(shown) == 1 and f":{figure[1]}:" in shown[0]
    assert "这会导致以下 5 处不一致" in result.stdout
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", str(sample_site), "--format", "json"],
                            capture_output=True, text=True, cwd=ROOT)
    [error] = [p for p in json.loads(result.stdout) if p["severity"] == "error"]
    assert error["line"] == figure[1] and len(error["consequences"]) == 5, "the JSON folds as the terminal does"
    assert {(c["line"], c["code"]) for c in error["consequences"]} == {(p.line, p.code) for p in lead.consequences}


def test_every_nudge_keeps_its_errors_and_most_lead_at_the_changed_line(tmp_path: Path) -> None:
    """Over every figure of the sample: folding never drops an error; how often one error leads at the figure.

    The rest are ambiguous to the fold (a lone sum error could blame any of its parts, a score and the
    total it is in disagree one against one); the floor keeps what works from slipping.
    """
    leading_here = 0
    for index, (field, line, column, text) in enumerate(SAMPLE_FIGURES):
        if field in STANDALONE:
            continue
        errors = errors_after(copy_site(CONTENT, tmp_path / str(index)), line, column, text)
        folded = fold_causes(errors)
        assert unfolded(folded) == unfolded(errors), field
        assert all(p.line == line for p in folded if p.consequences), f"{field}: folded under the wrong figure"
        leading_here += len(folded) == 1 and folded[0].line == line
    assert leading_here >= 57


def test_independent_errors_are_not_folded() -> None:
    """The seed as published has real, separate mistakes: a shared figure among them is not a cause."""
    from conftest import SEED

    errors = [p for p in check(SEED).problems if p.severity is Severity.ERROR]
    assert fold_causes(errors) == errors and not any(p.consequences for p in fold_causes(errors))


def test_in_the_preview_every_one_cent_change_leads_at_its_line(sample_site: Path, tmp_path: Path) -> None:
    """The preview knows what the content was when it last had no error: the one figure edited since then is
    the cause of every error now, for every figure of the sample — even a lone sum or a text that disagree."""
    from gongkai.preview import Session

    session = Session(sample_site, tmp_path / "preview")
    clean = set(session.rebuild().problems)
    assert not any(p.severity is Severity.ERROR for p in clean)
    report_file = sample_site / SAMPLE_REPORT
    original = report_file.read_text(encoding="utf-8")
    for field, line, column, text in SAMPLE_FIGURES:
        lines = original.split("\n")
        lines[line - 1] = lines[line - 1][: column - 1] + nudged(text) + lines[line - 1][column - 1 + len(text):]
        report_file.write_text("\n".join(lines), encoding="utf-8")
        problems = session.rebuild().problems
        errors = [p for p in problems if p.severity is Severity.ERROR]
        folded = [p for p in session.folded() if p.severity is Severity.ERROR]
        if field in STANDALONE:
            assert not errors, field
        elif not errors:  # caught by a warning only
            assert set(problems) - clean, field
        else:
            assert len(folded) == 1 and folded[0].line == line and folded[0].file.endswith(SAMPLE_REPORT.name), field
            assert unfolded(folded) == unfolded(errors), f"{field}: nothing is lost, only folded"
        report_file.write_text(original, encoding="utf-8")
        assert session.rebuild().ok


def test_in_the_preview_two_edits_are_not_blamed_on_one(sample_site: Path, tmp_path: Path) -> None:
    """Two figures changed since the content was clean: which error comes from which is a guess, as in `check`."""
    from gongkai.preview import Session

    session = Session(sample_site, tmp_path / "preview")
    assert session.rebuild().ok
    report_file = sample_site / SAMPLE_REPORT
    text = report_file.read_text(encoding="utf-8")
    report_file.write_text(text.replace("实际支出: 194.30", "实际支出: 194.31").replace("金额: 55.20}", "金额: 55.21}"),
                           encoding="utf-8")
    session.rebuild()
    assert session.edit is None
    assert session.folded() == fold_causes(session.problems)


def run_check(site: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "check", str(site), *options],
                          capture_output=True, text=True, cwd=ROOT)


def test_check_remembers_the_last_clean_state_and_blames_the_one_edit(sample_site: Path) -> None:
    """A lone sum that breaks could blame any of its parts; after a clean `check`, the part edited is known."""
    [(_, line, column, text)] = [f for f in SAMPLE_FIGURES if f[0] == "预算执行.项目支出.年中调减"]
    report_file = sample_site / SAMPLE_REPORT
    original = report_file.read_text(encoding="utf-8")
    errors_after(sample_site, line, column, text)
    guessed = run_check(sample_site)
    assert f"self-evaluation.yaml:{line}:" not in guessed.stdout, "without a clean state the sum's line is blamed"
    report_file.write_text(original, encoding="utf-8")
    assert run_check(sample_site).returncode == 0  # clean: remembered
    errors_after(sample_site, line, column, text)
    shown = [row for row in run_check(sample_site).stdout.splitlines() if ": 错误：" in row]
    assert len(shown) == 1 and f"self-evaluation.yaml:{line}:{column}:" in shown[0]
    assert f"原为 {text}" in shown[0]
    [error] = [p for p in json.loads(run_check(sample_site, "--format", "json").stdout) if p["severity"] == "error"]
    assert (error["line"], error["code"], len(error["consequences"])) == (line, "likely-cause", 1)
