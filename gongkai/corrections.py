"""The seal of an archived report: every change since the freeze is one its 更正记录 names.

A frozen report may change only through corrections. Each correction added after the freeze lists its
changes (改动: 字段, 原值, 更正为). Replaying them, in order, on the source as sealed must give the
source as it is now, field for field. So a second edit after a first correction needs a record of its
own, a correction cannot claim an old value that was never published, and records made before the
freeze cannot be rewritten. Pure: works on the data of two YAML documents.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from gongkai.problems import FieldPath, Finding, format_path

LOG = "更正记录"
CHANGES = "改动"
# Lists that record corrections themselves: they may only grow, and are not compared as content.
RECORDS = (LOG, "正文更正")
FIGURE_VALUE, FIGURE_NOTE = "值", "更正"
SNIPPET = 12  # characters of context either side of a change shown in a long text


def leaves(data: Any, path: FieldPath = ()) -> dict[FieldPath, Any]:
    """Every scalar of a document by its place, the correction records left out.

    A figure written with its note (`{值: 55.10, 更正: {原值: …}}`) stands at its own place with its
    value, as a plain figure does: correcting a figure in place is one change of that figure.
    """
    if isinstance(data, dict):
        found: dict[FieldPath, Any] = {}
        for key, value in data.items():
            if path == () and key in RECORDS:
                continue
            found.update({path: value} if key == FIGURE_VALUE else leaves(value, (*path, str(key))))
        return found
    if isinstance(data, list):
        return {p: v for i, item in enumerate(data) for p, v in leaves(item, (*path, i)).items()}
    return {path: data}


def unrecorded(sealed: Any, current: Any, year: int, frozen_on: dt.date) -> Iterator[Finding]:
    """Every way `current` differs from `sealed` that no correction made after the freeze accounts for."""
    sealed = sealed if isinstance(sealed, dict) else {}
    current = current if isinstance(current, dict) else {}
    when = f"{year}年度已于{frozen_on.isoformat()}归档"
    yield from _records_kept(sealed, current, when)
    before = {format_path(p): v for p, v in leaves(sealed).items()}
    places = {format_path(p): p for p in leaves(sealed)} | {format_path(p): p for p in leaves(current)}
    replayed = dict(before)
    for place, change in _changes_since(sealed, current):
        problem = _replay(replayed, change, place, when)
        if problem is not None:
            yield problem
            return  # later changes build on this one: their messages would mislead
    now = {format_path(p): v for p, v in leaves(current).items()}
    for key in [k for k in places if replayed.get(k) != now.get(k) and not _new_note(places[k], before, k)]:
        yield _unrecorded_change(places[key], key, before.get(key), now.get(key), when)


def _new_note(path: FieldPath, before: dict[str, Any], key: str) -> bool:
    """A figure's 更正 note added since the freeze documents a change recorded at the figure itself;
    editing or removing a note that was sealed is a change like any other."""
    return key not in before and FIGURE_NOTE in path


def _records_kept(sealed: dict[str, Any], current: dict[str, Any], when: str) -> Iterator[Finding]:
    for name in RECORDS:
        old, new = _list(sealed.get(name)), _list(current.get(name))
        if new[: len(old)] != old:
            yield Finding(
                "frozen-record-changed", (name,),
                f"{when}，归档时已有的{len(old)}条“{name}”不能修改或删除，只能在后面新增。请恢复原有各条",
            )


def _changes_since(sealed: dict[str, Any], current: dict[str, Any]) -> Iterator[tuple[FieldPath, dict[str, Any]]]:
    """The 改动 of every correction added after the freeze, in order, with their places."""
    log = _list(current.get(LOG))
    for i in range(len(_list(sealed.get(LOG))), len(log)):
        entry = log[i] if isinstance(log[i], dict) else {}
        for j, change in enumerate(_list(entry.get(CHANGES))):
            if isinstance(change, dict):
                yield (LOG, i, CHANGES, j), change


def _replay(values: dict[str, Any], change: dict[str, Any], place: FieldPath, when: str) -> Finding | None:
    """Apply one recorded change to the sealed values; a Finding when it does not fit what was sealed."""
    key = str(change.get("字段") or "").strip()
    old, new = change.get("原值"), change.get("更正为")
    value = values.get(key)
    if old == value or (old is None and key not in values):
        if new is None:
            values.pop(key, None)
        else:
            values[key] = new
        return None
    if isinstance(value, str) and isinstance(old, str) and old and value.count(old) == 1 and isinstance(new, str):
        values[key] = value.replace(old, new)  # a correction of some words of a longer text
        return None
    if key not in values:
        return Finding("frozen-change-unknown", (*place, "字段"),
                       f"{when}，更正记录中的改动字段“{key}”在归档时的报告中不存在。请照报错信息中给出的字段名填写")
    shown = value if not isinstance(value, str) or len(value) <= 40 else value[:40] + "…"
    return Finding("frozen-change-mismatch", (*place, "原值"),
                   f"{when}，更正记录写“{key}”的原值是“{old}”，但归档时（或前面各条更正之后）这里是“{shown}”。"
                   "原值须照归档时的报告逐字填写")


def _unrecorded_change(path: FieldPath, key: str, old: Any, new: Any, when: str) -> Finding:
    offset = None
    if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) > 40:
        start, old, new = _difference(old, new)
        offset = start
    change = "{" + f"字段: {_quoted(key)}, 原值: {_quoted(old)}, 更正为: {_quoted(new)}" + "}"
    return Finding(
        "frozen-changed", path,
        f"{when}，这里归档时是“{_shown(old)}”，现在是“{_shown(new)}”，更正记录中没有这处改动。"
        f"已发布的报告不能悄悄修改：请撤销修改，或在“更正记录”中新增一条更正（日期、内容、原因），并在它的“改动”下写明 - {change}",
        offset=offset,
    )


def _difference(old: str, new: str) -> tuple[int, str, str]:
    """The changed words of a long text, with enough context that they occur once in the old text."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    left, right = start, end
    for context in range(SNIPPET, max(len(old), len(new)) + SNIPPET, SNIPPET):
        left, right = max(0, start - context), max(0, end - context)
        if old.count(old[left: len(old) - right]) == 1:
            break
    return start, old[left: len(old) - right], new[left: len(new) - right]


def _shown(value: Any) -> str:
    return "（空）" if value is None or value == "" else str(value).replace("\n", "\\n")


def _quoted(value: Any) -> str:
    """A value as YAML reads it back inside a flow mapping (double quotes, JSON escapes)."""
    return "null" if value is None else json.dumps(str(value), ensure_ascii=False)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
