"""A SageMaker run's lineage reaches the registered model package: RegisterModel reads every key of
a fixed set from the property file the evaluate step declares, and the project's own code (a
generated project, run as SageMaker runs it) writes exactly those keys, within SageMaker's limits,
whatever the run read and whatever it lacks."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from qantara.components.ml_pipeline_definition import (
    PACKAGE_METADATA_STEP,
    PACKAGE_PROPERTY_FILE_PATH,
    package_metadata_keys,
    pipeline_definition,
)
from qantara.project.generate import new_ml_project

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "templates"))
from ml_project_cases import AE_HEALTH  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_ml_pipeline import place, validate  # noqa: E402

# botocore's CustomerMetadataKey/Value (CreateModelPackage), ASCII part, as lineage_metadata.py reads them.
AWS_TEXT = re.compile(r"^[A-Za-z0-9_ .:/=+\-@]+$")
RUNTIME = ("sklearn", "pandas", "pandera", "mlflow", "skops")
MISSING = [name for name in RUNTIME if importlib.util.find_spec(name) is None]
RUN_TIMEOUT = 600


def steps_by_name(definition: dict) -> dict:
    return {s["Name"]: s for s in definition["Steps"]}


def register_metadata(definition: dict) -> dict:
    return steps_by_name(definition)["Register"]["Arguments"]["CustomerMetadataProperties"]


def test_every_fixed_key_is_read_from_the_property_file_an_earlier_step_declares():
    definition = pipeline_definition(place())
    validate(definition)
    steps = steps_by_name(definition)
    metadata = register_metadata(definition)
    assert tuple(metadata) == package_metadata_keys()
    declared = {}
    for name, step in steps.items():
        outputs = {o["OutputName"] for o in step["Arguments"].get("ProcessingOutputConfig", {}).get("Outputs", [])}
        for property_file in step.get("PropertyFiles", []):
            # A property file names one of its own step's outputs, or SageMaker has nothing to read.
            assert property_file["OutputName"] in outputs
            declared[f"Steps.{name}.PropertyFiles.{property_file['PropertyFileName']}"] = name
    for key, value in metadata.items():
        assert set(value) == {"Std:JsonGet"}, key
        source = value["Std:JsonGet"]["PropertyFile"]["Get"]
        assert source in declared, (key, source)
        # The step that writes the file runs before RegisterModel: RegisterModel waits for it.
        assert declared[source] in steps["Register"]["DependsOn"]
        assert value["Std:JsonGet"]["Path"] == key.replace(":", "_")


def test_the_fixed_keys_fit_what_sagemaker_accepts_and_name_the_run_and_its_data():
    keys = package_metadata_keys()
    assert len(keys) == len(set(keys)) <= 50
    assert all(1 <= len(key) <= 128 and AWS_TEXT.match(key) for key in keys)
    paths = [key.replace(":", "_") for key in keys]
    assert len(set(paths)) == len(paths)  # no two keys read one value
    assert {"qantara:executionId", "qantara:imageDigest", "qantara:data:count", "qantara:data:digest",
            "qantara:data:0:versionId", "qantara:modelSha256"} <= set(keys)


def test_a_pipeline_without_its_evaluate_step_has_nowhere_to_read_the_metadata_from():
    definition = pipeline_definition(place())
    steps = steps_by_name(definition)
    steps["Evaluate"].pop("PropertyFiles")
    sources = {v["Std:JsonGet"]["PropertyFile"]["Get"] for v in register_metadata(definition).values()}
    declared = {f"Steps.{n}.PropertyFiles.{f['PropertyFileName']}" for n, s in steps.items()
                for f in s.get("PropertyFiles", [])}
    assert not sources <= declared


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("baked")
    return new_ml_project(AE_HEALTH, answers={}, no_input=True, output_dir=out)


def project_module(project: Path, name: str):
    package = next(p for p in (project / "src").iterdir() if (p / "__init__.py").is_file())
    spec = importlib.util.spec_from_file_location(f"baked_{name}", package / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_projects_property_file_has_exactly_the_keys_register_model_reads(project):
    lineage_metadata = project_module(project, "lineage_metadata")
    assert lineage_metadata.package_metadata_keys() == package_metadata_keys()
    assert PACKAGE_PROPERTY_FILE_PATH == f"{PACKAGE_METADATA_STEP}/{lineage_metadata.PROPERTY_FILE}"
    paths = {v["Std:JsonGet"]["Path"] for v in register_metadata(pipeline_definition(place())).values()}
    # An empty record (every field missing) and one reading more data than the map holds.
    many = {"run": "r", "dataRead": [{"sha256": f"{i:064x}", "uri": f"s3://b/k{i}", "versionId": "v"}
                                     for i in range(60)]}
    for record in ({}, many, {"why": "absent", "dataRead": [{"uri": "s3://b/ünïcode [1]"}]}):
        written = lineage_metadata.package_property_file(record)
        assert set(written) == paths
        for key, value in written.items():
            assert 1 <= len(value) <= 256 and AWS_TEXT.match(value), (key, value)
    assert lineage_metadata.package_property_file(many)["qantara_data_count"] == "60"
    # The generated README tells the team what the package holds: as many files as the file lists.
    assert lineage_metadata.DATA_ENTRIES == 12
    assert "first twelve files read" in " ".join((project / "README.md").read_text().split())


def _package(project: Path) -> str:
    return next(p.name for p in (project / "src").iterdir() if (p / "__init__.py").is_file())


def _project_python(project: Path, *args: str) -> None:
    """The project's own code in a process of its own, in the environment SageMaker's jobs get."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_") and k != "PYTHONPATH"}
    env.update(PYTHONPATH=str(project / "src"), QANTARA_PIPELINE_ENGINE="sagemaker",
               QANTARA_EXECUTION_ID="arn:aws:sagemaker:me-central-1:000000000000:pipeline/p/execution/x1",
               QANTARA_DATA_URI="s3://curated/risk/training/part-0001.csv", QANTARA_DATA_VERSION_ID="3Lp.v1")
    done = subprocess.run([sys.executable, *args], cwd=project, env=env, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]


def _run_step(project: Path, step: str, out: Path, *where: str) -> None:
    _project_python(project, "-m", f"{_package(project)}.pipeline_steps", "--step", step, *where,
                    "--out-dir", str(out / step), "--project-dir", str(project))


@pytest.mark.skipif(bool(MISSING), reason=f"install qantara[ml]: {', '.join(MISSING)} missing")
def test_the_projects_evaluate_step_writes_the_file_register_model_reads(project, tmp_path):
    mounted = tmp_path / "input" / "data"
    mounted.mkdir(parents=True)
    _project_python(project, "-c", f"from {_package(project)} import synthetic; "
                    f"synthetic.make_dataset(seed=0).to_csv({str(mounted / 'part-0001.csv')!r}, index=False)")
    out = tmp_path / "output"
    _run_step(project, "ingest", out, "--data", str(mounted))
    for step, before in (("validate", "ingest"), ("features", "validate"), ("train", "features")):
        _run_step(project, step, out, "--in-dir", str(out / before))
    model = tmp_path / "input" / "model"  # SageMaker's model.tar.gz of /opt/ml/model
    model.mkdir(parents=True)
    with tarfile.open(model / "model.tar.gz", "w:gz") as archive:
        for entry in sorted((out / "train").iterdir()):
            archive.add(entry, arcname=entry.name)
    _run_step(project, "evaluate", out, "--in-dir", str(out / "features"), "--in-dir", str(model))
    written = json.loads((out / PACKAGE_METADATA_STEP / PACKAGE_PROPERTY_FILE_PATH).read_text())
    metadata = register_metadata(pipeline_definition(place()))
    # Every JsonGet of RegisterModel finds its path in the file the step wrote, and nothing else is there.
    assert set(written) == {v["Std:JsonGet"]["Path"] for v in metadata.values()}
    assert written["qantara_engine"] == "sagemaker"
    assert written["qantara_executionId"].endswith("execution/x1")
    assert written["qantara_data_0_versionId"] == "3Lp.v1"
    assert re.fullmatch(r"[0-9a-f]{64}", written["qantara_modelSha256"])
    assert written["qantara_modelVersion"] == written["qantara_modelSha256"][:12]
    assert written["qantara_data_5_uri"] == "absent"
