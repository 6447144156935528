"""Load and validate ``storysite.yaml``, reporting every problem with its line."""

from __future__ import annotations

import dataclasses
import difflib
import os
import stat
from pathlib import Path
from typing import Any

from storysite.config.options import OptionError, describe
from storysite.config.schema import SiteConfig
from storysite.diagnostics import Diagnostic, error, warning
from storysite.privacyguard import store_location_problem
from storysite.yamlio import YamlMap, decode_text, load_yaml_reporting

CONFIG_NAME = "storysite.yaml"

__all__ = ["CONFIG_NAME", "SiteConfig", "load_config", "parse_config"]


def load_config(site_dir: Path, *, lenient: bool = False) -> tuple[SiteConfig | None, list[Diagnostic]]:
    """Read ``storysite.yaml`` in ``site_dir``.

    Returns the config (``None`` when it cannot be used at all) and every
    diagnostic found: unknown keys are warnings, wrong types are errors.
    With ``lenient``, a config with errors is still returned, each bad key
    at its default, so that a build can go on checking the content and
    report every problem in one run (it writes nothing, having errors).
    """
    path = site_dir / CONFIG_NAME
    try:
        # Opened without blocking, and read only when it is a file: a named pipe would wait
        # for a writer forever, and a link to a device (/dev/zero) never end.
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None, [error(CONFIG_NAME, 0, "cannot be read: it is not a file (a folder, a named pipe or "
                                                    "a device); storysite.yaml must be a text file")]
            data = handle.read()
    except FileNotFoundError:
        return None, [error(CONFIG_NAME, 0, "no storysite.yaml here; " + _where_the_site_is(site_dir))]
    except OSError as exc:
        return None, [error(CONFIG_NAME, 0, f"cannot be read: {exc.strerror}")]
    return parse_config(data, lenient=lenient)


def _where_the_site_is(site_dir: Path) -> str:
    """What to do about a folder without ``storysite.yaml``: name the site it lies in, when it
    is one of a site's folders (``storysite build`` run from ``content/``), else start one."""
    # Not resolved: the folder named as the editor reached it (through a link, say), relative to
    # where they are, so that it can be typed as it is shown.
    for folder in Path(os.path.abspath(site_dir)).parents:
        if (folder / CONFIG_NAME).is_file():
            return (f"this folder is inside the site in '{os.path.relpath(folder)}': run storysite from there, or "
                    "name that folder (as DIR or --site)")
    return "run 'storysite new DIR' to start a site"


def parse_config(data: bytes, *, lenient: bool = False) -> tuple[SiteConfig | None, list[Diagnostic]]:
    """Validate the bytes of a ``storysite.yaml`` (pure; see :func:`load_config`)."""
    unusable = SiteConfig() if lenient else None
    text, problem = decode_text(data)
    if problem is not None or text is None:
        assert problem is not None
        return unusable, [error(CONFIG_NAME, problem.line, problem.message)]
    # A duplicate key is an error, but the settings are still checked (the first value of
    # each): every problem is reported in one run.
    raw, duplicates = load_yaml_reporting(text)
    found: list[Diagnostic] = [error(CONFIG_NAME, problem.line, problem.message) for problem in duplicates]
    if raw is None and found:
        return unusable, found
    if raw is None:
        raw = YamlMap(1)
    if not isinstance(raw, YamlMap):
        return unusable, [*found, error(CONFIG_NAME, 1, "expected a mapping of settings (key: value)")]
    config = _build(SiteConfig, raw, "", found)
    config = dataclasses.replace(config, key_lines=_key_lines(raw, ""))
    store_problem = store_location_problem(config.privacy.private_store, config.output)
    if store_problem is not None:
        found.append(error(CONFIG_NAME, config.line_of("privacy.private_store"), store_problem))
    if any(d.is_error for d in found) and not lenient:
        return None, found
    return config, found


def _build(cls: type, raw: YamlMap, prefix: str, found: list[Diagnostic]) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key in raw:
        if key not in fields:
            hint = difflib.get_close_matches(key, list(fields), n=1)
            suggestion = f"; did you mean '{prefix}{hint[0]}'?" if hint else ""
            found.append(
                warning(CONFIG_NAME, raw.line_of(key), f"unknown key '{prefix}{key}'{suggestion}")
            )
    for name, spec in fields.items():
        if "option" not in spec.metadata and "section" not in spec.metadata:
            continue
        line = raw.line_of(name)
        section_cls = spec.metadata.get("section")
        if section_cls is not None:
            sub = raw.get(name)
            if sub is None:
                continue
            if not isinstance(sub, YamlMap):
                found.append(
                    error(CONFIG_NAME, line, f"{prefix}{name}: expected a mapping, got {describe(sub)}")
                )
                continue
            values[name] = _build(section_cls, sub, f"{prefix}{name}.", found)
            continue
        if name not in raw:
            if spec.metadata.get("required"):
                found.append(error(CONFIG_NAME, raw.line or 1, f"'{prefix}{name}' is required"))
            continue
        try:
            values[name] = spec.metadata["option"].check(raw[name])
        except OptionError as exc:
            for problem in (exc, *exc.also):
                found.append(error(CONFIG_NAME, problem.line or line, f"{prefix}{name}: {problem}"))
    return cls(**values)


def _key_lines(raw: YamlMap, prefix: str) -> dict[str, int]:
    lines: dict[str, int] = {}
    for key, value in raw.items():
        lines[prefix + key] = raw.line_of(key)
        if isinstance(value, YamlMap):
            lines.update(_key_lines(value, f"{prefix}{key}."))
    return lines
