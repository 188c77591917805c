"""``{% load privacy %}`` … ``{{ observer.name|person:show_pii }}``: the name, or its initials without PII."""

from django import template

from pollwatch.accounts.privacy import shown_name

register = template.Library()


@register.filter
def person(value: object, show_pii: bool) -> str:
    return shown_name(value, bool(show_pii))
