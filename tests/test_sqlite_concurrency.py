"""SQLite as configured in base settings takes several writers at once (issue #17)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_base_settings_configure_sqlite_for_a_web_app(monkeypatch):
    from tests.test_settings import load

    base = load("site_core.settings.base", monkeypatch, DATABASE_URL="sqlite:////tmp/x.sqlite3")
    options = base.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    assert "journal_mode = WAL" in options["init_command"]
    assert "synchronous = NORMAL" in options["init_command"]
    pg = load("site_core.settings.base", monkeypatch, DATABASE_URL="postgres://u@h:5432/d")
    assert "transaction_mode" not in pg.DATABASES["default"].get("OPTIONS", {})


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "sqlite").split(":")[0] != "sqlite", reason="SQLite only"
)
def test_concurrent_revision_saves_see_no_lock_error(tmp_path):
    """Four threads saving revisions at once: none fails with "database is locked".

    The same writers with SQLite's defaults (deferred transactions, no waiting) do fail, which
    shows the test sees lock errors when they happen."""
    database = tmp_path / "writers.sqlite3"
    migrated = _run(
        "manage.py",
        "migrate",
        "-v0",
        DJANGO_SETTINGS_MODULE="site_core.settings.test",
        DATABASE_URL=f"sqlite:///{database}",
    )
    assert migrated.returncode == 0, migrated.stderr
    plain_db = tmp_path / "plain.sqlite3"
    shutil.copy(database, plain_db)

    tuned = _run("-m", "tests.sqlite_writers", str(database))
    assert tuned.returncode == 0, tuned.stderr
    result = json.loads(tuned.stdout.strip().splitlines()[-1])
    assert result["journal_mode"] == "wal"
    assert result["errors"] == []
    assert result["saves"] == 4 * 12

    plain = _run("-m", "tests.sqlite_writers", str(plain_db), "plain")
    assert plain.returncode == 0, plain.stderr
    control = json.loads(plain.stdout.strip().splitlines()[-1])
    assert any("locked" in error for error in control["errors"]), control
