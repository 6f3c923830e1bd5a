"""A post's content checks: the checklist on its change page, and what the workflow's gates enforce.

Each check (``checklist_checks``) is a pure function of ``PostFacts`` (``checklist_facts``: the post's
fields, its sections with their images, what its links to this blog's posts and tags lead to;
``checklist_selectors`` loads them in a bounded number of queries, from the rows, a working copy or the
change form) and returns an ``Outcome``: passed or not, one sentence that names what was found, and each
problem with the place on the change page to fix it. Here: which checks there are, their levels, running them.

``settings.CONTENT_CHECKS`` makes each check **required** (a failure refuses the steps to review and to
publish), **recommended** (a failure only warns) or **off**; ``configured_levels`` reads it with the
defaults below, and ``content.checks`` reports a setting it cannot read. README: "Content checks".
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.conf import settings

from content.editorial.checklist_checks import (
    alt_text,
    broken_links,
    empty_sections,
    has_sections,
    heading_order,
    meta_description,
    readability,
    title_length,
)
from content.editorial.checklist_facts import Outcome, PostFacts

REQUIRED, RECOMMENDED, OFF = "required", "recommended", "off"
LEVELS = (REQUIRED, RECOMMENDED, OFF)
LEVEL_LABELS = {REQUIRED: "Required", RECOMMENDED: "Recommended"}


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    run: Callable[[PostFacts], Outcome]
    default: str = RECOMMENDED
    configurable: bool = True  # False: always required (the gate's own checks)


@dataclass(frozen=True)
class Result:
    key: str
    label: str
    level: str
    outcome: Outcome

    @property
    def ok(self) -> bool:
        return self.outcome.ok

    @property
    def blocks(self) -> bool:
        """A failure that refuses the steps to review and to publish."""
        return not self.ok and self.level == REQUIRED

    @property
    def css_name(self) -> str:
        """The check's name in the page's markup (``title-length``): the stored names stay out of the page."""
        return self.key.replace("_", "-")

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    def stored(self, at: str) -> dict:
        """As the workflow keeps a gate's checks on a sub-stage (``workflow.SubStageState.checks``)."""
        return {"name": self.key, "ok": self.ok, "detail": self.outcome.detail, "at": at, "level": self.level}


CHECKS: tuple[Check, ...] = (
    Check("has_sections", "Has sections", has_sections, REQUIRED, configurable=False),
    Check("title_length", "Title length", title_length),
    Check("meta_description", "Meta description length", meta_description),
    Check("alt_text", "Every image has alt text", alt_text, REQUIRED),
    Check("heading_order", "Heading order", heading_order),
    Check("empty_sections", "No empty sections", empty_sections, REQUIRED),
    Check("broken_links", "No broken links to this blog", broken_links, REQUIRED),
    Check("readability", "Sentence length", readability),
)
CHECK_BY_KEY = {check.key: check for check in CHECKS}
CONFIGURABLE = tuple(check.key for check in CHECKS if check.configurable)


# --- the setting ---


def configured_levels(setting=None) -> dict[str, str]:
    """Each check's level: its default, or what ``CONTENT_CHECKS`` says when that is readable (the system
    check reports what is not; a page never fails over it)."""
    value = getattr(settings, "CONTENT_CHECKS", None) if setting is None else setting
    levels = {check.key: REQUIRED if not check.configurable else check.default for check in CHECKS}
    if isinstance(value, Mapping):
        for key, level in value.items():
            level = str(level).strip().lower()
            if key in CONFIGURABLE and level in LEVELS:
                levels[key] = level
    return levels


def setting_problems(value) -> list[tuple[str, str, str]]:
    """What is wrong with a ``CONTENT_CHECKS`` value: (what: "value", "name" or "level"; the problem; its
    fix), each in plain words."""
    if value is None:
        return []
    if not isinstance(value, Mapping):
        return [
            (
                "value",
                f"CONTENT_CHECKS is {value!r}, not check names with their levels.",
                "Give it as name=level pairs.",
            )
        ]
    problems = []
    for key, level in value.items():
        if key not in CONFIGURABLE:
            close = difflib.get_close_matches(str(key), CONFIGURABLE, n=1)
            if key in CHECK_BY_KEY:
                problem = f"CONTENT_CHECKS names {key}, which is always required and cannot be set."
                fix = "Remove it."
            else:
                problem = f"CONTENT_CHECKS names {key!r}, which is no check."
                fix = f"Write {close[0]} instead." if close else f"Remove it; the checks are {', '.join(CONFIGURABLE)}."
            problems.append(("name", problem, fix))
        elif str(level).strip().lower() not in LEVELS:
            problem = f"CONTENT_CHECKS gives {key} the level {level!r}; the levels are required, recommended and off."
            problems.append(("level", problem, f"Write {key}=required, {key}=recommended or {key}=off."))
    return problems


# --- running them ---


def run(facts: PostFacts, levels: Mapping[str, str] | None = None) -> list[Result]:
    """Every check that is not off, in the checklist's order."""
    levels = configured_levels() if levels is None else levels
    return [
        Result(check.key, check.label, levels.get(check.key, check.default), check.run(facts))
        for check in CHECKS
        if levels.get(check.key, check.default) != OFF
    ]


def warnings(checks: list[dict]) -> list[str]:
    """The details of the recommended checks that failed, among stored checks (``Result.stored``)."""
    return [check["detail"] for check in checks if not check["ok"] and check.get("level") == RECOMMENDED]


def blocking(checks: list[dict]) -> list[str]:
    """The details of the failed checks that refuse a step: every failure but a recommended one's."""
    return [check["detail"] for check in checks if not check["ok"] and check.get("level") != RECOMMENDED]
