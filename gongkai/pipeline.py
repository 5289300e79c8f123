"""The table of contents: find sources, read, validate, check; then (build) render and publish."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import jinja2

from gongkai import archive, incremental, outputs, pdf
from gongkai.checks import run_checks
from gongkai.checks.cross import cross_checks
from gongkai.checks.rules import Context
from gongkai.content import Content, ReportEntry, UnitEntry
from gongkai.models import REPORT_KINDS, SiteConfig, Unit
from gongkai.models.base import Strict
from gongkai.problems import FieldPath, Finding, Problem, Report, display_file, format_path
from gongkai.publish import staging
from gongkai.reader import Document, read_document
from gongkai.render import (
    TEMPLATES,
    copy_assets,
    environment,
    template_problem,
    write_feeds,
    write_pages,
)
from gongkai.sources import MisplacedFile, Source, discover
from gongkai.validate import validate

M = TypeVar("M", bound=Strict)
T = TypeVar("T")


def _quiet(_: str) -> None:
    """The default log: say nothing (the command line passes its own)."""


@dataclass
class Loaded:
    """Everything read from a content folder, valid or not, and what was wrong with it."""

    content: Content | None
    report: Report = field(default_factory=Report)
    # Reports of frozen years, by report id: published from their archive bag.
    frozen: dict[str, archive.ReportState] = field(default_factory=dict)


# How one source file is read: the document, its validated model (or None) and its problems.
ReadResult = tuple[Document, Strict | None, list[Problem]]
Read = Callable[[Source, type], ReadResult]


def read_source(source: Source, model_class: type[Strict]) -> ReadResult:
    """Read one file and validate it against its model."""
    document = read_document(source.path)
    problems = [_problem(source.path, document, f) for f in document.findings]
    if not document.readable:
        return document, None, problems
    model, findings = validate(document, model_class)
    return document, model, problems + [_problem(source.path, document, f) for f in findings]


def load(root: Path, read: Read = read_source) -> Loaded:
    """Read and validate every file; run every check. Writes nothing."""
    report = Report()
    if not (root / "site.yaml").is_file():
        report.extend([_problem(root / "site.yaml", None, Finding("missing-file", (), "找不到网站设置文件 site.yaml"))])
        return Loaded(None, report)
    sources: list[Source] = []
    for item in discover(root):
        if isinstance(item, MisplacedFile):
            report.extend([_problem(item.path, None, item.finding)])
        else:
            sources.append(item)
    if not sources or sources[0].kind != "site":
        return Loaded(None, report)  # site.yaml was refused (e.g. a link outside content/): nothing to read it by
    content = _read_all(root, sources, report, read)
    if content is None:
        return Loaded(None, report)
    _check_all(content, report)
    return Loaded(content, report, _check_archive(content, report))


def check(root: Path) -> Report:
    """`check` is the build without the write."""
    return load(root).report


def _read_all(root: Path, sources: list[Source], report: Report, read: Read) -> Content | None:
    site_source, *rest = sources
    site_doc, config = _read(site_source, SiteConfig, report, read)
    if config is None:
        config = SiteConfig.model_construct()  # keep checking the other files
    content = Content(root=root, config=config, site_document=site_doc)
    for source in rest:
        if source.kind == "unit":
            _add_unit(content, source, report, read)
        else:
            _add_report(content, source, report, read)
    return content


def _add_unit(content: Content, source: Source, report: Report, read: Read) -> None:
    if not source.path.is_file():
        finding = Finding("missing-file", (), f"单位文件夹“{source.unit}”中缺少单位信息文件 unit.yaml")
        report.extend([_problem(source.path, None, finding)])
        return
    document, unit = _read(source, Unit, report, read)
    if unit is not None and source.unit:
        content.units[source.unit] = UnitEntry(source.unit, unit, document)


def _add_report(content: Content, source: Source, report: Report, read: Read) -> None:
    document, model = _read(source, REPORT_KINDS[source.kind], report, read)
    unit = content.units.get(source.unit or "")
    if model is None or unit is None or source.year is None:
        return
    if model.year != source.year:
        finding = Finding("year-mismatch", ("年度",), f"年度 {model.year} 与所在文件夹 {source.year} 不一致")
        report.extend([_problem(source.path, document, finding)])
    content.reports.append(ReportEntry(unit, source.year, source.kind, model, document))


def _read(source: Source, model_class: type[M], report: Report, read: Read) -> tuple[Document, M | None]:
    document, model, problems = read(source, model_class)
    report.extend(problems)
    return document, model  # type: ignore[return-value]


def _check_all(content: Content, report: Report) -> None:
    ctx = Context(tolerance=content.config.checking.rounding_tolerance)
    for entry in content.reports:
        findings = run_checks(entry.kind, entry.model, ctx)
        report.extend(_problem(entry.source, entry.document, f) for f in findings)
    # Across documents: after each report is checked alone, so each problem is reported where it lies.
    report.extend(_problem(entry.source, entry.document, f) for entry, f in cross_checks(content))


def _check_archive(content: Content, report: Report) -> dict[str, archive.ReportState]:
    """Frozen years stay frozen: a changed source needs a recorded correction."""
    years = archive.frozen_years(content.root)
    content.frozen = {year: frozen.frozen_on for year, frozen in years.items()}
    states, findings = archive.plan(content, years)
    documents = {r.source: r.document for r in content.reports}
    report.extend(_problem(path, documents.get(path), finding) for path, finding in findings)
    return {state.entry.id: state for state in states}


def _problem(path: Path, document: Document | None, finding: Finding) -> Problem:
    """Tie a finding to its file, line and column; name the other places it refers to."""
    line, column = document.locate(finding.path) if document else (1, 1)
    shown = tuple(part for part in finding.path if not (isinstance(part, str) and part.startswith("__")))
    message = finding.message + _see_also(document, finding.see)
    return Problem(finding.code, finding.severity, display_file(path), line, column, format_path(shown), message)


def _see_also(document: Document | None, places: Iterable[FieldPath]) -> str:
    notes = [f"第 {document.locate(p)[0]} 行 {format_path(p)}" for p in places if document]
    return f"（另见{'；'.join(notes)}）" if notes else ""




# build: everything check does, then write — into a staging folder that replaces `out` only on success.


@dataclass(frozen=True)
class BuildOptions:
    out: Path
    pdf: bool = True
    jobs: int | None = None
    templates: Path = TEMPLATES
    cache: Path | None = Path(".gongkai-cache") / "pdf"
    # Reuse what the last build into `out` wrote from the same inputs (its state file sits beside `out`).
    incremental: bool = True

    @property
    def state(self) -> Path | None:
        return self.out.parent / f".{self.out.name}.build-state.json" if self.incremental else None


class SetupError(Exception):
    """The machine lacks something the build needs (fonts): a message, not a traceback."""


def build(root: Path, options: BuildOptions, log: Callable[[str], None] = _quiet) -> Loaded:
    """Read and check everything first; a single error stops the build before anything is written."""
    state = incremental.load_state(options.state, options.out)
    inputs = _inputs_digest(root, options)
    if state.inputs == inputs and state.intact(options.out):
        for warning in state.warnings:
            log(warning)
        log(f"内容和模板都没有变化，{display_file(options.out)} 保持原样")
        return Loaded(None)
    loaded = _timed(log, "读取并检查内容", lambda: load(root))
    if loaded.report.ok and loaded.content is not None and options.pdf:
        _check_printable(loaded.content, loaded.report, log)
    if not loaded.report.ok or loaded.content is None:
        return loaded
    content = loaded.content
    env = environment(options.templates)
    try:
        count, groups = _write_site(content, loaded.frozen, options, env, log, state)
    except jinja2.TemplateError as error:
        loaded.report.extend([template_problem(error, options.templates)])
        return loaded
    except archive.ArchiveDamaged as error:
        raise SetupError(str(error)) from error
    warnings = [str(p) for p in loaded.report.sorted()]
    incremental.save_state(options.state, options.out, incremental.State(inputs, groups, warnings))
    log(f"已发布 {count} 个网页、{len(content.reports)} 份报告到 {display_file(options.out)}")
    return loaded


def _inputs_digest(root: Path, options: BuildOptions) -> str:
    """Content (archive bags by their manifests), templates and options: all a build depends on."""
    sources = [p for p in root.rglob("*") if p.is_file() and not _inside_bag_payload(p, root)]
    return incremental.digest(
        options.pdf, incremental.folder_digest(options.templates),
        *(f"{p.relative_to(root).as_posix()}:{incremental.file_digest(p)}" for p in sorted(sources)),
    )


def _inside_bag_payload(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    return len(parts) > 2 and parts[0] == archive.ARCHIVE and parts[2] == "data"


def _write_site(
    content: Content, frozen: dict[str, archive.ReportState], options: BuildOptions, env: Any,
    log: Callable[[str], None], state: incremental.State,
) -> tuple[int, dict[str, incremental.Group]]:
    """Every output into a staging folder that replaces `out` only if all of it was written.

    Reports of a frozen year are copied from their bag, not rendered: they keep their own rendering.
    Outputs whose inputs did not change since the last build are linked from it, not rendered again.
    """
    templates = incremental.folder_digest(options.templates)
    with staging(options.out) as stage:
        originals = _timed(log, "复制已归档的文件", lambda: {
            report_id: archive.publish_frozen(frozen_state, stage) for report_id, frozen_state in frozen.items()
        })
        live = [e for e in content.reports if e.id not in frozen or frozen[e.id].corrected]
        prints = {e.id: outputs.report_fingerprint(content, e, templates, options.pdf, originals.get(e.id)) for e in live}
        groups = outputs.reuse(state, {f"report:{e.id}": prints[e.id] for e in live}, options.out, stage)
        todo = [e for e in live if f"report:{e.id}" not in groups]
        views = _timed(log, f"整理表格和图表（{len(todo)} 份报告有变化）", lambda: {
            e.id: outputs.report_view(e, frozen.get(e.id), originals.get(e.id)) for e in todo
        })
        _timed(log, "生成数据下载", lambda: outputs.write_all_downloads(content, views, stage))
        if options.pdf:
            settings = outputs.PdfSettings(
                options.templates, options.jobs or os.cpu_count() or 1, options.cache, pdf.is_terminal() and log is not _quiet
            )
            _timed(log, "生成 PDF", lambda: outputs.write_pdfs(env, content, views, stage, settings, log))
        index_print = outputs.index_fingerprint(content, templates)
        groups.update(outputs.reuse(state, {"indexes": index_print}, options.out, stage))
        with_indexes = "indexes" not in groups
        count = _timed(log, "生成网页", lambda: write_pages(env, content, stage, views, indexes=with_indexes))
        if with_indexes:
            _timed(log, "生成订阅和站点地图", lambda: write_feeds(env, content, stage))
            copy_assets(options.templates, stage)
            groups["indexes"] = incremental.record(stage, outputs.index_files(stage, content), index_print)
        for entry in todo:
            files = outputs.report_files(entry, views[entry.id])
            groups[f"report:{entry.id}"] = incremental.record(stage, files, prints[entry.id])
    return count, groups


def _check_printable(content: Content, report: Report, log: Callable[[str], None]) -> None:
    """Before writing anything: the fonts are there and can draw every character of every file."""
    if not pdf.fonts_available():
        raise SetupError("找不到中文字体 Noto Sans CJK（Debian 软件包 fonts-noto-cjk），无法生成 PDF。请运行 bash tools/setup.sh")
    if not pdf.harfbuzz_subsetting():
        log(pdf.fallback_warning())
    documents = [content.site_document, *(u.document for u in content.units.values()),
                 *(r.document for r in content.reports)]
    for document in documents:
        report.extend(_problem(document.path, document, f) for f in pdf.missing_glyphs(document.data))


def _timed(log: Callable[[str], None], step: str, work: Callable[[], T]) -> T:
    started = time.perf_counter()
    result = work()
    log(f"  {step}：{time.perf_counter() - started:.2f} 秒")
    return result
