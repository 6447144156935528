"""The command line as CI and editors meet it: signals, colours, exit codes, messages."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from storysite.cli import main
from tests.conftest import BUILD_EPOCH, REPO, memory

# Runs a build whose parse workers announce themselves, then wait: a signal sent once the
# file exists reaches the build while its pool of forked workers is running.
_SLOW_BUILD = textwrap.dedent("""\
    import pathlib, sys, time
    import storysite.parallel as parallel

    real = parallel.fork_map

    def announce_then_wait(function, items, workers, threshold=200, meanwhile=None):
        def slow(item):
            pathlib.Path(sys.argv[1]).touch()
            time.sleep(60)
            return function(item)
        return real(slow, items, workers, 1, meanwhile)

    parallel.fork_map = announce_then_wait
    from storysite.cli import main
    main(["build", sys.argv[2], "--jobs", "2"])
""")


def test_sigterm_during_a_build_stops_it_and_its_workers_as_ctrl_c_does(make_site, tmp_path: Path) -> None:
    # `timeout 10m storysite build`, a cancelled CI job, `kill`: SIGTERM reaches the build alone,
    # not its workers. They were left behind for ever (blocked on their queue, holding the log's
    # pipe open), and the build died with no word.
    site = make_site({"content/memories/a.md": memory("A"), "content/memories/b.md": memory("B")})
    assert site.build().exit_code == 0
    before = site.output_files()
    site.write("content/memories/b.md", memory("B changé"))
    ready = tmp_path / "ready"
    build = subprocess.Popen([sys.executable, "-c", _SLOW_BUILD, str(ready), str(site.root)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                             env={**os.environ, "SOURCE_DATE_EPOCH": BUILD_EPOCH, "PYTHONPATH": str(REPO)})
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and build.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists(), build.communicate()
        build.send_signal(signal.SIGTERM)
        out, err = build.communicate(timeout=30)
        assert build.returncode == 128 + signal.SIGTERM, (build.returncode, err)
        assert err == "terminated\n" and out == ""
        _wait_until_no_process_is_left_in(build.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(build.pid, signal.SIGKILL)
        build.wait()
    assert site.output_files() == before


_INTERRUPTED_POOL = textwrap.dedent("""\
    import multiprocessing, os, signal, sys, threading, time
    from storysite import parallel
    from storysite.labels import stage
    from tests.test_cli_review import signal_then_wait

    failed = []
    threading.excepthook = lambda args: failed.append(args.exc_type.__name__)

    def stop(signum, frame):  # as the build's SIGTERM handler does
        for child in multiprocessing.active_children():
            child.kill()
        raise KeyboardInterrupt

    signal.signal(signal.SIGUSR1, stop)
    parent = os.getpid()

    def work(item):
        if item == 0:
            os.kill(parent, signal.SIGUSR1)
        time.sleep(60)
        return item

    interrupted = 0
    for _attempt in range(int(sys.argv[1])):  # a race: the pool's thread may set its errors before or after
        try:
            if sys.argv[2] == "labels":  # forkserver workers: the work is a module's function
                stage._in_pool(signal_then_wait, [(parent, index) for index in range(64)], 2)
            else:
                parallel.fork_map(work, list(range(400)), 2)
        except KeyboardInterrupt:
            interrupted += 1
    print(interrupted, failed)
""")


def signal_then_wait(job: tuple[int, int]) -> int:
    """A pool's work for the test below: the first job interrupts the parent, every job waits."""
    parent, index = job
    if index == 0:
        os.kill(parent, signal.SIGUSR1)
    time.sleep(60)
    return index


@pytest.mark.parametrize(("pool", "attempts"), [("parse", 60), ("labels", 48)])
def test_workers_stopped_while_the_build_waits_for_them_leave_no_traceback(pool: str, attempts: int) -> None:
    # Interrupted while waiting for its workers' results, the build's pool (pool.map) cancelled
    # the futures left, and the pool's own thread, finding its workers killed, then set an error
    # on a cancelled one: Python printed that thread's InvalidStateError traceback under the
    # build's "terminated", now and then (once in about 30 SIGTERMs of a CI job).
    done = subprocess.run([sys.executable, "-c", _INTERRUPTED_POOL, str(attempts), pool], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(REPO)}, check=False, cwd=REPO)
    assert done.stdout == f"{attempts} []\n", (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr


def _wait_until_no_process_is_left_in(group: int) -> None:
    """Wait until the build's process group (the build and its workers) is empty, or fail."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)  # a worker left in the build's process group
        except ProcessLookupError:
            return
        time.sleep(0.1)
    raise AssertionError("the build's workers outlived it")


def test_a_build_killed_outright_leaves_no_worker_behind(make_site, tmp_path: Path) -> None:
    # SIGKILL (the out-of-memory killer, a CI runner's last resort) reaches the build alone and
    # no handler sees it: its forked workers, waiting on a queue whose other end they hold
    # themselves, outlived it for ever (found by a differential fuzzer, whose pipe they held).
    site = make_site({"content/memories/a.md": memory("A"), "content/memories/b.md": memory("B")})
    _kill_once_ready_and_wait_for_its_workers(_SLOW_BUILD, tmp_path / "ready", str(site.root))


def _kill_once_ready_and_wait_for_its_workers(script: str, ready: Path, argument: str) -> None:
    """Run ``script`` (given ``ready`` and ``argument``) in a process group of its own, SIGKILL it
    once it has touched ``ready``, and fail unless no process of its group outlives it."""
    build = subprocess.Popen([sys.executable, "-c", script, str(ready), argument],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                             env={**os.environ, "SOURCE_DATE_EPOCH": BUILD_EPOCH, "PYTHONPATH": str(REPO)})
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and build.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists()
        build.kill()
        build.wait(timeout=30)
        _wait_until_no_process_is_left_in(build.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(build.pid, signal.SIGKILL)


# The photo and label pools start their workers from a forkserver (always for labels; for
# photos when the build runs threads, as the preview server does): workers that are not the
# build's own children. Each is given work that lasts; the file is touched once they run it.
_POOL_HELD = textwrap.dedent("""\
    import pathlib, sys, threading, time
    from storysite.images import run_in_pool as photo_pool
    from storysite.labels.stage import _in_pool as label_pool

    def announce():
        time.sleep(4)  # (the forkserver and its workers start in well under that)
        pathlib.Path(sys.argv[1]).touch()

    threading.Thread(target=announce, daemon=True).start()
    if sys.argv[2] == "labels":
        label_pool(time.sleep, [60] * 8, 2)
    else:
        list(photo_pool(time.sleep, [60] * 8, 2))
""")


@pytest.mark.parametrize("pool", ["labels", "photos"])
def test_a_build_killed_outright_leaves_no_label_or_photo_worker_behind(tmp_path: Path, pool: str) -> None:
    # Their workers waited for ever on their queue once the build was gone, as forked ones did.
    _kill_once_ready_and_wait_for_its_workers(_POOL_HELD, tmp_path / "ready", pool)


def test_no_color_turns_colours_off_in_a_terminal(make_site) -> None:
    # https://no-color.org, as the tools CI logs and editors' terminals are set up for.
    site = make_site({"content/memories/a.md": "---\ntitle: T\nstatus: nope\n---\n"})
    coloured = site.runner.invoke(main, ["check", str(site.root)], color=True)  # as in a terminal
    assert coloured.exit_code == 1 and "\x1b[31m" in coloured.stderr
    for command in (["check", str(site.root)], ["build", str(site.root)]):
        plain = site.runner.invoke(main, command, color=True, env={"NO_COLOR": "1"})
        assert plain.exit_code == 1, plain.output
        assert "content/memories/a.md:3: status:" in plain.stderr
        assert "\x1b[" not in plain.output, plain.output


def test_a_timelinejs_import_that_leaves_events_out_exits_1(make_site, tmp_path: Path) -> None:
    # An event left out is an error (no warning: prefix); CI took the import for a whole one (exit 0).
    import json

    site = make_site({})
    timeline = tmp_path / "t.json"
    timeline.write_text(json.dumps({"events": [
        {"start_date": {"year": "1976"}, "text": {"headline": "Bon"}},
        {"start_date": {"year": "vers 1980"}, "text": {"headline": "Année en mots"}},
    ]}, indent=1), encoding="utf-8")
    result = site.run("import", "timelinejs", str(timeline), "--site", str(site.root))
    assert result.exit_code == 1, result.output
    assert "start_date.year 'vers 1980' is not a number; the event is left out" in result.stderr
    assert "Imported 1 milestone(s)" in result.stdout
    assert "Import incomplete: 1 event(s) were left out" in result.stderr
    assert [p.name for p in (site.root / "content/timeline").iterdir()] == ["1976-bon.yaml"]


def test_new_prints_a_next_command_that_runs_as_it_is_copied(tmp_path: Path, monkeypatch) -> None:
    # "Next: storysite build Mon site" built the folder 'Mon' (or failed on "l'été").
    import shlex

    from click.testing import CliRunner

    monkeypatch.chdir(tmp_path)
    for name in ("Mon site", "l'été 86", "plain"):
        result = CliRunner().invoke(main, ["new", name])
        assert result.exit_code == 0, result.output
        command = result.stdout.split("Next: ", 1)[1].strip()
        assert shlex.split(command) == ["storysite", "build", name], command
    assert "Next: storysite build plain\n" in result.stdout  # no quotes where none are needed


def test_a_command_run_from_a_folder_of_the_site_names_the_site(make_site, monkeypatch) -> None:
    # `cd content && storysite build` said only "no storysite.yaml here; run 'storysite new DIR'".
    site = make_site({"content/memories/a.md": memory("A")})
    monkeypatch.chdir(site.root / "content")
    for args in (["build"], ["check", "."], ["check", "memories"], ["withdraw", "a", "--site", "memories"]):
        result = site.run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert ("storysite.yaml:1: no storysite.yaml here; this folder is inside the site in '..': run storysite "
                "from there, or name that folder (as DIR or --site)") in result.stderr, (args, result.stderr)
    assert "Withdrawn" not in result.output and not site.public.exists()
    monkeypatch.chdir(site.root.parent)
    result = site.run("check", "site/content")
    assert "this folder is inside the site in 'site':" in result.stderr, result.stderr
    (site.root / "elsewhere").mkdir()
    result = site.run("build", str(site.root.parent))
    assert "no storysite.yaml here; run 'storysite new DIR' to start a site" in result.stderr, result.stderr


def test_an_empty_site_folder_is_a_usage_error_not_the_current_folder(make_site, monkeypatch) -> None:
    # `storysite build "$SITE"` with SITE unset built (or withdrew from) whatever site was here.
    site = make_site({"content/memories/a.md": memory("A"), "x.csv": "title,text\nUn,Texte\n"})
    monkeypatch.chdir(site.root)
    for args, hint in ((["build", ""], "DIR"), (["check", " "], "DIR"), (["serve", ""], "DIR"),
                       (["withdraw", "a", "--site", ""], "--site"), (["import", "x.csv", "--site", ""], "--site")):
        result = site.run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert f"Invalid value for {hint}: is empty; give the site's folder, or leave {hint} out" in result.stderr
    assert not site.public.exists()
    assert "status: approved" in (site.root / "content/memories/a.md").read_text("utf-8")
    assert sorted(p.name for p in (site.root / "content/memories").iterdir()) == ["a.md"]


def test_help_names_options_alike_in_every_command(make_site) -> None:
    # --site read "DIR" in label's help, "TEXT [default: .]" in import's and withdraw's; serve's
    # --port said nothing of itself.
    site = make_site({})
    for command in ("import", "withdraw", "label"):
        help_text = site.run(command, "--help").stdout
        assert "--site DIR" in help_text and "The site folder (default: here)." in help_text, help_text
        assert "--site TEXT" not in help_text and "[default: .]" not in help_text, help_text
    assert "--out FOLDER" in site.run("import", "--help").stdout
    serve = site.run("serve", "--help").stdout
    assert "--port N" in serve and "Port to listen on" in serve and "--host HOST" in serve, serve


def test_a_site_builds_alike_under_a_locale_that_is_not_utf8(make_site) -> None:
    # A CI image with LANG=C and PYTHONUTF8=0, or a fr_FR.ISO-8859-1 locale: Python would read
    # the site's (UTF-8) file names in that encoding, refusing "Été à Noël.md" as not UTF-8 or
    # giving it another URL. storysite runs itself again in Python's UTF-8 mode.
    import os
    import subprocess
    import sys

    site = make_site({"content/memories/Été à Noël.md": memory("Noël")})
    env = {**os.environ, "LC_ALL": "POSIX", "LANG": "POSIX", "PYTHONUTF8": "0"}
    env.pop("PYTHONIOENCODING", None)
    result = subprocess.run([sys.executable, "-m", "storysite", "build", str(site.root)], env=env,
                            capture_output=True, text=True, encoding="utf-8", errors="replace")
    assert result.returncode == 0, result.stderr
    assert (site.public / "memories/ete-a-noel/index.html").is_file()
