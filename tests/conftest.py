"""Shared test helpers: fixture sites copied into tmp_path, so tests may edit them freely."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# `check` remembers the last clean state of a content folder in the user's cache: the tests (and the
# commands they run) keep theirs apart, and leave nothing in the home folder of the machine.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="gongkai-test-cache-")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
CONTENT = ROOT / "content"
SEED = FIXTURES / "sites" / "seed-as-published"
SAMPLE_REPORT = Path("huaihua-bjlxc/2023/self-evaluation.yaml")


def copy_site(source: Path, target: Path) -> Path:
    """A private copy of a content folder under tmp_path."""
    shutil.copytree(source, target, symlinks=True)
    return target


@pytest.fixture
def sample_site(tmp_path: Path) -> Path:
    """A copy of content/, the sample that the default build publishes."""
    return copy_site(CONTENT, tmp_path / "content")


@pytest.fixture
def seed_site(tmp_path: Path) -> Path:
    """A copy of the faithful transcription of the seed, inconsistencies and all."""
    return copy_site(SEED, tmp_path / "seed")


def build_site(content: Path, out: Path, pdf: bool = False):
    """Build a content folder into `out` the way `python build.py build` does."""
    from gongkai.pipeline import BuildOptions, build

    loaded = build(content, BuildOptions(out=out, pdf=pdf, jobs=1, cache=out.parent / f"{out.name}-pdf-cache"))
    assert loaded.report.ok, "\n".join(str(p) for p in loaded.report.errors)
    return loaded


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site built once (HTML and downloads, no PDF) for the read-only page tests."""
    out = tmp_path_factory.mktemp("built") / "site"
    build_site(CONTENT, out)
    return out
