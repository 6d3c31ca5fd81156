"""Settings: base is production-safe, production refuses to start without a key."""

import importlib
import subprocess
import sys

import pytest


def load(module, monkeypatch, **env):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    # Settings modules read the environment when imported: import fresh copies.
    saved = {
        name: sys.modules.pop(name)
        for name in list(sys.modules)
        if name.startswith("site_core.settings.")
    }
    try:
        return importlib.import_module(module)
    finally:
        for name in [n for n in sys.modules if n.startswith("site_core.settings.")]:
            del sys.modules[name]
        sys.modules.update(saved)


def test_base_is_production_safe(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    base = load("site_core.settings.base", monkeypatch)
    assert base.DEBUG is False
    assert base.SECRET_KEY == ""
    assert base.ALLOWED_HOSTS == []


def test_production_requires_secret_key(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured):
        load("site_core.settings.production", monkeypatch)
    production = load(
        "site_core.settings.production",
        monkeypatch,
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="a.example,b.example",
    )
    assert production.SECRET_KEY == "k" * 60
    assert production.ALLOWED_HOSTS == ["a.example", "b.example"]


def test_database_url_is_read(monkeypatch):
    base = load(
        "site_core.settings.base", monkeypatch, DATABASE_URL="postgres://u@db.example:5433/notes"
    )
    db = base.DATABASES["default"]
    assert (db["ENGINE"], db["HOST"], db["PORT"], db["NAME"]) == (
        "django.db.backends.postgresql",
        "db.example",
        5433,
        "notes",
    )
    assert db["CONN_HEALTH_CHECKS"] is True


def test_dev_relaxes_debug():
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import site_core.settings.dev as d; print(d.DEBUG, bool(d.SECRET_KEY))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.split() == ["True", "True"]


def test_no_setting_repeats_a_value_from_base():
    """dev, test and production only say what differs from base.py: a repeated value would
    silently stop following a later change to base."""
    import ast
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "site_core" / "settings"

    def constants(name: str) -> dict[str, str]:
        tree = ast.parse((folder / f"{name}.py").read_text(encoding="utf-8"))
        return {
            target.id: ast.dump(node.value)
            for node in tree.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name) and target.id.isupper()
        }

    base = constants("base")
    repeats = {
        name: sorted(key for key, value in constants(name).items() if base.get(key) == value)
        for name in ("dev", "test", "production")
    }
    assert repeats == {"dev": [], "test": [], "production": []}
