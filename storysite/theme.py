"""Themes: the layer chain, one Jinja environment, strings, dates and assets.

A theme name is looked up in the site's ``themes/<name>/`` first, then among
the bundled themes; a site folder of the same name as a bundled theme
overrides single files of it. ``theme.yaml`` may say ``extends: <name>``, so
the search path is, for ``extends: default``::

    site/themes/brand, bundled/brand, site/themes/default, bundled/default

Templates are autoescaped everywhere (HTML, XML, JSON alike) and undefined
variables are errors, so a typo cannot silently render as nothing.
"""

from __future__ import annotations

import functools
import hashlib
import os
import posixpath
import re
import string
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox
from markupsafe import Markup

from storysite.config import CONFIG_NAME, SiteConfig
from storysite.dates import PartialDate
from storysite.diagnostics import Diagnostic, error, warning
from storysite.privacyguard import SiteAreas, without_unpublishable
from storysite.yamlio import YamlMap, decode_text, load_yaml

ASSETS_URL = "/assets/"


def bundled_themes_dir() -> Path:
    """Where the bundled themes are: inside the installed package, or the checkout."""
    installed = Path(__file__).parent / "themes"
    if installed.is_dir():
        return installed
    return Path(__file__).parent.parent / "themes"


@dataclass(frozen=True, slots=True)
class ThemeLayer:
    """One folder of the chain, named as the site sees it (for messages)."""

    root: Path
    label: str


@dataclass(frozen=True, slots=True)
class Theme:
    """A resolved theme: its layers, strings and static files, child first."""

    name: str
    layers: tuple[ThemeLayer, ...]
    strings: Mapping[str, Any]
    fallback_strings: Mapping[str, Any]
    static_files: Mapping[str, Path] = field(default_factory=dict)

    @property
    def date_strings(self) -> Mapping[str, Any]:
        """What dates are written with: the language's strings, with English for what they
        lack (as ``t()`` does), so that a language whose strings give no month names yet
        writes "April 1976", not "4 1976"."""
        return {**self.fallback_strings, **self.strings}

    def template_dirs(self) -> list[str]:
        return [str(layer.root / "templates") for layer in self.layers if (layer.root / "templates").is_dir()]

    def label_for(self, filename: str | None) -> str:
        """A site-relative name for a template file, for error messages."""
        if not filename:
            return "templates"
        for layer in self.layers:
            try:
                rel = Path(filename).resolve().relative_to((layer.root / "templates").resolve())
            except ValueError:
                continue
            return f"{layer.label}/templates/{rel.as_posix()}"
        return filename


def theme_files(root: Path) -> Iterator[Path]:
    """The files below ``root`` (a theme's ``templates/`` or ``static/``), sorted, through
    symbolic links to folders too: a theme may share its partials or images with another by
    a link, and ``Path.rglob`` (before Python 3.13) does not go through one, so those files
    were neither published nor part of what the pages' cache key is made of. A link that
    leads back to a folder it is in is not followed again."""

    def walk(folder: Path, above: frozenset[Path]) -> Iterator[Path]:
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            return
        for entry in entries:
            path = Path(entry.path)
            if entry.is_dir():
                real = path.resolve()
                if real not in above:
                    yield from walk(path, above | {real})
            elif entry.is_file():
                yield path

    if not root.is_dir():
        return iter(())
    return walk(root, frozenset({root.resolve()}))


def _candidates(name: str, site_dir: Path) -> list[ThemeLayer]:
    found = []
    site_theme = site_dir / "themes" / name
    if site_theme.is_dir():
        found.append(ThemeLayer(site_theme, f"themes/{name}"))
    bundled = bundled_themes_dir() / name
    if bundled.is_dir():
        found.append(ThemeLayer(bundled, f"(bundled theme {name})"))
    return found


def _read_yaml_map(path: Path, label: str, problems: list[Diagnostic]) -> YamlMap | None:
    text, problem = decode_text(path.read_bytes())
    if text is None or problem is not None:
        assert problem is not None
        problems.append(error(label, problem.line, problem.message))
        return None
    value, problem = load_yaml(text)
    if problem is not None:
        problems.append(error(label, problem.line, problem.message))
        return None
    if value is None:
        return YamlMap(1)
    if not isinstance(value, YamlMap):
        problems.append(error(label, 1, "expected a mapping"))
        return None
    return value


def _is_theme_name(name: str) -> bool:
    """Whether ``name`` names a folder inside ``themes/``: ``extends: ""`` (or ``.``) made
    ``themes/`` itself and the folder of the bundled themes layers of the theme, whose
    templates were then not found with no word about ``extends``; ``../x`` or an absolute path
    took a theme from outside the site, which no rebuild watches (its edits went unseen)."""
    path = name.strip().replace("\\", "/")
    parts = path.rstrip("/").split("/")
    return not path.startswith("/") and parts[-1] not in ("", ".") and ".." not in parts


THEME_KEYS = ("name", "description", "extends", "author", "license", "version")
"""What a theme's ``theme.yaml`` may say (only ``extends`` changes anything)."""


def load_theme(config: SiteConfig, site_dir: Path, config_line: int = 0) -> tuple[Theme | None, list[Diagnostic]]:
    """Resolve the theme chain for ``config.theme``; every problem is reported."""
    problems: list[Diagnostic] = []
    layers: list[ThemeLayer] = []
    visited: list[str] = []
    name: str | None = config.theme
    named_at = (CONFIG_NAME, config_line)  # where the theme looked for now is named
    while name is not None:
        if not _is_theme_name(name):
            problems.append(error(*named_at, f"theme '{name}' is not a theme name (a folder in themes/, "
                                  "or a bundled theme; for a theme kept elsewhere, link it into themes/)"))
            return None, problems
        if name in visited:
            problems.append(error(*named_at, f"themes extend each other in a cycle: {' → '.join([*visited, name])}"))
            return None, problems
        visited.append(name)
        found = _candidates(name, site_dir)
        if not found:
            where = f"themes/{name}/ in the site or the bundled themes"
            problems.append(error(*named_at, f"theme '{name}' not found (looked in {where})"))
            return None, problems
        layers.extend(found)
        parent: str | None = None
        for layer in found:
            manifest = layer.root / "theme.yaml"
            if manifest.is_file():
                label = f"{layer.label}/theme.yaml"
                data = _read_yaml_map(manifest, label, problems)
                if data is not None:
                    problems.extend(warning(label, data.line_of(key), f"unknown key '{key}' (theme.yaml knows "
                                                                      f"{', '.join(THEME_KEYS)})")
                                    for key in data if key not in THEME_KEYS)
                if data is not None and data.get("extends") is not None:
                    extends = data.get("extends")
                    if not isinstance(extends, str) or not _is_theme_name(extends):
                        problems.append(error(label, data.line_of("extends"), "extends: expected a theme name "
                                              "(a folder in themes/, or a bundled theme; for a theme kept "
                                              "elsewhere, link it into themes/)"))
                    else:
                        parent = extends
                        named_at = (label, data.line_of("extends"))
                break
        name = parent
    strings = _merge_strings(layers, config.language, problems)
    base_language = config.language.split("-")[0]
    if base_language != config.language:
        # A regional variant (fr-CA, en-GB) says what differs; the rest is the language's own.
        strings = {**_merge_strings(layers, base_language, problems), **strings}
    if not strings and config.language != "en":
        problems.append(warning(CONFIG_NAME, config.line_of("language"),
                                f"language '{config.language}' has no theme strings; English ones are used"))
    fallback = _merge_strings(layers, "en", problems) if config.language != "en" else strings
    static: dict[str, Path] = {}
    areas = SiteAreas(site_dir, config.privacy.private_store, config.output)
    for layer in reversed(layers):
        static_root = layer.root / "static"
        if static_root.is_dir():
            files = {file.relative_to(static_root).as_posix(): file for file in theme_files(static_root)
                     if not file.name.startswith(".")}
            if layer.label.startswith("themes/"):  # the site's own theme (a bundled one is storysite's)
                # Published as they are, like static/: nothing that leads into the private store,
                # content/, the caches, the output or the configuration.
                files, refused = without_unpublishable(files, areas, f"{layer.label}/static")
                problems.extend(refused)
            static.update(files)
    theme = Theme(config.theme, tuple(layers), strings, fallback, dict(sorted(static.items())))
    if not theme.template_dirs():
        problems.append(error(CONFIG_NAME, config_line, f"theme '{config.theme}' has no templates folder"))
        return None, problems
    return theme, problems


RETIRED_PLACEHOLDERS: dict[str, tuple[frozenset[str], str]] = {
    "labels.refusal.unsupported": (frozenset({"char", "code"}),
                                   "a refused character is never shown back: {position} says where it is"),
}
"""Placeholders earlier versions gave a string, which a site's theme may still use, and why
they are given no more."""


def _merge_strings(layers: list[ThemeLayer], language: str, problems: list[Diagnostic]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for layer in reversed(layers):
        path = layer.root / "strings" / f"{language}.yaml"
        if path.is_file():
            label = f"{layer.label}/strings/{language}.yaml"
            data = _read_yaml_map(path, label, problems)
            if data is not None:
                checked = _checked_strings(data, label, problems)
                # A layer above may not ask for values the layer below is not given.
                for key in list(checked):
                    names, why = RETIRED_PLACEHOLDERS.get(key, (frozenset(), ""))
                    retired = _placeholders(checked[key]) & names
                    if key in merged and retired:
                        problems.append(warning(label, data.line_of(key), f"{key}: "
                                                f"{', '.join('{' + f + '}' for f in sorted(retired))} is no longer "
                                                f"given ({why}); the string of the theme it extends is used instead: "
                                                f"write yours with "
                                                f"{', '.join('{' + f + '}' for f in sorted(_placeholders(merged[key])))}"))
                        del checked[key]
                    elif key in merged and key not in ("months", "date_formats"):
                        extra = _placeholders(checked[key]) - _placeholders(merged[key])
                        if extra:
                            given = ", ".join("{" + f + "}" for f in sorted(_placeholders(merged[key])))
                            problems.append(error(label, data.line_of(key), f"{key}: "
                                                  f"{', '.join('{' + f + '}' for f in sorted(extra))} is not known "
                                                  f"here; it may use {given or 'no {placeholder}'}"))
                            del checked[key]
                merged.update(checked)
    return merged


def _placeholders(value: Any) -> set[str]:
    """The ``{names}`` a theme string (or its one/other forms) fills in; ``{?}`` when unreadable."""
    texts = value.values() if isinstance(value, dict) else [value]
    names: set[str] = set()
    for text in texts:
        try:
            for _, field_name, _, _ in string.Formatter().parse(str(text)):
                if field_name is not None:
                    names.add(re.split(r"[.\[]", field_name, maxsplit=1)[0] or "?")
        except ValueError:
            names.add("?")
    return names


_DATE_FIELDS = {"decade": ("year",), "day": ("day", "month", "year"), "month": ("month", "year"),
                "approximate": ("date",), "first_day": ()}


def _fills(pattern: str, fields: tuple[str, ...]) -> bool:
    """Whether ``pattern.format(**{f: ...})`` works with exactly these fields."""
    try:
        pattern.format(**{f: "x" for f in fields})
    except (KeyError, IndexError, ValueError, AttributeError):
        return False
    return True


def _checked_strings(data: YamlMap, label: str, problems: list[Diagnostic]) -> dict[str, Any]:
    """The theme strings of one file whose values have the right shape; the others are errors
    (and left out, so that the strings of the layers below or the defaults are used)."""
    kept: dict[str, Any] = {}
    for key, value in data.items():
        line = data.line_of(key)
        if key == "months":
            if not isinstance(value, list) or len(value) != 12 or not all(isinstance(v, str) for v in value):
                problems.append(error(label, line, "months: expected a list of the 12 month names"))
                continue
        elif key == "date_formats":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                problems.append(error(label, line, "date_formats: expected a mapping of formats (day: "
                                      "\"{day} {month} {year}\", ...)"))
                continue
            bad = [(name, fields) for name, pattern in value.items()
                   if (fields := _DATE_FIELDS.get(name)) is not None and not _fills(pattern, fields)]
            if bad:
                name, fields = bad[0]
                allowed = ", ".join("{" + f + "}" for f in fields) or "no {placeholder}"
                problems.append(error(label, value.line_of(name) if isinstance(value, YamlMap) else line,
                                      f"date_formats.{name}: may use {allowed} only"))
                continue
        elif isinstance(value, dict):
            if (not all(isinstance(v, (str, int, float)) for v in value.values()) or "other" not in value
                    or not set(value) <= {"one", "other"}):
                problems.append(error(label, line, f"{key}: expected text, or one and other texts "
                                                   "(one: \"1 souvenir\", other: \"{count} souvenirs\")"))
                continue
        elif isinstance(value, (list, bool)):
            problems.append(error(label, line, f"{key}: expected text"))
            continue
        kept[key] = value
    return kept


# -- dates and strings --------------------------------------------------------


def format_date(date: PartialDate | None, strings: Mapping[str, Any], *, approximate: bool = False) -> str:
    """A partial date in words, by the theme's strings ("14 juillet 1986", "années 1980")."""
    if date is None:
        return ""
    months = strings.get("months") or []
    patterns = strings.get("date_formats") or {}
    if date.decade:
        text = str(patterns.get("decade", "{year}s")).format(year=date.year)
    elif date.day:
        day_name = str(patterns.get("first_day", "1")) if date.day == 1 else str(date.day)
        text = str(patterns.get("day", "{day} {month} {year}")).format(
            day=day_name, month=months[date.month - 1] if len(months) >= date.month else date.month, year=date.year)
    elif date.month:
        text = str(patterns.get("month", "{month} {year}")).format(
            month=months[date.month - 1] if len(months) >= date.month else date.month, year=date.year)
    else:
        text = str(date.year)
    if approximate and not date.decade:
        text = str(patterns.get("approximate", "around {date}")).format(date=text)
    return text


_ZERO_IS_ONE = frozenset({"fr", "pt", "hy", "kab", "ff"})
"""Languages whose singular counts zero too (Unicode CLDR: ``i = 0,1``; Portugal's Portuguese aside)."""


class Translator:
    """``t("key", name=...)``: a theme string in the site language, English as fallback."""

    def __init__(self, strings: Mapping[str, Any], fallback: Mapping[str, Any],
                 missing: list[str] | None = None, language: str = "en") -> None:
        self.strings = strings
        self.fallback = fallback
        language = language.lower()
        self.zero_is_one = language.split("-")[0] in _ZERO_IS_ONE and language != "pt-pt"
        """Whether the language says "0 souvenir", as French does, where English says "0 memories"."""
        self.missing = missing
        """With a list, a missing string is noted there and its key given instead (the build
        reports them all); without, it is an error where it is used (a template's line)."""

    def __call__(self, key: str, **values: Any) -> str:
        text = self.strings.get(key)
        own = text is not None
        if text is None:
            text = self.fallback.get(key)
        if text is None and self.missing is not None:
            self.missing.append(key)
            return key
        if text is None:
            raise jinja2.UndefinedError(f"no theme string '{key}' in strings/*.yaml")
        if isinstance(text, dict):
            count = values.get("count", 0)
            # (Unicode CLDR's plural rules: English "one" is 1 alone; French's is 0 and 1.)
            one = count == 1 or (count == 0 and own and self.zero_is_one)
            text = text.get("one" if one else "other", "")
        if not values:
            return str(text)
        try:
            return str(text).format(**values)
        except (KeyError, IndexError, ValueError, AttributeError) as exc:
            given = ", ".join("{" + name + "}" for name in values)
            raise jinja2.UndefinedError(f"theme string '{key}' ({text!r}) cannot be filled in: {exc!s}; "
                                        f"it may use {given}") from None


# -- colours ------------------------------------------------------------------


def _luminance(color: str) -> float:
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else float(((c + 0.055) / 1.055) ** 2.4)

    r, g, b = (channel(color[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _mix(color: str, other: str, amount: float) -> str:
    parts = []
    for i in (1, 3, 5):
        a, b = int(color[i : i + 2], 16), int(other[i : i + 2], 16)
        parts.append(round(a + (b - a) * amount))
    return "#" + "".join(f"{p:02x}" for p in parts)


def readable_on(background: str, color: str, ratio: float = 4.5) -> str:
    """``color``, darkened or lightened just enough to read on ``background``."""
    target = "#000000" if _luminance(background) > 0.18 else "#ffffff"
    amount = 0.0
    candidate = color
    while contrast(candidate, background) < ratio and amount < 1:
        amount = min(1.0, amount + 0.05)
        candidate = _mix(color, target, amount)
    return candidate


def palette(primary: str, accent: str) -> dict[str, str]:
    """Brand colours and the derived colours that keep text readable (WCAG AA)."""
    paper = "#fffaf3"
    return {
        "primary": primary,
        "accent": accent,
        "paper": paper,
        "on_primary": "#ffffff" if contrast("#ffffff", primary) >= contrast("#1d1a16", primary) else "#1d1a16",
        "on_accent": "#ffffff" if contrast("#ffffff", accent) >= contrast("#1d1a16", accent) else "#1d1a16",
        "link": readable_on(paper, primary),
        "primary_soft": _mix(primary, "#ffffff", 0.88),
        "accent_soft": _mix(accent, "#ffffff", 0.75),
    }


# -- assets -------------------------------------------------------------------

_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)|(?<=@import)(\s+)(['\"])([^'\"]+)\4")
"""A reference in a stylesheet: ``url(...)``, or the quoted name of ``@import "x.css"``."""


@dataclass(frozen=True, slots=True)
class Assets:
    """Static files with content-hashed names: logical path → URL, and the files."""

    urls: Mapping[str, str]
    files: Mapping[str, bytes]

    def without(self, logicals: Iterable[str]) -> Assets:
        """These assets but those of the logical paths ``logicals`` (which the site does not use)."""
        gone = {self.urls[logical] for logical in logicals if logical in self.urls}
        if not gone:
            return self
        return Assets({logical: url for logical, url in self.urls.items() if url not in gone},
                      {path: data for path, data in self.files.items() if "/" + path not in gone})


def build_assets(static_files: Mapping[str, Path], site_dir: Path | None = None,
                 replaced: Mapping[str, bytes] | None = None) -> tuple[Assets, list[Diagnostic]]:
    """Hash every theme static file into ``assets/``; CSS ``url()`` and ``@import`` refs are
    rewritten. A reference of a stylesheet of the site's own theme (in ``site_dir``) to a file
    the theme does not have is a warning at its line: the page would load nothing there. A file
    of ``replaced`` is published as given there (a photo without where it was taken)."""
    urls: dict[str, str] = {}
    problems: list[Diagnostic] = []
    files: dict[str, bytes] = {}

    def hashed(logical: str, data: bytes) -> None:
        digest = hashlib.sha256(data).hexdigest()[:10]
        stem, dot, ext = logical.rpartition(".")
        name = f"{stem}.{digest}.{ext}" if dot else f"{logical}.{digest}"
        out = "assets/" + name
        urls[logical] = "/" + out
        files[out] = data

    css = [p for p in static_files if p.endswith(".css")]
    for logical, path in static_files.items():
        if logical not in css:
            hashed(logical, replaced[logical] if replaced and logical in replaced else path.read_bytes())

    def hash_css(logical: str, open_: frozenset[str]) -> None:
        # A stylesheet's name holds the hash of its text, which holds the names of the
        # stylesheets it imports: those are hashed first (a cycle of imports is left as written).
        source = static_files[logical]
        text = source.read_text("utf-8")
        folder = posixpath.dirname(logical)
        label = (source.relative_to(site_dir).as_posix() if site_dir is not None and source.is_relative_to(site_dir)
                 else None)

        def rewrite(match: re.Match[str]) -> str:
            is_url = match.group(2) is not None
            quote, ref = (match.group(1), match.group(2)) if is_url else (match.group(4), match.group(5))
            if ref.startswith(("data:", "http:", "https:", "/", "#")):
                return match.group(0)
            target = posixpath.normpath(posixpath.join(folder, ref.split("?")[0].split("#")[0]))
            if target in static_files and target.endswith(".css") and target not in urls and target not in open_:
                hash_css(target, open_ | {target})
            if target not in urls:
                if target not in static_files and label is not None and not ref.startswith(("//", "mailto:")):
                    problems.append(warning(label, text.count("\n", 0, match.start()) + 1,
                                            f"'{ref}' is not a file of the theme (looked for static/{target}); "
                                            "the page loads nothing there"))
                return match.group(0)
            rel = posixpath.relpath(urls[target], "/assets/" + folder if folder else "/assets")
            return f"url({quote}{rel}{quote})" if is_url else f"{match.group(3)}{quote}{rel}{quote}"

        hashed(logical, _CSS_URL.sub(rewrite, text).encode("utf-8"))

    for logical in css:
        if logical not in urls:
            hash_css(logical, frozenset({logical}))
    return Assets(dict(sorted(urls.items())), dict(sorted(files.items()))), problems


# -- environment --------------------------------------------------------------


class _Environment(jinja2.Environment):
    """Jinja's environment, with no attribute starting with ``_`` within a template's reach, and
    each template's globals a dict rather than a ChainMap.

    A theme is not trusted with more than its context: the site's own theme may come from
    anyone (a template shop, an agency), and with plain Jinja a template reaches any Python
    object through ``''.__class__.__mro__`` or a function's ``__globals__``, so it could read
    ``content/`` (where unpublished memories, emails and consent references lie) or the
    private store and publish them. Every ``x.name`` and ``x['name']`` of a template goes
    through :meth:`getattr` and :meth:`getitem`, which refuse a name starting with ``_``, as
    Jinja's sandbox does; ``str.format`` looks fields up the same way. (The sandbox itself
    also checks every call a template makes, which costs a sixth of the render time, for
    nothing here: no value in a template's reach has a method that writes or reads files.)

    Every render copies its template's globals into a new context, and every ``{% from
    ... import %}`` compares the global names of two templates: over Jinja's ChainMap both
    are Python loops (a failed lookup per name), some 10 µs a page; over a dict they run in
    C. ``make_environment`` sets every global before any template is loaded, as Jinja asks
    ("should not be changed after loading any templates"), so a copy made when a template
    is loaded holds what a live view would.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        # Jinja's own lookup, written out (every ``x.y`` of every page comes here: a call to it
        # on top would cost a tenth of the render time).
        if attribute[:1] == "_":
            raise _unsafe(obj, attribute)
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            try:
                return obj[attribute]
            except (TypeError, LookupError, AttributeError):
                return self.undefined(obj=obj, name=attribute)
        if (attribute == "format" or attribute == "format_map") and isinstance(obj, str):
            # (Its fields, such as {0.__class__}, are attributes looked up by this environment.)
            return functools.partial(self._format, obj, attribute == "format_map")
        return value

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(argument, str) and argument.startswith("_"):
            raise _unsafe(obj, argument)
        return super().getitem(obj, argument)

    def _format(self, text: str, mapping: bool, *args: Any, **kwargs: Any) -> str:
        formatter: jinja2.sandbox.SandboxedFormatter = (
            jinja2.sandbox.SandboxedEscapeFormatter(self, escape=text.escape) if isinstance(text, Markup)
            else jinja2.sandbox.SandboxedFormatter(self))
        if mapping:
            (kwargs,) = args
            args = ()
        return type(text)(formatter.vformat(text, args, kwargs))

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        # A copy: a template's own globals never reach the environment's (as with the ChainMap).
        return {**self.globals, **(d or {})}


def _unsafe(obj: Any, name: str) -> jinja2.exceptions.SecurityError:
    """The error of a template that asks for ``name`` of ``obj`` (worded as Jinja's sandbox words it)."""
    return jinja2.exceptions.SecurityError(f"access to attribute {name!r} of {type(obj).__name__!r} object is unsafe.")


class RenderOnce:
    """``render_once("partials/site_head.html", site=site)``: a template rendered with the
    given values as its only context, once per environment (one build) for the same values.

    The parts of a page that do not depend on the page (asset links, palette, footer) then
    cost one render per build instead of one per page. The result is memoised on the
    template name and the identity of every value: view models are frozen, and an entry
    keeps its values alive so that no other object can take their identity while it is
    kept. Another object, even an equal one, is rendered anew, so the memo can never give
    what another value would not have rendered. The rest a template sees is fixed for the
    environment of ``make_environment``: its globals (``t``, ``url``, ``asset``) and its
    templates, never reloaded (``auto_reload`` is off).
    """

    MAX_ENTRIES = 64
    """Beyond this many memoised renders (a theme passing per-page values), the memo starts over."""

    def __init__(self, env: jinja2.Environment) -> None:
        # Private (and so out of a template's reach, like ``rendered``: see _Environment): through the
        # environment, a template could add a folder to the loader's search path and include
        # any file of the site (``render_once.env.loader.searchpath.append(...)``).
        self._env = env
        self._rendered: dict[tuple[Any, ...], tuple[dict[str, Any], Markup]] = {}

    def __call__(self, name: str, **values: Any) -> Markup:
        key = (name, *((given, id(values[given])) for given in sorted(values)))
        found = self._rendered.get(key)
        if found is not None:
            return found[1]
        # Markup: the template escaped what it had to (by its own extension) and the page must
        # not escape it again, as with {% include %}.
        html = Markup(self._env.get_template(name).render(values))
        if len(self._rendered) >= self.MAX_ENTRIES:
            self._rendered.clear()
        self._rendered[key] = (values, html)
        return html


class CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Templates compiled by earlier builds, kept in ``folder`` (Jinja checks each against
    its template's source and recompiles a changed one).

    Jinja folds filters on constants while compiling (``{{ "1986"|date }}`` becomes text),
    so the compiled code also depends on the filters: ``folder`` must be named after
    everything they depend on (see :func:`storysite.cache.compiled_templates_dir`).
    Unless ``writable``, nothing is written (``storysite check``).
    """

    def __init__(self, folder: Path, writable: bool) -> None:
        if writable:
            folder.mkdir(parents=True, exist_ok=True)
        super().__init__(str(folder))
        self.writable = writable

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if self.writable:
            super().dump_bytecode(bucket)


class _ThemeLoader(jinja2.FileSystemLoader):
    """Jinja's file loader, with a template that is not UTF-8 an error at its file and line,
    and a byte order mark (which some Windows editors write) left out of the pages."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        try:
            source, filename, uptodate = super().get_source(environment, template)
            return source.removeprefix("\ufeff"), filename, uptodate
        except UnicodeDecodeError:
            for folder in self.searchpath:
                path = Path(folder) / template
                if path.is_file():
                    # Read again, as content files are decoded: a BOM allowed, the line and byte named.
                    _, problem = decode_text(path.read_bytes())
                    message, line = ((problem.message, problem.line) if problem is not None
                                     else ("not valid UTF-8; save the file with UTF-8 encoding", 1))
                    raise jinja2.TemplateSyntaxError(message, line, template, str(path)) from None
            raise


def make_environment(
    theme: Theme, config: SiteConfig, assets: Assets, extra_globals: Mapping[str, Any] | None = None,
    compiled: jinja2.BytecodeCache | None = None,
) -> jinja2.Environment:
    """One Jinja environment for the whole build: autoescape on (but in plain-text templates
    such as ``robots.txt``, where an entity would be read literally), undefined is an error.
    What ``render_once`` keeps lives in the environment, so no build sees another's.
    ``compiled`` keeps compiled templates between builds."""
    env = _Environment(
        loader=_ThemeLoader(theme.template_dirs()),
        autoescape=jinja2.select_autoescape(disabled_extensions=("txt",), default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=compiled,
    )
    base_path = config.base_path
    translate = Translator(theme.strings, theme.fallback_strings, language=config.language)

    def url(path: str) -> str:
        return base_path + path.lstrip("/")

    def absolute_url(path: str) -> str:
        if config.absolute_base:
            return config.base_url + path.lstrip("/")
        return url(path)

    def asset(logical: str) -> str:
        if logical not in assets.urls:
            raise jinja2.UndefinedError(f"no static file '{logical}' in the theme")
        return url(assets.urls[logical])

    date_strings = theme.date_strings

    def date_filter(value: PartialDate | None, approximate: bool = False) -> str:
        return format_date(value, date_strings, approximate=approximate)

    env.globals.update(t=translate, url=url, absolute_url=absolute_url, asset=asset,
                       render_once=RenderOnce(env))
    env.filters["date"] = date_filter
    env.filters["isolate"] = isolate
    if extra_globals:
        env.globals.update(extra_globals)
    return env


# Letters of scripts written right to left (Hebrew, Arabic, Syriac, Thaana, N'Ko...).
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\U00010800-\U00010fff\U0001e800-\U0001efff]")


def isolate(value: Any) -> Any:
    """A text set inside a sentence (a fan's name, a place), isolated from it by FIRST STRONG
    ISOLATE ... POP DIRECTIONAL ISOLATE when it holds right-to-left letters, as ``<bdi>`` would,
    so that "Raconté par مريم ك., à الرباط" keeps its words and punctuation in order; any
    other text as it is. Works in attributes, ``<title>`` and feeds, where elements cannot."""
    if isinstance(value, str) and not value.isascii() and _RIGHT_TO_LEFT.search(value):
        return Markup(f"\u2068{value}\u2069") if isinstance(value, Markup) else f"\u2068{value}\u2069"
    return value


def template_error(exc: BaseException, theme: Theme) -> Diagnostic:
    """A template failure as ``path:line: message`` on the template, not a traceback."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return error(theme.label_for(exc.filename), exc.lineno or 0, f"template syntax error: {exc.message}")
    if isinstance(exc, jinja2.TemplateNotFound):
        # Named where it is included or extended, when that template is known.
        frame_file, frame_line = _template_frame(exc, theme)
        # Else (a template the build itself renders) where the theme would keep it.
        name = exc.name if isinstance(exc.name, str) else None
        where = (frame_file, frame_line) if frame_line else (_template_home(theme, name), 0)
        return error(*where, f"template '{exc.name}' not found in theme '{theme.name}'")
    if isinstance(exc, RecursionError):
        # Named at the last template the cycle went through, when it is known.
        return error(*_template_frame(exc, theme), "templates include or extend each other in a cycle")
    frame_file, frame_line = _template_frame(exc, theme)
    message = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else str(exc)
    if isinstance(exc, jinja2.UndefinedError):
        # "'storysite.model.Page object' has no attribute 'titel'": the editor knows it as a page.
        message = f"undefined variable: {_OBJECT_NAME.sub(lambda m: repr(m.group(1)), message)}"
    return error(frame_file, frame_line, message)


def _template_home(theme: Theme, name: str | None) -> str:
    """Where the site's own theme would keep the template ``name`` (its first layer's
    ``templates/``), for an error about a template no layer has."""
    if not name or not theme.layers:
        return theme.label_for(None)
    return f"{theme.layers[0].label}/templates/{name}"


_OBJECT_NAME = re.compile(r"'(?:storysite|jinja2|builtins)\.(?:\w+\.)*(\w+) object'")


def _template_frame(exc: BaseException, theme: Theme) -> tuple[str, int]:
    # Jinja rewrites tracebacks so that frames point at template lines.
    tb = exc.__traceback__
    found = ("templates", 0)
    dirs = [str(Path(d).resolve()) for d in theme.template_dirs()]
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if any(str(Path(filename).resolve()).startswith(d) for d in dirs if filename and filename[0] == "/"):
            found = (theme.label_for(filename), tb.tb_lineno)
        tb = tb.tb_next
    return found
