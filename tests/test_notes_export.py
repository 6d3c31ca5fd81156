"""Exporting notes, and round trips: importing an export gives back the same tree and blocks."""

import datetime
import html
import zipfile

from django.core.management import call_command
from django.core.management.base import CommandError

from wagtail.contrib.redirects.models import Redirect
from wagtail.embeds import embeds as wagtail_embeds
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtail.images import get_image_model

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pages.blocks import PARAGRAPH_FEATURES
from pages.management.commands.load_demo import DEMO_NOTES
from pages.models import ConferenceIndex
from pages.notes.exporter import export_conference
from pages.notes.parser import paragraph_html
from pages.notes.richtext import rich_text_to_markdown, sanitise
from snippets.models import Speaker
from tests.factories import (
    ConferenceFactory,
    DayFactory,
    ImageFactory,
    SpeakerFactory,
    TalkFactory,
)
from tests.notes_support import copy_fixtures, run, snapshot

VIDEO_URL = "https://www.youtube.com/watch?v=notes42"


def reimport(path, capsys, *args):
    status, out, err = run("import_notes", path, "--publish", *args, capsys=capsys)
    assert status == 0, err
    return out, err


# --- the fixture, imported, exported and imported again -------------------------------------------


@pytest.mark.django_db
def test_fixture_round_trip(home, tmp_path, capsys):
    notes = copy_fixtures(tmp_path)
    reimport(notes / "conference.md", capsys)
    conference = ConferenceIndex.objects.get()
    before = snapshot(conference)

    out_file = tmp_path / "export" / "harbour.md"
    call_command("export_notes", conference.slug, "-o", str(out_file))
    captured = capsys.readouterr()
    assert "Wrote" in captured.err and "2 image(s)" in captured.err
    assert "warning" not in captured.err
    assert sorted(p.name for p in (out_file.parent / "images").iterdir()) == [
        "rule.png",
        "whiteboard.png",
    ]

    # into the same pages: nothing changes
    out, err = reimport(out_file, capsys)
    assert "6 unchanged" in out, out
    assert "warning" not in err

    # into an empty site: the same tree and the same block values
    conference.delete()
    Redirect.objects.all().delete()
    out, _err = reimport(out_file, capsys)
    assert "6 created" in out
    after = ConferenceIndex.objects.get()
    assert snapshot(after) == before
    assert Redirect.objects.filter(redirect_page=after).count() == 2

    # and exporting again gives the same file
    call_command("export_notes", after.slug, "-o", str(tmp_path / "again.md"))
    assert (tmp_path / "again.md").read_text() == out_file.read_text()


@pytest.mark.django_db
def test_exported_text_is_the_notes_format(home, tmp_path, capsys):
    notes = copy_fixtures(tmp_path)
    reimport(notes / "conference.md", capsys)
    markdown = export_conference(ConferenceIndex.objects.get()).markdown
    assert markdown.startswith("---\ntitle: Harbour Python Days 2026\ndate: 2026-09-17\n")
    assert (
        "aliases:\n- /notes/hpd-2026\n- /old/harbour-2026\n---\n\n# Harbour Python Days 2026\n"
        in (markdown)
    )
    assert "## Day 1: Testing\n" in markdown
    assert (
        "### Property-based testing in practice\n\nSpeakers: Mira Okafor, Tomasz Lind\n" in markdown
    )
    assert "###### What to try first" not in markdown and "##### What to try first" in markdown
    assert '{title="Homework"}\n- [x] Add one property test' in markdown
    assert '```python title="test_roundtrip.py" hl_lines="2" linenums="1"\n' in markdown
    assert "> — Mira Okafor" in markdown
    assert '![](images/rule.png "decorative")' in markdown
    assert "| Approach | Setup time (s) | Notes |\n| --- | ---: | --- |\n" in markdown
    assert "\\<b>Bold claims\\</b> were made." in markdown


# --- content made in the editor ------------------------------------------------------------------


@pytest.fixture
def tricky_conference(home):
    Embed.objects.create(
        url=VIDEO_URL,
        hash=get_embed_hash(VIDEO_URL),
        type="video",
        html='<iframe src="https://www.youtube.com/embed/notes42"></iframe>',
    )
    image = ImageFactory()
    speaker = SpeakerFactory(name="Ines Duarte")
    conference = ConferenceFactory(
        title="Tricky: *stars*, [brackets] & C#",
        slug="tricky-conf",
        start_date=datetime.date(2026, 2, 2),
        end_date=datetime.date(2026, 2, 3),
    )
    day = DayFactory(parent=conference, title="Day 1", date=datetime.date(2026, 2, 2))
    paragraph = sanitise(
        "<p>Use <code>a`b</code> and *stars*, _under_ [brackets] &lt;tags&gt; &amp;amp; "
        "{{&lt; shortcode &gt;}} {% tag %} #hash | pipe \\ back! ![not an image] 3 &lt; 4</p>"
        "<p>1. looks like a list</p><p>- and a bullet</p><p>&gt; and a quote</p>"
        "<ul><li>one<br/>two</li><li>nested<ul><li>deeper <b>bold</b> and <i>italic</i></li>"
        "</ul></li></ul><ol><li>first</li><li>second</li></ol>"
        f'<p><a linktype="page" id="{day.pk}">the first day</a> and '
        '<a href="https://example.com/a_(b)?x=1&amp;y=2">a tricky address</a>, '
        '<a href="mailto:notes@example.com">the notes inbox</a>.</p>',
        PARAGRAPH_FEATURES,
    )
    body = [
        {"type": "paragraph", "value": "<p>Speakers: not a speaker line here.</p>"},
        {"type": "heading", "value": {"text": "C# and F# #", "level": "h2"}},
        {"type": "paragraph", "value": paragraph},
        {"type": "heading", "value": {"text": "1. Numbered heading", "level": "h3"}},
        {
            "type": "quote",
            "value": {
                "text": "First paragraph\nsecond line.\n\n— not an attribution\n-- nor this",
                "attribution": "",
                "speaker": None,
                "source_url": "",
            },
        },
        {
            "type": "quote",
            "value": {
                "text": "Quoted with a source.",
                "attribution": "A blog post",
                "speaker": None,
                "source_url": "https://example.com/post",
            },
        },
        {
            "type": "quote",
            "value": {
                "text": "By the speaker.",
                "attribution": "",
                "speaker": speaker.pk,
                "source_url": "",
            },
        },
        {
            "type": "code",
            "value": {
                "language": "console",
                "code": "$ echo '```'\n```\n$ exit",
                "filename": 'run "this".sh',
                "highlight_lines": "1,2-3",
                "line_numbers": False,
            },
        },
        {
            "type": "checklist",
            "value": {
                "title": 'Say "done"',
                "items": [
                    {"text": "[x] is literal here", "done": False},
                    {"text": "Run `make test` | tee log", "done": True},
                ],
            },
        },
        {
            "type": "image",
            "value": {
                "image": {"image": image.pk, "decorative": False, "alt_text": "A diagram [draft]"},
                "caption": 'The "final" version',
            },
        },
        {
            "type": "image",
            "value": {
                "image": {"image": image.pk, "decorative": True, "alt_text": ""},
                "caption": "",
            },
        },
        {
            "type": "table",
            "value": {
                "caption": 'Costs, "roughly"',
                "columns": [
                    {"type": "text", "heading": "Item | kind"},
                    {"type": "text", "heading": "Year"},
                    {"type": "number", "heading": "Price"},
                    {"type": "rich_text", "heading": "Plain rich"},
                ],
                "rows": [
                    {"values": ["a | b", "2024", "3.50", "<p>just text</p>"]},
                    {"values": ["*c*", "2025", "-1", "<p>more text</p>"]},
                ],
            },
        },
        {"type": "video", "value": {"url": VIDEO_URL, "title": "Recording of the talk"}},
    ]
    talk = TalkFactory(
        parent=day,
        title="The tricky talk",
        slug="tricky",
        body=body,
        speakers=[speaker],
        start_time=datetime.time(14, 5),
        room='Room "A" \\ back}',
        slides_url="https://example.com/slides?a=1&b=2",
        video_url="https://example.com/v/",
        summary="Summary: *not* _emphasis_, <b>no tags</b> & [no link](x)\n# not a heading\n"
        "- not a list\n1. nor this",
    )
    talk.tags.add("c#", "tricky tag")
    talk.save_revision().publish()
    speaker.bio = 'A bio: "quoted", #hash, and: colons'
    speaker.github = "ines"
    speaker.save()
    return conference, talk


@pytest.mark.django_db
def test_editor_content_round_trips(tricky_conference, tmp_path, capsys):
    conference, talk = tricky_conference
    before = snapshot(conference)
    export = export_conference(conference)
    assert export.warnings == []
    path = tmp_path / "tricky.md"
    export.write(path)
    out, err = reimport(path, capsys)
    assert "3 unchanged" in out, (out, err, path.read_text())
    assert "warning" not in err, err
    assert snapshot(ConferenceIndex.objects.get(pk=conference.pk)) == before

    # into an empty site (the speaker too): the same talk details and speaker details
    portable = snapshot(conference, portable=True)
    conference.delete()
    Speaker.objects.all().delete()
    reimport(path, capsys)
    assert snapshot(ConferenceIndex.objects.get(), portable=True) == portable


@pytest.mark.django_db
def test_export_warns_about_what_the_format_cannot_carry(home, tmp_path):
    image = ImageFactory()
    conference = ConferenceFactory(slug="lossy")
    day = DayFactory(parent=conference, title="Workshops", day_number=3)
    DayFactory(parent=conference, title="Day 2", day_number=2, date=datetime.date(2026, 5, 9))
    TalkFactory(
        parent=day,
        body=[
            {"type": "paragraph", "value": "<p>One.</p>"},
            {"type": "paragraph", "value": "<p>Two.</p>"},
            {
                "type": "image",
                "value": {
                    "image": {"image": image.pk, "decorative": True, "alt_text": ""},
                    "caption": "A caption",
                },
            },
        ],
    )
    warnings = " ".join(export_conference(conference).warnings)
    assert "will be imported as day 1" in warnings
    assert "its date 2026-05-09 will be imported as 2026-05-05" in warnings
    assert "two paragraph blocks in a row become one block" in warnings
    assert "caption of decorative image" in warnings


@pytest.mark.django_db
def test_export_command(home, tmp_path, capsys):
    notes = copy_fixtures(tmp_path)
    reimport(notes / "conference.md", capsys)
    call_command("export_notes", "harbour-python-days-2026")
    captured = capsys.readouterr()
    assert captured.out.startswith("---\ntitle: Harbour Python Days 2026\n")
    assert "2 image(s) were not written: use -o FILE" in captured.err
    with pytest.raises(CommandError, match="no conference with the slug"):
        call_command("export_notes", "nope")


@pytest.mark.django_db
def test_export_live_skips_drafts(home, tmp_path, capsys):
    notes = copy_fixtures(tmp_path)
    reimport(notes / "conference.md", capsys)
    path = notes / "conference.md"
    path.write_text(path.read_text().replace("one track and long breaks", "a draft change"))
    run("import_notes", path, "--draft", capsys=capsys)
    conference = ConferenceIndex.objects.get()
    assert "a draft change" in export_conference(conference).markdown
    live = export_conference(conference, live=True).markdown
    assert "a draft change" not in live and "long breaks" in live


# --- rich text escaping, as a property ---------------------------------------------------------------

TEXT = st.text(
    alphabet=st.sampled_from(list("abcXYZ019 .,:;!?-+=#*_`[](){}<>|\\&~\"'/@%$^—–")),
    min_size=1,
    max_size=40,
).map(lambda text: " ".join(text.split()))


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
def test_any_plain_text_round_trips(text):
    if not text:
        return
    stored = sanitise(f"<p>{html.escape(text, quote=False)}</p>", PARAGRAPH_FEATURES)
    markdown = rich_text_to_markdown(stored)
    assert paragraph_html(markdown) == stored, markdown


WORD = st.text(alphabet=st.sampled_from(list("abcdefXYZ019")), min_size=1, max_size=8)
SEGMENT = st.tuples(st.sampled_from(["", "b", "i", "code", "a"]), WORD)


@settings(max_examples=200)
@given(segments=st.lists(SEGMENT, min_size=1, max_size=6), spaced=st.booleans())
def test_formatted_words_round_trip(segments, spaced):
    parts = []
    for style, word in segments:
        if style == "a":
            parts.append(f'<a href="https://example.com/{word}">{word} page</a>')
        elif style:
            parts.append(f"<{style}>{word}</{style}>")
        else:
            parts.append(word)
    stored = sanitise(f"<p>{(' ' if spaced else ' x ').join(parts)}</p>", PARAGRAPH_FEATURES)
    markdown = rich_text_to_markdown(stored)
    assert paragraph_html(markdown) == stored, markdown


# --- the whole demo -------------------------------------------------------------------------------


def _no_network(*args, **kwargs):
    raise AssertionError("the demo must not look up embeds over the network")


@pytest.mark.django_db
def test_demo_round_trip(home, tmp_path, capsys, monkeypatch):
    """Every demo conference, exported and imported into an empty site, comes back whole:
    conference, days and talks with every field, speakers with their details and photos, block
    values and images; exporting it again gives the same bytes."""
    monkeypatch.setattr(wagtail_embeds, "get_finder_for_embed", _no_network)
    call_command("load_demo", verbosity=0)
    conferences = list(ConferenceIndex.objects.order_by("path"))
    assert len(conferences) >= 2
    before = [snapshot(conference, portable=True) for conference in conferences]
    speakers_before = Speaker.objects.count()
    exports = []
    for conference in conferences:
        archive = tmp_path / "out" / f"{conference.slug}.zip"
        call_command("export_notes", conference.slug, "-o", str(archive))
        assert "warning" not in capsys.readouterr().err
        exports.append(archive)

    # an empty site: no conferences, speakers, images or redirects
    for conference in conferences:
        conference.delete()
    Speaker.objects.all().delete()
    for image in get_image_model().objects.all():
        image.delete()
    Redirect.objects.all().delete()

    for archive in exports:
        directory = tmp_path / "in" / archive.stem
        with zipfile.ZipFile(archive) as opened:
            assert sum(name.endswith(".md") for name in opened.namelist()) == 1
            opened.extractall(directory)
        out, err = reimport(directory / f"{archive.stem}.md", capsys)
        assert "error" not in err, err
    after = [
        snapshot(conference, portable=True)
        for conference in ConferenceIndex.objects.order_by("path")
    ]
    assert after == before, _diff(before, after)
    assert Speaker.objects.count() == speakers_before

    for archive in exports:
        again = tmp_path / "again" / archive.name
        call_command("export_notes", archive.stem, "-o", str(again))
        assert again.read_bytes() == archive.read_bytes()
        # the demo files are what export_notes writes (regenerate them with it after a change)
        markdown = zipfile.ZipFile(again).read(f"{archive.stem}.md").decode()
        assert markdown == (DEMO_NOTES / f"{archive.stem}.md").read_text(encoding="utf-8")


def _diff(before, after) -> str:
    import difflib
    import pprint

    lines = difflib.unified_diff(
        pprint.pformat(before, width=100).splitlines(),
        pprint.pformat(after, width=100).splitlines(),
        "before",
        "after",
        lineterm="",
        n=1,
    )
    return "\n".join(list(lines)[:80])


@pytest.mark.django_db
def test_recap_by_topic_round_trip(home, tmp_path, capsys):
    source = tmp_path / "recap.md"
    source.write_text(
        "---\ntitle: Recap 2026\ndate: 2026-05-04\ndays: false\n---\n\nIntro.\n\n"
        "## Databases\n\nText.\n\n### Indexes\n\nMore.\n",
        encoding="utf-8",
    )
    reimport(source, capsys)
    conference = ConferenceIndex.objects.get()
    before = snapshot(conference)
    exported = export_conference(conference).markdown
    assert "days: false\n" in exported and "\n## Databases\n" in exported
    assert "\n### Indexes\n" in exported
    conference.delete()
    again = tmp_path / "again.md"
    again.write_text(exported, encoding="utf-8")
    reimport(again, capsys)
    assert snapshot(ConferenceIndex.objects.get()) == before
