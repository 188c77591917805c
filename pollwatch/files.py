"""Reading a user's file: it exists, it is not too large, it is text, it is UTF-8 — with a message that says which.

Shared by the three readers of user files (tabular imports, ``pollwatch.imports.base.read_table``; official
results in any layout, ``pollwatch.stats.mapping.read_rows``; news items, ``pollwatch.media.analysis.corpus``),
each raising its own error class (``error=``) so its callers keep catching what they caught. No Django: the lowest
layer, usable by the pure statistics.
"""

from __future__ import annotations

from pathlib import Path

BINARY_PROBE = 4096  # a NUL byte in the first 4 KB: not text


def read_bounded(path: str | Path, *, max_bytes: int | None, error: type[Exception], what: str = "") -> bytes:
    """The bytes of ``path``; ``error`` if it is not a file or is larger than ``max_bytes`` (``what``: "for a
    news item", said in the message)."""
    path = Path(path)
    if not path.is_file():
        raise error(f"{path}: no such file")
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise error(f"{path}: {size / 1e6:.1f} MB is too large{' ' + what if what else ''} "
                    f"(limit {max_bytes / 1e6:.0f} MB)")
    return path.read_bytes()


def looks_binary(raw: bytes) -> bool:
    """NUL bytes near the start (UTF-16 text, which starts with its byte-order mark, aside)."""
    return b"\x00" in raw[:BINARY_PROBE] and not raw.startswith((b"\xff\xfe", b"\xfe\xff"))


def decode_utf8(raw: bytes, *, name: str, error: type[Exception], advice: str) -> str:
    """UTF-8 text (a byte-order mark dropped); ``error`` naming the first bad byte and its line, then ``advice``."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise error(f"{name}: not UTF-8 text (invalid byte 0x{raw[exc.start]:02x} on line {line}). {advice}") from None
