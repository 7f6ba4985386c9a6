"""A project's pipeline runs where the data lake it trains from is, for every example blueprint and
every serving answer: never in experiment tracking's region while the data stays on site. When no
single place will do (no data lake, or serving placed away from it), `new` refuses with a located
message instead of generating a project that would train elsewhere."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from qantara.blueprint.loader import load_blueprint
from qantara.errors import ProjectError
from qantara.project.generate import new_ml_project, placed_in
from qantara.project.pipeline_place import pipeline_place, where
from qantara.sovereignty.placement import resolve_placement

REPO = Path(__file__).resolve().parents[2]
BLUEPRINTS = sorted((REPO / "blueprints").glob("*.yaml"))
SERVING = ("realtime", "batch", "none")
HYBRID = REPO / "blueprints" / "sa-health-hybrid.yaml"
# Where each example's pipeline runs, whatever it serves: its data lake's place (`qantara place`).
EXPECTED = {
    "ae-health-cloud": "me-central-1",
    "bh-fintech-cloud": "me-south-1",
    "eg-retail-cloud": "eu-south-1",
    "eu-insurance-cloud": "eu-central-1",
    "sa-government-onprem": "onprem:riyadh-gov-dc",
    "sa-health-hybrid": "onprem:riyadh-dc1",
    "sa-health-outposts": "onprem:riyadh-outpost1",
}


def placement_of(path: Path):
    loaded = load_blueprint(path)
    return loaded, resolve_placement(loaded)


def test_every_example_is_in_the_table():
    assert sorted(EXPECTED) == [p.stem for p in BLUEPRINTS]


@pytest.mark.parametrize("serving", SERVING)
@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=lambda p: p.stem)
def test_the_pipeline_runs_where_the_data_lake_is_for_every_example_and_serving_answer(blueprint, serving):
    loaded, placement = placement_of(blueprint)
    assert placed_in(loaded.model, placement, serving) == EXPECTED[blueprint.stem]
    # The data it reads never leaves the place the platform's rules put it.
    assert pipeline_place(placement, serving).where == where(placement.components["dataLake"])


def test_the_hybrid_pipeline_stays_on_site_though_tracking_is_in_a_region():
    _, placement = placement_of(HYBRID)
    assert where(placement.components["experimentTracking"]) == "me-south-1"
    assert pipeline_place(placement, "none").where == "onprem:riyadh-dc1"


def test_a_hybrid_project_serving_nothing_gets_the_site_pipeline(tmp_path):
    project = new_ml_project(HYBRID, answers={"project_name": "Bed Demand", "serving": "none"}, no_input=True,
                             output_dir=tmp_path)
    recorded = json.loads((project / ".cruft.json").read_text())["context"]["cookiecutter"]
    assert recorded["_region"] == "onprem:riyadh-dc1"
    assert 'PLACED_IN = "onprem:riyadh-dc1"' in (project / "infra" / "__main__.py").read_text()
    assert "argo submit" in (project / "Makefile").read_text()
    assert "aws sagemaker" not in (project / "Makefile").read_text()
    assert "its pipeline runs in onprem:riyadh-dc1, where the platform's data lake is" in (
        project / "README.md").read_text()


def edited(tmp_path: Path, source: Path, components: dict) -> Path:
    data = yaml.safe_load(source.read_text())
    for name, settings in components.items():
        data["spec"]["components"].setdefault(name, {}).update(settings)
    path = tmp_path / source.name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def refusal(blueprint: Path, tmp_path: Path, serving: str) -> str:
    with pytest.raises(ProjectError) as caught:
        new_ml_project(blueprint, answers={"project_name": "Bed Demand", "serving": serving}, no_input=True,
                       output_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()  # nothing written
    return "\n".join(caught.value.lines())


# Placement itself keeps serving beside the data lake (serving captures its requests into it), so no
# blueprint reaches this: a placement made by hand shows the pipeline's own rule still fails closed.
SPLIT = SimpleNamespace(components={
    "dataLake": SimpleNamespace(kind="onprem", site="riyadh-dc1", region=None),
    "experimentTracking": SimpleNamespace(kind="cloud", site=None, region="me-south-1"),
    "serving": SimpleNamespace(kind="cloud", site=None, region="me-south-1"),
})


@pytest.mark.parametrize("serving", ["realtime", "batch"])
def test_serving_placed_away_from_the_data_lake_has_no_place_and_says_why(serving):
    place = pipeline_place(SPLIT, serving)
    assert place.where is None and place.field == ("spec", "components", "serving")
    assert "where the data lake is (onprem:riyadh-dc1)" in place.problem and "(me-south-1)" in place.problem
    assert pipeline_place(SPLIT, "none").where == "onprem:riyadh-dc1"


def test_asked_interactively_only_the_serving_answers_with_a_place_are_offered():
    from qantara.project.interactive import PlatformRules

    loaded, _ = placement_of(HYBRID)
    rules = PlatformRules(loaded.model, {}, HYBRID, REPO, placement=SPLIT)
    assert rules.choices("serving", list(SERVING), {}) == ["none"]
    assert rules.problems("serving", "realtime", {}) and not rules.problems("serving", "none", {})


def test_a_platform_without_a_data_lake_is_refused_whatever_is_served(tmp_path):
    # Serving and monitoring write into the data lake, so placement wants them off with it.
    off = {"enabled": False}
    blueprint = edited(tmp_path, REPO / "blueprints" / "ae-health-cloud.yaml",
                       {"dataLake": off, "serving": off, "monitoring": off})
    message = refusal(blueprint, tmp_path, "none")
    assert message.startswith(f"{blueprint}:") and "spec.components.dataLake" in message
    assert "does not enable" in message


def _placed(tracking_kind: str | None, tracking_region: str | None):
    components = {} if tracking_kind is None else {
        "experimentTracking": SimpleNamespace(kind=tracking_kind, region=tracking_region, site=None)}
    return SimpleNamespace(components=components)


@pytest.mark.parametrize(("tracking", "place", "tracked"), [
    (("cloud", "me-central-1"), "me-central-1", True),
    (("cloud", "me-south-1"), "me-central-1", False),  # tracking in Bahrain, the pipeline in the UAE
    (("onprem", None), "onprem:riyadh-dc1", False),  # the site's MLflow: the Argo pipeline logs itself
    (("cloud", "me-south-1"), "onprem:riyadh-dc1", False),
    ((None, None), "me-central-1", False),  # no experiment tracking at all
])
def test_a_sagemaker_pipeline_logs_to_mlflow_only_where_tracking_is_in_its_own_region(tracking, place, tracked):
    from qantara.project.generate import sagemaker_tracking
    assert sagemaker_tracking(_placed(*tracking), place) is tracked


@pytest.mark.parametrize("path", BLUEPRINTS, ids=lambda p: p.stem)
def test_every_example_tracks_its_sagemaker_runs_only_with_sagemaker_mlflow_beside_its_pipeline(path):
    from qantara.project.generate import sagemaker_tracking
    loaded, placement = placement_of(path)
    place = placed_in(loaded.model, placement, "none")
    tracking = placement.components.get("experimentTracking")
    expected = tracking is not None and tracking.kind == "cloud" and not place.startswith("onprem:") \
        and tracking.region == place
    assert sagemaker_tracking(placement, place) is expected
    if path.stem == "ae-health-cloud":
        assert expected  # the UAE example logs its SageMaker runs to its own MLflow
    if path.stem == "sa-health-hybrid":
        assert not expected  # tracking in me-south-1, the pipeline on site: nothing of it goes there
