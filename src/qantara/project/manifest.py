"""The ML project manifest `qantara.yaml` (`kind: MLProject`) as strict pydantic models.

A generated project carries one; `qantara check --project DIR` reads it with the model
card it names. The manifest declares what governance needs to know about a project: whose
it is, which platform and data it uses, how it is evaluated, who approved it and how it is
watched. Whether those declarations are *sufficient* is the project policies' call
(`policies/project/`), not this schema's: an incomplete but well-formed manifest loads.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from qantara.blueprint.loader import load_model
from qantara.blueprint.models import (
    CLASSIFICATION_ORDER,
    DNS_LABEL,
    Classification,
    DnsLabel,
    EnvironmentName,
    NonBlank,
    StrictModel,
    _duplicates,
    _Violations,
)
from qantara.blueprint.yaml_source import SourceDocument
from qantara.errors import ProjectError

MANIFEST_FILE = "qantara.yaml"
PROJECT_KIND = "MLProject"

Metric = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


class ProjectMetadata(StrictModel):
    name: DnsLabel = Field(description="Project name, a DNS label.")
    owner: NonBlank = Field(description="Person accountable for the model.")
    team: NonBlank = Field(description="Team that maintains the project.")
    description: str = Field("", description="What the model is for.")


class Dataset(StrictModel):
    name: Annotated[str, StringConstraints(pattern=DNS_LABEL, max_length=63)] = Field(description="Dataset name.")
    classification: Classification = Field(description="Highest data class the dataset holds.")
    source: NonBlank = Field(description="Where it comes from: a platform bucket prefix, table or file.")
    description: str = Field("", description="What it holds.")


class Threshold(StrictModel):
    metric: Metric = Field(description="Metric name as logged to MLflow, e.g. roc_auc.")
    min: float | None = Field(None, strict=False, description="Lowest acceptable value.")
    max: float | None = Field(None, strict=False, description="Highest acceptable value.")

    @model_validator(mode="after")
    def _bounded(self) -> Threshold:
        violations = _Violations()
        if self.min is None and self.max is None:
            violations.add(("min",), f"threshold for {self.metric} needs min, max or both")
        elif self.min is not None and self.max is not None and self.min > self.max:
            violations.add(("max",), f"max {self.max} is below min {self.min}")
        violations.raise_if_any()
        return self


class Evaluation(StrictModel):
    primary_metric: Metric | None = Field(None, description="The metric that decides between candidate models.")
    thresholds: list[Threshold] = Field(default_factory=list, description="Bounds a model must meet to be registered.")


class BiasCheck(StrictModel):
    enabled: bool = Field(description="Whether the training run measures bias across sensitive features.")
    sensitive_features: list[NonBlank] = Field(default_factory=list, description="Features bias is measured across.")
    metric: Metric | None = Field(None, description="Disparity metric, e.g. demographic_parity_difference.")
    max_disparity: float | None = Field(None, strict=False, ge=0, description="Largest acceptable disparity.")


class Approval(StrictModel):
    environment: EnvironmentName = Field(description="Environment the approval admits the model to.")
    approved_by: NonBlank = Field(description="Who approved: one of the environment's approvers.")
    # An ISO date string is the only way to write a date in YAML 1.2 core, hence lax here.
    date: dt.date = Field(strict=False, description="Day of the approval (YYYY-MM-DD).")
    reference: NonBlank = Field(description="Ticket, minutes or record of the decision.")
    model_version: NonBlank | None = Field(None, description="The registered model version approved "
                                                             "(`make lineage` names it); default: the latest registered.")


class Drift(StrictModel):
    enabled: bool = Field(description="Whether input drift is measured against the training baseline.")
    schedule: Literal["hourly", "daily"] = Field("daily", description="How often drift is measured.")
    # Not infinite: a number the alert could never pass is no threshold (how large one may be is
    # QA-PRJ-006's call, from policies/data/drift.yaml).
    threshold: float | None = Field(None, strict=False, gt=0, allow_inf_nan=False,
                                    description="Drift score that raises an alert: on site the population stability "
                                                "index, in the cloud Model Monitor's baseline drift distance.")


class Monitoring(StrictModel):
    drift: Drift | None = Field(None, description="Input drift monitoring.")
    alerts_to: NonBlank | None = Field(None, description="Who is alerted: an address or on-call rotation.")


class ProjectSpec(StrictModel):
    blueprint: NonBlank = Field(description="Path of the platform's blueprint, relative to the project.")
    platform: DnsLabel = Field(description="The platform's name (the blueprint's metadata.name).")
    environments: list[EnvironmentName] = Field(min_length=1, description="Platform environments the project uses.")
    data_classification: Classification = Field(description="Highest data class the project handles.")
    problem_type: Literal["classification", "regression", "forecasting"] = Field(description="What the model predicts.")
    framework: NonBlank = Field(description="Training framework, e.g. scikit-learn.")
    serving: Literal["realtime", "batch", "none"] = Field(description="How predictions are served.")
    model_card: NonBlank = Field("model_card.yaml", description="Path of the structured model card, relative to the project.")
    datasets: list[Dataset] = Field(default_factory=list, description="Data the project reads.")
    evaluation: Evaluation = Field(default_factory=Evaluation, description="How candidate models are judged.")
    bias_check: BiasCheck | None = Field(None, description="Bias measurement of the training run.")
    approvals: list[Approval] = Field(default_factory=list, description="Recorded approvals, per environment.")
    monitoring: Monitoring | None = Field(None, description="How the served model is watched.")

    @model_validator(mode="after")
    def _consistent(self) -> ProjectSpec:
        violations = _Violations()
        for i, first in _duplicates(self.environments, lambda e: e):
            violations.add(("environments", i), f"duplicate environment '{self.environments[i]}' (first at environments[{first}])")
        for i, first in _duplicates(self.datasets, lambda d: d.name):
            violations.add(("datasets", i, "name"), f"duplicate dataset '{self.datasets[i].name}' (first at datasets[{first}])")
        for i, dataset in enumerate(self.datasets):
            order = CLASSIFICATION_ORDER
            if order.index(dataset.classification) > order.index(self.data_classification):
                violations.add(("datasets", i, "classification"),
                               f"'{dataset.classification}' is above the project's class '{self.data_classification}'")
        for i, approval in enumerate(self.approvals):
            if approval.environment not in self.environments:
                violations.add(("approvals", i, "environment"), f"'{approval.environment}' is not one of the project's "
                                                                f"environments (allowed: {', '.join(self.environments)})")
        violations.raise_if_any()
        return self


class ProjectManifest(StrictModel):
    """An ML project on a Qantara platform: what governance checks before it ships."""

    api_version: Literal["qantara.dev/v1"] = Field(description="Schema version of this document.")
    kind: Literal["MLProject"] = Field(description="Document kind.")
    metadata: ProjectMetadata = Field(description="Name, owner and team of the project.")
    spec: ProjectSpec = Field(description="Platform, data, evaluation, approvals and monitoring.")


def load_manifest(project_dir: str | os.PathLike[str]) -> tuple[ProjectManifest, SourceDocument, Path]:
    """The manifest of the project in `project_dir`; any failure is a located `ProjectError`."""
    path = Path(project_dir) / MANIFEST_FILE
    if not path.is_file():
        raise ProjectError(f"{path}: no project manifest; a Qantara ML project has a {MANIFEST_FILE} at its root")
    model, source = load_model(path, ProjectManifest, ProjectError)
    return model, source, path
