"""Hostile image uploads are refused at every entrance, with a clear message, saving nothing.

Entrances: the admin image add view, the multiple (AJAX) uploader, the chooser's upload tab
(used for speaker photos and images in page bodies) and the Markdown notes importer.
The hostile files are built here (``HOSTILE``); ``benchmarks/uploads.py`` reuses them.
"""

import functools
import html
import io
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wagtail.images import get_image_model
from wagtail.models import Collection

import pytest
from PIL import Image as PILImage

from pages.editors.uploads import SafeImageField, sniff
from pages.notes.importer import NotesImporter
from tests.factories import ImageFactory

# --- files -------------------------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _encode(image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _picture(width: int, height: int, seed: int = 1):
    """A smooth gradient with some texture: compresses like a photo, not like a flat colour."""
    gradient = PILImage.linear_gradient("L").resize((width, height))
    noise = PILImage.effect_noise((width, height), 40 + seed)
    return PILImage.merge(
        "RGB", (gradient, noise, gradient.transpose(PILImage.Transpose.ROTATE_180))
    )


@functools.cache
def png_file(width: int = 320, height: int = 200) -> bytes:
    return _encode(_picture(width, height), "PNG")


@functools.cache
def jpeg_file(width: int = 320, height: int = 200) -> bytes:
    return _encode(_picture(width, height), "JPEG", quality=85)


@functools.cache
def webp_file(width: int = 320, height: int = 200) -> bytes:
    return _encode(_picture(width, height), "WEBP", quality=80)


@functools.cache
def png_bomb(width: int = 30_000, height: int = 30_000, bits: int = 1) -> bytes:
    """A real decompression bomb: ~110 KB of 1-bit PNG that inflates to 30000×30000 pixels."""
    row = b"\0" * (1 + (width * bits + 7) // 8)
    compressor = zlib.compressobj(9)
    block = row * 1000
    idat = b"".join(compressor.compress(block) for _ in range(height // 1000))
    idat += compressor.compress(row * (height % 1000)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, bits, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def gif_bomb(screen=(65_535, 65_535), frame=(65_535, 65_535)) -> bytes:
    """A 30-byte GIF whose screen (or only frame) declares 65535×65535 pixels."""
    return (
        b"GIF89a"
        + struct.pack("<HHBBB", *screen, 0, 0, 0)
        + b","
        + struct.pack("<HHHHB", 0, 0, *frame, 0)
        + b"\x02\x02\x44\x01\x00;"
    )


def jpeg_bomb(width: int = 65_500, height: int = 65_500) -> bytes:
    """A small real JPEG whose frame header (SOF0) is rewritten to declare huge dimensions."""
    data = bytearray(jpeg_file(16, 16))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def webp_bomb(width: int = 16_383, height: int = 16_383) -> bytes:
    """A lossless WebP whose VP8L header is rewritten to declare 16383×16383."""
    data = bytearray(_encode(PILImage.new("RGB", (16, 16), (9, 99, 199)), "WEBP", lossless=True))
    assert data[12:16] == b"VP8L"
    bits = struct.unpack("<I", data[21:25])[0]
    bits = (bits & ~((1 << 28) - 1)) | (width - 1) | ((height - 1) << 14)
    data[21:25] = struct.pack("<I", bits)
    return bytes(data)


@functools.cache
def animated(fmt: str, frames: int = 500, size=(64, 48)) -> bytes:
    pictures = [PILImage.new("RGB", size, (n % 256, (n * 7) % 256, 90)) for n in range(frames)]
    return _encode(pictures[0], fmt, save_all=True, append_images=pictures[1:], duration=40, loop=0)


SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<script>document.title = "not from here"</script><rect width="10" height="10"/></svg>\n'
)
HTML = b"<!DOCTYPE html>\n<html><body><script>document.title = 'owned'</script></body></html>\n"


def gif_polyglot() -> bytes:
    """A valid 1×1 GIF with a page hidden in a comment extension and after the trailer."""
    gif = _encode(PILImage.new("P", (1, 1)), "GIF")
    comment = b"<script>alert(document.domain)</script>"
    body = gif[:-1] + b"!\xfe" + bytes([len(comment)]) + comment + b"\x00;"
    return body + b"<html><body onload=alert(1)></body></html>"


def zip_file() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "Hello from inside an archive.")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@functools.cache
def oversized_png() -> bytes:
    """A real, valid PNG just over 10 MB (noise does not compress)."""
    size = 1900
    data = _encode(PILImage.frombytes("RGB", (size, size), _noise(size * size * 3)), "PNG")
    assert data.__len__() > 10 * 1024 * 1024
    return data


def _noise(length: int) -> bytes:
    import random

    return random.Random(8).randbytes(length)


def truncated_png() -> bytes:
    data = png_file(256, 256)
    return data[: len(data) // 2]


def truncated_jpeg() -> bytes:
    data = jpeg_file(256, 256)
    return data[: len(data) // 2]


#: kind -> (file name, bytes factory, words the message must contain)
HOSTILE = {
    "png-bomb": (
        "bomb.png",
        png_bomb,
        "This PNG image is 30,000 × 30,000 pixels (900 megapixels); the limit is 40 megapixels",
    ),
    "gif-bomb": ("bomb.gif", gif_bomb, "This GIF image is 65,535 × 65,535 pixels"),
    "gif-frame-bomb": (
        "frame.gif",
        lambda: gif_bomb(screen=(1, 1)),
        "This GIF image is 4,294.8 megapixels; the limit is 40 megapixels",
    ),
    "jpeg-bomb": ("bomb.jpg", jpeg_bomb, "This JPEG image is 65,500 × 65,500 pixels"),
    "webp-bomb": ("bomb.webp", webp_bomb, "This WebP image is 268.4 megapixels"),
    "animated-gif": ("spinner.gif", lambda: animated("GIF"), "This GIF is animated."),
    "animated-webp": ("spinner.webp", lambda: animated("WEBP"), "This WebP is animated."),
    "animated-png": ("spinner.png", lambda: animated("PNG"), "This PNG is animated."),
    "svg": ("drawing.svg", lambda: SVG, "SVG images are not accepted: an SVG file can contain"),
    "svg-as-png": (
        "drawing.png",
        lambda: SVG,
        "This file is an SVG drawing, not a PNG image, although its name ends in .png. "
        "SVG is not accepted",
    ),
    "html-as-png": (
        "page.png",
        lambda: HTML,
        "This file is an HTML page, not a PNG image, although its name ends in .png.",
    ),
    "jpeg-as-png": (
        "photo.png",
        jpeg_file,
        "This file is a JPEG image, but its name ends in .png. The name must match the content: "
        "rename it to “photo.jpg”",
    ),
    "zip-as-jpg": (
        "archive.jpg",
        zip_file,
        "This file is a ZIP archive (or an Office file), not a JPEG image",
    ),
    "pdf-as-jpg": ("slides.jpg", lambda: PDF, "This file is a PDF document, not a JPEG image"),
    "noise-as-png": (
        "noise.png",
        lambda: _noise(5000),
        "This file is in a format Confnotes does not recognise, not a PNG image",
    ),
    "gif-html-polyglot": (
        "innocent.gif",
        gif_polyglot,
        "This GIF image also contains web page or script code (“<script…”)",
    ),
    "empty": ("empty.png", lambda: b"", "The file is empty (0 bytes). Upload a PNG"),
    "truncated-png": (
        "cut.png",
        truncated_png,
        "This PNG image is damaged or incomplete (image file is truncated",
    ),
    "truncated-jpeg": ("cut.jpg", truncated_jpeg, "This JPEG image is damaged or incomplete"),
    "too-large": (
        "huge.png",
        oversized_png,
        "This file is 10.3 MB; images may be at most 10.0 MB.",
    ),
}


@functools.cache
def avif_file(width: int = 320, height: int = 200) -> bytes:
    return _encode(_picture(width, height), "AVIF", quality=60)


@functools.cache
def gif_file(width: int = 320, height: int = 200) -> bytes:
    return _encode(_picture(width, height).quantize(64), "GIF")


NORMAL = {
    "png": ("normal.png", png_file),
    "jpeg": ("normal.jpg", jpeg_file),
    "webp": ("normal.webp", webp_file),
    "avif": ("normal.avif", avif_file),
    "still-gif": ("normal.gif", gif_file),
}


# --- helpers -----------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    """A fresh MEDIA_ROOT, so "no file was stored" is "this folder has no files"."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_superuser("uploader", "up@example.org", "pw")
    client.force_login(user)
    return client


def stored_files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def text_of(response) -> str:
    return html.unescape(response.content.decode()).replace("\xa0", " ")


def upload(client, entrance: str, name: str, data: bytes):
    """POST a file through one admin entrance: (status, shown text, succeeded)."""
    root = Collection.get_first_root_node().pk
    file = SimpleUploadedFile(name, data)
    if entrance == "add":
        response = client.post(
            reverse("wagtailimages:add"), {"title": "Upload", "file": file, "collection": root}
        )
        return response.status_code, text_of(response), response.status_code == 302
    if entrance == "multiple":
        response = client.post(
            reverse("wagtailimages:add_multiple"),
            {"files[]": file, "collection": root},
            headers={"x-requested-with": "XMLHttpRequest"},
        )
        data = response.json()
        return response.status_code, data.get("error_message", ""), data["success"]
    if entrance == "chooser":
        response = client.post(
            reverse("wagtailimages_chooser:create"),
            {
                "image-chooser-upload-title": "Upload",
                "image-chooser-upload-file": file,
                "image-chooser-upload-collection": root,
            },
        )
        data = response.json()
        shown = html.unescape(data.get("htmlFragment", "")).replace("\xa0", " ")
        return response.status_code, shown, data["step"] != "reshow_creation_form"
    raise AssertionError(entrance)


ENTRANCES = ["add", "multiple", "chooser"]


# --- the admin views -----------------------------------------------------------------------------


@pytest.mark.parametrize("entrance", ENTRANCES)
@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_upload_is_refused(editor, media, entrance, kind):
    name, build, message = HOSTILE[kind]
    status, shown, succeeded = upload(editor, entrance, name, build())
    assert status == 200
    assert not succeeded
    assert message in shown, shown[-3000:]
    assert not get_image_model().objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize("entrance", ENTRANCES)
@pytest.mark.parametrize("kind", list(NORMAL))
def test_normal_image_is_accepted(editor, media, entrance, kind):
    name, build = NORMAL[kind]
    status, shown, succeeded = upload(editor, entrance, name, build())
    assert succeeded, shown[-3000:]
    image = get_image_model().objects.get()
    assert (image.width, image.height) == (320, 200)
    # The chooser also makes the preview rendition it answers with (images/...).
    assert originals(media) == [f"original_images/{name}"]


def originals(root: Path) -> list[str]:
    """Stored files other than renditions (which the admin makes for its previews)."""
    return [name for name in stored_files(root) if not name.startswith("images/")]


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_replacing_a_file_with_a_hostile_one_is_refused(editor, media, kind):
    """The edit view's "change image file" is an entrance too: the old file must stay."""
    image = ImageFactory(title="Kept picture")
    kept = (image.file.name, image.width, image.height)
    assert originals(media) == [image.file.name]
    name, build, message = HOSTILE[kind]
    response = editor.post(
        reverse("wagtailimages:edit", args=[image.pk]),
        {
            "title": "Kept picture",
            "file": SimpleUploadedFile(name, build()),
            "collection": image.collection_id,
        },
    )
    assert response.status_code == 200
    assert message in text_of(response)
    image.refresh_from_db()
    assert (image.file.name, image.width, image.height) == kept
    assert get_image_model().objects.count() == 1
    assert originals(media) == [image.file.name]


def test_add_view_shows_what_is_accepted(editor, media):
    response = editor.get(reverse("wagtailimages:add"))
    assert "Supported formats: AVIF, GIF, JPG, JPEG, PNG, WEBP. Maximum filesize: 10.0 MB." in (
        text_of(response)
    )
    status, shown, _ = upload(editor, "add", "bitmap.bmp", _encode(_picture(8, 8), "BMP"))
    assert "“.bmp” files are not accepted. Upload a PNG, JPEG, GIF, WebP or AVIF image" in shown


def test_multiple_uploader_file_error_is_not_kept_as_an_upload(editor, media):
    """A refused file must not fall through to Wagtail's "UploadedFile" path (kept for later)."""
    from wagtail.models import UploadedFile

    _status, shown, succeeded = upload(editor, "multiple", "spinner.gif", animated("GIF"))
    assert not succeeded and "animated" in shown
    assert not UploadedFile.objects.exists()


def test_speaker_photo_upload_goes_through_the_checks(editor, media):
    """Speaker photos are chosen with the image chooser; its upload tab is the entrance."""
    url = reverse("wagtailimages_chooser:create")
    response = editor.get(url)
    assert response.status_code == 200
    status, shown, succeeded = upload(editor, "chooser", "face.png", png_bomb())
    assert not succeeded and "It was refused without being opened" in shown


# --- the notes importer --------------------------------------------------------------------------


def import_with_image(tmp_path: Path, name: str, data: bytes, user=None):
    folder = tmp_path / "notes"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / name).write_bytes(data)
    notes = folder / "notes.md"
    notes.write_text(
        "---\ntitle: Uploadconf\ndate: 2026-05-04\n---\n"
        f"![A diagram of the build pipeline](images/{name})\n",
        encoding="utf-8",
    )
    return NotesImporter(user=user, image_root=folder).import_path(notes)


def messages_of(result) -> list[str]:
    return [item.format("notes.md") for item in result.diagnostics.errors]


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_importer_refuses_hostile_image(home, media, tmp_path, kind):
    name, build, message = HOSTILE[kind]
    result = import_with_image(tmp_path, name, build())
    assert not result.committed
    errors = messages_of(result)
    assert any(f"Image images/{name}: " in line and message in line for line in errors), errors
    assert not get_image_model().objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize("kind", list(NORMAL))
def test_importer_accepts_normal_image(home, media, tmp_path, kind):
    name, build = NORMAL[kind]
    result = import_with_image(tmp_path, name, build())
    assert result.committed, messages_of(result)
    assert get_image_model().objects.get().width == 320
    assert stored_files(media) == [f"original_images/{name}"]


# --- the checks themselves -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n....", "png"),
        (b"\xff\xd8\xff\xe0", "jpeg"),
        (b"GIF89a", "gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
        (b"\x00\x00\x00\x1cftypavif", "avif"),
        (b"\x00\x00\x00\x1cftypheic", "heic"),
        (SVG, "svg"),
        (b"  \n<svg><script/></svg>", "svg"),
        (HTML, "html"),
        (b"<p>hello</p><script>x()</script>", "html"),
        (PDF, "pdf"),
        (b"PK\x03\x04", "zip"),
        (b"just some words\n", "text"),
        (b"\x00\x01\x02\x03", None),
    ],
)
def test_sniff(head, kind):
    assert sniff(head) == kind


RSS_CHILD = """
import re, sys
import django

django.setup()
from django.core.exceptions import ValidationError
from pages.editors.uploads import check_image_bytes
from PIL import Image

Image.init()  # import Pillow's format plugins before measuring

def status(key):
    return int(re.search(key + r":\\s+(\\d+)", open("/proc/self/status").read()).group(1))

name, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")  # reset the peak (VmHWM) to the current resident set
before = status("VmRSS")
try:
    check_image_bytes(name, data)
    outcome = "accepted"
except ValidationError as error:
    outcome = error.code
print(outcome, status("VmHWM") - before)
"""


def peak_growth_of_check(tmp_path: Path, name: str, data: bytes) -> tuple[str, int]:
    """(outcome, peak resident set growth in KB) of check_image_bytes in a fresh interpreter.

    The kernel's peak (VmHWM, reset first through /proc/self/clear_refs) sees Pillow's C
    allocations, which tracemalloc does not, so a decoded bomb would show.
    """
    if not os.access("/proc/self/clear_refs", os.W_OK):
        pytest.skip("needs Linux /proc/self/clear_refs to reset the peak memory counter")
    path = tmp_path / name
    path.write_bytes(data)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "site_core.settings.test",
        "DATABASE_URL": "sqlite://:memory:",
        "TEST_MEDIA_ROOT": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", RSS_CHILD, name, str(path)],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    outcome, growth = result.stdout.split()[-2:]
    return outcome, int(growth)


def test_bomb_is_refused_without_decoding(tmp_path):
    """The 900-megapixel bomb is refused with almost no memory; decoding would take ~900 MB.

    The control, a 36-megapixel greyscale PNG (under the limit, so it is decoded), shows that
    the measurement does see a decode: one byte per pixel, ~36 MB.
    """
    outcome, growth_kb = peak_growth_of_check(tmp_path, "bomb.png", png_bomb())
    assert outcome == "file_too_many_pixels"
    assert growth_kb < 8 * 1024, growth_kb
    outcome, control_kb = peak_growth_of_check(tmp_path, "big.png", png_bomb(6000, 6000, bits=8))
    assert outcome == "accepted"
    assert control_kb > 30 * 1024, control_kb


def test_field_error_codes():
    field = SafeImageField()
    with pytest.raises(Exception) as caught:
        field.clean(SimpleUploadedFile("spinner.gif", animated("GIF")))
    assert caught.value.code == "animated_image"
    assert field.clean(SimpleUploadedFile("fine.png", png_file())).image.get_size() == (320, 200)
