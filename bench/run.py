"""Benchmark of the build: HTML throughput, rebuilds, PDF overhead over WeasyPrint, parallel PDFs, memory.

    .venv/bin/python bench/run.py [--units 25] [--years 3] [--kinds all] [--repeat 3] [--pdf-reports 6] [--quick]

Every build is timed in a fresh Python process (`run.py _build ...`), as `python build.py build` would
run, so nothing stays warm in memory between runs; the figure is the time spent in pipeline.build(),
without interpreter start-up and imports (shown on a row of their own). See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

import synthetic  # noqa: E402  (bench/synthetic.py)

from gongkai import importing, outputs, pdf, pipeline, site, tables  # noqa: E402
from gongkai.downloads import write_downloads  # noqa: E402
from gongkai.preview import Session  # noqa: E402
from gongkai.render import TEMPLATES, environment  # noqa: E402
from gongkai.serve import POLL_SECONDS  # noqa: E402

TARGET_REPORTS = 300  # the size-bound targets are stated for a site of this many reports
MIB = 1024 * 1024
STEP = re.compile(r"^\s*(.+?)：([\d.]+) 秒$")


# A build in a process of its own: `run.py _build CONTENT OUT [--pdf] [--jobs N] [--cache DIR]`.


@dataclass(frozen=True)
class BuildRun:
    """One build, as measured by the process that ran it."""

    seconds: float  # inside pipeline.build()
    wall: float  # the whole process, from the parent: start-up and imports included
    pages: int
    reports: int
    skipped: bool  # the build found nothing changed and wrote nothing
    rss_self: int  # bytes, ru_maxrss of the build process
    rss_children: int  # bytes, ru_maxrss of the largest process it waited for (PDF workers)
    steps: dict[str, float]  # the build's own log: seconds per step


def child_build(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="run.py _build")
    parser.add_argument("content", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--pdf", action="store_true")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--cache", type=Path, default=None)
    args = parser.parse_args(argv)
    options = pipeline.BuildOptions(out=args.out, pdf=args.pdf, jobs=args.jobs, cache=args.cache)
    steps: dict[str, float] = {}
    started = time.perf_counter()
    loaded = pipeline.build(args.content, options, log=lambda line: _step(line, steps))
    seconds = time.perf_counter() - started
    if not loaded.report.ok:
        print("\n".join(str(p) for p in loaded.report.errors), file=sys.stderr)
        return 1
    # An incremental build that finds nothing changed returns no content: it wrote nothing.
    content = loaded.content
    print(json.dumps({
        "seconds": seconds,
        "pages": len(site.pages(content)) if content is not None else 0,
        "reports": len(content.reports) if content is not None else 0,
        "skipped": content is None,
        "steps": steps,
        "rss_self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,  # Linux: KiB
        "rss_children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
    }))
    return 0


def _step(line: str, steps: dict[str, float]) -> None:
    """Keep the build's own step timings (“  生成网页：3.34 秒”), named without their counts."""
    match = STEP.match(line)
    if match:
        steps[re.sub(r"（.*?）", "", match.group(1)).strip()] = float(match.group(2))


def run_build(content: Path, out: Path, cache: Path, pdf_on: bool = False, jobs: int | None = None) -> BuildRun:
    command = [sys.executable, str(Path(__file__).resolve()), "_build", str(content), str(out), "--cache", str(cache)]
    if pdf_on:
        command.append("--pdf")
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"build of {content} failed:\n{done.stderr}")
    return BuildRun(wall=wall, **json.loads(done.stdout.strip().splitlines()[-1]))


# Measurements.


@dataclass
class Sizes:
    units: int
    kinds: tuple[str, ...]
    years: int
    repeat: int
    pdf_reports: int


@dataclass
class Results:
    reports: int
    generate_seconds: float
    cold: list[BuildRun] = field(default_factory=list)
    noop: list[BuildRun] = field(default_factory=list)
    edit: list[BuildRun] = field(default_factory=list)
    job_seconds: list[float] = field(default_factory=list)
    pipeline_pdf: list[float] = field(default_factory=list)
    weasyprint_pdf: list[float] = field(default_factory=list)
    pdf_pages: int = 0
    pdf_builds: dict[int, list[BuildRun]] = field(default_factory=dict)
    pdf_build_reports: int = 0
    preview_sample: list[float] = field(default_factory=list)
    preview_large: list[float] = field(default_factory=list)
    import_seconds: list[float] = field(default_factory=list)
    import_tables: int = 0


def measure_html(work: Path, generated: synthetic.Generated, repeat: int, results: Results,
                 say: Callable[[str], None]) -> None:
    """Cold builds into fresh folders; then no-op rebuilds and rebuilds after one edit into the last one."""
    for n in range(repeat):
        say(f"HTML cold build {n + 1}/{repeat}")
        results.cold.append(run_build(generated.root, work / f"site-{n}", work / f"cache-{n}"))
    out, cache = work / f"site-{repeat - 1}", work / f"cache-{repeat - 1}"
    for n in range(repeat):
        say(f"no-op rebuild {n + 1}/{repeat}")
        results.noop.append(run_build(generated.root, out, cache))
    varied = [path for path in generated.reports if path.stem == synthetic.KIND]  # edit_report edits these
    edited = varied[len(varied) // 2]
    for n in range(repeat):
        say(f"rebuild after editing {edited.relative_to(generated.root)} {n + 1}/{repeat}")
        synthetic.edit_report(edited, n + 1)
        results.edit.append(run_build(generated.root, out, cache))


def measure_preview(work: Path, generated: synthetic.Generated, repeat: int, results: Results,
                    say: Callable[[str], None]) -> None:
    """`serve`'s rebuild after a save, on the sample and on the large site (one process, kept warm as serve is)."""
    sample = work / "sample-content"
    shutil.copytree(synthetic.SAMPLE, sample)
    for content, sink, name in ((sample, results.preview_sample, "sample"),
                                (generated.root, results.preview_large, "large")):
        session = Session(content, work / f"preview-{name}")
        session.rebuild()
        report = sorted(content.rglob("self-evaluation.yaml"))[0]
        for n in range(repeat):
            say(f"preview rebuild after a save ({name}) {n + 1}/{repeat}")
            synthetic.edit_report(report, 100 + n)
            sink.append(_timed(session.rebuild))


def sample_pdf_job(stage: Path) -> tuple[pdf.PdfJob, float]:
    """The sample report's PDF job, made the way outputs.write_pdfs makes it (downloads written first).

    Returns the job and the seconds spent in outputs.pdf_job (print HTML and attachments).
    """
    loaded = pipeline.load(synthetic.SAMPLE)
    if not loaded.report.ok or loaded.content is None:
        raise RuntimeError("content/ does not pass check:\n" + "\n".join(str(p) for p in loaded.report.errors))
    content = loaded.content
    entry = next(e for e in content.reports if e.kind == synthetic.KIND)  # the seed's report, whatever else is there
    view = outputs.report_view(entry)
    view["downloads"] = write_downloads(entry, list(view["tables"].values()), stage)
    stylesheet = (TEMPLATES / "pdf" / "print.css").read_text(encoding="utf-8")
    env = environment(TEMPLATES)
    started = time.perf_counter()
    job = outputs.pdf_job(env, content, entry, view, stage, stylesheet)
    return job, time.perf_counter() - started


def weasyprint_alone(job: pdf.PdfJob) -> int:
    """The same HTML and CSS through WeasyPrint with nothing of ours around it; returns the page count."""
    from weasyprint import CSS, HTML

    document = HTML(string=job.html, base_url=job.base_url).render(stylesheets=[CSS(string=job.stylesheet)])
    document.write_pdf(pdf_variant=pdf.PDF_VARIANT)
    return len(document.pages)


def measure_pdf_overhead(work: Path, repeat: int, results: Results, say: Callable[[str], None]) -> None:
    """render_one against bare WeasyPrint on the sample, alternating, after one untimed warm-up of each."""
    stage, cache = work / "pdf-stage", work / "pdf-cache"
    stage.mkdir()
    for _ in range(repeat):
        job, seconds = sample_pdf_job(stage)
        results.job_seconds.append(seconds)
    fonts = pdf.font_fingerprint()
    say("PDF warm-up (fonts)")
    pdf.render_one(job, fonts, cache)
    results.pdf_pages = weasyprint_alone(job)
    for n in range(repeat):
        say(f"PDF of the sample {n + 1}/{repeat}")
        results.pipeline_pdf.append(_timed(lambda: pdf.render_one(job, fonts, cache)))
        results.weasyprint_pdf.append(_timed(lambda: weasyprint_alone(job)))


def measure_import(work: Path, repeat: int, results: Results, say: Callable[[str], None]) -> None:
    """`import` of the sample's 部门预算 workbook (our own download): read, recognise, compose; the site loaded once."""
    loaded = pipeline.load(synthetic.SAMPLE)
    entry = next((e for e in loaded.content.reports if e.kind == "budget"), None) if loaded.content else None
    if entry is None:
        return
    stage = work / "import-stage"
    written = write_downloads(entry, tables.TABLES_BY_KIND[entry.kind](entry.model), stage)
    workbook = stage / next(d.path for d in written if d.format == "XLSX")
    request = importing.ImportRequest([workbook], entry.unit.id, entry.year, entry.kind, synthetic.SAMPLE)
    results.import_tables = len(importing.read_and_compose(request, loaded.content, write=False).found)
    for n in range(repeat):
        say(f"import of a workbook {n + 1}/{repeat}")
        results.import_seconds.append(_timed(lambda: importing.read_and_compose(request, loaded.content, write=False)))


def measure_pdf_builds(work: Path, reports: int, repeat: int, results: Results, say: Callable[[str], None]) -> None:
    """Cold builds with PDFs of a small site, one and two PDF processes, a fresh cache every time."""
    small = synthetic.generate(work / "pdf-content", units=reports, years=1, seed=7)
    results.pdf_build_reports = len(small.reports)
    for n in range(repeat):
        for jobs in (1, 2):
            say(f"cold build with PDFs, --jobs {jobs}, {n + 1}/{repeat}")
            run = run_build(small.root, work / f"pdf-site-{jobs}-{n}", work / f"pdf-cache-{jobs}-{n}", True, jobs)
            results.pdf_builds.setdefault(jobs, []).append(run)


def _timed(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


# The table.


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    target: str = ""
    met: bool | None = None  # None: no target, or this run's size is not the target's

    def verdict(self) -> str:
        if not self.target:
            return ""
        return "–" if self.met is None else "✓" if self.met else "✗"


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float], unit: str = "s", digits: int = 3) -> str:
    """The median, with the range when there were several runs."""
    shown = f"{median(values):.{digits}f} {unit}"
    if len(values) > 1:
        shown += f"（{min(values):.{digits}f}–{max(values):.{digits}f}）"
    return shown


def sized(met: bool, reports: int) -> bool | None:
    """Targets stated for 300 reports are judged only on a site at least that large."""
    return met if reports >= TARGET_REPORTS else None


def rows(results: Results) -> list[Row]:
    n = results.reports
    cold = [r.seconds for r in results.cold]
    pages = results.cold[0].pages
    rate = pages / median(cold)
    noop, edit = [r.seconds for r in results.noop], [r.seconds for r in results.edit]
    ratio = median(results.pipeline_pdf) / median(results.weasyprint_pdf)
    one, two = ([r.seconds for r in results.pdf_builds[jobs]] for jobs in (1, 2))
    speedup = median(one) / median(two)
    peak = max(r.rss_self for r in results.cold)
    startup = [r.wall - r.seconds for r in results.cold + results.noop + results.edit]
    k = results.pdf_build_reports
    return [
        Row("生成合成内容 (generate synthetic content)", f"{results.generate_seconds:.3f} s，{n} 份报告 (reports)"),
        Row("冷构建，仅网页 (cold build, --no-pdf)", f"{spread(cold)}，{pages} 个网页 (pages)"),
        Row("网页生成速度 (HTML pages per second)", f"{rate:.0f} 页/s", "≥ 500 页/s", rate >= 500),
        Row("无改动重建 (no-op rebuild, --no-pdf)", spread(noop) + _skipped(results.noop), f"< 0.5 s（{TARGET_REPORTS} 份）",
            sized(median(noop) < 0.5, n)),
        Row("改一份报告后重建 (rebuild after one edit, --no-pdf)", spread(edit), f"< 0.5 s（{TARGET_REPORTS} 份）",
            sized(median(edit) < 0.5, n)),
        Row("进程启动与导入 (process start-up + imports)", spread(startup)),
        Row("峰值内存，冷构建 (peak RSS, cold build, --no-pdf)",
            f"{peak / MIB:.0f} MiB（子进程 children {max(r.rss_children for r in results.cold) / MIB:.0f} MiB）",
            f"< 1 GB（{TARGET_REPORTS} 份）", sized(peak < 1024 * MIB, n)),
        Row("预览：保存后重建，示例 (serve: save → rebuilt, sample)", spread(results.preview_sample),
            f"< {0.5 - POLL_SECONDS:.1f} s（另加轮询 ≤ {POLL_SECONDS} s）", median(results.preview_sample) < 0.5 - POLL_SECONDS),
        Row(f"预览：保存后重建，{n} 份 (serve: save → rebuilt)", spread(results.preview_large),
            f"< {0.5 - POLL_SECONDS:.1f} s（{TARGET_REPORTS} 份）",
            sized(median(results.preview_large) < 0.5 - POLL_SECONDS, n)),
        Row("PDF 任务准备 (PDF job: HTML + attachments)", spread(results.job_seconds)),
        *([Row(f"导入工作簿，{results.import_tables} 张表 (import: read + recognise + compose)", spread(results.import_seconds))]
          if results.import_seconds else []),
        Row(f"单份 PDF，本流程 (pdf.render_one, sample, {results.pdf_pages} 页)", spread(results.pipeline_pdf)),
        Row("单份 PDF，WeasyPrint 本身 (WeasyPrint alone)", spread(results.weasyprint_pdf)),
        Row("PDF 开销比 (render_one ÷ WeasyPrint)", f"{ratio:.3f}×", "≤ 1.2×", ratio <= 1.2),
        Row(f"冷构建含 PDF，{k} 份，--jobs 1 (cold build with PDFs)", spread(one)),
        Row(f"冷构建含 PDF，{k} 份，--jobs 2 (cold build with PDFs)", spread(two)),
        Row("双进程加速比 (2-process speed-up)", f"{speedup:.3f}×", "≥ 1.8×", speedup >= 1.8),
        Row("峰值内存，含 PDF，--jobs 2 (peak RSS, main / largest worker)",
            f"{max(r.rss_self for r in results.pdf_builds[2]) / MIB:.0f} MiB / "
            f"{max(r.rss_children for r in results.pdf_builds[2]) / MIB:.0f} MiB"),
    ]


def steps(title: str, runs: list[BuildRun]) -> str:
    """The median time of each step the build logs, in the order it logs them."""
    names = list(dict.fromkeys(name for run in runs for name in run.steps))
    parts = [f"{name} {median([run.steps[name] for run in runs if name in run.steps]):.2f} s" for name in names]
    return f"{title}: " + ("；".join(parts) if parts else "（无 none）")


def _skipped(runs: list[BuildRun]) -> str:
    """Say so when the build found nothing to do (the incremental build's shortcut)."""
    return "，未重新生成 (nothing rebuilt)" if runs and all(r.skipped for r in runs) else ""


def table(lines: list[Row]) -> str:
    header = Row("指标 (measure)", "结果：中位数（最小–最大）", "目标 (target)")
    body = [header, *lines]
    widths = [max(_width(cell) for cell in column) for column in zip(*(_cells(r, r is header) for r in body), strict=True)]
    out = []
    for n, row in enumerate(body):
        cells = _cells(row, row is header)
        out.append("| " + " | ".join(_pad(cell, width) for cell, width in zip(cells, widths, strict=True)) + " |")
        if n == 0:
            out.append("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(out)


def _cells(row: Row, header: bool) -> list[str]:
    return [row.label, row.value, row.target, "达标" if header else row.verdict()]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def machine() -> str:
    import weasyprint
    import yaml

    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return "\n".join([
        f"机器 (machine): {platform.platform()}; {platform.processor() or platform.machine()}",
        f"CPU: {os.cpu_count()}（可用 usable {usable}）; 负载 (load average) {' '.join(load)}",
        f"Python {platform.python_version()}; WeasyPrint {weasyprint.__version__}; "
        f"libharfbuzz-subset: {'有 (present)' if pdf.harfbuzz_subsetting() else '无 (missing: ~10× slower PDFs)'}; "
        f"libyaml: {'有 (present)' if yaml.__with_libyaml__ else '无 (missing)'}",
    ])


# The command line.


def parse(argv: list[str]) -> tuple[Sizes, Path]:
    parser = argparse.ArgumentParser(description="Benchmark the gongkai build on a synthetic site.")
    parser.add_argument("--units", type=int, default=None, help="units in the synthetic site (default 25)")
    parser.add_argument(
        "--kinds", choices=("all", synthetic.KIND), default="all",
        help="each unit-year's reports: the sample's four kinds (default) or its self-evaluation only",
    )
    parser.add_argument("--years", type=int, default=None, help="years per unit, ending 2023 (default 3)")
    parser.add_argument("--repeat", type=int, default=None, help="runs per figure; the median is shown (default 3)")
    parser.add_argument("--pdf-reports", type=int, default=None, help="reports in the PDF build (default 6)")
    parser.add_argument("--quick", action="store_true", help="a small run, well under a minute: a sanity check")
    parser.add_argument(
        "--work", type=Path, default=ROOT,
        help="where to make the bench's temporary folder (default: the repository, where `build.py build` writes site/)",
    )
    args = parser.parse_args(argv)
    kinds = synthetic.ALL_KINDS if args.kinds == "all" else (synthetic.KIND,)
    small = Sizes(units=2, kinds=kinds, years=2, repeat=1, pdf_reports=2)
    full = Sizes(units=TARGET_REPORTS // (3 * len(kinds)), kinds=kinds, years=3, repeat=3, pdf_reports=6)
    base = small if args.quick else full
    sizes = Sizes(
        units=args.units or base.units,
        kinds=kinds,
        years=args.years or base.years,
        repeat=args.repeat or base.repeat,
        pdf_reports=args.pdf_reports or base.pdf_reports,
    )
    if min(sizes.units, sizes.years, sizes.repeat, sizes.pdf_reports) < 1:
        parser.error("sizes must be at least 1")
    return sizes, args.work


def benchmark(sizes: Sizes, work: Path, say: Callable[[str], None]) -> Results:
    started = time.perf_counter()
    generated = synthetic.generate(work / "content", sizes.units, sizes.years, kinds=sizes.kinds)
    results = Results(len(generated.reports), time.perf_counter() - started)
    measure_html(work, generated, sizes.repeat, results, say)
    measure_preview(work, generated, sizes.repeat, results, say)
    measure_pdf_overhead(work, sizes.repeat, results, say)
    measure_import(work, sizes.repeat, results, say)
    measure_pdf_builds(work, sizes.pdf_reports, sizes.repeat, results, say)
    return results


def main(argv: list[str]) -> int:
    if argv[:1] == ["_build"]:
        return child_build(argv[1:])
    sizes, where = parse(argv)
    print(machine())
    print(f"规模 (size): {sizes.units} 个单位 × {sizes.years} 年 × {len(sizes.kinds)} 种报告 ({', '.join(sizes.kinds)}), "
          f"每项 {sizes.repeat} 次取中位数 (median of runs); "
          f"PDF 构建 {sizes.pdf_reports} 份报告", flush=True)

    def say(step: str) -> None:
        print(f"  … {step}", file=sys.stderr, flush=True)

    # Folders cost very different times on different file systems (on this project's machine /tmp makes
    # them ten times slower than the disk the repository is on), so the bench works where builds do.
    where.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".bench-", dir=where) as folder:
        print(f"工作文件夹 (work folder): {folder}", flush=True)
        results = benchmark(sizes, Path(folder), say)
    print()
    print(table(rows(results)))
    print()
    print(steps("冷构建各步骤 (cold build steps, --no-pdf)", results.cold))
    print(steps("改一份后重建各步骤 (steps of the rebuild after one edit)", results.edit))
    print(steps(f"含 PDF 冷构建各步骤，--jobs 2 (cold build with PDFs, {results.pdf_build_reports} reports)",
                results.pdf_builds[2]))
    print("\n– : 目标按 300 份报告的网站规定，本次规模较小，不作判断 (target stated for 300 reports; not judged).")
    print("每次构建都在新进程中运行 (each build runs in a fresh process); 时间为 pipeline.build() 内部用时。")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
