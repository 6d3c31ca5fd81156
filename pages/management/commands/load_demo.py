"""``manage.py load_demo``: the demo conferences, imported from their Markdown notes.

The demo is data: ``pages/demo/notes/*.md`` (one conference a file, in the format of
``import_notes``, speakers in the front matter) and their pictures in ``pages/demo/notes/images/``.
Each file goes through the notes importer with ``--publish``, so the demo is built and published
like any import (and passes the publish gate). Safe to run again: the importer matches pages by
slug and speakers by name, and leaves unchanged pages without a new revision. ``--reset``
deletes the demo content first and imports it again.

The conferences, people and talks are fictional; the notes are original writing.
"""

import hashlib
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtail.images import get_image_model
from wagtail.models import Page

from pages.models import HomePage
from pages.notes.diagnostics import Diagnostics
from pages.notes.importer import NotesImporter
from pages.notes.parser import parse_notes
from snippets.models import Speaker

#: The demo's notes files and their images.
DEMO_NOTES = Path(__file__).resolve().parents[2] / "demo" / "notes"

#: The home page intro once the demo is loaded (only replaces the intro from the migration).
HOME_DEFAULT_INTRO = "Notes from conference talks, written by the people who were in the room."
HOME_INTRO = (
    "Notes from conference talks, written by the people who were in the room: what was said, "
    "the code that was shown and what to try afterwards. Pick a conference below or search "
    "for a topic."
)
KINDS = ("conferences", "days", "talks", "speakers", "images", "embeds")


def demo_files() -> list[Path]:
    return sorted(DEMO_NOTES.glob("*.md"))


def demo_documents() -> list:
    """The parsed demo files (no database access)."""
    return [parse_notes(path.read_text(encoding="utf-8"), Diagnostics()) for path in demo_files()]


def demo_videos(documents) -> dict[str, str]:
    """URL -> title of every video block of the demo."""
    return {
        block.value["url"]: block.value["title"]
        for document in documents
        for body in document.all_bodies()
        for block in body
        if block.type == "video"
    }


def embed_html(video_id: str, title: str) -> str:
    return (
        f'<iframe src="https://www.youtube-nocookie.com/embed/{video_id}" width="560" '
        f'height="315" title="{title}" allowfullscreen></iframe>'
    )


class Command(BaseCommand):
    help = (
        "Import the demo conferences (pages/demo/notes/*.md: days, talks, speakers, images) "
        "under the home page and publish them; their video embeds are stored so that nothing "
        "is fetched. Unchanged pages are left alone; --reset rebuilds the demo."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo conferences (with their days and talks), speakers, images "
            "and embeds first, then import them again.",
        )

    def handle(self, *args, reset: bool = False, **options):
        self.verbosity = options.get("verbosity", 1)
        self.created: Counter = Counter()
        self.existing: Counter = Counter()
        home = HomePage.objects.first()
        if home is None:
            raise CommandError("There is no HomePage. Run `manage.py migrate` first.")
        documents = demo_documents()
        if reset:
            # Committed on its own, so that the deleted image files are gone (Wagtail removes
            # them on commit) before new files with the same names are saved.
            with transaction.atomic():
                self.reset(home, documents)
        with transaction.atomic():
            self.ensure_embeds(documents)
            files = demo_files()
            importer = NotesImporter(home, publish=True)
            for number, (path, document) in enumerate(zip(files, documents, strict=True), 1):
                self.stdout.write(f"Conference {number}/{len(files)}: {document.title}")
                self.import_file(importer, path)
            self.update_home(home)
        self.report()

    def import_file(self, importer: NotesImporter, path: Path) -> None:
        result = importer.import_path(path, name=str(path.relative_to(DEMO_NOTES.parents[2])))
        messages = [diagnostic.format(result.name) for diagnostic in result.diagnostics.sorted()]
        if not result.ok:
            raise CommandError("The demo does not import:\n" + "\n".join(messages))
        for message in messages:
            self.stderr.write(self.style.WARNING(message))
        plural = {"conference": "conferences", "day": "days", "talk": "talks"}
        for node in result.tree.walk():
            counter = self.created if node.action == "create" else self.existing
            counter[plural[node.kind]] += 1
            if node.action == "update":
                self.created["updated pages"] += 1
        self.created["speakers"] += len(result.speakers_created)
        self.created["images"] += result.images_created
        if result.tree.action == "unchanged":
            self.stdout.write(f"  {result.tree.title}: already there")
        elif self.verbosity >= 1:
            self.stdout.write(f"  {result.summary()}")

    # --- Reset ---------------------------------------------------------------------------

    def reset(self, home: HomePage, documents) -> None:
        pages = 0
        for conference in Page.objects.child_of(home).filter(
            slug__in=[document.slug for document in documents]
        ):
            pages += conference.get_descendant_count() + 1
            conference.delete()
        names = {
            name
            for document in documents
            for name in [
                *document.speakers,
                *(name for day in document.days for talk in day.talks for name in talk.speakers),
            ]
        }
        speakers, _ = Speaker.objects.filter(name__in=names).delete()
        hashes = {
            hashlib.sha1(path.read_bytes(), usedforsecurity=False).hexdigest()
            for path in (DEMO_NOTES / "images").iterdir()
        }
        images = 0
        for image in get_image_model().objects.filter(file_hash__in=hashes):
            image.delete()  # one by one, so that the files are removed too
            images += 1
        embed_hashes = [get_embed_hash(url, None, None) for url in demo_videos(documents)]
        embeds, _ = Embed.objects.filter(hash__in=embed_hashes).delete()
        self.stdout.write(
            f"Reset: deleted {pages} pages, {speakers} speaker rows, {images} images and "
            f"{embeds} embeds."
        )

    # --- Embeds, home page and report ------------------------------------------------------

    def ensure_embeds(self, documents) -> None:
        """Store each demo video in Wagtail's embed cache so that nothing is fetched."""
        for url, title in demo_videos(documents).items():
            video_id = parse_qs(urlparse(url).query).get("v", [""])[0]
            _, created = Embed.objects.get_or_create(
                hash=get_embed_hash(url, None, None),
                defaults={
                    "url": url,
                    "max_width": None,
                    "type": "video",
                    "html": embed_html(video_id, title),
                    "title": title,
                    "author_name": "Confnotes demo",
                    "provider_name": "YouTube",
                    "thumbnail_url": "",
                    "width": 560,
                    "height": 315,
                    "cache_until": None,
                },
            )
            (self.created if created else self.existing)["embeds"] += 1

    def update_home(self, home: HomePage) -> None:
        home = HomePage.objects.get(pk=home.pk)  # as the import left it (its tree fields)
        if home.intro.strip() == HOME_DEFAULT_INTRO:
            home.intro = HOME_INTRO
            home.save_revision().publish()
            self.stdout.write("Home page: intro updated")

    def report(self) -> None:
        created = ", ".join(f"{self.created[kind]} {kind}" for kind in KINDS)
        existing = ", ".join(f"{self.existing[kind]} {kind}" for kind in KINDS)
        self.stdout.write(f"Created: {created}.")
        if self.created["updated pages"]:
            self.stdout.write(f"Updated: {self.created['updated pages']} pages.")
        self.stdout.write(f"Already there: {existing}.")
        self.stdout.write(self.style.SUCCESS("Demo content is ready."))
