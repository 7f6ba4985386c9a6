"""One step of the pipeline in a process of its own: how Argo Workflows runs it on the site.

    python -m {{ cookiecutter.project_slug }}.pipeline_steps --step train --run-dir /work/run
    python -m {{ cookiecutter.project_slug }}.pipeline_steps --step evaluate \
        --in-dir /opt/ml/processing/input/model --out-dir /opt/ml/processing/output/evaluate

Each step of `pipeline.STEPS` runs in its own pod. The run directory (the steps before, and
the lineage record so far) arrives as an artifact and leaves with this step's outputs and
lineage entry added. What a step needs from the steps before is read back from their files:
the ingested data (validated again: pandera is cheap), the split (the same seed gives the same
split), the model (skops, trusting scikit-learn, NumPy and SciPy types only) and the metrics
in the lineage. The steps are pipeline.py's own functions: the pipeline is declared once.

SageMaker mounts a step's inputs and its output in different directories, so there the step
runs in the `--in-dir`/`--out-dir` form: the run so far is copied in from each input (a
training job's `model.tar.gz` unpacked, safely, into train/model), the step runs in a scratch
run directory, and the whole run directory (all steps so far and the lineage) is written to
the output. Train is the exception: its output is /opt/ml/model, which SageMaker archives as
the model.tar.gz the RegisterModel step registers and an endpoint serves, so it holds only the
served model directory (model_archive.py) and the lineage through train; evaluate reads that
archive together with the features step's output.

On SageMaker the run is logged to the platform's MLflow by a step of its own, `track`, after the
platform's RegisterModel: the steps that read data may run network-isolated and cannot reach
MLflow. Evaluate writes, beside the whole run, the run's record (`--record-dir`: record.json, the
lineage with its parameters and metrics and the model's version and hash; no data, no model), and
track reads only that record and logs one MLflow run with the tags, parameters and metrics a local
register logs (pipeline.start_lineage_run), plus the registered model package's ARN:

    python -m {{ cookiecutter.project_slug }}.pipeline_steps --step track \
        --in-dir /opt/ml/processing/input/record --out-dir /opt/ml/processing/output/track

The tracking URI is MLFLOW_TRACKING_URI (the platform's tracking server ARN, which the
sagemaker-mlflow plugin resolves) and the package ARN QANTARA_MODEL_PACKAGE_ARN; the pipeline
definition sets both.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import mlflow
import skops.io

from . import config, data, features, model_archive
from .evaluate import against_thresholds
from .lineage_metadata import PROPERTY_FILE, package_property_file
from .pipeline import (
    REASONS,
    SERVED_MODEL,
    STEPS,
    Run,
    ThresholdsNotMet,
    _who,
    model_identity,
    sha256_of,
    start_lineage_run,
)

LINEAGE = "lineage.json"
CARD = "model_card.yaml"
TRUSTED_MODULES = model_archive.TRUSTED_MODULES
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
        run.state["model"] = load_model(run.dir / "train" / SERVED_MODEL / model_archive.MODEL_FILE)
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


# The files a training data prefix may hold for ingest: one, in a format data.load reads.
DATA_SUFFIXES = (".csv", ".parquet")


def data_file(source: Path) -> Path:
    """The training data file: `source` itself, or the one data file in a mounted directory."""
    if not source.is_dir():
        return source
    found = sorted(p for p in source.rglob("*") if p.is_file() and p.suffix in DATA_SUFFIXES)
    if len(found) != 1:
        raise ValueError(f"{source}: expected exactly one training data file ({', '.join(DATA_SUFFIXES)}), "
                         f"found {len(found)}")
    return found[0]


def copy_in(in_dir: Path, run_dir: Path) -> None:
    """Merge an input into the run directory; a model archive (SageMaker's model.tar.gz of the train
    step's model directory) is unpacked, safely, where the train step wrote that directory."""
    for entry in sorted(in_dir.iterdir()):
        if entry.is_dir():
            shutil.copytree(entry, run_dir / entry.name, dirs_exist_ok=True)
        elif entry.name.endswith(".tar.gz"):
            model_dir = model_archive.unpack(entry, run_dir / "train" / SERVED_MODEL)
            # The archive's lineage is the run's through train: later than any other input's.
            shutil.copy2(model_dir / model_archive.LINEAGE, run_dir / LINEAGE)
        else:
            shutil.copy2(entry, run_dir / entry.name)


def _archives_last(in_dirs: list[Path]) -> list[Path]:
    # A model archive carries the latest lineage: merged after the inputs it follows.
    return sorted(in_dirs, key=lambda d: any(e.name.endswith(".tar.gz") for e in d.iterdir()))


def write_output(step: str, run_dir: Path, out_dir: Path) -> None:
    """What a step leaves in its mounted output. Train's is the model directory SageMaker archives and
    an endpoint serves: the MLflow model and the lineage through train, no training data. Every other
    step's is the whole run so far, the next step's only input."""
    out_dir.mkdir(parents=True, exist_ok=True)
    model_dir = run_dir / "train" / SERVED_MODEL
    if step == "train":
        # A failed training leaves its lineage only: never the run's data where a model would be.
        if model_dir.is_dir():
            shutil.copytree(model_dir, out_dir, dirs_exist_ok=True)
        shutil.copy2(run_dir / LINEAGE, out_dir / model_archive.LINEAGE)
        return
    shutil.copytree(run_dir, out_dir, dirs_exist_ok=True)


# On SageMaker, register is SageMaker's own RegisterModel step: the step before it (evaluate, which
# holds the whole run) writes the package's metadata as the property file RegisterModel reads.
PACKAGE_METADATA_STEP = "evaluate"


def write_package_metadata(run: Run) -> Path:
    """The run's lineage as the RegisterModel step's CustomerMetadataProperties (lineage_metadata.py),
    under evaluate/ of the run. The model's version and hash are the trained model's own, the values
    a local register step records for the same model directory."""
    model_dir = run.dir / "train" / SERVED_MODEL
    record = {**run.lineage, "model": model_identity(model_dir)}
    path = run.output(PACKAGE_METADATA_STEP, PROPERTY_FILE)
    path.write_text(json.dumps(package_property_file(record), indent=2, sort_keys=True) + "\n")
    return path


# The run's record for the track step: one file, what MLflow is told and nothing it is not.
RECORD_FILE = "record.json"
# The lineage's fields the record keeps. Not the dataRead entries' local paths' files, not the
# steps' outputs: names and hashes only. The data (features/, ingest/) and the model never go in.
RECORD_FIELDS = ("run", "project", "startedAt", "startedBy", "reason", "why", "code", "runtime", "dataRead",
                 "parameters", "metrics", "status")
TRACK_STEP = "track"
TRACKING_URI_ENV = "MLFLOW_TRACKING_URI"
PACKAGE_ARN_ENV = "QANTARA_MODEL_PACKAGE_ARN"
PACKAGE_ARN_TAG = "qantara.modelPackageArn"


def write_record(run: Run, record_dir: Path) -> Path:
    """The run's record, alone in `record_dir` (evaluate's second output on SageMaker): the lineage
    fields of RECORD_FIELDS and the trained model's version and hash, as JSON. Data rows, splits,
    the model and the other steps' files stay in the run directory."""
    record = {key: run.lineage[key] for key in RECORD_FIELDS if key in run.lineage}
    record["model"] = model_identity(run.dir / "train" / SERVED_MODEL)
    record_dir.mkdir(parents=True, exist_ok=True)
    path = record_dir / RECORD_FILE
    path.write_text(json.dumps(record, indent=2, sort_keys=True, default=str) + "\n")
    return path


class BadRecord(ValueError):
    """The record, the tracking server or the package ARN the track step was given cannot be used."""


def read_record(in_dir: Path) -> dict:
    path = in_dir / RECORD_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BadRecord(f"{path}: not a readable run record ({type(error).__name__}); evaluate writes it "
                        "with --record-dir") from None
    if not isinstance(record, dict):
        raise BadRecord(f"{path}: the run record is not a JSON object; evaluate writes one")
    missing = [key for key in ("run", "project", "parameters", "metrics", "model") if key not in record]
    if missing or not isinstance(record.get("model"), dict) or not record["model"].get("modelVersion"):
        raise BadRecord(f"{path}: the run record lacks {', '.join(missing) or 'model.modelVersion'}; "
                        "evaluate writes every field")
    return record


def track(in_dir: Path, out_dir: Path, tracking_uri: str, package_arn: str) -> str:
    """Log the run's record to MLflow as register logs a local run (the same tags, parameters and
    metrics, by pipeline.start_lineage_run) with the registered model package's ARN as one more tag;
    write the MLflow run's id to `out_dir`. Returns that id."""
    if not tracking_uri:
        raise BadRecord(f"{TRACKING_URI_ENV} is not set: the pipeline gives the platform's tracking server ARN")
    if not package_arn.startswith("arn:") or ":model-package/" not in package_arn:
        raise BadRecord(f"{PACKAGE_ARN_ENV}={package_arn!r} is not a model package ARN "
                        "(arn:<partition>:sagemaker:<region>:<account>:model-package/<group>/<version>)")
    if tracking_uri.startswith("arn:") and importlib.util.find_spec("sagemaker_mlflow") is None:
        # MLflow reaches an ARN only through the plugin's `arn` tracking store (aws/sagemaker-mlflow, setup.py).
        raise BadRecord(f"{TRACKING_URI_ENV} is a SageMaker MLflow ARN but the sagemaker-mlflow plugin is not "
                        "installed in the image: build it with `make image` (the Dockerfile installs .[sagemaker])")
    record = read_record(in_dir)
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment(record["project"])
    with start_lineage_run(record, record["model"]["modelVersion"], {PACKAGE_ARN_TAG: package_arn}) as mlflow_run:
        run_id = mlflow_run.info.run_id
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "tracking.json").write_text(json.dumps(
        {"run": record["run"], "mlflowRunId": run_id, "modelPackageArn": package_arn,
         "modelVersion": record["model"]["modelVersion"]}, indent=2, sort_keys=True) + "\n")
    return run_id


def run_step_between(step: str, in_dirs: list[Path], out_dir: Path, record_dir: Path | None = None,
                     **options) -> Run:
    """Run one step from mounted inputs to a mounted output: the SageMaker form of run_step."""
    with tempfile.TemporaryDirectory(prefix=f"qantara-{step}-") as scratch:
        run_dir = Path(scratch) / "run"
        run_dir.mkdir()
        for in_dir in _archives_last(in_dirs):
            copy_in(in_dir, run_dir)
        try:
            run = run_step(step, run_dir, **options)
            if step == PACKAGE_METADATA_STEP:  # only a model that met its thresholds gets here
                write_package_metadata(run)
                if record_dir is not None:
                    write_record(run, record_dir)
            return run
        finally:
            # The lineage leaves with the output even when the step stops (SageMaker keeps the logs).
            write_output(step, run_dir, out_dir)


def _default_project_dir() -> Path:
    # In the image the project's qantara.yaml and model_card.yaml sit in the working directory.
    return Path.cwd() if (Path.cwd() / "qantara.yaml").is_file() else config.PROJECT_ROOT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run one step of the pipeline against a run directory.")
    parser.add_argument("--step", choices=[*STEPS_ORDER, TRACK_STEP], required=True)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--run-dir", type=Path, help="One directory the step reads and writes (Argo, local).")
    where.add_argument("--out-dir", type=Path, help="Where the whole run directory is written after the step "
                       "(SageMaker's processing output or /opt/ml/model).")
    parser.add_argument("--in-dir", type=Path, action="append", default=[],
                        help="With --out-dir: an earlier step's output to read (repeatable; "
                        "a model.tar.gz is unpacked).")
    parser.add_argument("--project-dir", type=Path, default=None, help="Where qantara.yaml and model_card.yaml are.")
    parser.add_argument("--data", type=Path, help="Training data (CSV or Parquet, or a directory holding one), "
                        "read by ingest.")
    parser.add_argument("--record-dir", type=Path, help=f"With --step {PACKAGE_METADATA_STEP} and --out-dir: "
                        "where the run's record for the track step is written (SageMaker's record output).")
    parser.add_argument("--reason", choices=REASONS, default="person")
    parser.add_argument("--why", default="")
    args = parser.parse_args(argv)
    if args.in_dir and args.run_dir:
        parser.error("--in-dir goes with --out-dir; --run-dir is read and written in place")
    if args.out_dir and not args.in_dir and args.step != STEPS_ORDER[0]:
        parser.error(f"--step {args.step} with --out-dir needs the run so far: give --in-dir")
    if args.record_dir and (args.step != PACKAGE_METADATA_STEP or not args.out_dir):
        parser.error(f"--record-dir goes with --step {PACKAGE_METADATA_STEP} and --out-dir")
    if args.step == TRACK_STEP:
        if not args.out_dir or len(args.in_dir) != 1:
            parser.error(f"--step {TRACK_STEP} reads one run record (--in-dir) and writes its receipt (--out-dir)")
        try:
            run_id = track(args.in_dir[0], args.out_dir, os.environ.get(TRACKING_URI_ENV, ""),
                           os.environ.get(PACKAGE_ARN_ENV, ""))
        except BadRecord as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(f"step {TRACK_STEP} done; MLflow run {run_id}")
        return 0
    options = {"project_dir": args.project_dir or _default_project_dir(),
               "source": data_file(args.data) if args.data else None, "reason": args.reason, "why": args.why}
    try:
        if args.out_dir:
            run_step_between(args.step, args.in_dir, args.out_dir, record_dir=args.record_dir, **options)
        else:
            run_step(args.step, args.run_dir, **options)
    except ThresholdsNotMet as failure:
        print(f"pipeline stopped before register: {failure}", file=sys.stderr)
        return 1
    print(f"step {args.step} done; lineage in {(args.out_dir or args.run_dir) / LINEAGE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
