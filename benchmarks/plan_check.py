"""How long `qantara plan` and `qantara check` take, against the bare import floor.

The floor is what any Pulumi-and-Rego tool must pay before doing anything:
`python -c "import pulumi, pulumi_aws, regopy"`. Each command is run as a fresh process,
several times, in the same run as the floor; the table shows medians and the ratio.
Targets: `qantara plan` (issue 3) and `qantara check` (issue 2) on the largest example
blueprint's environment within 2x the floor. A second floor shows what no program using
pulumi_aws can avoid: importing the pulumi_aws classes the plan contains (pulumi_aws loads
a service's module, with all its input types, on first use of any of its classes), plus
regopy; issue 14 wants `qantara check` within 1.8x of that class floor.

`--before DIR` adds a row for `qantara check` run from another checkout (e.g. `git archive
main | tar -x -C DIR`), in the same run, so a change is measured against the same floors.

Usage: python benchmarks/plan_check.py [--repeat N] [--env prod] [--before DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QANTARA = [sys.executable, "-c", "from qantara.cli import main; main()"]
CLASS_FLOOR_TARGET = 1.8  # issue 14: check within 1.8x of the class floor


def used_classes(plan: dict) -> str:
    """A statement importing the pulumi_aws classes of every AWS type in `plan`."""
    names = set()
    for resource in plan["resources"]:
        package, module, cls = (resource["type"].split(":") + ["", ""])[:3]
        if package == "aws" and "/" in module:
            names.add(f"aws.{module.split('/')[0]}.{cls}")
    return "import pulumi, pulumi_aws as aws, regopy; " + "; ".join(sorted(names))


def timed(command: list[str], repeat: int, env: dict | None = None) -> float:
    """Median wall time of `command`, which must succeed (exit 0 or a check's 1)."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
        samples.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            sys.exit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()}")
    return statistics.median(samples)


def largest_blueprint(env: str) -> tuple[Path, dict]:
    """The example blueprint whose plan for `env` has the most resources, and that plan."""
    best = (None, {"resources": []})
    for path in sorted((ROOT / "blueprints").glob("*.yaml")):
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            done = subprocess.run([*QANTARA, "plan", str(path), "--env", env, "--format", "json", "--out", out.name],
                                  cwd=ROOT, capture_output=True, text=True)
            if done.returncode != 0:
                continue  # a blueprint without this environment
            plan = json.loads(Path(out.name).read_text())
        if len(plan["resources"]) > len(best[1]["resources"]):
            best = (path, plan)
    if best[0] is None:
        sys.exit(f"no example blueprint declares environment {env!r}")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--env", default="prod")
    parser.add_argument("--before", type=Path, help="another checkout whose `qantara check` is timed too")
    args = parser.parse_args()

    blueprint, plan = largest_blueprint(args.env)
    resources = len(plan["resources"])
    relative = blueprint.relative_to(ROOT)
    with tempfile.TemporaryDirectory() as scratch:
        rows = [
            ("import floor: import pulumi, pulumi_aws, regopy",
             timed([sys.executable, "-c", "import pulumi, pulumi_aws, regopy"], args.repeat)),
            ("class floor: + the pulumi_aws classes in the plan",
             timed([sys.executable, "-c", used_classes(plan)], args.repeat)),
            (f"qantara plan {relative} --env {args.env} --format json",
             timed([*QANTARA, "plan", str(relative), "--env", args.env, "--format", "json", "--out", f"{scratch}/plan.json"], args.repeat)),
            (f"qantara check {relative} --env {args.env} (plan + policies)",
             timed([*QANTARA, "check", str(relative), "--env", args.env], args.repeat)),
        ]
        if args.before is not None:
            rows.append((f"before ({args.before}): qantara check, same blueprint",
                         timed([*QANTARA, "check", str(relative), "--env", args.env], args.repeat, _checkout_env(args.before))))
    print(f"largest example blueprint: {relative} ({resources} planned resources in {args.env}); median of {args.repeat} runs")
    report(rows)


def _checkout_env(checkout: Path) -> dict:
    """The environment that runs Qantara from `checkout` (its src/ and policies) with this venv."""
    checkout = checkout.resolve()
    return {**os.environ, "PYTHONPATH": str(checkout / "src"), "QANTARA_HOME": str(checkout)}


def report(rows: list[tuple[str, float]]) -> None:
    floor, class_floor = rows[0][1], rows[1][1]
    width = max(len(name) for name, _ in rows)
    print(f"{'command'.ljust(width)}  {'seconds':>8}  {'x floor':>8}  {'x class floor':>13}")
    for name, seconds in rows:
        print(f"{name.ljust(width)}  {seconds:8.3f}  {seconds / floor:8.2f}  {seconds / class_floor:13.2f}")
    for label, seconds in (("plan", rows[2][1]), ("check", rows[3][1])):
        verdict = "within" if seconds <= 2 * floor else "OVER"
        print(f"target: {label} <= 2.00 x floor -> {verdict} ({seconds / floor:.2f} x floor, "
              f"{seconds / class_floor:.2f} x class floor)")
    check = rows[3][1]
    verdict = "within" if check <= CLASS_FLOOR_TARGET * class_floor else "OVER"
    print(f"target (issue 14): check <= {CLASS_FLOOR_TARGET:.2f} x class floor -> {verdict} "
          f"({check / class_floor:.2f} x class floor)")


if __name__ == "__main__":
    main()
