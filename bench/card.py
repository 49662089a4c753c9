"""The peer card (``shared/bench-peers/card.json``) through ogedge: warm renders, a cold start through the Lambda
entry, the cache-hit path, peak memory and output size, each figure in a process of its own, in one run.

- ``warm text`` / ``warm photo``: ``renderer.render`` of the card as a layer request (the photo as base64), in a
  long-lived process after 3 untimed renders; p50/p95 of the timed ones and the process's peak RSS (VmHWM).
- ``cold``: a fresh interpreter that imports ``handler.main`` and answers the Function URL event of
  ``infra/events/function-url-get-slug.json`` (a miss: render and store in a local folder); wall time from spawn to
  exit, and its peak RSS.
- ``hit``: the same event again and again in one process through ``lambda_handler`` (the object stored, a
  ``MemoryStore``): handler time per request.

The baseline, run the same way in the same run: ``shared/bench-peers/peers/pillow_naive.py`` (a first-attempt Pillow
script of the same card) with this interpreter, warm and cold (a fresh process that renders and writes the card);
the last lines are ogedge's figures over its (below 1: ogedge is faster or smaller).

    .venv/bin/python bench/card.py [--n 40] [--cold-runs 7]

Figures beside other renderers come from ``shared/bench-peers`` (see bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("OGEDGE_SHARED", ROOT.parent / "shared"))

WARM = r"""
import base64, json, sys, time
from pathlib import Path
card_path, variant, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
card = json.loads(card_path.read_text())
def box(b):
    return {"position": {"x_in_px": b["x"], "y_in_px": b["y"]},
            "dimensions": {"width_in_px": b["w"], "height_in_px": b["h"]}}
def text(t, index, weight):
    return {"index": index, "type": "text", "text": t["text"], "font_name": "Inter", "font_weight": weight,
            "font_size_in_px": t["size"], "text_color": t["color"], **box(t["box"])}
accent = card["accent"]
layers = [
    {"index": 0, "type": "solid-color", "hex_color": card["background"]},
    {"index": 1, "type": "solid-color", "hex_color": accent["color"], **box(accent)},
    text(card["title"], 2, "bold"), text(card["site"], 3, "regular"),
]
if variant == "photo":
    photo = card["photo"]
    data = base64.b64encode((card_path.parent / photo["src"]).read_bytes()).decode()
    layers.append({"index": 4, "type": "image", "file": {"type": "base64", "base64": data}, **box(photo["box"])})
request = {"dimensions": {"width_in_px": card["width"], "height_in_px": card["height"]}, "layers": layers}
from renderer import render
for _ in range(3):
    data = render(request).data
times = []
for _ in range(n):
    start = time.perf_counter()
    data = render(request).data
    times.append(time.perf_counter() - start)
rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"times": times, "bytes": len(data), "rss_kb": rss}))
"""

COLD = r"""
import json, sys
from handler.main import lambda_handler
response = lambda_handler(json.load(open(sys.argv[1])), None)
assert response["statusCode"] == 302, response
rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"rss_kb": rss}))
"""

HIT = r"""
import json, sys, time, logging
from handler import main
from handler.store import MemoryStore
event = json.load(open(sys.argv[1]))
main.lambda_handler(event, None)
runtime = main._runtime
runtime.deps.service.store = MemoryStore()
assert runtime(event, None)["headers"]["x-ogedge-cache"] == "miss"
logging.getLogger("ogedge").disabled = True
for _ in range(100):
    runtime(event, None)
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    response = runtime(event, None)
    times.append(time.perf_counter() - start)
assert response["headers"]["x-ogedge-cache"] == "hit"
print(json.dumps({"times": times}))
"""


def run(code: str, *args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def naive(mode: str, variant: str, n: int, out: Path) -> dict[str, object]:
    """The shared naive Pillow peer, run by this interpreter (it needs only Pillow)."""
    script = SHARED / "bench-peers" / "peers" / "pillow_naive.py"
    argv = [sys.executable, str(script), "--mode", mode, "--variant", variant, "--out", str(out), "--n", str(n)]
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def ms(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] * 1000
        if q != 50
        else (statistics.median(values) * 1000)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--cold-runs", type=int, default=7)
    args = parser.parse_args()
    card = SHARED / "bench-peers" / "card.json"
    event = str(ROOT / "infra" / "events" / "function-url-get-slug.json")
    print(f"{'figure':<12}{'p50 ms':>10}{'p95 ms':>10}{'peak RSS MiB':>14}{'bytes':>9}")
    ratios: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="ogedge-bench-") as folder:
        measure(args.n, args.cold_runs, card, event, Path(folder), ratios)
    print("ogedge / naive Pillow, this run:")
    for name, ratio in ratios:
        print(f"  {name:<38}{ratio:>6.2f}")


def store_env(store: str) -> dict[str, str]:
    """The environment of a cold start or a hit: a filesystem store in ``store``, the example site."""
    env = {**os.environ, "OGEDGE_STORE_DIR": store, "OGEDGE_SITE": str(ROOT / "examples" / "site.json")}
    return {**env, "OGEDGE_CDN_URL": "https://cdn.example.com"}


def measure(n: int, cold_runs: int, card: Path, event: str, scratch: Path, ratios: list[tuple[str, float]]) -> None:
    for variant in ("text", "photo"):
        warm = run(WARM, str(card), variant, str(n))
        base = naive("warm", variant, n, scratch / f"naive-{variant}.png")
        times, base_ms = warm["times"], base["times_ms"]
        assert isinstance(times, list)
        assert isinstance(base_ms, list)
        base_times = [float(t) / 1000 for t in base_ms]
        rss, base_rss = int(str(warm["rss_kb"])) / 1024, int(str(base["self_vmhwm_kb"])) / 1024
        print(f"{'warm ' + variant:<12}{ms(times, 50):>10.2f}{ms(times, 95):>10.2f}{rss:>14.1f}{warm['bytes']:>9}")
        row = f"{ms(base_times, 50):>10.2f}{ms(base_times, 95):>10.2f}{base_rss:>14.1f}{base['png_bytes']:>9}"
        print(f"{'  naive':<12}{row}")
        ratios += [(f"warm {variant} p50", ms(times, 50) / ms(base_times, 50)), (f"{variant} peak RSS", rss / base_rss)]
        ratios.append((f"{variant} PNG bytes", int(str(warm["bytes"])) / int(str(base["png_bytes"]))))
    colds: list[float] = []
    base_colds: list[float] = []
    rss_kb = 0
    for _ in range(cold_runs):  # interleaved with the baseline's cold starts
        with tempfile.TemporaryDirectory() as store:
            start = time.perf_counter()
            cold = run(COLD, event, env=store_env(store))
            colds.append(time.perf_counter() - start)
            rss_kb = max(rss_kb, int(str(cold["rss_kb"])))
        start = time.perf_counter()
        naive("cold", "text", 1, scratch / "naive-cold.png")
        base_colds.append(time.perf_counter() - start)
    print(f"{'cold':<12}{ms(colds, 50):>10.1f}{max(colds) * 1000:>10.1f}{rss_kb / 1024:>14.1f}{'':>9}")
    print(f"{'  naive':<12}{ms(base_colds, 50):>10.1f}{max(base_colds) * 1000:>10.1f}")
    ratios.append(("cold (Lambda entry vs naive script)", ms(colds, 50) / ms(base_colds, 50)))
    with tempfile.TemporaryDirectory() as store:
        hit = run(HIT, event, "500", env=store_env(store))
    hits = hit["times"]
    assert isinstance(hits, list)
    print(f"{'hit':<12}{ms(hits, 50):>10.3f}{ms(hits, 95):>10.3f}")
    print("cold: spawn to exit of a fresh interpreter (max in the p95 column); hit: handler time per request")


if __name__ == "__main__":
    main()
