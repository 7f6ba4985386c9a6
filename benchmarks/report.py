"""`qantara report` on every example blueprint: seconds to write the evidence pack after its check.

For each blueprint (its last environment), in this one process: `check_blueprint` (timed
apart: the offline plan and policy evaluation the pack includes), then the pack itself:
the placement's rules and laws, the policy bundle revision, the plan digest, rendering
the HTML and Markdown with Jinja2 and writing both. Target: under 2 s for the pack after
its check, on every example blueprint.

Usage: python benchmarks/report.py [--out DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from qantara.blueprint.loader import load_blueprint
from qantara.check import check_blueprint
from qantara.evidence.model import build_evidence
from qantara.evidence.render import render_html, render_markdown
from qantara.output_file import write_output

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "evidence"))

from html_check import html_problems  # noqa: E402  the same validation the tests apply

TARGET_SECONDS = 2.0
TIME = dt.datetime(2026, 12, 6, tzinfo=dt.UTC)


def measure(blueprint: Path, out: Path) -> tuple[str, float, float, int]:
    environment = load_blueprint(blueprint).model.spec.environments[-1].name
    started = time.perf_counter()
    result = check_blueprint(blueprint, environment, today=TIME.date())
    checked = time.perf_counter()
    evidence = build_evidence(blueprint, environment, time=TIME, check_result=result)
    html = render_html(evidence)
    write_output(out / f"{blueprint.stem}.html", html)
    write_output(out / f"{blueprint.stem}.md", render_markdown(evidence))
    done = time.perf_counter()
    problems = html_problems(html)
    if problems:
        raise SystemExit(f"{blueprint.name}: invalid HTML: {problems[:3]}")
    return environment, checked - started, done - checked, len(html)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="keep the packs here (default: a temporary directory)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        out = args.out or Path(scratch)
        print(f"{'blueprint':28} {'env':8} {'check s':>8} {'pack s':>8} {'HTML KB':>8}  target < {TARGET_SECONDS} s")
        worst = 0.0
        for blueprint in sorted((ROOT / "blueprints").glob("*.yaml")):
            env, check_s, pack_s, size = measure(blueprint, out)
            worst = max(worst, pack_s)
            verdict = 'ok' if pack_s < TARGET_SECONDS else 'SLOW'
            print(f"{blueprint.stem:28} {env:8} {check_s:8.2f} {pack_s:8.3f} {size / 1024:8.1f}  {verdict}")
    print(f"slowest pack after its check: {worst:.3f} s ({'meets' if worst < TARGET_SECONDS else 'misses'} the {TARGET_SECONDS} s target)")
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
