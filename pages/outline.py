"""A conference in one query: its row, its days, its talks, and which of them are private.

A talk page shows its conference and day (header, breadcrumbs, JSON-LD, share card) and the
talks before and after it across the conference's days (the pager). Loaded one by one, as
model instances, that was three queries and a ``TalkPage`` built for every talk of the
conference: 24 M instructions of a 52 M render (``benchmarks.scratch``). Here one ``values``
query reads the rows, and model instances are built only for what the page shows: the
conference, the day and the two neighbours, each with the fields read here and the rest
deferred (an unexpected attribute costs a query, never a wrong value).
"""

import functools
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connection

from wagtail.models import Page, PageViewRestriction

from .tree import ancestor_paths, day_sort_key, parent_path, talk_sort_key

#: Columns read for every row: (attribute of the instance, lookup from ``Page``).
_COMMON = [
    ("id", "id"),
    ("path", "path"),
    ("depth", "depth"),
    ("title", "title"),
    ("slug", "slug"),
    ("url_path", "url_path"),
    ("live", "live"),
]
_CONFERENCE = [
    ("start_date", "conferenceindex__start_date"),
    ("end_date", "conferenceindex__end_date"),
    ("location", "conferenceindex__location"),
    ("website", "conferenceindex__website"),
]
_DAY = [("date", "daypage__date"), ("day_number", "daypage__day_number")]
_TALK = [("start_time", "talkpage__start_time")]
#: What a talk's card shows beyond that (a conference's programme; a talk's pager needs none).
_CARD = [
    ("room", "talkpage__room"),
    ("summary", "talkpage__summary"),
    ("derived_summary", "talkpage__derived_summary"),
]


def _instance(model, row: dict, columns):
    data = {"page_ptr_id": row["id"], **{name: row[name] for name, _lookup in columns}}
    fields = [f.attname for f in model._meta.concrete_fields if f.attname in data]
    return model.from_db(DEFAULT_DB_ALIAS, fields, [data[name] for name in fields])


@dataclass
class Outline:
    """What :func:`conference_outline` read; instances are built on demand."""

    rows: dict[str, dict]  # path -> row
    restricted: set[str]  # paths of rows with a view restriction of their own
    conference_path: str
    talk_columns: list = field(default_factory=lambda: _TALK)
    _built: dict = field(default_factory=dict)

    def is_public(self, path: str) -> bool:
        """Live, and no view restriction on it or any ancestor (the conference's lineage)."""
        row = self.rows.get(path)
        if row is None or not row["live"]:
            return False
        return not any(p in self.restricted for p in (*ancestor_paths(path), path))

    def _get(self, path: str, model, columns):
        if path not in self._built:
            row = self.rows.get(path)
            self._built[path] = None if row is None else _instance(model, row, _COMMON + columns)
        return self._built[path]

    def conference(self):
        from .models import ConferenceIndex

        return self._get(self.conference_path, ConferenceIndex, _CONFERENCE)

    def day(self, path: str):
        from .models import DayPage

        return self._get(path, DayPage, _DAY)

    def talk(self, path: str):
        from .models import TalkPage

        talk = self._get(path, TalkPage, self.talk_columns)
        if talk is not None and "day" not in talk.__dict__:
            talk.__dict__["day"] = self.day(parent_path(path))
        return talk

    def _day_and_talk_paths(self) -> tuple[list[str], list[str]]:
        """Paths of the public days and of their public talks, in programme order: days by
        number, then date; talks across days by day, then as ``programme_order``."""
        depth = len(self.conference_path) // Page.steplen
        days = {
            p: day_sort_key(row["day_number"], row["date"], p)
            for p, row in self.rows.items()
            if row["depth"] == depth + 1 and self.is_public(p)
        }
        talks = sorted(
            talk_sort_key(days[parent_path(p)], row["start_time"], p)
            for p, row in self.rows.items()
            if row["depth"] == depth + 2 and parent_path(p) in days and self.is_public(p)
        )
        return sorted(days, key=days.get), [key[-1] for key in talks]

    def programme(self) -> list[tuple]:
        """[(day, [talk, …])] of the public days and talks in programme order (talks with
        their title, time, room and summaries; speakers are the caller's)."""
        day_paths, talk_paths = self._day_and_talk_paths()
        by_day: dict[str, list] = {path: [] for path in day_paths}
        for path in talk_paths:
            by_day[parent_path(path)].append(self.talk(path))
        return [(self.day(path), by_day[path]) for path in day_paths]

    def neighbours(self, path: str) -> tuple:
        """(previous talk, next talk) of the talk at ``path`` in the programme; only public
        talks of public days count."""
        paths = self._day_and_talk_paths()[1]
        if path not in paths:
            return None, None
        position = paths.index(path)
        previous_path = paths[position - 1] if position > 0 else None
        next_path = paths[position + 1] if position + 1 < len(paths) else None
        return (
            self.talk(previous_path) if previous_path else None,
            self.talk(next_path) if next_path else None,
        )


def _model_field(lookup: str):
    from .models import ConferenceIndex, DayPage, TalkPage

    table, _, column = lookup.rpartition("__")
    model = {"": Page, "conferenceindex": ConferenceIndex, "daypage": DayPage}.get(table, TalkPage)
    return model._meta.get_field(column)


def _columns(cards: bool) -> list:
    return _COMMON + _CONFERENCE + _DAY + _TALK + (_CARD if cards else [])


@functools.cache
def _converters(vendor: str, cards: bool) -> list:
    """(column name, [converters]) for the columns the database returns raw (SQLite: dates,
    times and booleans as text and numbers), as the ORM would convert them."""
    found = []
    for name, lookup in _columns(cards):
        field = _model_field(lookup)
        col = field.get_col(field.model._meta.db_table)
        functions = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
        if functions:
            found.append((name, functions, col))
    return found


@functools.cache
def _outline_sql(vendor: str, lineage_length: int, cards: bool) -> str:
    """The outline's SQL, written out: the ORM spent ~5 M instructions building and compiling
    this one statement (joins to three page tables and an ``EXISTS``) on every talk render."""
    from .models import ConferenceIndex, DayPage, TalkPage

    qn = connection.ops.quote_name
    page = qn(Page._meta.db_table)
    joined = {
        "conferenceindex": ConferenceIndex,
        "daypage": DayPage,
        "talkpage": TalkPage,
    }
    select = []
    for _name, lookup in _columns(cards):
        table, _, column = lookup.rpartition("__")
        alias = qn(table) if table else page
        select.append(f"{alias}.{qn(column)}")
    joins = " ".join(
        f"LEFT OUTER JOIN {qn(model._meta.db_table)} {qn(alias)} "
        f"ON ({qn(alias)}.{qn('page_ptr_id')} = {page}.{qn('id')})"
        for alias, model in joined.items()
    )
    restriction = qn(PageViewRestriction._meta.db_table)
    in_lineage = ", ".join(["%s"] * lineage_length) or "NULL"
    return (
        f"SELECT {', '.join(select)}, EXISTS(SELECT 1 FROM {restriction} "  # noqa: S608
        f"WHERE {restriction}.{qn('page_id')} = {page}.{qn('id')}) "
        f"FROM {page} {joins} "
        f"WHERE {page}.{qn('path')} IN ({in_lineage}) "
        f"OR ({page}.{qn('path')} LIKE %s AND {page}.{qn('depth')} <= %s)"
    )


def conference_outline(conference_path: str, depth: int, cards: bool = False) -> Outline:
    """The conference at ``conference_path``, its ancestors and its descendants down to
    ``depth`` (talks), with their own view restrictions, in one query; with ``cards``, talks
    carry what their cards show (room and summaries)."""
    lineage = ancestor_paths(conference_path)
    if not conference_path.isalnum():  # tree paths are digits and capitals: nothing to escape
        raise ValueError(f"Not a tree path: {conference_path!r}")
    with connection.cursor() as cursor:
        cursor.execute(
            _outline_sql(connection.vendor, len(lineage), cards),
            [*lineage, conference_path + "%", depth],
        )
        rows = cursor.fetchall()
    by_path = {}
    restricted = set()
    converters = _converters(connection.vendor, cards)
    columns = _columns(cards)
    for values in rows:
        row = {name: value for (name, _lookup), value in zip(columns, values, strict=False)}
        for name, functions, col in converters:
            for convert in functions:
                row[name] = convert(row[name], col, connection)
        by_path[row["path"]] = row
        if values[-1]:
            restricted.add(row["path"])
    return Outline(by_path, restricted, conference_path, _TALK + (_CARD if cards else []))
