"""Publishing is atomic: a build killed at any moment leaves the old site or the new one, complete.

The kill test runs real builds as separate processes and SIGKILLs them: at random moments of the whole
build, and right after the last rendering step, where the staging folder is completed and switched in.
After every kill `site/` must be byte for byte the old site or the new one; the next run must finish
with the new site and leave no temporary folders behind.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE_REPORT
from test_build import snapshot

from gongkai import publish

KILLS_AT_RANDOM = 12
KILLS_WHILE_PUBLISHING = 12
LAST_STEP = "生成报告网页和数据下载"


def command(content: Path, out: Path) -> list[str]:
    return [sys.executable, "-u", str(ROOT / "build.py"), "build", str(content), "--out", str(out), "--no-pdf",
            "--jobs", "1"]


def run(content: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(content, out), capture_output=True, text=True, cwd=out.parent)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".staging-" in p.name or ".old-" in p.name
                  or p.name.endswith(".publish"))


def edit_a_figure(content: Path) -> None:
    path = content / SAMPLE_REPORT
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("金额: 55.20}", "金额: 55.30}").replace("基本工资55.20万元", "基本工资55.30万元"),
                    encoding="utf-8")


def killed(content: Path, out: Path, delay: float, after_line: str | None) -> None:
    """Start a build and SIGKILL it `delay` seconds after it starts (or after it logs `after_line`)."""
    process = subprocess.Popen(command(content, out), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               text=True, cwd=out.parent)
    seen = threading.Event()

    def watch() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            if after_line is not None and after_line in line:
                seen.set()
        seen.set()  # the build ended before the line: kill (too late) at once

    threading.Thread(target=watch, daemon=True).start()
    if after_line is not None:
        seen.wait(timeout=120)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample built (old), the sample with one figure changed built elsewhere (new), and timings."""
    work = tmp_path_factory.mktemp("kill")
    old_content, new_content = work / "old-content", work / "new-content"
    shutil.copytree(ROOT / "content", old_content)
    shutil.copytree(ROOT / "content", new_content)
    edit_a_figure(new_content)
    (work / "old").mkdir()
    (work / "new").mkdir()
    assert run(old_content, work / "old" / "site").returncode == 0
    assert run(new_content, work / "new" / "site").returncode == 0
    shutil.copytree(work / "old", work / "pristine", copy_function=shutil.copy2)
    return {"work": work, "old": work / "old", "new": work / "new", "new-content": new_content,
            "pristine": work / "pristine"}


def test_a_build_killed_at_any_moment_leaves_the_old_or_the_new_site(sites: dict[str, Path]) -> None:
    old, new = snapshot(sites["old"] / "site"), snapshot(sites["new"] / "site")
    assert old != new
    started = time.perf_counter()
    assert run(sites["new-content"], _fresh_copy(sites)).returncode == 0
    duration = time.perf_counter() - started
    chance = random.Random(13)
    moments = [(chance.uniform(0, duration), None) for _ in range(KILLS_AT_RANDOM)]
    moments += [(chance.uniform(0, 0.15), LAST_STEP) for _ in range(KILLS_WHILE_PUBLISHING)]
    outcomes = []
    for delay, after_line in moments:
        out = _fresh_copy(sites)
        killed(sites["new-content"], out, delay, after_line)
        found = snapshot(out) if out.is_dir() else {}
        assert found in (old, new), f"killed {delay:.3f}s after {after_line or 'the start'}: a mixed or missing site"
        outcomes.append("new" if found == new else "old")
        finished = run(sites["new-content"], out)
        assert finished.returncode == 0, finished.stderr
        assert snapshot(out) == new
        assert leftovers(out.parent) == [], "the next run removes what the killed run left"
    assert "old" in outcomes, "some kills came before the switch"


def test_leftovers_of_a_killed_run_are_removed_and_reported(sites: dict[str, Path]) -> None:
    out = _fresh_copy(sites)
    dead = out.parent / ".site.staging-999999999"
    (dead / "huaihua-bjlxc").mkdir(parents=True)
    (dead / "huaihua-bjlxc" / "half.html").write_text("<p>", encoding="utf-8")
    (out.parent / ".site.old-999999998").mkdir()
    result = run(sites["new-content"], out)
    assert result.returncode == 0, result.stderr
    assert "已清理上次中断的生成留下的临时文件夹：.site.staging-999999999" in result.stderr
    assert leftovers(out.parent) == []


def test_a_switch_interrupted_between_two_renames_is_completed_by_the_next_run(
    sites: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the file system cannot exchange two folders, the journal lets the next run finish the switch."""
    out = _fresh_copy(sites).resolve()
    stage = out.parent / ".site.staging-1"
    shutil.copytree(sites["new"] / "site", stage)
    monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    renames, real_rename = [], os.rename

    def rename_then_die(source: object, target: object) -> None:
        if renames:
            raise KeyboardInterrupt  # the process dies between the two renames
        renames.append(source)
        real_rename(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(publish.os, "rename", rename_then_die)
    with pytest.raises(KeyboardInterrupt):
        publish._switch(stage, out)
    assert not out.exists() and (out.parent / ".site.publish").is_file()
    monkeypatch.undo()
    messages: list[str] = []
    publish.recover(out, messages.append)
    assert snapshot(out) == snapshot(sites["new"] / "site")
    assert "已完成发布" in messages[0]
    assert leftovers(out.parent) == []


def _fresh_copy(sites: dict[str, Path]) -> Path:
    """The old site with its build state, back where it was built (the state names its folder, and the
    files keep their times): the next build is an incremental one."""
    folder = sites["old"]
    shutil.rmtree(folder)
    shutil.copytree(sites["pristine"], folder, copy_function=shutil.copy2)
    return folder / "site"


def test_a_state_file_that_is_a_folder_does_not_stop_publishing(sites: dict[str, Path]) -> None:
    out = _fresh_copy(sites)
    state = out.parent / ".site.build-state.json"
    state.unlink()
    state.mkdir()
    result = run(sites["new-content"], out)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "无法保存生成记录" in result.stderr
    assert snapshot(out) == snapshot(sites["new"] / "site")
