"""Site-wide middleware: media storage outages and refused publishing in the admin, and the
admin's CSP."""

import logging

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse

from .storage import (
    STORAGE_ERROR_MESSAGE,
    delete_stored_files,
    is_storage_error,
    recording_stored_files,
)

logger = logging.getLogger(__name__)

#: An admin page that needed the media storage (a new thumbnail, say) while it was failing.
STORAGE_READ_ERROR_MESSAGE = (
    "This page could not be shown: it needs the media storage, which is not answering. "
    "Please try again in a few minutes; if it keeps failing, tell the site administrators."
)


def admin_prefix() -> str:
    return reverse("wagtailadmin_home")


def is_admin_path(path: str) -> bool:
    return path.startswith(admin_prefix())


class SiteLookupMiddleware:
    """Finds the Wagtail ``Site`` of a GET or HEAD request from a cache kept per content version
    (``pages.lookups.site_for_request``): the site and its root page without their queries."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and not is_admin_path(request.path):
            from pages.lookups import site_for_request

            site_for_request(request)
        return self.get_response(request)


class StorageErrorMiddleware:
    """Turn an S3 failure during an admin request into a message for the editor, not a 500.

    The failing request saves nothing. An admin form post with files (multipart) runs in one
    transaction; when S3 fails anywhere in it, that transaction is rolled back and the files
    it had already stored are deleted again. That matters when the original was stored and a
    later call failed: Wagtail's multiple upload commits the image, then renders a rendition of
    the image it duplicates; without this the editor would be told nothing was saved while an
    Image row and its file stayed behind.

    - Wagtail's multiple upload (``…/multiple/add/``, an XHR) gets its own JSON error format,
      ``{"success": false, "error_message": …}``, which it shows next to the file.
    - Other XHRs get the same JSON with status 503.
    - Ordinary admin form posts are redirected back to the same URL with an error message.

    - An admin page (GET) that needed a new rendition redirects to the dashboard, saying so.

    Public pages are not handled here: they never need S3 to render once their renditions exist
    (URLs are built locally); an image that needs a new rendition is left out
    (``pages.blocks.ImageBlock``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (
            request.method == "POST"
            and request.content_type == "multipart/form-data"
            and is_admin_path(request.path)
        ):
            return self.get_response(request)
        with recording_stored_files() as stored:
            with transaction.atomic():
                response = self.get_response(request)
            if getattr(request, "media_storage_failed", False):
                delete_stored_files(stored)
        return response

    def process_exception(self, request, exception):
        if not is_storage_error(exception) or not is_admin_path(request.path):
            return None
        logger.error(
            "Media storage failed during %s %s", request.method, request.path, exc_info=exception
        )
        if request.method == "POST" and request.content_type == "multipart/form-data":
            # Inside __call__'s transaction: undo the rows, then __call__ deletes the files.
            request.media_storage_failed = True
            transaction.set_rollback(True)
        if request.method != "POST":
            if request.path == admin_prefix():
                return None  # the dashboard itself failed: no redirect loop
            messages.error(request, STORAGE_READ_ERROR_MESSAGE)
            response = HttpResponseRedirect(admin_prefix())
            response.status_code = 303
            return response
        if "/multiple/" in request.path:
            return JsonResponse({"success": False, "error_message": STORAGE_ERROR_MESSAGE})
        if request.headers.get("x-requested-with") == "XMLHttpRequest" or (
            "application/json" in request.headers.get("accept", "")
        ):
            return JsonResponse(
                {"success": False, "error_message": STORAGE_ERROR_MESSAGE}, status=503
            )
        messages.error(request, STORAGE_ERROR_MESSAGE)
        response = HttpResponseRedirect(request.get_full_path())
        response.status_code = 303  # "see other": the browser follows with a GET
        return response


class PublishRefusedMiddleware:
    """A publish refused by the accessibility gate (``pages.accessibility.publishing.PublishRefused``) during
    an admin request becomes a message for the editor, not a 500.

    The paths that get here are those where Wagtail publishes inside its own view code, e.g. a
    workflow approval (``Task.on_action`` is atomic, so the approval is rolled back with it).
    The editor is sent to the refused page's edit view, which shows the reason per page; the
    workflow modal (an XHR) gets the JSON it expects, telling it to go there.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from pages.accessibility.publishing import PublishRefused
        from pages.accessibility.publishing_admin import report_refused

        if not isinstance(exception, PublishRefused) or not is_admin_path(request.path):
            return None
        report_refused(request, exception)
        page_id = next((r.page_id for r in exception.refusals if r.page_id), None)
        url = reverse("wagtailadmin_pages:edit", args=[page_id]) if page_id else admin_prefix()
        if request.headers.get("x-requested-with") == "XMLHttpRequest":
            return JsonResponse({"step": "success", "redirect": url})
        response = HttpResponseRedirect(url)
        response.status_code = 303
        return response


class AdminContentSecurityPolicyMiddleware:
    """The Wagtail admin's Content Security Policy: report-only where the site enforces.

    Wagtail's admin templates use inline scripts and styles, so the public site's strict
    ``SECURE_CSP`` would break it. On admin paths this sets the per-response policies that
    ``django.middleware.csp.ContentSecurityPolicyMiddleware`` reads (the same attributes as
    Django's ``csp_override``/``csp_report_only_override`` decorators, which cannot be put on
    every Wagtail view): ``CSP_ADMIN`` is enforced, ``CSP_ADMIN_REPORT_ONLY`` is reported only.

    List it right after Django's CSP middleware, so that its response pass runs first. A view
    that chose its own policy with those decorators keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_admin_path(request.path):
            if not hasattr(response, "_csp_config"):
                response._csp_config = getattr(settings, "CSP_ADMIN", None) or {}
            if not hasattr(response, "_csp_ro_config"):
                response._csp_ro_config = getattr(settings, "CSP_ADMIN_REPORT_ONLY", None) or {}
        return response
