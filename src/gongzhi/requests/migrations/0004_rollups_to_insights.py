# The rollups behind the three rates moved to the insights app. Only
# Django's idea of the models moves: the tables, their rows, indexes and
# constraints stay as they are, and insights' 0001 takes them over under
# the same table names.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("requests", "0003_follow"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="RequestFact"),
                migrations.DeleteModel(name="RequestRollup"),
            ],
            database_operations=[],
        ),
    ]
