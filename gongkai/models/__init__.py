"""The content model: strict pydantic models whose keys are the Chinese labels of the forms."""

from __future__ import annotations

from gongkai.models.self_evaluation import SelfEvaluation
from gongkai.models.site import SiteConfig, Unit

# Report kinds by file name (without .yaml).
REPORT_KINDS: dict[str, type[SelfEvaluation]] = {
    SelfEvaluation.KIND: SelfEvaluation,
}

__all__ = ["REPORT_KINDS", "SelfEvaluation", "SiteConfig", "Unit"]
