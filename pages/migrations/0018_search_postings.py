"""PostgreSQL: word lists for common words (``pages/search/postings.py``). No-op elsewhere.

- ``confnotes_search_word``: a common word (its one-lexeme tsquery) and the weights its ranks
  were computed with;
- ``confnotes_search_posting``: for each such word, every index entry that contains it, with
  the word's rank in the entry's title and body (``ts_rank``, exactly as a search computes it)
  and the entry's title norm. Read without parallel workers: a word's postings are a few
  hundred pages, and starting workers cost more than reading them (25 -> 16 ms for "django").

A trigger on Wagtail's index table keeps the postings of each written entry in the same
transaction, so every door that writes the index (publish, unpublish, delete,
``update_index``, the title-norm refresh, a raw DELETE or TRUNCATE) keeps them exact.
"""

from django.db import migrations

FORWARD = """
CREATE TABLE confnotes_search_word (
    term text PRIMARY KEY,
    query tsquery NOT NULL,
    weights real[] NOT NULL
);

CREATE TABLE confnotes_search_posting (
    term text NOT NULL REFERENCES confnotes_search_word (term) ON DELETE CASCADE,
    entry_id integer NOT NULL,
    content_type_id integer NOT NULL,
    object_id text NOT NULL,
    title_rank real NOT NULL,
    body_rank real NOT NULL,
    title_norm double precision NOT NULL,
    PRIMARY KEY (term, entry_id)
);

CREATE INDEX confnotes_search_posting_entry ON confnotes_search_posting (entry_id);

ALTER TABLE confnotes_search_posting SET (parallel_workers = 0);

CREATE FUNCTION confnotes_search_posting_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE confnotes_search_posting;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM confnotes_search_posting WHERE entry_id = OLD.id;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN NULL;
    END IF;
    INSERT INTO confnotes_search_posting
        (term, entry_id, content_type_id, object_id, title_rank, body_rank, title_norm)
    SELECT w.term, NEW.id, NEW.content_type_id, NEW.object_id,
           ts_rank(w.weights, NEW.title, w.query), ts_rank(w.weights, NEW.body, w.query),
           NEW.title_norm
    FROM confnotes_search_word w
    WHERE (NEW.title || NEW.body) @@ w.query;
    RETURN NULL;
END
$$;

CREATE TRIGGER confnotes_search_posting_rows
AFTER INSERT OR UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION confnotes_search_posting_sync();

CREATE TRIGGER confnotes_search_posting_truncate
AFTER TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION confnotes_search_posting_sync();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS confnotes_search_posting_truncate ON {table};

DROP TRIGGER IF EXISTS confnotes_search_posting_rows ON {table};

DROP FUNCTION IF EXISTS confnotes_search_posting_sync();

DROP TABLE IF EXISTS confnotes_search_posting, confnotes_search_word;
"""


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = apps.get_model("wagtailsearch", "IndexEntry")._meta.db_table
        for statement in sql.strip().split("\n\n"):  # one statement per paragraph
            schema_editor.execute(statement.replace("{table}", schema_editor.quote_name(table)))

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0017_stored_parts"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
