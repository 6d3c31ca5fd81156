"""The userbar / Checks panel configuration: Confnotes' rules reach Wagtail's axe-core checker.

The browser side (axe-core really reporting them) is in tests/test_content_checker_browser.py.
"""

import json
import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Permission

import wagtail
from wagtail.admin.userbar import ContentCheckerItem

import pytest

from pages.accessibility import rules as a11y
from pages.accessibility.checker import (
    CONFNOTES_RULE_IDS,
    ConfnotesContentChecker,
    use_confnotes_checker,
)
from tests.factories import TalkFactory

WAGTAIL_JS = Path(wagtail.__file__).parent / "admin" / "static" / "wagtailadmin" / "js"
CHECKER_JS = Path(settings.BASE_DIR) / "static" / "js" / "content-checker.js"

#: Checks whose evaluate function Wagtail's own JavaScript supplies.
WAGTAIL_CHECKS = {c["id"] for c in ContentCheckerItem.axe_custom_checks}


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("editor", password="x")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def config_for(rf, user):
    request = rf.get("/")
    request.user = user
    return ConfnotesContentChecker().get_axe_configuration(request)


def rule(config, rule_id):
    return next(r for r in config["spec"]["rules"] if r["id"] == rule_id)


def check(config, check_id):
    return next(c for c in config["spec"]["checks"] if c["id"] == check_id)


@pytest.mark.django_db
class TestConfiguration:
    def test_editors_run_wagtails_rules_the_extra_ones_and_the_projects(self, rf, editor):
        run_only = config_for(rf, editor)["options"]["runOnly"]
        for rule_id in [*ContentCheckerItem.axe_run_only, "image-alt", "link-name", "region"]:
            assert rule_id in run_only
        for rule_id in ["link-text", "link-text-url", "code-language"]:
            assert rule_id in run_only
        assert len(run_only) == len(set(run_only))

    def test_superusers_run_every_rule_and_the_custom_rules_are_enabled(
        self, rf, django_user_model
    ):
        boss = django_user_model.objects.create_superuser("boss", password="x")
        config = config_for(rf, boss)
        assert "runOnly" not in config["options"]
        for rule_id in CONFNOTES_RULE_IDS:
            # axe runs enabled custom rules when runOnly is absent.
            assert rule(config, rule_id)["enabled"] is True

    def test_wagtails_own_custom_rules_and_checks_are_kept(self, rf, editor):
        config = config_for(rf, editor)
        assert rule(config, "alt-text-quality")["any"] == ["check-image-alt-text"]
        assert rule(config, "empty-meta-description")
        assert check(config, "check-empty-meta-description")
        pattern = check(config, "check-image-alt-text")["options"]["pattern"]
        assert pattern == a11y.ALT_TEXT_BROWSER_PATTERN
        assert [c["id"] for c in config["spec"]["checks"]].count("check-image-alt-text") == 1

    def test_link_text_rules_use_the_servers_words_and_pattern(self, rf, editor):
        config = config_for(rf, editor)
        generic = check(config, "confnotes-link-text-generic")["options"]
        assert set(generic["texts"]) == a11y.GENERIC_LINK_TEXT
        url = check(config, "confnotes-link-text-url")["options"]["pattern"]
        assert url == a11y.BARE_URL_PATTERN
        assert rule(config, "link-text")["any"] == ["confnotes-link-text-generic"]
        assert rule(config, "link-text-url")["any"] == ["confnotes-link-text-url"]
        # Python's rule and the browser's pattern agree on what a bare URL is.
        for text, bare in [
            ("https://example.com/a", True),
            ("www.example.com", True),
            ("The example site", False),
            ("See https://example.com", False),
        ]:
            assert bool(re.search(url, text, re.I)) is bare, text
            found = a11y.link_text_problems(f'<a href="https://example.com">{text}</a>')
            assert bool(found) is bare, text

    def test_messages_name_every_custom_rule_and_the_url_rule_is_a_warning(self, rf, editor):
        messages = config_for(rf, editor)["messages"]
        for rule_id in CONFNOTES_RULE_IDS:
            assert messages[rule_id]["error_name"] and messages[rule_id]["help_text"]
        assert "(warning)" in messages["link-text-url"]["error_name"]
        assert "warning" not in messages["link-text"]["error_name"].lower()
        assert rule(config_for(rf, editor), "link-text-url")["impact"] == "minor"

    def test_configuration_is_json(self, rf, editor):
        from django.core.serializers.json import DjangoJSONEncoder

        json.dumps(config_for(rf, editor), cls=DjangoJSONEncoder)  # as json_script does


class TestEveryCheckHasAnImplementation:
    """A check with no evaluate function would make axe fail the whole run."""

    def test_each_rules_checks_are_configured(self):
        checks = {c["id"] for c in ConfnotesContentChecker.axe_custom_checks}
        for r in ConfnotesContentChecker.axe_custom_rules:
            for kind in ("any", "all", "none"):
                for check_id in r.get(kind, []):
                    assert check_id in checks, (r["id"], check_id)

    def test_each_check_is_wagtails_axes_or_registered_by_the_projects_script(self):
        script = CHECKER_JS.read_text()
        userbar_js = (WAGTAIL_JS / "userbar.js").read_text()
        for c in ConfnotesContentChecker.axe_custom_checks:
            if c["id"] in WAGTAIL_CHECKS:
                continue
            if "evaluate" in c:
                # One of axe-core's generic checks, by its metadata-function-map id.
                assert f'"{c["evaluate"]}":function' in userbar_js, c
            else:
                assert f'"{c["id"]}"' in script, c

    def test_wagtails_userbar_still_lets_projects_register_checks(self):
        """Wagtail 8's <wagtail-userbar> has registerCheck(id, evaluate) (see the module doc)."""
        userbar_js = (WAGTAIL_JS / "userbar.js").read_text()
        assert "registerCheck(" in userbar_js
        assert 'customElements.define("wagtail-userbar"' in userbar_js


@pytest.mark.django_db
class TestRendering:
    def test_hook_swaps_wagtails_checker_in_the_userbar_and_the_checks_panel(self):
        for item in [ContentCheckerItem(), ContentCheckerItem(in_editor=True)]:
            items = [item]
            use_confnotes_checker(None, items, None)
            assert isinstance(items[0], ConfnotesContentChecker)
            assert items[0].in_editor == item.in_editor

    def test_userbar_loads_the_checks_script_after_wagtails(self, client, editor):
        talk = TalkFactory(title="Userbar talk")
        client.force_login(editor)
        html = client.get(talk.url).content.decode()
        userbar = html.index("wagtailadmin/js/userbar.js")
        ours = html.index("js/content-checker.js")
        assert userbar < ours
        data = re.search(
            r'<script id="checker-axe-configuration" type="application/json">(.*?)</script>',
            html,
            re.S,
        )
        config = json.loads(data.group(1))
        assert {r["id"] for r in config["spec"]["rules"]} >= set(CONFNOTES_RULE_IDS)

    def test_anonymous_visitors_get_no_checker_script(self, client):
        talk = TalkFactory(title="Public talk")
        assert "content-checker.js" not in client.get(talk.url).content.decode()

    def test_checks_panel_in_the_editor_gets_the_same_rules(self, admin_client):
        talk = TalkFactory(title="Edited talk")
        html = admin_client.get(f"/admin/pages/{talk.pk}/edit/").content.decode()
        data = re.search(
            r'<script id="checker-axe-configuration" type="application/json">(.*?)</script>',
            html,
            re.S,
        )
        config = json.loads(data.group(1))
        assert {r["id"] for r in config["spec"]["rules"]} >= set(CONFNOTES_RULE_IDS)

    @pytest.mark.parametrize("language, expected", [("python", "python"), ("", "")])
    def test_code_block_exposes_its_language(self, language, expected):
        from pages.blocks import CodeBlock

        block = CodeBlock()
        html = block.render(block.to_python({"language": language, "code": "x = 1\n"}))
        assert f'data-code-block data-language="{expected}"' in html
