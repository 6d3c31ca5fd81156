"""The admin's "Import schedule" view: upload a schedule.json / schedule.xml or give its URL;
the import runs as a background job and the editor lands on its progress page."""

from django import forms
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from wagtail.admin.auth import permission_denied
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from .jobs import start_import
from .source import max_bytes


def user_can_import(user) -> bool:
    return PagePermissionPolicy(Page).user_has_permission(user, "add")


class ImportScheduleForm(forms.Form):
    file = forms.FileField(
        label="Schedule file",
        required=False,
        help_text="A pretalx or C3VOC schedule.json, or a frab schedule.xml.",
    )
    url = forms.URLField(
        label="or its address",
        required=False,
        assume_scheme="https",
        help_text="e.g. https://pretalx.example.org/conf/schedule/export/schedule.json",
    )
    mode = forms.ChoiceField(
        label="After import",
        choices=[("draft", "Save new pages as drafts"), ("publish", "Publish new pages")],
        initial="draft",
        widget=forms.RadioSelect,
    )

    def clean(self):
        cleaned = super().clean()
        upload, url = cleaned.get("file"), cleaned.get("url")
        if bool(upload) == bool(url):
            raise forms.ValidationError("Choose a file or give an address (one of them).")
        if url and not url.startswith(("http://", "https://")):
            self.add_error("url", "Only http(s) addresses can be fetched.")
        if upload and upload.size > max_bytes():
            self.add_error(
                "file", f"The file is {upload.size} bytes; the limit is {max_bytes()} bytes."
            )
        return cleaned


def import_schedule_view(request):
    if not user_can_import(request.user):
        return permission_denied(request)
    form = ImportScheduleForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = start_import(
            user=request.user,
            publish=form.cleaned_data["mode"] == "publish",
            url=form.cleaned_data["url"] or "",
            data=upload.read() if upload else None,
            name=upload.name if upload else "",
        )
        return redirect("background_job", job_id=job.pk)
    return TemplateResponse(request, "pages/admin/import_schedule.html", {"form": form})
