"""{{ cookiecutter.project_name }} on the {{ cookiecutter._platform }} platform: the workloads this project owns.

Everything the platform owns (region, key, network, roles, buckets) is read from the platform
stack's outputs through a StackReference, never copied here, so the project cannot drift from
where the platform's rules put it. Config (Pulumi.yaml declares it): platformStack, environment
{%- if cookiecutter.serving == "realtime" %}, imageUri, modelDataUrl, instanceType, instanceCount, maxInstanceCount{% endif %};
on an on-prem platform, pipelineImageTag, driftWebhookToken and kubeApiCidrs (onprem_pipeline.py).
"""

import pulumi
{%- if cookiecutter.serving == "realtime" %}
import pulumi_aws as aws

from qantara.components.model_serving import ModelServing, ModelServingArgs, VariantArgs
{%- endif %}

PROJECT = "{{ cookiecutter.__dns_name }}"
PLATFORM = "{{ cookiecutter._platform }}"
ENVIRONMENTS = {{ cookiecutter.environments.split(',') }}
DATA_CLASSIFICATION = "{{ cookiecutter.data_classification }}"
# The platform's model package group for this project: models are registered there and
# approved through the platform's checkpoint before any deployment.
MODEL_PACKAGE_GROUP = "{{ cookiecutter._registry_group }}"
# Where placement put serving when the project was generated; the platform stack must agree.
PLACED_IN = "{{ cookiecutter._region }}"
# The platform stack outputs this program reads.
OUTPUTS = {
    "region": "region",
{%- if cookiecutter.serving == "realtime" %}
    "kms_key_arn": "platformKeyArn",
    "execution_role_arn": "servingRoleArn",
    "subnet_ids": "privateSubnetIds",
    "security_group_ids": "servingSecurityGroupIds",
    "data_capture_bucket": "dataCaptureBucket",
{%- endif %}
}

config = pulumi.Config()
environment = config.require("environment")
if environment not in ENVIRONMENTS:
    raise pulumi.RunError(f"environment {environment!r} is not one of this project's ({', '.join(ENVIRONMENTS)}); "
                          f"see spec.environments in qantara.yaml")

platform = pulumi.StackReference(config.require("platformStack"))

# --- on-prem platform: the pipeline on the site's Argo Workflows (infra/onprem_pipeline.py) ---
if PLACED_IN.startswith("onprem:"):
    # Imported only here: it needs pulumi-kubernetes, which a cloud project never loads.
    import onprem_pipeline

    onprem_pipeline.declare(platform, environment, config)
    pulumi.export("modelPackageGroup", MODEL_PACKAGE_GROUP)
# --- end of the on-prem block; below, AWS workloads only ------------------------------------
else:
    def _in_placed_region(region: str) -> str:
        if region != PLACED_IN:
            raise pulumi.RunError(f"the platform stack runs in {region}, but this project was generated for "
                                  f"{PLACED_IN}; regenerate it or check the platformStack config")
        return region

    region = platform.require_output(OUTPUTS["region"]).apply(_in_placed_region)
{%- if cookiecutter.serving == "realtime" %}
    # Every resource goes through this provider: the region comes from the platform, not from
    # this stack's aws:region, which could be wrong.
    provider = aws.Provider("platform-region", region=region)
    tags = {
        "project": PROJECT,
        "platform": PLATFORM,
        "environment": environment,
        "data-classification": DATA_CLASSIFICATION,
        "owner": "{{ cookiecutter.owner }}",
    }

    variant = VariantArgs(
        name="champion",
        weight=100,
        image_uri=config.require("imageUri"),
        instance_type=config.get("instanceType") or "ml.m5.large",
        initial_instance_count=config.get_int("instanceCount") or 1,
        max_instance_count=config.get_int("maxInstanceCount") or 2,
        model_data_url=config.get("modelDataUrl") or None,
    )
    serving = ModelServing(
        PROJECT,
        ModelServingArgs(
            blueprint=PLATFORM,
            environment=environment,
            model_name=MODEL_PACKAGE_GROUP,
            variants=[variant],
            execution_role_arn=platform.require_output(OUTPUTS["execution_role_arn"]),
            kms_key_arn=platform.require_output(OUTPUTS["kms_key_arn"]),
            subnet_ids=platform.require_output(OUTPUTS["subnet_ids"]),
            security_group_ids=platform.require_output(OUTPUTS["security_group_ids"]),
            data_capture_bucket=platform.require_output(OUTPUTS["data_capture_bucket"]),
            data_classification=DATA_CLASSIFICATION,
            tags=tags,
        ),
        opts=pulumi.ResourceOptions(provider=provider),
    )
    pulumi.export("endpointName", serving.endpoint_name)
    pulumi.export("dataCaptureUri", serving.data_capture_uri)

{%- else %}
    # Serving '{{ cookiecutter.serving }}' declares no endpoint: batch jobs and model registration run from CI
    # against the platform's model package group.
{%- endif %}

    pulumi.export("region", region)
    pulumi.export("modelPackageGroup", MODEL_PACKAGE_GROUP)
