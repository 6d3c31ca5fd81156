"""Wrong passwords of private pages and documents are throttled like admin logins (issue 18).

Wagtail's password forms (``/_util/authenticate_with_password/…`` for pages,
``/documents/authenticate_with_password/…`` for documents) accept any number of guesses. Here
each wrong password is a failed login for django-axes, with the restriction as the "username"
(``page-restriction-3``): the same database counters, limit (``AXES_FAILURE_LIMIT``), cool-off
(``AXES_COOLOFF_TIME``), client address (``PROXY_COUNT``) and reset commands as the admin's
logins, per restriction and client address. Once the limit is reached, that address gets a 429
page for that restriction, even with the right password, until the cool-off ends. Nothing changes
while ``AXES_ENABLED`` is off (the test settings).
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import render

from axes.handlers.proxy import AxesProxyHandler


def locked_response(request):
    return render(
        request,
        "password_locked.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff": settings.AXES_COOLOFF_TIME},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def throttled(kind: str, view, restriction_kwarg: str):
    """``view``, a Wagtail password form view given the restriction's id as ``restriction_kwarg``.

    The form answers a wrong password by showing itself again (200) and a right one with a
    redirect, so a 200 to a POST is a failure.
    """

    @wraps(view)
    def wrapper(request, **kwargs):
        if request.method != "POST" or not settings.AXES_ENABLED:
            return view(request, **kwargs)
        credentials = {"username": f"{kind}-restriction-{kwargs[restriction_kwarg]}"}
        AxesProxyHandler.update_request(request)
        if AxesProxyHandler.is_locked(request, credentials):
            return locked_response(request)
        response = view(request, **kwargs)
        if response.status_code == 200:
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                request.axes_locked_out = False  # our page, not the admin's sign-in lockout
                return locked_response(request)
        return response

    return wrapper
