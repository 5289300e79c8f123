"""The Jinja environment: strict undefined, autoescape, filters for money, rates and dates."""

from __future__ import annotations

import base64
import datetime as dt
import shutil
import traceback
import urllib.parse
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from gongkai import compare, numbers, opendata, site
from gongkai.content import Content
from gongkai.downloads import human_size
from gongkai.markup import render_markdown, render_narrative
from gongkai.models.base import Figure, value_of
from gongkai.problems import Problem, Severity, display_file
from gongkai.tablehtml import table_html
from gongkai.tables import correction_anchor

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates; a folder we cannot write to only means compiling again."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def environment(templates: Path = TEMPLATES, compiled: Path | None = None) -> jinja2.Environment:
    """The templates, autoescaped and strict; `compiled` keeps their compiled code between builds.

    Jinja checks each template's source against the compiled copy, so a changed template is compiled again.
    """
    cache = None
    if compiled is not None:
        try:
            compiled.mkdir(parents=True, exist_ok=True)
            cache = _CompiledTemplates(str(compiled))
        except OSError:
            pass  # no cache: every build compiles the templates again
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        bytecode_cache=cache,
        autoescape=jinja2.select_autoescape(("html", "xml", "svg"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        money=_money,
        plain=_plain,
        percent=_percent,
        signed=_signed,
        markdown=render_markdown,
        narrative=render_narrative,
        cn_date=cn_date,
        iso_date=lambda d: d.isoformat(),
        filesize=human_size,
        css_string=css_string,
        data_uri=data_uri,
    )
    env.globals.update(
        report_path=site.report_path,
        unit_path=site.unit_path,
        compare_path=site.compare_path,
        comparison=compare.comparison,
        open_data={"csv": opendata.CSV_PATH, "json": opendata.JSON_PATH, "package": opendata.PACKAGE_PATH},
        year_path=site.year_path,
        report_title=site.report_title,
        kind_name=lambda kind: site.KIND_NAMES[kind],
        link=_link,
        value_of=value_of,
        anchor=correction_anchor,
        table_html=_table_html,
    )
    return env


@jinja2.pass_context
def _table_html(context: Any, table: Any) -> Any:
    """A table's markup, its cells' links relative to the page being rendered (as `link` makes them)."""
    return table_html(table, lambda target: _link(context, target))


@jinja2.pass_context
def _link(context: Any, target: str) -> str:
    """A relative link from the page being rendered (its `page.path`) to `target`.

    The 404 page is served at whatever address was missing, at any depth: its links start from the
    site's root instead (the path of 网址, or / when the site has no address yet).
    """
    if context["page"].path == site.NOT_FOUND:
        return _site_root(context["site"]) + target
    return site.relative(target, context["page"].path)


def _site_root(config: Any) -> str:
    path = urllib.parse.urlsplit(config.base_url or "").path or "/"
    return path if path.endswith("/") else path + "/"


def _number(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value.value) if isinstance(value, Figure) else Decimal(value)  # type: ignore[attr-defined]


def _money(value: Any) -> str:
    return numbers.money(_number(value))


def _plain(value: Any) -> str:
    return numbers.plain(_number(value))


def _percent(value: Any) -> str:
    return numbers.percent(_number(value))


def _signed(value: Any, increase: str = "增加", decrease: str = "减少") -> str:
    """“增加68.35” / “减少16.08”: the form's words for a signed change."""
    number = _number(value) or Decimal(0)
    return f"{increase if number >= 0 else decrease}{numbers.money(abs(number))}"


def css_string(text: str) -> Markup:
    """A CSS string literal for a <style> block (where HTML escaping does not apply)."""
    escaped = "".join(c if c.isalnum() or c in " ·-_（）、，" or ord(c) > 127 else f"\\{ord(c):x} " for c in text)
    return Markup(f'"{escaped}"')


def data_uri(text: str, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(text.encode('utf-8')).decode('ascii')}"


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def render_page(env: jinja2.Environment, page: site.Page, content: Content, extra: dict[str, Any]) -> str:
    template = env.get_template(page.template)
    return template.render(page=page, site=content.config, content=content, **page.context, **extra)


__all__ = ["TEMPLATES", "Markup", "cn_date", "environment", "render_page"]


# Writing the site: pages, feeds and assets into the staging folder.


def write_pages(
    env: jinja2.Environment, content: Content, stage: Path, per_report: dict[str, dict[str, Any]],
    indexes: bool = True,
) -> int:
    """Render the pages asked for: reports given a view, and (if `indexes`) all others. Returns the count."""
    count = 0
    for page in site.pages(content):
        entry = page.context.get("entry")
        if (entry is not None and entry.id not in per_report) or (entry is None and not indexes):
            continue  # frozen (copied from the archive) or unchanged (linked from the last build)
        write_page(env, content, stage, page, per_report[entry.id] if entry is not None else {})
        count += 1
    return count


def write_page(env: jinja2.Environment, content: Content, stage: Path, page: site.Page, extra: dict[str, Any]) -> None:
    target = stage / page.path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_page(env, page, content, extra), encoding="utf-8", newline="\n")


def template_problem(error: jinja2.TemplateError, templates: Path) -> Problem:
    """A template mistake reported like a content problem: the template file, its line, a message."""
    name, line = getattr(error, "filename", None) or getattr(error, "name", None), getattr(error, "lineno", None)
    if line is None:  # runtime errors carry the template's place in the traceback jinja rewrites
        for frame in reversed(traceback.extract_tb(error.__traceback__)):
            if frame.filename.startswith(str(templates)):
                name, line = frame.filename, frame.lineno
                break
    where = display_file(Path(name)) if name else "templates"
    return Problem("template-error", Severity.ERROR, where, line or 1, 1, "", f"模板错误：{error.message or error}")


def write_feeds(env: jinja2.Environment, content: Content, stage: Path) -> list[str]:
    """sitemap.xml (needs the site's 网址), the Atom feed and robots.txt; returns what was written."""
    base_url = _base_url(content)
    reports = site.latest_first(content)
    updated = max((r.listing.updated for r in reports), default=dt.date(2000, 1, 1))
    feed_id = base_url + "feed.xml" if base_url else f"urn:uuid:{_site_uuid(content)}"
    written = []
    dummy = site.Page("feed.xml", "feed.xml", content.config.title)
    feed = env.get_template("feed.xml").render(
        page=dummy, site=content.config, content=content, reports=reports, base_url=base_url,
        feed_id=feed_id, updated=f"{updated.isoformat()}T00:00:00+08:00",
    )
    (stage / "feed.xml").write_text(feed, encoding="utf-8", newline="\n")
    written.append("feed.xml")
    robots = "User-agent: *\nAllow: /\n"
    if base_url:
        pages = [_sitemap_entry(p) for p in site.pages(content) if p.path != "404.html"]
        sitemap = env.get_template("sitemap.xml").render(pages=pages, base_url=base_url)
        (stage / "sitemap.xml").write_text(sitemap, encoding="utf-8", newline="\n")
        written.append("sitemap.xml")
        robots += f"Sitemap: {base_url}sitemap.xml\n"
    (stage / "robots.txt").write_text(robots, encoding="utf-8", newline="\n")
    written.append("robots.txt")
    return written


def copy_assets(templates: Path, stage: Path) -> None:
    shutil.copytree(templates / site.ASSETS, stage / site.ASSETS)


def _base_url(content: Content) -> str:
    url = content.config.base_url or ""
    return url if not url or url.endswith("/") else url + "/"


def _site_uuid(content: Content) -> uuid.UUID:
    """A stable feed id when the site has no address yet: same site, same id, every build."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"gongkai:{content.config.publisher}:{content.config.title}")


def _sitemap_entry(page: site.Page) -> dict[str, str]:
    entry = page.context.get("entry")
    lastmod = entry.listing.updated.isoformat() if entry is not None else ""
    return {"path": page.path, "lastmod": lastmod}
