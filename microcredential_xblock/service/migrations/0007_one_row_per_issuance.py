"""The credential row's unique keys replace the claim and allocation tables (docs/decisions/0020)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("microvet", "0006_fold_claim_and_allocation"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="issuedcredential",
            constraint=models.UniqueConstraint(
                fields=("learner_id", "microcredential_id", "current"), name="microvet_one_current_credential"
            ),
        ),
        migrations.AddConstraint(
            model_name="issuedcredential",
            constraint=models.UniqueConstraint(
                fields=("status_list", "status_index"), name="microvet_one_credential_per_index"
            ),
        ),
        migrations.DeleteModel(name="IssuanceClaim"),
        migrations.DeleteModel(name="StatusAllocation"),
    ]
