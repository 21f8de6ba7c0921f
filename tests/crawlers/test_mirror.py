"""The loopback mirror answers like a server: routes, 404, conditional requests, request log."""

import httpx

from tests.crawlers.mirror import Reply


def test_routes_conditional_requests_and_log(mirror):
    mirror.route("GET", "/api/aids/", Reply(body=b'{"count": 0}'))
    first = httpx.get(f"{mirror.url}/api/aids/?page=2")
    assert first.status_code == 200 and first.json() == {"count": 0}
    again = httpx.get(f"{mirror.url}/api/aids/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert httpx.get(f"{mirror.url}/nowhere").status_code == 404
    assert [r.query for r in mirror.hits("/api/aids/")] == [{"page": ["2"]}, {}]
    assert httpx.get(f"{mirror.url}/robots.txt").text.startswith("User-agent: *")
