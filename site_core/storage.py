"""Media storage on S3: a task-friendly S3Storage, and outages seen from the application."""

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

try:
    from boto3.exceptions import Boto3Error
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:  # boto3 is a dependency, but keep the local-disk setup importable without it
    STORAGE_ERRORS: tuple[type[BaseException], ...] = ()
else:
    #: Connection refused/timed out, retries exhausted, S3 answered 5xx or refused the request,
    #: an upload that failed (boto3 wraps ClientError in S3UploadFailedError).
    STORAGE_ERRORS = (BotoCoreError, ClientError, Boto3Error)

#: What an editor is told when the media storage fails during an upload.
STORAGE_ERROR_MESSAGE = (
    "The file could not be stored: the media storage is not answering. Nothing was saved. "
    "Please try again in a few minutes; if it keeps failing, tell the site administrators."
)


def is_storage_error(exc: BaseException) -> bool:
    return bool(STORAGE_ERRORS) and isinstance(exc, STORAGE_ERRORS)


logger = logging.getLogger(__name__)

#: Files S3MediaStorage stored while :func:`recording_stored_files` is active.
_stored_files: ContextVar[list | None] = ContextVar("stored_media_files", default=None)


@contextmanager
def recording_stored_files() -> Iterator[list]:
    """Collect ``(storage, name)`` of every file stored inside the block (this thread/task)."""
    token = _stored_files.set([])
    try:
        yield _stored_files.get()
    finally:
        _stored_files.reset(token)


def delete_stored_files(stored: list) -> None:
    """Best effort: remove files whose rows were rolled back (S3 may still be failing)."""
    for storage, name in stored:
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 - storage errors of any backend; logged, not raised
            logger.exception("Could not delete %s after a failed request; it is orphaned", name)


try:
    from botocore.config import Config
    from storages.backends.s3 import S3Storage
except ImportError:  # pragma: no cover
    pass
else:

    class S3MediaStorage(S3Storage):
        """django-storages' S3Storage whose ``deconstruct()`` is JSON-serialisable.

        Wagtail deletes the files of a deleted image, rendition or document in a task
        (``delete_file_from_storage_task``) that receives ``storage.deconstruct()`` as an
        argument, and django-tasks refuses arguments that are not JSON: with a botocore
        ``Config`` object in ``client_config`` the deletion fails with ``TypeError`` after the
        row is gone, leaving the file in the bucket. Here ``client_config`` deconstructs to
        the plain options it was built from, and a mapping is accepted back.
        """

        def __init__(self, **settings):
            client_config = settings.get("client_config")
            if isinstance(client_config, Mapping):
                settings["client_config"] = Config(**client_config)
            super().__init__(**settings)

        def _save(self, name, content):
            name = super()._save(name, content)
            stored = _stored_files.get()
            if stored is not None:
                stored.append((self, name))
            return name

        def deconstruct(self):
            path, args, kwargs = super().deconstruct()
            client_config = kwargs.get("client_config")
            if isinstance(client_config, Config):
                options = dict(getattr(client_config, "_user_provided_options", {}))
                kwargs = {**kwargs, "client_config": options}
            return path, args, kwargs
