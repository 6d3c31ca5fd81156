"""HTTP benchmark under wrk: the talk page uncached, through the front cache, and as a static file.

    python -m benchmarks.http                        # SQLite (var/bench-http.sqlite3)
    DATABASE_URL=postgres://… python -m benchmarks.http --duration 20
    python -m benchmarks.http --worker-class gthread --threads 4

Builds (or reuses) a benchmark database with a 50-block talk page (``benchmarks.render.body``),
collects static files, and starts on free loopback ports, all with production settings:
gunicorn (2 workers), varnishd in front of it started as in production (``deploy/varnish/
varnishd.sh``: ``default.vcl`` and the parameters in ``varnishd.params``), and nginx serving the
exact response Varnish serves from a file — the ceiling: the same body bytes with the same
Content-Encoding (gzip via ``gzip_static``; the identity bytes with ``--identity``) and the
app's security headers (CSP, X-Frame-Options, ...). wrk sends ``Accept-Encoding: gzip`` as every
browser does (Varnish compresses pages once, when it fetches them; the app does not compress),
unless ``--identity``. After a warm-up, ``wrk --latency`` runs against each for the same
duration, and the table gives requests per second and p50/p99 latency with the ratios (b)/(c)
and (a)/(c). Every run checks that all responses were 2xx (wrk's "Non-2xx" line, no socket
errors), that the cached run was served from Varnish (X-Cache: HIT, and varnishstat: hits went up
by the request count, the backend saw none), and that a cache miss sent through Varnish while
run (a) saturates gunicorn is answered 200 (the health probe must not mark a busy app sick).

wrk, gunicorn, varnishd and nginx share the machine's cores (two here): wrk runs one thread
(``-t1``) so it takes at most one core, and numbers swing with other load, so quote the ratios
of one run. "Uncached" means no front cache: the app servers still keep page fragments
(``pages.fragments``); ``FRAGMENT_CACHE_TIMEOUT=0 python -m benchmarks.http`` measures (a) with
every page rendered from scratch. The last column, the server's CPU time (user + system, all its processes, from
/proc) per response, moves much less with other load than requests/s. Everything started here is stopped at the end, also on Ctrl-C or an error.
"""

import argparse
import contextlib
import gzip
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
VCL = ROOT / "deploy" / "varnish" / "default.vcl"
# Production starts varnishd through this script, with the parameters in varnishd.params.
VARNISHD_SH = ROOT / "deploy" / "varnish" / "varnishd.sh"
TALK_TITLE = "Talk with 50 blocks"


def log(message: str) -> None:
    """Progress goes to stderr so stdout keeps only the figures."""
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- The benchmark site ------------------------------------------------------------------------


def build_in_process() -> dict:
    """Migrate and create the benchmark pages unless they exist; return their paths.

    Runs in a child process (``--build``) with ``benchmarks.render.setup_django`` (test settings,
    DATABASE_URL and TEST_MEDIA_ROOT from the environment).
    """
    from benchmarks.render import body, setup_django

    setup_django(os.environ["DATABASE_URL"])
    from django.core.management import call_command
    from django.test import Client

    from pages.models import TalkPage
    from tests.factories import (
        ConferenceFactory,
        DayFactory,
        ImageFactory,
        SpeakerFactory,
        TalkFactory,
    )

    call_command("migrate", verbosity=0)
    talk = TalkPage.objects.filter(title=TALK_TITLE).first()
    if talk is None:
        conference = ConferenceFactory(title="Benchmark conference", slug="benchmark-conference")
        day = DayFactory(parent=conference, title="Day 1", slug="day-1")
        images = [ImageFactory(title=f"Bench image {n}") for n in range(5)]
        speaker = SpeakerFactory(name="Bench Speaker")
        talk = TalkFactory(
            parent=day,
            title=TALK_TITLE,
            slug="talk-with-50-blocks",
            body=body(1, images, speaker),
            speakers=[speaker],
        )
    day = talk.get_parent()
    paths = {
        "home": "/",
        "conference": day.get_parent().url,
        "day": day.url,
        "talk": talk.url,
        "search": "/search/?q=sentence+talk",
    }
    client = Client()
    for path in paths.values():  # the first view of the talk creates the image renditions
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    return paths


def build_site(database_url: str, media_root: Path) -> dict:
    """Build or reuse the benchmark database in a child process; return the page paths."""
    env = {**os.environ, "DATABASE_URL": database_url, "TEST_MEDIA_ROOT": str(media_root)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.http", "--build"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode != 0:
        raise RuntimeError(f"building the benchmark site failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_database_url(name: str) -> str:
    """``name`` on the server of DATABASE_URL when it is PostgreSQL, else var/<name>.sqlite3."""
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith("postgres"):
        import psycopg

        server = database_url.rsplit("/", 1)[0]
        admin = server.replace("postgres://", "postgresql://", 1) + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
        return f"{server}/{name}"
    VAR.mkdir(exist_ok=True)
    return f"sqlite:///{VAR / (name + '.sqlite3')}"


def production_env(database_url: str, static_root: Path, media_root: Path) -> dict:
    """Production settings on loopback: plain HTTP, no S3, no purging, no search server."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "site_core.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(media_root),
        "SECURE_SSL_REDIRECT": "false",
    }
    for name in (
        "AWS_STORAGE_BUCKET_NAME",
        "FRONTEND_CACHE_URL",
        "OPENSEARCH_URL",
        "ELASTICSEARCH_URL",
        "CONN_MAX_AGE",
    ):
        env.pop(name, None)
    return env


def collectstatic(env: dict) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"collectstatic failed:\n{done.stderr[-3000:]}")


# --- Processes ---------------------------------------------------------------------------------


# Port -> process group of the server listening there (each Service is its own session).
PROCESS_GROUPS: dict[int, int] = {}


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds of every live process in the group (from /proc)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ... utime, stime
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


class Service:
    """A child process in its own session, output to a log file, stopped with its group."""

    def __init__(self, name: str, args: list[str], workdir: Path, env=None, cwd=ROOT):
        self.name = name
        self.log_path = workdir / f"{name}.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def check_running(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(
                f"{self.name} exited ({self.process.returncode}):\n{self.log_tail()}"
            )

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()


def get(port: int, path: str, headers=None, timeout: float = 10.0):
    """One GET on loopback: (status, headers, body bytes)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def wait_until_serving(service: Service, port: int, path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        service.check_running()
        try:
            status, _headers, _body = get(port, path, timeout=5)
            if status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"{service.name} did not answer 200 on {path}:\n{service.log_tail()}"
            )
        time.sleep(0.2)


def start_gunicorn(
    stack: contextlib.ExitStack,
    env: dict,
    workdir: Path,
    workers: int = 2,
    worker_class: str = "sync",
    threads: int = 1,
) -> int:
    """gunicorn with ``env`` (production settings) on a free loopback port; returns the port."""
    port = free_port()
    args = [
        str(Path(sys.executable).with_name("gunicorn")),
        "site_core.wsgi",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "60",
    ]
    if worker_class == "gthread":
        args += ["--threads", str(threads)]
    service = Service("gunicorn", args, workdir, env=env)
    stack.callback(service.stop)
    wait_until_serving(service, port, "/healthz")
    PROCESS_GROUPS[port] = service.process.pid
    return port


def varnishd_binary() -> str | None:
    return shutil.which("varnishd") or (
        "/usr/sbin/varnishd" if Path("/usr/sbin/varnishd").exists() else None
    )


def start_varnish(stack: contextlib.ExitStack, backend_port: int, workdir: Path) -> tuple:
    """varnishd as in production (varnishd.sh: default.vcl and varnishd.params) in front of
    ``backend_port``, in the foreground on a free loopback port; returns (port, instance).
    """
    binary = varnishd_binary()
    if not binary:
        raise RuntimeError("varnishd is not installed (apt-get install varnish)")
    vcl = VCL.read_text().replace('.port = "8000";', f'.port = "{backend_port}";')
    assert f'"{backend_port}"' in vcl, "the VCL's backend port line changed"
    (workdir / "default.vcl").write_text(vcl)
    port = free_port()
    instance = workdir / "varnish-instance"
    args = [
        str(VARNISHD_SH),
        "-F",
        "-j",
        "none",
        "-n",
        str(instance),
        "-a",
        f"127.0.0.1:{port}",
        "-f",
        str(workdir / "default.vcl"),
        "-T",
        "none",
    ]
    service = Service("varnishd", args, workdir, env={**os.environ, "VARNISHD": binary})
    stack.callback(service.stop)
    wait_until_serving(service, port, "/healthz")
    PROCESS_GROUPS[port] = service.process.pid
    return port, instance


def varnish_counters(instance: Path) -> dict:
    done = subprocess.run(
        ["varnishstat", "-n", str(instance), "-1", "-j"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if done.returncode != 0:
        raise RuntimeError(f"varnishstat failed: {done.stderr}")
    data = json.loads(done.stdout)
    counters = data.get("counters", data)
    return {
        name.split(".", 1)[1]: counters[name]["value"]
        for name in ("MAIN.cache_hit", "MAIN.cache_miss", "MAIN.backend_req", "MAIN.client_req")
    }


# Response headers nginx sets itself, or that only a cache adds.
_NOT_COPIED = {
    "server",
    "date",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "content-type",
    "content-encoding",
    "vary",
    "etag",
    "last-modified",
    "accept-ranges",
    "age",
    "via",
    "x-varnish",
    "x-cache",
}


def start_nginx(
    stack: contextlib.ExitStack,
    body: bytes,
    path: str,
    workdir: Path,
    gzipped: bytes | None = None,
    headers: dict | None = None,
) -> int:
    """nginx (``daemon off``, temporary config) serving ``body`` at ``path``; returns the port.

    ``gzipped``: the compressed bytes, served (``gzip_static``) to requests accepting gzip.
    ``headers``: the page's own response headers (CSP, ...), added to nginx's.
    """
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
    root = workdir / "nginx"
    (root / "html").mkdir(parents=True)
    files = [root / "html" / "talk.html"]
    files[0].write_bytes(body)
    if gzipped is not None:
        files.append(root / "html" / "talk.html.gz")
        files[1].write_bytes(gzipped)
    # Workers may run as nobody: let them read the files.
    for directory in (workdir, root, root / "html"):
        directory.chmod(0o755)
    for file in files:
        file.chmod(0o644)
    add_headers = ""
    for name, value in (headers or {}).items():
        if name.lower() not in _NOT_COPIED:
            assert '"' not in value and "\\" not in value and "$" not in value, (name, value)
            add_headers += f'\n            add_header {name} "{value}" always;'
    gzip_static = "on" if gzipped is not None else "off"
    port = free_port()
    config = f"""
worker_processes 2;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {root}/client_body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root}/html;
        location = {path} {{
            default_type "text/html; charset=utf-8";
            gzip_static {gzip_static};
            gzip_vary on;{add_headers}
            try_files /talk.html =404;
        }}
    }}
}}
"""
    (root / "nginx.conf").write_text(config)
    service = Service("nginx", [binary, "-c", str(root / "nginx.conf")], workdir, cwd=root)
    stack.callback(service.stop)
    wait_until_serving(service, port, path)
    PROCESS_GROUPS[port] = service.process.pid
    return port


# --- wrk -------------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()
    return float(number) * _UNITS_MS[unit]


def parse_wrk(output: str) -> dict:
    """Requests, rps, p50/p99 (ms), non-2xx/3xx responses and socket errors from wrk --latency."""
    requests = re.search(r"(\d+) requests in ([\d.]+)(\w+),", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests": int(requests.group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": round(_ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)), 3),
        "p99_ms": round(_ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)), 3),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0,
    }


def run_wrk(
    port: int, path: str, duration: float, connections: int, threads: int = 1, headers=None
) -> dict:
    args = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "10s",
        "--latency",
    ]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    args.append(f"http://127.0.0.1:{port}{path}")
    done = subprocess.run(args, capture_output=True, text=True, timeout=duration + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr}\n{done.stdout}")
    result = parse_wrk(done.stdout)
    result["output"] = done.stdout
    return result


# --- The benchmark ------------------------------------------------------------------------------


def _install_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so the ExitStack stops every service."""

    def handler(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def miss_during(port: int, path: str, delay: float, result: dict) -> threading.Timer:
    """After ``delay`` seconds, GET ``path`` (not cached yet) through Varnish; note status/time."""

    def fetch():
        started = time.monotonic()
        try:
            status, _headers, _body = get(port, path, timeout=60)
        except OSError as exc:
            status = f"{type(exc).__name__}: {exc}"
        result.update(status=status, seconds=round(time.monotonic() - started, 2))

    timer = threading.Timer(delay, fetch)
    timer.start()
    return timer


def header_bytes(headers: dict) -> int:
    return sum(len(name) + len(value) + 4 for name, value in headers.items())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of wrk before each run")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--worker-threads", type=int, default=4, help="gthread threads/worker")
    parser.add_argument(
        "--identity",
        action="store_true",
        help="requests without Accept-Encoding: gzip (Varnish then gunzips every hit)",
    )
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.build:
        print(json.dumps(build_in_process()))
        return 0
    for tool in ("wrk", "nginx", "varnishstat"):
        if not (shutil.which(tool) or Path(f"/usr/sbin/{tool}").exists()):
            print(f"{tool} is not installed: apt-get install wrk varnish nginx-light")
            return 1
    _install_sigterm()

    database_url = bench_database_url("confnotes_bench_http")
    vendor = "postgresql" if database_url.startswith("postgres") else "sqlite"
    media_root = VAR / "bench-http-media"
    request_headers = {} if args.identity else {"Accept-Encoding": "gzip"}
    log(f"Building or reusing the benchmark database ({vendor})…")
    paths = build_site(database_url, media_root)
    talk = paths["talk"]
    miss = {}
    with contextlib.ExitStack() as stack:
        workdir = Path(tempfile.mkdtemp(prefix="confnotes-bench-http-"))
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        env = production_env(database_url, workdir / "static", media_root)
        log("Collecting static files…")
        collectstatic(env)
        log(f"Starting gunicorn (2 {args.worker_class} workers), varnishd and nginx…")
        app = start_gunicorn(
            stack, env, workdir, worker_class=args.worker_class, threads=args.worker_threads
        )
        status, app_headers, app_page = get(app, talk, request_headers)
        assert status == 200, (talk, status)
        cache, instance = start_varnish(stack, app, workdir)
        # Fill the cache now, so that (b) measures hits only.
        status, headers, cached_body = get(cache, talk, request_headers)
        assert status == 200, ("varnish", status)
        encoding = headers.get("Content-Encoding", "identity")
        # nginx serves exactly what Varnish serves: the same body bytes, the same encoding.
        if encoding == "gzip":
            page, gzipped = gzip.decompress(cached_body), cached_body
        else:
            page, gzipped = cached_body, None
        assert page == app_page, "Varnish serves the app's page"
        static = start_nginx(stack, page, talk, workdir, gzipped=gzipped, headers=headers)
        status, static_headers, static_body = get(static, talk, request_headers)
        assert status == 200 and static_body == cached_body, "nginx serves Varnish's bytes"
        assert static_headers.get("Content-Encoding", "identity") == encoding, static_headers
        served = {"(a)": app_headers, "(b)": headers, "(c)": static_headers}

        targets = {
            "(a) gunicorn, no front cache": app,
            "(b) Varnish front cache": cache,
            "(c) nginx static file": static,
        }
        results = {}
        for label, port in targets.items():
            log(f"{label}: warm-up {args.warmup:g} s, then wrk for {args.duration:g} s…")
            run_wrk(port, talk, args.warmup, args.connections, args.threads, request_headers)
            status, headers, body = get(port, talk, request_headers)
            assert status == 200 and len(body) > 3_000, (label, status)
            timer = None
            if port == app:
                # While wrk saturates gunicorn: a page Varnish has not cached must still come
                # back 200 (queued), not 503 because the health probe called the app sick.
                timer = miss_during(cache, f"{talk}?miss-during-a", args.duration * 0.75, miss)
            before = varnish_counters(instance)
            cpu_before = group_cpu_seconds(PROCESS_GROUPS[port])
            result = run_wrk(
                port, talk, args.duration, args.connections, args.threads, request_headers
            )
            cpu = group_cpu_seconds(PROCESS_GROUPS[port]) - cpu_before
            after = varnish_counters(instance)
            # CPU the server spent per response: steadier than requests/s on a shared machine.
            result["server_cpu_us"] = round(cpu / max(1, result["requests"]) * 1e6, 1)
            if timer is not None:
                timer.join()
            delta = {name: after[name] - before[name] for name in after}
            if port == cache:
                result["x_cache"] = headers.get("X-Cache")
                result["age"] = headers.get("Age")
                result["varnish"] = delta
            status, _headers, _body = get(port, talk, request_headers)
            result["status_after"] = status
            results[label] = result

    a, b, c = results.values()
    cached = b["varnish"]
    problems = []
    for label, r in results.items():
        if r["non_2xx"] or r["socket_errors"] or r["status_after"] != 200:
            problems.append(
                f"{label}: {r['non_2xx']} non-2xx/3xx, {r['socket_errors']} socket errors, "
                f"status after the run {r['status_after']}"
            )
    if b["x_cache"] != "HIT" or cached["cache_hit"] < b["requests"] or cached["cache_miss"]:
        problems.append(f"(b) was not served from the cache: X-Cache {b['x_cache']}, {cached}")
    if miss.get("status") != 200:
        problems.append(f"a cache miss during (a) was answered {miss.get('status')}, not 200")

    print(
        f"\nTalk page ({len(page) / 1024:.0f} KiB, 50 blocks), {vendor}, wrk -t{args.threads} "
        f"-c{args.connections} -d{args.duration:g}s on loopback, gunicorn 2 {args.worker_class} "
        f"workers{f' x {args.worker_threads} threads' if args.worker_class == 'gthread' else ''}, "
        f"{os.cpu_count()} CPUs shared by wrk and the servers"
    )
    print(
        f"requests with {'no Accept-Encoding' if args.identity else 'Accept-Encoding: gzip'}; "
        f"bodies served: (a) {len(app_page)} B {app_headers.get('Content-Encoding', 'identity')}, "
        f"(b) and (c) the same {len(cached_body)} B {encoding}; response headers "
        + ", ".join(f"{k} {header_bytes(h)} B" for k, h in served.items())
    )
    print(
        f"{'':<26}{'requests':>10}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
        f"{'server CPU us/req':>19}"
    )
    for label, r in results.items():
        print(
            f"{label:<26}{r['requests']:>10}{r['rps']:>10.1f}{r['p50_ms']:>9.2f}"
            f"{r['p99_ms']:>9.2f}{r['non_2xx'] + r['socket_errors']:>8}{r['server_cpu_us']:>19.1f}"
        )
    print(
        f"(b) cache check: X-Cache {b['x_cache']}, Age {b['age']}; during the run varnishstat "
        f"counted {cached['cache_hit']} hits, {cached['cache_miss']} misses, "
        f"{cached['backend_req']} backend requests"
    )
    print(
        f"a cache miss sent through Varnish during (a): {miss.get('status')} "
        f"after {miss.get('seconds')} s"
    )
    ratio_b, ratio_a = b["rps"] / c["rps"], a["rps"] / c["rps"]
    print(
        f"ratio (b)/(c) requests/s: {ratio_b:.2f} "
        f"(target >= 0.80: {'met' if ratio_b >= 0.8 else 'NOT met'})"
    )
    print(f"ratio (a)/(c) requests/s: {ratio_a:.4f} (1 : {1 / ratio_a:.0f})")
    print(
        f"server CPU per request (b)/(c): {b['server_cpu_us'] / c['server_cpu_us']:.2f} "
        f"(Varnish {b['server_cpu_us']:.1f} us, nginx {c['server_cpu_us']:.1f} us)"
    )
    summary = {label: {k: v for k, v in r.items() if k != "output"} for label, r in results.items()}
    print(
        json.dumps(
            {
                "database": vendor,
                "worker_class": args.worker_class,
                "content_encoding": encoding,
                "miss_during_a": miss,
                **summary,
            },
            indent=2,
        )
    )
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
