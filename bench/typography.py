"""Plain Latin titles before and after the font fallback machinery, in one run.

The baseline is an earlier commit (by default the last one before fallback fonts, bidi and emoji landed), checked
out into a temporary git worktree. One worker process per tree imports that tree's renderer and renders the same
plain Latin title cards; rounds alternate between the workers so machine noise hits both alike. The target: the
current tree at most 10% slower (ratio <= 1.10) on every card. Titles in other scripts are timed for the current
tree only (the baseline cannot draw them).

    .venv/bin/python bench/typography.py [--baseline REF] [--rounds 30] [--warmup 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "d1d6377"  # "Webhook URL validation ...": the last commit before fallback fonts

LATIN = {
    "short": "Why Postgres",
    "article": "How We Reduced Our Database Query Latency by 80% with **Connection Pooling**",
    "long auto-scale": (
        "A field guide to running Postgres at scale: connection pooling, vacuum tuning, partitioning strategies, "
        "logical replication, zero-downtime migrations and observability with pg_stat_statements"
    ),
}
OTHER = {
    "japanese": "データベースのクエリ遅延を80%削減した方法",
    "arabic": "كيف خفضنا زمن استجابة قاعدة البيانات بنسبة 80٪",
    "emoji": "Launch week \U0001f680\U0001f389 from \U0001f1e9\U0001f1ea \U0001f44b\U0001f3fd",
}

WORKER = r"""
import json, sys, time
sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, "__module__", "").startswith("__editable__")]
sys.path.insert(0, sys.argv[1])
import renderer
assert renderer.__file__.startswith(sys.argv[1]), renderer.__file__
from renderer import render
titles = json.loads(sys.argv[2])
def card(title, auto):
    return {"dimensions": {"width": 1200, "height": 630}, "layers": [
        {"type": "solid-color-background", "index": 0, "hex_color": "#0F172A"},
        {"type": "text", "index": 1, "text": title, "font_name": "Inter", "font_weight": "bold",
         "font_size_in_px": 64, "text_color": "#F8FAFC", "position": {"x": 72, "y": 72},
         "dimensions": {"width": 1056, "height": 400}, "should_auto_scale": auto}]}
cards = {name: card(title, "auto" in name) for name, title in titles.items()}
for line in sys.stdin:
    out = {}
    for name, request in cards.items():
        start = time.perf_counter()
        render(request)
        out[name] = time.perf_counter() - start
    print(json.dumps(out), flush=True)
"""


class Worker:
    def __init__(self, root: Path, titles: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(root), json.dumps(titles)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.times: dict[str, list[float]] = {name: [] for name in titles}

    def round(self, record: bool) -> None:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        result = json.loads(self.proc.stdout.readline())
        if record:
            for name, seconds in result.items():
                self.times[name].append(seconds)

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)

    def p50_ms(self, name: str) -> float:
        return statistics.median(self.times[name]) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default=BASELINE)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    tree = Path(tempfile.mkdtemp(prefix="ogedge-baseline-"))
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), args.baseline], check=True)
    try:
        before, after = Worker(tree, LATIN), Worker(ROOT, {**LATIN, **OTHER})
        for number in range(args.warmup + args.rounds):
            pair = (before, after) if number % 2 else (after, before)
            for worker in pair:
                worker.round(record=number >= args.warmup)
        before.close()
        after.close()
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
        shutil.rmtree(tree, ignore_errors=True)
    print(f"render p50 of a 1200x630 title card, {args.rounds} rounds; baseline {args.baseline}")
    print(f"{'card':<18}{'before ms':>11}{'after ms':>11}{'ratio':>8}")
    worst = 0.0
    for name in LATIN:
        ratio = after.p50_ms(name) / before.p50_ms(name)
        worst = max(worst, ratio)
        print(f"{name:<18}{before.p50_ms(name):>11.2f}{after.p50_ms(name):>11.2f}{ratio:>8.3f}")
    for name in OTHER:
        print(f"{name:<18}{'-':>11}{after.p50_ms(name):>11.2f}{'':>8}")
    print(f"worst plain Latin ratio {worst:.3f} (target <= 1.10): {'met' if worst <= 1.10 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
