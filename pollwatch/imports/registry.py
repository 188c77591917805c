"""The importers pollwatch knows, by the name used on the command line (``pollwatch import <kind>``).

Built-in importers register exactly as a third-party one would: the app that owns the importer calls
:func:`register` from its ``AppConfig.ready()`` (geography: geography and stations; missions: observers), so this
framework imports none of the apps it serves.
"""

from __future__ import annotations

from pollwatch.imports.base import Importer

_IMPORTERS: dict[str, tuple[type, str]] = {}


def register(kind: str, importer: type, target: str) -> None:
    """``target`` is what the importer writes into: ``"election"`` or ``"mission"``."""
    _IMPORTERS[kind] = (importer, target)


def get_importer(kind: str) -> tuple[Importer, str]:
    try:
        cls, target = _IMPORTERS[kind]
    except KeyError:
        raise KeyError(f"no importer {kind!r}; known: {', '.join(sorted(_IMPORTERS))}") from None
    return cls(), target

