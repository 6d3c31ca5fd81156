"""``manage.py load_demo``: the demo tree, its content rules, idempotency and rendering."""

import json
import re
from collections import Counter
from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter
from wagtail.embeds import embeds as wagtail_embeds
from wagtail.embeds.models import Embed
from wagtail.images import get_image_model
from wagtail.models import Page, Revision

import pytest

from pages.accessibility.rules import alt_text_problems, check_page
from pages.blocks import CODE_LANGUAGE_LABELS, INLINE_FEATURES, PARAGRAPH_FEATURES, BodyBlock
from pages.management.commands.load_demo import HOME_INTRO, demo_documents
from pages.models import ConferenceIndex, DayPage, HomePage, TalkPage
from snippets.models import Speaker

pytestmark = pytest.mark.django_db

DEMO_SLUGS = [document.slug for document in demo_documents()]


def load_demo(*args) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def demo_conferences():
    home = HomePage.objects.get()
    return ConferenceIndex.objects.child_of(home).filter(slug__in=DEMO_SLUGS).order_by("path")


def demo_pages() -> list[Page]:
    pages = []
    for conference in demo_conferences():
        pages.append(conference)
        pages += list(conference.get_descendants().specific().order_by("path"))
    return pages


def counts() -> dict[str, int]:
    return {
        "pages": Page.objects.count(),
        "speakers": Speaker.objects.count(),
        "images": get_image_model().objects.count(),
        "revisions": Revision.objects.count(),
        "embeds": Embed.objects.count(),
    }


def no_network(*args, **kwargs):
    raise AssertionError("load_demo must not look up embeds over the network")


def editor_round_trip(html: str, features: list[str]) -> str:
    """``html`` as the Draftail editor would save it again (without its random block keys)."""
    converter = ContentstateConverter(features)
    saved = converter.to_database_format(converter.from_database_format(html))
    return re.sub(r' data-block-key="[^"]*"', "", saved)


class DemoContentTests(TestCase):
    """Read-only checks of one loaded demo (loaded once for the class)."""

    @classmethod
    def setUpTestData(cls):
        original = wagtail_embeds.get_finder_for_embed
        wagtail_embeds.get_finder_for_embed = no_network
        try:
            cls.output = load_demo()
        finally:
            wagtail_embeds.get_finder_for_embed = original

    def test_progress_is_reported(self):
        assert "Conference 1/2: Fernhollow PyDays 2025" in self.output
        assert "Conference 2/2: Saltmarsh Web Summit 2026" in self.output
        assert "Created: 2 conferences, 5 days, 16 talks" in self.output

    def test_tree_shape_and_fields(self):
        conferences = list(demo_conferences())
        assert len(conferences) >= 2
        two_speaker_talks = 0
        for conference in conferences:
            assert conference.live and conference.location and conference.website
            assert conference.website.startswith("https://example.org/")
            assert conference.tags.exists()
            assert len(conference.body) > 0
            days = list(DayPage.objects.child_of(conference).live().order_by("day_number"))
            assert 2 <= len(days) <= 3, conference.title
            assert conference.start_date == days[0].date
            assert conference.end_date == days[-1].date
            for number, day in enumerate(days, start=1):
                assert day.day_number == number
                assert (day.date - conference.start_date).days == number - 1
                assert len(day.body) > 0
                talks = list(TalkPage.objects.child_of(day).live())
                assert 3 <= len(talks) <= 5, day.title
                for talk in talks:
                    assert talk.start_time and talk.room and talk.summary, talk.title
                    assert talk.slides_url.startswith("https://example.org/")
                    assert talk.video_url.startswith("https://")
                    assert "\n\n" not in talk.summary
                    assert talk.tags.exists(), talk.title
                    assert len(talk.body) > 0, talk.title
                    assert talk.speakers, talk.title
                    two_speaker_talks += len(talk.speakers) == 2
        assert two_speaker_talks >= 2

    def test_every_page_has_a_published_revision(self):
        for page in demo_pages():
            assert page.live and page.live_revision_id is not None, page.title
            assert not page.has_unpublished_changes, page.title

    def test_every_block_type_is_used(self):
        used = Counter(block.block_type for page in demo_pages() for block in page.body)
        expected = set(BodyBlock().child_blocks)
        assert expected <= set(used), expected - set(used)

    def test_block_variants(self):
        blocks = [block for page in demo_pages() for block in page.body]

        images = [b.value["image"] for b in blocks if b.block_type == "image"]
        assert any(image.decorative and image.contextual_alt_text == "" for image in images)
        assert any(not image.decorative and image.contextual_alt_text for image in images)
        captioned = [b for b in blocks if b.block_type == "image" and b.value["caption"]]
        assert captioned and all(not b.value["image"].decorative for b in captioned)

        quotes = [b.value for b in blocks if b.block_type == "quote"]
        assert any(q["speaker"] for q in quotes)
        assert any(q["attribution"] and not q["speaker"] for q in quotes)
        assert any(q["source_url"] for q in quotes)

        code = [b.value for b in blocks if b.block_type == "code"]
        assert all(c["language"] in CODE_LANGUAGE_LABELS for c in code)
        assert len({c["language"] for c in code}) >= 6
        assert any(c["filename"] and c["highlight_lines"] for c in code)
        assert any(c["line_numbers"] for c in code)

        tables = [b.value for b in blocks if b.block_type == "table"]
        assert all(t.caption and t.columns and t.row_data for t in tables)
        column_types = {col["block"].name for t in tables for col in t.columns}
        assert column_types == {"text", "number", "rich_text"}

    def test_bodies_validate_like_the_editor(self):
        links_seen = 0
        for page in demo_pages():
            stream_block = page.body.stream_block
            stream_block.clean(page.body)  # raises if an editor could not save it
            assert check_page(page) == [], page.title
            for link in re.findall(
                r'href="([^"]*)"', json.dumps(list(page.body.raw_data)).replace('\\"', '"')
            ):
                assert link.startswith("https://example.org/"), (page.title, link)
                links_seen += 1
        assert links_seen >= 5  # demo text links only to example.org

    def test_rich_text_survives_the_editor(self):
        for page in demo_pages():
            for block in page.body.raw_data:
                if block["type"] == "paragraph":
                    html = block["value"]
                    assert editor_round_trip(html, PARAGRAPH_FEATURES) == html, page.title
                elif block["type"] == "table":
                    value = block["value"]
                    for index, column in enumerate(value["columns"]):
                        if column["type"] == "rich_text":
                            for row in value["rows"]:
                                html = row["values"][index]
                                assert editor_round_trip(html, INLINE_FEATURES) == html

    def test_headings_never_skip_a_level(self):
        for page in demo_pages():
            levels = [
                int(block.value["level"][1]) for block in page.body if block.block_type == "heading"
            ]
            previous = 1
            for level in levels:
                assert level <= previous + 1, (page.title, levels)
                previous = level
            assert all(
                block.value["text"].strip() for block in page.body if block.block_type == "heading"
            )

    def test_speakers_and_photos(self):
        names = {name for document in demo_documents() for name in document.speakers}
        speakers = Speaker.objects.filter(name__in=names)
        assert len(names) >= 10 and speakers.count() == len(names)
        assert all(speaker.bio for speaker in speakers)
        with_photo = [s for s in speakers if s.photo_id]
        assert len(with_photo) >= 2
        for speaker in with_photo:
            assert alt_text_problems(speaker.photo_alt_text) == []
            assert speaker.name in speaker.photo_alt_text

    def test_videos_are_in_the_embed_cache(self):
        for page in demo_pages():
            for block in page.body:
                if block.block_type == "video":
                    url = block.value["url"].url
                    embed = Embed.objects.get(hash=wagtail_embeds.get_embed_hash(url))
                    assert embed.type == "video" and embed.cache_until is None
                    assert "youtube-nocookie.com/embed/" in embed.html

    def test_every_demo_page_renders(self):
        for page in [HomePage.objects.get(), *demo_pages()]:
            response = self.client.get(page.url)
            assert response.status_code == 200, page.url
        talk = TalkPage.objects.get(slug="query-counting-as-a-habit")
        html = self.client.get(talk.url).content.decode()
        assert '<iframe src="https://www.youtube-nocookie.com/embed/' in html
        assert "<table>" in html and 'class="checklist"' in html
        conference = demo_conferences().first()
        html = self.client.get(conference.url).content.decode()
        assert 'alt=""' in html  # the decorative strip

    def test_home_intro_is_updated(self):
        assert HomePage.objects.get().intro == HOME_INTRO


def test_second_run_changes_nothing(monkeypatch):
    monkeypatch.setattr(wagtail_embeds, "get_finder_for_embed", no_network)
    load_demo()
    before = counts()
    ids = sorted(page.pk for page in demo_pages())
    output = load_demo()
    assert counts() == before
    assert sorted(page.pk for page in demo_pages()) == ids
    assert "already there" in output
    assert "Created: 0 conferences, 0 days, 0 talks, 0 speakers, 0 images, 0 embeds." in output


def test_reset_rebuilds_the_same_demo(monkeypatch):
    monkeypatch.setattr(wagtail_embeds, "get_finder_for_embed", no_network)
    load_demo()
    before = counts()
    old_ids = {page.pk for page in demo_pages()}
    output = load_demo("--reset")
    assert "Reset: deleted" in output
    assert counts() == before
    assert not old_ids & {page.pk for page in demo_pages()}
