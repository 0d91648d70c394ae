"""Public pages show nothing of the learner beyond what the credential carries (issue 11, item 3).

The stored name and e-mail serve staff re-issue only; the verification page, the JSON-LD, the
baked badges and the ELM export show the learner's name only when the signed credential names them.
"""

from __future__ import annotations

import pytest
from django.test import override_settings

from microcredential_xblock.service import api
from tests.djsettings import MICROVET
from tests.service_fixtures import COURSE, QUIZ1, all_validated

pytestmark = [pytest.mark.storage, pytest.mark.django_db]

STORED_NAME = "Zelda Quintessa Private"
LEARNER = api.Learner(user_id="77", email="zelda.private@example.org", name=STORED_NAME)
PUBLIC_PATHS = ("", "/verify", "/elm", "/badge.svg")


def _issue() -> str:
    (progress,) = api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)
    return str(progress.credential.uuid)


def _public_text(client, uid: str) -> str:
    texts = []
    for suffix in PUBLIC_PATHS:
        response = client.get(f"/microvet/credentials/{uid}{suffix}")
        assert response.status_code == 200, suffix
        texts.append(response.content.decode("utf-8", "replace"))
    return "\n".join(texts)


def test_stored_name_stays_off_public_pages_when_include_name_is_off(client, registered):
    uid = _issue()
    text = _public_text(client, uid)
    assert STORED_NAME not in text and "zelda.private" not in text
    page = client.get(f"/microvet/credentials/{uid}/verify").content.decode()
    assert "(identified by a hashed e-mail address)" in page


def test_name_shown_when_the_credential_itself_carries_it(client, registered):
    with override_settings(MICROVET={**MICROVET, "INCLUDE_NAME": True}):
        uid = _issue()
        html = client.get(f"/microvet/credentials/{uid}/verify").content.decode()
    assert STORED_NAME in html and "zelda.private" not in html


def test_name_corrected_in_the_stored_row_only_is_not_shown(client, registered):
    """The page shows the name as signed, not a later stored value (the row is staff data)."""
    with override_settings(MICROVET={**MICROVET, "INCLUDE_NAME": True}):
        uid = _issue()
    row = api.get_credential(uid)
    row.recipient_name = "Someone Else Entirely"
    row.save(update_fields=["recipient_name"])
    html = client.get(f"/microvet/credentials/{uid}/verify").content.decode()
    assert STORED_NAME in html and "Someone Else Entirely" not in html
