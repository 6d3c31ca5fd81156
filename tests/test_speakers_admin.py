"""Speaker snippet: admin listing with search, slugs, validation."""

from django.core.exceptions import ValidationError

import pytest

from snippets.models import Speaker
from tests.factories import ImageFactory, SpeakerFactory

pytestmark = pytest.mark.django_db


def test_listing_search_finds_by_name(admin_client):
    SpeakerFactory(name="Grace Examplehopper")
    SpeakerFactory(name="Linus Sampleson")
    html = admin_client.get("/admin/snippets/snippets/speaker/?q=Examplehopper").content.decode()
    assert "Grace Examplehopper" in html and "Linus Sampleson" not in html


def test_slug_is_made_from_name_and_unique():
    first = Speaker.objects.create(name="Ana Ng")
    second = Speaker.objects.create(name="Ana Ng")
    assert (first.slug, second.slug) == ("ana-ng", "ana-ng-2")


def test_photo_needs_alt_text_and_github_is_a_username():
    speaker = Speaker(name="Photo Person", photo=ImageFactory(), photo_alt_text="")
    with pytest.raises(ValidationError) as exc:
        speaker.full_clean()
    assert "photo_alt_text" in exc.value.message_dict
    speaker = Speaker(name="Gh Person", github="https://github.com/x")
    with pytest.raises(ValidationError) as exc:
        speaker.full_clean()
    assert "github" in exc.value.message_dict
    assert Speaker(name="x", github="octo").github_url == "https://github.com/octo"


def test_editor_can_create_speaker_in_admin(admin_client):
    response = admin_client.post(
        "/admin/snippets/snippets/speaker/add/",
        {
            "name": "New Person",
            "slug": "",
            "bio": "Writes notes.",
            "photo_alt_text": "",
            "website": "",
            "mastodon": "",
            "github": "newperson",
        },
    )
    assert response.status_code == 302
    assert Speaker.objects.get(slug="new-person").github == "newperson"
