"""How long `qantara plan` and `qantara check` take, against the bare import floor.

The floor is what any Pulumi-and-Rego tool must pay before doing anything:
`python -c "import pulumi, pulumi_aws, regopy"`. Each command is run as a fresh process,
several times, in the same run as the floor; the table shows medians and the ratio.
Target (issue 2): plan + check on the largest example blueprint within 2x the floor.

Usage: python benchmarks/plan_check.py [--repeat N] [--env prod]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QANTARA = [sys.executable, "-c", "from qantara.cli import main; main()"]
USED_CLASSES = (
    "import pulumi, pulumi_aws as aws, regopy; "
    "aws.Provider; aws.kms.Key; aws.kms.Alias; aws.s3.Bucket; aws.s3.BucketOwnershipControls; "
    "aws.s3.BucketPublicAccessBlock; aws.s3.BucketServerSideEncryptionConfiguration; "
    "aws.s3.BucketVersioning; aws.s3.BucketPolicy; aws.s3.BucketLogging; aws.get_caller_identity_output"
)


def timed(command: list[str], repeat: int) -> float:
    """Median wall time of `command`, which must succeed (exit 0 or a check's 1)."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        samples.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            sys.exit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()}")
    return statistics.median(samples)


def largest_blueprint(env: str) -> tuple[Path, int]:
    """The example blueprint whose plan for `env` has the most resources."""
    best = (None, -1)
    for path in sorted((ROOT / "blueprints").glob("*.yaml")):
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            done = subprocess.run([*QANTARA, "plan", str(path), "--env", env, "--format", "json", "--out", out.name],
                                  cwd=ROOT, capture_output=True, text=True)
            if done.returncode != 0:
                continue  # a blueprint without this environment
            count = len(json.loads(Path(out.name).read_text())["resources"])
        if count > best[1]:
            best = (path, count)
    if best[0] is None:
        sys.exit(f"no example blueprint declares environment {env!r}")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--env", default="prod")
    args = parser.parse_args()

    blueprint, resources = largest_blueprint(args.env)
    relative = blueprint.relative_to(ROOT)
    with tempfile.TemporaryDirectory() as scratch:
        rows = [
            ("import floor: import pulumi, pulumi_aws, regopy",
             timed([sys.executable, "-c", "import pulumi, pulumi_aws, regopy"], args.repeat)),
            # For context, not the target: pulumi_aws loads a service's classes on first use,
            # and building them costs what the platform program cannot avoid.
            ("floor + the pulumi_aws classes stacks/platform uses",
             timed([sys.executable, "-c", USED_CLASSES], args.repeat)),
            (f"qantara plan {relative} --env {args.env} --format json",
             timed([*QANTARA, "plan", str(relative), "--env", args.env, "--format", "json", "--out", f"{scratch}/plan.json"], args.repeat)),
            (f"qantara check {relative} --env {args.env} (plan + policies)",
             timed([*QANTARA, "check", str(relative), "--env", args.env], args.repeat)),
        ]
    floor = rows[0][1]
    width = max(len(name) for name, _ in rows)
    print(f"largest example blueprint: {relative} ({resources} planned resources in {args.env}); median of {args.repeat} runs")
    print(f"{'command'.ljust(width)}  {'seconds':>8}  {'x floor':>8}")
    for name, seconds in rows:
        print(f"{name.ljust(width)}  {seconds:8.3f}  {seconds / floor:8.2f}")
    check_seconds = rows[-1][1]
    verdict = "within" if check_seconds <= 2 * floor else "OVER"
    print(f"target: check <= 2.00 x floor -> {verdict} ({check_seconds / floor:.2f} x)")


if __name__ == "__main__":
    main()
