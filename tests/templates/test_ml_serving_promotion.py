"""What `qantara promote` writes is what the project's endpoint serves: the realtime cloud
example's plan, after promotion edits `infra/Pulumi.prod.yaml`, holds the promoted variants
with their weights and each version's image; a hand-edited `variants` stops the plan.

Promotion's admission (a registered version, the production approval) is tested with
promotion itself (tests/project); here it is stubbed so that only the file it writes, read by
the infra program, is under test."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_ml_pipeline_check import BLUEPRINT, INFRA, PLATFORM_EXPORTS, generated, qantara

from qantara.project import promotion

REPOSITORY = PLATFORM_EXPORTS["modelImageRepositoryUrl"]
CHAMPION, CHALLENGER = "a1b2c3d4e5f6", "0f9e8d7c6b5a"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"


@pytest.fixture(scope="module")
def realtime(tmp_path_factory) -> Path:
    """The cloud example as generated (serving=realtime, the default)."""
    return generated(tmp_path_factory.mktemp("realtime-example"), BLUEPRINT, PLATFORM_EXPORTS)


@pytest.fixture
def project(realtime, tmp_path, monkeypatch) -> Path:
    copy = tmp_path / "readmission_risk"
    shutil.copytree(realtime, copy)
    shutil.copy(realtime.parent / "platform-exports.json", tmp_path / "platform-exports.json")
    monkeypatch.setattr(promotion, "_require_admitted", lambda *args, **kwargs: None)
    return copy


def plan(project: Path) -> tuple[int, dict | str]:
    done = qantara("plan", BLUEPRINT, "--env", "prod", "--program", project / "infra", "--stack-outputs",
                   project.parent / "platform-exports.json", "--config",
                   f"{INFRA}:platformStack=dubai-care/ml-platform/prod", "--format", "json")
    if done.returncode != 0:
        return done.returncode, done.stderr
    return 0, {(r["type"], r["name"]): r for r in json.loads(done.stdout)["resources"]}


def served(resources: dict) -> dict[str, tuple[int, str]]:
    """variant name -> (weight, image), from the endpoint configuration and its models."""
    [config] = [r for key, r in resources.items() if key[0] == ENDPOINT_CONFIG]
    images = {name.rsplit("-", 1)[-1]: r["inputs"]["primaryContainer"]["image"]
              for (kind, name), r in resources.items() if kind == "aws:sagemaker/model:Model"}
    return {v["variantName"]: (v["initialVariantWeight"], images[v["variantName"]])
            for v in config["inputs"]["productionVariants"]}


def test_a_canary_serves_the_new_version_beside_the_champion_at_90_10(project):
    promotion.promote(project, "prod", CHAMPION, "full")
    promotion.promote(project, "prod", CHALLENGER, "canary")
    code, resources = plan(project)
    assert code == 0, resources
    assert served(resources) == {
        "champion": (90, f"{REPOSITORY}:readmission-risk-{CHAMPION}"),
        "challenger": (10, f"{REPOSITORY}:readmission-risk-{CHALLENGER}"),
    }


def test_full_promotion_leaves_one_variant_serving_all_the_traffic(project):
    promotion.promote(project, "prod", CHAMPION, "full")
    promotion.promote(project, "prod", CHALLENGER, "canary")
    promotion.promote(project, "prod", CHALLENGER, "full")
    code, resources = plan(project)
    assert code == 0, resources
    assert served(resources) == {"champion": (100, f"{REPOSITORY}:readmission-risk-{CHALLENGER}")}


def test_before_any_promotion_the_configured_image_is_the_champion(project):
    image = f"{REPOSITORY}:readmission-risk-0.1.0"
    done = qantara("plan", BLUEPRINT, "--env", "prod", "--program", project / "infra", "--stack-outputs",
                   project.parent / "platform-exports.json", "--config",
                   f"{INFRA}:platformStack=dubai-care/ml-platform/prod", "--config", f"{INFRA}:imageUri={image}",
                   "--format", "json")
    assert done.returncode == 0, done.stderr
    resources = {(r["type"], r["name"]): r for r in json.loads(done.stdout)["resources"]}
    assert served(resources) == {"champion": (100, image)}


@pytest.mark.parametrize("original, replacement, says", [
    # A hand-tuned canary that no longer adds up to 100.
    ("weight: 90", "weight: 100", "add up to 110"),
    # An image reference smuggled in as a model version.
    (f"modelVersion: {CHALLENGER}", "modelVersion: latest@sha256:evil", "not what `qantara promote` writes"),
])
def test_variants_edited_by_hand_stop_the_plan(project, original, replacement, says):
    promotion.promote(project, "prod", CHAMPION, "full")
    promotion.promote(project, "prod", CHALLENGER, "canary")
    config = project / "infra" / "Pulumi.prod.yaml"
    assert original in config.read_text()
    config.write_text(config.read_text().replace(original, replacement))
    code, message = plan(project)
    assert code == 2 and says in message, message
