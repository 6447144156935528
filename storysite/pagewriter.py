"""Write every planned page into the staging folder: reuse what did not change,
render the rest, in a process pool when there is enough of it.

A page is reused when its render key (templates, settings, context: see
:mod:`storysite.cache`) equals the one recorded by the previous build and its
file is still in the previous output: the file is hard-linked into the new
output, byte for byte what a render would give. Rendering is a pure function
of the job and the environment, so serial and parallel builds write the same
bytes.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import jinja2

from storysite import thirdparty
from storysite.cache import PageFacts, context_key
from storysite.diagnostics import Diagnostic
from storysite.render import PageJob, render_job
from storysite.takedown import file_facts
from storysite.theme import Theme
from storysite.write import Staging

# Below this many pages to render, a pool costs more than it saves.
POOL_THRESHOLD = 400


@dataclass(frozen=True, slots=True)
class PageSettings:
    """What a page render needs besides its job (shared with pool workers by fork)."""

    env: jinja2.Environment
    theme: Theme
    salt: bytes
    base_path: str
    permitted_origins: frozenset[str]
    output_label: str


@dataclass
class PageResults:
    """Facts of every page written, problems found, and how many were rendered or reused."""

    facts: dict[str, PageFacts]
    problems: list[Diagnostic]
    rendered: int = 0
    reused: int = 0


# Set in the parent just before forking a pool; workers read it, nothing writes it then.
_WORK: tuple[PageSettings, Sequence[tuple[PageJob, str | None]], Path] | None = None


def _render_one(settings: PageSettings, job: PageJob, key: str | None, root: Path) -> tuple[
        str, PageFacts | None, list[Diagnostic], int]:
    output, problem = render_job(settings.env, settings.theme, job)
    if problem is not None or output is None:
        return job.output_path, None, [problem] if problem else [], 0
    _write(root, output.path, output.data)
    text = output.data.decode("utf-8")
    facts = file_facts(output.path, output.data, settings.base_path, text)
    problems = thirdparty.check_text(output.path, text, settings.permitted_origins, settings.output_label)
    return output.path, PageFacts(key or "", facts.sha256, facts.memories, facts.media), problems, len(output.data)


def _write(root: Path, relpath: str, data: bytes) -> None:
    """Write one page below ``root``; the plain os calls matter at tens of thousands of pages."""
    folder, _, _ = os.path.join(root, relpath).rpartition("/")
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
    fd = os.open(os.path.join(root, relpath), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _render_chunk(indices: list[int]) -> list[tuple[str, PageFacts | None, list[Diagnostic], int]]:
    assert _WORK is not None
    settings, work, root = _WORK
    return [_render_one(settings, *work[i], root) for i in indices]


def write_pages(jobs: Sequence[PageJob], settings: PageSettings, staging: Staging | None,
                previous: dict[str, PageFacts], previous_output: Path, workers: int) -> PageResults:
    """Render or reuse every job; with ``staging`` None, render only to find errors (``check``)."""
    global _WORK
    results = PageResults({}, [])
    todo: list[tuple[PageJob, str | None]] = []
    for job in jobs:
        key = context_key(settings.salt, job.template, job.context) if staging is not None else None
        old = previous.get(job.output_path)
        if (staging is not None and key is not None and old is not None and old.key == key
                and _link(previous_output / job.output_path, staging, job.output_path)):
            results.facts[job.output_path] = old
            results.reused += 1
            continue
        todo.append((job, key))
    outcomes: list[tuple[str, PageFacts | None, list[Diagnostic], int]] = []
    if staging is None:
        for job, _ in todo:
            _, problem = render_job(settings.env, settings.theme, job)
            if problem is not None:
                results.problems.append(problem)
        return results
    root = staging.root
    if workers > 1 and len(todo) >= POOL_THRESHOLD and "fork" in multiprocessing.get_all_start_methods():
        _WORK = (settings, todo, root)
        try:
            chunks = [list(range(i, len(todo), workers * 4)) for i in range(workers * 4)]
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                for part in pool.map(_render_chunk, chunks):
                    outcomes.extend(part)
        finally:
            _WORK = None
    else:
        outcomes = [_render_one(settings, job, key, root) for job, key in todo]
    for path, facts, problems, size in sorted(outcomes, key=lambda o: o[0]):
        results.problems.extend(problems)
        if facts is not None:
            results.facts[path] = facts
            staging.record(path, size)
            results.rendered += 1
    return results


def _link(source: Path, staging: Staging, relpath: str) -> bool:
    """Hard-link (or copy) a previous output file into the staging folder."""
    target = staging.root / relpath
    try:
        size = source.stat().st_size
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
    except OSError:
        return False
    staging.record(relpath, size)
    return True


def default_workers() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


