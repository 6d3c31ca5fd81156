"""`make bench`: every benchmark in one run, printing its figures.

python -m benchmarks            # render (50 vs 500 blocks) and search (10,000 talks)
BENCH_TALKS=2000 python -m benchmarks
"""

import os
import subprocess
import sys


def main() -> int:
    talks = os.environ.get("BENCH_TALKS", "10000")
    steps = [
        [sys.executable, "-m", "benchmarks.render"],
        [sys.executable, "-m", "benchmarks.search", "--talks", talks],
    ]
    for step in steps:
        print(f"\n$ {' '.join(step[1:])}", flush=True)
        subprocess.run(step, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
