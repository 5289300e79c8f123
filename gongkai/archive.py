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

from gongkai import corrections
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


class ArchiveUnreadable(Exception):
    """A bag, or the list of sealed years, that cannot be read as Gongkai wrote it."""


# One line per frozen year, written by `archive` beside the bags: "<year> <SHA-256 of its tagmanifest>".
# It names the years that must exist and fixes each bag's tag manifest, so deleting a year's folder or
# rewriting a bag consistently (payload, manifest and tagmanifest together) is still found.
SEALS = "seals.txt"


@dataclass(frozen=True)
class Archive:
    """The frozen years that could be read, and what is wrong with the rest (folder -> one sentence)."""

    years: dict[int, FrozenYear]
    damaged: dict[Path, str]


def read_archive(root: Path) -> Archive:
    folder = root / ARCHIVE
    years: dict[int, FrozenYear] = {}
    damaged: dict[Path, str] = {}
    try:
        seals = read_seals(folder)
    except ArchiveUnreadable as error:
        seals, damaged[folder / SEALS] = {}, str(error)
    bags = sorted(p for p in folder.iterdir() if p.name.isdigit()) if folder.is_dir() else []
    for bag_dir in bags:
        try:
            years[int(bag_dir.name)] = _read_bag(bag_dir)
        except ArchiveUnreadable as error:
            damaged[bag_dir] = str(error)
    for year in sorted(set(seals) - {int(p.name) for p in bags}):
        damaged[folder / str(year)] = (f"{year}年度已归档（见 {SEALS}），但归档包文件夹 {folder / str(year)} 不见了"
                                       f"（若是归档中途中断，请重新运行 python build.py archive {year}）")
    return Archive(years, damaged)


def frozen_years(root: Path) -> dict[int, FrozenYear]:
    return read_archive(root).years


def read_seals(folder: Path) -> dict[int, str]:
    path = folder / SEALS
    if not path.is_file():
        return {}
    seals = {}
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        year, _, digest = line.strip().partition(" ")
        if not (year.isascii() and year.isdigit() and len(digest) == 64 and _is_hex(digest)):
            raise ArchiveUnreadable(f"{path} 第 {number} 行无法读取（应为“年度 SHA-256”），归档记录可能被改动")
        seals[int(year)] = digest
    return seals


def _write_seal(folder: Path, year: int, bag: Path) -> str:
    seals = read_seals(folder)
    seals[year] = _sha256(bag / "tagmanifest-sha256.txt")
    temporary = folder / f".{SEALS}.new"
    temporary.write_text("".join(f"{y} {d}\n" for y, d in sorted(seals.items())), encoding="utf-8")
    os.replace(temporary, folder / SEALS)
    return seals[year]


def _read_bag(bag_dir: Path) -> FrozenYear:
    """The manifest of a bag: every line a SHA-256 and a path under data/; refuses anything else."""
    if bag_dir.is_symlink() or not bag_dir.is_dir():
        raise ArchiveUnreadable(f"{bag_dir} 不是归档包文件夹（归档包必须是普通文件夹，不能是链接或文件）")
    site, sources = {}, {}
    for number, line in enumerate(_tag_file(bag_dir, "manifest-sha256.txt").splitlines(), 1):
        digest, _, path = line.partition(" ")
        path = path.strip()
        if len(digest) != 64 or not _is_hex(digest) or not path.startswith("data/"):
            raise ArchiveUnreadable(f"{bag_dir / 'manifest-sha256.txt'} 第 {number} 行无法读取，归档清单已损坏")
        if path.startswith(f"data/{SITE}/"):
            site[path[len(f"data/{SITE}/"):]] = digest
        elif path.startswith(f"data/{SOURCES}/"):
            sources[path[len(f"data/{SOURCES}/"):]] = digest
    try:
        frozen_on = dt.date.fromisoformat(_bag_info(bag_dir)["Bagging-Date"])
    except (KeyError, ValueError) as error:
        raise ArchiveUnreadable(f"{bag_dir / 'bag-info.txt'} 中的归档日期（Bagging-Date）无法读取") from error
    return FrozenYear(int(bag_dir.name), bag_dir, frozen_on, site, sources)


def _tag_file(bag_dir: Path, name: str) -> str:
    path = bag_dir / name
    if path.is_symlink() or not path.is_file():
        raise ArchiveUnreadable(f"归档包缺少 {path}（或它不是普通文件），无法核对")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ArchiveUnreadable(f"{path} 无法读取，归档包已损坏") from error


def _bag_info(bag_dir: Path) -> dict[str, str]:
    info = {}
    for line in _tag_file(bag_dir, "bag-info.txt").splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)


# Deciding, before anything is written, what a build may do with each frozen report.


def plan(content: Content, frozen: dict[int, FrozenYear]) -> tuple[list[ReportState], list[tuple[Path, Finding]]]:
    """Each frozen report: published as frozen, or corrected — when every change against the sealed
    source is one that its 更正记录 names (field, old value, new value). Anything else is refused."""
    states, findings = [], []
    for entry in content.reports:
        year = frozen.get(entry.year)
        if year is None or not year.report_files(entry):
            continue
        source = _content_path(content.root, entry.source)
        if year.source_files.get(source) == _sha256(entry.source):
            states.append(ReportState(entry, year, corrected=False))
            continue
        sealed = year.bag / "data" / SOURCES / source
        try:
            problems = list(corrections.unrecorded(_sealed_data(sealed), entry.document.data, year.year, year.frozen_on))
        except ArchiveDamaged as error:
            problems = [Finding("archive-damaged", (), str(error))]
        if problems:
            findings.extend((entry.source, finding) for finding in problems)
        else:
            new_entries = len(entry.listing.corrections) > len(_sealed_log(sealed))
            states.append(ReportState(entry, year, corrected=new_entries))
    findings.extend(_vanished(content, frozen))
    return states, findings


def _sealed_data(path: Path) -> object:
    """The source as frozen (its bytes were checked against the manifest by `verify`; here, read them)."""
    if path.is_symlink() or not path.is_file():
        raise ArchiveDamaged(f"归档包中缺少源文件 {path}。请运行 python build.py verify 检查")
    return read_document(path).data


def _sealed_log(path: Path) -> list[object]:
    data = _sealed_data(path)
    log = data.get(corrections.LOG) if isinstance(data, dict) else None
    return log if isinstance(log, list) else []


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
    for (path, digest), place in zip(files.items(), published_paths(state), strict=True):
        target = stage / place
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(sealed_bytes(state.frozen, path, digest))
    return state.frozen.original_folder(state.entry) if state.corrected else None


def published_paths(state: ReportState) -> list[str]:
    """The site paths `publish_frozen` writes for a report."""
    prefix = f"{state.entry.unit.id}/{state.entry.year}/"
    target_folder = state.frozen.original_folder(state.entry) + "/" if state.corrected else prefix
    return [target_folder + path[len(prefix):] for path in state.frozen.report_files(state.entry)]


def sealed_bytes(frozen: FrozenYear, path: str, digest: str) -> bytes:
    """A frozen site file as the bag holds it, refused unless it is a regular file with its checksum."""
    source = frozen.bag / "data" / SITE / path
    if source.is_symlink() or not source.is_file():
        raise ArchiveDamaged(f"归档文件缺失或不是普通文件：{source}。请运行 python build.py verify 检查")
    data = source.read_bytes()
    if hashlib.sha256(data).hexdigest() != digest:
        raise ArchiveDamaged(f"归档文件已损坏：{source}（SHA-256 与归档清单不符）。请运行 python build.py verify 检查")
    return data


class ArchiveDamaged(Exception):
    """A frozen file no longer matches its checksum: never publish it."""


# Freezing a year and checking it later.


def freeze(root: Path, site_dir: Path, year: int, content: Content, today: dt.date) -> Path:
    """Write content/archive/<year>/ as a BagIt bag of the year's published files and sources, and
    record its seal (the SHA-256 of its tag manifest) in content/archive/seals.txt."""
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
    _write_seal(folder, year, work)  # first: a run killed before the rename is redone by `archive` again
    if final.exists():
        shutil.rmtree(final)
    os.rename(work, final)
    return final


def seal_of(bag: Path) -> str:
    """What an archive office records of a bag: the SHA-256 of its tag manifest."""
    return _sha256(bag / "tagmanifest-sha256.txt")


def verify(root: Path, site_dir: Path, years: list[int] | None = None) -> list[str]:
    """Every way the bags, or the published files, differ from what was frozen (empty when all is well)."""
    found = read_archive(root)
    messages = [f"{path}: {why}" for path, why in sorted(found.damaged.items())
                if not years or not path.name.isdigit() or int(path.name) in years]
    seals = {} if root / ARCHIVE / SEALS in found.damaged else read_seals(root / ARCHIVE)
    for year, frozen in found.years.items():
        if years and year not in years:
            continue
        messages.extend(_verify_seal(frozen, seals.get(year)))
        messages.extend(_verify_bag(frozen))
        messages.extend(_verify_site(frozen, root, site_dir))
    return messages


def _verify_seal(frozen: FrozenYear, seal: str | None) -> list[str]:
    tags = frozen.bag / "tagmanifest-sha256.txt"
    if tags.is_symlink() or not tags.is_file():
        return [f"{tags}: 标签清单缺失，归档包无法核对（它记录了清单本身的校验码）"]
    if seal is None:
        return [f"{frozen.bag}: {SEALS} 中没有{frozen.year}年度的封存记录，无法确认归档包未被整体替换"]
    if _sha256(tags) != seal:
        return [f"{tags}: 与封存记录（{SEALS}）不符，归档包在归档后被改写"]
    return []


def _verify_bag(frozen: FrozenYear) -> list[str]:
    links = [p for p in frozen.bag.rglob("*") if p.is_symlink()]
    if links:
        return [f"{p}: 是符号链接，归档包中只能有普通文件" for p in sorted(links)]
    differences = _bag_differences(frozen)
    if differences:
        return [f"{frozen.bag}: 归档包校验失败：{detail}" for detail in differences]
    try:
        bagit.Bag(str(frozen.bag)).validate()
    except bagit.BagError:  # its English text is no help to a reader: say what failed in Chinese
        return [f"{frozen.bag}: 归档包校验失败（标签文件 bagit.txt、bag-info.txt 或标签清单与内容不一致）"]
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


def _verify_site(frozen: FrozenYear, root: Path, site_dir: Path) -> list[str]:
    """Each frozen file where it should be, byte for byte, and every file of a frozen report's folders."""
    messages = []
    expected, live = _published_places(frozen, root, site_dir)
    for place, digest in sorted(expected.items()):
        path = site_dir / place
        if path.is_symlink():
            messages.append(f"{path}: 是符号链接，不是归档时的文件（{frozen.year}年度归档）")
        elif not path.is_file():
            messages.append(f"{path}: 缺失（{frozen.year}年度归档中有此文件）")
        elif _sha256(path) != digest:
            messages.append(f"{path}: 已被修改（SHA-256 与{frozen.year}年度归档清单不符）")
    for place in sorted(live):  # a corrected report: its new version has every file the frozen one had
        path = site_dir / place
        if path.is_symlink() or not path.is_file():
            messages.append(f"{path}: 缺失（{frozen.year}年度已更正报告的现行版本中应有此文件）")
    folders = {place.rsplit("/", 1)[0] for place in [*expected, *live]}
    for folder in sorted(folders):
        for path in sorted((site_dir / folder).glob("*")):
            place = path.relative_to(site_dir).as_posix()
            if (path.is_file() or path.is_symlink()) and place not in expected and place not in live:
                messages.append(f"{path}: 多出的文件（不在{frozen.year}年度归档中）")
    return messages


def _published_places(frozen: FrozenYear, root: Path, site_dir: Path) -> tuple[dict[str, str], set[str]]:
    """Where each frozen file must be published, and the files of corrected reports' new versions.

    A report counts as corrected when its source differs from the sealed one and its originals are
    published: then the frozen files sit in the originals folder and the live folder holds the new version.
    """
    changed = {source for source, digest in frozen.source_files.items()
               if not (root / source).is_file() or _sha256(root / source) != digest}
    changed_reports = {_report_folder(source) for source in changed}
    places, live = {}, set()
    for path, digest in frozen.site_files.items():
        unit, year_part, rest = path.split("/", 2)
        original = f"{unit}/{year_part}-{frozen.frozen_on.isoformat()}/{rest}"
        if f"{unit}/{year_part}" in changed_reports and (site_dir / original).is_file():
            places[original] = digest
            live.add(path)
        else:
            places[path] = digest
    return places, live


def _report_folder(source: str) -> str:
    """content path <unit>/<year>/<kind>.yaml -> site folder <unit>/<year>."""
    return source.rsplit("/", 1)[0]


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
