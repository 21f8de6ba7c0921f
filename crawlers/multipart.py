"""multipart/form-data bodies for POST APIs (Scrapy has FormRequest for urlencoded forms only)."""

import hashlib
import json
from typing import Any


def multipart_body(parts: dict[str, Any]) -> tuple[bytes, str]:
    """(body, Content-Type header) with each part sent as application/json.

    The boundary is derived from the content, so the same query gives the same request body,
    the same request fingerprint and a reusable HTTP cache entry.
    """
    encoded = {
        name: json.dumps(value, separators=(",", ":")).encode() for name, value in parts.items()
    }
    digest = hashlib.sha256(b"\0".join(encoded.values())).hexdigest()[:32]
    boundary = f"----FundingRadar{digest}"
    lines: list[bytes] = []
    for name, value in encoded.items():
        lines += [
            f"--{boundary}".encode(),
            # filename="blob" as the portal's own page sends it (a JSON Blob per part).
            f'Content-Disposition: form-data; name="{name}"; filename="blob"'.encode(),
            b"Content-Type: application/json",
            b"",
            value,
        ]
    lines += [f"--{boundary}--".encode(), b""]
    return b"\r\n".join(lines), f"multipart/form-data; boundary={boundary}"
