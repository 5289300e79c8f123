"""The command line people expect from mkdocs and hugo: --strict, --quiet, --verbose, serve --open."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT
from test_serve import free_port

WARNING = "（unknown-subject）"  # the sample's own warnings: 科目 missing from the bundled 科目表


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], capture_output=True, text=True, cwd=ROOT,
                          env=env)


def test_strict_check_fails_on_warnings(sample_site: Path) -> None:
    assert run("check", str(sample_site)).returncode == 0
    strict = run("check", str(sample_site), "--strict")
    assert strict.returncode == 1 and WARNING in strict.stdout


def test_strict_build_publishes_nothing_when_there_are_warnings(sample_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = run("build", str(sample_site), "--out", str(out), "--no-pdf", "--strict")
    assert result.returncode == 1 and "--strict" in result.stderr and "未发布" in result.stderr
    assert not out.exists()


def test_quiet_shows_errors_only_and_verbose_is_not_quiet(sample_site: Path) -> None:
    quiet = run("check", str(sample_site), "--quiet")
    assert quiet.returncode == 0 and WARNING not in quiet.stdout
    quiet_strict = run("check", str(sample_site), "-q", "--strict")
    assert quiet_strict.returncode == 1 and WARNING in quiet_strict.stdout, "under --strict a warning is a failure"
    both = run("check", str(sample_site), "-q", "-v")
    assert both.returncode == 2 and "不能与" in both.stderr and "Traceback" not in both.stderr


def test_a_no_op_rebuild_counts_the_warnings_instead_of_printing_them(sample_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = run("build", str(sample_site), "--out", str(out), "--no-pdf")
    warnings = first.stdout.count(": 警告：")
    assert first.returncode == 0 and warnings > 0
    again = run("build", str(sample_site), "--out", str(out), "--no-pdf")
    assert again.returncode == 0 and "没有变化" in again.stderr
    assert ": 警告：" not in again.stdout + again.stderr and f"上次生成时的 {warnings} 个警告" in again.stdout
    verbose = run("build", str(sample_site), "--out", str(out), "--no-pdf", "--verbose")
    assert verbose.stdout.count(": 警告：") == warnings
    quiet = run("build", str(sample_site), "--out", str(out), "--no-pdf", "--quiet")
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""


def test_serve_open_opens_the_preview_in_the_browser(sample_site: Path, tmp_path: Path) -> None:
    opened = tmp_path / "opened.txt"
    browser = f"{sys.executable} -c \"import sys; open(sys.argv[1], 'w').write(sys.argv[2])\" {opened} %s"
    env = {**os.environ, "BROWSER": browser}
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "serve", str(sample_site), "--port", str(free_port()), "--open"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while not opened.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        assert opened.exists(), process.stdout.read() if process.poll() is not None else "no browser opened"
        assert opened.read_text().startswith("http://127.0.0.1:")
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=10)
