"""The OpenAPI schema, run against the app by Schemathesis (property-based: Hypothesis makes
the requests from the schema).

For every operation and every kind of caller (an integration client's token, a village
operator's personal token, a camat's browser session), a bounded, derandomised run checks:
no 5xx, each response matches the schema for its status, its status is one the operation
documents, and its content type is the documented one. The data is a real small register
(residents and families in three villages), so detail endpoints answer 200 as well as 404.
Cases come in two modes: valid requests, and requests the schema forbids (which must get a
documented 4xx, never a 5xx or an answer).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from kampung.accounts.roles import Role
from kampung.api.api import api
from kampung.api.services import api_token_create
from kampung.api.tests.conftest import client_token, make_client
from kampung.conftest import DISTRICT_A, REGENCY, VILLAGE_A1

pytestmark = pytest.mark.django_db

# Per operation, caller and mode: 4 operations x 3 callers x (25 valid + 15 invalid) requests.
MAX_EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 15}
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """The project's WSGI app, inside the test's transaction.

    Django's own test client does the same: a request must not close the connection that
    holds the test's transaction open (``close_old_connections`` on request start/end)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


@pytest.fixture
def callers(world: Any, register: Any, client: Any) -> dict[str, dict[str, dict[str, str]]]:
    integration = make_client(REGENCY)
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    client.force_login(world.user(Role.CAMAT, DISTRICT_A))
    session = client.cookies["sessionid"].value
    personal = api_token_create(actor=None, user=operator, name="uji").plain
    return {
        "klien": {"headers": {"Authorization": f"Bearer {client_token(integration)}"}},
        "token-pribadi": {"headers": {"Authorization": f"Bearer {personal}"}},
        "sesi": {"cookies": {"sessionid": session}},
    }


def _run(operation: Any, credentials: dict[str, dict[str, str]], mode: GenerationMode) -> set[int]:
    """Run one operation's generated cases; the status codes seen."""
    seen: set[int] = set()

    @settings(
        max_examples=MAX_EXAMPLES[mode],
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    # The credentials are fixed parts of every case, so an invalid case is invalid in its
    # parameters, never merely in its (then overridden) Authorization header.
    @given(case=operation.as_strategy(generation_mode=mode, **credentials))
    def run(case: Any) -> None:
        checks = CHECKS + [negative_data_rejection] if mode == GenerationMode.NEGATIVE else CHECKS
        response = case.call_and_validate(checks=checks)
        seen.add(response.status_code)

    run()
    return seen


@pytest.mark.parametrize("caller", ["klien", "token-pribadi", "sesi"])
def test_every_operation_conforms_to_its_schema(wsgi_app, callers, caller):
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    schema.app = wsgi_app
    operations = _operations(schema)
    assert len(operations) == len(api.get_openapi_schema()["paths"]) >= 4
    for operation in operations:
        valid = _run(operation, callers[caller], GenerationMode.POSITIVE)
        # The run reached real data, not only refusals: every list answered 200.
        assert 200 in valid or "{" in operation.path, (operation.label, valid)
        # Values the schema forbids (a page of 0, a word for a number) are refused with a 4xx
        # (negative_data_rejection; it knows which negations survive serialisation), and the
        # run did reach the parameter checks.
        invalid = _run(operation, callers[caller], GenerationMode.NEGATIVE)
        assert 422 in invalid, (operation.label, invalid)
