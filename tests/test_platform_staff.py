"""Course staff pages: who earned, who is close, status changes with a reason, CSV export."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse

from microcredential_xblock.platform import staff
from microcredential_xblock.service import api
from microcredential_xblock.service.models import AuditEvent, IssuedCredential
from tests import platform_settings
from tests.service_fixtures import COURSE, QUIZ1, outcome_ids

pytestmark = pytest.mark.django_db

PAGE = f"/microvet/staff/{COURSE}/"
ACTION = f"/microvet/staff/{COURSE}/action"
EXPORT = f"/microvet/staff/{COURSE}/credentials.csv"


@pytest.fixture(autouse=True)
def lms_urls():
    with override_settings(ROOT_URLCONF=platform_settings.ROOT_URLCONF, MICROVET=platform_settings.MICROVET):
        yield


@pytest.fixture
def staff_client(client):
    client.force_login(get_user_model().objects.create(username="teacher", is_staff=True))
    return client


@pytest.fixture
def almost(registered):
    """Learner 7 validated one outcome of three, with a good score."""
    first = outcome_ids()[0]
    learner = api.Learner("7", "bo@example.org", "Bo")
    api.record_assessment(learner, COURSE, QUIZ1, {first: api.OutcomeScore(1.0, True)}, 9, 10)


def test_urls_sit_under_the_plugin_mount():
    assert reverse("microvet:staff_course", args=[COURSE]) == PAGE
    assert reverse("microvet:staff_export", args=[COURSE]) == EXPORT


def test_page_lists_who_earned_and_who_is_close(staff_client, registered, earned, almost):
    page = staff_client.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ada Learner" in html and str(earned.uuid) in html and api.public_urls(earned)["verify"] in html
    close = staff.close_learners(registered)
    assert [c["learner_id"] for c in close] == ["7"]
    assert close[0]["missing"] and all(part in html for part in close[0]["missing"])


def test_missing_parts_names_only_the_leaves_that_fail():
    tree = {
        "holds": False,
        "children": [{"holds": True, "detail": "score ok"}, {"holds": False, "detail": "outcome 2 missing"}],
    }
    assert staff.missing_parts(tree) == ["outcome 2 missing"]


def test_only_course_staff_get_in(client, earned):
    assert client.get(PAGE).status_code == 302  # to the login page
    client.force_login(get_user_model().objects.create(username="learner"))
    assert client.get(PAGE).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert client.post(ACTION, {"credential": earned.uuid, "action": "revoke", "reason": "x"}).status_code == 403
    earned.refresh_from_db()
    assert earned.state == IssuedCredential.ACTIVE


def test_course_without_micro_credential_is_404(staff_client, db):
    assert staff_client.get("/microvet/staff/course-v1:No+Such+Course/").status_code == 404


@pytest.mark.parametrize(
    ("actions", "state"),
    [(["suspend"], "suspended"), (["suspend", "reinstate"], "active"), (["revoke"], "revoked")],
)
def test_status_changes_with_reason_are_audited(staff_client, earned, actions, state):
    for action in actions:
        response = staff_client.post(ACTION, {"credential": earned.uuid, "action": action, "reason": "checked"})
        assert response.status_code == 302 and response.url == f"{PAGE}?done={action}"
    earned.refresh_from_db()
    assert earned.state == state
    assert [(a.action, a.actor, a.reason) for a in AuditEvent.objects.filter(credential=earned)] == [
        (action, "teacher", "checked") for action in actions
    ]


def test_reissue_replaces_the_credential(staff_client, earned):
    staff_client.post(ACTION, {"credential": earned.uuid, "action": "reissue", "reason": "name corrected"})
    new = IssuedCredential.objects.get(replaces=earned)
    assert list(staff.current_credentials(COURSE)) == [new]


def test_a_change_without_reason_is_refused_and_explained(staff_client, earned):
    response = staff_client.post(ACTION, {"credential": earned.uuid, "action": "revoke", "reason": "  "})
    assert response.status_code == 302 and "error=" in response.url
    assert "a reason is required" in staff_client.get(response.url).content.decode()
    earned.refresh_from_db()
    assert earned.state == IssuedCredential.ACTIVE


@pytest.mark.parametrize(
    "data",
    [{"action": "revoke"}, {"credential": "EARNED", "action": "delete"}, {"credential": "nope", "action": "revoke"}],
    ids=["no-credential", "unknown-action", "bad-uuid"],
)
def test_bad_requests_are_404(staff_client, earned, data):
    if data.get("credential") == "EARNED":
        data = {**data, "credential": earned.uuid}
    assert staff_client.post(ACTION, {**data, "reason": "x"}).status_code == 404
    earned.refresh_from_db()
    assert earned.state == IssuedCredential.ACTIVE


def test_credentials_of_another_course_cannot_be_changed_here(staff_client, earned):
    other = "/microvet/staff/course-v1:Other+X+1/action"
    assert staff_client.post(other, {"credential": earned.uuid, "action": "revoke", "reason": "x"}).status_code == 404


def test_csv_export_streams_current_credentials_without_emails(staff_client, earned):
    api.suspend(earned.uuid, actor="teacher", reason='=HYPERLINK("http://evil")')
    response = staff_client.get(EXPORT)
    assert response["Content-Type"] == "text/csv" and "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == list(staff.CSV_COLUMNS)
    (row,) = rows[1:]
    record = dict(zip(rows[0], row, strict=True))
    assert record["uuid"] == str(earned.uuid) and record["state"] == "suspended"
    assert record["reason"].startswith("'=")  # no formula runs in a spreadsheet
    assert "example.org" not in "".join(row).replace("lms.example.org", "")  # no recipient e-mail
