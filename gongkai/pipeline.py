"""The table of contents: find sources, read, validate, check; then (build) render and publish."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any, TypeVar

import jinja2

from gongkai import archive, incremental, opendata, outputs, pdf, search
from gongkai.checks import run_checks
from gongkai.checks.cross import cross_checks
from gongkai.checks.rules import Context
from gongkai.content import Content, ReportEntry, UnitEntry
from gongkai.downloads import Download
from gongkai.models import REPORT_KINDS, Disclosure, SiteConfig, Unit
from gongkai.models.base import Strict, with_places
from gongkai.problems import FieldPath, Finding, Problem, Report, Severity, display_file, format_path
from gongkai.publish import PublishFailed, SiteVanished, staging
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
    # What checking each unit without errors found: the next load may take it instead of checking again.
    units: dict[str, incremental.UnitCheck] = field(default_factory=dict)
    # Nothing changed since the build that made the site: `report` holds that build's warnings, as stored.
    unchanged: bool = False


# How one source file is read: the document, its validated model (or None) and its problems.
ReadResult = tuple[Document, Strict | None, list[Problem]]
Read = Callable[[Source, type], ReadResult]
# Each unit's checks as a previous load found them (see incremental.UnitCheck).
Known = Mapping[str, incremental.UnitCheck]


class ContentChanged(Exception):
    """A report whose checks were taken from the last build no longer reads the same: build again.

    Its only argument is the file, so it survives the trip back from a worker process.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.path = path


def read_source(source: Source, model_class: type[Strict]) -> ReadResult:
    """Read one file and validate it against its model."""
    document = read_document(source.path)
    problems = [_problem(source.path, document, f) for f in document.findings]
    if not document.readable:
        return document, None, problems
    model, findings = validate(document, model_class)
    return document, model, problems + [_problem(source.path, document, f) for f in findings]


def load(root: Path, read: Read = read_source, known: Known | None = None) -> Loaded:
    """Read and validate every file; run every check. Writes nothing.

    A unit found in `known` with the same key is not read again: its problems are taken from there
    and its reports are read only when something asks for their models.
    """
    report = Report()
    if not os.path.lexists(root / "site.yaml"):  # a folder, a pipe or a broken link by that name: discover says which
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
    site_source, *rest = sources
    content = _read_site(root, site_source, report, read)
    units = {}
    for _, group in groupby(rest, key=lambda s: s.unit):
        # discover yields each unit's file before its reports, unless it refused the file
        unit_source, *report_sources = group
        if unit_source.kind != "unit":
            report_sources.insert(0, unit_source)
            unit_source = None
        checked = _load_unit(content, unit_source, report_sources, report, read, known or {})
        if checked is not None:
            units[checked[0]] = checked[1]
    return Loaded(content, report, _check_archive(content, report), units)


def check(root: Path, read: Read = read_source) -> Report:
    """`check` is the build without the write: what `build` refuses, `check` reports — the characters the
    PDF fonts cannot draw included (where the fonts are installed; `build` says so where they are not)."""
    loaded = load(root, read)
    if loaded.content is not None and pdf.fonts_available():
        _check_glyphs(loaded.content, loaded.units, loaded.report)
    return loaded.report


def _read_site(root: Path, source: Source, report: Report, read: Read) -> Content:
    document, config = _read(source, SiteConfig, report, read)
    if config is None:
        config = SiteConfig.model_construct()  # keep checking the other files
    return Content(root=root, config=config, site_document=document)


def _load_unit(
    content: Content, unit_source: Source | None, report_sources: list[Source], report: Report, read: Read,
    known: Known,
) -> tuple[str, incremental.UnitCheck] | None:
    """A unit's file and reports, each report checked alone and then against the unit's other reports.

    A unit known with the same key is not read: its problems are the known ones, its files are read
    when something asks for their models.
    """
    if unit_source is None or unit_source.unit is None:  # its reports cannot be published, but their
        for source in report_sources:  # own problems are still worth showing
            _read(source, model_class(content, source.kind), report, read)
        return None
    key = _unit_key(content, unit_source, report_sources)
    cached = known.get(unit_source.unit)
    if cached is not None and cached.key == key and all(s.report_id in cached.listings for s in report_sources):
        unit = UnitEntry(unit_source.unit, unit_source.path, cached.name, _reader(unit_source, Unit, read))
        content.units[unit.id] = unit
        content.reports.extend(
            ReportEntry(unit, s.year, s.kind, s.path, cached.listings[s.report_id], _reader(s, model_class(content, s.kind, cached.form), read))  # type: ignore[arg-type]
            for s in report_sources
        )
        report.extend(cached.problems)
        return unit.id, cached
    found = Report()
    checked = _read_and_check_unit(content, unit_source, report_sources, found, read)
    report.extend(found.problems)
    if checked is None or not found.ok:
        return None
    unit, entries = checked
    listings = {e.id: e.listing for e in entries}
    return unit.id, incremental.UnitCheck(key, unit.name, found.problems, listings, form=unit.model.form)


def _read_and_check_unit(
    content: Content, unit_source: Source, report_sources: list[Source], found: Report, read: Read,
) -> tuple[UnitEntry, list[ReportEntry]] | None:
    """The unit and every report that reads cleanly; None when some file does not."""
    unit = _read_unit(content, unit_source, found, read)
    if unit is None:
        for source in report_sources:
            _read(source, model_class(content, source.kind), found, read)
        return None
    entries = [entry for source in report_sources if (entry := _read_report(content, unit, source, found, read))]
    _check_unit(entries, content.config, found)
    for entry in entries:  # checked: what is left to do needs their data and models, rarely a place
        entry.document.release_places()
    content.reports.extend(entries)
    return (unit, entries) if len(entries) == len(report_sources) else None


def _unit_key(content: Content, unit_source: Source, report_sources: list[Source]) -> str:
    """All a unit's checks depend on: the code, the site file, the unit's files, where paths are shown from."""
    files = [content.site_document.path, unit_source.path, *(s.path for s in report_sources)]
    return incremental.digest(
        incremental.code_digest(), os.getcwd(), content.root.resolve(),
        *(f"{path}:{incremental.file_digest(path)}" for path in files),
    )


def _read_unit(content: Content, source: Source, report: Report, read: Read) -> UnitEntry | None:
    if not source.path.is_file():
        finding = Finding("missing-file", (), f"单位文件夹“{source.unit}”中缺少单位信息文件 unit.yaml")
        report.extend([_problem(source.path, None, finding)])
        return None
    document, unit = _read(source, Unit, report, read)
    if unit is None or not source.unit:
        return None
    content.units[source.unit] = UnitEntry.read(source.unit, unit, document)
    return content.units[source.unit]


def model_class(content: Content, kind: str, unit_form: str | None = None) -> type[Strict]:
    """The model a report is validated by: 部门预算 and 部门决算 by the unit's form (else the site's)."""
    model = REPORT_KINDS[kind]
    if issubclass(model, Disclosure):
        return model.for_form(unit_form or content.config.form, content.config.places)
    return with_places(model, content.config.places)  # the self-evaluation forms' amounts too


def _read_report(content: Content, unit: UnitEntry, source: Source, report: Report, read: Read) -> ReportEntry | None:
    document, model = _read(source, model_class(content, source.kind, unit.model.form), report, read)
    if model is None or source.year is None:
        return None
    if model.year != source.year:
        finding = Finding("year-mismatch", ("年度",), f"年度 {model.year} 与所在文件夹 {source.year} 不一致")
        report.extend([_problem(source.path, document, finding)])
    return ReportEntry.read(unit, source.year, source.kind, model, document)  # type: ignore[arg-type]


def _reader(source: Source, model_class: type[Strict], read: Read) -> Callable[[], tuple[Any, Document]]:
    """Read a file whose checks are known, when its model is first needed; it must still read cleanly."""

    def load() -> tuple[Any, Document]:
        document, model, problems = read(source, model_class)
        if model is None or any(p.severity is Severity.ERROR for p in problems):
            raise ContentChanged(source.path)
        document.release_places()  # its checks are known: its places are not needed
        return model, document

    return load


def _read(source: Source, model_class: type[M], report: Report, read: Read) -> tuple[Document, M | None]:
    document, model, problems = read(source, model_class)
    report.extend(problems)
    return document, model  # type: ignore[return-value]


def _check_unit(entries: list[ReportEntry], config: SiteConfig, report: Report) -> None:
    ctx = Context(tolerance=config.checking.rounding_tolerance)
    for entry in entries:
        findings = run_checks(entry.kind, entry.model, ctx)
        report.extend(_problem(entry.source, entry.document, f) for f in findings)
    # Across documents: after each report is checked alone, so each problem is reported where it lies.
    report.extend(_problem(entry.source, entry.document, f) for entry, f in cross_checks(entries))


def _check_archive(content: Content, report: Report) -> dict[str, archive.ReportState]:
    """Frozen years stay frozen: a changed source needs a recorded correction."""
    found = archive.read_archive(content.root)
    for path, why in found.damaged.items():
        message = f"{why}。已归档的年度无法核对，未发布任何文件；请从备份恢复归档包后运行 python build.py verify"
        report.extend([_problem(path, None, Finding("archive-damaged", (), message))])
    years = found.years
    content.frozen = {year: frozen.frozen_on for year, frozen in years.items()}
    states, findings = archive.plan(content, years)
    # A source still on disk that did not read has its own error: "removed" would be a second, false one.
    findings = [(path, f) for path, f in findings if not (f.code == "frozen-removed" and path.is_file())]
    entries = {r.source: r for r in content.reports}
    report.extend(_problem(path, entries[path].document if path in entries else None, f) for path, f in findings)
    return {state.entry.id: state for state in states}


def _problem(path: Path, document: Document | None, finding: Finding) -> Problem:
    """Tie a finding to its file, line and column; name the other places it refers to."""
    if document is None:
        line, column = 1, 1
    elif finding.offset is not None:
        line, column = document.locate_in_text(finding.path, finding.offset)
    else:
        line, column = document.locate(finding.path)
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
    def compiled_templates(self) -> Path | None:
        """Beside the PDF cache: templates compiled by an earlier build (Jinja's bytecode cache)."""
        return self.cache.parent / "templates" if self.cache is not None else None

    @property
    def state(self) -> Path | None:
        return self.out.parent / f".{self.out.name}.build-state.json" if self.incremental else None


class SetupError(Exception):
    """The machine lacks something the build needs (fonts): a message, not a traceback."""


def build(root: Path, options: BuildOptions, log: Callable[[str], None] = _quiet) -> Loaded:
    """Read and check everything first; a single error stops the build before anything is written."""
    try:
        return _build(root, options, log)
    except ContentChanged as error:  # a file saved while the build ran: the site stays as it was
        report = Report()
        message = "这个文件在生成过程中被修改，未发布任何文件。请保存好文件后重新运行"
        report.extend([Problem("content-changed", Severity.ERROR, display_file(error.path), 1, 1, "", message)])
        return Loaded(None, report)


def _build(root: Path, options: BuildOptions, log: Callable[[str], None]) -> Loaded:
    state = incremental.load_state(options.state, options.out)
    inputs = _inputs_digest(root, options)
    if state.inputs == inputs and state.intact(options.out):
        log(f"内容和模板都没有变化，{display_file(options.out)} 保持原样")
        report = Report()  # the warnings of the build that made it: the caller says how many, or lists them
        report.extend(p for unit in state.units.values() for p in unit.problems)
        report.extend(state.others)
        return Loaded(None, report, unchanged=True)
    loaded = _timed(log, "读取并检查内容", lambda: load(root, known=state.units))
    if loaded.report.ok and loaded.content is not None and options.pdf:
        _check_printable(loaded.content, loaded.units, loaded.report, log)
    if not loaded.report.ok or loaded.content is None:
        return loaded
    content = loaded.content
    env = environment(options.templates, options.compiled_templates)
    try:
        count, groups = _write_site(content, loaded.frozen, options, env, log, state)
    except jinja2.TemplateError as error:
        loaded.report.extend([template_problem(error, options.templates)])
        return loaded
    except outputs.TemplateFailed as failed:
        loaded.report.extend([failed.problem])
        return loaded
    except (archive.ArchiveDamaged, SiteVanished, PublishFailed, search.SearchFailed) as error:
        raise SetupError(str(error)) from error
    checked = {id(p) for unit in loaded.units.values() for p in unit.problems}
    others = [p for p in loaded.report.problems if id(p) not in checked]
    new_state = incremental.State(inputs, groups, others, loaded.units)
    try:
        incremental.save_state(options.state, options.out, new_state)
    except OSError:  # the site is published; only the next build's shortcut is lost
        log(f"注意：无法保存生成记录 {display_file(options.state)}（请检查它是不是一个文件夹或没有写入权限）；"
            "网站已发布，下次生成将重新生成全部报告")
    log(f"已发布 {count} 个网页、{len(content.reports)} 份报告到 {display_file(options.out)}")
    return loaded


def _inputs_digest(root: Path, options: BuildOptions) -> str:
    """Content (archive bags by their manifests), templates and options: all a build depends on."""
    sources = [p for p in root.rglob("*") if p.is_file() and not _inside_bag_payload(p, root)]
    return incremental.digest(
        options.pdf, incremental.folder_digest(options.templates),
        *(f"{_printable_name(p.relative_to(root))}:{incremental.file_digest(p)}" for p in sorted(sources)),
    )


def _printable_name(path: Path) -> str:
    """The path as text that encodes: a name that is not UTF-8 (held with surrogates) made the digest raise."""
    return path.as_posix().encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _inside_bag_payload(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    return len(parts) > 2 and parts[0] == archive.ARCHIVE and parts[2] == "data"


def _write_site(
    content: Content, frozen: dict[str, archive.ReportState], options: BuildOptions, env: Any,
    log: Callable[[str], None], state: incremental.State,
) -> tuple[int, dict[str, incremental.Group]]:
    """Every output into a staging folder, published into `out` only if all of it was written.

    Reports of a frozen year are copied from their bag, not rendered: they keep their own rendering.
    Outputs whose inputs did not change since the last build stay as they are, not rendered again.
    """
    templates = incremental.folder_digest(options.templates)
    kept: set[str] = set()  # outputs of the last build that stay as they are
    groups: dict[str, incremental.Group] = {}  # what this build's site holds, as the state records it

    def index_for_search(stage: Path) -> None:
        if _timed(log, "生成站内搜索索引", lambda: search.index(stage)):
            files = [p.relative_to(stage).as_posix() for p in (stage / search.FOLDER).rglob("*") if p.is_file()]
            groups["search"] = incremental.record(stage, files, "search")
        else:
            log("注意：未安装 Pagefind（pagefind-bin-extended），本次生成没有站内搜索索引；搜索页会说明。请运行 bash tools/setup.sh")

    def complete(stage: Path) -> None:
        """On the whole new site: the open data of every report's long file, then the search index."""
        files = _timed(log, "生成全站开放数据", lambda: opendata.write_open_data(stage, content))
        groups["open-data"] = incremental.record(stage, files, "open-data")
        index_for_search(stage)

    with staging(options.out, kept if state.groups else None, log, complete) as stage:
        for path in _tampered_frozen(state, options.out):
            log(f"已归档的文件与上次发布时不同，已按归档包恢复：{display_file(options.out / path)}")
        originals = _timed(log, "复制已归档的文件", lambda: {
            report_id: archive.publish_frozen(frozen_state, stage) for report_id, frozen_state in frozen.items()
        })
        live = [e for e in content.reports if e.id not in frozen or frozen[e.id].corrected]
        prints = {e.id: outputs.report_fingerprint(content, e, templates, options.pdf, originals.get(e.id)) for e in live}
        groups.update(outputs.reuse(state, {f"report:{e.id}": prints[e.id] for e in live}, options.out, kept))
        todo = [e for e in live if f"report:{e.id}" not in groups]
        workers = options.jobs or os.cpu_count() or 1
        if options.pdf:
            downloads = _write_reports_with_pdfs(content, todo, frozen, originals, options, env, stage, log)
        else:
            task = outputs.HtmlTask(env, content, {e.id: e for e in todo}, frozen, originals, stage, options.templates)
            downloads = _timed(log, f"生成报告网页和数据下载（{len(todo)} 份报告有变化）",
                               lambda: outputs.write_reports_html(task, workers))
        index_print = outputs.index_fingerprint(content, templates)
        groups.update(outputs.reuse(state, {"indexes": index_print}, options.out, kept))
        count = len(todo)
        if "indexes" not in groups:
            count += _timed(log, "生成其他网页", lambda: write_pages(env, content, stage, {}, indexes=True))
            _timed(log, "生成订阅和站点地图", lambda: write_feeds(env, content, stage))
            copy_assets(options.templates, stage)
            groups["indexes"] = incremental.record(stage, outputs.index_files(stage, content), index_print)
        for entry in todo:
            files = outputs.report_files(entry, downloads[entry.id])
            groups[f"report:{entry.id}"] = incremental.record(stage, files, prints[entry.id])
        for report_id, frozen_state in frozen.items():  # so that a no-op rebuild still notices a tampered copy
            paths = archive.published_paths(frozen_state)
            groups[f"frozen:{report_id}"] = incremental.record(stage, paths, "frozen")
    return count, groups


def _tampered_frozen(state: incremental.State, out: Path) -> list[str]:
    """Published copies of archived files that changed since the last build wrote them."""
    changed = []
    for key, group in state.groups.items():
        if key.startswith("frozen:"):
            for path, recorded in group.files.items():
                try:
                    status = os.stat(out / path)
                except OSError:
                    changed.append(path)
                    continue
                if [status.st_size, status.st_mtime_ns] != recorded:
                    changed.append(path)
    return sorted(set(changed))


def _write_reports_with_pdfs(
    content: Content, todo: list[ReportEntry], frozen: dict[str, archive.ReportState], originals: dict[str, str],
    options: BuildOptions, env: Any, stage: Path, log: Callable[[str], None],
) -> dict[str, list[Download]]:
    """Views and downloads first (each PDF embeds its JSON), then the PDFs in their pool, then the pages
    that link them with their size and page count."""
    views = _timed(log, f"整理表格和图表（{len(todo)} 份报告有变化）", lambda: {
        e.id: outputs.report_view(e, frozen.get(e.id), originals.get(e.id)) for e in todo
    })
    _timed(log, "生成数据下载", lambda: outputs.write_all_downloads(content, views, stage))
    settings = outputs.PdfSettings(
        options.templates, options.jobs or os.cpu_count() or 1, options.cache, pdf.is_terminal() and log is not _quiet
    )
    _timed(log, "生成 PDF", lambda: outputs.write_pdfs(env, content, views, stage, settings, log))
    _timed(log, "生成报告网页", lambda: write_pages(env, content, stage, views, indexes=False))
    return {report_id: view["downloads"] for report_id, view in views.items()}


def _check_printable(
    content: Content, units: dict[str, incremental.UnitCheck], report: Report, log: Callable[[str], None],
) -> None:
    """Before writing anything: the fonts are there and can draw every character of every file.

    Reports of a unit a PDF build already found printable, unchanged since, are not read again for it.
    """
    if not pdf.fonts_available():
        raise SetupError("找不到中文字体 Noto Sans CJK（Debian 软件包 fonts-noto-cjk），无法生成 PDF。请运行 bash tools/setup.sh")
    if not pdf.harfbuzz_subsetting():
        log(pdf.fallback_warning())
    _check_glyphs(content, units, report)


def _check_glyphs(content: Content, units: dict[str, incremental.UnitCheck], report: Report) -> None:
    """Every character of every file the PDF fonts can draw (a box in an archival PDF is not a draft's typo)."""
    printable = {unit_id for unit_id, checked in units.items() if checked.printable}
    documents = [content.site_document, *(u.document for u in content.units.values() if u.id not in printable),
                 *(r.document for r in content.reports if r.unit.id not in printable)]
    for document in documents:
        report.extend(_problem(document.path, document, f) for f in pdf.missing_glyphs(document.data))
    if report.ok:
        for checked in units.values():
            checked.printable = True


def _timed(log: Callable[[str], None], step: str, work: Callable[[], T]) -> T:
    started = time.perf_counter()
    result = work()
    log(f"  {step}：{time.perf_counter() - started:.2f} 秒")
    return result
