"""Property tests: a valid report, mistyped the way people do, parses to the same values; random text never
crashes the parser; and the parser reads a labelled corpus of mistyped reports well."""

from __future__ import annotations

import json
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pollwatch.sms.grammar import SmsField, SmsForm, parse_message
from pollwatch.sms.typos import Report, labelled_corpus, mistype, render, valid_report

# Tags with I, L and O in both places, none two of which are typed alike (IA/LA would be: both "1A"). Used where
# the text is typed cleanly and as the fuzz test's form.
FORM = SmsForm(prefix="PB", fields=tuple(
    SmsField(tag=t, type=k, options=o) for t, k, o in [
        ("AA", "integer", None), ("AB", "select", 4), ("AC", "multiselect", 5), ("AD", "boolean", None),
        ("IA", "integer", None), ("IB", "select", 3), ("LD", "integer", None), ("LE", "boolean", None),
        ("OF", "integer", None), ("OG", "multiselect", 4), ("AI", "integer", None), ("AO", "select", 2),
    ]))
OTHER = SmsForm(prefix="OB", fields=(SmsField(tag="AA", type="integer"), SmsField(tag="IO", type="integer")))


@st.composite
def reports(draw):
    rng = random.Random(draw(st.integers(0, 2**32)))
    report = valid_report(FORM, rng, participant_id=str(draw(st.integers(1, 99_999_999))))
    return report, draw(st.integers(0, 2**32)), draw(st.floats(0.0, 0.6))


_CONFUSABLE = "ILO"
_PLAIN = "ABCDEFGHJKMNPQRSTUVWYZ"  # X left out: it starts the serial
_TYPED_AS = {"I": "I1L", "L": "L1I", "O": "O0"}


def _spellings(tag: str) -> set[str]:
    out = {""}
    for ch in tag:
        out = {typed + alt for typed in out for alt in _TYPED_AS.get(ch, ch)}
    return out


@st.composite
def unambiguous_forms(draw):
    """A random form whose tags are not mutually ambiguous under the I/1/L and O/0 rules.

    Two tags are ambiguous when one may be typed like the other (IA and LA: both ``1A``), and a form is when its tags
    have I, L or O in the first place *and* others in the second (AI and IA: ``1A1`` is ``1|A1`` or ``1A|1``): so
    each form puts its confusable letters in one place only, the first (IA, LB, OC) or the second (AI, BL, CO).
    """
    place = draw(st.sampled_from([0, 1]))
    tags: list[str] = []
    spelled: set[str] = set()
    for _ in range(draw(st.integers(1, 12))):
        chars = [draw(st.sampled_from(_PLAIN)), draw(st.sampled_from(_PLAIN))]
        if draw(st.booleans()):
            chars[place] = draw(st.sampled_from(_CONFUSABLE))
        tag = "".join(chars)
        if _spellings(tag) & spelled:
            continue
        spelled |= _spellings(tag)
        tags.append(tag)
    fields = []
    for tag in tags:
        kind = draw(st.sampled_from(["integer", "integer", "select", "multiselect", "boolean"]))
        options = draw(st.integers(2, 5)) if kind in ("select", "multiselect") else None
        fields.append(SmsField(tag=tag, type=kind, options=options))
    return SmsForm(prefix=draw(st.sampled_from(["PB", "OP", "ED"])), fields=tuple(fields))


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unambiguous_forms(), st.integers(0, 2**32), st.integers(1, 99_999_999), st.floats(0.0, 0.6))
def test_a_mistyped_valid_report_parses_to_the_same_values(form, seed, participant, rate):
    rng = random.Random(seed)
    report = valid_report(form, rng, participant_id=str(participant))
    typed = mistype(report, rng, rate=rate)
    got = parse_message(typed.text, [form, OTHER]).as_dict()
    expected = report.expected()
    expected["participant_id"] = str(int(report.participant_id))
    got["participant_id"] = str(int(got["participant_id"])) if got["participant_id"] else None
    assert got == expected, (typed.text, typed.mistakes, [f.tag for f in form.fields])


def test_a_form_with_confusable_letters_in_both_places_is_ambiguous():
    """Why the property above keeps a form's I, L and O in one place: with AI and IA on one form, ``AA101A120``
    reads as AA=101 AI=20 (``A1`` for AI) or AA=10 IA=120 (``1A`` for IA) at the same cost; the parser takes one
    of them (and the labelled corpus measures how often such texts come out right)."""
    got = parse_message("PB2AA101A120AO1", [FORM]).as_dict()
    assert got["responses"] in ({"AA": "101", "AI": "20", "AO": "1"}, {"AA": "10", "IA": "120", "AO": "1"})
    assert got["problems"] == []


@settings(max_examples=200, deadline=None)
@given(reports())
def test_the_clean_apollo_shape_parses_exactly(case):
    report, _, _ = case
    assert parse_message(render(report), [FORM]).as_dict() == report.expected()


@settings(max_examples=1500, deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
                 st.text(alphabet="PBAIOLXl01!@ ,.-", max_size=80)))
def test_random_text_never_crashes_the_parser(text):
    got = parse_message(text, [FORM, OTHER]).as_dict()
    json.dumps(got)
    assert isinstance(got["problems"], list)
    assert got["participant_id"] is None or got["participant_id"].isdigit()
    assert all(isinstance(v, (str, int)) for v in got["responses"].values())


def test_accuracy_on_a_labelled_corpus_of_mistyped_reports():
    """Four forms, two with tags full of I, L and O (IA, II, IL, LI, LL, LO, OI, OO …), 30 % mistake rate.

    Forms without confusable tags must come out exactly; on the confusable ones some messages are truly
    ambiguous (``1L``: IL or LL?), the floor guards against regressions.
    """
    forms, corpus = labelled_corpus(1500, seed=11)
    right: dict[str, list[bool]] = {}
    for report in corpus:
        ok = parse_message(report.text, forms).as_dict() == report.expected()
        right.setdefault(report.form.prefix, []).append(ok)
    share = {p: sum(v) / len(v) for p, v in right.items()}
    assert share["PB"] == 1.0 and share["PBA"] == 1.0, share
    assert share["PC"] > 0.65 and share["OB"] > 0.7, share


def test_report_expected_shape():
    r = Report(form=FORM, participant_id="1", responses={"AA": "2"})
    assert set(r.expected()) == {"prefix", "participant_id", "exclamation", "form_serial", "responses", "comment",
                                 "problems"}
