"""Collection helpers on top of the named world: the demo forms in ``cis`` and ``odihr``, device logins, a Digest client.

``pavel`` is CIS-001's device (deployed at S111), ``ingrid`` is ODI-001's device.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pollwatch.collection import digest

DEMO_FORMS = Path(__file__).resolve().parents[2] / "pollwatch" / "collection" / "demo_forms"
PIN = "24681357"


@pytest.fixture(autouse=True)
def _media_root_and_fresh_caches(settings, tmp_path):
    from pollwatch.collection.openrosa import forget_credentials
    from pollwatch.collection.submissions import forget_forms

    settings.MEDIA_ROOT = tmp_path / "media"
    forget_credentials()
    forget_forms()


@pytest.fixture
def forms(world):
    from pollwatch.collection.services import check_import_form

    out = {}
    for mission in (world.cis, world.odihr):
        for path in sorted(DEMO_FORMS.glob("*.xlsx")):
            form, _ = check_import_form(mission, path.read_bytes(), filename=path.name)
            out[(mission.slug, form.form_id)] = form
    return out


@pytest.fixture
def devices(world):
    from pollwatch.collection.services import do_set_device_credential

    do_set_device_credential(world.observers["CIS-001"], username="pavel", password=PIN)
    do_set_device_credential(world.observers["ODI-001"], username="ingrid", password=PIN)
    return {"pavel": PIN, "ingrid": PIN}


class DigestClient:
    """Django's test client speaking Digest like ODK Collect: ask, get challenged, answer."""

    def __init__(self, client, username: str, password: str):
        self.client, self.username, self.password = client, username, password

    def _auth(self, method: str, path: str, **extra) -> dict[str, str]:
        challenge = self.client.head(path, **extra)
        assert challenge.status_code == 401
        header = digest.authorization_header(self.username, self.password, method=method, uri=path,
                                             www_authenticate=challenge["WWW-Authenticate"])
        return {"HTTP_AUTHORIZATION": header, **extra}

    def get(self, path: str, **extra):
        return self.client.get(path, **self._auth("GET", path, **extra))

    def head(self, path: str):
        return self.client.head(path, **self._auth("HEAD", path))

    def submit(self, path: str, xml: bytes | str, files: dict[str, tuple[str, bytes, str]] | None = None):
        from django.core.files.uploadedfile import SimpleUploadedFile

        xml = xml.encode() if isinstance(xml, str) else xml
        data = {"xml_submission_file": SimpleUploadedFile("submission.xml", xml, content_type="text/xml")}
        for key, (name, content, ctype) in (files or {}).items():
            data[key] = SimpleUploadedFile(name, content, content_type=ctype)
        return self.client.post(path, data, **self._auth("POST", path))


@pytest.fixture
def device(client, devices):
    return lambda username: DigestClient(client, username, devices[username])


def count_xml(instance_id: str, *, station: str = "S111", ballots: int = 512, deprecated: str = "",
              form_id: str = "count_form", version: str = "2024020701", photo: str = "") -> str:
    meta = f"<instanceID>{instance_id}</instanceID>" + (f"<deprecatedID>{deprecated}</deprecatedID>" if deprecated else "")
    return (
        f'<data xmlns:jr="http://openrosa.org/javarosa" id="{form_id}" version="{version}">'
        f"<station_code>{station}</station_code><observer_code/><registered>800</registered>"
        f"<ballots_cast>{ballots}</ballots_cast><invalid>12</invalid><votes_mammadov>300</votes_mammadov>"
        f"<votes_aliyeva>200</votes_aliyeva><protocol_posted>yes</protocol_posted>"
        f"<protocol_photo>{photo}</protocol_photo><meta>{meta}</meta></data>"
    )


def photo(*, gps: bool = False, fmt: str = "JPEG", size: tuple[int, int] = (8, 8)) -> bytes:
    """A real (tiny) photo, optionally with the GPS position and phone make a camera writes into its EXIF."""
    import io

    from PIL import Image

    image = Image.new("RGB", size, "red")
    exif = Image.Exif()
    if gps:
        exif[0x010F] = "PhoneMaker"  # Make
        position = exif.get_ifd(0x8825)  # the GPS IFD
        position.update({1: "N", 2: (40.0, 26.0, 0.0), 3: "E", 4: (49.0, 52.0, 0.0)})
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)
    return out.getvalue()
