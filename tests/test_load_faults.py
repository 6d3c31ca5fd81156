"""Quick versions of ``benchmarks.soak``: readers through gunicorn, and a PostgreSQL restart.

A private PostgreSQL cluster (initdb on a free loopback port, never the shared server) holds the
benchmark site; gunicorn serves it with production settings (persistent connections with health
checks). Needs the PostgreSQL server binaries and gunicorn; skips without them (fails under
REQUIRE_SERVICES=1). The first run builds the site and caches a dump under var/soak-cache/.
"""

import sys
from pathlib import Path

import pytest

from benchmarks import soak
from benchmarks.http import get, parse_wrk
from tests.conftest import service_unavailable

READERS = 4


@pytest.fixture(scope="module")
def site():
    if soak.postgres_bin_dir() is None:
        service_unavailable("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    if not Path(sys.executable).with_name("gunicorn").exists():
        service_unavailable("gunicorn is not installed in the environment")
    with soak.soak_site() as running:
        yield running


@pytest.mark.postgres
def test_readers_get_every_page_without_errors(site):
    result = soak.run_soak(site.port, site.paths, readers=READERS, duration=5)
    summary = soak.analyse(result)
    print(soak.report(summary))
    assert summary["errors"] == 0, summary["error_kinds"]
    assert set(summary["ok_by_page"]) == set(soak.PAGES), summary["ok_by_page"]
    assert summary["p99_ms"] > 0


@pytest.mark.postgres
def test_postgres_restart_errors_only_while_down_and_recovers_within_budget(site):
    result = soak.run_soak(
        site.port,
        site.paths,
        readers=READERS,
        duration=9,
        cluster=site.cluster,
        restart_at=2,
        down_for=1.5,
    )
    summary = soak.analyse(result)
    print(soak.report(summary))
    restart = result.restart
    assert restart is not None and restart.down_at < restart.up_at
    # The outage was felt (pages need the database), and only while PostgreSQL was away.
    assert summary["errors"] > 0
    assert summary["unexpected_errors"] == 0, summary["unexpected_error_times_s"]
    # After the budget the readers are served again, and so is every page.
    late = [r for r in result.requests if r.started > restart.up_at + soak.RECOVERY_BUDGET]
    assert late and all(r.ok for r in late)
    for page, path in site.paths.items():
        assert get(site.port, path)[0] == 200, page


def synthetic(outcomes: list[tuple[float, str]], restart=None) -> dict:
    result = soak.SoakResult(readers=1, duration=10, restart=restart)
    result.requests = [soak.Request(t - 0.05, t, "talk", outcome) for t, outcome in outcomes]
    return soak.analyse(result)


def test_analysis_counts_errors_outside_the_outage_window():
    restart = soak.Restart(down_at=3.0, stopped_at=3.2, start_at=4.5, up_at=5.0)
    within = synthetic([(1, "200"), (3.1, "500"), (6.9, "500"), (8, "200")], restart)
    assert within["unexpected_errors"] == 0
    assert within["restart"]["last_error_after_up_s"] == pytest.approx(1.9)
    assert within["restart"]["first_error_free_second"] == 7
    late = synthetic([(3.1, "500"), (7.2, "RemoteDisconnected"), (2.9, "500")], restart)
    assert late["unexpected_errors"] == 2
    assert late["unexpected_error_times_s"] == [2.9, 7.2]
    assert synthetic([(1, "200"), (2, "503")])["unexpected_errors"] == 1
    assert within["timeline"][3] == [0, 1] and within["timeline"][8] == [1, 0]


WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:8080/a/
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.10ms  600.00us  12.00ms   90.00%
    Req/Sec    14.00k     1.00k   15.00k    70.00%
  Latency Distribution
     50%  850.00us
     75%    1.20ms
     90%    1.80ms
     99%    1.02s
  70000 requests in 5.00s, 3.40GB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:  13999.50
Transfer/sec:    680.00MB
"""


def test_wrk_output_is_parsed_in_milliseconds():
    parsed = parse_wrk(WRK_OUTPUT)
    assert parsed == {
        "requests": 70000,
        "rps": 13999.5,
        "p50_ms": pytest.approx(0.85),
        "p99_ms": pytest.approx(1020.0),
        "non_2xx": 4,
        "socket_errors": 3,
    }
