"""The notes import and the search index: pages are findable right after an import, a failed
import leaves nothing behind, and the index is written in bulk once per file, not per save."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import Page

import pytest

from pages.models import TalkPage
from snippets.models import Speaker
from tests.notes_support import run

pytestmark = pytest.mark.django_db


def notes(talks: list[tuple[str, str, str]], extra: str = "") -> str:
    """A conference file with one day and the given (title, speaker, sentence) talks."""
    parts = ["---\ntitle: Indexconf\ndate: 2026-05-04\n---\n\nAbout Indexconf.\n\n## Day 1\n\n"]
    for title, speaker, sentence in talks:
        parts.append(f"### {title}\n\nSpeakers: {speaker}\n\n{sentence}\n\n")
    return "".join(parts) + extra


def write(tmp_path, text: str):
    path = tmp_path / "index.md"
    path.write_text(text, encoding="utf-8")
    return path


def found(query: str, queryset=None) -> list[str]:
    queryset = TalkPage.objects.all() if queryset is None else queryset
    return sorted(page.title for page in queryset.search(query, operator="and"))


def index_writes(queries) -> list[str]:
    """INSERT/UPDATE statements on the search index table."""
    return [
        q["sql"]
        for q in queries
        if "indexentry" in q["sql"].lower()
        and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]


def test_imported_drafts_are_found_right_after_the_import(home, tmp_path, capsys):
    path = write(
        tmp_path,
        notes(
            [
                ("Marmalade pipelines", "Oona Pettersen", "Sticky queues drain slowly."),
                ("Quiet heuristics", "Lars Brandvold", "Cardamom ranking beats guesswork."),
            ]
        ),
    )
    status, _out, err = run("import_notes", path, capsys=capsys)
    assert status == 0, err
    assert not TalkPage.objects.live().exists()  # drafts, indexed as Wagtail indexes drafts
    assert found("marmalade") == ["Marmalade pipelines"]  # title
    assert found("cardamom") == ["Quiet heuristics"]  # body
    assert found("Pettersen") == ["Marmalade pipelines"]  # speaker name through the talk
    assert [s.name for s in Speaker.objects.search("Brandvold")] == ["Lars Brandvold"]
    assert [p.title for p in Page.objects.search("Indexconf")] == ["Indexconf"]


def test_published_import_is_found_among_live_pages(home, tmp_path, capsys):
    path = write(tmp_path, notes([("Walrus caching", "Ida Krogh", "Tusks hold the cache.")]))
    status, _out, err = run("import_notes", path, "--publish", capsys=capsys)
    assert status == 0, err
    assert found("walrus tusks", TalkPage.objects.live()) == ["Walrus caching"]


def test_reimport_replaces_the_indexed_text(home, tmp_path, capsys):
    path = write(tmp_path, notes([("Lantern talk", "Ada Quill", "Paraffin lanterns glow.")]))
    assert run("import_notes", path, "--publish", capsys=capsys)[0] == 0
    write(tmp_path, notes([("Lantern talk", "Ada Quill", "Halogen lanterns glare.")]))
    assert run("import_notes", path, "--publish", capsys=capsys)[0] == 0
    assert found("halogen") == ["Lantern talk"]
    assert found("paraffin") == []


def test_failed_import_leaves_nothing_in_the_index(home, tmp_path, capsys):
    from wagtail.search.models import IndexEntry

    before = IndexEntry.objects.count()
    path = write(
        tmp_path,
        notes(
            [("Gooseberry builds", "Pia Lund", "Gooseberry caches everywhere.")],
            extra="![A chart nobody saved](images/absent.png)\n",
        ),
    )
    status, out, _err = run("import_notes", path, capsys=capsys)
    assert status == 1
    assert "not imported" in out
    assert not TalkPage.objects.exists()
    assert IndexEntry.objects.count() == before
    assert found("gooseberry") == []
    assert list(Speaker.objects.search("Lund")) == []


def test_dry_run_leaves_nothing_in_the_index(home, tmp_path, capsys):
    from wagtail.search.models import IndexEntry

    before = IndexEntry.objects.count()
    path = write(tmp_path, notes([("Rhubarb retries", "Sam Ek", "Rhubarb backoff.")]))
    status, _out, err = run("import_notes", path, "--dry-run", capsys=capsys)
    assert status == 0, err
    assert IndexEntry.objects.count() == before
    assert found("rhubarb") == []


def test_index_is_written_in_bulk_once_per_file(home, tmp_path, capsys):
    """The index writes do not grow with the number of talks (they did: two per page)."""

    def writes_for(count: int, name: str) -> int:
        talks = [(f"{name} talk {n}", f"Speaker {name} {n}", "Plain words.") for n in range(count)]
        text = notes(talks).replace("Indexconf", f"Indexconf {name}")
        with CaptureQueriesContext(connection) as queries:
            status, _out, err = run("import_notes", write(tmp_path, text), capsys=capsys)
        assert status == 0, err
        return len(index_writes(queries.captured_queries))

    few, many = writes_for(2, "alpha"), writes_for(8, "beta")
    assert few == many
    assert many <= 8  # a bulk insert per indexed model plus the title-norm updates
    assert len(found("beta")) == 8


def test_saves_outside_an_import_are_still_indexed_at_once(home, tmp_path, capsys):
    path = write(tmp_path, notes([("Juniper routing", "Eli Moss", "Juniper routes.")]))
    assert run("import_notes", path, capsys=capsys)[0] == 0
    # after an import (which swapped the search receiver), a plain save indexes immediately
    Speaker.objects.create(name="Tove Nightingale")
    assert [s.name for s in Speaker.objects.search("Nightingale")] == ["Tove Nightingale"]
    talk = TalkPage.objects.get(title="Juniper routing")
    talk.title = "Juniper and sloe routing"
    talk.save_revision().publish()
    assert found("sloe") == ["Juniper and sloe routing"]


def test_accessibility_findings_are_stored_once_per_page(home, tmp_path, capsys):
    """Findings are audited at the end of the import (once per page), as on each save before."""
    from pages.models import AccessibilityFinding, ConferenceIndex

    path = write(
        tmp_path, notes([("Hazel links", "Una Berg", "Slides are [here](https://example.com/).")])
    )
    assert run("import_notes", path, capsys=capsys)[0] == 0
    talk = TalkPage.objects.get(title="Hazel links")
    findings = list(AccessibilityFinding.objects.filter(page=talk))
    assert [(f.rule, f.source) for f in findings] == [
        ("link-text", AccessibilityFinding.SOURCE_DRAFT)
    ]
    assert findings[0].conference == ConferenceIndex.objects.get(title="Indexconf")
    write(
        tmp_path,
        notes([("Hazel links", "Una Berg", "See the [hazel slides](https://example.com/).")]),
    )
    assert run("import_notes", path, "--publish", capsys=capsys)[0] == 0
    assert not AccessibilityFinding.objects.filter(page=talk).exists()
