"""The import report, in plain Chinese: what was found where, what was not, and every figure left out."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from gongkai.importing import ImportFileError, ImportRequest, ImportResult, import_files
from gongkai.problems import display_file

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
MAX_SHOWN = 200


def run_import(args: argparse.Namespace, root: Path, log: Callable[[str], None]) -> int:
    """`python build.py import`: 0 all placed and checked, 1 something to look at, 2 nothing written."""
    request = ImportRequest(
        [Path(f) for f in args.files], args.unit, args.year, args.kind, root, args.force, args.to_wanyuan,
        args.published,
    )
    try:
        result = import_files(request, log)
    except ImportFileError as error:
        print(f"{error}。未写入任何文件。", file=sys.stderr)
        return EXIT_USAGE
    for line in lines(result):
        print(line)
    errors = [p for p in result.problems if p.severity == "error"]
    return EXIT_PROBLEMS if errors or result.leftovers else EXIT_OK


def lines(result: ImportResult) -> list[str]:
    """The report as printed: each section only when it has something to say."""
    out = [f"已写入 {display_file(result.path)}（用时 {result.seconds:.2f} 秒）"]
    out += [f"  已导入《{name}》：{where}" for name, where in result.found]
    if result.missing:
        out.append(f"未找到表样中的 {len(result.missing)} 张表：{'、'.join(result.missing)}")
    out += result.notes
    if result.rounded:
        out.append(f"换算为万元时四舍五入的 {len(result.rounded)} 个数字（四舍五入到网站规定的小数位）：")
        out += [f"  {r.place}：{r.original} 元 → {r.written} 万元" for r in result.rounded[:MAX_SHOWN]]
    if result.leftovers:
        out.append(f"未导入的 {len(result.leftovers)} 个数字（请核对后手工补入）：")
        out += [f"  {item.place}：{item.value} —— {item.why}" for item in result.leftovers[:MAX_SHOWN]]
        if len(result.leftovers) > MAX_SHOWN:
            out.append(f"  …… 另有 {len(result.leftovers) - MAX_SHOWN} 个未列出")
    else:
        out.append("表格中的数字已全部导入。")
    if result.problems:
        out.append("检查结果：")
        out += [f"  {p}" for p in result.problems]
    else:
        out.append("检查通过。")
    if result.kind not in ("budget", "final-accounts"):
        out.append("填好留空的各项后运行 python build.py check 检查。")
    elif "情况说明" in result.data:
        out.append("“情况说明”已按原文的各部分标题导入（加粗、列表等格式未保留），请对照原文核对。")
    else:
        out.append("表格中没有“情况说明”等文字部分，请在文件中补写，然后运行 python build.py check 检查。")
    return out
