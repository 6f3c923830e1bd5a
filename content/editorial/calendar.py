"""The publishing calendar: a month of scheduled and published posts and of unpublished changes due to
publish, with the schedules that were missed. Reads only; rescheduling is ``rescheduling.reschedule``.

Four queries whatever the number of posts: the month's posts, the month's working copies, and the
missed ones of each kind (any month), each with only the columns shown.
"""

from __future__ import annotations

import calendar as calendar_module
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F, Q
from django.db.models.fields.json import KT
from django.utils import timezone

from content.editorial import workflow
from content.editorial.workflow import LATE_AFTER_SECONDS, LATE_MARK
from content.editorial.workflow_rules import why_not
from content.models import Post, WorkingCopy
from content.rendering import display_title

MIN_YEAR, MAX_YEAR = 1900, 2999
MISSED_SHOWN = 50
WEEKDAYS = list(calendar_module.day_name)  # Monday first, as the grid
_NUMBER = re.compile(r"\d{1,4}", re.ASCII)
SCHEDULE = workflow.TRANSITION_BY_ACTION["schedule"]


class MonthRefused(Exception):
    """A year or month the calendar cannot show; ``str()`` says why, in words for the editor."""


@dataclass
class Entry:
    kind: str  # "post": the post's own schedule or publication; "changes": its working copy's schedule
    post_id: int
    title: str
    when: datetime  # in the current time zone
    state: str  # scheduled, due, missed, published, published_late, blocked
    words: str  # the state in plain words
    note: str = ""  # why it will not be published on its own, when it will not
    token: int = 0  # the workflow seq (posts) or the working copy's version (changes) the page showed
    movable: bool = False  # the user may reschedule it here

    @property
    def missed(self) -> bool:
        return self.state == "missed"

    @property
    def anchor(self) -> str:
        return f"entry-{self.kind}-{self.post_id}"


@dataclass
class Day:
    day: date
    in_month: bool
    today: bool
    past: bool
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Month:
    year: int
    month: int
    weeks: list[list[Day]]
    missed: list[Entry]  # the oldest MISSED_SHOWN missed schedules, of any month
    may_reschedule: bool

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def previous(self) -> date | None:
        moved = (self.first - timedelta(days=1)).replace(day=1)
        return moved if moved.year >= MIN_YEAR else None

    @property
    def next(self) -> date | None:
        moved = (self.first + timedelta(days=31)).replace(day=1)
        return moved if moved.year <= MAX_YEAR else None

    @property
    def entry_count(self) -> int:
        return sum(len(day.entries) for week in self.weeks for day in week if day.in_month)


def month_asked(year: str | None, month: str | None, today: date) -> tuple[int, int]:
    """The month the query asks for (this month when it asks for none); raises MonthRefused."""
    if not year and not month:
        return today.year, today.month
    values = []
    for name, value, low, high in (("year", year, MIN_YEAR, MAX_YEAR), ("month", month, 1, 12)):
        shown = "".join(character for character in (value or "")[:12] if character.isprintable())
        number = int(value) if value and _NUMBER.fullmatch(value) else None
        if number is None or not low <= number <= high:
            what = f"No {name} was given" if not value else f"“{shown}” is not a {name} the calendar can show"
            raise MonthRefused(f"{what}: give a {name} from {low} to {high}, like {name}={getattr(today, name)}.")
        values.append(number)
    return values[0], values[1]


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _late(moment: datetime, now: datetime) -> bool:
    return (now - moment).total_seconds() > LATE_AFTER_SECONDS


def _at(moment: datetime) -> str:
    local = _local(moment)
    return f"{local.day} {local:%B %Y at %H:%M}"


def _post_entry(post: Post, user: AbstractBaseUser, now: datetime, may_publish: bool) -> Entry:
    state = workflow.read_state(post.workflow_stage, post.stage_data)
    title = display_title(post.title)
    if post.published:
        late = state.substage("publish").notes.startswith(LATE_MARK)
        words = f"{LATE_MARK}: the schedule was missed" if late else "Published"
        return Entry(
            "post", post.pk, title, _local(post.published_at), "published_late" if late else "published", words
        )
    entry = Entry("post", post.pk, title, _local(post.publish_at), "scheduled", "Scheduled", token=state.seq)
    if _late(post.publish_at, now):
        entry.state = "missed"
        entry.words = f"Missed: due {_at(post.publish_at)}, and not published"
    elif post.publish_at <= now:
        entry.state, entry.words = "due", "Due now: being published"
    if state.stage != "publishing":
        entry.note = f"It will not be published on its own: the post is in {state.label}, not Publishing."
        entry.state = "missed" if entry.missed else "blocked"
    entry.movable = may_publish and why_not(SCHEDULE, post, state, user) is None
    return entry


def _changes_entry(row: dict, now: datetime, may_publish: bool) -> Entry:
    title = display_title(row["copy_title"] or row["post_title"])
    entry = Entry("changes", row["post_id"], title, _local(row["publish_at"]), "scheduled", "Changes scheduled")
    entry.token = row["version"]
    if _late(row["publish_at"], now):
        entry.state, entry.words = "missed", f"Missed: changes due {_at(row['publish_at'])}, and not published"
    elif row["publish_at"] <= now:
        entry.state, entry.words = "due", "Changes due now: being published"
    approved = row["stage"] == WorkingCopy.Stage.APPROVED
    if not approved:
        stage = str(dict(WorkingCopy.Stage.choices).get(row["stage"], row["stage"])).lower()
        entry.note = f"They will not be published on their own: they were edited since, and are {stage}."
        entry.state = "missed" if entry.missed else "blocked"
    entry.movable = may_publish and approved
    return entry


POST_COLUMNS = ["id", "title", "published", "published_at", "publish_at", "workflow_stage", "stage_data", "deleted_at"]


def _copies():
    return WorkingCopy.objects.filter(post__deleted_at__isnull=True, publish_at__isnull=False).values(
        "post_id", "publish_at", "stage", "version", copy_title=KT("fields__title"), post_title=F("post__title")
    )


def month_view(year: int, month: int, user: AbstractBaseUser, now: datetime | None = None) -> Month:
    """The weeks that show the month (Monday first), each day with its entries in time order."""
    now = now or timezone.now()
    today = _local(now).date()
    weeks = calendar_module.Calendar().monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    start = timezone.make_aware(datetime.combine(first, time.min))
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
    may_publish = user.has_perm(workflow.PUBLISH)

    scheduled = Q(published=False, publish_at__gte=start, publish_at__lt=end)
    published = Q(published=True, published_at__gte=start, published_at__lt=end)
    posts = Post.objects.alive().filter(scheduled | published).only(*POST_COLUMNS)
    entries = [_post_entry(post, user, now, may_publish) for post in posts]
    copies = _copies().filter(publish_at__gte=start, publish_at__lt=end)
    entries += [_changes_entry(row, now, may_publish) for row in copies]

    days = {day: Day(day, day.month == month, day == today, day < today) for week in weeks for day in week}
    for entry in sorted(entries, key=lambda entry: (entry.when, entry.title, entry.post_id)):
        days[entry.when.date()].entries.append(entry)

    overdue = now - timedelta(seconds=LATE_AFTER_SECONDS)
    missed_posts = Post.objects.alive().filter(published=False, publish_at__lt=overdue).only(*POST_COLUMNS)
    missed = [_post_entry(post, user, now, may_publish) for post in missed_posts.order_by("publish_at")[:MISSED_SHOWN]]
    missed_copies = _copies().filter(publish_at__lt=overdue).order_by("publish_at")[:MISSED_SHOWN]
    missed += [_changes_entry(row, now, may_publish) for row in missed_copies]
    missed.sort(key=lambda entry: (entry.when, entry.post_id))
    return Month(
        year=year,
        month=month,
        weeks=[[days[day] for day in week] for week in weeks],
        missed=missed[:MISSED_SHOWN],
        may_reschedule=may_publish,
    )
