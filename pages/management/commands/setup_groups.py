"""``manage.py setup_groups``: Moderators, Editors and one editors' group per conference.

Safe to run again: it only adds what is missing, renames a conference's group and collection
after the conference, and removes page permissions that the design does not give (the root-page
ones of Wagtail's "Editors" group). The design is described in ``pages.editors.groups``.
"""

from django.core.management.base import BaseCommand

from pages.editors.groups import orphan_conference_groups, setup_groups


class Command(BaseCommand):
    help = (
        "Set up the Moderators group (whole tree, publish), the Editors group (no pages) and "
        "an 'Editors: <conference>' group per conference (its subtree and collection, no "
        "publishing). Idempotent."
    )

    def handle(self, *args, **options):
        changes = setup_groups()
        for line in changes.lines:
            self.stdout.write(line)
        for group in orphan_conference_groups():
            self.stdout.write(
                self.style.WARNING(
                    f"{group.name}: its conference is gone; delete the group if it is unused."
                )
            )
        self.stdout.write(
            self.style.SUCCESS(f"{len(changes.lines)} changes")
            if changes
            else "Groups already set up: nothing changed."
        )
