"""schemathesis against the OpenAPI schema, signed in as alice: nothing answers 5xx.

Bounded: a few examples per operation, against the WSGI app in this process.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from notes.models import NoteStatus
from tests.factories import NoteFactory, PendingConfirmationFactory
from tests.webapp.initdata import signed_init_data, tma

EXAMPLES_PER_OPERATION = 12


@pytest.fixture
def api_schema(transactional_db, telegram, archive):
    """alice's archive, a filed note and a pending one, so that real ids exist too."""
    group, topics = archive
    NoteFactory(owner=group.owner, topic=topics["books"], status=NoteStatus.PUBLISHED)
    PendingConfirmationFactory(note__owner=group.owner, note__topic=topics["ideas"])
    return schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


def test_no_operation_answers_with_a_server_error(api_schema):
    headers = tma(signed_init_data())
    answered: list[int] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case):
            response = case.call_and_validate(headers=headers, checks=[not_a_server_error])
            answered.append(response.status_code)

        call()
    assert len(answered) > 5 * len(operations)  # it really asked
    assert any(200 <= code < 300 for code in answered)
