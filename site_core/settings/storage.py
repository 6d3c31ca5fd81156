"""Where media files live: S3 (django-storages) when a bucket is configured, else the disk.

``base.py`` calls :func:`media_storage` with the process environment; tests call it with a
dictionary so they exercise exactly the options production gets.

Environment variables (only ``AWS_STORAGE_BUCKET_NAME`` is required to switch to S3):

``AWS_STORAGE_BUCKET_NAME``  the bucket
``AWS_S3_ENDPOINT_URL``      an S3-compatible endpoint (MinIO, Ceph, moto, …); AWS when unset
``AWS_S3_CUSTOM_DOMAIN``     host (and optional path) of a CDN or public bucket domain for URLs
``AWS_S3_REGION_NAME``       region of the bucket
``AWS_LOCATION``             key prefix inside the bucket
``AWS_S3_ADDRESSING_STYLE``  ``path`` or ``virtual`` (botocore chooses when unset)
``AWS_S3_CONNECT_TIMEOUT``   seconds to open a connection (default 2)
``AWS_S3_READ_TIMEOUT``      seconds to wait for any byte of an answer (default 5)
``AWS_S3_MAX_ATTEMPTS``      attempts per request, the first included (default 2)

Credentials are not settings: boto3 reads ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, an
instance role or a profile by itself, so they never sit in the settings module.
"""

from collections.abc import Mapping

FILE_SYSTEM = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
#: django-storages' S3Storage, with a JSON-serialisable deconstruct() (see site_core.storage).
S3_BACKEND = "site_core.storage.S3MediaStorage"

#: Media names never repeat (``file_overwrite=False``), so browsers and CDNs may keep them a day.
MEDIA_CACHE_CONTROL = "public, max-age=86400"


def _number(environ: Mapping[str, str], name: str, default: float) -> float:
    value = environ.get(name, "").strip()
    return float(value) if value else default


def s3_client_config(environ: Mapping[str, str]):
    """A botocore Config that gives up in seconds when S3 does not answer.

    botocore's defaults are 60 s connect and read timeouts with up to 5 attempts (legacy mode),
    so an outage would hang an editor's upload, and the gunicorn worker serving it, for minutes.
    Worst case here (:func:`worst_case_failure_seconds`): 2 × (2 s + 5 s) + 1 s backoff = 15 s;
    a refused connection fails in well under a second, a silent endpoint in about 10 s.
    """
    from botocore.config import Config

    addressing_style = environ.get("AWS_S3_ADDRESSING_STYLE", "").strip() or None
    return Config(
        connect_timeout=_number(environ, "AWS_S3_CONNECT_TIMEOUT", 2),
        read_timeout=_number(environ, "AWS_S3_READ_TIMEOUT", 5),
        retries={
            "mode": "standard",
            "total_max_attempts": int(_number(environ, "AWS_S3_MAX_ATTEMPTS", 2)),
        },
        # Passing client_config replaces django-storages' own Config, so repeat its defaults.
        signature_version="s3v4",
        s3={"addressing_style": addressing_style} if addressing_style else {},
    )


def worst_case_failure_seconds(config) -> float:
    """The longest one failing S3 call can keep a request waiting with this botocore ``Config``.

    Each attempt may spend the whole connect timeout and then the whole read timeout; between
    attempts botocore's standard retry mode sleeps at most ``min(2 ** (i - 1), 20)`` seconds
    (the throttling scale, the larger one) before attempt ``i + 1``. An upload stops at its
    first failing call. (botocore would stretch a sleep by up to 5 s for an
    ``x-amz-retry-after`` header, which S3 does not send.)
    """
    attempts = int(config.retries["total_max_attempts"])
    waiting = attempts * (config.connect_timeout + config.read_timeout)
    backoff = sum(min(2 ** (attempt - 1), 20) for attempt in range(1, attempts))
    return waiting + backoff


def s3_options(environ: Mapping[str, str]) -> dict:
    """``OPTIONS`` for django-storages' S3Storage."""
    return {
        "bucket_name": environ["AWS_STORAGE_BUCKET_NAME"].strip(),
        # A second upload of "photo.jpg" gets a new name instead of replacing the first one's
        # file (and its renditions) behind existing pages.
        "file_overwrite": False,
        # Page HTML (and the front cache) holds plain URLs: signed ones would expire there.
        "querystring_auth": False,
        "custom_domain": environ.get("AWS_S3_CUSTOM_DOMAIN", "").strip() or None,
        "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL", "").strip() or None,
        "region_name": environ.get("AWS_S3_REGION_NAME", "").strip() or None,
        "location": environ.get("AWS_LOCATION", "").strip(),
        "default_acl": None,  # the bucket policy decides what is public
        "object_parameters": {"CacheControl": MEDIA_CACHE_CONTROL},
        "client_config": s3_client_config(environ),
    }


def media_storage(environ: Mapping[str, str]) -> dict:
    """``STORAGES["default"]``: S3 when ``AWS_STORAGE_BUCKET_NAME`` is set, else the disk."""
    if not environ.get("AWS_STORAGE_BUCKET_NAME", "").strip():
        return dict(FILE_SYSTEM)
    return {"BACKEND": S3_BACKEND, "OPTIONS": s3_options(environ)}


def uses_s3(storage: Mapping) -> bool:
    return storage.get("BACKEND") == S3_BACKEND
