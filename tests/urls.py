"""The test settings' URLs: the site's, plus uploaded media for the live server of browser
tests (with DEBUG off Django serves no media itself), through the same view as the demo's."""

from django.conf import settings
from django.urls import re_path

from site_core.urls import handler500
from site_core.urls import urlpatterns as site_urlpatterns
from site_core.views import serve_media

__all__ = ["handler500", "urlpatterns"]

urlpatterns = [
    re_path(r"^media/(?P<path>.*)$", serve_media, {"document_root": settings.MEDIA_ROOT}),
    *site_urlpatterns,
]
