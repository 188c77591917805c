"""Actor catalogue (TOML) and mention detection tolerant of case, inflection and abbreviations.

Matching rules:
- aliases match case-insensitively on word boundaries, except short all-capital abbreviations
  ("CIS", "EU", "CEC"), which match case-sensitively so that "eu" inside other words or lower-case
  words never count;
- Russian words of four letters or more match with any ending of up to three letters (Лебедев →
  Лебедева, Лебедевым; миссия → миссии), English aliases also match a possessive 's;
- overlapping matches keep the longest alias ("CIS Secretary General" is Lebedev, not the CIS);
- generic aliases ("the mission", "the spokesman") resolve to the most recently named actor that
  declares that generic alias; with no antecedent they are ignored.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

CYRILLIC = re.compile(r"[А-Яа-яЁё]")


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    kind: str
    aliases: tuple[str, ...]
    generic: tuple[str, ...] = ()
    speaks_for: str = ""
    role: str = ""

    @property
    def organisation(self) -> str:
        """The actor a claim by this actor is attributed to (a spokesman speaks for his ministry)."""
        return self.speaks_for or self.id


@dataclass(frozen=True)
class Mention:
    actor: str
    start: int
    end: int
    text: str
    generic: bool = False


def _alias_pattern(alias: str) -> str:
    words = []
    for word in alias.split():
        esc = re.escape(word)
        if CYRILLIC.search(word) and len(word) >= 4:
            stem = word[:-1] if word[-1].lower() in "аяоеиыйьу" else word
            esc = re.escape(stem) + r"\w{0,3}"
        words.append(esc)
    body = r"\s+".join(words)
    if not CYRILLIC.search(alias):
        body += r"(?:['’]s)?"
    return rf"(?<![\w-]){body}(?![\w])"


def _is_abbreviation(alias: str) -> bool:
    return alias.isupper() and len(alias) <= 5


@dataclass
class Catalogue:
    actors: dict[str, Actor]
    mission: str = ""
    _patterns: list[tuple[re.Pattern[str], str, bool, int]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        entries = []
        for actor in self.actors.values():
            for alias in actor.aliases:
                flags = 0 if _is_abbreviation(alias) else re.IGNORECASE
                entries.append((re.compile(_alias_pattern(alias), flags), actor.id, False, len(alias)))
            for alias in actor.generic:
                entries.append((re.compile(_alias_pattern(alias), re.IGNORECASE), actor.id, True, len(alias)))
        self._patterns = entries
        if self.actors:
            for actor in self.actors.values():
                if actor.speaks_for and actor.speaks_for not in self.actors:
                    raise ValueError(f"actor {actor.id!r}: speaks_for {actor.speaks_for!r} is not in the catalogue")

    def __getitem__(self, actor_id: str) -> Actor:
        return self.actors[actor_id]

    def find_mentions(self, text: str) -> list[Mention]:
        """All actor mentions in ``text`` in reading order (see the module docstring for the rules)."""
        candidates: list[tuple[int, int, str, bool, int]] = []
        for pattern, actor_id, generic, length in self._patterns:
            for m in pattern.finditer(text):
                candidates.append((m.start(), m.end(), actor_id, generic, length))
        # longest span first, named before generic; then keep non-overlapping
        candidates.sort(key=lambda c: (-(c[1] - c[0]), c[3], c[0]))
        taken: list[tuple[int, int]] = []
        chosen: list[tuple[int, int, str, bool]] = []
        generic_seen: set[tuple[int, int]] = set()
        for start, end, actor_id, generic, _ in candidates:
            if any(start < e and s < end for s, e in taken):
                continue
            if generic:
                if (start, end) in generic_seen:
                    continue
                generic_seen.add((start, end))
                chosen.append((start, end, "", True))
            else:
                chosen.append((start, end, actor_id, False))
            taken.append((start, end))
        chosen.sort()
        # resolve generics to the last named actor that declares this generic alias
        generic_owners: dict[str, set[str]] = {}
        for actor in self.actors.values():
            for alias in actor.generic:
                generic_owners.setdefault(alias.lower(), set()).add(actor.id)
        mentions: list[Mention] = []
        last_named: list[str] = []
        for start, end, actor_id, generic in chosen:
            surface = text[start:end]
            if not generic:
                mentions.append(Mention(actor_id, start, end, surface))
                last_named.append(actor_id)
                continue
            owners = next((ids for alias, ids in generic_owners.items()
                           if re.fullmatch(_alias_pattern(alias), surface, re.IGNORECASE)), set())
            antecedent = next((a for a in reversed(last_named) if a in owners), None)
            if antecedent:
                mentions.append(Mention(antecedent, start, end, surface, generic=True))
        return mentions


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Load an actor catalogue from TOML; ``None`` loads the bundled Azerbaijan 2024 catalogue."""
    if path is None:
        data = tomllib.loads(resources.files("pollwatch.media").joinpath("data/az2024_actors.toml").read_text())
    else:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"actor catalogue {path}: {exc}") from exc
    actors = {}
    for n, entry in enumerate(data.get("actor", []), 1):
        try:
            actor = Actor(id=entry["id"], name=entry.get("name", entry["id"]), kind=entry.get("kind", "other"),
                          aliases=tuple(entry["aliases"]), generic=tuple(entry.get("generic", ())),
                          speaks_for=entry.get("speaks_for", ""), role=entry.get("role", ""))
        except KeyError as exc:
            raise ValueError(f"actor catalogue: actor #{n} has no {exc.args[0]!r}") from exc
        actors[actor.id] = actor
    if not actors:
        raise ValueError("actor catalogue has no [[actor]] entries")
    return Catalogue(actors=actors, mission=data.get("mission", ""))
