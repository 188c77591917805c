"""Every URL pattern and every API operation, found by the resolver and the OpenAPI schema (so a new endpoint is
covered without anyone adding it here), requested with mission B's ids by each role of mission A and anonymously:
each is refused (403/404/401/405, or a redirect to the login page) and no response shows mission B's observers or
reports. A pattern or parameter this test cannot fill fails the test: teach ``FILL`` about it."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.conftest import B_SECRETS

pytestmark = pytest.mark.django_db

REFUSED = {401, 403, 404, 405}

# URL name -> the kind of mission-B object its ``pk`` names.
PK_KINDS = {
    "collection-form-toggle": "form", "collection-entry": "form", "collection-submission": "submission",
    "collection-submission-accept": "submission",
    "collection-attachment": "attachment", "incident-detail": "incident", "incident-triage": "incident",
    "media-item": "item", "media-item-original": "item", "media-outlet": "outlet", "operations-master": "master",
    "operations-resolve": "master", "pvt-publish": "sample", "pvt-export": "sample", "sms-correct": "message", "sms-form-tags": "form",
}
# Patterns outside a mission: public by design or the user's own (checked for leaks only).
OPEN = {"health", "health-ready", "set_language", "login", "login-code", "logout", "home", "collection-api-tokens",
        "account-two-factor"}


def _patterns(resolver=None, prefix=""):
    for p in (resolver or get_resolver()).url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            if route.startswith(("admin/", "api/")):
                continue  # the admin: staff only (test below); the API: from its OpenAPI schema (test below)
            yield from _patterns(p, route)
        elif isinstance(p, URLPattern):
            yield p, route


def _fills(name: str, route: str, pattern: URLPattern, objects: dict) -> list[dict]:
    """Keyword arguments for the pattern: mission B's slug, and mission A's slug with B's objects."""
    keys = set(re.findall(r"<(?:\w+:)?(\w+)>", route)) - set(pattern.default_args)
    b = objects["cis"]
    base: dict = {}
    for key in keys - {"slug", "pk", "mission"}:
        base[key] = {
            "code": "S111", "statement": b["statement"].slug, "number": 1, "path": "checklist.sealed",
            "what": "submissions", "fmt": "csv", "form_id": b["form"].form_id, "version": b["form"].version,
            "name": "x", "finding": b["finding"].pk,
            # A login URL's token (/key/<token>/m/<slug>/): mission A's own, tried at mission B's slug.
            "token": objects["odihr"].get("login_url", KeyError),
        }.get(key, KeyError)
        assert base[key] is not KeyError, f"{route}: teach FILL the URL parameter {key!r}"
    if "pk" in keys:
        assert name in PK_KINDS, f"{route} ({name}): say in PK_KINDS which object its pk is"
        base["pk"] = b[PK_KINDS[name]].pk
    if "mission" in keys:
        base["mission"] = "cis"
    variants = []
    if "slug" in keys:
        variants.append(base | {"slug": "cis"})
        if {"pk", "statement", "form_id"} & keys:
            variants.append(base | {"slug": "odihr"})
    else:
        variants.append(base)
    return variants


def _assert_no_leak(response, what):
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content).decode(errors="replace")
    else:
        body = response.content.decode(errors="replace")
    for secret in B_SECRETS:
        assert secret not in body, f"{what} shows mission B's {secret!r}"


def test_every_page_refuses_mission_b_objects_to_every_role_of_mission_a_and_to_anonymous(client, crew, settings):
    from pollwatch.collection.services import do_create_device_token, do_set_mission_device_tokens

    # Each request with mission A's login URL at mission B counts as a failed login: no lockout (429) here, so that
    # every one gets its own answer.
    settings.AXES_FAILURE_LIMIT = 1_000_000

    for mission in ("odihr", "cis"):
        do_set_mission_device_tokens(crew.objects[mission]["observer"].mission, True)
    crew.objects["odihr"]["login_url"] = do_create_device_token(crew.objects["odihr"]["observer"])[1]
    patterns = list(_patterns())
    assert len(patterns) > 40  # the resolver was walked
    users = [*crew.a.items(), ("anonymous", None)]
    tried = 0
    for pattern, route in patterns:
        name = pattern.name or route
        if name in OPEN:
            continue
        for kwargs in _fills(name, route, pattern, crew.objects):
            url = reverse(name, kwargs=kwargs)
            own_mission_only = kwargs.get("slug") == "odihr" and not ({"pk", "statement"} & set(kwargs))
            for role, user in users:
                client.logout()
                if user is not None:
                    client.force_login(user)
                for method in ("get", "post"):
                    response = getattr(client, method)(url)
                    tried += 1
                    what = f"{method.upper()} {url} as {role}"
                    _assert_no_leak(response, what)
                    if own_mission_only:
                        continue
                    if response.status_code == 302:
                        assert user is None and response["Location"].startswith(reverse("login")), what
                    else:
                        assert response.status_code in REFUSED, f"{what}: {response.status_code}"
    assert tried > 500


def test_the_pages_outside_a_mission_show_nothing_of_mission_b(client, crew):
    for role, user in [*crew.a.items(), ("anonymous", None)]:
        client.logout()
        if user is not None:
            client.force_login(user)
        for name in OPEN - {"logout"}:
            _assert_no_leak(client.get(reverse(name), follow=True), f"{name} as {role}")


def test_the_admin_site_is_for_staff_only(client, crew):
    for role, user in crew.a.items():
        client.force_login(user)
        if user.is_staff:
            continue
        response = client.get("/admin/collection/submission/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"], role


def _api_operations():
    from pollwatch.api import api

    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method in operations:
            yield path, method


def test_every_api_operation_refuses_mission_b_to_every_role_of_mission_a_and_to_anonymous(client, crew):
    from pollwatch.collection.services import do_create_api_token

    tokens = {role: do_create_api_token(user, "isolation")[1] for role, user in crew.a.items()}
    operations = list(_api_operations())
    assert operations
    b = crew.objects["cis"]
    path_values = {"submission_id": b["submission"].pk}
    body = {"form_id": b["form"].form_id, "values": {"sealed": "no"}, "observer_code": "CIS-001"}
    for path, method in operations:
        params = [p.strip("{}") for p in path.split("/") if p.startswith("{")]
        for param in params:
            assert param in path_values or param == "slug", f"{path}: teach the test the path parameter {param!r}"
        slugs = ["cis", "odihr"] if set(params) - {"slug"} else ["cis"]
        for slug in slugs:
            url = path.replace("{slug}", slug)
            for param, value in path_values.items():
                url = url.replace("{" + param + "}", str(value))
            for role, token in [*tokens.items(), ("anonymous", None)]:
                headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
                if method == "get":
                    response = client.get(url, **headers)
                else:
                    response = getattr(client, method)(url, body, content_type="application/json", **headers)
                what = f"{method.upper()} {url} as {role}"
                _assert_no_leak(response, what)
                assert response.status_code in REFUSED, f"{what}: {response.status_code}"


def test_unpublished_statements_of_mission_b_are_not_public(client, crew):
    b = crew.objects["cis"]["statement"]
    for name in ("public-statement", "public-statement-pdf", "public-evidence-root"):
        assert client.get(reverse(name, args=["cis", b.slug])).status_code == 404
