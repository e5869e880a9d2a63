"""The flows in use: several versions of each, so that a call keeps the version it started with.

Only flows without problems are added by :meth:`FlowLibrary.load`; the problems are returned
(the same as ``flows check`` prints).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from knowledge.flows.check import KnowledgeRefs, check_result, flow_files, sort_problems
from knowledge.flows.loader import load_file, load_source
from knowledge.flows.model import Flow, Problem


class FlowError(ValueError):
    """A flow that cannot be used; ``problems`` says why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        super().__init__(f"the flow has problems: {shown}{more}")


def load_flow(path: str | Path, *, knowledge: KnowledgeRefs | None = None) -> Flow:
    """One flow file, fully checked; raises :class:`FlowError` when it has any problem."""
    result = load_file(path)
    problems = sort_problems(check_result(result, knowledge=knowledge))
    if problems or result.flow is None:
        raise FlowError(problems)
    return result.flow


def parse_flow(text: str, file: str = "<text>") -> Flow:
    """One flow from YAML text, fully checked; raises :class:`FlowError`."""
    result = load_source(text, file)
    problems = sort_problems(check_result(result))
    if problems or result.flow is None:
        raise FlowError(problems)
    return result.flow


class FlowLibrary:
    """Flows by id and version. Publishing a new version never changes an old one."""

    def __init__(self, flows: Iterable[Flow] = ()) -> None:
        self._flows: dict[str, dict[int, Flow]] = {}
        for flow in flows:
            self.add(flow)

    def add(self, flow: Flow) -> None:
        """Add ``flow``; raises ``ValueError`` when its id and version are taken by another
        flow (a published version is never replaced: publish a new version)."""
        versions = self._flows.setdefault(flow.id, {})
        existing = versions.get(flow.version)
        if existing is not None and existing is not flow:
            raise ValueError(
                f"flow {flow.id!r} version {flow.version} is already loaded"
                f" (from {existing.file or 'elsewhere'}): publish a new version"
            )
        versions[flow.version] = flow

    def get(self, flow_id: str, version: int | None = None) -> Flow | None:
        """That version, or the newest one when ``version`` is None."""
        versions = self._flows.get(flow_id)
        if not versions:
            return None
        if version is None:
            return versions[max(versions)]
        return versions.get(version)

    def versions(self, flow_id: str) -> tuple[int, ...]:
        return tuple(sorted(self._flows.get(flow_id, {})))

    def ids(self) -> tuple[str, ...]:
        return tuple(sorted(self._flows))

    def __iter__(self) -> Iterator[Flow]:
        for flow_id in self.ids():
            for version in self.versions(flow_id):
                yield self._flows[flow_id][version]

    def __len__(self) -> int:
        return sum(len(v) for v in self._flows.values())

    def load(
        self, paths: str | Path | Iterable[str | Path], *, knowledge: KnowledgeRefs | None = None
    ) -> list[Problem]:
        """Add every flow under ``paths`` that has no problem; return the problems of the rest
        (a file with any problem is left out, and so is a version already loaded)."""
        files, problems = flow_files(paths)
        for path in files:
            result = load_file(path)
            found = check_result(result, knowledge=knowledge)
            if found or result.flow is None:
                problems.extend(found)
                continue
            try:
                self.add(result.flow)
            except ValueError as exc:
                problems.append(
                    Problem(
                        result.flow.file,
                        result.flow.line_of("id"),
                        None,
                        None,
                        "duplicate-flow",
                        str(exc),
                    )
                )
        return sort_problems(problems)
