"""SQLite: the search index's FTS5 table with the Porter stemmer. No-op elsewhere.

Wagtail's SQLite backend creates its FTS5 table with FTS5's default tokenizer, which does not
stem: "caching" did not find "cache", a plural not the singular, while PostgreSQL's English
configuration stems both. FTS5 stems queries with the table's own tokenizer, so recreating the
table with ``porter unicode61`` gives stemming at index and query time, with the same columns,
rowids and triggers (they name the table, which keeps its name). Its rows are rebuilt from the
index entries.
"""

from django.db import migrations

TOKENIZE = "porter unicode61 remove_diacritics 2"


def _tables(apps):
    entries = apps.get_model("wagtailsearch", "IndexEntry")._meta.db_table
    return entries, f"{entries}_fts"


def _recreate(schema_editor, entries: str, fts: str, tokenize: str | None) -> None:
    options = f", tokenize = '{tokenize}'" if tokenize else ""
    schema_editor.execute(f"DROP TABLE IF EXISTS {fts}")
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE {fts} USING fts5(autocomplete, body, title{options})"
    )
    schema_editor.execute(
        f"INSERT INTO {fts}(rowid, title, body, autocomplete) "  # noqa: S608
        f"SELECT id, title, body, autocomplete FROM {entries}"
    )


def stem(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _recreate(schema_editor, *_tables(apps), TOKENIZE)


def unstem(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _recreate(schema_editor, *_tables(apps), None)


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0011_created_page"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(stem, unstem)]
