"""Measure a model on ../shared/realworld/dev.csv (real tweets; evaluation only, never training).

Prints per-class and partisan figures and the false-flag rate on the political + other rows. Skips cleanly
when ../shared is absent.

Usage: python bench/realworld.py [--model PATH] [--json]
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "realworld" / "dev.csv"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--data", default=str(DEV))
    parser.add_argument("--json", action="store_true")
    arguments = parser.parse_args()
    if not Path(arguments.data).is_file():
        print(f"skipped: {arguments.data} not found (the shared evaluation data is not here)")
        return 0
    from netral_scan.model import load
    from netral_scan.training import evaluate, format_evaluation, read_labelled

    metrics = evaluate(load(arguments.model), read_labelled(arguments.data)).metrics
    print(json.dumps(metrics, indent=2) if arguments.json else format_evaluation(metrics))
    return 0


if __name__ == "__main__":
    sys.exit(main())
