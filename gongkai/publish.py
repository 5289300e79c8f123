"""Write the site atomically: render into a staging folder, swap it in only when all went well."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A fresh folder beside `out`; on success it replaces `out`, on any failure it is removed.

    A failed build therefore leaves the published site exactly as it was.
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
    _swap(stage, out)


def _swap(stage: Path, out: Path) -> None:
    """Two renames on one file system: readers see the old site or the new one, never a mix."""
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        os.replace(out, old)
    os.replace(stage, out)
    _remove(old)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
