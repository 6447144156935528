"""One label, outside a build: what ``storysite label DESIGN TEXT`` does.

Only what a label needs is read (the configuration for the language, the
label designs, the theme for its fonts); the rest of the site is not built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from storysite import load
from storysite.config import load_config
from storysite.diagnostics import Diagnostic
from storysite.labels.design import ReadyDesign, prepare_design
from storysite.labels.layout import Refusal
from storysite.labels.raster import label_op, render_label
from storysite.theme import load_theme
from storysite.validate.label import validate_label

MAX_SCALE = 8


@dataclass(frozen=True)
class SingleLabel:
    """The PNG, or the refusal, or the problems that kept the design from being used."""

    png: bytes | None = None
    refusal: Refusal | None = None
    problems: list[Diagnostic] = field(default_factory=list)
    error: str = ""
    """A problem that is no file's (the design asked for does not exist), to show as it is."""


class UnknownDesign(Exception):
    """No design has the slug asked for; the message names the designs there are."""

    def __init__(self, message: str, problems: list[Diagnostic]) -> None:
        super().__init__(message)
        self.problems = problems


def load_design(site_dir: Path, slug: str) -> tuple[ReadyDesign | None, list[Diagnostic]]:
    """The design ``slug`` of the site in ``site_dir``, ready to lay out, or the problems that prevent it.

    Raises :class:`UnknownDesign` when the site has no design ``slug`` (a mistyped command, which no
    file and line could point at).
    """
    config, problems = load_config(site_dir)
    if config is None:
        return None, problems
    sources, found = load.discover(site_dir, config.limits.max_file_bytes)
    problems.extend(d for d in found if d.path.startswith(f"{load.CONTENT_DIR}/labels"))
    designs = []
    for source in sources:
        if source.kind != "labels":
            continue
        items, found = load.parse(source)
        problems.extend(found)
        for item in items:
            design, found = validate_label(item, site_dir)
            problems.extend(found)
            if design is not None:
                designs.append(design)
    chosen = next((d for d in designs if d.slug == slug), None)
    if chosen is None:
        known = ", ".join(sorted(d.slug for d in designs)) or "none: add one to content/labels/"
        raise UnknownDesign(f"no label design '{slug}' (designs: {known})", problems)
    theme, found = load_theme(config, site_dir, config.line_of("theme"))
    problems.extend(found)
    if theme is None:
        return None, problems
    ready, found = prepare_design(chosen, site_dir, theme.static_files, config.language)
    problems.extend(found)
    if any(problem.is_error and problem.path == chosen.origin.path for problem in problems):
        # A design the build refuses is not drawn here either: a word list it cannot read
        # would let the words on it through.
        return None, problems
    return ready, problems


def render_single_label(site_dir: Path, slug: str, text: str, scale: int = 1) -> SingleLabel:
    """Lay out and draw ``text`` on the design ``slug`` of the site in ``site_dir``."""
    try:
        ready, problems = load_design(site_dir, slug)
    except UnknownDesign as unknown:
        return SingleLabel(problems=unknown.problems, error=str(unknown))
    if ready is None:
        return SingleLabel(problems=problems)
    result = ready.layout(text)
    if isinstance(result, Refusal):
        return SingleLabel(refusal=result, problems=problems)
    return SingleLabel(png=render_label(label_op(ready, result, max(1, min(scale, MAX_SCALE)))), problems=problems)
