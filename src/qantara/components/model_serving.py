"""ModelServing: one served model behind a SageMaker endpoint, its variants, data capture and scaling."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from qantara.components.base import QantaraComponent
from qantara.components.drift_monitoring import (
    CAPTURE_CSV_CONTENT_TYPES,
    CAPTURE_JSON_CONTENT_TYPES,
    MonitoredEndpoint,
)
from qantara.components.iam_documents import (
    check_role_name,
    kms_use_statement,
    policy_document,
    s3_prefix_statements,
    sagemaker_trust_policy,
    vpc_network_interface_statements,
    with_sid_prefix,
)
from qantara.components.identity import StackIdentity
from qantara.components.model_registry import image_repository_name
from qantara.components.scope import require_colocated
from qantara.errors import QantaraError
from qantara.naming import (
    SAGEMAKER_NAME_MAX,
    check_autoname,
    endpoint_config_logical,
    role_name,
    sagemaker_name,
    serving_component,
    variant_model_logical,
)

if TYPE_CHECKING:  # builders only read the scope and their resolved component
    from qantara.components.scope import Outputs, PlatformScope
    from qantara.resolution import ResolvedComponent

TYPE_TOKEN = "qantara:model_serving:ModelServing"
# Data capture of every served model lands under this prefix of the capture bucket, one
# sub-prefix per model; drift monitoring reads it from there.
DATA_CAPTURE_PREFIX = "data-capture"
MODEL_ARTIFACTS_PREFIX = "models"
SCALABLE_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
SCALING_METRIC = "SageMakerVariantInvocationsPerInstance"


@dataclass
class VariantArgs:
    name: str
    # Share of the endpoint's traffic, in percent; the variants' weights add up to 100.
    weight: int
    image_uri: pulumi.Input[str]
    instance_type: str
    initial_instance_count: int
    max_instance_count: int
    model_data_url: pulumi.Input[str] | None = None


@dataclass
class ModelServingArgs:
    identity: StackIdentity
    model_name: str
    variants: list[VariantArgs]
    execution_role_arn: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    subnet_ids: pulumi.Input[list]
    security_group_ids: pulumi.Input[list]
    data_capture_bucket: pulumi.Input[str]
    data_capture_percent: int = 100
    # Invocations per instance per minute that target tracking holds each variant at: a
    # starting point, to be tuned from a load test of the model.
    invocations_per_instance_target: int = 100
    data_classification: str = "restricted"
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class ServingRoleArgs:
    """The execution role every served model of one blueprint and environment runs as."""

    identity: StackIdentity
    kms_key_arn: pulumi.Input[str]
    # Model artifacts are read from one prefix of DataLake's artifacts bucket.
    artifacts_bucket: str
    # Data capture is written under DATA_CAPTURE_PREFIX of this bucket.
    data_capture_bucket: str
    # The model image repository (ModelRegistry's); its name, in this account and region.
    image_repository: str
    model_artifacts_prefix: str = MODEL_ARTIFACTS_PREFIX
    tags: dict[str, str] = field(default_factory=dict)


def endpoint_name(blueprint: str, environment: str, model_name: str) -> str:
    """`<blueprint>-<env>-<model>`, within SageMaker's 63 characters."""
    return sagemaker_name(blueprint, environment, model_name)


def capture_prefix(model_name: str) -> str:
    return f"{DATA_CAPTURE_PREFIX}/{sagemaker_name(model_name)}"


def variant_resource_id(endpoint: str, variant: str) -> str:
    """Application Auto Scaling's id of an endpoint variant."""
    return f"endpoint/{endpoint}/variant/{variant}"


def serving_role_name(blueprint: str, environment: str) -> str:
    return role_name(blueprint, environment, "serving")


def serving_policy(args: ServingRoleArgs, key_arn: str) -> str:
    """Read model artifacts, write data capture, pull the model images, use the platform key,
    log to the platform's endpoint log groups, and place ENIs in the VPC; nothing else."""
    repository = args.identity.arn("ecr", f"repository/{args.image_repository}")
    log_groups = args.identity.arn("logs", f"log-group:/aws/sagemaker/Endpoints/{args.identity.sagemaker_name()}-*")
    statements = [
        *with_sid_prefix(
            s3_prefix_statements(
                args.artifacts_bucket, args.model_artifacts_prefix.strip("/"), args.identity.partition, ["s3:GetObject"]
            ),
            "Artifacts",
        ),
        *with_sid_prefix(
            s3_prefix_statements(args.data_capture_bucket, DATA_CAPTURE_PREFIX, args.identity.partition, ["s3:PutObject"]),
            "Capture",
        ),
        {
            "Sid": "PullModelImages",
            "Effect": "Allow",
            "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            "Resource": repository,
        },
        {
            # Registry tokens are account-wide: ECR offers no resource for this read-only call.
            "Sid": "GetRegistryToken",
            "Effect": "Allow",
            "Action": "ecr:GetAuthorizationToken",
            "Resource": "*",
        },
        kms_use_statement(key_arn),
        {
            "Sid": "WriteEndpointLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            "Resource": log_groups,
        },
        *vpc_network_interface_statements(args.identity.region, args.identity.account_id, args.identity.partition),
    ]
    return policy_document(statements)


def serving_role(name: str, args: ServingRoleArgs, opts: pulumi.ResourceOptions | None = None) -> aws.iam.Role:
    """Create the serving execution role and its policy with `opts` (parent, provider).

    Shared by every ModelServing of the environment, so it lives outside the component.
    """
    role_name = serving_role_name(args.identity.blueprint, args.identity.environment)
    check_role_name(role_name, "the blueprint or environment name")
    opts = opts or pulumi.ResourceOptions()
    role = aws.iam.Role(
        f"{name}-role",
        name=role_name,
        assume_role_policy=sagemaker_trust_policy(args.identity.account_id),
        tags=args.tags,
        opts=opts,
    )
    aws.iam.RolePolicy(
        f"{name}-role-policy",
        role=role.name,
        policy=pulumi.Output.from_input(args.kms_key_arn).apply(lambda key: serving_policy(args, key)),
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[role])),
    )
    return role


class ModelServing(QantaraComponent):
    """A SageMaker endpoint for one model: a model per variant, weighted traffic, data capture
    and target-tracking autoscaling per variant.

    Every model runs network-isolated in the private subnets; the endpoint's storage and
    captured requests and responses are encrypted with the platform key. Models and the
    endpoint configuration are auto-named: a new image or weight makes new ones, and the
    endpoint, whose name clients call, rolls over to them in place.
    """

    endpoint_name: pulumi.Output[str]
    endpoint_arn: pulumi.Output[str]
    data_capture_uri: pulumi.Output[str]
    variant_names: list[str]

    def __init__(self, name: str, args: ModelServingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, {"dataClassification": args.data_classification}, opts)
        self._name = name
        self._args = args
        _check(name, args)
        physical = endpoint_name(args.identity.blueprint, args.identity.environment, args.model_name)
        capture_uri = pulumi.Output.concat("s3://", args.data_capture_bucket, "/", capture_prefix(args.model_name))
        self.models = {v.name: self._model(v) for v in args.variants}
        self.endpoint_config = self._endpoint_config(capture_uri)
        self.endpoint = aws.sagemaker.Endpoint(
            f"{name}-endpoint",
            name=physical,
            endpoint_config_name=self.endpoint_config.name,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.endpoint_config]),
        )
        for variant in args.variants:
            self._autoscaling(physical, variant)

        self.endpoint_name = self.endpoint.name
        self.endpoint_arn = self.endpoint.arn
        self.data_capture_uri = capture_uri
        self.variant_names = [v.name for v in args.variants]
        self.register_outputs(
            {
                "endpointName": self.endpoint_name,
                "endpointArn": self.endpoint_arn,
                "dataCaptureUri": self.data_capture_uri,
                "variantNames": self.variant_names,
            }
        )

    def _model(self, variant: VariantArgs) -> aws.sagemaker.Model:
        args = self._args
        container = {"image": variant.image_uri}
        if variant.model_data_url is not None:
            container["model_data_url"] = variant.model_data_url
        # Network isolation: the container gets no network at all; SageMaker fetches the
        # artifacts for it. The VPC config places the endpoint's ENIs in the private subnets.
        return aws.sagemaker.Model(
            variant_model_logical(self._name, variant.name),
            execution_role_arn=args.execution_role_arn,
            primary_container=container,
            enable_network_isolation=True,
            vpc_config={"subnets": args.subnet_ids, "security_group_ids": args.security_group_ids},
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _endpoint_config(self, capture_uri: pulumi.Output[str]) -> aws.sagemaker.EndpointConfiguration:
        args = self._args
        variants = [
            {
                "variant_name": v.name,
                "model_name": self.models[v.name].name,
                "initial_instance_count": v.initial_instance_count,
                "instance_type": v.instance_type,
                "initial_variant_weight": v.weight,
            }
            for v in args.variants
        ]
        return aws.sagemaker.EndpointConfiguration(
            endpoint_config_logical(self._name),
            production_variants=variants,
            kms_key_arn=args.kms_key_arn,
            data_capture_config={
                "enable_capture": True,
                "initial_sampling_percentage": args.data_capture_percent,
                "destination_s3_uri": capture_uri,
                "kms_key_id": args.kms_key_arn,
                "capture_options": [{"capture_mode": "Input"}, {"capture_mode": "Output"}],
                # Captured as text the drift monitor's analyzer reads, not base64 (drift_monitoring).
                "capture_content_type_header": {"csv_content_types": list(CAPTURE_CSV_CONTENT_TYPES),
                                                "json_content_types": list(CAPTURE_JSON_CONTENT_TYPES)},
            },
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(self.models.values())),
        )

    def _autoscaling(self, endpoint: str, variant: VariantArgs) -> None:
        args = self._args
        # Scaling targets exist only once the endpoint and its variants do.
        target = aws.appautoscaling.Target(
            f"{self._name}-{variant.name}-scaling",
            service_namespace="sagemaker",
            resource_id=variant_resource_id(endpoint, variant.name),
            scalable_dimension=SCALABLE_DIMENSION,
            min_capacity=variant.initial_instance_count,
            max_capacity=variant.max_instance_count,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.endpoint]),
        )
        aws.appautoscaling.Policy(
            f"{self._name}-{variant.name}-scaling-policy",
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            resource_id=target.resource_id,
            scalable_dimension=target.scalable_dimension,
            target_tracking_scaling_policy_configuration={
                "target_value": args.invocations_per_instance_target,
                "predefined_metric_specification": {"predefined_metric_type": SCALING_METRIC},
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[target]),
        )


def _check(name: str, args: ModelServingArgs) -> None:
    model = args.model_name
    # Models and the configuration are auto-named from `name`: it must make SageMaker names.
    if sagemaker_name(name) != name:
        raise QantaraError(f"component name `{name}` is not a SageMaker name; use e.g. `{sagemaker_name(name)}`")
    if not args.variants:
        raise QantaraError(f"served model `{model}` has no variants; declare at least one")
    names = [v.name for v in args.variants]
    if len(set(names)) != len(names):
        raise QantaraError(f"served model `{model}` declares variant names twice: {', '.join(names)}")
    for variant in args.variants:
        if sagemaker_name(variant.name) != variant.name:
            raise QantaraError(
                f"variant `{variant.name}` of `{model}` is not a SageMaker name; use lower-case letters, digits "
                f"and hyphens, e.g. `{sagemaker_name(variant.name)}`"
            )
        if not 0 <= variant.weight <= 100:
            raise QantaraError(f"variant `{variant.name}` of `{model}` has weight {variant.weight}; use 0 to 100 (percent)")
        if not 1 <= variant.initial_instance_count <= variant.max_instance_count:
            raise QantaraError(
                f"variant `{variant.name}` of `{model}` scales from {variant.initial_instance_count} to "
                f"{variant.max_instance_count} instances; start at 1 or more and at most the maximum"
            )
        check_autoname(variant_model_logical(name, variant.name), SAGEMAKER_NAME_MAX,
                       f"the component name `{name}` or the variant name")
    total = sum(v.weight for v in args.variants)
    if total != 100:
        raise QantaraError(f"variant weights of `{model}` add up to {total}; they must add up to 100 (percent)")
    if not 0 < args.data_capture_percent <= 100:
        raise QantaraError(
            f"data capture of `{model}` samples {args.data_capture_percent}%; use 1 to 100, drift monitoring needs data"
        )
    check_autoname(endpoint_config_logical(name), SAGEMAKER_NAME_MAX, f"the component name `{name}`")


def _serving_role(scope: PlatformScope) -> aws.iam.Role:
    """The execution role every endpoint of the environment runs as, the blueprint's and projects'."""
    return serving_role(
        "serving-role",
        ServingRoleArgs(
            identity=scope.identity,
            kms_key_arn=scope.key_arn,
            artifacts_bucket=scope.identity.bucket_name("artifacts"),
            data_capture_bucket=scope.identity.bucket_name("raw"),
            image_repository=image_repository_name(scope.identity),
            tags=scope.tags("serving", scope.platform.components["serving"].data_class),
        ),
        opts=scope.opts,
    )


def _variants(scope: PlatformScope, component: ResolvedComponent, model) -> list[VariantArgs]:
    repository = scope.built["modelRegistry"].repository_url
    return [
        VariantArgs(
            name=variant.name,
            weight=variant.weight,
            image_uri=repository.apply(lambda url, tag=variant.image: f"{url}:{tag}"),
            instance_type=variant.instance_type,
            initial_instance_count=component.size["instanceCount"],
            max_instance_count=component.size["maxInstanceCount"],
            model_data_url=(f"s3://{scope.identity.bucket_name('artifacts')}/{MODEL_ARTIFACTS_PREFIX}/{variant.model_data}"
                            if variant.model_data else None),
        )
        for variant in model.variants
    ]


def _endpoint(scope: PlatformScope, component: ResolvedComponent, model, role) -> MonitoredEndpoint:
    network = scope.built["network"]
    serving = ModelServing(
        serving_component(model.name),
        ModelServingArgs(
            identity=scope.identity,
            model_name=model.name,
            variants=_variants(scope, component, model),
            execution_role_arn=role.arn,
            kms_key_arn=scope.key_arn,
            subnet_ids=network.subnet_ids,
            security_group_ids=[network.workload_security_group_id],
            data_capture_bucket=scope.identity.bucket_name("raw"),
            data_capture_percent=model.data_capture_percent,
            data_classification=component.data_class,
            tags=scope.tags("serving", component.data_class),
        ),
        opts=pulumi.ResourceOptions(provider=scope.provider, depends_on=[role]),
    )
    return MonitoredEndpoint(model_name=model.name, endpoint_name=serving.endpoint_name,
                             variant_names=[v.name for v in model.variants], data_capture_uri=serving.data_capture_uri,
                             drift_features=list(model.drift_features))


def build_serving(scope: PlatformScope, component: ResolvedComponent) -> Outputs:
    """One endpoint per model the blueprint serves, all running as the serving role."""
    require_colocated(scope.platform, "serving")
    role = _serving_role(scope)
    endpoints = [_endpoint(scope, component, model, role) for model in component.settings.models]
    scope.built["endpoints"] = endpoints
    network = scope.built["network"]
    # What a project's own infrastructure needs to declare its endpoints (templates/ml-project).
    return {"servingRoleArn": role.arn, "servingSecurityGroupIds": [network.workload_security_group_id],
            "dataCaptureBucket": scope.identity.bucket_name("raw"),
            "endpoints": {e.model_name: e.endpoint_name for e in endpoints}}
