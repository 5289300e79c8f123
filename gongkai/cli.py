"""The command line: build | check | serve | new ... ; exit 0 ok, 1 problems found, 2 usage or internal error."""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path
from typing import Optional, Sequence

from gongkai import __version__
from gongkai.pipeline import check
from gongkai.problems import Report

MAX_SHOWN = 200
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A mistake in how the command was called: a message, never a traceback."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would print English and exit 2
        raise UsageError(f"命令用法有误：{message}。运行 python build.py --help 查看用法")


def parser() -> argparse.ArgumentParser:
    main = _Parser(prog="gongkai", description="公开：部门预决算与绩效信息公开网站生成工具")
    main.add_argument("--version", action="version", version=f"gongkai {__version__}")
    commands = main.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="命令")
    check_cmd = commands.add_parser("check", help="检查内容：格式、必填项和数字是否相符")
    check_cmd.add_argument("content", nargs="?", default="content", help="内容文件夹（默认 content/）")
    check_cmd.add_argument("--format", choices=("text", "json"), default="text", help="输出格式")
    return main


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        args = parser().parse_args(argv)
        return _run(args)
    except UsageError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_USAGE
    except Exception:  # an internal bug: show everything, ask for a report
        traceback.print_exc()
        print("\n程序内部错误（不是您的内容有误）。请把以上信息发给技术支持人员。", file=sys.stderr)
        return EXIT_USAGE


def _run(args: argparse.Namespace) -> int:
    if args.command == "check":
        report = check(_content_dir(args.content))
        _print_report(report, args.format)
        return EXIT_OK if report.ok else EXIT_PROBLEMS
    raise UsageError(f"未知命令 {args.command}")


def _content_dir(text: str) -> Path:
    path = Path(text)
    if not path.is_dir():
        raise UsageError(f"找不到内容文件夹“{text}”")
    return path


def _print_report(report: Report, form: str) -> None:
    if form == "json":
        print(report.to_json())
        return
    for line in report.lines(MAX_SHOWN):
        print(line)
