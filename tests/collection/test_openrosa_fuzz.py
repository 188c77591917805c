"""Hostile XML over OpenRosa gets a clear 4xx and stores nothing: malformed documents, XXE, billion laughs, deep
nesting, huge attributes (item 10's fuzzing of the OpenRosa endpoint)."""

from __future__ import annotations

import random

import pytest

from pollwatch.collection.models import Submission

from .conftest import count_xml

SUBMIT = "/m/cis/submission"
XXE = ('<?xml version="1.0"?><!DOCTYPE data [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       '<data id="count_form" version="2024020701"><station_code>&xxe;</station_code>'
       "<meta><instanceID>uuid:xxe</instanceID></meta></data>")
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
          + ']><data id="count_form" version="2024020701"><station_code>&lol9;</station_code>'
          "<meta><instanceID>uuid:lol</instanceID></meta></data>")
PARAMETER_ENTITY = ('<?xml version="1.0"?><!DOCTYPE data [<!ENTITY % ext SYSTEM "http://127.0.0.1:9/x.dtd"> %ext;]>'
                    '<data id="count_form" version="2024020701"><meta><instanceID>uuid:pe</instanceID></meta></data>')
DEEP = ('<data id="count_form" version="2024020701">' + "<g>" * 100_000 + "x" + "</g>" * 100_000
        + "<meta><instanceID>uuid:deep</instanceID></meta></data>")
HOSTILE = {
    "xxe": XXE, "billion-laughs": LAUGHS, "parameter-entity": PARAMETER_ENTITY, "deep-nesting": DEEP,
    "not-xml": "this is not XML at all", "truncated": count_xml("uuid:cut")[:-20], "empty": "",
    "binary": "\x00\x01\x02garbage", "no-instance-id": '<data id="count_form" version="2024020701"/>',
    "huge-attribute": f'<data id="{"x" * 1_000_000}" version="1"><meta><instanceID>uuid:a</instanceID></meta></data>',
    "wrong-encoding": '<?xml version="1.0" encoding="latin-1"?><data id="count_form">\xe9</data>',
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_xml_gets_a_4xx_with_a_message_and_stores_nothing(forms, device, name):
    response = device("pavel").submit(SUBMIT, HOSTILE[name].encode("latin-1", "replace")
                                      if name == "wrong-encoding" else HOSTILE[name])
    assert 400 <= response.status_code < 500, (name, response.status_code, response.content[:200])
    assert b"OpenRosaResponse" in response.content and b"Traceback" not in response.content
    assert b"root:" not in response.content  # nothing of /etc/passwd
    assert not Submission.objects.exists()


def test_random_mutations_of_a_good_report_never_cause_a_server_error(forms, device):
    rng = random.Random(20240207)  # a literal seed: the same 150 mutants every run
    good = count_xml("uuid:seed").encode()
    for i in range(150):
        mutant = bytearray(good)
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(len(mutant))
            action = rng.choice(("flip", "delete", "insert"))
            if action == "flip":
                mutant[at] = rng.randrange(256)
            elif action == "delete":
                del mutant[at]
            else:
                mutant[at:at] = rng.choice([b"<", b">", b"&", b"]]>", b"<!DOCTYPE x>", b"\x00", b"&amp;", b"\xff"])
        response = device("pavel").submit(SUBMIT, bytes(mutant).replace(b"uuid:seed", f"uuid:m{i}".encode()))
        assert response.status_code < 500, (i, bytes(mutant))
