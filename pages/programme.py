"""The programme grid of a day: its talks by start time (rows) and room (columns).

Pure arrangement of talks the page has already loaded (no query): conference and day pages
show it as a ``<table>`` with row and column headers (``templates/includes/programme_grid.html``).
"""

from dataclasses import dataclass, field

from pages.tree import time_group

#: Column heading for talks whose room is not given.
NO_ROOM = "Room not given"


@dataclass
class Row:
    time: object  # datetime.time or None (talks without a time come last)
    cells: list[list] = field(default_factory=list)  # per room, the talks at that time


@dataclass
class Grid:
    rooms: list[str]
    rows: list[Row]


def programme_grid(talks) -> Grid:
    """``talks`` (in programme order) as rows by start time and columns by room; rooms in the
    order they first appear; several talks at the same time in the same room share a cell."""
    talks = list(talks)
    rooms: list[str] = []
    for talk in talks:
        room = talk.room.strip() or NO_ROOM
        if room not in rooms:
            rooms.append(room)
    rows: dict[object, Row] = {}
    for talk in talks:
        row = rows.setdefault(talk.start_time, Row(talk.start_time, [[] for _ in rooms]))
        row.cells[rooms.index(talk.room.strip() or NO_ROOM)].append(talk)
    ordered = sorted(rows.values(), key=lambda row: (time_group(row.time), row.time or 0))
    return Grid(rooms=rooms, rows=ordered)
