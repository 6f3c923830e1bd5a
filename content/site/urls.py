from django.contrib.sitemaps.views import sitemap
from django.urls import path

from content.site import feeds, views
from content.site.sitemaps import SITEMAPS
from content.site.views import public_page

app_name = "content"
cached = public_page()

urlpatterns = [
    path("", views.post_list, name="post_list"),
    path("posts/<slug:slug>/", views.post_detail, name="post_detail"),
    path("tags/<str:slug>/", views.tag_detail, name="tag_detail"),
    path("search/", views.search_results, name="search"),
    path("feed/", cached(feeds.LatestPostsFeed()), name="feed_rss"),
    path("feed/atom/", cached(feeds.AtomLatestPostsFeed()), name="feed_atom"),
    path("tags/<str:slug>/feed/", cached(feeds.TagFeed()), name="tag_feed_rss"),
    path("tags/<str:slug>/feed/atom/", cached(feeds.AtomTagFeed()), name="tag_feed_atom"),
    path("sitemap.xml", public_page(params=["p"])(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
