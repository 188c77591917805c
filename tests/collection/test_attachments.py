"""Attachments are judged by their bytes and served so that nothing in them runs on the app's origin (finding 1:
a phone login attached evil.html and it ran with the coordinator's session)."""

from __future__ import annotations

import io

import pytest

from pollwatch.collection.attachments import accepts, photo_without_metadata, sniffed_type
from pollwatch.collection.models import Attachment, Submission

from .conftest import count_xml, photo

SUBMIT = "/m/cis/submission"
EVIL_HTML = b"<html><body><script>fetch('/api/missions/cis/submissions').then(r => r.text())</script></body></html>"
EVIL_SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


def _attach(device, instance_id: str, name: str, content: bytes, ctype: str = "image/jpeg", *, answer: str = ""):
    xml = count_xml(instance_id, photo=name if answer == "" else answer)
    return device("pavel").submit(SUBMIT, xml, files={name: (name, content, ctype)})


@pytest.mark.parametrize("content", [EVIL_HTML, EVIL_SVG], ids=["html", "svg"])
def test_a_script_attached_as_the_protocol_photo_is_refused_and_nothing_is_stored(forms, device, content):
    response = _attach(device, "uuid:evil", "protocol.jpg", content, "image/jpeg")
    assert response.status_code == 415
    assert b"protocol_photo" in response.content and b"takes a photo" in response.content
    assert not Submission.objects.filter(instance_id="uuid:evil").exists()
    assert not Attachment.objects.exists()


def test_a_photo_is_stored_with_the_type_its_bytes_say_not_the_one_the_client_claimed(forms, device):
    assert _attach(device, "uuid:png", "p.png", photo(fmt="PNG"), "text/html").status_code == 201
    assert Attachment.objects.get().content_type == "image/png"


def test_a_file_no_answer_names_is_stored_but_only_ever_downloaded(forms, device, login, world):
    response = _attach(device, "uuid:stray", "evil.html", EVIL_HTML, "text/html", answer="p.jpg")
    assert response.status_code == 201
    att = Attachment.objects.get()
    assert att.content_type == "application/octet-stream"
    served = login(world.boris).get(f"/missions/cis/attachments/{att.pk}?inline=1")
    assert served.status_code == 200
    assert served["Content-Disposition"].startswith("attachment")
    assert served["Content-Type"] == "application/octet-stream"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"].startswith("sandbox")
    assert "no-store" in served["Cache-Control"]
    assert b"".join(served.streaming_content) == EVIL_HTML


def test_an_old_attachment_stored_with_the_clients_type_is_still_not_served_inline(forms, device, login, world):
    # Rows stored before types were sniffed carry whatever the phone said: serving reads the bytes again.
    _attach(device, "uuid:legacy", "stray.bin", b"x", answer="p.jpg")
    att = Attachment.objects.get()
    att.file.storage.save(att.file.name + ".html", io.BytesIO(EVIL_HTML))
    Attachment.objects.filter(pk=att.pk).update(content_type="image/jpeg", file=att.file.name + ".html")
    served = login(world.boris).get(f"/missions/cis/attachments/{att.pk}?inline=1")
    assert served["Content-Disposition"].startswith("attachment")
    assert served["Content-Type"] == "application/octet-stream"


def test_a_photo_is_shown_inline_without_its_gps_position_and_downloaded_verbatim(forms, device, login, world):
    from PIL import Image

    original = photo(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the fixture really has a position
    _attach(device, "uuid:gps", "p.jpg", original)
    att = Attachment.objects.get()
    boris = login(world.boris)
    page = boris.get(f"/missions/cis/submissions/{att.submission_id}/")
    assert f'/missions/cis/attachments/{att.pk}?inline=1"'.encode() in page.content
    shown = boris.get(f"/missions/cis/attachments/{att.pk}?inline=1")
    assert shown["Content-Disposition"] == "inline" and shown["Content-Type"] == "image/jpeg"
    assert shown["Content-Security-Policy"].startswith("sandbox") and shown["X-Content-Type-Options"] == "nosniff"
    exif = Image.open(io.BytesIO(shown.content)).getexif()
    assert not exif.get_ifd(0x8825) and 0x010F not in exif
    download = boris.get(f"/missions/cis/attachments/{att.pk}")
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == original  # the evidence stays byte for byte


def test_a_decompression_bomb_is_never_decoded_only_downloaded():
    # A PNG header declaring 7,000 x 7,000 pixels: 57 bytes sent, 147 MB once decoded.
    import struct
    import zlib

    header = struct.pack(">IIBBBBB", 7000, 7000, 8, 2, 0, 0, 0)
    bomb = (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(header)) + b"IHDR" + header
            + struct.pack(">I", zlib.crc32(b"IHDR" + header)))
    assert sniffed_type(bomb) == "image/png"
    assert photo_without_metadata(bomb) is None


def test_another_missions_attachment_is_a_404(forms, device, login, world):
    _attach(device, "uuid:mine", "p.jpg", photo())
    att = Attachment.objects.get()
    assert login(world.alice).get(f"/missions/odihr/attachments/{att.pk}").status_code == 404


@pytest.mark.parametrize(("mediatype", "mime", "ok"), [
    ("image/*", "image/jpeg", True), ("image/*", "image/heic", True), ("image/*", "application/octet-stream", False),
    ("image/*", "application/pdf", False), ("image/*", "video/mp4", False),
    ("audio/*", "audio/amr", True), ("audio/*", "video/3gpp", True), ("audio/*", "image/png", False),
    ("video/*", "video/mp4", True), ("video/*", "audio/mpeg", False),
    ("application/*", "application/pdf", True), ("application/*", "application/octet-stream", True),
])
def test_each_kind_of_upload_question_accepts_its_own_files(mediatype, mime, ok):
    assert accepts(mediatype, mime) is ok


def test_types_are_read_from_magic_bytes():
    assert sniffed_type(photo()) == "image/jpeg"
    assert sniffed_type(b"%PDF-1.7\n...") == "application/pdf"
    assert sniffed_type(EVIL_SVG) == sniffed_type(EVIL_HTML) == "application/octet-stream"
