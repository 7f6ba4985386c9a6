"""Where a resource is, and when the plan must say it does not know (issue 11, "Location
fails closed"). Each test builds the few plan resources one behaviour needs and locates them
as every producer (offline run, real Pulumi output, the policy pack) does."""

from __future__ import annotations

import json

import pytest

from qantara.catalog import load_catalog
from qantara.plan.document import SECRET, UNKNOWN, plan_resource
from qantara.plan.location import locate_resources
from qantara.plan.stack_settings import StackConfig

CATALOG = load_catalog()
UAE = {"kind": "cloud", "cloud": "aws", "region": "me-central-1", "country": "AE"}
SITE = {"site": "riyadh-dc1", "country": "SA"}


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:prod::platform::{type_}::{name}"


def resource(type_: str, name: str, inputs: dict | None = None, *, provider: str = "", custom: bool = True,
             parent: str = "") -> dict:
    # A provider reference is `<provider urn>::<provider id>`, as the engine writes it.
    return plan_resource(urn=urn(type_, name), type_=type_, name=name, parent=parent,
                         provider=f"{provider}::04da6b54" if provider else "",
                         inputs=inputs or {}, custom=custom)


def provider(name: str, package: str = "aws", **inputs) -> dict:
    return resource(f"pulumi:providers:{package}", name, inputs)


def bucket(name: str = "patient-data", *, via: dict | None = None, **inputs) -> dict:
    return resource("aws:s3/bucket:Bucket", name, inputs, provider=via["urn"] if via else "")


def located(*resources, environ=None, **kwargs) -> dict[str, dict]:
    kwargs.setdefault("catalog", CATALOG)
    locate_resources(list(resources), environ=environ or {}, **kwargs)
    return {r["name"]: r["location"] for r in resources}


# The resource's own region, then its provider's.

def test_a_resources_own_region_wins_over_its_providers():
    east = provider("east", region="us-east-1")
    where = located(east, bucket(via=east, region="me-central-1"))
    assert where["patient-data"] == UAE


@pytest.mark.parametrize("value, words", [(SECRET, "its own region is a secret"),
                                          (UNKNOWN, "its own region is an output not known before deployment")])
def test_an_own_region_that_cannot_be_read_is_unknown_whatever_the_provider_says(value, words):
    uae = provider("uae", region="me-central-1")
    where = located(uae, bucket(via=uae, region=value))
    assert where["patient-data"]["kind"] == "unknown"
    assert where["patient-data"]["reason"].startswith(words)


def test_an_explicit_provider_without_a_region_is_left_to_the_environment_even_with_a_stack_region():
    ci = provider("ci-deploy")
    where = located(ci, bucket(via=ci), stack_region="me-central-1", environ={"AWS_REGION": "me-central-1"})
    assert where["patient-data"]["kind"] == "unknown"
    reason = where["patient-data"]["reason"]
    assert reason.startswith("provider region comes from the environment: provider `ci-deploy`")
    assert "AWS_REGION=me-central-1" in reason and "need not be the deployer's" in reason


def test_a_provider_named_default_means_nothing():
    default = provider("default")
    where = located(default, bucket(via=default), stack_region="me-central-1")
    assert where["patient-data"]["kind"] == "unknown"


@pytest.mark.parametrize("value, words", [(SECRET, "region is a secret"),
                                          (UNKNOWN, "region is an output not known before deployment")])
def test_a_providers_secret_or_unresolved_region_leaves_its_resources_unknown(value, words):
    replica = provider("replica", region=value)
    where = located(replica, bucket(via=replica))
    assert words in where["patient-data"]["reason"] and "provider `replica`" in where["patient-data"]["reason"]


def test_a_provider_the_plan_does_not_hold_leaves_its_resources_unknown():
    where = located(bucket(via={"urn": urn("pulumi:providers:aws", "elsewhere")}), stack_region="me-central-1")
    assert "provider `elsewhere` is not in the plan" in where["patient-data"]["reason"]


# The default provider: the stack config `pulumi up` would use.

def test_the_default_provider_takes_the_stack_settings_region():
    config = StackConfig.of({"aws:region": "me-central-1"}, "Pulumi.prod.yaml")
    assert located(bucket(), stack_config=config)["patient-data"] == UAE


def test_a_secret_stack_region_leaves_default_provider_resources_unknown():
    config = StackConfig.of({"aws:region": SECRET}, "Pulumi.prod.yaml")
    reason = located(bucket(), stack_config=config)["patient-data"]["reason"]
    assert "the default aws provider's region is a secret" in reason


def test_a_stack_without_a_region_says_where_qantara_looked_and_names_esc_imports():
    config = StackConfig({}, {}, "Pulumi.prod.yaml", ("dubai-care/aws-prod",))
    reason = located(bucket(), stack_config=config)["patient-data"]["reason"]
    assert reason.startswith("provider region comes from the environment: the default aws provider has no aws:region "
                             "in Pulumi.prod.yaml")
    assert "dubai-care/aws-prod" in reason


# Endpoints overrides.

@pytest.mark.parametrize("url", [
    "https://storage.example.net",
    "https://s3.me-central-1.amazonaws.com.evil.example",   # AWS's name as a subdomain of another
    "https://evil.example/s3.me-central-1.amazonaws.com",   # AWS's name in the path
    "https://s3.amazonaws.com",                              # an AWS endpoint of no region
    "https://s3.me-central-9.amazonaws.com",                 # a region AWS does not have
    SECRET,
    UNKNOWN,
])
def test_an_endpoint_that_is_not_aws_in_a_known_region_makes_the_provider_unknown(url):
    vendor = provider("vendor", region="me-central-1", endpoints=[{"s3": url}])
    where = located(vendor, bucket(via=vendor), resource("aws:kms/key:Key", "key", provider=vendor["urn"]))
    assert where["patient-data"]["kind"] == "unknown"
    assert where["patient-data"]["reason"].startswith("endpoints override sends s3 to ")
    assert where["key"]["kind"] == "unknown"  # the whole provider: an override may carry any call


def test_an_endpoint_message_shows_the_host_never_credentials_or_path():
    vendor = provider("vendor", region="me-central-1", endpoints=[{"s3": "https://ak:sk@minio.example.com:9000/t0ken"}])
    reason = located(vendor, bucket(via=vendor))["patient-data"]["reason"]
    assert "https://minio.example.com:9000" in reason
    assert "ak:sk" not in reason and "t0ken" not in reason


@pytest.mark.parametrize("url", ["https://s3.me-central-1.amazonaws.com", "s3.dualstack.me-central-1.amazonaws.com",
                                 "https://s3.me-central-1.api.aws",
                                 "https://bucket.vpce-0a1b2c3d-4e5f6a7b.s3.me-central-1.vpce.amazonaws.com"])
def test_an_aws_endpoint_in_the_providers_own_region_changes_nothing(url):
    uae = provider("uae", region="me-central-1", endpoints=[{"s3": url}])
    assert located(uae, bucket(via=uae))["patient-data"] == UAE


def test_an_aws_endpoint_of_another_region_moves_that_services_resources_only():
    # The SDK records a provider's endpoints as JSON text.
    uae = provider("uae", region="me-central-1", endpoints=json.dumps([{"s3": "https://s3.eu-central-1.amazonaws.com"}]))
    where = located(uae, bucket(via=uae), resource("aws:kms/key:Key", "key", provider=uae["urn"]))
    assert where["patient-data"]["region"] == "eu-central-1" and where["patient-data"]["country"] == "DE"
    assert where["key"] == UAE


def test_endpoints_in_the_stack_config_apply_to_the_default_provider():
    config = StackConfig.of({"aws:region": "me-central-1", "aws:endpoints": [{"s3": "http://10.0.0.5:9000"}]},
                            "Pulumi.prod.yaml")
    assert located(bucket(), stack_config=config)["patient-data"]["kind"] == "unknown"


# Real output: the resource's own outputs, when nothing else places it.

def test_observed_outputs_locate_a_resource_whose_provider_has_no_region():
    default = provider("default_6_0_0")
    topic = resource("aws:sns/topic:Topic", "alerts", provider=default["urn"])
    where = located(default, topic, observed_regions={topic["urn"]: "me-central-1"})
    assert where["alerts"] == UAE


def test_a_bucket_configuration_follows_its_bucket_through_the_same_provider_only():
    default, other = provider("default_6_0_0"), provider("other")
    b = bucket(via=default)
    same = resource("aws:s3/bucketPolicy:BucketPolicy", "same", provider=default["urn"])
    foreign = resource("aws:s3/bucketPolicy:BucketPolicy", "foreign", provider=other["urn"])
    for config in (same, foreign):
        config["propertyDependencies"] = {"bucket": [b["urn"]]}
    where = located(default, other, b, same, foreign, observed_regions={b["urn"]: "me-central-1"})
    assert where["same"] == UAE and where["foreign"]["kind"] == "unknown"


def test_observed_outputs_do_not_override_an_endpoint_refusal():
    vendor = provider("vendor", endpoints=[{"s3": "https://storage.example.net"}])
    b = bucket(via=vendor)
    assert located(vendor, b, observed_regions={b["urn"]: "me-central-1"})["patient-data"]["kind"] == "unknown"


# Packages Qantara does not model, and pure logic.

@pytest.mark.parametrize("type_, package", [("aws-native:s3:Bucket", "aws-native"),
                                            ("gcp:storage/bucket:Bucket", "gcp"),
                                            ("azure-native:storage:StorageAccount", "azure-native"),
                                            ("command:local:Command", "command")])
def test_a_resource_of_an_unmodelled_package_is_unknown_naming_the_package(type_, package):
    where = located(resource(type_, "store"))
    assert where["store"] == {"kind": "unknown", "package": package,
                              "reason": f"package {package} is not modelled: Qantara cannot tell where its "
                                        "resources keep data"}


def test_a_dynamic_provider_resource_is_unknown():
    where = located(resource("pulumi-python:dynamic:Resource", "export"))
    assert where["export"]["kind"] == "unknown" and "dynamic provider" in where["export"]["reason"]


@pytest.mark.parametrize("type_", ["random:index/randomPassword:RandomPassword", "random:index/randomId:RandomId",
                                   "tls:index/privateKey:PrivateKey", "pulumi:pulumi:StackReference"])
def test_types_the_logical_table_lists_are_logical(type_):
    assert located(resource(type_, "thing"))["thing"] == {"kind": "logical"}


def test_a_tls_type_the_table_does_not_list_is_not_logical():
    assert located(resource("tls:index/somethingNew:SomethingNew", "thing"))["thing"]["kind"] == "unknown"


def test_every_logical_table_row_has_its_source_and_reason():
    rows = CATALOG["logical_types"]["types"]
    assert rows and all(row["match"] in ("package", "type") and row["source"].startswith("https://") and row["reason"]
                        for row in rows)
    assert not any(row["value"] in ("aws", "aws-native", "kubernetes", "command", "gcp") for row in rows)


def test_components_are_logical_and_global_services_global():
    where = located(resource("qantara:data_lake:DataLake", "lake", custom=False),
                    resource("aws:iam/role:Role", "role"))
    assert where["lake"] == {"kind": "logical"} and where["role"] == {"kind": "global", "cloud": "aws"}


# Kubernetes: where the cluster is.

def eks_cluster(region: str) -> tuple[dict, dict]:
    aws_provider = provider(f"aws-{region}", region=region)
    return aws_provider, resource("aws:eks/cluster:Cluster", "ml-cluster", provider=aws_provider["urn"])


def test_kubernetes_objects_on_an_eks_cluster_of_the_plan_are_in_its_region_not_on_the_site():
    aws_provider, cluster = eks_cluster("us-east-1")
    k8s = provider("eks-k8s", "kubernetes", kubeconfig=SECRET)
    k8s["propertyDependencies"] = {"kubeconfig": [cluster["urn"]]}
    deployment = resource("kubernetes:apps/v1:Deployment", "scorer", provider=k8s["urn"])
    where = located(aws_provider, cluster, k8s, deployment, onprem=SITE)
    assert where["scorer"] == {"kind": "cloud", "cloud": "aws", "region": "us-east-1", "country": "US"}


def test_an_eks_cluster_inside_a_component_is_found_through_the_component():
    aws_provider, cluster = eks_cluster("me-central-1")
    component = resource("eks:index:Cluster", "ml", custom=False)
    cluster["parent"] = component["urn"]
    k8s = provider("eks-k8s", "kubernetes")
    k8s["propertyDependencies"] = {"kubeconfig": [component["urn"]]}
    namespace = resource("kubernetes:core/v1:Namespace", "mlops", provider=k8s["urn"])
    assert located(aws_provider, component, cluster, k8s, namespace)["mlops"] == UAE


def test_a_kubeconfig_naming_an_eks_cluster_locates_its_objects():
    kubeconfig = "contexts:\n- name: arn:aws:eks:eu-west-1:123456789012:cluster/ml\n"
    k8s = provider("eks", "kubernetes", kubeconfig=kubeconfig)
    where = located(k8s, resource("kubernetes:core/v1:Secret", "creds", provider=k8s["urn"]), onprem=SITE)
    assert where["creds"]["region"] == "eu-west-1"


def test_other_clusters_are_the_sites_and_unknown_without_one():
    k8s = provider("onprem", "kubernetes", kubeconfig=SECRET)
    objects = [k8s, resource("kubernetes:core/v1:Namespace", "mlops", provider=k8s["urn"]),
               resource("kubernetes:core/v1:ConfigMap", "settings")]
    on_site = located(*[dict(o) for o in objects], onprem=SITE)
    assert on_site["mlops"] == on_site["settings"] == {"kind": "onprem", **SITE}
    nowhere = located(*[dict(o) for o in objects])
    assert nowhere["mlops"]["kind"] == nowhere["settings"]["kind"] == "unknown"
    assert "no on-prem site" in nowhere["mlops"]["reason"]
