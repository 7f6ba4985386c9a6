"""Random blueprints generated from the blueprint's JSON Schema (not a test module).

`generate(rng)` walks `blueprint_json_schema()`: every object gets its required properties and
a random subset of the optional ones, enums and constants pick among their values, arrays
and integers lean toward their bounds, and strings come from pools keyed by the schema's
pattern (a region code from the catalog, a DNS label as long as `maxLength` allows...). A
field the schema gains later is generated without touching this file; a new pattern needs a
pool (the walker says so).

Then `_cohere` makes most documents consistent (weights adding up to 100, the sections the
deployment needs, a sovereignty core taken from an example blueprint), leaving some not, so
refusals are exercised too. Edge values are favoured: names at their maximum length, every
component, many environments, DR regions, on-prem, hybrid and Outposts sites.
"""

from __future__ import annotations

import random
import re
import string
from typing import Any

import yaml

from qantara.blueprint import models as m
from qantara.blueprint.schema import blueprint_json_schema
from qantara.catalog import jurisdiction_codes, load_catalog, regions, sector_names
from qantara.paths import project_root
from qantara.policy.library import policy_index

SCHEMA = blueprint_json_schema()
CATALOG = load_catalog()
REGIONS = sorted(code for code, r in regions(CATALOG).items() if r.get("partition") == "aws")
NEAR_REGIONS = ["me-central-1", "me-south-1", "il-central-1", "eu-central-1", "eu-west-1", "eu-south-1",
                "af-south-1", "ap-south-1", "eu-central-2", "ca-west-1"]
POLICY_IDS = sorted(policy_index())
EXAMPLES = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((project_root() / "blueprints").glob("*.yaml"))]
SITE_CIDRS = ["10.20.0.0/16", "10.0.0.0/8", "192.168.10.0/24", "172.16.0.0/12", "10.21.0.0/16", "10.20.0.0/20"]


def _label(rng: random.Random, max_length: int, p_max: float = 0.33) -> str:
    """A DNS label: at its maximum length with probability `p_max`, else short or anywhere between."""
    draw = rng.random()
    if draw < p_max:
        length = max_length
    elif draw < 0.6:
        length = rng.randint(1, min(12, max_length))
    else:
        length = rng.randint(1, max_length)
    if length <= 2:
        return "".join(rng.choice(string.ascii_lowercase) for _ in range(length))
    middle = "".join(rng.choice(string.ascii_lowercase + string.digits + ("-" * 3)) for _ in range(length - 2))
    return rng.choice(string.ascii_lowercase) + middle + rng.choice(string.ascii_lowercase + string.digits)


def _outpost_arn(rng: random.Random) -> str:
    region = rng.choice(["me-south-1", "me-central-1", "eu-central-1", "ca-west-1"])
    return f"arn:aws:outposts:{region}:123456789012:outpost/op-0123456789abcdef{rng.randint(0, 9)}"


def _oidc_arn(rng: random.Random) -> str:
    host = rng.choice(["token.actions.githubusercontent.com", "gitlab.com"])
    return f"arn:aws:iam::{rng.choice(['123456789012', '000000000000'])}:oidc-provider/{host}"


# Strings by the schema's pattern: (rng, maxLength) -> value.
POOLS = {
    m.DNS_LABEL: lambda rng, n: _label(rng, min(n or 63, 63)),
    # Mostly valid SageMaker names; a "--" now and then must be refused at its line.
    m.SAGEMAKER_LABEL: lambda rng, n: (_label(rng, n or 63, 0.1) if rng.random() < 0.1
                                       else re.sub("-+", "-", _label(rng, n or 63, 0.1))),
    m.COUNTRY: lambda rng, n: rng.choice(["AE", "SA", "BH", "EG", "MA", "DE", "QA", "OM", "NO", "JO"]),
    m.JURISDICTION: lambda rng, n: rng.choice(jurisdiction_codes(CATALOG)),
    m.AWS_REGION: lambda rng, n: rng.choice(NEAR_REGIONS if rng.random() < 0.8 else REGIONS),
    m.POLICY_ID: lambda rng, n: rng.choice(POLICY_IDS) if rng.random() < 0.9 else "QA-RES-999",
    m.SECTOR: lambda rng, n: rng.choice(sector_names(CATALOG)) if rng.random() < 0.95 else "fishing",
    m.NON_BLANK: lambda rng, n: rng.choice(["ciso", "Data Office", "head-of-ml", "risk@example.com", "v1"]),
    m.SAGEMAKER_INSTANCE_TYPE: lambda rng, n: (rng.choice(["ml.m5.large", "ml.c5.xlarge", "ml.g5.2xlarge"])
                                               if rng.random() < 0.9 else "ml.m5.huge"),
    m.REPOSITORY_PATH: lambda rng, n: rng.choice(["acme/platform", "acme/ml/platform", "a/b"]),
    m.OIDC_PROVIDER_ARN: lambda rng, n: _oidc_arn(rng),
    m.OUTPOST_ARN: lambda rng, n: _outpost_arn(rng),
    m.VPC_ID: lambda rng, n: "vpc-0123456789abcdef0",
    m.SUBNET_ID: lambda rng, n: "subnet-0123456789abcdef0",
    m.SECURITY_GROUP_ID: lambda rng, n: "sg-0123456789abcdef0",
    m.REGISTRY: lambda rng, n: rng.choice(["registry.example.sa/ml", "harbor.local:5000"]),
    m.IPV4: lambda rng, n: "203.0.113.10",
    m.IPV4_CIDR: lambda rng, n: rng.choice(SITE_CIDRS + ["10.20.1.0/16", "10.30.0.0/16", "172.31.0.0/16"]),
    # A host name of DNS labels (one at its 63-character maximum now and then) or an IPv4 address.
    m.HOSTNAME: lambda rng, n: rng.choice(["db.partner.example", "kafka-1.broker.example.sa", "203.0.113.10",
                                           _label(rng, 63) + ".example.ae"]),
    m.AWS_ACCOUNT_ID: lambda rng, n: rng.choice(["123456789012", "000000000000", "210987654321"]),
    m.FEATURE_NAME: lambda rng, n: rng.choice(["age", "bmi", "prior_admissions", "x1", "lab.hba1c"]),
}


class Walker:
    """Generates a value for a schema node; optional properties appear with probability `p`."""

    def __init__(self, rng: random.Random, p_optional: float = 0.5):
        self.rng = rng
        self.p = p_optional

    def value(self, node: dict, name: str = "") -> Any:
        node = self._resolve(node)
        rng = self.rng
        if "const" in node:
            return node["const"]
        if "enum" in node:
            return rng.choice(node["enum"])
        if "anyOf" in node:
            branches = [b for b in node["anyOf"] if self._resolve(b).get("type") != "null"]
            return self.value(rng.choice(branches), name)
        kind = node.get("type")
        if kind == "object":
            return self._object(node)
        if kind == "array":
            return self._array(node, name)
        if kind == "integer":
            return self._integer(node, name)
        if kind == "boolean":
            return rng.random() < 0.5
        if kind == "string":
            return self._string(node, name)
        raise AssertionError(f"the generator has no rule for schema node {node} ({name})")

    def _resolve(self, node: dict) -> dict:
        while "$ref" in node:
            node = SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[1]]
        return node

    def _object(self, node: dict) -> dict:
        if "properties" not in node:  # a free mapping such as tags
            keys = ["cost-centre", "team", "data-owner", "project"]
            return {k: self.rng.choice(["fin-ml", "x" * 40, ""]) for k in self.rng.sample(keys, self.rng.randint(0, 3))}
        required = set(node.get("required", []))
        return {key: self.value(sub, key) for key, sub in node["properties"].items()
                if key in required or self.rng.random() < self.p}

    def _array(self, node: dict, name: str) -> list:
        low = node.get("minItems", 0)
        high = min(node.get("maxItems", 6), {"environments": 6, "variants": 3, "models": 3}.get(name, 3))
        return [self.value(node["items"], name) for _ in range(self.rng.randint(low, max(low, high)))]

    def _integer(self, node: dict, name: str) -> int:
        if name == "logRetentionDays" and self.rng.random() < 0.9:
            return self.rng.choice(m.LOG_RETENTION_DAYS)
        low, high = node.get("minimum", 1), node.get("maximum", 4000)
        return self.rng.choice([low, high, self.rng.randint(low, high), node.get("default") or low])

    def _string(self, node: dict, name: str) -> str:
        if node.get("format") == "date":
            return self.rng.choice(["2027-06-30", "2030-01-01", "2025-01-31", "2027-06-30T00:00:00"])
        pattern = node.get("pattern")
        if pattern is None:
            return self.rng.choice(["", "Readmission and triage models", "x" * 200])
        if pattern not in POOLS:
            raise AssertionError(f"the generator has no pool for pattern {pattern!r} ({name}); add one to POOLS")
        return POOLS[pattern](self.rng, node.get("maxLength"))


def generate(rng: random.Random) -> dict:
    """One blueprint document; most are coherent, some are not (to exercise refusals)."""
    doc = Walker(rng, p_optional=rng.choice([0.3, 0.6, 0.9])).value(SCHEMA)
    if rng.random() < 0.9:
        _cohere(doc, rng)
    return doc


# Residency is decided per (jurisdiction, sectors, transfers, site): few distinct ones keep
# the run fast (the test memoises the residency query), names and sizes vary freely.
SITES = ["riyadh-dc1", "s" * 63]
SECTOR_SETS = [[], ["health"], ["finance"], ["government"], ["health", "finance"]]


def _cohere(doc: dict, rng: random.Random) -> None:
    spec = doc["spec"]
    spec["sectors"] = rng.choice(SECTOR_SETS) if rng.random() < 0.95 else spec.get("sectors", [])
    spec.setdefault("governance", {})["transfers"] = []
    if spec.get("onPrem"):
        spec["onPrem"]["site"] = rng.choice(SITES)
        spec["onPrem"]["country"] = rng.choice(["SA", "AE"])
    if rng.random() < 0.85:  # a sovereignty core that some region or site can hold
        core = rng.choice(EXAMPLES)["spec"]
        for key in ("jurisdiction", "dataClassification", "sectors", "deployment"):
            spec[key] = core.get(key, spec.get(key))
        for key in ("cloud", "onPrem"):
            if key in core:
                spec[key] = {**core[key], **{k: v for k, v in (spec.get(key) or {}).items()
                                             if k not in ("region", "drRegion", "kind", "outpostArn", "country", "site")
                                             and rng.random() < 0.5}}
            else:
                spec.pop(key, None)
        transfers = core.get("governance", {}).get("transfers")
        spec.setdefault("governance", {})["transfers"] = transfers or []
    _sections(spec, rng)
    _components(spec, rng)
    environments = spec["environments"]
    if rng.random() < 0.5:
        environments.insert(0, {"name": rng.choice(["dev", "prod", "prd-eu", "staging"])})
    seen = set()
    spec["environments"] = [e for e in environments if not (e["name"] in seen or seen.add(e["name"]))]
    for environment in spec["environments"]:
        if "maxInstanceCount" in environment and rng.random() < 0.9:
            environment["maxInstanceCount"] = max(environment["maxInstanceCount"], environment.get("instanceCount", 2))
    cloud = spec.get("cloud")
    if cloud is not None and "vpcCidr" in cloud and rng.random() < 0.85:
        cloud["vpcCidr"] = rng.choice(["10.40.0.0/16", "192.168.64.0/20", "172.20.0.0/24"])
    access = spec.get("deployAccess")
    if access is not None and access["provider"] == "github" and rng.random() < 0.9:
        access["repository"] = "acme/platform"
    governance = spec.get("governance", {})
    waivers = {(w["policy"], w.get("resources", "*")): w for w in governance.get("waivers", [])}
    governance["waivers"] = list(waivers.values())
    transfers = {(t["country"], t["mechanism"]): t for t in governance.get("transfers", [])}
    governance["transfers"] = list(transfers.values())
    for key in [k for k in doc["spec"].get("tags", {}) if k.lower().startswith("aws:")]:
        del doc["spec"]["tags"][key]


def _sections(spec: dict, rng: random.Random) -> None:
    """The sections the deployment needs, and none it would ignore."""
    deployment = spec["deployment"]
    if deployment == "on-prem":
        for key in ("cloud", "deployAccess"):
            spec.pop(key, None)
    elif "cloud" not in spec:
        spec["cloud"] = {}
    if deployment == "cloud":
        spec.pop("onPrem", None)
    elif "onPrem" not in spec:
        country = spec["jurisdiction"][:2] if spec["jurisdiction"][:2] in ("SA", "AE") else "SA"
        spec["onPrem"] = {"site": rng.choice(SITES), "country": country, "registry": "registry.example.sa/ml"}
    cloud, site = spec.get("cloud"), spec.get("onPrem")
    if cloud is not None and cloud.get("drRegion") and cloud.get("drRegion") == cloud.get("region"):
        del cloud["drRegion"]
    if site is not None:
        site.setdefault("registry", "registry.example.sa/ml")
        if site.get("kind") == "outposts":
            site.setdefault("outpostArn", _outpost_arn(rng))
            site.setdefault("outpostNetwork", {"vpcId": "vpc-0123456789abcdef0", "subnetId": "subnet-0123456789abcdef0",
                                               "subnetCidr": "10.50.1.0/24", "securityGroupId": "sg-0123456789abcdef0"})
        else:
            site.pop("outpostArn", None)
            site.pop("outpostNetwork", None)
        link = site.get("connectivity")
        if link is not None and deployment == "on-prem":
            del site["connectivity"]
        elif link is not None:
            if link["kind"] == "vpn":
                link.setdefault("customerGatewayIp", "203.0.113.10")
                link.pop("directConnectGatewayId", None)
            else:
                link.setdefault("directConnectGatewayId", "dxgw-0123")
                link.pop("customerGatewayIp", None)


def _components(spec: dict, rng: random.Random) -> None:
    components = spec.setdefault("components", {})
    order = ["public", "internal", "confidential", "restricted", "secret"]
    for component in components.values():
        if spec["deployment"] == "on-prem" and component.get("placement") == "cloud":
            del component["placement"]
        if spec["deployment"] == "cloud" and component.get("placement") == "onprem" and rng.random() < 0.9:
            del component["placement"]
        own = component.get("dataClassification")
        if own and order.index(own) > order.index(spec["dataClassification"]) and rng.random() < 0.9:
            del component["dataClassification"]
        if rng.random() < 0.7:  # placement is usually left to the rules
            component.pop("placement", None)
        if rng.random() < 0.6:
            component.pop("dataClassification", None)
        if rng.random() < 0.7:
            component.pop("enabled", None)
    serving = components.setdefault("serving", {})
    if not serving.get("models") and rng.random() < 0.4:  # serving is where most derived names come from
        serving["models"] = [{"name": rng.choice(["risk", "fraud-score", "r" * 25]),
                              "variants": [{"name": "champion", "weight": 90, "image": "v1"},
                                           {"name": "challenger", "weight": 10, "image": "v2"}]}]
    models = {model["name"]: model for model in serving.get("models", [])}
    for model in models.values():
        variants = {v["name"]: v for v in model["variants"]}
        model["variants"] = list(variants.values())
        weights = [100 // len(variants)] * len(variants)
        weights[0] += 100 - sum(weights)
        for variant, weight in zip(model["variants"], weights):
            variant["weight"] = weight
    if models:
        serving["models"] = list(models.values())
    groups = components.get("modelRegistry", {}).get("groups")
    if groups:
        components["modelRegistry"]["groups"] = sorted(set(groups))
