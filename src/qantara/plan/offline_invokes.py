"""Answers to the lookups (invokes) a program makes while it is planned offline.

Offline, nothing can ask AWS. A lookup is answered here in one of three ways:

- a fact: the partition, the stack's region, Availability Zones from the catalog
  (`policies/data/availability_zones.yaml`), an IAM policy document (pure: computed);
- a placeholder, marked `[offline placeholder ...]` in every string it returns, for
  values only the account knows (the account id, the default VPC, an AMI, a hosted zone),
  so that a policy or a reader of the plan sees where a made-up value went;
- not at all: the planner records the token in the plan's `source.unansweredInvokes`, and
  the program gets `unanswered_result()`: every text field reads `[unanswered lookup TOKEN]`,
  so the resources and arguments that take one show it (`usedBy`), and other fields are
  empty. A plan with an unanswered lookup cannot pass (policy QA-RES-070).
"""

from __future__ import annotations

import collections.abc
import hashlib
import importlib
import json
import re
import typing
from collections.abc import Callable  # noqa: I001

PLACEHOLDER = "[offline placeholder]"
UNANSWERED = "[unanswered lookup"
OFFLINE_ACCOUNT_ID = "000000000000"


def placeholder(what: str) -> str:
    """A value only the account knows, marked so that nobody takes it for a fact."""
    return f"{PLACEHOLDER} {what}"


def _caller_identity(args: dict, region: str) -> dict:
    return {"accountId": OFFLINE_ACCOUNT_ID, "arn": f"arn:aws:iam::{OFFLINE_ACCOUNT_ID}:user/qantara-offline",
            "userId": "QANTARAOFFLINE", "id": OFFLINE_ACCOUNT_ID}


def _partition(args: dict, region: str) -> dict:
    return {"partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws", "id": "aws"}


def _region(args: dict, region: str) -> dict:
    name = args.get("region") or args.get("name") or region
    return {"name": name, "region": name, "id": name} if name else None


def _availability_zones(catalog: dict) -> Callable[[dict, str], dict | None]:
    def answer(args: dict, region: str) -> dict | None:
        zones = (catalog.get("availability_zones") or {}).get("regions", {}).get(args.get("region") or region)
        if not zones:
            return None  # not in the catalog: never invented
        names, ids = list(zones["names"]), list(zones["zoneIds"])
        excluded = set(args.get("excludeNames") or []) | set(args.get("excludeZoneIds") or [])
        kept = [(n, i) for n, i in zip(names, ids) if n not in excluded and i not in excluded]
        return {"id": region, "names": [n for n, _ in kept], "zoneIds": [i for _, i in kept],
                "groupNames": [region] * len(kept), "region": region}
    return answer


DEFAULT_VPC_ID = placeholder("default VPC id")


def _default_vpc(args: dict, region: str) -> dict | None:
    # Only the default VPC is a known kind of thing; a VPC found by tags or id is the account's.
    if not args.get("default"):
        return None
    return {"id": DEFAULT_VPC_ID, "arn": placeholder("default VPC ARN"), "default": True,
            "cidrBlock": "172.31.0.0/16", "ownerId": OFFLINE_ACCOUNT_ID, "region": region, "tags": {}}


def _subnets(args: dict, region: str) -> dict:
    # Subnets filtered by the default VPC's placeholder id are the default VPC's (all public).
    of_default = DEFAULT_VPC_ID in json.dumps(args.get("filters") or [])
    what = "subnet id of the default VPC" if of_default else "subnet id"
    return {"id": region, "ids": [placeholder(what)], "region": region}


def _ami(args: dict, region: str) -> dict:
    return {"id": placeholder("AMI id"), "imageId": placeholder("AMI id"), "arn": placeholder("AMI ARN"),
            "architecture": "x86_64", "name": placeholder("AMI name"), "region": region}


def _hosted_zone(args: dict, region: str) -> dict:
    name = args.get("name") or placeholder("zone name")
    return {"id": placeholder("hosted zone id"), "zoneId": placeholder("hosted zone id"), "name": name,
            "arn": placeholder("hosted zone ARN"), "privateZone": bool(args.get("privateZone"))}


# --- IAM policy documents: computed, as the provider builds them ------------------------------

def _one_or_list(values: list) -> str | list:
    values = sorted(set(values))
    return values[0] if len(values) == 1 else values


def _principals(principals: list[dict]) -> str | dict:
    if any(p.get("type") == "*" for p in principals):
        return "*"
    merged: dict[str, list] = {}
    for p in principals:
        merged.setdefault(p["type"], []).extend(p.get("identifiers") or [])
    return {kind: _one_or_list(ids) for kind, ids in merged.items()}


def _statement(raw: dict) -> dict:
    statement: dict = {}
    if raw.get("sid"):
        statement["Sid"] = raw["sid"]
    statement["Effect"] = raw.get("effect") or "Allow"
    for key, field in (("actions", "Action"), ("notActions", "NotAction"), ("resources", "Resource"),
                       ("notResources", "NotResource")):
        if raw.get(key):
            statement[field] = _one_or_list(raw[key])
    for key, field in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
        if raw.get(key):
            statement[field] = _principals(raw[key])
    conditions: dict = {}
    for condition in raw.get("conditions") or []:
        conditions.setdefault(condition["test"], {})[condition["variable"]] = _one_or_list(condition.get("values") or [])
    if conditions:
        statement["Condition"] = conditions
    return statement


def _merge_by_sid(statements: list[dict], documents: list[str]) -> list[dict]:
    for text in documents:
        for statement in json.loads(text).get("Statement", []):
            sid = statement.get("Sid")
            statements = [s for s in statements if not sid or s.get("Sid") != sid] + [statement]
    return statements


def _policy_document(args: dict, region: str) -> dict:
    own = [_statement(s) for s in args.get("statements") or []]
    statements = _merge_by_sid([], list(args.get("sourcePolicyDocuments") or []))
    statements = _merge_by_sid(statements, [json.dumps({"Statement": own})])
    statements = _merge_by_sid(statements, list(args.get("overridePolicyDocuments") or []))
    document: dict = {"Version": args.get("version") or "2012-10-17"}
    if args.get("policyId"):
        document["Id"] = args["policyId"]
    document["Statement"] = statements
    text = json.dumps(document, indent=2)
    return {"id": hashlib.sha256(text.encode()).hexdigest()[:16], "json": text, "minifiedJson": json.dumps(document, separators=(",", ":")),
            "statements": args.get("statements") or [], "version": document["Version"]}


def answers(catalog: dict) -> dict[str, Callable[[dict, str], dict | None]]:
    """Token -> answer(args, region). Placeholders say so; an answer of None is no answer."""
    return {
        "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
        "aws:index/getPartition:getPartition": _partition,
        "aws:index/getRegion:getRegion": _region,
        "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones(catalog),
        "aws:iam/getPolicyDocument:getPolicyDocument": _policy_document,
        "aws:ec2/getVpc:getVpc": _default_vpc,
        "aws:ec2/getSubnets:getSubnets": _subnets,
        "aws:ec2/getAmi:getAmi": _ami,
        "aws:route53/getZone:getZone": _hosted_zone,
    }


# Lookups whose answer is a placeholder (the plan's `source.offlinePlaceholders` lists those used).
PLACEHOLDER_TOKENS = frozenset({
    "aws:index/getCallerIdentity:getCallerIdentity",
    "aws:ec2/getVpc:getVpc",
    "aws:ec2/getSubnets:getSubnets",
    "aws:ec2/getAmi:getAmi",
    "aws:route53/getZone:getZone",
})


# --- lookups left unanswered ------------------------------------------------------------------

def unanswered_marker(token: str) -> str:
    return f"{UNANSWERED} {token}]"


def _result_class(token: str):
    """The pulumi-aws result class of a lookup token, e.g. aws:ec2/getVpc:getVpc -> GetVpcResult."""
    package, module, function = (token.split(":") + ["", ""])[:3]
    module = module.split("/")[0]
    name = f"pulumi_{package}" + ("" if module == "index" else f".{module}")
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", function).lower()
    try:
        return getattr(importlib.import_module(f"{name}.{snake}"), function[:1].upper() + function[1:] + "Result")
    except (ImportError, AttributeError, ValueError):
        return None


def _empty_of(annotation, marker: str):
    """A value of the field's type that says it is missing: the marker for text, else empty."""
    if annotation is str:
        return marker
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Union:
        inner = [a for a in args if a is not type(None)]
        return _empty_of(inner[0], marker) if len(inner) == 1 else None
    if origin in (list, tuple, typing.Sequence, collections.abc.Sequence):
        return [marker] if args and args[0] is str else []
    if origin in (dict, typing.Mapping, collections.abc.Mapping):
        return {}
    return None


def unanswered_result(token: str) -> dict:
    """What the program gets from a lookup the offline plan cannot answer (wire names)."""
    result_class = _result_class(token)
    if result_class is None:
        return {}
    marker = unanswered_marker(token)
    result = {}
    for prop in vars(result_class).values():
        name = getattr(getattr(prop, "fget", None), "_pulumi_name", None)
        if name:
            result[name] = _empty_of(prop.fget.__annotations__.get("return"), marker)
    return {k: v for k, v in result.items() if v is not None}


def unanswered_uses(resources: list[dict], lookups: list[dict]) -> None:
    """Add to each unanswered lookup the resources and arguments that took its marker
    (`usedBy`: [{"resource": urn, "argument": "a.b[0]"}]), in place."""
    for lookup in lookups:
        marker = unanswered_marker(lookup["token"])
        lookup["usedBy"] = [{"resource": r["urn"], "argument": path}
                            for r in resources for path in _paths_holding(r.get("inputs") or {}, marker, "")]


def _paths_holding(value, marker: str, path: str) -> list[str]:
    if isinstance(value, str):
        return [path] if marker in value else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _paths_holding(v, marker, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _paths_holding(v, marker, f"{path}[{i}]")]
    return []


def placeholder_warnings(placeholders: list[str]) -> list[str]:
    """What a report says about the lookups the plan answered with placeholders."""
    # The account id (000000000000) stands in every offline plan, as docs/decisions.md says:
    # warning about it on every check would drown the warnings that matter.
    placeholders = [p for p in placeholders if p != "aws:index/getCallerIdentity:getCallerIdentity"]
    if not placeholders:
        return []
    return [f"the offline plan answered {', '.join(placeholders)} with placeholders (values marked "
            f"`{PLACEHOLDER}`): the real values are known only to `pulumi preview` on the account"]
