"""SLA policies: which targets apply to a request, and which policies can never apply.

Policies are ordered; the first whose conditions all match wins. A condition left ``None``
matches anything (including a missing value); a set matches any of its values. Categories
are paths (``"billing/refund"``); a category condition matches that category and all its
descendants. Pure, standard library only.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from tickets.model.sla import DEFAULT_LEVELS, EscalationLevel

__all__ = [
    "CategoryTree",
    "IssueKind",
    "PolicyIssue",
    "RequestFacts",
    "SLAPolicy",
    "category_matches",
    "find_policy_issues",
    "match_policy",
    "normalize_category",
    "policy_matches",
]


def normalize_category(path: str) -> str:
    """``" /billing/ refund/"`` -> ``"billing/refund"``; empty segments are refused."""
    if not isinstance(path, str):
        raise TypeError(f"category {path!r}: expected a path string")
    parts = [p.strip() for p in path.strip().strip("/").split("/")]
    if not parts or any(not p for p in parts):
        raise ValueError(f"category {path!r}: expected a path such as 'billing/refund'")
    return "/".join(parts)


def category_matches(condition: str, category: str) -> bool:
    """Whether ``category`` is ``condition`` or one of its descendants (both normalized)."""
    return category == condition or category.startswith(condition + "/")


class CategoryTree:
    """Category ids with their parents, to turn an id into its path for matching."""

    def __init__(self, parents: Mapping[str, str | None]) -> None:
        self._parents = dict(parents)
        for cat, parent in self._parents.items():
            if "/" in cat:
                raise ValueError(f"category id {cat!r}: must not contain '/'")
            if parent is not None and parent not in self._parents:
                raise ValueError(f"category {cat!r}: unknown parent {parent!r}")
        for cat in self._parents:
            self.path(cat)  # raises on a cycle

    def path(self, category: str) -> str:
        """``"refund"`` -> ``"billing/refund"``."""
        if category not in self._parents:
            raise ValueError(f"unknown category {category!r}")
        chain: list[str] = []
        cur: str | None = category
        while cur is not None:
            if cur in chain:
                raise ValueError(f"category tree has a cycle through {cur!r}")
            chain.append(cur)
            cur = self._parents[cur]
        return "/".join(reversed(chain))


@dataclass(frozen=True)
class RequestFacts:
    """What policies look at. ``category`` is a path (see :class:`CategoryTree`)."""

    tier: str | None = None
    category: str | None = None
    priority: str | None = None
    channel: str | None = None

    def __post_init__(self) -> None:
        if self.category is not None:
            object.__setattr__(self, "category", normalize_category(self.category))


def _value_set(values: AbstractSet[str] | None, *, what: str) -> frozenset[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        raise TypeError(f"{what}: expected a set of strings, got the string {values!r}")
    return frozenset(values)


@dataclass(frozen=True)
class SLAPolicy:
    """Targets (business time on the calendar named ``calendar``) and the conditions for
    them. ``None`` conditions match anything; an empty set matches nothing."""

    name: str
    first_response: timedelta | None = None
    resolution: timedelta | None = None
    calendar: str = "default"
    tiers: AbstractSet[str] | None = None
    categories: AbstractSet[str] | None = None
    priorities: AbstractSet[str] | None = None
    channels: AbstractSet[str] | None = None
    levels: Sequence[EscalationLevel] = DEFAULT_LEVELS

    def __post_init__(self) -> None:
        if not self.name or not self.name.strip():
            raise ValueError("SLA policy: name must not be empty")
        for what in ("first_response", "resolution"):
            value = getattr(self, what)
            if value is not None and (not isinstance(value, timedelta) or value <= timedelta(0)):
                raise ValueError(f"SLA policy {self.name!r}: {what} must be a positive timedelta")
        set_ = object.__setattr__
        set_(self, "tiers", _value_set(self.tiers, what="tiers"))
        set_(self, "priorities", _value_set(self.priorities, what="priorities"))
        set_(self, "channels", _value_set(self.channels, what="channels"))
        cats = _value_set(self.categories, what="categories")
        if cats is not None:
            cats = frozenset(normalize_category(c) for c in cats)
        set_(self, "categories", cats)
        set_(self, "levels", tuple(self.levels))

    def _targets(self) -> tuple[object, ...]:
        return (self.first_response, self.resolution, self.calendar, tuple(self.levels))


def _set_ok(cond: AbstractSet[str] | None, value: str | None) -> bool:
    return cond is None or (value is not None and value in cond)


def _cat_ok(cond: AbstractSet[str] | None, value: str | None) -> bool:
    return cond is None or (value is not None and any(category_matches(c, value) for c in cond))


def policy_matches(policy: SLAPolicy, facts: RequestFacts) -> bool:
    return (
        _set_ok(policy.tiers, facts.tier)
        and _cat_ok(policy.categories, facts.category)
        and _set_ok(policy.priorities, facts.priority)
        and _set_ok(policy.channels, facts.channel)
    )


def match_policy(policies: Iterable[SLAPolicy], facts: RequestFacts) -> SLAPolicy | None:
    """The first policy whose conditions all match, or ``None``."""
    for policy in policies:
        if policy_matches(policy, facts):
            return policy
    return None


class IssueKind(StrEnum):
    UNREACHABLE = "unreachable"  # every request it matches is taken by earlier policies
    MATCHES_NOTHING = "matches_nothing"  # an empty condition set
    OVERLAP = "overlap"  # partly overlaps an earlier policy with other targets
    DUPLICATE_NAME = "duplicate_name"


@dataclass(frozen=True)
class PolicyIssue:
    kind: IssueKind
    policy: str
    index: int
    others: tuple[str, ...]
    message: str


def _dim_match(policy: SLAPolicy, dim: int, value: str | None) -> bool:
    if dim == 0:
        return _set_ok(policy.tiers, value)
    if dim == 1:
        return _cat_ok(policy.categories, value)
    if dim == 2:
        return _set_ok(policy.priorities, value)
    return _set_ok(policy.channels, value)


def find_policy_issues(
    policies: Sequence[SLAPolicy], *, overlaps: bool = True
) -> list[PolicyIssue]:
    """Problems for admins, in policy order.

    * ``unreachable``: every request the policy matches is matched by an earlier policy,
      one alone or several together (``others`` names them); it can never apply.
    * ``matches_nothing``: a condition is an empty set.
    * ``overlap`` (unless ``overlaps=False``): the policy shares some requests with an
      earlier (reachable) one that has different targets, neither containing the other; the
      earlier wins for the shared requests. A note to check the order, not an error: a
      specific policy before a general one is the normal case and is not reported.
    * ``duplicate_name``.

    Exact: requests are partitioned into finitely many cells by the values the policies
    mention (plus "any other value" per dimension, and for categories "any other
    descendant"), and coverage is checked cell by cell.
    """
    # Atoms per dimension: every mentioned value, plus None standing for "anything else".
    # A category atom p stands for p and its descendants not under a more specific
    # mentioned path: every condition matches all of them or none.
    mentioned: list[set[str]] = [set(), set(), set(), set()]
    for p in policies:
        for dim, cond in enumerate((p.tiers, p.categories, p.priorities, p.channels)):
            if cond is not None:
                mentioned[dim].update(cond)
    atoms: list[list[str | None]] = [[*sorted(m), None] for m in mentioned]

    def region(p: SLAPolicy) -> list[list[str | None]]:
        return [[a for a in atoms[dim] if _dim_match(p, dim, a)] for dim in range(4)]

    def cells(p: SLAPolicy) -> list[tuple[str | None, ...]]:
        return list(itertools.product(*region(p)))

    def matches(p: SLAPolicy, cell: tuple[str | None, ...]) -> bool:
        return all(_dim_match(p, dim, v) for dim, v in enumerate(cell))

    issues: list[PolicyIssue] = []
    seen_names: dict[str, int] = {}
    dead: set[int] = set()  # unreachable or matching nothing: they take no request
    for j, pj in enumerate(policies):
        if pj.name in seen_names:
            issues.append(
                PolicyIssue(
                    IssueKind.DUPLICATE_NAME,
                    pj.name,
                    j,
                    (pj.name,),
                    f"policy #{j + 1} {pj.name!r} has the same name as policy "
                    f"#{seen_names[pj.name] + 1}",
                )
            )
        else:
            seen_names[pj.name] = j

        empty = [
            what
            for what, cond in (
                ("tiers", pj.tiers),
                ("categories", pj.categories),
                ("priorities", pj.priorities),
                ("channels", pj.channels),
            )
            if cond is not None and not cond
        ]
        if empty:
            issues.append(
                PolicyIssue(
                    IssueKind.MATCHES_NOTHING,
                    pj.name,
                    j,
                    (),
                    f"policy #{j + 1} {pj.name!r} matches nothing: empty {', '.join(empty)}",
                )
            )
            dead.add(j)
            continue

        mine = cells(pj)
        earlier = list(policies[:j])
        covering: list[str] = []
        all_covered = True
        for cell in mine:
            first = next((pi for pi in earlier if matches(pi, cell)), None)
            if first is None:
                all_covered = False
                break
        if all_covered and mine:
            covering = [pi.name for pi in earlier if any(matches(pi, c) for c in mine)]
            alone = [pi.name for pi in earlier if all(matches(pi, c) for c in mine)]
            if alone:
                msg = (
                    f"policy #{j + 1} {pj.name!r} is unreachable: shadowed by the earlier "
                    f"policy {alone[0]!r}"
                )
                covering = [alone[0]]
            else:
                msg = (
                    f"policy #{j + 1} {pj.name!r} is unreachable: the earlier policies "
                    f"{', '.join(repr(n) for n in covering)} together match every request it "
                    "matches"
                )
            issues.append(PolicyIssue(IssueKind.UNREACHABLE, pj.name, j, tuple(covering), msg))
            dead.add(j)
            continue
        if not overlaps:
            continue

        mine_set = set(mine)
        for i, pi in enumerate(earlier):
            if i in dead:
                continue
            theirs = set(cells(pi))
            shared = mine_set & theirs
            if not shared or shared in (mine_set, theirs):
                continue
            if pi._targets() == pj._targets():
                continue
            issues.append(
                PolicyIssue(
                    IssueKind.OVERLAP,
                    pj.name,
                    j,
                    (pi.name,),
                    f"policy #{j + 1} {pj.name!r} partly overlaps the earlier policy "
                    f"{pi.name!r} with other targets; {pi.name!r} wins where both match",
                )
            )
    return issues
