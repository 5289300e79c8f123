"""The validated content of a site: what every later stage (pages, PDFs, downloads) reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from gongkai.models import ReportModel, SiteConfig, Unit
from gongkai.reader import Document


@dataclass(frozen=True)
class UnitEntry:
    id: str
    model: Unit
    document: Document


@dataclass(frozen=True)
class ReportEntry:
    """One report of one unit and year, with the document it was read from."""

    unit: UnitEntry
    year: int
    kind: str
    model: ReportModel
    document: Document

    @property
    def id(self) -> str:
        return f"{self.unit.id}/{self.year}/{self.kind}"

    @property
    def source(self) -> Path:
        return self.document.path


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
