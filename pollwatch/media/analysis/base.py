"""Extension point for tone taggers: a Protocol and a registry.

A tagger proposes the tone of an item towards one actor from the sentences about that actor; a
monitor confirms or overrides it. Built-in taggers register exactly as a third-party one would::

    from pollwatch.media.analysis.base import register_tagger

    @register_tagger("my-model")
    class MyTagger:
        name = "my-model"
        def tone(self, sentences, actor): ...
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, Protocol

Tone = Literal["positive", "neutral", "negative"]


class ToneTagger(Protocol):
    name: str

    def tone(self, sentences: Sequence[str], actor: str) -> Tone:
        """The proposed tone towards ``actor`` given the sentences of one item that mention it."""
        ...


_TAGGERS: dict[str, Callable[[], ToneTagger]] = {}


def register_tagger(name: str) -> Callable[[Callable[[], ToneTagger]], Callable[[], ToneTagger]]:
    """Class decorator: make a tagger available as ``get_tagger(name)`` and ``--tagger name``."""

    def decorate(factory: Callable[[], ToneTagger]) -> Callable[[], ToneTagger]:
        _TAGGERS[name] = factory
        return factory

    return decorate


def get_tagger(name: str = "vader") -> ToneTagger:
    """An instance of the registered tagger ``name``; ValueError names the known ones."""
    from pollwatch.media.analysis import tone  # noqa: F401  (registers the built-in taggers)

    if name not in _TAGGERS:
        raise ValueError(f"unknown tone tagger {name!r}; known: {', '.join(sorted(_TAGGERS))}")
    return _TAGGERS[name]()


def tagger_names() -> list[str]:
    from pollwatch.media.analysis import tone  # noqa: F401

    return sorted(_TAGGERS)
