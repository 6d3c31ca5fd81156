"""The design in a real browser (headless Chromium): no sideways scrolling at 320 CSS px and
axe-core clean, each in the light and the dark scheme; WCAG 1.4.12 text spacing clips nothing;
the header's size and layout on phones and desktops; the programme grid; the share card."""

import io

from django.core.management import call_command

from wagtail.models import Page

import pytest
from PIL import Image

from tests.browser import axe_source, describe, run_axe, start_chromium
from tests.test_browser import public_urls

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCHEMES = ("light", "dark")
#: What the WCAG 1.4.12 bookmarklet sets, as a stylesheet appended to the page.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""
#: Elements that hide overflow (or clip it) and whose text does not fit: clipped text.
CLIPPED = """
const found = [];
for (const el of document.querySelectorAll('body *')) {
  if (el.closest('.visually-hidden')) continue;
  const s = getComputedStyle(el);
  if (s.display === 'none' || s.visibility === 'hidden') continue;
  const hides = [s.overflowX, s.overflowY].some(v => v === 'hidden' || v === 'clip');
  if (!hides || !el.textContent.trim()) continue;
  if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1) {
    found.push(el.tagName.toLowerCase() + '.' + el.className + ' ' + el.scrollWidth + 'x'
      + el.scrollHeight + ' in ' + el.clientWidth + 'x' + el.clientHeight);
  }
}
return found;
"""
#: Elements sticking out of the viewport on the right (what makes the page scroll sideways).
WIDE = """
const width = document.documentElement.clientWidth;
return Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > width + 1
    && !e.closest('.code-block__scroll, .table-block, .programme-grid, .site-nav ul'))
  .slice(0, 5)
  .map(e => e.tagName.toLowerCase() + '.' + e.className + ' right=' + e.getBoundingClientRect().right);
"""


@pytest.fixture(scope="module")
def driver():
    browser = start_chromium()
    yield browser
    browser.quit()


def viewport(driver, width: int, height: int = 900, scheme: str = "light"):
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )


def reset(driver):
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def demo_pages() -> list[str]:
    """One page of each kind: home, conference, day, talk, speakers, speaker, tags, tag,
    search (with results) and the 404 page; the talk has code blocks (the widest content)."""
    from pages.models import ConferenceIndex, DayPage, TalkPage

    urls = public_urls()
    talk = TalkPage.objects.live().filter(code_languages__contains=" ").order_by("path").first()
    kinds = [
        "/",
        ConferenceIndex.objects.live().order_by("path").first().url,
        DayPage.objects.live().order_by("path").first().url,
        talk.url,
        "/search/?q=django",
        "/no-such-page/",
    ]
    return kinds + [url for url in urls if url.startswith(("/tags/", "/speakers/"))]


def background(driver) -> str:
    return driver.execute_script("return getComputedStyle(document.body).backgroundColor")


def test_no_sideways_scrolling_at_320px_and_axe_clean_in_both_schemes(live_server, driver):
    call_command("load_demo", verbosity=0)
    pages = demo_pages()
    assert len(pages) == 10, pages
    source = axe_source()
    too_wide, violations, backgrounds = [], [], {}
    try:
        for scheme in SCHEMES:
            viewport(driver, 320, scheme=scheme)
            for url in pages:
                driver.get(live_server.url + url)
                width = driver.execute_script("return document.documentElement.scrollWidth")
                if width > 320:
                    too_wide.append(f"{scheme} {url}: {width}px {driver.execute_script(WIDE)}")
            backgrounds[scheme] = background(driver)
            # axe at desktop width on every public page of the demo (light is also covered by
            # tests/test_browser.py; here both, with the emulated scheme)
            viewport(driver, 1280, scheme=scheme)
            for url in public_urls() if scheme == "dark" else pages:
                driver.get(live_server.url + url)
                found = run_axe(driver, source)
                if found:
                    violations.append(f"[{scheme}] " + describe(url, found))
    finally:
        reset(driver)
    assert backgrounds["light"] != backgrounds["dark"], "the scheme emulation did not apply"
    assert not too_wide, "pages wider than 320 px:\n" + "\n".join(too_wide)
    assert not violations, "axe-core violations:\n" + "\n".join(violations)


def test_text_spacing_clips_nothing(live_server, driver):
    call_command("load_demo", verbosity=0)
    clipped = []
    try:
        for width in (1280, 320):
            viewport(driver, width)
            for url in demo_pages():
                driver.get(live_server.url + url)
                driver.execute_script(
                    "const s = document.createElement('style'); s.textContent = arguments[0];"
                    "document.head.appendChild(s);",
                    TEXT_SPACING,
                )
                found = driver.execute_script(CLIPPED)
                if found:
                    clipped.append(f"{width}px {url}: {found[:5]}")
                if width == 320:
                    scroll = driver.execute_script("return document.documentElement.scrollWidth")
                    if scroll > 320:
                        clipped.append(f"{url}: {scroll}px wide {driver.execute_script(WIDE)}")
    finally:
        reset(driver)
    assert not clipped, "\n".join(clipped)


def rect(driver, selector: str) -> dict:
    return driver.execute_script(
        "return document.querySelector(arguments[0]).getBoundingClientRect().toJSON()", selector
    )


def test_header_on_phones_and_desktops(live_server, driver):
    call_command("load_demo", verbosity=0)
    from selenium.webdriver.common.by import By

    try:
        for width in (320, 390):
            viewport(driver, width)
            driver.get(live_server.url + "/")
            assert rect(driver, ".site-header")["height"] <= 120, width
            tops = driver.execute_script(
                "return Array.from(document.querySelectorAll('.site-nav li'))"
                ".map(li => Math.round(li.getBoundingClientRect().top))"
            )
            assert len(set(tops)) == 1, f"the navigation wraps at {width}px: {tops}"
            nav = driver.execute_script(
                "const u = document.querySelector('.site-nav ul'); return [u.scrollWidth, u.clientWidth]"
            )
            assert nav[0] <= nav[1], f"the navigation is cut at {width}px"
            # the search: one tap on "Search" opens the box, focused
            assert not driver.find_element(By.ID, "site-search-q").is_displayed()
            link = driver.find_element(By.CSS_SELECTOR, ".site-header__search-link")
            assert link.get_attribute("href").endswith("/search/")  # without JavaScript
            link.click()
            box = driver.find_element(By.ID, "site-search-q")
            assert box.is_displayed() and driver.switch_to.active_element == box
            assert link.get_attribute("aria-expanded") == "true"
        viewport(driver, 1280)
        driver.get(live_server.url + "/")
        header = rect(driver, ".site-header")
        assert header["height"] <= 90
        middles = [
            (r["top"] + r["bottom"]) / 2
            for r in (rect(driver, s) for s in (".brand", ".site-nav", ".site-search"))
        ]
        assert max(middles) - min(middles) < 8, f"brand, nav and search not on one line: {middles}"
        assert not driver.find_element(By.CSS_SELECTOR, ".site-header__search-link").is_displayed()
    finally:
        reset(driver)


def test_programme_grid_is_a_table_on_desktops_and_cards_on_phones(live_server, driver):
    call_command("load_demo", verbosity=0)
    from selenium.webdriver.common.by import By

    from pages.models import DayPage

    day = DayPage.objects.live().order_by("path").first()
    try:
        viewport(driver, 1280)
        driver.get(live_server.url + day.url)
        table = driver.find_element(By.CSS_SELECTOR, "table.programme-table")
        assert table.is_displayed()
        assert table.find_elements(By.CSS_SELECTOR, "thead th[scope=col]")
        rows = table.find_elements(By.CSS_SELECTOR, "tbody th[scope=row]")
        assert rows and all(row.text for row in rows)
        assert table.find_element(By.TAG_NAME, "caption").text
        viewport(driver, 390)
        driver.get(live_server.url + day.url)
        assert not driver.find_element(By.CSS_SELECTOR, "table.programme-table").is_displayed()
        assert driver.find_element(By.CSS_SELECTOR, ".card-list .talk-card").is_displayed()
    finally:
        reset(driver)


def test_share_card_in_the_browser(live_server, driver):
    """The og:image of a talk opens as a 1200×630 PNG, and another once the title changes."""
    call_command("load_demo", verbosity=0)
    import urllib.request

    from pages.models import TalkPage

    talk = TalkPage.objects.live().order_by("path").first()

    def card_url() -> str:
        driver.get(live_server.url + talk.url)
        url = driver.execute_script(
            "return document.querySelector('meta[property=\"og:image\"]').content"
        )
        return url.replace("http://localhost", live_server.url)

    first = card_url()
    driver.get(first)
    size = driver.execute_script(
        "const i = document.images[0]; return [i.naturalWidth, i.naturalHeight]"
    )
    assert size == [1200, 630]
    with urllib.request.urlopen(first) as response:
        first_png = response.read()
    assert Image.open(io.BytesIO(first_png)).format == "PNG"
    talk.title = "A new title for the card"
    talk.save_revision().publish()
    second = card_url()
    assert second != first
    with urllib.request.urlopen(second) as response:
        second_png = response.read()
    assert Image.open(io.BytesIO(second_png)).size == (1200, 630)
    assert second_png != first_png
    assert Page.objects.get(pk=talk.pk).title == "A new title for the card"
