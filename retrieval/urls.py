"""Canonical URLs, so the same story reached twice is recognised as one."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_AMP_QUERY_KEYS = {"amp", "_amp", "outputtype", "amp_js_v", "usqp"}
_TRACKING_PREFIXES = ("utm_",)
_TRACKING_KEYS = {"fbclid", "gclid", "ref", "spt", "or"}
_AMP_PATH = re.compile(r"(^|/)(amp|amphtml|google-amp)(?=/|$)")
_CDN_AMP = re.compile(r"^[^/]+\.cdn\.ampproject\.org$")


def canonical_url(url: str | None) -> str | None:
    """``https://www.x.com/amp/a/b/?amp=1`` → ``x.com/a/b`` (scheme, www., AMP, tracking, slash aside)."""
    if not url or not url.strip():
        return None
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    path = parts.path
    if _CDN_AMP.match(host):
        # https://www-x-com.cdn.ampproject.org/c/s/www.x.com/amp/...  → the wrapped URL
        wrapped = re.sub(r"^/[a-z]/(s/)?", "", path)
        return canonical_url("https://" + wrapped)
    if host.startswith("www."):
        host = host[4:]
    path = _AMP_PATH.sub(r"\1", path).replace("//", "/")
    path = path.rstrip("/")
    if path.endswith(".amp"):
        path = path[:-4]
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _AMP_QUERY_KEYS
        and k.lower() not in _TRACKING_KEYS
        and not k.lower().startswith(_TRACKING_PREFIXES)
    ]
    return urlunsplit(("", host, path, urlencode(sorted(query)), "")).lstrip("/") or None
