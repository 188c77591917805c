"""Schemathesis against the API's own OpenAPI schema, in process (WSGI), with the API tokens of several roles.

The schema is the one the API publishes (``/api/openapi.json``), so a new operation is fuzzed without editing
this file. For every operation schemathesis draws requests that fit the schema (positive) and that do not
(negative: wrong types, out-of-range numbers, missing fields, malformed bodies), sends each with the bearer token
of an admin, a coordinator, an analyst, a data clerk and an observer of mission A (tests/security/conftest.py,
each token scoped to the mission and capped at the role) and checks the answer:

- never a server error (no 5xx);
- a status code the schema declares, for answers other than the authentication and permission refusals and
  the 400 with which ``pollwatch.api`` answers any parameter or body it refuses (ninja does not list them);
- a body that conforms to the declared response schema, with the declared content type;
- a request the schema refuses is refused (4xx).

Examples are bounded (``EXAMPLES`` per operation, mode and role) and derandomized, so a CI run is repeatable and
stays within about half a minute on two cores. ``FUZZ_LOG=1`` prints every request and its status (with -s).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.db import transaction
from hypothesis import HealthCheck, given, settings

from pollwatch.missions.models import Role

pytestmark = pytest.mark.django_db

EXAMPLES = 12  # per operation, generation mode and role
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
ROLES = (Role.ADMIN, Role.COORDINATOR, Role.ANALYST, Role.DATA_CLERK, Role.OBSERVER)
# Refusals every operation may give without listing them: no or a bad token (401), a role without the capability
# (403), a mission or object that is not the caller's (404), a parameter or body refused by the schemas (400).
UNDECLARED = {400, 401, 403, 404}


@pytest.fixture
def schema(crew):
    """The schema, read from the WSGI application, whose requests then run in the test's transaction.

    As Django's test client does, the request signals do not close the database connection meanwhile (on
    PostgreSQL that would close the test's transaction under it)."""
    from django.core import signals
    from django.db import close_old_connections

    from pollwatch.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def entry_form(crew):
    """A form phones and the API can fill (it has an XForm) in mission A, and answers that fit it."""
    from pathlib import Path

    from pollwatch.collection.services import check_import_form

    path = Path(__file__).resolve().parents[2] / "pollwatch" / "collection" / "demo_forms" / "opening_checklist.xlsx"
    form, _ = check_import_form(crew.objects["odihr"]["form"].mission, path.read_bytes(), filename=path.name)
    typical = {"int": 7, "decimal": 1.5, "time": "07:00", "date": "2024-02-07", "dateTime": "2024-02-07T07:00:00"}
    values = {}
    for field in form.fields:
        if field.get("question"):
            values[field["name"]] = (field["choices"][0]["name"] if field.get("choices") else
                                     "S121" if field["name"] == "station_code" else typical.get(field["type"], "x"))
    return form.form_id, values


@pytest.fixture
def tokens(crew) -> dict[str, str]:
    from pollwatch.collection.services import do_create_api_token

    mission = crew.objects["odihr"]["form"].mission
    return {role: do_create_api_token(crew.a[role], f"fuzz {role}", mission=mission, role=role)[1] for role in ROLES}


def _checks():
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        negative_data_rejection,
        response_schema_conformance,
    )

    return [not_a_server_error, content_type_conformance, response_schema_conformance, negative_data_rejection]


def _run(operation, mode, token: str, entry: tuple[str, dict]) -> list[str]:
    """Run one operation's examples in one generation mode with one token; the failures, as lines."""
    failures: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}
    checks = _checks()

    @FUZZ
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case):
        # The path's mission is mission A's for most examples: otherwise every request stops at the 404 gate.
        if "slug" in (case.path_parameters or {}) and mode.name == "POSITIVE":
            case.path_parameters["slug"] = "odihr"
            if isinstance(case.body, dict) and "form_id" in case.body:
                # A form of the mission, its current version, and every other example answers that fit it: on
                # past the values' checks to storing, with the generated instance id and observer code.
                case.body.update(form_id=entry[0], version=None)
                if len(repr(case.body)) % 2:
                    case.body["values"] = dict(entry[1])
        with transaction.atomic():  # a failing query must not abort the test's transaction (PostgreSQL)
            response = case.call(headers=headers)
        if os.environ.get("FUZZ_LOG"):
            print(mode.name, response.status_code, case.method, case.formatted_path, case.query, str(case.body)[:80])
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path} {case.query} {str(case.body)[:200]}: "
                            f"{response.status_code}")
            return
        if response.status_code in UNDECLARED and mode.name == "NEGATIVE":
            return  # a refusal of a request the schema refuses: what negative_data_rejection wants
        declared = {str(code) for code in operation.definition.raw.get("responses", {})}
        if str(response.status_code) not in declared:
            assert response.status_code in UNDECLARED, (case.method, case.formatted_path, response.status_code)
            return
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except Exception as error:  # schemathesis' Failure or FailureGroup, naming each check that failed
            failures.append(f"{case.method} {case.formatted_path} {case.query} {str(case.body)[:120]}: "
                            f"{str(error)[:400]}")

    fuzz()
    return failures[:3]


def test_the_api_answers_schemathesis_with_no_server_error_and_as_its_schema_says(schema, tokens, entry_form):
    from schemathesis.generation.modes import GenerationMode

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5
    failures = []
    for operation in operations:
        for role, token in tokens.items():
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                failures += [f"[{role} {mode.value}] {line}" for line in _run(operation, mode, token, entry_form)]
    assert not failures, "\n".join(failures)


def _anonymous(operation):
    from schemathesis.generation.modes import GenerationMode

    @settings(max_examples=3, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    def fuzz(case):
        with transaction.atomic():
            response = case.call()
        # 401; a POST without a token is refused by the session authentication's CSRF check first (403).
        assert response.status_code in ({401, 403} if case.method == "POST" else {401}), (
            operation.label, response.status_code)

    return fuzz


def test_without_a_token_every_operation_is_refused(schema):
    for result in schema.get_all_operations():
        _anonymous(result.ok())()
