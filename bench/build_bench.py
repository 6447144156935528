"""Benchmark builds at fan-campaign scale: cold, no-change, one-memory edit, one-template edit.

    python bench/build_bench.py [--sizes 1000 10000 100000] [--jobs N]

Each measurement runs `storysite build` in a fresh process (so caches on disk
count, in-process state does not) and reports wall time and peak memory
(max RSS of the build process). Prints a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate_site import generate

STORYSITE = [sys.executable, "-m", "storysite"]


def run_build(site: Path, extra: list[str]) -> tuple[float, float]:
    """(seconds, peak MiB) of one build in a child process."""
    code = (
        "import resource, sys, time, runpy\n"
        "sys.argv = ['storysite'] + sys.argv[1:]\n"
        "start = time.perf_counter()\n"
        "try:\n"
        "    runpy.run_module('storysite', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "else:\n"
        "    code = 0\n"
        "elapsed = time.perf_counter() - start\n"
        "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(f'BENCH {elapsed:.4f} {max(rss, children):.1f} {code}', file=sys.stderr)\n"
    )
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1795132800"}
    # Measured as users run it: an installed package has its bytecode compiled (pip does it at
    # install, a checkout on first run), which a machine-wide PYTHONDONTWRITEBYTECODE would not
    # let happen: every build would compile storysite's modules again (0.07 s).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run([sys.executable, "-c", code, "build", "--quiet", str(site), *extra],
                          capture_output=True, text=True, env=env, check=False)
    line = next((x for x in done.stderr.splitlines() if x.startswith("BENCH ")), None)
    if line is None or not line.endswith(" 0"):
        raise SystemExit(f"build failed:\n{done.stderr[-3000:]}")
    _, seconds, peak, _ = line.split()
    return float(seconds), float(peak)


def bench(count: int, root: Path, extra: list[str], share: bool = False) -> dict[str, tuple[float, float]]:
    site = root / f"site-{count}"
    generate(count, site, share=share)
    results: dict[str, tuple[float, float]] = {}
    results["cold"] = run_build(site, extra)
    results["no change"] = run_build(site, extra)
    memory = site / "content" / "memories" / f"souvenir-{count // 2:06d}.md"
    memory.write_text(memory.read_text("utf-8").replace("Souvenir numéro", "Souvenir édité numéro", 1), "utf-8")
    results["one memory edited"] = run_build(site, extra)
    # The next edit is what an editor meets from then on: the output before last is recycled.
    memory = site / "content" / "memories" / f"souvenir-{count // 3:06d}.md"
    memory.write_text(memory.read_text("utf-8").replace("Souvenir numéro", "Souvenir revu numéro", 1), "utf-8")
    results["next memory edited"] = run_build(site, extra)
    bundled = Path(__file__).resolve().parent.parent / "themes" / "default" / "templates" / "memory.html"
    override = site / "themes" / "default" / "templates" / "memory.html"
    override.parent.mkdir(parents=True, exist_ok=True)
    override.write_text(bundled.read_text("utf-8") + "\n{# edited #}\n", "utf-8")
    results["one template edited"] = run_build(site, extra)
    # Nothing is deleted until every size is measured: on some file systems (ext4 without a
    # journal), creating files within minutes of deleting many is several times slower.
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--root", type=Path, default=Path("/tmp/storysite-bench"))
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--share", action="store_true", help="every memory gets a label share card")
    args = parser.parse_args()
    extra = ["--jobs", str(args.jobs)] if args.jobs else []
    rows = []
    for count in args.sizes:
        started = time.perf_counter()
        results = bench(count, args.root, extra, args.share)
        rows.append((count, results))
        print(f"N={count}: " + ", ".join(f"{k} {s:.2f} s / {m:.0f} MiB" for k, (s, m) in results.items())
              + f" (total {time.perf_counter() - started:.0f} s)", flush=True)
    print()
    print("| memories | cold build | no-change rebuild | one memory edited | next memory edited "
          "| one template edited | peak memory |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for count, results in rows:
        peak = max(m for _, m in results.values())
        cells = " | ".join(f"{results[k][0]:.2f} s" for k in ("cold", "no change", "one memory edited",
                                                               "next memory edited", "one template edited"))
        print(f"| {count:,} | {cells} | {peak:.0f} MiB |")
    shutil.rmtree(args.root, ignore_errors=True)


if __name__ == "__main__":
    main()
