"""`qantara promote`: a registered model version replaces the served one, canary first, then full.

Serving is declared by the project's infra program (`ModelServing`'s variants and their
weights); what it serves in an environment is the Pulumi stack config `variants` of that
environment's stack (`infra/Pulumi.<environment>.yaml`, the stack named after the
environment), which this module alone edits, so nobody weighs traffic by hand:

- `canary`: the champion keeps most traffic, the new version gets `canary_weight` percent as
  the challenger;
- `full`: the challenger that went through canary becomes the champion at 100 percent (a
  first deployment, with no champion to compare with, goes straight to full);
- `rollback`: the challenger is dropped, the champion takes all traffic again.

Nothing is promoted that no pipeline run registered, and never into a production environment
without what `qantara check --project --env <prod>` requires: an approval of this very model
version by one of the environment's approvers who did not train it (QA-PRJ-005, QA-PRJ-011).
The CI deploy job runs the same check before `pulumi up`; this refusal is the local half.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from pathlib import Path

import yaml

from qantara.errors import ProjectError
from qantara.input_file import short_repr

STEPS = ("canary", "full", "rollback")
CANARY_WEIGHT = 10
CHAMPION, CHALLENGER = "champion", "challenger"
CONFIG_KEY = "variants"
INFRA_DIR = "infra"


# The one format of the project's image tags in the platform's image repository, which the
# infra program, `make image`, `make model-image` and the generated CI all take from image_tag:
# the code image (what the pipeline's steps run) is `<project>-<package version>`, and the image
# a registered model version is served from (the code image with that version's archive in
# /opt/ml/model) is `<project>-<model version>`. Docker's tag grammar bounds both.
IMAGE_TAG = "{project}-{version}"
DOCKER_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
PYPROJECT = "pyproject.toml"


def image_tag(project: str, version: str) -> str:
    """The tag of `project`'s image for `version` (a package version or a model version)."""
    tag = IMAGE_TAG.format(project=project, version=version)
    if not DOCKER_TAG.match(tag) or not DOCKER_TAG.match(version):
        raise ProjectError(f"image tag {short_repr(tag)} of project {short_repr(project)} and version "
                           f"{short_repr(version)} is not a valid image tag (allowed: letters, digits, `_`, `.` and "
                           f"`-`, at most 128 characters)")
    return tag


def package_version(project_dir: Path) -> str:
    """The project's own version: `[project] version` of its pyproject.toml, the one place it is written."""
    path = Path(project_dir) / PYPROJECT
    try:
        version = tomllib.loads(path.read_text(encoding="utf-8"))["project"]["version"]
    except OSError as error:
        raise ProjectError(f"{path}: not readable ({error.strerror}); the project's version is read from it") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, KeyError, TypeError):
        raise ProjectError(f"{path}: no `[project] version` (a static version string is what the image is tagged "
                           f"with)") from None
    if not isinstance(version, str):
        raise ProjectError(f"{path}: `[project] version` is not a string")
    return version


def code_image_tag(project_dir: str | os.PathLike[str]) -> str:
    """The tag of the project's code image: what `make image` builds and the pipeline's steps run."""
    from qantara.project.manifest import load_manifest

    project_dir = Path(project_dir)
    return image_tag(load_manifest(project_dir)[0].metadata.name, package_version(project_dir))


def model_image_tag(project_dir: str | os.PathLike[str], model_version: str) -> str:
    """The tag of the image `model_version` is served from once promoted."""
    from qantara.project.lineage import MODEL_VERSION
    from qantara.project.manifest import load_manifest

    if not MODEL_VERSION.match(model_version):
        raise ProjectError(f"model version {short_repr(model_version)} (allowed: 1 to 64 letters, digits, "
                           f"`.`, `_` and `-`; `make lineage` names the versions)")
    return image_tag(load_manifest(Path(project_dir))[0].metadata.name, model_version)


def served_image_tags(project_dir: str | os.PathLike[str], environment: str) -> list[tuple[str, str]]:
    """(model version, image tag) of each variant `environment` serves once promoted (none before)."""
    project_dir = Path(project_dir)
    path = stack_config_path(project_dir, environment)
    document, key = _read_stack_config(project_dir, path)
    return [(v["modelVersion"], model_image_tag(project_dir, v["modelVersion"]))
            for v in _variants(document, key, path)]


def site_image_repository(project_dir: str | os.PathLike[str]) -> str:
    """`<site registry>/<project>`: where an on-prem project's images go, as its Argo workflow pulls them."""
    from qantara.project.manifest import load_manifest

    project_dir = Path(project_dir)
    manifest = load_manifest(project_dir)[0]
    site = _platform_blueprint(project_dir, manifest).spec.on_prem
    if site is None or site.registry is None:
        raise ProjectError(f"the platform's blueprint ({manifest.spec.blueprint}) names no site registry "
                           f"(spec.onPrem.registry): an on-prem project's images come from the site registry only")
    return f"{site.registry}/{manifest.metadata.name}"


def stack_config_path(project_dir: Path, environment: str) -> Path:
    return project_dir / INFRA_DIR / f"Pulumi.{environment}.yaml"


def promote(project_dir: str | os.PathLike[str], environment: str, model_version: str, step: str, *,
            canary_weight: int = CANARY_WEIGHT, today: dt.date | None = None) -> dict:
    """Move `model_version` one step towards serving all of `environment`'s traffic; what is served now."""
    project_dir = Path(project_dir)
    if step not in STEPS:
        raise ProjectError(f"--step {short_repr(step)} (allowed: {', '.join(STEPS)})")
    if not 1 <= canary_weight <= 50:
        raise ProjectError(f"--canary-weight {canary_weight}: a canary takes 1 to 50 percent of the traffic")
    _require_admitted(project_dir, environment, model_version, today)
    path = stack_config_path(project_dir, environment)
    document, key = _read_stack_config(project_dir, path)
    current = _variants(document, key, path)
    variants = next_variants(current, model_version, step, canary_weight)
    document.setdefault("config", {})[key] = variants
    _write(path, document)
    return {"environment": environment, "file": str(path), "variants": variants}


def next_variants(current: list[dict], model_version: str, step: str, canary_weight: int = CANARY_WEIGHT) -> list[dict]:
    """The variants after `step`, from the `current` ones; a step out of order is refused."""
    by_name = {v["name"]: v for v in current}
    champion, challenger = by_name.get(CHAMPION), by_name.get(CHALLENGER)
    if step == "rollback":
        if champion is None or challenger is None:
            raise ProjectError("nothing to roll back: no canary is being served (allowed: rollback during a canary)")
        return [{**champion, "weight": 100}]
    if step == "canary":
        if champion is None:
            raise ProjectError(f"no model is served yet, so there is nothing to compare a canary with: promote "
                               f"{model_version} with --step full")
        if champion["modelVersion"] == model_version:
            raise ProjectError(f"model version {model_version} is already the champion")
        return [{**champion, "weight": 100 - canary_weight},
                {"name": CHALLENGER, "modelVersion": model_version, "weight": canary_weight}]
    if champion is not None and champion["modelVersion"] == model_version and challenger is None:
        raise ProjectError(f"model version {model_version} already serves all the traffic")
    if champion is not None and (challenger is None or challenger["modelVersion"] != model_version):
        raise ProjectError(f"model version {model_version} has not been served as a canary: promote it with "
                           f"--step canary first, watch it, then --step full")
    return [{"name": CHAMPION, "modelVersion": model_version, "weight": 100}]


def _require_admitted(project_dir: Path, environment: str, model_version: str, today: dt.date | None) -> None:
    """Refuse a version no run registered, and a production promotion the project check fails."""
    from qantara.project.check import check_project
    from qantara.project.lineage import registered_runs
    from qantara.project.manifest import load_manifest

    manifest = load_manifest(project_dir)[0]
    if environment not in manifest.spec.environments:
        raise ProjectError(f"--env {short_repr(environment)} is not one of the project's environments "
                           f"(allowed: {', '.join(manifest.spec.environments)})")
    runs = registered_runs(project_dir, tracking_uri=os.environ.get("MLFLOW_TRACKING_URI") or None)
    versions = [run["modelVersion"] for run in runs]
    if model_version not in versions:
        raise ProjectError(f"model version {short_repr(model_version)}: no pipeline run registered it "
                           f"(registered: {', '.join(versions) or 'none'}; `make lineage` names them)")
    result = check_project(project_dir, environment, today=today)
    blocking = [f for f in result.findings if f["enforcement"] == "mandatory"]
    if blocking:
        reasons = "\n".join(f"  {f['policy']}: {f['message']}" for f in blocking)
        raise ProjectError(f"model version {model_version} cannot be promoted in {environment}: "
                           f"`qantara check --project . --env {environment}` fails:\n{reasons}")
    platform_environment = _platform_environment(project_dir, manifest, environment)
    if platform_environment is not None and not platform_environment.is_production:
        return
    # The check passes when some approval of the environment holds (QA-PRJ-005, QA-PRJ-011);
    # promotion needs one that holds for this very version, as those policies judge it.
    author = next(run["startedBy"] for run in reversed(runs) if run["modelVersion"] == model_version)
    approvers = platform_environment.approvers if platform_environment is not None else []
    approved = [a for a in manifest.spec.approvals if a.environment == environment
                and (a.model_version or versions[-1]) == model_version and a.approved_by in approvers
                and a.date <= (today or dt.date.today())
                and a.approved_by.strip().lower() != author.strip().lower()]
    if not approved:
        raise ProjectError(f"model version {model_version} cannot be promoted in production environment "
                           f"{environment}: no approval of this version is recorded by one of its approvers "
                           f"({', '.join(approvers) or 'none named'}) other than {author}, who trained it "
                           f"(spec.approvals with modelVersion: {model_version})")


def _platform_blueprint(project_dir: Path, manifest):
    from qantara.blueprint.loader import load_blueprint

    return load_blueprint(project_dir / manifest.spec.blueprint).model


def _platform_environment(project_dir: Path, manifest, environment: str):
    """The platform's declaration of `environment`; None when it declares none (then production: fail closed)."""
    platform = _platform_blueprint(project_dir, manifest)
    return next((e for e in platform.spec.environments if e.name == environment), None)


def _read_stack_config(project_dir: Path, path: Path) -> tuple[dict, str]:
    """The stack config document (empty when the stack has none yet) and the namespaced key."""
    project_file = project_dir / INFRA_DIR / "Pulumi.yaml"
    try:
        name = yaml.safe_load(project_file.read_text(encoding="utf-8"))["name"]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        raise ProjectError(f"{project_file}: not the infra program's Pulumi.yaml with a name; promotion edits "
                           f"that program's stack config") from None
    if not path.exists():
        return {}, f"{name}:{CONFIG_KEY}"
    if path.is_symlink() or not path.is_file():
        raise ProjectError(f"{path}: not a regular file (allowed: the stack's Pulumi config file)")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        raise ProjectError(f"{path}: not valid YAML ({error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("config", {}), dict):
        raise ProjectError(f"{path}: a stack config is a mapping with a `config` mapping")
    return document, f"{name}:{CONFIG_KEY}"


def _variants(document: dict, key: str, path: Path) -> list[dict]:
    variants = document.get("config", {}).get(key, [])
    ok = isinstance(variants, list) and all(
        isinstance(v, dict) and v.get("name") in (CHAMPION, CHALLENGER) and isinstance(v.get("modelVersion"), str)
        and isinstance(v.get("weight"), int) for v in variants)
    if not ok or sum(v["weight"] for v in variants) not in (0, 100) or len({v["name"] for v in variants}) != len(variants):
        raise ProjectError(f"{path}: config {key} is not what `qantara promote` writes (allowed: a champion and at "
                           f"most one challenger, each with modelVersion and an integer weight, weights adding up "
                           f"to 100); was it edited by hand? Restore it from version control")
    return variants


def _write(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    header = "# Variants and weights are written by `qantara promote` (make promote); do not edit them by hand.\n"
    temporary.write_text(header + yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    temporary.replace(path)
