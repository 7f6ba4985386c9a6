"""A planning child started before its request (`qantara check` starts it, then places the
blueprint): it plans exactly what a child started with its request plans, trusts nothing it
imported early, and never outlives a check that stopped before planning."""

from __future__ import annotations

from pathlib import Path

import pytest

from qantara.blueprint.loader import load_blueprint
from qantara.check import check_blueprint
from qantara.errors import BlueprintError, PlannerFault, QantaraError
from qantara.plan import early
from qantara.plan.builder import plan_blueprint, start_planning
from qantara.plan.child import Planner, _module_names, plan_program

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ('import pulumi_aws as aws\n'
           'provider = aws.Provider("uae", region="me-central-1")\n'
           'aws.s3.Bucket("records", opts=__import__("pulumi").ResourceOptions(provider=provider))\n')
CONFIG = {"aws:region": "me-central-1"}


def _program(tmp_path: Path) -> Path:
    program = tmp_path / "program"
    program.mkdir()
    (program / "__main__.py").write_text(PROGRAM, encoding="utf-8")
    return program


def test_a_planner_warmed_with_modules_that_do_not_exist_plans_the_same_program_alike(tmp_path):
    program = _program(tmp_path)
    with Planner(program, ("no_such_module_anywhere", "pulumi_aws.no_such_service", "pulumi_aws.s3")) as planner:
        early = planner.plan(project="p", stack="prod", config=CONFIG)
    assert early == plan_program(program, project="p", stack="prod", config=CONFIG)
    assert "aws:s3/bucket:Bucket" in [r["type"] for r in early["resources"]]


def test_a_planner_whose_request_never_comes_is_stopped(tmp_path):
    with pytest.raises(RuntimeError), Planner(_program(tmp_path)) as planner:
        raise RuntimeError("the blueprint was refused before planning")
    assert planner._process.poll() is not None


def test_a_refused_blueprint_leaves_no_planning_child_behind(tmp_path, monkeypatch):
    started = _recording_planners(monkeypatch)
    refused = tmp_path / "refused.yaml"
    text = (ROOT / "blueprints" / "ae-health-cloud.yaml").read_text(encoding="utf-8")
    # Patient data pinned to Frankfurt: the schema accepts it, placement refuses it.
    refused.write_text(text.replace("region: me-central-1", "region: eu-central-1", 1), encoding="utf-8")
    with pytest.raises(BlueprintError):
        check_blueprint(refused, "prod")
    assert started and all(p._process.poll() is not None for p in started)


def test_a_planner_started_for_one_program_refuses_to_plan_another(tmp_path):
    loaded = load_blueprint(ROOT / "blueprints" / "ae-health-cloud.yaml")
    with Planner(_program(tmp_path)) as planner, pytest.raises(PlannerFault, match="was handed the plan of"):
        plan_blueprint(loaded, "prod", planner=planner)


def test_only_the_platform_program_of_a_cloud_blueprint_is_warmed_with_the_platform_modules(tmp_path):
    cloud = load_blueprint(ROOT / "blueprints" / "ae-health-cloud.yaml")
    onprem = load_blueprint(ROOT / "blueprints" / "sa-government-onprem.yaml")
    for loaded, program, warmed in ((cloud, None, True), (cloud, _program(tmp_path), False), (onprem, None, False)):
        with start_planning(loaded, program) as planner:
            assert ("qantara.aws_platform" in planner.warmed) is warmed


def test_the_warm_list_holds_every_aws_module_a_recorded_cloud_platform_plan_uses():
    # The warm-up is only worth its list: a module the platform gains (the approval timer's
    # Step Functions) and the list misses is imported late, after placement, on the critical path.
    import gzip
    import json

    used = set()
    for recorded in (ROOT / "tests" / "fixtures" / "recorded_plans").glob("*.json.gz"):
        stem = recorded.name.split(".")[0]
        if load_blueprint(ROOT / "blueprints" / f"{stem}.yaml").model.spec.deployment != "cloud":
            continue  # only a cloud platform's child is warmed
        plan = json.loads(gzip.decompress(recorded.read_bytes()))
        used |= {r["type"].split(":")[1].split("/")[0] for r in plan["resources"] if r["type"].startswith("aws:")}
    assert used, "no recorded plan has an AWS resource"
    assert {f"pulumi_aws.{module}" for module in used} <= set(early.CLOUD_PLATFORM_MODULES)


def _recording_planners(monkeypatch) -> list[Planner]:
    started: list[Planner] = []
    real = early.Planner

    def recording(*args, **kwargs):
        started.append(real(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(early, "Planner", recording)
    return started


@pytest.mark.parametrize("problem", ["a blueprint that does not parse", "an environment it does not declare"])
def test_a_check_stopped_before_the_blueprint_loads_leaves_no_planning_child_behind(tmp_path, monkeypatch, problem):
    # The child now starts before the blueprint is even read.
    started = _recording_planners(monkeypatch)
    blueprint = tmp_path / "platform.yaml"
    if problem == "a blueprint that does not parse":
        blueprint.write_text("apiVersion: qantara.dev/v1\nkind: [Blueprint\n", encoding="utf-8")
        environment = "prod"
    else:
        blueprint.write_text((ROOT / "blueprints" / "ae-health-cloud.yaml").read_text(encoding="utf-8"), encoding="utf-8")
        environment = "no-such-environment"
    with pytest.raises(QantaraError):
        check_blueprint(blueprint, environment)
    assert started and all(p._process.poll() is not None for p in started)


def test_a_planner_is_told_what_to_warm_once(tmp_path):
    with Planner(_program(tmp_path), ("pulumi_aws.s3",)) as planner, pytest.raises(PlannerFault, match="twice"):
        planner.warm(("pulumi_aws.iam",))


@pytest.mark.parametrize(("line", "names"), [
    ('["pulumi_aws.s3", "qantara.aws_platform"]\n', ["pulumi_aws.s3", "qantara.aws_platform"]),
    ("\n", []), ("not json\n", []), ('{"pulumi_aws.s3": true}\n', []), ('["pulumi_aws.s3", 3, null]\n', ["pulumi_aws.s3"]),
])
def test_the_child_warms_only_a_list_of_names_and_nothing_from_anything_else(line, names):
    assert _module_names(line) == names


def test_importing_the_check_imports_nothing_the_child_could_not_start_before():
    # The head start is the blueprint models', the planner's and the engine's imports: a
    # top-level import of any of them in qantara.check would start the child after them.
    import subprocess
    import sys

    probe = ("import sys, qantara.check; heavy = [m for m in ('pydantic', 'yaml', 'regopy', 'qantara.blueprint.models', "
             "'qantara.plan.builder', 'qantara.policy.evaluate') if m in sys.modules]; print(heavy)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
