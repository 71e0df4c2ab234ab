"""Finding credentials where they should not be, and splitting credentials into what may be
kept (non-secret identifiers) and what may only be fingerprinted.

Used by the workflow-platform ingesters: hard-coded secrets in n8n node parameters (an
``Authorization`` header, an ``apiKey`` field, a token in a URL query string), decrypted
n8n credential data, Airflow connection extras. A value is returned only to be
fingerprinted at once by the caller; nothing here keeps, logs or prints it. Whether a
literal is a secret at all is :func:`ingest.secret_detect.is_secret`'s decision.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .secret_detect import is_expression, is_placeholder, is_secret, secret_part

__all__ = ["embedded_secrets", "is_placeholder", "is_secret", "literal", "secret_part",
           "split_credential", "url_host", "url_secrets"]

#: Header / query / field names that carry a credential.
SECRET_NAME = re.compile(
    r"(?i)^(?:authorization|proxy-authorization|x-api-key|api[-_]?key|x-auth-token|"
    r"x-access-token|private-token|auth[-_]?token|access[-_]?token|token|secret|"
    r"client[-_]?secret|password|passwd|pwd|key|apikey|x-functions-key|ocp-apim-subscription-key|"
    r"bearer[-_]?token|sig|signature|x-shopify-access-token|x-figma-token)$"
)
#: Parameter keys that hold a credential (bare ``key`` is a query name only: an S3 or Redis
#: node's ``key`` parameter is an object key, not a secret).
SECRET_FIELD = re.compile(
    r"(?i)^(?:api[-_]?key|apikey|auth[-_]?token|access[-_]?token|token|secret|client[-_]?secret|"
    r"password|passwd|bearer[-_]?token|private[-_]?key|secret[-_]?access[-_]?key)$"
)


def literal(value: Any) -> str | None:
    """The literal text of an n8n parameter, or None for an expression (``={{ ... }}``)."""
    if not isinstance(value, str):
        return None
    text = value[1:] if value.startswith("=") else value
    if "{{" in text or "$env" in text or "$credentials" in text:
        return None
    return text.strip()


def _kind(name: str, value: str) -> str:
    low = name.lower()
    if low in ("authorization", "proxy-authorization"):
        return "basic_auth" if value.lower().startswith("basic ") else "bearer_token"
    if "password" in low or low in ("passwd", "pwd"):
        return "password"
    if "token" in low:
        return "token"
    return "api_key"


def embedded_secrets(params: Any, path: str = "") -> Iterator[tuple[str, str, str, str]]:
    """``(field, secret_type, value, detector)`` for every hard-coded credential in node
    parameters; the value without its scheme (``Bearer``), as credential exports hold it,
    and the name of the detector that judged it a secret (:func:`is_secret`).

    Looks at name/value lists (header, query and body parameters in every n8n version),
    fields named like a credential, and URLs (``?token=...``, ``user:password@host``).
    Expressions are not literals and are left alone.
    """
    if isinstance(params, dict):
        name, value = params.get("name"), params.get("value")
        if isinstance(name, str) and SECRET_NAME.match(name.strip()):
            text = literal(value)
            detector = is_secret(text, name.strip())
            if text and detector:
                yield (f"{path}.{name.strip()}" if path else name.strip(), _kind(name, text),
                       secret_part(text), detector)
        for key, sub in params.items():
            if key in ("name", "value") and isinstance(name, str):
                continue
            # n8n wraps name/value lists in "parameters"/"parameter": not worth naming.
            here = path if key in ("parameters", "parameter") else \
                (f"{path}.{key}" if path else str(key))
            if isinstance(sub, str):
                text = literal(sub)
                detector = is_secret(text, str(key)) if SECRET_FIELD.match(str(key)) else None
                if text and detector:
                    yield here, _kind(str(key), text), secret_part(text), detector
                elif key.lower() in ("url", "endpoint", "baseurl", "webhookurl") and text:
                    yield from url_secrets(text, here)
            else:
                yield from embedded_secrets(sub, here)
    elif isinstance(params, list):
        for item in params:
            yield from embedded_secrets(item, path)


def url_secrets(url: str, path: str) -> Iterator[tuple[str, str, str, str]]:
    try:
        parts = urlsplit(url)
    except ValueError:
        return
    detector = is_secret(parts.password, "password") if parts.password else None
    if parts.password and detector:
        yield f"{path}.password", "password", parts.password, detector
    for key, value in parse_qsl(parts.query, keep_blank_values=False):
        detector = is_secret(value, key) if SECRET_NAME.match(key) else None
        if detector:
            yield f"{path}?{key}", _kind(key, value), value, detector


def url_host(url: Any) -> str | None:
    """The host of a URL (lower case, no port), also when only its path is an expression
    (``=https://api.example.com/v1/{{ $json.id }}``); None when the host itself is dynamic."""
    if not isinstance(url, str):
        return None
    text = (url[1:] if url.startswith("=") else url).strip()
    if "://" not in text:
        return None
    scheme, rest = text.split("://", 1)
    authority = rest.split("/", 1)[0].split("?", 1)[0]
    if "{{" in scheme or "{{" in authority or "$" in authority:
        return None
    try:
        host = urlsplit(f"{scheme}://{authority}").hostname
    except ValueError:
        return None
    return host.lower() if host else None


#: Fields of decrypted credential data that are identifiers, kept as they are, and the
#: property each becomes. Compared after lower-casing and dropping ``_`` and ``-``.
IDENTIFIER_FIELDS = {
    "accesskeyid": "access_key_id", "awsaccesskeyid": "access_key_id",
    "clientid": "client_id", "applicationid": "client_id", "appid": "client_id",
    "user": "user", "username": "user", "login": "user", "email": "user", "account": "account",
    "host": "host", "hostname": "host", "server": "host", "domain": "host", "url": "url",
    "baseurl": "url", "subdomain": "host", "region": "region", "regionname": "region",
    "database": "database", "warehouse": "warehouse", "role": "db_role",
    "tenantid": "tenant_id", "tenant": "tenant_id", "projectid": "project_id",
    "rolearn": "role_arn", "serviceaccountemail": "user", "workspace": "account",
}
#: Fields whose value is the credential, strongest evidence first (the one fingerprinted).
SECRET_PRIORITY = ("secretaccesskey", "apikey", "accesstoken", "token", "apitoken", "password",
                   "privatekey", "clientsecret", "value", "secret", "key")
_SECRETISH = re.compile(r"(?i)secret|password|passwd|token|key|private|signature|^value$")


def split_credential(data: dict[str, Any]) -> tuple[dict[str, str], str | None, list[str]]:
    """Split decrypted credential data into identifiers to keep, the one value to
    fingerprint (or None), and the names of the secret fields seen (values dropped)."""
    keep: dict[str, str] = {}
    secrets: dict[str, str] = {}
    for key, value in data.items():
        norm = str(key).lower().replace("_", "").replace("-", "")
        if norm in IDENTIFIER_FIELDS and isinstance(value, (str, int)) and str(value).strip():
            keep.setdefault(IDENTIFIER_FIELDS[norm], str(value).strip())
        elif _SECRETISH.search(str(key)) and isinstance(value, str) and value.strip():
            secrets[norm] = value
    # A stored credential is a secret whatever its entropy, but a placeholder or an
    # expression in it is no value to fingerprint (it would join unrelated credentials).
    usable = {k: v for k, v in secrets.items()
              if not is_placeholder(secret_part(v)) and not is_expression(v.strip())}
    primary = None
    for name in SECRET_PRIORITY:
        if name in usable:
            primary = secret_part(usable[name])
            break
    if primary is None and usable:
        primary = secret_part(usable[sorted(usable)[0]])
    return keep, primary, sorted(secrets)
