"""Numbers as a statement prints them, in the language it is rendered in ("1,512" in English, "1 512" in Russian;
"7.8 %" and "7,8 %"). Sources format through these helpers; services.build_content resolves placeholders under
``translation.override(statement.language)``, so a frozen version stores the numbers as its readers read them."""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext


def integer(value: float) -> str:
    return formats.number_format(round(value), 0, use_l10n=True, force_grouping=True)


def decimal(value: float, places: int = 1) -> str:
    return formats.number_format(round(value, places), places, use_l10n=True, force_grouping=True)


def percent(part: float, whole: float) -> str:
    return f"{decimal(100 * part / whole)} %"


def part_of(part: float, whole: float) -> str:
    """ "41 of 523" """
    return gettext("%(part)s of %(whole)s") % {"part": integer(part), "whole": integer(whole)}


def points(value: float) -> str:
    """A margin of error in percentage points: "± 2.1 points"."""
    return gettext("± %(n)s points") % {"n": decimal(value)}
