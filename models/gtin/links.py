"""Import links as clients write them. The specification's own examples give links without a
scheme and with spaces (`dev-cdn.shping.com.s3.amazonaws.com/2017/6/19/… (1) (4).txt`): such a
link is read as https, its path percent-encoded, so it is accepted as written."""
from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

_SAFE = "/%:@!$&'()*+,;=~-._"


def complete_link(link: str) -> str:
    """`host/path` → `https://host/path`; spaces and other unsafe characters of the path and
    query percent-encoded (already encoded ones are kept)."""
    text = link.strip()
    if "://" not in text and not text.startswith(("upload:", "/")):
        text = "https://" + text
    parts = urlsplit(text)
    return urlunsplit((parts.scheme, parts.netloc, quote(parts.path, safe=_SAFE),
                       quote(parts.query, safe=_SAFE + "?="), parts.fragment))
