"""Read the documents to compare with the media monitor's readers: text, HTML, CSV (one document per row), PDF
(its text layer) and lists of URLs (fetched only when asked, and then only by the media app's SSRF-safe fetcher:
public web servers only, redirects checked, size and time limits)."""

from __future__ import annotations

from pathlib import Path

from pollwatch.media.analysis.corpus import CorpusError, Fetcher, read_any
from pollwatch.media.fetch import fetch_url


def read_documents(paths: list[Path], *, fetch_urls: bool = False,
                   fetcher: Fetcher = fetch_url) -> tuple[list[tuple[str, str]], list[str]]:
    """``(name, text)`` per readable document, and one message per file or URL that could not be read."""
    docs: list[tuple[str, str]] = []
    errors: list[str] = []
    for path in paths:
        name = str(path)
        try:
            if not path.is_file():
                raise CorpusError(f"{name}: no such file")
            items = read_any(path.name, path.read_bytes(), fetch_urls=fetch_urls, fetcher=fetcher, errors=errors)
        except CorpusError as exc:
            errors.append(str(exc).replace(f"{path.name}:", f"{name}:", 1))
            continue
        except OSError as exc:
            errors.append(f"{name}: cannot be read ({exc.strerror})")
            continue
        for item in items:
            label = item.url or (name if len(items) == 1 else f"{name}#{item.id}")
            docs.append((label, item.text))
    return docs, errors
