"""schemathesis over the whole OpenAPI document, authenticated as a village cadre with data in
scope: no server errors, every status documented, every response conforming to the document."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from bangfu.api.models import ApiToken
from bangfu.cases.models import Case, Channel, Stage
from bangfu.monitoring.models import RiskWarning
from bangfu.wsgi import application
from tests.conftest import household_rows

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """schemathesis calls the WSGI application itself, so each request ends with Django closing
    "old" database connections, which would close the test's transaction on PostgreSQL. The
    Django test client unhooks that handler for its requests; so do we."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def auth(people, make_households):
    homes = make_households(household_rows("H-S1"), household_rows("H-S2"))
    Case.objects.create(household=homes[0], channel=Channel.VISIT, stage=Stage.LEAD)
    RiskWarning.objects.create(
        household=homes[1],
        period="2026-11",
        rule_id="R01",
        rule_kind="income_below_line",
        rule_title="低收入",
        risk_types=["其他"],
        category="edge",
        policy_version="t",
        evidence=[],
    )
    _, token = ApiToken.issue(user=people["village"])
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.django_db(transaction=False)
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case, auth):
    # Unknown query parameters are ignored, as everywhere in Django; schemathesis would count
    # every such request as "negative data accepted", so that one check is left out.
    case.call_and_validate(
        headers=auth, excluded_checks=[schemathesis.checks.negative_data_rejection]
    )
