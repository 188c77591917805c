"""Built-in tone tagger: VADER on the actor's sentences, plus a loaded-label rule.

Method (documented in docs/media.md): VADER's compound score is averaged over the sentences that
mention the actor; ≥ 0.05 is positive, ≤ -0.05 negative, else neutral (Hutto & Gilbert 2014
thresholds). Before that, a sentence in which a delegitimising label ("so-called", "self-styled")
directly precedes the actor's name, or a loaded term (see loaded.py) sits within 25 characters of the
name, counts as -0.5, because VADER does not know these labels.
VADER is English-only: for other languages the tagger answers neutral unless a label rule fires.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pollwatch.media.analysis.base import Tone, register_tagger

LABEL_BEFORE = re.compile(r"\b(?:so-called|self-styled|self-proclaimed|так называем\w*)\s+(?:\w+\s+){0,1}$",
                          re.IGNORECASE)


@register_tagger("vader")
class VaderTagger:
    name = "vader"

    def __init__(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._vader = SentimentIntensityAnalyzer()

    def score(self, sentence: str, surface: str = "") -> float:
        if surface:
            idx = sentence.find(surface)
            if idx > 0 and LABEL_BEFORE.search(sentence[:idx]):
                return -0.5
            # a label next to the actor ("Armenian separatists", "the so-called OSCE report")
            from pollwatch.media.analysis.loaded import find_loaded

            for term in find_loaded([sentence], "ru" if re.search(r"[А-Яа-яЁё]", sentence) else "en"):
                pos = sentence.find(term.term)
                if term.category != "glorifying label" and idx >= 0 and abs(pos - idx) <= len(surface) + 25:
                    return -0.5
        if re.search(r"[А-Яа-яЁё]", sentence):
            return 0.0
        return float(self._vader.polarity_scores(sentence)["compound"])

    def tone(self, sentences: Sequence[str], actor: str, surfaces: Sequence[str] = ()) -> Tone:
        if not sentences:
            return "neutral"
        scores = [self.score(s, surfaces[i] if i < len(surfaces) else "") for i, s in enumerate(sentences)]
        mean = sum(scores) / len(scores)
        if mean >= 0.05:
            return "positive"
        if mean <= -0.05:
            return "negative"
        return "neutral"
