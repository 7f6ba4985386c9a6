import mlflow.pyfunc
import pytest
import yaml
from mlflow.tracking import MlflowClient

from {{ cookiecutter.project_slug }} import features, synthetic
from {{ cookiecutter.project_slug }}.train import ThresholdsNotMet, train


def test_a_run_logs_params_metrics_and_the_model(trained):
    run = MlflowClient(trained.tracking_uri).get_run(trained.run_id)
    assert run.data.params["problem_type"] == "{{ cookiecutter.problem_type }}"
    assert {r.name for r in trained.results} <= set(run.data.metrics)
    assert run.data.tags["qantara.thresholdsPassed"] == "true"
    model = mlflow.pyfunc.load_model(trained.model_uri)
    frame = features.prepare(synthetic.make_dataset(rows=120, seed=7))
    assert len(model.predict(features.model_inputs(frame))) == len(frame)


def test_the_synthetic_model_meets_the_manifest_thresholds(trained):
    assert trained.passed, trained.failures()


def test_a_missed_threshold_fails_training_after_logging(workspace, tmp_path):
    manifest = yaml.safe_load((workspace / "qantara.yaml").read_text())
    threshold = manifest["spec"]["evaluation"]["thresholds"][0]
    # A bound no model can meet.
    if "min" in threshold:
        threshold["min"] = 1e9
    else:
        threshold["max"] = -1e9
    (tmp_path / "qantara.yaml").write_text(yaml.safe_dump(manifest))
    (tmp_path / "model_card.yaml").write_text((workspace / "model_card.yaml").read_text())
    with pytest.raises(ThresholdsNotMet, match=threshold["metric"]) as failure:
        train(synthetic.make_dataset(rows=400, seed=2), manifest_path=tmp_path / "qantara.yaml",
              card_path=tmp_path / "model_card.yaml")
    run = MlflowClient(failure.value.result.tracking_uri).get_run(failure.value.result.run_id)
    assert run.data.tags["qantara.thresholdsPassed"] == "false"
    card = yaml.safe_load((tmp_path / "model_card.yaml").read_text())
    assert any(m["name"] == threshold["metric"] and m["passed"] is False for m in card["metrics"])
