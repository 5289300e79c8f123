"""The content model: strict pydantic models whose keys are the Chinese labels of the forms."""

from __future__ import annotations

from typing import Union

from gongkai.models.disclosure import Budget, Disclosure, FinalAccounts
from gongkai.models.project_evaluation import ProjectEvaluation
from gongkai.models.self_evaluation import SelfEvaluation
from gongkai.models.site import SiteConfig, Unit

# Any report, whatever its kind: each has 标题, 年度, 金额单位, 发布日期 and 更正记录.
ReportModel = Union[SelfEvaluation, Budget, FinalAccounts, ProjectEvaluation]

# Report kinds by file name (without .yaml).
REPORT_KINDS: dict[str, type[ReportModel]] = {
    SelfEvaluation.KIND: SelfEvaluation,
    Budget.KIND: Budget,
    FinalAccounts.KIND: FinalAccounts,
    ProjectEvaluation.KIND: ProjectEvaluation,
}

__all__ = [
    "REPORT_KINDS", "Budget", "Disclosure", "FinalAccounts", "ProjectEvaluation", "ReportModel", "SelfEvaluation", "SiteConfig", "Unit",
]
