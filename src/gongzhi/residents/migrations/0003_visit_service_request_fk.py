"""A visit's raised request becomes a real foreign key.

The link was a bare integer column, ``service_request_id``. The field is
renamed, then altered into a foreign key whose column is again
``service_request_id``: every value is kept. A value naming no request (a
request that is gone) is cleared first, as the key's SET_NULL would have
done, since the constraint could not hold it.
"""

import django.db.models.deletion
from django.db import migrations, models


def clear_dangling(apps, schema_editor):
    Visit = apps.get_model("residents", "Visit")
    ServiceRequest = apps.get_model("requests", "ServiceRequest")
    Visit.objects.filter(service_request_id__isnull=False).exclude(
        service_request_id__in=ServiceRequest.objects.values("pk")
    ).update(service_request_id=None)


class Migration(migrations.Migration):
    dependencies = [
        ("requests", "0001_initial"),
        ("residents", "0002_default_tags"),
    ]

    operations = [
        migrations.RunPython(clear_dangling, migrations.RunPython.noop),
        migrations.RenameField(
            model_name="visit", old_name="service_request_id", new_name="service_request"
        ),
        migrations.AlterField(
            model_name="visit",
            name="service_request",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="requests.servicerequest",
                verbose_name="service request",
            ),
        ),
    ]
