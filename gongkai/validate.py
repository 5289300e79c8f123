"""Validate a document's data against its model; reword pydantic's errors for a finance officer."""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterator
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from gongkai.characters import bad_characters
from gongkai.messages import pydantic_message
from gongkai.models.base import Figure, Strict, walk
from gongkai.problems import FieldPath, Finding, Severity
from gongkai.reader import Document

M = TypeVar("M", bound=Strict)

_MAPPING = "一组“键: 值”（下一行缩进书写）"
_EXPECTED = {
    "dict_type": _MAPPING,
    "model_type": _MAPPING,
    "model_attributes_type": _MAPPING,
    "list_type": "列表（每一项以“- ”开头）",
    "string_type": "一段文字",
}


def validate(doc: Document, model: type[M]) -> tuple[M | None, list[Finding]]:
    """The validated model (each part knowing its place in the file), or the findings why not."""
    if doc.data is None and not doc.findings:
        return None, [Finding("empty-file", (), "文件是空的")]
    refused = bad_characters(doc)
    if refused:  # a lone surrogate or a NUL would only break later, in a parser or on a page
        return None, refused
    try:
        result = model.model_validate(doc.data, context={"places": model.PLACES})
    except ValidationError as error:
        return None, list(_findings(error, model, doc))
    for _ in walk(result):
        pass
    bound = result.bind()
    if any(f.severity is Severity.ERROR for f in bound):
        return None, bound
    return result, bound


def _findings(error: ValidationError, model: type[BaseModel], doc: Document) -> Iterator[Finding]:
    for item in error.errors(include_url=False):
        loc: FieldPath = tuple(item["loc"])
        kind = item["type"]
        if kind == "extra_forbidden":
            yield _unknown_key(loc, model, doc)
        elif kind == "missing":
            yield _missing(loc, model)
        elif kind in _EXPECTED:
            if item["input"] is None:
                yield Finding("missing-value", doc.existing_prefix(loc), "此项不能为空")
            else:
                expected = "一个数字" if _is_figure(_model_at(model, loc)) else _EXPECTED[kind]
                yield Finding("wrong-type", doc.existing_prefix(loc), _wrong_type(expected, item["input"]))
        elif "-" in kind:  # our own codes, raised by the parsers in models.base
            yield Finding(kind, doc.existing_prefix(loc), item["msg"])
        else:  # pydantic's own words are English: say it in Chinese
            yield Finding("wrong-type", doc.existing_prefix(loc), f"格式不对：{pydantic_message(item)}")


def _wrong_type(expected: str, given: Any) -> str:
    what = "列表" if isinstance(given, list) else _MAPPING if isinstance(given, dict) else "一段文字"
    return f"这里应为{expected}，而不是{what}"


def _unknown_key(loc: FieldPath, model: type[BaseModel], doc: Document) -> Finding:
    key = str(loc[-1])
    known = _aliases(_model_at(model, loc[:-1]))
    written = doc.get(loc[:-1])
    unused = [k for k in known if not (isinstance(written, dict) and k in written)]  # suggest only what is missing
    close = difflib.get_close_matches(key, unused, n=1, cutoff=0.4)
    if re.fullmatch(r"\d{3}(,\d{3})*(\.\d+)?", key):  # {金额: 1,055.20} splits at the comma
        hint = "这像是被逗号拆开的数字：数字不要使用千位分隔符，请去掉逗号"
    elif close:
        hint = f"你是不是想写“{close[0]}”？"
    else:
        hint = f"这里可以写的键有：{'、'.join(known)}" if known else "请检查拼写，或删除这一项"
    return Finding("unknown-key", loc, f"不认识的键“{key}”。{hint}")


def _missing(loc: FieldPath, model: type[BaseModel]) -> Finding:
    owner = _model_at(model, loc[:-1])
    info = owner.model_fields.get(_field_name(owner, str(loc[-1])) or "") if owner else None
    about = f"（{info.description}）" if info and info.description else ""
    return Finding("missing-field", loc[:-1], f"缺少必填项“{loc[-1]}”{about}")


def _aliases(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [info.alias or name for name, info in model.model_fields.items()]


def _field_name(model: type[BaseModel] | None, alias: str) -> str | None:
    for name, info in (model.model_fields.items() if model else ()):
        if (info.alias or name) == alias:
            return name
    return None


def _model_at(model: type[BaseModel], loc: FieldPath) -> type[BaseModel] | None:
    """The model class that validates the mapping at `loc` (following lists and Optionals)."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            args = typing.get_args(current)
            current = args[0] if args else None
            continue
        name = _field_name(current if _is_model(current) else None, part)
        if name is None:
            return None
        current = current.model_fields[name].annotation
    current = _unwrap(current)
    return current if _is_model(current) else None


def _unwrap(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(options[0]) if options else annotation
    return annotation


def _is_model(candidate: Any) -> bool:
    return isinstance(candidate, type) and issubclass(candidate, BaseModel)


def _is_figure(candidate: Any) -> bool:
    """A figure may be written as a mapping (值 and 更正), but is first of all a number."""
    return isinstance(candidate, type) and issubclass(candidate, Figure)
