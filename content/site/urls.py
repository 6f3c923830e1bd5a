from django.contrib.sitemaps.views import sitemap
from django.urls import path

from content.site import feeds, page_versions, views
from content.site.sitemaps import SITEMAPS
from content.site.views import public_page

app_name = "content"
feed = public_page(shows=feeds.shown)

urlpatterns = [
    path("", views.post_list, name="post_list"),
    path("posts/<slug:slug>/", views.post_detail, name="post_detail"),
    path("tags/<str:slug>/", views.tag_detail, name="tag_detail"),
    path("search/", views.search_results, name="search"),
    path("feed/", feed(feeds.LatestPostsFeed()), name="feed_rss"),
    path("feed/atom/", feed(feeds.AtomLatestPostsFeed()), name="feed_atom"),
    path("tags/<str:slug>/feed/", feed(feeds.TagFeed()), name="tag_feed_rss"),
    path("tags/<str:slug>/feed/atom/", feed(feeds.AtomTagFeed()), name="tag_feed_atom"),
    path(
        "sitemap.xml",
        public_page(shows=page_versions.all_posts, params=["p"])(sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
