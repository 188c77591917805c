"""``<id:pk>`` in URL patterns: a row id that the database can hold, else the URL does not match (404).

Django's ``<int:…>`` accepts any number of digits, and a lookup by an id past 64 bits overflows the backend (a
500); this converter refuses it before the view runs.
"""

from __future__ import annotations

from django.urls import register_converter

from pollwatch.web.params import MAX_ID


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(f"{value} is not a row id")
        return number

    def to_url(self, value: int) -> str:
        return str(value)


# Registered when this module is first imported; every URLconf using <id:…> imports it, in whatever order the
# URLconfs load.
register_converter(IdConverter, "id")
