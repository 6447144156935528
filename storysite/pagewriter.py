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

import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from storysite import thirdparty
from storysite.cache import PageFacts, context_key
from storysite.diagnostics import Diagnostic
from storysite.parallel import fork_map
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


Outcome = tuple[str, PageFacts | None, list[Diagnostic], int, bool]
"""(output path, facts or None on failure, problems, size, reused)."""


def _render_one(settings: PageSettings, job: PageJob, key: str | None, root: Path,
                context: Mapping[str, Any] | None = None) -> Outcome:
    output, problem = render_job(settings.env, settings.theme, job, context)
    if problem is not None or output is None:
        return job.output_path, None, [problem] if problem else [], 0, False
    _write(root, output.path, output.data)
    text = output.data.decode("utf-8")
    facts = file_facts(output.path, output.data, settings.base_path, text)
    problems = thirdparty.check_text(output.path, text, settings.permitted_origins, settings.output_label)
    return output.path, PageFacts(key or "", facts.sha256, facts.memories, facts.media), problems, len(output.data), False


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


@dataclass(frozen=True)
class _PageWork:
    """One page's unit of work: reuse the previous file when its key is unchanged, else render.

    Pure but for the files it writes, so it runs in worker processes: keys are
    computed, files linked and pages rendered in parallel.
    """

    settings: PageSettings
    previous: dict[str, PageFacts]
    previous_output: Path
    root: Path

    def __call__(self, job: PageJob) -> Outcome:
        context = job.values()
        key = context_key(self.settings.salt, job.template, context)
        old = self.previous.get(job.output_path)
        if key is not None and old is not None and old.key == key:
            size = _link(self.previous_output / job.output_path, self.root, job.output_path)
            if size is not None:
                return job.output_path, old, [], size, True
        return _render_one(self.settings, job, key, self.root, context)


def write_pages(jobs: Sequence[PageJob], settings: PageSettings, staging: Staging | None,
                previous: dict[str, PageFacts], previous_output: Path, workers: int) -> PageResults:
    """Render or reuse every job; with ``staging`` None, render only to find errors (``check``)."""
    results = PageResults({}, [])
    if staging is None:
        for job in jobs:
            _, problem = render_job(settings.env, settings.theme, job)
            if problem is not None:
                results.problems.append(problem)
        return results
    work = _PageWork(settings, previous, previous_output, staging.root)
    outcomes = fork_map(work, jobs, workers, POOL_THRESHOLD)
    for path, facts, problems, size, reused in sorted(outcomes, key=lambda o: o[0]):
        results.problems.extend(problems)
        if facts is not None:
            results.facts[path] = facts
            staging.record(path, size)
            if reused:
                results.reused += 1
            else:
                results.rendered += 1
    return results


def _link(source: Path, root: Path, relpath: str) -> int | None:
    """Hard-link (or copy) a previous output file below ``root``; its size, or None if gone."""
    target = root / relpath
    try:
        size = source.stat().st_size
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
    except OSError:
        return None
    return size


def default_workers() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


