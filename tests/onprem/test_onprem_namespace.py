import pytest
from pod_checks import label_problems, of_type

from qantara.components.identity import StackIdentity
from qantara.components.onprem.namespace import PlatformNamespace, PlatformNamespaceArgs
from qantara.components.onprem.naming import namespace_name, platform_labels

LABELS = platform_labels(blueprint="gov-analytics-ml", environment="prod", owner="cio-office@agency.gov.example")
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"


def _namespace(production=True, ingress_from=()):
    def body():
        PlatformNamespace("ns", PlatformNamespaceArgs(
            identity=StackIdentity(blueprint="gov-analytics-ml", environment="prod"), production=production, labels=LABELS,
            data_classification="secret", ingress_from_namespaces=list(ingress_from)))
    return body


@pytest.fixture
def namespace(build):
    return build(_namespace())


def policies(resources) -> dict:
    return {r["inputs"]["metadata"]["name"]: r["inputs"]["spec"] for r in of_type(resources, NETWORK_POLICY)}


def test_namespace_is_named_after_blueprint_and_environment_and_enforces_restricted_pod_security(namespace):
    labels = namespace[("kubernetes:core/v1:Namespace", "ns-namespace")]["inputs"]["metadata"]["labels"]
    assert namespace[("kubernetes:core/v1:Namespace", "ns-namespace")]["inputs"]["metadata"]["name"] == "gov-analytics-ml-prod"
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
    assert labels["qantara.dev/data-classification"] == "secret"


def test_every_object_of_the_namespace_lives_in_it_and_carries_valid_platform_labels(namespace):
    assert label_problems(namespace) == []
    for resource in namespace.values():
        if resource["type"].startswith("kubernetes:") and not resource["type"].endswith(":Namespace"):
            assert resource["inputs"]["metadata"]["namespace"] == "gov-analytics-ml-prod", resource["name"]
    # An e-mail address is not a label value: it is rewritten, not dropped.
    assert LABELS["qantara.dev/owner"] == "cio-office_agency.gov.example"


def test_default_deny_selects_every_pod_for_ingress_and_egress_and_allows_nothing(namespace):
    deny = policies(namespace)["default-deny"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_dns_is_the_only_egress_out_of_the_namespace(namespace):
    dns = policies(namespace)["allow-dns"]
    (rule,) = dns["egress"]
    assert rule["to"] == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}]
    assert sorted((p["protocol"], p["port"]) for p in rule["ports"]) == [("TCP", 53), ("UDP", 53)]
    same = policies(namespace)["allow-same-namespace"]
    assert same["ingress"] == [{"from": [{"podSelector": {}}]}]
    assert same["egress"] == [{"to": [{"podSelector": {}}]}]
    assert set(policies(namespace)) == {"default-deny", "allow-dns", "allow-same-namespace"}


def test_ingress_from_other_namespaces_only_when_named(build):
    resources = build(_namespace(ingress_from=["monitoring", "ingress-nginx", "monitoring"]))
    (rule,) = policies(resources)["allow-ingress-from-platform-services"]["ingress"]
    assert [peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for peer in rule["from"]] == [
        "ingress-nginx", "monitoring"]
    assert "egress" not in policies(resources)["allow-ingress-from-platform-services"]


@pytest.mark.parametrize(("production", "cpu", "pods", "ceiling"), [(True, "64", "100", "8"), (False, "16", "40", "4")])
def test_quota_and_container_limits_are_sized_by_the_environment_profile(build, production, cpu, pods, ceiling):
    resources = build(_namespace(production=production))
    quota = resources[("kubernetes:core/v1:ResourceQuota", "ns-quota")]["inputs"]["spec"]["hard"]
    assert (quota["limits.cpu"], quota["pods"]) == (cpu, pods)
    (limits,) = resources[("kubernetes:core/v1:LimitRange", "ns-limits")]["inputs"]["spec"]["limits"]
    assert limits["type"] == "Container" and limits["max"]["cpu"] == ceiling
    assert limits["default"] and limits["defaultRequest"]


def test_long_names_are_shortened_to_a_dns_label():
    name = namespace_name("a" * 63, "production-eu-west")
    assert len(name) <= 63 and name == namespace_name("a" * 63, "production-eu-west")
    assert name != namespace_name("a" * 63, "production-eu-east")
