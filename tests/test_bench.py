"""The benchmark's synthetic site must stay valid as the model and the checks evolve (no timing here)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from conftest import ROOT

from gongkai.pipeline import check


def _synthetic() -> ModuleType:
    """bench/synthetic.py, which is not part of the package."""
    name = "bench_synthetic"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "synthetic.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the class is made
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_the_synthetic_site_passes_check(tmp_path: Path) -> None:
    synthetic = _synthetic()
    generated = synthetic.generate(tmp_path / "content", units=2, years=2)

    assert [p.relative_to(generated.root).as_posix() for p in generated.reports] == [
        "unit-001/2022/self-evaluation.yaml",
        "unit-001/2023/self-evaluation.yaml",
        "unit-002/2022/self-evaluation.yaml",
        "unit-002/2023/self-evaluation.yaml",
    ]
    assert len({p.read_text(encoding="utf-8") for p in generated.reports}) == 4, "every report should differ"
    report = check(generated.root)
    assert not report.errors, "\n".join(str(p) for p in report.errors)


def test_the_benchmark_edit_keeps_the_site_valid(tmp_path: Path) -> None:
    synthetic = _synthetic()
    generated = synthetic.generate(tmp_path / "content", units=1, years=1)
    before = generated.reports[0].read_text(encoding="utf-8")

    synthetic.edit_report(generated.reports[0], 1)

    assert generated.reports[0].read_text(encoding="utf-8") != before
    assert not check(generated.root).errors


def test_the_synthetic_site_with_all_four_kinds_passes_check(tmp_path: Path) -> None:
    """Budgets, final accounts and project evaluations are copied from the sample's year; the varied
    self-evaluation must still agree with them wherever a cross-document rule ties it to them."""
    synthetic = _synthetic()
    generated = synthetic.generate(tmp_path / "content", units=2, years=2, kinds=synthetic.ALL_KINDS)
    assert {p.stem for p in generated.reports} == set(synthetic.ALL_KINDS)
    assert len(generated.reports) == 2 * 2 * 4
    report = check(generated.root)
    assert not report.errors, "\n".join(str(p) for p in report.errors)
