"""`qantara scan` over a backend of N stacks against N separate `qantara check --plan` runs.

Writes a Pulumi file backend (project-scoped layout, `.pulumi/stacks/<project>/<stack>.json`)
of N stack checkpoints made from the offline plans of three example blueprints (their prod
environments, `qantara:blueprint` and `qantara:environment` in each checkpoint's config),
then times, wall clock, each in its own child process:
- one `qantara scan file://DIR --format json` (one process, the policy engine built once);
- N `qantara check BLUEPRINT --env ENV --plan CHECKPOINT --format json`, one after another.
Both must give every stack the same verdict. Target: scan's seconds per stack below the
separate runs' seconds per stack.

Usage: python benchmarks/scan.py [--stacks 20]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "scan"))

from checkpoints import checkpoint, offline_plan, write_backend  # noqa: E402

BLUEPRINTS = ("blueprints/ae-health-cloud.yaml", "blueprints/bh-fintech-cloud.yaml", "blueprints/eu-insurance-cloud.yaml")
QANTARA = str(Path(sys.executable).with_name("qantara"))


def make_backend(directory: Path, count: int) -> dict[str, tuple[str, Path]]:
    plans = {bp: offline_plan(bp, "prod") for bp in BLUEPRINTS}
    stacks, where = {}, {}
    for i in range(count):
        blueprint = BLUEPRINTS[i % len(BLUEPRINTS)]
        name = f"{Path(blueprint).stem}/prod-{i:02d}"
        config = {"qantara:blueprint": blueprint, "qantara:environment": "prod"}
        stacks[name] = checkpoint(plans[blueprint], stack=f"prod-{i:02d}", config=config)
        where[name] = (blueprint, directory / ".pulumi" / "stacks" / f"{name}.json")
    write_backend(directory, stacks)
    return where


def timed(command: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    return time.perf_counter() - started, run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stacks", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        backend = Path(scratch)
        stacks = make_backend(backend, args.stacks)
        scan_s, scan = timed([QANTARA, "scan", backend.as_uri(), "--format", "json"])
        report = json.loads(scan.stdout)
        scanned = {s["stack"]: s["verdict"] for s in report["stacks"]}
        separate_s, separate = 0.0, {}
        for name, (blueprint, path) in stacks.items():
            seconds, run = timed([QANTARA, "check", blueprint, "--env", "prod", "--plan", str(path), "--format", "json"])
            separate_s += seconds
            separate[name] = json.loads(run.stdout)["verdict"]
    n = args.stacks
    print(f"stacks: {n} ({len(scanned)} reported by scan)")
    print(f"qantara scan, one process:       {scan_s:7.2f} s total, {scan_s / n:6.3f} s a stack")
    print(f"qantara check --plan, {n} runs:   {separate_s:7.2f} s total, {separate_s / n:6.3f} s a stack")
    print(f"speed-up per stack: {separate_s / scan_s:.1f}x; same verdicts: {scanned == separate}")
    return 0 if scanned == separate and len(scanned) == n and scan_s < separate_s else 1


if __name__ == "__main__":
    raise SystemExit(main())
