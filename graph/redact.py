"""The one redaction rule: which names are secret-looking, and what is cut out of URLs,
``name=value`` pairs and messages before they become ids, properties or printed lines.

:func:`is_secret_name` classifies a property, field, column, tag or query-parameter name
by its words (``api_token``, ``dbPassword``, ``X-Amz-Signature`` and ``connection_string``
are secret-looking; ``secret_type``, ``access_key_id`` and ``token_url`` name something
about a secret, not the secret). :func:`redact_url_text` removes URL userinfo
(``user:password@``) and the values of secret-looking query parameters anywhere in a
text; :func:`redact_pairs` replaces the value of ``NAME=VALUE`` items with a secret-looking
``NAME``; :func:`scrub` applies both plus ``name: value`` and quoted-mapping forms to a
message before it is printed or shown. :func:`redact_batch` runs the rule over everything
one ingester produced (ids, properties, notes, skips), at the ingest boundary
(``ingest/pipeline.py``); secret-named properties are replaced by keyed fingerprints.
"""

from __future__ import annotations

import functools
import re
from typing import Any

#: Replaces a redacted value wherever text is kept.
REDACTED = "REDACTED"

#: Words that make a name secret-looking wherever they stand in it.
_STRONG = ("password", "passwd", "passphrase", "secret", "token", "credential", "apikey",
           "privatekey", "signature", "connectionstring", "connstr", "cookie", "bearer",
           "authorization")
_STRONG_WORDS = frozenset({"pwd", "pass", "sig", "sas", "jwt", "dsn", "creds", "cred",
                           "auth"})
#: ``key`` is a secret after one of these words (``secret_key``, ``apiKey``).
_KEY_AFTER = frozenset({"api", "secret", "private", "access", "signing", "encryption",
                        "master", "account", "shared", "client", "auth", "license", "ssh",
                        "subscription", "app", "service", "storage", "host", "function",
                        "webhook", "hmac", "session", "primary", "secondary"})
#: A last word that makes the name describe a secret rather than hold one.
_ABOUT = frozenset({"fingerprint", "fingerprints", "id", "ids", "type", "types", "name",
                    "names", "fields", "paths", "files", "count", "at", "date", "age", "days", "arn", "url", "uri",
                    "path", "store", "ref", "refs", "version", "length", "expiry",
                    "expires", "expiration", "rotated", "used", "file", "env", "enabled",
                    "required", "header", "field", "kind", "source", "scope", "scopes",
                    "endpoint", "provider", "method", "mode", "format", "policy",
                    "status", "vault", "manager", "prefix", "hint", "label", "location",
                    "owner", "description", "rotation", "updated", "created", "last"})
#: Whole names that are secrets in every format (the model's fixed list among them).
_WHOLE = frozenset({"value", "key", "secret_value", "code", "x-api-key", "x_api_key"})
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def _words(name: str) -> list[str]:
    return [w.lower() for w in _WORDS.findall(name)]


def is_secret_name(name: Any) -> bool:
    """Is ``name`` (a property, field, column, tag key or query parameter) secret-looking?

    >>> [is_secret_name(n) for n in ("api_token", "dbPassword", "secret_key", "credential",
    ...                              "connection_string", "X-Amz-Signature", "sig", "value")]
    [True, True, True, True, True, True, True, True]
    >>> [is_secret_name(n) for n in ("secret_type", "fingerprint", "access_key_id", "name",
    ...                              "token_url", "host", "public_key", "description")]
    [False, False, False, False, False, False, False, False]
    """
    if not isinstance(name, str):
        return False
    return _secret_name(name)


@functools.lru_cache(maxsize=65536)
def _secret_name(name: str) -> bool:
    """:func:`is_secret_name` of a text; cached, since an ingest asks about the same few
    property names once per row (half a million times at 100k nodes)."""
    if not name.strip():
        return False
    text = name.strip()
    if text.lower() in _WHOLE:
        return True
    words = _words(text)
    if not words:
        return False
    if "public" in words:
        return False
    compact = "".join(words)
    last = words[-1]
    if last in _ABOUT and len(words) > 1:
        return False
    if any(w.endswith(tail) for w in (last,) for tail in ("fingerprint", "type", "name")
           if len(w) > len(tail) and w != tail):
        return False
    if any(s in compact for s in _STRONG) or any(w in _STRONG_WORDS for w in words):
        return True
    for before, word in zip(words, words[1:], strict=False):
        if word in ("key", "keys") and before in _KEY_AFTER:
            return True
    return compact.endswith(("apikey", "secretkey", "privatekey", "accesskey", "signingkey"))


# --- URLs -------------------------------------------------------------------------------

#: ``scheme://userinfo@`` (any scheme: https, postgres, docker, redis+tls...).
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/?#\s'\"<>]*@")
#: ``user:password@host`` without a scheme, at the start of a text or after a space.
#: The password part holds no ``:``, so a namespaced id such as ``owner:email:a@b.example``
#: (kind, scheme, address) is not read as ``user:password@host``.
_BARE_USERINFO = re.compile(r"(?:(?<=^)|(?<=[\s'\"(=]))[^\s/:@'\"]+:[^\s/:@'\"]+@(?=[\w\[])")
#: ``?name=value`` / ``&name=value`` / ``;name=value`` in a URL or query string.
_QUERY = re.compile(r"([?&;])([^=&;#\s'\"]+)=([^&;#\s'\"]*)")


def redact_url_text(text: str) -> str:
    """``text`` with URL userinfo removed and secret-looking query values replaced.

    >>> redact_url_text("postgres://svc:hunter2@db.example:5432/x?sslmode=require&token=abc")
    'postgres://db.example:5432/x?sslmode=require&token=REDACTED'
    >>> redact_url_text("docker://bot:pw@ghcr.io/acme/tool:1")
    'docker://ghcr.io/acme/tool:1'
    >>> redact_url_text("owner:email:invitee@acme.test")  # an id, not user:password@host
    'owner:email:invitee@acme.test'
    """
    if "@" in text:
        text = _USERINFO.sub(r"\1", text)
        if ":" in text:
            text = _BARE_USERINFO.sub("", text)
    if "=" in text and ("?" in text or "&" in text or ";" in text):
        text = _QUERY.sub(_query_value, text)
    return text


def _query_value(m: re.Match) -> str:
    name = m.group(2)
    if is_secret_name(name.lower().removeprefix("x-amz-")) or is_secret_name(name):
        return f"{m.group(1)}{name}={REDACTED}" if m.group(3) else m.group(0)
    return m.group(0)


# --- pairs and messages -----------------------------------------------------------------

#: ``NAME=VALUE`` as a whole item (AWS tags are stored as ``Key=Value``).
_PAIR = re.compile(r"^([^=\s]{1,128})=(.+)$", re.S)
#: In a message: ``name=value``, ``name: value``, ``'name': 'value'``, ``"name": "value"``.
_MSG_PAIR = re.compile(
    r"""(?<![\w.\-/\\])(?P<q>['"]?)(?P<name>[A-Za-z_][\w\-]{0,80})(?P=q)(?P<sep>\s*[:=]\s+|\s*=\s*|['"]?\s*:\s*)"""
    r"""(?P<val>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|"""
    r"""(?:(?i:bearer|basic|token|bot|digest)\s+)?[^\s,;}\]'"]+)""")


def redact_pairs(text: str) -> str:
    """A ``NAME=VALUE`` item with a secret-looking ``NAME`` keeps only the name.

    >>> redact_pairs("api_token=abc123"), redact_pairs("team=payments")
    ('api_token=REDACTED', 'team=payments')
    """
    m = _PAIR.match(text)
    if m and is_secret_name(m.group(1)):
        return f"{m.group(1)}={REDACTED}"
    return text


def scrub(message: Any) -> str:
    """A message safe to print: URLs redacted, values after secret-looking names cut.

    >>> scrub("bad item {'token': 'abc123', 'id': 'x'} at https://u:p@h/?sig=zz")
    "bad item {'token': 'REDACTED', 'id': 'x'} at https://h/?sig=REDACTED"
    """
    text = redact_url_text(str(message))
    if ":" in text or "=" in text:
        text = _MSG_PAIR.sub(_msg_value, text)
    return text


def _msg_value(m: re.Match) -> str:
    if not is_secret_name(m.group("name")):
        return m.group(0)
    val = m.group("val")
    quote = val[0] if val[:1] in ("'", '"') else ""
    head = m.group(0)[: m.start("val") - m.start(0)]
    return f"{head}{quote}{REDACTED}{quote}"


# --- one batch --------------------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """URL redaction, plus lone surrogates (valid in JSON, not in UTF-8) made U+FFFD."""
    if not text.isascii() and _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    if "@" in text or "=" in text:
        text = redact_url_text(text)
    return text


def _clean_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact_pairs(clean_text(value)) if "=" in value else clean_text(value)
    if isinstance(value, (list, tuple)):
        return [_clean_value(v) for v in value]
    return value


def redact_props(props: dict[str, Any], keys: dict | None = None) -> dict[str, Any]:
    """Secret-looking names replaced by ``<name>_fingerprint`` (their values go nowhere);
    every text value URL-redacted. ``keys`` (one dict for one batch) remembers what each
    property name is (secret-looking, else its cleaned text): a batch has a few
    names, asked about once per row."""
    if not props:
        return props
    out: dict[str, Any] = {}
    for key, value in props.items():
        clean: Any = key  # a name that is not text (a YAML key) stays as it is
        if isinstance(key, str):
            clean = keys.get(key) if keys is not None else None
            if clean is None:
                clean = _SECRET if is_secret_name(key) else clean_text(key)
                if keys is not None:
                    keys[key] = clean
            if clean is _SECRET:
                # (a flag such as ``has_auth`` says something about a secret, never holds one)
                if not isinstance(value, bool):
                    if isinstance(value, (str, int, float)) and str(value).strip():
                        from .fingerprint import fingerprint

                        name = "fingerprint" if key.lower() in ("value", "secret_value") \
                            else f"{re.sub(r'[^A-Za-z0-9_]', '_', key).lower()}_fingerprint"
                        out.setdefault(name, fingerprint(str(value)))
                    continue
                clean = clean_text(key)
        out[clean] = _clean_value(value)
    return out


_SECRET = object()  # a secret-looking name, in the names remembered
_DIGITS = "0123456789"


def _where_scrubber() -> Any:
    """``scrub(clean_text(where))`` for one batch's ``where`` texts, worked out once per
    ``file:`` prefix for the ``<prefix><line number>`` form the file ingesters give each
    row. A prefix is taken as safe only when it holds no ``@``, no ``=`` and only ASCII
    (so :func:`clean_text` and :func:`redact_url_text` cannot change such a text) and
    ``scrub(prefix + "1")`` changes nothing: the digits after it can neither start nor
    end a ``name: value`` pair's name, and a value reaching into them is there whatever
    the digits are, so the scrub changes ``prefix + digits`` for no line number either.
    Any other text goes through the whole rule."""
    safe: dict[str, bool] = {}

    def cleaned(where: str) -> str:
        head = where.rstrip(_DIGITS)
        if head != where:
            ok = safe.get(head)
            if ok is None:
                probe = head + "1"
                ok = safe[head] = ("@" not in head and "=" not in head and head.isascii()
                                   and scrub(clean_text(probe)) == probe)
            if ok:
                return where
        return scrub(clean_text(where))

    return cleaned


def redact_batch(batch: Any) -> Any:
    """Run the rule over one ingester's batch in place (and return it)."""
    keys: dict = {}
    where_of = _where_scrubber()
    for node in batch.nodes:
        if isinstance(node.id, str):
            node.id = clean_text(node.id)
        node.props = redact_props(node.props, keys)
        if node.where:
            node.where = where_of(node.where)
    for edge in batch.edges:
        if isinstance(edge.src, str):
            edge.src = clean_text(edge.src)
        if isinstance(edge.dst, str):
            edge.dst = clean_text(edge.dst)
        edge.props = redact_props(edge.props, keys)
        if edge.where:
            edge.where = where_of(edge.where)
    batch.notes = [scrub(clean_text(str(n))) for n in batch.notes]
    batch.skipped = [scrub(clean_text(str(s))) for s in batch.skipped]
    return batch
