"""The English messages of :mod:`pollwatch.stats` in the user's language.

``pollwatch.stats`` is pure (no Django: the command line and notebooks use it), so its warnings, its
``ValueError`` messages and the reasons of its ``RowProblem`` rows are English. The web layer shows them through
:func:`stats_message`, which recognises each message by a pattern (named groups for the numbers, station codes
and stratum names in it) and returns the catalogue's translation with the same values. A message no pattern
knows is shown as it is: a new message in ``stats`` still reaches the user, in English, until it is added here.
Reasons joined by ``"; "`` (an impossible protocol's several failed checks) are translated one by one.

>>> stats_message("ballots 120 > registered 100; invalid 3 > ballots 2")
'ballots 120 > registered 100; invalid 3 > ballots 2'
>>> stats_message("something stats never said")
'something stats never said'
"""

from __future__ import annotations

import re

from django.utils.translation import gettext, gettext_noop

_N = r"(?P<{}>-?[\d,]+)"


def _pattern(text: str) -> re.Pattern[str]:
    """A pattern from a message with ``{name}`` for a number and ``{name:text}`` for any text."""
    out, last = [], 0
    for m in re.finditer(r"\{(\w+)(:text)?\}", text):
        out.append(re.escape(text[last:m.start()]))
        out.append(f"(?P<{m[1]}>.+?)" if m[2] else _N.format(m[1]))
        last = m.end()
    out.append(re.escape(text[last:]))
    return re.compile("".join(out))


# (the English message of stats, with {number} / {name:text} fields; its msgid, with %(name)s placeholders)
MESSAGES: list[tuple[re.Pattern[str], str]] = [(_pattern(english), msgid) for english, msgid in [
    # pollwatch.stats.pvt.quick_count
    ("no reported stations to estimate from", gettext_noop("no reported stations to estimate from")),
    ("{n} reported station(s) are not in the frame: {codes:text}",
     gettext_noop("%(n)s reported station(s) are not in the frame: %(codes)s")),
    ("fewer than two reported stations with possible numbers: no estimate can be made",
     gettext_noop("fewer than two reported stations with possible numbers: no estimate can be made")),
    ("the reported stations have no votes for any candidate: shares cannot be estimated",
     gettext_noop("the reported stations have no votes for any candidate: shares cannot be estimated")),
    ("the reported stations have no registered voters: turnout cannot be estimated",
     gettext_noop("the reported stations have no registered voters: turnout cannot be estimated")),
    ("{n} reported station(s) with impossible numbers were excluded",
     gettext_noop("%(n)s reported station(s) with impossible numbers were excluded")),
    ("strata {strata:text} had fewer than two reporting stations: variance undefined, merged",
     gettext_noop("strata %(strata)s had fewer than two reporting stations: variance undefined, merged")),
    ("strata {strata:text} had fewer than two stations in the population: merged",
     gettext_noop("strata %(strata)s had fewer than two stations in the population: merged")),
    ("{n} stations with ≥ {voters} registered voters are taken in every sample (take-all stratum)",
     gettext_noop("%(n)s stations with ≥ %(voters)s registered voters are taken in every sample (take-all stratum)")),
    # pollwatch.stats.pvt.estimate, .sampling, .frame
    ("every stratum needs at least two reporting stations (collapse strata first)",
     gettext_noop("every stratum needs at least two reporting stations (collapse strata first)")),
    ("a sample of {n} is larger than the frame ({stations} stations)",
     gettext_noop("a sample of %(n)s is larger than the frame (%(stations)s stations)")),
    ("{n} stations cannot give {strata} strata {minimum} stations each; use fewer strata or a larger sample",
     gettext_noop("%(n)s stations cannot give %(strata)s strata %(minimum)s stations each; use fewer strata or a larger "
        "sample")),
    ("the sample size must be at least 1", gettext_noop("the sample size must be at least 1")),
    ("the number of reserve stations per stratum cannot be negative",
     gettext_noop("the number of reserve stations per stratum cannot be negative")),
    ("no stratum column {columns:text} in the frame (columns: {known:text})",
     gettext_noop("no stratum column %(columns)s in the frame (columns: %(known)s)")),
    # the impossible protocols (pollwatch.stats.pvt.quick_count.impossible_rows, ResultsTable.validate)
    ("issued {issued} > registered {registered}", gettext_noop("issued %(issued)s > registered %(registered)s")),
    ("ballots {ballots} > registered {registered}", gettext_noop("ballots %(ballots)s > registered %(registered)s")),
    ("a candidate's votes {top} > registered {registered}",
     gettext_noop("a candidate's votes %(top)s > registered %(registered)s")),
    ("invalid {invalid} > ballots {ballots}", gettext_noop("invalid %(invalid)s > ballots %(ballots)s")),
    ("candidates' votes {valid} > ballots {ballots}", gettext_noop("candidates' votes %(valid)s > ballots %(ballots)s")),
    ("candidates' sum {sums} ≠ valid {valid} (ballots − invalid)",
     gettext_noop("candidates' sum %(sums)s ≠ valid %(valid)s (ballots − invalid)")),
    # reading a results file (pollwatch.stats.results)
    ("empty station_id", gettext_noop("empty station_id")),
    ("not an integer: {value:text}", gettext_noop("not an integer: %(value)s")),
    ("negative count: {value}", gettext_noop("negative count: %(value)s")),
    ("duplicated station_id (first on line {line})", gettext_noop("duplicated station_id (first on line %(line)s)")),
    # a count report's answers (pollwatch.collection.counts.count_row)
    ("no {field:text}", gettext_noop("no %(field)s")),
    ("{field:text} is not a whole number: {value:text}", gettext_noop("%(field)s is not a whole number: %(value)s")),
    ("{field:text} is negative", gettext_noop("%(field)s is negative")),
]]


def stats_message(text: str) -> str:
    """``text`` (a message of pollwatch.stats) in the active language; unknown messages as they are."""
    for pattern, msgid in MESSAGES:
        match = pattern.fullmatch(text)
        if match:
            return gettext(msgid) % match.groupdict()
    if "; " in text:
        return "; ".join(stats_message(part) for part in text.split("; "))
    return text
