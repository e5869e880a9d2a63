"""How flows do: where calls drop off, and how they end, per flow version (pure).

Give it runs that are over (finished, abandoned, failed; a run still active is counted where it
stands). Versions are kept apart, so that a new version can be compared with the old one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from knowledge.flows.runner import FINISHED, FlowRun


@dataclass(frozen=True, slots=True)
class NodeDropOff:
    node: str
    reached: int  # runs that got to the node
    stopped: int  # runs that stopped there without finishing
    rate: float  # stopped / reached


@dataclass(frozen=True, slots=True)
class VersionStats:
    flow_id: str
    version: int
    runs: int
    finished: int
    stopped: int  # abandoned, failed, or still active
    completion_rate: float
    outcomes: Mapping[str, int]  # outcome → finished runs
    outcome_rates: Mapping[str, float]  # outcome → share of all runs of the version
    drop_off: tuple[NodeDropOff, ...]  # most stopped first


def _reached(run: FlowRun) -> set[str]:
    nodes = {step.node for step in run.history}
    if run.current:
        nodes.add(run.current)
    return nodes


def flow_stats(runs: Iterable[FlowRun]) -> list[VersionStats]:
    """Drop-off per node and outcome rates, one entry per flow id and version."""
    groups: dict[tuple[str, int], list[FlowRun]] = {}
    for run in runs:
        groups.setdefault((run.flow_id, run.flow_version), []).append(run)
    result: list[VersionStats] = []
    for (flow_id, version), members in sorted(groups.items()):
        total = len(members)
        finished = [r for r in members if r.status == FINISHED]
        outcomes = Counter(r.outcome or "" for r in finished)
        reached: Counter[str] = Counter()
        stopped: Counter[str] = Counter()
        for run in members:
            reached.update(_reached(run))
            if run.status != FINISHED and run.current:
                stopped[run.current] += 1
        drop_off = sorted(
            (
                NodeDropOff(node, reached[node], count, count / reached[node])
                for node, count in stopped.items()
            ),
            key=lambda d: (-d.stopped, -d.rate, d.node),
        )
        result.append(
            VersionStats(
                flow_id=flow_id,
                version=version,
                runs=total,
                finished=len(finished),
                stopped=total - len(finished),
                completion_rate=len(finished) / total,
                outcomes=dict(sorted(outcomes.items())),
                outcome_rates={k: v / total for k, v in sorted(outcomes.items())},
                drop_off=tuple(drop_off),
            )
        )
    return result
