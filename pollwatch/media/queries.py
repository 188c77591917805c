"""Media reads for the pages, exports and CLI: the item list, the coding queue, the report per outlet and
period (share of voice, tone, loaded language, claims, contradictions)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, Q

from pollwatch.media.analysis.claims import Claim as ClaimRecord
from pollwatch.media.analysis.claims import find_contradictions
from pollwatch.media.models import Claim, Coding, FlagReview, LoadedTermFlag, MachineCoding, NewsItem
from pollwatch.web.params import date_param, id_param

TONE_ORDER = ("positive", "neutral", "negative")


@dataclass(frozen=True)
class Filters:
    outlet_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    @classmethod
    def from_query(cls, get) -> Filters:
        """The filters of a query; a malformed outlet or date raises BadParameter (a 400 naming it)."""
        return cls(outlet_id=id_param(get, "outlet"), start=date_param(get, "start"), end=date_param(get, "end"))


def items(mission, filters: Filters = Filters()):
    rows = NewsItem.objects.for_mission(mission)
    if filters.outlet_id:
        rows = rows.filter(outlet_id=filters.outlet_id)
    if filters.start:
        rows = rows.filter(date__gte=filters.start)
    if filters.end:
        rows = rows.filter(date__lte=filters.end)
    return rows


def counted_items(mission, filters: Filters = Filters()):
    """Items a report counts: a reprint in the same outlet as its original is the same publication, counted once
    (a reprint in another outlet reached another audience and counts for that outlet)."""
    return items(mission, filters).exclude(reprint_of__isnull=False, reprint_of__outlet=F("outlet"))


def item_list(mission, filters: Filters = Filters()):
    return (items(mission, filters).select_related("outlet", "reprint_of").defer("original", "text")
            .annotate(n_actors=Count("machine_codings", distinct=True), n_flags=Count("loaded_flags", distinct=True),
                      n_coders=Count("codings__coder", distinct=True))
            .order_by("-date", "-pk"))


def codable(mission):
    """Items with something to code: an actor the machine found, or a loaded-term flag."""
    return NewsItem.objects.for_mission(mission).filter(Q(machine_codings__isnull=False) | Q(loaded_flags__isnull=False)).distinct()


def next_item_for(mission, coder, *, after: NewsItem | None = None) -> NewsItem | None:
    """The next item ``coder`` has not coded yet, in date order after ``after`` (wrapping round)."""
    todo = list(codable(mission).exclude(codings__coder=coder).exclude(loaded_flags__reviews__coder=coder)
                .values_list("date", "pk"))

    def key(date, pk):  # undated items last
        return (date is None, date or dt.date.min, pk)

    todo.sort(key=lambda row: key(*row))
    pick = todo[0][1] if todo else None
    if after is not None:
        later = [pk for date, pk in todo if key(date, pk) > key(after.date, after.pk)]
        pick = later[0] if later else next((pk for _, pk in todo if pk != after.pk), None)
    return NewsItem.objects.get(pk=pick) if pick else None


def coding_rows(item: NewsItem, coder) -> tuple[list[dict], list[dict]]:
    """The actor rows (machine proposal, this coder's tone, how many others coded) and the flag rows of the
    coding screen."""
    mine = {c.actor_id: c for c in Coding.objects.filter(item=item, coder=coder)}
    others = Counter(Coding.objects.filter(item=item).exclude(coder=coder).values_list("actor_id", flat=True))
    actors = [{"actor": m.actor, "machine": m, "tone": mine[m.actor_id].tone if m.actor_id in mine else m.tone,
               "coded": m.actor_id in mine, "others": others[m.actor_id]}
              for m in MachineCoding.objects.filter(item=item).select_related("actor")]
    reviews = dict(FlagReview.objects.filter(flag__item=item, coder=coder).values_list("flag_id", "confirmed"))
    flags = [{"flag": f, "confirmed": reviews.get(f.pk, True), "reviewed": f.pk in reviews}
             for f in LoadedTermFlag.objects.filter(item=item)]
    return actors, flags


def final_tones(machine: list[tuple[int, int, str]], codings: list[tuple[int, int, str]]) -> dict[tuple[int, int], str]:
    """The tone a report uses per (item, actor): the monitors' majority; on a tie the machine's proposal if it is
    one of the tied tones, else neutral; with no monitor yet, the machine's proposal."""
    human: dict[tuple[int, int], Counter[str]] = defaultdict(Counter)
    for item_id, actor_id, tone in codings:
        human[(item_id, actor_id)][tone] += 1
    out = {}
    for item_id, actor_id, tone in machine:
        votes = human.get((item_id, actor_id))
        if not votes:
            out[(item_id, actor_id)] = tone
            continue
        top = max(votes.values())
        tied = [t for t, n in votes.items() if n == top]
        out[(item_id, actor_id)] = tied[0] if len(tied) == 1 else (tone if tone in tied else "neutral")
    return out


def report(mission, filters: Filters = Filters()) -> dict:
    """Share of voice, tone per actor, loaded-language counts, claims and contradictions (four queries)."""
    counted = counted_items(mission, filters)
    machine = list(MachineCoding.objects.filter(item__in=counted).values_list(
        "item_id", "actor_id", "actor__name", "item__outlet__name", "words", "mentions", "tone"))
    codings = list(Coding.objects.filter(item__in=counted).values_list("item_id", "actor_id", "tone"))
    tones = final_tones([(i, a, t) for i, a, *_, t in machine], codings)
    coded_units = {(i, a) for i, a, _ in codings}

    words: dict[str, Counter[str]] = defaultdict(Counter)  # outlet → actor → words
    per_actor: dict[str, dict] = {}
    for item_id, actor_id, name, outlet, n_words, mentions, _ in machine:
        words[outlet or "(no outlet)"][name] += n_words
        row = per_actor.setdefault(name, {"actor": name, "items": 0, "words": 0, "mentions": 0, "coded": 0,
                                          **dict.fromkeys(TONE_ORDER, 0)})
        row["items"] += 1
        row["words"] += n_words
        row["mentions"] += mentions
        row[tones[(item_id, actor_id)]] += 1
        row["coded"] += (item_id, actor_id) in coded_units
    total_words = sum(row["words"] for row in per_actor.values())
    actors = sorted(per_actor.values(), key=lambda r: -r["words"])
    for row in actors:
        row["share"] = row["words"] / total_words if total_words else 0.0
    share_of_voice = [{"outlet": outlet, "actor": actor, "words": n, "share": n / sum(by_actor.values())}
                      for outlet, by_actor in sorted(words.items()) for actor, n in by_actor.most_common()]

    flags = (LoadedTermFlag.objects.filter(item__in=counted)
             .annotate(yes=Count("reviews", filter=Q(reviews__confirmed=True)),
                       no=Count("reviews", filter=Q(reviews__confirmed=False)))
             .values_list("item__outlet__name", "category", "yes", "no"))
    loaded: Counter[tuple[str, str]] = Counter()
    rejected = 0
    for outlet, category, yes, no in flags:
        if no > yes:  # the monitors who reviewed it found it was not loaded wording
            rejected += 1
            continue
        loaded[(outlet or "(no outlet)", category)] += 1

    claims = list(Claim.objects.filter(item__in=counted).select_related("source", "item", "item__outlet")
                  .order_by("item__date", "item_id", "position"))
    return {
        "actors": actors, "share_of_voice": share_of_voice, "total_words": total_words,
        "loaded": [{"outlet": o, "category": c, "count": n} for (o, c), n in sorted(loaded.items())],
        "loaded_rejected": rejected, "claims": claims, "contradictions": contradictions(claims),
        "items": counted.count(),
    }


def contradictions(claims: list[Claim]) -> list[dict]:
    """analysis.claims.find_contradictions on stored claims, each side linked back to its row (and item)."""
    records, by_key = [], {}
    for c in claims:
        record = ClaimRecord(source=c.source.key, subject=c.subject, stance=c.stance, sentence=c.sentence)
        records.append(record)
        by_key.setdefault((record.source, record.subject, record.stance, record.sentence), c)

    def row(d: dict) -> Claim:
        return by_key[(d["source"], d["subject"], d["stance"], d["sentence"])]

    return [{"subject": x["subject"], "a": row(x["a"]), "b": row(x["b"])} for x in find_contradictions(records)]
