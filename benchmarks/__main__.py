"""`make bench`: every benchmark in one run, printing its figures.

python -m benchmarks   # scratch (budgets), render, search, import, hostile imports, uploads, S3 faults, http (wrk), soak
BENCH_TALKS=2000 python -m benchmarks
"""

import os
import subprocess
import sys


def main() -> int:
    talks = os.environ.get("BENCH_TALKS", "10000")
    steps = [
        # Instructions per render, cached and from scratch, beside the budgets of issue #20.
        [sys.executable, "-m", "benchmarks.scratch"],
        [sys.executable, "-m", "benchmarks.render"],
        [sys.executable, "-m", "benchmarks.search", "--talks", talks],
        # Markdown import: talks per second for a generated 1,000-talk file.
        [sys.executable, "-m", "benchmarks.import_notes", "--talks", "1000"],
        # Hostile notes files: import time at n, 2n and 4n per worst-case shape (linear: ×2, ×4).
        [sys.executable, "-m", "benchmarks.import_hostile", "--repeat", "2"],
        # Hostile uploads: time to refuse each kind next to accepting a normal image.
        [sys.executable, "-m", "benchmarks.uploads", "--control"],
        # S3 refusing, answering 503 and silent: time until the editor sees the error.
        [sys.executable, "-m", "benchmarks.s3_faults"],
        # wrk: the talk page uncached, through Varnish, and as an nginx static file (ceiling).
        [sys.executable, "-m", "benchmarks.http", "--duration", "20"],
        # 16 readers for 60 s, then again with PostgreSQL restarted 20 s in.
        [sys.executable, "-m", "benchmarks.soak", "--readers", "16", "--duration", "60"],
        [
            sys.executable,
            "-m",
            "benchmarks.soak",
            "--readers",
            "16",
            "--duration",
            "60",
            "--restart-postgres-at",
            "20",
        ],
    ]
    for step in steps:
        print(f"\n$ {' '.join(step[1:])}", flush=True)
        subprocess.run(step, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
