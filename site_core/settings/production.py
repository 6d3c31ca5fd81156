"""Production: everything from base, a required secret key, HTTPS assumed."""

import os
from urllib.parse import urlsplit

from django.utils.csp import CSP

from .base import *  # noqa: F403
from .base import DATABASES, MIDDLEWARE, STORAGES, env_bool, env_list, require_secret_key

SECRET_KEY = require_secret_key()
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")  # e.g. https://notes.example.org

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Health checks from Varnish's probe and load balancers come over plain HTTP on the inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"  # Wagtail's preview views relax this to SAMEORIGIN themselves

# --- Database ------------------------------------------------------------------------------
# Persistent connections (one per gunicorn worker); base.py already health-checks them before
# reuse, so a restarted PostgreSQL or a dropped connection costs one reconnect, not an error page.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))

# --- Uploads -------------------------------------------------------------------------------
# Request bodies other than files (a big StreamField page is well under this); larger posts
# are refused with 400. The file limits (size, pixels, extensions) are in base.py: the front
# proxy should cap whole bodies (e.g. nginx client_max_body_size 25m) because Django has no
# limit on file parts.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024


# --- Content Security Policy (Django's built-in middleware) --------------------------------
def _origin(url: str) -> str | None:
    parts = urlsplit(url if "//" in url else f"https://{url}")
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else None


def media_origins() -> list[str]:
    """Where media URLs point: the S3 custom domain, the S3 endpoint, or MEDIA_URL's host."""
    options = STORAGES["default"].get("OPTIONS", {})
    if options.get("custom_domain"):
        return [_origin(options["custom_domain"])]
    if options.get("endpoint_url"):
        return [_origin(options["endpoint_url"])]
    if options.get("bucket_name"):
        return ["https://*.amazonaws.com"]
    media_url = os.environ.get("MEDIA_URL", "/media/")
    return [_origin(media_url)] if "//" in media_url else []


#: The video block embeds players from these (Wagtail's oEmbed finders).
EMBED_ORIGINS = [
    "https://www.youtube.com",
    "https://www.youtube-nocookie.com",
    "https://player.vimeo.com",
    *env_list("CSP_EXTRA_FRAME_SRC"),
]
_MEDIA = media_origins()
_REPORTS = {"report-uri": os.environ["CSP_REPORT_URI"]} if os.environ.get("CSP_REPORT_URI") else {}

# Enforced on the public site. Public templates have no inline script or style (JSON-LD
# <script type="application/ld+json"> blocks are data: browsers never execute them and CSP
# does not apply to them). CSP.NONCE is only rendered into the header when a template asks
# for {{ csp_nonce }}; pages go through the front cache, so prefer a static file to a nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *_MEDIA],
    "media-src": [CSP.SELF, *_MEDIA],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-src": EMBED_ORIGINS,
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "upgrade-insecure-requests": True,
    **_REPORTS,
}
# The Wagtail admin (/admin/) relies on inline scripts and styles, so there
# site_core.middleware.AdminContentSecurityPolicyMiddleware replaces SECURE_CSP with
# CSP_ADMIN (enforced: only directives that cannot break it) and CSP_ADMIN_REPORT_ONLY (the
# strict policy, reported so we learn what it would block).
CSP_ADMIN = {
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.SELF],  # the preview panel frames admin URLs
}
CSP_ADMIN_REPORT_ONLY = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", "blob:", *_MEDIA],
    "media-src": [CSP.SELF, *_MEDIA],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-src": [CSP.SELF, *EMBED_ORIGINS],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.SELF],
    **_REPORTS,
}
_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")
MIDDLEWARE = [
    *MIDDLEWARE[: _security + 1],
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # After the CSP middleware: its response pass runs first and picks the admin's policies.
    "site_core.middleware.AdminContentSecurityPolicyMiddleware",
    *MIDDLEWARE[_security + 1 :],
]

# Search: the database backend by default; OpenSearch or Elasticsearch when a URL is given
# (install the matching client, e.g. `opensearch-py` or `elasticsearch`, then `update_index`).


def search_server(backend: str, url: str) -> dict:
    return {
        "default": {
            "BACKEND": backend,
            "URLS": [url],
            "INDEX": os.environ.get("SEARCH_INDEX", "confnotes"),
            "TIMEOUT": 5,
            "OPTIONS": {},
            "INDEX_SETTINGS": {},
        }
    }


if os.environ.get("OPENSEARCH_URL"):
    WAGTAILSEARCH_BACKENDS = search_server(
        "wagtail.search.backends.opensearch2", os.environ["OPENSEARCH_URL"]
    )
elif os.environ.get("ELASTICSEARCH_URL"):
    WAGTAILSEARCH_BACKENDS = search_server(
        "wagtail.search.backends.elasticsearch8", os.environ["ELASTICSEARCH_URL"]
    )


# --- Background jobs -----------------------------------------------------------------------
# Imports of many talks and search index rebuilds started in the admin run in the task worker
# (`make worker-prod`, i.e. `manage.py db_worker --backend background`), not in the request.
# BACKGROUND_TASKS=immediate runs them in the request instead (a host without a worker).
if os.environ.get("BACKGROUND_TASKS", "database") == "database":
    TASKS = {
        **TASKS,  # noqa: F405
        "background": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }
