"""Import a corpus of news items into a mission: text, HTML (trafilatura) and CSV files, web uploads, and
lists of URLs — fetched only when the caller asks (``fetch_urls=True``), and then only from public web servers
(:mod:`pollwatch.media.fetch`).

Every file is read on its own: a bad one (empty, binary, no article text, unknown encoding, too large) gives one
clear message naming it, and the rest of the batch is imported. The same text imported twice is one item
(idempotent, by content hash); a near-identical item is stored and linked to the earlier one as a reprint.
New items are then analysed (:func:`pollwatch.media.services.do_analyse_items`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from pollwatch.accounts.links import http_url
from pollwatch.accounts.services import do_record_audit
from pollwatch.media.analysis.corpus import (
    CorpusError,
    Fetcher,
    Item,
    fingerprint,
    read_any,
    reprint_candidates,
)
from pollwatch.media.fetch import fetch_url  # the only fetcher of the app: public addresses only (SSRF)
from pollwatch.media.models import NewsItem, Outlet
from pollwatch.media.services import do_analyse_items, do_save_outlet, mission_catalogue

MAX_FILES = 500  # per batch: a bigger corpus goes through the CLI in several runs
MAX_TOTAL_BYTES = 100_000_000  # per batch, read one file at a time


@dataclass
class ImportReport:
    imported: list[NewsItem] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # names whose text is already in the mission
    reprints: list[tuple[NewsItem, NewsItem, float]] = field(default_factory=list)  # (new item, original, score)
    errors: list[str] = field(default_factory=list)  # one message per file or URL that could not be read

    def lines(self) -> list[str]:
        out = [f"imported: {len(self.imported)} item(s)"]
        out += [f"unchanged: {name} (the same text is already imported)" for name in self.unchanged]
        out += [f"reprint: {new} ≈ {old} ({score:.0f}%)" for new, old, score in self.reprints]
        out += [f"skipped: {message}" for message in self.errors]
        return out


def check_import_corpus(mission, files: Iterable[tuple[str, bytes]], *, user=None, outlet: str = "",
                        fetch_urls: bool = False, fetcher: Fetcher | None = None, analyse: bool = True) -> ImportReport:
    """Read each ``(name, bytes)`` and import the items that could be read (see the module docstring).

    ``outlet`` names the outlet of items whose source does not say (CSV ``outlet`` column, HTML site name).
    """
    report = ImportReport()
    items: list[Item] = []
    total = 0
    # ``files`` is consumed one at a time (the upload view and the CLI read each file only when it comes up), so a
    # batch holds one file's bytes at once, plus the texts read so far; MAX_TOTAL_BYTES bounds the whole batch.
    for count, (name, raw) in enumerate(files, start=1):
        if count > MAX_FILES:
            report.errors.append(f"{name} and the files after it: at most {MAX_FILES} files per import")
            break
        total += len(raw)
        if total > MAX_TOTAL_BYTES:
            report.errors.append(f"{name} and the files after it: the batch is over "
                                 f"{MAX_TOTAL_BYTES / 1e6:.0f} MB; import them in another batch")
            break
        try:
            items += read_any(name, raw, fetch_urls=fetch_urls, fetcher=fetcher or fetch_url, errors=report.errors)
        except CorpusError as exc:
            report.errors.append(str(exc))
        del raw
    if items:
        do_import_items(mission, items, default_outlet=outlet.strip()[:200], user=user, report=report)
        if analyse and report.imported:
            do_analyse_items(mission, report.imported)
    return report


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def do_import_items(mission, items: list[Item], *, default_outlet: str = "", user=None,
                    report: ImportReport | None = None) -> ImportReport:
    """Store items (already read): skip texts already in the mission, link near-duplicates to the earlier item."""
    report = report or ImportReport()
    mission_catalogue(mission)  # the first import of a mission loads the bundled actor catalogue
    with transaction.atomic():
        seen = set(NewsItem.objects.for_mission(mission).values_list("content_hash", flat=True))
        pool = [(pk, text) for pk, text in NewsItem.objects.for_mission(mission).values_list("pk", "text")]
        outlets: dict[str, Outlet] = {}
        for item in items:
            digest = fingerprint(item.text)
            if digest in seen:
                report.unchanged.append(item.source_path or item.id)
                continue
            seen.add(digest)
            name = (item.outlet or default_outlet).strip()[:200]
            if name and name not in outlets:
                outlets[name] = do_save_outlet(mission, name, language=item.language, user=user)
            matches = reprint_candidates(item.text, pool)
            original = max(matches, key=lambda m: m[1]) if matches else None
            if original:  # a reprint of a reprint points to the first item of the group
                first = NewsItem.objects.only("reprint_of_id").get(pk=original[0])
                original = (first.reprint_of_id or first.pk, original[1])
            row = NewsItem.objects.create(
                mission=mission, outlet=outlets.get(name), external_id=item.id[:200], date=_date(item.date),
                language=item.language, url=http_url(item.url)[:1000], title=item.title[:300], text=item.text,
                original=item.raw or item.text.encode(), original_name=Path(item.source_path).name[:300] or item.id[:300],
                content_hash=digest, reprint_of_id=original[0] if original else None,
                reprint_similarity=original[1] if original else None, imported_by=user if getattr(user, "pk", None) else None,
            )
            if original:
                report.reprints.append((row, NewsItem.objects.get(pk=original[0]), original[1]))
            pool.append((row.pk, row.text))
            report.imported.append(row)
        do_record_audit("media.import", user=user, mission=mission, detail={
            "imported": len(report.imported), "unchanged": len(report.unchanged), "errors": len(report.errors)})
    return report
