"""Is this literal a secret? One decision, :func:`is_secret`, that every ingester asks before
a value is fingerprinted as an embedded secret.

The decision is the ``detect-secrets`` library's (Yelp, maintained): its provider plugins
(AWS ``AKIA...``, GitHub ``ghp_``/``github_pat_``, Slack ``xox?-``, OpenAI, Stripe
``sk_live_``, JWTs, private key blocks, GitLab, npm, PyPI, SendGrid, Twilio, ...) name a
known key format, and its Base64 / hex high-entropy plugins (Shannon entropy over the
plugin's charset) catch random keys of no known format; its heuristic filters drop
sequential strings and templated values. Before the library is asked, what is never a
secret is set aside: expressions (``={{ ... }}``, ``${{ ... }}``, ``{{ ... }}``, ``$env``),
natural-language text in any script (any non-ASCII letter, any inner space, or only words
joined by ``_``/``-``), and placeholders (``YOUR_...``, ``<...>``, ``xxx``, ``changeme``,
``example``, documented example keys such as ``AKIAIOSFODNN7EXAMPLE``). The answer is the
detector's name (``aws-access-key``, ``high-entropy``...), kept on the Secret node as
``detector``; the value itself is never kept. The rule is described in
docs/secret-detection.md.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

from detect_secrets.filters.heuristic import (
    is_sequential_string,
    is_templated_secret,
)
from detect_secrets.plugins.base import RegexBasedDetector
from detect_secrets.plugins.high_entropy_strings import (
    Base64HighEntropyString,
    HexHighEntropyString,
)
from detect_secrets.plugins.keyword import KeywordDetector

#: Obvious placeholders: template ids reused across unrelated exports ("credential-id"),
#: dummy values ("PLACEHOLDER_BOT_TOKEN", "<your key>", "xxxx"), documentation examples.
#: Numbers are NOT placeholders: older n8n versions number credentials 1, 2, 3...
PLACEHOLDER = re.compile(
    r"(?i)^(?:|x{3,}|\*{3,}|\.{3,}|<[^>]*>|\[[^\]]*\]|\{\{.*\}\}|\$\{.*\}|"
    r".*(?:credential[-_ ]?id|cred[-_]id|placeholder|replace[-_ ]?me|replace[-_]with|your[-_ ]|"
    r"changeme|change[-_]me|example|dummy|todo|redacted|xxx|insert[-_ ]|fixme|"
    r"some[-_]id|my[-_]credential|secret[-_]?here|token[-_]?here|key[-_]?here).*)$"
)
_EXPRESSION = re.compile(r"\{\{|\$\{|\$env|\$credentials|\$secrets|\$vars")
_SCHEME = re.compile(r"(?i)^(?:bearer|token|basic|bot|apikey|api-key|key)\s+")
#: Words joined by ``_``, ``-`` or ``.``, each in one case: ``IHR_API_SCHLUESSEL_HIER``,
#: ``votre-jeton-ici``. Random keys mix cases and digits inside a segment.
_WORDS = re.compile(r"^(?:[a-z]+|[A-Z]+|[A-Z][a-z]+)(?:[-_./](?:[a-z]+|[A-Z]+|[A-Z][a-z]+))*$")
#: Below this many characters a string of no known format is too short to be judged random.
MIN_ENTROPY_LENGTH = 16
_PRIVATE_KEY = re.compile(r"-----BEGIN[ A-Z0-9_-]*PRIVATE KEY")
#: Plugins left out: the keyword and basic-auth plugins judge a line's context (the
#: ingesters look at field names and URLs themselves), a public IP address is not a secret.
_NOT_USED = {"KeywordDetector", "BasicAuthDetector", "IPPublicDetector"}


def _slug(secret_type: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", secret_type.lower()).strip("-")


@lru_cache(maxsize=1)
def _providers() -> tuple[tuple[str, RegexBasedDetector], ...]:
    import importlib
    import pkgutil

    import detect_secrets.plugins as pkg

    out = []
    for mod in pkgutil.iter_modules(pkg.__path__):
        m = importlib.import_module(f"{pkg.__name__}.{mod.name}")
        for obj in vars(m).values():
            if isinstance(obj, type) and issubclass(obj, RegexBasedDetector) and \
                    obj is not RegexBasedDetector and obj.__name__ not in _NOT_USED and \
                    obj.__module__ == m.__name__:
                out.append((_slug(obj.secret_type), obj()))
    out.sort(key=lambda item: item[0])
    return tuple(out)


_B64 = Base64HighEntropyString()
_HEX = HexHighEntropyString()
_KEYWORD = KeywordDetector()
#: Runs of the Base64 charset inside a value (``Token <id>:<secret>``): the plugin's eager
#: (unquoted) search.
_B64_RUN = re.compile(f"[{re.escape(_B64.charset)}]{{{MIN_ENTROPY_LENGTH},}}")
_PASSWORD_FIELD = re.compile(r"(?i)pass(?:word|wd)?$|^pwd$|password")
MIN_PASSWORD_LENGTH = 6


def entropy_limit(length: int) -> float:
    """The Base64 plugin's limit (4.5 bits a character) for long strings, lowered for
    shorter ones, whose entropy cannot reach it (at most log2(length))."""
    return min(_B64.entropy_limit, math.log2(max(length, 2)) - 0.8)


def secret_part(value: str) -> str:
    """The credential in a header value: ``Bearer abc`` and ``abc`` are the same secret."""
    return _SCHEME.sub("", value.strip()).strip()


def is_expression(value: str) -> bool:
    """An n8n, GitHub or templating expression: its value is computed, not written down."""
    return value.startswith("=") or bool(_EXPRESSION.search(value))


def is_placeholder(value: Any) -> bool:
    """A dummy value or template id (``credential-id``, ``YOUR_TOKEN``, ``<key>``)."""
    return value is None or bool(PLACEHOLDER.match(str(value).strip()))


def is_text(value: str) -> bool:
    """Natural-language text or words, in any script: never a key."""
    return any(ord(ch) > 127 for ch in value) or any(ch.isspace() for ch in value) or \
        bool(_WORDS.match(value))


def is_secret(value: Any, field: str | None = None) -> str | None:
    """The name of the detector that says ``value`` is a secret, or None.

    ``field`` is the name the value was found under; a password field (``password``,
    ``passwd``, ``pwd``) takes any literal that is not a placeholder or text, as the
    library's keyword plugin does for ``password = "..."``: a password need not be random.

    >>> is_secret("AKIA" + "Q3EGRKJSWP7VNOZD")
    'aws-access-key'
    >>> is_secret("AKIAIOSFODNN7EXAMPLE") is None   # AWS's documented example key
    True
    >>> [is_secret(v) for v in ("Bearer 你的飞书应用Token", "={{ $json.token }}", "changeme")]
    [None, None, None]
    """
    if not isinstance(value, str):
        return None
    raw = value.strip()
    if not raw or is_expression(raw):
        return None
    if _PRIVATE_KEY.search(raw):
        return "private-key"
    part = secret_part(raw)
    if not part or is_placeholder(part) or is_text(part) or is_templated_secret(part):
        return None
    for name, plugin in _providers():
        if any(plugin.analyze_string(part)):
            return name
    if _high_entropy(part) or any(_high_entropy(run) for run in _B64_RUN.findall(part)
                                  if run != part):
        return "high-entropy"
    if field and _PASSWORD_FIELD.search(field) and len(part) >= MIN_PASSWORD_LENGTH and \
            not is_sequential_string(part) and any(_KEYWORD.analyze_string(f'password = "{part}"')):
        return "keyword"
    return None


def _high_entropy(part: str) -> bool:
    """The Base64 or hex plugin's entropy test (hex also with dashes: ``3f25...-4f89``)."""
    if len(part) < MIN_ENTROPY_LENGTH or is_sequential_string(part):
        return False
    bare = part.replace("-", "")
    if set(bare) <= set(_HEX.charset) and len(bare) >= MIN_ENTROPY_LENGTH:
        return _HEX.calculate_shannon_entropy(bare) > _HEX.entropy_limit
    return set(part) <= set(_B64.charset) and \
        _B64.calculate_shannon_entropy(part) > entropy_limit(len(part))


#: Key names under which a literal is a credential even with no known format.
SECRET_NAME = re.compile(r"(?i)token|secret|passw|api[-_]?key|apikey|auth|_pat$|^pat$|"
                         r"credential|private[-_]?key|access[-_]?key")
MIN_NAMED_SECRET = 8


def named_secret(value: str, key: str) -> str | None:
    """The detector for a literal found under ``key`` (an env variable, a header): the
    library's (:func:`is_secret`), else ``key-name`` when the key names a credential and
    the literal is at least :data:`MIN_NAMED_SECRET` characters and no placeholder, text or
    expression (MCP configs, Dify HTTP nodes).

    >>> named_secret("s3cr3t-Vault-9x", "API_KEY"), named_secret("Desktop", "PATH")
    ('key-name', None)
    """
    found = is_secret(value, key)
    if found:
        return found
    part = secret_part(value)
    if SECRET_NAME.search(key) and len(part) >= MIN_NAMED_SECRET and \
            not (is_placeholder(part) or is_text(part) or is_expression(part)):
        return "key-name"
    return None
