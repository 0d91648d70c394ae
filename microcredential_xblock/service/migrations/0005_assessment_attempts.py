from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("microvet", "0004_alliance"),
    ]

    operations = [
        migrations.CreateModel(
            name="AttemptCounter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("learner_id", models.CharField(max_length=64)),
                ("usage_key", models.CharField(max_length=255)),
                ("used", models.PositiveIntegerField(default=0)),
                ("updated", models.DateTimeField(auto_now=True)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("learner_id", "usage_key"), name="microvet_attempts_once")
                ],
            },
        ),
    ]
