"""Share cards (``pages.sharing``): every talk, day and conference page names a 1200×630 PNG in
``og:image``, drawn on first request, kept in the default storage (the file system here, S3 on
moto below), and replaced when what it shows changes."""

import io
import re

from django.core.files.storage import default_storage
from django.db import connection
from django.template import Context, Template
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

import pytest
from PIL import Image

from pages.sharing import cards
from tests.factories import ConferenceFactory, DayFactory, SpeakerFactory, TalkFactory
from tests.test_s3 import (  # noqa: F401  (fixtures)
    closed_port,
    keys,
    moto_endpoint,
    new_bucket,
    s3,
    storages_for,
)

pytestmark = pytest.mark.django_db


def meta(html: str, attribute: str, name: str) -> str:
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html)
    assert match, f"no {name} in the page"
    return match.group(1)


@pytest.fixture
def talk():
    ada, bo = SpeakerFactory(name="Ada Example"), SpeakerFactory(name="Bo Other")
    conference = ConferenceFactory(title="Cardconf 2026", location="Porto")
    day = DayFactory(parent=conference, title="Day 1")
    return TalkFactory(parent=day, title="Query counting as a habit", speakers=[ada, bo])


def card_of(client, page) -> tuple[str, str]:
    """(og:image URL path, og:image:alt) of a page."""
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    url = meta(html, "property", "og:image")
    assert url.startswith("http://localhost/share/"), url
    return url.removeprefix("http://localhost"), meta(html, "property", "og:image:alt")


def png_of(client, path: str) -> Image.Image:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "immutable" in response["Cache-Control"]
    return Image.open(io.BytesIO(response.content))


def test_talk_page_names_a_large_card_with_size_and_alt(client, talk):
    html = client.get(talk.url).content.decode()
    assert meta(html, "property", "og:image:width") == "1200"
    assert meta(html, "property", "og:image:height") == "630"
    assert meta(html, "property", "og:image:type") == "image/png"
    assert meta(html, "name", "twitter:card") == "summary_large_image"
    assert meta(html, "name", "twitter:image") == meta(html, "property", "og:image")
    alt = meta(html, "property", "og:image:alt")
    assert "Query counting as a habit" in alt
    assert "Cardconf 2026" in alt and "Ada Example and Bo Other" in alt


def test_the_card_is_a_1200_by_630_png_stored_on_first_request(client, talk):
    path, _alt = card_of(client, talk)
    digest = path.rsplit("/", 1)[1].removesuffix(".png")
    name = cards.storage_name(talk.pk, digest)
    assert not default_storage.exists(name), "rendering the page must not draw the card"
    image = png_of(client, path)
    assert (image.format, image.size) == ("PNG", (1200, 630))
    assert default_storage.exists(name)
    # the second request serves the stored file
    assert client.get(path).content == default_storage.open(name).read()


def test_a_new_title_gives_a_new_card_and_the_old_file_goes(client, talk):
    old_path, _ = card_of(client, talk)
    old_png = client.get(old_path).content
    talk.title = "Counting queries, again"
    talk.save_revision().publish()
    new_path, alt = card_of(client, talk)
    assert new_path != old_path
    assert alt.startswith("Counting queries, again")
    new_png = client.get(new_path).content
    assert Image.open(io.BytesIO(new_png)).size == (1200, 630)
    assert new_png != old_png
    _dirs, files = default_storage.listdir(f"share-cards/{talk.pk}")
    assert files == [new_path.rsplit("/", 1)[1]], "one file per page is kept"
    # a link shared with the old card still gets an image: the current one
    response = client.get(old_path)
    assert response.status_code == 302 and response["Location"] == new_path


def test_speakers_and_conference_title_change_the_card(client, talk):
    first, _ = card_of(client, talk)
    speaker = talk.speakers[0]
    speaker.name = "Ada Renamed"
    speaker.save()
    talk = type(talk).objects.get(pk=talk.pk)
    second, alt = card_of(client, talk)
    assert second != first and "Ada Renamed" in alt
    conference = talk.conference
    conference.title = "Cardconf 2027"
    conference.save_revision().publish()
    talk = type(talk).objects.get(pk=talk.pk)
    third, alt = card_of(client, talk)
    assert third not in (first, second) and "Cardconf 2027" in alt


def test_conference_and_day_pages_have_cards(client, talk):
    for page in (talk.conference, talk.day):
        path, alt = card_of(client, page)
        assert page.title in alt
        assert png_of(client, path).size == (1200, 630)


def test_drafts_private_and_unknown_pages_have_no_card(client, talk):
    path, _ = card_of(client, talk)
    talk.unpublish()
    assert client.get(path).status_code == 404
    assert client.get("/share/999999/0123456789abcdef.png").status_code == 404
    assert client.post(path).status_code == 405


def test_card_url_costs_no_query(talk):
    """The tag works from what the page already loaded (speakers, day, conference): no
    query and no storage access of its own."""
    talk = type(talk).objects.get(pk=talk.pk)
    loaded = (talk.speakers, talk.day, talk.conference)  # what the talk page loads anyway
    assert loaded[0]
    template = Template("{% load visitor_tags %}{% share_card page url as c %}{{ c.url }}")
    with CaptureQueriesContext(connection) as queries:
        out = template.render(Context({"page": talk, "url": "https://notes.example.org/x/"}))
    assert out.startswith("https://notes.example.org/share/")
    assert len(queries) == 0


def test_long_titles_fit(client):
    talk = TalkFactory(title="A very long title " * 12)
    path, _ = card_of(client, talk)
    assert png_of(client, path).size == (1200, 630)


@pytest.mark.s3
def test_cards_live_in_s3_and_old_ones_are_deleted(client, talk, s3):  # noqa: F811
    path, _ = card_of(client, talk)
    png_of(client, path)
    first = {key for key in keys(s3["endpoint"], s3["bucket"]) if key.startswith("share-cards/")}
    assert first == {f"share-cards/{talk.pk}/{path.rsplit('/', 1)[1]}"}
    talk.title = "Renamed on S3"
    talk.save_revision().publish()
    new_path, _ = card_of(client, talk)
    assert png_of(client, new_path).size == (1200, 630)
    now = {key for key in keys(s3["endpoint"], s3["bucket"]) if key.startswith("share-cards/")}
    assert now == {f"share-cards/{talk.pk}/{new_path.rsplit('/', 1)[1]}"}


@override_settings(WAGTAIL_SITE_NAME="Confnotes")
def test_render_draws_in_the_site_colours():
    png = cards.render(cards.Card("Title", kicker="Conf · 1 May 2026", byline="by A"), "Confnotes")
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.getpixel((600, 20)) == cards.TEAL
    assert image.getpixel((4, 300)) == cards.AMBER


def test_deleting_a_page_deletes_its_cards(client, talk):
    path, _ = card_of(client, talk)
    png_of(client, path)
    folder = f"share-cards/{talk.pk}"
    assert default_storage.listdir(folder)[1]
    talk.delete()
    assert default_storage.listdir(folder)[1] == []


@pytest.mark.s3
def test_a_card_is_served_when_s3_is_down(client, talk, moto_endpoint):  # noqa: F811
    path, _ = card_of(client, talk)
    down = storages_for(f"http://127.0.0.1:{closed_port()}", new_bucket(moto_endpoint))
    with override_settings(STORAGES=down):
        response = client.get(path)
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.content)).size == (1200, 630)
    assert response["Cache-Control"] == "public, max-age=300"  # not stored: not kept long
