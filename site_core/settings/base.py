"""Production-safe base settings.

Everything that differs between machines comes from the environment. DEBUG is off and
there is no default secret key here: ``dev.py`` and ``test.py`` relax this for local use,
``production.py`` hardens it further.
"""

import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

import dj_database_url

from .storage import media_storage, uses_s3

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("CONFNOTES_VAR_DIR", BASE_DIR / "var"))


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated environment variable as a list, blanks dropped."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
#: The public address, e.g. https://notes.example.org: ``manage.py set_site_url`` gives it to
#: the Wagtail Site record, which every absolute URL is built from.
SITE_URL = os.environ.get("SITE_URL", "")

INSTALLED_APPS = [
    "pages",
    "pages.background",
    "snippets",
    "site_core.apps.SiteCoreConfig",
    "wagtail.contrib.redirects",
    "wagtail.contrib.search_promotions",
    "wagtail.contrib.typed_table_block",
    "wagtail.contrib.sitemaps",
    "wagtail.api.v2",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "axes",  # admin login throttling (django-axes), see AXES_* below
    # Front cache purging (site_core connects the signals); nothing happens unless
    # WAGTAILFRONTENDCACHE is set (below).
    "wagtail.contrib.frontend_cache",
    # The database task backend's table and its worker (`manage.py db_worker`): used by the
    # "background" task backend in production (see TASKS).
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # NUL bytes, unserved methods and impossible ids: 400/405/404 before any view (issue 18).
    "site_core.hostile.HostileRequestMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # The Site and its root page from a cache per content version (pages/lookups.py).
    "site_core.middleware.SiteLookupMiddleware",
    # An S3 outage during an admin upload becomes a message for the editor, not a 500.
    "site_core.middleware.StorageErrorMiddleware",
    # Publishing refused by the accessibility gate becomes a message on the page's edit view.
    "site_core.middleware.PublishRefusedMiddleware",
    # A Publish that races the create view's first autosave publishes that autosaved draft
    # instead of failing with "slug already in use" (pages/editors/autosave.py).
    "pages.editors.autosave.CreateSessionMiddleware",
    # Last, as django-axes asks: turns a throttled login into the lockout page (429).
    "axes.middleware.AxesMiddleware",
]

# django-axes checks every login (it needs the request: Django's test client force_login()
# is fine, client.login() only works with AXES_ENABLED = False as in test.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "site_core.urls"
WSGI_APPLICATION = "site_core.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",  # {{ csp_nonce }}, when CSP is on
                "site_core.context_processors.site",
            ],
        },
    },
]

# SQLite under var/ unless DATABASE_URL says otherwise (postgres://user@host:port/name).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'confnotes.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

#: SQLite tuned for a web app (several threads or processes writing at once): write-ahead log
#: (readers never block the writer), writers wait up to SQLITE_BUSY_TIMEOUT seconds for the
#: lock instead of failing, and every transaction takes the write lock when it begins
#: (``IMMEDIATE``) so that a read-then-write transaction cannot fail half-way with "database
#: is locked" (a deferred one cannot wait: SQLite would deadlock).
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",  # durable in WAL mode, up to the last commit on power loss
    "PRAGMA temp_store = MEMORY",
    "PRAGMA cache_size = -20000",  # 20 MB page cache per connection
    "PRAGMA mmap_size = 134217728",  # 128 MB
    "PRAGMA journal_size_limit = 67108864",  # the WAL file shrinks back to 64 MB
)


def sqlite_options(timeout: float) -> dict:
    """DATABASES OPTIONS for a SQLite database used by a web application."""
    return {
        "timeout": timeout,  # also sets PRAGMA busy_timeout
        "transaction_mode": "IMMEDIATE",
        "init_command": "; ".join(SQLITE_PRAGMAS),
    }


if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        **sqlite_options(float(os.environ.get("SQLITE_BUSY_TIMEOUT", "20"))),
        **DATABASES["default"].get("OPTIONS", {}),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Wagtail's PostgreSQL search index uses SearchVectorField and GIN indexes.
    INSTALLED_APPS.append("django.contrib.postgres")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

STORAGES = {
    # S3 (django-storages) when AWS_STORAGE_BUCKET_NAME is set, else MEDIA_ROOT: see storage.py.
    "default": media_storage(os.environ),
    # Compressed files with hashed names: WhiteNoise serves them with far-future cache headers.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# A sitemap file lists at most this many URLs; past it /sitemap.xml is a sitemap index
# (pages/visitors/sitemaps.py).
SITEMAP_MAX_URLS = int(os.environ.get("SITEMAP_MAX_URLS", 50_000))

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Wagtail looks renditions up here before asking the database.
    "renditions": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "renditions",
        "TIMEOUT": 60 * 60 * 24,
    },
    # Rendered parts of live pages, keyed by the content version (pages.fragments).
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "TIMEOUT": int(os.environ.get("FRAGMENT_CACHE_TIMEOUT", 60 * 60 * 24)),
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
}

# Parts of live pages rendered once per published revision and kept in the database
# (pages.stored_parts); publishing renders them for at most this many pages per transaction
# (an import leaves the rest to their first visitor).
STORED_PARTS = True
STORED_PARTS_RENDER_ON_PUBLISH = int(os.environ.get("STORED_PARTS_RENDER_ON_PUBLISH", 20))

# Two task backends. "default" runs Wagtail's own tasks (search and reference index updates,
# file deletion, cache purges; Wagtail uses the django-tasks backport, which reads this same
# setting): immediate everywhere, so an edit is searchable as soon as it is saved and nothing
# of Wagtail's depends on a worker (the database backend cannot run the backport's tasks).
# "background" runs Confnotes' long jobs (pages.background): immediate here and in the demo and
# tests; production.py switches it to django-tasks-db's database backend with its db_worker.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "background": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Wagtail ---------------------------------------------------------------
WAGTAIL_SITE_NAME = "Confnotes"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
# No Gravatar: Wagtail would load editors' avatars from gravatar.com (over plain http on an http
# admin), sending a hash of each editor's e-mail address to a third party. Editors see Wagtail's
# default avatar, or the one they upload in their account settings.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# The database backend: PostgreSQL full text search (English stemming) or SQLite FTS5.
# production.py switches to OpenSearch/Elasticsearch when OPENSEARCH_URL/ELASTICSEARCH_URL is set.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "english"}
}
# After a content change, typo searches use the previous spelling vocabulary while the new one is
# built in a background thread (pages/search/vocabulary.py): about 10 s at 100,000 talks, which
# no visitor waits for.
SEARCH_VOCABULARY_IN_BACKGROUND = True
WAGTAILSEARCH_HITS_MAX_AGE = 30  # days of search-terms statistics kept by the garbage collector
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"bmp": "png", "gif": "png"}
# Image uploads (pages/editors/uploads.py): every admin image form (add, multiple upload, chooser upload)
# and the notes importer check size, extension, the real format, pixels from the header (bombs
# are never decoded), animation, embedded HTML/script, then decode the first frame.
WAGTAILIMAGES_IMAGE_FORM_BASE = "pages.editors.uploads.ImageForm"
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000  # ~ 7700 × 5200
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_EXTENSIONS = ["avif", "gif", "jpg", "jpeg", "png", "webp"]  # no SVG (scripts)
# Uploads above this go to a temporary file instead of memory (Django's default, stated).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Slides and handouts only: no HTML, SVG or executables that would run from our domain.
WAGTAILDOCS_EXTENSIONS = ["csv", "pdf", "txt", "odp", "pptx", "key", "zip"]
if uses_s3(STORAGES["default"]):
    # Wagtail's view checks privacy and counts the download, then redirects to the bucket (or
    # CDN) URL: app servers never stream documents from S3, so a slow S3 cannot tie them up.
    # The default for local files stays "serve_view" (Wagtail streams them itself).
    WAGTAILDOCS_SERVE_METHOD = "redirect"
WAGTAIL_ENABLE_UPDATE_CHECK = False
TAGGIT_CASE_INSENSITIVE = True
# Rich text is saved from the editor through Wagtail's converter with a linear-time DOM engine
# (pages/blocks/richtext_converter.py): the stock one is quadratic in the formatting ranges.
WAGTAILADMIN_RICH_TEXT_EDITORS = {
    "default": {"WIDGET": "pages.blocks.richtext_converter.LinearDraftailRichTextArea"}
}

# --- Notes import (pages/notes/importer.py, diagnostics.py) ------------------------------------------------------
# Per file, for `import_notes` and the admin import alike: a file over a limit is refused with
# an error naming the setting, and nothing of it is written. Warnings past the cap are counted
# in one summary line.
CONFNOTES_IMPORT_MAX_PAGES = int(os.environ.get("CONFNOTES_IMPORT_MAX_PAGES", "2000"))
CONFNOTES_IMPORT_MAX_BLOCKS = int(os.environ.get("CONFNOTES_IMPORT_MAX_BLOCKS", "50000"))
CONFNOTES_IMPORT_MAX_WARNINGS = int(os.environ.get("CONFNOTES_IMPORT_MAX_WARNINGS", "100"))


# --- Front cache ------------------------------------------------------------------------------
# FRONTEND_CACHE_URL: where Varnish listens for PURGE (e.g. http://127.0.0.1:6081); several,
# comma-separated, when there is more than one front cache. Publishing, unpublishing, moving or
# deleting a page purges it and every listing it appears on (site_core/frontend_cache.py).
FRONTEND_CACHE_URLS = env_list("FRONTEND_CACHE_URL")
if FRONTEND_CACHE_URLS:
    WAGTAILFRONTENDCACHE = {
        f"varnish{n}": {
            "BACKEND": "site_core.frontend_cache.TimeoutHTTPBackend",
            "LOCATION": location,
            "TIMEOUT": float(os.environ.get("FRONTEND_CACHE_TIMEOUT", "2")),
        }
        for n, location in enumerate(FRONTEND_CACHE_URLS)
    }

# --- Login throttling (django-axes) ------------------------------------------------------------
# Failed logins are counted per username *and* client IP in the database (shared by every app
# server). After AXES_FAILURE_LIMIT failures that pair gets the 429 page templates/axes_locked.html
# for AXES_COOLOFF_TIME. Unknown usernames are counted exactly like real ones, so the responses
# do not tell them apart; the same user from another address is not locked out.
AXES_ENABLED = True
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes_locked.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# The client address behind reverse proxies. PROXY_COUNT is how many proxies that append to
# X-Forwarded-For stand between the clients and gunicorn (2 for "TLS terminator -> Varnish").
# Each appends the address it received the request from, so the header holds PROXY_COUNT
# addresses, the client's first; with more (a client forging the header) django-ipware does
# not trust it. 0 (the default): clients connect directly and the header is ignored.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
if PROXY_COUNT > 0:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1
    AXES_IPWARE_PROXY_ORDER = "left-most"
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]


def require_secret_key() -> str:
    """The key from the environment; settings that must never run without one call this."""
    key = os.environ.get("SECRET_KEY", "")
    if not key:
        raise ImproperlyConfigured("Set SECRET_KEY in the environment (50+ random characters).")
    return key
