"""Promotions are reviewed by officers like listings; those that existed before are approved."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def approve_existing(apps: Any, schema_editor: Any) -> None:
    apps.get_model("ecosystem", "Promotion").objects.update(status="approved")


class Migration(migrations.Migration):
    dependencies = [
        ("ecosystem", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="promotion",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending approval"),
                    ("approved", "Approved"),
                    ("declined", "Not approved"),
                ],
                db_index=True,
                default="pending",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="promotion",
            name="review_note",
            field=models.TextField(blank=True, verbose_name="review note"),
        ),
        migrations.AddField(
            model_name="promotion",
            name="reviewed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="promotion",
            name="reviewed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(approve_existing, migrations.RunPython.noop),
    ]
