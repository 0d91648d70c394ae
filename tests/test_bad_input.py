"""Hostile input to the service and the staff pages: a clear 4xx naming the field, never a 5xx
(issue 11, items 7 and 9). Runs on SQLite, MariaDB and PostgreSQL (PostgreSQL refuses NUL in text).
"""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from microcredential_xblock.service import api, issuance
from microcredential_xblock.service.models import AuditEvent, IssuedCredential
from microcredential_xblock.service.spreadsheet import neutralise
from tests import platform_settings
from tests.service_fixtures import COURSE, QUIZ1, all_validated

pytestmark = [pytest.mark.storage, pytest.mark.django_db]

ACTION = f"/microvet/staff/{COURSE}/action"
EXPORT = f"/microvet/staff/{COURSE}/credentials.csv"


@pytest.fixture
def lms_urls():
    with override_settings(ROOT_URLCONF=platform_settings.ROOT_URLCONF, MICROVET=platform_settings.MICROVET):
        yield


@pytest.fixture
def staff_client(client, lms_urls):
    client.force_login(get_user_model().objects.create(username="teacher", is_staff=True))
    return client


# ------------------------------------------------------------------------------------------ NUL and friends


def test_anonymous_status_url_with_nul_is_404(client, db):
    response = client.get("/microvet/status/%00")
    assert response.status_code == 404 and b"status list" in response.content


def test_staff_reason_with_nul_is_refused_by_name(staff_client, earned):
    response = staff_client.post(ACTION, {"credential": earned.uuid, "action": "suspend", "reason": "bad\x00reason"})
    assert response.status_code == 302 and "error=" in response.url
    assert "control characters" in staff_client.get(response.url).content.decode()
    earned.refresh_from_db()
    assert earned.state == IssuedCredential.ACTIVE and not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    "course_key", ["course-v1:Aurora+MC101+2026%00", "not-a-course-key", "course-v1:%E2%80%AE", "%00"]
)
@pytest.mark.parametrize("page", ["", "credentials.csv"])
def test_staff_urls_with_a_malformed_course_key_are_404(staff_client, earned, course_key, page):
    response = staff_client.get(f"/microvet/staff/{course_key}/{page}")
    assert response.status_code == 404


def test_staff_action_with_a_malformed_course_key_is_404(staff_client, earned):
    response = staff_client.post("/microvet/staff/x%00y/action", {"credential": earned.uuid, "action": "revoke"})
    assert response.status_code == 404
    earned.refresh_from_db()
    assert earned.state == IssuedCredential.ACTIVE


def test_learner_whose_name_has_nul_is_still_issued(registered):
    learner = api.Learner(user_id="9", email="nul@example.org", name="Ada\x00 Lovelace\x07")
    (progress,) = api.record_assessment(learner, COURSE, QUIZ1, all_validated(), 9, 10)
    assert progress.state == api.EARNED
    assert progress.credential.recipient_name == "Ada Lovelace"


# ------------------------------------------------------------------------------------------ reason length


def test_overlong_staff_reason_is_refused_server_side(staff_client, earned):
    reason = "x" * (issuance.MAX_REASON + 1)
    response = staff_client.post(ACTION, {"credential": earned.uuid, "action": "revoke", "reason": reason})
    assert response.status_code == 302 and "error=" in response.url
    earned.refresh_from_db()
    assert earned.state == IssuedCredential.ACTIVE and earned.reason == ""


@pytest.mark.parametrize("change", [api.revoke, api.suspend])
def test_overlong_reason_is_refused_by_the_api(earned, change):
    with pytest.raises(api.InvalidInput) as caught:
        change(earned.uuid, actor="staff", reason="y" * 1_000_000)
    assert caught.value.subject == "reason"
    earned.refresh_from_db()
    assert earned.reason == ""


def test_reason_of_the_maximum_length_is_kept(earned):
    api.suspend(earned.uuid, actor="staff", reason="z" * issuance.MAX_REASON)
    earned.refresh_from_db()
    assert len(earned.reason) == issuance.MAX_REASON


# ------------------------------------------------------------------------------------------ CSV injection


@pytest.mark.parametrize(
    "reason",
    ["\n=HYPERLINK(1)", " =1+1", "\uff1d1+1", "\t=1", "\r@SUM(A1)", "  +cmd", "\u3000-2", "\n\n\uff0b3", "|calc"],
)
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(staff_client, earned, reason):
    api.suspend(earned.uuid, actor="teacher", reason=reason)
    rows = list(csv.reader(io.StringIO(b"".join(staff_client.get(EXPORT).streaming_content).decode())))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["reason"] == "'" + reason


@pytest.mark.parametrize("value", ["Ada Lovelace", "", "2026-01-01", "https://lms.example.org/x", "O'Brien"])
def test_ordinary_cells_are_kept(value):
    assert neutralise(value) == value


# ------------------------------------------------------------------------------------------ editor


@pytest.mark.parametrize("depth", [900, 5000, 9000])
def test_deeply_nested_rules_json_is_a_field_error(depth):
    from microcredential_xblock.blocks import editor  # noqa: PLC0415

    nested = '{"all": [' * depth + '{"all_outcomes": true}' + "]}" * depth
    text = nested if len(nested) <= editor.RULES_JSON_MAX else "[" * (editor.RULES_JSON_MAX // 2)
    result = editor.validate_submission({"rules_mode": "advanced", "rules_json": text}, default_id="urn:x")
    assert "rules_json" in result.errors and not result.values
