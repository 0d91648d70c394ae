"""The claim and the status allocation become columns of the credential row (docs/decisions/0020).

Every claimed credential gets ``current=True`` and every other one NULL (replaced by a re-issue); every
allocation's list and index move to its credential. Migration 0007 then adds the two unique constraints
and drops the two tables: apart, because PostgreSQL refuses to alter a table with row changes whose
deferred foreign-key checks are still pending in the same transaction. Reversible: going back rebuilds
the claim and allocation rows from the columns.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery


def check_one_allocation_each(apps, schema_editor):
    """First, before any schema change (MariaDB cannot roll DDL back): a credential row has room for one index."""
    allocations = apps.get_model("microvet", "StatusAllocation").objects
    shared = allocations.values("credential_id").annotate(n=Count("pk")).filter(n__gt=1).order_by("credential_id")
    if shared:  # ADR 0005: one credentialStatus entry per credential; never written otherwise
        first = shared[0]
        raise RuntimeError(f"credential {first['credential_id']} has {first['n']} status allocations, not one")


def fold(apps, schema_editor):
    credentials = apps.get_model("microvet", "IssuedCredential").objects
    claims = apps.get_model("microvet", "IssuanceClaim").objects
    allocations = apps.get_model("microvet", "StatusAllocation").objects
    credentials.exclude(pk__in=claims.exclude(credential=None).values("credential_id")).update(current=None)
    own = allocations.filter(credential_id=OuterRef("pk"))
    credentials.update(
        status_list_id=Subquery(own.values("status_list_id")[:1]), status_index=Subquery(own.values("index")[:1])
    )


def unfold(apps, schema_editor):
    model = apps.get_model("microvet", "IssuedCredential")
    claim = apps.get_model("microvet", "IssuanceClaim")
    allocation = apps.get_model("microvet", "StatusAllocation")
    rows = model.objects.values_list(
        "pk", "learner_id", "microcredential_id", "current", "status_list_id", "status_index"
    )
    claims, allocations = [], []
    for pk, learner_id, microcredential_id, current, status_list_id, status_index in rows.iterator():
        if current:
            claims.append(claim(learner_id=learner_id, microcredential_id=microcredential_id, credential_id=pk))
        if status_list_id is not None:
            allocations.append(allocation(status_list_id=status_list_id, index=status_index, credential_id=pk))
    claim.objects.bulk_create(claims, batch_size=1000)
    allocation.objects.bulk_create(allocations, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("microvet", "0005_assessment_attempts"),
    ]

    operations = [
        migrations.RunPython(check_one_allocation_each, migrations.RunPython.noop),
        # Every existing row starts current; fold() then clears it on the rows no claim points at.
        migrations.AddField(
            model_name="issuedcredential",
            name="current",
            field=models.BooleanField(default=True, null=True),
        ),
        migrations.AddField(
            model_name="issuedcredential",
            name="status_index",
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="issuedcredential",
            name="status_list",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="credentials",
                to="microvet.statuslist",
            ),
        ),
        migrations.RunPython(fold, unfold),
    ]
