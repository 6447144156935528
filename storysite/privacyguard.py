"""Where the private store may not be, and files that must never be published from it.

The private store holds every fan's name, email, phone and original words, and
the key that makes ``author.id`` irreversible. A store inside a folder that is
published (``static/``, a theme, the output) or read as content (``content/``)
would put all of it on the public site, so such a location is a config error;
and whatever the configuration says, no file that resolves into the store is
ever copied to the output (a symbolic link in ``static/`` cannot smuggle it out).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from storysite.diagnostics import Diagnostic, error

# Folders whose files are published or read as content, and what each is for.
_PUBLISHED = {"content": "read as content", "static": "published", "themes": "published with the theme"}


def store_location_problem(store: str, output: str) -> str | None:
    """Why the private store may not live at ``store`` (normalised, site-relative), or ``None``."""
    parts = store.casefold().split("/")
    # The folder to suggest instead: the default, unless that is the very folder in question.
    other = "private" if parts[0] != "private" and output.casefold().split("/")[0] != "private" else "fans-private"
    for folder, use in _PUBLISHED.items():
        if parts[0] == folder:
            return (f"privacy.private_store '{store}' is inside {folder}/, which is {use}: fans' personal data "
                    f"would be published; keep it outside, such as {other}")
    out = output.casefold().split("/")
    if parts[: len(out)] == out or out[: len(parts)] == parts:
        return (f"privacy.private_store '{store}' overlaps the output folder '{output}', which is published "
                f"(and replaced on every build); keep it outside, such as {other}")
    return None


def is_private(path: Path, store_root: Path) -> bool:
    """Whether ``path`` (symbolic links resolved) is the private store or inside it."""
    try:
        path.resolve().relative_to(store_root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def without_private(files: Mapping[str, Path], store_root: Path, label: str
                    ) -> tuple[dict[str, Path], list[Diagnostic]]:
    """``files`` (output path → source) minus any that leads into the private store, each an error.

    ``label`` names the folder the files come from (``static``), for the message.
    """
    kept: dict[str, Path] = {}
    problems: list[Diagnostic] = []
    for rel, source in files.items():
        if is_private(source, store_root):
            problems.append(error(f"{label}/{rel}", 0, "leads into the private store (fans' personal data); "
                                  "it is never published: remove it"))
        else:
            kept[rel] = source
    return kept, problems
