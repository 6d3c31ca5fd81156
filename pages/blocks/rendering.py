"""Rendering helpers for page bodies: unique heading anchors and query-free block rendering.

``prepare_stream`` makes the number of database queries of a body independent of its size:
images are loaded in one query by the StreamField, then their renditions in one more; video
embeds are read from Wagtail's embed cache in one query.
"""

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.text import slugify

from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtail.images import get_image_model

from .pictures import has_picture_sources


def heading_anchor(text: str) -> str:
    """The anchor id a heading gets from its text (before de-duplication on a page)."""
    return slugify(text)[:80] or "section"


def anchored_blocks(stream) -> list[tuple]:
    """(block, anchor, number) for each block.

    Headings get an anchor id made unique with -2, -3, …; code blocks get a running number so
    that their scrollable regions have distinct accessible names.
    """
    seen: set[str] = set()
    result = []
    code_count = 0
    for block in stream:
        anchor = ""
        number = 0
        if block.block_type == "code":
            code_count += 1
            number = code_count
        if block.block_type == "heading":
            base = heading_anchor(block.value["text"])
            anchor, n = base, 2
            while anchor in seen:
                anchor, n = f"{base}-{n}", n + 1
            seen.add(anchor)
        result.append((block, anchor, number))
    return result


def prefetch_image_renditions(images) -> None:
    """Load every existing rendition of ``images`` in one query (Wagtail reads them from there)."""
    images = [image for image in images if image is not None and image.pk]
    if not images:
        return
    rendition_model = get_image_model().get_rendition_model()
    for image in images:
        # A previous prefetch would stop Django from fetching again.
        image.__dict__.pop("prefetched_renditions", None)
    prefetch_related_objects(
        images,
        Prefetch(
            "renditions", queryset=rendition_model.objects.all(), to_attr="prefetched_renditions"
        ),
    )


def prepare_stream(stream) -> None:
    """Bulk-load what the blocks of ``stream`` will need when rendered."""
    images = []
    embeds = []
    for block in stream:
        if block.block_type == "image":
            image = block.value.get("image")
            if image is not None and not has_picture_sources(image):
                images.append(image)
        elif block.block_type == "video" and block.value.get("url") is not None:
            embeds.append(block.value["url"])
    prefetch_image_renditions(images)
    if embeds:
        keyed = [(get_embed_hash(e.url, e.max_width, e.max_height), e) for e in embeds]
        found = dict(
            Embed.objects.filter(hash__in={key for key, _ in keyed}).values_list("hash", "html")
        )
        for key, value in keyed:
            if key in found:
                value.__dict__["html"] = found[key]
