"""项目支出绩效自评表: one form per project, shaped like the department's 附件1-2 自评表.

The funds row, the 年度总体目标 and the indicator tree are the department form's own building blocks;
a project adds who runs it and where its money comes from (其中：财政拨款 / 其他资金).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from gongkai.models.base import Amount, ReportHeader, Strict, Text
from gongkai.models.self_evaluation import (
    CorrectionEntry,
    FundsRow,
    Goals,
    IndicatorCategory,
    Total,
)


class SourceRow(Strict):
    """资金来源的一行：年初预算数、全年预算数、全年执行数。"""

    initial: Amount | None = Field(None, alias="年初预算数")
    full_year: Amount | None = Field(None, alias="全年预算数")
    executed: Amount | None = Field(None, alias="全年执行数")

    COLUMNS: ClassVar[dict[str, str]] = {"initial": "年初预算数", "full_year": "全年预算数", "executed": "全年执行数"}


class ProjectFunds(FundsRow):
    """项目资金：年度资金总额，及其中各来源（各栏：年度资金总额 = 所列各来源之和）。

    各地的表列出的来源不同：财政拨款 / 其他资金（湖南），本年财政拨款 / 上年结转资金 / 其他资金（安徽），
    财政资金 / 财政专户管理资金 / 单位资金 / 其他资金（四川）；照原表填写其中几项即可。
    """

    fiscal: SourceRow | None = Field(None, alias="财政拨款", description="其中：财政拨款")
    current_fiscal: SourceRow | None = Field(None, alias="本年财政拨款", description="其中：本年财政拨款")
    fiscal_funds: SourceRow | None = Field(None, alias="财政资金", description="其中：财政资金")
    carried: SourceRow | None = Field(None, alias="上年结转资金", description="其中：上年结转资金")
    special_account: SourceRow | None = Field(None, alias="财政专户管理资金", description="其中：财政专户管理资金")
    unit_funds: SourceRow | None = Field(None, alias="单位资金", description="其中：单位资金")
    other: SourceRow | None = Field(None, alias="其他资金", description="其中：其他资金")

    SOURCES: ClassVar[dict[str, str]] = {
        "fiscal": "财政拨款", "current_fiscal": "本年财政拨款", "fiscal_funds": "财政资金", "carried": "上年结转资金",
        "special_account": "财政专户管理资金", "unit_funds": "单位资金", "other": "其他资金",
    }

    def sources(self) -> list[tuple[str, SourceRow]]:
        """The “其中” rows the form fills in, labelled; none when it leaves them out."""
        given = ((label, getattr(self, attribute)) for attribute, label in self.SOURCES.items())
        return [(label, row) for label, row in given if row is not None]


class Project(Strict):
    """一个项目的自评表。"""

    name: Text = Field(alias="项目名称", description="与附件1-1 项目支出分项的名称一致时，两处数字互相核对")
    department: Text = Field(alias="主管部门")
    implementer: Text = Field(alias="实施单位")
    manager: Text | None = Field(None, alias="项目负责人")
    funds: ProjectFunds = Field(alias="项目资金")
    goals: Goals = Field(alias="年度总体目标")
    categories: list[IndicatorCategory] = Field(alias="绩效指标")
    total: Total = Field(alias="总分", description="总分 = 执行率得分 + 各项指标得分")


class ProjectEvaluation(ReportHeader):
    """项目支出绩效自评表：content/<单位>/<年度>/project-evaluation.yaml，每个项目一张表。"""

    KIND: ClassVar[str] = "project-evaluation"
    KIND_NAME: ClassVar[str] = "项目支出绩效自评表"

    projects: list[Project] = Field(alias="项目", description="每个项目一项，至少一项；项目名称不能重复")
    corrections_log: list[CorrectionEntry] = Field(
        default_factory=list, alias="更正记录", description="发布后的更正：已归档的报告只能通过新增更正记录来修改"
    )
