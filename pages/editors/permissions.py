"""What a user may do to a page, by the action's name: the importers' one permission question.

``user=None`` is a management command (or the shell), which may do anything.
"""

from wagtail.models import Page

_CHECKS = {
    "add": "can_add_subpage",
    "edit": "can_edit",
    "publish": "can_publish",
    "publish_child": "can_publish_subpage",
    "move": "can_move",
}


def user_can(user, page: Page, action: str) -> bool:
    """Whether ``user`` may ``action`` (add, edit, publish, publish_child, move) ``page``."""
    if user is None:
        return True
    return getattr(page.permissions_for_user(user), _CHECKS[action])()
