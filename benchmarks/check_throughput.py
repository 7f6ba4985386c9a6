"""Policy-check throughput on large plans: `qantara check` against checkov, same resources.

benchmarks/synthetic.py writes one platform of N resources twice: as the Qantara Plan
document and as `terraform show -json`. Each measurement runs in a fresh child process so
that the two tools never share a heap:

- qantara, once per embedded engine (regopy, and regorus when installed): what
  `qantara check --plan FILE` does after its imports: build the embedded
  engine, read the plan file (json.load), `policy_input`, `evaluate` (blueprint and
  resource policies), `enforce` (blueprints/ae-health-cloud.yaml, environment prod).
- checkov: `checkov -f FILE --framework terraform_plan --check <ids>` in its own venv
  (benchmarks/.venv-checkov, made on demand from requirements-checkov.txt), run
  in-process after `import checkov.main`: parse, graph, checks, report.

Seconds are timed inside the child around that work. Peak memory is the child's peak RSS
(VmHWM, which includes what regopy's C++ heap holds); its "work" share subtracts the
peak of the same child on an empty plan (imports, engine, check registry), and that share
divided by N shows whether memory grows linearly. Targets: qantara on regopy >= 4x checkov's
throughput, on regorus >= 25x, and flat memory per resource.

Usage: python benchmarks/check_throughput.py [--sizes 1000,10000,50000] [--timeout 900]
           [--no-checkov] [--profile N]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BLUEPRINT = ROOT / "blueprints" / "ae-health-cloud.yaml"
ENVIRONMENT = "prod"
CHECKOV_VENV = BENCH / ".venv-checkov"
CHECKOV_REQUIREMENTS = BENCH / "requirements-checkov.txt"

# checkov 3.3.30's checks for the concerns both sides can judge, by `checkov --list`.
CHECKOV_CHECKS = {
    "S3 encryption": ("CKV_AWS_19", "CKV_AWS_145"),
    "S3 public access": ("CKV2_AWS_6", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56",
                         "CKV_AWS_20", "CKV_AWS_57", "CKV_AWS_70"),
    "S3 versioning": ("CKV_AWS_21",),
    "KMS rotation": ("CKV_AWS_7",),
    "security group open to 0.0.0.0/0": ("CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CKV_AWS_277"),
    "IAM wildcards": ("CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_355"),
    "log retention": ("CKV_AWS_66", "CKV_AWS_338"),
    "SageMaker encryption": ("CKV_AWS_98",),
}
# No guideline download, no platform calls: the machine may be offline, and a benchmark must not phone home.
CHECKOV_ENV = {"BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "FALSE", "LOG_LEVEL": "ERROR"}


def peak_rss_kib() -> int:
    """Peak resident set of this process, in KiB.

    Linux's VmHWM belongs to the address space, so it starts afresh at exec; ru_maxrss
    does not, and would report the parent's size at fork for a child smaller than it.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# --- children: each runs in a fresh process and writes one JSON result ----------------------

def child_qantara(plan_file: str) -> dict:
    from qantara.blueprint.loader import load_blueprint
    from qantara.engine.selection import default_engine
    from qantara.policy.enforcement import enforce, verdict
    from qantara.policy.evaluate import evaluate, policy_input
    from qantara.policy.library import policy_index
    from qantara.resolution import blueprint_facts

    loaded = load_blueprint(BLUEPRINT)
    environment = loaded.model.environment(ENVIRONMENT)
    blueprint = loaded.model.model_dump(mode="json", by_alias=True)
    # The facts the policies judge (check hands in the whole resolved platform, placed before this).
    resolved = blueprint_facts(loaded.model, ENVIRONMENT)
    start = time.perf_counter()
    default_engine()  # compiled on first use, in every `qantara check` process (QANTARA_ENGINE picks which)
    with open(plan_file, encoding="utf-8") as handle:
        plan = json.load(handle)
    document = policy_input(blueprint=blueprint, plan=plan, resolved=resolved,
                            environment={"name": environment.name, "enforcement": environment.effective_enforcement})
    findings = evaluate(document, ("blueprint", "resources"))
    enforced = enforce(findings, enforcement=environment.effective_enforcement,
                       waivers=blueprint["spec"]["governance"]["waivers"], today=dt.date.today())
    seconds = time.perf_counter() - start
    index = policy_index()
    return {"seconds": seconds, "peak_kib": peak_rss_kib(), "verdict": verdict(enforced),
            "findings": sum(index[f["policy"]].package.startswith("qantara.resources.") for f in enforced)}


def child_checkov(plan_file: str) -> dict:
    os.environ.update(CHECKOV_ENV)
    from checkov.main import Checkov

    checks = ",".join(check for group in CHECKOV_CHECKS.values() for check in group)
    argv = ["-f", plan_file, "--framework", "terraform_plan", "--check", checks, "--skip-download",
            "--quiet", "--compact", "-o", "cli"]
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        scan = Checkov(argv=argv)
        scan.run()
    seconds = time.perf_counter() - start
    reports = getattr(scan, "scan_reports", [])
    return {"seconds": seconds, "peak_kib": peak_rss_kib(),
            "passed": sum(len(r.passed_checks) for r in reports),
            "findings": sum(len(r.failed_checks) for r in reports),
            "resources": sum(len(r.resources) for r in reports)}


def child_profile(plan_file: str) -> dict:
    """Seconds for set_input and for each policy package's findings, queried one by one."""
    from qantara.blueprint.loader import load_blueprint
    from qantara.engine.rego import default_engine
    from qantara.policy.evaluate import policy_input
    from qantara.policy.library import policy_packages
    from qantara.resolution import blueprint_facts

    loaded = load_blueprint(BLUEPRINT)
    document = policy_input(blueprint=loaded.model.model_dump(mode="json", by_alias=True),
                            plan=json.loads(Path(plan_file).read_text(encoding="utf-8")),
                            resolved=blueprint_facts(loaded.model, ENVIRONMENT))
    interpreter = default_engine()._interpreter  # the engine's own interpreter: no second compile
    rows = []
    start = time.perf_counter()
    interpreter.set_input(document)
    rows.append(("regopy set_input (the whole input document)", time.perf_counter() - start, True))
    for package in policy_packages():
        start = time.perf_counter()
        output = interpreter.query(f"result := count(data.{package.package}.findings)")
        rows.append((f"data.{package.package}.findings", time.perf_counter() - start, output.ok()))
    return {"rows": rows}


CHILDREN = {"qantara": child_qantara, "checkov": child_checkov, "profile": child_profile}

# Both embedded engines, each in its own child: the default regopy, and the opt-in regorus.
QANTARA_ENGINES = ("qantara (regopy)", "qantara (regorus)")
# Throughput targets against checkov at the same size: regopy's (issue 11), regorus's (issue 17).
TARGETS = {"qantara (regopy)": 4, "qantara (regorus)": 25}


def regorus_missing() -> bool:
    return importlib.util.find_spec("regorus") is None


def child_command(tool: str, plan_files: tuple, checkov: str | None) -> tuple[str, str, Path]:
    """(python, child kind, plan file) of one tool's measurement."""
    if tool == "checkov":
        return checkov, "checkov", plan_files[1]
    return sys.executable, "qantara", plan_files[0]


def child_env(tool: str) -> dict:
    if tool == "checkov":
        return CHECKOV_ENV
    return {"QANTARA_ENGINE": tool.split("(")[1].rstrip(")")}


# --- the parent ------------------------------------------------------------------------------

def run_child(python: str, kind: str, plan_file: Path, timeout: float, env: dict | None = None) -> dict:
    """The child's result, or {"error": why} when it failed or ran out of time."""
    with tempfile.NamedTemporaryFile(suffix=".json") as result:
        command = [python, str(Path(__file__).resolve()), "--child", kind, str(plan_file), result.name]
        try:
            done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                                  env={**os.environ, **(env or {})})
        except subprocess.TimeoutExpired:
            return {"error": f"did not finish within {timeout:.0f} s"}
        if done.returncode != 0:
            lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
            message = lines[-1] if lines else "no message"
            return {"error": f"exit {done.returncode}: {message[:150]}{'...' if len(message) > 150 else ''}"}
        return json.loads(Path(result.name).read_text())


def checkov_python() -> tuple[str | None, str]:
    """The checkov venv's python, made from the pinned requirements if absent; else (None, why)."""
    python = CHECKOV_VENV / "bin" / "python"
    pin = next((line.strip() for line in CHECKOV_REQUIREMENTS.read_text().splitlines()
                if line.strip() and not line.startswith("#")), "checkov")
    probe = [str(python), "-c", "import importlib.metadata as m; print('checkov==' + m.version('checkov'))"]
    if python.is_file() and subprocess.run(probe, capture_output=True, text=True).stdout.strip() == pin:
        return str(python), pin
    print(f"installing {pin} into {CHECKOV_VENV.relative_to(ROOT)} ...", file=sys.stderr)
    steps = [[sys.executable, "-m", "venv", "--clear", str(CHECKOV_VENV)],
             [str(python), "-m", "pip", "install", "--quiet", "-r", str(CHECKOV_REQUIREMENTS)]]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            lines = done.stderr.strip().splitlines()
            return None, f"`{' '.join(step[2:])}` failed: {lines[-1] if lines else done.returncode}"
    # Keep the venv out of version control without touching the repository's .gitignore.
    (CHECKOV_VENV / ".gitignore").write_text("*\n")
    return str(python), pin


def write_plans(sizes: list[int], directory: Path) -> dict[int, tuple[Path, Path, list]]:
    sys.path.insert(0, str(BENCH))
    import synthetic

    plans = {}
    for n in [0, *sizes]:
        platform = synthetic.platform(n)
        qantara_file, terraform_file = directory / f"qantara-{n}.json", directory / f"terraform-{n}.json"
        qantara_file.write_text(json.dumps(synthetic.qantara_plan(platform)))
        terraform_file.write_text(json.dumps(synthetic.terraform_plan(platform)))
        plans[n] = (qantara_file, terraform_file, platform.violations())
    return plans


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def row(tool: str, n: int, result: dict, idle: dict) -> tuple[list[str], float | None]:
    """Table cells for one measurement (an error fills the seconds cell), and its throughput."""
    if "error" in result:
        return [tool, f"{n:,}", result["error"]], None
    work_kib = max(result["peak_kib"] - idle.get("peak_kib", 0), 0)
    rate = n / result["seconds"]
    return [tool, f"{n:,}", f"{result['seconds']:.2f}", f"{rate:,.0f}", f"{result['peak_kib'] / 1024:,.0f}",
            f"{work_kib / 1024:,.0f}", f"{work_kib / n:.1f}", f"{result['findings']:,}"], rate


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    """Text left-aligned, numbers right-aligned; a short row (an error) runs on from its seconds cell."""
    full = [r for r in rows if len(r) == len(headers)]
    widths = [max([len(h)] + [len(r[i]) for r in full]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    print(line(headers))
    for r in rows:
        print(line(r) if len(r) == len(headers) else line(r[:2]) + "  " + r[2])


def profile(n: int, timeout: float) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        qantara_file = write_plans([n], Path(scratch))[n][0]
        result = run_child(sys.executable, "profile", qantara_file, timeout)
    if "error" in result:
        sys.exit(f"profile at {n:,} resources: {result['error']}")
    print(f"where qantara's evaluation spends its time at {n:,} resources (one query per package):")
    for name, seconds, ok in result["rows"]:
        print(f"  {seconds:8.2f} s  {name}{'' if ok else '  (engine error)'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated resource counts")
    parser.add_argument("--timeout", type=float, default=900, help="seconds allowed to each measurement")
    parser.add_argument("--no-checkov", action="store_true", help="measure qantara only")
    parser.add_argument("--profile", type=int, metavar="N", help="time set_input and each policy package at N resources, then stop")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "PLAN", "RESULT"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        kind, plan_file, result_file = args.child
        Path(result_file).write_text(json.dumps(CHILDREN[kind](plan_file)))
        return
    if args.profile:
        profile(args.profile, args.timeout)
        return

    sizes = [int(s) for s in args.sizes.split(",")]
    checkov, checkov_note = (None, "--no-checkov given") if args.no_checkov else checkov_python()
    from qantara.policy.library import policy_packages

    with tempfile.TemporaryDirectory() as scratch:
        print(f"writing synthetic plans of {', '.join(f'{n:,}' for n in sizes)} resources ...", file=sys.stderr)
        plans = write_plans(sizes, Path(scratch))
        plan_mib = {n: (q.stat().st_size / 2**20, t.stat().st_size / 2**20) for n, (q, t, _) in plans.items()}
        tools = [*QANTARA_ENGINES[:1 if regorus_missing() else None], *(["checkov"] if checkov else [])]
        idle = {tool: run_child(*child_command(tool, plans[0], checkov), args.timeout, child_env(tool)) for tool in tools}
        rows, rates, failed = [], {}, {}
        for n in sizes:
            for tool in tools:
                if tool in failed:
                    # No tool gets faster per resource with size: a larger run would only burn the budget.
                    rows.append([tool, f"{n:,}", f"not run: failed at {failed[tool]:,}"])
                    continue
                print(f"{tool} on {n:,} resources ...", file=sys.stderr)
                result = run_child(*child_command(tool, plans[n], checkov), args.timeout, child_env(tool))
                cells, rates[tool, n] = row(tool, n, result, idle[tool])
                rows.append(cells)
                if "error" in result:
                    failed[tool] = n

    print_table(["tool", "resources", "seconds", "resources/s", "peak MiB", "work MiB", "KiB/resource", "findings"], rows)
    print()
    for tool in tools[:-1] if checkov else []:
        for n in sizes:
            q, c = rates.get((tool, n)), rates.get(("checkov", n))
            target = TARGETS[tool]
            verdict = "-" if q is None or c is None else f"{q / c:.2f}x  ({'meets' if q / c >= target else 'MISSES'} the {target}x target)"
            print(f"{tool}/checkov throughput at {n:>6,} resources: {verdict}")
    if regorus_missing():
        print("qantara (regorus) not measured: the regorus engine is not installed (pip install 'qantara[regorus]')")
    print()
    for tool, base in idle.items():
        if "error" in base:
            print(f"idle {tool} child (empty plan) failed: {base['error']}")
        else:
            print(f"idle {tool} child (empty plan): {base['seconds']:.2f} s of fixed cost, peak {base['peak_kib'] / 1024:,.0f} MiB "
                  "(subtracted from the peak for work MiB)")
    print("work MiB = peak RSS minus the idle child's; KiB/resource = work / resources: flat means linear growth")
    print("plan files (MiB, qantara / terraform): "
          + "; ".join(f"{n:,}: {q:.1f} / {t:.1f}" for n, (q, t) in plan_mib.items() if n))
    violations = {n: len(v) for n, (_, _, v) in plans.items() if n}
    print("deliberate violations planted: " + "; ".join(f"{n:,}: {v}" for n, v in violations.items())
          + " (findings: qantara's resource-policy findings, checkov's failed checks; one violation can fail several rules)")
    checked = [p for p in policy_packages() if p.subject in ("blueprint", "resources")]
    print("qantara ran what `qantara check` runs, every blueprint and resource policy ("
          + ", ".join(m.id for p in checked for m in p.policies) + "); those that judge resources: "
          + "; ".join(f"{m.id} {m.title.lower()}" for p in checked if p.subject == "resources" for m in p.policies))
    if checkov:
        print(f"checkov ({checkov_note}) ran only: "
              + "; ".join(f"{concern} {', '.join(ids)}" for concern, ids in CHECKOV_CHECKS.items()))
    else:
        print(f"checkov skipped: {checkov_note}")


if __name__ == "__main__":
    main()
