"""One step of the pipeline in a process of its own: how Argo Workflows runs it on the site.

    python -m {{ cookiecutter.project_slug }}.pipeline_steps --step train --run-dir /work/run

Each step of `pipeline.STEPS` runs in its own pod. The run directory (the steps before, and
the lineage record so far) arrives as an artifact and leaves with this step's outputs and
lineage entry added. What a step needs from the steps before is read back from their files:
the ingested data (validated again: pandera is cheap), the split (the same seed gives the same
split), the model (skops, trusting scikit-learn, NumPy and SciPy types only) and the metrics
in the lineage. The steps are pipeline.py's own functions: the pipeline is declared once.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import skops.io

from . import config, data, features
from .evaluate import against_thresholds
from .pipeline import REASONS, STEPS, Run, ThresholdsNotMet, _who, sha256_of

LINEAGE = "lineage.json"
CARD = "model_card.yaml"
# Modules whose types the model file may hold: what the project's model is built from.
TRUSTED_MODULES = ("sklearn.", "numpy.", "scipy.", "builtins.")
STEPS_ORDER = [name for name, _ in STEPS]


def _project_files(project_dir: Path) -> tuple[Path, Path]:
    return project_dir / "qantara.yaml", project_dir / CARD


def start(run_dir: Path, project_dir: Path, source: Path | None, reason: str, why: str) -> Run:
    """A new run in `run_dir` (the first step), with its own copy of the model card."""
    manifest, card = _project_files(project_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(card, run_dir / CARD)
    run = Run(run_dir.parent, source, manifest, run_dir / CARD, _who(), reason, why)
    run.dir = run_dir
    return run


def resume(run_dir: Path, project_dir: Path) -> Run:
    """The run the steps before wrote into `run_dir`."""
    manifest, _ = _project_files(project_dir)
    run = Run.__new__(Run)
    run.dir, run.card_path, run.source, run.manifest_path = run_dir, run_dir / CARD, None, manifest
    run.manifest = config.load_manifest(manifest)
    run.lineage = json.loads((run_dir / LINEAGE).read_text(encoding="utf-8"))
    run.id = run.lineage["run"]
    run.state = {}
    return run


def load_model(path: Path):
    untrusted = skops.io.get_untrusted_types(file=path)
    refused = [t for t in untrusted if not t.startswith(TRUSTED_MODULES)]
    if refused:
        raise ValueError(f"{path}: the model file holds types outside scikit-learn, NumPy and SciPy: {refused}")
    return skops.io.load(path, trusted=untrusted)


def restore(run: Run, step: str) -> None:
    """Put back in `run.state` what `step` reads, from the files the steps before wrote."""
    before = STEPS_ORDER[:STEPS_ORDER.index(step)]
    if "ingest" in before:
        run.state["ingested"] = next(run.dir.glob("ingest/data.*"))
    if "validate" in before:
        run.state["validated"] = data.load(run.state["ingested"])
    if "features" in before:
        train_frame, test_frame = features.split(features.prepare(run.state["validated"]))
        run.state.update(train=train_frame, test=test_frame)
    if "train" in before:
        run.state["model"] = load_model(run.dir / "train" / "model.skops")
    if "evaluate" in before:
        run.state["results"] = against_thresholds(run.lineage["metrics"], run.manifest)



def run_step(step: str, run_dir: Path, *, project_dir: Path, source: Path | None = None, reason: str = "person",
             why: str = "") -> Run:
    """Run one step against `run_dir`; the lineage record is written even when it fails."""
    function = dict(STEPS)[step]
    run = start(run_dir, project_dir, source, reason, why) if step == STEPS_ORDER[0] else resume(run_dir, project_dir)
    restore(run, step)
    try:
        function(run)
        outputs = sorted(p for p in (run.dir / step).rglob("*") if p.is_file()) if (run.dir / step).exists() else []
        run.lineage["steps"].append({"name": step, "outputs": [
            {"path": p.relative_to(run.dir).as_posix(), "sha256": sha256_of(p)} for p in outputs]})
        run.lineage["status"] = "succeeded" if step == STEPS_ORDER[-1] else f"running: {step} done"
    except ThresholdsNotMet as failure:
        run.lineage["status"] = f"stopped at {step}: {failure}"
        raise
    except Exception as error:
        run.lineage["status"] = f"failed at {step}: {type(error).__name__}"
        raise
    finally:
        (run.dir / LINEAGE).write_text(json.dumps(run.lineage, indent=2, default=str) + "\n")
    return run


def _default_project_dir() -> Path:
    # In the image the project's qantara.yaml and model_card.yaml sit in the working directory.
    return Path.cwd() if (Path.cwd() / "qantara.yaml").is_file() else config.PROJECT_ROOT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run one step of the pipeline against a run directory.")
    parser.add_argument("--step", choices=STEPS_ORDER, required=True)
    parser.add_argument("--run-dir", type=Path, required=True)
    parser.add_argument("--project-dir", type=Path, default=None, help="Where qantara.yaml and model_card.yaml are.")
    parser.add_argument("--data", type=Path, help="Training data (CSV or Parquet), read by ingest.")
    parser.add_argument("--reason", choices=REASONS, default="person")
    parser.add_argument("--why", default="")
    args = parser.parse_args(argv)
    try:
        run_step(args.step, args.run_dir, project_dir=args.project_dir or _default_project_dir(), source=args.data,
                 reason=args.reason, why=args.why)
    except ThresholdsNotMet as failure:
        print(f"pipeline stopped before register: {failure}", file=sys.stderr)
        return 1
    print(f"step {args.step} done; lineage in {args.run_dir / LINEAGE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
