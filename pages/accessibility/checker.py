"""Wagtail's in-browser content checker, configured with Confnotes' rules.

Wagtail hands the checker's configuration to axe-core as JSON (``get_axe_configuration``), so
rules and check options live here, but a check's ``evaluate`` function cannot be JSON. Three
kinds of checks are used:

* Wagtail's own named checks (``check-image-alt-text``), given the project's options;
* axe-core's generic checks, named by their id in axe's metadata-function-map
  (``attr-non-space-content-evaluate`` for the code block language): pure JSON, no JavaScript;
* the project's own functions for link text, in ``static/js/content-checker.js``, which this
  item loads after Wagtail's userbar.js (``Media``) and which registers them with Wagtail 8's
  ``<wagtail-userbar>.registerCheck(id, evaluate)`` before axe is configured on window load.
  Their data (the generic link texts, the URL pattern) still comes from
  ``pages.accessibility.rules``
  through the checks' options.
"""

from wagtail.admin.userbar import ContentCheckerItem

from .rules import ALT_TEXT_BROWSER_PATTERN, BARE_URL_PATTERN, GENERIC_LINK_TEXT

#: axe-core rules editors get on top of Wagtail's defaults.
EDITOR_EXTRA_RULES = [
    "image-alt",
    "image-redundant-alt",
    "heading-order",
    "empty-heading",
    "link-name",
    "list",
    "listitem",
    "region",
]

#: Links whose text the server's ``link-text`` rules check: rich text in paragraphs and tables.
BODY_LINKS = ".rich-text a[href], .table-block a[href]"

#: The project's rules, with the server rule ids (pages.accessibility.rules.RULES).
CONFNOTES_RULES = [
    {
        "id": "link-text",
        "impact": "serious",
        "selector": BODY_LINKS,
        "tags": ["best-practice", "confnotes"],
        "any": ["confnotes-link-text-generic"],
        "metadata": {
            "description": "Link text says where the link goes, not 'click here' or 'read more'",
            "help": "Link text is generic",
        },
        "enabled": True,
    },
    {
        "id": "link-text-url",
        "impact": "minor",
        "selector": BODY_LINKS,
        "tags": ["best-practice", "confnotes"],
        "any": ["confnotes-link-text-url"],
        "metadata": {
            "description": "Link text describes the destination rather than spelling out its URL",
            "help": "Link text is a bare URL (warning)",
        },
        "enabled": True,
    },
    {
        "id": "code-language",
        "impact": "moderate",
        # templates/blocks/code_block.html: data-language="" when the block has none.
        "selector": "[data-code-block]",
        "tags": ["best-practice", "confnotes"],
        "any": ["confnotes-code-language"],
        "metadata": {
            "description": "Code blocks say which language they are in",
            "help": "Code block has no language",
        },
        "enabled": True,
    },
]

CONFNOTES_CHECKS = [
    {
        # Function registered by static/js/content-checker.js.
        "id": "confnotes-link-text-generic",
        "options": {"texts": sorted(GENERIC_LINK_TEXT), "strip": ".!:…"},
        "metadata": {
            "impact": "serious",
            "messages": {
                "pass": "Link text is specific",
                "fail": "Link text is generic: say where the link goes",
            },
        },
    },
    {
        # Function registered by static/js/content-checker.js.
        "id": "confnotes-link-text-url",
        "options": {"pattern": BARE_URL_PATTERN},
        "metadata": {
            "impact": "minor",
            "messages": {
                "pass": "Link text is not a bare URL",
                "fail": "Link text is a bare URL: describe the destination",
            },
        },
    },
    {
        # One of axe-core's generic checks, named in its metadata-function-map: no JavaScript.
        "id": "confnotes-code-language",
        "evaluate": "attr-non-space-content-evaluate",
        "options": {"attribute": "data-language"},
        "metadata": {
            "impact": "moderate",
            "messages": {
                "pass": "The code block names its language",
                "fail": "The code block does not name its language",
            },
        },
    },
]

CONFNOTES_RULE_IDS = [rule["id"] for rule in CONFNOTES_RULES]


class ConfnotesContentChecker(ContentCheckerItem):
    """The userbar / Checks panel accessibility checker.

    Editors get Wagtail's default rules plus the ones above and the project's own rules;
    superusers get every axe-core rule and the project's rules. Wagtail's ``alt-text-quality``
    check runs with the project's own alt text rules (file names, camera names, "image of…"
    prefixes, over 150 characters). The project's rules report what ``pages.accessibility.rules``
    reports on the server: generic link text (``link-text``), bare URLs as link text
    (``link-text-url``, a warning) and code blocks without a language (``code-language``).
    """

    axe_run_only = list(
        dict.fromkeys([*ContentCheckerItem.axe_run_only, *EDITOR_EXTRA_RULES, *CONFNOTES_RULE_IDS])
    )
    axe_custom_rules = [
        *[r for r in ContentCheckerItem.axe_custom_rules if r["id"] not in CONFNOTES_RULE_IDS],
        *CONFNOTES_RULES,
    ]
    axe_custom_checks = [
        {"id": "check-image-alt-text", "options": {"pattern": ALT_TEXT_BROWSER_PATTERN}},
        *[c for c in ContentCheckerItem.axe_custom_checks if c["id"] != "check-image-alt-text"],
        *CONFNOTES_CHECKS,
    ]
    axe_messages = {
        **ContentCheckerItem.axe_messages,
        "alt-text-quality": {
            "error_name": "Image alt text looks like a file name or starts with 'image of'",
            "help_text": "Describe what the image shows in under 150 characters",
        },
        "image-alt": {
            "error_name": "Image without alt text",
            "help_text": "Add alt text, or mark the image decorative",
        },
        "region": {
            "error_name": "Content outside a landmark",
            "help_text": "Keep content inside the page's main region",
        },
        "link-text": {
            "error_name": "Link text does not say where the link goes",
            "help_text": "Replace 'click here', 'read more' or 'here' with the destination's name",
        },
        "link-text-url": {
            "error_name": "Link text is a bare URL (warning)",
            "help_text": "Screen readers spell out URLs: describe the destination instead",
        },
        "code-language": {
            "error_name": "Code block has no language",
            "help_text": "Choose the language of the code; screen readers announce it",
        },
    }

    class Media:
        # Rendered by Wagtail's userbar after its userbar.js (wagtailadmin/userbar/base.html).
        js = ["js/content-checker.js"]

    def get_axe_run_only(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_superuser:
            return None  # every non-experimental axe-core rule, and the custom ones (enabled)
        return self.axe_run_only


def use_confnotes_checker(request, items, page) -> None:
    """`construct_wagtail_userbar` hook: swap Wagtail's checker for ours, keep its position."""
    for index, item in enumerate(items):
        if isinstance(item, ContentCheckerItem) and not isinstance(item, ConfnotesContentChecker):
            items[index] = ConfnotesContentChecker(in_editor=getattr(item, "in_editor", False))
