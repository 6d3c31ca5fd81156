"""``manage.py load_demo``: fill the site with demo conferences, days, talks and speakers.

Safe to run again: speakers are keyed by slug, images by title, embeds by URL and pages by
slug under their parent. Anything that already exists is left exactly as it is, so a
second run creates nothing. ``--reset`` deletes the demo content first and rebuilds it.
"""

import datetime
import uuid
from collections import Counter
from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtail.images import get_image_model
from wagtail.models import Page

from pages import demo as content
from pages.accessibility.rules import check_stream
from pages.models import ConferenceIndex, DayPage, HomePage, TalkPage, TalkSpeaker
from snippets.models import Speaker

#: Namespace for the ids of demo blocks, so a rebuilt page has the same block ids.
BLOCK_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://example.org/confnotes/demo")


def embed_html(video_id: str, title: str) -> str:
    return (
        f'<iframe src="https://www.youtube-nocookie.com/embed/{video_id}" width="560" '
        f'height="315" title="{title}" allowfullscreen></iframe>'
    )


class Command(BaseCommand):
    help = (
        "Create demo conferences, days, talks, speakers, images and video embeds under the "
        "home page. Existing demo content is left alone; --reset rebuilds it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo conferences (with their days and talks), speakers, images "
            "and embeds first, then build them again.",
        )

    def handle(self, *args, reset: bool = False, **options):
        self.verbosity = options.get("verbosity", 1)
        self.created: Counter = Counter()
        self.existing: Counter = Counter()
        self.block_counts: Counter = Counter()

        home = HomePage.objects.first()
        if home is None:
            raise CommandError("There is no HomePage. Run `manage.py migrate` first.")

        if reset:
            # Committed on its own, so that the deleted image files are gone (Wagtail removes
            # them on commit) before new files with the same names are saved.
            with transaction.atomic():
                self.reset(home)
        with transaction.atomic():
            self.images = self.ensure_images()
            self.speakers = self.ensure_speakers()
            self.ensure_embeds()
            total = len(content.CONFERENCES)
            for number, spec in enumerate(content.CONFERENCES, start=1):
                self.stdout.write(f"Conference {number}/{total}: {spec['title']}")
                self.ensure_conference(home, spec)
            self.update_home(home)

        self.report()

    # --- Reset ---------------------------------------------------------------------------

    def reset(self, home: HomePage) -> None:
        slugs = [spec["slug"] for spec in content.CONFERENCES]
        pages = 0
        for conference in Page.objects.child_of(home).filter(slug__in=slugs):
            pages += conference.get_descendant_count() + 1
            conference.delete()
        speakers, _ = Speaker.objects.filter(
            slug__in=[spec["slug"] for spec in content.SPEAKERS]
        ).delete()
        images = 0
        titles = [spec["title"] for spec in content.IMAGES.values()]
        for image in get_image_model().objects.filter(title__in=titles):
            image.delete()  # one by one, so that the files are removed too
            images += 1
        hashes = [get_embed_hash(content.video_url(key), None, None) for key in content.VIDEOS]
        embeds, _ = Embed.objects.filter(hash__in=hashes).delete()
        self.stdout.write(
            f"Reset: deleted {pages} pages, {speakers} speaker rows, {images} images and "
            f"{embeds} embeds."
        )

    # --- Images, speakers, embeds ---------------------------------------------------------

    def ensure_images(self) -> dict:
        Image = get_image_model()
        images = {}
        for key, spec in content.IMAGES.items():
            image = Image.objects.filter(title=spec["title"]).order_by("pk").first()
            if image is None:
                image = Image(
                    title=spec["title"],
                    description=spec["description"],
                    file=ImageFile(BytesIO(spec["draw"]()), name=spec["filename"]),
                )
                image.save()
                self.created["images"] += 1
            else:
                self.existing["images"] += 1
            images[key] = image
        return images

    def ensure_speakers(self) -> dict:
        speakers = {}
        for spec in content.SPEAKERS:
            speaker = Speaker.objects.filter(slug=spec["slug"]).first()
            if speaker is None:
                photo = self.images[spec["photo"]] if spec.get("photo") else None
                speaker = Speaker(
                    slug=spec["slug"],
                    name=spec["name"],
                    bio=spec.get("bio", ""),
                    photo=photo,
                    photo_alt_text=spec.get("photo_alt_text", ""),
                    website=spec.get("website", ""),
                    mastodon=spec.get("mastodon", ""),
                    github=spec.get("github", ""),
                )
                self.full_clean(speaker, f"speaker {spec['slug']}")
                speaker.save()
                self.created["speakers"] += 1
            else:
                self.existing["speakers"] += 1
            speakers[spec["slug"]] = speaker
        return speakers

    def ensure_embeds(self) -> None:
        """Store each demo video in Wagtail's embed cache so that nothing is fetched."""
        for key, spec in content.VIDEOS.items():
            url = content.video_url(key)
            _, created = Embed.objects.get_or_create(
                hash=get_embed_hash(url, None, None),
                defaults={
                    "url": url,
                    "max_width": None,
                    "type": "video",
                    "html": embed_html(spec["video_id"], spec["title"]),
                    "title": spec["title"],
                    "author_name": "Confnotes demo",
                    "provider_name": "YouTube",
                    "thumbnail_url": "",
                    "width": 560,
                    "height": 315,
                    "cache_until": None,
                },
            )
            (self.created if created else self.existing)["embeds"] += 1

    # --- Pages -----------------------------------------------------------------------------

    def ensure_conference(self, home: HomePage, spec: dict) -> None:
        days = spec["days"]
        start = spec["start_date"]
        conference = self.existing_child(home, ConferenceIndex, spec["slug"])
        if conference is not None:
            self.stdout.write(f"  {spec['title']}: already there")
            self.existing["conferences"] += 1
        else:
            conference = ConferenceIndex(
                title=spec["title"],
                slug=spec["slug"],
                start_date=start,
                end_date=start + datetime.timedelta(days=len(days) - 1),
                location=spec["location"],
                website=spec["website"],
                body=self.build_body(ConferenceIndex, spec["body"], spec["slug"]),
            )
            conference.tags.add(*spec["tags"])
            self.publish_new(home, conference)
            self.created["conferences"] += 1

        for index, day_spec in enumerate(days):
            key = f"{spec['slug']}/{day_spec['slug']}"
            day = self.existing_child(conference, DayPage, day_spec["slug"])
            if day is not None:
                self.existing["days"] += 1
            else:
                day = DayPage(
                    title=day_spec["title"],
                    slug=day_spec["slug"],
                    date=start + datetime.timedelta(days=index),
                    day_number=index + 1,
                    body=self.build_body(DayPage, day_spec["body"], key),
                )
                self.publish_new(conference, day)
                self.created["days"] += 1
            talks_before = self.created["talks"]
            for talk_spec in day_spec["talks"]:
                self.ensure_talk(day, talk_spec, f"{key}/{talk_spec['slug']}")
            if self.verbosity >= 1:
                made = self.created["talks"] - talks_before
                self.stdout.write(
                    f"  {day_spec['title']}: {len(day_spec['talks'])} talks"
                    + (f" ({made} created)" if made else " (already there)")
                )

    def ensure_talk(self, day: DayPage, spec: dict, key: str) -> None:
        if self.existing_child(day, TalkPage, spec["slug"]) is not None:
            self.existing["talks"] += 1
            return
        conference_slug = key.split("/", 1)[0]
        video_key = spec.get("video")
        talk = TalkPage(
            title=spec["title"],
            slug=spec["slug"],
            start_time=datetime.time.fromisoformat(spec["start_time"]),
            room=spec["room"],
            slides_url=f"https://example.org/slides/{conference_slug}/{spec['slug']}/",
            video_url=(
                content.video_url(video_key)
                if video_key
                else f"https://example.org/videos/{conference_slug}/{spec['slug']}/"
            ),
            summary=spec["summary"],
            body=self.build_body(TalkPage, spec["body"], key),
        )
        talk.tags.add(*spec["tags"])
        talk.talk_speakers = [
            TalkSpeaker(speaker=self.speakers[slug], sort_order=order)
            for order, slug in enumerate(spec["speakers"])
        ]
        self.publish_new(day, talk)
        self.created["talks"] += 1

    @staticmethod
    def existing_child(parent: Page, model, slug: str):
        page = Page.objects.child_of(parent).filter(slug=slug).first()
        if page is None:
            return None
        page = page.specific
        if not isinstance(page, model):
            raise CommandError(
                f"{parent.url_path}{slug}/ exists but is a {type(page).__name__}, not a "
                f"{model.__name__}. Move or rename it, then run load_demo again."
            )
        return page

    def publish_new(self, parent: Page, page: Page) -> None:
        """Create ``page`` under ``parent`` as an editor would: a draft, then publish it."""
        page.live = False
        parent.add_child(instance=page)  # Page.save() runs full_clean()
        page.save_revision().publish()

    # --- Bodies ----------------------------------------------------------------------------

    def build_body(self, model, blocks: list[tuple], key: str):
        """Resolve the demo helpers' blocks to a cleaned StreamValue for ``model.body``."""
        stream_block = model._meta.get_field("body").stream_block
        raw = [
            {
                "type": block_type,
                "value": self.raw_value(block_type, value),
                "id": str(uuid.uuid5(BLOCK_ID_NAMESPACE, f"{key}#{index}")),
            }
            for index, (block_type, value) in enumerate(blocks)
        ]
        try:
            cleaned = stream_block.clean(stream_block.to_python(raw))
        except ValidationError as error:
            detail = error.as_json_data() if hasattr(error, "as_json_data") else error.messages
            raise CommandError(f"The demo body of {key} does not validate: {detail}") from error
        problems = check_stream(cleaned)
        if problems:
            raise CommandError(f"The demo body of {key} breaks the accessibility rules: {problems}")
        self.block_counts.update(block_type for block_type, _ in blocks)
        return cleaned

    def raw_value(self, block_type: str, value):
        """The stored (JSON) form of one block value from ``pages.demo``."""
        if block_type == "quote":
            speaker = self.speakers[value["speaker"]].pk if value["speaker"] else None
            return {**value, "speaker": speaker}
        if block_type == "image":
            return {
                "image": {
                    "image": self.images[value["image"]].pk,
                    "decorative": value["decorative"],
                    "alt_text": "" if value["decorative"] else value["alt_text"],
                },
                "caption": value["caption"],
            }
        if block_type == "table":
            return {
                "columns": [
                    {"type": kind, "heading": heading} for kind, heading in value["columns"]
                ],
                "rows": [{"values": list(row)} for row in value["rows"]],
                "caption": value["caption"],
            }
        if block_type == "video":
            return {"url": content.video_url(value["video"]), "title": value["title"]}
        return value

    # --- Home page and report --------------------------------------------------------------

    def update_home(self, home: HomePage) -> None:
        if home.intro.strip() == content.HOME_DEFAULT_INTRO:
            home.intro = content.HOME_INTRO
            home.save_revision().publish()
            self.stdout.write("Home page: intro updated")

    def full_clean(self, instance, label: str) -> None:
        try:
            instance.full_clean()
        except ValidationError as error:
            raise CommandError(f"Demo {label} does not validate: {error}") from error

    def report(self) -> None:
        kinds = ["conferences", "days", "talks", "speakers", "images", "embeds"]
        created = ", ".join(f"{self.created[kind]} {kind}" for kind in kinds)
        existing = ", ".join(f"{self.existing[kind]} {kind}" for kind in kinds)
        self.stdout.write(f"Created: {created}.")
        self.stdout.write(f"Already there: {existing}.")
        if self.block_counts and self.verbosity >= 2:
            blocks = ", ".join(f"{n} {kind}" for kind, n in sorted(self.block_counts.items()))
            self.stdout.write(f"Blocks in new pages: {blocks}.")
        self.stdout.write(self.style.SUCCESS("Demo content is ready."))
