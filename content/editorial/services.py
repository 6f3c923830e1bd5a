"""The one way a post is saved with its sections and tags.

The admin's form, a revert, an applied LLM result, the demo loader and ``add_section`` all call
``save_post``; nothing else writes sections. One transaction: the post's new version (refused
when it moved on under an open form), its fields, the sections saved and deleted, the tags,
positions renumbered 1..n, the stored HTML, one revision, and the workflow's note of the LLM
interaction that served the change.
"""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Max

from content import stored_html
from content.editorial import revisions, workflow_steps, working_copies
from content.models import Post, PostSection, SlugRedirect, WorkflowTransition
from content.slugs import unique_slug, unique_slug_base
from media_library.models import Image


@dataclass
class SectionChanges:
    """Sections to save (new or changed, unsaved instances) and to delete in one save of their post.

    ``placed`` are the saved ones the editor put at a position (new or moved): each goes before an
    untouched section that has the same position, which is how a section is inserted or moved.
    """

    saved: Sequence[PostSection] = ()
    deleted: Sequence[PostSection] = ()
    placed: Collection[PostSection] = field(default_factory=list)
    # True when ``saved`` holds every section that is not yet live (the change form sends them all).
    complete: bool = False


@dataclass(frozen=True)
class LlmNote:
    """The LLM interaction a change came from, noted on the workflow sub-stage it serves."""

    substage: str
    interaction_id: int


@transaction.atomic
def save_post(
    post: Post,
    user: AbstractBaseUser | None,
    *,
    comment: str,
    sections: SectionChanges | None = None,
    tags: Iterable[str] | None = None,
    expected_version: int | None = None,
    update_fields: Iterable[str] | None = None,
    llm: LlmNote | None = None,
    live: bool = False,
) -> Post:
    """Save ``post`` (its fields already set on it), its section changes and its tags (None: unchanged).

    ``expected_version`` is the version the editor's form started from: a save based on an older
    one raises ``revisions.StaleVersion``. Without it (a revert, an LLM result) the post simply gets
    the next version, so an open form based on the older one is refused instead of overwriting.
    ``update_fields`` limits which of the post's own fields are written (all by default).

    A published post's live rows change only by publishing (``live=True``, ``content.editorial.publishing``):
    any other save of it goes to its working copy, which readers never see.
    """
    if not post._state.adding and not live:
        locked = Post.objects.select_for_update(of=("self",)).get(pk=post.pk)
        if working_copies.is_published(locked):
            _save_working_copy(post, locked, user, comment, sections, tags, expected_version, update_fields)
            return post
    if post._state.adding or update_fields is None or "slug" in update_fields:
        _reserve_slug(post)
    if post._state.adding:
        if post.author_id is None and user is not None and user.is_authenticated:
            post.author = user  # type: ignore[assignment]  # AUTH_USER_MODEL is auth.User
        post.save()
    else:
        if expected_version is not None:
            post.version = revisions.claim_version(post.pk, expected_version)
        else:
            post.version = revisions.next_version(post.pk)
        written = None if update_fields is None else [*update_fields, "version", "updated_at"]
        _keep_old_address(post)
        post.save(update_fields=written)
    changes = sections or SectionChanges()
    for section in changes.deleted:
        if section.pk is not None:
            section.delete()
    for section in changes.saved:
        section.post = post
        section.save()
    if tags is not None:
        post.tags.set(list(tags))
    renumber_sections(post, placed_first={section.pk for section in changes.placed})
    stored_html.store_for_posts([post.pk])
    revisions.record_revision(post, user, comment)
    if llm is not None:
        workflow_steps.link_llm_interaction(post.pk, llm.substage, llm.interaction_id)
    return post


def _save_working_copy(post, locked, user, comment, sections, tags, expected_version, update_fields) -> None:
    """Keep ``post``'s new content (its fields set on it) in the working copy of the published ``locked``."""
    draft = working_copies.load(locked, lock=True)
    if expected_version is not None and expected_version != draft.version:
        raise revisions.StaleVersion(f"Post {post.pk} is no longer at version {expected_version}.")
    for name in working_copies.POST_FIELDS:
        if update_fields is None or name in update_fields:
            setattr(draft.post, name, getattr(post, name))
    changes = sections or SectionChanges()
    merged = working_copies.merged_sections(
        draft.sections, changes.saved, changes.deleted, changes.placed, complete=changes.complete
    )
    copy = working_copies.store(draft, user, sections=merged, tags=tags, comment=comment)
    post.version = copy.version


def _keep_old_address(post: Post) -> None:
    """A published post whose slug changes keeps answering at the old address (301, ``SlugRedirect``)."""
    old_slug = Post.objects.filter(pk=post.pk, published=True).values_list("slug", flat=True).first()
    if old_slug and old_slug != post.slug:
        SlugRedirect.objects.filter(old_slug=post.slug).delete()  # the address is the post's own again
        SlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"post": post})


def _reserve_slug(post: Post) -> None:
    """The post's address, free of races: saves asking for the same one wait for each other (a lock per
    address, held to the end of the transaction), and the later one gets ``-2``, ``-3``…"""
    requested = post.slug or unique_slug_base(post.title)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"post-slug:{requested}"])
    if not post.slug or Post.objects.filter(slug=post.slug).exclude(pk=post.pk).exists():
        max_length = Post._meta.get_field("slug").max_length
        assert max_length is not None  # a SlugField has one
        post.slug = unique_slug(Post, requested, exclude_pk=post.pk, max_length=max_length)


@transaction.atomic
def renumber_sections(post: Post, *, placed_first: Collection[int] = ()) -> int:
    """Renumber the post's sections 1, 2, 3… keeping their order; returns how many moved.

    Sections in ``placed_first`` go before an untouched section with the same position. The
    unique (post, position) constraint is deferred, so duplicates in between are fine.
    """
    sections = list(PostSection.objects.filter(post=post).select_for_update().only("id", "position"))
    sections.sort(key=lambda section: (section.position, section.pk not in placed_first, section.pk))
    changed = []
    for number, section in enumerate(sections, start=1):
        if section.position != number:
            section.position = number
            changed.append(section)
    PostSection.objects.bulk_update(changed, ["position"])
    return len(changed)


@transaction.atomic
def add_section(
    post: Post, *, position: int | None = None, user: AbstractBaseUser | None = None, **fields
) -> PostSection:
    """Insert a section at ``position`` (1-based; default: last), shifting later ones down."""
    last = PostSection.objects.filter(post=post).aggregate(last=Max("position"))["last"] or 0
    target = last + 1 if position is None else max(1, min(position, last + 1))
    section = PostSection(post=post, position=target, **fields)
    section.full_clean(exclude=["position", "post"])
    post = Post.objects.select_for_update(of=("self",)).get(pk=post.pk)
    save_post(
        post,
        user,
        comment=f"Added section {target}.",
        sections=SectionChanges(saved=[section], placed=[section]),
        update_fields=[],
    )
    if section.pk is not None:  # a published post's new section lives in its working copy, without a row
        section.refresh_from_db(fields=["position"])
    return section


def describe_change(created: bool, changed: Iterable[str]) -> str:
    """The revision comment of an editor's save: what the form changed, in the fields' own names."""
    if created:
        return "Created."
    changed = list(dict.fromkeys(changed))
    return "Changed " + ", ".join(changed) + "." if changed else "Saved."


def revert(post_id: int, revision_id, user: AbstractBaseUser) -> Post:
    """Restore the post's content and sections from one of its revisions, saved as a new revision.

    Sections added since are deleted, removed ones come back; the workflow and publication state
    are kept (going back to an older text does not unpublish or re-approve a post).
    """
    with transaction.atomic():
        post = Post.objects.alive().select_for_update(of=("self",)).filter(pk=post_id).first()
        if post is None:
            raise revisions.RevertRefused("This post does not exist or is in the trash.")
        revision = revisions.revision_of(post, revision_id)
        stored = revisions.snapshot(revision, post)
        for name in revisions.POST_FIELDS:
            setattr(post, name, stored.post.get(name))
        if Post.objects.filter(slug=post.slug).exclude(pk=post.pk).exists():
            post.slug = Post.objects.values_list("slug", flat=True).get(pk=post.pk)
        save_post(
            post,
            user,
            comment=f"Reverted to revision {revision.pk}.",
            sections=_restored_sections(post, stored.sections),
            update_fields=revisions.POST_FIELDS,
        )
        WorkflowTransition.objects.record(
            post, user, "revert", note=f"Reverted to revision {revision.pk} of {revision.date_created:%Y-%m-%d %H:%M}."
        )
    return post


def _restored_sections(post: Post, stored: dict[int, dict]) -> SectionChanges:
    image_ids = {data["image_id"] for data in stored.values() if data.get("image_id")}
    existing_images = set(Image.objects.filter(pk__in=image_ids).values_list("pk", flat=True))
    current = PostSection.objects.in_bulk(list(stored))
    restored = []
    for pk, data in stored.items():
        section = current.get(pk) or PostSection(pk=pk, post=post)
        for name in revisions.SECTION_FIELDS:
            if name not in ("post", "image"):
                setattr(section, name, data.get(name))
        section.image_id = data.get("image_id") if data.get("image_id") in existing_images else None
        restored.append(section)
    return SectionChanges(saved=restored, deleted=list(PostSection.objects.filter(post=post).exclude(pk__in=stored)))
