"""Write the synthetic platform (benchmarks/synthetic.py) as a `pulumi stack export` file and
time `qantara check --plan FILE` on it: the scale an organisation's whole estate reaches.

Usage: python benchmarks/stack_export.py --size 30000 --out /tmp/export-30k.json [--check]

With `--check` the script runs `qantara check blueprints/ae-health-cloud.yaml --env prod
--plan FILE --format json` in a child under `/usr/bin/time -v` (when present) and prints the
exit code, wall time and peak memory. A verdict is exit 0 or 1; 3 is an engine fault.

Measured 2026-12-06 on the shared 2-core machine (load average about 5, so wall times are
pessimistic), `qantara check blueprints/ae-health-cloud.yaml --env prod --plan FILE`:

| resources | file | exit | wall | peak RSS |
|---|---|---|---|---|
| 30,000 | 34 MiB | 1 (verdict fail, 3,501 findings) | 197 s | 4.35 GB |
| 50,000 | 56 MiB | 1 (verdict fail, 5,819 findings) | 479 s | 3.76 GB |

One earlier 50,000 run ended in exit 3 ("policy packages without a findings list"): a policy
package was being created in the working tree while the run read the policy directory
(the package list and the compiled modules came from different moments). It did not recur.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from synthetic import HOME_REGION, PROJECT, STACK, platform, qantara_plan  # noqa: E402

ROOT = BENCH.parent
BLUEPRINT = ROOT / "blueprints" / "ae-health-cloud.yaml"


def stack_export(n: int) -> dict:
    """`pulumi stack export` (deployment version 3) of the synthetic platform of `n` resources."""
    plan = qantara_plan(platform(n))
    stack_urn = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{STACK}"
    provider_urn = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:providers:aws::default"
    resources = [
        {"urn": stack_urn, "custom": False, "type": "pulumi:pulumi:Stack", "outputs": {}},
        {"urn": provider_urn, "custom": True, "id": "provider-id", "type": "pulumi:providers:aws",
         "inputs": {"region": HOME_REGION}, "outputs": {"region": HOME_REGION}, "parent": stack_urn},
    ]
    for index, r in enumerate(plan["resources"]):
        resources.append({
            "urn": r["urn"], "custom": True, "id": f"id-{index}", "type": r["type"], "parent": stack_urn,
            "provider": f"{provider_urn}::provider-id", "inputs": r["inputs"], "outputs": r["inputs"],
            "dependencies": r["dependencies"], "propertyDependencies": r["propertyDependencies"],
        })
    return {"version": 3, "deployment": {
        "manifest": {"time": "2026-12-06T00:00:00Z", "magic": "", "version": "v3.200.0"},
        "resources": resources}}


def run_check(path: Path) -> None:
    qantara = Path(sys.executable).with_name("qantara")
    command = [str(qantara), "check", str(BLUEPRINT), "--env", "prod", "--plan", str(path), "--format", "json"]
    timer = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    if timer:
        command = [timer, "-v", *command]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    peak = next((line.split(":")[-1].strip() for line in result.stderr.splitlines()
                 if "Maximum resident set size" in line), "n/a")
    print(f"exit {result.returncode}, {seconds:.1f} s wall, peak RSS {peak} kB")
    for line in result.stderr.splitlines():
        if "Command being timed" not in line and not line.startswith("\t"):
            print("stderr:", line)
    if result.stdout.strip():
        report = json.loads(result.stdout)
        print(f"verdict {report['verdict']}, {report['resources']} resources, {len(report['findings'])} findings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    args.out.write_text(json.dumps(stack_export(args.size)), encoding="utf-8")
    print(f"{args.out}: {args.size} resources, {args.out.stat().st_size // 1024} KiB")
    if args.check:
        run_check(args.out)


if __name__ == "__main__":
    main()
