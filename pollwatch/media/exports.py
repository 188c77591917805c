"""Exports of the media report as CSV (streamed) or XLSX, through the same writers as the election-day exports.

Each export is ``(mission, filters) -> (header, rows)`` over the items the report counts for that outlet and
period, so a spreadsheet shows exactly the numbers of the page.
"""

from __future__ import annotations

from django.db.models import Count, Q

from pollwatch.media import queries
from pollwatch.media.models import Claim, Coding, LoadedTermFlag, MachineCoding


def item_rows(mission, filters):
    header = ["id", "date", "outlet", "ownership", "language", "title", "url", "reprint_of", "external_id"]
    data = queries.items(mission, filters).order_by("date", "pk").values_list(
        "pk", "date", "outlet__name", "outlet__ownership", "language", "title", "url", "reprint_of", "external_id")
    return header, data.iterator(chunk_size=2000)


def actor_rows(mission, filters):
    """One row per item and actor: the machine's coding and the tone the report uses (monitors' majority)."""
    header = ["item", "date", "outlet", "actor", "mentions", "words", "direct_speech", "reported_speech",
              "machine_tone", "tone", "monitors"]
    counted = queries.counted_items(mission, filters)
    machine = list(MachineCoding.objects.filter(item__in=counted).order_by("item__date", "item_id", "-words").values_list(
        "item_id", "item__date", "item__outlet__name", "actor_id", "actor__name", "mentions", "words", "direct_speech",
        "reported_speech", "tone"))
    codings = list(Coding.objects.filter(item__in=counted).values_list("item_id", "actor_id", "tone"))
    final = queries.final_tones([(r[0], r[3], r[-1]) for r in machine], codings)
    monitors: dict = {}
    for item_id, actor_id, _ in codings:
        monitors[(item_id, actor_id)] = monitors.get((item_id, actor_id), 0) + 1
    return header, ([i, d, o, name, m, w, ds, rs, t, final[(i, a)], monitors.get((i, a), 0)]
                    for i, d, o, a, name, m, w, ds, rs, t in machine)


def share_rows(mission, filters):
    header = ["outlet", "actor", "words", "share"]
    return header, ([r["outlet"], r["actor"], r["words"], round(r["share"], 4)]
                    for r in queries.report(mission, filters)["share_of_voice"])


def loaded_rows(mission, filters):
    header = ["item", "date", "outlet", "term", "category", "sentence", "confirmed", "rejected"]
    rows = (LoadedTermFlag.objects.filter(item__in=queries.counted_items(mission, filters))
            .annotate(yes=Count("reviews", filter=Q(reviews__confirmed=True)),
                      no=Count("reviews", filter=Q(reviews__confirmed=False)))
            .order_by("item__date", "item_id", "position")
            .values_list("item_id", "item__date", "item__outlet__name", "term", "category", "sentence", "yes", "no"))
    return header, rows.iterator(chunk_size=2000)


def claim_rows(mission, filters):
    header = ["item", "date", "outlet", "source", "speaker", "subject", "stance", "direct", "sentence"]
    rows = (Claim.objects.filter(item__in=queries.counted_items(mission, filters))
            .order_by("item__date", "item_id", "position")
            .values_list("item_id", "item__date", "item__outlet__name", "source__name", "speaker__name", "subject",
                         "stance", "direct", "sentence"))
    return header, rows.iterator(chunk_size=2000)


def contradiction_rows(mission, filters):
    header = ["subject", "source_a", "stance_a", "item_a", "sentence_a", "source_b", "stance_b", "item_b", "sentence_b"]
    claims = queries.report(mission, filters)["claims"]
    return header, ([x["subject"], x["a"].source.name, x["a"].stance, x["a"].item_id, x["a"].sentence,
                     x["b"].source.name, x["b"].stance, x["b"].item_id, x["b"].sentence]
                    for x in queries.contradictions(claims))


EXPORTS = {"items": item_rows, "actors": actor_rows, "share-of-voice": share_rows, "loaded-terms": loaded_rows,
           "claims": claim_rows, "contradictions": contradiction_rows}
