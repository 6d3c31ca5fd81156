"""After a content change, a typo search does not wait for the new spelling vocabulary: it uses the
previous one, is not kept in the result cache, and the next searches use the new one once a
background thread has built it (pages/search/vocabulary.py)."""

import threading

from django.core.cache import caches

import pytest

from pages.search import vocabulary
from tests.conftest import in_memory_caches
from tests.factories import ConferenceFactory, DayFactory, TalkFactory
from tests.test_search import para


@pytest.fixture(autouse=True)
def in_background(settings):
    settings.SEARCH_VOCABULARY_IN_BACKGROUND = True
    in_memory_caches(settings, "fragments")
    yield
    caches["fragments"].clear()


@pytest.fixture
def started(monkeypatch):
    """The fingerprints whose vocabulary a search asked to build (no thread is started; the
    test runs the thread's work itself, on its own connection, with :func:`build_now`)."""
    keys = []
    monkeypatch.setattr(vocabulary, "_start", keys.append)
    monkeypatch.setattr(vocabulary, "FIRST_WAIT", 0.01)
    monkeypatch.setattr(vocabulary.connections, "close_all", lambda: None)  # the test's own
    return keys


def build_now(key) -> None:
    """What the background thread does."""
    vocabulary._build_in_background(key)


def publish(capture, day, title: str, text: str):
    with capture(execute=True):  # the on-commit bump: a new content version
        return TalkFactory(parent=day, title=title, body=[para(text)])


def suggestion(client, q: str) -> str:
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    return response.context["suggestion"] if response.context else "(from the cache)"


@pytest.fixture
def day(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return DayFactory(parent=ConferenceFactory(title="Spellconf 2026"), title="Day 1")


def built_then_terraform(client, capture, day, started) -> None:
    """A vocabulary with "kubernetes" built; then "Terraform plans" published, and a search for
    "terrafrom" answered with that vocabulary (no correction), which starts a build."""
    publish(capture, day, "Kubernetes at home", "Kubernetes clusters.")
    suggestion(client, "kubernetis")
    build_now(started[0])
    publish(capture, day, "Terraform plans", "Terraform modules.")
    assert suggestion(client, "terrafrom") == ""


@pytest.mark.django_db
def test_a_typo_search_after_a_publish_uses_the_previous_vocabulary_until_the_new_one_is_built(
    client, django_capture_on_commit_callbacks, started, day
):
    capture = django_capture_on_commit_callbacks
    publish(capture, day, "Kubernetes at home", "Kubernetes clusters for small teams.")
    # The process's first vocabulary, not ready after a short wait: no correction this time,
    # and not cached; then built.
    assert suggestion(client, "kubernetis") == ""
    assert suggestion(client, "kubernetis") == ""
    assert len(started) == 1
    build_now(started[0])
    assert suggestion(client, "kubernetis") == "kubernetes"
    assert suggestion(client, "kubernetis") == "(from the cache)"

    publish(capture, day, "Terraform plans", "Terraform modules reviewed.")
    # The previous vocabulary (no "terraform" in it), at once; the new one is asked for once.
    assert suggestion(client, "terrafrom") == ""
    assert suggestion(client, "terrafrom") == ""  # not from the cache: it was provisional
    assert len(started) == 2
    assert suggestion(client, "kubernetis") == "kubernetes"

    build_now(started[1])
    assert suggestion(client, "terrafrom") == "terraform"
    assert suggestion(client, "terrafrom") == "(from the cache)"
    assert len(started) == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_background_thread_builds_the_new_vocabulary_with_its_own_connection(
    client, monkeypatch
):
    threads = []

    def start(key):
        thread = threading.Thread(target=vocabulary._build_in_background, args=(key,))
        threads.append(thread)
        thread.start()

    monkeypatch.setattr(vocabulary, "_start", start)
    day = DayFactory(parent=ConferenceFactory(title="Threadconf 2026"), title="Day 1")
    TalkFactory(parent=day, title="Kubernetes at home", body=[para("Kubernetes clusters.")])
    # The first vocabulary of a small site is built within the first search's short wait.
    assert suggestion(client, "kubernetis") == "kubernetes"
    TalkFactory(parent=day, title="Terraform plans", body=[para("Terraform modules.")])
    assert suggestion(client, "terrafrom") == ""
    first, second = threads
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive()
    assert vocabulary._building == {}
    assert suggestion(client, "terrafrom") == "terraform"


@pytest.mark.django_db
def test_a_failed_build_keeps_the_previous_vocabulary_and_is_logged(
    client, django_capture_on_commit_callbacks, started, day, monkeypatch, caplog
):
    built_then_terraform(client, django_capture_on_commit_callbacks, day, started)

    def broken():
        raise RuntimeError("the database went away")

    monkeypatch.setattr(vocabulary, "build", broken)
    build_now(started[1])
    assert "could not be built" in caplog.text
    assert vocabulary._building == {}  # the next search asks again, and has the previous one
    assert suggestion(client, "kubernetis") == "kubernetes"
    assert len(started) == 3


@pytest.mark.django_db
def test_one_build_at_a_time_and_then_the_newest_content(
    client, django_capture_on_commit_callbacks, started, day
):
    capture = django_capture_on_commit_callbacks
    built_then_terraform(client, capture, day, started)  # a build starts
    publish(capture, day, "Grafana boards", "Grafana dashboards.")
    assert suggestion(client, "grafanna") == ""  # that build still runs: no second one
    assert len(started) == 2
    build_now(started[1])
    # Built for the version before the last: used until the newest is built, which starts now.
    assert suggestion(client, "grafanna") == "grafana"
    assert len(started) == 3
    assert suggestion(client, "grafanna") == "grafana"  # still provisional: not from the cache
    build_now(started[2])
    assert suggestion(client, "grafanna") == "grafana"
    assert suggestion(client, "grafanna") == "(from the cache)"
    assert len(started) == 3
