"""`python build.py serve`: live preview while editing. The only module that imports livereload.

A small WSGI app serves the preview folder: it shows the content's problems over the last good page,
renders a report's PDF when it is first asked for, and livereload injects its reload script.
"""

from __future__ import annotations

import errno
import html
import logging
import mimetypes
import os
import signal
import socket
import tempfile
import threading
import time
import traceback
import webbrowser
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from livereload import Server
from livereload.handlers import LiveReloadHandler
from livereload.watcher import Watcher
from tornado import ioloop

from gongkai.preview import Session, file_stamp
from gongkai.problems import Problem, Severity, readable_path

LOOPBACK = ("127.0.0.1", "localhost", "::1")
# Longer names and paths than any file system keeps: answered 404 before the file system is asked.
MAX_NAME = 255
MAX_PATH = 4096
POLL_SECONDS = 0.1


class PortBusy(Exception):
    """The preview cannot listen where it was asked to: a plain message, never a traceback."""


def serve(root: Path, host: str, port: int, log: Callable[[str], None], open_browser: bool = False) -> None:
    """Build a preview in a temporary folder, serve it, rebuild and reload on every save."""
    _check_port(host, port)  # before the first build, which takes seconds: fail at once
    if host not in LOOPBACK:
        log(f"警告：预览绑定在 {host}，同一网络中的其他人也能看到预览内容。只在本机预览请用 --host 127.0.0.1")
    with tempfile.TemporaryDirectory(prefix="gongkai-preview-") as folder:
        session = Session(root, Path(folder) / "site", cache=Path(folder) / "pdf-cache")
        rebuild = _rebuilder(session, log)
        LiveReloadHandler.DEFAULT_RELOAD_TIME = 0  # reload after every rebuild, however close together
        server = QuietServer(app=application(session), watcher=FastWatcher())
        for folder_to_watch in (root, session.templates):  # first: a save during the first build is a change
            server.watch(str(folder_to_watch), rebuild)
        rebuild()
        address = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
        log(f"预览地址：{address}  （按 Ctrl+C 停止）")
        if open_browser:  # once the server listens: the timer fires from inside its loop's first second
            threading.Timer(0.5, webbrowser.open, [address]).start()
        signal.signal(signal.SIGTERM, _stop)
        try:
            server.serve(port=port, host=host, debug=False, restart_delay=0)
        except OSError as error:  # taken in the moment since the check
            raise _port_problem(error, port) from None


def _check_port(host: str, port: int) -> None:
    """Bind the port as the server will (address reuse on, as tornado sets it) and let it go again."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        raise _port_problem(error, port) from None


def _port_problem(error: OSError, port: int) -> PortBusy:
    if error.errno == errno.EADDRINUSE:
        return PortBusy(
            f"端口 {port} 已被占用（可能已有一个预览正在运行）。请先关闭它，或换一个端口，"
            f"例如：python build.py serve --port {port + 1}"
        )
    if error.errno in (errno.EACCES, errno.EPERM):
        return PortBusy(f"没有权限使用端口 {port}（1024 以下的端口需要管理员权限）。请换一个端口，例如：--port 8000")
    return PortBusy(f"无法在端口 {port} 上启动预览（{error.strerror or error}）。请检查 --host，或换一个端口（--port）")


def _stop(*_: Any) -> None:
    raise KeyboardInterrupt


def _rebuilder(session: Session, log: Callable[[str], None]) -> Callable[[], None]:
    def rebuild() -> None:
        try:
            result = session.rebuild()
        except Exception:  # a bug of ours: say so, keep serving the last good pages
            log(traceback.format_exc())
            session.problems = [Problem("internal-error", Severity.ERROR, "gongkai", 1, 1, "",
                                        "程序内部错误（不是您的内容有误），详情见终端。请把终端中的信息发给技术支持人员")]
            return
        log(f"{time.strftime('%H:%M:%S')} {result.line()}")
        for problem in [p for p in session.folded() if p.severity.value == "error"][:20]:
            log(f"  {problem}")  # one mistyped figure: one error, its consequences folded under it

    return rebuild


class QuietServer(Server):
    """livereload's own English log lines would drown ours; its warnings and errors still show."""

    def _setup_logging(self) -> None:
        logging.getLogger("livereload").setLevel(logging.WARNING)
        logging.getLogger("tornado.access").setLevel(logging.WARNING)


class FastWatcher(Watcher):
    """Polls every 0.1 s instead of livereload's 0.8 s, so a save shows almost at once.

    livereload compares modification times only, and takes a new file for a change only when its time is
    later than the server's start: a file copied in with its old time (`cp -p`) would go unseen. We compare
    the preview's stamps instead, and count every file that appears after the first look.
    """

    def __init__(self) -> None:
        super().__init__()
        self._looked: set[str] = set()  # watched paths looked at once: files found later are new
        self._first_look = False

    def start(self, callback: Callable[[], None]) -> bool:
        ioloop.PeriodicCallback(callback, POLL_SECONDS * 1000).start()
        return True

    def watch(self, path: str, func: Any = None, delay: Any = 0, ignore: Any = None) -> None:
        super().watch(path, func, delay, ignore)
        self._task_mtimes = self._tasks[path]["mtimes"]
        self.is_changed(path, ignore)  # the first look, now: what is there is not a change, what comes is

    def is_changed(self, path: str, ignore: Callable[[str], bool] | None = None) -> bool:
        self._first_look = path not in self._looked
        self._looked.add(path)
        return bool(super().is_changed(path, ignore)) and not self._first_look

    def is_file_changed(self, path: str, ignore: Callable[[str], bool] | None = None) -> bool:
        if not os.path.isfile(path) or self.ignore(path) or (ignore and ignore(path)):
            return False
        stamp = file_stamp(Path(path))
        changed = self._task_mtimes.get(path) != stamp and not self._first_look
        self._new_mtimes[path] = stamp
        if changed:
            self.filepath = path
        return changed


def application(session: Session) -> Callable[..., Iterable[bytes]]:
    """The WSGI app: files from the preview folder, with the problems overlaid while there are any."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = _request_path(environ)
        if path is None:
            body = _message_page("请求的地址无效")
            start_response("400 Bad Request", [("Content-Type", "text/html; charset=utf-8"),
                                               ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
            return [body]
        if not path or path.endswith("/"):
            path += "index.html"
        target = _inside(session.out, path)
        if target is not None and target.suffix == ".pdf" and not _is_file(target):
            session.pdf(path)
        status = "200 OK"
        if target is None or not _is_file(target):
            status, target = "404 Not Found", session.out / "404.html"
        body = target.read_bytes() if target.is_file() else _problems_page(session.problems)
        media = mimetypes.guess_type(str(target))[0] or "application/octet-stream"
        if media == "text/html":
            media = "text/html; charset=utf-8"
            body = _with_problems(body, session.folded())
        start_response(status, [("Content-Type", media), ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
        return [body]

    return app


def _request_path(environ: dict[str, Any]) -> str | None:
    """The path asked for, without its leading slash; None for one no file can have (answered 400).

    WSGI gives the path already percent-decoded, as the raw bytes spelt in Latin-1: they must be UTF-8, and
    may hold no control character (a NUL made Path.resolve raise, so the answer was a 500).
    """
    try:
        path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8")
    except UnicodeError:
        return None
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in path) or "\\" in path:
        return None
    return path.lstrip("/")


def _inside(folder: Path, path: str) -> Path | None:
    """The file for a request, or None for anything that would step outside the preview folder or cannot be a file."""
    if len(path) > MAX_PATH or any(len(part.encode("utf-8")) > MAX_NAME for part in path.split("/")):
        return None  # no file has such a name: the file system would refuse to look (ENAMETOOLONG)
    try:
        target = (folder / path).resolve()
    except (OSError, RuntimeError, ValueError):  # a link loop, or what the file system refuses to look up
        return None
    return target if folder.resolve() in target.parents else None


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _with_problems(page: bytes, problems: list[Problem]) -> bytes:
    """`problems` folded already (Session.folded): the one cause leads, what it explains under it."""
    errors = [p for p in problems if p.severity.value == "error"]
    if not errors:
        return page
    return page.replace(b"</body>", _overlay(errors).encode("utf-8") + b"</body>", 1)


def _folded(problem: Problem) -> str:
    if not problem.consequences:
        return ""
    rows = "".join(f"<li>{html.escape(p.where_from(problem.file))}：{html.escape(p.message)}（{html.escape(p.code)}）</li>" for p in problem.consequences)
    return (f"<p style=\"margin:.25rem 0 0\">这会导致以下 {len(problem.consequences)} 处不一致，改正这一处后应一并消失：</p>"
            f'<ol style="margin:0;padding-left:1.5rem">{rows}</ol>')


def _count(errors: list[Problem]) -> str:
    """“6 个错误（都由 1 处引起）”: the terminal's count, and how many places to mend."""
    total = sum(1 + len(p.consequences) for p in errors)
    return f"{total} 个错误" + (f"（都由 {len(errors)} 处引起）" if total > len(errors) else "")


def _overlay(errors: list[Problem]) -> str:
    """The errors as the terminal says them: place, sentence, the field as the form names it, the code last;
    the errors one mistyped figure explains folded under it."""
    items = "".join(
        f"<li><code>{html.escape(f'{p.file}:{p.line}:{p.column}')}</code> "
        f"{html.escape(p.severity.label)}：{html.escape(p.message)}"
        f"{html.escape(f'【{readable_path(p.path)}】' if p.path else '')}（{html.escape(p.code)}）{_folded(p)}</li>"
        for p in errors[:50]
    )
    return (
        '<section id="gongkai-problems" role="alert" aria-labelledby="gongkai-problems-title" style="position:fixed;'
        "left:0;right:0;bottom:0;max-height:60vh;overflow:auto;background:#fff;color:#1b1b1b;border-top:6px solid "
        '#9c1c1c;padding:1rem 1.5rem;z-index:1000;box-shadow:0 -4px 12px rgba(0,0,0,.3);font-size:1rem">'
        f'<h2 id="gongkai-problems-title" style="margin:0 0 .5rem">内容有 {_count(errors)}，'
        "下面显示的是上一次正确的页面。改正并保存后会自动刷新。</h2>"
        f'<ol style="margin:0;padding-left:1.5rem">{items}</ol></section>'
    )


def _problems_page(problems: list[Problem]) -> bytes:
    """When nothing good was ever built (or the page does not exist): a bare page for the overlay."""
    return _message_page("内容有错误，暂时无法预览" if problems else "页面不存在")


def _message_page(heading: str) -> bytes:
    return (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{heading}</title>'
        '<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml"></head>'
        f"<body><h1>{heading}</h1></body></html>"
    ).encode()
