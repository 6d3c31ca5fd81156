"""Image upload checks: hostile files are refused early, with a message that says what is wrong.

Every way a person adds an image goes through :class:`SafeImageField`:

- the admin's image add view, the multiple (AJAX) uploader and the chooser's upload tab (which
  is also how speaker photos and images in page bodies are uploaded) build their forms from
  ``WAGTAILIMAGES_IMAGE_FORM_BASE = "pages.editors.uploads.ImageForm"``, which swaps Wagtail's file
  field for this one;
- the Markdown notes importer (``pages.notes.importer``) cleans each new image with it.

The checks run cheapest first and stop at the first problem, so a hostile file is refused
before anything expensive happens:

1. empty file; file larger than ``WAGTAILIMAGES_MAX_UPLOAD_SIZE``;
2. extension: only ``WAGTAILIMAGES_EXTENSIONS`` (no SVG: an SVG can carry scripts);
3. content sniffed from the first bytes: it must be the raster format the extension names.
   HTML, SVG, PDF, ZIP... named ``.png`` are refused, and so is a real JPEG named ``.png``:
   the original file is served as it is (``download_url`` in the API, the admin's "original"
   link) with a content type taken from its name, so the name must tell the truth. The message
   gives the name to use instead;
4. header only (Pillow's format plugin, without ``Image.open``'s own bomb check and without
   decoding): pixel count at most ``WAGTAILIMAGES_MAX_IMAGE_PIXELS``, so a decompression bomb
   (a 100 KB PNG that inflates to 30000 x 30000) is refused without being inflated;
5. animation is refused outright: the site renders stills (renditions keep only the first
   frame, so the page would not show what the editor uploaded), moving images need pause
   controls (WCAG 2.2.2), and frame count times pixels is a cheap way to make every later
   rendition expensive. A video block is the place for moving pictures;
6. HTML or script markup anywhere in the bytes (a GIF/HTML polyglot, script in a JPEG comment
   or after the PNG end) is refused;
7. finally the first frame is decoded (JPEGs at 1/8 scale), which the pixel limit keeps
   bounded: a truncated or corrupt file is refused now instead of breaking renditions later.

Nothing is saved when a check fails: the form is invalid, so no Image row and no file.
"""

import io
import os
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.fields import FileField
from django.template.defaultfilters import filesizeformat

from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm
from wagtail.images.utils import get_allowed_image_extensions

from PIL import Image as PILImage

#: Raster formats this module knows how to check: sniffed name -> (Pillow format, label).
RASTER_FORMATS = {
    "png": ("PNG", "PNG"),
    "jpeg": ("JPEG", "JPEG"),
    "gif": ("GIF", "GIF"),
    "webp": ("WEBP", "WebP"),
    "avif": ("AVIF", "AVIF"),
    "heic": ("HEIF", "HEIC"),  # only if WAGTAILIMAGES_EXTENSIONS lists heic (pillow-heif)
}
#: File extension -> sniffed format name.
EXTENSION_FORMATS = {
    "png": "png",
    "apng": "png",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "jpe": "jpeg",
    "gif": "gif",
    "webp": "webp",
    "avif": "avif",
    "heic": "heic",
    "heif": "heic",
}
#: What other contents are called in messages.
OTHER_KINDS = {
    "svg": "an SVG drawing",
    "html": "an HTML page",
    "xml": "an XML document",
    "pdf": "a PDF document",
    "zip": "a ZIP archive (or an Office file)",
    "gzip": "a gzip archive",
    "bmp": "a BMP image",
    "tiff": "a TIFF image",
    "psd": "a Photoshop (PSD) file",
    "heic": "a HEIC/HEIF photo",
    "ico": "an icon (ICO) file",
    "exe": "a program",
    "text": "a text file",
}
#: Preferred extension per format, for "rename it to ..." advice.
PREFERRED_EXTENSION = {
    "png": "png",
    "jpeg": "jpg",
    "gif": "gif",
    "webp": "webp",
    "avif": "avif",
    "heic": "heic",
}

_ISO_BMFF_AVIF_BRANDS = {b"avif", b"avis"}
_ISO_BMFF_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}

# Markup that makes a file a polyglot: long enough that compressed pixel data does not contain
# it by chance (about one 10 MB file in 100,000 for the shortest, "<html" plus a space). The
# bytes are searched with bytes.find (fast) and each hit confirmed with the pattern.
_ACTIVE_STARTS = (
    b"<script",
    b"<html",
    b"<body",
    b"<iframe",
    b"<svg",
    b"<!doctype",
    b"<?php",
    b"javascript:",
    b"<object",
    b"<embed",
)
ACTIVE_CONTENT = re.compile(
    rb"<script|<iframe|<\?php|javascript:|<!doctype\s+html"
    rb"|(?:<html|<body|<object|<embed)[\s>]|<svg[\s>][^>]{0,200}xmlns"
)


def find_active_content(data: bytes) -> bytes | None:
    """The first HTML/script marker in ``data`` (any case), or None."""
    lowered = data.lower()
    for start_marker in _ACTIVE_STARTS:
        start = lowered.find(start_marker)
        while start != -1:
            found = ACTIVE_CONTENT.match(lowered, start)
            if found:
                return found.group(0)
            start = lowered.find(start_marker, start + 1)
    return None


_BOMB_PIXELS = re.compile(r"Image size \((\d+) pixels\)")


def sniff(head: bytes) -> str | None:
    """The kind of file the first bytes (a few KB) say this is, or None if unknown."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        brands = {head[8:12]} | {head[i : i + 4] for i in range(16, min(len(head), 64), 4)}
        if head[8:12] in _ISO_BMFF_AVIF_BRANDS or (
            head[8:12] in {b"mif1", b"msf1"} and brands & _ISO_BMFF_AVIF_BRANDS
        ):
            return "avif"
        if head[8:12] in _ISO_BMFF_HEIF_BRANDS:
            return "heic"
        return None
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return "zip"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BM"):
        return "bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head.startswith(b"8BPS"):
        return "psd"
    if head[:4] == b"\x00\x00\x01\x00":
        return "ico"
    if head[:2] == b"MZ" or head[:4] == b"\x7fELF":
        return "exe"
    text = head.lstrip(b"\xef\xbb\xbf\xfe\xff\x00 \t\r\n").lower()
    if text.startswith(b"<"):
        if b"<svg" in text:
            return "svg"
        if text.startswith((b"<!doctype html", b"<html")) or b"<head" in text or b"<body" in text:
            return "html"
        if b"<script" in text:
            return "html"
        return "xml"
    if head and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "html" if find_active_content(head) else "text"
    return None


def accepted_formats_text() -> str:
    """'PNG, JPEG, GIF, WebP or AVIF', from WAGTAILIMAGES_EXTENSIONS, commonest first."""
    order = list(RASTER_FORMATS)
    kinds = {EXTENSION_FORMATS.get(e.lower(), e.lower()) for e in get_allowed_image_extensions()}
    labels = [RASTER_FORMATS[k][1] for k in order if k in kinds]
    labels += sorted(k.upper() for k in kinds if k not in RASTER_FORMATS)
    if len(labels) < 2:
        return "".join(labels)
    return f"{', '.join(labels[:-1])} or {labels[-1]}"


def _file_size(size: int) -> str:
    return str(filesizeformat(size)).replace("\xa0", " ")


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:,.1f}".removesuffix(".0")


def _a(label: str) -> str:
    return f"an {label}" if label[:1] in "AEIOU" else f"a {label}"


def _describe(kind: str | None) -> str:
    if kind in RASTER_FORMATS:
        return f"{_a(RASTER_FORMATS[kind][1])} image"
    if kind in OTHER_KINDS:
        return OTHER_KINDS[kind]
    return "in a format Confnotes does not recognise"


def check_image_bytes(name: str, data: bytes) -> None:
    """Raise ValidationError (one message, with a code) unless ``data`` is an acceptable image.

    ``name`` is the uploaded file name (its extension counts). The size limit is checked by
    the caller that knows the size before reading (SafeImageField); this checks it again.
    """
    accepted = accepted_formats_text()
    max_size = getattr(settings, "WAGTAILIMAGES_MAX_UPLOAD_SIZE", 10 * 1024 * 1024)
    max_pixels = getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", 128 * 1_000_000)

    if not data:
        raise ValidationError(
            f"The file is empty (0 bytes). Upload {_a(accepted)} image.", code="empty"
        )
    if max_size is not None and len(data) > max_size:
        raise ValidationError(_too_large_message(len(data), max_size), code="file_too_large")

    extension = os.path.splitext(name)[1].lower().removeprefix(".")
    allowed = [e.lower() for e in get_allowed_image_extensions()]
    if extension in ("svg", "svgz"):
        raise ValidationError(
            "SVG images are not accepted: an SVG file can contain scripts that would run on "
            f"this site. Export the drawing as PNG (or WebP) and upload that. Accepted: {accepted}.",
            code="svg_not_allowed",
        )
    if extension not in allowed:
        shown = f"“.{extension}” files are" if extension else "Files without an extension are"
        raise ValidationError(
            f"{shown} not accepted. Upload {_a(accepted)} image "
            f"(with a name ending in {', '.join('.' + e for e in allowed)}).",
            code="invalid_image_extension",
        )

    expected = EXTENSION_FORMATS.get(extension, extension)
    expected_label = RASTER_FORMATS[expected][1] if expected in RASTER_FORMATS else extension
    kind = sniff(data[:4096])
    if kind != expected:
        if kind in RASTER_FORMATS and kind in {EXTENSION_FORMATS.get(e) for e in allowed}:
            stem = os.path.splitext(os.path.basename(name))[0] or "image"
            better = f"{stem}.{PREFERRED_EXTENSION[kind]}"
            raise ValidationError(
                f"This file is {_describe(kind)}, but its name ends in .{extension}. The name "
                f"must match the content: rename it to “{better}” and upload it again.",
                code="invalid_image_known_format",
            )
        advice = (
            " SVG is not accepted because it can contain scripts; export it as PNG."
            if kind == "svg"
            else ""
        )
        raise ValidationError(
            f"This file is {_describe(kind)}, not {_a(expected_label)} image, although its name "
            f"ends in .{extension}.{advice} Only {accepted} images are accepted.",
            code="invalid_image",
        )

    pillow_format, label = RASTER_FORMATS[kind]
    image = _open_header(data, pillow_format, label, max_pixels)
    width, height = image.size
    if max_pixels is not None and width * height > max_pixels:
        raise ValidationError(
            _too_many_pixels_message(label, width * height, max_pixels, (width, height)),
            code="file_too_many_pixels",
        )
    if getattr(image, "is_animated", False):
        raise ValidationError(
            f"This {label} is animated. Confnotes shows still images only (a page would show "
            "just the first frame): upload a single-frame PNG, JPEG or WebP instead, or put "
            "the animation in a video block.",
            code="animated_image",
        )
    found = find_active_content(data)
    if found:
        marker = found[:12].decode("ascii", "replace")
        raise ValidationError(
            f"This {label} image also contains web page or script code (“{marker}…”), a "
            "trick used to smuggle scripts past upload checks. Open it in an image editor, "
            "save a clean copy and upload that.",
            code="active_content",
        )
    _decode_first_frame(image, label)


def _open_header(data: bytes, pillow_format: str, label: str, max_pixels: int | None):
    """Pillow's image object for ``data`` with only the header parsed (nothing decoded)."""
    PILImage.init()
    try:
        factory, _accept = PILImage.OPEN[pillow_format]
    except KeyError:
        raise ValidationError(
            f"{label} images cannot be read on this server. Upload a PNG or JPEG image.",
            code="invalid_image",
        ) from None
    try:
        # The plugin's own constructor reads the header; unlike PIL.Image.open it does not run
        # the generic bomb check, so the size can be reported (some plugins still check).
        return factory(io.BytesIO(data), None)
    except PILImage.DecompressionBombError as error:
        match = _BOMB_PIXELS.search(str(error))
        pixels = int(match.group(1)) if match else None
        raise ValidationError(
            _too_many_pixels_message(label, pixels, max_pixels, None),
            code="file_too_many_pixels",
        ) from None
    except Exception as error:  # noqa: BLE001 - any parse failure means a damaged file
        raise ValidationError(_damaged_message(label, error), code="invalid_image") from None


def _decode_first_frame(image, label: str) -> None:
    try:
        if image.format == "JPEG":
            # 1/8 scale: libjpeg still reads the whole stream (so truncation shows) but skips
            # most of the work.
            image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()
    except Exception as error:  # noqa: BLE001 - any decoding failure means a damaged file
        raise ValidationError(_damaged_message(label, error), code="invalid_image") from None
    finally:
        image.close()


def _damaged_message(label: str, error: Exception) -> str:
    detail = str(error).strip().rstrip(".")
    detail = f" ({detail[:100]})" if detail else ""
    return (
        f"This {label} image is damaged or incomplete{detail}: it cannot be shown. Export "
        "or download it again and upload the new file."
    )


def _too_large_message(size: int, max_size: int) -> str:
    return (
        f"This file is {_file_size(size)}; images may be at most {_file_size(max_size)}. "
        "Save it smaller (fewer pixels, or as JPEG or WebP) and upload it again."
    )


def _too_many_pixels_message(label, pixels, max_pixels, size) -> str:
    limit = f"{_megapixels(max_pixels)} megapixels" if max_pixels else "the server's limit"
    if size:
        what = f"{size[0]:,} × {size[1]:,} pixels ({_megapixels(pixels)} megapixels)"
    elif pixels:
        what = f"{_megapixels(pixels)} megapixels"
    else:
        what = "more pixels than the server can handle"
    return (
        f"This {label} image is {what}; the limit is {limit}. It was refused without being "
        "opened. Scale it down (e.g. to 6000 × 4000) and upload it again."
    )


class SafeImageField(WagtailImageField):
    """Wagtail's image field, with :func:`check_image_bytes` run before Wagtail's own checks."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.error_messages["empty"] = (
            f"The file is empty (0 bytes). Upload {_a(accepted_formats_text())} image."
        )
        # Shown by the multiple uploader's JavaScript before it sends anything.
        self.error_messages["invalid_image_extension"] = (
            f"Not an accepted image file. Upload {_a(accepted_formats_text())} image "
            "(SVG is not accepted)."
        )

    def to_python(self, data):
        upload = FileField.to_python(self, data)  # None, or "empty" / "missing" errors
        if upload is None:
            return None
        size = getattr(upload, "size", None)
        if self.max_upload_size is not None and size is not None and size > self.max_upload_size:
            raise ValidationError(
                _too_large_message(size, self.max_upload_size), code="file_too_large"
            )
        if hasattr(data, "read"):
            data.seek(0)
            content = data.read()
            data.seek(0)
        else:
            content = data["content"]
        check_image_bytes(upload.name, content)
        return super().to_python(data)


class ImageForm(BaseImageForm):
    """Base of every admin image form (WAGTAILIMAGES_IMAGE_FORM_BASE): a SafeImageField."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        if field is not None and not isinstance(field, SafeImageField):
            safe = SafeImageField(
                label=field.label,
                required=field.required,
                widget=field.widget,
                initial=field.initial,
            )
            self.fields["file"] = safe
