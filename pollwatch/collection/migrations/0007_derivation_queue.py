"""The reports table becomes the derivation queue (collection/derivation.py).

Reports stored before this migration were derived by a django-tasks task each: they are marked derived, except
those whose task had not run yet, which stay pending so the new worker derives them.
"""

from django.conf import settings
from django.db import migrations, models


def keep_queued_reports_pending(apps, schema_editor):
    try:
        task_result = apps.get_model("django_tasks_database", "DBTaskResult")
    except LookupError:
        return
    submission = apps.get_model("collection", "Submission")
    ready = task_result.objects.filter(task_path="pollwatch.operations.tasks.derive_report", status="READY")
    ids = {(value or {}).get("args", [None])[0] for value in ready.values_list("args_kwargs", flat=True)}
    submission.objects.filter(pk__in=ids).update(derive_state=1)
    ready.delete()  # the task function is gone; its rows would fail on import


class Migration(migrations.Migration):

    dependencies = [
        ('collection', '0006_device_login_unique_per_mission'),
        ('geography', '0003_unit_boundary'),
        ('missions', '0002_restrict_deletes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('django_tasks_database', '__latest__'),
    ]

    operations = [
        migrations.AddField(
            model_name='submission',
            name='derive_error',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='submission',
            name='derive_state',
            field=models.PositiveSmallIntegerField(choices=[(0, 'Derived'), (1, 'Pending'), (2, 'Failed')], default=0),
        ),
        migrations.RunPython(keep_queued_reports_pending, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='submission',
            name='derive_state',
            field=models.PositiveSmallIntegerField(choices=[(0, 'Derived'), (1, 'Pending'), (2, 'Failed')], default=1),
        ),
        migrations.AddIndex(
            model_name='submission',
            index=models.Index(condition=models.Q(('derive_state', 1)), fields=['id'], name='submission_pending'),
        ),
        migrations.AddIndex(
            model_name='submission',
            index=models.Index(condition=models.Q(('derive_state', 2)), fields=['mission', 'id'], name='submission_failed'),
        ),
    ]
