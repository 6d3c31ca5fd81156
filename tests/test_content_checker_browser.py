"""Wagtail's content checker in headless Chromium reports what the server's rules report.

An editor (and a superuser) opens a talk page; Wagtail's userbar runs its bundled axe-core with
ConfnotesContentChecker's configuration and static/js/content-checker.js; the test reads the
issues the userbar lists (the same rows the Checks panel shows). Needs Chromium (see
tests/browser.py).
"""

from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client

import pytest

from tests.browser import start_chromium
from tests.factories import ImageFactory, TalkFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

#: error_name of each rule, as ConfnotesContentChecker.axe_messages says.
IMAGE_ALT = "Image without alt text"
LINK_TEXT = "Link text does not say where the link goes"
LINK_URL = "Link text is a bare URL (warning)"
CODE_LANGUAGE = "Code block has no language"
OURS = {IMAGE_ALT, LINK_TEXT, LINK_URL, CODE_LANGUAGE}


@pytest.fixture(scope="module")
def driver():
    browser = start_chromium()
    yield browser
    browser.quit()


def code(language: str) -> dict:
    return {
        "type": "code",
        "value": {
            "language": language,
            "code": "print('hello')\n",
            "filename": "",
            "highlight_lines": "",
            "line_numbers": False,
        },
    }


def image(image_pk: int, alt_text: str, decorative: bool = False) -> dict:
    return {
        "type": "image",
        "value": {
            "image": {"image": image_pk, "decorative": decorative, "alt_text": alt_text},
            "caption": "",
        },
    }


def paragraph(html: str) -> dict:
    return {"type": "paragraph", "value": html}


def heading(text: str) -> dict:
    return {"type": "heading", "value": {"text": text, "level": "h2"}}


@pytest.fixture
def talks(live_server):
    picture = ImageFactory()
    # Drafts may break the rules (deferred validation); raw stream data skips clean() the same way.
    bad = TalkFactory(
        title="Talk with problems",
        body=[
            heading("Problems"),
            paragraph('<p>The slides: <a href="https://example.com/slides">click here</a>.</p>'),
            paragraph('<p>Video at <a href="https://example.com/v">https://example.com/v</a></p>'),
            image(picture.pk, ""),
            code(""),
        ],
    )
    clean = TalkFactory(
        title="Talk without problems",
        body=[
            heading("No problems"),
            paragraph('<p>Read <a href="https://example.com/slides">the talk slides</a>.</p>'),
            image(picture.pk, "A bar chart of response times"),
            image(picture.pk, "", decorative=True),
            code("python"),
        ],
    )
    return bad, clean


def log_in(driver, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    driver.get(live_server.url + "/robots.txt")
    driver.delete_all_cookies()
    driver.add_cookie(
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "path": "/",
        }
    )


def checker_issues(driver, url: str) -> list[str]:
    """The names of the issues Wagtail's userbar checker lists for the page, once it has run."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)

    def finished(_driver):
        return driver.execute_script(
            """
            const root = document.querySelector('wagtail-userbar')?.shadowRoot;
            const count = root?.querySelector('[data-content-checker-count]');
            if (!count || count.textContent === '') return null;
            const rows = root.querySelectorAll('[data-content-checker-row] [data-content-checker-name]');
            return {names: Array.from(rows).map(el => el.textContent)};
            """
        )

    return WebDriverWait(driver, 60).until(finished, "the userbar checker did not finish")["names"]


@pytest.mark.parametrize("superuser", [False, True], ids=["editor", "superuser"])
def test_checker_reports_the_servers_rules(live_server, driver, talks, superuser):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if superuser:
        user = User.objects.create_superuser("boss", password="x")
    else:
        user = User.objects.create_user("editor", password="x")
        user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    bad, clean = talks
    log_in(driver, live_server, user)

    issues = checker_issues(driver, live_server.url + bad.url)
    for name in OURS:
        assert issues.count(name) == 1, (name, issues)
    # The script registered its functions; no "evaluate is not a function" from axe.
    assert driver.execute_script("return typeof window.confnotesContentChecks") == "object"

    issues = checker_issues(driver, live_server.url + clean.url)
    assert not OURS & set(issues), issues


def checks_panel_issues(driver, url: str) -> list[str]:
    """The issues the page editor's Checks panel lists, after it has checked the preview."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    driver.find_element("css selector", 'button[data-side-panel-toggle="checks"]').click()

    def finished(_driver):
        # Content metrics are computed after the axe checks: "-" until both are done.
        return driver.execute_script(
            """
            const words = document.querySelector('[data-content-word-count]');
            if (!words || words.textContent.trim() === '-') return null;
            const rows = document.querySelectorAll('[data-checks-panel] [data-content-checker-name]');
            return {names: Array.from(rows).map(el => el.textContent)};
            """
        )

    return WebDriverWait(driver, 90).until(finished, "the Checks panel did not finish")["names"]


def test_checks_panel_in_the_page_editor_reports_the_servers_rules(live_server, driver, talks):
    """The editor runs axe on the preview iframe, whose userbar loaded the project's checks."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser("chief", password="x")
    bad, clean = talks
    log_in(driver, live_server, user)

    issues = checks_panel_issues(driver, f"{live_server.url}/admin/pages/{bad.pk}/edit/")
    # The editor's language <select> has no empty option (CodeBlock.language is required, with a
    # default), so the previewed form always names a language: that case is the userbar's above.
    for name in OURS - {CODE_LANGUAGE}:
        assert issues.count(name) == 1, (name, issues)

    issues = checks_panel_issues(driver, f"{live_server.url}/admin/pages/{clean.pk}/edit/")
    assert not OURS & set(issues), issues
