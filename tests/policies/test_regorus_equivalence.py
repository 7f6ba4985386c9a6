"""The opt-in regorus engine gives exactly the findings of the default regopy engine.

Three bodies of input, each evaluated on both engines with every finding compared whole
(policy, resource, message, class): every allowed and denied sample of the policy library,
every example blueprint in every environment (its offline plan, planned once), and a
synthetic platform with planted violations (so that equal is not merely "both empty").
A difference fails the build: regorus is only offered because it agrees.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from test_policy_samples import collect_samples, package_findings, sample_input

from qantara.blueprint.loader import load_blueprint
from qantara.engine.selection import engine_named, select_engine
from qantara.errors import InputError
from qantara.paths import project_root
from qantara.plan.builder import plan_blueprint
from qantara.policy.checkpoint import resolved_input
from qantara.policy.evaluate import evaluate, policy_input

pytest.importorskip("regorus", reason="the regorus engine is not installed (pip install 'qantara[regorus]')")

ROOT = project_root()
TODAY = dt.date(2026, 11, 23)
BLUEPRINTS = sorted((ROOT / "blueprints").glob("*.yaml"))
SUBJECTS = ("blueprint", "resources")


def findings_on(engine_name: str, document: dict) -> list[dict]:
    return evaluate(document, SUBJECTS + ("project",), engine=engine_named(engine_name))


def key(finding: dict) -> tuple:
    return tuple(sorted((k, str(v)) for k, v in finding.items()))


def assert_same_findings(document: dict) -> list[dict]:
    regopy = sorted(findings_on("regopy", document), key=key)
    regorus = sorted(findings_on("regorus", document), key=key)
    assert regorus == regopy
    return regopy


@pytest.mark.parametrize(("directory", "package", "kind", "sample", "data"), collect_samples())
def test_every_policy_sample_gets_the_same_findings_on_regorus(directory, package, kind, sample, data):
    document = sample_input(data, sample)
    regopy = package_findings(engine_named("regopy"), package, document)
    regorus = package_findings(engine_named("regorus"), package, document)
    assert sorted(map(key, regorus)) == sorted(map(key, regopy)), f"{kind} sample {sample['name']!r}"


def _example_environments() -> list[tuple[Path, str]]:
    return [(path, env.name) for path in BLUEPRINTS for env in load_blueprint(path).model.spec.environments]


@pytest.mark.parametrize(("path", "environment"), _example_environments(), ids=lambda v: getattr(v, "stem", v))
def test_every_example_environment_gets_the_same_findings_on_regorus(path, environment):
    loaded = load_blueprint(path)
    env = loaded.model.environment(environment)
    plan = plan_blueprint(loaded, env.name)
    document = policy_input(blueprint=loaded.model.model_dump(mode="json", by_alias=True), plan=plan,
                            environment={"name": env.name, "enforcement": env.effective_enforcement}, today=TODAY,
                            resolved=resolved_input(loaded, env.name))
    assert_same_findings(document)


def test_a_synthetic_platform_with_planted_violations_gets_the_same_findings_on_regorus(monkeypatch):
    # benchmarks/ is not a package: its generator is imported the way the benchmark imports it.
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import synthetic

    loaded = load_blueprint(ROOT / "blueprints" / "ae-health-cloud.yaml")
    document = policy_input(blueprint=loaded.model.model_dump(mode="json", by_alias=True),
                            plan=synthetic.qantara_plan(synthetic.platform(400)),
                            environment={"name": "prod", "enforcement": "mandatory"}, today=TODAY,
                            resolved=resolved_input(loaded, "prod"))
    findings = assert_same_findings(document)
    assert len({f["policy"] for f in findings}) >= 3, "the planted violations must be found"


def test_an_unknown_engine_name_is_bad_input(monkeypatch):
    with pytest.raises(InputError, match="allowed: regopy, regorus"):
        select_engine("opa-wasm")


def test_check_with_engine_regorus_gives_the_regopy_report():
    blueprint = ROOT / "blueprints" / "ae-health-cloud.yaml"
    command = [sys.executable, "-c", "from qantara.cli import main; main()", "check", str(blueprint), "--env", "dev",
               "--format", "json"]
    regopy = subprocess.run([*command, "--engine", "regopy"], capture_output=True, text=True, timeout=300, check=False)
    regorus = subprocess.run([*command, "--engine", "regorus"], capture_output=True, text=True, timeout=300, check=False)
    assert regopy.returncode == regorus.returncode == 0, regorus.stderr
    assert regorus.stdout == regopy.stdout
