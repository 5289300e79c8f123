"""The imported report as YAML text, laid out like the sample files: one 科目 row per line."""

from __future__ import annotations

import json
import re
from typing import Any

_PLAIN = re.compile(r"[^:#{}\[\],&*!|>'\"%@`\n-][^:#{}\[\],&*!|>'\"@`\n]*")  # text YAML reads back unchanged
_QUOTED_KEYS = ("科目编码",)
_SIDES = ("收入", "支出")  # a side of a table is a block of rows, not one line  # codes keep their quotes, as the guide asks of hand-written files


def to_yaml(data: dict[str, Any], comments: list[str]) -> str:
    lines = [f"# {line}" if line else "#" for line in comments]
    lines += _mapping(data, 0)
    return "\n".join(lines) + "\n"


def _mapping(data: dict[str, Any], indent: int) -> list[str]:
    pad, lines = " " * indent, []
    for key, value in data.items():
        if isinstance(value, dict) and value and all(not isinstance(v, (dict, list)) for v in value.values()) and indent and key not in _SIDES:
            lines.append(f"{pad}{key}: {_flow(value)}")
        elif isinstance(value, dict):
            lines.append(f"{pad}{key}:" + (" {}" if not value else ""))
            lines += _mapping(value, indent + 2)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(f"{pad}{key}:")
            lines += [line for row in value for line in _item(row, indent)]
        elif isinstance(value, list):
            lines.append(f"{pad}{key}: [{', '.join(_scalar(v) for v in value)}]")
        elif isinstance(value, str) and "\n" in value:
            lines.append(f"{pad}{key}: |")
            lines += [f"{pad}  {line}" if line else "" for line in value.splitlines()]
        else:
            lines.append(f"{pad}{key}:" + (f" {_scalar(value)}" if value is not None else ""))
    return lines


def _item(row: dict[str, Any], indent: int) -> list[str]:
    """A list item: a flat row on one line, one that nests tables or lists as an indented block."""
    pad = " " * indent
    if not any(isinstance(v, (dict, list)) for v in row.values()):
        return [f"{pad}  - {_flow(row)}"]
    lines = _mapping(row, indent + 4)
    return [f"{pad}  - {lines[0].lstrip()}", *lines[1:]]


def _flow(row: dict[str, Any]) -> str:
    cells = []
    for key, value in row.items():
        shown = json.dumps(value, ensure_ascii=False) if key in _QUOTED_KEYS else _scalar(value) if value is not None else ""
        cells.append(f"{key}: {shown}")
    return "{" + ", ".join(cells) + "}"


def _scalar(value: Any) -> str:
    text = str(value)
    return text if _PLAIN.fullmatch(text) and text == text.strip() else json.dumps(text, ensure_ascii=False)
