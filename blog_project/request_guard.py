"""Refuse paths that carry control characters before any view sees them.

PostgreSQL cannot store or compare NUL in text, and no address of ours has a use for control
characters, so a path holding one (a tag's or a post's address) is a 400 with a plain page,
never a 500 from the database. Query values are each view's to clean (search drops them).
"""

from django.core.exceptions import BadRequest

from common.text import first_control_character


def refuse_control_characters(get_response):
    def middleware(request):
        if first_control_character(request.path):
            raise BadRequest("The address holds a control character.")
        return get_response(request)

    return middleware
