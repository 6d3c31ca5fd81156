"""Factories for pages, speakers and images (factory_boy + wagtail-factories)."""

import datetime
import io

from django.core.files.images import ImageFile

from wagtail.images import get_image_model
from wagtail.models import Collection

import factory
import wagtail_factories
from factory.django import DjangoModelFactory
from PIL import Image as PILImage

from pages.models import ConferenceIndex, DayPage, HomePage, TalkPage, TalkSpeaker
from snippets.models import Speaker


def png_bytes(width: int = 64, height: int = 48, colour: tuple = (40, 90, 160)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


class ImageFactory(DjangoModelFactory):
    """A real (tiny) PNG stored through the configured storage."""

    class Meta:
        model = get_image_model()

    title = factory.Sequence(lambda n: f"Test picture {n}")
    collection = factory.LazyFunction(Collection.get_first_root_node)
    file = factory.LazyAttribute(
        lambda o: ImageFile(io.BytesIO(png_bytes()), name=f"{o.title.replace(' ', '-')}.png")
    )


class SpeakerFactory(DjangoModelFactory):
    class Meta:
        model = Speaker

    name = factory.Sequence(lambda n: f"Speaker Number{n}")
    bio = "Writes software and notes about it."
    website = "https://example.org/"


def home_page() -> HomePage:
    return HomePage.objects.get(depth=2)


class ConferenceFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ConferenceIndex

    title = factory.Sequence(lambda n: f"Testconf {2020 + n}")
    parent = factory.LazyFunction(home_page)
    start_date = datetime.date(2026, 5, 4)
    end_date = datetime.date(2026, 5, 6)
    location = "Testville"


class DayFactory(wagtail_factories.PageFactory):
    class Meta:
        model = DayPage

    title = factory.Sequence(lambda n: f"Day {n + 1}")
    parent = factory.SubFactory(ConferenceFactory)
    date = datetime.date(2026, 5, 4)
    day_number = 1


class TalkFactory(wagtail_factories.PageFactory):
    class Meta:
        model = TalkPage
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"A talk about things {n}")
    parent = factory.SubFactory(DayFactory)
    summary = "What the talk was about, in one paragraph."
    room = "Main hall"
    start_time = datetime.time(10, 30)

    @factory.post_generation
    def speakers(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        for order, speaker in enumerate(extracted):
            TalkSpeaker.objects.create(page=self, speaker=speaker, sort_order=order)


def mixed_body(count: int, image=None, speaker=None) -> list[dict]:
    """Raw StreamField data of ``count`` blocks cycling through every block type."""
    makers = [
        lambda i: {"type": "heading", "value": {"text": f"Section {i}", "level": "h2"}},
        lambda i: {"type": "paragraph", "value": f"<p>Paragraph {i} with <b>bold</b> text.</p>"},
        lambda i: {
            "type": "code",
            "value": {
                "language": "python",
                "code": f"x = {i}\n",
                "filename": "",
                "highlight_lines": "",
                "line_numbers": False,
            },
        },
        lambda i: {
            "type": "quote",
            "value": {
                "text": f"Quote {i}",
                "attribution": "Someone",
                "speaker": speaker.pk if speaker else None,
                "source_url": "",
            },
        },
        lambda i: {
            "type": "checklist",
            "value": {
                "title": "",
                "items": [{"type": "item", "value": {"text": f"Item {i}", "done": i % 2 == 0}}],
            },
        },
    ]
    if image is not None:
        makers.append(
            lambda i: {
                "type": "image",
                "value": {
                    "image": {"image": image.pk, "decorative": False, "alt_text": f"Diagram {i}"},
                    "caption": "",
                },
            }
        )
    return [makers[i % len(makers)](i) for i in range(count)]
