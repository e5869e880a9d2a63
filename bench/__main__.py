"""``python -m bench NAME [--json] [options]`` and ``python -m bench --list``.

A benchmark is a module with ``add_arguments(parser)`` and ``run(args) -> dict`` (the dict
built by :func:`bench.common.result`), registered below by name. Progress and the summary go
to stderr; with ``--json`` the last line on stdout is the result as one JSON object. The exit
status is 0 whenever the benchmark ran, pass or fail; non-zero only when it could not run.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType

from bench.common import BenchError, json_line, log, print_summary

# name → module; modules are imported only when their benchmark is run or listed.
BENCHMARKS: dict[str, str] = {
    "screen_pop": "bench.screen_pop",
    "kb_search": "bench.kb_search",
    "sla_timers": "bench.sla_timers",
    "routing_decision": "bench.routing_decision",
    "dialer": "bench.dialer",
    "ani_lookup": "bench.ani_lookup",
    "customer_search": "bench.customer_search",
    "cti_ingest": "bench.cti_ingest",
    "customer_360": "bench.customer_360",
    "console_pop": "bench.console_pop",
    "wallboard": "bench.wallboard",
}


def load(name: str) -> ModuleType:
    module = importlib.import_module(BENCHMARKS[name])
    for attribute in ("add_arguments", "run"):
        if not callable(getattr(module, attribute, None)):
            raise BenchError(f"benchmark {name!r} ({module.__name__}) has no {attribute}()")
    return module


def _summary_line(name: str) -> str:
    try:
        doc = load(name).__doc__ or ""
    except Exception as exc:  # a broken benchmark must not hide the others
        return f"(cannot import: {type(exc).__name__}: {exc})"
    return doc.strip().splitlines()[0] if doc.strip() else ""


def _usage() -> str:
    names = ", ".join(sorted(BENCHMARKS))
    return (
        "usage: python -m bench NAME [--json] [options]\n"
        "       python -m bench --list\n"
        "       python -m bench NAME --help   (the options of one benchmark)\n"
        f"benchmarks: {names}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--list" in args:
        for name in sorted(BENCHMARKS):
            print(f"{name:20} {_summary_line(name)}")
        return 0
    want_json = False
    while args and args[0] == "--json":  # accept `python -m bench --json NAME` too
        want_json = True
        args.pop(0)
    if not args or args[0] in ("-h", "--help"):
        print(_usage(), file=sys.stderr if not args else sys.stdout)
        return 2 if not args else 0
    name, rest = args[0], args[1:]
    if name not in BENCHMARKS:
        print(f"bench: no benchmark named {name!r}\n{_usage()}", file=sys.stderr)
        return 2
    try:
        module = load(name)
    except Exception as exc:
        print(f"bench: cannot load {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    doc = (module.__doc__ or "").strip()
    parser = argparse.ArgumentParser(
        prog=f"python -m bench {name}",
        description=doc.splitlines()[0] if doc else None,
    )
    parser.add_argument(
        "--json", action="store_true", help="print the result as one JSON line on stdout"
    )
    module.add_arguments(parser)
    options = parser.parse_args(rest)
    options.json = options.json or want_json
    try:
        outcome = module.run(options)
    except KeyboardInterrupt:
        log(f"bench: {name} interrupted")
        return 130
    except BenchError as exc:
        log(f"bench: {name} could not run: {exc}")
        return 1
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        log(f"bench: {name} could not run: {type(exc).__name__}: {exc}")
        return 1
    print_summary(outcome)
    if options.json:
        print(json_line(outcome), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
