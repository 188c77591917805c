"""Flag loaded or propagandistic wording with a per-language lexicon plus patterns (scare quotes)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources

# A short phrase in quotes that is not speech: 1–3 words, lower-case start, inside a sentence.
SCARE_QUOTES = re.compile(r"(?<=\s)[\"“«']([a-zа-яё][\w-]*(?:\s[\w-]+){0,2})[\"”»'](?=[\s,.;:])")


@dataclass(frozen=True)
class LoadedTerm:
    term: str
    category: str
    sentence: str


def load_lexicon(language: str) -> list[tuple[re.Pattern[str], str]]:
    try:
        text = resources.files("pollwatch.media").joinpath(f"data/loaded_{language}.toml").read_text()
    except FileNotFoundError:
        return []
    data = tomllib.loads(text)
    return [(re.compile(rf"(?<![\w-])(?:{t['pattern']})(?![\w])", re.IGNORECASE), t["category"])
            for t in data.get("term", [])]


_CACHE: dict[str, list[tuple[re.Pattern[str], str]]] = {}


def find_loaded(sentences: list[str], language: str = "en") -> list[LoadedTerm]:
    """Every loaded term in ``sentences``, in order, with the sentence as context."""
    if language not in _CACHE:
        _CACHE[language] = load_lexicon(language)
    flags: list[LoadedTerm] = []
    for sentence in sentences:
        found: list[tuple[int, LoadedTerm]] = []
        for pattern, category in _CACHE[language]:
            for m in pattern.finditer(sentence):
                found.append((m.start(), LoadedTerm(m.group(0), category, sentence)))
        for m in SCARE_QUOTES.finditer(sentence):
            found.append((m.start(), LoadedTerm(m.group(0), "scare quotes", sentence)))
        flags.extend(term for _, term in sorted(found, key=lambda f: f[0]))
    return flags
