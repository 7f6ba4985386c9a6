"""`qantara validate` refuses, at the blueprint's line, what the platform program would refuse."""

from __future__ import annotations

import ipaddress

import pytest
from blueprint_samples import MINIMAL

from qantara.blueprint import load_blueprint
from qantara.blueprint.network import DEFAULT_VPC_CANDIDATES, default_vpc_cidr, subnet_cidrs
from qantara.errors import BlueprintError
from qantara.paths import project_root
from qantara.validate import validate_blueprint

SERVED = """\
  components:
    serving:
      models:
        - name: risk
          variants:
            - {name: champion, weight: 100, image: risk-1.0.0}
"""
HYBRID_LINK = """\
apiVersion: qantara.dev/v1
kind: Blueprint
metadata:
  name: ruh-ml
  owner: data-platform
spec:
  jurisdiction: SA
  dataClassification: restricted
  sectors: [health]
  deployment: hybrid
  cloud: {vpcCidr: 10.20.0.0/16}
  onPrem:
    site: ruh-dc1
    country: SA
    registry: registry.example.sa/ml
    connectivity: {kind: vpn, siteCidrs: [10.0.0.0/8], customerGatewayIp: 203.0.113.10}
  environments:
    - name: dev
"""


def refusals(write, text: str) -> list[str]:
    """Every line `qantara validate` refuses the blueprint with, without the file name."""
    path = write(text)
    with pytest.raises(BlueprintError) as caught:
        validate_blueprint(path)
    return [line.removeprefix(f"{path}:") for line in caught.value.lines()]


def only(lines: list[str]) -> str:
    assert len(lines) == 1, lines
    return lines[0]


def test_a_long_blueprint_name_is_refused_at_metadata_name_for_the_role_it_makes_too_long(write):
    text = MINIMAL.replace("name: gulf-ml", "name: " + "g" * 60)
    line = only(refusals(write, text))
    assert line.startswith("4:9: metadata.name: IAM role name `" + "g" * 60 + "_dev_features-feature-store` is 87 ")
    assert "over the 64 AWS allows (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html)" in line
    assert "shorten metadata.name (or the environment names) by 23 or more characters" in line
    assert "also too long: " in line and "the model approval rule" in line


def test_the_environment_that_alone_makes_a_name_too_long_is_refused_at_its_own_line(write):
    text = MINIMAL.replace("name: gulf-ml", "name: " + "g" * 35) + "    - name: preproduction-eu-1\n"
    line = only(refusals(write, text))
    assert line.startswith("13:13: spec.environments[1].name: IAM role name `")
    assert "of environment 'preproduction-eu-1'); shorten the environment name by" in line


def test_a_model_name_that_makes_the_drift_job_too_long_is_refused_at_the_models_name(write):
    text = MINIMAL + SERVED.replace("name: risk", "name: " + "r" * 30)
    line = only(refusals(write, text))
    assert line.startswith("16:17: spec.components.serving.models[0].name: SageMaker name")
    assert "`drift-monitoring-" + "r" * 30 + "-data-quality` is 68 characters with Pulumi's 8-character" in line
    assert "shorten this name by 5 or more characters" in line


def test_a_long_variant_name_is_refused_at_the_variants_name(write):
    text = MINIMAL + SERVED.replace("name: champion", "name: " + "c" * 60)
    line = only(refusals(write, text))
    assert line.startswith("18:22: spec.components.serving.models[0].variants[0].name: SageMaker name")
    assert "`serving-risk-" + "c" * 60 + "` is 81 characters" in line


def test_serving_in_the_cloud_with_its_data_lake_on_prem_is_refused_at_servings_placement(write):
    text = HYBRID_LINK.replace("dataClassification: restricted", "dataClassification: internal").replace(
        "  environments:", "  environments:") + SERVED.replace("    serving:\n", "    dataLake: {placement: onprem}\n"
                                                              "    serving:\n      placement: cloud\n")
    lines = refusals(write, text.replace("siteCidrs: [10.0.0.0/8]", "siteCidrs: [10.9.0.0/16]"))
    assert any(line.startswith("22:18: spec.components.serving.placement: component serving is placed in ")
               and "captures requests into the data lake, but dataLake is on-prem" in line for line in lines), lines


def test_monitoring_in_a_region_without_the_monitor_image_is_refused_at_the_region(write):
    text = MINIMAL.replace("dataClassification: restricted", "dataClassification: public").replace(
        "cloud: {}", "cloud: {region: ca-west-1}") + SERVED
    line = only(refusals(write, text))
    assert line.startswith("10:19: spec.cloud.region: SageMaker Model Monitor's analyzer image is not known for "
                           "region `ca-west-1`")


def test_a_dr_region_that_placement_picks_as_primary_is_refused_at_dr_region(write):
    text = MINIMAL.replace("cloud: {}", "cloud: {drRegion: me-central-1}")
    line = only(refusals(write, text))
    assert line.startswith("10:21: spec.cloud.drRegion: 'me-central-1' is the region placement chose as primary")


def test_a_waiver_of_a_policy_that_does_not_exist_is_refused_at_its_policy(write):
    text = MINIMAL + ("  governance:\n    waivers:\n      - {policy: QA-RES-999, reason: legacy, approvedBy: ciso, "
                      "expires: 2027-01-31}\n")
    line = only(refusals(write, text))
    assert line.startswith("15:18: spec.governance.waivers[0].policy: 'QA-RES-999' is not a policy of the library")


def test_an_oidc_provider_of_another_issuer_is_refused_at_provider_arn(write):
    text = MINIMAL + ("  deployAccess:\n    provider: github\n    repository: acme/platform\n"
                      "    providerArn: arn:aws:iam::123456789012:oidc-provider/gitlab.com\n")
    line = only(refusals(write, text))
    assert line.startswith("16:18: spec.deployAccess.providerArn: OIDC provider")
    assert "is not github's issuer" in line


def test_a_github_repository_of_three_parts_is_refused_at_its_line(write):
    text = MINIMAL + "  deployAccess: {provider: github, repository: acme/ml/platform}\n"
    assert only(refusals(write, text)).startswith("13:48: spec.deployAccess.repository: repository `acme/ml/platform` "
                                                  "is not a github `owner/name`")


def test_a_maximum_below_the_production_start_is_refused_at_max_instance_count(write):
    text = MINIMAL.replace("    - name: dev\n", "    - {name: prod, maxInstanceCount: 1}\n") + SERVED
    assert only(refusals(write, text)).startswith(
        "12:38: spec.environments[0].maxInstanceCount: 1 is below the 2 instances a production environment starts with")


def test_a_model_name_with_a_double_hyphen_is_refused_at_its_line(write):
    line = only(refusals(write, MINIMAL + SERVED.replace("name: risk", "name: risk--v2")))
    assert line.startswith("16:17: spec.components.serving.models[0].name: 'risk--v2' is not a SageMaker name")


@pytest.mark.parametrize("section, line", [
    ("  cloud: {region: me-central-1}\n", "13:10: spec.cloud: 'cloud' is ignored: an on-prem deployment has no cloud side"),
    ("  deployAccess: {provider: github, repository: acme/platform}\n", "13:17: spec.deployAccess: 'deployAccess' is "
                                                                        "ignored"),
])
def test_a_section_an_on_prem_deployment_ignores_is_an_error_not_silence(write, section, line):
    text = MINIMAL.replace("deployment: cloud", "deployment: on-prem").replace(
        "  cloud: {}\n", "  onPrem: {site: ruh-dc1, country: SA, registry: registry.example.sa/ml}\n") + section
    assert only(refusals(write, text)).startswith(line)


def test_a_vpc_range_that_overlaps_the_sites_ranges_is_refused_at_vpc_cidr(write):
    path = write(HYBRID_LINK)
    with pytest.raises(BlueprintError) as caught:
        load_blueprint(path)
    assert only(caught.value.lines()) == (
        f"{path}:11:20: spec.cloud.vpcCidr: '10.20.0.0/16' overlaps the site's ranges (10.0.0.0/8, "
        "spec.onPrem.connectivity.siteCidrs): the link would route the site into its own VPC; pick a range outside them")


@pytest.mark.parametrize("cidr, why", [("10.20.1.0/16", "has host bits set"), ("10.0.0.0/12", "a platform VPC is /16 to /24"),
                                       ("8.8.0.0/16", "is not a private (RFC 1918) range")])
def test_a_vpc_range_aws_or_the_network_would_refuse_is_refused(write, cidr, why):
    path = write(MINIMAL.replace("cloud: {}", f"cloud: {{vpcCidr: {cidr}}}"))
    with pytest.raises(BlueprintError) as caught:
        load_blueprint(path)
    assert why in only(caught.value.lines())


def test_the_default_vpc_range_steps_around_the_sites_ranges():
    assert default_vpc_cidr([]) == "10.20.0.0/16"
    assert default_vpc_cidr(["10.20.0.0/16"]) == "10.21.0.0/16"
    assert default_vpc_cidr(["10.0.0.0/8"]) == "172.16.0.0/16"
    assert default_vpc_cidr(["0.0.0.0/0"]) is None
    assert subnet_cidrs("10.20.0.0/16", 2) == ["10.20.0.0/20", "10.20.16.0/20"]
    assert len(DEFAULT_VPC_CANDIDATES) == len(set(DEFAULT_VPC_CANDIDATES))


def test_no_example_blueprints_vpc_range_overlaps_its_site_ranges():
    linked = 0
    for path in sorted((project_root() / "blueprints").glob("*.yaml")):
        spec = load_blueprint(path).model.spec
        link = spec.on_prem.connectivity if spec.on_prem is not None else None
        if spec.cloud is None or link is None:
            continue
        linked += 1
        vpc = ipaddress.ip_network(spec.vpc_cidr())
        assert not [c for c in link.site_cidrs if vpc.overlaps(ipaddress.ip_network(c, strict=False))], path.name
    assert linked, "no example links a site to the cloud: the test would prove nothing"


def test_site_ranges_covering_every_default_ask_for_a_vpc_range(write):
    text = HYBRID_LINK.replace("  cloud: {vpcCidr: 10.20.0.0/16}\n", "  cloud: {}\n").replace(
        "siteCidrs: [10.0.0.0/8]", "siteCidrs: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]")
    path = write(text)
    with pytest.raises(BlueprintError) as caught:
        load_blueprint(path)
    assert "the site's ranges cover every default VPC range; set spec.cloud.vpcCidr" in only(caught.value.lines())


def test_every_example_blueprint_validates():
    for path in sorted((project_root() / "blueprints").glob("*.yaml")):
        validate_blueprint(path)


def test_an_instance_type_sagemaker_endpoints_do_not_accept_is_refused_at_its_line(write):
    text = MINIMAL + SERVED.replace("image: risk-1.0.0}", "image: risk-1.0.0, instanceType: ml.m5.huge}")
    line = only(refusals(write, text))
    assert line.startswith("18:78: spec.components.serving.models[0].variants[0].instanceType: 'ml.m5.huge' is not an "
                           "instance type SageMaker endpoints accept")
    assert "ml.m5.large" in line


def test_the_instance_type_list_is_the_pinned_botocores():
    import subprocess
    import sys

    script = project_root() / "scripts" / "generate_sagemaker_instance_types.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_two_models_whose_variants_make_the_same_resource_names_are_refused_at_the_second(write):
    text = MINIMAL + """\
  components:
    serving:
      models:
        - name: x
          variants: [{name: a-b, weight: 100, image: v1}]
        - name: x-a
          variants: [{name: b, weight: 100, image: v1}]
"""
    line = only(refusals(write, text))
    assert line.startswith("19:29: spec.components.serving.models[1].variants[0].name: model 'x-a' with variant 'b' "
                           "names its resources `x-a-b`, as model 'x' with variant 'a-b' does")


@pytest.mark.parametrize("name, reserved", [("xn--ml", "'xn--', a prefix AWS reserves"),
                                            ("aws", "'alias/aws/', a prefix AWS reserves")])
def test_a_blueprint_name_that_makes_a_reserved_aws_name_is_refused_at_metadata_name(write, name, reserved):
    line = only(refusals(write, MINIMAL.replace("name: gulf-ml", f"name: {name}")))
    assert line.startswith("4:9: metadata.name: ") and reserved in line


def test_deploy_access_on_a_hybrid_platform_with_nothing_in_the_cloud_is_refused_as_ignored(write):
    text = HYBRID_LINK.replace("  cloud: {vpcCidr: 10.20.0.0/16}\n", "  cloud: {}\n").replace(
        "    connectivity: {kind: vpn, siteCidrs: [10.0.0.0/8], customerGatewayIp: 203.0.113.10}\n", "") + (
        "  deployAccess: {provider: github, repository: acme/platform}\n")
    line = only(refusals(write, text))
    assert line.startswith("18:17: spec.deployAccess: 'deployAccess' is ignored: placement put no component in the cloud")


def test_an_owner_aws_cannot_hold_as_a_tag_value_is_refused_at_metadata_owner(write):
    path = write(MINIMAL.replace("owner: data-platform", "owner: Data Office (Riyadh)"))
    with pytest.raises(BlueprintError) as caught:
        load_blueprint(path)
    assert only(caught.value.lines()) == (
        f"{path}:5:10: metadata.owner: 'Data Office (Riyadh)' becomes an AWS tag, which cannot hold '(' ')' "
        "(allowed: letters, digits, spaces and _.:/=+-@)")


def test_more_tags_than_aws_leaves_room_for_are_refused_at_tags(write):
    tags = "".join(f"    t{i}: v\n" for i in range(46))
    path = write(MINIMAL + "  tags:\n" + tags)
    with pytest.raises(BlueprintError) as caught:
        load_blueprint(path)
    assert only(caught.value.lines()) == f"{path}:14:5: spec.tags: has 46 items; at most 45 are allowed"


def test_a_tag_in_another_script_is_a_tag_aws_accepts(write):
    assert load_blueprint(write(MINIMAL + "  tags: {المالك: فريق البيانات}\n")).model.spec.tags


def test_the_validate_command_says_it_in_one_located_line_and_exits_2(write):
    import subprocess
    import sys

    path = write(MINIMAL.replace("name: gulf-ml", "name: " + "g" * 60))
    command = [sys.executable, "-c", "from qantara.cli import main; main()", "validate", str(path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}:4:9: metadata.name: IAM role name"), lines
    assert "Traceback" not in done.stderr and done.stdout == ""
