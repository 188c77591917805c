"""What an attachment is, judged by its bytes — never by the file name or the Content-Type the client sent — and
how it is served.

A phone login could attach ``evil.html`` (or an SVG) to a report; served inline from the app's origin it ran with
the coordinator's session. So:

- on arrival (:func:`sniff_attachment`) the type is read from the file's magic bytes (the ``filetype`` package)
  and held to what the form's upload question accepts (``image/*``, ``audio/*``, ``video/*``, or any file); a
  mismatch refuses the report with a message naming the file and the question. The sniffed type is stored.
- on the way out (:func:`attachment_response`) every file is a download (``Content-Disposition: attachment``),
  with ``X-Content-Type-Options: nosniff`` and a ``sandbox`` CSP, so even a file a browser would render runs
  nothing on our origin. Only raster images the check recognised may be shown inline, and what is shown is a
  re-encoded copy without EXIF/XMP metadata (:func:`photo_without_metadata`: no GPS position, no device serial),
  the form a photo may take outside the mission. The original stays verbatim, the evidence behind its sha256.
"""

from __future__ import annotations

import io
import re
from pathlib import PurePath
from typing import Any

import filetype
from django.http import FileResponse, HttpResponse

OCTET_STREAM = "application/octet-stream"
# The formats a phone camera or a browser upload produces; PSD, DICOM, CAD drawings and the like are not photos.
IMAGE_TYPES = frozenset({
    "image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/avif", "image/tiff", "image/bmp",
})
# Raster formats every browser decodes itself: the only ones ever shown inline (never SVG, which is a document).
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
# ODK Collect records audio as AMR, M4A or 3GP; the last two are MP4/3GPP containers, which the magic bytes call
# video. An audio question accepts those containers too.
AUDIO_CONTAINERS = frozenset({"video/3gpp", "video/mp4"})
# Decoding is how metadata is stripped; a decompression bomb (a small PNG of 50,000 x 50,000 pixels) must not hold
# a worker: a photo of more pixels than this (read from its header, before decoding) is only ever downloaded.
MAX_PIXELS = 40_000_000
SNIFF_BYTES = 8192


class AttachmentRefused(ValueError):
    """The file is not what its question accepts (a 415 at the edge)."""


def sniffed_type(content: bytes) -> str:
    """The MIME type the bytes say they are, or ``application/octet-stream`` when they say nothing known."""
    kind = filetype.guess(content[:SNIFF_BYTES])
    return kind.mime if kind is not None else OCTET_STREAM


def accepts(mediatype: str, mime: str) -> bool:
    """Whether an upload question of ``mediatype`` (the XForm attribute: image/*, audio/*, ...) takes ``mime``."""
    family = (mediatype or "").split("/", 1)[0].strip().lower()
    if family == "image":
        return mime in IMAGE_TYPES
    if family == "audio":
        return mime.startswith("audio/") or mime in AUDIO_CONTAINERS
    if family == "video":
        return mime.startswith("video/")
    return True  # a file question (application/*, */*): any bytes, always served as a download


def _describe(mediatype: str) -> str:
    family = (mediatype or "").split("/", 1)[0].lower()
    return {"image": "a photo (JPEG, PNG, GIF, WebP, HEIC, AVIF, TIFF or BMP)", "audio": "a sound recording",
            "video": "a video"}.get(family, "a file")


def upload_mediatypes(form) -> dict[str, str]:
    """``{question name: mediatype}`` of a form's upload questions.

    Forms imported before questions kept their mediatype are read once more from their XForm.
    """
    fields: list[dict[str, Any]] = list(form.fields or []) if form is not None else []
    binary = [f for f in fields if f.get("type") == "binary"]
    if any("mediatype" not in f for f in binary):
        from pollwatch.collection.xforms import parse_xml, read_fields

        xform = type(form).objects.filter(pk=form.pk).values_list("xform", flat=True).first() or ""
        binary = [f for f in read_fields(parse_xml(xform.encode())) if f.get("type") == "binary"] if xform else []
    return {f["name"]: f.get("mediatype", "") for f in binary}


def sniff_attachment(submission, name: str, content: bytes) -> str:
    """The sniffed MIME type of an attachment of ``submission``; raise :class:`AttachmentRefused` when the report's
    question that names the file accepts another kind of file.

    A file no question names (clients send only the files their answers name, but a forged request need not)
    is held to nothing more than a file question: any bytes, served only as a download.
    """
    mime = sniffed_type(content)
    mediatypes = upload_mediatypes(submission.form)
    for question, value in (submission.values or {}).items():
        if question in mediatypes and _stored_name(str(value)) == name and not accepts(mediatypes[question], mime):
            what = "unrecognised bytes" if mime == OCTET_STREAM else mime
            raise AttachmentRefused(
                f"{name}: the question {question!r} takes {_describe(mediatypes[question])}, and this file is "
                f"{what}. Attach the photo or recording itself."
            )
    return mime


def _stored_name(answer: str) -> str:
    # The name an answer's file is stored under (collection.submissions.safe_file_name's rule).
    return re.sub(r"[^A-Za-z0-9._-]", "_", PurePath(answer.strip()).name)[:200]


def photo_without_metadata(content: bytes) -> bytes | None:
    """The photo re-encoded without EXIF, XMP or comments (GPS position, device serial, time), in its format and
    upright; None when it does not decode (then it is never shown, only downloaded)."""
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(content)) as image:
            fmt = image.format
            if fmt not in {"JPEG", "PNG", "GIF", "WEBP"} or image.width * image.height > MAX_PIXELS:
                return None
            upright = ImageOps.exif_transpose(image)  # the orientation tag goes with the EXIF: apply it first
            out = io.BytesIO()
            options: dict[str, Any] = {"quality": 90} if fmt in {"JPEG", "WEBP"} else {}
            if fmt == "JPEG" and upright.mode not in {"RGB", "L", "CMYK"}:
                upright = upright.convert("RGB")
            # Pillow writes no EXIF, XMP or text chunks unless asked to; an ICC profile only keeps colours right.
            if image.info.get("icc_profile"):
                options["icc_profile"] = image.info["icc_profile"]
            upright.save(out, format=fmt, **options)
            return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # Opened directly, a file gets a unique origin with no scripts, forms or plugins: nothing runs as the user.
    "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'; media-src 'self'",
    # Observers' photos are personal data: no shared or browser cache keeps a copy.
    "Cache-Control": "private, no-store",
}


def attachment_response(attachment, *, inline: bool = False) -> HttpResponse:
    """Serve an attachment: a download of the verbatim bytes, or — asked for ``inline`` and only for a raster photo
    whose bytes are one — the photo without its metadata, shown in the page."""
    with attachment.file.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    mime = sniffed_type(head)
    response: HttpResponse | None = None
    if inline and mime in INLINE_TYPES:
        with attachment.file.open("rb") as handle:
            clean = photo_without_metadata(handle.read())
        if clean is not None:
            response = HttpResponse(clean, content_type=mime)
            response["Content-Disposition"] = "inline"
    if response is None:
        response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name,
                                content_type=mime)
    for header, value in SECURITY_HEADERS.items():
        response[header] = value
    return response


# Metadata that can name or place a person: EXIF (GPS, device serial, owner) and XMP in APP1, IPTC in APP13,
# comments, and the makers' own APPn blocks; JFIF (APP0), ICC colours (APP2) and Adobe's colour flag (APP14) stay.
_JPEG_DROPPED = {0xE1, *range(0xE3, 0xED), 0xED, 0xEF, 0xFE}
_PNG_DROPPED = {b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"}


def without_metadata_lossless(content: bytes) -> bytes | None:
    """A JPEG or PNG with its metadata blocks cut out, pixels untouched (no re-encoding); None when it has none to
    cut, or is another format (retention: ``pollwatch.collection.retention``)."""
    if content.startswith(b"\xff\xd8"):
        return _jpeg_without_metadata(content)
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return _png_without_metadata(content)
    return None


def _jpeg_without_metadata(content: bytes) -> bytes | None:
    out, i, dropped = bytearray(content[:2]), 2, False
    while i + 4 <= len(content) and content[i] == 0xFF:
        marker = content[i + 1]
        if marker == 0xDA:  # start of scan: the image data (and what follows) is copied as it is
            break
        if marker in {0x01, *range(0xD0, 0xD8)} or marker == 0xFF:
            out += content[i:i + 2]
            i += 2
            continue
        end = i + 2 + int.from_bytes(content[i + 2:i + 4], "big")
        if marker in _JPEG_DROPPED:
            dropped = True
        else:
            out += content[i:end]
        i = end
    out += content[i:]
    return bytes(out) if dropped else None


def _png_without_metadata(content: bytes) -> bytes | None:
    out, i, dropped = bytearray(content[:8]), 8, False
    while i + 12 <= len(content):
        length = int.from_bytes(content[i:i + 4], "big")
        end = i + 12 + length
        if content[i + 4:i + 8] in _PNG_DROPPED:
            dropped = True
        else:
            out += content[i:end]
        i = end
    out += content[i:]
    return bytes(out) if dropped else None
