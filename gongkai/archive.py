"""The yearly archive: a frozen year is a BagIt bag in content/archive/<year>/. The only bagit importer.

A bag holds every published file of the year's reports (page, PDF, downloads) under data/site/ and the
YAML sources under data/content/, with SHA-256 checksums. Later builds copy frozen files from the bag
instead of rendering them again, so template or style changes never rewrite an archived year. A frozen
report may change only through a recorded correction (更正记录); its original files then stay
published beside it at <unit>/<year>-<freeze date>/.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import shutil
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import bagit

from gongkai.content import Content, ReportEntry
from gongkai.problems import Finding
from gongkai.reader import read_document

ARCHIVE = "archive"
SITE, SOURCES = "site", "content"


@dataclass(frozen=True)
class FrozenYear:
    """What a year's bag says was published, read from its manifest (cheap; not yet verified)."""

    year: int
    bag: Path
    frozen_on: dt.date
    site_files: dict[str, str]  # site path -> sha256
    source_files: dict[str, str]  # content path -> sha256

    def report_files(self, entry: ReportEntry) -> dict[str, str]:
        """The frozen site files of one report: everything under <unit>/<year>/."""
        prefix = f"{entry.unit.id}/{entry.year}/"
        return {p: h for p, h in self.site_files.items() if p.startswith(prefix)}

    def original_folder(self, entry: ReportEntry) -> str:
        """Where the original files of a corrected report stay published: a sibling of <year>/."""
        return f"{entry.unit.id}/{entry.year}-{self.frozen_on.isoformat()}"


@dataclass(frozen=True)
class ReportState:
    """How the build treats one report of a frozen year."""

    entry: ReportEntry
    frozen: FrozenYear
    corrected: bool  # False: publish the frozen files as they are


def frozen_years(root: Path) -> dict[int, FrozenYear]:
    folder = root / ARCHIVE
    years = {}
    for bag_dir in sorted(folder.iterdir()) if folder.is_dir() else []:
        if bag_dir.is_dir() and bag_dir.name.isdigit():
            years[int(bag_dir.name)] = _read_bag(bag_dir)
    return years


def _read_bag(bag_dir: Path) -> FrozenYear:
    site, sources = {}, {}
    for line in (bag_dir / "manifest-sha256.txt").read_text(encoding="utf-8").splitlines():
        digest, _, path = line.partition(" ")
        path = path.strip()
        if path.startswith(f"data/{SITE}/"):
            site[path[len(f"data/{SITE}/"):]] = digest
        elif path.startswith(f"data/{SOURCES}/"):
            sources[path[len(f"data/{SOURCES}/"):]] = digest
    info = _bag_info(bag_dir)
    return FrozenYear(int(bag_dir.name), bag_dir, dt.date.fromisoformat(info["Bagging-Date"]), site, sources)


def _bag_info(bag_dir: Path) -> dict[str, str]:
    info = {}
    for line in (bag_dir / "bag-info.txt").read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


# Deciding, before anything is written, what a build may do with each frozen report.


def plan(content: Content, frozen: dict[int, FrozenYear]) -> tuple[list[ReportState], list[tuple[Path, Finding]]]:
    states, findings = [], []
    for entry in content.reports:
        year = frozen.get(entry.year)
        if year is None or not year.report_files(entry):
            continue
        source = _content_path(content.root, entry.source)
        if year.source_files.get(source) == _sha256(entry.source):
            states.append(ReportState(entry, year, corrected=False))
        elif _newly_corrected(entry, year, content.root):
            states.append(ReportState(entry, year, corrected=True))
        else:
            findings.append((entry.source, _edited(entry, year)))
    findings.extend(_vanished(content, frozen))
    return states, findings


def _newly_corrected(entry: ReportEntry, year: FrozenYear, root: Path) -> bool:
    """A change to a frozen report is allowed when it adds an entry to its 更正记录."""
    frozen_source = year.bag / "data" / SOURCES / _content_path(root, entry.source)
    before = read_document(frozen_source).data if frozen_source.is_file() else None
    before_log = before.get("更正记录") if isinstance(before, dict) else None
    return len(entry.listing.corrections) > len(before_log or [])


def _edited(entry: ReportEntry, year: FrozenYear) -> Finding:
    return Finding(
        "frozen-changed",
        (),
        f"{entry.year}年度已于{year.frozen_on.isoformat()}归档，此文件与归档时不同（源文件被修改）。"
        "已发布的报告不能悄悄修改：请撤销修改，或在“更正记录”中新增一条更正（日期、内容、原因）",
    )


def _vanished(content: Content, frozen: dict[int, FrozenYear]) -> Iterator[tuple[Path, Finding]]:
    present = {_content_path(content.root, e.source) for e in content.reports}
    for year in frozen.values():
        for source in sorted(set(year.source_files) - present):
            yield content.root / source, Finding(
                "frozen-removed", (), f"{year.year}年度已归档，但源文件 {source} 已被删除或移走；已归档的报告不能撤下"
            )


# Writing a frozen year's files into the site being built.


def publish_frozen(state: ReportState, stage: Path) -> str | None:
    """Copy a report's frozen files (or, if corrected, its originals beside the new version).

    Returns the folder of the originals for a corrected report. Refuses a damaged archive.
    """
    files = state.frozen.report_files(state.entry)
    prefix = f"{state.entry.unit.id}/{state.entry.year}/"
    target_folder = state.frozen.original_folder(state.entry) + "/" if state.corrected else prefix
    for path, digest in files.items():
        source = state.frozen.bag / "data" / SITE / path
        data = source.read_bytes()
        if hashlib.sha256(data).hexdigest() != digest:
            raise ArchiveDamaged(f"归档文件已损坏：{source}（SHA-256 与归档清单不符）。请运行 python build.py verify 检查")
        target = stage / (target_folder + path[len(prefix):])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return state.frozen.original_folder(state.entry) if state.corrected else None


class ArchiveDamaged(Exception):
    """A frozen file no longer matches its checksum: never publish it."""


# Freezing a year and checking it later.


def freeze(root: Path, site_dir: Path, year: int, content: Content, today: dt.date) -> Path:
    """Write content/archive/<year>/ as a BagIt bag of the year's published files and sources."""
    reports = [e for e in content.reports if e.year == year]
    folder = root / ARCHIVE
    work = folder / f".{year}.new"
    shutil.rmtree(work, ignore_errors=True)
    for entry in reports:
        for path in sorted((site_dir / entry.unit.id / str(year)).rglob("*")):
            if path.is_file():
                _copy(path, work / SITE / path.relative_to(site_dir))
        _copy(entry.source, work / SOURCES / _content_path(root, entry.source))
    bagit.make_bag(
        str(work),
        {
            "Source-Organization": content.config.publisher,
            "External-Description": f"{content.config.title}：{year}年度公开的报告及其源数据",
            "Bagging-Date": today.isoformat(),
            "External-Identifier": f"gongkai-{year}",
        },
        checksums=["sha256"],
    )
    final = folder / str(year)
    old = folder / f".{year}.old"
    if final.exists():
        os.replace(final, old)
    os.replace(work, final)
    shutil.rmtree(old, ignore_errors=True)
    return final


def verify(root: Path, site_dir: Path, years: list[int] | None = None) -> list[str]:
    """Every way the bags, or the published files, differ from what was frozen (empty when all is well)."""
    messages = []
    for year, frozen in frozen_years(root).items():
        if years and year not in years:
            continue
        messages.extend(_verify_bag(frozen))
        messages.extend(_verify_site(frozen, site_dir))
    return messages


def _verify_bag(frozen: FrozenYear) -> list[str]:
    try:
        bagit.Bag(str(frozen.bag)).validate()
    except bagit.BagValidationError:
        # bagit stops at the first summary mismatch (Payload-Oxum); name every file that differs.
        return [f"{frozen.bag}: 归档包校验失败：{detail}" for detail in _bag_differences(frozen)] or [
            f"{frozen.bag}: 归档包校验失败（清单或标签文件不一致）"
        ]
    except bagit.BagError as error:
        return [f"{frozen.bag}: 归档包无法读取：{error}"]
    return []


def _bag_differences(frozen: FrozenYear) -> list[str]:
    listed = {f"data/{SITE}/{p}": h for p, h in frozen.site_files.items()}
    listed.update({f"data/{SOURCES}/{p}": h for p, h in frozen.source_files.items()})
    found = {p.relative_to(frozen.bag).as_posix() for p in (frozen.bag / "data").rglob("*") if p.is_file()}
    differences = []
    for path, digest in sorted(listed.items()):
        if path not in found:
            differences.append(f"{path} 缺失")
        elif _sha256(frozen.bag / path) != digest:
            differences.append(f"{path} 已被修改（SHA-256 不符）")
    differences.extend(f"{path} 是多出来的文件" for path in sorted(found - listed.keys()))
    return differences


def _verify_site(frozen: FrozenYear, site_dir: Path) -> list[str]:
    """The published copy of each frozen file: where it should be, byte for byte."""
    messages = []
    expected = _published_places(frozen, site_dir)
    for place, digest in sorted(expected.items()):
        path = site_dir / place
        if not path.is_file():
            messages.append(f"{path}: 缺失（{frozen.year}年度归档中有此文件）")
        elif _sha256(path) != digest:
            messages.append(f"{path}: 已被修改（SHA-256 与{frozen.year}年度归档清单不符）")
    folders = {place.rsplit("/", 1)[0] for place in expected}
    for folder in sorted(folders):
        for path in sorted((site_dir / folder).glob("*")):
            place = path.relative_to(site_dir).as_posix()
            if path.is_file() and place not in expected:
                messages.append(f"{path}: 多出的文件（不在{frozen.year}年度归档中）")
    return messages


def _published_places(frozen: FrozenYear, site_dir: Path) -> dict[str, str]:
    """Frozen files map to their own address, or to the originals folder once their report was corrected."""
    places = {}
    for path, digest in frozen.site_files.items():
        unit, year_part, rest = path.split("/", 2)
        original = f"{unit}/{year_part}-{frozen.frozen_on.isoformat()}/{rest}"
        places[original if (site_dir / original).exists() else path] = digest
    return places


def write_package(bag: Path, target: Path) -> None:
    """The bag as one tar file for an archive office: sorted, with fixed owners and dates."""
    stamp = dt.datetime.fromisoformat(_bag_info(bag)["Bagging-Date"]).replace(tzinfo=dt.UTC).timestamp()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(p for p in bag.rglob("*") if p.is_file()):
            info = tarfile.TarInfo(f"{bag.name}/{path.relative_to(bag).as_posix()}")
            data = path.read_bytes()
            info.size, info.mtime, info.mode = len(data), int(stamp), 0o644
            tar.addfile(info, io.BytesIO(data))
    target.write_bytes(buffer.getvalue())


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def _content_path(root: Path, path: Path) -> str:
    return path.resolve().relative_to(root.resolve()).as_posix()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
