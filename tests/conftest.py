"""Shared test helpers: fixture sites copied into tmp_path, so tests may edit them freely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
