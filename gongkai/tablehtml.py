"""A Table as HTML, written in Python: the markup the `data_table` macro of templates/macros.html writes.

Jinja spent about half of a report page's time on its tables (a site of 300 reports has over half a
million cells, each a dozen attribute look-ups and escapes in the template); building the same string
here takes a fraction of that. The markup is the macro's exactly, byte for byte: published pages must
not change when the code that writes them does (tests/test_site_pages.py compares the two).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from markupsafe import Markup

from gongkai.tables import Cell, Table, correction_anchor

_UNSAFE = re.compile(r"[&<>'\"]")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#39;", '"': "&#34;"}
EMPTY = '<span aria-hidden="true">—</span><span class="visually-hidden">空</span>'


def _e(value: object) -> str:
    """As Jinja's autoescape writes a value (markupsafe.escape)."""
    if hasattr(value, "__html__"):
        return value.__html__()  # type: ignore[no-any-return]
    text = str(value)
    return _UNSAFE.sub(lambda m: _ESCAPES[m.group()], text) if _UNSAFE.search(text) else text


@lru_cache(maxsize=8192)  # the same headings govern the same cells in every report of a kind
def _headers(ids: tuple[str, ...]) -> str:
    return " ".join(_e(h) for h in ids)


def _spans(cell: Cell) -> str:
    spans = f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else ""
    return spans + f' colspan="{cell.colspan}"' if cell.colspan > 1 else spans


def _group_starts(t: Table) -> dict[int, str]:
    """Where a <tbody> opens, and its tag: a label spanning rows (“效益指标（30分）”) opens a group of
    exactly the rows it spans, which the PDF keeps on one page with its label (tbody.group, print.css);
    the rows between groups share a plain <tbody>. A rowspan never crosses a tbody, so this is valid HTML."""
    starts: dict[int, str] = {}
    r, plain = 0, False
    while r < len(t.body):
        end = r + 1
        row = r
        while row < end:  # spans inside the group may reach further
            end = max([end, *(row + c.rowspan for c in t.body[row])])
            row += 1
        if end - r > 1:
            starts[r], plain = '<tbody class="group">\n', False
        elif not plain:
            starts[r], plain = "<tbody>\n", True
        r = end
    return starts


def table_html(t: Table, link: Callable[[str], str] = str) -> Markup:
    """The table in its scrolling region, with its caption, header ids, `headers` and corrections."""
    tid = _e(t.id)
    unit = f'<span class="unit">（{_e(t.unit)}）</span>' if t.unit else ""
    out = [
        f'<div class="table-scroll" tabindex="0" role="region" aria-labelledby="{tid}-caption">\n'
        f'<table id="{tid}">\n<caption id="{tid}-caption">{_e(t.caption)}{unit}</caption>\n<thead>\n'
    ]
    for row in t.head:
        cells = "".join(
            f'<th id="{_e(c.id)}" scope="{"colgroup" if c.colspan > 1 else "col"}"{_spans(c)}>{_e(c.text)}</th>'
            for c in row
        )
        out.append(f"<tr>{cells}</tr>\n")
    out.append("</thead>\n")
    starts = _group_starts(t)
    if not t.body:
        out.append("<tbody>\n")
    for r, row in enumerate(t.body):
        if r in starts:
            out.append(("</tbody>\n" if r else "") + starts[r])
        out.append("<tr>")
        for i, c in enumerate(row):
            empty = c.empty
            inner = EMPTY if empty else _e(c.text)
            headers = _headers(c.headers)
            if c.header:
                attribute = f' headers="{headers}"' if c.headers else ""
                out.append(f'<th id="{_e(c.id)}" scope="row"{_spans(c)}{attribute}>{inner}</th>\n')
                continue
            if c.href and not empty:
                inner = f'<a href="{_e(link(c.href))}">{inner}</a>'
            numeric = c.numeric
            kind = f' class="{"num" if numeric else ""}{" empty" if empty else ""}"' if numeric or empty else ""
            note = ""
            if c.correction:
                anchor = _e(correction_anchor(t, r, i))
                note = (f' <a class="correction-ref" id="{anchor}-ref" href="#{anchor}">'
                        f"更正，原为 {_e(c.correction.published)}</a>")
            out.append(f'<td{_spans(c)} headers="{headers}"{kind}>{inner}{note}</td>\n')
        out.append("</tr>\n")
    out.append("</tbody>\n</table>\n</div>\n")
    if t.note:
        out.append(f'<p class="table-note">注：{_e(t.note)}</p>')
    return Markup("".join(out))
