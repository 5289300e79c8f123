"""The validated content of a site: what every later stage (pages, PDFs, downloads) reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from gongkai.figures import KeyFigure, key_figures
from gongkai.models import ReportModel, SiteConfig, Unit
from gongkai.reader import Document

M = TypeVar("M")


class _ReadWhenNeeded(Generic[M]):
    """A content file's validated model and the document it came from, read when first asked for.

    A rebuild that knows a file's checks from the last build reads it only if a page needs it.
    """

    def __init__(self, load: Callable[[], tuple[M, Document]]) -> None:
        self._load = load
        self._read: tuple[M, Document] | None = None

    def _given(self, model: M, document: Document) -> None:
        """The file was just read and validated: nothing left to read."""
        self._read = (model, document)

    @property
    def loaded(self) -> bool:
        return self._read is not None

    @property
    def model(self) -> M:
        return self._loaded()[0]

    @property
    def document(self) -> Document:
        return self._loaded()[1]

    def _loaded(self) -> tuple[M, Document]:
        if self._read is None:
            self._read = self._load()
        return self._read


class UnitEntry(_ReadWhenNeeded[Unit]):
    """One unit (department): its id (the folder's name), its name, and its unit.yaml."""

    def __init__(self, id: str, source: Path, name: str, load: Callable[[], tuple[Unit, Document]]) -> None:
        super().__init__(load)
        self.id, self.source, self.name = id, source, name

    @classmethod
    def read(cls, id: str, model: Unit, document: Document) -> UnitEntry:
        """An entry for a unit file just read and validated."""
        entry = cls(id, document.path, model.name, lambda: (model, document))
        entry._given(model, document)
        return entry

    def __repr__(self) -> str:
        return f"UnitEntry({self.id})"


@dataclass(frozen=True)
class Fix:
    """One entry of a report's 更正记录, as lists of reports show it."""

    date: dt.date
    what: str
    reason: str


@dataclass(frozen=True)
class Listing:
    """What lists of reports (index pages, the feed, the archive page) show of a report.

    Known without reading the report, so a rebuild can list the reports it did not read again.
    """

    title: str
    published: dt.date
    corrections: tuple[Fix, ...] = ()
    # Figures and words corrected in place (更正 beside a figure, 正文更正): published with their old value.
    corrected_figures: int = 0
    # The figures a unit's comparison page sets side by side (figures.py), and their unit of money.
    figures: tuple[KeyFigure, ...] = ()
    money_unit: str = ""

    @classmethod
    def of(cls, model: ReportModel, data: Any = None) -> Listing:
        fixes = tuple(Fix(c.date, c.what, c.reason) for c in model.corrections_log)
        in_place = _corrected_in_place(data) + len(getattr(model, "text_corrections", ()))
        figures = key_figures(getattr(model, "KIND", ""), model)
        return cls(model.title, model.published, fixes, in_place, figures, model.money_unit)

    def figure(self, name: str) -> KeyFigure | None:
        return next((f for f in self.figures if f.name == name), None)

    @property
    def updated(self) -> dt.date:
        """The day the report last changed: its publication or its latest correction."""
        return max([self.published, *(f.date for f in self.corrections)])

    def to_json(self) -> dict[str, Any]:
        fixes = [[f.date.isoformat(), f.what, f.reason] for f in self.corrections]
        return {"title": self.title, "published": self.published.isoformat(), "corrections": fixes,
                "corrected_figures": self.corrected_figures, "figures": [f.to_json() for f in self.figures],
                "money_unit": self.money_unit}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Listing:
        fixes = tuple(Fix(dt.date.fromisoformat(d), str(w), str(r)) for d, w, r in raw["corrections"])
        figures = tuple(KeyFigure.from_json(f) for f in raw["figures"])
        return cls(str(raw["title"]), dt.date.fromisoformat(raw["published"]), fixes, int(raw["corrected_figures"]),
                   figures, str(raw["money_unit"]))


def _corrected_in_place(data: Any) -> int:
    """How many figures of a source carry a 更正 (their published value kept beside the corrected one)."""
    if isinstance(data, dict):
        return int(isinstance(data.get("更正"), dict)) + sum(_corrected_in_place(v) for v in data.values())
    if isinstance(data, list):
        return sum(_corrected_in_place(v) for v in data)
    return 0


# Reads a report whose checks are already known: its model and the document it came from.
Loader = Callable[[], tuple[ReportModel, Document]]


class ReportEntry(_ReadWhenNeeded[ReportModel]):
    """One report of one unit and year; what lists show of it, and its file."""

    def __init__(self, unit: UnitEntry, year: int, kind: str, source: Path, listing: Listing, load: Loader) -> None:
        super().__init__(load)
        self.unit, self.year, self.kind, self.source, self.listing = unit, year, kind, source, listing

    @classmethod
    def read(cls, unit: UnitEntry, year: int, kind: str, model: ReportModel, document: Document) -> ReportEntry:
        """An entry for a report just read and validated."""
        entry = cls(unit, year, kind, document.path, Listing.of(model, document.data), lambda: (model, document))
        entry._given(model, document)
        return entry

    @property
    def id(self) -> str:
        return f"{self.unit.id}/{self.year}/{self.kind}"

    def __repr__(self) -> str:
        return f"ReportEntry({self.id})"


@dataclass
class Content:
    root: Path
    config: SiteConfig
    site_document: Document
    units: dict[str, UnitEntry] = field(default_factory=dict)
    reports: list[ReportEntry] = field(default_factory=list)
    frozen: dict[int, dt.date] = field(default_factory=dict)  # year -> the day it was archived

    def reports_of(self, unit_id: str) -> list[ReportEntry]:
        return sorted((r for r in self.reports if r.unit.id == unit_id), key=lambda r: (-r.year, r.kind))

    def years(self) -> list[int]:
        return sorted({r.year for r in self.reports}, reverse=True)
