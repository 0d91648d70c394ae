"""Re-issue is bounded per learner and micro-credential, and leaves one active credential (issue 11, item 8)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from microcredential_xblock.service import api
from microcredential_xblock.service.config import config
from microcredential_xblock.service.models import IssuedCredential
from tests.djsettings import MICROVET
from tests.service_fixtures import COURSE, QUIZ1, all_validated

pytestmark = [pytest.mark.storage, pytest.mark.django_db]


def _reissue(uid, i: int):
    return api.reissue(uid, actor="learner:42", reason="to my DID", subject_did=f"did:key:z6Mk{i:040d}")


def test_rapid_reissues_stop_at_the_limit(earned):
    limit = config().reissue_limit
    current, refused = earned, 0
    for i in range(30):
        try:
            current = _reissue(current.uuid, i)
        except api.InvalidInput as exc:
            assert exc.subject == "reissue" and "try again" in exc.reason
            refused += 1
    assert refused == 30 - limit
    assert IssuedCredential.objects.count() == limit + 1
    assert len(set(IssuedCredential.objects.values_list("status_list_id", "status_index"))) == limit + 1


def test_one_active_credential_per_learner_and_definition(earned):
    api.suspend(earned.uuid, actor="staff", reason="check")
    new = _reissue(earned.uuid, 1)
    newer = _reissue(new.uuid, 2)
    states = dict(IssuedCredential.objects.values_list("uuid", "state"))
    assert states == {earned.uuid: "revoked", new.uuid: "revoked", newer.uuid: "active"}


def test_the_limit_is_per_learner(registered):
    with override_settings(MICROVET={**MICROVET, "REISSUE_LIMIT": 1}):
        (ada,) = api.record_assessment(api.Learner("1", "a@example.org"), COURSE, QUIZ1, all_validated(), 9, 10)
        (bo,) = api.record_assessment(api.Learner("2", "b@example.org"), COURSE, QUIZ1, all_validated(), 9, 10)
        again = _reissue(ada.credential.uuid, 1)
        with pytest.raises(api.InvalidInput):
            _reissue(again.uuid, 2)
        _reissue(bo.credential.uuid, 3)  # another learner's budget is untouched


def test_the_window_passes(earned):
    with override_settings(MICROVET={**MICROVET, "REISSUE_LIMIT": 1, "REISSUE_WINDOW_SECONDS": 0}):
        current = earned
        for i in range(3):
            current = _reissue(current.uuid, i)
    assert IssuedCredential.objects.filter(state="active").get() == current
