"""`propbot nlu eval FILE` and `propbot nlu bench`."""

from __future__ import annotations

import argparse
import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

import nlu
from nlu.bench import SAMPLE_MESSAGES, as_dict, run_bench
from nlu.evaluation import evaluate, load_dataset

DEFAULT_BENCH_FILE = Path("tests/data/nlu_dev.tsv")
# Column heads narrow enough for the nine-intent confusion matrix in an 80-column terminal.
_SHORT = {
    "repair": "rep",
    "complaint": "cmp",
    "consult": "cns",
    "visitor": "vis",
    "status": "sta",
    "cancel": "can",
    "rating": "rat",
    "greeting": "grt",
    "other": "oth",
}


def add_nlu_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    nlu = subparsers.add_parser("nlu", help="measure the message-understanding package")
    commands = nlu.add_subparsers(dest="nlu_command", required=True)

    ev = commands.add_parser("eval", help="score the NLU on a labelled TSV file")
    ev.add_argument("file", type=Path, help="TSV: text, intent, urgent, slots (JSON)")
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.add_argument("--now", help="ISO time for relative dates (default: the file's # now:)")
    ev.add_argument("--errors", action="store_true", help="also list every wrong row")
    ev.set_defaults(func=cmd_eval)

    bench = commands.add_parser("bench", help="start-up time, messages/s, memory")
    bench.add_argument(
        "--file", type=Path, default=None, help=f"messages to time (default: {DEFAULT_BENCH_FILE})"
    )
    bench.add_argument("--seconds", type=float, default=2.0, help="minimum timing per measure")
    bench.add_argument("--json", action="store_true", help="print the figures as JSON")
    bench.set_defaults(func=cmd_bench)

    tr = commands.add_parser(
        "train",
        help="retrain the learned layers (nlu/data/model.json, category_model.json)",
    )
    tr.add_argument(
        "files",
        type=Path,
        nargs="*",
        help="labelled TSV files (default: the training files)",
    )
    tr.add_argument("--output", type=Path, default=None, help="default: nlu/data/model.json")
    tr.add_argument("--json", action="store_true", help="print the cross-validation as JSON")
    tr.set_defaults(func=cmd_train)


def _quiet_jieba() -> None:
    # jieba announces dictionary loading on stderr; the figures are what matter here.
    logging.getLogger("jieba").setLevel(logging.WARNING)


def cmd_eval(args: argparse.Namespace) -> int:
    _quiet_jieba()
    path: Path = args.file
    if not path.is_file():
        print(f"no such file: {path}")
        return 2
    data = load_dataset(path)
    now = datetime.fromisoformat(args.now) if args.now else data.now
    report = evaluate(data.examples, nlu.analyze, now)
    result = report.as_dict()
    if not args.errors:
        result.pop("errors")
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    _print_report(result, path)
    return 0


def _print_report(result: dict[str, Any], path: Path) -> None:
    console = Console()
    console.print(f"[bold]{path}[/]: {result['total']} messages")
    console.print(f"intent accuracy: [bold]{result['accuracy']:.1%}[/]")
    urgent = result["urgent"]
    console.print(
        f"urgent recall: [bold]{urgent['recall']:.1%}[/]  precision: [bold]"
        f"{urgent['precision']:.1%}[/]  ({urgent['support']} urgent, {urgent['flagged']} flagged)"
    )
    console.print(
        f"asked whether urgent (urgent_doubt): {urgent['missed_asked']} of {urgent['missed']}"
        f" missed emergencies, {urgent['calm_asked']} of {urgent['calm']} calm messages"
    )
    table = Table(title="per intent")
    for col in ("intent", "precision", "recall", "F1", "support"):
        table.add_column(col, justify="right" if col != "intent" else "left")
    for name, row in result["per_intent"].items():
        table.add_row(
            name,
            f"{row['precision']:.3f}",
            f"{row['recall']:.3f}",
            f"{row['f1']:.3f}",
            str(row["support"]),
        )
    console.print(table)
    labels = list(result["confusion"])
    matrix = Table(title="confusion (rows: expected, columns: predicted)")
    matrix.add_column("")
    for label in labels:
        matrix.add_column(_SHORT.get(label, label), justify="right")
    for label in labels:
        matrix.add_row(label, *(str(result["confusion"][label][p]) for p in labels))
    console.print(matrix)
    slots = Table(title="slot accuracy (over rows where the slot is expected)")
    slots.add_column("slot")
    slots.add_column("accuracy", justify="right")
    slots.add_column("support", justify="right")
    for name, row in result["slots"].items():
        slots.add_row(name, f"{row['accuracy']:.3f}", str(row["support"]))
    console.print(slots)
    for err in result.get("errors", []):
        console.print(
            f"line {err['line']}: {err['text']}  {err['expected']} -> {err['got']}"
            f"  urgent {err['urgent']}  slots {err['wrong_slots']}",
            markup=False,
        )


def cmd_bench(args: argparse.Namespace) -> int:
    _quiet_jieba()
    path: Path | None = args.file
    if path is None and DEFAULT_BENCH_FILE.is_file():
        path = DEFAULT_BENCH_FILE
    messages = [ex.text for ex in load_dataset(path).examples] if path else list(SAMPLE_MESSAGES)
    result = run_bench(messages, min_seconds=args.seconds)
    figures = as_dict(result)
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    console = Console()
    console.print(f"messages: {result.messages} ({path or 'built-in sample'})")
    console.print(f"start-up (import + warm_up, fresh interpreter): {result.startup_s:.3f} s")
    console.print(f"peak memory (RSS after warm-up and one pass): {result.peak_rss_mb:.1f} MB")
    console.print(f"analyze: {result.analyze_per_s:,.0f} messages/s (one core)")
    console.print(f"bare jieba.lcut: {result.lcut_per_s:,.0f} messages/s")
    console.print(
        f"cost ratio analyze / jieba.lcut: {result.cost_ratio:.2f}x (median of adjacent passes)"
    )
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    _quiet_jieba()
    from nlu.categorise import CATEGORY_MODEL_PATH
    from nlu.categorise import dump as dump_categories
    from nlu.categorylearn import build_categories
    from nlu.learn import MEASURE_ONLY, build_model, report_dict
    from nlu.model import MODEL_PATH, dump

    files: list[Path] = list(args.files)
    for path in files:
        if path.name in MEASURE_ONLY or "holdout" in path.name:
            print(f"refusing to train on {path}: it is a measure-only set")
            return 2
        if not path.is_file():
            print(f"no such file: {path}")
            return 2
    model, report = build_model(files or None)
    output: Path = args.output or MODEL_PATH
    output.write_text(dump(model), encoding="utf-8")
    layer, category_report = build_categories(files or None)
    (output.parent / CATEGORY_MODEL_PATH.name).write_text(dump_categories(layer), encoding="utf-8")
    result = report_dict(report)
    result["categories"] = category_report
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    console = Console()
    console.print(f"trained on {result['rows']} messages -> {output}")
    console.print(f"lambda {result['lambda']}, urgent threshold {result['threshold']}")
    for name in ("cv_rules_only", "cv"):
        cv = result[name]
        console.print(
            f"{name}: intent accuracy {cv['accuracy']:.3f}, urgent recall {cv['recall']:.3f},"
            f" precision {cv['precision']:.3f}; by file {cv['by_source']}",
            markup=False,
        )
    cats = result["categories"]
    console.print(
        f"categories ({cats['rows']} labelled): cross-validated {cats['cv_accuracy']:.3f},"
        f" the lexicon alone {cats['lexicon_accuracy']:.3f}"
    )
    return 0
