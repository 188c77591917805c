"""No input gives a 500: every URL pattern and every API operation, fed out-of-range, wrong-type and malformed values.

The URL patterns come from Django's resolver and the API operations from the OpenAPI schema the API publishes
(``/api/openapi.json``), so a new page or endpoint is fuzzed without editing this file. Parameter names are read
from the code (``request.GET.get("…")``, ``name="…"`` in templates) and from the schema. Hypothesis draws the
values — ids past 64 bits, negative counts, dates in year 1, NUL bytes, strings where numbers belong, malformed
JSON — with a fixed number of examples per target and ``derandomize`` so a CI run is repeatable.

``FUZZ_TIMES=1`` prints the seconds spent on each target, ``FUZZ_LOG=1`` every request and its status (with -s).

Each request runs in a savepoint: on PostgreSQL a failing query would otherwise abort the test's transaction and
hide the real error behind "current transaction is aborted" in every later example.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pollwatch.collection import digest
from tests.collection.conftest import DigestClient

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = 50  # per URL pattern, and per API operation
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                       HealthCheck.function_scoped_fixture])
# Django's own admin is Django's to fuzz; static files are served by WhiteNoise before any view.
SKIPPED_PREFIXES = ("admin/", "api/")

BIG = [2**31, 2**63 - 1, 2**63, 2**64, 10**30]
EVIL_NUMBERS = ["0", "-1", "-3", *map(str, BIG), f"-{2**63 + 1}", "1e309", "nan", "inf", "1.5", "0x10", "٣", " 7 "]
EVIL_TEXT = ["", "abc", "\x00", "a\x00b", "0001-01-01", "9999-12-31", "2024-02-07", "2024-02-07T21:00", "25:99",
             "-0001-01-01", "'; DROP TABLE x; --", "<script>", "../../etc/passwd", "%", "é" * 300, "x" * 5000,
             "[]", "{}", "null", "true", "yes", "no", "1,2,3"]


# What broke pages before (ids past 64 bits, negative counts, year 1, NUL, text for a number): drawn most often.
BREAKERS = [str(2**64), "99999999999999999999", "-3", "abc", "0001-01-01", "0001-01-01T00:00", "\x00", "1e309"]


def evil_value(ids: list[int]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(BREAKERS),
        st.sampled_from(BREAKERS),
        st.sampled_from(EVIL_NUMBERS + EVIL_TEXT),
        st.sampled_from([str(i) for i in ids] or ["1"]),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.text(max_size=30),
    )


# ---------------------------------------------------------------- the names a page reads

_READS = [
    re.compile(r"""\.(?:GET|POST|FILES)(?:\.get|\.getlist)?[\[(]\s*["']([\w-]+)["']"""),
    re.compile(r"""(?:params|get|query|data)\.get(?:list)?\(\s*["']([\w-]+)["']"""),
    re.compile(r"""_param\(\s*\w+(?:\.\w+)?\s*,\s*["']([\w-]+)["']"""),
]


def parameter_names(package: Path) -> list[str]:
    """The parameter names the code and templates of one app (the package of a view) read."""
    names: set[str] = {"page"}
    for prefix in re.findall(r'["\']([a-z]+-)["\']', "".join(p.read_text() for p in package.rglob("views.py"))):
        names.update(f"{prefix}{suffix}" for suffix in ("1", "0", "x", "", "99999999999999999999"))
    for path in package.rglob("*.py"):
        if "migrations" not in path.parts:
            names.update(n for pattern in _READS for n in pattern.findall(path.read_text()))
    for path in package.rglob("*.html"):
        names.update(re.findall(r'name="([\w-]+)"', path.read_text()))
    names.discard("csrfmiddlewaretoken")
    return sorted(names)


def url_patterns():
    """(route, {converter name: converter class name}, the view's package) of every pattern outside
    SKIPPED_PREFIXES."""
    out = []

    def walk(patterns, prefix: str, converters: dict):
        for p in patterns:
            route = prefix + str(p.pattern)
            found = {**converters, **getattr(p.pattern, "converters", {})}
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route, found)
            elif isinstance(p, URLPattern) and not route.startswith(SKIPPED_PREFIXES):
                module = sys.modules[p.callback.__module__]
                package = Path(module.__file__).parent
                out.append((route, {k: type(v).__name__ for k, v in found.items()}, package))

    walk(get_resolver().url_patterns, "", {})
    return out


# ---------------------------------------------------------------- a world with something behind every page

@pytest.fixture
def fuzz_world(world, settings, tmp_path):
    from pollwatch.collection.demo import build_demo_collection
    from pollwatch.collection.services import do_create_api_token
    from pollwatch.media.demo import build_demo_media
    from pollwatch.missions.models import Role
    from pollwatch.missions.services import do_add_member
    from pollwatch.operations.demo import build_demo_operations
    from pollwatch.pvt.services import do_draw_pvt_sample

    settings.MEDIA_ROOT = tmp_path / "media"
    do_add_member(world.cis, world.alice, Role.ADMIN)  # alice may open every page of both missions
    lines = build_demo_collection(world.cis, seed=3, base_url="http://testserver")
    import types

    import numpy as np

    build_demo_operations(types.SimpleNamespace(election=world.election, missions=[world.cis, world.odihr],
                                                results_truth=None, counts={}), np.random.default_rng(3))
    build_demo_media([world.cis], seed=3)
    do_draw_pvt_sample(world.cis, name="Quick count", size=2, strata=[], seed=1)
    _, token = do_create_api_token(world.alice, "fuzz")
    return world, lines, token


def all_ids() -> list[int]:
    from django.apps import apps

    ids: set[int] = set()
    for model in apps.get_models():
        if model._meta.app_label in {"collection", "operations", "incidents", "media", "pvt", "checks", "missions"}:
            ids.update(model.objects.order_by("-pk").values_list("pk", flat=True)[:5])
    return sorted(ids)


def _converter_value(kind: str, ids: list[int]) -> st.SearchStrategy[str]:
    safe = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="/?#%\x00"), min_size=1, max_size=20)
    if kind == "SlugConverter":
        return st.sampled_from(["cis", "odihr", "nope", "a" * 60])
    if kind == "IdConverter":
        return st.one_of(st.sampled_from([str(i) for i in ids]), st.sampled_from(["1", "9" * 19, str(2**63 - 1)]))
    return st.one_of(st.sampled_from(["count_form", "opening_checklist", "2024020701", "csv", "xlsx", "S111",
                                      "expected", "masters", "items", "x.csv", "ééé"]), safe)


def _failure_of(fuzz, target: str) -> list[str]:
    """Run one target's examples; its smallest failing example, as a line, so every broken target is listed."""
    started = time.perf_counter()
    try:
        fuzz()
    except Exception as exc:  # an assertion (a 5xx) or the view's own exception, already shrunk by hypothesis
        return [f"{target}: {type(exc).__name__}: {str(exc)[:300]}"]
    finally:
        if os.environ.get("FUZZ_TIMES"):
            print(f"{time.perf_counter() - started:6.2f} s  {target}")
    return []


def _send(client, method: str, path: str, data: dict, device: DigestClient | None):
    with transaction.atomic():
        auth = {}
        if device is not None:  # answer the Digest challenge as the demo's phone does
            challenge = client.head(path)
            if "WWW-Authenticate" in challenge:
                auth["HTTP_AUTHORIZATION"] = digest.authorization_header(
                    device.username, device.password, method=method, uri=path,
                    www_authenticate=challenge["WWW-Authenticate"])
        if method == "GET":
            return client.get(path, data, **auth)
        return client.post(path, data, **auth)


def _page_fuzzer(client, world, device, route: str, converters: dict, names: list[str], ids: list[int]):
    template = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    phone = device if route.startswith("m/") else None

    @FUZZ
    @given(values=st.fixed_dictionaries({k: _converter_value(v, ids) for k, v in converters.items()}),
           # One parameter the app reads, malformed; or several at once, each present or not.
           params=st.one_of(
               st.sampled_from(names).flatmap(lambda name: evil_value(ids).map(lambda value: {name: value})),
               st.fixed_dictionaries({}, optional={name: evil_value(ids) for name in names})),
           method=st.sampled_from(["GET", "POST"]))
    def fuzz(values, params, method):
        from urllib.parse import quote

        path = "/" + template.format(**{k: quote(v, safe="") for k, v in values.items()})
        response = _send(client, method, path, params, phone)
        if os.environ.get("FUZZ_LOG"):
            print("PAGE", response.status_code, method, path, str(params)[:150])
        # /health/ready's 503 is its answer "not ready" (no worker runs in the tests), not a server error.
        not_ready = path == "/health/ready" and response.status_code == 503 and response["Retry-After"]
        assert response.status_code < 500 or not_ready, (method, path, params, response.status_code)
        client.force_login(world.alice)  # a fuzzed logout must not turn the rest into login redirects

    return fuzz


def test_no_page_answers_a_malformed_request_with_a_server_error(client, fuzz_world):
    world, lines, _ = fuzz_world
    client.force_login(world.alice)
    device = DigestClient(client, lines["openrosa_user"], lines["openrosa_password"])
    ids = all_ids()
    patterns = url_patterns()
    assert len(patterns) > 30
    assert {"check", "outlet", "contest"} <= {n for *_, package in patterns for n in parameter_names(package)}
    failures = []
    for route, converters, package in patterns:
        fuzz = _page_fuzzer(client, world, device, route, converters, parameter_names(package), ids)
        failures += _failure_of(fuzz, route)
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------- the API, from its OpenAPI schema

def _resolve(schema: dict, spec: dict) -> dict:
    while "$ref" in schema:
        node = spec
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _valid(schema: dict, spec: dict, ids: list[int]) -> st.SearchStrategy:
    """A value the schema accepts, at its edges as often as inside (an unbounded integer may be 2**64)."""
    schema = _resolve(schema, spec)
    if "anyOf" in schema:
        return st.one_of([_valid(s, spec, ids) for s in schema["anyOf"]])
    kind = schema.get("type")
    if kind == "integer":
        low, high = schema.get("minimum"), schema.get("maximum")
        edges = [v for v in [low, high, *ids] if v is not None]
        big = [v for v in BIG if (low is None or v >= low) and (high is None or v <= high)]
        return st.one_of(st.sampled_from(big or edges or [0]), st.sampled_from(edges or [0]),
                         st.integers(min_value=low, max_value=high))
    if kind == "string":
        return st.text(max_size=schema.get("maxLength", 30))
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "object":
        props, required = schema.get("properties", {}), schema.get("required", [])
        return st.fixed_dictionaries({k: _valid(v, spec, ids) for k, v in props.items() if k in required},
                                     optional={k: _valid(v, spec, ids) for k, v in props.items() if k not in required})
    if kind == "array":
        return st.lists(_valid(schema.get("items", {}), spec, ids), max_size=3)
    return st.one_of(st.none(), st.integers(), st.text(max_size=10))


def _wrong_or_edge(schema: dict, spec: dict, ids: list[int]) -> st.SearchStrategy:
    """A value for ``schema``: sometimes valid, often at or past its bounds, often of the wrong type."""
    schema = _resolve(schema, spec)
    if "anyOf" in schema:
        return st.one_of([_wrong_or_edge(s, spec, ids) for s in schema["anyOf"]])
    kind = schema.get("type")
    wrong = st.one_of(st.none(), st.booleans(), st.sampled_from(EVIL_TEXT), st.lists(st.integers(), max_size=2),
                      st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
                      st.floats(allow_nan=True, allow_infinity=True))
    if kind == "integer":
        edges = [schema.get(k) for k in ("minimum", "maximum") if k in schema]
        near = [e + d for e in edges for d in (-1, 0, 1)]
        return st.one_of(st.sampled_from(near + BIG + [-1, 0] + ids), st.integers(), wrong)
    if kind == "string":
        return st.one_of(st.text(max_size=schema.get("maxLength", 50) + 2), st.sampled_from(EVIL_TEXT), wrong)
    if kind == "boolean":
        return st.one_of(st.booleans(), wrong)
    if kind == "object":
        props = schema.get("properties", {})
        values = {k: _wrong_or_edge(v, spec, ids) for k, v in props.items()}
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) or extra is True:
            return st.one_of(
                st.fixed_dictionaries(values, optional={"?": st.integers()}),
                st.dictionaries(st.text(max_size=20), st.one_of(st.integers(), st.text(max_size=10), wrong),
                                max_size=4),
                wrong,
            )
        return st.one_of(st.fixed_dictionaries({}, optional=values), wrong)
    if kind == "array":
        return st.one_of(st.lists(_wrong_or_edge(schema.get("items", {}), spec, ids), max_size=3), wrong)
    return wrong


def _as_text(value) -> str:
    return json.dumps(value) if isinstance(value, dict | list) or value is None else str(value)


def _api_fuzzer(client, auth: dict, path: str, method: str, params: dict, body, spec: dict, ids: list[int]):
    from urllib.parse import quote, urlencode

    mission_slugs = st.sampled_from(["cis", "odihr", "nope"])
    payloads = (st.one_of(_valid(body, spec, ids), _valid(body, spec, ids), _wrong_or_edge(body, spec, ids),
                          st.sampled_from(["{", "[1,", "\x00", ""])) if body else st.none())

    @FUZZ
    @given(valid=st.fixed_dictionaries({
               name: (mission_slugs if name == "slug" else _valid(schema, spec, ids))
               for name, (_, schema) in params.items()}),
           # At most one parameter of an otherwise valid request is out of range or of the wrong type.
           wrong=st.one_of(st.just({}), *[
               _wrong_or_edge(schema, spec, ids).map(lambda value, name=name: {name: value})
               for name, (_, schema) in params.items() if name != "slug"]),
           payload=payloads)
    def fuzz(valid, wrong, payload):
        values = {**valid, **wrong}
        url, query = path, {}
        for name, value in values.items():
            where = params[name][0]
            if where == "path":
                url = url.replace("{" + name + "}", quote(_as_text(value), safe="") or "x")
            elif where == "query" and value is not None:
                query[name] = _as_text(value)
        with transaction.atomic():
            if method == "get":
                response = client.get(url, query, **auth)
            else:
                raw = payload if isinstance(payload, str) else json.dumps(payload)
                response = client.generic(method.upper(), url + ("?" + urlencode(query) if query else ""),
                                          raw.encode("utf-8", "surrogatepass"), content_type="application/json",
                                          **auth)
        if os.environ.get("FUZZ_LOG"):
            print("API", response.status_code, method, url, query, str(payload)[:80])
        assert response.status_code < 500, (method, url, query, payload, response.status_code)

    return fuzz


def test_no_api_operation_answers_a_malformed_request_with_a_server_error(client, fuzz_world):
    world, _, token = fuzz_world
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    spec = client.get("/api/openapi.json").json()
    ids = all_ids()
    operations = [(path, method, op) for path, methods in spec["paths"].items() for method, op in methods.items()]
    assert len(operations) >= 5
    failures = []
    for path, method, op in operations:
        params = {p["name"]: (p["in"], p.get("schema", {})) for p in op.get("parameters", [])}
        body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        fuzz = _api_fuzzer(client, auth, path, method, params, body, spec, ids)
        failures += _failure_of(fuzz, f"{method.upper()} {path}")
    assert not failures, "\n".join(failures)
