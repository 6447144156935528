"""The ``storysite`` command: parse arguments, call the pipeline, print, pick the exit code.

Exit codes: 0 success, 1 content errors (or a fault of the environment),
2 usage errors. No pipeline logic lives here.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shlex
import signal
import sys
import traceback
from collections.abc import Callable, Iterable
from functools import partial, wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from storysite import __version__, heap
from storysite.build import BuildResult, build, output_folder_problem
from storysite.config import SiteConfig
from storysite.config.options import BaseUrl, OptionError
from storysite.diagnostics import Diagnostic, Severity, StorysiteError, error
from storysite.report import curation_summary, personal_data_warnings
from storysite.withdraw import KEYS as WITHDRAW_KEYS

F = TypeVar("F", bound=Callable[..., Any])


class Terminated(KeyboardInterrupt):
    """SIGTERM (a CI job's timeout or cancel, ``kill``), raised where the command was, so that it
    stops as on Ctrl-C: what ``finally`` and ``with`` clean up is cleaned up, the output left as it was."""


def _terminate(signum: int, frame: Any, *, main_pid: int) -> None:
    """Stop this command on SIGTERM as Ctrl-C does, worker processes included.

    Ctrl-C reaches every process of the terminal's group, SIGTERM only the one it is sent to:
    forked workers, waiting on a queue whose other end they hold themselves, would outlive
    the build for ever (keeping a CI log's pipe open), so they are killed first; their work is
    disposable. A forked worker inherits this handler: there it dies as by default."""
    import multiprocessing

    if os.getpid() != main_pid:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    for child in multiprocessing.active_children():
        child.kill()
    raise Terminated


def _edge(func: F) -> F:
    """Turn faults into messages and exit codes; a traceback never reaches an editor."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import threading

        # signal.signal works in the main thread only (a test may run the command in another).
        handled = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, partial(_terminate, main_pid=os.getpid())) if handled else None
        try:
            return func(*args, **kwargs)
        except StorysiteError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            sys.exit(exc.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except Terminated:
            click.echo("terminated", err=True)
            sys.exit(128 + signal.SIGTERM)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            # Whoever read the output went away (`storysite build | head -1`): nothing to say,
            # and nowhere to say it. Exit as a program killed by SIGPIPE does.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(141)
        except Exception as exc:
            if os.environ.get("STORYSITE_DEBUG"):
                traceback.print_exc()
            click.secho(f"internal error: {type(exc).__name__}: {exc}", fg="red", err=True)
            click.echo("This is a bug in storysite; run again with STORYSITE_DEBUG=1 to see details.", err=True)
            sys.exit(1)
        finally:
            if handled:
                signal.signal(signal.SIGTERM, previous)

    return wrapper  # type: ignore[return-value]


def print_diagnostics(diagnostics: Iterable[Diagnostic]) -> None:
    """Every diagnostic on stderr as ``path:line: message``, errors in red."""
    for diagnostic in diagnostics:
        click.secho(diagnostic.format(), err=True, fg="red" if diagnostic.is_error else "yellow")


def _site_dir(path: str, param_hint: str = "DIR") -> Path:
    """The site folder given as ``path`` (the argument DIR, or the option ``param_hint``)."""
    if not path.strip():
        # Path("") is ".": `storysite build "$SITE"` with SITE unset would build whatever is here.
        raise click.BadParameter(f"is empty; give the site's folder, or leave {param_hint} out for the current "
                                 "folder", param_hint=param_hint)
    site = Path(path)
    if not site.is_dir():
        raise click.BadParameter(f"'{path}' is not a folder", param_hint=param_hint)
    return site


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="storysite")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Build brand storytelling microsites from curated fan memories."""
    # https://no-color.org: a terminal's user who set NO_COLOR (to any value but empty) gets no
    # colours; output that is not a terminal (a CI log, a pipe) never has any.
    if os.environ.get("NO_COLOR"):
        ctx.color = False
    if sys.getfilesystemencoding().lower().replace("-", "").replace("_", "") != "utf8":
        # A site's file names are UTF-8 (as git and every other tool write them): under a locale
        # of another encoding (fr_FR.ISO-8859-1, or C with PYTHONUTF8=0), Python would read
        # "Été.md" as "Ã\x89tÃ©.md" and give it another URL. Run again in Python's UTF-8 mode.
        with contextlib.suppress(OSError):
            os.execv(sys.executable, [sys.executable, "-X", "utf8", "-m", "storysite", *sys.argv[1:]])


@main.command("build")
@click.argument("site", default=".", metavar="[DIR]")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes that parse, render and encode photos (default: all cores).")
@click.option("--base-url", "base_url", default=None, metavar="URL",
              help="Build for this address instead of storysite.yaml's base_url (a staging or preview "
                   "deploy); the takedown record is left alone.")
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), default=None, metavar="FOLDER",
              help="Write the site into FOLDER instead of storysite.yaml's output. Every build replaces it "
                   "whole: a new or empty folder, or one storysite wrote.")
@_edge
def build_command(site: str, strict: bool, quiet: bool, jobs: int | None, base_url: str | None,
                  output: Path | None) -> None:
    """Build the site in DIR (default: here) into its output folder."""
    site_dir = _site_dir(site)
    if base_url is not None:
        try:
            base_url = BaseUrl().check(base_url)
        except OptionError as exc:
            raise click.BadParameter(str(exc), param_hint="--base-url") from None
    if output is not None:
        problem = output_folder_problem(output, site_dir)
        if problem is not None:
            raise click.BadParameter(problem, param_hint="--output")
    with heap.collector_off():
        result = build(site_dir, strict=strict, workers=jobs, base_url=base_url, output=output)
    print_diagnostics(result.diagnostics)
    if not result.written:
        where = _display_path(result.output_dir) if result.output_dir else "the output"
        click.secho(f"Build failed with {len(result.diagnostics.errors) or len(result.diagnostics)} "
                    f"problem(s); {where} was left as it was.", fg="red", err=True)
        sys.exit(1)
    if not quiet:
        assert result.output_dir is not None
        if result.up_to_date:
            click.echo(f"Up to date: nothing changed since the last build of {result.pages} pages "
                       f"({result.files} files) in {_display_path(result.output_dir)} ({result.seconds:.2f} s). "
                       f"Photos: 0 encoded, {result.images_reused} reused.")
        else:
            click.echo(f"Built {result.pages} pages ({result.pages_rendered} rendered, {result.pages_reused} "
                       f"unchanged; {result.files} files) into {_display_path(result.output_dir)} in "
                       f"{result.seconds:.2f} s. "
                       f"Photos: {result.images_encoded} encoded, {result.images_reused} reused. "
                       f"Content files: {result.files_parsed} parsed, {result.files_reused} reused.")
        if result.purge:
            click.echo(f"{len(result.purge)} URL(s) changed or removed since the last build: "
                       "purge them from your CDN (listed in .storysite/purge.txt).")
    _fail_if_written_with_errors(result)


def _fail_if_written_with_errors(result: BuildResult) -> None:
    """Exit 1 when the new output is in place but something after it failed (an old output
    that could not be removed, a record that could not be written)."""
    if result.written and result.diagnostics.has_errors:
        click.secho(f"The new output is in place, but {len(result.diagnostics.errors)} problem(s) above "
                    "need fixing.", fg="red", err=True)
        sys.exit(1)


def _display_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd())) + "/"
    except ValueError:
        return str(path) + "/"


@main.command("check")
@click.argument("site", default=".", metavar="[DIR]")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--report", "report", type=click.Path(dir_okay=False, allow_dash=True), metavar="F",
              help="Also write the curation dashboard to F ('-': standard output). F must be a new file or an "
                   "earlier report: any other file is left alone.")
@click.option("--format", "fmt", type=click.Choice(["html", "json", "csv"]), default=None,
              help="The dashboard's format (default: from F's extension, else html). Needs --report.")
@_edge
def check_command(site: str, strict: bool, report: str | None, fmt: str | None) -> None:
    """Validate everything and print a curation summary; write nothing else.

    With --report F, the curation dashboard is written to F too, even when
    the content has errors (memories that cannot be read are left out of it).
    F is never a file of the site's own (storysite.yaml, content/, static/,
    themes/, the private store or the output) nor any existing file but an
    earlier report. With --report -, the dashboard goes to standard output
    and the summary to standard error.
    """
    from storysite.build import build_date
    from storysite.config import load_config
    from storysite.dashboard import make_dashboard, render_report
    from storysite.personaldata import PublicContacts
    from storysite.privatestore import store_warnings

    site_dir = _site_dir(site)
    if fmt is not None and report is None:
        raise click.BadParameter("needs --report: give --report FILE, or --report - for standard output",
                                 param_hint="--format")
    if report is not None and not report.strip():
        raise click.BadParameter("is empty; give a file name, or - for standard output", param_hint="--report")
    # /dev/stdout is standard output under another name: the summary must not land inside the report.
    to_stdout = report in ("-", "/dev/stdout")
    # The dashboard is made from the same lenient configuration the check uses, so that a bad key
    # in storysite.yaml (an error, reported) does not keep the report from being written.
    lenient, _ = load_config(site_dir, lenient=True)
    if report is not None and not to_stdout:
        _check_report_target(report, site_dir, lenient)
    kind = fmt or {".json": "json", ".csv": "csv"}.get(Path(report or "").suffix.lower(), "html")
    say = partial(click.echo, err=to_stdout)
    today = build_date(os.environ)
    result = build(site_dir, write=False, today=today)
    config, _ = load_config(site_dir)
    # The brand's own contact details may stand in its editors' pages (privacy.public_contacts).
    public = PublicContacts.of(lenient.base_url, lenient.privacy.public_contacts) if lenient else None
    personal = personal_data_warnings(result.content, site_dir, public) if result.content else []
    result.diagnostics.extend(personal)
    if config is not None:
        result.diagnostics.extend(store_warnings(site_dir, config.privacy.private_store,
                                                 config.line_of("privacy.private_store") or 1))
    print_diagnostics(result.diagnostics)
    if result.curation is not None:
        say(curation_summary(result.curation))
    if report is not None:
        if lenient is None or result.content is None or result.curation is None:
            click.secho("No curation report was written: without a readable storysite.yaml there is no "
                        "curation to report (see the error above).", fg="red", err=True)
        else:
            text = render_report(make_dashboard(result.content, result.curation, today, lenient.title, personal,
                                                lenient.language), kind)
            if to_stdout:
                click.echo(text, nl=False)
            else:
                try:
                    _write_report(Path(report), text)
                except OSError as exc:
                    raise click.BadParameter(f"cannot write '{report}': {exc.strerror}",
                                             param_hint="--report") from None
                say(f"Curation report written to {report}.")
    errors = len(result.diagnostics.errors)
    notes = sum(d.severity == Severity.NOTICE for d in result.diagnostics.warnings)
    warnings = len(result.diagnostics.warnings) - notes
    say(f"{errors} error(s), {warnings} warning(s)" + (f", {notes} note(s)." if notes else "."))
    if errors or (strict and result.diagnostics.fails_strict):
        sys.exit(1)


def _write_report(target: Path, text: str) -> None:
    """Write the report to ``target`` through a new file renamed over it.

    Written in place, a crash, a full disk or an interrupt midway would leave the earlier report
    truncated, and the editor who opens it would see half the memories with no sign of it. A
    device or pipe (``/dev/null``, a named pipe) is written as it is: renaming over it would
    replace it. The report keeps an earlier report's permissions (a new one gets the umask's).
    """
    import stat

    from storysite.write import replace_file

    target = target.resolve()  # a symbolic link to the earlier report stays a link
    if target.exists() and not target.is_file():
        target.write_text(text, encoding="utf-8")
        return
    if target.exists():
        mode = stat.S_IMODE(target.stat().st_mode)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    replace_file(target, lambda handle: handle.write(text.encode("utf-8")), mode=mode, sync=True)


def _check_report_target(report: str, site_dir: Path, config: SiteConfig | None) -> None:
    """Refuse (a usage error) to write the curation report where it must not go.

    Not into a folder that is published or versioned (it lists unpublished memories), not
    into the private store, and never over a file that is not an earlier report: the site's
    configuration, an import mapping or a fan export given by mistake would be lost.
    """
    from storysite.cache import recorded_outputs
    from storysite.config import CONFIG_NAME
    from storysite.dashboard import REPORT_HEAD_BYTES, is_report
    from storysite.write import MARKER

    target = Path(report).resolve()
    if target == (site_dir / CONFIG_NAME).resolve():
        raise click.BadParameter(f"'{report}' is the site's configuration; the report would replace it: "
                                 "choose another name, such as report.html", param_hint="--report")
    if config is not None:
        # The configured output, and any folder a build wrote (build -o dist/, a CI deploy folder).
        outputs = [site_dir / config.output, *recorded_outputs(site_dir)]
        outputs += [folder for folder in target.parents if (folder / MARKER).is_file()]
        if any(target.is_relative_to(folder.resolve()) for folder in outputs):
            raise click.BadParameter("the report lists unpublished memories: write it outside the output folder",
                                     param_hint="--report")
        for folder in ("static", "content", "themes"):
            if target.is_relative_to((site_dir / folder).resolve()):
                raise click.BadParameter(f"the report lists unpublished memories: write it outside {folder}/, "
                                         "whose files are published or versioned", param_hint="--report")
        store = config.privacy.private_store
        if target.is_relative_to((site_dir / store).resolve()):
            raise click.BadParameter(f"{store}/ is the private store: it holds fans' personal data records, which "
                                     "storysite manages and withdraw erases, and nothing else; write the report "
                                     "outside it", param_hint="--report")
    if not target.parent.is_dir():
        raise click.BadParameter(f"cannot write '{report}': its folder does not exist", param_hint="--report")
    if not target.is_file():
        return  # a new file, or a device or pipe (/dev/null, a named pipe): nothing to lose
    try:
        with target.open("rb") as handle:
            head = handle.read(REPORT_HEAD_BYTES)
    except OSError as exc:
        raise click.BadParameter(f"cannot read '{report}' to check that it is an earlier report: {exc.strerror}",
                                 param_hint="--report") from None
    if head and not is_report(head):
        raise click.BadParameter(f"'{report}' exists and is not a storysite report; it was left as it is: "
                                 "choose another name, or remove it first", param_hint="--report")


@main.command("new")
@click.argument("directory", metavar="DIR")
@_edge
def new_command(directory: str) -> None:
    """Create a working site in DIR to start from."""
    from storysite.scaffold import create_site

    if not directory.strip():
        raise click.BadParameter("is empty; give the folder to create the site in", param_hint="DIR")
    target = Path(directory)
    create_site(target)
    # Quoted as a shell needs it, so that the command can be copied and run as it is ("Mon site").
    click.echo(f"Created a site in {target}/. Next: storysite build {shlex.quote(directory)}")


_OTHER_IMAGE_SUFFIXES = frozenset((".jpg", ".jpeg", ".webp", ".avif", ".gif", ".svg", ".tif", ".tiff", ".bmp",
                                  ".heic", ".heif", ".ico", ".pdf"))


@main.command("label")
@click.argument("design")
@click.argument("text")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True),
              help="The PNG to write (not a name of another image format), or - for standard output "
                   "(default: DESIGN.png).")
@click.option("--scale", type=click.IntRange(1, 8), default=1, show_default=True, help="Draw N times larger.")
@click.option("--site", "site", default=".", metavar="DIR", help="The site folder (default: here).")
@_edge
def label_command(design: str, text: str, output: str | None, scale: int, site: str) -> None:
    """Render one label: TEXT on the label design DESIGN, to a PNG."""
    from storysite.labels.single import render_single_label

    if output is not None and output != "-" and Path(output).suffix.lower() in _OTHER_IMAGE_SUFFIXES:
        # The label is a PNG: a .jpg (or other image) name would hold bytes its name lies about.
        raise click.BadParameter(f"'{output}': a label is a PNG image; give a name ending in .png, or - for "
                                 "standard output", param_hint="-o")
    if output == "-" and sys.stdout.isatty():
        raise click.BadParameter("standard output is a terminal; redirect it to a file or a program "
                                 "(storysite label … -o - > label.png)", param_hint="-o")
    result = render_single_label(_site_dir(site, "--site"), design, text, scale)
    print_diagnostics(result.problems)
    if result.refusal is not None:
        click.secho(f"refused: {result.refusal.message()}", fg="red", err=True)
        sys.exit(1)
    if result.error:
        click.secho(f"error: {result.error}", fg="red", err=True)
    if result.png is None:
        sys.exit(1)
    if output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(result.png)
        sys.stdout.buffer.flush()
        click.echo(f"Wrote the label to standard output ({len(result.png):,} bytes).", err=True)
        return
    target = Path(output or f"{design}.png")
    if not target.parent.is_dir():  # a wrong option, as check --report's: exit 2
        raise click.BadParameter(f"cannot write '{target}': its folder does not exist", param_hint="-o")
    if _holds_other_than_png(target):
        # As check --report: never over a file of another kind (storysite.yaml, a memory, a fan export).
        raise StorysiteError(f"{target} exists and is not a PNG image; give the name of a new file, or of an "
                             "earlier label to replace")
    source = _site_source(target, _site_dir(site, "--site"))
    if source is not None:
        # A PNG there is a design's artwork or a fan's photo, not an earlier label.
        raise StorysiteError(f"{target} is a file of the site's {source}/ (a design's artwork or a photo), not "
                             "an earlier label; give the name of a new file, or of an earlier label to replace")
    try:
        target.write_bytes(result.png)
    except OSError as exc:
        raise StorysiteError(f"cannot write {target}: {exc.strerror}") from None
    click.echo(f"Wrote {target} ({len(result.png):,} bytes).")


def _site_source(path: Path, site_dir: Path) -> str | None:
    """The folder of the site's sources (``content``, ``themes``, the private store) that
    holds the existing file ``path``, or None: ``storysite label`` never writes over one."""
    from storysite.config import load_config

    if not os.path.lexists(path):
        return None
    real, site = path.resolve(), site_dir.resolve()
    config, _ = load_config(site, lenient=True)
    folders = ["content", "themes"]
    if config is not None:
        folders.append(config.privacy.private_store)
    return next((folder for folder in folders if real.is_relative_to((site / folder).resolve())), None)


def _holds_other_than_png(path: Path) -> bool:
    """Whether ``path`` is something other than a PNG image or nothing at all (a folder, a
    text file, a link to one)."""
    if not os.path.lexists(path):
        return False
    try:
        with open(path, "rb") as handle:
            return handle.read(8) != b"\x89PNG\r\n\x1a\n"
    except OSError:
        return True


@main.command("import")
@click.argument("source", nargs=-1, required=True, metavar="[FORMAT] FILE")
@click.option("--map", "mapping", type=click.Path(exists=True, dir_okay=False),
              help="Mapping file: column → field (default: the site's import-mapping.yaml if it has one, else "
                   "each field from the column of its own name).")
@click.option("--encoding", default="utf-8", show_default=True, help="Text encoding of a CSV export.")
@click.option("--site", "site", default=".", metavar="DIR", help="The site folder (default: here).")
@click.option("--out", "out", type=click.Path(file_okay=False), default=None, metavar="FOLDER",
              help="timelinejs: folder for the milestone files (default: content/timeline in the site).")
@_edge
def import_command(source: tuple[str, ...], mapping: str | None, encoding: str, site: str, out: str | None) -> None:
    """Import fan submissions (a form's CSV or JSON export) as memories to review.

    Each row becomes a memory with status 'submitted'; names, emails, phone
    numbers, the fan's original words and consent evidence go to the private
    store. Columns are matched to fields by --map, else by the site's
    import-mapping.yaml (which 'storysite new' creates) unless the export has
    a 'text' column and not the one that mapping names, else by name.
    FORMAT is 'submissions' (the default).
    """
    from storysite.build import build_date
    from storysite.config import load_config
    from storysite.importers.submissions import SITE_MAPPING, import_submissions

    if len(source) > 2:
        raise click.UsageError("give at most a FORMAT and a FILE")
    fmt, file = (source[0], source[1]) if len(source) == 2 else ("submissions", source[0])
    if fmt == "timelinejs":
        _import_timelinejs(Path(file), _site_dir(site, "--site"), Path(out) if out else None)
        return
    if fmt != "submissions":
        raise click.BadParameter(f"unknown format '{fmt}'", param_hint="FORMAT")
    export = Path(file)
    if not export.is_file():
        raise click.BadParameter(f"'{file}' is not a file", param_hint="FILE")
    try:
        "".encode(encoding)
    except LookupError:
        raise click.BadParameter(f"unknown encoding '{encoding}'", param_hint="--encoding") from None
    site_dir = _site_dir(site, "--site")
    config, problems = load_config(site_dir)
    print_diagnostics(problems)
    if config is None:
        sys.exit(1)
    mapping_path = Path(mapping) if mapping else None
    # The mapping `storysite new` made, which the editor adapted to the form: used unless told
    # otherwise, or unless the export was made for the default mapping (a 'text' column).
    site_mapping = site_dir / SITE_MAPPING if mapping_path is None and (site_dir / SITE_MAPPING).is_file() else None
    result = import_submissions(
        export, site_dir, mapping_path=mapping_path,
        store_dir=config.privacy.private_store, display_policy=config.privacy.author_display,
        today=build_date(os.environ), encoding=encoding, max_file_bytes=config.limits.max_file_bytes,
        site_mapping=site_mapping,
    )
    if result.site_mapping_used:
        click.echo(f"Used the site's {SITE_MAPPING} (give --map to use another mapping).")
    print_diagnostics(result.diagnostics)
    if result.fatal:
        click.secho("Nothing was imported.", fg="red", err=True)
        sys.exit(1)
    changed = (f"{result.changed} submission(s) imported before with other answers skipped (compare them by "
               "hand: above); ") if result.changed else ""
    if result.reported:
        changed += f"{result.reported} edited submission(s) reported by an earlier import skipped; "
    click.echo(f"Imported {len(result.created)} new memories (status: submitted); "
               f"{result.duplicates} duplicate(s) skipped; {changed}{result.rejected} row(s) rejected.")
    if result.created:
        click.echo(f"Personal data went to {config.privacy.private_store}/ (keep it out of git). "
                   "Review the new files, then set status: approved.")
    if result.stopped:
        click.secho("The import stopped at the error above; the rows before it were imported, with their "
                    "private records, and are skipped when you import the file again.", fg="red", err=True)
        sys.exit(1)
    if result.rejected:
        # Each one a fan's submission not imported: an error, whatever was imported beside it.
        click.secho(f"Import incomplete: {result.rejected} row(s) were left out (above); correct them in the export "
                    "and import it again (the rows imported now are skipped then).", fg="red", err=True)
        sys.exit(1)


@main.command("withdraw")
@click.argument("ident", metavar="ID")
@click.option("--site", "site", default=".", metavar="DIR", help="The site folder (default: here).")
@click.option("--by", "by", type=click.Choice(list(WITHDRAW_KEYS)), default=None,
              help="Match ID by this key only: a memory's slug, a fan's author.id (all their memories), a "
                   "consent.ref, or an email. Needed when ID matches memories by different keys.")
@_edge
def withdraw_command(ident: str, site: str, by: str | None) -> None:
    """Honour a fan's withdrawal: mark, rebuild, list the URLs to purge.

    ID is a memory's slug (or its page's URL, or one of its aliases), a fan's author.id, a
    consent reference, or the fan's email address (looked up in the private store). Every matching
    memory is marked 'status: withdrawn', the fan's personal data is erased
    from the private store, and the site is rebuilt. When ID matches
    memories by different keys (the slug of one, the author.id of
    another), nothing is changed until --by says which is meant.
    """
    from storysite import routing, takedown
    from storysite.build import build_date
    from storysite.cache import recorded_outputs
    from storysite.config import load_config
    from storysite.privatestore import PrivateStore
    from storysite.withdraw import (
        KEYS,
        ambiguous,
        close_matches,
        erasure,
        find_memories,
        mark_withdrawn,
        photo_users,
        photos_left,
        withdrawn_already,
    )
    from storysite.write import MARKER

    if not ident.strip():
        raise click.BadParameter("is empty; give a memory's slug, an author.id, a consent reference or an "
                                 "email", param_hint="ID")
    site_dir = _site_dir(site, "--site")
    config, problems = load_config(site_dir)
    print_diagnostics(problems)
    if config is None:
        sys.exit(1)
    store = PrivateStore(site_dir / config.privacy.private_store)
    author_ids = store.ids_for_email(ident) if "@" in ident and by in (None, "email") else set()
    matches = find_memories(site_dir, config.limits.max_file_bytes, ident, author_ids, by, config.base_path)
    if not matches:
        # No memory left in the content tree (a submission an editor deleted), but the private store
        # still holds the fan's personal data: it goes all the same, a tombstone keeping re-imports out.
        fans = author_ids | ({ident.strip()} if by in (None, "author.id") and any(
            r.get("author_id") == ident.strip() for r in store.records()) else set())
        erased = store.forget(fans, build_date(os.environ).isoformat()) if fans else 0
        if erased:
            click.echo(f"No memory in the content tree matches '{ident}'; erased {erased} record(s) of personal "
                       f"data from {config.privacy.private_store}/ (re-imports of them are refused).")
            return
        emails = "the private store's emails (imported fans) and author.email fields"
        searched = {"slug": "slugs", "author.id": "author.id fields", "consent.ref": "consent.ref fields",
                    "email": emails}.get(by or "", emails if "@" in ident else "slugs, author.id and consent.ref "
                                                                              "fields")
        click.secho(f"No memory matches '{ident}' (a slug, author.id, consent reference or email; searched "
                    f"{searched}).", fg="red", err=True)
        # Only suggested: an ID is matched exactly, since withdrawing the wrong fan's memory (and
        # erasing their personal data for good) is worse than finding none.
        if near := close_matches(site_dir, config.limits.max_file_bytes, ident, by):
            click.echo("Nothing was changed. Close to it (check which, if any, is the fan's; then run this withdraw "
                       "again with the ID exactly as written there):", err=True)
            for close in near:
                how = " (the same but for capitals, accents or spaces)" if close.same else ""
                click.echo(f"  {close.path}:{close.line}: {close.key} '{close.value}'{how}", err=True)
        sys.exit(1)
    if ambiguous(matches):
        # Withdrawing every match could take down another fan's memories: the editor says which is meant.
        click.secho(f"error: '{ident}' matches memories by different keys; nothing was changed:", fg="red",
                    err=True)
        for match in matches:
            click.secho(f"{match.path}:{match.item.line}: {match.slug}: matched by its "
                        f"{' and its '.join(match.keys)}", fg="red", err=True)
        found = {key for match in matches for key in match.keys}
        choices = " or ".join(f"--by {key} ({takes})" for key, takes in KEYS.items() if key in found)
        click.echo(f"Say which is meant: run again with {choices}.", err=True)
        sys.exit(2)
    today = build_date(os.environ).isoformat()
    # Without a record of the deployed site (a fresh clone, CI), the output as it stands is that record,
    # so that the purge list still names what the withdrawal changes.
    output_dir = site_dir / config.output
    if takedown.load_manifest(site_dir) is None and output_dir.is_dir():
        base_path = config.base_path
        files = ((p.relative_to(output_dir).as_posix(), p.read_bytes()) for p in sorted(output_dir.rglob("*"))
                 if p.is_file())
        takedown.save(site_dir, takedown.make_manifest(files, (m.slug for m in matches), base_path,
                                                       str(output_dir.resolve())), [])
    recorded = takedown.load_manifest(site_dir) is not None
    failed: list[Diagnostic] = []
    still: list[str] = []  # the slugs of the memories left as they were: still published
    for path in sorted({m.path for m in matches}):
        file = site_dir / path
        in_file = [m for m in matches if m.path == path]
        try:
            data = file.read_bytes()
        except OSError as exc:
            failed.append(error(path, 0, f"cannot be read ({exc.strerror or exc}); make it readable and run this "
                                         "withdraw again"))
            still.extend(m.slug for m in in_file)
            continue
        bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""  # kept, as every other byte
        text = data[len(bom):].decode("utf-8")
        original = text
        done: list[str] = []
        # Edit from the bottom up so that earlier items' line numbers stay right.
        edited_here: list[str] = []
        for match in sorted(in_file, key=lambda m: -m.item.line):
            # Withdrawn before: its date stays the day of the fan's wish (the private fields still go).
            on = _withdrawal_date(match.item.fields.get("withdrawn")) or today
            edited, problem = mark_withdrawn(text, match.item, on)
            if problem is not None or edited is None:
                failed.extend([problem] if problem else [])
                if not withdrawn_already(match.item):
                    still.append(match.slug)
                continue
            done.append(f"Withdrawn: {match.slug} ({path})" if edited != text
                        else f"Already withdrawn on {on}: {match.slug} ({path})")
            if edited != text:
                edited_here.append(match.slug)
            text = edited
        if text != original:
            try:
                file.write_bytes(bom + text.encode("utf-8"))
            except OSError as exc:
                failed.append(error(path, 0, f"cannot be written ({exc.strerror or exc}); make it writable and run "
                                             "this withdraw again"))
                still.extend(edited_here)
                continue
        for line in reversed(done):
            click.echo(line)
    # The personal data goes whatever happened to the files: a fan's, or a memory's alone. A store
    # that cannot be read (a damaged line) is said at the end: it never holds back the takedown.
    store_problem = None
    try:
        erased = store.forget(erasure(site_dir, config.limits.max_file_bytes, matches, author_ids).covers, today)
    except StorysiteError as exc:
        erased, store_problem = 0, exc
    if erased:
        click.echo(f"Erased {erased} record(s) of personal data from {config.privacy.private_store}/.")
    result = build(site_dir)
    print_diagnostics(result.diagnostics)
    if store_problem is not None:
        click.secho(f"error: {store_problem}", fg="red", err=True)
        click.secho(f"The fan's personal data was NOT erased from {config.privacy.private_store}/: repair the "
                    "store, then run this withdraw again.", fg="red", err=True)
    if failed:
        print_diagnostics(failed)
        click.secho(f"{len(failed)} memory(ies) could not be marked withdrawn and are STILL PUBLISHED: set "
                    "'status: withdrawn' in them by hand, remove the fan's private fields, then build again.",
                    fg="red", err=True)
    if not result.written:
        marked = "The other memories are" if still else "The memories are"
        click.secho(f"{marked} marked withdrawn, but the build failed: fix the errors above and build "
                    "again before purging.", fg="red", err=True)
        sys.exit(1)
    # Other folders this site was built into (build --output, or an earlier output: setting) keep
    # the memories until built again.
    configured = (site_dir / config.output).resolve()
    for other in recorded_outputs(site_dir):
        held = sorted(m.slug for m in matches if (other / routing.memory_url(m.slug).strip("/") / "index.html").exists())
        if held and other.resolve() != configured and (other / MARKER).is_file():
            click.secho(f"warning: {_display_path(other)} (another folder this site was built into) still holds "
                        f"{', '.join(held)}: build it again (storysite build -o {_display_path(other)}) before "
                        "deploying it", fg="yellow", err=True)
    left = photos_left(site_dir, matches)
    shared = photo_users(site_dir, config, build_date(os.environ), matches, left)
    if alone := [photo for photo in left if photo not in shared]:
        click.echo(f"The site no longer shows the fan's photos and videos, but they are still in the site folder "
                   f"(and git keeps them): {', '.join(alone)}. Delete them if the fan asked to be forgotten (git rm); "
                   "the build then leaves them out with a note.")
    for photo, where in shared.items():
        click.echo(f"{photo} is kept: other items name it too ({', '.join(where)}). The site leaves it out there as "
                   "well while this memory is withdrawn, but deleting the file would fail the build (a photo that is "
                   "not found is an error there): if it is the fan's, take it out of those files first.")
    # The last words a script or a hurried editor reads: an incomplete withdrawal never reads as done.
    rebuilt = "Rebuilt."
    if still or store_problem is not None:
        left = [f"{len(still)} memory(ies) are STILL PUBLISHED ({', '.join(sorted(set(still)))}): mark them "
                "by hand (errors above), then build again"] if still else []
        left += [f"the fan's personal data is still in {config.privacy.private_store}/ (error above)"] \
            if store_problem is not None else []
        rebuilt = f"Rebuilt, but the withdrawal is INCOMPLETE: {'; '.join(left)}."
    if recorded and not result.purge:
        click.echo(f"{rebuilt} No published URL changed: nothing to purge from caches and CDNs"
                   + (" yet." if still else "."))
    elif recorded:
        click.echo(f"{rebuilt} {len(result.purge)} URL(s) to purge from caches and CDNs"
                   + (", for what was taken down:" if still else ":"))
        for url in result.purge:
            click.echo(url)
    else:
        click.echo(f"{rebuilt} No record of a previous build was found, so the full list of URLs to purge is not "
                   "known: purge everything from caches and CDNs, or at least:")
        for match in matches:
            if match.slug not in still:
                click.echo(config.base_url + routing.memory_url(match.slug).lstrip("/"))
    if failed or store_problem is not None:
        sys.exit(1)
    _fail_if_written_with_errors(result)


def _withdrawal_date(value: Any) -> str | None:
    """A memory's ``withdrawn:`` date as written, when it is one (``2026-11-20``)."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(value).isoformat() if isinstance(value, str) else None
    except ValueError:
        return None


@main.command("serve")
@click.argument("site", default=".", metavar="[DIR]")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), metavar="N",
              help="Port to listen on (0: any free port, named when serving).")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="HOST", help="Address to listen on.")
@_edge
def serve_command(site: str, port: int, host: str) -> None:
    """Preview the site on http://127.0.0.1:PORT/, rebuilding and reloading on every save.

    The preview answers only requests addressed to localhost, 127.0.0.1, [::1]
    or the --host address (so that no other web site can read it through DNS
    rebinding); with --host 0.0.0.0 it answers to any name.
    """
    import ipaddress
    import time

    from storysite.serve import PreviewServer

    site_dir = _site_dir(site)
    try:
        loopback = ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        click.secho(f"warning: serving on {host}: other machines on the network can reach this preview. "
                    "Use --host 127.0.0.1 unless you mean it.", fg="yellow", err=True)

    served: list[bool] = []  # whether a build has succeeded yet

    def report(result: Any, seconds: float) -> None:
        print_diagnostics(result.diagnostics)
        if result.written:
            click.echo(f"{'Rebuilt' if served else 'Built'} {result.pages} pages in {seconds:.2f} s.")
            served.append(True)
        elif served:
            click.secho("Build failed; the last good pages are still served.", fg="red", err=True)
        else:
            click.secho("Build failed; nothing to serve until it builds (the browser shows the errors).",
                        fg="red", err=True)

    try:
        server = PreviewServer(site_dir, host, port, on_build=report)
    except OSError as exc:
        # Exit 2, as for a wrong option: 1 says the site failed to build.
        hint = "; choose another with --port" if exc.errno == errno.EADDRINUSE else ""
        raise StorysiteError(f"cannot listen on {host}:{port}: {exc.strerror}{hint}", exit_code=2) from None

    def stop_when_terminated(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt  # as Ctrl-C: the preview's folder and records are cleared away

    signal.signal(signal.SIGTERM, stop_when_terminated)
    try:
        server.start()
        click.echo(f"Serving {site_dir} on {server.site_url} (Ctrl-C to stop).")
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("Stopping.")
    finally:
        server.stop()


def _import_timelinejs(file: Path, site_dir: Path, out: Path | None) -> None:
    """``storysite import timelinejs FILE.json``: a TimelineJS file → milestone files."""
    from storysite.importers.timelinejs import convert_timelinejs, write_milestones

    if not file.is_file():
        raise click.BadParameter(f"'{file}' is not a file", param_hint="FILE")
    conversion = convert_timelinejs(file.read_bytes(), file.as_posix())
    print_diagnostics(conversion.diagnostics)
    if conversion.fatal:
        click.secho("Nothing was imported.", fg="red", err=True)
        sys.exit(1)
    folder = out if out is not None else site_dir / "content" / "timeline"
    written, kept = write_milestones(conversion.documents, folder)
    for name in kept:
        click.secho(f"{_display_path(folder)}{name}: already exists; left as it was", fg="yellow", err=True)
    click.echo(f"Imported {len(written)} milestone(s) into {_display_path(folder)}")
    if conversion.eras:
        click.echo("The file has eras; to show them, add to storysite.yaml:\ntimeline:\n  eras:")
        for era in conversion.eras:
            click.echo(f"    - {{name: {json.dumps(era.name, ensure_ascii=False)}, from: {era.start}, to: {era.end}}}")
    if left_out := sum(d.is_error for d in conversion.diagnostics):
        # As an import of submissions: an event left out is an error, whatever came in beside it, so
        # that a script or CI job does not take a partial import for a whole one.
        click.secho(f"Import incomplete: {left_out} event(s) were left out (above); correct them in the file and "
                    "import it again (the milestones imported now are left as they are).", fg="red", err=True)
        sys.exit(1)
