"""A synthetic content folder for the benchmark: N units × Y years of self-evaluation reports.

Every report is the sample (content/huaihua-bjlxc/2023/self-evaluation.yaml) filled in by string
templating, never by a model round-trip, so generating hundreds of reports takes a fraction of a second.

Only changes that keep `check` passing are made:

- unit id, unit name, city (the sample's 怀化 throughout the text), internal departments;
- year (年度, 标题, folder name, 发布日期, 填报日期; every “2023” of the text);
- figures that no rule ties to anything but the text (see STANDALONE in tests/test_every_figure.py; the text
  that states one is changed with it), changed so that
  every sum they take part in stays the same: amounts are moved between the body's 主要明细 items and
  the columns of 附件1-1 公用经费 are shuffled (their sums, checked against 合计 by “其中” rules, do not
  change); the 公用经费 合计 of last year and this year may only grow; head counts and 政府采购金额
  stand alone.

Every slot is found by its exact text in the sample and must be found there: if the sample changes,
generation fails loudly instead of producing content that silently stops varying.
"""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "content"
SAMPLE_UNIT = "huaihua-bjlxc"
SAMPLE_YEAR = 2023
SAMPLE_CITY = "怀化"
KIND = "self-evaluation"  # the kind the generator varies; the others are copied (see copy_template)
ALL_KINDS = ("self-evaluation", "budget", "final-accounts", "project-evaluation")

CITIES = ("怀化", "长沙", "株洲", "湘潭", "衡阳", "邵阳", "岳阳", "常德", "张家界", "益阳", "郴州", "永州", "娄底")
DEPARTMENTS = (
    "人民政府驻北京联络处", "财政局", "教育局", "卫生健康委员会", "交通运输局", "农业农村局", "自然资源和规划局",
    "生态环境局", "住房和城乡建设局", "水利局", "商务局", "文化旅游广电体育局", "民政局", "人力资源和社会保障局",
    "统计局", "审计局", "市场监督管理局", "应急管理局", "退役军人事务局", "医疗保障局",
)
OFFICES = ("综合科", "财务科", "政策法规科", "规划发展科", "招商引资科", "接待科", "信访维稳科", "督查科", "信息科")

TOKEN = re.compile(r"@@(\w+)@@")
MAIN_ITEM = re.compile(r"\{科目: ([^,]+), 金额: ([\d.]+)\}")
TABLE_ROW = re.compile(r"- \{名称: ([^,]+), 上年决算: ([\d.]+), 本年预算: ([\d.]+), 本年决算: ([\d.]+)\}")
PUBLIC_TOTAL = re.compile(r"合计: \{上年决算: ([\d.]+), 本年预算: ([\d.]+), 本年决算: ([\d.]+)\}")


# Templates: the sample's text with @@token@@ slots, and the sample's value of every figure slot.


@dataclass(frozen=True)
class Template:
    text: str
    figures: dict[str, str]  # token -> the sample's text of that figure

    def fill(self, values: dict[str, str]) -> str:
        return TOKEN.sub(lambda match: values[match.group(1)], self.text)


class _Slotter:
    """Turns exact pieces of the sample's text into slots, insisting that each piece is there."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.figures: dict[str, str] = {}

    def once(self, old: str, new: str) -> None:
        found = self.text.count(old)
        if found != 1:
            raise ValueError(f"expected {old!r} once in the sample, found it {found} times")
        self.text = self.text.replace(old, new)

    def everywhere(self, old: str, token: str) -> None:
        if old not in self.text:
            raise ValueError(f"expected {old!r} in the sample")
        self.text = self.text.replace(old, f"@@{token}@@")

    def figure(self, token: str, value: str) -> str:
        self.figures[token] = value
        return f"@@{token}@@"

    def done(self) -> Template:
        return Template(self.text, dict(self.figures))


def report_template(text: str) -> Template:
    s = _Slotter(text)
    public = _block(text, "    公用经费:\n      合计:")
    public_rows = [m.groups() for m in TABLE_ROW.finditer(public)]
    tied = {name for name, *_ in public_rows}  # 附件1-1 rows that repeat a body item (办公费)
    for n, (subject, amount) in enumerate(MAIN_ITEM.findall(text)):
        if subject not in tied:
            slot = s.figure(f"item_{n}", amount)
            s.once(f"{{科目: {subject}, 金额: {amount}}}", f"{{科目: {subject}, 金额: {slot}}}")
            s.once(f"{subject}{amount}万元", f"{subject}{slot}万元")  # the text states it too
    new_public = public
    for n, (name, prior, budget, actual) in enumerate(public_rows):
        new_actual = actual if name in tied else s.figure(f"public_actual_{n}", actual)
        new_public = new_public.replace(
            f"- {{名称: {name}, 上年决算: {prior}, 本年预算: {budget}, 本年决算: {actual}}}",
            f"- {{名称: {name}, 上年决算: {s.figure(f'public_prior_{n}', prior)}, "
            f"本年预算: {s.figure(f'public_budget_{n}', budget)}, 本年决算: {new_actual}}}",
        )
    total = PUBLIC_TOTAL.search(public)
    if total is None:
        raise ValueError("expected the 公用经费 合计 row in the sample")
    prior, budget, actual = total.groups()
    new_public = new_public.replace(
        total.group(0),
        f"合计: {{上年决算: {s.figure('public_total_prior', prior)}, 本年预算: {budget}, "
        f"本年决算: {s.figure('public_total_actual', actual)}}}",
    )
    s.once(public, new_public)
    for label, token in (("劳务派遣人员", "dispatched"), ("离退休人员", "retired")):
        value = _scalar(text, f"    {label}: ")
        slot = s.figure(token, value)
        s.once(f"    {label}: {value}\n", f"    {label}: {slot}\n")
        s.once(f"{label}{value}人", f"{label}{slot}人")
    procurement = re.search(r"政府采购金额: \{本年预算: ([\d.]+), 本年决算: ([\d.]+)\}", text)
    if procurement is None:
        raise ValueError("expected 政府采购金额 in the sample")
    s.once(procurement.group(0), f"政府采购金额: {{本年预算: {s.figure('procurement_budget', procurement.group(1))}, "
                                 f"本年决算: {s.figure('procurement_actual', procurement.group(2))}}}")
    published = _scalar(text, "发布日期: ")
    s.everywhere(published, "published")
    s.everywhere(str(SAMPLE_YEAR), "year")
    s.everywhere(SAMPLE_CITY, "city")
    return s.done()


def copy_template(text: str) -> Template:
    """A report copied as it is but for its year, publication date and city (budgets and final accounts).

    Its figures stay the sample's: they are tied to the same year's other reports by cross-document rules.
    """
    s = _Slotter(text)
    s.everywhere(_scalar(text, "发布日期: "), "published")
    s.everywhere(str(SAMPLE_YEAR), "year")
    if SAMPLE_CITY in text:
        s.everywhere(SAMPLE_CITY, "city")
    return s.done()


def unit_template(text: str) -> Template:
    s = _Slotter(text)
    s.once(f"名称: {_scalar(text, '名称: ')}\n", "名称: @@name@@\n")
    s.once(f"简称: {_scalar(text, '简称: ')}\n", "简称: @@short_name@@\n")
    offices = re.search(r"内设机构:\n(?:  - .*\n)+", text)
    if offices is None:
        raise ValueError("expected 内设机构 in the sample unit")
    s.once(offices.group(0), "内设机构:\n@@offices@@")
    return s.done()


def _block(text: str, start: str) -> str:
    """The lines from `start` to the next line indented no deeper than its first line."""
    begin = text.index(start)
    indent = len(start) - len(start.lstrip(" "))
    lines = text[begin:].split("\n")
    end = 1
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip(" ")) > indent):
        end += 1
    return "\n".join(lines[:end]) + "\n"


def _scalar(text: str, prefix: str) -> str:
    match = re.search(f"^{re.escape(prefix)}(.*)$", text, re.MULTILINE)
    if match is None:
        raise ValueError(f"expected a line starting {prefix!r} in the sample")
    return match.group(1)


# Values: one unit's names, one report's figures.


@dataclass(frozen=True)
class UnitName:
    id: str
    city: str
    name: str
    short_name: str


def unit_name(number: int) -> UnitName:
    """Unit 1 is unit-001 at the first city's first department, and so on through every pairing."""
    index = number - 1
    city = CITIES[index % len(CITIES)]
    pairing, cycle = divmod(index // len(CITIES), len(DEPARTMENTS))
    department = DEPARTMENTS[cycle]
    suffix = f"（{pairing + 1}）" if pairing else ""
    return UnitName(f"unit-{number:03d}", city, f"湖南省{city}市{department}{suffix}", f"{city}市{department}{suffix}")


def unit_values(unit: UnitName, rng: random.Random) -> dict[str, str]:
    offices = rng.sample(OFFICES, rng.randint(3, 6))
    return {
        "name": unit.name,
        "short_name": unit.short_name,
        "offices": "".join(f"  - {office}\n" for office in offices),
    }


def report_values(
    template: Template, unit: UnitName, year: int, published: str, rng: random.Random, tied: bool = False,
) -> dict[str, str]:
    """`tied`: the same year's budget and final accounts are there too, and state 公用经费 本年决算 and
    政府采购金额 as well, so those keep the sample's values."""
    figures = dict(template.figures)
    _move_amounts(figures, _tokens(figures, "item_"), rng)
    for column in ("public_prior_", "public_budget_", "public_actual_"):
        _shuffle(figures, _tokens(figures, column), rng)
    for token in ("public_total_prior",) if tied else ("public_total_prior", "public_total_actual"):
        figures[token] = _cents(_to_cents(figures[token]) + rng.randint(0, 500))
    figures["dispatched"] = str(rng.randint(0, 6))
    figures["retired"] = str(rng.randint(0, 15))
    if not tied:
        budget = rng.randint(0, 2000)
        figures["procurement_budget"] = _cents(budget)
        figures["procurement_actual"] = _cents(rng.randint(0, budget))
    return {**figures, **copy_values(unit, year, published)}


def copy_values(unit: UnitName, year: int, published: str) -> dict[str, str]:
    """Year, city, and a publication date as far after the report's year as the sample's."""
    offset = int(published[:4]) - SAMPLE_YEAR
    return {"year": str(year), "published": f"{year + offset}{published[4:]}", "city": unit.city}


def _tokens(figures: dict[str, str], prefix: str) -> list[str]:
    return [token for token in figures if token.startswith(prefix)]


def _move_amounts(figures: dict[str, str], tokens: list[str], rng: random.Random, moves: int = 4) -> None:
    """Move money between items: each item changes, their sum does not."""
    if len(tokens) < 2:
        return
    cents = {token: _to_cents(figures[token]) for token in tokens}
    for _ in range(moves):
        giver, taker = rng.sample(tokens, 2)
        amount = rng.randint(0, cents[giver] // 3)
        cents[giver] -= amount
        cents[taker] += amount
    figures.update({token: _cents(value) for token, value in cents.items()})


def _shuffle(figures: dict[str, str], tokens: list[str], rng: random.Random) -> None:
    values = [figures[token] for token in tokens]
    rng.shuffle(values)
    figures.update(zip(tokens, values, strict=True))


def _to_cents(text: str) -> int:
    return int(Decimal(text) * 100)


def _cents(value: int) -> str:
    return f"{Decimal(value) / 100:.2f}"


# The site.


@dataclass(frozen=True)
class Generated:
    root: Path
    reports: list[Path]


def generate(target: Path, units: int, years: int, seed: int = 2023, kinds: tuple[str, ...] = (KIND,)) -> Generated:
    """Write site.yaml, `units` unit folders and for each of `years` years (ending with the sample's) one
    report of each of `kinds`: the self-evaluation varied, the others copied from the sample's year."""
    rng = random.Random(seed)
    texts = {kind: _sample_text(Path(SAMPLE_UNIT, str(SAMPLE_YEAR), f"{kind}.yaml")) for kind in kinds}
    templates = {kind: report_template(text) if kind == KIND else copy_template(text) for kind, text in texts.items()}
    published = {kind: _scalar(text, "发布日期: ") for kind, text in texts.items()}
    unit = unit_template(_sample_text(Path(SAMPLE_UNIT, "unit.yaml")))
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SAMPLE / "site.yaml", target / "site.yaml")
    reports = []
    for number in range(1, units + 1):
        name = unit_name(number)
        folder = target / name.id
        _write(folder / "unit.yaml", unit.fill(unit_values(name, rng)))
        for year in report_years(years):
            for kind, template in templates.items():
                path = folder / str(year) / f"{kind}.yaml"
                values = (report_values(template, name, year, published[kind], rng, tied=len(kinds) > 1)
                          if kind == KIND else copy_values(name, year, published[kind]))
                _write(path, template.fill(values))
                reports.append(path)
    return Generated(target, reports)


def report_years(years: int) -> Iterator[int]:
    return iter(range(SAMPLE_YEAR - years + 1, SAMPLE_YEAR + 1))


def _sample_text(relative: Path) -> str:
    return (SAMPLE / relative).read_text(encoding="utf-8")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def edit_report(path: Path, round_number: int) -> None:
    """A small real change to one report (its 其他需要说明的情况), different on every round."""
    text = path.read_text(encoding="utf-8")
    line = re.compile(r"^    单位无其他需要说明的情况.*$", re.MULTILINE)
    if not line.search(text):
        raise ValueError(f"{path}: no 其他需要说明的情况 line to edit")
    new = line.sub(f"    单位无其他需要说明的情况（第 {round_number} 次修改）。", text, count=1)
    path.write_text(new, encoding="utf-8", newline="\n")
