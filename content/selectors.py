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
from content.models import ContentType, Post, PostSection, Tag
from media_library.models import Image

# Columns a list of posts never shows; ``content`` can be long and the search document longer.
LIST_DEFERRED = ("content", "search_vector", "llm_metadata", "stage_data")
# A post's tags as a plain list in ``post.tag_list``: unlike prefetching into ``post.tags.all()``, this
# builds no queryset per post (taggit's manager makes one for each), a tenth of a list page's time.
TAGS = Prefetch("tags", to_attr="tag_list")
SNIPPET_SOURCE_CHARS = 20_000


def _lead_image_json() -> Subquery:
    first_image = (
        PostSection.objects.filter(post=OuterRef("pk"), content_type=ContentType.IMAGE, image__isnull=False)
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
        Post.objects.live()
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


# What a post page reads of each section, its image and its tags, through the functions
# post_sections_json() and post_tags_json() (migration 0008), planned once per connection.
PAGE_SECTION_FIELDS = (
    "id",
    "post_id",
    "title",
    "subtitle",
    "content",
    "position",
    "content_type",
    "image_id",
    "video_url",
    "audio_url",
    "duration",
    "social_media_snippets",
)
PAGE_IMAGE_FIELDS = ("id", "path", "alt_text", "caption", "image_metadata", "watermarked", "watermarked_path")
PAGE_TAG_FIELDS = ("id", "name", "slug")


@cache
def _in_model_order(model, fields: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields if field.attname in fields)


def _from_json(model, fields: tuple[str, ...], data: dict, db: str):
    """A model instance as if loaded from the database, from a JSON object holding ``fields``
    (``Model.from_db`` takes values in the order of the model's fields)."""
    names = _in_model_order(model, fields)
    return model.from_db(db, names, [data[name] for name in names])


# The post's own columns a page reads, in model order (the JSON ones it does not read are left out).
PAGE_POST_FIELDS = tuple(
    field.attname
    for field in Post._meta.concrete_fields
    if field.attname not in ("search_vector", "llm_metadata", "stage_data")
)
_SLUG_PLACEHOLDER = "\x00slug"


@cache
def _post_page_sql(live: bool) -> tuple[str, tuple, int]:
    """The post page's query compiled once per process: SQL, parameters and where the slug goes.

    Django compiles a queryset on every execution, over a millisecond for this one, and the
    text never changes; the visibility rules stay those of ``live()`` and ``alive()``.
    """
    posts = Post.objects.live() if live else Post.objects.alive()
    query = (
        posts.filter(slug=_SLUG_PLACEHOLDER)
        .annotate(
            section_data=RawSQL("post_sections_json(post.id)", ()),
            tag_data=RawSQL("post_tags_json(post.id)", ()),
            intro_data=RawSQL(
                "(SELECT json_build_array(source_key, html) FROM post_intro_html WHERE post_id = post.id)", ()
            ),
        )
        .values_list(*PAGE_POST_FIELDS, "section_data", "tag_data", "intro_data")
        .query
    )
    sql, params = query.get_compiler(DEFAULT_DB_ALIAS).as_sql()
    return sql, params, params.index(_SLUG_PLACEHOLDER)


def _post_page(slug: str, *, live: bool) -> Post:
    """The post with ``section_list`` (sections with their images), ``tag_list``, ``stored_html``
    (section id -> (source key, HTML)) and ``stored_intro`` ((source key, HTML) or None), all from
    one query; raises Post.DoesNotExist."""
    sql, params, slug_at = _post_page_sql(live)
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params[:slug_at], slug, *params[slug_at + 1 :]))
        row = cursor.fetchone()
    if row is None:
        raise Post.DoesNotExist(f"No post with the slug {slug!r}.")
    *values, section_data, tag_data, intro_data = row
    db = connection.alias
    post = Post.from_db(db, PAGE_POST_FIELDS, values)
    post.tag_list = [_from_json(Tag, PAGE_TAG_FIELDS, tag, db) for tag in tag_data or []]
    post.stored_intro = tuple(intro_data) if intro_data else None
    post.section_list, post.stored_html = [], {}
    for data in section_data or []:  # json (not jsonb): psycopg parses it
        section = _from_json(PostSection, PAGE_SECTION_FIELDS, data, db)
        image = data["image"]
        section.image = _from_json(Image, PAGE_IMAGE_FIELDS, image, db) if image else None
        post.section_list.append(section)
        post.stored_html[section.pk] = (data["stored_key"], data["stored_html"])
    return post


def live_post_page(slug: str) -> Post:
    """A live post for its page (see ``_post_page``); raises Post.DoesNotExist."""
    return _post_page(slug, live=True)


def preview_post_page(slug: str) -> Post:
    """Any post not in the trash, for staff previewing a draft; raises Post.DoesNotExist."""
    return _post_page(slug, live=False)


# What one matching section adds to a post's rank: about one body-text occurrence in ts_rank's scale, so a
# match in the post's own title or summary outranks a mention deep in a section.
SECTION_MATCH_RANK = 0.05
# Live posts matching a query, best first, each with its first matching section (for the snippet). The
# post's own document is ranked with ts_rank; each matching section adds SECTION_MATCH_RANK without its
# document being read, which keeps broad queries cheap. Hits are grouped per post before the join, and the
# first matching section is a plain min() (no sorted array_agg): 10-20% less time on this query.
# The visibility condition is PostQuerySet.live()'s.
_RANKED_POST_IDS = """
WITH hits AS (
    SELECT id AS post_id, ts_rank(search_vector, websearch_to_tsquery(%(config)s::regconfig, %(text)s)) AS rank,
        NULL::integer AS section_id, NULL::integer AS position
    FROM post WHERE search_vector @@ websearch_to_tsquery(%(config)s::regconfig, %(text)s)
    UNION ALL
    SELECT post_id, %(section_rank)s, id, position
    FROM post_section WHERE search_vector @@ websearch_to_tsquery(%(config)s::regconfig, %(text)s)
), per_post AS (
    SELECT post_id, sum(rank) AS rank,
        (min(ARRAY[position, section_id]) FILTER (WHERE section_id IS NOT NULL))[2] AS section_id
    FROM hits GROUP BY post_id
)
SELECT post.id, per_post.section_id
FROM per_post JOIN post ON post.id = per_post.post_id
WHERE post.deleted_at IS NULL AND post.published
    AND (post.published_at IS NULL OR post.published_at <= statement_timestamp())
ORDER BY per_post.rank DESC, post.published_at DESC, post.id DESC
"""


class SearchResults:
    """Live posts matching a query, best first, for a Paginator.

    All matching ids come from one query (both GIN indexes, no per-post subquery, and no separate
    COUNT); only the posts of the page asked for are loaded and highlighted.
    """

    def __init__(self, text: str, ids: list[int], snippet_sections: list[int]):
        self.text, self.ids, self.snippet_sections = text, ids, snippet_sections

    def count(self) -> int:
        return len(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: slice) -> list[Post]:
        page_ids = self.ids[index]
        if not page_ids:
            return []
        sections = [section for section in self.snippet_sections[index] if section is not None]
        posts = live_posts().filter(pk__in=page_ids)
        posts = {post.pk: post for post in _highlighted(posts, self.text, sections)}
        return [posts[pk] for pk in page_ids if pk in posts]


def _highlighted(posts: QuerySet[Post], text: str, sections: list[int]) -> QuerySet[Post]:
    """Adds ``title_marked`` and ``snippet_marked``: ts_headline output with the markers of ``content.search``.

    The snippet comes from the summary, the introduction and the post's section among ``sections``
    (its first matching one), found by primary key.
    """
    query = search.reader_query(text)
    best_section = PostSection.objects.filter(pk__in=sections, post=OuterRef("pk")).values("content")[:1]
    snippet_source = Concat(
        Coalesce("summary", Value("")),
        Value(" "),
        Left("content", SNIPPET_SOURCE_CHARS),
        Value(" "),
        Coalesce(Left(Subquery(best_section), SNIPPET_SOURCE_CHARS), Value("")),
    )
    markers = {"config": search.CONFIG, "start_sel": search.START, "stop_sel": search.STOP}
    return posts.annotate(
        title_marked=SearchHeadline("title", query, highlight_all=True, **markers),
        snippet_marked=SearchHeadline(
            snippet_source, query, max_words=35, min_words=15, max_fragments=2, fragment_delimiter=" … ", **markers
        ),
    )


def search_posts(text: str) -> SearchResults:
    """Live posts matching ``text`` in their own fields or any section, best first, highlighted.

    Pass ``title_marked`` and ``snippet_marked`` of each post through ``search.highlight``.
    """
    parameters = {"config": search.CONFIG, "text": text, "section_rank": SECTION_MATCH_RANK}
    with connection.cursor() as cursor:
        cursor.execute(_RANKED_POST_IDS, parameters)
        rows = cursor.fetchall()
    return SearchResults(text, [post_id for post_id, _ in rows], [section_id for _, section_id in rows])


def sitemap_posts() -> QuerySet[Post]:
    return Post.objects.live().only("slug", "updated_at", "published_at").order_by("-published_at", "-id")


def public_tags() -> QuerySet[Tag]:
    return Tag.objects.filter(Exists(Post.objects.live().filter(tags=OuterRef("pk")))).order_by("name")
