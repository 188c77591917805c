"""Verdict claims of observer missions in one text: who says what about which part of the election.

A claim needs two things, each explicit: words **attributed to a mission** and an **evaluative statement**
about the election in them (:func:`pollwatch.statements.compare.verdict.evaluate`). Attribution is:

- direct speech: a quotation whose speaker, named outside the quotes in its paragraph ("…," he said; X said:
  "…"; «…», — заявил X), is a mission or speaks for one; "he"/"she" is the last person named;
- reported speech: a mission (or its head, or "the mission", "it" for the mission just named) as the first
  agent before a reporting verb (said, noted, found, concluded, praised, заявил, отметили, признали …), the
  verdict being the words after the verb; post-posed and inverted forms ("…, the OSCE said";
  "…, — заявил Лебедев"; "Как отметил X, …"); "according to X" / "по словам X"; a headline "X: …"; the
  passive "… was described as free by CIS observers".

Not attributed, hence no claim: a mission as an object ("rejected the OSCE's criticism", "responding to the
ODIHR"), a mission merely opening, deploying or being invited, evaluative words in a purpose, a call or a
future ("to assess whether the vote is free", "urged the authorities to …"), someone else's words about a
mission. Consecutive claims of one speaker with one stance in a paragraph are one claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pollwatch.media.analysis import cues
from pollwatch.media.analysis.actors import Catalogue
from pollwatch.media.analysis.text import Paragraph, Sentence, inside, normalise, paragraphs, sentences
from pollwatch.statements.compare import lexicon as lx
from pollwatch.statements.compare.missions import (
    NAME_EN,
    NAME_RU,
    NOT_A_NAME,
    ROLE_EN,
    document_catalogue,
    mission_names,
    speakers_in,
)
from pollwatch.statements.compare.verdict import Stance, evaluate, refusal

REPORT_VERB = cues.REPORTING  # shared with the media monitor's attribution (pollwatch.media.analysis.cues)
ACCORDING = re.compile(r"\b(?:according to|in the (?:view|opinion|words) of|по словам|по мнению|по оценк\w+|"
                       r"по данным|согласно (?:заявлению|оценке|выводам)|как следует из (?:заявления|доклада|отчета))\s+",
                       re.I)
PASSIVE_BY = re.compile(r"\b(?:was|were|has been|have been|had been)\s+(?:\w+\s+){0,2}?(?:described|assessed|judged|"
                        r"characteri[sz]ed|recogni[sz]ed|deemed|declared|called|hailed|praised|criticised|"
                        r"criticized|considered|found|labelled|rated|evaluated)\b[^.]*?\bby\s+(?:the\s+)?$", re.I)
SPEECH_VERB = re.compile(
    r"\b(?:said|says|added|adds|stated|told|noted|stressed|concluded|declared|explained|continued|remarked|"
    r"emphasi[sz]ed|underlined|insisted|wrote|commented|replied|conveyed|summed up|asserted|went on|"
    r"заявил\w*|сказал\w*|отметил\w*|подчеркнул\w*|добавил\w*|сообщил\w*|пояснил\w*|резюмировал\w*|"
    r"констатировал\w*|говорится|рассказал\w*)\b", re.I)
GENERIC = re.compile(
    r"\b(?:the|this|our|its|their)\s+(?:(?:international|election|electoral|observation|observer|monitoring|joint|"
    r"limited|needs assessment|short-term|long-term|parliamentary|preliminary|interim|final)\s+)*"
    r"(?:mission|observers|monitors|delegation|team|statement|report|conclusions|findings|assessment|movement|"
    r"coalition|association|network|centre|center)\b|"
    r"\b(?:international observers|observers|monitors|the delegates)\b|"
    r"\bмисси[яиейю]\w*|\bделегаци\w+|\bнаблюдател(?:и|ей|ям|ями)\b", re.I)
PRONOUN_IT = re.compile(r"\b(?:it|they|она|они)\s*$", re.I)
PRONOUN_PERSON = re.compile(r"\b(?:he|she|он|она)\b", re.I)
OTHER_AGENT = re.compile(
    r"\b(?:(?:Central )?Election Commission|CEC|government|ministry|minister|president|Kremlin|party|parties|"
    r"opposition|candidates?|officials?|authorities|parliament|court|embassy|department|prime minister|speaker|"
    r"analysts?|experts?|critics?|lawmakers?|activists?|journalists?|voters|residents|police|leader|chairman|"
    r"spokes(?:man|woman|person)|State Department|Foreign Ministry|White House|Washington|Moscow|Brussels|Baku|"
    r"ЦИК|МИД|правительств\w*|министр\w*|президент\w*|Кремл\w*|парти\w+|оппозици\w+|власт\w+|чиновник\w*|суд\w*|"
    r"посольств\w*|эксперт\w*|политолог\w*|кандидат\w*|избиратели|Песков\w*|Захаров\w*)\b")
OBJECT_CONTEXT = re.compile(
    r"\b(?:responding to|in response to|reacting to|in reaction to|rejecting|rejected|dismissing|dismissed|"
    r"contrary to|unlike|despite|citing|cited|referring to|commenting on|criticising|criticizing|slamming|accusing|"
    r"accused|disputing|disagreeing with|challenging|contradicting|echoing|about|regarding|concerning|invited|"
    r"inviting|thanked|thanking|met|meeting with|with|against|than|to|"
    r"в ответ на|вопреки|в отличие от|о|об|с|для|по поводу)\s+(?:(?:the|a|an|its|their)\s+)?(?:[\w'-]+\s+){0,3}$", re.I)
ROLE_BEFORE_OF = re.compile(rf"(?i:{ROLE_EN})\s+(?:of|for)\s+(?:the\s+)?$")
COORDINATION = re.compile(
    r"^(?:'s)?\s*(?:(?:observer|observation|election|monitoring)\s+)?(?:observers|mission|missions|delegation|"
    r"delegations|monitors)?\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s*&\s*|\s+as well as\s+|\s+together with\s+|"
    r"\s+и\s+)(?:the\s+|of\s+the\s+|from\s+the\s+)?$", re.I)
HEADLINE = re.compile(r"^[^:]{2,80}:\s+\S")
TAIL = re.compile(r"^\s*(?:(?:on|in|at|during|after|before|late|earlier|this|last|today|yesterday|on\s+\w+day)\b[^,]*|"
                  r"(?:in\s+)?(?:a|its|their)\s+(?:\w+\s+)?statement[^,]*|(?:told\s+)?(?:reporters|journalists|a\s+press\s+"
                  r"conference|a\s+news\s+conference)[^,]*)?[.!]?\s*$", re.I)
SEPARATOR = re.compile(r"[,;:(]|\s[—–-]\s|\s[—–]")
CLEAN = re.compile(r"^[\s,;:—–-]*(?:that\s+|что\s+)?|[\s,;:—–-]+$", re.I)


@dataclass
class Claim:
    mission: str  # normalised mission name
    speaker: str  # the head of mission or member who spoke, else the mission itself
    stance: Stance
    topics: list[str]
    quote: str
    paragraph: int = 0
    direct: bool = False
    figures: list[str] = field(default_factory=list)  # the numbers it cites ("41 of 523", "7.8 %")

    def as_json(self) -> dict[str, object]:
        return {"mission": self.mission, "speaker": self.speaker, "stance": self.stance, "topics": list(self.topics),
                "quote": self.quote}


@dataclass(frozen=True)
class Agent:
    start: int
    end: int
    mission: str  # "" for someone who speaks for no mission
    person: str = ""
    generic: bool = False


@dataclass
class _State:
    """What the reader remembers across sentences: the last mission, person and claimant named."""

    last_mission: tuple[str, int] = ("", -1)  # (mission id, paragraph)
    last_person: tuple[str, str, int] = ("", "", -1)  # (mission id or "", name, paragraph)
    last_claimant: tuple[str, str, int] = ("", "", -1)  # (mission id, person, paragraph)


def _names(text: str, taken: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    out = []
    for m in re.finditer(rf"(?<![\w'])(?:{NAME_EN}|{NAME_RU})", text):
        if NOT_A_NAME.match(m.group(0)) or any(m.start() < e and s < m.end() for s, e in taken):
            continue
        out.append((m.start(), m.end(), m.group(0)))
    return out


class _Reader:
    def __init__(self, text: str, catalogue: Catalogue) -> None:
        self.text = text
        self.catalogue = catalogue
        self.names = mission_names()
        self.speakers = speakers_in(text, catalogue)
        taken = [(s.start, s.end) for s in self.speakers]
        self.other_names = _names(text, taken)
        self.state = _State()

    # --- agents -------------------------------------------------------------------------------------
    def agents(self, start: int, end: int, para: int) -> list[Agent]:
        """Who could be speaking in text[start:end], in reading order (missions, persons, generics, others)."""
        out: list[Agent] = []
        taken: list[tuple[int, int]] = []
        for s in self.speakers:
            if start <= s.start < end:
                out.append(Agent(s.start, s.end, s.mission, s.person))
                taken.append((s.start, s.end))
        for s, e, name in self.other_names:
            if start <= s < end:
                out.append(Agent(s, e, "", name))
                taken.append((s, e))
        chunk = self.text[start:end]
        for m in GENERIC.finditer(chunk):
            s, e = start + m.start(), start + m.end()
            if any(s < b and a < e for a, b in taken):
                continue
            if re.match(r"\s+(?:from|of)\s+(?:the\s+)?", self.text[e:e + 12]) and any(
                    e < sp.start <= e + 12 for sp in self.speakers):
                continue  # "observers from the CIS": the CIS speaks, not the mission named before
            mission, seen_in = self._mission_before(s)
            if mission and para - seen_in <= 3:
                out.append(Agent(s, e, mission, "", generic=True))
                taken.append((s, e))
        for m in OTHER_AGENT.finditer(chunk):
            s, e = start + m.start(), start + m.end()
            if any(s < b and a < e for a, b in taken):
                continue
            after = self.text[e:e + 80]
            role_of = re.match(r"\s+(?:of|for)\s+(?:the\s+)?", after)
            if role_of and any(sp.start == e + role_of.end() for sp in self.speakers):
                continue  # "the President of the OSCE PA": the mission right after speaks
            out.append(Agent(s, e, ""))
            taken.append((s, e))
        return sorted(out, key=lambda a: a.start)

    def _mission_before(self, pos: int) -> tuple[str, int]:
        before = [s for s in self.speakers if s.end <= pos and s.mission]
        if not before:
            return "", -1
        return before[-1].mission, self._para_of(before[-1].start)

    def _para_of(self, pos: int) -> int:
        for p in self.paras:
            if p.start <= pos < p.end:
                return p.index
        return -1

    def subject(self, start: int, end: int, para: int) -> Agent | None:
        """The first agent of text[start:end] that is not an object ("responding to the OSCE")."""
        for agent in self.agents(start, end, para):
            lead = self.text[start:agent.start]
            if OBJECT_CONTEXT.search(lead) and not ROLE_BEFORE_OF.search(lead):
                continue
            return agent
        pronoun = PRONOUN_IT.search(self.text[start:end])
        if pronoun and not self.text[start:start + pronoun.start()].strip(" ,"):
            mission, seen = self.state.last_mission
            if mission and para - seen <= 1:
                return Agent(start + pronoun.start(), end, mission, "", generic=True)
        person = PRONOUN_PERSON.search(self.text[start:end])
        if person and not self.text[start:start + person.start()].strip(" ,"):
            return self.person_pronoun(start + person.start(), para)
        return None

    def coordinated(self, agent: Agent, end: int, para: int) -> list[Agent]:
        """The agent and the missions joined to it in one subject ("ODIHR, the OSCE PA and PACE said")."""
        group = [agent]
        if agent.person or not agent.mission:
            return group
        for other in self.agents(agent.end, end, para):
            if other.generic or not other.mission or other.person:
                break
            if not COORDINATION.match(self.text[group[-1].end:other.start]):
                break
            if other.mission not in {a.mission for a in group}:
                group.append(other)
        return group

    def person_pronoun(self, pos: int, para: int) -> Agent | None:
        mission, name, seen = self.state.last_person
        if name and para - seen <= 3:
            return Agent(pos, pos, mission, name)
        return None

    # --- claims -------------------------------------------------------------------------------------
    def read(self) -> list[Claim]:
        self.paras = paragraphs(self.text)
        chars = list(self.text)
        for para in self.paras:
            for a, b in para.quotes:
                chars[a:b] = " " * (b - a)
        self.masked = "".join(chars)  # the text without its quotations: reported speech only
        self.content_text = self.text
        claims: list[Claim] = []
        for para in self.paras:
            claims += self.paragraph(para)
        return merge(claims)

    def _remember(self, start: int, end: int, para: int) -> None:
        for a in self.agents(start, end, para):
            if a.person and a.mission:  # an unbound name may be an outlet or a place: see reported()
                self.state.last_person = (a.mission, a.person, para)
            elif a.mission and not a.generic:
                self.state.last_mission = (a.mission, para)

    def paragraph(self, para: Paragraph) -> list[Claim]:
        out: list[Claim] = []
        quote_speaker = self.quote_speaker(para) if para.quotes else None
        for sent in sentences(para):
            quoted = [(max(a, sent.start), min(b, sent.end)) for a, b in para.quotes if a < sent.end and sent.start < b]
            if quote_speaker is not None:
                for a, b in quoted:
                    out += self.claim(quote_speaker, self.text[a:b], sent, direct=True, context=para.text)
            self.content_text = self.masked if quote_speaker is not None else self.text
            out += self.reported(sent, quoted)
            self._remember(sent.start, sent.end, para.index)
        return out

    def quote_speaker(self, para: Paragraph) -> Agent | None:
        """Who speaks the quotations of a paragraph: the agent next to a speech verb outside the quotes."""
        outside = "".join(" " if inside(para.quotes, para.start + i) else ch for i, ch in enumerate(para.text))
        for verb in SPEECH_VERB.finditer(outside):
            vs, ve = para.start + verb.start(), para.start + verb.end()
            seg_start = para.start + max([m.end() for m in re.finditer(r"[\"]|\s{3,}|[.!?]\s", outside[:verb.start()])]
                                         or [0])
            seg_end = para.start + next((m.start() + verb.end() for m in re.finditer(r"[\"]|\s{3,}|[.!?](?:\s|$)",
                                                                                     outside[verb.end():])), len(outside))
            after = [a for a in self.agents(ve, seg_end, para.index)]
            before = [a for a in self.agents(seg_start, vs, para.index)]
            lead = self.text[seg_start:vs]
            if PRONOUN_PERSON.search(lead) and not before:
                return self.person_pronoun(vs, para.index)
            if after and not before:
                return after[0]
            if before:
                return before[0]
            if PRONOUN_PERSON.search(self.text[ve:seg_end]):
                return self.person_pronoun(vs, para.index)
        intro = re.search(r"([^.\"]{3,200}):\s*$", self.text[max(0, para.start - 300):para.start].rstrip())
        if intro and para.text.lstrip().startswith('"'):
            agents = self.agents(para.start - 300 + intro.start(), para.start, para.index - 1)
            if agents:
                return agents[0]
        return None

    def reported(self, sent: Sentence, quoted: list[tuple[int, int]]) -> list[Claim]:
        text = self.text
        out: list[Claim] = []
        anchors = [m for m in REPORT_VERB.finditer(text, sent.start, sent.end) if not inside(quoted, m.start())]
        prev_end = sent.start
        for i, verb in enumerate(anchors):
            if verb.start() < prev_end:
                continue
            seg = list(SEPARATOR.finditer(text, prev_end, verb.start()))
            # "…, observers from ODIHR, the OSCE PA and PACE said": the segment takes in the missions listed
            while len(seg) >= 2 and len(text[seg[-2].end():seg[-1].start()].split()) <= 6 and any(
                    a.mission and not a.generic for a in self.agents(seg[-2].end(), seg[-1].start(), sent.paragraph)):
                seg.pop()
            seg_start = seg[-1].end() if seg else prev_end
            nxt = SEPARATOR.search(text, verb.end(), sent.end)
            seg_end = nxt.start() if nxt else sent.end
            agent = self.subject(seg_start, verb.start(), sent.paragraph)
            before_text = text[prev_end:seg_start]
            after_text = text[verb.end():seg_end]
            # post-posed: "…, the OSCE said (in a statement)."
            if agent and agent.mission and seg and len(before_text.split()) >= 3 and TAIL.match(after_text):
                content = self.content_text[prev_end:seg[-1].start()] + " " + self.content_text[seg_end:sent.end]
                for member in self.coordinated(agent, verb.start(), sent.paragraph):
                    out += self.claim(member, content, sent)
                prev_end = sent.end
                break
            # inverted: "…, said the head of the mission"; "Как отметил X, …"; "…, — заявил X."
            if not self._has_words(text[seg_start:verb.start()]) or agent is None:
                inverted = [a for a in self.agents(verb.end(), min(verb.end() + 90, seg_end), sent.paragraph)]
                if inverted and not self._has_words(text[seg_start:verb.start()]):
                    agent = inverted[0]
                    if len(before_text.split()) >= 3:
                        content = self.content_text[prev_end:seg[-1].start() if seg else verb.start()]
                    else:
                        content = self.content_text[seg_end:sent.end]
                    if agent.mission:
                        out += self.claim(agent, content, sent)
                    prev_end = sent.end
                    break
            # normal order: the first agent of the whole span is the subject ("Observers from the CIS, the SCO
            # and the CSTO PA praised"; "Lebedev, the head of the CIS mission, said")
            first = self.subject(prev_end, verb.start(), sent.paragraph)
            if first is not None and (first.mission or agent is None or not agent.mission):
                agent = first
            if agent is None or not agent.mission:
                if agent is not None:
                    if agent.person:
                        self.state.last_person = ("", agent.person, sent.paragraph)  # "Miller said …; he added"
                    prev_end = verb.end()  # someone else's words: what follows is theirs
                continue
            end = sent.end
            for later in anchors[i + 1:]:
                seps = list(SEPARATOR.finditer(text, verb.end(), later.start()))
                nxt_agent = self.subject(seps[-1].end() if seps else verb.end(), later.start(), sent.paragraph)
                if (nxt_agent is not None and nxt_agent.mission == agent.mission and nxt_agent.person
                        and not agent.person):
                    agent = nxt_agent  # "The CIS mission stated that …, its head Sergey Lebedev told …"
                    break
                if nxt_agent is not None and nxt_agent.start > verb.end() and nxt_agent.mission != agent.mission:
                    cut = [m.end() for m in re.finditer(r"[,;]|\b(?:while|whereas|but|however|and)\b",
                                                        text[verb.end():nxt_agent.start])]
                    end = verb.end() + (cut[-1] if cut else nxt_agent.start - verb.end())
                    break
            for member in self.coordinated(agent, verb.start(), sent.paragraph):
                out += self.claim(member, self.content_text[verb.start():end], sent, refusal_ok=True)
            prev_end = end
        out += self.according(sent, quoted)
        if not anchors and sent.start == self._para_start(sent) and HEADLINE.match(text[sent.start:sent.end]):
            head = text[sent.start:text.index(":", sent.start)]
            if len(head.split()) <= 8:
                agent = self.subject(sent.start, sent.start + len(head), sent.paragraph)
                if agent and agent.mission:
                    out += self.claim(agent, text[sent.start + len(head) + 1:sent.end], sent)
        for m in re.finditer(r"\bby\s+(?:the\s+)?", text[sent.start:sent.end]):
            pos = sent.start + m.end()
            if PASSIVE_BY.search(text[sent.start:pos]):
                agent = next((a for a in self.agents(pos, pos + 60, sent.paragraph) if a.start == pos), None)
                if agent and agent.mission:
                    out += self.claim(agent, text[sent.start:sent.start + m.start()], sent)
        return out

    def _para_start(self, sent: Sentence) -> int:
        return next(p.start for p in self.paras if p.index == sent.paragraph)

    @staticmethod
    def _has_words(text: str) -> bool:
        return bool(re.search(r"\w{2,}", re.sub(r"\b(?:как|as)\b", "", text, flags=re.I)))

    def according(self, sent: Sentence, quoted: list[tuple[int, int]]) -> list[Claim]:
        out = []
        for m in ACCORDING.finditer(self.text, sent.start, sent.end):
            if inside(quoted, m.start()):
                continue
            agent = next((a for a in self.agents(m.end(), m.end() + 80, sent.paragraph)), None)
            if agent is None or not agent.mission or agent.start - m.end() > 40:
                continue
            stop = SEPARATOR.search(self.text, agent.end, sent.end)
            if m.start() - sent.start < 5:
                content = self.text[stop.end():sent.end] if stop else ""
            else:
                content = self.text[sent.start:m.start()]
                if stop:
                    content += " " + self.text[stop.end():sent.end]
            out += self.claim(agent, content, sent)
        return out

    def claim(self, agent: Agent, content: str, sent: Sentence, *, direct: bool = False, context: str = "",
              refusal_ok: bool = False) -> list[Claim]:
        if not agent.mission:
            return []
        content = CLEAN.sub("", content)
        verdict = evaluate(content, context=context)
        if sent.text.rstrip().endswith("?"):
            return []
        name = self.names.get(agent.mission, agent.mission)
        speaker = agent.person or name
        self.state.last_claimant = (agent.mission, agent.person, sent.paragraph)
        if verdict is None:
            if refusal_ok and refusal(content):
                return [Claim(name, speaker, "no_comment", [lx.OVERALL], sent.text, sent.paragraph, direct)]
            return []
        quote = content.strip().strip('"').strip() if direct else sent.text
        figures = [f.group(0).strip() for f in lx.FIGURE.finditer(content) if not lx.YEAR.match(f.group(0).strip())]
        return [Claim(name, speaker, verdict.stance, list(verdict.topics), quote, sent.paragraph, direct, figures)]


def merge(claims: list[Claim]) -> list[Claim]:
    """One claim for consecutive claims of one speaker and stance in one paragraph; no repeated quote."""
    out: list[Claim] = []
    for c in claims:
        prev = out[-1] if out else None
        if prev and (prev.mission, prev.speaker, prev.stance, prev.paragraph) == (c.mission, c.speaker, c.stance,
                                                                                   c.paragraph):
            if c.quote not in prev.quote:
                prev.quote = f"{prev.quote} {c.quote}"
            prev.topics = [t for t in lx.TOPICS if t in {*prev.topics, *c.topics}]
            prev.figures += [f for f in c.figures if f not in prev.figures]
            continue
        if any((o.mission, o.quote) == (c.mission, c.quote) for o in out):
            continue
        out.append(c)
    return out


def extract_claims(text: str) -> list[Claim]:
    """The verdict claims of observer missions in one text, in reading order."""
    text = normalise(text)
    return _Reader(text, document_catalogue(text)).read()
