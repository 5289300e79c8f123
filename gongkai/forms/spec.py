"""The 表样 (standard forms) as data: what tables a report has, their columns and rows, and the arithmetic
that ties them, read from the YAML files beside this module.

A province's form inherits the national one (`继承: 全国`) and writes only what differs: a table with a
known 编号 is merged key by key (`去掉别名` removes inherited aliases), a new one is added (after `排在`), `去掉`
drops tables, and its 关系 are added to the inherited ones. Nothing here knows a province: a new one is a new file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from gongkai.reader import read_document

FORMS_DIR = Path(__file__).parent
SUBJECT_ROWS = "科目行"  # in a relation: the sum of a part's rows listed by 科目
TOTAL_ROW = "合计"  # in a relation on a 科目 table: its 合计 row
SCHEMES = ("功能分类", "经济分类")
# Ordinals and lead-ins that printed row labels carry: “一、”, “（一）”, “1.”, “其中：”.
_LEAD = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．]|其中[：:])\s*")


class FormError(Exception):
    """A form file that does not say what a form must: an error of the package's data, with its place."""


@lru_cache(maxsize=8192)
def plain_label(label: str) -> str:
    """A printed row label without its numbering (“一、一般公共服务支出” → “一般公共服务支出”)."""
    previous = None
    while previous != label:
        previous, label = label, _LEAD.sub("", label)
    return label.strip()


@dataclass(frozen=True)
class Column:
    """An amount column; a column with 下级 is the sum of those columns (its 小计)."""

    name: str
    aliases: tuple[str, ...] = ()
    children: tuple[str, ...] = ()
    group: str = ""  # a heading printed over this and the neighbouring columns of the same group
    percent: bool = False  # a rate (增减幅度) written as 0.9%, not an amount


@dataclass(frozen=True)
class Item:
    """A fixed row of a table (本年收入合计, 总计 …)."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class Term:
    """One figure or sum in a relation: [《table》][part/]row[.column]; any part may be left to context."""

    table: str = ""
    part: str = ""
    row: str = ""
    column: str = ""

    def __str__(self) -> str:
        table = f"《{self.table}》" if self.table else ""
        part = f"{self.part}/" if self.part else ""
        column = f".{self.column}" if self.column else ""
        return f"{table}{part}{self.row}{column}"


@dataclass(frozen=True)
class Relation:
    """left = Σ ±right, as written in the form; `per_class` compares each 类 row of two tables instead."""

    text: str
    left: Term
    right: tuple[tuple[int, Term], ...]
    per_class: bool = False
    ratio: bool = False  # left = right[0] ÷ right[1], as a percentage at the precision it is written with


@dataclass(frozen=True)
class Part:
    """One side of a table (收入 or 支出), or the whole table when it has one."""

    name: str
    columns: tuple[Column, ...]
    items: tuple[Item, ...] = ()
    scheme: str = ""  # rows by 科目 of this scheme besides the fixed items (the 总表's 类 rows)
    relations: tuple[Relation, ...] = ()
    # Every printed spelling of each column's and item's names (see _key): one look-up per cell, not a search.
    _columns: dict[str, Column] = field(init=False, repr=False, compare=False, hash=False)
    _items: dict[str, Item] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_columns", _index(self.columns))
        object.__setattr__(self, "_items", _index(self.items))

    def column(self, label: str, year: int = 0) -> Column | None:
        found = self._columns.get(name_key(label))
        return found if found is not None or not year else self._columns.get(name_key(_relative_year(label, year)))

    def item(self, label: str) -> Item | None:
        return self._items.get(name_key(plain_label(label))) or self._items.get(name_key(label))

    @property
    def single(self) -> bool:
        """One amount column: rows are written `项目: 金额`."""
        return len(self.columns) == 1


@dataclass(frozen=True)
class TableSpec:
    """One table of a form: a 科目 table (`scheme` set, one part) or a table of fixed items in parts."""

    id: str
    name: str
    aliases: tuple[str, ...]
    required: bool
    parts: tuple[Part, ...]
    scheme: str = ""
    default_columns: tuple[str, ...] = ()
    relations: tuple[Relation, ...] = ()  # between parts of this table

    @property
    def by_subject(self) -> bool:
        return bool(self.scheme)

    @property
    def sided(self) -> bool:
        """Written as parts (收入:, 支出:) rather than rows directly."""
        return len(self.parts) > 1 or bool(self.parts and self.parts[0].name)

    def part(self, name: str) -> Part | None:
        return next((p for p in self.parts if p.name == name), None)

    pattern: str = ""  # a regular expression for names that carry the unit and year (“2015年某局“三公”经费情况统计表”)

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class KindForm:
    """The tables of one report kind in one form, in the order they are published."""

    tables: tuple[TableSpec, ...]
    relations: tuple[Relation, ...] = ()
    _by_name: dict[str, TableSpec] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for spec in self.tables:
            for name in spec.names():
                self._by_name.setdefault(name, spec)
                self._by_name.setdefault(_key(name), spec)

    def table(self, name: str) -> TableSpec | None:
        found = self._by_name.get(name) or self._by_name.get(name_key(name))
        if found is None:
            found = next((t for t in self.tables if t.pattern and re.search(t.pattern, _key(name))), None)
        return found



@dataclass(frozen=True)
class Form:
    """A 表样: its name as site.yaml names it, where it comes from, and each kind's tables."""

    name: str
    description: str
    sources: tuple[str, ...]
    kinds: dict[str, KindForm]
    file: str

    def of(self, kind: str) -> KindForm:
        return self.kinds[kind]


def _index(options: tuple[Any, ...]) -> dict[str, Any]:
    """Each option by every key its name and aliases have; the first option keeps a key two share."""
    index: dict[str, Any] = {}
    for option in options:
        for name in (option.name, *option.aliases):
            index.setdefault(_key(name), option)
    return index


_HALF_WIDTH = str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，"})


@lru_cache(maxsize=1 << 16)  # labels repeat in every report: a form has a few thousand
def name_key(label: str) -> str:
    """What two printings of one name share (public: the text-figure matcher compares names the same way)."""
    return _key(label)


def _key(label: str) -> str:
    """What two printings of one name share: quotes, brackets and colons of one width, no spaces."""
    return re.sub(r"\s+", "", _normalise_quotes(label)).translate(_HALF_WIDTH)


def _relative_year(label: str, year: int) -> str:
    """“2014年决算数” in a 2015 report is its 上年决算数; “2016-执行数” in a 2017 one its 上年执行数."""
    for offset, word in ((0, "本年"), (-1, "上年")):
        found = re.match(rf"^{year + offset}\s*(?:年度?|-)\s*(.+)$", label.strip())
        if found:
            return word + found.group(1)
    return label


def _normalise_quotes(text: str) -> str:
    """“三公” is printed with curly, straight or corner quotes; the forms write curly ones."""
    if not any(q in text for q in "\"「」『』"):
        return text
    out, opening = [], True
    for char in text:
        if char == '"':
            char, opening = ("“" if opening else "”"), not opening
        out.append({"「": "“", "『": "“", "」": "”", "』": "”"}.get(char, char))
    return "".join(out)


# Reading the files.


def form_files() -> dict[str, Path]:
    """Every form shipped, by its 名称 (全国, 湖南 …)."""
    return dict(_form_files())


@cache
def _form_files() -> tuple[tuple[str, Path], ...]:
    found = []
    for path in sorted(FORMS_DIR.glob("*.yaml")):
        data = _read(path)
        found.append((str(data.get("名称", path.stem)), path))
    return tuple(found)


def form_names() -> list[str]:
    return list(form_files())


@cache
def load_form(name: str) -> Form:
    """The form named `name`, its inheritance resolved; FormError if it does not exist or is malformed."""
    path = form_files().get(name)
    if path is None:
        raise FormError(f"没有名为“{name}”的表样")
    return _build(name, path, _resolved(name, ()))


def _resolved(name: str, seen: tuple[str, ...]) -> dict[str, Any]:
    """The form's own data over its parent's, as one mapping."""
    if name in seen:
        raise FormError(f"表样“{name}”的继承关系循环：{' → '.join((*seen, name))}")
    path = form_files().get(name)
    if path is None:
        raise FormError(f"表样“{seen[-1] if seen else name}”继承的表样“{name}”不存在")
    data = _read(path)
    parent = data.get("继承")
    if not parent:
        return data
    return _merge(_resolved(str(parent), (*seen, name)), data)


def _merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    merged = {**parent, **{k: v for k, v in child.items() if k != "报告"}}
    kinds = dict(parent.get("报告") or {})
    for kind, own in (child.get("报告") or {}).items():
        kinds[kind] = _merge_kind(kinds.get(kind) or {}, own or {})
    merged["报告"] = kinds
    return merged


def _merge_kind(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    dropped = set(child.get("去掉") or ())
    tables = [dict(t) for t in parent.get("表格") or () if t.get("编号") not in dropped]
    for table in child.get("表格") or ():
        at = next((i for i, t in enumerate(tables) if t.get("编号") == table.get("编号")), None)
        if at is not None:  # merged key by key; a province's 别名 add to the parent's, 去掉别名 removes some
            removed = set(map(str, table.get("去掉别名") or ()))
            aliases = [a for a in (*(tables[at].get("别名") or ()), *(table.get("别名") or ())) if a not in removed]
            own = {k: v for k, v in table.items() if k != "去掉别名"}
            tables[at] = {**tables[at], **own, "别名": list(dict.fromkeys(aliases))}
            continue
        after = next((i for i, t in enumerate(tables) if t.get("编号") == table.get("排在")), len(tables) - 1)
        tables.insert(after + 1, dict(table))
    relations = [*(parent.get("关系") or ()), *(child.get("关系") or ())]
    return {"表格": tables, "关系": relations}


def _read(path: Path) -> dict[str, Any]:
    document = read_document(path)
    if document.findings or not isinstance(document.data, dict):
        why = "；".join(f.message for f in document.findings) or "不是一组“键: 值”"
        raise FormError(f"表样文件 {path.name} 无法读取：{why}")
    return document.data


def _build(name: str, path: Path, data: dict[str, Any]) -> Form:
    kinds = {kind: _kind(path, kind, raw or {}) for kind, raw in (data.get("报告") or {}).items()}
    return Form(name, str(data.get("说明", "")), tuple(map(str, data.get("来源") or ())), kinds, path.name)


def _kind(path: Path, kind: str, raw: dict[str, Any]) -> KindForm:
    tables = tuple(_table(path, t) for t in raw.get("表格") or ())
    ids = [t.id for t in tables]
    if len(set(ids)) != len(ids):
        raise FormError(f"{path.name}：{kind} 的表格编号重复")
    form = KindForm(tables)
    relations = tuple(parse_relation(path.name, r) for r in raw.get("关系") or ())
    for relation in relations:
        for term in (relation.left, *(t for _, t in relation.right)):
            if not term.table or form.table(term.table) is None:
                raise FormError(f"{path.name}：关系“{relation.text}”中的表“{term.table}”不在 {kind} 的表格中")
    return KindForm(tables, relations)


def _table(path: Path, raw: dict[str, Any]) -> TableSpec:
    where = f"{path.name}：表“{raw.get('名称')}”"
    if not raw.get("编号") or not raw.get("名称"):
        raise FormError(f"{where} 缺少编号或名称")
    scheme = str(raw.get("科目") or "")
    if scheme and scheme not in SCHEMES:
        raise FormError(f"{where} 的科目应为 {' 或 '.join(SCHEMES)}")
    if scheme or "项目" in raw:
        raw_parts = [{"名称": "", "栏目": raw.get("栏目"), "项目": raw.get("项目"), "关系": raw.get("关系")}]
    else:
        raw_parts = list(raw.get("分栏") or ())
    parts = tuple(_part(where, p) for p in raw_parts)
    if not parts or not all(p.columns for p in parts):
        raise FormError(f"{where} 没有栏目")
    columns = {c.name for p in parts for c in p.columns}
    default = tuple(map(str, raw.get("默认栏目") or ()))
    if any(c not in columns for c in default):
        raise FormError(f"{where} 的默认栏目不在栏目中")
    relations = () if scheme or "项目" in raw else tuple(parse_relation(path.name, r) for r in raw.get("关系") or ())
    return TableSpec(
        str(raw["编号"]), str(raw["名称"]), tuple(map(str, raw.get("别名") or ())), _yes(raw.get("必填")),
        parts, scheme, default, relations, str(raw.get("匹配") or ""),
    )


def _part(where: str, raw: dict[str, Any]) -> Part:
    columns = tuple(_column(c) for c in raw.get("栏目") or ())
    items = tuple(_item(i) for i in raw.get("项目") or ())
    part = Part(str(raw.get("名称") or ""), columns, items, str(raw.get("科目行") or ""))
    relations = tuple(parse_relation(where, r) for r in raw.get("关系") or ())
    for relation in relations:
        for term in (relation.left, *(t for _, t in relation.right)):
            if term.row and term.row != SUBJECT_ROWS and part.item(term.row) is None and part.column(term.row) is None:
                raise FormError(f"{where}：关系“{relation.text}”中的“{term.row}”既不是栏目也不是项目")
    return Part(part.name, columns, items, part.scheme, relations)


def _column(raw: Any) -> Column:
    if isinstance(raw, str):
        return Column(raw)
    return Column(
        str(raw["名称"]), tuple(map(str, raw.get("别名") or ())), tuple(map(str, raw.get("下级") or ())),
        str(raw.get("分组") or ""), str(raw.get("类型") or "") == "百分比",
    )


def _item(raw: Any) -> Item:
    if isinstance(raw, str):
        return Item(raw)
    return Item(str(raw["名称"]), tuple(map(str, raw.get("别名") or ())), _yes(raw.get("必填")))


def _yes(value: Any) -> bool:
    return str(value) in ("是", "true", "True", "yes")


_TERM = re.compile(r"^(?:《(?P<table>[^》]+)》)?(?:(?P<part>[^/.]+)/)?(?P<row>[^.]*)(?:\.(?P<column>.+))?$")


def parse_relation(where: str, raw: Any) -> Relation:
    """A relation as the form writes it; `where` names the file or table in a FormError."""
    per_class = isinstance(raw, dict) and "逐类" in raw
    text = str(raw["逐类"] if per_class else raw)
    if text.count("=") != 1:
        raise FormError(f"{where}：关系“{text}”应为“左边 = 右边”")
    left_text, right_text = (side.strip() for side in text.split("="))
    right: list[tuple[int, Term]] = []
    if "÷" in right_text:
        numerator, denominator = (part.strip() for part in right_text.split("÷", 1))
        terms = ((1, _term(where, text, numerator)), (1, _term(where, text, denominator)))
        return Relation(text, _term(where, text, left_text), terms, ratio=True)
    for sign, token in re.findall(r"([+\-−]?)\s*([^+\-−]+)", right_text):
        right.append((-1 if sign in ("-", "−") else 1, _term(where, text, token.strip())))
    return Relation(text, _term(where, text, left_text), tuple(right), per_class)


def _term(where: str, text: str, token: str) -> Term:
    found = _TERM.match(token)
    if not found or not token:
        raise FormError(f"{where}：关系“{text}”中的“{token}”看不懂")
    parts = {k: (v or "").strip() for k, v in found.groupdict().items()}
    return Term(parts["table"], parts["part"], parts["row"], parts["column"])
