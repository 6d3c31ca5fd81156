"""Site-wide middleware: media storage outages in the admin, and the admin's CSP."""

import logging

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse

from .storage import STORAGE_ERROR_MESSAGE, is_storage_error

logger = logging.getLogger(__name__)


def admin_prefix() -> str:
    return reverse("wagtailadmin_home")


def is_admin_path(path: str) -> bool:
    return path.startswith(admin_prefix())


class StorageErrorMiddleware:
    """Turn an S3 failure during an admin request into a message for the editor, not a 500.

    The failing request saved nothing: Django writes the file (FileField.pre_save) before it
    inserts the row, and Wagtail's create views run inside ``transaction.atomic``, so an upload
    that cannot reach S3 leaves no Image or Document row behind.

    - Wagtail's multiple upload (``…/multiple/add/``, an XHR) gets its own JSON error format,
      ``{"success": false, "error_message": …}``, which it shows next to the file.
    - Other XHRs get the same JSON with status 503.
    - Ordinary admin form posts are redirected back to the same URL with an error message.

    Public pages are not handled here: they never need S3 to render once their renditions exist
    (URLs are built locally), and a page that would need a new rendition fails like any error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_storage_error(exception) or not is_admin_path(request.path):
            return None
        logger.error(
            "Media storage failed during %s %s", request.method, request.path, exc_info=exception
        )
        if "/multiple/" in request.path:
            return JsonResponse({"success": False, "error_message": STORAGE_ERROR_MESSAGE})
        if request.headers.get("x-requested-with") == "XMLHttpRequest" or (
            "application/json" in request.headers.get("accept", "")
        ):
            return JsonResponse(
                {"success": False, "error_message": STORAGE_ERROR_MESSAGE}, status=503
            )
        messages.error(request, STORAGE_ERROR_MESSAGE)
        target = request.get_full_path() if request.method == "POST" else admin_prefix()
        response = HttpResponseRedirect(target)
        response.status_code = 303  # "see other": the browser follows with a GET
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
