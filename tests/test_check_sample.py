"""`check` on the sample and on the seed as published: what a finance officer sees."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import CONTENT, ROOT, SAMPLE_REPORT, SEED

from gongkai.pipeline import check


def run_check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "check", *args], capture_output=True, text=True, cwd=ROOT
    )


def test_sample_content_passes_check() -> None:
    report = check(CONTENT)
    assert report.errors == []


def test_seed_as_published_reports_its_real_inconsistencies() -> None:
    found = {(p.line, p.code, p.path) for p in check(SEED).problems}
    assert found == {
        (169, "sum-mismatch", "预算执行.项目支出.全年预算"),  # 72.34 + 51.79 ≠ 106.06
        (196, "control-rate", "基础数据表.财政供养人员.控制率"),  # 10 ÷ 19 ≠ 100%
        (206, "sum-mismatch", "基础数据表.经费控制.项目支出.合计.本年预算"),  # rows add to 124.13, not 72.34
        (239, "rate-mismatch", "自评表.年度资金总额.执行率"),  # 300.36 ÷ 300.48 = 99.96%, not 102.32%
        (248, "sum-mismatch", "自评表.年度资金总额.按支出性质分.合计"),  # 303.36 ≠ 300.48
        (314, "deviation-missing", "自评表.绩效指标[1].二级指标[3].三级指标[0].名称"),  # 8 of 10, no reason
    }


def test_the_famous_303_36_message_shows_the_arithmetic() -> None:
    [problem] = [p for p in check(SEED).problems if p.line == 248]
    assert problem.severity.value == "error"
    assert "303.36 ≠ 基本支出 194.30 + 项目支出 106.06 + 转入结余分配 0.12 = 300.48" in problem.message


def test_cli_prints_one_problem_per_line_and_exits_1() -> None:
    result = run_check(str(SEED))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(  # the sentence first, then the field as the form names it, the code last
        line.startswith(f"{SEED.relative_to(ROOT) / SAMPLE_REPORT}:248:11: 错误：")
        and line.endswith("【自评表 → 年度资金总额 → 按支出性质分 → 合计】（sum-mismatch）")
        for line in lines
    )
    assert "\033[" not in result.stdout, "no colour when piped"
    assert lines[-1] == "共发现 4 个错误、2 个警告。"


def test_cli_json_format_lists_every_problem_with_its_place() -> None:
    result = run_check(str(SEED), "--format", "json")
    assert result.returncode == 1
    problems = json.loads(result.stdout)
    assert {tuple(sorted(p)) for p in problems} == {
        ("code", "column", "file", "line", "message", "path", "severity")
    }
    assert {p["severity"] for p in problems} == {"error", "warning"}
    assert len(problems) == 6


def test_cli_exit_codes(tmp_path: Path) -> None:
    assert run_check(str(CONTENT)).returncode == 0
    missing = run_check(str(tmp_path / "nowhere"))
    assert missing.returncode == 2
    assert "找不到内容文件夹" in missing.stderr
    assert run_check("--no-such-flag").returncode == 2


def test_command_line_mistakes_are_explained_in_chinese() -> None:
    for args, expected in (
        ((), "缺少必需的参数"),
        (("check", "--bogus"), "无法识别的参数：--bogus"),
        (("check", "--format", "xml"), "--format 的值“xml”无效"),
    ):
        result = subprocess.run([sys.executable, str(ROOT / "build.py"), *args], capture_output=True, text=True, cwd=ROOT)
        assert result.returncode == 2
        assert expected in result.stderr and "Traceback" not in result.stderr
    help_text = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "-h"], capture_output=True, text=True)
    assert help_text.stdout.startswith("用法：gongkai check") and "显示帮助并退出" in help_text.stdout


class _Terminal:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_colour_only_in_a_terminal_and_never_with_no_color(monkeypatch) -> None:
    from gongkai.cli import colour_wanted

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert colour_wanted(_Terminal(True)) and not colour_wanted(_Terminal(False))
    monkeypatch.setenv("NO_COLOR", "1")
    assert not colour_wanted(_Terminal(True))
    problem = check(SEED).sorted()[0]
    assert "\033[" in problem.render(colour=True) and "\033[" not in str(problem)
    assert problem.render(colour=True).count(problem.message) == 1
