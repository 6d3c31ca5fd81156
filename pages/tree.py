"""Where a page sits in the tree, and the order of a conference's programme: one place for both.

Wagtail stores a page's position as its ``path``: ``Page.steplen`` characters per level, so a
page's parent's path is its own minus one step, and the ancestor at depth ``d`` is its first
``d`` steps. Depths: the tree root 1, the home page 2, a conference 3, a day 4, a talk 5.

The programme: days by number, then date (then tree order); the talks of a day by start time,
untimed talks last, then tree order.
"""

import datetime

from django.db.models import F
from django.db.models.functions import Length, Substr

from wagtail.models import Page

HOME_DEPTH = 2
CONFERENCE_DEPTH = 3
DAY_DEPTH = 4
TALK_DEPTH = 5


def parent_path(path: str, levels: int = 1) -> str:
    """The path of the page ``levels`` steps above the page at ``path``."""
    return path[: -levels * Page.steplen]


def ancestor_path(path: str, depth: int) -> str:
    """The path of the ancestor at ``depth`` (e.g. ``CONFERENCE_DEPTH``) of the page at ``path``."""
    return path[: depth * Page.steplen]


def ancestor_paths(path: str) -> list[str]:
    """The paths of every ancestor of the page at ``path``, the tree root first."""
    return [path[:n] for n in range(Page.steplen, len(path), Page.steplen)]


def parent_path_expression(path):
    """SQL for the parent's path of the row's ``path`` (a field name or an expression)."""
    path = F(path) if isinstance(path, str) else path
    return Substr(path, 1, Length(path) - Page.steplen)


def ancestor_path_expression(path: str, depth: int):
    """SQL for the path of the ancestor at ``depth`` of the row's ``path`` field."""
    return Substr(path, 1, depth * Page.steplen)


def programme_order() -> tuple:
    """Talks of a day in programme order: by time (untimed talks last), then as in the tree."""
    return (F("start_time").asc(nulls_last=True), "path")


def day_order() -> tuple:
    """Days of a conference in programme order: by number, then date, then as in the tree."""
    return ("day_number", "date", "path")


def day_sort_key(day_number: int, date: datetime.date, path: str) -> tuple:
    """The sort key of a day in Python, the same order as :func:`day_order`."""
    return (day_number, date, path)


def talk_sort_key(day_key: tuple, start_time: datetime.time | None, path: str) -> tuple:
    """The sort key of a talk across a conference's days, the same order as the programme."""
    return (day_key, start_time is None, start_time or datetime.time.min, path)
