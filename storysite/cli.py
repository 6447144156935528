"""The ``storysite`` command: parse arguments, call the pipeline, print, pick the exit code.

Exit codes: 0 success, 1 content errors (or a fault of the environment),
2 usage errors. No pipeline logic lives here.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from storysite import __version__
from storysite.build import build
from storysite.diagnostics import Diagnostic, StorysiteError
from storysite.report import curation_summary, personal_data_warnings

F = TypeVar("F", bound=Callable[..., Any])


def _edge(func: F) -> F:
    """Turn faults into messages and exit codes; a traceback never reaches an editor."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except StorysiteError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            sys.exit(exc.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as exc:
            if os.environ.get("STORYSITE_DEBUG"):
                traceback.print_exc()
            click.secho(f"internal error: {type(exc).__name__}: {exc}", fg="red", err=True)
            click.echo("This is a bug in storysite; run again with STORYSITE_DEBUG=1 to see details.", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def print_diagnostics(diagnostics: Iterable[Diagnostic]) -> None:
    """Every diagnostic on stderr as ``path:line: message``, errors in red."""
    for diagnostic in diagnostics:
        click.secho(diagnostic.format(), err=True, fg="red" if diagnostic.is_error else "yellow")


def _site_dir(path: str) -> Path:
    site = Path(path)
    if not site.is_dir():
        raise click.BadParameter(f"'{path}' is not a folder", param_hint="DIR")
    return site


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="storysite")
def main() -> None:
    """Build brand storytelling microsites from curated fan memories."""


@main.command("build")
@click.argument("site", default=".", metavar="[DIR]")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
@_edge
def build_command(site: str, strict: bool, quiet: bool) -> None:
    """Build the site in DIR (default: here) into its output folder."""
    site_dir = _site_dir(site)
    result = build(site_dir, strict=strict)
    print_diagnostics(result.diagnostics)
    if not result.written:
        where = f"{result.output_dir.name}/" if result.output_dir else "the output"
        click.secho(f"Build failed with {len(result.diagnostics.errors) or len(result.diagnostics)} "
                    f"problem(s); {where} was left as it was.", fg="red", err=True)
        sys.exit(1)
    if not quiet:
        assert result.output_dir is not None
        click.echo(f"Built {result.pages} pages ({result.files} files) into "
                   f"{_display_path(result.output_dir)} in {result.seconds:.2f} s.")


def _display_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd())) + "/"
    except ValueError:
        return str(path) + "/"


@main.command("check")
@click.argument("site", default=".", metavar="[DIR]")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@_edge
def check_command(site: str, strict: bool) -> None:
    """Validate everything and print a curation summary; write nothing."""
    site_dir = _site_dir(site)
    result = build(site_dir, write=False)
    extra = personal_data_warnings(result.content, site_dir) if result.content else []
    result.diagnostics.extend(extra)
    print_diagnostics(result.diagnostics)
    if result.curation is not None:
        click.echo(curation_summary(result.curation))
    errors = len(result.diagnostics.errors)
    warnings = len(result.diagnostics.warnings)
    click.echo(f"{errors} error(s), {warnings} warning(s).")
    if errors or (strict and warnings):
        sys.exit(1)


@main.command("new")
@click.argument("directory", metavar="DIR")
@_edge
def new_command(directory: str) -> None:
    """Create a working site in DIR to start from."""
    from storysite.scaffold import create_site

    target = Path(directory)
    create_site(target)
    click.echo(f"Created a site in {target}/. Next: storysite build {directory}")
