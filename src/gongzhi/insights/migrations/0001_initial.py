# The rollups behind the three rates, moved here from requests (whose 0004
# drops them from its state). The tables already exist under their old
# names (db_table), with their rows, indexes and constraints: this
# migration only tells Django that insights owns them, and hands the
# models' content types (and so their permissions) over to insights.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


MODELS = ("requestfact", "requestrollup")


def _content_types_move(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    if ContentType.objects.filter(app_label=target, model__in=MODELS).exists():
        return  # created already (post_migrate of an earlier run)
    ContentType.objects.filter(app_label=source, model__in=MODELS).update(
        app_label=target
    )


def content_types_to_insights(apps, schema_editor):
    _content_types_move(apps, "requests", "insights")


def content_types_to_requests(apps, schema_editor):
    _content_types_move(apps, "insights", "requests")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('areas', '0001_initial'),
        ('requests', '0004_rollups_to_insights'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='RequestFact',
                    fields=[
                        ('day', models.DateField(verbose_name='day raised')),
                        ('assignee_kind', models.CharField(choices=[('none', 'Not assigned'), ('team', 'Service team'), ('organization', 'Organization'), ('department', 'Street department')], default='none', max_length=12, verbose_name='assignee kind')),
                        ('assignee_id', models.PositiveBigIntegerField(default=0, verbose_name='assignee')),
                        ('refreshed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='refreshed at')),
                        ('request', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='requests.servicerequest', verbose_name='request')),
                        ('valid', models.BooleanField(default=False)),
                        ('dispatched', models.BooleanField(default=False)),
                        ('responded_in_time', models.BooleanField(default=False)),
                        ('resolved', models.BooleanField(default=False)),
                        ('rated', models.BooleanField(default=False)),
                        ('satisfied', models.BooleanField(default=False)),
                        ('dissatisfied', models.BooleanField(default=False)),
                        ('overdue', models.BooleanField(default=False)),
                        ('reopened', models.BooleanField(default=False)),
                        ('category', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='requests.category', verbose_name='category')),
                        ('community', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='areas.area', verbose_name='community')),
                        ('street', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='areas.area', verbose_name='street')),
                    ],
                    options={
                        'verbose_name': 'request fact',
                        'verbose_name_plural': 'request facts',
                        'db_table': 'requests_requestfact',
                        'indexes': [models.Index(fields=['day', 'community', 'category'], name='req_fact_bucket')],
                    },
                ),
                migrations.CreateModel(
                    name='RequestRollup',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField(verbose_name='day raised')),
                        ('assignee_kind', models.CharField(choices=[('none', 'Not assigned'), ('team', 'Service team'), ('organization', 'Organization'), ('department', 'Street department')], default='none', max_length=12, verbose_name='assignee kind')),
                        ('assignee_id', models.PositiveBigIntegerField(default=0, verbose_name='assignee')),
                        ('refreshed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='refreshed at')),
                        ('raised', models.PositiveIntegerField(default=0, verbose_name='raised')),
                        ('valid', models.PositiveIntegerField(default=0, verbose_name='valid')),
                        ('dispatched', models.PositiveIntegerField(default=0, verbose_name='dispatched')),
                        ('responded_in_time', models.PositiveIntegerField(default=0, verbose_name='responded in time')),
                        ('resolved', models.PositiveIntegerField(default=0, verbose_name='resolved')),
                        ('rated', models.PositiveIntegerField(default=0, verbose_name='rated')),
                        ('satisfied', models.PositiveIntegerField(default=0, verbose_name='satisfied')),
                        ('dissatisfied', models.PositiveIntegerField(default=0, verbose_name='dissatisfied')),
                        ('overdue', models.PositiveIntegerField(default=0, verbose_name='overdue')),
                        ('reopened', models.PositiveIntegerField(default=0, verbose_name='reopened')),
                        ('category', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='requests.category', verbose_name='category')),
                        ('community', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='areas.area', verbose_name='community')),
                        ('street', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='areas.area', verbose_name='street')),
                    ],
                    options={
                        'verbose_name': 'request rollup',
                        'verbose_name_plural': 'request rollups',
                        'db_table': 'requests_requestrollup',
                        'ordering': ['day', 'community', 'category', 'assignee_kind', 'assignee_id'],
                        'indexes': [models.Index(fields=['community', 'day'], name='req_rollup_community'), models.Index(fields=['street', 'day'], name='req_rollup_street'), models.Index(fields=['assignee_kind', 'assignee_id', 'day'], name='req_rollup_assignee')],
                        'constraints': [models.UniqueConstraint(fields=('day', 'community', 'street', 'category', 'assignee_kind', 'assignee_id'), name='requests_rollup_bucket_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_insights, content_types_to_requests),
    ]
