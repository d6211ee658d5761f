from django.db import migrations


def install(apps, schema_editor):
    from wagtail_satisfaction.standard_questionnaires import install_standard_questionnaires

    install_standard_questionnaires(apps)


class Migration(migrations.Migration):
    dependencies = [("wagtail_satisfaction", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
