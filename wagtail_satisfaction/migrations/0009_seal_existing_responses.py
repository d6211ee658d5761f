"""Seal the responses stored before sealing existed, oldest first, one chain per campaign."""

from django.db import migrations


def seal_existing(apps, schema_editor):
    from wagtail_satisfaction.integrity.seal import seal_unsealed

    seal_unsealed(apps=apps)


class Migration(migrations.Migration):

    dependencies = [("wagtail_satisfaction", "0008_response_seals")]

    operations = [migrations.RunPython(seal_existing, migrations.RunPython.noop)]
