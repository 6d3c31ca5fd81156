"""The admin's "Import notes" view: permissions, preview (dry run), confirm, zip uploads."""

import io
import zipfile

from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from wagtail.images import get_image_model
from wagtail.models import GroupPagePermission, Page

import pytest

from pages.models import ConferenceIndex, TalkPage
from snippets.models import Speaker
from tests.factories import png_bytes
from tests.notes_support import FIXTURES, snapshot

pytestmark = pytest.mark.django_db

URL = "/admin/notes/import/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """A media folder of its own, where uploads are staged between preview and confirm."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def staged(media) -> set[str]:
    root = media / "notes-import"
    return {p.relative_to(root).as_posix() for p in root.rglob("*")} if root.exists() else set()


@pytest.fixture
def admin_client(client, django_user_model, home):
    user = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw")
    client.force_login(user)
    return client


def markdown_upload(name="conference.md", content=None):
    data = content if content is not None else (FIXTURES / "conference.md").read_bytes()
    return SimpleUploadedFile(name, data, content_type="text/markdown")


def zip_upload(files: dict, name="notes.zip"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


def fixture_zip():
    return zip_upload(
        {
            "harbour/conference.md": (FIXTURES / "conference.md").read_bytes(),
            "harbour/images/whiteboard.png": (FIXTURES / "images" / "whiteboard.png").read_bytes(),
            "harbour/images/rule.png": (FIXTURES / "images" / "rule.png").read_bytes(),
        }
    )


def test_menu_item_and_form(admin_client):
    assert reverse("notes_import") == URL
    assert "Import notes" in admin_client.get("/admin/").content.decode()
    response = admin_client.get(URL)
    assert response.status_code == 200
    assert 'type="file"' in response.content.decode()


def test_needs_permission_to_add_pages(client, django_user_model, home):
    user = django_user_model.objects.create_user("reader", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert "Import notes" not in client.get("/admin/").content.decode()
    response = client.post(URL, {"file": markdown_upload(), "mode": "draft"})
    assert response.status_code == 302
    assert not ConferenceIndex.objects.exists()


def test_anonymous_users_go_to_login(client, home):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_zip_preview_then_confirm(admin_client):
    response = admin_client.post(URL, {"file": fixture_zip(), "mode": "publish"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing has been saved yet." in html
    assert "Property-based testing in practice" in html
    assert "Unknown code language" in html  # warnings, with their lines
    assert "Import and publish" in html
    assert not ConferenceIndex.objects.exists()  # a dry run

    token = response.context["token"]
    response = admin_client.post(URL, {"token": token})
    assert response.status_code == 302
    conference = ConferenceIndex.objects.get()
    assert response["Location"] == reverse("wagtailadmin_explore", args=[conference.pk])
    assert conference.live
    assert TalkPage.objects.count() == 3
    talk = TalkPage.objects.get(slug="property-based-testing-in-practice")
    assert talk.owner.username == "boss"
    assert talk.body[-1].block_type == "image"
    # the upload is gone: confirming twice does nothing
    response = admin_client.post(URL, {"token": token}, follow=True)
    assert "That upload has expired" in response.content.decode()
    assert TalkPage.objects.count() == 3


def test_markdown_upload_without_images_shows_errors(admin_client):
    response = admin_client.post(URL, {"file": markdown_upload(), "mode": "draft"})
    html = response.content.decode()
    assert "This file cannot be imported" in html
    assert "Image file not found: images/whiteboard.png" in html
    assert "Import as drafts" not in html
    assert not ConferenceIndex.objects.exists()


def test_plain_markdown_upload_imports_as_drafts(admin_client):
    content = b"---\ntitle: Tiny\ndate: 2026-04-01\n---\n## Day 1\n\n### A talk\n\nSpeaker: Zoe Q\n\nNotes.\n"
    response = admin_client.post(
        URL, {"file": markdown_upload("tiny.md", content), "mode": "draft"}
    )
    assert "Import as drafts" in response.content.decode()
    admin_client.post(URL, {"token": response.context["token"]})
    conference = ConferenceIndex.objects.get()
    assert not conference.live
    assert Speaker.objects.filter(name="Zoe Q").exists()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"a.md": b"# A", "b.md": b"# B"}, "exactly one Markdown file"),
        ({"notes.txt": b"hi"}, "exactly one Markdown file"),
        ({"../evil.md": b"# Evil"}, "outside its folder"),
        ({"/abs.md": b"# Abs"}, "outside its folder"),
    ],
)
def test_bad_zip_files(admin_client, files, message):
    response = admin_client.post(URL, {"file": zip_upload(files), "mode": "draft"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ConferenceIndex.objects.exists()


def test_not_a_zip_or_markdown(admin_client):
    upload = SimpleUploadedFile("notes.docx", b"PK...", content_type="application/octet-stream")
    response = admin_client.post(URL, {"file": upload, "mode": "draft"})
    assert "Choose a Markdown file (.md) or a .zip file." in response.content.decode()
    broken = SimpleUploadedFile("notes.zip", b"not a zip at all")
    response = admin_client.post(URL, {"file": broken, "mode": "draft"})
    assert "cannot be opened" in response.content.decode()


def test_images_cannot_be_read_from_outside_the_upload(admin_client, tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(png_bytes())
    content = (
        f"---\ntitle: Sneaky\ndate: 2026-01-01\n---\n![A secret]({'../' * 12}{secret})\n"
    ).encode()
    response = admin_client.post(URL, {"file": zip_upload({"n.md": content}), "mode": "draft"})
    html = response.content.decode()
    assert "is outside the uploaded files" in html or "must be relative" in html
    assert "This file cannot be imported" in html


def test_token_belongs_to_the_uploader(admin_client, client, django_user_model):
    response = admin_client.post(URL, {"file": fixture_zip(), "mode": "draft"})
    token = response.context["token"]
    other = django_user_model.objects.create_superuser("other", "o@example.com", "pw")
    client.force_login(other)
    response = client.post(URL, {"token": token}, follow=True)
    assert "That upload has expired" in response.content.decode()
    assert not ConferenceIndex.objects.exists()


def test_editor_without_publish_permission(client, django_user_model, home):
    group = Group.objects.create(name="Writers")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in ("add_speaker", "add_redirect", "change_redirect", "add_image"):
        group.permissions.add(Permission.objects.get(codename=codename))
    GroupPagePermission.objects.create(
        group=group,
        page=Page.objects.get(depth=1),
        permission=Permission.objects.get(codename="add_page"),
    )
    user = django_user_model.objects.create_user("writer", password="pw")
    user.groups.add(group)
    client.force_login(user)
    content = b"---\ntitle: Tiny\ndate: 2026-04-01\n---\nIntro.\n"
    response = client.post(URL, {"file": markdown_upload("t.md", content), "mode": "publish"})
    assert "You may not publish pages under" in response.content.decode()
    response = client.post(URL, {"file": markdown_upload("t.md", content), "mode": "draft"})
    assert "Import as drafts" in response.content.decode()
    client.post(URL, {"token": response.context["token"]})
    assert ConferenceIndex.objects.get().owner == user


def test_locked_pages_are_not_updated(admin_client, django_user_model):
    content = b"---\ntitle: Tiny\ndate: 2026-04-01\n---\nIntro.\n"
    response = admin_client.post(URL, {"file": markdown_upload("t.md", content), "mode": "draft"})
    admin_client.post(URL, {"token": response.context["token"]})
    conference = ConferenceIndex.objects.get()
    other = django_user_model.objects.create_user("locker", password="pw")
    conference.locked, conference.locked_by = True, other
    conference.save()
    changed = content.replace(b"Intro.", b"New intro.")
    response = admin_client.post(URL, {"file": markdown_upload("t.md", changed), "mode": "draft"})
    html = response.content.decode()
    assert "The conference cannot be updated" in html and "is locked" in html
    assert "Import as drafts" not in html


def test_upload_is_staged_in_the_default_storage(admin_client, media, monkeypatch):
    response = admin_client.post(URL, {"file": fixture_zip(), "mode": "draft"})
    token = response.context["token"]
    assert {name for name in staged(media) if "." in name} == {
        f"{token}/manifest.json",
        f"{token}/files/harbour/conference.md",
        f"{token}/files/harbour/images/whiteboard.png",
        f"{token}/files/harbour/images/rule.png",
    }
    # the confirmation needs nothing but the storage and the session (another app server)
    monkeypatch.setattr("tempfile.tempdir", str(media.parent / "other-server-tmp"))
    (media.parent / "other-server-tmp").mkdir()
    response = admin_client.post(URL, {"token": token})
    assert response.status_code == 302
    assert TalkPage.objects.count() == 3
    assert staged(media) == set()  # deleted after the import
    assert list((media.parent / "other-server-tmp").iterdir()) == []


def test_cancel_and_failed_previews_delete_the_upload(admin_client, media):
    response = admin_client.post(URL, {"file": fixture_zip(), "mode": "draft"})
    token = response.context["token"]
    assert staged(media)
    response = admin_client.post(URL, {"token": token, "cancel": "1"}, follow=True)
    assert "Nothing was imported" in response.content.decode()
    assert staged(media) == set()
    assert not ConferenceIndex.objects.exists()
    response = admin_client.post(URL, {"token": token}, follow=True)
    assert "That upload has expired" in response.content.decode()
    # a preview with errors has nothing to confirm: nothing stays staged
    response = admin_client.post(URL, {"file": markdown_upload(), "mode": "draft"})
    assert "This file cannot be imported" in response.content.decode()
    assert staged(media) == set()


def test_stale_uploads_are_removed(admin_client, media):
    import os
    import time

    from django.core.management import call_command

    from pages.notes.admin_views import remove_stale_uploads

    old = admin_client.post(URL, {"file": fixture_zip(), "mode": "draft"}).context["token"]
    (media / "notes-import" / "stray").mkdir()
    day_ago = time.time() - 25 * 60 * 60
    os.utime(media / "notes-import" / old / "staged", (day_ago, day_ago))
    fresh = admin_client.post(URL, {"file": fixture_zip(), "mode": "draft"}).context["token"]
    assert {name.split("/")[0] for name in staged(media)} == {fresh}  # on the next upload
    response = admin_client.post(URL, {"token": old}, follow=True)
    assert "That upload has expired" in response.content.decode()
    assert remove_stale_uploads() == []
    out = io.StringIO()
    call_command("clean_notes_uploads", "--max-age-hours", "0", stdout=out)
    assert out.getvalue().strip() == "1 staged upload(s) deleted."
    assert staged(media) == set()


def test_an_exported_zip_imports_as_it_is(admin_client, tmp_path):
    """export_notes -o x.zip: the Markdown, its images and the speakers' photos, in one upload."""
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "ada.png").write_bytes(png_bytes(colour=(200, 30, 30)))
    (tmp_path / "images" / "chart.png").write_bytes(png_bytes(colour=(30, 30, 200)))
    source = tmp_path / "zipconf.md"
    source.write_text(
        "---\ntitle: Zip Conf\ndate: 2026-06-01\nspeakers:\n  Ada Person:\n    bio: Hi.\n"
        "    photo: images/ada.png\n    photo_alt: Ada Person at a desk\n---\n## Day 1\n"
        '### A talk\n{time="11:00" room="B"}\nSpeaker: Ada Person\n\nSummary: Short.\n\n'
        '![A bar chart](images/chart.png "Results")\n',
        encoding="utf-8",
    )
    call_command("import_notes", str(source), "--publish", verbosity=0)
    before = snapshot(ConferenceIndex.objects.get(), portable=True)
    archive = tmp_path / "out" / "zip-conf.zip"
    call_command("export_notes", "zip-conf", "-o", str(archive))

    ConferenceIndex.objects.get().delete()
    Speaker.objects.all().delete()
    for image in get_image_model().objects.all():
        image.delete()
    upload = SimpleUploadedFile(archive.name, archive.read_bytes(), content_type="application/zip")
    response = admin_client.post(URL, {"file": upload, "mode": "publish"})
    assert response.status_code == 200
    response = admin_client.post(URL, {"token": response.context["token"]})
    assert response.status_code == 302
    assert snapshot(ConferenceIndex.objects.get(), portable=True) == before
    assert Speaker.objects.get().photo is not None
