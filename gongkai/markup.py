"""Markdown narrative to safe HTML: the only module that imports markdown and nh3."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import markdown
import nh3
from markupsafe import Markup, escape

from gongkai.textfigures import plain_text

# What a narrative may contain: text structure, no scripts, frames, forms, styles or event handlers.
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "blockquote", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "caption", "a", "abbr", "sub", "sup", "code", "pre", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}, "td": set()}
URL_SCHEMES = {"http", "https", "mailto"}
# One converter, reset before each text: making one per call cost more than the conversion.
_MARKDOWN = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")


def render_markdown(text: str | None) -> Markup:
    """Narrative Markdown as sanitized HTML; headings start at level 3 under the page's sections."""
    if not text:
        return Markup("")
    html = _MARKDOWN.reset().convert(text)
    html = _demote_headings(html)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return Markup(clean)


def _demote_headings(html: str) -> str:
    """A `# 标题` in a narrative must not outrank the page's own h1 and h2."""
    for level in (1, 2):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    return html


@dataclass(frozen=True)
class TextFix:
    """A corrected passage of a published text: the words shown now, the words published, where its note is."""

    anchor: str
    corrected: str
    original: str


_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"  # private-use characters: no text contains them


def render_narrative(text: str | None, fixes: Sequence[TextFix] = ()) -> Markup:
    """A published text as HTML: its check markers removed, each correction marked where it stands."""
    if not text:
        return Markup("")
    text = plain_text(text)
    for index, fix in enumerate(fixes):
        text = text.replace(fix.corrected, f"{fix.corrected}{_MARK_OPEN}{index}{_MARK_CLOSE}", 1)
    html = str(render_markdown(text))
    for index, fix in enumerate(fixes):
        mark = (
            f' <a class="correction-ref" id="{fix.anchor}-ref" href="#{fix.anchor}">'
            f"更正，原为“{escape(fix.original)}”</a>"
        )
        html = html.replace(f"{_MARK_OPEN}{index}{_MARK_CLOSE}", mark)
    return Markup(html)
