"""Real published documents, transcribed exactly (tests/fixtures/real/*/SOURCE.md says from where):
each loads, `check` reports exactly the inconsistencies verified by hand (expected.yaml beside it), and
its tables come out as published, blanks blank."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gongkai.pipeline import BuildOptions, build, check, load
from gongkai.tables import TABLES_BY_KIND

REAL = Path(__file__).parent / "fixtures" / "real"

# (file under content/, line, column, code) of every problem `check` must report, and nothing else.
# Each is one of the inconsistencies listed, with its arithmetic, in the fixture's expected.yaml.
EXPECTED: dict[str, list[tuple[str, int, int, str]]] = {
    # 合 计 34.35 while its items sum to 1.70, and 3.公务用车费 printed 0 over 32.65 + 0: in both columns.
    "guangxi-guilin-sfj-2015-sangong": [
        ("guilin-sfj/2015/budget.yaml", 8, 16, "sum-mismatch"),
        ("guilin-sfj/2015/budget.yaml", 8, 40, "sum-mismatch"),
        ("guilin-sfj/2015/budget.yaml", 11, 22, "sum-mismatch"),
        ("guilin-sfj/2015/budget.yaml", 11, 42, "sum-mismatch"),
    ],
    "hunan-yueyangxian-taichuangyuan-2017-budget": [],
    # The page prints no date: the one thing the transcription cannot supply.
    "sichuan-dazhou-hcglyhzx-2014": [("dazhou-hcglyhzx/2014/budget.yaml", 4, 1, "missing-value")],
    "yunnan-changning-kasi-2024": [],
    # 合 计 增、减额 printed −3.51 where 1957.23 − 1953.72 = +3.51 (against its row and against its items);
    # 增、减幅度 437.7% (439.5%), −6.1% (−6.0%), 2.40% (2.37%).
    "yunnan-changning-xbj-2015": [
        ("changning-xbj/2015/final-accounts.yaml", 14, 55, "sum-mismatch"),
        ("changning-xbj/2015/final-accounts.yaml", 14, 55, "sum-mismatch"),
        ("changning-xbj/2015/final-accounts.yaml", 15, 72, "rate-mismatch"),
        ("changning-xbj/2015/final-accounts.yaml", 16, 69, "rate-mismatch"),
        ("changning-xbj/2015/final-accounts.yaml", 18, 78, "rate-mismatch"),
    ],
    "yunnan-shidian-2016": [],
}


def test_every_fixture_is_listed() -> None:
    assert sorted(p.name for p in REAL.iterdir() if (p / "content").is_dir()) == sorted(EXPECTED)
    assert len({(REAL / name / "content" / "site.yaml").read_text("utf-8") for name in EXPECTED}) >= 3  # several sites


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_check_reports_exactly_the_documents_own_inconsistencies(name: str) -> None:
    site = REAL / name / "content"
    found = sorted(
        (Path(p.file).resolve().relative_to(site.resolve()).as_posix(), p.line, p.column, p.code)
        for p in check(site).problems
    )
    assert found == sorted(EXPECTED[name])
    assert (REAL / name / "SOURCE.md").read_text("utf-8").strip()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_tables_are_published_as_transcribed(name: str) -> None:
    """Every figure of the file appears in its table as written (0 as 0.00 to the site's decimals); blanks stay blank."""
    loaded = load(REAL / name / "content")
    assert loaded.content is not None
    for entry in loaded.content.reports:
        tables = TABLES_BY_KIND[entry.kind](entry.model)
        for bound, table in zip(entry.model.tables, tables, strict=True):
            assert table.caption == bound.label
            for row, body in zip(bound.rows, table.body, strict=True):
                assert body[0].text == row.label
                shown = dict(zip(bound.parts[0].columns, body[1:], strict=True))
                for column, cell in shown.items():
                    figure = row.figure(column)
                    assert cell.empty == (figure is None and column not in row.cells), (row.label, column)


@pytest.mark.parametrize("name", [n for n, problems in EXPECTED.items() if not problems])
def test_pages_build(tmp_path: Path, name: str) -> None:
    content = tmp_path / "content"
    shutil.copytree(REAL / name / "content", content)
    build(content, BuildOptions(out=tmp_path / "site", pdf=False))
    pages = list((tmp_path / "site").rglob("*.html"))
    report = [p for p in pages if p.name in ("budget.html", "final-accounts.html")]
    assert report, pages
    html = report[0].read_text("utf-8")
    assert "“三公”经费" in html and "<table" in html
