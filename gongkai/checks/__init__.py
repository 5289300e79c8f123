"""Arithmetic and consistency checks: small functions that yield findings, grouped by report kind."""

from __future__ import annotations

from collections.abc import Iterator

from gongkai.checks import forms, project_evaluation, self_evaluation, stale, text
from gongkai.checks.rules import Context
from gongkai.models.base import Strict
from gongkai.problems import Finding

CHECKS_BY_KIND = {
    "self-evaluation": (
        *self_evaluation.CHECKS, text.self_evaluation_texts, text.text_corrections_found, *stale.CHECKS,
    ),
    "budget": (*forms.CHECKS, text.disclosure_texts, *stale.CHECKS),
    "final-accounts": (*forms.CHECKS, text.disclosure_texts, *stale.CHECKS),
    "project-evaluation": (*project_evaluation.CHECKS, text.project_texts, *stale.CHECKS),
}


def run_checks(kind: str, report: Strict, ctx: Context) -> Iterator[Finding]:
    """Every check of a report's kind, in the order they are listed."""
    for check in CHECKS_BY_KIND[kind]:
        yield from check(report, ctx)  # type: ignore[arg-type]
