"""The editorial workflow, defined once: stages, sub-stages, statuses and transitions.

A post's own progress lives in ``Post.stage_data`` (jsonb), one entry per sub-stage key::

    {"idea": {"status": "done", "assignee": 3, "started_at": "...", "finished_at": "...",
              "notes": "...", "checks": [{"name": ..., "ok": ..., "detail": ..., "at": ..., "level": ...}],
              "llm_interactions": [12, 15]},
     "_meta": {"seq": 7}}

``read_state`` turns whatever is stored (including entries written under an older
definition, or nonsense typed into the database) into a ``WorkflowState`` that is safe to
display and to change; ``dump_state`` writes it back without dropping entries the current
definition no longer knows. This module is pure: no queries, no writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime


class Status:
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    SKIPPED = "skipped"
    BLOCKED = "blocked"

    LABELS = {
        PENDING: "Pending",
        IN_PROGRESS: "In progress",
        DONE: "Done",
        SKIPPED: "Skipped",
        BLOCKED: "Blocked",
    }
    FINISHED = frozenset({DONE, SKIPPED})


@dataclass(frozen=True)
class SubStage:
    key: str
    label: str
    # Automatic sub-stages are moved by stage transitions (approve, schedule, publish), never by hand.
    automatic: bool = False


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    substages: tuple[SubStage, ...]


STAGES: tuple[Stage, ...] = (
    Stage(
        "planning",
        "Planning",
        (SubStage("idea", "Idea"), SubStage("research", "Research"), SubStage("outline", "Outline")),
    ),
    Stage(
        "writing",
        "Writing",
        (
            SubStage("draft", "Draft"),
            SubStage("sections_media", "Sections and media"),
            SubStage("summary_seo", "Summary and SEO"),
        ),
    ),
    Stage(
        "review",
        "Review",
        (
            SubStage("copy_edit", "Copy edit"),
            SubStage("fact_check", "Fact check"),
            SubStage("approval", "Approval", automatic=True),
        ),
    ),
    Stage(
        "publishing",
        "Publishing",
        (
            SubStage("schedule", "Schedule", automatic=True),
            SubStage("publish", "Publish", automatic=True),
            SubStage("social", "Social"),
        ),
    ),
)
STAGE_BY_KEY = {stage.key: stage for stage in STAGES}
SUBSTAGE_STAGE = {sub.key: stage for stage in STAGES for sub in stage.substages}
FIRST_STAGE = STAGES[0].key

ANY_STAGE = ""

# A schedule met later than this was missed (no publishing worker was running): the post is flagged,
# its publish sub-stage's notes starting with LATE_MARK.
LATE_AFTER_SECONDS = 120
LATE_MARK = "Published late"

# Permissions, as Django permission names.
CHANGE = "content.change_post"
PUBLISH = "content.publish_post"


@dataclass(frozen=True)
class Transition:
    """A move between stages (or, for publish/schedule/unpublish, within a stage)."""

    action: str
    label: str
    source: str  # ANY_STAGE: from every stage
    target: str  # ANY_STAGE: stays where it is
    permission: str
    # Sub-stages of the source stage must all be done or skipped before leaving forwards.
    requires_finished_stage: bool = False
    # When set, the content checks (valid sections, alt text) gate the move and are recorded on this sub-stage.
    checks_into: str = ""
    # Which published state the post must be in: None = either.
    when_published: bool | None = None


TRANSITIONS: tuple[Transition, ...] = (
    Transition("start_writing", "Start writing", "planning", "writing", CHANGE, requires_finished_stage=True),
    Transition("back_to_planning", "Back to planning", "writing", "planning", CHANGE),
    Transition(
        "submit_for_review",
        "Submit for review",
        "writing",
        "review",
        CHANGE,
        requires_finished_stage=True,
        checks_into="sections_media",
    ),
    Transition("request_changes", "Request changes", "review", "writing", CHANGE),
    Transition(
        "approve", "Approve", "review", "publishing", PUBLISH, requires_finished_stage=True, checks_into="approval"
    ),
    Transition("back_to_review", "Back to review", "publishing", "review", PUBLISH, when_published=False),
    Transition(
        "schedule", "Schedule", "publishing", "publishing", PUBLISH, checks_into="schedule", when_published=False
    ),
    Transition("unschedule", "Cancel schedule", "publishing", "publishing", PUBLISH, when_published=False),
    Transition(
        "publish", "Publish now", "publishing", "publishing", PUBLISH, checks_into="publish", when_published=False
    ),
    # From every stage: posts published before the workflow existed can be taken down too.
    Transition("unpublish", "Unpublish", ANY_STAGE, ANY_STAGE, PUBLISH, when_published=True),
)
TRANSITION_BY_ACTION = {transition.action: transition for transition in TRANSITIONS}

# Hand-made moves of one sub-stage: action -> (statuses it applies to, resulting status).
SUBSTAGE_ACTIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "start": (frozenset({Status.PENDING, Status.BLOCKED}), Status.IN_PROGRESS, "Start"),
    "done": (frozenset({Status.PENDING, Status.IN_PROGRESS}), Status.DONE, "Done"),
    "skip": (frozenset({Status.PENDING, Status.IN_PROGRESS, Status.BLOCKED}), Status.SKIPPED, "Skip"),
    "block": (frozenset({Status.PENDING, Status.IN_PROGRESS}), Status.BLOCKED, "Block"),
    "reopen": (frozenset({Status.DONE, Status.SKIPPED}), Status.IN_PROGRESS, "Reopen"),
}


@dataclass
class SubStageState:
    key: str
    label: str
    status: str = Status.PENDING
    assignee: int | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    notes: str = ""
    checks: list[dict[str, Any]] = field(default_factory=list)
    llm_interactions: list[int] = field(default_factory=list)
    automatic: bool = False
    # False for entries the current definition no longer has (kept, shown, never changed).
    defined: bool = True

    @property
    def status_label(self) -> str:
        return Status.LABELS[self.status]

    @property
    def finished(self) -> bool:
        return self.status in Status.FINISHED

    def allowed_actions(self) -> list[tuple[str, str]]:
        if self.automatic or not self.defined:
            return []
        return [(action, label) for action, (sources, _, label) in SUBSTAGE_ACTIONS.items() if self.status in sources]

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "assignee": self.assignee,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "notes": self.notes,
            "checks": self.checks,
            "llm_interactions": self.llm_interactions,
        }


@dataclass
class StageState:
    key: str
    label: str
    substages: list[SubStageState]

    @property
    def progress(self) -> tuple[int, int]:
        return sum(sub.finished for sub in self.substages), len(self.substages)


@dataclass
class WorkflowState:
    stage: str
    stages: list[StageState]
    retired: list[SubStageState]
    seq: int
    # What had to be repaired while reading (shown to editors, never an error page).
    problems: list[str]
    # Entries kept verbatim: unknown keys that were not even sub-stage-shaped.
    extra: dict[str, Any]

    @property
    def current(self) -> StageState:
        return next(stage for stage in self.stages if stage.key == self.stage)

    @property
    def label(self) -> str:
        return STAGE_BY_KEY[self.stage].label

    def substage(self, key: str) -> SubStageState | None:
        return next((sub for stage in self.stages for sub in stage.substages if sub.key == key), None)

    def assignee_ids(self) -> set[int]:
        return {sub.assignee for stage in self.stages for sub in stage.substages if sub.assignee} | {
            sub.assignee for sub in self.retired if sub.assignee
        }


def _as_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None


def _as_id_list(value: Any) -> list[int]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, int) and not isinstance(item, bool) and item > 0]


def _as_checks(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [
        {
            "name": str(item.get("name", "")),
            "ok": bool(item.get("ok")),
            "detail": str(item.get("detail", "")),
            "at": str(item.get("at", "")),
            # Recommended checks only warn; what older versions stored was all required.
            "level": "recommended" if item.get("level") == "recommended" else "required",
        }
        for item in value
        if isinstance(item, dict)
    ]


def _read_substage(key: str, label: str, raw: Any, problems: list[str], *, automatic: bool = False) -> SubStageState:
    state = SubStageState(key=key, label=label, automatic=automatic)
    if raw is None:
        return state
    if not isinstance(raw, dict):
        problems.append(f"Sub-stage “{label}” held unreadable data and was reset to pending.")
        return state
    status = raw.get("status", Status.PENDING)
    if isinstance(status, str) and status in Status.LABELS:
        state.status = status
    else:
        problems.append(f"Sub-stage “{label}” had an unknown status {status!r}; shown as pending.")
    assignee = raw.get("assignee")
    if isinstance(assignee, int) and not isinstance(assignee, bool) and assignee > 0:
        state.assignee = assignee
    state.started_at = _as_datetime(raw.get("started_at"))
    state.finished_at = _as_datetime(raw.get("finished_at"))
    notes = raw.get("notes")
    state.notes = notes if isinstance(notes, str) else ""
    state.checks = _as_checks(raw.get("checks"))
    state.llm_interactions = _as_id_list(raw.get("llm_interactions"))
    return state


def read_state(stage_key: Any, stage_data: Any) -> WorkflowState:
    """The workflow state of a post from its stored stage and ``stage_data``, repaired where needed."""
    problems: list[str] = []
    if not isinstance(stage_data, dict):
        if stage_data not in (None, {}):
            problems.append("The stored workflow data was not a JSON object; every sub-stage is shown as pending.")
        stage_data = {}
    if not isinstance(stage_key, str) or stage_key not in STAGE_BY_KEY:
        problems.append(f"Unknown stage {stage_key!r}; shown as {STAGES[0].label}.")
        stage_key = FIRST_STAGE
    stages = [
        StageState(
            stage.key,
            stage.label,
            [
                _read_substage(sub.key, sub.label, stage_data.get(sub.key), problems, automatic=sub.automatic)
                for sub in stage.substages
            ],
        )
        for stage in STAGES
    ]
    meta = stage_data.get("_meta")
    seq = meta.get("seq") if isinstance(meta, dict) else 0
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        seq = 0
    retired, extra = [], {}
    for key, raw in stage_data.items():
        if key in SUBSTAGE_STAGE or key == "_meta":
            continue
        if isinstance(raw, dict) and "status" in raw:
            retired.append(_read_substage(key, key.replace("_", " ").capitalize(), raw, problems))
            retired[-1].defined = False
        else:
            extra[key] = raw
    return WorkflowState(stage_key, stages, retired, seq, problems, extra)


def dump_state(state: WorkflowState) -> dict[str, Any]:
    """The JSON to store for ``state``; entries of retired sub-stages are kept as they were read."""
    data: dict[str, Any] = dict(state.extra)
    for sub in state.retired:
        data[sub.key] = sub.to_json()
    for stage in state.stages:
        for sub in stage.substages:
            data[sub.key] = sub.to_json()
    data["_meta"] = {"seq": state.seq}
    return data


def transitions_from(stage_key: str, published: bool) -> list[Transition]:
    """The stage transitions that exist from ``stage_key`` (whether the user may take them is checked apart)."""
    return [
        transition
        for transition in TRANSITIONS
        if transition.source in (stage_key, ANY_STAGE)
        and (transition.when_published is None or transition.when_published == bool(published))
    ]


def substage_label(key: str) -> str:
    """A sub-stage's name for editors, also for one the definition no longer has."""
    stage = SUBSTAGE_STAGE.get(key)
    if stage is not None:
        return next(sub.label for sub in stage.substages if sub.key == key)
    return key.replace("_", " ").strip().capitalize()


def stage_label(stage_key: str) -> str:
    stage = STAGE_BY_KEY.get(stage_key)
    return stage.label if stage else f"Unknown ({stage_key})"
