"""The PDF of record for each report: PDF/A-3a, tagged, its data attached. The only weasyprint importer.

Rendering runs in a process pool; a content-hash cache skips reports whose inputs did not change.
Output is byte-reproducible: dates come from the report, never from the clock.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gongkai import __version__
from gongkai.problems import FieldPath, Finding

# Families named in print.css; every character of a report must be drawable by one of them.
FONT_FAMILIES = ("Noto Sans CJK SC:style=Regular", "Noto Sans CJK SC:style=Bold")
PDF_VARIANT = "pdf/a-3a"


@dataclass(frozen=True)
class AttachedFile:
    name: str
    data: bytes
    description: str
    relationship: str  # PDF/A-3 AFRelationship: Source, Data, ...


@dataclass(frozen=True)
class PdfJob:
    """Everything one PDF needs, picklable so a worker process can render it alone."""

    report_id: str
    html: str
    stylesheet: str
    base_url: str | None
    attachments: tuple[AttachedFile, ...]
    created: dt.datetime
    modified: dt.datetime
    target: Path

    def key(self, fonts: str) -> str:
        """A hash of every input: source data, rendered HTML, style, fonts and tool versions."""
        digest = hashlib.sha256()
        for part in (__version__, _weasyprint_version(), fonts, self.html, self.stylesheet, self.base_url or "",
                     self.created.isoformat(), self.modified.isoformat()):
            digest.update(part.encode("utf-8") + b"\0")
        for attached in self.attachments:
            digest.update(attached.name.encode("utf-8") + b"\0" + attached.data + b"\0")
        return digest.hexdigest()


@dataclass(frozen=True)
class PdfResult:
    report_id: str
    target: Path
    size: int
    pages: int
    cached: bool
    seconds: float


def harfbuzz_subsetting() -> bool:
    """Without libharfbuzz-subset0 WeasyPrint subsets CJK fonts with fontTools: about 10 s a PDF."""
    from weasyprint.text.ffi import harfbuzz_subset

    return harfbuzz_subset is not None


def render_all(
    jobs: list[PdfJob], workers: int, cache_dir: Path | None, progress: Callable[[PdfResult, int, int], None]
) -> list[PdfResult]:
    """Render (or take from the cache) every job; the slow ones in parallel when there are several."""
    fonts = font_fingerprint()
    results: list[PdfResult] = []
    pending = []
    for job in jobs:
        hit = _from_cache(job, fonts, cache_dir)
        if hit is not None:
            results.append(hit)
            progress(hit, len(results), len(jobs))
        else:
            pending.append(job)
    for result in _render_pending(pending, workers, fonts, cache_dir):
        results.append(result)
        progress(result, len(results), len(jobs))
    order = {job.report_id: n for n, job in enumerate(jobs)}
    return sorted(results, key=lambda r: order[r.report_id])


def _render_pending(jobs: list[PdfJob], workers: int, fonts: str, cache_dir: Path | None) -> Iterator[PdfResult]:
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield render_one(job, fonts, cache_dir)
        return
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        futures = [pool.submit(render_one, job, fonts, cache_dir) for job in jobs]
        for future in as_completed(futures):
            yield future.result()


def render_one(job: PdfJob, fonts: str, cache_dir: Path | None) -> PdfResult:
    """Lay out and write one PDF/A-3a; store it in the cache under the hash of its inputs."""
    from weasyprint import CSS, HTML

    started = time.perf_counter()
    document = HTML(string=job.html, base_url=job.base_url).render(stylesheets=[CSS(string=job.stylesheet)])
    data = document.write_pdf(
        pdf_variant=PDF_VARIANT,
        attachments=[_attachment(a, job) for a in job.attachments],
        uncompressed_pdf=False,
    )
    job.target.parent.mkdir(parents=True, exist_ok=True)
    job.target.write_bytes(data)
    pages = len(document.pages)
    if cache_dir is not None:
        _store(cache_dir, job.key(fonts), data, pages)
    return PdfResult(job.report_id, job.target, len(data), pages, False, time.perf_counter() - started)


def _attachment(attached: AttachedFile, job: PdfJob) -> Any:
    from weasyprint import Attachment

    return Attachment(
        file_obj=io.BytesIO(attached.data),
        name=attached.name,
        description=attached.description,
        created=job.created,
        modified=job.modified,
        relationship=attached.relationship,
    )


# The cache: <key>.pdf beside <key>.json holding its checksum and page count.


def _from_cache(job: PdfJob, fonts: str, cache_dir: Path | None) -> PdfResult | None:
    """A cached PDF only if it is whole: its bytes must match the checksum recorded with it."""
    if cache_dir is None:
        return None
    key = job.key(fonts)
    pdf, meta = cache_dir / f"{key}.pdf", cache_dir / f"{key}.json"
    try:
        record = json.loads(meta.read_text(encoding="utf-8"))
        data = pdf.read_bytes()
    except (OSError, ValueError):
        return None
    if hashlib.sha256(data).hexdigest() != record.get("sha256"):
        return None
    job.target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(pdf, job.target)
    return PdfResult(job.report_id, job.target, len(data), int(record["pages"]), True, 0.0)


def _store(cache_dir: Path, key: str, data: bytes, pages: int) -> None:
    """Write the PDF first and its record last, each atomically, so a torn entry never validates."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    _atomic_write(cache_dir / f"{key}.pdf", data)
    record = {"sha256": hashlib.sha256(data).hexdigest(), "pages": pages}
    _atomic_write(cache_dir / f"{key}.json", json.dumps(record).encode("utf-8"))


def _atomic_write(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_bytes(data)
    os.replace(temporary, path)


# Fonts: what the document is drawn with, and which characters it can draw.


@functools.lru_cache(maxsize=1)
def font_files() -> tuple[Path, ...]:
    """The font files fontconfig picks for our families (Debian's fonts-noto-cjk)."""
    files = []
    for family in FONT_FAMILIES:
        result = subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True, text=True, check=False)
        if result.stdout:
            files.append(Path(result.stdout))
    return tuple(dict.fromkeys(files))


def font_fingerprint() -> str:
    """Which font files, and which versions of them (size and change time): part of the cache key."""
    parts = []
    for path in font_files():
        stat = path.stat()
        parts.append(f"{path}:{stat.st_size}:{int(stat.st_mtime)}")
    return "|".join(parts)


@functools.lru_cache(maxsize=1)
def drawable() -> frozenset[int]:
    """Every code point the embedded fonts have a glyph for."""
    from fontTools.ttLib import TTCollection, TTFont

    points: set[int] = set()
    for path in font_files():
        fonts = TTCollection(str(path), lazy=True).fonts if path.suffix == ".ttc" else [TTFont(str(path), lazy=True)]
        for font in fonts[:1]:  # the faces of one collection share their character map
            points.update(font.getBestCmap() or {})
    return frozenset(points)


def missing_glyphs(data: Any, path: FieldPath = ()) -> Iterator[Finding]:
    """Every character of a document's text the fonts cannot draw: the PDF would show a box."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _missing_in_text(key, path + (key,))
            yield from missing_glyphs(value, path + (key,))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from missing_glyphs(item, path + (index,))
    elif isinstance(data, str):
        yield from _missing_in_text(data, path)


def _missing_in_text(text: str, path: FieldPath) -> Iterable[Finding]:
    known = drawable()
    seen: dict[str, int] = {}
    for index, char in enumerate(text):
        if char not in seen and ord(char) not in known and not char.isspace():
            seen[char] = index
    for char, index in seen.items():
        yield Finding(
            "missing-glyph",
            path,
            f"字符“{char}”（U+{ord(char):04X}）无法用 PDF 字体（思源黑体 Noto Sans CJK）显示，"
            "PDF 中会变成方框。请改用常用字，或用文字说明代替该符号",
            offset=index,  # in a paragraph of many lines, the line of the character itself
        )


def fonts_available() -> bool:
    return bool(font_files()) and all(p.is_file() for p in font_files())


def _weasyprint_version() -> str:
    import weasyprint

    return str(weasyprint.__version__)


def fallback_warning() -> str:
    return (
        "警告：WeasyPrint 找不到 HarfBuzz 子集化库（libharfbuzz-subset0），将改用 fontTools 处理中文字体，"
        "每份 PDF 要慢约 10 倍。请运行 bash tools/setup.sh 或 apt-get install libharfbuzz-subset0"
    )


def is_terminal() -> bool:
    return sys.stderr.isatty()
