"""Real-browser checks: axe-core on every public page of the demo, and keyboard use.

Runs headless Chromium from Debian's package; without it the tests skip locally and fail
under .ci/run (REQUIRE_SERVICES=1).
"""

from django.core.management import call_command

from wagtail.models import Page

import pytest

from tests.browser import axe_source, describe, run_axe, start_chromium
from tests.factories import TalkFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(scope="module")
def driver():
    browser = start_chromium()
    yield browser
    browser.quit()


def public_urls() -> list[str]:
    from pages.models import TalkSpeaker, TalkTag

    pages = Page.objects.live().public().filter(depth__gt=1).order_by("path")
    urls = [page.url for page in pages]
    speaker = TalkSpeaker.objects.order_by("speaker__slug").values_list("speaker__slug", flat=True)
    tag = TalkTag.objects.order_by("tag__slug").values_list("tag__slug", flat=True)
    return urls + [
        "/search/",
        "/search/?q=django",
        "/search/?q=nothing-matches-this",
        "/search/?q=jango+kubernetes",  # corrected, partial matches
        "/no-such-page/",
        "/tags/",
        f"/tags/{tag.first()}/",
        "/speakers/",
        f"/speakers/{speaker.first()}/",
    ]


def test_every_public_page_passes_axe(live_server, driver):
    call_command("load_demo", verbosity=0)
    urls = public_urls()
    assert len(urls) >= 20, urls
    source = axe_source()
    failures = []
    for url in urls:
        driver.get(live_server.url + url)
        assert driver.find_element("css selector", "h1").text, url
        violations = run_axe(driver, source)
        if violations:
            failures.append(describe(url, violations))
    print(f"axe-core checked {len(urls)} pages")
    assert not failures, "axe-core violations:\n" + "\n".join(failures)


LONG_LINE = "value = " + " + ".join(f"item_{n}" for n in range(120))


@pytest.fixture
def talk_with_long_code(live_server):
    return TalkFactory(
        title="Keyboard talk",
        body=[
            {"type": "heading", "value": {"text": "Long code", "level": "h2"}},
            {
                "type": "code",
                "value": {
                    "language": "python",
                    "code": LONG_LINE + "\n",
                    "filename": "long.py",
                    "highlight_lines": "",
                    "line_numbers": False,
                },
            },
        ],
    )


def test_skip_link_moves_focus_to_main_and_focus_is_visible(
    live_server, driver, talk_with_long_code
):
    from selenium.webdriver.common.keys import Keys

    driver.get(live_server.url + talk_with_long_code.url)
    body = driver.find_element("css selector", "body")
    body.send_keys(Keys.TAB)
    active = driver.switch_to.active_element
    assert active.get_attribute("class") == "skip-link"
    # Visible when focused: on screen (after any slide-in transition), with a visible outline.
    from selenium.webdriver.support.ui import WebDriverWait

    def on_screen(_driver):
        rect = driver.execute_script("return arguments[0].getBoundingClientRect().toJSON()", active)
        return rect["width"] > 20 and rect["height"] > 10 and rect["top"] >= 0 and rect["left"] >= 0

    WebDriverWait(driver, 2).until(on_screen, "the focused skip link should be on screen")
    outline = driver.execute_script(
        "const s = getComputedStyle(arguments[0]); return [s.outlineStyle, parseFloat(s.outlineWidth)]",
        active,
    )
    assert outline[0] != "none" and outline[1] >= 2, outline
    active.send_keys(Keys.ENTER)
    assert driver.switch_to.active_element.get_attribute("id") == "main"


def test_links_show_focus(live_server, driver, talk_with_long_code):
    from selenium.webdriver.common.keys import Keys

    driver.get(live_server.url + talk_with_long_code.url)
    driver.find_element("css selector", "body").send_keys(Keys.TAB, Keys.TAB)
    active = driver.switch_to.active_element
    assert active.tag_name == "a"
    style = driver.execute_script(
        "const s = getComputedStyle(arguments[0]); return [s.outlineStyle, parseFloat(s.outlineWidth)]",
        active,
    )
    assert style[0] != "none" and style[1] >= 2, style


def test_long_code_block_scrolls_by_keyboard(live_server, driver, talk_with_long_code):
    from selenium.webdriver.common.keys import Keys

    driver.get(live_server.url + talk_with_long_code.url)
    region = driver.find_element("css selector", ".code-block__scroll")
    assert region.get_attribute("tabindex") == "0"
    assert region.get_attribute("aria-label") == "Code example 1: Python, long.py"
    widths = driver.execute_script(
        "return [arguments[0].scrollWidth, arguments[0].clientWidth]", region
    )
    assert widths[0] > widths[1], "the code should overflow for this test"
    # Reach it with the keyboard, not by clicking.
    body = driver.find_element("css selector", "body")
    body.send_keys(Keys.TAB)
    for _ in range(40):
        if driver.switch_to.active_element == region:
            break
        driver.switch_to.active_element.send_keys(Keys.TAB)
    assert driver.switch_to.active_element == region
    from selenium.webdriver.support.ui import WebDriverWait

    region.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    WebDriverWait(driver, 3).until(
        lambda d: d.execute_script("return arguments[0].scrollLeft", region) > 0,
        "arrow keys should scroll the focused code region",
    )


def test_search_on_a_phone_shows_results_before_folded_filters(live_server, driver):
    """At 390 px the first result comes before the filters, which are folded (issue #17);
    on a wide screen they are open beside the results. The header box is a combobox."""
    call_command("load_demo", verbosity=0)
    try:
        driver.set_window_size(390, 844)
        driver.get(live_server.url + "/search/?q=django")
        first = driver.execute_script(
            "return document.querySelector('.search-result').getBoundingClientRect().top"
            " + window.scrollY"
        )
        facets = driver.execute_script(
            "const f = document.querySelector('details.facets');"
            "return [f.open, f.getBoundingClientRect().top + window.scrollY]"
        )
        assert facets[0] is False
        assert first < facets[1]
        assert first < 1200
        header_box = driver.find_element("id", "site-search-q")
        assert header_box.get_attribute("role") == "combobox"
        driver.set_window_size(1280, 900)
        driver.get(live_server.url + "/search/?q=django")
        assert driver.execute_script("return document.querySelector('details.facets').open")
    finally:
        driver.set_window_size(1280, 900)
