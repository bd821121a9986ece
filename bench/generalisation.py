"""Measure a model on ../shared/realworld/dev.csv (real tweets; evaluation only, never training).

Prints per-class and partisan figures and the false-flag rate on the political + other rows. Skips cleanly
when ../shared is absent.

Usage: python bench/generalisation.py [--model PATH] [--json] [--card]   (--card records the figures in the model card)
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
    parser.add_argument("--card", action="store_true", help="record the figures in the model's card")
    arguments = parser.parse_args()
    if not Path(arguments.data).is_file():
        print(f"skipped: {arguments.data} not found (the shared evaluation data is not here)")
        return 0
    from netral_scan.model import card_path, load, write_card
    from netral_scan.training import evaluate, format_evaluation, read_labelled

    model = load(arguments.model)
    metrics = evaluate(model, read_labelled(arguments.data)).metrics
    if arguments.card:  # the card, not the model file, changes: the model's SHA-256 still matches
        write_card(dict(model.card, realworld_dev_metrics=metrics), card_path(model.path))
    print(json.dumps(metrics, indent=2) if arguments.json else format_evaluation(metrics))
    return 0


if __name__ == "__main__":
    sys.exit(main())
