"""The admin's "Import notes" view: upload a .md (or a .zip with its images), preview, confirm.

Between the preview (a dry run) and the confirmation the upload is staged in the default
storage (S3 in production, MEDIA_ROOT otherwise) under ``notes-import/<token>/``, with a
manifest of its files, so that any app server can run the confirmation: nothing is kept in
process memory or a local folder. The random token is only valid in the uploader's session.
Staged uploads are deleted after the import, on cancel, when the preview has errors, and when
they are older than a day (checked on every upload, and by ``manage.py clean_notes_uploads``).
Each run copies the staged files into a private temporary directory. Zip files are unpacked
with limits on size and number of files, and nothing outside the upload can be read: image
paths are confined to the unpacked directory.
"""

import json
import secrets
import tempfile
import zipfile
import zlib
from datetime import timedelta
from pathlib import Path, PurePosixPath

from django import forms
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from .importer import NotesImporter, max_import_bytes
from .jobs import background_threshold, start_staged_import

ZIP_MAX_BYTES = 50 * 1024 * 1024
ZIP_MAX_FILES = 500
MARKDOWN_SUFFIXES = (".md", ".markdown")
SESSION_KEY = "confnotes_notes_imports"
UPLOAD_MAX_AGE = 24 * 60 * 60


def user_can_import(user) -> bool:
    return PagePermissionPolicy(Page).user_has_permission(user, "add")


STAGING_PREFIX = "notes-import"


def _staged(token: str, name: str = "") -> str:
    return f"{STAGING_PREFIX}/{token}/{name}"


class ImportNotesForm(forms.Form):
    file = forms.FileField(
        label="Notes file",
        help_text="A Markdown file (.md), or a .zip holding one Markdown file and its images.",
    )
    mode = forms.ChoiceField(
        label="After import",
        choices=[("draft", "Save the pages as drafts"), ("publish", "Publish the pages")],
        initial="draft",
        widget=forms.RadioSelect,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if name.endswith(MARKDOWN_SUFFIXES):
            limit = max_import_bytes()
        elif name.endswith(".zip"):
            limit = ZIP_MAX_BYTES
        else:
            raise forms.ValidationError("Choose a Markdown file (.md) or a .zip file.")
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size / 1048576:.1f} MB; the limit is {limit / 1048576:.0f} MB."
            )
        return upload


class _UploadError(Exception):
    pass


def _store_upload(upload) -> tuple[str, str]:
    """(token, path of the Markdown file inside the upload) for an uploaded file, staged."""
    remove_stale_uploads()
    token = secrets.token_urlsafe(18)
    with tempfile.TemporaryDirectory(prefix="confnotes-upload-") as temporary:
        directory = Path(temporary)
        if upload.name.lower().endswith(".zip"):
            markdown = _unpack_zip(upload, directory)
        else:
            markdown = Path(upload.name).name
            with open(directory / markdown, "wb") as target:
                for chunk in upload.chunks():
                    target.write(chunk)
        # the time stamp first: a staging cut short is still found, and removed, by its age
        default_storage.save(_staged(token, "staged"), ContentFile(b""))
        files = {}
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                relative = path.relative_to(directory).as_posix()
                with open(path, "rb") as source:
                    files[relative] = default_storage.save(
                        _staged(token, f"files/{relative}"), File(source)
                    )
        manifest = json.dumps({"files": files}).encode()
        default_storage.save(_staged(token, "manifest.json"), ContentFile(manifest))
    return token, markdown


def _unpack_zip(upload, directory: Path) -> str:
    """Unpack the upload into ``directory`` (a temporary folder its caller removes); the path of
    its Markdown file. Anything this site cannot unpack is an :class:`_UploadError`."""
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise _UploadError("The .zip file cannot be opened.") from error
    with archive:
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            and not info.filename.startswith("__MACOSX/")
            and not PurePosixPath(info.filename).name.startswith(".")
        ]
        if len(members) > ZIP_MAX_FILES:
            raise _UploadError(f"The .zip holds more than {ZIP_MAX_FILES} files.")
        markdown = [m.filename for m in members if m.filename.lower().endswith(MARKDOWN_SUFFIXES)]
        if len(markdown) != 1:
            raise _UploadError(
                f"The .zip must hold exactly one Markdown file (.md); it holds {len(markdown)}."
            )
        paths = _member_paths(members)
        total = 0
        for info, parts in zip(members, paths, strict=True):
            target = directory.joinpath(*parts)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as source, open(target, "wb") as output:
                    while chunk := source.read(65536):
                        total += len(chunk)
                        if total > ZIP_MAX_BYTES:
                            raise _UploadError(
                                f"The unpacked .zip is over {ZIP_MAX_BYTES // 1048576} MB."
                            )
                        output.write(chunk)
            except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, OSError) as error:
                raise _UploadError(
                    f"The .zip file is damaged: {_short_name(info.filename)} cannot be unpacked "
                    f"({_short_name(str(error))}). Make the .zip again."
                ) from error
        return markdown[0]


#: compression methods Python's zipfile reads (deflate is what every tool writes by default)
_ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_MAX_NAME_BYTES = 255  # one file or folder name (what Linux and macOS file systems allow)
_MAX_PATH_BYTES = 1024


def _short_name(name: str, limit: int = 80) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _member_paths(members) -> list[tuple[str, ...]]:
    """The path parts of each member, checked before anything is unpacked: no encryption, a
    compression method Python reads, names that fit a file system, inside the folder, and no
    name that is both a file and a folder (or two files)."""
    paths: list[tuple[str, ...]] = []
    for info in members:
        name = _short_name(info.filename)
        if info.flag_bits & 0x1:
            raise _UploadError(f"The .zip is encrypted ({name}): make it again without a password.")
        if info.compress_type not in _ZIP_METHODS:
            raise _UploadError(
                f"{name} in the .zip is compressed with a method this site cannot read "
                f"(method {info.compress_type}): make the .zip again with the usual compression "
                "(deflate)."
            )
        relative = PurePosixPath(info.filename.replace("\\", "/"))
        if relative.is_absolute() or ".." in relative.parts:
            raise _UploadError(f"The .zip holds a file outside its folder: {name}")
        if len(info.filename.encode()) > _MAX_PATH_BYTES or any(
            len(part.encode()) > _MAX_NAME_BYTES for part in relative.parts
        ):
            raise _UploadError(f"A name in the .zip is too long: {name}")
        paths.append(relative.parts)
    files = set()
    folders = {parts[:depth] for parts in paths for depth in range(1, len(parts))}
    for info, parts in zip(members, paths, strict=True):
        name = _short_name(info.filename)
        if parts in folders:
            raise _UploadError(f"The .zip holds {name} both as a file and as a folder.")
        if parts in files:
            raise _UploadError(f"The .zip holds {name} twice.")
        files.add(parts)
    return paths


def _staged_files(token: str) -> dict | None:
    """Relative path → storage name of every staged file; None if the upload is gone."""
    name = _staged(token, "manifest.json")
    try:
        with default_storage.open(name) as manifest:
            return json.loads(manifest.read()).get("files")
    except (OSError, ValueError):
        return None


def _delete_staged(token: str) -> None:
    """Delete everything under ``notes-import/<token>/``, deepest first."""

    def delete(prefix: str) -> None:
        try:
            directories, files = default_storage.listdir(prefix)
        except (OSError, ValueError):
            return
        for directory in directories:
            delete(f"{prefix}{directory}/")
        for name in files:
            default_storage.delete(f"{prefix}{name}")
        if prefix != f"{STAGING_PREFIX}/":
            default_storage.delete(prefix.rstrip("/"))

    delete(_staged(token))


def remove_stale_uploads(max_age: timedelta = timedelta(seconds=UPLOAD_MAX_AGE)) -> list[str]:
    """Delete staged uploads older than ``max_age``; returns their tokens."""
    cutoff = timezone.now() - max_age
    try:
        tokens, _files = default_storage.listdir(f"{STAGING_PREFIX}/")
    except (OSError, ValueError):
        return []
    removed = []
    for token in tokens:
        try:
            staged_at = default_storage.get_modified_time(_staged(token, "staged"))
        except (OSError, ValueError):
            staged_at = None  # not a staged upload: a stray folder
        if staged_at is None or staged_at < cutoff:
            _delete_staged(token)
            removed.append(token)
    return removed


def _run(request, token: str, entry: dict, dry_run: bool, user=None):
    """Import the staged upload (a dry run for the preview) from a private copy on disk."""
    files = _staged_files(token) or {}
    with tempfile.TemporaryDirectory(prefix="confnotes-upload-") as temporary:
        directory = Path(temporary)
        for relative, name in files.items():
            target = directory.joinpath(*PurePosixPath(relative).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with default_storage.open(name) as source, open(target, "wb") as output:
                for chunk in source.chunks():
                    output.write(chunk)
        importer = NotesImporter(
            publish=entry["mode"] == "publish",
            dry_run=dry_run,
            user=user if request is None else request.user,
            image_root=directory,
        )
        return importer.import_path(directory / entry["markdown"], name=entry["name"])


def import_notes_view(request):
    if not user_can_import(request.user):
        return permission_denied(request)
    uploads = request.session.get(SESSION_KEY, {})
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, uploads)
    form = ImportNotesForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            token, markdown = _store_upload(upload)
        except _UploadError as error:
            form.add_error("file", str(error))
        else:
            entry = {
                "name": Path(upload.name).name,
                "markdown": markdown,
                "mode": form.cleaned_data["mode"],
                "user": request.user.pk,
            }
            for dropped in list(uploads)[:-4]:  # the session keeps the last five uploads
                _delete_staged(dropped)
            uploads = {**dict(list(uploads.items())[-4:]), token: entry}
            request.session[SESSION_KEY] = uploads
            result = _run(request, token, entry, dry_run=True)
            entry["talks"] = result.counts()["talk"]
            request.session[SESSION_KEY] = uploads
            if not result.ok:  # nothing to confirm
                _delete_staged(token)
            return _preview(request, token, entry, result)
    return TemplateResponse(request, "pages/admin/import_notes.html", {"form": form})


def _preview(request, token, entry, result, status=200):
    return TemplateResponse(
        request,
        "pages/admin/import_notes_preview.html",
        {
            "token": token,
            "entry": entry,
            "result": result,
            "diagnostics": result.diagnostics.sorted(),
            "publish": entry["mode"] == "publish",
        },
        status=status,
    )


def _confirm(request, uploads: dict):
    token = request.POST.get("token", "")
    entry = uploads.get(token)
    if entry is None or entry.get("user") != request.user.pk or _staged_files(token) is None:
        messages.error(request, "That upload has expired; choose the file again.")
        return redirect("notes_import")
    if "cancel" in request.POST:
        _forget(request, uploads, token)
        messages.success(request, "Nothing was imported; the upload is deleted.")
        return redirect("notes_import")
    if entry.get("talks", 0) > background_threshold():
        # Many talks: a background job (pages.background) runs the import and owns the upload.
        uploads.pop(token, None)
        request.session[SESSION_KEY] = uploads
        job = start_staged_import(request.user, token, entry)
        return redirect("background_job", job_id=job.pk)
    result = _run(request, token, entry, dry_run=False)
    if not result.committed:
        return _preview(request, token, entry, result, status=400)
    _forget(request, uploads, token)
    messages.success(request, result.summary())
    if result.tree is not None and result.tree.page_id:
        return redirect(reverse("wagtailadmin_explore", args=[result.tree.page_id]))
    return redirect("notes_import")


def _forget(request, uploads: dict, token: str) -> None:
    _delete_staged(token)
    uploads.pop(token, None)
    request.session[SESSION_KEY] = uploads
