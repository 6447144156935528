"""Validation: raw items → the frozen models of :mod:`storysite.model`, one module per kind."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storysite.diagnostics import Diagnostic, warning
from storysite.load import RawItem
from storysite.model import Campaign, Content, Gallery, LabelDesign, Memory, Milestone, Page
from storysite.validate.campaign import validate_campaign
from storysite.validate.gallery import validate_gallery
from storysite.validate.label import validate_label
from storysite.validate.memory import validate_memory
from storysite.validate.milestone import validate_milestone
from storysite.validate.page import validate_page

Validator = Callable[[RawItem, Path], tuple[Any, list[Diagnostic]]]


@dataclass(frozen=True, slots=True)
class ValidatedItem:
    """An item validated already (by a parse worker, or from the parse cache)."""

    kind: str
    value: Any
    problems: list[Diagnostic]

VALIDATORS: dict[str, Validator] = {
    "memories": validate_memory,
    "pages": validate_page,
    "campaigns": validate_campaign,
    "timeline": validate_milestone,
    "galleries": validate_gallery,
    "labels": validate_label,
}


def validates_alone(item: RawItem) -> bool:
    """Whether validating ``item`` reads nothing but the item itself (no file it names is
    looked at), so that the result can be cached with the file's parse: a memory without media."""
    return item.source.kind == "memories" and "media" not in item.fields


def validate_item(item: RawItem, site_dir: Path) -> ValidatedItem:
    """One item of a known kind, validated."""
    value, found = VALIDATORS[item.source.kind](item, site_dir)
    return ValidatedItem(item.source.kind, value, found)


def validate_content(items: Iterable[RawItem | ValidatedItem], site_dir: Path) -> tuple[Content, list[Diagnostic]]:
    """Validate every raw item; items of kinds this build does not know are reported."""
    problems: list[Diagnostic] = []
    memories: list[Memory] = []
    pages: list[Page] = []
    campaigns: list[Campaign] = []
    milestones: list[Milestone] = []
    galleries: list[Gallery] = []
    labels: list[LabelDesign] = []
    buckets: dict[str, list[Any]] = {"memories": memories, "pages": pages, "campaigns": campaigns,
                                     "timeline": milestones, "galleries": galleries, "labels": labels}
    for item in items:
        if isinstance(item, ValidatedItem):
            problems.extend(item.problems)
            if item.value is not None:
                buckets[item.kind].append(item.value)
            continue
        validator = VALIDATORS.get(item.source.kind)
        if validator is None:
            problems.append(
                warning(item.path, item.line, f"content/{item.source.kind}/ is not built yet by this version; left out")
            )
            continue
        value, found = validator(item, site_dir)
        problems.extend(found)
        if value is not None:
            buckets[item.source.kind].append(value)
    return Content(tuple(memories), tuple(pages), tuple(campaigns), milestones=tuple(milestones),
                   galleries=tuple(galleries), labels=tuple(labels)), problems
