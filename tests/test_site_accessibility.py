"""Every generated page in real headless Chromium with axe-core, and through the Nu Html Checker."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import axe_violations, chromium, describe, vnu_messages

pytestmark = pytest.mark.browser


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_wcag_21_aa_violation_on_any_page(built_sample: Path, scheme: str) -> None:
    failures = {}
    with chromium(scheme=scheme) as driver:
        driver.get((built_sample / "index.html").as_uri())
        background = driver.execute_script("return getComputedStyle(document.documentElement).backgroundColor")
        assert background == ("rgb(255, 255, 255)" if scheme == "light" else "rgb(20, 20, 20)")
        for page in pages(built_sample):
            violations = axe_violations(driver, page.as_uri())
            if violations:
                failures[str(page.relative_to(built_sample))] = describe(violations)
    assert failures == {}


def test_nu_html_checker_reports_no_error(built_sample: Path) -> None:
    files = [*pages(built_sample), *sorted(built_sample.rglob("*.css"))]
    messages = vnu_messages(files)
    assert [f"{m.get('url', '')}:{m.get('lastLine')}: {m['message']}" for m in messages] == []


@pytest.mark.parametrize("width", [320, 1280])
def test_pages_reflow_without_horizontal_scrolling(built_sample: Path, width: int) -> None:
    """WCAG 1.4.10: at 320 CSS px nothing but a table's own region scrolls sideways."""
    with chromium(width=width, height=800) as driver:
        for page in pages(built_sample):
            driver.get(page.as_uri())
            overflow = driver.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{page.name} scrolls sideways by {overflow}px at {width}px"


def test_text_at_200_percent_still_reflows(built_sample: Path) -> None:
    """WCAG 1.4.4: the reader's larger text setting is honoured and the page still fits."""
    with chromium(width=640, height=800) as driver:
        for page in pages(built_sample):
            driver.get(page.as_uri())
            before = driver.execute_script("return parseFloat(getComputedStyle(document.body).fontSize)")
            driver.execute_script("document.documentElement.style.fontSize = '200%'")
            after = driver.execute_script("return parseFloat(getComputedStyle(document.body).fontSize)")
            overflow = driver.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert after == pytest.approx(before * 2), page.name
            assert overflow <= 0, f"{page.name} scrolls sideways at 200% text"


def test_wide_tables_scroll_in_a_keyboard_focusable_region(built_sample: Path) -> None:
    with chromium(width=320, height=800) as driver:
        driver.get((built_sample / "huaihua-bjlxc/2023/self-evaluation.html").as_uri())
        regions = driver.execute_script(
            "return [...document.querySelectorAll('.table-scroll')].filter(e => e.scrollWidth > e.clientWidth)"
            ".map(e => [e.tabIndex, e.getAttribute('role'), e.getAttribute('aria-labelledby')])"
        )
        assert regions, "at 320px the indicator table should need its own scrolling"
        assert all(tab == 0 and role == "region" and label for tab, role, label in regions)


def test_at_360px_no_figure_is_cut_without_a_visible_cue(built_sample: Path) -> None:
    """A cell that does not fit the screen lies in a region that scrolls, is announced (role, name,
    keyboard focus) and shows its cue: the line above it and a bar at the edge that still scrolls."""
    with chromium(width=360, height=800) as driver:
        for page in pages(built_sample):
            driver.get(page.as_uri())
            found = driver.execute_script("""
                const width = document.documentElement.clientWidth, problems = [];
                for (const cell of document.querySelectorAll('td, th')) {
                  const box = cell.getBoundingClientRect();
                  if (box.width === 0 || box.right <= width + 0.5) continue;
                  const region = cell.closest('.table-scroll');
                  if (!region) { problems.push('cut outside a region: ' + cell.textContent); continue; }
                  const hint = region.previousElementSibling;
                  const cue = hint && hint.classList.contains('scroll-hint') && !hint.hidden && hint.offsetHeight > 0
                    && getComputedStyle(region).borderRightWidth === '4px';
                  const announced = region.getAttribute('role') === 'region' && region.tabIndex === 0
                    && document.getElementById(region.getAttribute('aria-labelledby'));
                  if (!(region.scrollWidth > region.clientWidth && cue && announced))
                    problems.push('no cue for ' + cell.textContent.trim());
                }
                const needless = [...document.querySelectorAll('.scroll-hint')].filter(h => !h.hidden
                  && h.nextElementSibling.scrollWidth <= h.nextElementSibling.clientWidth + 1);
                return problems.concat(needless.map(h => 'a cue above a table that fits'));
            """)
            assert found == [], f"{page.relative_to(built_sample)}: {found[:5]}"
        driver.get((built_sample / "huaihua-bjlxc/2023/self-evaluation.html").as_uri())
        scrolled = driver.execute_script("""
            const region = [...document.querySelectorAll('.table-scroll')].find(r => r.scrollWidth > r.clientWidth);
            region.scrollLeft = region.scrollWidth;
            region.dispatchEvent(new Event('scroll'));
            return [region.getAttribute('data-scroll').trim(), getComputedStyle(region).borderLeftWidth];
        """)
        assert scrolled == ["left", "4px"], "scrolled to the end, the cue moves to the edge that can scroll back"
