"""Record (or check) every example blueprint's offline plan, per environment.

    python scripts/record_plans.py           # rewrite tests/fixtures/recorded_plans/
    python scripts/record_plans.py --check   # exit 1 and print the differences, write nothing
    python scripts/record_plans.py --only ae-health-cloud/prod

The recording is what `tests/stacks/test_plans_unchanged.py` compares today's plans with:
a refactoring of composition must leave every resource's type, name and properties as they
were. See tests/fixtures/recorded_plans/README.md for what the stable form leaves out.
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import json
import sys
from pathlib import Path

from qantara.blueprint import load_blueprint
from qantara.plan.builder import plan_blueprint

ROOT = Path(__file__).resolve().parents[1]
BLUEPRINTS = ROOT / "blueprints"
RECORDINGS = ROOT / "tests" / "fixtures" / "recorded_plans"
# The parts of a planned resource a refactoring must not change.
RESOURCE_FIELDS = ("urn", "type", "name", "parent", "provider", "custom", "inputs", "dependencies",
                   "propertyDependencies", "location", "dataClassification")
# The parts of the plan's source that describe the platform, not the run.
SOURCE_FIELDS = ("blueprint", "environment", "stackRegion", "placement", "programWarnings",
                 "unansweredInvokes", "offlinePlaceholders", "unappliedTransforms")


def examples() -> list[tuple[str, str]]:
    """Every (blueprint stem, environment) pair of the examples, in a stable order."""
    pairs = []
    for path in sorted(BLUEPRINTS.glob("*.yaml")):
        model = load_blueprint(path).model
        pairs += [(path.stem, env.name) for env in model.spec.environments]
    return pairs


def stable_plan(stem: str, environment: str) -> dict:
    """The plan of one example environment, reduced to what composition decides."""
    loaded = load_blueprint(BLUEPRINTS / f"{stem}.yaml")
    document = plan_blueprint(loaded, environment)
    resources = sorted(({field: r.get(field) for field in RESOURCE_FIELDS} for r in document["resources"]),
                       key=lambda r: r["urn"])
    return {"source": {field: document["source"].get(field) for field in SOURCE_FIELDS}, "resources": resources}


def recording_path(stem: str, environment: str) -> Path:
    return RECORDINGS / f"{stem}.{environment}.json.gz"


def dumps(plan: dict) -> str:
    return json.dumps(plan, indent=1, sort_keys=True) + "\n"


def read_recording(stem: str, environment: str) -> dict:
    with gzip.open(recording_path(stem, environment), "rt", encoding="utf-8") as handle:
        return json.load(handle)


def write_recording(stem: str, environment: str, plan: dict) -> None:
    # mtime=0: the same plan gives the same bytes, so an unchanged plan leaves git clean.
    with open(recording_path(stem, environment), "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as handle:
            handle.write(dumps(plan).encode("utf-8"))


def difference(recorded: dict, planned: dict, label: str, limit: int = 200) -> str:
    """A unified diff of the recorded and today's plan (first `limit` lines), '' when equal."""
    if recorded == planned:
        return ""
    lines = list(difflib.unified_diff(dumps(recorded).splitlines(), dumps(planned).splitlines(),
                                      f"recorded {label}", f"planned {label}", lineterm="", n=3))
    more = f"\n... {len(lines) - limit} more lines" if len(lines) > limit else ""
    return "\n".join(lines[:limit]) + more


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the recording, write nothing")
    parser.add_argument("--only", action="append", default=[], metavar="STEM/ENV")
    args = parser.parse_args(argv)
    pairs = [p for p in examples() if not args.only or f"{p[0]}/{p[1]}" in args.only]
    RECORDINGS.mkdir(parents=True, exist_ok=True)
    changed = 0
    for stem, environment in pairs:
        planned = stable_plan(stem, environment)
        if args.check:
            diff = difference(read_recording(stem, environment), planned, f"{stem}/{environment}")
            if diff:
                changed += 1
                print(diff)
        else:
            write_recording(stem, environment, planned)
        print(f"{stem}/{environment}: {len(planned['resources'])} resources", file=sys.stderr)
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
