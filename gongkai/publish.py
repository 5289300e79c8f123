"""Write the site safely: render into a staging folder, publish it in one atomic step when all went well.

The protocol (the engineers' section of the README says it in prose):
1. A build writes into `.site.staging-<pid>`, a sibling of `site/` on the same file system.
2. A rebuild of an existing site writes only what changed; every file it keeps is hard-linked from
   `site/` into the staging folder (no copy, same bytes and times), so the staging folder becomes the
   whole new site.
3. Publishing is one `renameat2(RENAME_EXCHANGE)` of the two folders: `site/` is the old complete site
   until that call and the new complete site after it. Readers and a kill see one or the other.
   A first build has no old site: one `rename(2)`.
4. The old site, now at the staging path, is removed.
5. Each run first removes what a killed run left (`.site.staging-*`, `.site.old-*` of processes that
   are gone) and says so. Where the file system cannot exchange (RENAME_EXCHANGE unsupported), a
   journal (`.site.publish`) is written before two renames, and the next run completes them.
A failed build removes its staging folder: `site/` stays exactly as it was.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


class SiteVanished(Exception):
    """The published folder a rebuild was updating was removed while the build ran."""


class PublishFailed(Exception):
    """The file system refused a step of publishing (permissions, disk full): a message, not a traceback."""


def _silent(_: str) -> None:
    """The default log of `staging`: say nothing."""


@contextmanager
def staging(
    out: Path, kept: set[str] | None = None, log: Callable[[str], None] = _silent,
    complete: Callable[[Path], None] | None = None,
) -> Iterator[Path]:
    """A fresh folder beside `out`; on success it replaces `out` atomically, on any failure it is removed.

    `kept` (filled in during the block) makes this an update of the existing `out`: the staging folder
    then holds only new files, and the files of `out` named in `kept` are linked into it before the switch.
    `complete` runs on the whole new site just before the switch (the search index is made of all pages).
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    recover(out, log)
    stage = _sibling(out, "staging")
    _remove(stage)
    stage.mkdir()
    try:
        yield stage
        if kept is not None:
            if not out.is_dir():  # the site this build was updating went away: its kept files are gone
                raise SiteVanished(f"生成过程中 {out} 被删除，未发布任何文件，请重新运行")
            _link_kept(out, stage, kept)
        if complete is not None:
            complete(stage)
    except BaseException:
        _remove(stage)
        raise
    try:
        _switch(stage, out)
    except OSError as error:
        _remove(stage)
        raise PublishFailed(_os_message(error, out)) from error


def recover(out: Path, log: Callable[[str], None] = _silent) -> None:
    """Finish what a killed run left: complete a journalled switch, remove staging and old folders."""
    journal = _sibling(out, "publish", pid=False)
    if journal.is_file():
        _complete_journal(journal, out)
        log(f"上次生成在发布途中中断，已完成发布：{out}")
    for leftover in sorted(out.parent.glob(f".{out.name}.staging-*")) + sorted(out.parent.glob(f".{out.name}.old-*")):
        if not _alive(leftover.name.rsplit("-", 1)[-1]):
            if _remove_old(leftover):
                log(f"已清理上次中断的生成留下的临时文件夹：{leftover.name}")
            else:
                log(f"注意：无法删除临时文件夹 {leftover}（可能有只读或正在使用的文件），请手动删除")


def _switch(stage: Path, out: Path) -> None:
    if not out.exists():
        os.rename(stage, out)
        return
    if _exchange(stage, out):
        _remove_old(stage)  # now the old site
        return
    _journalled_switch(stage, out)


def _journalled_switch(stage: Path, out: Path) -> None:
    """Two renames with a journal written first: a run killed between them is completed by the next."""
    old = _sibling(out, "old")
    journal = _sibling(out, "publish", pid=False)
    temporary = journal.with_name(journal.name + ".new")
    temporary.write_text(json.dumps({"stage": stage.name, "old": old.name}), encoding="utf-8")
    os.replace(temporary, journal)
    os.rename(out, old)
    os.rename(stage, out)
    journal.unlink()
    _remove_old(old)


def _complete_journal(journal: Path, out: Path) -> None:
    try:
        names = json.loads(journal.read_text(encoding="utf-8"))
        stage, old = str(names["stage"]), str(names["old"])
    except (OSError, ValueError, KeyError, TypeError):
        journal.unlink()
        return
    ours = f".{out.name}."
    if not (stage.startswith(ours) and old.startswith(ours) and "/" not in stage + old):
        journal.unlink()  # not a journal this module wrote: touch nothing it names
        return
    if not out.exists() and (out.parent / stage).is_dir():
        os.rename(out.parent / stage, out)
    journal.unlink()
    _remove_old(out.parent / old)


# renameat2(2) is in glibc since 2.28; Python has no binding for it.
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step; False where the system or file system cannot."""
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    if function(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _link_kept(out: Path, stage: Path, kept: set[str]) -> None:
    """Make the staging folder the whole new site: the kept files of `out`, linked, beside the new ones.

    Plain strings and one walk of the (small) staging folder: this runs for every file of the site on
    every rebuild, so a Path object or a stat per file would be most of its cost.
    """
    written = set(_files(stage))
    source, target = str(out) + os.sep, str(stage) + os.sep
    folders = {os.path.dirname(path) for path in kept} - {""}
    for folder in sorted(folders):
        os.makedirs(target + folder, exist_ok=True)
    for path in kept:
        if path in written:
            continue  # written anew by this build
        try:
            os.link(source + path, target + path, follow_symlinks=False)
        except FileNotFoundError as error:
            raise SiteVanished(f"生成过程中 {out / path} 被删除，未发布任何文件，请重新运行") from error
        except OSError:  # a file system without hard links: copy, keeping the times the state records
            shutil.copy2(source + path, target + path, follow_symlinks=False)


def _files(folder: Path) -> list[str]:
    """Every file under `folder`, as POSIX paths relative to it."""
    found = []
    for parent, _, files in os.walk(folder):
        relative = os.path.relpath(parent, folder)
        found += [name if relative == "." else f"{relative}/{name}" for name in files]
    return found


def _sibling(out: Path, role: str, pid: bool = True) -> Path:
    return out.parent / (f".{out.name}.{role}-{os.getpid()}" if pid else f".{out.name}.{role}")


def _alive(pid: str) -> bool:
    """Whether the process that made a leftover folder still runs (then it is not a leftover)."""
    if not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _os_message(error: OSError, place: Path) -> str:
    where = error.filename or place
    if isinstance(error, PermissionError):
        return f"没有权限写入 {where}，未发布任何文件。请检查该文件夹的权限后重新运行"
    if error.errno == errno.ENOSPC:
        return f"磁盘空间不足，无法写入 {where}，未发布任何文件。请清理磁盘后重新运行"
    code = errno.errorcode.get(error.errno or 0, "未知")
    return f"无法写入 {where}（文件系统错误 {code}），未发布任何文件。请检查磁盘和文件夹权限后重新运行"


def _remove_old(path: Path) -> bool:
    """Remove a folder no longer published; the new site is out already, so a failure is only reported."""
    try:
        _remove(path)
    except OSError:
        return False
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
