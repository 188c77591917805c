"""Media writes: the mission's actor catalogue, the machine's analysis of items, monitors' codings, outlets.

Importing a corpus (files, uploads, CSV, fetched URLs) is in :mod:`pollwatch.media.importers`; reads for the
pages are in :mod:`pollwatch.media.queries`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from pollwatch.accounts.services import do_record_audit
from pollwatch.media.analysis.actors import Actor as CatalogueActor
from pollwatch.media.analysis.actors import Catalogue, load_catalogue
from pollwatch.media.models import (
    Actor,
    Claim,
    Coding,
    FlagReview,
    LoadedTermFlag,
    MachineCoding,
    NewsItem,
    Outlet,
    Tone,
)

TONES = frozenset(Tone.values)


# --- actor catalogue ---------------------------------------------------------------------------------------

def check_load_actor_catalogue(mission, path: str | Path | None = None, *, user=None) -> int:
    """Load a TOML catalogue (``None``: the bundled Azerbaijan 2024 one) into the mission; ValueError if bad."""
    return do_load_actor_catalogue(mission, load_catalogue(path), user=user)


def do_load_actor_catalogue(mission, catalogue: Catalogue, *, user=None) -> int:
    """Upsert the catalogue's actors by key (aliases replaced); actors not in it are kept. Returns the count."""
    with transaction.atomic():
        for a in catalogue.actors.values():
            Actor.objects.update_or_create(mission=mission, key=a.id, defaults={
                "name": a.name, "kind": a.kind, "aliases": list(a.aliases), "generic": list(a.generic),
                "speaks_for": a.speaks_for, "role": a.role})
        do_record_audit("media.catalogue", user=user, mission=mission, detail={"actors": len(catalogue.actors)})
    return len(catalogue.actors)


def mission_catalogue(mission) -> Catalogue:
    """The mission's actors as the analysis library's catalogue; the bundled one is loaded the first time."""
    if not Actor.objects.for_mission(mission).exists():
        check_load_actor_catalogue(mission)
    actors = {a.key: CatalogueActor(id=a.key, name=a.name, kind=a.kind, aliases=tuple(a.aliases),
                                    generic=tuple(a.generic), speaks_for=a.speaks_for, role=a.role)
              for a in Actor.objects.for_mission(mission)}
    return Catalogue(actors=actors, mission=mission.slug)


# --- outlets -------------------------------------------------------------------------------------------------

def check_save_outlet(mission, name: str, *, ownership: str = "", language: str = "", kind: str = "", user=None) -> Outlet:
    name = (name or "").strip()[:200]
    if not name:
        raise ValueError("an outlet needs a name")
    if ownership and ownership not in Outlet.Ownership.values:
        raise ValueError(f"ownership must be one of {', '.join(Outlet.Ownership.values)}")
    if kind and kind not in Outlet.Kind.values:
        raise ValueError(f"outlet kind must be one of {', '.join(Outlet.Kind.values)}")
    return do_save_outlet(mission, name, ownership=ownership, language=language.strip()[:8], kind=kind, user=user)


def do_save_outlet(mission, name: str, *, ownership: str = "", language: str = "", kind: str = "", user=None) -> Outlet:
    """Create the outlet or update the attributes given (empty ones are left as they are)."""
    with transaction.atomic():
        outlet, created = Outlet.objects.get_or_create(mission=mission, name=name)
        changed = {k: v for k, v in (("ownership", ownership), ("language", language), ("kind", kind)) if v}
        if changed:
            for key, value in changed.items():
                setattr(outlet, key, value)
            outlet.save(update_fields=list(changed))
        if created or changed:
            do_record_audit("media.outlet", user=user, mission=mission, obj=outlet, detail=changed)
    return outlet


# --- the machine's analysis ----------------------------------------------------------------------------------

def do_analyse_items(mission, items: Iterable[NewsItem], *, tagger: str = "vader") -> int:
    """Run the automatic coding on ``items`` and store it, replacing the previous machine coding.

    Loaded-term flags that the new run finds again keep their rows (and so monitors' reviews of them).
    """
    from pollwatch.media.analysis.base import get_tagger
    from pollwatch.media.analysis.corpus import Item
    from pollwatch.media.analysis.pipeline import analyze_item

    catalogue = mission_catalogue(mission)
    tone_tagger = get_tagger(tagger)
    actor_pk = dict(Actor.objects.for_mission(mission).values_list("key", "pk"))
    n = 0
    with transaction.atomic():
        for item in items:
            coded = analyze_item(Item(id=str(item.pk), text=item.text, title=item.title, language=item.language),
                                 catalogue, tone_tagger)
            MachineCoding.objects.filter(item=item).delete()
            MachineCoding.objects.bulk_create(
                MachineCoding(item=item, actor_id=actor_pk[key], mentions=c["mentions"], words=c["words"],
                              direct_speech=c["direct_speech"], reported_speech=c["reported_speech"], tone=c["tone"])
                for key, c in coded["actors"].items())
            _store_flags(item, coded["loaded_terms"])
            Claim.objects.filter(item=item).delete()
            Claim.objects.bulk_create(
                Claim(item=item, position=i, source_id=actor_pk[c["source"]],
                      speaker_id=actor_pk.get(c["speaker"]), subject=c["subject"], stance=c["stance"],
                      sentence=c["sentence"], direct=c["direct"])
                for i, c in enumerate(coded["claims"]))
            item.analysed_at = timezone.now()
            item.tagger = tone_tagger.name
            item.save(update_fields=["analysed_at", "tagger"])
            n += 1
        do_record_audit("media.analyse", mission=mission, detail={"items": n, "tagger": tone_tagger.name})
    return n


def _store_flags(item: NewsItem, terms: list[dict]) -> None:
    old = {(f.term, f.category, f.sentence): f for f in LoadedTermFlag.objects.filter(item=item)}
    keep, new = [], []
    for position, t in enumerate(terms):
        flag = old.pop((t["term"][:200], t["category"], t["sentence"]), None)
        if flag is not None:
            flag.position = position
            keep.append(flag)
        else:
            new.append(LoadedTermFlag(item=item, position=position, term=t["term"][:200], category=t["category"],
                                      sentence=t["sentence"]))
    LoadedTermFlag.objects.filter(pk__in=[f.pk for f in old.values()]).delete()
    LoadedTermFlag.objects.bulk_update(keep, ["position"])
    LoadedTermFlag.objects.bulk_create(new)


# --- monitors' coding ----------------------------------------------------------------------------------------

def check_code_item(item: NewsItem, coder, *, tones: dict[int, str], flags: dict[int, bool] | None = None) -> int:
    """Validate a monitor's coding of one item: tones by actor pk (actors the machine found in it, or any
    actor of the mission the monitor adds), loaded-term verdicts by flag pk (flags of this item)."""
    flags = flags or {}
    bad = sorted({t for t in tones.values() if t not in TONES})
    if bad:
        raise ValueError(f"tone must be positive, neutral or negative, not {', '.join(bad)}")
    known_actors = set(Actor.objects.for_mission(item.mission).filter(pk__in=tones).values_list("pk", flat=True))
    if set(tones) - known_actors:
        raise ValueError("no such actor in this mission")
    if set(flags) - set(item.loaded_flags.filter(pk__in=flags).values_list("pk", flat=True)):
        raise ValueError("no such loaded-term flag in this item")
    if not tones and not flags:
        raise ValueError("nothing to code")
    return do_code_item(item, coder, tones=tones, flags=flags)


def do_code_item(item: NewsItem, coder, *, tones: dict[int, str], flags: dict[int, bool]) -> int:
    """Store (or replace) ``coder``'s tone per actor and flag verdicts; the machine's proposal is kept with each."""
    proposed = dict(MachineCoding.objects.filter(item=item).values_list("actor_id", "tone"))
    with transaction.atomic():
        for actor_id, tone in tones.items():
            Coding.objects.update_or_create(item=item, actor_id=actor_id, coder=coder, defaults={
                "tone": tone, "proposed_tone": proposed.get(actor_id, "")})
        for flag_id, confirmed in flags.items():
            FlagReview.objects.update_or_create(flag_id=flag_id, coder=coder, defaults={"confirmed": confirmed})
        overrides = sum(tone != proposed.get(a) for a, tone in tones.items())
        do_record_audit("media.code", user=coder, mission=item.mission, obj=item,
                        detail={"actors": len(tones), "overrides": overrides, "flags": len(flags)})
    return len(tones) + len(flags)
