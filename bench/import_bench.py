"""Benchmark `storysite import` on a large form export (streamed, bounded memory).

    python bench/import_bench.py [--rows 100000]

Generates the export with make_demo_export.py's generator, imports it into an
empty site in a child process, and reports wall time and peak memory.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from make_demo_export import write_export

MAPPING = Path(__file__).resolve().parent.parent / "imports" / "mapping.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="storysite-import-bench-"))
    try:
        site = root / "site"
        site.mkdir()
        (site / "storysite.yaml").write_text("title: Banc d'essai\nlanguage: fr\n", encoding="utf-8")
        export = root / "export.csv"
        write_export(export, args.rows)
        code = (
            "import resource, sys, time, runpy\n"
            "sys.argv = ['storysite'] + sys.argv[1:]\n"
            "start = time.perf_counter()\n"
            "try:\n    runpy.run_module('storysite', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "print(f'BENCH {time.perf_counter() - start:.2f} '\n"
            "      f'{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}', file=sys.stderr)\n"
        )
        done = subprocess.run([sys.executable, "-c", code, "import", str(export), "--map", str(MAPPING), "--site",
                               str(site)], capture_output=True, text=True, check=False,
                              env={**os.environ, "SOURCE_DATE_EPOCH": "1795132800"})
        line = next(x for x in done.stderr.splitlines() if x.startswith("BENCH "))
        _, seconds, peak = line.split()
        summary = next((x for x in done.stdout.splitlines() if x.startswith("Imported")), done.stdout[-300:])
        print(f"{args.rows:,} rows ({export.stat().st_size / 1e6:.1f} MB): {seconds} s, peak {peak} MiB. {summary}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
