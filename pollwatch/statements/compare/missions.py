"""Missions, heads of mission and other speakers in one text.

Missions come from a catalogue (``data/missions.toml``) read with the media monitor's matcher
(:class:`pollwatch.media.analysis.actors.Catalogue`: aliases, abbreviations, Russian endings, longest match).
Heads of mission and other members speaking for a mission are found in each text from their role, because no
catalogue knows the next mission's head: "Eoghan Murphy, head of the ODIHR mission", "Head of the CIS observer
mission Sergei Lebedev", "OSCE PA President Pia Kauma", "Frank Schwabe (PACE)", "руководитель миссии
наблюдателей СНГ Сергей Лебедев". Each is added to that text's catalogue with his surname, so "Murphy said"
later in the text speaks for ODIHR.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from pollwatch.media.analysis.actors import Actor, Catalogue, Mention

MISSION_KINDS = ("international_mission", "citizen_observers")

UPPER = "A-ZÀ-ÖØ-ÞŠŽČĆĐŁŚŹŻ"
WORD = rf"[{UPPER}][\w'’-]+"
PARTICLE = r"(?:de|van|von|der|den|da|di|del|la|le|du|dos|af|bin|ibn|al|el|ter)"
NAME_EN = rf"{WORD}(?:\s+(?:{PARTICLE}\s+)?{WORD}){{1,3}}"
NAME_RU = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?(?:\s+[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?){1,2}"
NAME = rf"(?:(?:Mr|Mrs|Ms|Dr|Sir|Lord|Lady|Baroness|Ambassador|Senator|Professor)\.?\s+)?(?P<name>{NAME_EN}|{NAME_RU})"
ROLE_EN = (r"(?:head|chief|leader|co-?ordinator|special co-?ordinator|chair(?:man|woman|person)?|president|"
           r"vice-president|(?:deputy |assistant )?secretary[- ]general|executive secretary|spokes(?:person|man|woman)|"
           r"director|deputy head|head of (?:the )?delegation|delegation head|rapporteur|member|representative|"
           r"observer|MEP|MP|deputy|parliamentarian|senator|ambassador|official)s?")
ROLE_RU = (r"(?:руководител|глав|председател|координатор|спецкоординатор|специальн\w+ координатор|"
           r"генеральн\w+ секретар|генсек|исполнительн\w+ секретар|член|представител|наблюдател|депутат)\w*")
LEAD_VERB = r"(?:led|leads|headed|heads|co-?ordinated|co-?ordinates|chaired|chairs|represented|represents|joined)"
M = r"⟦(?P<m>\d+)⟧"  # a mission mention in the masked text
GAP = r"[^,.;:⟦⟧\n]{0,60}?"

BINDINGS = [re.compile(p) for p in (
    rf"{NAME},\s+(?:who\s+(?:{LEAD_VERB}|is|was)\s+{GAP}|(?:the\s+|a\s+|an\s+)?{GAP}\b(?i:{ROLE_EN})\b{GAP}){M}",
    rf"\b(?i:{ROLE_EN})\s+(?:of|for|from|with|at)\s+(?:the\s+)?{GAP}{M}{GAP},?\s+{NAME}",
    rf"{M}(?:'s|’s)?\s+(?:[\w-]+\s+){{0,3}}?(?i:{ROLE_EN})\s+{NAME}",
    rf"{NAME}\s+(?:of|from)\s+(?:the\s+)?{M}",
    rf"{NAME}\s*\(\s*{M}\s*\)",
    rf"{NAME},\s+{GAP}{M}",
    rf"(?i:{ROLE_RU})\s+{GAP}{M}{GAP}\s+{NAME}",
    rf"{NAME},\s+{GAP}(?i:{ROLE_RU}){GAP}{M}",
)]
# "<Name>, <anything> <mission>" binds only with a role word or a leading verb in between
ROLE_OR_LEAD = re.compile(rf"(?i:\b{ROLE_EN}\b|{ROLE_RU}|\b{LEAD_VERB}\b)")
NOT_A_NAME = re.compile(
    r"^(?:The|This|That|These|In|On|At|For|According|Speaking|Earlier|Later|Meanwhile|However|But|And|Head|"
    r"Chief|Election|Elections|Polling|Voting|International|National|Central|Parliamentary|Presidential|"
    r"Secretary|Special|Deputy|Mission|Observers?|Observation|Preliminary|Statement|European|Commonwealth|"
    r"Office|Organi[sz]ation|Council|Union|Kremlin|State|Republic|President)\b")


@lru_cache(maxsize=1)
def mission_catalogue() -> Catalogue:
    """The bundled catalogue of missions and known heads of mission (data/missions.toml)."""
    import tomllib

    data = tomllib.loads(resources.files("pollwatch.statements").joinpath("data/missions.toml").read_text())
    actors = {}
    for entry in data["actor"]:
        actors[entry["id"]] = Actor(id=entry["id"], name=entry["name"], kind=entry["kind"],
                                    aliases=tuple(entry["aliases"]), speaks_for=entry.get("speaks_for", ""))
    return Catalogue(actors=actors, mission=data.get("mission", ""))


def mission_names() -> dict[str, str]:
    """Normalised mission name of every mission id in the catalogue."""
    return {a.id: a.name for a in mission_catalogue().actors.values() if a.kind in MISSION_KINDS}


@dataclass(frozen=True)
class Speaker:
    """A mention of someone who may speak: a mission, a person speaking for one, or neither (``mission`` = "")."""

    start: int
    end: int
    mission: str  # mission id, or "" for a person who speaks for no mission
    person: str  # full name for a person, "" for a mission itself


def _mask(text: str, mentions: list[Mention], catalogue: Catalogue) -> tuple[str, list[Mention]]:
    missions = [m for m in mentions if catalogue[m.actor].kind in MISSION_KINDS]
    out, pos = [], 0
    for n, m in enumerate(missions):
        out += [text[pos:m.start], f"⟦{n}⟧"]
        pos = m.end
    out.append(text[pos:])
    return "".join(out), missions


def _surname_aliases(name: str) -> tuple[str, ...]:
    words = name.split()
    surname = words[-1]
    return (name, surname) if len(surname) > 2 else (name,)


def document_catalogue(text: str) -> Catalogue:
    """The bundled catalogue plus the heads of mission and members this text introduces with their role."""
    base = mission_catalogue()
    masked, missions = _mask(text, base.find_mentions(text), base)
    known = {alias for actor in base.actors.values() for alias in actor.aliases}
    people: dict[str, Actor] = {}
    for pattern in BINDINGS:
        for match in pattern.finditer(masked):
            name = match.group("name").strip()
            if NOT_A_NAME.match(name) or name in known or "⟦" in name:
                continue
            if pattern is BINDINGS[5] and not ROLE_OR_LEAD.search(match.group(0)):
                continue
            mission = missions[int(match.group("m"))].actor
            if base[mission].kind == "person":
                mission = base[mission].speaks_for
            key = "person:" + name.lower()
            if key not in people:
                people[key] = Actor(id=key, name=name, kind="person", aliases=_surname_aliases(name),
                                    speaks_for=mission)
    if not people:
        return base
    return Catalogue(actors={**base.actors, **people}, mission=base.mission)


def speakers_in(text: str, catalogue: Catalogue) -> list[Speaker]:
    """Every mission or person speaking for a mission named in ``text``, in reading order."""
    out = []
    for m in catalogue.find_mentions(text):
        actor = catalogue[m.actor]
        if actor.kind == "person":
            out.append(Speaker(m.start, m.end, actor.speaks_for, actor.name))
        elif actor.kind in MISSION_KINDS:
            out.append(Speaker(m.start, m.end, actor.id, ""))
    return out
