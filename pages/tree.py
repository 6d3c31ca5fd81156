"""Where a page sits in the tree, and the order of a conference's programme: one place for both.

Wagtail stores a page's position as its ``path``: ``Page.steplen`` characters per level, so a
page's parent's path is its own minus one step, and the ancestor at depth ``d`` is its first
``d`` steps. Depths: the tree root 1, the home page 2, a conference 3, a day 4, a talk 5.

The programme: days by number, then date (then tree order); the talks of a day by start time,
untimed talks last, then tree order. A day may run past midnight (a schedule's "day change", as
in frab and pretalx): a talk that starts before ``NIGHT_ENDS`` belongs to the night after its
day, so it comes after the day's evening talks and takes place on the next calendar date.
"""

import datetime

from django.db.models import Case, F, IntegerField, Value, When
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


NIGHT_ENDS = datetime.time(5, 0)
"""Talks starting before this belong to the night after their day (see the module's docstring).
No conference here starts its morning talks before five; late-night sessions are common."""

_DAY, _NIGHT, _UNTIMED = 0, 1, 2


def time_group(start_time: datetime.time | None) -> int:
    """Where a start time falls in its day's programme: the day, the night after it, or untimed."""
    if start_time is None:
        return _UNTIMED
    return _NIGHT if start_time < NIGHT_ENDS else _DAY


def talk_datetime(date: datetime.date, start_time: datetime.time) -> datetime.datetime:
    """When a talk of the day ``date`` starts (naive): after-midnight talks are on the next date."""
    if time_group(start_time) == _NIGHT:
        date += datetime.timedelta(days=1)
    return datetime.datetime.combine(date, start_time)


def programme_order() -> tuple:
    """Talks of a day in programme order: by time, the night after the day next, untimed talks
    last, then as in the tree (the SQL twin of :func:`time_group`)."""
    group = Case(
        When(start_time__isnull=True, then=Value(_UNTIMED)),
        When(start_time__lt=NIGHT_ENDS, then=Value(_NIGHT)),
        default=Value(_DAY),
        output_field=IntegerField(),
    )
    return (group.asc(), F("start_time").asc(nulls_last=True), "path")


def day_order() -> tuple:
    """Days of a conference in programme order: by number, then date, then as in the tree."""
    return ("day_number", "date", "path")


def day_sort_key(day_number: int, date: datetime.date, path: str) -> tuple:
    """The sort key of a day in Python, the same order as :func:`day_order`."""
    return (day_number, date, path)


def talk_sort_key(day_key: tuple, start_time: datetime.time | None, path: str) -> tuple:
    """The sort key of a talk across a conference's days, the same order as the programme."""
    return (day_key, time_group(start_time), start_time or datetime.time.min, path)
