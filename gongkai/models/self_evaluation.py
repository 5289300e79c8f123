"""部门整体支出绩效自评报告: the report, 附件1-1 基础数据表 and 附件1-2 自评表, field for field."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from gongkai.models.base import (
    Amount,
    AreaFigure,
    ChangeAmount,
    ChangeRate,
    CountFigure,
    Date,
    Markdown,
    Rate,
    ReportHeader,
    ScoreFigure,
    Strict,
    Text,
)


class StaffPart(Strict):
    """在编在岗人员的构成，如“全额事业管理人员编制 8 人”。"""

    name: Text = Field(alias="名称")
    count: CountFigure = Field(alias="人数")


class Staffing(Strict):
    """人员编制情况。"""

    authorized: CountFigure = Field(alias="编制数")
    on_post: CountFigure = Field(alias="在编在岗")
    on_post_parts: list[StaffPart] = Field(default_factory=list, alias="其中")
    dispatched: CountFigure | None = Field(None, alias="劳务派遣人员")
    retired: CountFigure | None = Field(None, alias="离退休人员")


class NamedAmount(Strict):
    name: Text = Field(alias="名称")
    amount: Amount = Field(alias="金额")


class PerformanceTargets(Strict):
    """绩效目标设定情况。"""

    total: Amount = Field(alias="整体支出")
    project_count: CountFigure = Field(alias="项目数", description="编报绩效目标的项目个数")
    project_total: Amount = Field(alias="项目支出")
    projects: list[NamedAmount] = Field(default_factory=list, alias="项目")


class Basics(Strict):
    """一、部门（单位）基本情况（机构设置与职能见 unit.yaml）。"""

    staffing: Staffing = Field(alias="人员编制")
    targets: PerformanceTargets = Field(alias="绩效目标设定")


class IncomeBudget(Strict):
    """收入预算。"""

    initial: Amount = Field(alias="年初预算")
    general_public: Amount = Field(alias="一般公共预算财政拨款")
    special_account: Amount | None = Field(None, alias="纳入财政专户管理的非税收入拨款")
    government_fund: Amount | None = Field(None, alias="政府性基金预算拨款")
    state_capital: Amount | None = Field(None, alias="国有资本经营预算拨款")
    change: ChangeAmount | None = Field(None, alias="较上年增减", description="同口径对比，增加为正，减少为负")


class ExpenditureBudget(Strict):
    """支出预算。"""

    initial: Amount = Field(alias="年初预算")
    personnel: Amount = Field(alias="人员支出")
    public: Amount = Field(alias="公用经费")
    projects: Amount = Field(alias="项目支出")
    change: ChangeAmount | None = Field(None, alias="较上年增减")


class SpendingItem(Strict):
    subject: Text = Field(alias="科目")
    amount: Amount = Field(alias="金额")


class BasicSpending(Strict):
    """基本支出情况。"""

    initial: Amount = Field(alias="年初预算")
    full_year: Amount = Field(alias="全年预算")
    actual: Amount = Field(alias="实际支出")
    balance: Amount = Field(alias="结余", description="转入结余分配")
    items: list[SpendingItem] = Field(default_factory=list, alias="主要明细", description="按经济科目列出的主要支出，可不列全")


class ProjectSpending(Strict):
    """项目支出情况。"""

    initial: Amount = Field(alias="年初预算")
    added: Amount | None = Field(None, alias="年中追加")
    reduced: Amount | None = Field(None, alias="年中调减")
    full_year: Amount = Field(alias="全年预算")
    actual: Amount = Field(alias="实际支出")


class ThreePublic(Strict):
    """“三公”经费使用和管理情况（本年预算数）。"""

    budget: Amount = Field(alias="本年预算")
    reception: Amount | None = Field(None, alias="公务接待费")
    vehicle_purchase: Amount | None = Field(None, alias="公务用车购置费")
    vehicle_operation: Amount | None = Field(None, alias="公务用车运行维护费")
    overseas: Amount | None = Field(None, alias="因公出国（境）费")
    change: ChangeAmount | None = Field(None, alias="较上年增减", description="较上年预算数，增加为正，减少为负")
    change_rate: ChangeRate | None = Field(None, alias="增减率")


class Execution(Strict):
    """二、部门整体支出管理及使用情况。"""

    income: IncomeBudget = Field(alias="收入预算")
    expenditure: ExpenditureBudget = Field(alias="支出预算")
    basic: BasicSpending = Field(alias="基本支出")
    project: ProjectSpending = Field(alias="项目支出")
    three_public: ThreePublic = Field(alias="三公经费")


class FundSpending(Strict):
    """政府性基金、国有资本经营、社会保险基金预算支出：没有时写“无”。"""

    amount: Amount | None = Field(None, alias="金额")

    @model_validator(mode="before")
    @classmethod
    def _none_stated(cls, data: Any) -> Any:
        if data == "无":
            return {}
        if isinstance(data, str):
            raise PydanticCustomError("bad-value", "应写“无”，或写出“金额”", {})
        return data

    @property
    def none(self) -> bool:
        return self.amount is None or self.amount.value == 0


class Evaluation(Strict):
    """六、部门整体支出绩效情况。"""

    full_marks: ScoreFigure = Field(alias="总分", description="满分，通常为 100")
    score: ScoreFigure = Field(alias="得分")
    grade: Text = Field(alias="等级", description="优秀、良好、中、差")

    GRADES: ClassVar[tuple[str, ...]] = ("优秀", "良好", "中", "差")

    @field_validator("grade")
    @classmethod
    def _known_grade(cls, grade: str) -> str:
        if grade not in cls.GRADES:
            raise PydanticCustomError("bad-value", "等级只能是：{grades}", {"grades": "、".join(cls.GRADES)})
        return grade


# 附件1-1 部门整体支出绩效评价基础数据表


class StaffControl(Strict):
    """财政供养人员情况。"""

    authorized: CountFigure = Field(alias="编制数")
    on_post: CountFigure = Field(alias="实际在职人数")
    control_rate: Rate = Field(alias="控制率", description="实际在职人数 ÷ 编制数")


class ControlRow(Strict):
    """经费控制情况的一行：上年决算数、本年预算数、本年决算数。"""

    prior_actual: Amount | None = Field(None, alias="上年决算")
    budget: Amount | None = Field(None, alias="本年预算")
    actual: Amount | None = Field(None, alias="本年决算")

    COLUMNS: ClassVar[tuple[str, ...]] = ("prior_actual", "budget", "actual")


class NamedControlRow(ControlRow):
    name: Text = Field(alias="名称")


class CurrentRow(Strict):
    """只有本年数的行（政府采购、基本支出预算调整）：上年决算数栏为“——”。"""

    budget: Amount | None = Field(None, alias="本年预算")
    actual: Amount | None = Field(None, alias="本年决算")


class ThreePublicRows(Strict):
    total: ControlRow = Field(alias="合计")
    vehicles: ControlRow = Field(alias="公务用车购置和维护经费")
    vehicle_purchase: ControlRow = Field(alias="公车购置")
    vehicle_operation: ControlRow = Field(alias="公车运行维护")
    overseas: ControlRow = Field(alias="出国经费")
    reception: ControlRow = Field(alias="公务接待")


class GroupRows(Strict):
    """一个合计行及其分项。"""

    total: ControlRow = Field(alias="合计")
    rows: list[NamedControlRow] = Field(default_factory=list, alias="分项")


class CostControl(Strict):
    """经费控制情况。"""

    three_public: ThreePublicRows = Field(alias="三公经费")
    projects: GroupRows = Field(alias="项目支出", description="分项之和等于合计")
    public: GroupRows = Field(alias="公用经费", description="分项为“其中”列示，可不列全")
    procurement: CurrentRow = Field(alias="政府采购金额")
    basic_adjustment: CurrentRow = Field(alias="部门基本支出预算调整")


class Buildings(Strict):
    """楼堂馆所控制情况。"""

    approved_area: AreaFigure = Field(alias="批复规模")
    actual_area: AreaFigure = Field(alias="实际规模")
    area_control_rate: Rate = Field(alias="规模控制率")
    budget_investment: Amount = Field(alias="预算投资")
    actual_investment: Amount = Field(alias="实际投资")
    investment_control_rate: Rate = Field(alias="投资概算控制率")


class BasicData(Strict):
    """附件1-1 部门整体支出绩效评价基础数据表。"""

    staff: StaffControl = Field(alias="财政供养人员")
    costs: CostControl = Field(alias="经费控制")
    buildings: Buildings = Field(alias="楼堂馆所")
    thrift_measures: Markdown = Field(alias="厉行节约保障措施")
    filled_by: Text = Field(alias="填表人")
    filled_on: Date = Field(alias="填报日期")
    phone: Text | None = Field(None, alias="联系电话")


# 附件1-2 部门整体支出绩效自评表


class IncomeNature(Strict):
    """按收入性质分。"""

    total: Amount = Field(alias="合计")
    general_public: Amount | None = Field(None, alias="一般公共预算")
    government_fund: Amount | None = Field(None, alias="政府性基金拨款")
    special_account: Amount | None = Field(None, alias="纳入专户管理的非税收入拨款")
    other: Amount | None = Field(None, alias="其他资金")


class SpendingNature(Strict):
    """按支出性质分。"""

    total: Amount = Field(alias="合计")
    basic: Amount | None = Field(None, alias="基本支出")
    project: Amount | None = Field(None, alias="项目支出")
    balance: Amount | None = Field(None, alias="转入结余分配")


class FundsRow(Strict):
    """年度资金总额这一行：部门整体和项目的自评表都有。"""

    initial: Amount = Field(alias="年初预算数")
    full_year: Amount = Field(alias="全年预算数")
    executed: Amount = Field(alias="全年执行数")
    weight: ScoreFigure = Field(alias="分值")
    rate: Rate = Field(alias="执行率", description="全年执行数 ÷ 全年预算数")
    score: ScoreFigure | None = Field(None, alias="得分", description="原表空着就留空")


class Funds(FundsRow):
    """年度资金总额。"""

    by_income: IncomeNature = Field(alias="按收入性质分")
    by_spending: SpendingNature = Field(alias="按支出性质分")


class Goals(Strict):
    """年度总体目标。"""

    expected: Markdown = Field(alias="预期目标")
    achieved: Markdown = Field(alias="实际完成情况")


class Indicator(Strict):
    """三级指标。"""

    name: Text = Field(alias="名称")
    nature: Text | None = Field(None, alias="指标性质", description="如 定量、定性，或 ≥、≤、＝（有的省的表有这一栏）")
    target: Text | None = Field(None, alias="年度指标值")
    measure: Text | None = Field(None, alias="度量单位", description="指标值的单位（有的省的表有这一栏）")
    achieved: Text | None = Field(None, alias="实际完成值")
    weight: ScoreFigure | None = Field(None, alias="分值")
    score: ScoreFigure | None = Field(None, alias="得分")
    deviation: Markdown | None = Field(None, alias="偏差原因", description="偏差原因分析及改进措施")


class IndicatorGroup(Strict):
    """二级指标。"""

    name: Text = Field(alias="名称")
    indicators: list[Indicator] = Field(default_factory=list, alias="三级指标")


class IndicatorCategory(Strict):
    """一级指标，如“产出指标（50分）”。"""

    name: Text = Field(alias="名称")
    weight: ScoreFigure = Field(alias="分值")
    score: ScoreFigure | None = Field(None, alias="得分")
    groups: list[IndicatorGroup] = Field(alias="二级指标")


class Total(Strict):
    weight: ScoreFigure = Field(alias="分值")
    score: ScoreFigure | None = Field(None, alias="得分", description="原表空着就留空")


class SelfEvaluationForm(Strict):
    """附件1-2 部门整体支出绩效自评表。"""

    funds: Funds = Field(alias="年度资金总额")
    goals: Goals = Field(alias="年度总体目标")
    categories: list[IndicatorCategory] = Field(alias="绩效指标")
    total: Total = Field(alias="总分")


class Change(Strict):
    """更正的一处改动。已归档的报告，每一处改动都要写一条：哪个字段，归档时是什么，改成了什么。"""

    field: Text = Field(alias="字段", description="改动的字段，照 check 的提示填写，如 预算执行.基本支出[0].金额")
    old: str | None = Field(None, alias="原值", description="归档时的值（长文字可只写改动的那几个字）；新增的项不写")
    new: str | None = Field(None, alias="更正为", description="改成的值；删去的项不写")


class CorrectionEntry(Strict):
    """更正记录的一条：发布（或归档）后更正了什么、为什么。"""

    date: Date = Field(alias="日期")
    what: Text = Field(alias="内容", description="更正了什么")
    reason: Text = Field(alias="原因")
    changes: list[Change] = Field(default_factory=list, alias="改动", description="已归档报告的每一处改动")


class TextCorrection(Strict):
    """正文更正：正文里改过的一处文字（数字或错字）。正文写更正后的文字，这里保留原文和理由。"""

    section: Text | None = Field(None, alias="位置", description="正文中所在部分的标题；不写则在全文中查找")
    original: str = Field(alias="原文", description="原发布的文字，逐字照录")
    corrected: Text = Field(alias="更正为", description="正文中更正后的文字，须在该部分中恰好出现一次")
    reason: Text = Field(alias="说明", description="更正理由")
    date: Date = Field(alias="日期", description="更正日期")


class SelfEvaluation(ReportHeader):
    """部门整体支出绩效自评报告：content/<单位>/<年度>/self-evaluation.yaml。"""

    KIND: ClassVar[str] = "self-evaluation"
    KIND_NAME: ClassVar[str] = "部门整体支出绩效自评报告"

    text: dict[str, Markdown] = Field(
        alias="正文", min_length=1, description="报告正文，照发布稿逐字录入，按原文顺序：各部分标题: 原文"
    )
    text_corrections: list[TextCorrection] = Field(default_factory=list, alias="正文更正")
    basics: Basics = Field(alias="基本情况")
    execution: Execution = Field(alias="预算执行")
    government_fund: FundSpending = Field(alias="政府性基金预算支出")
    state_capital: FundSpending = Field(alias="国有资本经营预算支出")
    social_insurance: FundSpending = Field(alias="社会保险基金预算支出")
    evaluation: Evaluation = Field(alias="绩效情况")
    basic_data: BasicData = Field(alias="基础数据表")
    form: SelfEvaluationForm = Field(alias="自评表")
    corrections_log: list[CorrectionEntry] = Field(
        default_factory=list, alias="更正记录", description="发布后的更正：已归档的报告只能通过新增更正记录来修改"
    )
