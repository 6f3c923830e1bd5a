"""The floor of `make bench`: a trivial view behind the same middleware as every page.

It is routed only when BENCH_FLOOR_VIEW is true (the benchmark's server sets it).
"""

from django.http import HttpResponse


def floor(request):
    return HttpResponse("ok", content_type="text/plain")
