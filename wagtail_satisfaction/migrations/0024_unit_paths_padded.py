"""Units' paths written with fixed-width steps (models.units.PATH_DIGITS), so that ordering
by path lists sub-units in the order they were made ("1/10/" sorted before "1/9/")."""

from django.db import migrations

DIGITS = 9  # models.units.PATH_DIGITS when this migration was written


def _rewrite(apps, step):
    Unit = apps.get_model("wagtail_satisfaction", "Unit")
    parents = dict(Unit.objects.values_list("pk", "parent_id"))
    paths = {}

    def path(pk):
        if pk not in paths:
            parent = parents[pk]
            paths[pk] = (path(parent) if parent else "") + step(pk)
        return paths[pk]

    for pk in parents:
        Unit.objects.filter(pk=pk).update(path=path(pk))


def pad(apps, schema_editor):
    _rewrite(apps, lambda pk: f"{pk:0{DIGITS}d}/")


def unpad(apps, schema_editor):
    _rewrite(apps, lambda pk: f"{pk}/")


class Migration(migrations.Migration):
    dependencies = [("wagtail_satisfaction", "0023_week_keyed_tallies")]

    operations = [migrations.RunPython(pad, unpad, elidable=False)]
