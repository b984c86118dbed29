"""Start-up time: `codtool --help` and a few quick commands, beside bare Python and `import typer`.

    python bench/bench_startup.py [--runs 15]

Each command runs in a fresh interpreter; the median wall and CPU seconds (user + system,
from the child's rusage) and peak RSS are printed. On a shared machine compare the rows of
one run with each other: the `python -c pass` and `import typer` rows are the floor.
Children run with bytecode caches, as an installed codtool has them (PYTHONDONTWRITEBYTECODE
is dropped: compiling 80 modules from source would be most of what is measured).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(cmd: list[str], runs: int) -> tuple[float, float, float]:
    """Median wall seconds, median CPU seconds and the largest peak RSS (MiB) over `runs` runs."""
    walls, cpus, peak = [], [], 0.0
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
        peak = max(peak, usage.ru_maxrss / 1024)
        if os.waitstatus_to_exitcode(status) not in (0, 1, 2):
            sys.exit(f"{cmd} failed")
    return statistics.median(walls), statistics.median(cpus), peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "startup.db")
        subprocess.run([str(BIN / "codtool"), "--db", db, "-q", "init"], check=True, capture_output=True, env=ENV)
        package = Path(__file__).resolve().parent.parent / "codtool"
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True, env=ENV)
        cases = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "python -c 'import typer'": [sys.executable, "-c", "import typer"],
            "codtool --help": [str(BIN / "codtool"), "--help"],
            "codtool check --help": [str(BIN / "codtool"), "check", "--help"],
            "codtool doctor": [str(BIN / "codtool"), "--db", db, "-q", "doctor"],
            "codtool batches list": [str(BIN / "codtool"), "--db", db, "-q", "batches", "list"],
        }
        print(f"{'command':28} {'wall s':>7} {'cpu s':>7} {'peak MiB':>9}   (median of {args.runs})")
        for name, cmd in cases.items():
            wall, cpu, peak = measure(cmd, args.runs)
            print(f"{name:28} {wall:7.3f} {cpu:7.3f} {peak:9.0f}")


if __name__ == "__main__":
    main()
