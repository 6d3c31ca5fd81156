"""Schedules of many talks for the background job tests, and a runner that fails half way (the
worker subprocess imports it by its dotted path)."""

import json

from pages.schedule.jobs import run_import


def big_schedule(talks: int) -> bytes:
    """A schedule.json of ``talks`` talks over two days in four rooms."""
    rooms = ["Hall A", "Hall B", "Room C", "Room D"]
    days = []
    for index, day in enumerate(("2026-09-03", "2026-09-04"), start=1):
        by_room = {room: [] for room in rooms}
        count = talks // 2 if index == 1 else talks - talks // 2
        for n in range(count):
            room = rooms[n % len(rooms)]
            slot = n // len(rooms)
            hour, minute = 8 + slot * 20 // 60, slot * 20 % 60
            by_room[room].append({
                "guid": f"bulk-{index}-{n}", "id": index * 1000 + n,
                "date": f"{day}T{hour:02d}:{minute:02d}:00+02:00", "duration": "00:20",
                "room": room, "title": f"Session {index}.{n}: notes on topic {n}",
                "type": "Talk", "track": f"Track {n % 5}", "abstract": f"Abstract {n}.",
                "persons": [{"public_name": f"Bulk Speaker {n % 37}"}], "links": [],
            })  # fmt: skip
        days.append({"index": index, "date": day, "rooms": by_room})
    conference = {
        "acronym": "bulk26", "title": "Bulk Conference 2026", "start": "2026-09-03",
        "end": "2026-09-04", "time_zone_name": "Europe/Berlin",
        "rooms": [{"name": room} for room in rooms], "days": days,
    }  # fmt: skip
    return json.dumps({"schedule": {"version": "1", "conference": conference}}).encode()


class Boom(RuntimeError):
    pass


def failing_import(job, progress):
    """The schedule import, with a fault injected after half of the talks are written."""

    def failing_progress(done, total, message=""):
        progress(done, total, message)
        if done == total // 2:
            raise Boom(f"injected fault after {done} of {total} talks")

    return run_import(job, failing_progress)
