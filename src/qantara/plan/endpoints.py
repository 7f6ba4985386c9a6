"""Where an AWS provider's `endpoints` overrides send data.

pulumi-aws lets a provider send a service's calls to any URL (`endpoints=[{"s3": URL}]`):
MinIO, a proxy, another region. A request goes where the URL's host is, whatever the
provider's `region` says, so only a host AWS runs for a known region locates the service:
`<service>[.<more>].<region>.amazonaws.com`, `.amazonaws.com.cn`, `.api.aws` (dual-stack), and
VPC interface endpoints (`vpce-….<service>.<region>.vpce.amazonaws.com`). Anything else,
including a global AWS endpoint without a region, cannot be located.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from qantara.plan.document import SECRET, UNKNOWN

AWS_SUFFIXES = (".amazonaws.com.cn", ".amazonaws.com", ".api.aws")


def endpoint_overrides(value) -> list[tuple[str, str]]:
    """(service, URL) pairs of a provider's `endpoints` input: a list of one-key mappings, as
    the program writes it, or the JSON text of one, as the SDK records provider inputs.
    A value that cannot be read is one pair ("endpoints", the value)."""
    if value is None or value == "" or value == []:
        return []
    if value in (SECRET, UNKNOWN):
        return [("endpoints", value)]
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [("endpoints", UNKNOWN)]
    entries = value if isinstance(value, list) else [value]
    pairs = []
    for entry in entries:
        if not isinstance(entry, dict):
            return [("endpoints", UNKNOWN)]
        for service, url in entry.items():
            if url not in (None, ""):
                pairs.append((str(service).lower(), url if isinstance(url, str) else UNKNOWN))
    return pairs


def endpoint_region(url: str, known_regions) -> str | None:
    """The region of an AWS endpoint URL, or None when the host is not AWS's for a known region."""
    try:
        host = (urlsplit(url if "//" in url else "//" + url).hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    for suffix in AWS_SUFFIXES:
        if host.endswith(suffix):
            labels = host[: -len(suffix)].split(".")
            if labels and labels[-1] == "vpce":
                labels.pop()
            return labels[-1] if len(labels) >= 2 and labels[-1] in known_regions else None
    return None


def shown_url(url: str) -> str:
    """An endpoint as a message may show it: scheme, host and port, never user info or path
    (either may hold a credential)."""
    if url in (SECRET, UNKNOWN):
        return "a secret URL" if url == SECRET else "a URL not known before deployment"
    try:
        parts = urlsplit(url if "//" in url else "//" + url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "a URL that cannot be parsed"
    return f"{parts.scheme + '://' if parts.scheme else ''}{host}{port}"
