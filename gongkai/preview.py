"""The preview's memory between rebuilds: re-read only changed files, re-render only what they touch.

The preview writes into its own folder (never the published site). When the content is invalid it
keeps the last good pages and remembers the problems, which the server shows over every page.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from gongkai import opendata, site
from gongkai.causes import Edit, Values, edits_since, fold_causes, values_of
from gongkai.content import Content, ReportEntry
from gongkai.downloads import Download, write_downloads
from gongkai.incremental import UnitCheck, digest
from gongkai.models.base import Strict
from gongkai.outputs import report_pdf, report_view
from gongkai.pipeline import ReadResult, load, read_source
from gongkai.problems import Problem, Report, display_file
from gongkai.render import TEMPLATES, copy_assets, environment, template_problem, write_feeds, write_page
from gongkai.sources import Source

# Templates only report pages use; a change to one of them leaves the index pages alone, and back.
REPORT_TEMPLATES = ("report-", "_report-", "_corrections", "pdf/")
SHARED_TEMPLATES = ("base.html", "macros.html", "assets/")

# (modification time, change time, inode, size): a file copied in with its old modification time
# (`cp -p`, a file manager's copy) still has a new change time, and a new inode if it replaced another.
Stamp = tuple[int, int, int, int]


@dataclass(frozen=True)
class Rebuild:
    """What one rebuild did, for the terminal line and the tests."""

    changed: list[str]
    reports: int
    indexes: int
    problems: list[Problem]
    seconds: float
    kept: bool = True  # the last good pages are still there to show under the problems

    @property
    def ok(self) -> bool:
        return not any(p.severity.value == "error" for p in self.problems)

    def line(self) -> str:
        what = "、".join(self.changed[:3]) + ("等" if len(self.changed) > 3 else "") if self.changed else "无变化"
        if not self.ok:
            errors = sum(p.severity.value == "error" for p in self.problems)
            kept = "页面保持上一次正确的版本" if self.kept else "改正后才能预览"
            return f"{what} → 发现 {errors} 个错误（浏览器中显示），{kept}，{self.seconds:.2f} 秒"
        return f"{what} → 重新生成 {self.reports} 份报告、{self.indexes} 个其他页面，{self.seconds:.2f} 秒"


@dataclass
class Session:
    root: Path
    out: Path
    templates: Path = TEMPLATES
    cache: Path | None = None
    problems: list[Problem] = field(default_factory=list)
    content: Content | None = None
    _env: jinja2.Environment = field(init=False)
    _reads: dict[Path, tuple[tuple[Stamp, type], ReadResult]] = field(default_factory=dict)
    _units: dict[str, UnitCheck] = field(default_factory=dict)  # each unit's checks, while its files are unchanged
    _seen: dict[Path, Stamp] = field(default_factory=dict)
    _rendered: dict[str, str] = field(default_factory=dict)  # output key -> fingerprint of its inputs
    # Each file's values when the content last had no error: the one value edited since explains the errors.
    _clean: dict[Path, tuple[Stamp, Values]] = field(default_factory=dict)
    edit: Edit | None = None

    def __post_init__(self) -> None:
        self._env = environment(self.templates)
        self.out.mkdir(parents=True, exist_ok=True)
        if not (self.out / site.ASSETS).exists():  # the favicon and styles, even while nothing can be built yet
            copy_assets(self.templates, self.out)

    def rebuild(self) -> Rebuild:
        """Bring the preview up to date with the files on disk."""
        started = time.perf_counter()
        changed = self._changed_files()
        loaded = load(self.root, self._read, self._units)
        self._units = loaded.units
        if not loaded.report.ok or loaded.content is None:
            self.problems = loaded.report.sorted()
            self.edit = self._edit()
            return Rebuild(changed, 0, 0, self.problems, time.perf_counter() - started, self.content is not None)
        try:
            reports, indexes = self._write(loaded.content)
        except jinja2.TemplateError as error:
            self.problems, self.edit = [template_problem(error, self.templates)], None
            self._rendered.clear()  # render everything again once the template is mended
            return Rebuild(changed, 0, 0, self.problems, time.perf_counter() - started)
        self.problems = loaded.report.sorted()  # warnings only
        self.content = loaded.content
        self._remember_clean()
        return Rebuild(changed, reports, indexes, self.problems, time.perf_counter() - started)

    def folded(self) -> list[Problem]:
        """The problems as shown: one cause leading the errors it explains (the edit since the last clean state)."""
        return fold_causes(self.problems, self.edit)

    def _remember_clean(self) -> None:
        self.edit = None
        for path, ((stamp, _), (document, _, _)) in self._reads.items():
            if file_stamp(path) != stamp:
                self._clean.pop(path, None)  # gone (or changed since it was read): no longer known
            elif self._clean.get(path, (None,))[0] != stamp:
                self._clean[path] = (stamp, values_of(document))

    def _edit(self) -> Edit | None:
        """The one value edited since the last clean rebuild, if exactly one was (and no file came or went)."""
        if not self._clean or any(file_stamp(path) != stamp for path, (stamp, _) in self._clean.items()
                                  if path not in self._reads):
            return None
        changed = {}
        for path, ((stamp, _), (document, _, _)) in self._reads.items():
            known = self._clean.get(path)
            if known is None or file_stamp(path) != stamp:
                return None  # a new file, or one not read again yet
            if known[0] != stamp:
                changed[path] = document
        return edits_since({p: self._clean[p][1] for p in changed}, changed) if changed else None

    def pdf(self, path: str) -> bool:
        """Render a report's PDF the first time it is asked for; PDFs never hold up the HTML."""
        entry = next((e for e in (self.content.reports if self.content else []) if site.pdf_path(e) == path), None)
        if entry is None or self.content is None:
            return False
        if not (self.out / path).is_file():
            report_pdf(self._env, self.content, entry, self.out, self.templates, self.cache)
        return True

    # Reading: a file is read again only when its stamp changed.

    def _read(self, source: Source, model_class: type[Strict]) -> ReadResult:
        stamp = file_stamp(source.path)
        cached = self._reads.get(source.path)
        # The model counts too: a 预算 read against another 表样 (site.yaml changed) is read again.
        if cached is None or cached[0] != (stamp, model_class):
            cached = ((stamp, model_class), read_source(source, model_class))
            self._reads[source.path] = cached
        return cached[1]

    def _changed_files(self) -> list[str]:
        now = {p: file_stamp(p) for folder in (self.root, self.templates) for p in folder.rglob("*") if p.is_file()}
        changed = sorted({p for p in now if self._seen.get(p) != now[p]} | (self._seen.keys() - now.keys()))
        first = not self._seen
        self._seen = now
        return ["首次生成"] if first else [display_file(p) for p in changed]

    # Writing: each output is keyed by a fingerprint of exactly the inputs it is made from.

    def _write(self, content: Content) -> tuple[int, int]:
        ids = {e.id for e in content.reports}
        if ids != {key[len("report:"):] for key in self._rendered if key.startswith("report:")}:
            self._start_over()  # a report came or went: addresses and listings all change
        site_print = digest(str(file_stamp(content.site_document.path)), content.years())
        report_templates = self._templates_print(reports=True)  # once per rebuild: it walks every stamp
        reports = sum(self._write_report(content, e, digest(site_print, report_templates)) for e in content.reports)
        indexes = self._write_indexes(content, digest(site_print, self._templates_print(reports=False)))
        if reports or indexes:  # the home page links the open data, made of every report's long file
            opendata.write_open_data(self.out, content)
        return reports, indexes

    def _write_report(self, content: Content, entry: ReportEntry, inputs: str) -> int:
        key = f"report:{entry.id}"
        fingerprint = digest(inputs, str(file_stamp(entry.unit.source)), str(file_stamp(entry.source)))
        if self._rendered.get(key) == fingerprint:
            return 0
        (self.out / site.pdf_path(entry)).unlink(missing_ok=True)  # stale: made again when asked for
        view = report_view(entry)
        downloads = write_downloads(entry, list(view["tables"].values()), self.out)
        pending = Download("报告全文（PDF 存档版）", "PDF", site.pdf_path(entry), 0, None)
        view.update(downloads=[pending, *downloads], pdf_pending=True)
        write_page(self._env, content, self.out, site.report_page(entry), view)
        self._rendered[key] = fingerprint
        return 1

    def _write_indexes(self, content: Content, inputs: str) -> int:
        listing = [(r.id, r.listing, r.unit.name) for r in content.reports]
        units = [str(file_stamp(u.source)) for u in content.units.values()]
        fingerprint = digest(inputs, repr(listing), *units)
        if self._rendered.get("indexes") == fingerprint:
            return 0
        pages = [p for p in site.pages(content) if "entry" not in p.context]
        for page in pages:
            write_page(self._env, content, self.out, page, {})
        write_feeds(self._env, content, self.out)
        shutil.rmtree(self.out / site.ASSETS, ignore_errors=True)
        copy_assets(self.templates, self.out)
        self._rendered["indexes"] = fingerprint
        return len(pages)

    def _templates_print(self, reports: bool) -> str:
        """Stamps of the templates report pages (or the other pages) are drawn with, shared ones included."""
        parts = []
        root = f"{self.templates}{os.sep}"
        for path, stamp in sorted(self._seen.items()):
            if not str(path).startswith(root):
                continue
            name = path.relative_to(self.templates).as_posix()
            is_report = name.startswith(REPORT_TEMPLATES)
            if name.startswith(SHARED_TEMPLATES) or is_report == reports:
                parts.append(f"{name}:{stamp}")
        return digest(*parts)

    def _start_over(self) -> None:
        shutil.rmtree(self.out, ignore_errors=True)
        self.out.mkdir(parents=True)
        self._rendered.clear()


def file_stamp(path: Path) -> Stamp:
    """What changes whenever a file is written, replaced or copied in, whatever times it was given."""
    try:
        status = path.stat()
    except OSError:
        return (0, 0, 0, -1)
    return (status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_size)


__all__ = ["Rebuild", "Report", "Session", "file_stamp"]
