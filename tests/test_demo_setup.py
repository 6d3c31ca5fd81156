"""What ``make demo`` sets up beyond content (issue #17): the Site's address, the editor
groups, DEBUG off with the site's own error pages, and a favicon."""

import re
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import override_settings

from wagtail.models import Site

import pytest

from tests.factories import ConferenceFactory, DayFactory, TalkFactory

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def demo_recipe() -> str:
    makefile = (ROOT / "Makefile").read_text()
    return makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]


def test_make_demo_sets_up_groups_site_url_and_demo_settings():
    recipe = demo_recipe()
    lines = [line.strip() for line in recipe.splitlines()[1:]]
    steps = [re.sub(r"^\$\(DEMO_MANAGE\) ", "", line) for line in lines]
    assert "setup_groups" in steps
    assert "set_site_url http://127.0.0.1:$(PORT)" in steps
    assert steps.index("load_demo") < steps.index("setup_groups")
    assert "runserver 127.0.0.1:$(PORT)" in recipe and "$(DEMO_MANAGE) runserver" in recipe
    assert (
        "DEMO_MANAGE := DJANGO_SETTINGS_MODULE=site_core.settings.demo"
        in (ROOT / "Makefile").read_text()
    )


def test_demo_settings_turn_debug_off_and_serve_media(monkeypatch):
    from tests.test_settings import load

    demo = load("site_core.settings.demo", monkeypatch)
    assert demo.DEBUG is False
    assert demo.SERVE_MEDIA is True
    assert "127.0.0.1" in demo.ALLOWED_HOSTS


def test_set_site_url_puts_host_and_port_into_every_absolute_url(client):
    call_command("set_site_url", "http://127.0.0.1:8791")
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port, site.root_url) == ("127.0.0.1", 8791, "http://127.0.0.1:8791")
    talk = TalkFactory(parent=DayFactory(parent=ConferenceFactory()))
    talk.save_revision().publish()
    html = client.get(talk.url, HTTP_HOST="127.0.0.1:8791").content.decode()
    assert f'<link rel="canonical" href="http://127.0.0.1:8791{talk.url}">' in html
    assert "http://localhost/" not in html
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://127.0.0.1:8791/sitemap.xml" in robots
    # Again: nothing changes.
    call_command("set_site_url", "http://127.0.0.1:8791")
    assert Site.objects.get(is_default_site=True).port == 8791


def test_set_site_url_from_setting_and_refuses_nonsense(settings):
    settings.SITE_URL = "https://notes.example.org"
    call_command("set_site_url")
    site = Site.objects.get(is_default_site=True)
    assert site.root_url == "https://notes.example.org"
    for bad in ("notes.example.org", "ftp://x.org", "https://x.org/sub/", "http://x.org:443"):
        with pytest.raises(CommandError):
            call_command("set_site_url", bad)
    settings.SITE_URL = ""
    with pytest.raises(CommandError):
        call_command("set_site_url")


@override_settings(DEBUG=False)
def test_missing_page_gets_the_site_404_with_search(client, home):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and 'role="search"' in html
    assert 'class="site-header"' in html  # the site's own look, not Django's


def test_500_page_has_the_site_look_and_a_search_box():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert 'class="site-header"' in html and 'role="search"' in html
    assert "favicon.svg" in html


def test_favicon(client, home):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.png")
    html = client.get("/").content.decode()
    assert 'rel="icon" href="/static/favicon.svg" type="image/svg+xml"' in html
    assert 'type="image/png"' in html
    for name in ("favicon.svg", "favicon.png", "apple-touch-icon.png"):
        assert (ROOT / "static" / name).stat().st_size > 100
    assert (ROOT / "static" / "favicon.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
