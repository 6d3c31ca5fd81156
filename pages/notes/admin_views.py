"""The admin's "Import notes" view: upload a .md (or a .zip with its images), preview, confirm.

The upload is kept in a private temporary directory between the preview (a dry run) and the
confirmation, under a random token that is only valid in the uploader's session. Zip files are
unpacked with limits on size and number of files, and nothing outside the upload can be read:
image paths are confined to the unpacked directory.
"""

import shutil
import tempfile
import time
import zipfile
from pathlib import Path, PurePosixPath

from django import forms
from django.conf import settings
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from .importer import NotesImporter, max_import_bytes

ZIP_MAX_BYTES = 50 * 1024 * 1024
ZIP_MAX_FILES = 500
MARKDOWN_SUFFIXES = (".md", ".markdown")
SESSION_KEY = "confnotes_notes_imports"
UPLOAD_MAX_AGE = 24 * 60 * 60


def user_can_import(user) -> bool:
    return PagePermissionPolicy(Page).user_has_permission(user, "add")


def upload_root() -> Path:
    default = Path(tempfile.gettempdir()) / "confnotes-notes-imports"
    return Path(getattr(settings, "NOTES_IMPORT_UPLOAD_DIR", default))


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


def _store_upload(upload) -> tuple[str, Path, str]:
    """(token, directory, path of the Markdown file inside it) for an uploaded file."""
    root = upload_root()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    _remove_old_uploads(root)
    directory = Path(tempfile.mkdtemp(prefix="upload-", dir=root))
    token = directory.name
    try:
        if upload.name.lower().endswith(".zip"):
            markdown = _unpack_zip(upload, directory)
        else:
            markdown = Path(upload.name).name
            with open(directory / markdown, "wb") as target:
                for chunk in upload.chunks():
                    target.write(chunk)
    except _UploadError:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return token, directory, markdown


def _unpack_zip(upload, directory: Path) -> str:
    try:
        archive = zipfile.ZipFile(upload)
    except zipfile.BadZipFile as error:
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
        total = 0
        for info in members:
            relative = PurePosixPath(info.filename.replace("\\", "/"))
            if relative.is_absolute() or ".." in relative.parts:
                raise _UploadError(f"The .zip holds a file outside its folder: {info.filename}")
            target = directory.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, open(target, "wb") as output:
                while chunk := source.read(65536):
                    total += len(chunk)
                    if total > ZIP_MAX_BYTES:
                        raise _UploadError(
                            f"The unpacked .zip is over {ZIP_MAX_BYTES // 1048576} MB."
                        )
                    output.write(chunk)
        return markdown[0]


def _remove_old_uploads(root: Path) -> None:
    cutoff = time.time() - UPLOAD_MAX_AGE
    for child in root.glob("upload-*"):
        try:
            if child.stat().st_mtime < cutoff:
                shutil.rmtree(child, ignore_errors=True)
        except OSError:
            pass


def _run(request, token: str, entry: dict, dry_run: bool):
    directory = upload_root() / token
    importer = NotesImporter(
        publish=entry["mode"] == "publish",
        dry_run=dry_run,
        user=request.user,
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
            token, _directory, markdown = _store_upload(upload)
        except _UploadError as error:
            form.add_error("file", str(error))
        else:
            entry = {
                "name": Path(upload.name).name,
                "markdown": markdown,
                "mode": form.cleaned_data["mode"],
                "user": request.user.pk,
            }
            uploads = {**dict(list(uploads.items())[-4:]), token: entry}
            request.session[SESSION_KEY] = uploads
            result = _run(request, token, entry, dry_run=True)
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
    directory = upload_root() / token
    if entry is None or entry.get("user") != request.user.pk or not directory.is_dir():
        messages.error(request, "That upload has expired; choose the file again.")
        return redirect("notes_import")
    result = _run(request, token, entry, dry_run=False)
    if not result.committed:
        return _preview(request, token, entry, result, status=400)
    shutil.rmtree(directory, ignore_errors=True)
    uploads.pop(token, None)
    request.session[SESSION_KEY] = uploads
    messages.success(request, result.summary())
    if result.tree is not None and result.tree.page_id:
        return redirect(reverse("wagtailadmin_explore", args=[result.tree.page_id]))
    return redirect("notes_import")
