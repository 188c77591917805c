"""Where placeholder numbers come from: a registry of sources, each resolving a dotted path to a value and its
evidence (the query in words, the denominator, an aggregate table).

Built-in sources (registered in :mod:`pollwatch.statements.builtin_sources`): ``checklist``, ``incidents``,
``pvt``, ``observers``, ``stations``, ``reports``, ``regions``. An app adds one with ``register_source(name, fn)``
from its ``AppConfig.ready()``. Evidence tables hold aggregates only (counts per region or category): they are
shown on public pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from pollwatch.statements.placeholders import PlaceholderError


@dataclass(frozen=True)
class Value:
    text: str  # as printed in the statement: "41 of 523", "7.8 %", "1,900"
    number: float | None
    label: str  # what it is: "counts where ballots were not counted in view"
    query: str  # the filters and the denominator in words
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)  # aggregates only: shown on public pages
    public: bool = True  # False: unpublished data (a quick count before publication)
    chart: str = ""  # the column the evidence page draws as bars (default: the last numeric column)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


Source = Callable[[Any, list[str]], Value]  # (mission, path after the source name) -> Value
_SOURCES: dict[str, Source] = {}


def register_source(name: str, source: Source) -> None:
    _SOURCES[name] = source


def source_names() -> list[str]:
    return sorted(_SOURCES)


def resolve(mission, path: str) -> Value:
    """The value of one placeholder path for ``mission``; PlaceholderError says what is wrong."""
    name, *rest = path.split(".")
    if name not in _SOURCES:
        raise PlaceholderError(f"{{{{ {path} }}}}: unknown source {name!r} (known: {', '.join(source_names())})")
    try:
        return _SOURCES[name](mission, rest)
    except PlaceholderError as exc:
        raise PlaceholderError(f"{{{{ {path} }}}}: {exc}") from None
