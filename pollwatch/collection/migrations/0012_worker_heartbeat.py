from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('collection', '0011_api_token_scope'),
    ]

    operations = [
        migrations.CreateModel(
            name='WorkerHeartbeat',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('worker', models.CharField(help_text='host:pid of the worker process', max_length=200, unique=True)),
                ('started_at', models.DateTimeField()),
                ('seen_at', models.DateTimeField(db_index=True, help_text='Last time its loop came round')),
                ('derived', models.PositiveBigIntegerField(default=0, help_text='Reports it has derived since it started')),
            ],
        ),
    ]
