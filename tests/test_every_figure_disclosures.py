"""Nudging any figure of the sample 部门预算, 部门决算 and 项目支出绩效自评表 by one cent must be caught by `check`.

The same test as test_every_figure.py, for the other kinds: every figure takes part in a sum, a
cross-table figure or a cross-document figure, except the few listed by name below.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CONTENT
from test_every_figure import figures, nudged, problems_after_nudge

UNIT = Path("huaihua-bjlxc")
FILES = (
    UNIT / "2023/budget.yaml", UNIT / "2023/final-accounts.yaml", UNIT / "2024/budget.yaml",
    UNIT / "2023/project-evaluation.yaml",
)
# Figures each sample holds at least: a disclosure's nine tables, or two projects' forms.
MINIMUM = {UNIT / "2023/project-evaluation.yaml": 60}

# Stated once in the explanations, with nothing on the forms to add up to.
STANDALONE: set[str] = set()  # 机关运行经费 stands alone in its table, but the text states it

CASES = [(path, *figure) for path in FILES for figure in figures(CONTENT / path) if not figure[0].endswith("科目编码")]


def test_the_samples_have_their_figures() -> None:
    assert all(sum(case[0] == path for case in CASES) > MINIMUM.get(path, 200) for path in FILES)


@pytest.mark.parametrize(
    ("path", "field", "line", "column", "text"), CASES, ids=[f"{c[0].parent.name}/{c[0].stem}:{c[1]}" for c in CASES]
)
def test_a_nudged_figure_is_caught(tmp_path: Path, path: Path, field: str, line: int, column: int, text: str) -> None:
    new = problems_after_nudge(tmp_path, path, line, column, text)
    if field in STANDALONE:
        assert not new, f"{field} is listed as standalone but a rule now ties it: move it out of STANDALONE"
    else:
        assert new, f"changing {field} in {path} from {text} to {nudged(text)} went unnoticed"
