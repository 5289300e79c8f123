"""Do no work twice: what the last build wrote, and from which inputs, kept in a small state file.

Each group of outputs (one report's page, PDF and downloads; the index pages) is keyed by a hash of
the exact bytes it is made from. A rebuild keeps the outputs of unchanged groups where they are and
renders only the rest (publish.py moves the new files in). The checks of each unit are kept too
(UnitCheck), so a rebuild reads and checks only the units whose files changed.

The state file is sealed with a hash of its bytes. A state that is missing, damaged, edited or
disagrees with the files on disk is ignored: the build then reads, checks and renders everything,
so a stale entry is never published.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from gongkai import __version__
from gongkai.content import Listing
from gongkai.problems import Problem, Severity

STATE_VERSION = 4  # 4: listings carry the key figures of the comparison pages
PACKAGE = Path(__file__).resolve().parent


def digest(*parts: object) -> str:
    return hashlib.sha256("\0".join(map(str, parts)).encode("utf-8")).hexdigest()


# path -> (its stat when hashed, the digest): one build asks for a file's digest several times.
_DIGESTS: dict[str, tuple[tuple[int, int, int, int], str]] = {}


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes, hashed again whenever its size, time, inode or change time moved."""
    try:
        status = os.stat(path)
        seen = (status.st_size, status.st_mtime_ns, status.st_ino, status.st_ctime_ns)
        known = _DIGESTS.get(str(path))
        if known is not None and known[0] == seen:
            return known[1]
        value = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"
    _DIGESTS[str(path)] = (seen, value)
    return value


def folder_digest(folder: Path) -> str:
    """The bytes of every file of a folder (templates, content): any edit anywhere changes it."""
    files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    return digest(__version__, *(f"{p.relative_to(folder).as_posix()}:{file_digest(p)}" for p in files))


@cache
def code_digest() -> str:
    """The package's own source and the libraries that read and validate for it: a change to a check
    must not be hidden by results cached before it."""
    libraries = [f"{name}={metadata.version(name)}" for name in ("pydantic", "pydantic-core", "PyYAML")]
    sources = [f"{p.relative_to(PACKAGE)}:{file_digest(p)}" for p in sorted(PACKAGE.rglob("*.py")) + sorted(PACKAGE.rglob("*.yaml")) + sorted(PACKAGE.rglob("*.csv"))]
    return digest(__version__, *libraries, *sources)


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
    name: str  # the unit's name, which every list of its reports shows
    problems: list[Problem]
    listings: dict[str, Listing]  # report id -> what index pages show of it
    printable: bool = False  # a PDF build found every character drawable
    form: str | None = None  # the unit's own 表样, when unit.yaml names one

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key, "name": self.name, "printable": self.printable, "form": self.form,
            "problems": [_row(p) for p in self.problems],
            "listings": {report_id: listing.to_json() for report_id, listing in sorted(self.listings.items())},
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> UnitCheck:
        problems = [_problem(p) for p in raw["problems"]]
        listings = {k: Listing.from_json(v) for k, v in raw["listings"].items()}
        form = raw.get("form")
        return cls(str(raw["key"]), str(raw["name"]), problems, listings, bool(raw["printable"]), form and str(form))


def _row(problem: Problem) -> list[Any]:
    p = problem
    return [p.code, p.severity.value, p.file, p.line, p.column, p.path, p.message]


def _problem(row: list[Any]) -> Problem:
    code, severity, file, line, column, path, message = row
    return Problem(str(code), Severity(severity), str(file), int(line), int(column), str(path), str(message))


@dataclass
class State:
    """What the published site holds and what it was made from."""

    inputs: str = ""  # every input at once: equal means nothing to do
    groups: dict[str, Group] = field(default_factory=dict)
    others: list[Problem] = field(default_factory=list)  # warnings that belong to no unit's checks
    units: dict[str, UnitCheck] = field(default_factory=dict)

    def unchanged(self, key: str, fingerprint: str, site: Path) -> Group | None:
        """The group's previous outputs, if made from the same inputs and still intact on disk."""
        group = self.groups.get(key)
        if group is None or group.fingerprint != fingerprint:
            return None
        folder = str(site)
        for path, recorded in group.files.items():
            try:
                status = os.stat(os.path.join(folder, path))
            except OSError:
                return None
            if [status.st_size, status.st_mtime_ns] != recorded:
                return None
        return group

    def warnings(self) -> list[str]:
        """Every warning of the build that made the site, in the order `check` prints them."""
        every = [p for unit in self.units.values() for p in unit.problems] + self.others
        return [str(p) for p in sorted(set(every), key=lambda p: (p.file, p.line, p.column, p.code, p.message))]

    def intact(self, site: Path) -> bool:
        return all(self.unchanged(key, group.fingerprint, site) for key, group in self.groups.items())


def load_state(path: Path | None, site: Path) -> State:
    if path is None or not path.is_file() or not site.is_dir():
        return State()
    try:
        seal, _, body = path.read_bytes().partition(b"\n")
        if seal.decode("ascii") != hashlib.sha256(body).hexdigest():
            return State()  # damaged or edited by hand: trust none of it
        raw = json.loads(body)
        if raw.get("version") != STATE_VERSION or raw.get("site") != str(site.resolve()):
            return State()
        groups = {k: Group(g["fingerprint"], {p: list(s) for p, s in g["files"].items()}) for k, g in raw["groups"].items()}
        units = {k: UnitCheck.from_json(u) for k, u in raw["units"].items()}
        return State(raw["inputs"], groups, [_problem(p) for p in raw["others"]], units)
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
        "others": [_row(p) for p in state.others],
        "groups": {k: {"fingerprint": g.fingerprint, "files": g.files} for k, g in sorted(state.groups.items())},
        "units": {k: u.to_json() for k, u in sorted(state.units.items())},
    }
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    body = json.dumps(raw, ensure_ascii=False).encode("utf-8")
    temporary.write_bytes(hashlib.sha256(body).hexdigest().encode("ascii") + b"\n" + body)  # the seal, then the state
    os.replace(temporary, path)


def record(stage: Path, paths: Iterable[str], fingerprint: str) -> Group:
    """A group as written; stamps survive the rename of the staging folder into place."""
    return Group(fingerprint, {p: stamp(stage / p) for p in sorted(set(paths)) if (stage / p).is_file()})
