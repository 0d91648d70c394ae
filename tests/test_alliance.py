"""The alliance: members directory, verified endorsements embedded at issuance, impact figures.

Runs on the database MICROVET_TEST_DB selects (marker ``storage``: SQLite, MariaDB, PostgreSQL).
Endorsements are signed with real member keys (``generate_issuer``) and verified by badge_issuer.
"""

from __future__ import annotations

import io
import json
import warnings
from datetime import UTC, date, datetime, timedelta

import django
import png
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from badge_issuer.endorse import build_endorsement
from badge_issuer.issue import sign_credential
from badge_issuer.keystore import generate_issuer
from badge_issuer.proofs.jwt import sign_jwt
from badge_issuer.status import StatusList, status_entry, status_list_credential
from badge_issuer.verify import verify
from microcredential_xblock.service import alliance, api, embedding, impact
from microcredential_xblock.service.alliance_models import AllianceMember, CredentialViews, Endorsement
from microcredential_xblock.service.errors import InvalidInput
from microcredential_xblock.service.issuance import issuer_profile
from microcredential_xblock.service.models import AssessmentResult, IssuerProfile, OutcomeEvidence
from tests.service_fixtures import (
    COURSE,
    LEARNER,
    MC_BLOCK,
    QUIZ1,
    RULES,
    all_validated,
    example_definition,
    outcome_ids,
)

pytestmark = [pytest.mark.storage, pytest.mark.django_db(transaction=False)]

ACHIEVEMENT = "https://microvet.example.eu/achievements/designing-micro-credentials-for-vet/v1"


def png_bytes(width: int = 4, height: int = 4) -> bytes:
    buffer = io.BytesIO()
    png.Writer(width, height, greyscale=True).write(buffer, [[0] * width for _ in range(height)])
    return buffer.getvalue()


@pytest.fixture
def member_keys(tmp_path):
    return generate_issuer(tmp_path / "chamber", did="key", profile={"name": "Camera di Commercio", "country": "IT"})


@pytest.fixture
def member(member_keys):
    return AllianceMember.objects.create(
        name="Camera di Commercio di Bologna",
        country="IT",
        region="Emilia-Romagna",
        organisation_type="chamber",
        expertise="Craft trades and apprenticeships",
        description={"en": "Represents 90,000 firms.", "it": "Rappresenta 90.000 imprese."},
        logo_png=png_bytes(),
        website="https://bo.camcom.example.it",
        mou_signed=date(2026, 3, 1),
        identifier=member_keys.issuer_id,
    )


def endorsement_of(keys, subject_id: str = ACHIEVEMENT, **kwargs) -> dict:
    unsigned = build_endorsement(
        subject_id=subject_id,
        issuer_profile=keys.issuer_profile(),
        name="Endorsed by the chamber",
        comment="Meets the chamber's standard for trainers.",
        **kwargs,
    )
    return sign_credential(unsigned, keys, ("di",)).document


# ------------------------------------------------------------------------------------------ members


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": " "}, "name"),
        ({"country": "XX"}, "country"),
        ({"country": "it"}, "country"),
        ({"organisation_type": "bank"}, "organisation_type"),
        ({"logo_png": b"GIF89a" + b"\0" * 20}, "logo_png"),
        ({"logo_png": png_bytes()[:-20]}, "logo_png"),
        ({"logo_png": b"\x89PNG\r\n\x1a\n" + b"\0" * (300 * 1024)}, "logo_png"),
        ({"identifier": "did:example:123"}, "identifier"),
        ({"identifier": "http://not-https.example.org"}, "identifier"),
        ({"description": {"xx": "text"}}, "description"),
        ({"description": {"en": "x" * 5000}}, "description"),
    ],
)
def test_bad_member_input_is_refused_naming_the_field(change, field):
    values = {
        "name": "Aurora",
        "country": "IT",
        "organisation_type": "training-provider",
        "expertise": "VET",
        "description": {"en": "A provider."},
        "logo_png": png_bytes(),
        "identifier": "did:web:aurora.example.it",
    }
    assert alliance.member_problems(values) == {}
    problems = alliance.member_problems({**values, **change})
    assert list(problems) == [field]
    assert problems[field]


@pytest.fixture
def admin_client(client):
    admin = get_user_model().objects.create_superuser("alliance-admin", "admin@example.org", "pw-not-secret")
    client.force_login(admin)
    return client


def test_admin_refuses_a_member_with_a_bad_logo_and_saves_a_good_one(admin_client, settings):
    settings.ROOT_URLCONF = "tests.alliance_urls"
    form = {
        "name": "Aurora VET",
        "country": "IT",
        "region": "",
        "organisation_type": "training-provider",
        "expertise": "Trainers' training",
        "website": "https://aurora-vet.example.it",
        "mou_signed": "2026-02-01",
        "identifier": "did:web:aurora-vet.example.it",
        "listed": "on",
        "description_en": "We train trainers.",
        "description_it": "Formiamo formatori.",
    }
    bad = admin_client.post(
        "/admin/microvet/alliancemember/add/", {**form, "logo_file": io.BytesIO(b"not a png")}, follow=False
    )
    assert bad.status_code == 200
    assert "The logo must be a PNG image." in bad.content.decode()
    assert not AllianceMember.objects.exists()
    logo = io.BytesIO(png_bytes())
    logo.name = "logo.png"
    good = admin_client.post("/admin/microvet/alliancemember/add/", {**form, "logo_file": logo})
    assert good.status_code == 302, good.content.decode()[:2000]
    saved = AllianceMember.objects.get()
    assert saved.description == {"en": "We train trainers.", "it": "Formiamo formatori."}
    assert bytes(saved.logo_png).startswith(alliance.PNG_SIGNATURE)


#: Django 5 lets a form assume https:// for a URL typed without a scheme (Django 6's default); 4.2 has http://.
ASSUMED = "https" if django.VERSION >= (5, 0) else "http"


def test_admin_urls_typed_without_a_scheme_get_https_without_a_deprecation_warning(admin_client, settings):
    settings.ROOT_URLCONF = "tests.alliance_urls"
    logo = io.BytesIO(png_bytes())
    logo.name = "logo.png"
    member = {"name": "Aurora VET", "country": "IT", "organisation_type": "training-provider", "expertise": "x",
              "website": "aurora-vet.example.it", "mou_signed": "2026-02-01", "logo_file": logo}  # fmt: skip
    profile = {"keys_name": "default", "name": "Aurora VET", "url": "aurora-vet.example.it", "country": "IT"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # RemovedInDjango60Warning: the scheme default changes in Django 6
        added = admin_client.post("/admin/microvet/alliancemember/add/", member)
        assert added.status_code == 302, added.content.decode()[:2000]
        added = admin_client.post("/admin/microvet/issuerprofile/add/", profile)
        assert added.status_code == 302, added.content.decode()[:2000]
    assert AllianceMember.objects.get().website == f"{ASSUMED}://aurora-vet.example.it"
    assert IssuerProfile.objects.get().url == f"{ASSUMED}://aurora-vet.example.it"


def test_directory_page_json_and_logo(client, member, settings):
    AllianceMember.objects.create(
        name="Hidden Ltd",
        country="DE",
        organisation_type="employer",
        expertise="x",
        mou_signed=date(2026, 1, 1),
        listed=False,
    )
    page = client.get("/microvet/alliance/", HTTP_ACCEPT_LANGUAGE="it")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Camera di Commercio di Bologna" in html and "Hidden Ltd" not in html
    assert 'alt="Logo of Camera di Commercio di Bologna"' in html or "Logo di" in html
    data = client.get("/microvet/alliance/members.json").json()
    (shown,) = data["members"]
    assert shown["descriptions"]["it"] == "Rappresenta 90.000 imprese."
    assert shown["country"] == "IT" and shown["organisation_type"] == "chamber"
    logo = client.get(shown["logo"])
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    assert logo.content == bytes(member.logo_png)
    assert client.get(f"/microvet/alliance/members/{member.pk + 99}/logo.png").status_code == 404


# ------------------------------------------------------------------------------------------ endorsements


def test_a_valid_endorsement_is_accepted_and_embedded_in_credentials_issued_from_then_on(
    registered, member, member_keys
):
    (before,) = api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)
    before_document = json.dumps(before.credential.document, sort_keys=True)
    row = alliance.accept_endorsement(member, json.dumps(endorsement_of(member_keys)), actor="staff")
    assert (row.subject_kind, row.subject_id, row.state) == ("achievement", ACHIEVEMENT, Endorsement.ACCEPTED)

    other = api.Learner(user_id="43", email="bea@example.org", name="Bea")
    (after,) = api.record_assessment(other, COURSE, QUIZ1, all_validated(), 9, 10)
    document = after.credential.document
    (embedded,) = document["credentialSubject"]["achievement"]["endorsement"]
    assert embedded["id"] == row.credential_id
    report = verify(document, resolver=alliance.page_resolver(_issuer()), status_fetcher=_db_lists)
    assert report.ok, report.verdict()
    assert any(c.name.endswith("endorsement[0]") and c.passed for c in report.checks)
    # Credentials already issued never change.
    before.credential.refresh_from_db()
    assert json.dumps(before.credential.document, sort_keys=True) == before_document


def _issuer():
    from microcredential_xblock.service.config import issuer_keys  # noqa: PLC0415

    return issuer_keys()


def _db_lists(url):
    from microcredential_xblock.service.views import _status_fetcher  # noqa: PLC0415

    return _status_fetcher(url)


def test_the_platform_issuer_can_be_endorsed(registered, member, member_keys):
    issuer_id = issuer_profile()["id"]
    row = alliance.accept_endorsement(member, json.dumps(endorsement_of(member_keys, issuer_id)), actor="staff")
    assert row.subject_kind == Endorsement.ISSUER
    (progress,) = api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)
    assert progress.credential.document["issuer"]["endorsement"][0]["id"] == row.credential_id


def test_a_jwt_endorsement_is_accepted_embedded_and_shown(registered, member, member_keys):
    unsigned = build_endorsement(subject_id=ACHIEVEMENT, issuer_profile=member_keys.issuer_profile(), name="JWT")
    token = sign_jwt(unsigned, member_keys.jwt_key, member_keys.jwt_kid)
    row = alliance.accept_endorsement(member, token, actor="staff")
    assert row.credential_id == unsigned["id"]
    (earned,) = api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)
    document = earned.credential.document
    assert document["credentialSubject"]["achievement"]["endorsementJwt"] == [token]
    report = verify(document, resolver=alliance.page_resolver(_issuer()), status_fetcher=_db_lists)
    assert report.ok, report.verdict()
    assert alliance.shown_endorsements(document)[0]["member"] == member.name


def test_tampered_endorsement_is_refused_naming_the_proof(registered, member, member_keys):
    signed = endorsement_of(member_keys)
    signed["name"] = "Endorsed by the European Commission"
    with pytest.raises(InvalidInput) as refused:
        alliance.accept_endorsement(member, json.dumps(signed), actor="staff")
    assert refused.value.subject == "endorsement"
    assert "Data Integrity proof: Signature valid" in str(refused.value.reason)
    assert not Endorsement.objects.exists()


def test_endorsement_of_something_else_is_refused_naming_the_subject(registered, member, member_keys):
    with pytest.raises(InvalidInput) as refused:
        alliance.accept_endorsement(
            member, json.dumps(endorsement_of(member_keys, "https://other.example.org/achievements/1")), actor="s"
        )
    assert refused.value.subject == "credentialSubject.id"


def test_endorsement_signed_with_another_key_is_refused_naming_the_issuer(registered, member, tmp_path):
    impostor = generate_issuer(tmp_path / "impostor", did="key", profile={"name": "Camera di Commercio"})
    with pytest.raises(InvalidInput) as refused:
        alliance.accept_endorsement(member, json.dumps(endorsement_of(impostor)), actor="staff")
    assert refused.value.subject == "issuer"
    assert member.identifier in str(refused.value.reason)


def test_expired_endorsement_is_refused_naming_the_validity_period(registered, member, member_keys):
    now = datetime.now(UTC)
    expired = endorsement_of(member_keys, valid_from=now - timedelta(days=400), valid_until=now - timedelta(days=30))
    with pytest.raises(InvalidInput) as refused:
        alliance.accept_endorsement(member, json.dumps(expired), actor="staff")
    assert "Validity period: expired" in str(refused.value.reason)


def test_garbage_and_duplicates_are_refused(registered, member, member_keys):
    for raw in (b"\xff\xfe", "[1, 2]", "not json", json.dumps({"type": "VerifiableCredential"})):
        with pytest.raises(InvalidInput):
            alliance.accept_endorsement(member, raw, actor="staff")
    signed = json.dumps(endorsement_of(member_keys))
    alliance.accept_endorsement(member, signed, actor="staff")
    with pytest.raises(InvalidInput) as again:
        alliance.accept_endorsement(member, signed, actor="staff")
    assert again.value.subject == "id"


def test_an_endorsement_that_expires_is_no_longer_embedded_and_shown_as_expired(registered, member, member_keys):
    now = datetime.now(UTC)
    row = alliance.accept_endorsement(
        member, json.dumps(endorsement_of(member_keys, valid_until=now + timedelta(days=1))), actor="staff"
    )
    (earned,) = api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)
    assert earned.credential.document["credentialSubject"]["achievement"]["endorsement"]
    assert alliance.shown_endorsements(earned.credential.document)[0]["state"] == Endorsement.ACCEPTED

    later = timezone.now() + timedelta(days=2)
    assert embedding.embeddable(ACHIEVEMENT, "did:example:none", now=later)["achievement"] == []
    row.refresh_from_db()
    assert row.state == Endorsement.EXPIRED
    assert alliance.shown_endorsements(earned.credential.document)[0]["state"] == Endorsement.EXPIRED


def _publish_list(keys, directory, bits, url: str) -> None:
    """The member's revocation list, signed with its keys, where the alliance's resolve folder has it."""
    unsigned = status_list_credential(url, keys.issuer_id, "revocation", bits.encode(), datetime.now(UTC))
    path = directory / "chamber.example.it" / "status" / "1"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(sign_credential(unsigned, keys, ("di",)).document))


def test_an_endorsement_its_member_revokes_is_shown_as_revoked_and_no_longer_embedded(
    registered, member, member_keys, tmp_path, settings
):
    settings.MICROVET = {**settings.MICROVET, "ALLIANCE_RESOLVE_DIR": str(tmp_path / "published")}
    url = "https://chamber.example.it/status/1"
    bits = StatusList("revocation")
    _publish_list(member_keys, tmp_path / "published", bits, url)
    unsigned = build_endorsement(subject_id=ACHIEVEMENT, issuer_profile=member_keys.issuer_profile(), name="E")
    unsigned["credentialStatus"] = status_entry(url, 7, "revocation")
    row = alliance.accept_endorsement(
        member, json.dumps(sign_credential(unsigned, member_keys, ("di",)).document), actor="s"
    )
    (earned,) = api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)
    assert earned.credential.document["credentialSubject"]["achievement"]["endorsement"]

    bits.revoke(7)  # the member withdraws its endorsement and republishes its list
    _publish_list(member_keys, tmp_path / "published", bits, url)
    assert alliance.recheck(row, force=True).state == Endorsement.REVOKED
    assert alliance.shown_endorsements(earned.credential.document)[0]["state"] == Endorsement.REVOKED
    other = api.Learner(user_id="44", email="cy@example.org", name="Cy")
    (later,) = api.record_assessment(other, COURSE, QUIZ1, all_validated(), 9, 10)
    assert "endorsement" not in later.credential.document["credentialSubject"]["achievement"]
    with pytest.raises(InvalidInput) as refused:  # and a revoked one is refused on upload
        unsigned["id"] = "urn:uuid:00000000-0000-4000-8000-000000000777"
        alliance.accept_endorsement(
            member, json.dumps(sign_credential(unsigned, member_keys, ("di",)).document), actor="s"
        )
    assert "revoked" in str(refused.value.reason)


def test_verification_page_shows_endorsement_state_and_counts_views(client, registered, member, member_keys):
    row = alliance.accept_endorsement(member, json.dumps(endorsement_of(member_keys)), actor="staff")
    (earned,) = api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)
    url = f"/microvet/credentials/{earned.credential.uuid}/verify"
    html = client.get(url).content.decode()
    assert "Endorsed by Camera di Commercio di Bologna — verified" in html
    assert "Valid: every check passed." in html
    Endorsement.objects.filter(pk=row.pk).update(state=Endorsement.REVOKED, checked_at=timezone.now())
    html = client.get(url).content.decode()
    assert "Endorsed by Camera di Commercio di Bologna — revoked" in html
    assert CredentialViews.objects.get(credential=earned.credential).count == 2


# ------------------------------------------------------------------------------------------ impact


def test_impact_counts_come_from_a_few_queries_for_ten_thousand_learners(registered):
    ids = outcome_ids()
    learners = [f"L{i:05d}" for i in range(10_000)]
    AssessmentResult.objects.bulk_create(
        [
            AssessmentResult(learner_id=learner, course_key=COURSE, usage_key=QUIZ1, best_score=5, max_score=10)
            for learner in learners
        ],
        batch_size=2000,
    )
    OutcomeEvidence.objects.bulk_create(
        [
            OutcomeEvidence(
                learner_id=learner,
                course_key=COURSE,
                assessment_usage_key=QUIZ1,
                outcome_id=ids[0],
                validated=i % 4 == 0,
            )
            for i, learner in enumerate(learners)
        ],
        batch_size=2000,
    )
    with CaptureQueriesContext(connection) as queries:
        (course,) = impact.course_figures([COURSE])
    assert len(queries) <= 8
    assert course.learners_with_evidence == 10_000
    (mc,) = course.microcredentials
    first = mc.outcomes[0]
    assert (first.learners, first.validated, first.pass_rate) == (10_000, 2_500, 25.0)
    assert mc.outcomes[1].learners == 0 and mc.outcomes[1].pass_rate is None


def test_impact_page_is_for_staff_and_exports_csv(client, registered, settings):
    user_model = get_user_model()
    learner = user_model.objects.create_user("learner", "l@example.org", "pw-not-secret")
    staff = user_model.objects.create_user("staff", "s@example.org", "pw-not-secret", is_staff=True)
    api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)
    client.force_login(learner)
    assert client.get("/microvet/alliance/impact/").status_code == 403
    assert client.get(f"/microvet/alliance/impact/{COURSE}/").status_code == 403
    client.force_login(staff)
    page = client.get("/microvet/alliance/impact/")
    assert page.status_code == 200
    assert "Designing micro-credentials for VET" in page.content.decode()
    exported = client.get("/microvet/alliance/impact/?format=csv")
    rows = list(csv_rows(exported))
    assert rows[0][:3] == ["course_key", "microcredential_id", "title"]
    assert rows[1][8] == "1"  # credentials issued


def csv_rows(response):
    import csv  # noqa: PLC0415

    return csv.reader(io.StringIO(b"".join(response.streaming_content).decode()))


# ------------------------------------------------------------------------------------------ remembered for issuance


@pytest.fixture
def remembering():
    """Transactional (answers are remembered only once committed), with an empty memory."""
    embedding.forget()
    api.register_definition(COURSE, MC_BLOCK, example_definition(), RULES)
    yield
    embedding.forget()


def _embedded(i: int) -> list:
    learner = api.Learner(user_id=f"embed-{i}", email=f"embed{i}@example.org")
    (progress,) = api.record_assessment(learner, COURSE, QUIZ1, all_validated(), 9, 10)
    return progress.credential.document["credentialSubject"]["achievement"].get("endorsement", [])


def _endorsement_reads(queries) -> int:
    return sum("microvet_endorsement" in q["sql"] and q["sql"].startswith("SELECT") for q in queries.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_the_answer_is_remembered_between_issuances(remembering, member, member_keys):
    alliance.accept_endorsement(member, json.dumps(endorsement_of(member_keys)), actor="staff")
    assert len(_embedded(0)) == 1
    with CaptureQueriesContext(connection) as queries:
        assert len(_embedded(1)) == 1
    assert _endorsement_reads(queries) == 0


@pytest.mark.django_db(transaction=True)
def test_a_withdrawn_endorsement_is_not_embedded_in_the_next_credential(remembering, member, member_keys):
    row = alliance.accept_endorsement(member, json.dumps(endorsement_of(member_keys)), actor="staff")
    assert len(_embedded(0)) == 1
    row.state = Endorsement.REVOKED
    row.save()  # what the admin does
    assert _embedded(1) == []


@pytest.mark.django_db(transaction=True)
def test_an_endorsement_that_expires_is_not_embedded_after_its_end(remembering, member, member_keys):
    end = datetime.now(UTC) + timedelta(days=1)
    alliance.accept_endorsement(member, json.dumps(endorsement_of(member_keys, valid_until=end)), actor="staff")
    assert len(embedding.embeddable(ACHIEVEMENT, "did:example:none")["achievement"]) == 1
    assert embedding.embeddable(ACHIEVEMENT, "did:example:none", now=timezone.now() + timedelta(days=2)) == {
        "achievement": [],
        "issuer": [],
    }


@pytest.mark.django_db(transaction=True)
def test_a_due_recheck_ends_the_remembered_answer(remembering, member, member_keys):
    alliance.accept_endorsement(member, json.dumps(endorsement_of(member_keys)), actor="staff")
    embedding.embeddable(ACHIEVEMENT, "did:example:none")
    later = timezone.now() + alliance.RECHECK_AFTER + timedelta(seconds=1)
    with CaptureQueriesContext(connection) as queries:
        embedding.embeddable(ACHIEVEMENT, "did:example:none", now=later)
    assert _endorsement_reads(queries) == 1
