from django.db import migrations, models


def sms_rows_hold_sms_text(apps, schema_editor):
    # Reports stored before the field existed are XForm instances (web entry and the API built one too), except
    # SMS reports, whose raw is the SMS text; the demo generator's "sms" reports are XForm instances.
    Submission = apps.get_model("collection", "Submission")
    Submission.objects.filter(transport="sms").exclude(raw__startswith="<").update(payload_type="sms-text")


class Migration(migrations.Migration):

    dependencies = [
        ("collection", "0012_worker_heartbeat"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="payload_type",
            field=models.CharField(default="xform-xml", max_length=16),
        ),
        migrations.RunPython(sms_rows_hold_sms_text, migrations.RunPython.noop),
    ]
