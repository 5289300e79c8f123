"""Find the content files: content/site.yaml, content/<unit>/unit.yaml, content/<unit>/<year>/<kind>.yaml."""

from __future__ import annotations

import difflib
import re
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
        yield Source(site, "site")
    elif site.is_symlink():
        yield _outside(site)
    for entry in sorted(root.iterdir()):
        if entry.name.startswith((".", "_")) or entry.name in RESERVED or entry.name == SITE_FILE:
            continue
        if not _inside(entry, root):
            yield _outside(entry)
        elif entry.is_dir():
            yield from _unit(entry, root)
        else:
            yield _stray(entry, "内容文件夹顶层只放 site.yaml 和各单位的文件夹")


def _unit(folder: Path, root: Path) -> Iterator[Source | MisplacedFile]:
    unit = folder.name
    if not UNIT_ID.fullmatch(unit):
        yield MisplacedFile(
            folder,
            Finding("bad-folder-name", (), f"单位文件夹名“{unit}”只能用小写英文字母、数字和连字符（它会成为网址的一部分），如 huaihua-bjlxc"),
        )
        return
    unit_file = folder / UNIT_FILE
    yield Source(unit_file, "unit", unit=unit) if _inside(unit_file, root) else _outside(unit_file)
    for entry in sorted(folder.iterdir()):
        if entry.name == UNIT_FILE or entry.name.startswith((".", "_")):
            continue
        if not _inside(entry, root):
            yield _outside(entry)
        elif entry.is_dir() and YEAR_DIR.fullmatch(entry.name):
            yield from _year(entry, root, unit, int(entry.name)) if _sane(entry) else [_year_out_of_range(entry)]
        else:
            yield _stray(entry, "单位文件夹里只放 unit.yaml 和以四位年度命名的文件夹（如 2023）")


def _year(folder: Path, root: Path, unit: str, year: int) -> Iterator[Source | MisplacedFile]:
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if not _inside(entry, root):
            yield _outside(entry)
        elif entry.is_dir():
            yield _stray(entry, "年度文件夹里只放报告的 YAML 文件", Severity.WARNING)
        elif entry.suffix == ".yaml" and entry.stem in REPORT_KINDS:
            yield Source(entry, entry.stem, unit=unit, year=year)
        elif entry.suffix in (".yaml", ".yml"):
            yield _unknown_report(entry)
        else:
            yield _stray(entry, "年度文件夹里只放报告的 YAML 文件", Severity.WARNING)


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
