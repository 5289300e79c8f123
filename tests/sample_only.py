"""The sample site with only its self-evaluation report: what the invalid-input and fuzz tests start from.

Other report kinds may join content/ at any time; leaving them out keeps these tests' line numbers and
expected problems about the one file they edit.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import CONTENT, SAMPLE_REPORT

FILES = (Path("site.yaml"), Path("huaihua-bjlxc/unit.yaml"), SAMPLE_REPORT)


def copy_sample_report(target: Path) -> Path:
    """content/site.yaml, the unit file and the sample report, copied under `target`; returns `target`."""
    for name in FILES:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CONTENT / name, target / name)
    return target
