"""Find the content files: content/site.yaml, content/<unit>/unit.yaml, content/<unit>/<year>/<kind>.yaml."""

from __future__ import annotations

import difflib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from gongkai.models import REPORT_KINDS
from gongkai.models.base import FIRST_YEAR, LAST_YEAR
from gongkai.problems import Finding, Severity

SITE_FILE = "site.yaml"
UNIT_FILE = "unit.yaml"
RESERVED = {"archive"}
UNIT_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
YEAR_DIR = re.compile(r"[0-9]{4}")  # not \d: that also matches other scripts' digits


@dataclass(frozen=True)
class Source:
    """One content file and what it holds."""

    path: Path
    kind: str  # "site", "unit" or a report kind such as "self-evaluation"
    unit: str | None = None
    year: int | None = None

    @property
    def report_id(self) -> str:
        return f"{self.unit}/{self.year}/{self.kind}"


@dataclass(frozen=True)
class MisplacedFile:
    """A file that is not where content belongs: reported, never read."""

    path: Path
    finding: Finding


def discover(root: Path) -> Iterator[Source | MisplacedFile]:
    """Every content file under `root`, site file first, then units and years in name order."""
    root = root.resolve()
    site = root / SITE_FILE
    if _inside(site, root):
        yield _source_or_refusal(Source(site, "site"))
    elif site.is_symlink():
        yield _outside(site)
    entries = _listing(root)
    if isinstance(entries, MisplacedFile):
        yield entries
        return
    for entry in entries:
        if _undecodable(entry):
            yield _bad_name(entry)
            continue
        if entry.name.startswith((".", "_")) or entry.name in RESERVED or entry.name == SITE_FILE:
            hidden = _hidden_content(entry, entry.name[1:] == SITE_FILE or _file_type(entry / UNIT_FILE) == "file")
            yield from [hidden] if hidden else []
            continue
        kind = _file_type(entry)
        if not _inside(entry, root):
            yield _outside(entry)
        elif kind == "dir":
            yield from _unit(entry, root)
        else:
            yield _odd(entry, kind) or _stray(entry, "内容文件夹顶层只放 site.yaml 和各单位的文件夹")


def _unit(folder: Path, root: Path) -> Iterator[Source | MisplacedFile]:
    unit = folder.name
    if not UNIT_ID.fullmatch(unit):
        yield MisplacedFile(
            folder,
            Finding("bad-folder-name", (), f"单位文件夹名“{unit}”只能用小写英文字母、数字和连字符（它会成为网址的一部分），如 huaihua-bjlxc"),
        )
        return
    entries = _listing(folder)
    if isinstance(entries, MisplacedFile):
        yield entries
        return
    unit_file = folder / UNIT_FILE
    yield _source_or_refusal(Source(unit_file, "unit", unit=unit)) if _inside(unit_file, root) else _outside(unit_file)
    for entry in entries:
        if _undecodable(entry):
            yield _bad_name(entry)
            continue
        if entry.name == UNIT_FILE or entry.name.startswith((".", "_")):
            hidden = _hidden_content(entry, bool(YEAR_DIR.fullmatch(entry.name[1:])) or entry.name[1:] == UNIT_FILE)
            yield from [hidden] if hidden else []
            continue
        kind = _file_type(entry)
        if not _inside(entry, root):
            yield _outside(entry)
        elif kind == "dir" and YEAR_DIR.fullmatch(entry.name):
            yield from _year(entry, root, unit, int(entry.name)) if _sane(entry) else [_year_out_of_range(entry)]
        else:
            yield _odd(entry, kind) or _stray(entry, "单位文件夹里只放 unit.yaml 和以四位年度命名的文件夹（如 2023）")


def _year(folder: Path, root: Path, unit: str, year: int) -> Iterator[Source | MisplacedFile]:
    entries = _listing(folder)
    if isinstance(entries, MisplacedFile):
        yield entries
        return
    for entry in entries:
        if _undecodable(entry):
            yield _bad_name(entry)
            continue
        if entry.name.startswith((".", "_")):
            hidden = _hidden_content(entry, entry.suffix.lower() in (".yaml", ".yml"))
            yield from [hidden] if hidden else []
            continue
        kind = _file_type(entry)
        if not _inside(entry, root):
            yield _outside(entry)
        elif kind == "dir":
            yield _stray(entry, "它是一个文件夹，而年度文件夹里只放报告的 YAML 文件", Severity.WARNING)
        elif entry.suffix == ".yaml" and entry.stem in REPORT_KINDS:
            yield _source_or_refusal(Source(entry, entry.stem, unit=unit, year=year))
        elif kind in ("special", "unreadable"):
            yield _odd(entry, kind) or _stray(entry, "年度文件夹里只放报告的 YAML 文件")
        elif entry.suffix.lower() in (".yaml", ".yml") and entry.suffix not in (".yaml", ".yml"):  # .YAML, .Yml
            yield _stray(entry, f"扩展名要写成小写的 .yaml，请改名为“{entry.stem}.yaml”")
        elif entry.suffix in (".yaml", ".yml"):
            yield _unknown_report(entry)
        else:
            yield _stray(entry, "年度文件夹里只放报告的 YAML 文件", Severity.WARNING)


def _undecodable(path: Path) -> bool:
    """A name that is not UTF-8 (from a zip made on another system): Python holds it with surrogates."""
    try:
        path.name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _bad_name(path: Path) -> MisplacedFile:
    shown = os.fsencode(path.name).decode("utf-8", "replace")
    return MisplacedFile(
        path,
        Finding("bad-file-name", (), f"文件名“{shown}”不是 UTF-8 编码（常见于其他系统打包的压缩文件），无法读取或发布：请重新命名"),
    )


def _listing(folder: Path) -> list[Path] | MisplacedFile:
    """The folder's entries in name order, or why they cannot be listed (no permission): never a traceback."""
    try:
        return sorted(folder.iterdir())
    except OSError as error:
        why = "没有读取权限，请检查文件夹权限" if isinstance(error, PermissionError) else "无法打开"
        return MisplacedFile(
            folder, Finding("unreadable-folder", (), f"无法读取文件夹“{folder.name}”（{why}），其中的报告都没有检查")
        )


def _file_type(path: Path) -> str:
    """"dir", "file", "special" (a pipe, socket or device: opening one may wait forever), "missing" or "unreadable".

    Asked of the entry itself, without opening it; a link is followed (where to is checked by _inside).
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "unreadable"
    return "dir" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "special"


def _odd(path: Path, kind: str) -> MisplacedFile | None:
    """A finding for an entry that is neither a plain file nor a folder, never opened."""
    if kind == "special":
        return _stray(path, "它不是普通文件（而是命名管道、套接字或设备），不会打开")
    if kind == "unreadable":
        return MisplacedFile(path, Finding("unreadable-file", (), f"无法读取“{path.name}”：请检查文件权限"))
    return None


def _source_or_refusal(source: Source) -> Source | MisplacedFile:
    """A content file that is a pipe or a device is refused before anything opens it (which would hang `check`)."""
    if _file_type(source.path) != "special":
        return source  # a missing or unreadable file is reported by the reader, at its name
    return MisplacedFile(
        source.path,
        Finding("special-file", (), f"“{source.path.name}”不是普通文件（而是命名管道、套接字或设备），不会读取：请换成普通的 YAML 文件"),
    )


def _hidden_content(path: Path, looks_like_content: bool) -> MisplacedFile | None:
    """A name starting with “.” is hidden in most file managers: say so when it holds what would be content.

    “._x.yaml” (left by macOS on a USB drive) and “.#x.yaml” (an editor's lock) are not a finance officer's files.
    """
    if not path.name.startswith(".") or path.name.startswith(("._", ".#")) or not looks_like_content:
        return None
    return _stray(path, f"名称以“.”开头的文件和文件夹会被跳过（在多数文件管理器中也看不见）；若它是内容，请改名为“{path.name[1:]}”")


def _sane(folder: Path) -> bool:
    return FIRST_YEAR <= int(folder.name) <= LAST_YEAR


def _year_out_of_range(folder: Path) -> MisplacedFile:
    return MisplacedFile(
        folder,
        Finding("bad-folder-name", (), f"年度文件夹“{folder.name}”超出范围：年度应在 {FIRST_YEAR} 到 {LAST_YEAR} 之间，未读取其中的文件"),
    )


def _inside(path: Path, root: Path) -> bool:
    """False for a link (or anything) that leads outside the content folder.

    Every path asked about lies in a folder already found inside, so only a link can lead out.
    """
    if not path.is_symlink():
        return True
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):  # Python 3.11 raises RuntimeError for a symlink loop
        return False
    return resolved == root or root in resolved.parents


def _outside(path: Path) -> MisplacedFile:
    return MisplacedFile(
        path,
        Finding(
            "outside-content",
            (),
            f"“{path.name}”是指向内容文件夹以外（或无法追踪）的链接，出于安全考虑不读取。请把文件本身复制到内容文件夹中",
        ),
    )


def _stray(path: Path, rule: str, severity: Severity = Severity.WARNING) -> MisplacedFile:
    return MisplacedFile(path, Finding("ignored-file", (), f"“{path.name}”不是内容文件，已忽略：{rule}", severity))


def _unknown_report(path: Path) -> MisplacedFile:
    names = [f"{kind}.yaml" for kind in REPORT_KINDS]
    close = difflib.get_close_matches(path.stem.lower(), list(REPORT_KINDS), n=1, cutoff=0.5)
    hint = f"你是不是想写“{close[0]}.yaml”？" if close else ""
    return MisplacedFile(
        path,
        Finding("unknown-file", (), f"不认识的报告文件名“{path.name}”。{hint}报告文件只能命名为：{'、'.join(names)}"),
    )
