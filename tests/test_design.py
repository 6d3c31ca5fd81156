"""The site's identity as data: the palette's contrast ratios (recomputed from the CSS custom
properties, and the README's "Design" table checked against them), the programme grid's
arrangement, and the query counts of the pages that show the new listings."""

import datetime
import re
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from pages.models import TalkPage
from pages.programme import NO_ROOM, programme_grid
from tests.factories import ConferenceFactory, DayFactory, SpeakerFactory, TalkFactory

ROOT = Path(__file__).resolve().parent.parent
CSS = (ROOT / "static" / "css" / "site.css").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


# --- palette ---------------------------------------------------------------------------------


def luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


DECLARATION = re.compile(r"^\s*(--[\w-]+):\s*(#[0-9a-fA-F]{6});(?:\s*/\*(.*?)\*/)?", re.M)
CLAIM = re.compile(r"on (--[\w-]+) (\d+(?:\.\d+)?):1")


def scheme_blocks() -> dict[str, str]:
    """The text of the light ``:root`` block and of the dark scheme's ``:root`` block."""
    light = CSS[CSS.index(":root {") : CSS.index("@media (prefers-color-scheme: dark)")]
    dark_start = CSS.index("@media (prefers-color-scheme: dark)")
    dark = CSS[dark_start : CSS.index("\n}\n", dark_start)]
    return {"light": light, "dark": dark}


def palette(scheme: str) -> dict[str, tuple[str, str]]:
    """{property: (colour, comment)}; the dark scheme inherits what it does not redefine."""
    blocks = scheme_blocks()
    colours = {m[1]: (m[2].lower(), m[3] or "") for m in DECLARATION.finditer(blocks["light"])}
    if scheme == "dark":
        colours.update(
            {m[1]: (m[2].lower(), m[3] or "") for m in DECLARATION.finditer(blocks["dark"])}
        )
    return colours


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_documented_ratio_in_the_css_is_true(scheme):
    colours = palette(scheme)
    claims = 0
    for name, (colour, comment) in colours.items():
        if scheme == "dark" and name not in scheme_blocks()["dark"]:
            continue  # its comment speaks of the light scheme
        for background, claimed in CLAIM.findall(comment):
            actual = contrast(colour, colours[background][0])
            assert abs(actual - float(claimed)) < 0.1, (scheme, name, background, actual)
            claims += 1
    assert claims >= 12


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_palette_meets_aa_and_body_text_aaa(scheme):
    colours = {name: value for name, (value, _comment) in palette(scheme).items()}

    def ratio(fg, bg):
        return contrast(colours[fg], colours[bg])

    for background in ("--bg", "--surface"):
        # body text and body links: AAA
        for foreground in ("--text", "--link", "--link-visited"):
            assert ratio(foreground, background) >= 7, (scheme, foreground, background)
        # secondary text: AA
        assert ratio("--muted", background) >= 4.5, (scheme, background)
    assert ratio("--text", "--surface-brand") >= 7
    assert ratio("--brand", "--surface-brand") >= 4.5  # the home page's heading on its band
    assert ratio("--text", "--note-bg") >= 7
    assert ratio("--on-accent", "--accent") >= 4.5  # buttons
    assert ratio("--on-accent", "--accent-hover") >= 4.5
    assert ratio("--border", "--bg") >= 3  # form controls (WCAG 1.4.11)
    assert ratio("--focus", "--bg") >= 3
    assert ratio("--focus", "--surface") >= 3
    assert ratio("--brand", "--bg") >= 3  # logo and current-page bar are graphics


def readme_palette() -> list[tuple[str, str, str, dict[str, float]]]:
    """Rows of README's palette table: (property, light, dark, {"light/--bg": ratio, ...})."""
    section = README[README.index("## Design") :]
    section = section[: section.index("\n## ", 4)]
    rows = []
    for line in section.splitlines():
        match = re.match(r"\|\s*`(--[\w-]+)`\s*\|\s*`(#\w+)`\s*\|\s*`(#\w+)`\s*\|(.*)\|", line)
        if match:
            ratios = {
                f"{scheme}/{bg}": float(value)
                for scheme, value, bg in re.findall(
                    r"(light|dark) (\d+(?:\.\d+)?):1 on `(--[\w-]+)`", match[4]
                )
            }
            rows.append((match[1], match[2].lower(), match[3].lower(), ratios))
    return rows


def test_readme_palette_matches_the_css():
    rows = readme_palette()
    assert len(rows) >= 8
    light, dark = palette("light"), palette("dark")
    for name, light_colour, dark_colour, ratios in rows:
        assert light[name][0] == light_colour, name
        assert dark[name][0] == dark_colour, name
        for key, claimed in ratios.items():
            scheme, background = key.split("/")
            colours = light if scheme == "light" else dark
            actual = contrast(colours[name][0], colours[background][0])
            assert abs(actual - claimed) < 0.1, (name, key, actual)


def test_contrast_formula():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54


# --- programme grid --------------------------------------------------------------------------


def talk(title, time, room):
    return TalkPage(title=title, start_time=time, room=room)


def test_programme_grid_rows_by_time_columns_by_room():
    nine, eleven = datetime.time(9, 0), datetime.time(11, 0)
    talks = [
        talk("Opening", nine, "Main"),
        talk("Workshop", nine, "Loom"),
        talk("Deep dive", eleven, "Main"),
        talk("Lightning A", eleven, "Loom"),
        talk("Lightning B", eleven, "Loom"),
        talk("Somewhere", None, ""),
    ]
    grid = programme_grid(talks)
    assert grid.rooms == ["Main", "Loom", NO_ROOM]
    assert [row.time for row in grid.rows] == [nine, eleven, None]
    titles = [[[t.title for t in cell] for cell in row.cells] for row in grid.rows]
    assert titles == [
        [["Opening"], ["Workshop"], []],
        [["Deep dive"], ["Lightning A", "Lightning B"], []],
        [[], [], ["Somewhere"]],
    ]


def test_programme_grid_of_nothing():
    assert programme_grid([]).rows == []


# --- query counts at two sizes ---------------------------------------------------------------


def build_site(conferences: int, days: int, talks: int):
    speaker = SpeakerFactory()
    for c in range(conferences):
        conference = ConferenceFactory()
        for d in range(days):
            day = DayFactory(parent=conference, day_number=d + 1)
            for t in range(talks):
                TalkFactory(
                    parent=day,
                    start_time=datetime.time(9 + t % 8, 0),
                    room=f"Room {t % 3}",
                    speakers=[speaker],
                ).tags.add(f"topic-{c}-{t}")
    return conference


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_home_page_queries_do_not_grow_with_content(client):
    build_site(conferences=1, days=1, talks=2)
    small = queries_for(client, "/")
    build_site(conferences=3, days=2, talks=5)
    large = queries_for(client, "/")
    html = client.get("/").content.decode()
    assert html.count('class="talk-card"') == 6  # latest notes
    assert html.count('class="conference-card"') == 4
    assert small == large, (small, large)
    assert large <= 20


@pytest.mark.django_db
def test_conference_page_queries_do_not_grow_with_its_programme(client):
    small_conference = build_site(conferences=1, days=1, talks=2)
    small = queries_for(client, small_conference.url)
    large_conference = build_site(conferences=1, days=3, talks=8)
    large = queries_for(client, large_conference.url)
    html = client.get(large_conference.url).content.decode()
    assert html.count('<table class="programme-table">') == 3
    assert small == large, (small, large)


# --- favicons and manifest -------------------------------------------------------------------


@pytest.mark.django_db
def test_favicons_and_manifest(client):
    import json

    from PIL import Image

    static = ROOT / "static"
    manifest = json.loads((static / "site.webmanifest").read_text(encoding="utf-8"))
    assert manifest["short_name"] == "Confnotes" and manifest["start_url"] == "/"
    for icon in manifest["icons"]:
        path = static / icon["src"].removeprefix("/static/")
        assert path.exists(), icon
        if icon["type"] == "image/png":
            width, height = (int(n) for n in icon["sizes"].split("x"))
            assert Image.open(path).size == (width, height)
    assert Image.open(static / "favicon.png").size == (32, 32)
    assert Image.open(static / "apple-touch-icon.png").size == (180, 180)
    assert Image.open(static / "apple-touch-icon.png").mode == "RGB"  # iOS: no transparency
    assert (static / "favicon.svg").read_text().startswith("<svg")
    html = client.get("/no-such-page/").content.decode()
    for href in ("favicon.svg", "favicon.png", "apple-touch-icon.png", "site.webmanifest"):
        assert f"/static/{href}" in html, href
