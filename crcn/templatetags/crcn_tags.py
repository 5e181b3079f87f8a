from django import template

from crcn.rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    return render_markdown(text)


@register.filter
def selected_numbers(submitted, name: str = "answer") -> list[str]:
    return submitted.getlist(name) if hasattr(submitted, "getlist") else []


@register.simple_tag
def field_value(submitted, key: str) -> str:
    return submitted.get(f"field-{key}", "") if hasattr(submitted, "get") else ""
