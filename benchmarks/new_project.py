"""How long `qantara new ml-project` takes, against cookiecutter alone on the same template.

Each workload runs N times in the same run and the table shows medians:
- cookiecutter alone: `cookiecutter.main.cookiecutter` on templates/ml-project with the same
  answers, no input (its post-generation hook included), in this process;
- qantara, in process: `new_ml_project` (answers checked, blueprint loaded and placed, the
  project rendered atomically, `.cruft.json` and the update baseline written); placement is
  cached after the first run, as it is for any later call in one process;
- qantara, fresh process: the same in a new Python process, what a user typing the command
  waits for (imports and the blueprint's first placement included).
Target: under 1 s per generation in process.

Usage: python benchmarks/new_project.py [--repeat N] [--blueprint FILE]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cookiecutter.main import cookiecutter

from qantara.project.generate import TEMPLATE_DIR, new_ml_project

ROOT = Path(__file__).resolve().parents[1]
ANSWERS = {"project_name": "Bench Model", "problem_type": "classification", "serving": "realtime", "ci": "github"}
TARGET_SECONDS = 1.0


def timed(work: Callable[[Path], object], repeat: int) -> list[float]:
    """Wall time of `work(fresh empty directory)`, `repeat` times."""
    samples = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as scratch:
            start = time.perf_counter()
            work(Path(scratch))
            samples.append(time.perf_counter() - start)
    return samples


def cookiecutter_alone(out: Path) -> None:
    # A config of its own keeps the replay file cookiecutter writes out of the user's home.
    config = out / "cookiecutter-config.yaml"
    config.write_text(f"replay_dir: {out / 'replay'}\ncookiecutters_dir: {out / 'cookiecutters'}\n")
    cookiecutter(str(TEMPLATE_DIR), no_input=True, extra_context=ANSWERS, output_dir=str(out / "project"),
                 config_file=str(config))


def qantara_in_process(blueprint: Path) -> Callable[[Path], object]:
    return lambda out: new_ml_project(blueprint, answers=ANSWERS, no_input=True, output_dir=out)


def qantara_fresh_process(blueprint: Path) -> Callable[[Path], object]:
    script = ("import sys; from qantara.project.generate import new_ml_project; "
              f"new_ml_project(sys.argv[1], answers={ANSWERS!r}, no_input=True, output_dir=sys.argv[2])")

    def run(out: Path) -> None:
        subprocess.run([sys.executable, "-c", script, str(blueprint), str(out)], check=True, cwd=ROOT)

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per workload (median reported)")
    parser.add_argument("--blueprint", type=Path, default=ROOT / "blueprints" / "ae-health-cloud.yaml")
    args = parser.parse_args()

    rows = [
        ("cookiecutter alone (in process)", timed(cookiecutter_alone, args.repeat)),
        ("qantara new, in process", timed(qantara_in_process(args.blueprint), args.repeat)),
        ("qantara new, fresh process", timed(qantara_fresh_process(args.blueprint), args.repeat)),
    ]
    floor = statistics.median(rows[0][1])
    print(f"generation of templates/ml-project ({args.blueprint.name}), {args.repeat} runs each\n")
    print(f"| {'workload':34} | median s | min s | max s | vs cookiecutter |")
    print(f"|{'-' * 36}|---------:|------:|------:|----------------:|")
    for name, samples in rows:
        median = statistics.median(samples)
        print(f"| {name:34} | {median:8.3f} | {min(samples):5.3f} | {max(samples):5.3f} | {median / floor:14.1f}x |")
    in_process = statistics.median(rows[1][1])
    verdict = "met" if in_process < TARGET_SECONDS else "MISSED"
    print(f"\ntarget: under {TARGET_SECONDS:.0f} s per generation in process: {verdict} ({in_process:.3f} s)")
    return 0 if in_process < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
