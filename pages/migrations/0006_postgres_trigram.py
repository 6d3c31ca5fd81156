"""Enable pg_trgm on PostgreSQL so that search forgives typos (Fuzzy queries). No-op elsewhere."""

from django.db import migrations


def enable_trigram(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):
    dependencies = [("pages", "0005_talk_code_languages")]

    operations = [migrations.RunPython(enable_trigram, migrations.RunPython.noop)]
