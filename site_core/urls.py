from django.conf import settings
from django.urls import include, path
from django.views.decorators.cache import never_cache

from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.documents.views import serve as wagtaildocs_serve

from pages.editors.admin_restrictions import RestrictedBrowseView, RestrictedChosenMultipleView
from pages.search import views as search_views
from pages.sharing import views as sharing_views
from pages.visitors import calendars, sitemaps
from pages.visitors import views as visitor_views
from pages.visitors.api import api_router
from pages.visitors.feeds import ConferenceFeed, SpeakerFeed, TagFeed, TalkFeed
from site_core import views
from site_core.privacy_passwords import throttled

handler500 = "site_core.views.server_error"

urlpatterns = [
    # The page chooser's views that take a page by id, limited to the pages the chooser lists
    # (pages/editors/admin_restrictions.py); same paths as Wagtail's, so reverse() finds them.
    path(
        "admin/choose-page/<int:parent_page_id>/",
        never_cache(require_admin_access(RestrictedBrowseView.as_view())),
    ),
    path(
        "admin/choose-page/chosen-multiple/",
        never_cache(require_admin_access(RestrictedChosenMultipleView.as_view())),
    ),
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's password forms of private documents and pages, with wrong guesses throttled like
    # admin logins (site_core/privacy_passwords.py); same paths, so Wagtail's reverse() finds them.
    path(
        "documents/authenticate_with_password/<int:restriction_id>/",
        throttled("document", wagtaildocs_serve.authenticate_with_password, "restriction_id"),
    ),
    path(
        "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/",
        throttled("page", wagtail_views.authenticate_with_password, "page_view_restriction_id"),
    ),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", search_views.search, name="search"),
    path("search/suggest/", search_views.suggest, name="search_suggest"),
    path("healthz", views.healthz, name="healthz"),
    # Visitor features (issue 6). These prefixes take precedence over pages with the same slug.
    path("speakers/", visitor_views.speaker_index, name="speaker_index"),
    path("speakers/<str:slug>/", visitor_views.speaker_detail, name="speaker_detail"),
    path("tags/", visitor_views.tag_index, name="tag_index"),
    path("tags/<str:slug>/", visitor_views.tag_detail, name="tag_detail"),
    path("feeds/rss/", TalkFeed.view("rss"), name="feed_site_rss"),
    path("feeds/atom/", TalkFeed.view("atom"), name="feed_site_atom"),
    path(
        "feeds/conferences/<str:slug>/rss/", ConferenceFeed.view("rss"), name="feed_conference_rss"
    ),
    path(
        "feeds/conferences/<str:slug>/atom/",
        ConferenceFeed.view("atom"),
        name="feed_conference_atom",
    ),
    path("feeds/tags/<str:slug>/rss/", TagFeed.view("rss"), name="feed_tag_rss"),
    path("feeds/tags/<str:slug>/atom/", TagFeed.view("atom"), name="feed_tag_atom"),
    path("feeds/speakers/<str:slug>/rss/", SpeakerFeed.view("rss"), name="feed_speaker_rss"),
    path("feeds/speakers/<str:slug>/atom/", SpeakerFeed.view("atom"), name="feed_speaker_atom"),
    path("calendars/talks/<int:pk>.ics", calendars.talk_calendar, name="calendar_talk"),
    path("calendars/days/<int:pk>.ics", calendars.day_calendar, name="calendar_day"),
    path(
        "calendars/conferences/<str:slug>.ics",
        calendars.conference_calendar,
        name="calendar_conference",
    ),
    path("sitemap.xml", sitemaps.sitemap, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemaps.sitemap_section, name="sitemap_section"),
    path("share/<int:page_id>/<str:digest>.png", sharing_views.share_card, name="share_card"),
    path("robots.txt", visitor_views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("api/v2/", api_router.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(
        settings.MEDIA_URL, view=views.serve_media, document_root=settings.MEDIA_ROOT
    )
elif getattr(settings, "SERVE_MEDIA", False):  # the demo: DEBUG off, media from MEDIA_ROOT
    from django.urls import re_path

    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$",
            views.serve_media,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

urlpatterns += [path("", include(wagtail_urls))]
