"""The Pulumi policy pack (`policies/pulumi/`): Qantara's policies at `pulumi preview` and `pulumi up`.

pulumi-policy hands a stack validation every resource of the stack as a `PolicyResource`
(`resource_type`, `name`, `urn`, `props`, `opts`, `provider`, `parent`, `dependencies`,
`property_dependencies`). This module turns them into the Plan document the offline
planner produces (same `plan_resource`, `locate_resources`, `classify_resources`), builds
the policy input as `qantara check` does, evaluates the same Rego, applies the same
enforcement, and reports each finding that is not waived.

What pulumi-policy really hands over (pulumi-policy 1.21, pulumi engine AnalyzeStack):
- `props` are the resource's *outputs*; at preview a new resource's outputs are its inputs
  with the computed ones unknown. A component's outputs are what it registered with
  `register_outputs`, not its inputs.
- Unknown values are sentinel strings, wrapped in proxies that raise when read: the
  conversion reads the proxies' raw targets and marks the sentinels ``[unknown]``.
- Secrets arrive as plaintext (pulumi/pulumi-policy#241) unless `keep_secret_markers()`
  ran first (the pack's `__main__` does): then they are `Secret` objects, marked ``[secret]``.
  Outputs named in `additional_secret_outputs` are marked ``[secret]`` either way.

Which blueprint: the stack's own config, `qantara:blueprint` and `qantara:environment`,
the same keys the platform program reads, so the pack checks what the program deploys.
The engine passes the stack's config to the pack's process (PULUMI_CONFIG), so the
environment's enforcement level is known when the pack starts and becomes the pack's.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi.runtime
from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    Secret,
    StackValidationArgs,
    StackValidationPolicy,
)

# pulumi-policy's proxies have no public names; its own deserializer imports them the same way.
from pulumi_policy.proxy import _DictProxy, _ListProxy
from pulumi_policy.secret import _DictSecretsProxy, _ListSecretsProxy

from qantara.blueprint.loader import LoadedBlueprint, load_blueprint
from qantara.catalog import load_catalog
from qantara.errors import InputError, QantaraError
from qantara.paths import project_root
from qantara.plan.accounts import accounts_in_outputs
from qantara.plan.classification import classify_resources
from qantara.plan.document import SECRET, UNKNOWN, plan_document, plan_resource
from qantara.plan.location import locate_resources
from qantara.policy.checkpoint import BLUEPRINT_SUBJECTS, environment_of, onprem_site, run_checkpoint

PACK_NAME = "qantara"
POLICY_NAME = "qantara-governance"
POLICY_DESCRIPTION = "Qantara governance: the blueprint's residency, encryption and access policies on this stack"

BLUEPRINT_KEY = "qantara:blueprint"
ENVIRONMENT_KEY = "qantara:environment"
REGION_KEY = "aws:region"
# The AWS provider's own guard against deploying to the wrong account: the stack's accounts.
ACCOUNTS_KEY = "aws:allowedAccountIds"

# The engine marks an unknown value with one of these strings (pulumi_policy/proxy.py).
UNKNOWN_SENTINELS = frozenset({
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # string (what the Go engine sends for every unknown)
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
    "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
    "e48ece36-62e2-4504-bad9-02848725956a",  # archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
})

_PROXIES = (_DictProxy, _ListProxy, _DictSecretsProxy, _ListSecretsProxy)


# --- values -------------------------------------------------------------------------------------

def plain_value(value: Any) -> Any:
    """A property value as pulumi-policy hands it over, as plan data.

    Proxies are read through their raw target, so an unknown never raises; secrets become
    ``[secret]``, unknowns ``[unknown]``, assets and archives a marker, whole floats ints
    (the wire has only doubles; the offline planner records ints).
    """
    if isinstance(value, _PROXIES):
        value = value["__target"]
    if isinstance(value, Secret):
        return SECRET
    if isinstance(value, str):
        return UNKNOWN if value in UNKNOWN_SENTINELS else value
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, pulumi.Asset):
        return "[asset]"
    if isinstance(value, pulumi.Archive):
        return "[archive]"
    if isinstance(value, Mapping):
        return {str(k): plain_value(v) for k, v in value.items()}
    if isinstance(value, Sequence):
        return [plain_value(v) for v in value]
    return str(value)


def plain_props(props: Any, secret_outputs: Sequence[str] = ()) -> dict:
    """A resource's props as plan inputs; outputs the program declared secret are ``[secret]``."""
    raw = props["__target"] if isinstance(props, _PROXIES) else props
    result = {str(k): plain_value(v) for k, v in dict(raw or {}).items()}
    for name in secret_outputs:
        if name in result:
            result[name] = SECRET
    return result


def keep_secret_markers() -> bool:
    """Make pulumi-policy hand secrets over as `Secret` objects instead of plaintext.

    pulumi-policy receives secrets marked but unwraps them before a validation sees them
    (pulumi/pulumi-policy#241); its remediation path keeps the marker (`proxy_secrets`).
    This asks its deserializer to keep it for validations too. False (and a warning on
    stderr) when this pulumi-policy has no such hook: secrets then reach the policies as
    plaintext, and a finding's message that quotes a value could show one.
    """
    from pulumi_policy import policy as policy_module

    current = getattr(policy_module, "deserialize_properties", None)
    if current is None:
        warnings.warn("this pulumi-policy has no deserialize_properties hook: Qantara's policies see secret "
                      "values as plaintext (outputs in additional_secret_outputs excepted)", RuntimeWarning, stacklevel=2)
        return False
    if getattr(current, "keeps_secret_markers", False):
        return True

    def deserialize_keeping_secrets(props, proxy_secrets: bool = False):
        return current(props, True)

    deserialize_keeping_secrets.keeps_secret_markers = True  # type: ignore[attr-defined]
    policy_module.deserialize_properties = deserialize_keeping_secrets
    return True


# --- resources -> plan --------------------------------------------------------------------------

def _parent_urn(resource: PolicyResource) -> str:
    if resource.parent is not None:
        return resource.parent.urn
    # pulumi-policy links `parent` only when the parent is in the stack; the option keeps the URN.
    return (resource.opts.parent if resource.opts is not None else None) or ""


def _is_custom(resource: PolicyResource) -> bool:
    # The engine gives every custom resource a provider (default or explicit); components and
    # the root stack have none, and providers are custom resources without one.
    return resource.provider is not None or resource.resource_type.startswith("pulumi:providers:")


def plan_entry(resource: PolicyResource) -> dict:
    """One `PolicyResource` as a Plan resource, before its location is derived."""
    secret_outputs = list(resource.opts.additional_secret_outputs or []) if resource.opts is not None else []
    entry = plan_resource(
        urn=resource.urn,
        type_=resource.resource_type,
        name=resource.name,
        parent=_parent_urn(resource),
        custom=_is_custom(resource),
        inputs=plain_props(resource.props, secret_outputs),
        dependencies=[d.urn for d in resource.dependencies or []],
        property_dependencies={k: [d.urn for d in v] for k, v in (resource.property_dependencies or {}).items()},
    )
    # A PolicyProviderResource carries the provider's URN, not a `<urn>::<id>` reference.
    entry["provider"] = resource.provider.urn if resource.provider is not None else ""
    return entry


def plan_from_resources(resources: Sequence[PolicyResource], *, stack_region: str | None,
                        onprem: dict | None = None, source: dict | None = None) -> dict:
    """The Plan document of a stack's resources, located and classified like an offline plan."""
    catalog = load_catalog()
    entries = [plan_entry(r) for r in resources]
    locate_resources(entries, stack_region=stack_region, catalog=catalog, onprem=onprem)
    classify_resources(entries, catalog["jurisdictions"]["classifications"])
    # Stack validation sees outputs: the ARNs of the stack's own resources name its account;
    # so does the account the stack pins (aws:allowedAccountIds, in `source`).
    source = dict(source or {})
    accounts = sorted(set(accounts_in_outputs({"outputs": e["inputs"]} for e in entries)) | set(source.pop("accounts", [])))
    return plan_document(entries, {"kind": "pulumi-policy-pack", "stackRegion": stack_region, "accounts": accounts,
                                   **source})


# --- settings -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PackSettings:
    blueprint: Path
    environment: str
    stack_region: str | None
    accounts: tuple[str, ...] = ()


def stack_config() -> dict[str, str]:
    """The stack's config as the engine passes it to a policy pack (PULUMI_CONFIG)."""
    return dict(pulumi.runtime.get_config_env())


def pack_settings(config: Mapping[str, str]) -> PackSettings:
    """Blueprint, environment and stack region from the stack's config; relative blueprint
    paths are relative to the Qantara checkout, as for the platform program."""
    missing = [key for key in (BLUEPRINT_KEY, ENVIRONMENT_KEY) if not config.get(key)]
    if missing:
        raise InputError(f"stack config {' and '.join(missing)} not set: the Qantara policy pack checks the "
                         f"blueprint the stack names (pulumi config set {BLUEPRINT_KEY} blueprints/NAME.yaml; "
                         f"pulumi config set {ENVIRONMENT_KEY} prod)")
    blueprint = Path(config[BLUEPRINT_KEY])
    if not blueprint.is_absolute():
        blueprint = project_root() / blueprint
    return PackSettings(blueprint, config[ENVIRONMENT_KEY], config.get(REGION_KEY) or None,
                        allowed_accounts(config.get(ACCOUNTS_KEY)))


def allowed_accounts(value: str | None) -> tuple[str, ...]:
    """The account ids of `aws:allowedAccountIds` (a JSON list in the stack config); none when
    unset or unreadable (then only the blueprint's accounts and the stack's ARNs count)."""
    try:
        ids = json.loads(value) if value else []
    except ValueError:
        return ()
    return tuple(str(i) for i in ids if re.fullmatch(r"\d{12}", str(i))) if isinstance(ids, list) else ()


def pack_enforcement_level(config: Mapping[str, str]) -> EnforcementLevel:
    """The environment's enforcement as the pack's level; mandatory when the config or the
    blueprint is unusable, so a misconfigured stack fails closed (the violation says why)."""
    try:
        settings = pack_settings(config)
        environment = environment_of(load_blueprint(settings.blueprint), settings.environment)
    except QantaraError:
        return EnforcementLevel.MANDATORY
    return EnforcementLevel(environment.effective_enforcement)


# --- evaluation and reporting -------------------------------------------------------------------

def _runtime_source(loaded: LoadedBlueprint, environment: str) -> dict:
    return {
        "project": os.environ.get("PULUMI_PROJECT"),
        "stack": os.environ.get("PULUMI_STACK"),
        "preview": os.environ.get("PULUMI_DRY_RUN") == "true",
        "blueprint": loaded.model.metadata.name,
        "environment": environment,
    }


def stack_findings(resources: Sequence[PolicyResource], config: Mapping[str, str], *,
                   today: dt.date | None = None) -> list[dict]:
    """Every finding on the stack, enforced (mandatory, advisory or waived) as `qantara check` does."""
    today = today or dt.date.today()
    settings = pack_settings(config)
    loaded = load_blueprint(settings.blueprint)
    env = environment_of(loaded, settings.environment)
    plan = plan_from_resources(resources, stack_region=settings.stack_region, onprem=onprem_site(loaded),
                               source={**_runtime_source(loaded, env.name), "accounts": list(settings.accounts)})
    # The checkpoint resolves the stack's blueprint itself: nothing in the stack can hand the
    # policies other facts about it.
    return run_checkpoint(BLUEPRINT_SUBJECTS, loaded, env.name, plan=plan, today=today).findings


def violation_message(finding: dict) -> str:
    """What `pulumi preview` prints under the policy's description for one finding."""
    lines = [f"{finding['policy']} ({finding['severity']}): {finding['message']}", f"fix: {finding['remediation']}"]
    if finding.get("waiver"):
        lines.append(f"note: {finding['waiver']}")
    return "\n".join(lines)


def _stack_urn(resource: str) -> str | None:
    # Blueprint findings name a field path, not a resource: they are reported on the stack.
    return resource if resource.startswith("urn:pulumi:") else None


def validate_stack(args: StackValidationArgs, report_violation: ReportViolation, *,
                   config: Mapping[str, str] | None = None, today: dt.date | None = None) -> None:
    """The stack validation: report every finding that is not waived, on its resource."""
    try:
        findings = stack_findings(args.resources, stack_config() if config is None else config, today=today)
    except QantaraError as error:
        report_violation("Qantara could not check this stack: " + "; ".join(error.lines()), None)
        return
    for finding in findings:
        if finding["enforcement"] != "waived":
            report_violation(violation_message(finding), _stack_urn(finding["resource"]))


def governance_policy(*, config: Mapping[str, str] | None = None, today: dt.date | None = None) -> StackValidationPolicy:
    """The pack's one policy. `config` and `today` default to the stack's config and the date."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        validate_stack(args, report_violation, config=config, today=today)

    return StackValidationPolicy(name=POLICY_NAME, description=POLICY_DESCRIPTION, validate=validate)

