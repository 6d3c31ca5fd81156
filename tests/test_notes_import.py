"""Importing Markdown notes: the tree, block values, warnings, errors, transactions, security."""

import datetime
import re
from decimal import Decimal

from wagtail.contrib.redirects.models import Redirect
from wagtail.images import get_image_model
from wagtail.models import Page, Revision

import pytest

from pages.models import ConferenceIndex, DayPage, TalkPage
from snippets.models import Speaker
from tests.factories import SpeakerFactory, png_bytes
from tests.notes_support import (
    block_types,
    body_of,
    copy_fixtures,
    media_files,
    run,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def notes(tmp_path):
    return copy_fixtures(tmp_path)


def write(directory, text: str, name: str = "notes.md"):
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def minimal(body: str = "", front: str = "") -> str:
    return f"---\ntitle: Testconf\ndate: 2026-05-04\n{front}---\n{body}"


def lines_of(stderr: str, level: str) -> list[str]:
    return [line for line in stderr.splitlines() if f": {level}: " in line]


# --- the whole fixture ------------------------------------------------------------------------


class TestFixtureImport:
    @pytest.fixture
    def imported(self, home, notes, capsys):
        status, out, err = run("import_notes", notes / "conference.md", "--publish", capsys=capsys)
        assert status == 0, err
        return ConferenceIndex.objects.get(slug="harbour-python-days-2026"), out, err

    def test_tree(self, imported):
        conference, out, _err = imported
        assert conference.live
        assert conference.get_parent().pk == Page.objects.get(depth=2).pk
        assert (conference.start_date, conference.end_date) == (
            datetime.date(2026, 9, 17),
            datetime.date(2026, 9, 18),
        )
        assert conference.location == "Portside, Pier 4 Hall"
        assert conference.website == "https://example.com/harbour-python-2026"
        assert conference.search_description.startswith("Two days of Python by the sea")
        assert sorted(t.name for t in conference.tags.all()) == ["data", "python", "testing"]
        days = list(DayPage.objects.child_of(conference).order_by("path"))
        assert [(d.title, d.day_number, d.date) for d in days] == [
            ("Day 1: Testing", 1, datetime.date(2026, 9, 17)),
            ("Day 2: Data", 2, datetime.date(2026, 9, 18)),
        ]
        talks = [[t.title for t in TalkPage.objects.child_of(day).order_by("path")] for day in days]
        assert talks == [
            ["Property-based testing in practice", "Fixtures that do not lie"],
            ["Notebook to production"],
        ]
        # the printed tree: pages with their block counts
        assert 'conference "Harbour Python Days 2026" [create]' in out
        assert re.search(r'talk "Property-based testing in practice" \[create\].*8 blocks', out)
        assert "speakers: Mira Okafor, Tomasz Lind" in out
        assert "1 conference, 2 day(s), 3 talk(s)" in out

    def test_intros(self, imported):
        conference, _out, _err = imported
        assert body_of(conference) == [
            {
                "type": "paragraph",
                "value": "<p>A regional conference with one track and long breaks. Notes by "
                "<b>three of us</b>, merged afterwards.</p>",
            }
        ]
        day = DayPage.objects.get(slug="day-1-testing")
        assert body_of(day)[0]["value"] == (
            "<p>Morning talks were about tests; the afternoon was <i>hands-on</i>.</p>"
        )
        assert body_of(DayPage.objects.get(slug="day-2-data")) == []

    def test_talk_blocks(self, imported):
        talk = TalkPage.objects.get(slug="property-based-testing-in-practice")
        assert [s.name for s in talk.speakers] == ["Mira Okafor", "Tomasz Lind"]
        assert block_types(talk) == [
            "paragraph",
            "heading",
            "paragraph",
            "heading",
            "checklist",
            "code",
            "quote",
            "image",
        ]
        body = body_of(talk)
        assert body[0]["value"] == (
            "<p>Start from the invariants, not the examples. The "
            '<a href="https://hypothesis.readthedocs.io/">Hypothesis documentation</a> has the '
            "details.</p>"
        )
        assert body[1]["value"] == {"text": "Why properties", "level": "h2"}
        assert body[2]["value"] == (
            "<ol><li>Examples only cover what you thought of</li><li>Shrinking finds the "
            "<i>smallest</i> failing input<ul><li>it saves hours of debugging</li><li>and the "
            "failure reads like a bug report</li></ul></li></ol>"
        )
        # ###### after #### skips a level: closed up to h3
        assert body[3]["value"] == {"text": "What to try first", "level": "h3"}
        assert body[4]["value"]["title"] == "Homework"
        assert [item["value"] for item in body[4]["value"]["items"]] == [
            {"text": "Add one property test to the slowest module", "done": True},
            {"text": "Read about `@example`", "done": False},
        ]
        assert body[5]["value"] == {
            "language": "python",
            "code": "@given(st.text())\ndef test_roundtrip(s):\n    assert decode(encode(s)) == s",
            "filename": "test_roundtrip.py",
            "highlight_lines": "2",
            "line_numbers": True,
        }
        mira = Speaker.objects.get(name="Mira Okafor")
        assert body[6]["value"] == {
            "text": "Write the property first, then let the tool argue with you.",
            "attribution": "",
            "speaker": mira.pk,
            "source_url": "",
        }
        image_value = body[7]["value"]
        assert image_value["caption"] == "Shrinking, live on stage"
        assert image_value["image"]["decorative"] is False
        assert image_value["image"]["alt_text"].startswith("Two presenters pointing")
        image = get_image_model().objects.get(pk=image_value["image"]["image"])
        assert (image.width, image.height) == (48, 32)

    def test_other_talks(self, imported):
        talk = TalkPage.objects.get(slug="fixtures-that-do-not-lie")
        assert block_types(talk) == ["paragraph", "code", "table"]
        table = talk.body[2].value
        assert [(c["heading"], c["block"].name) for c in table.columns] == [
            ("Approach", "text"),
            ("Setup time (s)", "number"),
            ("Notes", "rich_text"),
        ]
        assert [row["values"][1] for row in table.row_data] == [Decimal("1.5"), Decimal("4")]
        assert str(table.row_data[0]["values"][2]) == "<p>fast, <b>explicit</b></p>"
        assert talk.body[1].value["language"] == "text"  # elixir is not highlighted here

        talk = TalkPage.objects.get(slug="notebook-to-production")
        body = body_of(talk)
        assert [b["type"] for b in body] == ["paragraph", "code", "image", "quote"]
        assert body[0]["value"] == "<p>&lt;b&gt;Bold claims&lt;/b&gt; were made.</p>"
        assert body[1]["value"]["code"] == "SELECT count(*) FROM talks;"
        assert body[2]["value"]["image"]["decorative"] is True
        assert body[3]["value"]["attribution"] == "someone in the hallway"
        assert body[3]["value"]["speaker"] is None

    def test_speakers_and_redirects(self, imported, client):
        conference, _out, _err = imported
        assert sorted(Speaker.objects.values_list("name", flat=True)) == [
            "Jun Arroyo",
            "Mira Okafor",
            "Tomasz Lind",
        ]
        redirects = Redirect.objects.order_by("old_path")
        assert [(r.old_path, r.redirect_page_id) for r in redirects] == [
            ("/notes/hpd-2026", conference.pk),
            ("/old/harbour-2026", conference.pk),
        ]
        response = client.get("/old/harbour-2026/")
        assert response.status_code == 301
        assert response["Location"].endswith("/harbour-python-days-2026/")

    def test_warnings(self, imported):
        _conference, _out, err = imported
        warnings = lines_of(err, "warning")
        expected = {
            12: "Unknown front matter key “mood”",
            17: "Template shortcode dropped: {{< toc >}} (pages get their table of contents",
            22: "HTML comment dropped",
            42: "[heading-skipped-level]",
            67: "Unknown code language “elixir”",
            82: "Raw HTML is kept as text",
            84: "Code block without a language",
        }
        for line, text in expected.items():
            assert any(f"conference.md:{line}: warning: " in w and text in w for w in warnings), (
                line,
                warnings,
            )
        assert len(warnings) == len(expected)
        assert not lines_of(err, "error")

    def test_public_pages_render(self, imported, client):
        response = client.get(
            "/harbour-python-days-2026/day-1-testing/property-based-testing-in-practice/"
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "Write the property first" in html
        assert 'id="why-properties"' in html
        response = client.get("/harbour-python-days-2026/day-2-data/notebook-to-production/")
        assert "&lt;b&gt;Bold claims&lt;/b&gt;" in response.content.decode()


def test_intro_only_file(home, notes, capsys):
    status, _out, err = run("import_notes", notes / "intro-only.md", capsys=capsys)
    assert status == 0, err
    conference = ConferenceIndex.objects.get(slug="small-meetup-march")
    assert conference.title == "Small Meetup, March"  # from the # heading
    assert not conference.live  # drafts by default
    assert conference.end_date == conference.start_date == datetime.date(2026, 3, 12)
    latest = conference.get_latest_revision_as_object()
    assert [b.block_type for b in latest.body] == ["paragraph"]
    assert "<ul><li>pizza</li>" in latest.body[0].value.source
    assert not DayPage.objects.exists()


# --- re-importing ----------------------------------------------------------------------------------


def test_reimport_updates_in_place(home, notes, capsys):
    path = notes / "conference.md"
    run("import_notes", path, "--publish", capsys=capsys)
    ids = {p.slug: p.pk for p in Page.objects.filter(depth__gte=3)}
    revisions = Revision.objects.count()
    images = get_image_model().objects.count()

    status, out, _err = run("import_notes", path, "--publish", capsys=capsys)
    assert status == 0
    assert "6 unchanged" in out
    assert Revision.objects.count() == revisions  # nothing changed, nothing saved

    text = path.read_text()
    text = text.replace("Keep factories close to the tests", "Keep factories next to the tests")
    text = text.replace("### Notebook to production\n", "### From notebook to production\n")
    path.write_text(text)
    status, out, _err = run("import_notes", path, "--publish", capsys=capsys)
    assert status == 0, out
    assert {p.slug: p.pk for p in Page.objects.filter(depth__gte=3)} == {
        **ids,
        "from-notebook-to-production": TalkPage.objects.get(slug="from-notebook-to-production").pk,
    }
    talk = TalkPage.objects.get(pk=ids["fixtures-that-do-not-lie"])
    assert "next to the tests" in talk.body[0].value.source
    assert talk.revisions.count() == 2
    assert 'talk "Fixtures that do not lie" [update]' in out
    assert 'talk "Property-based testing in practice" [unchanged]' in out
    # the talk that left the file is listed, not deleted
    assert "no longer in the file (kept): Notebook to production" in out
    assert TalkPage.objects.filter(pk=ids["notebook-to-production"]).exists()
    assert Speaker.objects.count() == 3
    assert get_image_model().objects.count() == images
    assert Redirect.objects.count() == 2


def test_reimport_as_draft_keeps_live_content(home, notes, capsys):
    path = notes / "conference.md"
    run("import_notes", path, "--publish", capsys=capsys)
    path.write_text(path.read_text().replace("one track and long breaks", "one track"))
    status, out, _err = run("import_notes", path, "--draft", capsys=capsys)
    assert status == 0
    conference = ConferenceIndex.objects.get(slug="harbour-python-days-2026")
    assert "long breaks" in conference.body[0].value.source  # live content untouched
    assert conference.has_unpublished_changes
    assert "long breaks" not in conference.get_latest_revision_as_object().body[0].value.source
    assert 'conference "Harbour Python Days 2026" [update]' in out


def test_speakers_matched_by_name(home, tmp_path, capsys):
    existing = SpeakerFactory(name="Mira Okafor")
    path = write(
        tmp_path, minimal("## Day 1\n\n### A talk\n\nSpeakers: mira okafor, New Person\n\nText.\n")
    )
    status, _out, err = run("import_notes", path, capsys=capsys)
    assert status == 0, err
    talk = TalkPage.objects.get()
    links = talk.get_latest_revision_as_object().talk_speakers.all()
    assert [link.speaker.pk for link in links][0] == existing.pk
    assert Speaker.objects.count() == 2


# --- dry runs and transactions ----------------------------------------------------------------------


def test_dry_run_writes_nothing(home, notes, capsys):
    before = (Page.objects.count(), Revision.objects.count(), media_files())
    status, out, err = run(
        "import_notes", notes / "conference.md", "--dry-run", "--publish", capsys=capsys
    )
    assert status == 0, err
    assert "dry run, nothing written" in out
    assert 'talk "Notebook to production" [create]' in out
    assert (Page.objects.count(), Revision.objects.count(), media_files()) == before
    assert not Speaker.objects.exists()
    assert not get_image_model().objects.exists()
    assert not Redirect.objects.exists()


def test_error_rolls_back_the_whole_file(home, notes, capsys):
    path = notes / "conference.md"
    path.write_text(path.read_text() + "\n![A missing chart](images/missing.png)\n")
    before = (Page.objects.count(), media_files())
    status, out, err = run("import_notes", path, "--publish", capsys=capsys)
    assert status == 1
    assert re.search(r"conference\.md:\d+: error: Image file not found: images/missing\.png", err)
    assert "not imported, 1 error(s)" in out
    assert (Page.objects.count(), media_files()) == before
    assert not Speaker.objects.exists()
    assert not get_image_model().objects.exists()


def test_many_files_progress_and_exit_status(home, notes, tmp_path, capsys):
    bad = write(tmp_path, "no title here\n", "bad.md")
    status, out, err = run(
        "import_notes", notes / "intro-only.md", bad, notes / "conference.md", capsys=capsys
    )
    assert status == 1
    assert "[1/3]" in err and "[3/3]" in err
    assert "bad.md:1: error: No title" in err
    assert "3 files: 2 imported, 1 not imported" in out
    assert ConferenceIndex.objects.count() == 2


def test_parent_option(home, tmp_path, capsys):
    path = write(tmp_path, minimal())
    status, _out, err = run("import_notes", path, "--parent", home.pk, capsys=capsys)
    assert status == 0, err
    status, _out, err = run("import_notes", path, "--parent", "/", capsys=capsys)
    assert status == 0, err
    assert ConferenceIndex.objects.count() == 1
    conference = ConferenceIndex.objects.get()
    path2 = write(tmp_path, minimal().replace("Testconf", "Other"), "other.md")
    status, _out, err = run("import_notes", path2, "--parent", conference.pk, capsys=capsys)
    assert status == 1
    assert "cannot hold conferences" in err


# --- errors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (
            b"---\ntitle: X\ndate: 2026-01-01\n---\nok\ncaf\xe9\n",
            6,
            "Not valid UTF-8 (byte 0xe9 at column 4)",
        ),
        ("---\ntitle: [unclosed\ndate: 2026-01-01\n---\n", 3, "Invalid YAML in the front matter"),
        ("---\ntitle: X\ndate: 2026-01-01\n", 1, "has no closing --- line"),
        ("---\n- a\n- b\n---\n# T\n", 2, "must be a list of “key: value” lines"),
        ("---\ntitle: 2026\ndate: 2026-01-01\n---\n", 2, "title must be text, not int"),
        ("---\ntitle: X\ndate: soon\n---\n", 3, "date must be a date like 2026-05-12"),
        ("---\ntitle: X\ndate: 2026-01-01\ntags: django\n---\n", 4, "tags must be a list"),
        (
            "---\ntitle: X\ndate: 2026-01-01\naliases: [1]\n---\n",
            4,
            "Every item of aliases must be text",
        ),
        ("---\ndate: 2026-01-01\n---\nJust text.\n", 1, "No title"),
        ("# Title only\n", 1, "no start date"),
        (
            "---\ntitle: X\ndate: 2026-01-05\nend_date: 2026-01-01\n---\n",
            4,
            "cannot end before it starts",
        ),
        ("---\ntitle: X\ndate: 2026-01-01\nurl: not a url\n---\n", 4, "Enter a valid URL"),
        (minimal("![A chart](images/none.png)\n"), 5, "Image file not found: images/none.png"),
        (minimal("![A chart](https://example.com/chart.png)\n"), 5, "images are not downloaded"),
        (minimal("![](images/x.png)\n"), 5, "has no alt text"),
        (minimal("![A chart](/etc/chart.png)\n"), 5, "must be relative to the Markdown file"),
        (minimal("Read [click here](https://example.com/).\n"), 5, "does not say where it goes"),
        (minimal("| a | b |\n| --- | --- |\n| x |  |\n"), 7, "This cell is empty"),
        (minimal("```video\nhttps://example.com/v\n```\n"), 5, "needs a title"),
        (minimal('## Day 1\n### Talk\n{time="9.30"}\n'), 7, "write it as 24-hour HH:MM"),
        (minimal('## Day 1\n### Talk\n{slides="nope"}\n'), 6, "Enter a valid URL"),
        (minimal('## Day 1\n### B\n### A\n{slug="b"}\n'), 8, "already has the slug “b”"),
        ("---\ntitle: X\ndate: 2026-01-01\ndays: no way\n---\n", 4, "days must be true or false"),
        ("---\ntitle: X\ndate: 2026-01-01\nspeakers: [A]\n---\n", 4, "speakers must map"),
        (
            minimal(front="speakers:\n  Ada:\n    website: not a url\n"),
            6,
            "Speaker “Ada”: website: Enter a valid URL",
        ),
        (
            minimal(front="speakers:\n  Ada:\n    github: 12\n"),
            6,
            "github of Ada must be text",
        ),
        (
            minimal(front="speakers:\n  Ada:\n    photo: images/none.png\n    photo_alt: Ada\n"),
            6,
            "Image file not found: images/none.png",
        ),
    ],
)
def test_errors(home, tmp_path, capsys, content, line, message):
    path = tmp_path / "notes.md"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    status, _out, err = run("import_notes", path, "--publish", capsys=capsys)
    assert status == 1
    errors = lines_of(err, "error")
    assert any(f"notes.md:{line}: error: " in e and message in e for e in errors), errors
    assert not ConferenceIndex.objects.exists()


def test_file_over_the_size_limit(home, tmp_path, capsys, settings):
    path = write(tmp_path, minimal("x" * (5 * 1024 * 1024)))
    status, _out, err = run("import_notes", path, capsys=capsys)
    assert status == 1
    assert "error: The file is 5.0 MB; the limit is 5.0 MB. Split it" in err
    small = write(tmp_path, minimal("x" * 2000), "small.md")
    status, _out, err = run("import_notes", small, "--max-size", 1000, capsys=capsys)
    assert status == 1
    assert re.search(r"error: The file is \d+ bytes; the limit is 1000 bytes", err)
    settings.NOTES_IMPORT_MAX_BYTES = 1500
    status, _out, err = run("import_notes", small, capsys=capsys)
    assert "the limit is 1500 bytes" in err
    assert not ConferenceIndex.objects.exists()


def test_accessibility_rules_in_draft_and_publish(home, tmp_path, capsys):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "chart.png").write_bytes(png_bytes())
    text = minimal("![IMG_1234.png](images/chart.png)\n\nSee [here](https://example.com/).\n")
    path = write(tmp_path, text)
    status, _out, err = run("import_notes", path, "--publish", "--dry-run", capsys=capsys)
    assert status == 1
    assert (
        "notes.md:5: error: Image images/chart.png alt text: “IMG_1234.png” looks like a file name"
        in err
    )
    assert "notes.md:7: error: Paragraph: The link text “here”" in err
    status, _out, err = run("import_notes", path, "--draft", capsys=capsys)
    assert status == 0, err
    assert "notes.md:5: warning: “IMG_1234.png” looks like a file name" in err
    assert "[image-alt-filename; publishing will refuse this]" in err
    assert "notes.md:7: warning: The link text “here”" in err


# --- parsing details ---------------------------------------------------------------------------------


def test_headings_closed_up(home, tmp_path, capsys):
    body = (
        "## Day 1\n\n### Talk\n\n##### Starts too deep\n\n###### Then deeper\n\n#### Back to two\n"
    )
    status, _out, err = run("import_notes", write(tmp_path, minimal(body)), capsys=capsys)
    assert status == 0, err
    talk = TalkPage.objects.get().get_latest_revision_as_object()
    assert [b.value["level"] for b in talk.body] == ["h2", "h3", "h2"]
    assert "notes.md:9: warning: Heading “Starts too deep” (#####) is imported as level 2" in err
    assert "[heading-first-level]" in err


def test_quotes_checklists_lists_and_images(home, tmp_path, capsys):
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "a b.png").write_bytes(png_bytes(colour=(1, 2, 3)))
    body = """## Day 1

### Talk

Speaker: Ada Lovelace
First paragraph, on the speaker line's next line.

> One line
> and its continuation.
>
> – [Ada Lovelace](https://example.com/ada)

> A quote without attribution.

- plain item
- [ ] task one
- [x] task two
  - [ ] nested task
- plain again

Text with ![a small square](<pics/a b.png> "Square") inside.
"""
    status, _out, err = run("import_notes", write(tmp_path, minimal(body)), capsys=capsys)
    assert status == 0, err
    talk = TalkPage.objects.get().get_latest_revision_as_object()
    body = body_of(talk)
    assert [b["type"] for b in body] == [
        "paragraph",
        "quote",
        "quote",
        "paragraph",
        "checklist",
        "paragraph",
        "image",
    ]
    assert body[0]["value"] == "<p>First paragraph, on the speaker line's next line.</p>"
    ada = Speaker.objects.get(name="Ada Lovelace")
    assert body[1]["value"] == {
        "text": "One line\nand its continuation.",
        "attribution": "",
        "speaker": ada.pk,
        "source_url": "https://example.com/ada",
    }
    assert body[2]["value"]["attribution"] == ""
    assert body[3]["value"] == "<ul><li>plain item</li></ul>"
    assert [i["value"] for i in body[4]["value"]["items"]] == [
        {"text": "task one", "done": False},
        {"text": "task two", "done": True},
        {"text": "nested task", "done": False},
    ]
    assert body[5]["value"] == "<ul><li>plain again</li></ul><p>Text with inside.</p>"
    assert body[6]["value"]["caption"] == "Square"
    assert "Nested items of a checklist" in err
    assert "An image in the middle of text becomes an image block" in err


def test_video_block(home, tmp_path, capsys):
    from wagtail.embeds.embeds import get_embed_hash
    from wagtail.embeds.models import Embed

    url = "https://www.youtube.com/watch?v=abc123"
    Embed.objects.create(
        url=url,
        hash=get_embed_hash(url),
        type="video",
        html='<iframe src="https://www.youtube.com/embed/abc123"></iframe>',
        max_width=None,
    )
    body = f"## Day 1\n\n### Talk\n\n```video\n{url}\nRecording of the talk\n```\n"
    status, _out, err = run(
        "import_notes", write(tmp_path, minimal(body)), "--publish", capsys=capsys
    )
    assert status == 0, err
    block = TalkPage.objects.get().body[0]
    assert block.block_type == "video"
    assert block.value["url"].url == url
    assert block.value["title"] == "Recording of the talk"


def test_seven_hashes_are_a_level_4_heading(home, tmp_path, capsys):
    body = "## Day 1\n\n### Talk\n\n#### Two\n\n##### Three\n\n###### Four\n\n####### Seven\n"
    status, _out, err = run("import_notes", write(tmp_path, minimal(body)), capsys=capsys)
    assert status == 0, err
    talk = TalkPage.objects.get().get_latest_revision_as_object()
    assert [(b.value["text"], b.value["level"]) for b in talk.body] == [
        ("Two", "h2"),
        ("Three", "h3"),
        ("Four", "h4"),
        ("Seven", "h4"),
    ]
    assert "notes.md:15: warning: ####### is deeper than ######" in err


def test_reimport_follows_the_order_of_the_file(home, tmp_path, capsys):
    body = "## Day 1\n\n### First\n\nA\n\n### Second\n\nB\n\n### Third\n\nC\n"
    path = write(tmp_path, minimal(body))
    run("import_notes", path, capsys=capsys)
    ids = dict(TalkPage.objects.values_list("slug", "pk"))
    path.write_text(minimal("## Day 1\n\n### Third\n\nC\n\n### First\n\nA\n"))
    status, out, _err = run("import_notes", path, capsys=capsys)
    assert status == 0
    day = DayPage.objects.get()
    assert list(TalkPage.objects.child_of(day).order_by("path").values_list("slug", flat=True)) == [
        "second",
        "third",
        "first",
    ]
    assert dict(TalkPage.objects.values_list("slug", "pk")) == ids
    assert "no longer in the file (kept): Second" in out


def test_duplicate_titles_get_distinct_slugs(home, tmp_path, capsys):
    body = "## Day 1\n\n### Lightning talks\n\nA\n\n### Lightning talks\n\nB\n"
    status, _out, err = run("import_notes", write(tmp_path, minimal(body)), capsys=capsys)
    assert status == 0, err
    assert sorted(TalkPage.objects.values_list("slug", flat=True)) == [
        "lightning-talks",
        "lightning-talks-2",
    ]
    assert "this one gets “lightning-talks-2”" in err


def test_talk_before_any_day_and_setext_headings(home, tmp_path, capsys):
    body = '### Not a talk\n{room="A"}\n\nIntro.\n\nA line\n---\n\nMore.\n'
    status, _out, err = run("import_notes", write(tmp_path, minimal(body)), capsys=capsys)
    assert status == 0, err
    assert "is not a talk" in err and "its attribute line is ignored" in err
    assert "underlined with ---" in err
    assert DayPage.objects.get().title == "A line"


# --- security -----------------------------------------------------------------------------------------


def test_hostile_input_is_never_markup(home, notes, capsys, client):
    status, _out, err = run("import_notes", notes / "hostile.md", "--publish", capsys=capsys)
    assert status == 0, err
    rich_text = []
    for page in Page.objects.filter(depth__gte=3).specific():
        for block in page.body:
            if block.block_type == "paragraph":
                rich_text.append(block.value.source)
            elif block.block_type == "table":
                rich_text += [
                    str(value)
                    for row in block.value.row_data
                    for column, value in zip(block.value.columns, row["values"], strict=True)
                    if column["block"].name == "rich_text"
                ]
    html = " ".join(rich_text)
    assert (
        "&lt;script&gt;alert(&quot;block&quot;)" in html or '&lt;script&gt;alert("block")' in html
    )
    tags = set(re.findall(r"</?([a-zA-Z0-9]+)", html))
    assert tags <= {"p", "b", "i", "code", "a", "ul", "ol", "li", "br"}, html
    for attributes in re.findall(r"<a\b([^>]*)>", html):
        names = set(re.findall(r"([\w-]+)=", attributes))
        assert names <= {"href"}, attributes
    for href in re.findall(r'<a\b[^>]*\bhref="([^"]*)"', html):
        assert re.match(r"https?://", href), href
    assert "Link to “wagtail://document?id=1” dropped" in err
    for page in Page.objects.filter(depth__gte=3).specific():
        rendered = client.get(page.url).content.decode()
        assert "<script>alert" not in rendered
        assert "<img src=x" not in rendered
        assert not re.search(r"<[^>]+\son(error|click|mouseover)=", rendered, re.IGNORECASE)
        assert not re.search(
            r"<a\b[^>]*\bhref=\"\s*(javascript|vbscript|data):", rendered, re.IGNORECASE
        )
    talk = TalkPage.objects.get()
    assert talk.title == '<script>alert("title")</script>'  # a plain-text title, escaped when shown
    assert (
        "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;"
        in client.get(talk.url).content.decode()
    )


def _fences(nodes):
    for node in nodes:
        if node.type == "fence":
            yield node
        yield from _fences(node.children)


def test_code_inside_list_items_becomes_code_blocks(home, notes, capsys, client):
    from pages.notes.richtext import parse_tree

    path = notes / "code-in-lists.md"
    status, _out, err = run("import_notes", path, "--publish", capsys=capsys)
    assert status == 0, err
    talk = TalkPage.objects.get(slug="databases-in-django")
    body = body_of(talk)
    codes = [block["value"] for block in body if block["type"] == "code"]
    fences = list(_fences(parse_tree(path.read_text(encoding="utf-8")).children))
    assert len(fences) == len(codes) == 6
    # every fence, as written less the list item's indentation, byte for byte
    assert [code["code"] + "\n" for code in codes] == [fence.content for fence in fences]
    assert codes[1]["code"] == (
        'class Router:\n    def db_for_read(self, model, **hints):\n        return "replica"'
    )
    assert [code["language"] for code in codes] == [
        "python", "python", "console", "bash", "text", "yaml"
    ]  # fmt: skip
    assert f"{path.name}:42: warning: Code block without a language" in err
    assert "inside a list item is kept as plain text" not in err
    paragraphs = [block["value"] for block in body if block["type"] == "paragraph"]
    # the list ends before each code block and continues after it, nested, numbered
    assert paragraphs[0] == (
        '<ul><li>You can use <b>multiple databases</b>, see <a href="https://docs.djangoproject'
        '.com/en/stable/topics/db/multi-db/">the docs</a>:</li></ul>'
    )
    assert paragraphs[1] == (
        "<ul><li>A router picks one with <code>db_for_read()</code>:"
        "<ul><li><i>reads</i> go to the replica:</li></ul></li></ul>"
    )
    assert paragraphs[2].startswith("<ul><li><ul><li>writes stay on <code>default</code></li>")
    assert "<p>and then the next item continues here.</p>" in paragraphs[3]
    assert paragraphs[3].endswith("<ol><li>Install the driver:</li></ol>")
    assert paragraphs[4] == '<ol start="2"><li>Configure the <i>settings</i>:</li></ol>'
    assert paragraphs[5] == '<ol start="3"><li>Check with <code>manage.py check</code>:</li></ol>'
    assert paragraphs[6].startswith('<ol start="4"><li>Done, see <a href="https://example.com')
    page = client.get(talk.url).content.decode()
    assert '<ol start="3">' in page and "Router" in page
    # exported and imported again: the same blocks, numbering included
    out_file = notes / "export" / "lists.md"
    run("export_notes", "lists-and-code-conf-2026", "-o", out_file, capsys=capsys)
    assert "4. Done, see" in out_file.read_text()
    status, out, err = run("import_notes", out_file, "--publish", capsys=capsys)
    assert status == 0, err
    assert 'talk "Databases in Django" [unchanged]' in out


def test_images_go_into_the_conference_collection(home, tmp_path, capsys):
    from wagtail.models import Collection

    from pages.editors.groups import conference_group

    (tmp_path / "a.png").write_bytes(png_bytes(colour=(10, 20, 30)))
    (tmp_path / "b.png").write_bytes(png_bytes(colour=(40, 50, 60)))
    intro = "Intro.\n\n![A square](a.png)\n\n## Day 1\n\n### Talk\n\nText.\n"
    path = write(tmp_path, minimal(intro))
    status, _out, err = run("import_notes", path, capsys=capsys)
    assert status == 0, err
    conference = ConferenceIndex.objects.get()
    group = conference_group(conference)
    collection = Collection.objects.filter(group_permissions__group=group).distinct().get()
    assert collection.name == "Testconf"
    image = get_image_model().objects.get()
    assert image.collection == collection  # an image of a conference that was new
    # a new image on re-import of an existing conference, and the earlier one stays put
    path.write_text(minimal(intro + "\n![Another square](b.png)\n"), encoding="utf-8")
    status, _out, err = run("import_notes", path, capsys=capsys)
    assert status == 0, err
    assert {i.collection for i in get_image_model().objects.all()} == {collection}
    assert not get_image_model().objects.filter(collection=Collection.get_first_root_node())


def test_imported_talk_without_summary_gets_one_from_its_notes(home, tmp_path, capsys):
    body = "## Day 1\n\n### Talk\n\n#### Intro\n\nThe speaker *opened* with a demo. Then Q&A. Then lunch.\n"
    status, _out, err = run("import_notes", write(tmp_path, minimal(body)), capsys=capsys)
    assert status == 0, err
    talk = TalkPage.objects.get().get_latest_revision_as_object()
    talk.save_revision().publish()
    talk = TalkPage.objects.get()
    assert (talk.summary, talk.display_summary) == ("", "The speaker opened with a demo. Then Q&A.")


# --- talk details, speakers and recaps by topic ---------------------------------------------------

DETAILED = minimal(
    front=(
        "speakers:\n"
        "  Ada Person:\n"
        "    slug: ada\n"
        "    bio: Writes compilers.\n"
        "    website: https://example.org/ada/\n"
        "    mastodon: https://example.social/@ada\n"
        "    github: ada-example\n"
        "    photo: images/ada.png\n"
        "    photo_alt: Ada Person smiling at a whiteboard\n"
        "  Nobody Else:\n"
        "    bio: Only in the front matter.\n"
    ),
    body=(
        "## Day 1\n"
        '{slug="monday"}\n'
        "### A talk\n"
        '{slug="talk-1" time="09:30" room="Main Hall" tags="orm, testing" '
        'slides="https://example.org/s/" video="https://example.org/v/"}\n'
        "Speaker: ada person\n"
        "\n"
        "Summary: What it was about,\n"
        "in two lines.\n"
        "\n"
        "Summary\\: the body starts here.\n"
        "### No details\n"
        "Summary: Only a summary.\n"
    ),
)


def publish_text(directory, text: str, capsys) -> tuple[int, str, str]:
    return run("import_notes", write(directory, text), "--publish", capsys=capsys)


def test_talk_details_and_speakers(home, tmp_path, capsys):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "ada.png").write_bytes(png_bytes())
    path = write(tmp_path, DETAILED)
    status, out, err = run("import_notes", path, "--publish", capsys=capsys)
    assert status == 0, err
    assert lines_of(err, "warning") == []
    day = DayPage.objects.get()
    assert day.slug == "monday"
    talk = TalkPage.objects.get(slug="talk-1")
    assert talk.start_time == datetime.time(9, 30)
    assert (talk.room, talk.slides_url, talk.video_url) == (
        "Main Hall",
        "https://example.org/s/",
        "https://example.org/v/",
    )
    assert sorted(talk.tags.names()) == ["orm", "testing"]
    assert talk.summary == "What it was about,\nin two lines."
    assert body_of(talk) == [
        {"type": "paragraph", "value": "<p>Summary: the body starts here.</p>"}
    ]
    ada = Speaker.objects.get(slug="ada")
    assert [link.speaker for link in talk.talk_speakers.all()] == [ada]
    assert (ada.name, ada.bio, ada.website, ada.mastodon, ada.github) == (
        "Ada Person",
        "Writes compilers.",
        "https://example.org/ada/",
        "https://example.social/@ada",
        "ada-example",
    )
    assert ada.photo is not None and ada.photo_alt_text == "Ada Person smiling at a whiteboard"
    assert Speaker.objects.get(name="Nobody Else").bio == "Only in the front matter."
    plain = TalkPage.objects.get(slug="no-details")
    assert (plain.start_time, plain.room, plain.summary) == (None, "", "Only a summary.")
    assert list(plain.talk_speakers.all()) == []

    # again: nothing changes, no new revision, no new speaker or image
    revisions, images = Revision.objects.count(), get_image_model().objects.count()
    status, out, err = run("import_notes", path, "--publish", capsys=capsys)
    assert status == 0 and "0 created, 0 updated, 4 unchanged" in out, out
    assert (Revision.objects.count(), get_image_model().objects.count()) == (revisions, images)
    assert Speaker.objects.count() == 2

    # a changed detail updates the talk and the speaker
    write(tmp_path, DETAILED.replace("Main Hall", "Room 2").replace("compilers", "parsers"))
    status, out, err = run("import_notes", path, "--publish", capsys=capsys)
    assert status == 0 and "1 updated" in out, out
    assert TalkPage.objects.get(slug="talk-1").room == "Room 2"
    assert Speaker.objects.get(slug="ada").bio == "Writes parsers."


def test_speaker_error_writes_nothing(home, tmp_path, capsys):
    text = DETAILED.replace("photo: images/ada.png", "photo: images/missing.png")
    status, _out, err = publish_text(tmp_path, text, capsys)
    assert status == 1
    assert any("notes.md:11: error: Image file not found" in e for e in lines_of(err, "error"))
    assert not Speaker.objects.exists() and not ConferenceIndex.objects.exists()


def test_unknown_talk_attribute_and_speaker_key_are_warnings(home, tmp_path, capsys):
    front = "speakers:\n  Ada:\n    twitter: ada\n"
    body = '## Day 1\n{time="09:00"}\n### Talk\n{colour="red"}\n'
    status, _out, err = publish_text(tmp_path, minimal(body, front), capsys)
    assert status == 0, err
    warnings = lines_of(err, "warning")
    assert any(":6: warning: Unknown speaker key “twitter” ignored" in w for w in warnings)
    assert any(":9: warning: Day attribute “time” ignored (known: slug)" in w for w in warnings)
    assert any(":11: warning: Talk attribute “colour” ignored" in w for w in warnings)


def test_recap_by_topic(home, tmp_path, capsys):
    body = "Intro.\n\n## Databases\n\nText.\n\n### Indexes\n\n#### Partial\n\n##### Deeper\n"
    status, _out, err = publish_text(tmp_path, minimal(body, "days: false\n"), capsys)
    assert status == 0, err
    conference = ConferenceIndex.objects.get()
    assert not DayPage.objects.exists()
    headings = [
        (block.value["text"], block.value["level"])
        for block in conference.body
        if block.block_type == "heading"
    ]
    assert headings == [
        ("Databases", "h2"),
        ("Indexes", "h3"),
        ("Partial", "h4"),
        ("Deeper", "h4"),
    ]
    assert any("##### is deeper than ####" in w for w in lines_of(err, "warning"))


def test_code_keeps_its_whitespace(home, tmp_path, capsys):
    """A snippet cut from inside a function starts indented, and a line may end in spaces: the
    code block keeps both (a form field's strip() used to take them), in the editor's form too."""
    code = "    if ready:\n        launch()  \n    return done"
    body = f"## Day 1\n### A talk\n\n#### Code\n\n```python\n{code}\n```\n"
    status, _out, err = run(
        "import_notes", write(tmp_path, minimal(body)), "--publish", capsys=capsys
    )
    assert status == 0, err
    [block] = [b for b in TalkPage.objects.get(slug="a-talk").body if b.block_type == "code"]
    assert block.value["code"] == code
    from pages.blocks import CodeBlock

    value = CodeBlock().to_python({**block.value, "code": code})
    assert CodeBlock().clean(value)["code"] == code
