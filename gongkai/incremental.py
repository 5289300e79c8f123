"""Do no work twice: what the last build wrote, and from which inputs, kept in a small state file.

Each group of outputs (one report's page, PDF and downloads; the index pages) is keyed by a hash of
the exact bytes it is made from. A rebuild links the outputs of unchanged groups from the published
site into the staging folder (hard links: nothing is copied, and nothing linked is ever written to)
and renders only the rest. A state file that is missing, unreadable or disagrees with the files on
disk is ignored: the build then renders everything, so a stale entry is never published.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from gongkai import __version__

STATE_VERSION = 1


def digest(*parts: object) -> str:
    return hashlib.sha256("\0".join(map(str, parts)).encode("utf-8")).hexdigest()


def file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def folder_digest(folder: Path) -> str:
    """The bytes of every file of a folder (templates, content): any edit anywhere changes it."""
    files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    return digest(__version__, *(f"{p.relative_to(folder).as_posix()}:{file_digest(p)}" for p in files))


def stamp(path: Path) -> list[int]:
    status = path.stat()
    return [status.st_size, status.st_mtime_ns]


@dataclass
class Group:
    fingerprint: str
    files: dict[str, list[int]]  # site path -> [size, mtime_ns] as written


@dataclass
class State:
    """What the published site holds and what it was made from."""

    inputs: str = ""  # every input at once: equal means nothing to do
    groups: dict[str, Group] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def unchanged(self, key: str, fingerprint: str, site: Path) -> Optional[Group]:
        """The group's previous outputs, if made from the same inputs and still intact on disk."""
        group = self.groups.get(key)
        if group is None or group.fingerprint != fingerprint:
            return None
        for path, recorded in group.files.items():
            try:
                if stamp(site / path) != recorded:
                    return None
            except OSError:
                return None
        return group

    def intact(self, site: Path) -> bool:
        return all(self.unchanged(key, group.fingerprint, site) for key, group in self.groups.items())


def load_state(path: Optional[Path], site: Path) -> State:
    if path is None or not path.is_file() or not site.is_dir():
        return State()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("version") != STATE_VERSION or raw.get("site") != str(site.resolve()):
            return State()
        groups = {k: Group(g["fingerprint"], {p: list(s) for p, s in g["files"].items()}) for k, g in raw["groups"].items()}
        return State(raw["inputs"], groups, list(raw.get("warnings", [])))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return State()  # unreadable: build everything


def save_state(path: Optional[Path], site: Path, state: State) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = {
        "version": STATE_VERSION,
        "site": str(site.resolve()),
        "inputs": state.inputs,
        "warnings": state.warnings,
        "groups": {k: {"fingerprint": g.fingerprint, "files": g.files} for k, g in sorted(state.groups.items())},
    }
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)


def link_group(group: Group, site: Path, stage: Path) -> None:
    """The previous outputs into the staging folder, as hard links (a copy where links are refused)."""
    for path in group.files:
        target = stage / path
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(site / path, target)
        except OSError:
            shutil.copy2(site / path, target)


def record(stage: Path, paths: Iterable[str], fingerprint: str) -> Group:
    """A group as written; stamps survive the rename of the staging folder into place."""
    return Group(fingerprint, {p: stamp(stage / p) for p in sorted(set(paths)) if (stage / p).is_file()})


def files_under(stage: Path, folder: str) -> list[str]:
    return [p.relative_to(stage).as_posix() for p in (stage / folder).rglob("*") if p.is_file()]
