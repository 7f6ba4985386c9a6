"""`qantara check --project DIR`: check an ML project against its platform's governance.

Loads the project's manifest (`qantara.yaml`), its model card and its platform's blueprint,
evaluates the project policies (`policies/project/`) and enforces them at the level of the
chosen platform environment, with the blueprint's waivers. Plain data in, plain data out.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path
from typing import Any

from qantara.blueprint.loader import LoadedBlueprint, load_blueprint
from qantara.blueprint.yaml_source import SourceDocument, format_field_path, load_yaml_with_positions
from qantara.errors import InputError, Problem, ProjectError
from qantara.input_file import short_repr
from qantara.policy.checkpoint import PROJECT_SUBJECTS, CheckResult, run_checkpoint
from qantara.project.ci_files import ci_files
from qantara.project.manifest import ProjectManifest, load_manifest
from qantara.project.sources import verify_blueprint_copy


def check_project(project_dir: str | os.PathLike[str], environment: str | None = None,
                  today: dt.date | None = None) -> CheckResult:
    """Check the project in `project_dir` for one of its environments (default: the last of
    `spec.environments`, the most production-like)."""
    today = today or dt.date.today()
    project_dir = Path(project_dir)
    manifest, source, manifest_path = load_manifest(project_dir)
    loaded = _load_platform(project_dir, manifest, source, manifest_path)
    card = _load_model_card(project_dir, manifest)
    # Its enforcement is the resolved platform's (the checkpoint's): mandatory when undeclared.
    env_name = _environment(manifest, source, manifest_path, environment)
    project = {
        "manifest": manifest.model_dump(mode="json", by_alias=True),
        "modelCard": card,
        "modelCardPath": manifest.spec.model_card,
        "path": str(project_dir),
        # Who started each run that registered a model: separation of duties (QA-PRJ-011).
        "lineage": _registered_runs(project_dir),
        # Days since the card's training.trainedAt, or null when it has none (QA-PRJ-012).
        "modelAgeDays": _model_age_days(card, today),
        # The CI definitions: deploys only through the approval gate, never promotes (QA-PRJ-013).
        "ci": ci_files(project_dir),
    }
    result = run_checkpoint(PROJECT_SUBJECTS, loaded, env_name, project=project, today=today)
    # A project check has no plan of its own: its infrastructure is checked with --program.
    return CheckResult(loaded.model.metadata.name, env_name, result.enforcement, result.verdict, result.findings,
                       None, {"resources": []}, project=manifest.metadata.name)


def _model_age_days(card: dict | None, today: dt.date) -> int | None:
    """Whole days from the model card's training date to `today`; None when it records none readable."""
    training = card.get("training") if isinstance(card, dict) else None
    trained_at = training.get("trainedAt") if isinstance(training, dict) else None
    if isinstance(trained_at, dt.datetime):
        return (today - trained_at.date()).days
    if isinstance(trained_at, dt.date):
        return (today - trained_at).days
    if not isinstance(trained_at, str):
        return None
    try:
        return (today - dt.datetime.fromisoformat(trained_at.replace("Z", "+00:00")).date()).days
    except ValueError:
        return None


def _registered_runs(project_dir: Path) -> list[dict]:
    """The pipeline runs that registered a model, oldest first ([] when the project has none):
    from MLflow when MLFLOW_TRACKING_URI is set (CI and the platform, where runs/ is not
    committed), else the local records. A record that is not the pipeline's is an error: it
    cannot be shown who trained the model."""
    from qantara.project.lineage import registered_runs

    return registered_runs(project_dir, tracking_uri=os.environ.get("MLFLOW_TRACKING_URI") or None)


def _located(source: SourceDocument, manifest_path: Path, field: tuple, message: str) -> ProjectError:
    line, column = source.position(field)
    return ProjectError(Problem(str(manifest_path), line, column, format_field_path(field), message))


def _load_platform(project_dir: Path, manifest: ProjectManifest, source: SourceDocument,
                   manifest_path: Path) -> LoadedBlueprint:
    """The platform's blueprint, from spec.blueprint relative to the project directory."""
    path = project_dir / manifest.spec.blueprint
    if not path.name.endswith((".yaml", ".yml")):
        # A project is someone's repository: its manifest may not make Qantara read any file
        # (a `.env`, a key) and print what it found there in a CI log.
        raise _located(source, manifest_path, ("spec", "blueprint"),
                       f"{short_repr(manifest.spec.blueprint)} is not a .yaml or .yml file (allowed: the path of "
                       f"platform {manifest.spec.platform}'s blueprint, relative to the project)")
    if not path.is_file():
        raise _located(source, manifest_path, ("spec", "blueprint"),
                       f"no blueprint at {path} (spec.blueprint is read relative to the project directory "
                       f"{project_dir}); point it at the blueprint of platform {manifest.spec.platform}")
    verify_blueprint_copy(path)
    return load_blueprint(path)


def _load_model_card(project_dir: Path, manifest: ProjectManifest) -> dict | None:
    """The model card as plain data, or None when the file is missing (a policy reports it)."""
    path = project_dir / manifest.spec.model_card
    if not path.is_file():
        return None
    try:
        card = load_yaml_with_positions(path).data
    except InputError as error:
        raise ProjectError(error.problems or error.message) from None
    return _finite(card)


def _finite(value: Any) -> Any:
    """The card with NaN and infinities as text: they are not JSON, and no bound can be met by them."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def _environment(manifest: ProjectManifest, source: SourceDocument, manifest_path: Path, name: str | None) -> str:
    """The environment checked: the one asked for, which the project must use, else its last."""
    names = manifest.spec.environments
    if name is None:
        return names[-1]
    if name not in names:
        raise _located(source, manifest_path, ("spec", "environments"),
                       f"the project does not use environment {name!r} (its environments: {', '.join(names)})")
    return name
