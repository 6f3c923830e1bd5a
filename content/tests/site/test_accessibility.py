"""Public pages with hostile content have no serious or critical axe-core violation, in Chromium.

axe-core (pinned in test-tools/package.json) is added to every page as an init script, which the
pages' Content-Security-Policy (no script at all) does not apply to. Requests that would leave
the machine are answered by the test: a small PNG for images, a stub page for anything else.
"""

import pytest

from content.tests.site import hostile_content
from content.tests.site.html_checkers import axe_script  # noqa: F401 (a fixture)
from media_library.tests.factories import png_bytes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

BLOCKING = ("serious", "critical")
STUB = '<!doctype html><html lang="en"><title>Stub</title><p>Not on this machine.</p></html>'


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"  {violation['impact']} {violation['id']}: {violation['help']}")
        lines += [f"    {node['html'][:200]}" for node in violation["nodes"][:5]]
    return "\n".join(lines)


def test_public_pages_have_no_serious_accessibility_violations(browser_page, axe_script, settings, screenshot_dir):  # noqa: F811
    settings.POSTS_PER_PAGE = 2
    pages = hostile_content.build()
    pages.pop("draft preview")  # staff only; the same template as a post
    page = browser_page
    image = png_bytes(16, 10)

    def offline(route):
        if route.request.url.startswith(page.base_url):
            route.continue_()
        elif route.request.resource_type == "image":
            route.fulfill(status=200, body=image, content_type="image/png")
        else:
            route.fulfill(status=200, body=STUB, content_type="text/html")

    page.route("**/*", offline)
    page.add_init_script(script=axe_script)
    found = {}
    for name, path in pages.items():
        response = page.goto(page.base_url + path)
        assert response.status == {"404": 404, "400": 400}.get(name, 200), name
        results = page.evaluate("() => axe.run(document, {resultTypes: ['violations'], iframes: false})")
        blocking = [violation for violation in results["violations"] if violation["impact"] in BLOCKING]
        if blocking:
            found[name] = describe(blocking)
        if name == "hostile post":
            page.screenshot(path=str(screenshot_dir / "hostile-post.png"), full_page=True)
    assert found == {}, "\n".join(f"{name}:\n{text}" for name, text in found.items())
