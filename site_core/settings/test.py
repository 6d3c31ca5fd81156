"""Fast, isolated settings for pytest."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

SECRET_KEY = "test-only-key"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(os.environ.get("TEST_MEDIA_ROOT", tempfile.mkdtemp(prefix="confnotes-media-")))
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="confnotes-static-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    "renditions": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    # tests/test_fragments.py switches it on where it is what is tested
    "fragments": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}
# Like the fragments cache: tests/test_stored_parts.py switches it on where it is what is tested
# (a test's transaction never commits, so the content version never changes under it).
STORED_PARTS = False
# The spelling vocabulary is built in the request, not in a background thread (whose connection
# would not see a test's uncommitted pages): tests/test_search_vocabulary_background.py switches
# the thread on where it is what is tested.
SEARCH_VOCABULARY_IN_BACKGROUND = False
WAGTAILADMIN_BASE_URL = "http://testserver"
# The live server of browser tests also serves uploaded images (tests/urls.py).
ROOT_URLCONF = "tests.urls"
# Login throttling is tested on purpose (tests/test_production.py, override_settings), and
# django-axes' backend refuses client.login() without a request.
AXES_ENABLED = False
# The database task backend, for the test that runs a real db_worker (tests/test_background_jobs.py);
# every other test runs background jobs immediately.
TASKS = {
    **TASKS,  # noqa: F405
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
