"""Soak and fault test: concurrent readers through gunicorn (uncached) on a private PostgreSQL.

    python -m benchmarks.soak                                   # 16 readers, 60 s
    python -m benchmarks.soak --duration 60 --restart-postgres-at 20

Starts a throw-away PostgreSQL cluster of its own (``initdb`` into a temporary directory, a free
loopback port; the shared server on 5432 is never touched), builds the benchmark site in it
(``benchmarks.http``), and gunicorn with production settings (2 sync workers, CONN_MAX_AGE=60 with
health checks). Reader threads then fetch a mix of public pages (home, conference, day, talk,
search) over keep-alive ``http.client`` connections, timestamping every request. The report
gives totals, errors, p50/p99 latency of the successful requests and a per-second timeline.

With ``--restart-postgres-at T`` the cluster is stopped (``pg_ctl stop -m fast``) T seconds in,
left down for ``--down`` seconds so the outage is visible, and started again. The report then
says when PostgreSQL went down and came back, the first and last error, and how long after
"accepting connections again" the last error happened and the first error-free second began.
Target: errors only while PostgreSQL is down, none later than 2 s after it is back.

The cluster runs with fsync off (it is thrown away; loading is faster). Everything started here
is stopped at the end, also on Ctrl-C or an error.
"""

import argparse
import collections
import contextlib
import glob
import hashlib
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.http import (
    ROOT,
    build_site,
    collectstatic,
    free_port,
    log,
    production_env,
    start_gunicorn,
)

RECOVERY_BUDGET = 2.0  # seconds after PostgreSQL accepts connections again
PAGES = ("home", "conference", "day", "talk", "search")


# --- A private PostgreSQL cluster --------------------------------------------------------------


def postgres_bin_dir() -> Path | None:
    """The newest /usr/lib/postgresql/*/bin with initdb, or the directory of initdb on PATH."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PostgresCluster:
    """initdb + pg_ctl in a temporary directory, on a free loopback port.

    As root the cluster is owned by and run as the ``postgres`` system user (``runuser``),
    since PostgreSQL refuses to run as root; as any other user it runs as that user. Either
    way the database superuser is called ``postgres`` and trusts loopback connections.
    """

    def __init__(self, workdir: Path):
        self.bin = postgres_bin_dir()
        if self.bin is None:
            raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
        self.workdir = workdir
        self.data = workdir / "pgdata"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if not runuser:
                raise RuntimeError("running as root without runuser to become postgres")
            self.as_user = [runuser, "-u", "postgres", "--"]
            shutil.chown(workdir, "postgres", "postgres")
        self._run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "-N")
        options = (
            f"-p {self.port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        self._pg_ctl_args = ["-D", self.data, "-l", workdir / "postgres.log", "-o", options]
        self.start()

    def _run(self, tool: str, *args, timeout: float = 120) -> None:
        self.tool(tool, *args, timeout=timeout, as_postgres=True)

    def tool(self, tool: str, *args, timeout: float = 300, as_postgres: bool = False) -> None:
        """Run a PostgreSQL program of the cluster's version (as ``postgres`` if asked)."""
        command = [*(self.as_user if as_postgres else []), str(self.bin / tool), *map(str, args)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {done.stdout[-1500:]}{done.stderr[-1500:]}")

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def accepting(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(
                self.url().replace("postgres://", "postgresql://", 1), connect_timeout=1
            ) as conn:
                conn.execute("SELECT 1")
            return True
        except psycopg.Error:
            return False

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(
            self.url().replace("postgres://", "postgresql://", 1), autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def start(self) -> None:
        self._run("pg_ctl", "start", "-w", "-t", "60", *self._pg_ctl_args)

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "stop", "-w", "-t", "60", "-m", mode, "-D", self.data)

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            self.stop("immediate")


# --- Readers -----------------------------------------------------------------------------------


@dataclass
class Request:
    started: float  # seconds since the soak began
    ended: float
    page: str
    outcome: str  # "200", another status code, or an exception's class name

    @property
    def ok(self) -> bool:
        return self.outcome == "200"


@dataclass
class Restart:
    down_at: float  # pg_ctl stop called: new connections are refused from here
    stopped_at: float  # pg_ctl stop returned: the server is gone
    start_at: float  # pg_ctl start called
    up_at: float  # first successful connection afterwards


@dataclass
class SoakResult:
    readers: int
    duration: float
    requests: list[Request] = field(default_factory=list)
    restart: Restart | None = None


def reader(port: int, paths: dict, index: int, t0: float, stop_at: float, out: list) -> None:
    """Fetch the pages in turn (each reader starting elsewhere) until ``stop_at``."""
    names = PAGES[index % len(PAGES) :] + PAGES[: index % len(PAGES)]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    n = 0
    while (now := time.monotonic()) < stop_at:
        page = names[n % len(names)]
        n += 1
        try:
            connection.request("GET", paths[page])
            response = connection.getresponse()
            response.read()
            outcome = str(response.status)
            if response.will_close:
                connection.close()
        except (OSError, http.client.HTTPException) as exc:
            outcome = type(exc).__name__
            connection.close()
        out.append(Request(now - t0, time.monotonic() - t0, page, outcome))
    connection.close()


def run_soak(
    port: int,
    paths: dict,
    readers: int = 16,
    duration: float = 60,
    cluster: PostgresCluster | None = None,
    restart_at: float | None = None,
    down_for: float = 3.0,
) -> SoakResult:
    result = SoakResult(readers=readers, duration=duration)
    t0 = time.monotonic()
    stop_at = t0 + duration
    threads = [
        threading.Thread(
            target=reader, args=(port, paths, i, t0, stop_at, result.requests), daemon=True
        )
        for i in range(readers)
    ]
    for thread in threads:
        thread.start()
    restart_error: list[BaseException] = []

    def restart():
        try:
            time.sleep(max(0.0, t0 + restart_at - time.monotonic()))
            down_at = time.monotonic() - t0
            log(f"  {down_at:5.1f} s: stopping PostgreSQL (pg_ctl stop -m fast)")
            cluster.stop("fast")
            stopped_at = time.monotonic() - t0
            time.sleep(down_for)
            start_at = time.monotonic() - t0
            log(f"  {start_at:5.1f} s: starting PostgreSQL")
            cluster.start()
            while not cluster.accepting():
                time.sleep(0.02)
            up_at = time.monotonic() - t0
            log(f"  {up_at:5.1f} s: PostgreSQL accepts connections again")
            result.restart = Restart(down_at, stopped_at, start_at, up_at)
        except BaseException as exc:  # reported after the readers finish
            restart_error.append(exc)

    restarter = None
    if restart_at is not None:
        restarter = threading.Thread(target=restart, daemon=True)
        restarter.start()
    next_progress = 10.0
    while any(thread.is_alive() for thread in threads):
        time.sleep(0.5)
        elapsed = time.monotonic() - t0
        if elapsed >= next_progress and elapsed < duration:
            done = list(result.requests)
            errors = sum(not r.ok for r in done)
            log(f"  {elapsed:5.1f} s: {len(done)} requests, {errors} errors")
            next_progress += 10
    for thread in threads:
        thread.join()
    if restarter is not None:
        restarter.join()
    if restart_error:
        raise restart_error[0]
    result.requests.sort(key=lambda r: r.started)
    return result


# --- Analysis ----------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else 0.0


def analyse(result: SoakResult, budget: float = RECOVERY_BUDGET) -> dict:
    requests = result.requests
    ok = [r for r in requests if r.ok]
    errors = [r for r in requests if not r.ok]
    latencies = [(r.ended - r.started) * 1000 for r in ok]
    summary = {
        "readers": result.readers,
        "duration_s": result.duration,
        "requests": len(requests),
        "ok": len(ok),
        "errors": len(errors),
        "error_kinds": dict(collections.Counter(r.outcome for r in errors)),
        "requests_per_s": round(len(requests) / result.duration, 1),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "ok_by_page": dict(collections.Counter(r.page for r in ok)),
    }
    seconds = int(result.duration + 0.999)
    timeline = [[0, 0] for _ in range(seconds + 1)]
    for r in requests:
        timeline[min(int(r.ended), seconds)][0 if r.ok else 1] += 1
    summary["timeline"] = timeline
    restart = result.restart
    if restart is None:
        summary["unexpected_errors"] = len(errors)
        return summary
    # An error is expected when its request was answered while PostgreSQL was down, or within
    # the budget after it came back.
    unexpected = sorted(
        (r for r in errors if not (restart.down_at <= r.ended <= restart.up_at + budget)),
        key=lambda r: r.ended,
    )
    after_up = [r for r in errors if r.ended > restart.up_at]
    last_error = max((r.ended for r in errors), default=None)
    first_clean = next(
        (
            second
            for second in range(int(restart.up_at), seconds)
            if timeline[second][1] == 0
            and all(errors_ == 0 for _ok, errors_ in timeline[second:seconds])
        ),
        None,
    )
    summary["restart"] = {
        "down_at_s": round(restart.down_at, 2),
        "stopped_at_s": round(restart.stopped_at, 2),
        "start_called_at_s": round(restart.start_at, 2),
        "up_at_s": round(restart.up_at, 2),
        "first_error_at_s": round(min(r.ended for r in errors), 2) if errors else None,
        "last_error_at_s": round(last_error, 2) if errors else None,
        "errors_after_up": len(after_up),
        # Negative: the last error came before PostgreSQL accepted connections again.
        "last_error_after_up_s": round(last_error - restart.up_at, 2) if errors else None,
        "first_error_free_second": first_clean,
        "first_error_free_second_after_up_s": (
            round(max(0.0, first_clean - restart.up_at), 2) if first_clean is not None else None
        ),
        "ok_between_down_and_up": sum(restart.down_at <= r.ended <= restart.up_at for r in ok),
    }
    summary["unexpected_errors"] = len(unexpected)
    summary["unexpected_error_times_s"] = [round(r.ended, 2) for r in unexpected[:20]]
    return summary


def report(summary: dict, budget: float = RECOVERY_BUDGET) -> str:
    lines = [
        f"{summary['readers']} readers for {summary['duration_s']:g} s through gunicorn "
        f"(uncached, PostgreSQL): {summary['requests']} requests "
        f"({summary['requests_per_s']} /s), {summary['errors']} errors "
        f"{summary['error_kinds'] or ''}",
        f"latency of successful requests: p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms",
        "pages answered 200: "
        + ", ".join(f"{page} {summary['ok_by_page'].get(page, 0)}" for page in PAGES),
    ]
    restart = summary.get("restart")
    marks = collections.defaultdict(list)
    if restart:
        marks[int(restart["down_at_s"])].append(f"{restart['down_at_s']} stop called")
        marks[int(restart["stopped_at_s"])].append(f"{restart['stopped_at_s']} down")
        marks[int(restart["start_called_at_s"])].append(
            f"{restart['start_called_at_s']} start called"
        )
        marks[int(restart["up_at_s"])].append(f"{restart['up_at_s']} accepting connections")
        end = restart["up_at_s"] + budget
        marks[int(end)].append(f"{end:.2f} end of the {budget:g} s budget")
    lines.append("timeline (second: ok / errors, by response time; PostgreSQL events)")
    for second, (ok, errors) in enumerate(summary["timeline"]):
        if second >= summary["duration_s"] and not (ok or errors):
            continue
        mark = f"  <- {'; '.join(marks[second])}" if marks.get(second) else ""
        lines.append(f"  {second:3d} s: {ok:5d} / {errors:<5d}{mark}")
    if restart:
        lines += [
            f"PostgreSQL: stop called at {restart['down_at_s']} s, down at "
            f"{restart['stopped_at_s']} s, start called at {restart['start_called_at_s']} s, "
            f"accepting connections at {restart['up_at_s']} s",
            f"errors: first at {restart['first_error_at_s']} s, last at "
            f"{restart['last_error_at_s']} s ({restart['errors_after_up']} after PostgreSQL was "
            f"back); {restart['ok_between_down_and_up']} requests still answered 200 while down",
            f"recovery: last error {restart['last_error_after_up_s']} s after PostgreSQL accepted "
            f"connections (negative: before); first error-free second is second {restart['first_error_free_second']}"
            f" ({restart['first_error_free_second_after_up_s']} s after) "
            f"(target <= {budget:g} s: "
            f"{'met' if summary['unexpected_errors'] == 0 else 'NOT met'})",
            f"errors outside [stop called, back + {budget:g} s]: {summary['unexpected_errors']}"
            + (
                f" at {summary['unexpected_error_times_s']}" if summary["unexpected_errors"] else ""
            ),
        ]
    return "\n".join(lines)


# --- Site --------------------------------------------------------------------------------------


@dataclass
class SoakSite:
    cluster: PostgresCluster
    port: int
    paths: dict
    workdir: Path


def _digest(paths, extra: str = "") -> str:
    digest = hashlib.sha256(extra.encode())
    for path in sorted(paths):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def site_cache_key(cluster: PostgresCluster) -> str:
    """Changes when the schema, the benchmark content code or PostgreSQL's version does."""
    files = [*ROOT.glob("*/migrations/*.py"), ROOT / "requirements.lock"]
    files += [ROOT / "benchmarks" / name for name in ("render.py", "http.py")]
    files.append(ROOT / "tests" / "factories.py")
    return _digest(files, extra=str(cluster.bin))


def static_cache_key() -> str:
    files = [p for p in (ROOT / "static").rglob("*") if p.is_file()]
    return _digest([*files, ROOT / "requirements.lock", ROOT / "site_core/settings/base.py"])


def load_site(cluster: PostgresCluster, media_root: Path, cache_dir: Path) -> tuple[str, dict]:
    """Create the benchmark site in ``cluster``: restored from a cached dump when one exists
    for the same migrations and build code, else migrated and built (and then dumped)."""
    key = site_cache_key(cluster)
    cached = cache_dir / f"site-{key}"
    database_url = cluster.create_database("confnotes_soak")
    if (cached / "ready").exists():
        log(f"Restoring the benchmark site from {cached.relative_to(ROOT)}…")
        cluster.tool(
            "pg_restore",
            "-h",
            "127.0.0.1",
            "-p",
            cluster.port,
            "-U",
            "postgres",
            "-d",
            "confnotes_soak",
            "--no-owner",
            cached / "site.dump",
        )
        shutil.copytree(cached / "media", media_root)
        paths = json.loads((cached / "paths.json").read_text())
        return database_url, paths
    log("Building the benchmark site (migrate + pages; cached for the next run)…")
    paths = build_site(database_url, media_root)
    shutil.rmtree(cached, ignore_errors=True)
    cached.mkdir(parents=True)
    cluster.tool(
        "pg_dump",
        "-Fc",
        "-h",
        "127.0.0.1",
        "-p",
        cluster.port,
        "-U",
        "postgres",
        "-f",
        cached / "site.dump",
        "confnotes_soak",
        as_postgres=False,
    )
    shutil.copytree(media_root, cached / "media")
    (cached / "paths.json").write_text(json.dumps(paths))
    (cached / "ready").touch()
    return database_url, paths


@contextlib.contextmanager
def soak_site(cache_dir: Path = ROOT / "var" / "soak-cache"):
    """A private PostgreSQL cluster with the benchmark site and gunicorn in front of it.

    The built database (a pg_dump) and the collected static files are cached under
    ``cache_dir``, keyed by what they are made from, so later runs start in seconds.
    """
    with contextlib.ExitStack() as stack:
        workdir = Path(tempfile.mkdtemp(prefix="confnotes-soak-"))
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        log("Starting a private PostgreSQL cluster (initdb)…")
        cluster = PostgresCluster(workdir)
        stack.callback(cluster.destroy)
        media_root = workdir / "media"
        database_url, paths = load_site(cluster, media_root, cache_dir)
        static_root = cache_dir / f"static-{static_cache_key()}"
        env = production_env(database_url, static_root, media_root)
        env["CONN_MAX_AGE"] = "60"  # production's default, stated: persistent connections
        if not (static_root / "staticfiles.json").exists():
            log("Collecting static files…")
            collectstatic(env)
        log("Starting gunicorn (production settings, 2 sync workers)…")
        port = start_gunicorn(stack, env, workdir)
        yield SoakSite(cluster, port, paths, workdir)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--restart-postgres-at", type=float, default=None, metavar="T")
    parser.add_argument("--down", type=float, default=3.0, help="seconds PostgreSQL stays down")
    args = parser.parse_args(argv)
    if args.restart_postgres_at is not None and args.restart_postgres_at >= args.duration:
        parser.error("--restart-postgres-at must be inside --duration")

    def on_sigterm(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    with soak_site() as site:
        log(f"{args.readers} readers for {args.duration:g} s…")
        result = run_soak(
            site.port,
            site.paths,
            readers=args.readers,
            duration=args.duration,
            cluster=site.cluster,
            restart_at=args.restart_postgres_at,
            down_for=args.down,
        )
    summary = analyse(result)
    print()
    print(report(summary))
    print(json.dumps({k: v for k, v in summary.items() if k != "timeline"}, indent=2))
    latencies_ok = summary["ok"] > 0
    return 0 if latencies_ok and summary["unexpected_errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
