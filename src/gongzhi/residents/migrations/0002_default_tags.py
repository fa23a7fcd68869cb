"""The key-population tags every street starts with, and their default care
plans: 独居老人 weekly, 残疾人 monthly, 低保户 quarterly, and so on. A street
adds its own tags and plans; these rows are the shared defaults."""

from django.db import migrations

DEFAULT_TAGS = [
    # code, name, has_grade, visit every (days)
    ("alone_elderly", "独居老人", False, 7),
    ("empty_nest", "空巢老人", False, 14),
    ("oldest_old", "高龄老人", False, 30),
    ("disabled", "残疾人", True, 30),
    ("dibao", "低保户", False, 90),
    ("tekun", "特困", False, 30),
    ("veteran", "退役军人", False, None),
    ("military_family", "军属", False, None),
    ("youth_at_risk", "重点青少年", False, 30),
    ("maternal", "孕产妇", False, 30),
]


def add_defaults(apps, schema_editor):
    TagType = apps.get_model("residents", "TagType")
    for position, (code, name, has_grade, every) in enumerate(DEFAULT_TAGS):
        TagType.objects.get_or_create(
            code=code,
            street=None,
            defaults={
                "name": name,
                "has_grade": has_grade,
                "visit_every_days": every,
                "position": position,
            },
        )


def remove_defaults(apps, schema_editor):
    TagType = apps.get_model("residents", "TagType")
    codes = [code for code, *_ in DEFAULT_TAGS]
    TagType.objects.filter(street=None, code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("residents", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
