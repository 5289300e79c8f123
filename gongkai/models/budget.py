"""部门预算 and 部门决算: the standard disclosure tables and their explanations, field for field.

Both kinds share their building blocks. A classification table (功能分类 or 经济分类) is a flat list
of rows, each with its 科目编码 and 科目名称, exactly as the published table lists 类, 款 and 项 one
under the other, so a finance officer can paste rows; the checks derive each row's level from the
length of its code and its parent from the code's prefix.
"""

from __future__ import annotations

from typing import Any, ClassVar, Optional

from pydantic import Field, model_validator

from gongkai.models.base import Amount, Markdown, ReportHeader, Strict, Text
from gongkai.models.self_evaluation import CorrectionEntry

FUNCTIONAL = "功能分类"  # 类 3 digits, 款 5, 项 7: 201 → 20103 → 2010301
ECONOMIC = "经济分类"  # 类 3 digits, 款 5: 301 → 30101
CODE_LENGTHS = {FUNCTIONAL: (3, 5, 7), ECONOMIC: (3, 5)}


class Subject(Strict):
    """科目：政府收支分类科目的编码和名称。A row class names its scheme and its amount columns."""

    SCHEME: ClassVar[str] = FUNCTIONAL
    COLUMNS: ClassVar[dict[str, str]] = {}

    code: Text = Field(alias="科目编码", description="功能分类如 2010301，经济分类如 30101")
    name: Text = Field(alias="科目名称")


class Amounts(Strict):
    """A row's figures; COLUMNS names them in the order of the form (attribute -> column label)."""

    COLUMNS: ClassVar[dict[str, str]] = {}


# The amount columns of each kind of table.


class ExpenseAmounts(Amounts):
    """支出：合计 = 基本支出 + 项目支出；基本支出 = 人员经费 + 公用经费。"""

    total: Amount = Field(alias="合计")
    basic: Optional[Amount] = Field(None, alias="基本支出")
    personnel: Optional[Amount] = Field(None, alias="人员经费")
    public: Optional[Amount] = Field(None, alias="公用经费")
    project: Optional[Amount] = Field(None, alias="项目支出")

    COLUMNS: ClassVar[dict[str, str]] = {
        "total": "合计", "basic": "基本支出", "personnel": "人员经费", "public": "公用经费", "project": "项目支出",
    }


class PlannedAmounts(Amounts):
    """决算表中的预算栏：年初预算数、全年预算数。"""

    initial: Optional[Amount] = Field(None, alias="年初预算数", description="与当年公开的部门预算一致")
    full_year: Optional[Amount] = Field(None, alias="全年预算数", description="调整后的预算数")


class FinalExpenseAmounts(ExpenseAmounts, PlannedAmounts):
    """决算的支出：年初预算数、全年预算数，以及决算数（合计、基本支出、人员经费、公用经费、项目支出）。"""

    COLUMNS: ClassVar[dict[str, str]] = {
        "initial": "年初预算数", "full_year": "全年预算数", **ExpenseAmounts.COLUMNS,
    }


class EconomicAmounts(Amounts):
    """基本支出按经济分类：合计 = 人员经费 + 公用经费。"""

    total: Amount = Field(alias="合计")
    personnel: Optional[Amount] = Field(None, alias="人员经费")
    public: Optional[Amount] = Field(None, alias="公用经费")

    COLUMNS: ClassVar[dict[str, str]] = {"total": "合计", "personnel": "人员经费", "public": "公用经费"}


class IncomeAmounts(Amounts):
    """本年收入按来源：合计 = 各项来源之和。"""

    total: Amount = Field(alias="合计")
    general_public: Optional[Amount] = Field(None, alias="一般公共预算拨款")
    government_fund: Optional[Amount] = Field(None, alias="政府性基金预算拨款")
    state_capital: Optional[Amount] = Field(None, alias="国有资本经营预算拨款")
    special_account: Optional[Amount] = Field(None, alias="财政专户管理资金")
    superior: Optional[Amount] = Field(None, alias="上级补助收入")
    operations: Optional[Amount] = Field(None, alias="事业收入")
    business: Optional[Amount] = Field(None, alias="事业单位经营收入")
    affiliated: Optional[Amount] = Field(None, alias="附属单位上缴收入")
    other: Optional[Amount] = Field(None, alias="其他收入")

    COLUMNS: ClassVar[dict[str, str]] = {
        "total": "合计", "general_public": "一般公共预算拨款", "government_fund": "政府性基金预算拨款",
        "state_capital": "国有资本经营预算拨款", "special_account": "财政专户管理资金", "superior": "上级补助收入",
        "operations": "事业收入", "business": "事业单位经营收入", "affiliated": "附属单位上缴收入", "other": "其他收入",
    }
    SOURCES: ClassVar[tuple[str, ...]] = tuple(COLUMNS)[1:]


class FundAmounts(Amounts):
    """财政拨款按预算：合计 = 一般公共预算 + 政府性基金预算 + 国有资本经营预算。"""

    total: Amount = Field(alias="合计")
    general_public: Optional[Amount] = Field(None, alias="一般公共预算")
    government_fund: Optional[Amount] = Field(None, alias="政府性基金预算")
    state_capital: Optional[Amount] = Field(None, alias="国有资本经营预算")

    COLUMNS: ClassVar[dict[str, str]] = {
        "total": "合计", "general_public": "一般公共预算", "government_fund": "政府性基金预算",
        "state_capital": "国有资本经营预算",
    }


class SingleAmount(Amounts):
    amount: Amount = Field(alias="金额")

    COLUMNS: ClassVar[dict[str, str]] = {"amount": "金额"}


# A row is a subject with the amounts of its table (the subject's keys come first).


class ExpenseRow(ExpenseAmounts, Subject):
    """A row by 功能分类."""


class FinalExpenseRow(FinalExpenseAmounts, Subject):
    """A row by 功能分类."""


class EconomicRow(EconomicAmounts, Subject):
    SCHEME: ClassVar[str] = ECONOMIC


class IncomeRow(IncomeAmounts, Subject):
    """A row by 功能分类."""


class FundRow(FundAmounts, Subject):
    """A row by 功能分类."""


class AmountRow(SingleAmount, Subject):
    """A row by 功能分类."""


# Classification tables: a 合计 row, the rows of every level, and a note (required when empty).


def _note() -> Any:
    return Field(None, alias="说明", description="表中没有数据时必填，如“本单位2024年无政府性基金预算财政拨款支出”")


class SubjectTable(Strict):
    """A table by 科目. Written as plain text, it is an empty table with that text as its 说明."""

    total: Optional[Amounts]
    rows: list[Subject]
    note: Optional[Markdown]

    @model_validator(mode="before")
    @classmethod
    def _note_only(cls, data: Any) -> Any:
        return {"说明": data} if isinstance(data, str) else data


class ExpenseTable(SubjectTable):
    total: Optional[ExpenseAmounts] = Field(None, alias="合计")
    rows: list[ExpenseRow] = Field(default_factory=list, alias="明细", description="按功能分类列出类、款、项各级科目")
    note: Optional[Markdown] = _note()


class FinalExpenseTable(SubjectTable):
    total: Optional[FinalExpenseAmounts] = Field(None, alias="合计")
    rows: list[FinalExpenseRow] = Field(default_factory=list, alias="明细", description="按功能分类列出类、款、项各级科目")
    note: Optional[Markdown] = _note()


class EconomicTable(SubjectTable):
    total: Optional[EconomicAmounts] = Field(None, alias="合计")
    rows: list[EconomicRow] = Field(default_factory=list, alias="明细", description="按经济分类列出类、款两级科目")
    note: Optional[Markdown] = _note()


class IncomeTable(SubjectTable):
    total: Optional[IncomeAmounts] = Field(None, alias="合计")
    rows: list[IncomeRow] = Field(default_factory=list, alias="明细", description="按功能分类列出类、款、项各级科目")
    note: Optional[Markdown] = _note()


# 收支总表 and 财政拨款收支总表.


class Overview(Strict):
    """部门收支总表：收入总计 = 本年收入合计 + 上年结转；支出总计 = 本年支出合计 + 结转下年；两者相等。"""

    income: IncomeAmounts = Field(alias="本年收入")
    carried_in: Optional[Amount] = Field(None, alias="上年结转")
    income_grand_total: Amount = Field(alias="收入总计")
    spending: list[AmountRow] = Field(default_factory=list, alias="本年支出", description="按功能分类的类级科目")
    spending_total: Amount = Field(alias="本年支出合计")
    carried_out: Optional[Amount] = Field(None, alias="结转下年")
    spending_grand_total: Amount = Field(alias="支出总计")


class FinalOverview(Overview):
    """收入支出决算总表。"""

    carried_in: Optional[Amount] = Field(None, alias="年初结转和结余")
    carried_out: Optional[Amount] = Field(None, alias="年末结转和结余")


class FiscalOverview(Strict):
    """财政拨款收支总表：收入、支出都按一般公共预算、政府性基金预算、国有资本经营预算分列。"""

    income: FundAmounts = Field(alias="本年收入")
    carried_in: Optional[FundAmounts] = Field(None, alias="上年结转")
    income_grand_total: Amount = Field(alias="收入总计")
    spending: list[FundRow] = Field(default_factory=list, alias="本年支出", description="按功能分类的类级科目")
    spending_total: FundAmounts = Field(alias="本年支出合计")
    carried_out: Optional[FundAmounts] = Field(None, alias="结转下年")
    spending_grand_total: Amount = Field(alias="支出总计")


class FinalFiscalOverview(FiscalOverview):
    """财政拨款收入支出决算总表。"""

    carried_in: Optional[FundAmounts] = Field(None, alias="年初结转和结余")
    carried_out: Optional[FundAmounts] = Field(None, alias="年末结转和结余")


# “三公”经费.


class ThreePublicAmounts(Amounts):
    """“三公”经费：合计 = 因公出国（境）费 + 公务用车购置及运行费 + 公务接待费。"""

    total: Amount = Field(alias="合计")
    overseas: Optional[Amount] = Field(None, alias="因公出国（境）费")
    vehicles: Optional[Amount] = Field(None, alias="公务用车购置及运行费", description="= 公务用车购置费 + 公务用车运行费")
    vehicle_purchase: Optional[Amount] = Field(None, alias="公务用车购置费")
    vehicle_operation: Optional[Amount] = Field(None, alias="公务用车运行费")
    reception: Optional[Amount] = Field(None, alias="公务接待费")

    COLUMNS: ClassVar[dict[str, str]] = {
        "total": "合计", "overseas": "因公出国（境）费", "vehicles": "公务用车购置及运行费",
        "vehicle_purchase": "公务用车购置费", "vehicle_operation": "公务用车运行费", "reception": "公务接待费",
    }


class BudgetThreePublic(Strict):
    """一般公共预算财政拨款“三公”经费支出表。"""

    previous: Optional[ThreePublicAmounts] = Field(None, alias="上年预算数", description="应与上年公开的部门预算一致")
    budget: ThreePublicAmounts = Field(alias="预算数")


class FinalThreePublic(Strict):
    """一般公共预算财政拨款“三公”经费支出决算表。"""

    previous: Optional[ThreePublicAmounts] = Field(None, alias="上年决算数", description="应与上年公开的部门决算一致")
    budget: ThreePublicAmounts = Field(alias="预算数", description="全年预算数")
    actual: ThreePublicAmounts = Field(alias="决算数")


# The explanations that go with the tables.


class RunningCosts(Strict):
    """机关运行经费。"""

    amount: Amount = Field(alias="金额")
    text: Markdown = Field(alias="说明", description="口径和较上年增减的原因")


class Procurement(Strict):
    """政府采购：金额 = 货物 + 工程 + 服务（分项可不填）。"""

    amount: Amount = Field(alias="金额")
    goods: Optional[Amount] = Field(None, alias="货物")
    works: Optional[Amount] = Field(None, alias="工程")
    services: Optional[Amount] = Field(None, alias="服务")
    text: Markdown = Field(alias="说明")


class Explanations(Strict):
    """情况说明（预算）。"""

    overview: Markdown = Field(alias="收支总体情况")
    fiscal: Markdown = Field(alias="财政拨款收支情况")
    general_public: Markdown = Field(alias="一般公共预算财政拨款支出情况")
    running_costs: RunningCosts = Field(alias="机关运行经费")
    three_public: Markdown = Field(alias="三公经费", description="“三公”经费的说明：增减及原因")
    procurement: Procurement = Field(alias="政府采购")
    assets: Markdown = Field(alias="国有资产占用")
    performance: Markdown = Field(alias="绩效目标", description="预算绩效管理和绩效目标设定情况")
    glossary: Markdown = Field(alias="名词解释")


class FinalExplanations(Explanations):
    """情况说明（决算）。"""

    performance: Markdown = Field(alias="绩效评价", description="预算绩效管理和绩效评价情况")


# The two reports.


class Disclosure(ReportHeader):
    """What every 预算 and 决算 file starts with (each kind ends with its own 更正记录)."""

    duties: Optional[Markdown] = Field(
        None, alias="部门职责及机构设置", description="补充说明；单位的主要职能和内设机构取自 unit.yaml"
    )


class Budget(Disclosure):
    """部门预算：content/<单位>/<年度>/budget.yaml。"""

    KIND: ClassVar[str] = "budget"
    KIND_NAME: ClassVar[str] = "部门预算"

    overview: Overview = Field(alias="部门收支总表")
    income: IncomeTable = Field(alias="部门收入总表")
    spending: ExpenseTable = Field(alias="部门支出总表")
    fiscal: FiscalOverview = Field(alias="财政拨款收支总表")
    general_public: ExpenseTable = Field(alias="一般公共预算财政拨款支出表")
    basic: EconomicTable = Field(alias="一般公共预算财政拨款基本支出表")
    three_public: BudgetThreePublic = Field(alias="一般公共预算财政拨款“三公”经费支出表")
    government_fund: ExpenseTable = Field(alias="政府性基金预算财政拨款支出表")
    state_capital: ExpenseTable = Field(alias="国有资本经营预算财政拨款支出表")
    explanations: Explanations = Field(alias="情况说明")
    corrections_log: list[CorrectionEntry] = Field(
        default_factory=list, alias="更正记录", description="发布后的更正：已归档的报告只能通过新增更正记录来修改"
    )


class FinalAccounts(Disclosure):
    """部门决算：content/<单位>/<年度>/final-accounts.yaml。"""

    KIND: ClassVar[str] = "final-accounts"
    KIND_NAME: ClassVar[str] = "部门决算"

    overview: FinalOverview = Field(alias="收入支出决算总表")
    income: IncomeTable = Field(alias="收入决算表")
    spending: ExpenseTable = Field(alias="支出决算表")
    fiscal: FinalFiscalOverview = Field(alias="财政拨款收入支出决算总表")
    general_public: FinalExpenseTable = Field(alias="一般公共预算财政拨款支出决算表")
    basic: EconomicTable = Field(alias="一般公共预算财政拨款基本支出决算表")
    three_public: FinalThreePublic = Field(alias="一般公共预算财政拨款“三公”经费支出决算表")
    government_fund: ExpenseTable = Field(alias="政府性基金预算财政拨款收入支出决算表")
    state_capital: ExpenseTable = Field(alias="国有资本经营预算财政拨款支出决算表")
    explanations: FinalExplanations = Field(alias="情况说明")
    corrections_log: list[CorrectionEntry] = Field(
        default_factory=list, alias="更正记录", description="发布后的更正：已归档的报告只能通过新增更正记录来修改"
    )
