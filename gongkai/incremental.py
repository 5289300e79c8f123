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
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from gongkai import __version__
from gongkai.content import Listing
from gongkai.problems import Problem, Severity

STATE_VERSION = 2
PACKAGE = Path(__file__).resolve().parent


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


@cache
def code_digest() -> str:
    """The package's own source: a change to a check must not be hidden by results cached before it."""
    return digest(__version__, *(f"{p.relative_to(PACKAGE)}:{file_digest(p)}" for p in sorted(PACKAGE.rglob("*.py"))))


def stamp(path: Path) -> list[int]:
    status = path.stat()
    return [status.st_size, status.st_mtime_ns]


@dataclass
class Group:
    fingerprint: str
    files: dict[str, list[int]]  # site path -> [size, mtime_ns] as written


@dataclass
class UnitCheck:
    """What reading and checking one unit's reports found, valid while its files stay byte-identical.

    `key` digests the code, the site file, the unit's files and where problems are shown from; a
    rebuild that computes the same key takes the problems and listings from here instead of reading
    and checking the unit's reports again (their models are read later only if a page needs them).
    """

    key: str
    problems: list[Problem]
    listings: dict[str, Listing]  # report id -> what index pages show of it
    printable: bool = False  # a PDF build found every character drawable

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key, "printable": self.printable,
            "problems": [p.as_dict() for p in self.problems],
            "listings": {report_id: listing.to_json() for report_id, listing in sorted(self.listings.items())},
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> UnitCheck:
        problems = [Problem(**{**p, "severity": Severity(p["severity"])}) for p in raw["problems"]]
        listings = {k: Listing.from_json(v) for k, v in raw["listings"].items()}
        return cls(str(raw["key"]), problems, listings, bool(raw["printable"]))


@dataclass
class State:
    """What the published site holds and what it was made from."""

    inputs: str = ""  # every input at once: equal means nothing to do
    groups: dict[str, Group] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    units: dict[str, UnitCheck] = field(default_factory=dict)

    def unchanged(self, key: str, fingerprint: str, site: Path) -> Group | None:
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


def load_state(path: Path | None, site: Path) -> State:
    if path is None or not path.is_file() or not site.is_dir():
        return State()
    try:
        sealed = json.loads(path.read_text(encoding="utf-8"))
        raw = sealed["state"]
        if sealed["checksum"] != _checksum(raw):
            return State()  # damaged or edited by hand: trust none of it
        if raw.get("version") != STATE_VERSION or raw.get("site") != str(site.resolve()):
            return State()
        groups = {k: Group(g["fingerprint"], {p: list(s) for p, s in g["files"].items()}) for k, g in raw["groups"].items()}
        units = {k: UnitCheck.from_json(u) for k, u in raw["units"].items()}
        return State(raw["inputs"], groups, list(raw.get("warnings", [])), units)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return State()  # unreadable: build everything


def save_state(path: Path | None, site: Path, state: State) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = {
        "version": STATE_VERSION,
        "site": str(site.resolve()),
        "inputs": state.inputs,
        "warnings": state.warnings,
        "groups": {k: {"fingerprint": g.fingerprint, "files": g.files} for k, g in sorted(state.groups.items())},
        "units": {k: u.to_json() for k, u in sorted(state.units.items())},
    }
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps({"checksum": _checksum(raw), "state": raw}, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)


def _checksum(raw: Any) -> str:
    return hashlib.sha256(json.dumps(raw, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


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
