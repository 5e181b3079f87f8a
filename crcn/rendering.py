"""Markdown of challenge instructions → safe HTML (tables, lists, code), sanitised even though we wrote it."""

from __future__ import annotations

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

_ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "h3",
    "h4",
    "hr",
    "span",
    "sup",
    "sub",
    "kbd",
}


def render_markdown(text: str) -> SafeString:
    html = markdown.markdown(text or "", extensions=["tables", "fenced_code", "sane_lists"], output_format="html")
    return mark_safe(nh3.clean(html, tags=_ALLOWED_TAGS, attributes={"th": {"align"}, "td": {"align"}}))  # noqa: S308
