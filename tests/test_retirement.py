"""Learner retirement (issue 11, item 11): the platform's USER_RETIRE_LMS_CRITICAL signal, wired by the
plugin's signals_config, deletes the learner's evidence and anonymises their credentials; the
credentials' status lists keep working (staff can still revoke, verifiers still read the bit).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.utils.module_loading import import_string
from edx_django_utils.plugins import connect_plugin_receivers

from microcredential_xblock import compat
from microcredential_xblock.platform.plugin_settings import LMS, PLUGIN_APP
from microcredential_xblock.service import api
from microcredential_xblock.service.models import (
    AssessmentResult,
    CoursePassing,
    IssuedCredential,
    OutcomeEvidence,
    StatusList,
)
from tests.service_fixtures import COURSE, QUIZ1, all_validated
from tests.test_platform_plugin import registered_plugin  # noqa: F401 - fixture

pytestmark = [pytest.mark.storage, pytest.mark.django_db]
ROOT = Path(__file__).resolve().parent.parent
SIGNAL = "microcredential_xblock.compat.USER_RETIRE_LMS_CRITICAL"


@pytest.fixture
def connected(registered_plugin):  # noqa: F811
    """Our receivers connected as the LMS connects them at start-up; disconnected afterwards."""
    connect_plugin_receivers(LMS)
    yield
    for entry in PLUGIN_APP["signals_config"][LMS]["receivers"]:
        sender = import_string(entry["sender_path"]) if "sender_path" in entry else None
        import_string(entry["signal_path"]).disconnect(sender=sender, dispatch_uid=entry["dispatch_uid"])


@pytest.fixture
def two_learners(registered):
    """Ada (to be retired) and Bo, each with evidence, a course verdict and a credential."""
    users = {}
    for name in ("ada", "bo"):
        user = get_user_model().objects.create(username=name, email=f"{name}@example.org", first_name=name.title())
        learner = api.Learner(str(user.pk), user.email, f"{name.title()} Learner")
        (progress,) = api.record_assessment(learner, COURSE, QUIZ1, all_validated(), 9, 10)
        api.record_course_passing(learner, COURSE, True)
        users[name] = (user, progress.credential)
    return users


def _retire(user) -> None:
    """What the platform's retirement view does (accounts/views.py), before it renames the user."""
    compat.USER_RETIRE_LMS_CRITICAL.send(sender=type(user), user=user)


def test_the_receiver_is_wired_once_to_the_platform_retirement_signal():
    entries = [e for e in PLUGIN_APP["signals_config"][LMS]["receivers"] if e["signal_path"] == SIGNAL]
    assert [e["receiver_func_name"] for e in entries] == ["on_user_retired"]
    assert compat.PLATFORM_SIGNALS["USER_RETIRE_LMS_CRITICAL"].startswith("openedx.core.djangoapps.user_api.")


def test_retirement_deletes_evidence_and_anonymises_credentials(connected, two_learners, client):
    ada, ada_credential = two_learners["ada"]
    bo, bo_credential = two_learners["bo"]
    _retire(ada)
    mine = {"learner_id": str(ada.pk)}
    assert not OutcomeEvidence.objects.filter(**mine).exists()
    assert not AssessmentResult.objects.filter(**mine).exists()
    assert not CoursePassing.objects.filter(**mine).exists()
    row = IssuedCredential.objects.get(pk=ada_credential.pk)
    assert (row.recipient_email, row.recipient_name, row.subject_did, row.jwt) == ("", "", "", "")
    assert row.retired_at is not None
    stored = json.dumps(row.document) + json.dumps(
        list(IssuedCredential.objects.filter(pk=row.pk).values()), default=str
    )
    assert "ada@example.org" not in stored and "Ada Learner" not in stored
    assert client.get(f"/microvet/credentials/{row.uuid}").status_code == 410
    assert client.get(f"/microvet/credentials/{row.uuid}/verify").status_code == 410
    # Bo is untouched
    assert OutcomeEvidence.objects.filter(learner_id=str(bo.pk)).exists()
    bo_row = IssuedCredential.objects.get(pk=bo_credential.pk)
    assert bo_row.recipient_email == "bo@example.org" and bo_row.retired_at is None
    assert client.get(f"/microvet/credentials/{bo_row.uuid}/verify").status_code == 200


def test_status_keeps_working_after_retirement(connected, two_learners, client):
    ada, credential = two_learners["ada"]
    _retire(ada)
    assert IssuedCredential.objects.filter(learner_id=str(ada.pk), current=True).exists()  # no second one later
    api.revoke(credential.uuid, actor="staff", reason="fraud found after the learner left")
    entry = credential.document["credentialStatus"]
    entry = entry[0] if isinstance(entry, list) else entry
    status_list = StatusList.objects.get(list_id=entry["statusListCredential"].rsplit("/", 1)[-1])
    assert client.get(f"/microvet/status/{status_list.list_id}").status_code == 200
    from badge_issuer.status import StatusList as Bits  # noqa: PLC0415

    bits = Bits.from_encoded(status_list.purpose, status_list.encoded)
    assert bits.get(int(entry["statusListIndex"])) is True


def test_a_retired_learners_credential_cannot_be_reissued(connected, two_learners):
    ada, credential = two_learners["ada"]
    _retire(ada)
    with pytest.raises(api.InvalidInput) as caught:
        api.reissue(credential.uuid, actor="staff", reason="x", subject_did="did:key:z6Mkxyz")
    assert caught.value.subject == "state"


def test_retiring_twice_or_a_stranger_changes_nothing(connected, two_learners):
    ada, _credential = two_learners["ada"]
    _retire(ada)
    _retire(ada)
    stranger = get_user_model().objects.create(username="nobody")
    _retire(stranger)
    assert IssuedCredential.objects.filter(retired_at__isnull=True).count() == 1


def test_models_holding_personal_data_are_annotated():
    config = yaml.safe_load((ROOT / ".pii_annotations.yml").read_text(encoding="utf-8"))
    assert ".. no_pii:" in config["annotations"] and "pii_group" in config["annotations"]
    from django.apps import apps  # noqa: PLC0415

    for model in apps.get_app_config("microvet").get_models():
        doc = model.__doc__ or ""
        assert ".. pii:" in doc or ".. no_pii:" in doc, model.__name__
        if ".. pii:" in doc:
            assert ".. pii_types:" in doc and ".. pii_retirement: local_api" in doc, model.__name__
