"""The command line: build | check | serve | new ... ; exit 0 ok, 1 problems found, 2 usage or internal error."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from gongkai import __version__, archive
from gongkai.causes import Edit, fold_causes
from gongkai.lastclean import check_remembering
from gongkai.models import REPORT_KINDS
from gongkai.models.base import FIRST_YEAR, LAST_YEAR
from gongkai.pipeline import BuildOptions, SetupError, build, check
from gongkai.problems import Report, display_file

MAX_SHOWN = 200
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A mistake in how the command was called: a message, never a traceback."""


# argparse's own messages, reworded in Chinese (the first pattern that matches wins).
_ARGPARSE_MESSAGES = (
    (re.compile(r"the following arguments are required: (.*)"), "缺少必需的参数：{0}"),
    (re.compile(r"argument (\S+): invalid choice: '?(.*?)'? \(choose from (.*)\)"), "{0} 的值“{1}”无效，可选：{2}"),
    (re.compile(r"unrecognized arguments: (.*)"), "无法识别的参数：{0}"),
    (re.compile(r"argument (\S+): expected one argument"), "{0} 后面需要一个值"),
    (re.compile(r"argument (\S+): not allowed with argument (\S+)"), "{0} 不能与 {1} 同时使用"),
    (re.compile(r"argument (\S+): (.*)"), "{0}：{1}"),
)


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse with Chinese help headings and error messages, raising instead of exiting."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, add_help=False, formatter_class=_Formatter, **kwargs)  # type: ignore[misc]
        self._positionals.title, self._optionals.title = "参数", "选项"
        self.add_argument("-h", "--help", action="help", help="显示帮助并退出")

    def error(self, message: str) -> None:  # argparse would print English and exit 2
        for pattern, wording in _ARGPARSE_MESSAGES:
            found = pattern.fullmatch(message)
            if found:
                message = wording.format(*found.groups())
                break
        raise UsageError(f"命令用法有误：{message}。运行 python build.py --help 查看用法")


def parser() -> argparse.ArgumentParser:
    main = _Parser(prog="gongkai", description="公开：部门预决算与绩效信息公开网站生成工具")
    main.add_argument("--version", action="version", version=f"gongkai {__version__}", help="显示版本并退出")
    commands = main.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="命令", title="命令")
    check_cmd = commands.add_parser("check", help="检查内容：格式、必填项和数字是否相符")
    check_cmd.add_argument("content", nargs="?", default="content", help="内容文件夹（默认 content/）")
    check_cmd.add_argument("--format", choices=("text", "json"), default="text", help="输出格式")
    _output_options(check_cmd)
    build_cmd = commands.add_parser("build", help="检查内容并生成网站（默认输出到 site/）")
    build_cmd.add_argument("content", nargs="?", default="content", help="内容文件夹（默认 content/）")
    build_cmd.add_argument("--out", default="site", help="输出文件夹（默认 site/）")
    build_cmd.add_argument("--no-pdf", action="store_true", help="不生成 PDF（预览时更快）")
    build_cmd.add_argument("--jobs", type=_positive, default=None, help="同时生成报告网页、数据下载和 PDF 的进程数（默认等于 CPU 核数）")
    _output_options(build_cmd)
    archive_cmd = commands.add_parser("archive", help="归档一个年度：生成网站并把该年度的文件和校验码冻结为 BagIt 包")
    archive_cmd.add_argument("year", type=_positive, help="要归档的年度，如 2023")
    archive_cmd.add_argument("content", nargs="?", default="content", help="内容文件夹（默认 content/）")
    archive_cmd.add_argument("--out", default="site", help="网站输出文件夹（默认 site/）")
    archive_cmd.add_argument("--package", default=None, help="另存为单个 .tar 文件，交给档案部门")
    _output_options(archive_cmd)
    verify_cmd = commands.add_parser("verify", help="核对已发布的文件和归档包是否与归档清单一致")
    verify_cmd.add_argument("year", nargs="?", type=_positive, default=None, help="只核对这一年度（默认全部）")
    verify_cmd.add_argument("--content", default="content", help="内容文件夹（默认 content/）")
    verify_cmd.add_argument("--site", default="site", help="已发布的网站文件夹（默认 site/）")
    new_cmd = commands.add_parser("new", help="新建一份报告：各项留空待填，上年数字和科目自动带入")
    new_cmd.add_argument("unit", help="单位文件夹名，如 huaihua-bjlxc")
    new_cmd.add_argument("year", type=_year, help="年度，如 2024")
    new_cmd.add_argument("kind", help=f"报告类型：{'、'.join(REPORT_KINDS)}")
    new_cmd.add_argument("--content", default="content", help="内容文件夹（默认 content/）")
    import_cmd = commands.add_parser("import", help="导入财务系统导出的表格或往年公开的文件，生成报告的 YAML")
    import_cmd.add_argument("files", nargs="+", metavar="FILE", help="要导入的文件：表格（.xlsx、.xls、.ods）、PDF 或 Word（.docx）")
    import_cmd.add_argument("--unit", required=True, help="单位文件夹名，如 huaihua-bjlxc")
    import_cmd.add_argument("--year", type=_positive, required=True, help="年度，如 2024")
    import_cmd.add_argument("--kind", default="", help="报告类型：budget、final-accounts、project-evaluation 或 self-evaluation（默认按表名判断）")
    import_cmd.add_argument("--content", default="content", help="内容文件夹（默认 content/）")
    import_cmd.add_argument("--force", action="store_true", help="覆盖已有的报告文件")
    import_cmd.add_argument("--published", default="", metavar="YYYY-MM-DD", help="发布日期（表格中没有时填写）")
    import_cmd.add_argument("--to-wanyuan", action="store_true", help="表格以元为单位时换算为万元（四舍五入到网站规定的小数位）")
    serve_cmd = commands.add_parser("serve", help="本机预览：修改并保存后页面自动刷新")
    serve_cmd.add_argument("content", nargs="?", default="content", help="内容文件夹（默认 content/）")
    serve_cmd.add_argument("--host", default="127.0.0.1", help="监听地址（默认只允许本机访问）")
    serve_cmd.add_argument("--port", type=_positive, default=8000, help="端口（默认 8000）")
    serve_cmd.add_argument("--open", action="store_true", help="启动后在浏览器中打开预览")
    return main


def _output_options(command: argparse.ArgumentParser) -> None:
    """How much a command says (as mkdocs and hugo users expect), and whether warnings fail it."""
    loudness = command.add_mutually_exclusive_group()
    loudness.add_argument("-q", "--quiet", action="store_true", help="只显示错误：不显示警告和进度")
    loudness.add_argument("-v", "--verbose", action="store_true",
                          help="显示全部问题（不限条数）；内容没有变化时也再次列出上次的警告")
    command.add_argument("--strict", action="store_true", help="严格模式：有警告也视为失败（退出码 1，不发布）")


def _positive(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:  # "²".isdigit(), but int("²") raises
        raise argparse.ArgumentTypeError(f"应为正整数，而不是“{text}”")
    return int(text)


def _year(text: str) -> int:
    year = _positive(text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(f"年度“{text}”超出范围：应在 {FIRST_YEAR} 到 {LAST_YEAR} 之间")
    return year


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
        return _run(args)
    except (UsageError, SetupError) as error:
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
        report, edit = check_remembering(_content_dir(args.content))
        _print_report(report, args.format, args, edit)
        return EXIT_OK if _passes(report, args) else EXIT_PROBLEMS
    if args.command == "build":
        return _build(args)
    if args.command == "archive":
        return _archive(args)
    if args.command == "verify":
        messages = archive.verify(_content_dir(args.content), Path(args.site), [args.year] if args.year else None)
        for message in messages:
            print(message)
        print(f"发现 {len(messages)} 处不一致。" if messages else "校验通过：已发布的文件和归档包都与归档清单一致。")
        return EXIT_PROBLEMS if messages else EXIT_OK
    if args.command == "new":
        return _new(args)
    if args.command == "import":
        from gongkai.importing.report import run_import  # calamine loads only for an import

        return run_import(args, _content_dir(args.content), _log)
    if args.command == "serve":
        from gongkai.serve import PortBusy, serve  # livereload and tornado load only for the preview

        try:
            serve(_content_dir(args.content), args.host, args.port, _log, open_browser=args.open)
        except PortBusy as error:
            raise UsageError(str(error)) from error
        return EXIT_OK
    raise UsageError(f"未知命令 {args.command}")


def _build(args: argparse.Namespace) -> int:
    root, log = _content_dir(args.content), _logger(args)
    if args.strict and not _strict_check(root, args):
        print(f"--strict：有警告，未发布；{args.out}/ 保持原样。", file=sys.stderr)
        return EXIT_PROBLEMS
    options = BuildOptions(out=Path(args.out), pdf=not args.no_pdf, jobs=args.jobs)
    loaded = build(root, options, log=log)
    if loaded.unchanged:
        _print_unchanged(loaded.report, args)
    elif loaded.report.problems:
        _print_report(loaded.report, "text", args)
    if not loaded.report.ok:
        print(f"内容有错误，未发布；{args.out}/ 保持原样。", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def _strict_check(root: Path, args: argparse.Namespace) -> bool:
    """With --strict, check before writing anything: a warning must leave the published site as it was."""
    report = check(root)
    if _passes(report, args):
        return True
    _print_report(report, "text", args)
    return False


def _passes(report: Report, args: argparse.Namespace) -> bool:
    return report.ok and not (getattr(args, "strict", False) and report.warnings)


def _print_unchanged(report: Report, args: argparse.Namespace) -> None:
    """A rebuild with nothing to do: the warnings were shown by the build that made the site; count them."""
    if args.verbose:
        _print_report(report, "text", args)
    elif report.warnings and not args.quiet:
        print(f"上次生成时的 {len(report.warnings)} 个警告仍未处理（加 --verbose 再次列出，或运行 python build.py check）。")


def _archive(args: argparse.Namespace) -> int:
    """Build first, so what is frozen is exactly what is published; then write the year's bag."""
    root, log = _content_dir(args.content), _logger(args)
    if (root / archive.ARCHIVE / str(args.year)).exists():
        raise UsageError(f"{args.year}年度已经归档。已归档的报告只能通过“更正记录”更正")
    if args.strict and not _strict_check(root, args):
        print("--strict：有警告，未归档。", file=sys.stderr)
        return EXIT_PROBLEMS
    loaded = build(root, BuildOptions(out=Path(args.out), incremental=False), log=log)
    if loaded.report.problems:
        _print_report(loaded.report, "text", args)
    if not loaded.report.ok or loaded.content is None:
        print("内容有错误，未归档。", file=sys.stderr)
        return EXIT_PROBLEMS
    if not any(r.year == args.year for r in loaded.content.reports):
        raise UsageError(f"内容中没有{args.year}年度的报告，无法归档")
    try:
        bag = archive.freeze(root, Path(args.out), args.year, loaded.content, dt.date.today())
    except archive.ArchiveUnreadable as error:
        print(f"{error}。未归档。", file=sys.stderr)
        return EXIT_PROBLEMS
    log(f"已归档 {args.year} 年度：{display_file(bag)}")
    log(f"封存码（标签清单的 SHA-256）：{archive.seal_of(bag)}。请把它连同归档包交档案部门记录，日后核对时比对")
    if args.package:
        archive.write_package(bag, Path(args.package))
        log(f"归档包已另存为 {args.package}")
    return EXIT_OK


def _new(args: argparse.Namespace) -> int:
    """Start a report file; say where it is, what was carried over and what is left to fill in."""
    from gongkai.new import NewReportError, new_report

    try:
        made = new_report(_content_dir(args.content), args.unit, args.year, args.kind)
    except NewReportError as error:
        raise UsageError(str(error)) from error
    shown = display_file(made.path)
    print(f"已生成 {shown}")
    for item in made.carried:
        print(f"  已带入：{item}")
    print(f"待办：以下 {len(made.required)} 项必须填写（文件中标有“必填”），check 会逐项检查：")
    for line, place in made.required:
        print(f"  第 {line} 行  {place}")
    if made.review:
        print(f"请核对：以下 {len(made.review)} 处沿用了上年的文字，其中写的是另一个年度（文件中标有“请核对”）：")
        for line, place, year in made.review:
            print(f"  第 {line} 行  {place}（{year}年）")
    optional = made.blanks - len(made.required)
    if optional > 0:
        print(f"另有 {optional} 处空白（多为金额），没有的可以不填。")
    print(f"填好后运行 python build.py check 检查（文件：{shown}）。")
    return EXIT_OK


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _silent(line: str) -> None:
    """--quiet: no progress lines; errors still come through the report."""


def _logger(args: argparse.Namespace) -> Callable[[str], None]:
    return _silent if getattr(args, "quiet", False) else _log


def _content_dir(text: str) -> Path:
    path = Path(text)
    if not path.is_dir():
        raise UsageError(f"找不到内容文件夹“{text}”")
    return path


def _print_report(report: Report, form: str, args: argparse.Namespace | None = None, edit: Edit | None = None) -> None:
    """The problems folded: one cause leads the errors it explains (the one value edited since the last
    clean check, when `check` knows it), in the terminal as in the JSON."""
    if form == "json":
        print(Report(fold_causes(report.problems, edit)).to_json())
        return
    quiet, verbose = getattr(args, "quiet", False), getattr(args, "verbose", False)
    failing = report.problems if getattr(args, "strict", False) else report.errors  # --strict: warnings fail too
    shown = Report(fold_causes([p for p in report.problems if p in failing] if quiet else report.problems, edit))
    if quiet and not shown.problems:
        return
    limit = len(shown.problems) + 1 if verbose else MAX_SHOWN
    lines = list(shown.lines(limit, colour=colour_wanted(sys.stdout)))
    for line in lines[:-1]:
        print(line)
    print(report.summary())  # the whole count, even when --quiet leaves the warnings out


def colour_wanted(stream: object) -> bool:
    """Colour in a terminal only: not when piped or saved to a file, and never with NO_COLOR (no-color.org)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
