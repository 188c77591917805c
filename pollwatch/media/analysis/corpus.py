"""Read news items from text, HTML, CSV and PDF files and lists of URLs; detect encodings; find reprints.

URL lists are fetched only when the caller asks (``fetch_urls=True``): nothing here touches the network
otherwise.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pollwatch.files import looks_binary, read_bounded
from pollwatch.media.analysis.text import normalise, paragraphs, sentences

MAX_BYTES = 5_000_000  # a news item is a few KB; above this it is not an article but a dump
MAX_PDF_BYTES = 20_000_000  # a statement or final report as PDF (fonts, a logo) is larger than an article
MAX_PDF_PAGES = 150  # a final report is 30-60 pages; a 200-page PDF is a compendium, not one statement
URL_LINE = re.compile(r"^https?://\S+$")

Fetcher = Callable[[str], bytes]
DATE_RE = re.compile(
    r"\b(\d{4}-\d{2}-\d{2}|\d{1,2} (?:January|February|March|April|May|June|July|August|September|"
    r"October|November|December) \d{4})\b"
)
MONTHS = {m: i for i, m in enumerate(
    "January February March April May June July August September October November December".split(), 1)}


class CorpusError(ValueError):
    """A file that cannot be read as a news item; the message names the reason."""


@dataclass
class Item:
    id: str
    text: str
    title: str = ""
    outlet: str = ""
    date: str = ""
    language: str = "en"
    url: str = ""
    source_path: str = ""
    raw: bytes = field(default=b"", repr=False)

    def paragraphs(self) -> list[str]:
        return [p.strip() for p in re.split(r"\n\s*\n|\n", self.text) if p.strip()]


def _first_sentence(line: str) -> str:
    """The first sentence of a line, by the splitter the analysis uses (analysis.text)."""
    for para in paragraphs(normalise(line)):  # one character for one: offsets into ``line``
        first = sentences(para)
        return line[first[0].start:first[0].end].strip() if first else para.text.strip()
    return ""


def decode(raw: bytes, *, name: str = "file") -> str:
    """Decode bytes: UTF-8 (with or without BOM), else the charset_normalizer guess; reject binary."""
    if not raw.strip():
        raise CorpusError(f"{name}: empty file")
    if looks_binary(raw):
        raise CorpusError(f"{name}: binary file (NUL bytes), not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise CorpusError(f"{name}: unknown encoding (not UTF-8 and no other encoding fits)")
    text = str(best)
    printable = sum(ch.isprintable() or ch.isspace() for ch in text[:4096])
    if printable < 0.95 * len(text[:4096]):
        raise CorpusError(f"{name}: binary or unknown encoding")
    return text


def _guess_date(text: str) -> str:
    m = DATE_RE.search(text[:300])
    if not m:
        return ""
    value = m.group(1)
    if "-" in value:
        return value
    day, month, year = value.split()
    return f"{year}-{MONTHS[month]:02d}-{int(day):02d}"


def _guess_language(text: str) -> str:
    cyr = sum("а" <= ch.lower() <= "я" or ch in "ёЁ" for ch in text[:2000])
    lat = sum("a" <= ch.lower() <= "z" for ch in text[:2000])
    return "ru" if cyr > lat else "en"


def item_from_text(text: str, *, id: str, title: str = "", outlet: str = "", date: str = "", url: str = "",
                   raw: bytes = b"", source_path: str = "") -> Item:
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise CorpusError(f"{id}: no text")
    if not title:
        first = next((p for p in text.split("\n") if p.strip() and not DATE_RE.search(p)), "")
        title = _first_sentence(first)[:120] if first else ""
    return Item(id=id, text=text, title=title, outlet=outlet, date=date or _guess_date(text),
                language=_guess_language(text), url=url, raw=raw or text.encode(), source_path=source_path)


def read_html(raw: bytes, *, name: str) -> list[Item]:
    import trafilatura

    html = decode(raw, name=name)
    text = trafilatura.extract(html, include_comments=False) or ""
    if len(text.split()) < 5:
        raise CorpusError(f"{name}: HTML with no article text")
    meta = trafilatura.extract_metadata(html)
    return [item_from_text(text, id=Path(name).stem, title=(meta.title if meta and meta.title else ""),
                           outlet=(meta.sitename if meta and meta.sitename else ""),
                           date=(meta.date if meta and meta.date else ""), url=(meta.url if meta and meta.url else ""),
                           raw=raw, source_path=name)]


def read_csv(raw: bytes, *, name: str) -> list[Item]:
    """A CSV of items: a ``text`` column is required; ``id``, ``title``, ``outlet``, ``date``, ``url`` optional."""
    rows = list(csv.DictReader(io.StringIO(decode(raw, name=name))))
    if not rows or "text" not in rows[0]:
        raise CorpusError(f"{name}: CSV needs a 'text' column")
    items = []
    for n, row in enumerate(rows, 1):
        if not (row.get("text") or "").strip():
            continue
        items.append(item_from_text(row["text"], id=row.get("id") or f"{Path(name).stem}:{n}",
                                    title=row.get("title") or "", outlet=row.get("outlet") or "",
                                    date=row.get("date") or "", url=row.get("url") or "", source_path=name))
    if not items:
        raise CorpusError(f"{name}: CSV has no rows with text")
    return items


def read_path(path: str | Path) -> list[Item]:
    """Read one file into items (one for text/HTML/PDF, one per row for CSV). Raises CorpusError."""
    path = Path(path)
    limit = MAX_PDF_BYTES if path.suffix.lower() == ".pdf" else MAX_BYTES
    return read_bytes(read_bounded(path, max_bytes=limit, error=CorpusError, what="for a news item"), name=str(path))


def is_pdf(raw: bytes) -> bool:
    return raw[:1024].lstrip().startswith(b"%PDF-")


def read_pdf(raw: bytes, *, name: str) -> list[Item]:
    """The text layer of a PDF (pypdf), one item; a scanned PDF without text, an encrypted or broken one, or
    one of more than MAX_PDF_PAGES pages is refused with the reason."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise CorpusError(f"{name}: encrypted PDF; save an unprotected copy first")
        pages = len(reader.pages)
        if pages == 0:
            raise CorpusError(f"{name}: PDF with no pages")
        if pages > MAX_PDF_PAGES:
            raise CorpusError(f"{name}: PDF of {pages} pages; at most {MAX_PDF_PAGES} pages are read as one "
                              "document (split it, or pass the pages with the statement)")
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, CorpusError):
            raise
        raise CorpusError(f"{name}: unreadable PDF ({exc})") from exc
    # pypdf breaks lines at the page's line ends: a blank line separates paragraphs, a single break is a space
    text = re.sub(r"-\n(?=[a-zа-яё])", "", text)
    text = re.sub(r"(?<![.!?:\n\"”»])\n(?!\n)", " ", text)
    if len(text.split()) < 5:
        raise CorpusError(f"{name}: PDF with no text layer (a scan?); run OCR on it first")
    return [item_from_text(text, id=Path(name).stem, raw=raw, source_path=name)]


def read_bytes(raw: bytes, *, name: str) -> list[Item]:
    """Read the content of one file called ``name`` (an upload, a fetched page): text, HTML, CSV or PDF."""
    if is_pdf(raw) or Path(name).suffix.lower() == ".pdf":
        if len(raw) > MAX_PDF_BYTES:
            raise CorpusError(f"{name}: {len(raw) / 1e6:.1f} MB is too large (limit {MAX_PDF_BYTES / 1e6:.0f} MB)")
        if not raw.strip():
            raise CorpusError(f"{name}: empty file")
        return read_pdf(raw, name=name)
    if len(raw) > MAX_BYTES:
        raise CorpusError(f"{name}: {len(raw) / 1e6:.1f} MB is too large for a news item (limit {MAX_BYTES / 1e6:.0f} MB)")
    suffix = Path(name).suffix.lower()
    if suffix in (".html", ".htm") or raw.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        return read_html(raw, name=name)
    if suffix == ".csv":
        return read_csv(raw, name=name)
    text = decode(raw, name=name)
    return [item_from_text(text, id=Path(name).stem, raw=raw, source_path=name)]


def is_url_list(raw: bytes) -> bool:
    """A text file whose every non-empty line is an http(s) URL."""
    try:
        lines = [line.strip() for line in raw.decode("utf-8-sig").splitlines() if line.strip()]
    except UnicodeDecodeError:
        return False
    return bool(lines) and all(URL_LINE.match(line) for line in lines)


def read_any(name: str, raw: bytes, *, fetch_urls: bool = False, fetcher: Fetcher | None = None,
             errors: list[str] | None = None) -> list[Item]:
    """Read one named file of any supported kind, including a list of URLs (fetched only when
    ``fetch_urls``; each page that fails is appended to ``errors`` and the rest are read)."""
    if not is_url_list(raw):
        return read_bytes(raw, name=name)
    urls = [line.strip() for line in raw.decode("utf-8-sig").splitlines() if line.strip()]
    if not fetch_urls:
        raise CorpusError(f"{name}: a list of {len(urls)} URL(s), not fetched (ask for it: --fetch-urls, "
                          "or tick 'fetch the URLs' on the import page)")
    if fetcher is None:  # this library fetches nothing itself: the app's fetcher is SSRF-safe (pollwatch.media.fetch)
        raise TypeError("read_any(fetch_urls=True) needs a fetcher, e.g. pollwatch.media.fetch.fetch_url")
    items: list[Item] = []
    for url in urls:
        try:
            body = fetcher(url)
            as_name = url if url.lower().endswith((".html", ".htm", ".pdf")) or is_pdf(body) else f"{url}.html"
            page = read_bytes(body, name=as_name)
        except CorpusError as exc:
            if errors is None:
                raise
            errors.append(str(exc).replace(f"{url}.html:", f"{url}:"))
            continue
        for item in page:
            item.url = item.url or url
            item.source_path = url
        items += page
    return items


def fingerprint(text: str) -> str:
    return hashlib.sha256(re.sub(r"\W+", " ", text.lower()).strip().encode()).hexdigest()


def find_reprints(items: list[Item], *, threshold: float = 90.0) -> list[tuple[str, str, float]]:
    """Pairs of near-identical items (rapidfuzz token-set ratio ≥ threshold): ``(id_a, id_b, score)``."""
    order = {item.id: n for n, item in enumerate(items)}
    pairs = []
    for i, a in enumerate(items):
        pool = [(b.id, b.text) for b in items[:i]]
        pairs += [(b, a.id, score) for b, score in reprint_candidates(a.text, pool, threshold=threshold)]
    return sorted(pairs, key=lambda p: order[p[0]])  # (earlier, later) in reading order, as before


def reprint_candidates(text: str, pool: list[tuple[str, str]], *, threshold: float = 90.0) -> list[tuple[str, float]]:
    """The keys of ``pool`` entries ``(key, text)`` that ``text`` nearly repeats (token-set ratio ≥ threshold),
    with the score, in pool order; comparing one new item to a corpus is O(len(pool))."""
    from rapidfuzz import fuzz

    out = []
    for key, other in pool:
        score = fuzz.token_set_ratio(text, other)
        if score >= threshold:
            out.append((key, round(score, 1)))
    return out
