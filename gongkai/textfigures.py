"""Figures stated in a report's text, found and tied to the figures of its tables and fields.

A published text says “实际支出194.30万元”; the same report's fields hold 194.30 somewhere. This module
reads the figures out of the text (amount, percentage, count, score, area), with the words in front of each
(its label) and the headings above it (its topic), and ties each to a field: by an explicit reference the
author wrote after the figure (`194.30万元{=预算执行.基本支出.实际支出}`), else by the label, else by value.

Markers the author may write right after a figure, in braces (half- or full-width); they are not shown:
- `{=路径}`: the field this figure states (the end of its path is enough when unambiguous);
- `{不核对：理由}`: a figure that no field holds (a workload, an approximate count), checked by nobody.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from gongkai.forms.spec import name_key

# What a figure measures, by the unit written after it.
MONEY, PERCENT, POINTS, COUNT, SCORE, AREA = "金额", "百分比", "百分点", "个数", "分数", "面积"
UNITS: tuple[tuple[str, str], ...] = (
    ("亿元", MONEY), ("万元", MONEY), ("元", MONEY), ("个百分点", POINTS), ("%", PERCENT), ("％", PERCENT),
    ("人次", COUNT), ("人", COUNT), ("名", COUNT), ("个", COUNT), ("项", COUNT), ("家", COUNT), ("辆", COUNT),
    ("分", SCORE), ("平方米", AREA), ("㎡", AREA),
)
_TO_WAN = {"亿元": Decimal(10000), "万元": Decimal(1), "元": Decimal("0.0001")}
_UNIT_PATTERN = "|".join(re.escape(unit) for unit, _ in UNITS)
# A number not glued to another number, a letter, a hyphenated range or a 附件/第 ordinal.
FIGURE = re.compile(
    rf"(?<![\d.A-Za-z\-－])(?P<number>\d+(?:\.\d+)?)(?P<approx>余|多)?\s*(?P<unit>{_UNIT_PATTERN})"
    r"(?![\d\-])"
)
# “4125.49、4143.91万元”: numbers listed before one unit share it.
SHARED_UNIT = re.compile(
    rf"(?<![\d.A-Za-z\-－])(?P<number>\d+(?:\.\d+)?)(?=(?:、\s*\d+(?:\.\d+)?)+\s*(?P<unit>{_UNIT_PATTERN}))"
)
# “收、支总计各是 A、B”: one label for each of the figures that follow.
ENUMERATED = re.compile(r"([^\d\s，,。；;：:、年]{1,4})、([^\s，,。；;：:、]{1,4}?)([^\s，,。；;：:、]*?)(?:各是|分别是|分别为|各为|依次为)\s*$")
MARKER = re.compile(r"\s*[{｛](?P<body>[^{}｛｝\n]*)[}｝]")
# A marker may follow the word the unit belongs to: “4个科室{不核对}”.
MARKER_AFTER = re.compile(r"[^\d，,。；;：:、！？!?\n{｛}｝]{0,8}?(?P<marker>\s*[{｛][^{}｛｝\n]*[}｝])")
CLAUSE_END = "，,。；;：:、！？!?\n"
SENTENCE_END = "。！？!?\n"
_YEAR = re.compile(r"^(?:\d{4}年度?|本年度?|全年度|今年|上年)")
_FILLERS = ("分别为", "分别是", "各是", "各为", "共计", "合计为", "累计", "为", "是", "达到", "达", "约", "共", "的")
_DOWN = ("减少", "下降", "降低", "减", "下降了", "减少了", "节约")
_UP = ("增加", "增长", "上升", "提高", "增", "增加了", "增长了")
_CHANGE_WORDS = ("较上年", "比上年", "同比", "较年初", "较去年", "比去年")
_APPROXIMATE_WORDS = ("约", "近", "逾", "超过", "左右")
# Leaf names that say nothing about what a figure is: the row or item above them does.
GENERIC = {"值", "金额", "人数", "合计", "小计", "本年", "数额"}
_ORDINAL_BEFORE = ("附件", "第", "表", "附表")
# “单位价值50万元以上的设备”: a threshold the text names, not a figure it states.
_THRESHOLD = re.compile(r"(?:以上|以下|以内|及以上|及以下)")
_PERIOD_AFTER = re.compile(r"(?<=..)(?:年初预算|全年预算|预算|决算|执行)$")
_BOUND_BEFORE = ("不少于", "不低于", "不超过", "不高于", "至少", "≥", "≤", ">", "<", "＞", "＜")


@dataclass(frozen=True)
class Stated:
    """One figure as the text states it."""

    start: int  # offset of the number in the text as written (markers included)
    end: int  # offset after its unit
    written: str  # "194.30万元"
    number: Decimal  # as written, unsigned
    unit: str
    measure: str
    label: str  # the words in front of it in its clause, normalised
    topic: str  # the headings and lead words above it
    sign: int  # -1 after 减少/下降, +1 after 增加/上升, 0 otherwise
    approximate: bool
    change: bool  # a 较上年 / 增加 / 下降 figure
    reference: str | None = None  # `{=路径}`
    acknowledged: str | None = None  # `{不核对：理由}`; "" when no reason is given
    marker_bad: str | None = None  # a marker that is neither of the two

    @property
    def signed(self) -> Decimal:
        return -self.number if self.sign < 0 else self.number


@dataclass(frozen=True)
class Known:
    """A figure of the report, with every name it goes by (table, part, row, column, or field keys)."""

    path: tuple[str | int, ...]
    names: tuple[str, ...]  # from the outermost (a table) to the innermost (a column)
    labels: tuple[str, ...]  # what a text calls it: a field's key, or a table cell's row and column
    value: Decimal
    measure: str
    money_unit: str = "万元"
    change: bool = False
    tails: frozenset[str] = frozenset()  # the last character of each label: a name a text uses ends alike

    def __post_init__(self) -> None:
        object.__setattr__(self, "tails", frozenset(_name_key(n)[-1:] for n in self.labels if n))

    @property
    def where(self) -> str:
        return " → ".join(name for name in self.names if name)


@dataclass(frozen=True)
class Tie:
    """What a stated figure was tied to, or why not."""

    stated: Stated
    field: Known | None  # the field it states; None when nothing holds it
    agrees: bool
    how: str  # "引用", "名称", "数值", "不核对", "无对应", "引用无效"


def plain_text(text: str) -> str:
    """The text as published: the markers removed."""
    return MARKER.sub(lambda m: "" if _is_marker(m.group("body")) else m.group(0), text)


def _is_marker(body: str) -> bool:
    return body.startswith(("=", "＝")) or body.startswith("不核对")


def find(text: str, section: str = "") -> list[Stated]:
    """Every figure of a text, in order, with its label, topic and marker."""
    found: list[Stated] = []
    topic = [section]
    heading_until = -1
    pending: list[str] = []
    matches = sorted([*FIGURE.finditer(text), *SHARED_UNIT.finditer(text)], key=lambda m: m.start())
    for match in matches:
        start = match.start("number")
        end = match.end() if match.re is FIGURE else match.end("number")
        before = text[max(0, start - 4):start]
        if before.endswith(_ORDINAL_BEFORE) or _in_marker(text, start) or _THRESHOLD.match(text, match.end()):
            continue
        if text[max(0, start - 3):start].endswith(_BOUND_BEFORE):
            continue
        line_start = text.rfind("\n", 0, start) + 1
        if line_start > heading_until:
            topic = [section, *_headings_above(text, line_start)]
            heading_until = line_start
        clause = _clause_before(text, start, found)
        enumerated = ENUMERATED.search(text[max(0, start - 30):start])
        if enumerated:
            first, second, rest = enumerated.groups()
            clause, pending = first + rest, [second + rest]
        elif not clause and pending:
            clause = pending.pop(0)
        else:
            pending = []
        after = MARKER_AFTER.match(text, end)
        marker = MARKER.match(text, after.start("marker")) if after else None
        reference = acknowledged = bad = None
        if marker:
            body = marker.group("body").strip()
            if body.startswith(("=", "＝")):
                reference = body[1:].strip()
            elif body.startswith("不核对"):
                acknowledged = body[3:].lstrip("：:").strip()
            else:
                bad = body
        unit = match.group("unit")
        approximate = bool(match.groupdict().get("approx"))
        sign = _sign(clause)
        found.append(Stated(
            start=start, end=end, written=text[start:end], number=Decimal(match.group("number")), unit=unit,
            measure=dict(UNITS)[unit], label=normalise_label(clause), topic=" ".join(t for t in topic if t) + " " +
            _lead(text, line_start), sign=sign, approximate=approximate or clause.endswith(_APPROXIMATE_WORDS),
            change=sign != 0 or any(w in clause for w in _CHANGE_WORDS), reference=reference, acknowledged=acknowledged,
            marker_bad=bad,
        ))
    return found


def _in_marker(text: str, index: int) -> bool:
    opening = max(text.rfind("{", 0, index), text.rfind("｛", 0, index))
    closing = max(text.rfind("}", 0, index), text.rfind("｝", 0, index))
    return opening > closing


def _clause_before(text: str, start: int, found: Sequence[Stated]) -> str:
    """The words between the previous clause break (or the previous figure) and this figure."""
    begin = max((text.rfind(mark, 0, start) for mark in CLAUSE_END), default=-1) + 1
    if found and found[-1].end > begin:
        begin = found[-1].end
        marker = MARKER.match(text, begin)
        if marker:
            begin = marker.end()
    return text[begin:start].strip()


def _headings_above(text: str, line_start: int) -> list[str]:
    """The Markdown heading and the short heading-like line (“1.基本支出情况”) above a line."""
    heading, subheading = "", ""
    for line in text[:line_start].split("\n"):
        stripped = line.strip()
        if stripped.startswith("#"):
            heading, subheading = stripped.lstrip("#").strip(), ""
        elif stripped and len(stripped) <= 30 and not any(p in stripped for p in "。；;，,"):
            subheading = stripped
    return [h for h in (heading, subheading) if h]


def _lead(text: str, line_start: int) -> str:
    """A paragraph's lead words, as in “1.收入预算，2023年……”: its first clause when it is numbered."""
    line_end = text.find("\n", line_start)
    line = text[line_start: line_end if line_end >= 0 else len(text)]
    first = re.split(r"[，,。；;：:]", line, maxsplit=1)[0]
    return first if re.match(r"^\s*(?:\d+[.．、]|[（(]\d+[)）]|[一二三四五六七八九十]+、)", first) else ""


def _sign(clause: str) -> int:
    tail = clause[-4:]
    if any(tail.endswith(word) for word in _DOWN):
        return -1
    if any(tail.endswith(word) for word in _UP):
        return 1
    return 0


def normalise_label(clause: str) -> str:
    """“2023年年初预算数为” → “年初预算”: years, fillers, quotes and a trailing 数 go."""
    label = _key(clause)
    label = re.sub(r"^(?:其中|包括|含)[:：]?", "", label)
    label = _YEAR.sub("", label)
    changed = True
    while changed:
        changed = False
        for filler in _FILLERS:
            if label.endswith(filler) and len(label) > len(filler):
                label, changed = label[: -len(filler)], True
    return _name_key(label)


@lru_cache(maxsize=65536)  # the same few hundred names are compared for every figure of every report
def _key(text: str) -> str:
    """Names compared without quotes, spaces, or bracket and colon widths."""
    return re.sub(r"[“”‘’\"'「」『』]", "", name_key(text))


@lru_cache(maxsize=65536)
def _name_key(name: str) -> str:
    key = _key(name)
    return key[:-1] if key.endswith("数") and len(key) > 2 else key


@lru_cache(maxsize=262144)
def names_match(label: str, name: str) -> bool:
    """Does a label end with (most of) a field's name? “其他运转类项目支出” names 项目支出."""
    key = _name_key(name)
    if not key or not label or key in GENERIC:
        return False
    if label.endswith(key) or (key.endswith(label) and len(label) >= 2):
        return True
    common = 0
    while common < min(len(label), len(key)) and label[-1 - common] == key[-1 - common]:
        common += 1
    # “收、支总计” names 收入总计: the shared end is half the name and the rest shares a character;
    # “专项业务（工作）经费” does not name 人员经费 (只有“经费”相同).
    rest_of_name, rest_of_label = key[: len(key) - common], label[: len(label) - common]
    if common < 2 or common * 2 < len(key) or not rest_of_name:
        return common >= 2 and common * 2 >= len(key)
    if len(rest_of_label) <= 3 and rest_of_label[:1] == rest_of_name[:1]:
        return True
    return any(rest_of_name[i:i + 2] in rest_of_label for i in range(len(rest_of_name) - 1))


def affinity(text: str, names: Iterable[str]) -> int:
    """How much a figure's topic and label speak of a field's other names (longest shared runs)."""
    return sum(_longest_common(text, _key(name)) for name in names if name)


def _longest_common(a: str, b: str) -> int:
    best = 0
    for i in range(len(b)):
        for j in range(i + best + 1, len(b) + 1):
            if b[i:j] in a:
                best = j - i
            else:
                break
    return best if best >= 2 else 0


def agrees(stated: Stated, known: Known) -> bool:
    """The same figure, at the precision the text states it (“24万元” states 24.00; “293.5万元” 293.53)."""
    if stated.measure != known.measure:
        return False
    value = known.value
    number = stated.signed if known.change or stated.sign else stated.number
    if stated.measure == MONEY:
        value = value * _TO_WAN.get(known.money_unit, Decimal(1)) / _TO_WAN[stated.unit]
    if known.change and stated.sign == 0 and value < 0:
        number = -number if number > 0 else number
    places = _places(stated.number)
    if _places(value) > places:
        value = value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return value == number


def _places(value: Decimal) -> int:
    """Decimals as written: 194.30 states two (it is not 194.3 ± 0.05), 24 states none."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def tie(stated: Stated, known: Sequence[Known]) -> Tie:
    """The field a figure states: by reference, by name (best topic first), or by value."""
    if stated.acknowledged is not None:
        return Tie(stated, None, True, "不核对")
    same_measure = [k for k in known if k.measure == stated.measure and (k.change == stated.change or stated.measure in (COUNT, SCORE))]
    if stated.reference is not None:
        target = resolve(stated.reference, known)
        if target is None:
            return Tie(stated, None, False, "引用无效")
        return Tie(stated, target, agrees(stated, target), "引用")
    said = {stated.label, _PERIOD_AFTER.sub("", stated.label)}  # “机关运行经费决算” names 机关运行经费
    tails = {label[-1:] for label in said}
    matched = {
        id(k): max((len(n) for n in k.labels for label in said if names_match(label, n)), default=0)
        if k.tails & tails else 0
        for k in same_measure
    }
    named = [k for k in same_measure if matched[id(k)]]
    if named:
        text = stated.topic + " " + stated.label
        ranked = sorted(named, key=lambda k: (-matched[id(k)], -affinity(text, k.names)))
        for candidate in ranked:
            if agrees(stated, candidate):
                return Tie(stated, candidate, True, "名称")
        # The same value under a name that shares three characters with the label is the field meant
        # (“公务用车费972.75” beside a 公务用车运行维护费 row); a total stated as another total is not.
        for candidate in same_measure:
            if agrees(stated, candidate) and (
                _names_tail(stated.label, candidate.labels)
                or (_beside(candidate, named) and affinity(stated.label, candidate.labels[:1]) >= 2)
            ):
                return Tie(stated, candidate, True, "数值")
        if not stated.approximate:
            return Tie(stated, ranked[0], False, "名称")
    for candidate in same_measure:
        if agrees(stated, candidate):
            return Tie(stated, candidate, True, "数值")
    return Tie(stated, None, False, "无对应")


def _beside(candidate: Known, named: Sequence[Known]) -> bool:
    """A cell of the same table and column as a named one, on a row that is not a total: a row the text
    names in its own words (“公务用车购置及运行维护费” for the table's 公务用车费)."""
    row = candidate.names[-2] if len(candidate.names) >= 2 else ""
    if any(word in row for word in ("合计", "总计", "小计")) or len(candidate.names) < 3:
        return False
    return any(k.names[0] == candidate.names[0] and k.names[-1] == candidate.names[-1] for k in named)


def _names_tail(label: str, labels: Iterable[str]) -> bool:
    """A name that holds the label's last three characters: “公务用车费” in “3、公务用车费”."""
    tail = label[-3:]
    return len(tail) == 3 and any(tail in _key(name) for name in labels)


def resolve(reference: str, known: Sequence[Known]) -> Known | None:
    """`预算执行.基本支出.实际支出`, or its end, or the names joined by “→”: one field, or None."""
    parts = [_key(p) for p in re.split(r"\s*(?:[.．。]|→|>|＞)\s*", reference) if p.strip()]
    if not parts:
        return None
    hits = []
    for k in known:
        keys = [_key(str(p)) for p in k.path if not isinstance(p, int)]
        names = [_key(n) for n in k.names if n]
        if _ends_with(keys, parts) or _ends_with(names, parts):
            hits.append(k)
    return hits[0] if len(hits) == 1 else None


def _ends_with(seq: list[str], tail: list[str]) -> bool:
    return len(seq) >= len(tail) and seq[-len(tail):] == tail


def parts_exceed(figures: Sequence[Stated], text: str) -> Iterator[tuple[Stated, list[Stated], Decimal]]:
    """“X万元，其中：a、b、c” where a + b + c > X: a sum the text itself gets wrong."""
    for index, stated in enumerate(figures):
        if stated.measure != MONEY or stated.change:
            continue
        after = text[stated.end:]
        sentence_end = _first(after, SENTENCE_END)
        following = after[:sentence_end]
        where = following.find("其中")
        if where < 0:
            # “……89.97万元。其中：30万元……”: 其中 opening the next sentence still lists this figure's parts
            rest = after[sentence_end + 1:].lstrip()
            if sentence_end == len(after) or not rest.startswith("其中") or _next_figure_before(
                figures, index, stated.end + sentence_end  # a later figure of this sentence owns the 其中
            ):
                continue
            scope_start = stated.end + sentence_end + 1
        else:
            if _next_figure_before(figures, index, stated.end + where):
                continue
            scope_start = stated.end + where
        scope_end = scope_start + _first(text[scope_start:], "。\n")
        parts = [f for f in figures[index + 1:] if scope_start <= f.start < scope_end]
        parts = [f for f in parts if f.measure == MONEY and not f.change and f.unit == stated.unit]
        if len(parts) >= 2:
            total = sum((f.number for f in parts), Decimal(0))
            if total > stated.number:
                yield stated, parts, total


def _next_figure_before(figures: Sequence[Stated], index: int, position: int) -> bool:
    return index + 1 < len(figures) and figures[index + 1].start < position


def _first(text: str, marks: str) -> int:
    """Where the first of `marks` stands in `text`, or its length."""
    return min((i for i in (text.find(m) for m in marks) if i >= 0), default=len(text))
