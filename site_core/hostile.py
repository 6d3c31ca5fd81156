"""Requests no view can serve, answered before any view or query runs (issue 18).

``HostileRequestMiddleware`` is one answer for the whole site (Wagtail's page serving, the API,
feeds, calendars, search and the admin alike), so a new view needs nothing of its own:

- A NUL character in the path or the query string (``/speakers/%00/``, ``?search=%00``): 400.
  No URL of the site contains one, and PostgreSQL refuses it in any text parameter, which
  turned every such lookup into a 500.
- A method the public site does not serve (``TRACE``, ``PUT``, ``DELETE``, ``PATCH``,
  ``CONNECT``…): 405 with ``Allow``. Public views serve ``GET``/``HEAD``/``OPTIONS``, and ``POST``
  only to the password forms of private pages and documents; other ``POST`` requests are refused
  by the CSRF check (403). The admin (``/admin/``) is left to its own views.
- An integer captured by the URL (``<int:pk>``) that no database column can hold
  (``/calendars/talks/99999999999999999999.ics``): 404, like any id that does not exist. SQLite
  cannot even bind such a number, and Wagtail's own ``<int:…>`` routes have the same parameters.
"""

from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponseNotAllowed

from .middleware import is_admin_path

PUBLIC_METHODS = ("GET", "HEAD", "OPTIONS", "POST")
#: Signed 64 bits: the widest integer column on both databases.
INTEGER_RANGE = range(-(2**63), 2**63)


def has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )


class HostileRequestMiddleware:
    """List it right after ``SecurityMiddleware``, before anything reads the path."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in PUBLIC_METHODS and not is_admin_path(request.path):
            return HttpResponseNotAllowed(PUBLIC_METHODS)
        if has_nul(request):
            raise BadRequest("NUL character in the URL")
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        for value in [*view_args, *view_kwargs.values()]:
            if isinstance(value, int) and value not in INTEGER_RANGE:
                raise Http404("No such object")
        return None
