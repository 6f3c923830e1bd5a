"""Read queries for public pages, feeds and sitemaps, with their prefetching.

Every list costs the same few queries whatever its length: the posts (with their lead
image folded in as JSON), then their tags in one prefetch.
"""

from functools import cache

from django.contrib.postgres.search import SearchHeadline
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Exists, JSONField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat, JSONObject, Left

from content import search
from content.models import Post, PostSection, SectionType, SlugRedirect, Tag
from content.page_fields import IMAGE_FIELDS, POST_FIELDS, TAG_FIELDS
from media_library.models import Image

# Columns a list of posts never shows; ``content`` can be long and the search document longer.
LIST_DEFERRED = ("content", "search_vector", "llm_metadata", "stage_data")
# A post's tags as a plain list in ``post.tag_list``: unlike prefetching into ``post.tags.all()``, this
# builds no queryset per post (taggit's manager makes one for each).
TAGS = Prefetch("tags", to_attr="tag_list")
SNIPPET_SOURCE_CHARS = 20_000


def _lead_image_json() -> Subquery:
    first_image = (
        PostSection.objects.filter(post=OuterRef("pk"), content_type=SectionType.IMAGE, image__isnull=False)
        .order_by("position")
        .values(
            data=JSONObject(
                id="image__id",
                path="image__path",
                alt_text="image__alt_text",
                image_metadata="image__image_metadata",
                watermarked="image__watermarked",
                watermarked_path="image__watermarked_path",
            )
        )[:1]
    )
    return Subquery(first_image, output_field=JSONField())


def live_posts() -> QuerySet[Post]:
    """Posts readers may see, newest first, with tags and lead image data."""
    return (
        Post.objects.live()  # type: ignore[no-redef]  # TAGS (to_attr="tag_list") redeclares Post.tag_list
        .defer(*LIST_DEFERRED)
        .annotate(lead_image_data=_lead_image_json())
        .prefetch_related(TAGS)
        .order_by("-published_at", "-id")
    )


def attach_lead_images(posts) -> list[Post]:
    """Turn each post's ``lead_image_data`` into an unsaved ``Image`` (``lead_image``), no query."""
    posts = list(posts)
    for post in posts:
        data = getattr(post, "lead_image_data", None)
        post.lead_image = Image(pk=data.pop("id"), **data) if isinstance(data, dict) else None
    return posts


def live_posts_tagged(slug: str) -> QuerySet[Post]:
    return live_posts().filter(tags__slug=slug)


def tag_named(posts, slug: str) -> Tag | None:
    """The tag with ``slug`` among already prefetched tags of ``posts`` (no query)."""
    return next((tag for post in posts for tag in post.tag_list if tag.slug == slug), None)


@cache
def _in_model_order(model, fields: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields if field.attname in fields)


def _from_json(model, fields: tuple[str, ...], data: dict, db: str):
    """A model instance as if loaded from the database, from a JSON object holding ``fields``
    (``Model.from_db`` takes values in the order of the model's fields)."""
    names = _in_model_order(model, fields)
    return model.from_db(db, names, [data[name] for name in names])


_SLUG_PLACEHOLDER = "\x00slug"
_DIGEST_PLACEHOLDER = "\x00digest"


@cache
def _post_page_sql(live: bool) -> tuple[str, tuple, int]:
    """The post page's query compiled once per process: SQL, parameters (the digest the caller knows, three
    times, then the slug) and where the slug goes.

    Django compiles a queryset on every execution, and the text never changes; the visibility rules stay those
    of ``live()`` and ``alive()``. The post's row and its digest (``post_page_digest()``, migration 0013: which
    version of every row the page is made from) always come back; its sections, tags and introduction only when
    the digest is not the one the caller knows (``OFFSET 0`` keeps PostgreSQL from folding the inner query into
    the outer one, which would compute the digest once for each use).
    """
    posts = Post.objects.live() if live else Post.objects.alive()
    inner = (
        posts.filter(slug=_SLUG_PLACEHOLDER)
        .annotate(page_digest=RawSQL("post_page_digest(post.id)", ()))
        .values_list(*POST_FIELDS, "page_digest")
        .order_by()
        .query
    )
    sql, params = inner.get_compiler(DEFAULT_DB_ALIAS).as_sql()
    changed = "page.page_digest IS DISTINCT FROM %s"
    sql = (
        f"SELECT page.*, CASE WHEN {changed} THEN post_sections_json(page.id) END,"
        f" CASE WHEN {changed} THEN post_tags_json(page.id) END,"
        f" CASE WHEN {changed} THEN (SELECT json_build_array(source_key, html) FROM post_intro_html"
        f" WHERE post_id = page.id) END"
        f" FROM ({sql} OFFSET 0) AS page"
    )
    params = (_DIGEST_PLACEHOLDER,) * 3 + params
    return sql, params, params.index(_SLUG_PLACEHOLDER)


def _post_page(slug: str, *, live: bool, known_digest: str | None = None) -> tuple[str, Post | None]:
    """The page's digest, and the post with ``section_list`` (sections with their images), ``tag_list``,
    ``stored_html`` (section id -> (source key, HTML)) and ``stored_intro`` ((source key, HTML) or None), all
    from one query; the post is None when the digest is ``known_digest``. Raises Post.DoesNotExist."""
    sql, params, slug_at = _post_page_sql(live)
    values = [known_digest if value == _DIGEST_PLACEHOLDER else value for value in params]
    values[slug_at] = slug
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        raise Post.DoesNotExist(f"No post with the slug {slug!r}.")
    *values, digest, section_data, tag_data, intro_data = row
    if digest == known_digest:
        return digest, None
    db = connection.alias
    post = Post.from_db(db, POST_FIELDS, values)
    post.tag_list = [_from_json(Tag, TAG_FIELDS, tag, db) for tag in tag_data or []]
    post.stored_intro = tuple(intro_data) if intro_data else None
    post.section_list, post.stored_html = [], {}
    for data in section_data or []:  # json (not jsonb): psycopg parses it
        image = data["image"]
        data["image"] = _from_json(Image, IMAGE_FIELDS, image, db) if image else None
        section = SectionRow(data)
        post.section_list.append(section)  # type: ignore[arg-type]  # read as a PostSection is
        post.stored_html[section.pk] = (data["stored_key"], data["stored_html"])
    return digest, post


class SectionRow:
    """A section as the page's query returned it: its fields (``SECTION_FIELDS``) and ``image`` (an ``Image``)
    as plain attributes. Everything a page does with a section reads attributes only (its keys, anchors, SEO
    and, where the stored HTML is stale, its template), so no model instance is built: 17 µs a section saved,
    3.4 ms of a first rendering of 200 sections."""

    def __init__(self, data: dict):
        self.__dict__ = data  # the parsed JSON object itself: no copy
        self.pk = data["id"]


def moved_post_slug(old_slug: str) -> str | None:
    """Where a live post that once had ``old_slug`` is now (its address changed after publishing)."""
    return (
        SlugRedirect.objects.filter(old_slug=old_slug, post__in=Post.objects.live())
        .values_list("post__slug", flat=True)
        .first()
    )


def live_post_page(slug: str, known_digest: str | None = None) -> tuple[str, Post | None]:
    """A live post for its page and the digest of its version (see ``_post_page``): the post is None when the
    version is still ``known_digest``. Raises Post.DoesNotExist."""
    return _post_page(slug, live=True, known_digest=known_digest)


def preview_post_page(slug: str) -> Post:
    """Any post not in the trash, for staff previewing a draft; raises Post.DoesNotExist."""
    post = _post_page(slug, live=False)[1]
    assert post is not None  # no digest was known
    return post


# One page of the live posts matching a query and the number of matches, from their search documents (one GIN
# lookup over one row per post, see content/search.py). The order and the visibility condition are in the
# database function search_post_page() (migration content/0010_post_search_document), which keeps the planner
# on the GIN index.
_RANKED_POST_IDS = """
SELECT post_id, matches FROM search_post_page(
    websearch_to_tsquery(%(config)s::regconfig, %(text)s), %(limit)s, %(offset)s
)
"""


MAX_SEARCH_PAGE = 100_000


class SearchResults:
    """Live posts matching a query, best first, for a Paginator.

    The paginator first asks for the count: one query answers it together with the ids of the page the
    reader asked for (``page``, as given in the address), so a page costs that query, then its posts,
    loaded and highlighted. Only a page number past the end costs more queries.
    """

    def __init__(self, text: str, per_page: int, page: str | None):
        self.text, self.per_page = text, per_page
        try:  # only a guess at the page the paginator will settle on: it decides, as for any list
            self.offset = (min(max(1, int(page or 1)), MAX_SEARCH_PAGE) - 1) * per_page
        except ValueError:
            self.offset = 0
        self.total: int | None = None
        self.ids: list[int] = []

    def _ranked_ids(self, offset: int, limit: int) -> tuple[list[int], int | None]:
        """Ids of one slice of the results and the number of results (None when the slice is past the end)."""
        parameters: dict[str, str | int] = {
            "config": search.CONFIG,
            "text": self.text,
            "limit": limit,
            "offset": offset,
        }
        with connection.cursor() as cursor:
            cursor.execute(_RANKED_POST_IDS, parameters)
            rows = cursor.fetchall()
        return [post_id for post_id, _ in rows], (rows[0][1] if rows else None)

    def count(self) -> int:
        if self.total is None:
            self.ids, total = self._ranked_ids(self.offset, self.per_page)
            if total is None and self.offset:
                self.offset = 0
                self.ids, total = self._ranked_ids(0, self.per_page)
            self.total = total or 0
        return self.total

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Post]:
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        if start == self.offset and stop - start <= len(self.ids):
            page_ids = self.ids[: stop - start]
        else:
            page_ids = self._ranked_ids(start, stop - start)[0] if stop > start else []
        if not page_ids:
            return []
        posts = {post.pk: post for post in _highlighted(live_posts().filter(pk__in=page_ids), self.text)}
        return [posts[pk] for pk in page_ids if pk in posts]


def _highlighted(posts: QuerySet[Post], text: str) -> QuerySet[Post]:
    """Adds ``title_marked`` and ``snippet_marked``: ts_headline output with the markers of ``content.search``.

    The snippet comes from the summary, the introduction and the post's first section that matches the
    query, found among the post's own sections (a page holds few posts).
    """
    query = search.reader_query(text)
    first_match = (
        PostSection.objects.filter(post=OuterRef("pk"), search_vector=query).order_by("position").values("content")[:1]
    )
    snippet_source = Concat(
        Coalesce("summary", Value("")),
        Value(" "),
        Left("content", SNIPPET_SOURCE_CHARS),
        Value(" "),
        Coalesce(Left(Subquery(first_match), SNIPPET_SOURCE_CHARS), Value("")),
    )
    return posts.annotate(
        title_marked=SearchHeadline(
            "title", query, config=search.CONFIG, start_sel=search.START, stop_sel=search.STOP, highlight_all=True
        ),
        snippet_marked=SearchHeadline(
            snippet_source,
            query,
            config=search.CONFIG,
            start_sel=search.START,
            stop_sel=search.STOP,
            max_words=35,
            min_words=15,
            max_fragments=2,
            fragment_delimiter=" … ",
        ),
    )


def search_posts(text: str, *, per_page: int, page: str | None = None) -> SearchResults:
    """Live posts matching ``text`` in their own fields or any section, best first, highlighted.

    ``page`` is the page number the reader asked for. Pass ``title_marked`` and ``snippet_marked``
    of each post through ``search.highlight``.
    """
    return SearchResults(text, per_page, page)


def sitemap_posts() -> QuerySet[Post]:
    return Post.objects.live().only("slug", "updated_at", "published_at").order_by("-published_at", "-id")


def public_tags() -> QuerySet[Tag]:
    return Tag.objects.filter(Exists(Post.objects.live().filter(tags=OuterRef("pk")))).order_by("name")
