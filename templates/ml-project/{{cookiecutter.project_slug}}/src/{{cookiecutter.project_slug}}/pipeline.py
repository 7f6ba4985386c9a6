"""The project's pipeline, declared once: ingest, validate, features, train, evaluate, register, monitor.

    python -m {{ cookiecutter.project_slug }}.pipeline --reason person --why "first model"

Each step is a function of the run so far; it returns what the next steps read and writes its
outputs (monitor has none) under `runs/<run id>/<step>/`. The run ends with
`runs/<run id>/lineage.json`: the code commit, the content hash of every file read, the
parameters, the metrics, who started the run and why, the image and pipeline execution it ran
in, and every output's hash; `qantara lineage` prints the chain from it, and the same lineage
goes to MLflow's tags, the model card and the model package's metadata (`lineage_metadata.py`).

On the platform the run is one execution of the project's SageMaker pipeline or Argo
workflow, which tells each step who it is through the environment (the infra program sets it):
QANTARA_EXECUTION_ID (SageMaker: the execution variable `Execution.PipelineExecutionArn`; Argo:
the workflow variable `workflow.uid`), QANTARA_PIPELINE_ENGINE (`sagemaker` or `argo`), QANTARA_IMAGE_DIGEST (the
step's image as `repository@sha256:...`), QANTARA_REASON and QANTARA_WHY (the pipeline's
trigger parameters: schedule, drift or person), QANTARA_STARTED_BY, and for data read from the
platform's bucket QANTARA_DATA_URI and QANTARA_DATA_VERSION_ID (the S3 object version). A model that
misses a threshold of qantara.yaml stops the run before `register`, and a registered model is
always `PendingManualApproval`: nothing this pipeline produces is deployed without a person.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import hashlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import mlflow
import mlflow.sklearn
import sklearn
import skops
import skops.io
from mlflow.models import infer_signature

from . import config, data, drift, features, model_archive, synthetic
from .evaluate import BIAS_METRIC, against_thresholds, bias, metrics
from .lineage_metadata import customer_metadata_properties
from .model_card import update_model_card
from .train import TrainingResult

RUNS = config.PROJECT_ROOT / "runs"
REASONS = ("person", "schedule", "drift")
ENGINES = ("local", "sagemaker", "argo")
APPROVAL_STATUS = "PendingManualApproval"
# The served model's directory under the train step's outputs (and under an MLflow run's artifacts).
SERVED_MODEL = "model"
# What the cloud's drift baseline is computed from (the SageMaker pipeline's baseline step runs Model
# Monitor's analyzer over it): the training rows with the model's input columns only, in the model's
# input order (features.model_inputs), under a header naming them. Model Monitor compares captured
# requests with the baseline by the number and order of the columns and names them by this header, so
# the target and the sensitive columns, which the endpoint never receives, are not in it.
MODEL_INPUTS = "model_inputs.csv"


class ThresholdsNotMet(Exception):
    """The model misses a threshold of qantara.yaml: it is not registered."""


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Run:
    """One run of the pipeline: its directory, what the steps hand on, and its lineage record."""

    def __init__(self, root: Path, source: Path | None, manifest_path: Path, card_path: Path, started_by: str,
                 reason: str, why: str):
        self.card_path = card_path
        self.id = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]
        self.dir = root / self.id
        self.source, self.manifest_path = source, manifest_path
        self.manifest = config.load_manifest(manifest_path)
        self.state: dict = {}
        self.lineage: dict = {
            "run": self.id, "startedAt": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "startedBy": started_by, "reason": reason, "why": why, "code": code_version(config.PROJECT_ROOT),
            "runtime": runtime(self.id),
            "project": self.manifest["metadata"]["name"], "dataRead": [], "parameters": {}, "metrics": {},
            "steps": [],
        }

    def output(self, step: str, name: str) -> Path:
        path = self.dir / step / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def read(self, path: Path, what: str, **where: str) -> None:
        """Record a file the run read, by content hash: the exact data, whatever its name
        (and, read from S3, its URI and object version)."""
        self.lineage["dataRead"].append({"path": str(path), "sha256": sha256_of(path), "what": what,
                                         **{key: value for key, value in where.items() if value}})


def runtime(run_id: str) -> dict:
    """Where the run ran: the pipeline execution and image the platform names, else this machine."""
    engine = os.environ.get("QANTARA_PIPELINE_ENGINE") or "local"
    if engine not in ENGINES:
        raise ValueError(f"QANTARA_PIPELINE_ENGINE={engine!r} (allowed: {', '.join(ENGINES)})")
    return {"engine": engine,
            "executionId": os.environ.get("QANTARA_EXECUTION_ID") or (run_id if engine == "local" else None),
            "imageDigest": os.environ.get("QANTARA_IMAGE_DIGEST") or None}


def code_version(root: Path) -> dict:
    """The git commit the code is at, and whether the working tree differs from it."""
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain")
    return {"commit": commit or "none (not a git repository, or no commit yet)", "dirty": bool(status)}


def ingest(run: Run) -> None:
    path = run.output("ingest", "data" + (run.source.suffix if run.source else ".csv"))
    if run.source is None:  # synthetic data with the real schema, until the real data is wired in
        synthetic.make_dataset(seed=0).to_csv(path, index=False)
    else:
        path.write_bytes(run.source.read_bytes())
        run.read(run.source, "training data", uri=os.environ.get("QANTARA_DATA_URI", ""),
                 versionId=os.environ.get("QANTARA_DATA_VERSION_ID", ""))
    run.read(path, "ingested data")
    run.state["ingested"] = path


def validate(run: Run) -> None:
    frame = data.load(run.state["ingested"])  # pandera: every failure listed at once
    run.state["validated"] = frame
    run.output("validate", "report.json").write_text(json.dumps({"rows": len(frame), "schema": "data.SCHEMA",
                                                                  "passed": True}, indent=2) + "\n")


def build_features(run: Run) -> None:
    """The train/test split, and the training rows as the endpoint receives them (`MODEL_INPUTS`): the
    data the cloud's Model Monitor computes its statistics from, not a drift baseline of this project's
    (the model's own is in its MLmodel, drift.py)."""
    train_frame, test_frame = features.split(features.prepare(run.state["validated"]))
    run.state.update(train=train_frame, test=test_frame)
    train_frame.to_csv(run.output("features", "train.csv"), index=False)
    test_frame.to_csv(run.output("features", "test.csv"), index=False)
    features.model_inputs(train_frame).to_csv(run.output("features", MODEL_INPUTS), index=False)


def train(run: Run) -> None:
    """Fit the model and write what is served: the MLflow model with the lineage so far, and its archive."""
    frame = run.state["train"]
    inputs = features.model_inputs(frame)
    model = features.build_model().fit(inputs, frame[data.TARGET])
    run.state["model"] = model
    run.lineage["parameters"] = {"problem_type": config.PROBLEM_TYPE, "training_rows": len(frame),
                                 **{f"model__{k}": repr(v) for k, v in model.named_steps["model"].get_params().items()}}
    model_dir = run.dir / "train" / SERVED_MODEL
    save_served_model(model, inputs, model_dir)
    (model_dir / model_archive.LINEAGE).write_text(json.dumps(run.lineage, indent=2, default=str) + "\n")
    model_archive.pack(model_dir, run.output("train", model_archive.ARCHIVE))


def save_served_model(model, inputs, model_dir: Path) -> None:
    """The MLflow model serve.py loads: skops, not pickle (loading cannot run arbitrary code), with the
    signature of its inputs and the drift baseline of these (training) inputs in its metadata; the
    requirements are this environment's versions, not inferred (slow)."""
    mlflow.sklearn.save_model(model, str(model_dir), serialization_format="skops",
                              signature=infer_signature(inputs, model.predict(inputs)),
                              pip_requirements=[f"scikit-learn=={sklearn.__version__}", f"skops=={skops.__version__}"],
                              metadata={drift.KEY: drift.baseline_of(inputs).document()})


def evaluate(run: Run) -> None:
    model, frame = run.state["model"], run.state["test"]
    values = metrics(model, frame)
    measured = bias(model, frame)
    if measured is not None:
        values[BIAS_METRIC] = measured
    results = against_thresholds(values, run.manifest)
    run.state["results"] = results
    run.lineage["metrics"] = values
    run.output("evaluate", "metrics.json").write_text(json.dumps(
        {"metrics": values, "passed": all(r.passed for r in results),
         "failures": [r.name for r in results if not r.passed]}, indent=2) + "\n")
    if not all(r.passed for r in results):
        raise ThresholdsNotMet("model misses its thresholds: " + ", ".join(r.name for r in results if not r.passed))


def model_identity(model_dir: Path) -> dict[str, str]:
    """The trained model's version and its model file's SHA-256: what the lineage, the MLflow tags
    and the model package name it by."""
    return {"modelVersion": model_archive.version(model_dir),
            "modelSha256": sha256_of(model_dir / model_archive.MODEL_FILE)}


def register(run: Run) -> None:
    """Log the run to MLflow with the trained model archive's own model directory (the bytes that are
    served, not a second serialisation), tagged with its lineage; the version waits for approval."""
    mlflow.set_tracking_uri(config.tracking_uri())
    mlflow.set_experiment(run.manifest["metadata"]["name"])
    model_dir = run.dir / "train" / SERVED_MODEL
    archive = run.dir / "train" / model_archive.ARCHIVE
    identity = model_identity(model_dir)
    version = identity["modelVersion"]
    tracking_uri = config.tracking_uri()
    with start_lineage_run(run.lineage, version) as mlflow_run:
        mlflow.log_artifacts(str(model_dir), artifact_path=SERVED_MODEL)
        mlflow.log_artifact(str(archive))
    model_uri = f"runs:/{mlflow_run.info.run_id}/{SERVED_MODEL}"
    registration = {**identity,
                    "archive": archive.relative_to(run.dir).as_posix(), "archiveSha256": sha256_of(archive),
                    "modelUri": model_uri, "status": APPROVAL_STATUS, "mlflowRunId": mlflow_run.info.run_id,
                    "run": run.id}
    run.lineage["model"] = registration
    run.output("register", "registration.json").write_text(json.dumps(registration, indent=2) + "\n")
    # The run's lineage as a SageMaker model package's CustomerMetadataProperties, for whoever
    # registers this run's archive as a package. The SageMaker pipeline does not run this step: its
    # RegisterModel reads the same lineage from the property file its evaluate step writes
    # (pipeline_steps.write_package_metadata; README, "2. Run it on the platform").
    run.output("register", "model_package_metadata.json").write_text(
        json.dumps(customer_metadata_properties(run.lineage), indent=2, sort_keys=True) + "\n")
    # The card says where the model came from: the run, the version, who and the data's hashes.
    trained = TrainingResult(mlflow_run.info.run_id, model_uri, tracking_uri, run.lineage["startedAt"],
                             run.state["results"])
    update_model_card(run.card_path, trained, lineage={
        "pipelineRun": run.id, "modelVersion": registration["modelVersion"], "startedBy": run.lineage["startedBy"],
        "reason": run.lineage["reason"], "why": run.lineage["why"], "codeCommit": run.lineage["code"]["commit"],
        "imageDigest": run.lineage["runtime"]["imageDigest"], "executionId": run.lineage["runtime"]["executionId"],
        "dataSha256": [d["sha256"] for d in run.lineage["dataRead"]],
        "dataVersions": [{k: d[k] for k in ("uri", "versionId") if k in d} for d in run.lineage["dataRead"]
                         if "uri" in d or "versionId" in d]})


# MLflow keeps tag values up to 8000 characters (MAX_TAG_VAL_LENGTH in mlflow.utils.validation, 3.18);
# a lineage value is far shorter, and cut there rather than failing the run.
TAG_LIMIT = 8000


def mlflow_tags(lineage: dict, version: str) -> dict[str, str]:
    """The lineage as MLflow run tags: `qantara lineage` finds a model version's run by them."""
    runtime_ = lineage["runtime"]
    tags = {"qantara.run": lineage["run"], "qantara.project": lineage["project"],
            "qantara.startedAt": lineage["startedAt"], "qantara.startedBy": lineage["startedBy"],
            "qantara.reason": lineage["reason"], "qantara.why": lineage["why"],
            "qantara.codeCommit": lineage["code"]["commit"], "qantara.codeDirty": str(lineage["code"]["dirty"]).lower(),
            "qantara.engine": runtime_["engine"], "qantara.executionId": runtime_["executionId"] or "",
            "qantara.imageDigest": runtime_["imageDigest"] or "", "qantara.modelVersion": version,
            "qantara.approvalStatus": APPROVAL_STATUS, "qantara.data.count": str(len(lineage["dataRead"]))}
    for index, item in enumerate(lineage["dataRead"]):
        for key in ("sha256", "path", "what", "uri", "versionId"):
            if item.get(key):
                tags[f"qantara.data.{index}.{key}"] = str(item[key])
    return {key: value[:TAG_LIMIT] for key, value in tags.items()}


def mlflow_params(lineage: dict) -> dict[str, str]:
    """The run's parameters as MLflow params (MLflow keeps a param value of up to 250 characters here)."""
    return {key: str(value)[:250] for key, value in lineage["parameters"].items()}


def start_lineage_run(lineage: dict, version: str, extra_tags: dict[str, str] | None = None) -> mlflow.ActiveRun:
    """Start the MLflow run of `lineage` in the current experiment: its tags (mlflow_tags, and
    `extra_tags`), parameters and metrics. The run stays open for the caller's artifacts (use it in
    a `with`); one that fails while logging is ended FAILED. Local, CI and on-site runs log through
    it in register, and a SageMaker run in its track step (pipeline_steps.track), so every engine
    logs a run the same way."""
    tags = {**mlflow_tags(lineage, version), **{key: value[:TAG_LIMIT] for key, value in (extra_tags or {}).items()}}
    active = mlflow.start_run(tags=tags)
    try:
        mlflow.log_params(mlflow_params(lineage))
        mlflow.log_metrics(lineage["metrics"])
    except Exception:
        mlflow.end_run(status="FAILED")
        raise
    return active


def monitor(run: Run) -> None:
    """Show that the model this run trained can be watched for drift once served: its MLmodel, drift
    baseline included, passes the check serve.py's loader makes (model_archive.check_model_dir), so a
    model the server would refuse fails the run here, where its lineage says so.

    Nothing is written: the one baseline is the model's own (drift.py, in its MLmodel). A copy here
    would be read by nothing (neither pipeline engine passes it on, and the cloud's Model Monitor
    reads its own baseline files), and a threshold and schedule beside it would not say what is in
    force: the cloud's infra program reads qantara.yaml's when it deploys, and on site the platform's
    alert and the blueprint's schedule apply (docs/decisions.md)."""
    model_archive.check_model_dir(run.dir / "train" / SERVED_MODEL)


STEPS: tuple[tuple[str, Callable[[Run], None]], ...] = (
    ("ingest", ingest), ("validate", validate), ("features", build_features), ("train", train),
    ("evaluate", evaluate), ("register", register), ("monitor", monitor),
)


def run_pipeline(*, source: Path | None = None, manifest_path: Path = config.MANIFEST,
                 card_path: Path = config.MODEL_CARD, root: Path = RUNS, started_by: str | None = None,
                 reason: str = "person", why: str = "") -> Path:
    """Run every step in order; the lineage record is written even when a step fails."""
    if reason not in REASONS:
        raise ValueError(f"reason {reason!r} (allowed: {', '.join(REASONS)})")
    run = Run(root, source, manifest_path, card_path, started_by or _who(), reason, why)
    run.dir.mkdir(parents=True)
    name = STEPS[0][0]
    try:
        for name, step in STEPS:
            step(run)
            outputs = sorted(p for p in (run.dir / name).rglob("*") if p.is_file()) if (run.dir / name).exists() else []
            run.lineage["steps"].append({"name": name, "outputs": [
                {"path": p.relative_to(run.dir).as_posix(), "sha256": sha256_of(p)} for p in outputs]})
        run.lineage["status"] = "succeeded"
    except ThresholdsNotMet as failure:
        run.lineage["status"] = f"stopped at {name}: {failure}"
        raise
    except Exception as error:
        run.lineage["status"] = f"failed at {name}: {type(error).__name__}"
        raise
    finally:
        (run.dir / "lineage.json").write_text(json.dumps(run.lineage, indent=2, default=str) + "\n")
    return run.dir


def _who() -> str:
    try:
        return os.environ.get("QANTARA_STARTED_BY") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the seven-step pipeline locally, with a lineage record.")
    parser.add_argument("--data", type=Path, help="Training data (CSV or Parquet); default: synthetic data.")
    # On the platform the pipeline's trigger parameters arrive as QANTARA_REASON and QANTARA_WHY.
    parser.add_argument("--reason", choices=REASONS, default=os.environ.get("QANTARA_REASON") or "person",
                        help="What started the run.")
    parser.add_argument("--why", default=os.environ.get("QANTARA_WHY", ""),
                        help="Why, in a sentence (recorded in the lineage).")
    parser.add_argument("--runs", type=Path, default=RUNS, help="Directory the runs are written under.")
    args = parser.parse_args(argv)
    try:
        directory = run_pipeline(source=args.data, root=args.runs, reason=args.reason, why=args.why)
    except ThresholdsNotMet as failure:
        print(f"pipeline stopped before register: {failure}", file=sys.stderr)
        return 1
    print(f"pipeline run {directory.name}: every step done; lineage in {directory / 'lineage.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
