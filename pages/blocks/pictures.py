"""The <picture> of an image block: AVIF, WebP and JPEG/PNG sources, cached per process."""

from functools import lru_cache

#: Rendition widths offered in srcset (never wider than the original: Wagtail does not upscale).
IMAGE_WIDTHS = (480, 960, 1440)
IMAGE_SIZES = "(min-width: 50rem) 46rem, 100vw"


@lru_cache(maxsize=64)
def _rendition_filters(specs: tuple[str, ...]) -> tuple:
    """Wagtail ``Filter`` objects, parsed once per process (parsing inspects every operation)."""
    from wagtail.images.models import Filter

    return tuple(Filter(spec=spec) for spec in specs)


#: Sources of recently shown images, keyed by everything their renditions depend on.
_PICTURE_SOURCES: dict[tuple, dict] = {}
_PICTURE_SOURCES_MAX = 2048


def _picture_key(image) -> tuple:
    return (
        image.pk,
        image.file.name,
        image.width,
        image.height,
        image.focal_point_x,
        image.focal_point_y,
        image.focal_point_width,
        image.focal_point_height,
    )


def has_picture_sources(image) -> bool:
    """Whether ``picture_sources(image)`` is known in this process (no rendition look-up)."""
    return _picture_key(image) in _PICTURE_SOURCES


def forget_picture_sources() -> None:
    _PICTURE_SOURCES.clear()


def picture_sources(image) -> dict:
    """The <picture> sources of ``image``: AVIF and WebP, then JPEG (PNG for PNG originals).

    All renditions come from one ``get_renditions`` call, which reads prefetched renditions
    (see pages.blocks.rendering.prepare_stream) and creates missing ones once. The result is kept per
    process, keyed by the image, its file, size and focal point, so an image shown again costs a
    dictionary look-up; replacing the file or moving the focal point changes the key.
    """
    key = _picture_key(image)
    cached = _PICTURE_SOURCES.get(key)
    if cached is not None:
        return cached
    widths = [w for w in IMAGE_WIDTHS if w < image.width] + [min(image.width, IMAGE_WIDTHS[-1])]
    widths = sorted(set(widths))
    fallback = "png" if image.filename.lower().endswith(".png") else "jpeg"
    formats = ["avif", "webp", fallback]
    specs = tuple(f"width-{w}|format-{fmt}" for fmt in formats for w in widths)
    renditions = image.get_renditions(*_rendition_filters(specs))

    def srcset(fmt):
        return ", ".join(
            f"{renditions[f'width-{w}|format-{fmt}'].url} {renditions[f'width-{w}|format-{fmt}'].width}w"
            for w in widths
        )

    largest = renditions[f"width-{widths[-1]}|format-{fallback}"]
    sources = {
        "sources": [{"type": f"image/{fmt}", "srcset": srcset(fmt)} for fmt in formats[:2]],
        "src": largest.url,
        "srcset": srcset(fallback),
        "sizes": IMAGE_SIZES,
        "width": largest.width,
        "height": largest.height,
    }
    if len(_PICTURE_SOURCES) >= _PICTURE_SOURCES_MAX:
        _PICTURE_SOURCES.clear()
    _PICTURE_SOURCES[key] = sources
    return sources


def picture_data(image) -> dict:
    """Everything the figure template needs: the sources, the alt text and whether decorative.

    ``alt`` is empty for decorative images (rendered ``alt=""``) and for images whose alt text is
    missing; the template omits the attribute for the latter, so that checkers flag them.
    """
    decorative = bool(getattr(image, "decorative", False))
    alt = "" if decorative else (getattr(image, "contextual_alt_text", "") or "").strip()
    return {**picture_sources(image), "alt": alt, "decorative": decorative}
