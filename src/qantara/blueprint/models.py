"""Blueprint v1 (`apiVersion: qantara.dev/v1`, `kind: Blueprint`) as strict pydantic models.

Field rules live on the fields; rules that compare fields live in `model_validator(mode=
"after")` on the smallest model holding them. Those validators report through
`_Violations`: one `PydanticCustomError` of type `RULE_ERROR` whose `ctx["violations"]`
lists `(path relative to the model, message)`, so the loader can point each at its line.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from datetime import date
from typing import Annotated, Literal, TypeVar, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from qantara.blueprint.yaml_source import FieldPath, format_field_path

API_VERSION = "qantara.dev/v1"
RULE_ERROR = "blueprint_rule"

Classification = Literal["public", "internal", "confidential", "restricted", "secret"]
CLASSIFICATION_ORDER: tuple[str, ...] = get_args(Classification)  # lowest first

DNS_LABEL = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
COUNTRY = r"^[A-Z]{2}$"
JURISDICTION = r"^[A-Z]{2}(-[A-Z0-9]{2,10})?$"
AWS_REGION = r"^[a-z]{2,4}(-[a-z]+)+-\d+$"
POLICY_ID = r"^QA-[A-Z]+-\d{3}$"
SECTOR = r"^[a-z]+(-[a-z]+)*$"
NON_BLANK = r"\S"

# What each pattern means, for messages: users should not have to read a regex.
PATTERN_HINTS = {
    DNS_LABEL: "a DNS label: lowercase letters, digits and '-', starting and ending alphanumeric",
    COUNTRY: "an ISO 3166-1 alpha-2 country code such as AE or SA",
    JURISDICTION: "an ISO 3166-1 alpha-2 code or EU, optionally with a zone, such as AE or AE-DIFC",
    AWS_REGION: "an AWS region code such as me-central-1",
    POLICY_ID: "a policy id such as QA-RES-003",
    SECTOR: "a lowercase word such as health or finance",
    NON_BLANK: "non-blank text",
}

DnsLabel = Annotated[str, StringConstraints(pattern=DNS_LABEL, max_length=63)]
EnvironmentName = Annotated[str, StringConstraints(pattern=DNS_LABEL, max_length=20)]
CountryCode = Annotated[str, StringConstraints(pattern=COUNTRY)]
AwsRegion = Annotated[str, StringConstraints(pattern=AWS_REGION)]
NonBlank = Annotated[str, StringConstraints(min_length=1, pattern=NON_BLANK)]


def _not_aws_reserved(key: str) -> str:
    if key.lower().startswith("aws:"):
        raise PydanticCustomError("aws_reserved_tag", "'{key}' starts with 'aws:', a prefix AWS reserves", {"key": key})
    return key


TagKey = Annotated[str, StringConstraints(min_length=1, max_length=128), AfterValidator(_not_aws_reserved)]
TagValue = Annotated[str, StringConstraints(max_length=256)]


class UnknownNameError(KeyError):
    """A name looked up in a blueprint that it does not declare; says which names exist."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0])


class _Violations:
    """Collects cross-field problems so one validator reports them all, each at its field."""

    def __init__(self) -> None:
        self.items: list[tuple[FieldPath, str]] = []

    def add(self, path: FieldPath, message: str) -> None:
        self.items.append((path, message))

    def raise_if_any(self) -> None:
        if self.items:
            summary = "; ".join(f"{format_field_path(p)}: {m}" for p, m in self.items)
            raise PydanticCustomError(RULE_ERROR, "{summary}", {"summary": summary, "violations": tuple(self.items)})


T = TypeVar("T")


def _duplicates(items: Iterable[T], key: Callable[[T], Hashable]) -> Iterator[tuple[int, int]]:
    """(index, index of its first occurrence) for every repeat of `key` in `items`."""
    first: dict[Hashable, int] = {}
    for index, item in enumerate(items):
        first_index = first.setdefault(key(item), index)
        if first_index != index:
            yield index, first_index


class StrictModel(BaseModel):
    """Base of every blueprint model: unknown keys are typos, and "365" is not 365."""

    model_config = ConfigDict(extra="forbid", strict=True, alias_generator=to_camel, populate_by_name=True)


class Metadata(StrictModel):
    name: DnsLabel = Field(description="Platform name, a DNS label (at most 63 characters).")
    owner: NonBlank = Field(description="Team or person accountable for the platform.")
    description: str = Field("", description="Free text describing the platform.")


class Cloud(StrictModel):
    provider: Literal["aws"] = Field("aws", description="Cloud provider.")
    region: AwsRegion | None = Field(None, description="Primary region; resolved from the rules when absent.")
    dr_region: AwsRegion | None = Field(None, description="Disaster-recovery region, distinct from the primary.")

    @model_validator(mode="after")
    def _dr_region_differs(self) -> Cloud:
        violations = _Violations()
        if self.dr_region is not None and self.dr_region == self.region:
            violations.add(("drRegion",), f"'{self.dr_region}' is also the primary region; pick another for DR")
        violations.raise_if_any()
        return self


class OnPrem(StrictModel):
    site: DnsLabel = Field(description="Name of the on-premises site, a DNS label.")
    country: CountryCode = Field(description="Country of the site, ISO 3166-1 alpha-2.")
    kube_context: str | None = Field(None, description="Kubernetes context that reaches the site's cluster.")


class Environment(StrictModel):
    name: EnvironmentName = Field(description="Environment name, a DNS label of at most 20 characters.")
    enforcement: Literal["advisory", "mandatory"] | None = Field(
        None, description="Whether failed policies block; default advisory for dev, mandatory otherwise."
    )
    approvers: list[NonBlank] = Field(default_factory=list, description="People or groups who must approve changes.")

    @property
    def effective_enforcement(self) -> str:
        """The enforcement level in force: the explicit one, else advisory for dev only."""
        if self.enforcement is not None:
            return self.enforcement
        return "advisory" if self.name == "dev" else "mandatory"


class ComponentSpec(StrictModel):
    enabled: bool = Field(True, description="Whether the platform has this component.")
    placement: Literal["cloud", "onprem"] | None = Field(
        None, description="Where it runs; chosen by placement when absent."
    )
    data_classification: Classification | None = Field(
        None, description="Highest data class it holds when lower than the platform's."
    )


class FeatureStoreSpec(ComponentSpec):
    online: bool = Field(False, description="Whether an online (low-latency) store is provisioned.")


class ExperimentTrackingSpec(ComponentSpec):
    size: Literal["Small", "Medium", "Large"] = Field("Small", description="Tracking server size.")


class Components(StrictModel):
    """The seven platform components; an omitted one is present and enabled."""

    data_lake: ComponentSpec = Field(default_factory=ComponentSpec, description="Raw and curated data storage.")
    feature_store: FeatureStoreSpec = Field(default_factory=FeatureStoreSpec, description="Feature store.")
    experiment_tracking: ExperimentTrackingSpec = Field(
        default_factory=ExperimentTrackingSpec, description="Experiment tracking server."
    )
    model_registry: ComponentSpec = Field(default_factory=ComponentSpec, description="Model registry.")
    serving: ComponentSpec = Field(default_factory=ComponentSpec, description="Model serving endpoints.")
    monitoring: ComponentSpec = Field(default_factory=ComponentSpec, description="Model and data monitoring.")
    audit: ComponentSpec = Field(default_factory=ComponentSpec, description="Audit trail storage.")

    def by_name(self) -> dict[str, ComponentSpec]:
        """Every component keyed by its YAML name (`dataLake`, ...), in declaration order."""
        return {info.alias or name: getattr(self, name) for name, info in type(self).model_fields.items()}

    def get(self, name: str) -> ComponentSpec:
        """A component by YAML name (`dataLake`) or Python name (`data_lake`)."""
        components = self.by_name()
        spec = components.get(name, components.get(to_camel(name)))
        if spec is None:
            raise UnknownNameError(f"unknown component '{name}' (allowed: {', '.join(components)})")
        return spec


class Waiver(StrictModel):
    policy: Annotated[str, StringConstraints(pattern=POLICY_ID)] = Field(
        description="Policy id waived, e.g. QA-RES-003."
    )
    resources: NonBlank = Field("*", description="Glob of resource names the waiver covers.")
    reason: NonBlank = Field(description="Why the policy is waived.")
    approved_by: NonBlank = Field(description="Who approved the waiver.")
    # An ISO date string is the only way to write a date in YAML 1.2 core, hence lax here.
    expires: date = Field(strict=False, description="Last day the waiver applies (YYYY-MM-DD).")


class Transfer(StrictModel):
    country: CountryCode = Field(description="Destination country, ISO 3166-1 alpha-2.")
    mechanism: Literal["adequacy", "safeguards", "licence", "authorisation", "consent", "exemption"] = Field(
        description="Legal basis of the cross-border transfer."
    )
    reference: NonBlank = Field(description="Reference of the decision, contract or licence.")
    approved_by: NonBlank = Field(description="Who approved the transfer.")


class Governance(StrictModel):
    stage: Literal["initial", "managed", "integrated", "optimized"] = Field(
        "managed", description="Target maturity stage: policies of this stage and below apply."
    )
    audit_retention_days: int = Field(365, ge=1, description="Days audit records are kept.")
    waivers: list[Waiver] = Field(default_factory=list, description="Approved exceptions to policies.")
    transfers: list[Transfer] = Field(default_factory=list, description="Approved cross-border data transfers.")

    @model_validator(mode="after")
    def _no_duplicates(self) -> Governance:
        violations = _Violations()
        for i, first in _duplicates(self.waivers, lambda w: (w.policy, w.resources)):
            violations.add(("waivers", i), f"duplicate waiver of {self.waivers[i].policy} for the same resources "
                                            f"(first at waivers[{first}])")
        for i, first in _duplicates(self.transfers, lambda t: (t.country, t.mechanism)):
            violations.add(("transfers", i), f"duplicate {self.transfers[i].mechanism} transfer to "
                                              f"{self.transfers[i].country} (first at transfers[{first}])")
        violations.raise_if_any()
        return self


class Spec(StrictModel):
    jurisdiction: Annotated[str, StringConstraints(pattern=JURISDICTION)] = Field(
        description="Governing jurisdiction: ISO 3166-1 alpha-2 or EU, optionally a zone (AE-DIFC)."
    )
    data_classification: Classification = Field(description="Highest data class the platform holds.")
    sectors: list[Annotated[str, StringConstraints(pattern=SECTOR)]] = Field(
        default_factory=list, description="Regulated sectors served (health, finance...): they tighten residency."
    )
    deployment: Literal["cloud", "hybrid", "on-prem"] = Field(description="Where the platform runs.")
    cloud: Cloud | None = Field(None, description="Cloud settings; required for cloud and hybrid deployments.")
    on_prem: OnPrem | None = Field(None, description="On-premises site; required for on-prem and hybrid deployments.")
    environments: list[Environment] = Field(min_length=1, description="Environments, at least one (dev, prod...).")
    components: Components = Field(default_factory=Components, description="Platform components.")
    governance: Governance = Field(default_factory=Governance, description="Maturity target, audit and exceptions.")
    tags: dict[TagKey, TagValue] = Field(default_factory=dict, description="Tags applied to every resource.")

    @model_validator(mode="after")
    def _consistent(self) -> Spec:
        violations = _Violations()
        self._check_sections(violations)
        self._check_components(violations)
        for i, first in _duplicates(self.environments, lambda e: e.name):
            name = self.environments[i].name
            violations.add(("environments", i, "name"), f"duplicate environment name '{name}' "
                                                        f"(first at environments[{first}])")
        violations.raise_if_any()
        return self

    def _check_sections(self, violations: _Violations) -> None:
        if self.deployment in ("cloud", "hybrid") and self.cloud is None:
            violations.add(("deployment",), f"deployment '{self.deployment}' needs a 'cloud' section")
        if self.deployment in ("on-prem", "hybrid") and self.on_prem is None:
            violations.add(("deployment",), f"deployment '{self.deployment}' needs an 'onPrem' section")

    def _check_components(self, violations: _Violations) -> None:
        # When the deployment already lacks a section, saying so again per component is noise.
        cloud_missing_reported = self.deployment in ("cloud", "hybrid")
        on_prem_missing_reported = self.deployment in ("on-prem", "hybrid")
        allowed_classes = CLASSIFICATION_ORDER[: CLASSIFICATION_ORDER.index(self.data_classification) + 1]
        for name, component in self.components.by_name().items():
            where = ("components", name)
            if component.placement == "cloud" and self.deployment == "on-prem":
                violations.add(where + ("placement",), "placement 'cloud' is not allowed on an on-prem deployment "
                                                        "(allowed: onprem)")
            elif component.placement == "cloud" and self.cloud is None and not cloud_missing_reported:
                violations.add(where + ("placement",), "placement 'cloud' needs a 'cloud' section")
            elif component.placement == "onprem" and self.on_prem is None and not on_prem_missing_reported:
                violations.add(where + ("placement",), "placement 'onprem' needs an 'onPrem' section")
            if component.data_classification not in (None, *allowed_classes):
                violations.add(where + ("dataClassification",),
                               f"'{component.data_classification}' is above the platform's class "
                               f"'{self.data_classification}' (allowed: {', '.join(allowed_classes)})")


class Blueprint(StrictModel):
    """A sovereign MLOps platform: where it may run, what it holds and how it is governed."""

    api_version: Literal["qantara.dev/v1"] = Field(description="Schema version of this document.")
    kind: Literal["Blueprint"] = Field(description="Document kind.")
    metadata: Metadata = Field(description="Name, owner and description of the platform.")
    spec: Spec = Field(description="The platform's jurisdiction, deployment, components and governance.")

    def component_class(self, name: str) -> str:
        """The data class a component holds: its own, else the platform's."""
        return self.spec.components.get(name).data_classification or self.spec.data_classification

    def enabled_components(self) -> dict[str, ComponentSpec]:
        """Enabled components keyed by YAML name (`dataLake`, ...)."""
        return {name: spec for name, spec in self.spec.components.by_name().items() if spec.enabled}

    def environment(self, name: str) -> Environment:
        """The environment called `name`; `UnknownNameError` (a KeyError) lists the declared ones."""
        for environment in self.spec.environments:
            if environment.name == name:
                return environment
        allowed = ", ".join(e.name for e in self.spec.environments)
        raise UnknownNameError(f"unknown environment '{name}' (allowed: {allowed})")
