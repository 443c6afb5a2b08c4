"""Cold-start times of the command line, printed; no assertions (issue 13 targets: --help <= 0.3 s,
``assess`` of one patient <= 0.6 s on the project machine).

Usage: ``python bench/bench_startup.py [RUNS]`` (default 7). Each figure is a fresh interpreter
(``python -m hccprotocol ...``, the console script does the same) timed from spawn to exit, with the
bytecode cache warm (one discarded run first). Reported: minimum (the machine's capability, least
disturbed by other load), median, and the load average at the end (the machine has 2 cores shared
with other jobs, so the median moves with the load). Also printed: the interpreter alone
(``python -c pass``) as the floor, and the slowest imports of ``assess`` from ``-X importtime``.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
P01 = str(ROOT / "examples" / "p01-bclc-c-pvtt.yaml")

CASES: dict[str, list[str]] = {
    "python -c pass (floor)": ["-c", "pass"],
    "hccprotocol --help": ["-m", "hccprotocol", "--help"],
    "hccprotocol --version": ["-m", "hccprotocol", "--version"],
    "hccprotocol assess p01 (table)": ["-m", "hccprotocol", "assess", P01],
    "hccprotocol assess p01 --format json": ["-m", "hccprotocol", "assess", P01, "--format", "json"],
    "hccprotocol dose p01 --format json": ["-m", "hccprotocol", "dose", P01, "--as-of", "2026-08-25", "-f", "json"],
}


def _time(args: list[str]) -> float:
    begin = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - begin


def _slowest_imports(args: list[str], n: int = 8) -> list[tuple[int, str]]:
    proc = subprocess.run([sys.executable, "-X", "importtime", *args], cwd=ROOT, capture_output=True, text=True)
    rows: list[tuple[int, str]] = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, _cumulative, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        rows.append((int(self_us), name))
    return sorted(rows, reverse=True)[:n]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cpu(s), {runs} runs each")
    for label, args in CASES.items():
        _time(args)  # warm the bytecode cache
        times = [_time(args) for _ in range(runs)]
        print(f"  {label:40s} min {min(times):.3f} s   median {statistics.median(times):.3f} s")
    print("  slowest imports of `assess` (self time, ms):")
    for self_us, name in _slowest_imports(CASES["hccprotocol assess p01 (table)"]):
        print(f"    {self_us / 1000:7.1f}  {name}")
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
