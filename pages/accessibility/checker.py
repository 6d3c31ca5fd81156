"""Wagtail's in-browser content checker, configured with Confnotes' rules."""

from wagtail.admin.userbar import ContentCheckerItem

from .rules import ALT_TEXT_BROWSER_PATTERN

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


class ConfnotesContentChecker(ContentCheckerItem):
    """The userbar / Checks panel accessibility checker.

    Editors get Wagtail's default rules plus the ones above; superusers get every axe-core
    rule. Wagtail's ``alt-text-quality`` check runs with the project's own alt text rules
    (file names, camera names, "image of…" prefixes, over 150 characters).
    """

    axe_run_only = list(dict.fromkeys([*ContentCheckerItem.axe_run_only, *EDITOR_EXTRA_RULES]))
    axe_custom_checks = [
        {"id": "check-image-alt-text", "options": {"pattern": ALT_TEXT_BROWSER_PATTERN}},
        *[c for c in ContentCheckerItem.axe_custom_checks if c["id"] != "check-image-alt-text"],
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
    }

    def get_axe_run_only(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_superuser:
            return None  # every non-experimental axe-core rule
        return self.axe_run_only


def use_confnotes_checker(request, items, page) -> None:
    """`construct_wagtail_userbar` hook: swap Wagtail's checker for ours, keep its position."""
    for index, item in enumerate(items):
        if isinstance(item, ContentCheckerItem) and not isinstance(item, ConfnotesContentChecker):
            items[index] = ConfnotesContentChecker(in_editor=getattr(item, "in_editor", False))
