from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from content import selectors
from content.models import Post


def post_list(request):
    page = Paginator(selectors.live_posts(), 10).get_page(request.GET.get("page"))
    return render(request, "content/post_list.html", {"page": page})


def post_detail(request, slug: str):
    try:
        post = selectors.live_post_with_sections(slug)
    except Post.DoesNotExist:
        raise Http404("No such post.") from None
    return render(request, "content/post_detail.html", {"post": post})
