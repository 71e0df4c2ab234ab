"""ARNs: parsing, wildcard matching, and which graph node an ARN or ARN pattern becomes.

Decisions (see docs/aws-iam.md):

- ``Resource: "*"`` becomes the account's System ``system:aws:<account>`` (the account
  CONTAINS its resources, so access to ``*`` reaches them all).
- Any other ARN with a wildcard becomes a resource-pattern node ``resource:aws:<pattern>``
  (``resource_type: arn_pattern``) that CONTAINS the concrete resources it matches.
- S3 object ARNs (``arn:aws:s3:::bucket/*``, ``bucket/prefix/key``) fold into their bucket,
  the resource analysts name; the actions on the edge say objects or bucket.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import lru_cache

ACCOUNT_RE = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str


def parse_arn(text: str) -> Arn | None:
    """The parts of an ARN, or None when ``text`` is not one."""
    if not isinstance(text, str):
        return None
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2] or not parts[5]:
        return None
    return Arn(*parts[1:])


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


@lru_cache(maxsize=16384)
def _rx(pattern: str) -> re.Pattern:
    return re.compile(fnmatch.translate(pattern))


def arn_matches(pattern: str, arn: str) -> bool:
    """IAM wildcard match (``*`` any run of characters, ``?`` one), case-sensitive.
    Also true when ``arn`` is itself a pattern equal to or narrower than ``pattern`` in the
    common cases (the wildcard characters are matched literally by ``*``).

    Examples
    --------
    >>> arn_matches("arn:aws:s3:::logs-*", "arn:aws:s3:::logs-app/2026/01")
    True
    >>> arn_matches("arn:aws:s3:::logs-*", "arn:aws:s3:::LOGS-app")
    False
    """
    if pattern == "*":
        return True
    return _rx(pattern).match(arn) is not None


def fold(resource: str) -> str:
    """The ARN (or pattern) of the node a policy resource becomes (S3 objects -> bucket).

    Examples
    --------
    >>> fold("arn:aws:s3:::acme-invoices/2026/*")
    'arn:aws:s3:::acme-invoices'
    >>> fold("arn:aws:dynamodb:us-east-1:111122223333:table/shipments")
    'arn:aws:dynamodb:us-east-1:111122223333:table/shipments'
    """
    arn = parse_arn(resource)
    if arn and arn.service == "s3" and not arn.region and not arn.account \
            and "/" in arn.resource:
        bucket = arn.resource.split("/", 1)[0]
        return f"arn:{arn.partition}:s3:::{bucket or '*'}"
    return resource


def resource_type(arn_text: str) -> str:
    """A resource's type from its ARN.

    Examples
    --------
    >>> [resource_type(a) for a in ("arn:aws:s3:::logs", "arn:aws:s3:::logs-*",
    ...                             "arn:aws:sqs:us-east-1:111122223333:jobs")]
    ['s3_bucket', 'arn_pattern', 'sqs_queue']
    """
    if has_wildcard(arn_text):
        return "arn_pattern"
    arn = parse_arn(arn_text)
    if arn is None:
        return "unknown"
    if arn.service == "s3" and "/" not in arn.resource:
        return "s3_bucket"
    if arn.service == "rds" and arn.resource.startswith("db:"):
        return "rds_instance"
    if not re.search(r"[:/]", arn.resource):
        # ARNs whose resource part is just a name (SQS queues, SNS topics...).
        return _NAME_ONLY.get(arn.service, f"{arn.service}_resource")
    kind = re.split(r"[:/]", arn.resource, maxsplit=1)[0]
    return f"{arn.service}_{kind}".replace("-", "_")


_NAME_ONLY = {"sqs": "sqs_queue", "sns": "sns_topic"}


def resource_name(arn_text: str) -> str:
    arn = parse_arn(arn_text)
    if arn is None:
        return arn_text
    if has_wildcard(arn_text):
        return arn_text
    return re.split(r"[:/]", arn.resource)[-1] or arn.resource


def account_of(arn_text: str, default: str) -> str:
    """The account an ARN lives in; ARNs without one (S3) or with a wildcard there belong
    to ``default`` (the account of the policy that names them)."""
    arn = parse_arn(arn_text)
    if arn and ACCOUNT_RE.match(arn.account):
        return arn.account
    return default
