from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("missions", "0002_restrict_deletes")]

    operations = [
        migrations.AlterField(
            model_name="membership",
            name="role",
            field=models.CharField(choices=[("admin", "Admin"), ("coordinator", "Coordinator"),
                                            ("analyst", "Analyst"), ("data_clerk", "Data clerk"),
                                            ("observer", "Observer")], max_length=20),
        ),
    ]
