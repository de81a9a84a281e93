"""python -m ml train | score | ct | serve: the churn model's steps (make train, score, ct, serve-model)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=None, help="DATA_DIR (default: $DATA_DIR or ./data)")
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train, evaluate, register; promote if the gate allows")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--exclude-feature", action="append", default=[], help="leave a feature out (repeatable)")
    train.add_argument("--shuffle-labels", action="store_true", help="train on shuffled labels (the gate must refuse)")
    train.add_argument("--json", action="store_true", help="print the summary as JSON")
    score = commands.add_parser("score", help="score the newest as-of date's customers with the champion")
    score.add_argument("--json", action="store_true")
    ct = commands.add_parser("ct", help="decide whether the continuous-training cycle retrains (exit 0: retrain)")
    ct.add_argument("--json", action="store_true")
    serve = commands.add_parser("serve", help="serve the champion with MLflow's scoring server on 127.0.0.1")
    serve.add_argument("--port", type=int, default=None, help="default 5001")
    args = parser.parse_args(argv)
    data_dir = args.data_dir or Path(os.environ.get("DATA_DIR") or "data")
    try:
        return _run(args, data_dir)
    except (ValueError, FileNotFoundError) as error:  # too little data, no warehouse, no champion: say what to do
        print(f"error: {error}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace, data_dir: Path) -> int:

    if args.command == "train":
        from .train import TrainOptions, format_summary
        from .train import train as run_train

        summary = run_train(
            data_dir,
            TrainOptions(
                seed=args.seed, exclude_features=tuple(args.exclude_feature), shuffle_labels=args.shuffle_labels
            ),
        )
        print(json.dumps(summary, indent=2) if args.json else format_summary(summary))
        return 0
    if args.command == "score":
        from .score import format_scores, score_current

        result = score_current(data_dir)
        print(json.dumps(result, indent=2) if args.json else format_scores(result))
        return 0
    if args.command == "serve":
        from .serve import DEFAULT_PORT
        from .serve import serve as run_serve

        return run_serve(data_dir, args.port or DEFAULT_PORT)
    from .ct import retrain_decision

    decision = retrain_decision(data_dir)
    print(json.dumps(decision, indent=2) if args.json else decision["reason"])
    return 0 if decision["retrain"] else 3


if __name__ == "__main__":
    sys.exit(main())
