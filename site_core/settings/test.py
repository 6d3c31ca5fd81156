"""Fast, isolated settings for pytest."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(os.environ.get("TEST_MEDIA_ROOT", tempfile.mkdtemp(prefix="confnotes-media-")))
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="confnotes-static-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    "renditions": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    # tests/test_fragments.py switches it on where it is what is tested
    "fragments": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}
WAGTAILADMIN_BASE_URL = "http://testserver"
SERVE_MEDIA = True  # browser tests read uploaded images from the live server
# Login throttling is tested on purpose (tests/test_production.py, override_settings), and
# django-axes' backend refuses client.login() without a request.
AXES_ENABLED = False
