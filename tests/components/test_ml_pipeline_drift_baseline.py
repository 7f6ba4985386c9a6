"""The cloud drift baseline describes exactly what the endpoint receives: a generated project's
features step, run as SageMaker runs it, writes the baseline dataset the pipeline's baseline step
reads, and that dataset holds the trained model's inputs and nothing else, in the order of the
model's signature, under a header naming them (Model Monitor matches the captured requests with the
baseline by the number and order of the columns, and names the drift metrics by that header)."""

from __future__ import annotations

import ast
import csv
import importlib.util
import json
import sys
from pathlib import Path

import pytest
import yaml

from qantara.components.ml_pipeline_definition import BASELINE_DATASET, baseline_dataset_uri, pipeline_definition
from qantara.project.generate import new_ml_project

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "templates"))
from ml_project_cases import AE_HEALTH  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_ml_pipeline import place  # noqa: E402

# The project's steps run as SageMaker runs them, one process each (the package metadata test's).
from test_ml_pipeline_package_metadata import _package, _project_python, _run_step  # noqa: E402

RUNTIME = ("sklearn", "pandas", "pandera", "mlflow", "skops")
MISSING = [name for name in RUNTIME if importlib.util.find_spec(name) is None]
PROBLEM_TYPES = ("classification", "regression", "forecasting")
# The columns of the template's data that the endpoint never receives (data.TARGET, features.SENSITIVE).
NOT_INPUTS = {"classification": {"target", "group"}, "regression": {"target", "group"},
              "forecasting": {"target", "area", "date"}}

pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"install qantara[ml]: {', '.join(MISSING)} missing")


def _header_and_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


@pytest.fixture(scope="module", params=PROBLEM_TYPES)
def pipeline_run(request, tmp_path_factory) -> tuple[str, Path, Path]:
    """A generated project of one problem type, and its steps' mounted outputs through train."""
    problem_type = request.param
    root = tmp_path_factory.mktemp(f"baseline-{problem_type}")
    project = new_ml_project(AE_HEALTH, answers={"problem_type": problem_type}, no_input=True, output_dir=root)
    mounted = root / "input" / "data"
    mounted.mkdir(parents=True)
    _project_python(project, "-c", f"from {_package(project)} import synthetic; "
                    f"synthetic.make_dataset(seed=0).to_csv({str(mounted / 'part-0001.csv')!r}, index=False)")
    out = root / "output"
    _run_step(project, "ingest", out, "--data", str(mounted))
    for step, before in (("validate", "ingest"), ("features", "validate"), ("train", "features")):
        _run_step(project, step, out, "--in-dir", str(out / before))
    return problem_type, project, out


def _read_by_baseline_step(out: Path) -> Path:
    """The file the pipeline's baseline step mounts: its S3 key under the features step's output prefix."""
    uri = baseline_dataset_uri(place())
    prefix = place().artifacts_bucket + "/pipelines/" + place().project + "/features/"
    assert uri.startswith("s3://" + prefix)
    return out / "features" / uri.removeprefix("s3://" + prefix)


def _signature_inputs(model_dir: Path) -> list[str]:
    """The input column names of the served model's MLflow signature, in its order."""
    mlmodel = yaml.safe_load((model_dir / "MLmodel").read_text(encoding="utf-8"))
    return [column["name"] for column in json.loads(mlmodel["signature"]["inputs"])]


def test_the_baseline_holds_the_models_inputs_in_its_signatures_order_and_nothing_else(pipeline_run):
    problem_type, _, out = pipeline_run
    header, rows = _header_and_rows(_read_by_baseline_step(out))
    inputs = _signature_inputs(out / "train")
    assert header == inputs
    assert not set(header) & NOT_INPUTS[problem_type]
    # Every training row the model was fitted on, and only those: the train split, row for row.
    train_header, train_rows = _header_and_rows(out / "features" / "features" / "train.csv")
    assert len(rows) == len(train_rows) > 0
    columns = [train_header.index(name) for name in header]
    assert rows == [[row[i] for i in columns] for row in train_rows]
    # What the baseline step reads is not what train fits on: train.csv holds the target too.
    assert set(NOT_INPUTS[problem_type]) & set(train_header)


def test_the_drift_features_the_endpoint_alarms_on_are_columns_of_the_baseline(pipeline_run):
    _, project, out = pipeline_run
    header, _ = _header_and_rows(_read_by_baseline_step(out))
    program = ast.parse((project / "infra" / "__main__.py").read_text(encoding="utf-8"))
    [watched] = [ast.literal_eval(node.value) for node in ast.walk(program) if isinstance(node, ast.Assign)
                 and [getattr(t, "id", None) for t in node.targets] == ["DRIFT_FEATURES"]]
    # A watched feature the baseline lacks would alarm on a metric the analyzer never publishes.
    assert watched and set(watched) <= set(header)


def test_the_features_steps_lineage_records_the_baseline_it_wrote(pipeline_run):
    _, _, out = pipeline_run
    lineage = json.loads((out / "features" / "lineage.json").read_text(encoding="utf-8"))
    [features] = [s for s in lineage["steps"] if s["name"] == "features"]
    assert BASELINE_DATASET in {o["path"] for o in features["outputs"]}


def test_the_pipeline_baseline_step_reads_the_baseline_dataset_and_nothing_holding_the_target():
    definition = pipeline_definition(place())
    [baseline] = [s["Arguments"] for s in definition["Steps"] if s["Name"] == "Baseline"]
    uris = [i["S3Input"]["S3Uri"] for i in baseline["ProcessingInputs"]]
    assert uris == [baseline_dataset_uri(place())]
    assert uris[0].endswith("/features/" + BASELINE_DATASET)
    assert not [u for u in uris if u.endswith(("train.csv", "test.csv")) or u.endswith("/")]
