"""Phone-login usernames unique per mission instead of across all missions.

Two missions may both have an observer coded CO-0001; the default username (the code, lower-cased) collided
across them (a 500 on the second). Existing logins keep their username and HA1, so phones keep working.
"""

import django.db.models.deletion
from django.db import migrations, models


def copy_mission(apps, schema_editor):
    DeviceCredential = apps.get_model("collection", "DeviceCredential")
    for cred in DeviceCredential.objects.select_related("observer").iterator():
        DeviceCredential.objects.filter(pk=cred.pk).update(mission_id=cred.observer.mission_id)


class Migration(migrations.Migration):

    dependencies = [
        ("collection", "0005_rebuild_indexes"),
        ("missions", "0002_restrict_deletes"),
    ]

    operations = [
        migrations.AddField(
            model_name="devicecredential",
            name="mission",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                    to="missions.mission"),
        ),
        migrations.RunPython(copy_mission, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="devicecredential",
            name="mission",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                    to="missions.mission"),
        ),
        migrations.AlterField(
            model_name="devicecredential",
            name="username",
            field=models.CharField(max_length=64),
        ),
        migrations.AddConstraint(
            model_name="devicecredential",
            constraint=models.UniqueConstraint(fields=("mission", "username"), name="device_login_unique_per_mission"),
        ),
    ]
