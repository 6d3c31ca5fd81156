"""PostgreSQL: one row of facet data per page (``pages/search/facets.py``). No-op elsewhere.

``confnotes_search_facet`` holds, for every page, what the search facets count of it: its path
and depth (its conference), and for a talk its code languages and the ids of its tags and of its
speakers. Counting facets over a search's 1,000 best pages then probes one primary key per
page, where it probed four tables (page, talk, talk tags, talk speakers): 9 ms of every search
at 100,000 talks.

Triggers on the four source tables keep the rows in the same transaction as every write
(publish, move, copy, delete, tag and speaker edits, imports, a raw UPDATE or TRUNCATE), so
every door keeps them exact. A page row makes the facet row; the other tables only update it
(so that a cascade deleting a page's tags after the page cannot bring its row back).
"""

from django.db import migrations

FORWARD = """
CREATE TABLE confnotes_search_facet (
    page_id integer PRIMARY KEY,
    path varchar(255) NOT NULL,
    depth integer NOT NULL,
    code_languages varchar(255) NOT NULL DEFAULT '',
    tag_ids integer[] NOT NULL DEFAULT '{}',
    speaker_ids integer[] NOT NULL DEFAULT '{}'
);

ALTER TABLE confnotes_search_facet SET (parallel_workers = 0);

CREATE FUNCTION confnotes_search_facet_page() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE confnotes_search_facet;
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM confnotes_search_facet WHERE page_id = OLD.id;
    ELSIF TG_OP = 'UPDATE' AND OLD.id = NEW.id THEN
        UPDATE confnotes_search_facet SET path = NEW.path, depth = NEW.depth
        WHERE page_id = NEW.id;
    ELSE
        IF TG_OP = 'UPDATE' THEN
            DELETE FROM confnotes_search_facet WHERE page_id = OLD.id;
        END IF;
        INSERT INTO confnotes_search_facet (page_id, path, depth)
        VALUES (NEW.id, NEW.path, NEW.depth)
        ON CONFLICT (page_id) DO UPDATE SET path = EXCLUDED.path, depth = EXCLUDED.depth;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION confnotes_search_facet_talk() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        UPDATE confnotes_search_facet SET code_languages = '' WHERE code_languages <> '';
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE confnotes_search_facet SET code_languages = '' WHERE page_id = OLD.page_ptr_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE confnotes_search_facet SET code_languages = NEW.code_languages
        WHERE page_id = NEW.page_ptr_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION confnotes_search_facet_links() RETURNS trigger LANGUAGE plpgsql AS $$
-- A talk's tags or speakers (TG_ARGV: the facet row's column of ids, and the link table's
-- columns of the talk and of the linked id): the row's ids made again from the link table.
DECLARE
    talks integer[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        EXECUTE format('UPDATE confnotes_search_facet SET %1$I = ''{}'' WHERE %1$I <> ''{}''',
                       TG_ARGV[0]);
        RETURN NULL;
    END IF;
    talks := ARRAY[
        CASE WHEN TG_OP <> 'INSERT' THEN (to_jsonb(OLD) ->> TG_ARGV[1])::integer END,
        CASE WHEN TG_OP <> 'DELETE' THEN (to_jsonb(NEW) ->> TG_ARGV[1])::integer END
    ];
    EXECUTE format(
        'UPDATE confnotes_search_facet f SET %1$I = ARRAY(SELECT l.%3$I FROM %4$I.%5$I l'
        ' WHERE l.%2$I = f.page_id ORDER BY l.id) WHERE f.page_id = ANY($1)',
        TG_ARGV[0], TG_ARGV[1], TG_ARGV[2], TG_TABLE_SCHEMA, TG_TABLE_NAME
    ) USING talks;
    RETURN NULL;
END
$$;

CREATE TRIGGER confnotes_search_facet_rows AFTER INSERT OR DELETE OR UPDATE OF id, path, depth
ON {page} FOR EACH ROW EXECUTE FUNCTION confnotes_search_facet_page();

CREATE TRIGGER confnotes_search_facet_truncate AFTER TRUNCATE
ON {page} FOR EACH STATEMENT EXECUTE FUNCTION confnotes_search_facet_page();

CREATE TRIGGER confnotes_search_facet_rows
AFTER INSERT OR DELETE OR UPDATE OF page_ptr_id, code_languages
ON {talkpage} FOR EACH ROW EXECUTE FUNCTION confnotes_search_facet_talk();

CREATE TRIGGER confnotes_search_facet_truncate AFTER TRUNCATE
ON {talkpage} FOR EACH STATEMENT EXECUTE FUNCTION confnotes_search_facet_talk();

CREATE TRIGGER confnotes_search_facet_rows
AFTER INSERT OR DELETE OR UPDATE OF content_object_id, tag_id ON {talktag}
FOR EACH ROW EXECUTE FUNCTION confnotes_search_facet_links(tag_ids, content_object_id, tag_id);

CREATE TRIGGER confnotes_search_facet_truncate AFTER TRUNCATE ON {talktag}
FOR EACH STATEMENT EXECUTE FUNCTION confnotes_search_facet_links(tag_ids);

CREATE TRIGGER confnotes_search_facet_rows
AFTER INSERT OR DELETE OR UPDATE OF page_id, speaker_id ON {talkspeaker}
FOR EACH ROW EXECUTE FUNCTION confnotes_search_facet_links(speaker_ids, page_id, speaker_id);

CREATE TRIGGER confnotes_search_facet_truncate AFTER TRUNCATE ON {talkspeaker}
FOR EACH STATEMENT EXECUTE FUNCTION confnotes_search_facet_links(speaker_ids);

INSERT INTO confnotes_search_facet (page_id, path, depth, code_languages, tag_ids, speaker_ids)
SELECT p.id, p.path, p.depth, COALESCE(t.code_languages, ''),
    ARRAY(SELECT g.tag_id FROM {talktag} g WHERE g.content_object_id = p.id ORDER BY g.id),
    ARRAY(SELECT s.speaker_id FROM {talkspeaker} s WHERE s.page_id = p.id ORDER BY s.id)
FROM {page} p LEFT JOIN {talkpage} t ON t.page_ptr_id = p.id;

ANALYZE confnotes_search_facet
"""

BACKWARD = """
DROP TRIGGER IF EXISTS confnotes_search_facet_truncate ON {talkspeaker};

DROP TRIGGER IF EXISTS confnotes_search_facet_rows ON {talkspeaker};

DROP TRIGGER IF EXISTS confnotes_search_facet_truncate ON {talktag};

DROP TRIGGER IF EXISTS confnotes_search_facet_rows ON {talktag};

DROP TRIGGER IF EXISTS confnotes_search_facet_truncate ON {talkpage};

DROP TRIGGER IF EXISTS confnotes_search_facet_rows ON {talkpage};

DROP TRIGGER IF EXISTS confnotes_search_facet_truncate ON {page};

DROP TRIGGER IF EXISTS confnotes_search_facet_rows ON {page};

DROP FUNCTION IF EXISTS confnotes_search_facet_page(), confnotes_search_facet_talk(),
    confnotes_search_facet_links();

DROP TABLE IF EXISTS confnotes_search_facet
"""

#: {placeholder} in the SQL -> (app label, model name) of the table it names
TABLES = {
    "page": ("wagtailcore", "Page"),
    "talkpage": ("pages", "TalkPage"),
    "talktag": ("pages", "TalkTag"),
    "talkspeaker": ("pages", "TalkSpeaker"),
}


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        names = {
            placeholder: schema_editor.quote_name(apps.get_model(*model)._meta.db_table)
            for placeholder, model in TABLES.items()
        }
        for statement in sql.strip().split("\n\n"):  # one statement per paragraph
            for placeholder, name in names.items():
                statement = statement.replace("{" + placeholder + "}", name)
            schema_editor.execute(statement, None)  # no parameters: format()'s %1$I stays

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0018_search_postings"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
