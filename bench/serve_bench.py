"""Benchmark the preview: from saving one memory to the reload event of `storysite serve`.

    python bench/serve_bench.py [--sizes 1000 10000] [--edits 5]

Generates a site of N memories (as bench/build_bench.py does), starts `storysite serve`
on it in a child process, listens to its live-reload stream (the one open pages
listen to) and, for each edit, appends a sentence to one published memory and times
how long until the server announces the rebuilt site. That is what an editor waits
for between saving and seeing the page change (the browser's own reload comes on top:
a few milliseconds for one page). Prints a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate_site import generate

EVENTS_PATH = "/__storysite/events"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Events:
    """The server's live-reload stream: each `state` event carries the build generation."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.connection.request("GET", EVENTS_PATH)
        self.response = self.connection.getresponse()

    def close(self) -> None:
        self.connection.close()

    def next_state(self) -> dict[str, object]:
        data = ""
        while True:
            line = self.response.readline().decode()
            if not line:
                raise RuntimeError("the preview server closed its event stream")
            if line.startswith("data: "):
                data = line[len("data: "):].strip()
            elif line == "\n" and data:
                state: dict[str, object] = json.loads(data)
                return state


def wait_for_server(port: int, process: subprocess.Popen[bytes], limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("storysite serve exited before serving")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("storysite serve did not start listening")


def quiet_generation(port: int, settle: float) -> int:
    """The build generation once it has not changed for ``settle`` seconds."""
    generation = -1
    while True:
        time.sleep(settle)
        events = Events(port)
        now = int(str(events.next_state()["generation"]))
        events.close()
        if now == generation:
            return now
        generation = now


def published_memories(site: Path) -> list[Path]:
    return sorted(p for p in (site / "content/memories").glob("*.md") if "status: approved" in p.read_text())


def measure(site: Path, edits: int) -> list[float]:
    """Seconds from each save to the reload event."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "storysite", "serve", str(site), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        wait_for_server(port, process, limit=900)
        events = Events(port)
        state = events.next_state()
        while int(state["generation"]) < 1:  # type: ignore[call-overload]
            state = events.next_state()
        # Once serving, the preview links its first output for the first save to recycle and
        # looks for files saved during its first build (rebuilding if it finds any): the
        # edits are timed from when it is quiet, as an editor meets it after opening the page.
        events.close()
        generation = quiet_generation(port, settle=max(5.0, len(published_memories(site)) / 4000))
        events = Events(port)
        events.next_state()
        targets = published_memories(site)
        times = []
        for number in range(edits):
            time.sleep(1.0)  # an editor does not save twice within the debounce window
            target = targets[(number * 7919) % len(targets)]
            started = time.perf_counter()
            with open(target, "a", encoding="utf-8") as handle:
                handle.write(f"\nUne phrase ajoutée pendant l'aperçu, numéro {number}.\n")
            state = events.next_state()
            while int(state["generation"]) <= generation and not state["errors"]:  # type: ignore[call-overload]
                state = events.next_state()
            times.append(time.perf_counter() - started)
            if state["errors"]:
                raise RuntimeError(f"the preview build failed: {state['errors']}")
            generation = int(state["generation"])  # type: ignore[call-overload]
        return times
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--root", type=Path, default=Path("/tmp/storysite-serve-bench"))
    args = parser.parse_args()
    rows = []
    for count in args.sizes:
        site = args.root / f"site-{count}"
        shutil.rmtree(site, ignore_errors=True)
        generate(count, site)
        times = measure(site, args.edits)
        print(f"N={count}: save to reload " + ", ".join(f"{t:.2f} s" for t in times), flush=True)
        rows.append((count, statistics.median(times), min(times), max(times)))
    shutil.rmtree(args.root, ignore_errors=True)
    print()
    print("| memories | save to reload (median) | fastest | slowest |")
    print("|---:|---:|---:|---:|")
    for count, median, fastest, slowest in rows:
        print(f"| {count:,} | {median:.2f} s | {fastest:.2f} s | {slowest:.2f} s |")


if __name__ == "__main__":
    main()
