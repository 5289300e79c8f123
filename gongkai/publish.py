"""Write the site safely: render into a staging folder, publish it only when all went well.

A first build swaps the whole folder in (two renames). A rebuild of an existing site moves only its
new files in, each with an atomic rename, and removes what the new site no longer has: a rebuild
after one edit then touches a few files instead of recreating every folder of the site. Either way
nothing reaches `out` unless every page, download and PDF was written first, so a failed build
leaves the published site exactly as it was.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class SiteVanished(Exception):
    """The published folder a rebuild was updating was removed while the build ran."""


@contextmanager
def staging(out: Path, kept: set[str] | None = None) -> Iterator[Path]:
    """A fresh folder beside `out`; on success it is published into `out`, on any failure it is removed.

    `kept` (filled in during the block) makes this an update of the existing `out`: the staging folder
    then holds only new files, and the files of `out` named in `kept` stay as they are. Without it the
    staging folder holds the whole new site and replaces `out`.
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = out.parent / f".{out.name}.staging-{os.getpid()}"
    _remove(stage)
    stage.mkdir()
    try:
        yield stage
    except BaseException:
        _remove(stage)
        raise
    if kept is None:
        _swap(stage, out)
    elif out.is_dir():
        _merge(stage, out, kept)
    else:  # the site this build was updating went away while it ran: publishing would leave gaps
        _remove(stage)
        raise SiteVanished(f"生成过程中 {out} 被删除，未发布任何文件，请重新运行")


def _swap(stage: Path, out: Path) -> None:
    """Two renames on one file system: readers see the old site or the new one, never a mix."""
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        os.replace(out, old)
    os.replace(stage, out)
    _remove(old)


def _merge(stage: Path, out: Path, kept: set[str]) -> None:
    """Move each new file into `out` (one atomic rename each); remove files neither new nor kept."""
    new = _files(stage)
    made: set[str] = set()
    for path in new:
        folder = os.path.dirname(path)
        if folder not in made:
            os.makedirs(out / folder, exist_ok=True)
            made.add(folder)
        os.replace(stage / path, out / path)
    wanted = kept | set(new)
    for folder, _, files in os.walk(out, topdown=False):
        relative = os.path.relpath(folder, out)
        for name in files:
            path = name if relative == "." else f"{relative}/{name}"
            if path not in wanted:
                os.unlink(os.path.join(folder, name))
        if relative != "." and not os.listdir(folder):
            os.rmdir(folder)
    _remove(stage)


def _files(folder: Path) -> list[str]:
    """Every file under `folder`, as POSIX paths relative to it."""
    found = []
    for parent, _, files in os.walk(folder):
        relative = os.path.relpath(parent, folder)
        found += [name if relative == "." else f"{relative}/{name}" for name in files]
    return found


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
