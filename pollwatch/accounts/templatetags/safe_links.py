"""``{% load safe_links %}`` … ``<a href="{{ item.url|http_url }}">``: a user-supplied URL as a link, http(s) only."""

from django import template

from pollwatch.accounts.links import http_url as _http_url

register = template.Library()


@register.filter
def http_url(value: object) -> str:
    return _http_url(value)
