"""Finding credentials where they should not be, and splitting credentials into what may be
kept (non-secret identifiers) and what may only be fingerprinted.

Used by the workflow-platform ingesters: hard-coded secrets in n8n node parameters (an
``Authorization`` header, an ``apiKey`` field, a token in a URL query string), decrypted
n8n credential data, Airflow connection extras. A value is returned only to be
fingerprinted at once by the caller; nothing here keeps, logs or prints it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

#: Obvious placeholders: template ids reused across unrelated exports ("credential-id"),
#: and dummy values ("PLACEHOLDER_BOT_TOKEN", "<your key>", "xxxx"). Numbers are NOT
#: placeholders: older n8n versions number credentials 1, 2, 3...
PLACEHOLDER = re.compile(
    r"(?i)^(?:|x{3,}|\*{3,}|\.{3}|<[^>]*>|\{\{.*\}\}|\$\{.*\}|"
    r".*(?:credential[-_ ]?id|cred[-_]id|placeholder|replace[-_ ]?me|replace[-_]with|your[-_ ]|"
    r"changeme|change[-_]me|example|dummy|todo|redacted|xxxx|insert[-_ ]|fixme|"
    r"some[-_]id|my[-_]credential).*)$"
)

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
_SCHEME = re.compile(r"(?i)^(?:bearer|token|basic|bot|apikey|api-key|key)\s+")
MIN_SECRET_LENGTH = 8


def is_placeholder(value: Any) -> bool:
    return value is None or bool(PLACEHOLDER.match(str(value).strip()))


def literal(value: Any) -> str | None:
    """The literal text of an n8n parameter, or None for an expression (``={{ ... }}``)."""
    if not isinstance(value, str):
        return None
    text = value[1:] if value.startswith("=") else value
    if "{{" in text or "$env" in text or "$credentials" in text:
        return None
    return text.strip()


def secret_part(value: str) -> str:
    """The credential in a header value: ``Bearer abc`` and ``abc`` are the same secret."""
    return _SCHEME.sub("", value.strip()).strip()


def looks_secret(value: str | None) -> bool:
    if not value:
        return False
    part = secret_part(value)
    return len(part) >= MIN_SECRET_LENGTH and not is_placeholder(part) and " " not in part


def _kind(name: str, value: str) -> str:
    low = name.lower()
    if low in ("authorization", "proxy-authorization"):
        return "basic_auth" if value.lower().startswith("basic ") else "bearer_token"
    if "password" in low or low in ("passwd", "pwd"):
        return "password"
    if "token" in low:
        return "token"
    return "api_key"


def embedded_secrets(params: Any, path: str = "") -> Iterator[tuple[str, str, str]]:
    """``(field, secret_type, value)`` for every hard-coded credential in node parameters;
    the value without its scheme (``Bearer``), as credential exports hold it.

    Looks at name/value lists (header, query and body parameters in every n8n version),
    fields named like a credential, and URLs (``?token=...``, ``user:password@host``).
    Expressions are not literals and are left alone.
    """
    if isinstance(params, dict):
        name, value = params.get("name"), params.get("value")
        if isinstance(name, str) and SECRET_NAME.match(name.strip()):
            text = literal(value)
            if looks_secret(text):
                yield (f"{path}.{name.strip()}" if path else name.strip(), _kind(name, text),
                       secret_part(text))
        for key, sub in params.items():
            if key in ("name", "value") and isinstance(name, str):
                continue
            # n8n wraps name/value lists in "parameters"/"parameter": not worth naming.
            here = path if key in ("parameters", "parameter") else \
                (f"{path}.{key}" if path else str(key))
            if isinstance(sub, str):
                text = literal(sub)
                if SECRET_FIELD.match(str(key)) and looks_secret(text):
                    yield here, _kind(str(key), text), secret_part(text)
                elif key.lower() in ("url", "endpoint", "baseurl", "webhookurl") and text:
                    yield from url_secrets(text, here)
            else:
                yield from embedded_secrets(sub, here)
    elif isinstance(params, list):
        for item in params:
            yield from embedded_secrets(item, path)


def url_secrets(url: str, path: str) -> Iterator[tuple[str, str, str]]:
    try:
        parts = urlsplit(url)
    except ValueError:
        return
    if parts.password and looks_secret(parts.password):
        yield f"{path}.password", "password", parts.password
    for key, value in parse_qsl(parts.query, keep_blank_values=False):
        if SECRET_NAME.match(key) and looks_secret(value):
            yield f"{path}?{key}", _kind(key, value), value


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
    primary = None
    for name in SECRET_PRIORITY:
        if name in secrets:
            primary = secret_part(secrets[name])
            break
    if primary is None and secrets:
        primary = secret_part(secrets[sorted(secrets)[0]])
    return keep, primary, sorted(secrets)
