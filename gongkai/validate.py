"""Validate a document's data against its model; reword pydantic's errors for a finance officer."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, Iterator, Optional, TypeVar

from pydantic import BaseModel, ValidationError

from gongkai.models.base import Strict, walk
from gongkai.problems import FieldPath, Finding
from gongkai.reader import Document

M = TypeVar("M", bound=Strict)

_GENERIC = {
    "dict_type": "这里应为一组“键: 值”（下一行缩进书写），而不是一段文字",
    "model_type": "这里应为一组“键: 值”（下一行缩进书写），而不是一段文字",
    "model_attributes_type": "这里应为一组“键: 值”（下一行缩进书写），而不是一段文字",
    "list_type": "这里应为列表（每一项以“- ”开头）",
    "string_type": "这里应为一段文字",
}


def validate(doc: Document, model: type[M]) -> tuple[Optional[M], list[Finding]]:
    """The validated model (each part knowing its place in the file), or the findings why not."""
    if doc.data is None and not doc.findings:
        return None, [Finding("empty-file", (), "文件是空的")]
    try:
        result = model.model_validate(doc.data)
    except ValidationError as error:
        return None, list(_findings(error, model, doc))
    for _ in walk(result):
        pass
    return result, []


def _findings(error: ValidationError, model: type[BaseModel], doc: Document) -> Iterator[Finding]:
    for item in error.errors(include_url=False):
        loc: FieldPath = tuple(item["loc"])
        kind = item["type"]
        if kind == "extra_forbidden":
            yield _unknown_key(loc, model)
        elif kind == "missing":
            yield _missing(loc, model)
        elif kind in _GENERIC:
            if item["input"] is None:
                yield Finding("missing-value", doc.existing_prefix(loc), "此项不能为空")
            else:
                yield Finding("wrong-type", doc.existing_prefix(loc), _GENERIC[kind])
        elif "-" in kind:  # our own codes, raised by the parsers in models.base
            yield Finding(kind, doc.existing_prefix(loc), item["msg"])
        else:
            yield Finding("wrong-type", doc.existing_prefix(loc), f"格式不对（{item['msg']}）")


def _unknown_key(loc: FieldPath, model: type[BaseModel]) -> Finding:
    key = str(loc[-1])
    known = _aliases(_model_at(model, loc[:-1]))
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.4)
    hint = f"你是不是想写“{close[0]}”？" if close else f"这里可以写的键有：{'、'.join(known)}"
    return Finding("unknown-key", loc, f"不认识的键“{key}”。{hint}")


def _missing(loc: FieldPath, model: type[BaseModel]) -> Finding:
    owner = _model_at(model, loc[:-1])
    info = owner.model_fields.get(_field_name(owner, str(loc[-1])) or "") if owner else None
    about = f"（{info.description}）" if info and info.description else ""
    return Finding("missing-field", loc[:-1], f"缺少必填项“{loc[-1]}”{about}")


def _aliases(model: Optional[type[BaseModel]]) -> list[str]:
    if model is None:
        return []
    return [info.alias or name for name, info in model.model_fields.items()]


def _field_name(model: Optional[type[BaseModel]], alias: str) -> Optional[str]:
    for name, info in (model.model_fields.items() if model else ()):
        if (info.alias or name) == alias:
            return name
    return None


def _model_at(model: type[BaseModel], loc: FieldPath) -> Optional[type[BaseModel]]:
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
