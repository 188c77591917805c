"""The SMS report grammar: a forgiving parser of reports typed on basic phones (no Django).

A message is ``PREFIX`` + observer code + optional ``X``\\ serial + tag/value pairs + optional ``!`` (urgent) +
optional ``@comment``, e.g. ``PB495560AA2AB1AC3`` (Apollo's shape) or ``pb 495560 aa 2, ab1 ac-3 @queue outside``.

What the parser forgives, and how:

- case, missing or extra spaces, and punctuation between pairs (any character that is not a letter or a digit
  separates; a separator never sits inside a tag or a number);
- ``O``/``o`` → ``0`` and ``I``/``i``/``l``/``L`` → ``1`` **inside numbers only**: the letters are kept as letters
  where the form has a tag that reads them (a form may well have tags ``IA``, ``LB``, ``OC``), and a digit typed
  for such a letter (``1A`` for ``IA``) still finds the tag;
- unicode digits (Arabic-Indic, fullwidth, …) are read as the digits they are;
- a tag given twice: the last value wins and the reply says so.

Which reading is chosen: the message (without separators) is segmented by dynamic programming over positions into
observer code, serial and pairs, each choice with a cost — a letter read as a digit or a digit read as a letter
costs a little, an unknown question or a missing value costs a lot — so the literal reading wins when it makes
sense and a confusable character is re-read only when that turns an unknown question into a known one. Every
problem of the chosen reading is reported, not the first.

>>> form = SmsForm.from_dict({"prefix": "PB", "groups": [{"name": "opening", "fields": [
...     {"tag": "AA", "type": "integer"}, {"tag": "AB", "type": "select"}, {"tag": "AC", "type": "integer"}]}]})
>>> r = parse_message("PB495560AA2AB1AC3", [form])
>>> r.prefix, r.participant_id, r.responses, r.problems
('PB', '495560', {'AA': '2', 'AB': '1', 'AC': '3'}, [])
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

FIELD_TYPES = ("integer", "select", "multiselect", "boolean", "comment")
VALUE_TYPES = ("integer", "select", "multiselect")

# Costs of the readings (see the module docstring). Only their order matters: a confusable re-read (0.3) is cheaper
# than anything that produces a problem, and an unknown question (10) dearer than a missing value (4).
_CONFUSED = 0.3
_MISSING_VALUE = 4.0
_UNKNOWN = 10.0
_PREFIX_FORGIVEN = 0.3
_DUPLICATE = 3.0
# Soft priors on values (a select has fewer than 10 options, numbered from 1; a multiselect names an option once):
# they only decide between readings that are otherwise alike.
_UNLIKELY_VALUE = 0.5

# What a letter means when it sits in a number.
_AS_DIGIT = {"O": "0", "I": "1", "L": "1"}
_DIGITLIKE = frozenset("0123456789OIL")
# What a tag character may have been typed as (after upper-casing), and how likely that is (1 = common): capital I
# and the digit 1 look alike on a card, as do O and 0; a lowercase l (upper-cased: L) passes for an I; typing 1 for
# an L is rarer (only the lowercase l looks like a 1).
_TAG_ALTERNATIVES: dict[str, tuple[tuple[str, float], ...]] = {
    "O": (("0", 1.0),), "I": (("1", 1.0), ("L", 1.5)), "L": (("1", 1.5), ("I", 2.0)),
    "0": (("O", 1.0),), "1": (("I", 1.0), ("L", 1.5)),
}

_SEPARATORS = re.compile(r"[^0-9A-Za-z]+")
_UNICODE_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class SmsField:
    """One question of a form as the SMS grammar sees it."""

    tag: str
    type: str  # one of FIELD_TYPES
    # Number of options (1..n) of a select/multiselect, when known: values outside are reported.
    options: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    # The caller's handle (the XForm field name): carried through, not used by the parser.
    name: str = ""
    label: str = ""


@dataclass(frozen=True)
class SmsForm:
    """A form's prefix and tagged questions (``groups`` flattened, order kept)."""

    prefix: str
    fields: tuple[SmsField, ...]
    name: str = ""
    key: Any = None  # the caller's handle (e.g. the form's database id)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, key: Any = None) -> SmsForm:
        """Read one form of the FORMS.json contract: ``{"prefix", "groups": [{"name", "fields": [{"tag", "type"}]}]}``.

        Raises ``ValueError`` naming what is wrong.
        """
        if not isinstance(data, dict):
            raise ValueError("a form must be an object")
        prefix = data.get("prefix")
        if not isinstance(prefix, str) or not prefix.strip().isalpha():
            raise ValueError(f"form prefix must be letters, got {prefix!r}")
        groups = data.get("groups")
        if groups is None and "fields" in data:
            groups = [{"name": "", "fields": data["fields"]}]
        if not isinstance(groups, list):
            raise ValueError(f"form {prefix}: 'groups' must be a list")
        fields: list[SmsField] = []
        for group in groups:
            if not isinstance(group, dict) or not isinstance(group.get("fields", []), list):
                raise ValueError(f"form {prefix}: each group must be an object with a 'fields' list")
            for item in group.get("fields", []):
                if not isinstance(item, dict):
                    raise ValueError(f"form {prefix}: each field must be an object")
                tag, kind = item.get("tag"), item.get("type", "integer")
                if not isinstance(tag, str) or not tag.strip().isalnum() or not tag.strip().isascii():
                    raise ValueError(f"form {prefix}: tag must be letters or digits, got {tag!r}")
                if kind not in FIELD_TYPES:
                    raise ValueError(f"form {prefix}: field {tag} has type {kind!r}; expected one of "
                                     + ", ".join(FIELD_TYPES))
                options = item.get("options")
                if isinstance(options, list):
                    options = len(options)
                fields.append(SmsField(
                    tag=tag.strip().upper(), type=kind, options=options if isinstance(options, int) else None,
                    minimum=item.get("min") if isinstance(item.get("min"), int) else None,
                    maximum=item.get("max") if isinstance(item.get("max"), int) else None,
                    name=str(item.get("name", "")), label=str(item.get("label", "")),
                ))
        return cls(prefix=prefix.strip().upper(), fields=tuple(fields), name=str(data.get("name", "")), key=key)


# The problems a reading may have: code → English text (params by name). The text is what the batch contract, the
# message log and tests show; a reply renders the code in the observer's language (pollwatch.sms.replies).
PROBLEMS = {
    "empty": "Empty message",
    "comment_only": "Only a comment; no report",
    "prefix_missing": "Form prefix missing",
    "unknown_form": "Unknown form {prefix}; expected {expected}",
    "observer_missing": "Observer code missing",
    "no_value": "{tag} has no value",
    "unexpected": "Unexpected {text}",
    "unknown_question": "Unknown question {tag}; expected {expected}",
    "no_option": "{tag}{value}: no option {options} (1–{count})",
    "below_minimum": "{tag}{value}: below the minimum {minimum}",
    "above_maximum": "{tag}{value}: above the maximum {maximum}",
    "duplicate": "{tag} given more than once; the last value ({value}) is used",
}


class Problem(str):
    """One problem of a reading: a string (its English text, so problems compare, join and serialise as text) that
    also carries a ``code`` (a key of ``PROBLEMS``) and the ``params`` its text is made from.

    >>> p = Problem("no_value", tag="AB")
    >>> p, p.code, p.params
    ('AB has no value', 'no_value', {'tag': 'AB'})
    """

    code: str
    params: dict[str, str]

    def __new__(cls, code: str, **params: object) -> Problem:
        text = {k: str(v) for k, v in params.items()}
        obj = super().__new__(cls, PROBLEMS[code].format(**text))
        obj.code, obj.params = code, text
        return obj

    def __reduce__(self):  # pickles (e.g. in a cache) as a Problem, not as a plain string
        return (_problem, (self.code, self.params))


def _problem(code: str, params: dict[str, str]) -> Problem:
    return Problem(code, **params)


@dataclass
class ParseResult:
    """The parse of one message, in the shape of the batch contract (:meth:`as_dict`)."""

    prefix: str | None = None
    participant_id: str | None = None
    exclamation: bool = False
    form_serial: str | None = None
    responses: dict[str, Any] = field(default_factory=dict)
    comment: str | None = None
    problems: list[Problem] = field(default_factory=list)
    form: SmsForm | None = None  # the form the message was read against (None: no form matched)
    duplicates: list[str] = field(default_factory=list)  # tags given more than once (last value kept)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "prefix": self.prefix, "participant_id": self.participant_id, "exclamation": self.exclamation,
            "form_serial": self.form_serial, "responses": dict(self.responses), "comment": self.comment,
            "problems": [str(p) for p in self.problems],
        }


def _variants(word: str) -> dict[str, float]:
    """Every way ``word`` (uppercase) may have been typed, with the weight of its confused characters."""
    out: dict[str, float] = {"": 0.0}
    for ch in word:
        nxt: dict[str, float] = {}
        for typed, cost in out.items():
            for alt, extra in ((ch, 0.0), *_TAG_ALTERNATIVES.get(ch, ())):
                key = typed + alt
                if key not in nxt or nxt[key] > cost + extra:
                    nxt[key] = cost + extra
        out = nxt
    return out


class _BoundedCosts(dict):
    """A cache of value costs that empties itself when it grows past a few thousand values."""

    def __setitem__(self, key: str, value: float) -> None:
        if len(self) > 4000:
            self.clear()
        super().__setitem__(key, value)


class _Compiled:
    """A form's lookup tables, built once per form."""

    __slots__ = ("form", "tags", "alts", "order", "lengths", "literal", "expected", "digit_starts", "x_tags",
                 "value_costs", "literal_re", "pair_re")

    def __init__(self, form: SmsForm):
        self.form = form
        self.tags: dict[str, tuple[SmsField, float]] = {}
        self.literal: dict[str, SmsField] = {}
        # typed spellings that more than one tag may have been: every candidate, likeliest first
        self.alts: dict[str, list[tuple[SmsField, float]]] = {}
        self.order: dict[str, int] = {}
        # per tag: the cost of each value typed so far (a bounded cache, see _value_cost)
        self.value_costs: dict[str, _BoundedCosts] = {f.tag: _BoundedCosts() for f in form.fields}
        every: dict[str, list[tuple[SmsField, float]]] = {}
        for f in form.fields:
            if f.type == "comment":
                continue
            self.literal.setdefault(f.tag, f)
            self.order.setdefault(f.tag, len(self.order))
            for typed, n in _variants(f.tag).items():
                cost = n * _CONFUSED
                every.setdefault(typed, []).append((f, cost))
                if typed not in self.tags or self.tags[typed][1] > cost:
                    self.tags[typed] = (f, cost)
        for typed, found in every.items():
            # a tag typed as itself is firm (typing IA for LA is far less likely than 1A for either)
            if len(found) > 1 and typed not in self.literal:
                self.alts[typed] = sorted(found, key=lambda t: t[1])
        self.lengths = sorted({len(t) for t in self.tags}, reverse=True)
        self.x_tags = any(t.startswith("X") for t in self.tags)  # then X after the code may be a question
        # Can a tag start at a character that could also be a digit of a number? Only then is a number cut short.
        self.digit_starts = frozenset(t[0] for t in self.tags if t[0] in _DIGITLIKE)
        # The exact fast path as one regex (see _read_literal): when the tags are letters and none is the start of
        # another, the longest-first split of a run of letters into tags is the only one, and a regex run in C finds it
        self.literal_re: re.Pattern[str] | None = None
        self.pair_re: re.Pattern[str] | None = None
        words = sorted(self.literal, key=lambda t: (-len(t), t))
        if (not self.x_tags and words and all(t.isalpha() and t.isascii() for t in words)
                and not any(a != b and b.startswith(a) for a in words for b in words)):
            booleans = "|".join(t for t in words if self.literal[t].type == "boolean")
            valued = "|".join(t for t in words if self.literal[t].type != "boolean")
            alternatives = ([f"(?:{booleans})(?:[01](?![0-9]))?(?![0-9])"] if booleans else []) + (
                [f"(?:{valued})[0-9]+(?![0-9])"] if valued else [])
            self.literal_re = re.compile(r"([0-9]+)(?:X([0-9]+))?(?:{})*".format("|".join(alternatives)))
            self.pair_re = re.compile("({})([0-9]*)".format("|".join(words)))
        tags = [f.tag for f in form.fields if f.type != "comment"]
        self.expected = (f"{tags[0]}–{tags[-1]}" if len(tags) > 2 else ", ".join(tags)) if tags else "none"


_COMPILED: dict[int, _Compiled] = {}


def _compiled(form: SmsForm) -> _Compiled:
    c = _COMPILED.get(id(form))
    if c is None or c.form is not form:
        if len(_COMPILED) > 1000:
            _COMPILED.clear()
        c = _COMPILED[id(form)] = _Compiled(form)
    return c


def normalise_text(text: str) -> str:
    """Unicode digits → ASCII digits, compatibility forms (fullwidth letters) → plain ones."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text)
    return _UNICODE_DIGIT.sub(lambda m: str(unicodedata.digit(m.group(), 0)), text)


def _as_number(typed: str) -> str:
    return "".join(_AS_DIGIT.get(ch, ch) for ch in typed) if not typed.isdigit() else typed


def _number_cost(typed: str) -> float:
    if typed.isdigit():
        return 0.0
    return sum(_CONFUSED for ch in typed if not ch.isdigit())


_VALUE_COSTS: dict[tuple[str, int | None, str], float] = {}


def _value_cost(f: SmsField, typed: str) -> float:
    key = (f.type, f.options, typed)
    cost = _VALUE_COSTS.get(key)
    if cost is None:
        if len(_VALUE_COSTS) > 50_000:
            _VALUE_COSTS.clear()
        cost = _VALUE_COSTS[key] = _value_cost_of(f, typed)
    return cost


def _value_cost_of(f: SmsField, typed: str) -> float:
    cost = 0.0 if typed.isdigit() else sum(_CONFUSED for ch in typed if not ch.isdigit())
    kind = f.type
    if kind == "select":
        value = _as_number(typed)
        if len(value) > 1:
            cost += _UNLIKELY_VALUE * (len(value) - 1)
        if f.options is not None and not (value.isdigit() and 1 <= int(value) <= f.options):
            cost += _MISSING_VALUE / 2
        elif "0" == value:
            cost += _UNLIKELY_VALUE
    elif kind == "multiselect":
        value = _as_number(typed)
        cost += _UNLIKELY_VALUE * (len(value) - len(set(value)) + value.count("0"))
        if f.options is not None and any(int(d) > f.options for d in value if d.isdigit()):
            cost += _MISSING_VALUE / 2
    elif kind == "integer" and len(typed) > 1 and typed[0] in "0O":
        cost += _UNLIKELY_VALUE  # nobody writes a count with a leading zero
    return cost


# One item of a reading: (tag or None, typed value, field or None, problem or None, typed tag)
# (the problem as its code and params: a Problem is made only for the reading chosen)
_Item = tuple[str | None, str, SmsField | None, tuple[str, dict[str, str]] | None, str]


class _Segmenter:
    """Best reading of ``s[i:]`` as tag/value pairs, top-down with a memo: only positions where a pair can end are
    visited, so a clean message costs one step per pair.

    ``sep[k]`` is true where a separator preceded position k: a number or tag never spans one. ``hits`` (shared by
    the re-reads of one message) holds, per position, the tags that may start there.
    """

    __slots__ = ("s", "n", "sep", "c", "memo", "penalised", "positions", "hits")

    def __init__(self, s: str, sep: list[bool], c: _Compiled, penalised: frozenset[tuple[int, str]] = frozenset(),
                 hits: dict[int, list[tuple[int, SmsField, float, str]]] | None = None):
        self.s, self.n, self.sep, self.c = s, len(s), sep, c
        self.memo: dict[int, tuple[float, int, _Item | None]] = {}
        # (position, tag) of one occurrence of a tag a first reading found twice: reading that tag there costs
        # more on the next try, so a reading that gives those characters to other tags wins if it is nearly as likely
        self.penalised = penalised
        self.positions: list[int] = []
        self.hits = {} if hits is None else hits

    def hits_at(self, i: int) -> list[tuple[int, SmsField, float, str]]:
        """The tags that may start at i: (end, field, cost of the typed spelling, typed spelling), longest first."""
        got = self.hits.get(i)
        if got is None:
            s, n, sep, tags = self.s, self.n, self.sep, self.c.tags
            got = []
            for length in self.c.lengths:
                j = i + length
                if j > n:
                    continue
                hit = tags.get(s[i:j])
                if hit is None or (length > 1 and any(sep[i + 1:j])):  # a tag never spans a separator
                    continue
                got.append((j, hit[0], hit[1], s[i:j]))
            self.hits[i] = got
        return got

    def run_end(self, j: int) -> int:
        s, n, sep = self.s, self.n, self.sep
        k = j
        while k < n and s[k] in _DIGITLIKE and (k == j or not sep[k]):
            k += 1
        return k

    def best(self, i: int) -> float:
        if i >= self.n:
            return 0.0
        got = self.memo.get(i)
        if got is None:
            got = self.memo[i] = self._solve(i)
        return got[0]

    def _solve(self, i: int) -> tuple[float, int, _Item | None]:
        s, n, sep, c = self.s, self.n, self.sep, self.c
        digit_starts = c.digit_starts
        hits, memo, best, value_costs = self.hits, self.memo, self.best, c.value_costs
        top = float("inf")
        pick: tuple[int, _Item] | None = None
        found = hits.get(i)
        for j, f, tag_cost, typed_tag in (self.hits_at(i) if found is None else found):
            if self.penalised and (i, f.tag) in self.penalised:
                tag_cost += _DUPLICATE
            if f.type == "boolean":
                # presence; an explicit 0/1 right after it is read too
                cost = tag_cost + best(j)
                if cost < top:
                    top, pick = cost, (j, (f.tag, "", f, None, typed_tag))
                if j < n and s[j] in "01" and (j + 1 == n or sep[j + 1] or s[j + 1] not in _DIGITLIKE):
                    cost = tag_cost + best(j + 1)
                    if cost < top:
                        top, pick = cost, (j + 1, (f.tag, s[j], f, None, typed_tag))
                continue
            end = self.run_end(j)
            if end == j:  # no number after the tag
                cost = tag_cost + _MISSING_VALUE + best(j)
                if cost < top:
                    top, pick = cost, (j, (f.tag, "", f, ("no_value", {"tag": f.tag}), typed_tag))
                continue
            costs = value_costs[f.tag]
            # the whole number, or a shorter one where a tag starts inside it (where none can, cutting the number
            # there would leave an unknown question: never cheaper than reading on)
            if digit_starts:
                for k in range(j + 1, end):
                    if s[k] in digit_starts:
                        found = hits.get(k)
                        if not (self.hits_at(k) if found is None else found):
                            continue
                        typed = s[j:k]
                        value_cost = costs.get(typed)
                        if value_cost is None:
                            value_cost = costs[typed] = _value_cost_of(f, typed)
                        got = memo.get(k)
                        cost = tag_cost + value_cost + (got[0] if got is not None else best(k))
                        if cost < top:
                            top, pick = cost, (k, (f.tag, typed, f, None, typed_tag))
            typed = s[j:end]
            value_cost = costs.get(typed)
            if value_cost is None:
                value_cost = costs[typed] = _value_cost_of(f, typed)
            got = memo.get(end)
            cost = tag_cost + value_cost + (got[0] if got is not None else best(end))
            if cost < top:
                top, pick = cost, (end, (f.tag, typed, f, None, typed_tag))
        if top > _UNKNOWN or pick is None:
            cost, k, item = _unknown_at(s, i, n, sep, c, self.hits_at)
            cost += best(k)
            if cost < top:
                top, pick = cost, (k, item)
        assert pick is not None
        return top, pick[0], pick[1]

    def items(self, i: int) -> list[_Item]:
        out = []
        self.positions = []
        while i < self.n:
            self.best(i)
            self.positions.append(i)
            _, i, item = self.memo[i]
            assert item is not None
            out.append(item)
        return out


def _reassign(items: list[_Item], c: _Compiled) -> list[_Item]:
    """Settle the typed tags that several tags may have been (``1A``: ``IA`` or ``LA``).

    The segmentation picked the likeliest spelling of each alone; here the message as a whole decides: a tag
    already answered elsewhere in the message is unlikely, and observers type the questions in the card's order,
    so the candidate that fits between its neighbours wins. Only candidates of the same kind (boolean or not)
    are considered, which keeps the segmentation valid.
    """
    if not c.alts or not any(it[4] in c.alts for it in items):
        return items
    items = list(items)
    for idx, (_tag, typed, f, problem, typed_tag) in enumerate(items):
        found = c.alts.get(typed_tag)
        if not found or f is None:
            continue
        boolean = f.type == "boolean"
        others = {it[0] for k, it in enumerate(items) if k != idx}
        before = next((c.order[it[0]] for it in reversed(items[:idx]) if it[0] in c.order), -1)
        after = next((c.order[it[0]] for it in items[idx + 1:] if it[0] in c.order), len(c.order))
        best_score, best_field = None, f
        for cand, cost in found:
            if (cand.type == "boolean") != boolean:
                continue
            position = c.order[cand.tag]
            score = cost + (5.0 if cand.tag in others else 0.0) + (0.0 if before < position < after else 1.0)
            if best_score is None or score < best_score:
                best_score, best_field = score, cand
        if best_field is not f:
            items[idx] = (best_field.tag, typed, best_field, problem, typed_tag)
    return items


def _unknown_at(s: str, i: int, n: int, sep: list[bool], c: _Compiled,
                hits_at: Any) -> tuple[float, int, _Item]:
    """An unknown question at i: its letters (up to where a known tag starts) and the number after them."""
    k = i + 1
    if s[i].isdigit():  # stray digits
        while k < n and s[k].isdigit() and not sep[k]:
            k += 1
        return _UNKNOWN, k, (None, s[i:k], None, ("unexpected", {"text": s[i:k]}), "")
    while k < n and s[k].isalpha() and not sep[k] and not hits_at(k):
        k += 1
    word = s[i:k]
    m = k
    while m < n and s[m].isdigit() and (m == k or not sep[m]):
        m += 1
    return _UNKNOWN, m, (None, s[i:m], None, ("unknown_question", {"tag": word, "expected": c.expected}), word)


def _split(text: str) -> tuple[str, list[bool], list[int]]:
    """Uppercase letters and digits joined, per position whether a separator preceded it, and those positions."""
    chunks = [ch for ch in _SEPARATORS.split(text.upper()) if ch]
    if len(chunks) == 1:
        s = chunks[0]
        return s, [False] * (len(s) + 1), []
    s = "".join(chunks)
    sep = [False] * (len(s) + 1)
    seps = []
    pos = 0
    for ch in chunks:
        if pos:
            sep[pos] = True
            seps.append(pos)
        pos += len(ch)
    return s, sep, seps


_PREFIX_VARIANTS: dict[str, dict[str, float]] = {}


def _match_prefix(s: str, forms: list[SmsForm]) -> list[tuple[SmsForm, int, float]]:
    """Forms whose prefix the message starts with: (form, length, cost), longest prefix first."""
    out = []
    for form in forms:
        p = form.prefix
        head = s[:len(p)]
        if head == p:
            out.append((form, len(p), 0.0))
        elif len(head) == len(p):
            variants = _PREFIX_VARIANTS.get(p)
            if variants is None:
                variants = _PREFIX_VARIANTS[p] = _variants(p)
            n = variants.get(head)
            if n is not None:  # noqa: SIM102
                out.append((form, len(p), n * _PREFIX_FORGIVEN))
    out.sort(key=lambda t: (-t[1], t[2]))
    return out


_LITERAL = re.compile(r"([0-9]+)(?:X([0-9]+))?((?:[A-Z]+[0-9]*)*)")
_PAIR = re.compile(r"([A-Z]+)([0-9]*)")


def _read_literal(s: str, sep: list[bool], c: _Compiled, begin: int, seps: list[int] | None = None
                  ) -> tuple[float, str, str | None, list[_Item], list[Problem]] | None:
    """The fast path: a message typed exactly (observer code, then known tags each with a well-formed value, every
    separator between tokens). That is the cheapest reading there is (cost 0), so the search is skipped.

    ``seps``: the positions where a separator preceded (those of ``sep``), when the caller has them."""
    pattern = c.literal_re
    if pattern is not None:
        m = pattern.fullmatch(s, begin)
        if m is None:
            return None
        serial = m.group(2)
        literal = c.literal
        items: list[_Item] = []
        bounds = {begin, m.end(1)}
        if serial is not None:
            bounds.add(m.start(2))
        for pair in c.pair_re.finditer(s, m.end(2) if serial is not None else m.end(1)):  # type: ignore[union-attr]
            tag = pair.group(1)
            items.append((tag, pair.group(2), literal[tag], None, tag))
            bounds.add(pair.start(1))
            bounds.add(pair.start(2))
        return _exact_reading(m.group(1), serial, items, bounds, s, sep, seps, begin)
    m = _LITERAL.fullmatch(s, begin)
    if m is None:
        return None
    serial = m.group(2)
    if serial is not None and c.x_tags:
        return None
    bounds = {begin, m.end(1)}
    if serial is not None:
        bounds.add(m.start(2))
    items = []
    literal = c.literal
    lengths = c.lengths
    for pair in _PAIR.finditer(s, m.end(2) if serial is not None else m.end(1)):
        word, value = pair.group(1), pair.group(2)
        # the letters may be several tags: booleans (no value) then the tag the value belongs to
        p, start = 0, pair.start(1)
        while True:
            f = None
            for length in lengths:
                f = literal.get(word[p:p + length])
                if f is not None:
                    break
            if f is None:
                return None
            bounds.add(start + p)
            p += len(f.tag)
            if p == len(word):
                break
            if f.type != "boolean":
                return None
            items.append((f.tag, "", f, None, f.tag))
        if f.type == "boolean":
            if value not in ("", "0", "1"):
                return None
        elif not value:
            return None
        bounds.add(pair.start(2))
        items.append((f.tag, value, f, None, f.tag))
    return _exact_reading(m.group(1), serial, items, bounds, s, sep, seps, begin)


def _exact_reading(code: str, serial: str | None, items: list[_Item], bounds: set[int], s: str, sep: list[bool],
                   seps: list[int] | None, begin: int) -> tuple[float, str, str | None, list[_Item], list[Problem]] | None:
    """The fast path's reading (cost 0), if every separator falls between tokens and no tag comes twice."""
    if seps is None:
        seps = [k for k in range(begin, len(s)) if sep[k]]
    if any(k >= begin and k not in bounds for k in seps):
        return None
    if len({it[0] for it in items}) != len(items):  # a tag twice: maybe a mistyped tag (1A for IA), the search decides
        return None
    return 0.0, code, serial, items, []


_Reading = tuple[float, str | None, str | None, list[_Item], list[Problem]]


def _read_form(s: str, sep: list[bool], form: SmsForm, begin: int, seps: list[int] | None = None) -> _Reading:
    """Observer code, serial and pairs of ``s[begin:]`` read against one form."""
    c = _compiled(form)
    fast = _read_literal(s, sep, c, begin, seps)
    if fast is not None:
        return fast
    hits: dict[int, list[tuple[int, SmsField, float, str]]] = {}
    if not c.digit_starts:
        forced = _read_forced(s, sep, c, begin, hits)
        if forced is not None:
            return forced
    got, positions, memo = _read_segmented(s, sep, c, begin, frozenset(), hits, {})
    tags = [it[0] for it in got[3]]
    twice = {t for t in tags if t is not None and tags.count(t) > 1}
    if twice:
        for at, tag in zip(positions, tags, strict=True):
            if tag in twice:
                # the best readings after ``at`` do not depend on how ``at`` is read: only the positions up to it
                # are read again
                after = {i: v for i, v in memo.items() if i > at}
                again, _, _ = _read_segmented(s, sep, c, begin, frozenset({(at, tag)}), hits, after)
                if _badness(again) < _badness(got):
                    got = again
    return got


def _read_forced(s: str, sep: list[bool], c: _Compiled, begin: int,
                 hits: dict[int, list[tuple[int, SmsField, float, str]]]) -> _Reading | None:
    """The second fast path, for a form where no tag can start with a digit-like character (most forms): there
    every number runs to its end, so where each position allows one tag only, the reading is forced and is the one
    the segmentation would find, as long as it is cheaper than an unknown question (``_UNKNOWN``) and gives no tag
    twice. Anything else (``None``) goes to the segmentation."""
    n = len(s)
    seg = _Segmenter(s, sep, c, frozenset(), hits)
    k = seg.run_end(begin)
    if k == begin or c.x_tags:
        return None
    costs = [_number_cost(s[begin:k])]
    serial = None
    code_end = k
    if k < n and s[k] == "X":
        if k + 1 >= n or sep[k + 1]:
            return None
        q = seg.run_end(k + 1)
        if q < k + 2:
            return None
        serial = _as_number(s[k + 1:q])
        costs[0] += _number_cost(s[k + 1:q])
        k = q
    items: list[_Item] = []
    i = k
    while i < n:
        found = seg.hits_at(i)
        if len(found) != 1:
            return None
        j, f, tag_cost, typed_tag = found[0]
        if f.type == "boolean":
            if j < n and s[j] in _DIGITLIKE:
                if s[j] not in "01" or not (j + 1 == n or sep[j + 1] or s[j + 1] not in _DIGITLIKE):
                    return None
                items.append((f.tag, s[j], f, None, typed_tag))
                j += 1
            else:
                items.append((f.tag, "", f, None, typed_tag))
            costs.append(tag_cost)
            i = j
            continue
        end = seg.run_end(j)
        if end == j:
            return None
        typed = s[j:end]
        costs.append(tag_cost + _value_cost(f, typed))
        items.append((f.tag, typed, f, None, typed_tag))
        i = end
    total = 0.0
    for cost in reversed(costs):  # summed as the segmentation sums them, so equal readings cost exactly the same
        total = cost + total
    if total >= _UNKNOWN:
        return None
    items = _reassign(items, c)
    tags = [it[0] for it in items]
    if len(set(tags)) != len(tags):  # a tag twice: the segmentation reads it again (see _read_form)
        return None
    return total, _as_number(s[begin:code_end]), serial, items, []


def _badness(reading: _Reading) -> tuple[int, float]:
    items = reading[3]
    tags = [it[0] for it in items if it[0] is not None]
    problems = sum(1 for it in items if it[3]) + len(tags) - len(set(tags)) + len(reading[4])
    return problems, reading[0]


def _read_segmented(s: str, sep: list[bool], c: _Compiled, begin: int,
                    penalised: frozenset[tuple[int, str]], hits: dict[int, list[tuple[int, SmsField, float, str]]],
                    memo: dict[int, tuple[float, int, _Item | None]]
                    ) -> tuple[_Reading, list[int], dict[int, tuple[float, int, _Item | None]]]:
    n = len(s)
    seg = _Segmenter(s, sep, c, penalised, hits)
    seg.memo = memo
    if n - begin > 120:  # long text: fill the memo right to left, so the top-down recursion stays shallow
        for i in range(n - 1, begin - 1, -1):
            seg.best(i)
    # the observer code: a number starting at begin, ending where the best reading of the rest starts
    end = seg.run_end(begin)
    if end == begin:
        items = seg.items(begin)
        return (seg.best(begin) + _MISSING_VALUE, None, None, _reassign(items, c),
                [Problem("observer_missing")]), seg.positions, seg.memo
    top = float("inf")
    pick: tuple[int, tuple[int, str] | None] = (end, None)
    for k in range(begin + 1, end + 1):
        if k < end and s[k] not in c.digit_starts:
            continue
        typed = s[begin:k]
        base = _number_cost(typed)
        cost = base + seg.best(k)
        if cost < top:
            top, pick = cost, (k, None)
        # X + serial right after the code
        if k < n and s[k] == "X" and k + 1 < n and not sep[k + 1]:
            q_end = seg.run_end(k + 1)
            for q in range(k + 2, q_end + 1):
                if q < q_end and s[q] not in c.digit_starts:
                    continue
                typed_serial = s[k + 1:q]
                cost = base + _number_cost(typed_serial) + seg.best(q)
                if cost < top:
                    top, pick = cost, (q, (k, typed_serial))
    k, serial_at = pick
    code_end = serial_at[0] if serial_at else k
    participant = _as_number(s[begin:code_end])
    serial = _as_number(serial_at[1]) if serial_at else None
    items = seg.items(k)
    return (top, participant, serial, _reassign(items, c), []), seg.positions, seg.memo


def parse_message(text: str, forms: list[SmsForm]) -> ParseResult:
    """Parse one SMS against the mission's forms; never raises on any text."""
    result = ParseResult()
    if not isinstance(text, str):
        text = str(text)
    text = normalise_text(text.replace("\x00", " "))
    at = text.find("@")
    if at != -1:
        result.comment = text[at + 1:].strip() or None
        text = text[:at]
    if "!" in text:
        result.exclamation = True
        text = text.replace("!", " ")
    s, sep, seps = _split(text)
    if not s:
        result.problems.append(Problem("empty" if result.comment is None else "comment_only"))
        return result
    matches = _match_prefix(s, forms)
    if matches:
        candidates = matches
        result.prefix = matches[0][0].prefix
    else:
        k = 0
        while k < len(s) and s[k].isalpha() and not sep[k]:
            k += 1
        result.prefix = s[:k] or None
        if not forms:
            candidates = []
        elif k == 0:
            # no prefix typed: read against every form, keep the best fit
            candidates = [(f, 0, _UNKNOWN) for f in forms]
        else:
            candidates = []
        if result.prefix is None:
            result.problems.append(Problem("prefix_missing"))
        else:
            known = ", ".join(sorted({f.prefix for f in forms})) or "none"
            result.problems.append(Problem("unknown_form", prefix=result.prefix, expected=known))
        if not candidates:
            code = s[k:]
            m = re.match(r"[0-9OIL]+", code)
            result.participant_id = _as_number(m.group()) if m else None
            return result
    top = None
    for form, length, prefix_cost in candidates:
        if top is not None:
            # a reading without an observer code costs at least _MISSING_VALUE: skip a form that cannot do better
            floor = prefix_cost + (_MISSING_VALUE if length >= len(s) or s[length] not in _DIGITLIKE else 0.0)
            if floor >= top[0]:
                continue
        got = _read_form(s, sep, form, length, seps)
        cost = got[0] + prefix_cost
        # an urgent message prefers an incident-like form when two share a prefix: nothing to go on here, so ties
        # keep the form listed first
        if top is None or cost < top[0]:
            top = (cost, form, got)
        if cost == 0.0:  # nothing reads cheaper than a message typed exactly
            break
    assert top is not None
    _, form, (_, participant, serial, items, problems) = top
    if matches:
        result.prefix = form.prefix
    result.form = form
    result.participant_id = participant
    result.form_serial = serial
    result.problems.extend(problems)
    responses = result.responses
    for tag, typed, f, problem, _typed_tag in items:
        if problem:
            result.problems.append(Problem(problem[0], **problem[1]))
        if tag is None or f is None:
            continue
        if f.type == "boolean":
            value: Any = int(typed) if typed else 1
        elif typed:
            value = _as_number(typed)
            out_of_range = _range_problem(f, value)
            if out_of_range:
                result.problems.append(out_of_range)
        else:
            continue
        if tag in responses:
            if tag not in result.duplicates:
                result.duplicates.append(tag)
            del responses[tag]
        responses[tag] = value
    for tag in result.duplicates:
        result.problems.append(Problem("duplicate", tag=tag, value=responses[tag]))
    return result


def _range_problem(f: SmsField, value: str) -> Problem | None:
    if f.type == "select" and f.options is not None:
        if not 1 <= int(value) <= f.options:
            return Problem("no_option", tag=f.tag, value=value, options=int(value), count=f.options)
    elif f.type == "multiselect" and f.options is not None:
        bad = sorted({d for d in value if not 1 <= int(d) <= f.options})
        if bad:
            return Problem("no_option", tag=f.tag, value=value, options=", ".join(bad), count=f.options)
    elif f.type == "integer":
        number = int(value)
        if f.minimum is not None and number < f.minimum:
            return Problem("below_minimum", tag=f.tag, value=value, minimum=f.minimum)
        if f.maximum is not None and number > f.maximum:
            return Problem("above_maximum", tag=f.tag, value=value, maximum=f.maximum)
    return None


def load_forms(data: Any) -> list[SmsForm]:
    """The forms of a FORMS.json document (a list of forms, or ``{"forms": [...]}``)."""
    if isinstance(data, dict) and "forms" in data:
        data = data["forms"]
    if not isinstance(data, list):
        raise ValueError("FORMS.json must be a list of forms")
    return [SmsForm.from_dict(item, key=i) for i, item in enumerate(data)]
