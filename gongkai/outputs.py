"""What a build writes for each report: its view, downloads and PDF; and which outputs can be reused.

The pipeline decides the order; these functions make the pieces.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from gongkai import archive, incremental, pdf, site
from gongkai.charts import report_charts
from gongkai.content import Content, ReportEntry
from gongkai.downloads import Download, json_file, long_json_path, long_path, write_downloads
from gongkai.markup import TextFix
from gongkai.problems import Problem
from gongkai.render import render_page, template_problem, write_page
from gongkai.tables import TABLES_BY_KIND, corrections

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")


def reuse(
    state: incremental.State, wanted: dict[str, str], site_dir: Path, kept: set[str],
) -> dict[str, incremental.Group]:
    """The wanted groups whose inputs are unchanged and whose files are intact: they stay in the site
    as they are (`kept` collects their files for publish.staging)."""
    reused = {}
    for key, fingerprint in wanted.items():
        group = state.unchanged(key, fingerprint, site_dir)
        if group is not None:
            kept.update(group.files)
            reused[key] = group
    return reused


def report_fingerprint(
    content: Content, entry: ReportEntry, templates: str, with_pdf: bool, originals: str | None
) -> str:
    """Everything a report's page, PDF and downloads show: its files, the site's, the years in the menu."""
    return incremental.digest(
        templates, with_pdf, originals, content.years(), sorted(content.frozen.items()),
        incremental.file_digest(content.site_document.path), incremental.file_digest(entry.unit.source),
        incremental.file_digest(entry.source),
    )


def index_fingerprint(content: Content, templates: str) -> str:
    """What the index pages, feeds and sitemap show: the list of reports, the units, the freezes."""
    listing = [(r.id, r.listing) for r in content.reports]
    units = [incremental.file_digest(u.source) for _, u in sorted(content.units.items())]
    return incremental.digest(
        templates, incremental.file_digest(content.site_document.path), repr(listing), sorted(content.frozen.items()),
        *units,
    )


def report_files(entry: ReportEntry, downloads: list[Download]) -> list[str]:
    """A report's own outputs: its page, its downloads (the PDF among them) and its long-format rows."""
    return [site.report_path(entry), *(d.path for d in downloads), long_path(entry), long_json_path(entry)]


def index_files(stage: Path, content: Content) -> list[str]:
    """Everything but the reports' own folders: index pages, feeds, assets."""
    report_folders = {f"{r.unit.id}/{r.year}" for r in content.reports}
    files = [p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file()]
    return [f for f in files if not any(f.startswith(folder) for folder in report_folders)]


def report_view(
    entry: ReportEntry, frozen: archive.ReportState | None = None, originals: str | None = None
) -> dict[str, Any]:
    """What a report page shows beside the model: its tables, charts, corrections and history."""
    tables = TABLES_BY_KIND[entry.kind](entry.model)
    return {
        "tables": {t.id: t for t in tables},
        "charts": report_charts(entry.kind, entry.model),
        "corrections": corrections(tables),
        "text_corrections": text_corrections(entry.model),
        "text_fixes": text_fixes(entry.model),
        "history": history(entry, frozen, originals),
        "toc": site.sections(entry),
        "downloads": [],
        "pdf_pages": None,
    }


@dataclass(frozen=True)
class TextNote:
    """A 正文更正 as the 更正说明 list shows it."""

    anchor: str
    section: str
    fix: Any  # models.self_evaluation.TextCorrection


def text_corrections(model: Any) -> list[TextNote]:
    """Every corrected passage of a text, in the text's order, each finding its section."""
    notes = []
    for index, fix in enumerate(getattr(model, "text_corrections", [])):
        section = fix.section or next((h for h, body in model.text.items() if fix.corrected in body), "")
        notes.append(TextNote(f"text-fix-{index}", section, fix))
    return notes


def text_fixes(model: Any) -> dict[str, list[TextFix]]:
    """The inline marks of each section's corrections, for the narrative filter."""
    fixes: dict[str, list[TextFix]] = {}
    for note in text_corrections(model):
        fixes.setdefault(note.section, []).append(TextFix(note.anchor, note.fix.corrected, note.fix.original))
    return fixes


def history(entry: ReportEntry, frozen: archive.ReportState | None, originals: str | None) -> list[dict[str, Any]]:
    """修订记录: first publication, the freeze (with the original files), then each correction."""
    history: list[dict[str, Any]] = [{"date": entry.model.published, "text": "首次发布", "links": []}]
    if frozen is not None:
        links = []
        if originals:
            name = entry.kind
            links = [("原始版本网页", f"{originals}/{name}.html"), ("原始版本 PDF", f"{originals}/{name}.pdf")]
        history.append({"date": frozen.frozen.frozen_on, "text": "归档（存档版本保持不变）", "links": links})
    for fix in entry.model.corrections_log:
        history.append({"date": fix.date, "text": f"更正：{fix.what}。原因：{fix.reason}", "links": []})
    return sorted(history, key=lambda item: item["date"]) if len(history) > 1 else []


@dataclass(frozen=True)
class PdfSettings:
    templates: Path
    workers: int
    cache: Path | None
    bar: bool  # draw a progress bar (a terminal) rather than a line per PDF


def write_pdfs(
    env: Any, content: Content, views: dict[str, dict[str, Any]], stage: Path, settings: PdfSettings,
    log: Callable[[str], None],
) -> None:
    """Every report's PDF/A-3a, in a process pool; each report page then links its PDF."""
    stylesheet = (settings.templates / "pdf" / "print.css").read_text(encoding="utf-8")
    entries = [e for e in content.reports if e.id in views]
    jobs = [pdf_job(env, content, entry, views[entry.id], stage, stylesheet) for entry in entries]
    results = pdf.render_all(jobs, settings.workers, settings.cache, _pdf_progress(log, settings.bar))
    for entry, result in zip(entries, results, strict=True):
        view = views[entry.id]
        link = Download("报告全文（PDF 存档版）", "PDF", site.pdf_path(entry), result.size, None)
        view["downloads"] = [link, *view["downloads"]]
        view["pdf_pages"] = result.pages


def report_pdf(
    env: Any, content: Content, entry: ReportEntry, out: Path, templates: Path, cache: Path | None
) -> pdf.PdfResult:
    """One report's PDF into `out` (whose downloads are already written): the preview's on-demand PDF."""
    stylesheet = (templates / "pdf" / "print.css").read_text(encoding="utf-8")
    job = pdf_job(env, content, entry, report_view(entry), out, stylesheet)
    [result] = pdf.render_all([job], 1, cache, lambda *_: None)
    return result


def pdf_job(env: Any, content: Content, entry: ReportEntry, view: dict[str, Any], stage: Path, css: str) -> pdf.PdfJob:
    """The print HTML, its attachments (source YAML, validated JSON) and the report's own dates."""
    created = dt.datetime.combine(entry.model.published, dt.time(), tzinfo=CHINA)
    fixes = [note.cell.correction.date for note in view["corrections"] if note.cell.correction.date]
    fixes += [note.fix.date for note in view["text_corrections"]]
    modified = dt.datetime.combine(max([entry.model.published, *fixes]), dt.time(), tzinfo=CHINA)
    page = site.Page(site.pdf_path(entry), f"pdf/report-{entry.kind}.html", site.report_title(entry))
    running = f"{entry.unit.model.name} · {entry.year}年度 · {entry.model.title}"
    html = render_page(env, page, content, {
        **view, "entry": entry, "print_mode": True, "running_header": running,
        "pdf_created": created.isoformat(), "pdf_modified": modified.isoformat(),
    })
    data = stage / site.downloads_dir(entry) / json_file(entry)
    attachments = (
        pdf.AttachedFile(entry.source.name, entry.source.read_bytes(), "报告的源数据（YAML）", "Source"),
        pdf.AttachedFile(data.name, data.read_bytes(), "经校验的报告数据（JSON）", "Data"),
    )
    base = content.config.base_url
    base_url = (base.rstrip("/") + "/" + page.path) if base else None
    return pdf.PdfJob(entry.id, html, css, base_url, attachments, created, modified, stage / page.path)


def _pdf_progress(log: Callable[[str], None], bar: bool) -> Callable[[pdf.PdfResult, int, int], None]:
    def report(result: pdf.PdfResult, done: int, total: int) -> None:
        how = "取自缓存" if result.cached else f"{result.seconds:.2f} 秒"
        if bar:
            filled = "#" * (20 * done // total)
            end = "\n" if done == total else ""
            print(f"\r  PDF [{filled:<20}] {done}/{total} {result.report_id}（{how}）", end=end, file=sys.stderr, flush=True)
        else:
            log(f"  PDF {done}/{total} {result.report_id}：{result.pages} 页，{how}")

    return report


def write_all_downloads(content: Content, views: dict[str, dict[str, Any]], stage: Path) -> None:
    """CSV, XLSX and JSON of every report that has a view (the others were linked or frozen)."""
    for entry in (e for e in content.reports if e.id in views):
        view = views[entry.id]
        view["downloads"] = write_downloads(entry, list(view["tables"].values()), stage)


# Without PDFs, a report's view, downloads and page are one task, and the tasks run in parallel.


class TemplateFailed(Exception):
    """A template error met in a worker process, carried back as the problem it reports."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem)
        self.problem = problem


@dataclass(frozen=True)
class HtmlTask:
    """What every task needs; worker processes are forked with it, so nothing of it is pickled."""

    env: Any
    content: Content
    entries: dict[str, ReportEntry]
    frozen: dict[str, archive.ReportState]
    originals: dict[str, str]
    stage: Path
    templates: Path


_TASK: HtmlTask | None = None
PARALLEL_FROM = 8  # fewer reports than this are done at once in this process


def write_reports_html(task: HtmlTask, workers: int) -> dict[str, list[Download]]:
    """Each report's view, downloads and page; returns what each report offers for download."""
    global _TASK
    ids = sorted(task.entries)
    if workers <= 1 or len(ids) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return dict(_write_report_html(task, report_id) for report_id in ids)
    _TASK = task
    try:
        context = multiprocessing.get_context("fork")  # the workers share the content already read
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            chunk = max(1, len(ids) // (workers * 4))
            return dict(pool.map(_html_task, ids, chunksize=chunk))
    finally:
        _TASK = None


def _html_task(report_id: str) -> tuple[str, list[Download]]:
    assert _TASK is not None, "forked without a task"
    return _write_report_html(_TASK, report_id)


def _write_report_html(task: HtmlTask, report_id: str) -> tuple[str, list[Download]]:
    entry = task.entries[report_id]
    try:
        view = report_view(entry, task.frozen.get(report_id), task.originals.get(report_id))
        view["downloads"] = write_downloads(entry, list(view["tables"].values()), task.stage)
        write_page(task.env, task.content, task.stage, site.report_page(entry), view)
    except jinja2.TemplateError as error:  # Jinja's errors do not survive the trip between processes
        raise TemplateFailed(template_problem(error, task.templates)) from None
    return report_id, view["downloads"]
