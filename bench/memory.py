"""Peak memory of `netral-scan check` on a 50,000- and a 500,000-item feed (constant-memory streaming).

Measured with /usr/bin/time -v ("Maximum resident set size"); prints both figures and their ratio.

Usage: python bench/memory.py [--jobs N] [--small 50000] [--large 500000]
"""

import argparse
import re
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
MAX_RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")


def peak_kb(feed: Path, jobs: int) -> tuple[int, str]:
    result = subprocess.run(["/usr/bin/time", "-v", "netral-scan", "check", str(feed), "-o", str(OUT / "memory.csv"),
                             "--jobs", str(jobs)], capture_output=True, text=True)
    summary = next((line for line in result.stderr.splitlines() if line.startswith("netral-scan:")), "")
    return int(MAX_RSS.search(result.stderr).group(1)), summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--small", type=int, default=50_000)
    parser.add_argument("--large", type=int, default=500_000)
    arguments = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    figures = {}
    for items in (arguments.small, arguments.large):
        feed = OUT / f"feed{items}.jsonl"
        if not feed.exists():
            subprocess.run([sys.executable, str(Path(__file__).with_name("make_feed.py")), str(items), str(feed)], check=True)
        figures[items], summary = peak_kb(feed, arguments.jobs)
        print(f"{items:>8} items: peak RSS {figures[items] / 1024:.0f} MiB  ({summary})", flush=True)
    ratio = figures[arguments.large] / figures[arguments.small]
    print(f"ratio {arguments.large}/{arguments.small}: {ratio:.2f} (target <= 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
