from django import template

from campaigns.dashboards import EVOLUTION_LABELS

register = template.Library()


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key) if hasattr(mapping, "get") else mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.filter
def times(value, factor):
    return (value or 0) * factor


@register.filter
def evolution_label(evolution):
    """« ↗ en progrès » / « ↘ en baisse » / « → stable » against the previous sending, « — » without one."""
    return EVOLUTION_LABELS.get(evolution, "—")
