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

import contextlib
import functools
import hashlib
import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from storysite import thirdparty
from storysite.cache import PageFacts, context_key, inputs_key
from storysite.diagnostics import Diagnostic
from storysite.parallel import fork_map
from storysite.render import PageJob, render_job
from storysite.takedown import file_facts
from storysite.theme import Theme
from storysite.write import FileIdentity, Staging, make_folders, place_bytes, place_link

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


Outcome = tuple[str, PageFacts | None, list[Diagnostic], int, bool, bool]
"""(output path, facts or None on failure, problems, size, reused without rendering,
unchanged: the file is the previous output's own, hard-linked)."""


@dataclass(frozen=True)
class _PageWork:
    """One page's unit of work: reuse the previous file when its key is unchanged, else render.

    Pure but for the files it writes, so it runs in worker processes: keys are
    computed, files linked and pages rendered in parallel.
    """

    settings: PageSettings
    previous: dict[str, PageFacts]
    previous_output: Path
    previous_finished: int
    """When the previous build finished (ns): a page of its output changed since is not reused."""
    root: Path
    recycled: bool
    """The staging folder is a recycled one: what stands at a path is replaced, never overwritten."""
    link_previous: bool = True
    """The previous output's files may be hard-linked into the new one: it is this output's own
    previous output. Not so for another folder (a preview seeded from the site's own output):
    a file shared with it would show, in this output, an edit made there in place, and the
    link would move its change time on (its next build then takes it for edited)."""

    def __call__(self, job: PageJob) -> Outcome:
        key, context = self.key(job)
        return self.reuse(job, key) or self._render(job, key, context if context is not None else job.values(),
                                                    self.previous.get(job.output_path))

    def key(self, job: PageJob) -> tuple[str | None, Mapping[str, Any] | None]:
        """The job's render key, and its context when it had to be made for the key."""
        # Keyed by what the context is made of when the job says (the context is then made only
        # to render), else by the context itself.
        inputs = job.inputs() if job.inputs is not None else None
        if inputs is not None:
            return inputs_key(self.settings.salt, job.template, inputs), None
        context = job.values()
        return context_key(self.settings.salt, job.template, context), context

    def reuse(self, job: PageJob, key: str | None) -> Outcome | None:
        """The previous build's page, linked, when its key is ``key`` and its file is intact."""
        path = job.output_path
        old = self.previous.get(path)
        if key is not None and old is not None and old.key == key:
            source = os.path.join(self.previous_output, path)
            size = place_link(source, self.root, path, old.file, self.previous_finished) if self.link_previous else None
            if size is not None:
                return path, old, [], size, True, True
            # Not the very file written (an output restored by CI from its cache, say): its
            # bytes are used when they are still those written, copied into a file of this
            # output's own (never linked: it may be a link to anywhere).
            data = _verified_bytes(source, old.sha256)
            if data is not None:
                written = place_bytes(self.root, path, data, self.recycled)
                return path, PageFacts(old.key, old.sha256, old.memories, old.media, written), [], len(data), True, False
        return None

    def _render(self, job: PageJob, key: str | None, context: Mapping[str, Any], old: PageFacts | None) -> Outcome:
        settings = self.settings
        text, problem = render_job(settings.env, settings.theme, job, context)
        if problem is not None or text is None:
            return job.output_path, None, [problem] if problem else [], 0, False, False
        path, data = job.output_path, text.encode("utf-8")
        facts = file_facts(path, data, settings.base_path, text)
        problems = thirdparty.check_text(path, text, settings.permitted_origins, settings.output_label)
        # Rendered to the same bytes as before (a template edit that changed nothing here):
        # the previous file is linked, so that it stays shared with the previous output.
        unchanged = (self.link_previous and old is not None and old.sha256 == facts.sha256
                     and place_link(self.previous_output / path, self.root, path, old.file,
                                    self.previous_finished) == len(data))
        written = old.file if unchanged and old is not None else place_bytes(self.root, path, data, self.recycled)
        page = PageFacts(key or "", facts.sha256, facts.memories, facts.media, written)
        return path, page, problems, len(data), False, unchanged


Reused = tuple[int, FileIdentity | None]
"""A page reused as the previous build wrote it: its size, and None when its file is the previous
output's own (hard-linked), else the identity of the copy written."""


@dataclass(frozen=True)
class _KeyAndLink:
    """Key one page and, when unchanged, put the previous file in place: what a worker sends
    back of an edit build's ten thousand unchanged pages, a size each."""

    work: _PageWork

    def __call__(self, job: PageJob) -> Reused | None:
        outcome = self.work.reuse(job, self.work.key(job)[0])
        if outcome is None:
            return None
        _, facts, _, size, _, unchanged = outcome
        return size, None if unchanged or facts is None else facts.file


def _reused_outcome(job: PageJob, old: PageFacts, reused: Reused) -> Outcome:
    size, copied = reused
    if copied is None:
        return job.output_path, old, [], size, True, True
    return job.output_path, PageFacts(old.key, old.sha256, old.memories, old.media, copied), [], size, True, False


def write_pages(jobs: Sequence[PageJob], settings: PageSettings, staging: Staging | None,
                previous: dict[str, PageFacts], previous_output: Path, workers: int,
                previous_finished: int = 0, link_previous: bool = True) -> PageResults:
    """Render or reuse every job; with ``staging`` None, render only to find errors (``check``).

    ``previous`` are the previous build's page records, ``previous_finished`` when it
    finished (ns). Without ``link_previous``, ``previous_output`` is another output than this one's:
    its pages are taken by their bytes (checked against the recorded hash), never linked."""
    results = PageResults({}, [])
    if staging is None:
        for job in jobs:
            _, problem = render_job(settings.env, settings.theme, job)
            if problem is not None:
                results.problems.append(problem)
        return results
    # A recycled folder is cleared of what this build will not write (symbolic links and
    # special files included) before any worker writes there: none may follow a link out of
    # it. A new folder gets its page folders made by the parent while the workers render.
    staging.prune_unexpected()  # (first: it may give the recycled folder up for a new one)
    work = _PageWork(settings, previous, previous_output, previous_finished, staging.root, staging.recycled,
                     link_previous)
    outcomes: list[Outcome] = []
    if workers > 1 and len(jobs) >= POOL_THRESHOLD and _mostly_unchanged(work, jobs):
        # An edit: the workers key the pages and link the unchanged ones, and send back only
        # which they linked (each page's record is the previous one, which this process has);
        # the pool then renders what changed, when that is much.
        changed = []
        for job, linked in zip(jobs, fork_map(_KeyAndLink(work), jobs, workers, POOL_THRESHOLD), strict=True):
            if linked is None:
                changed.append(job)
            else:
                outcomes.append(_reused_outcome(job, work.previous[job.output_path], linked))
        jobs = changed
    meanwhile = None if staging.recycled else functools.partial(
        _make_folders, staging.root, [job.output_path for job in jobs])
    outcomes += fork_map(work, jobs, workers, POOL_THRESHOLD, meanwhile=meanwhile)
    for path, facts, problems, size, reused, unchanged in sorted(outcomes, key=lambda o: o[0]):
        results.problems.extend(problems)
        if facts is not None:
            results.facts[path] = facts
            staging.record(path, size, unchanged)
            if reused:
                results.reused += 1
            else:
                results.rendered += 1
    return results


def _verified_bytes(source: str, sha256: str) -> bytes | None:
    """The bytes of the file ``source`` when they hash to ``sha256``, else None."""
    try:
        with open(source, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            data = handle.read()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == sha256 else None


def _mostly_unchanged(work: _PageWork, jobs: Sequence[PageJob], samples: int = 64) -> bool:
    """Whether most pages keep their previous render key, judged from a sample of them."""
    if not work.previous:
        return False
    picked = jobs[:: max(1, len(jobs) // samples)]
    same = 0
    for job in picked:
        old = work.previous.get(job.output_path)
        same += old is not None and old.key == work.key(job)[0]
    return same * 4 >= len(picked) * 3


def _make_folders(root: Path, relpaths: Sequence[str]) -> None:
    """Make the folder of every page, in the order the workers write them.

    Run by the parent while the workers render: on a journaling file system a
    new folder costs more than a page's whole write, and the parent is idle.
    A folder it fails to make (or has not made yet) is made by the worker.
    """
    made: set[str] = set()
    for relpath in relpaths:
        folder = os.path.dirname(os.path.join(root, relpath))
        if folder not in made:
            made.add(folder)
            with contextlib.suppress(OSError):
                make_folders(folder)


def default_workers() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


