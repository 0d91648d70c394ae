"""Migrations 0006-0007 move the claim and the status allocation into the credential row, and back.

Runs the real migrations on every backend (``-m storage``) over rows written the old way: a learner
whose credential was re-issued (two rows, the claim on the second), another learner, and their
allocations. Transactional: migrating sideways needs committed schema changes.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.storage, pytest.mark.django_db(transaction=True)]

APP = "microvet"
BEFORE, AFTER = (APP, "0005_assessment_attempts"), (APP, "0007_one_row_per_issuance")


def _migrate(target: tuple[str, str]):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.fixture
def old_schema():
    apps = _migrate(BEFORE)
    yield apps
    _migrate(executor_leaf())


def executor_leaf() -> tuple[str, str]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes(APP)[0]


def _credential(apps, learner: str, microcredential: str, replaces=None):
    return apps.get_model(APP, "IssuedCredential").objects.create(
        learner_id=learner, recipient_email=f"{learner}@example.org", course_key="course-v1:A+B+C",
        usage_key="block-v1:A+B+C+type@microcredential+block@mc", microcredential_id=microcredential,
        definition_snapshot={}, document={}, issued_at="2026-11-01T00:00:00Z", replaces=replaces,
    )  # fmt: skip


def test_rows_written_the_old_way_fold_into_the_credential_and_unfold_back(old_schema):
    apps = old_schema
    status_list = apps.get_model(APP, "StatusList").objects.create(
        list_id="revocation-1", purpose="revocation", sequence=1, size=131072, encoded="x"
    )
    first = _credential(apps, "ada", "urn:mc")
    reissued = _credential(apps, "ada", "urn:mc", replaces=first)
    other = _credential(apps, "bo", "urn:mc")
    claim, allocation = apps.get_model(APP, "IssuanceClaim"), apps.get_model(APP, "StatusAllocation")
    claim.objects.create(learner_id="ada", microcredential_id="urn:mc", credential=reissued)
    claim.objects.create(learner_id="bo", microcredential_id="urn:mc", credential=other)
    for index, row in ((7, first), (8, reissued), (9, other)):
        allocation.objects.create(status_list=status_list, index=index, credential=row)

    folded = _migrate(AFTER).get_model(APP, "IssuedCredential").objects
    assert dict(folded.values_list("pk", "current")) == {first.pk: None, reissued.pk: True, other.pk: True}
    assert dict(folded.values_list("pk", "status_index")) == {first.pk: 7, reissued.pk: 8, other.pk: 9}
    assert set(folded.values_list("status_list_id", flat=True)) == {status_list.pk}

    apps = _migrate(BEFORE)
    claims = apps.get_model(APP, "IssuanceClaim").objects.values_list("learner_id", "credential_id")
    assert sorted(claims) == [("ada", reissued.pk), ("bo", other.pk)]
    allocations = apps.get_model(APP, "StatusAllocation").objects.values_list("credential_id", "index")
    assert sorted(allocations) == [(first.pk, 7), (reissued.pk, 8), (other.pk, 9)]


def test_a_credential_with_two_allocations_stops_the_migration_by_name(old_schema):
    apps = old_schema
    status_list = apps.get_model(APP, "StatusList").objects.create(
        list_id="revocation-1", purpose="revocation", sequence=1, size=131072, encoded="x"
    )
    row = _credential(apps, "ada", "urn:mc")
    for index in (1, 2):
        apps.get_model(APP, "StatusAllocation").objects.create(status_list=status_list, index=index, credential=row)
    with pytest.raises(RuntimeError, match=f"credential {row.pk} has 2 status allocations"):
        _migrate(AFTER)
    assert "status_index" not in {c.name for c in connection.introspection.get_table_description(
        connection.cursor(), "microvet_issuedcredential")}  # checked before any schema change  # fmt: skip
    apps.get_model(APP, "StatusAllocation").objects.filter(index=2).delete()  # the fixture migrates forward again
