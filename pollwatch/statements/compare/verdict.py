"""Is a clause a verdict, and which: stance and topics from the cues of :mod:`lexicon`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pollwatch.statements.compare import lexicon as lx

Stance = Literal["positive", "negative", "mixed", "no_comment"]

EVALUATIVE_VERB = re.compile(
    r"^(?:praised|praises|praise|commended|commends|hailed|hails|welcomed|welcomes|lauded|applauded|criticised|"
    r"criticized|criticises|criticizes|criticise|criticize|slammed|slams|deplored|deplores|condemned|condemns|"
    r"regretted|regrets|lamented|laments|expressed|voiced|raised)\b", re.I)
CONCESSIVE = re.compile(r"\b(?:despite|notwithstanding|in spite of|несмотря на)\b[^,;]*$", re.I)


@dataclass(frozen=True)
class Verdict:
    stance: Stance
    topics: tuple[str, ...]
    cues: tuple[str, ...]


def _matches(text: str) -> list[tuple[int, int, lx.Cue]]:
    found = [(m.start(), m.end(), cue) for cue in lx.CUES for m in cue.pattern.finditer(text)]
    found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
    kept: list[tuple[int, int, lx.Cue]] = []
    for start, end, cue in found:
        if not any(start < e and s < end for s, e, _ in kept):
            kept.append((start, end, cue))
    return sorted(kept, key=lambda f: f[0])


def evaluate(content: str, *, context: str = "") -> Verdict | None:
    """The verdict a clause attributed to a mission states, or None when it states none.

    ``context`` is the rest of the speaker's words (a quotation's paragraph): a clause like "I think this was a
    success" is about the election when its context is.
    """
    text = content.replace('"', "")
    polar: list[tuple[int, lx.Cue, int]] = []  # (position, cue, polarity after negation)
    for start, end, cue in _matches(text):
        before = text[max(0, start - 70):start]
        if lx.FRAME.search(before) or lx.FRAME_LONG.search(text[:start]):
            continue
        if EVALUATIVE_VERB.match(text[start:end]):
            obj = re.split(r"[,;:]", text[end:end + 120])[0]
            if lx.NOT_ELECTION_OBJECT.match(obj) or not lx.VERB_OBJECT.search(obj):
                continue
        polarity = cue.polarity
        if cue.negatable and lx.NEGATION.search(before[-40:]):
            polarity = -polarity
        if CONCESSIVE.search(text[max(0, start - 80):start]):
            polar.append((start, lx.Cue(cue.pattern, polarity, cue.topics, cue.general, True, cue.negatable), polarity))
            continue
        polar.append((start, cue, polarity))
    if not polar:
        return None
    if not (lx.ELECTION_TARGET.search(text) or lx.INHERENT.search(text) or lx.ELECTION_TARGET.search(context)):
        return None
    strong = [(p, c, s) for p, c, s in polar if not c.weak]
    # weak concessions ("minor violations", "despite isolated irregularities") give way to any firm cue
    chosen = strong or polar
    signs = {s for _, _, s in chosen}
    stance: Stance = "mixed" if signs == {1, -1} else ("positive" if 1 in signs else "negative")
    topics: list[str] = []
    for _, cue, _ in chosen:
        topics += cue.topics
    rest = text
    for topic, pattern in lx.TOPIC_WORDS:
        if pattern.search(rest):
            topics.append(topic)
            if topic == lx.NATIONAL_LAW:  # "in compliance with the legislation" is not about the legal framework
                rest = pattern.sub(" ", rest)
    if any(c.general for _, c, _ in chosen) and lx.ELECTION_AS_WHOLE.search(text):
        topics.append(lx.OVERALL)
    if not topics:
        topics.append(lx.OVERALL)
    ordered = tuple(t for t in lx.TOPICS if t in topics)
    return Verdict(stance, ordered, tuple(text[p:p + 40].split(",")[0] for p, _, _ in chosen))


NO_VERDICT = re.compile(
    r"\b(?:declined|refused|would not|did not want|was not prepared|was unwilling) to (?:assess|evaluate|judge|"
    r"give (?:an? )?(?:overall )?assessment|characteri[sz]e|pass judgement|comment on (?:the )?(?:conduct|fairness|"
    r"legitimacy|results?|outcome|vote|elections?))|too early to (?:assess|draw conclusions|judge|say)|"
    r"refrained from (?:assessing|an? (?:overall )?assessment|giving an? assessment)|"
    r"(?:will|would) not (?:issue|give|offer) an? (?:overall )?assessment|"
    r"воздерж\w+ от оцен\w*|отказал\w* (?:дать )?оцен\w*|рано (?:давать )?оцен\w*", re.I)


def refusal(content: str) -> bool:
    """The mission explicitly declines to assess the election (a no_comment verdict, not a briefing's refusal)."""
    return bool(NO_VERDICT.search(content))
