"""`serve` end to end: a real server process, real saves, the page changing under the reader."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE_REPORT

from gongkai.preview import Session

PAGE = "huaihua-bjlxc/2023/self-evaluation.html"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.read().decode("utf-8")


def wait_for(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("the preview did not change in time")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def server(sample_site: Path, tmp_path: Path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "serve", str(sample_site), "--port", str(port)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_for(lambda: "<h1>" in fetch(base + PAGE))
        yield base, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def test_edit_error_fix_cycle(server: tuple[str, subprocess.Popen], sample_site: Path, tmp_path: Path) -> None:
    base, process = server
    report = sample_site / SAMPLE_REPORT
    page = fetch(base + PAGE)
    assert "livereload.js" in page
    assert "55.20" in page

    edit(report, "金额: 55.20}", "金额: 55.30}")
    edit(report, "基本工资55.20万元", "基本工资55.30万元")
    wait_for(lambda: "55.30" in fetch(base + PAGE))

    edit(report, "实际支出: 194.30", "实际支出: 194.31")
    wait_for(lambda: 'id="gongkai-problems"' in fetch(base + PAGE))
    shown = fetch(base + PAGE)
    changed = next(n for n, line in enumerate(report.read_text(encoding="utf-8").splitlines(), 1) if "194.31" in line)
    first = shown.split('id="gongkai-problems"', 1)[1].split("<li>")[1]
    assert f"self-evaluation.yaml:{changed}:" in first, "the overlay leads with the figure that was changed"
    assert "这会导致以下" in first and "balance-mismatch" in shown, "and folds what it explains under it"
    assert "55.30" in shown, "the last good page stays under the problems"

    edit(report, "实际支出: 194.31", "实际支出: 194.30")
    wait_for(lambda: 'id="gongkai-problems"' not in fetch(base + PAGE))

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0
    assert not (tmp_path / "site").exists(), "the preview never writes the published site"


def test_pdf_is_made_when_first_asked_for(server: tuple[str, subprocess.Popen]) -> None:
    base, _ = server
    assert "预览时在首次打开时生成" in fetch(base + PAGE)
    with urllib.request.urlopen(base + PAGE.replace(".html", ".pdf"), timeout=60) as response:
        assert response.read(5) == b"%PDF-"


def test_requests_cannot_leave_the_preview_folder(server: tuple[str, subprocess.Popen]) -> None:
    base, _ = server
    with socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1].strip("/")))) as s:
        s.sendall(b"GET /../../../../etc/passwd HTTP/1.0\r\n\r\n")
        answer = s.recv(4096).decode("latin-1")
    assert answer.startswith("HTTP/1.1 404") or answer.startswith("HTTP/1.0 404")


def test_a_template_error_is_shown_with_its_template_and_line(sample_site: Path, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    session = Session(sample_site, tmp_path / "preview", templates=templates)
    assert session.rebuild().ok
    home = templates / "home.html"
    edit(home, "{% block main %}", "{% block main %}{{ no_such_variable.x }}")
    result = session.rebuild()
    [problem] = result.problems
    assert problem.code == "template-error" and problem.file.endswith("home.html") and problem.line == 3
    edit(home, "{{ no_such_variable.x }}", "")
    assert session.rebuild().ok


def test_one_edit_rerenders_one_report_and_no_index(sample_site: Path, tmp_path: Path) -> None:
    session = Session(sample_site, tmp_path / "preview")
    first = session.rebuild()
    reports = sorted(sample_site.glob("*/*/*.yaml"))
    years = {path.parent.name for path in reports}
    units = {path.parent.parent.name for path in reports}
    # home, 404, a11y, search, archive; each unit's page and its comparison; each year's
    assert (first.reports, first.indexes) == (len(reports), 5 + 2 * len(units) + len(years))
    assert (tmp_path / "preview" / "data" / "gongkai-data.csv").is_file(), "the home page's open data is there too"
    assert (session.rebuild().reports, session.rebuild().indexes) == (0, 0)
    edit(sample_site / SAMPLE_REPORT, "金额: 55.20}", "金额: 55.30}")
    edit(sample_site / SAMPLE_REPORT, "基本工资55.20万元", "基本工资55.30万元")
    again = session.rebuild()
    assert (again.reports, again.indexes) == (1, 0)
    [changed] = again.changed
    assert changed.endswith(str(SAMPLE_REPORT))


def test_a_new_form_in_site_yaml_reads_the_budgets_again(sample_site: Path, tmp_path: Path) -> None:
    """The preview keeps what it read; a 预算 read against 湖南 is read again when site.yaml names 全国."""
    session = Session(sample_site, tmp_path / "preview")
    page = tmp_path / "preview" / "huaihua-bjlxc" / "2023" / "final-accounts.html"

    def general_public_head() -> str:
        return page.read_text("utf-8").split('id="general-public"', 1)[1].split("</thead>", 1)[0]

    assert session.rebuild().ok and ">决算数</th>" in general_public_head()  # 湖南 groups its 决算数 columns
    edit(sample_site / "site.yaml", "表样: 湖南", "表样: 全国")
    assert session.rebuild().ok
    assert ">决算数</th>" not in general_public_head()  # read again against 全国, which does not


def test_a_file_copied_in_with_its_old_time_is_seen(sample_site: Path, tmp_path: Path) -> None:
    """`cp -p` (a file manager's copy) keeps the old modification time; the same size is common too."""
    session = Session(sample_site, tmp_path / "preview")
    assert session.rebuild().ok
    report = sample_site / SAMPLE_REPORT
    elsewhere = tmp_path / "edited.yaml"
    shutil.copy2(report, elsewhere)
    edit(elsewhere, "实际支出: 194.30", "实际支出: 194.31")
    before = report.stat()
    os.utime(elsewhere, ns=(before.st_atime_ns, before.st_mtime_ns))
    shutil.copy2(elsewhere, report)  # the same size and modification time as the file it replaces
    assert report.stat().st_mtime_ns == before.st_mtime_ns and report.stat().st_size == before.st_size
    result = session.rebuild()
    assert not result.ok and "balance-mismatch" in {p.code for p in result.problems}
    assert [name for name in result.changed if name.endswith(str(SAMPLE_REPORT))]


def test_the_watcher_sees_a_new_file_with_an_old_time(tmp_path: Path) -> None:
    from gongkai.serve import FastWatcher

    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "site.yaml").write_text("a: 1\n", encoding="utf-8")
    watcher = FastWatcher()
    watcher.watch(str(folder))  # takes the first look
    assert watcher.is_changed(str(folder)) is False
    old = tmp_path / "old.yaml"
    old.write_text("b: 2\n", encoding="utf-8")
    os.utime(old, (1_000_000_000, 1_000_000_000))  # 2001
    shutil.copy2(old, folder / "budget.yaml")
    assert watcher.is_changed(str(folder)) is True
    assert watcher.is_changed(str(folder)) is False


def test_serve_on_a_busy_port_says_so_plainly(sample_site: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, str(ROOT / "build.py"), "serve", str(sample_site), "--port", str(port)],
            cwd=tmp_path, capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr
    assert f"端口 {port} 已被占用" in result.stderr and "--port" in result.stderr


def status_of(base: str, raw_path: bytes) -> str:
    """The status line the preview answers a GET of `raw_path` (sent as typed, not re-encoded) with."""
    with socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1].strip("/"))), timeout=10) as s:
        s.sendall(b"GET " + raw_path + b" HTTP/1.0\r\n\r\n")
        return s.recv(4096).decode("latin-1").split("\r\n", 1)[0]


MALFORMED = [
    (b"/%00", "400"), (b"/huaihua-bjlxc/%00.html", "400"), (b"/%01/x", "400"), (b"/%7f", "400"),
    (b"/%ff", "400"), (b"/%c3%28.html", "400"), (b"/a%5c..%5c..%5cetc%5cpasswd", "400"),
    (b"/" + b"a" * 256, "404"), (b"/" + b"%e4%b8%80" * 90 + b".html", "404"), (b"/a/" * 2000, "404"),
    (b"/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "404"), (b"/huaihua-bjlxc/../../../etc/passwd", "404"),
    (b"/%zz", "404"), (b"/%", "404"), (b"/%2500", "404"), (b"/\xff\xfe.html", "404"), (b"/x.pdf%00", "400"),
]


def test_a_malformed_path_is_answered_400_or_404_never_500(server: tuple[str, subprocess.Popen]) -> None:
    """A NUL or a name over 255 bytes made the file system raise: a 500 and a traceback in the terminal."""
    base, process = server
    answers = {raw: status_of(base, raw) for raw, _ in MALFORMED}
    assert {raw: answer.split()[1] for raw, answer in answers.items()} == dict(MALFORMED)
    assert "200" in status_of(base, b"/" + PAGE.encode())  # still serving
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=10)
    assert "Traceback" not in output, output


def test_content_broken_from_the_start_still_has_its_favicon_and_styles(sample_site: Path, tmp_path: Path) -> None:
    """Nothing could ever be built: the bare problems page links the favicon, and the preview serves it."""
    from gongkai.serve import _problems_page

    edit(sample_site / "site.yaml", "网站名称:", "网站名称：")
    session = Session(sample_site, tmp_path / "preview")
    assert not session.rebuild().ok
    page = _problems_page(session.problems).decode("utf-8")
    href = page.split('rel="icon" href="', 1)[1].split('"', 1)[0]
    assert (tmp_path / "preview" / href.lstrip("/")).is_file()
    assert (tmp_path / "preview" / "assets" / "style.css").is_file()


def listening_addresses(port: int) -> set[str]:
    """The local addresses sockets listen on at `port`, as the kernel lists them (hex, /proc/net/tcp*)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, _, hex_port = local.rpartition(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_the_preview_listens_on_this_computer_only_by_default(server: tuple[str, subprocess.Popen]) -> None:
    """A draft of unpublished figures must not be on the office network unless --host says so."""
    base, _ = server
    port = int(base.rsplit(":", 1)[1].strip("/"))
    assert listening_addresses(port) == {"0100007F"}, "127.0.0.1 only (0.0.0.0 would be 00000000)"
