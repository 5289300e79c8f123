"""Site search without a server: Pagefind indexes the built pages. The only module that runs Pagefind.

Pagefind's extended build (PyPI `pagefind-bin-extended`) segments Chinese words, so "公务接待费" is found
inside a sentence. It runs on the complete staged site, just before it is published, and writes
`pagefind/` (an index split into small fragments that the search page fetches as the reader types).
Report pages are indexed from their <main>, tables included; frozen pages copied from an archive bag
are indexed too, since nothing here depends on markup they may lack.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

FOLDER = "pagefind"
# <unit>/<year>/<kind>.html and the originals of corrected reports (<unit>/<year>-<date>/<kind>.html).
REPORT_PAGES = "*/*/*.html"
NOT_INDEXED = (".toc", ".skip-link", ".scroll-hint", ".visually-hidden", "#downloads")


def executable() -> Path | None:
    """Pagefind's binary, or None where the package is not installed (the build then says so)."""
    try:
        import pagefind_bin_extended  # optional: the site builds without search
    except ImportError:
        return None
    try:
        return Path(pagefind_bin_extended.get_executable())
    except (FileNotFoundError, OSError):
        return None


class SearchFailed(Exception):
    """Pagefind ran and failed: the message says what it printed."""


def index(site: Path) -> bool:
    """Write the search index of `site` into `site/pagefind/`; False when Pagefind is not installed."""
    binary = executable()
    if binary is None:
        return False
    command = [
        str(binary), "--site", str(site), "--output-subdir", FOLDER, "--glob", REPORT_PAGES,
        "--root-selector", "main", "--force-language", "zh-cn", "--silent",
        *(part for selector in NOT_INDEXED for part in ("--exclude-selectors", selector)),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SearchFailed(f"生成站内搜索索引失败（Pagefind 退出码 {done.returncode}），未发布任何文件。"
                           f"可单独运行 {binary} --site <网站文件夹> 查看原因")
    return True
