"""Chinese words for pydantic's own errors: its English never reaches a finance officer.

Our parsers raise errors whose type holds a hyphen ("bad-amount") and whose message is already Chinese; the
types below are pydantic's, for the few constraints the models state declaratively (正文 needs one part).
"""

from __future__ import annotations

from typing import Any

_BY_TYPE = {
    "too_short": "至少要写一项",
    "too_long": "项数过多",
    "string_too_short": "文字过短",
    "string_too_long": "文字过长",
    "greater_than": "数值超出允许范围",
    "greater_than_equal": "数值超出允许范围",
    "less_than": "数值超出允许范围",
    "less_than_equal": "数值超出允许范围",
    "int_parsing": "应为一个整数",
    "int_type": "应为一个整数",
    "decimal_parsing": "应为一个数字",
    "decimal_type": "应为一个数字",
    "float_parsing": "应为一个数字",
    "bool_parsing": "应填写“是”或“否”",
    "date_parsing": "应为日期，如 2024-06-06",
    "date_type": "应为日期，如 2024-06-06",
    "literal_error": "填写的值不在可选范围内",
    "enum": "填写的值不在可选范围内",
    "string_type": "应为一段文字",
    "list_type": "应为列表（每一项以“- ”开头）",
    "dict_type": "应为一组“键: 值”（下一行缩进书写）",
    "model_type": "应为一组“键: 值”（下一行缩进书写）",
}
FALLBACK = "这一项的写法不对：请对照填写说明或示例检查"


def pydantic_message(item: Any) -> str:
    """The message for one of ValidationError.errors(): our own when we raised it, else Chinese for pydantic's type."""
    kind = str(item.get("type", ""))
    if "-" in kind:  # raised by a parser in models.base with a Chinese message
        return str(item.get("msg", FALLBACK))
    key = item.get("loc", ())[-1:] or ("",)
    if kind == "missing":
        return f"缺少必填项“{key[0]}”"
    if kind == "extra_forbidden":
        return f"不认识的键“{key[0]}”，请检查拼写，或删除这一项"
    return _BY_TYPE.get(kind, FALLBACK)
