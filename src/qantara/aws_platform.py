"""The cloud side of a platform: every component placement put in an AWS region.

`stacks/platform` calls `provision_aws` once per stack. Components are created only for
what placement put in the cloud; each goes through an explicit provider in the placed
region, so a missing or wrong `aws:region` in the stack config can never move data.
Sizes, retention and protection come from the environment's profile.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from qantara.blueprint.models import CLASSIFICATION_ORDER, Blueprint
from qantara.blueprint.network import subnet_cidrs
from qantara.blueprint.platform_rules import COLOCATION, colocation_message
from qantara.blueprint.profiles import EnvironmentProfile
from qantara.catalog import regions
from qantara.components.audit_trail import AuditTrail, AuditTrailArgs
from qantara.components.data_lake import DataLake, DataLakeArgs
from qantara.components.deploy_access import DeployAccess, DeployAccessArgs
from qantara.components.disaster_recovery import DisasterRecovery, DisasterRecoveryArgs
from qantara.components.drift_monitoring import DriftMonitoring, DriftMonitoringArgs, MonitoredEndpoint
from qantara.components.experiment_tracking import ExperimentTracking, ExperimentTrackingArgs
from qantara.components.feature_store import FeatureStore, FeatureStoreArgs
from qantara.components.model_registry import ModelRegistry, ModelRegistryArgs
from qantara.components.model_registry import physical_name as registry_physical_name
from qantara.components.model_serving import (
    MODEL_ARTIFACTS_PREFIX,
    ModelServing,
    ModelServingArgs,
    ServingRoleArgs,
    VariantArgs,
    serving_role,
)
from qantara.components.private_network import PrivateNetwork, PrivateNetworkArgs
from qantara.components.site_link import SiteLink, SiteLinkArgs
from qantara.components.sovereign_keys import SovereignKeys, SovereignKeysArgs
from qantara.errors import QantaraError
from qantara.naming import (
    DRIFT_MONITORING_COMPONENT,
    bucket_name,
    feature_store_database,
    kms_alias,
    sagemaker_name,
    serving_component,
    tracking_server_name,
)
from qantara.sovereignty.placement import Placement
from qantara.tagging import component_tags

# The VPC's range is the blueprint's (spec.cloud.vpcCidr) or a default clear of the site's
# ranges (qantara.blueprint.network); a /16 gives a /20 per zone: room for endpoints, jobs and ENIs.
# Zone letters every commercial region has; naming them avoids an invoke at program time.
ZONE_SUFFIXES = ("a", "b")

# Services that use the platform key for the account (S3 server access logging, SNS
# publishers: EventBridge rules and CloudWatch alarms).
# Components whose workloads run in the platform's private subnets.
NETWORKED_COMPONENTS = {"serving", "monitoring"}

KEY_SERVICE_PRINCIPALS = ["cloudwatch.amazonaws.com", "events.amazonaws.com", "logging.s3.amazonaws.com"]


@dataclass
class AwsPlatformArgs:
    blueprint: Blueprint
    profile: EnvironmentProfile
    placement: Placement
    catalog: dict
    base_tags: dict[str, str]


class _Context:
    """What every component of one stack shares: region, provider, account, key, tags."""

    def __init__(self, args: AwsPlatformArgs):
        self.args = args
        self.name = args.blueprint.metadata.name
        self.environment = args.profile.name
        self.region = args.placement.primary_region
        self.partition = regions(args.catalog)[self.region]["partition"]
        self.cloud = args.placement.cloud_components()
        self.provider = aws.Provider(f"aws-{self.region}", region=self.region,
                                     default_tags={"tags": args.base_tags})
        self.opts = pulumi.ResourceOptions(provider=self.provider)
        # A plain account id: ARNs in policies and names are built before anything exists.
        self.account_id = aws.get_caller_identity(opts=pulumi.InvokeOptions(provider=self.provider)).account_id

    def data_class(self, component: str) -> str:
        return self.cloud[component].data_class

    def strictest_class(self) -> str:
        return max((p.data_class for p in self.cloud.values()), key=CLASSIFICATION_ORDER.index)

    def tags(self, component: str, data_class: str | None = None) -> dict[str, str]:
        return component_tags(self.args.base_tags, component=component,
                              data_classification=data_class or self.data_class(component))

    def scoped_name(self, purpose: str) -> str:
        """`<blueprint>-<env>-<purpose>`: SageMaker names are unique per account and region."""
        return sagemaker_name(self.name, self.environment, purpose)

    def bucket(self, purpose: str) -> str:
        return bucket_name(self.name, self.environment, purpose, self.region)


def _site_link_wanted(args: AwsPlatformArgs) -> bool:
    on_prem = args.blueprint.spec.on_prem
    return bool(args.placement.onprem_components()) and on_prem is not None and on_prem.connectivity is not None


def _network(ctx: _Context, keys: SovereignKeys, key_class: str) -> PrivateNetwork:
    vpc_cidr = ctx.args.blueprint.spec.vpc_cidr()
    subnets = subnet_cidrs(vpc_cidr, len(ZONE_SUFFIXES))
    return PrivateNetwork(
        "network",
        PrivateNetworkArgs(
            blueprint=ctx.name,
            environment=ctx.environment,
            region=ctx.region,
            account_id=ctx.account_id,
            vpc_cidr=vpc_cidr,
            subnet_cidrs={f"{ctx.region}{zone}": cidr for zone, cidr in zip(ZONE_SUFFIXES, subnets)},
            kms_key_arn=keys.key_arn,
            flow_log_retention_days=ctx.args.profile.log_retention_days,
            partition=ctx.partition,
            data_classification=key_class,
            tags=ctx.tags("network", key_class),
        ),
        opts=ctx.opts,
    )


def model_groups(blueprint: Blueprint) -> list[str]:
    """One model package group per served model, then the extra ones, then a default."""
    components = blueprint.spec.components
    groups = [m.name for m in components.serving.models]
    groups += [g for g in components.model_registry.groups if g not in groups]
    return groups or ["models"]


def provision_aws(args: AwsPlatformArgs) -> dict[str, pulumi.Input]:
    """Create the cloud components placement chose; returns the stack outputs."""
    ctx = _Context(args)
    outputs: dict[str, pulumi.Input] = {"region": ctx.region}
    key_class = ctx.strictest_class()
    keys = SovereignKeys(
        "platform-keys",
        SovereignKeysArgs(
            alias=kms_alias(ctx.name, ctx.environment, "platform"),
            description=f"Qantara platform key for {ctx.name} ({ctx.environment})",
            account_id=ctx.account_id,
            partition=ctx.partition,
            data_classification=key_class,
            service_principals=KEY_SERVICE_PRINCIPALS,
            logs_region=ctx.region,
            cloudtrail="audit" in ctx.cloud,
            tags=ctx.tags("keys", key_class),
        ),
        opts=ctx.opts,
    )
    outputs["platformKeyArn"] = keys.key_arn

    network = None
    if ctx.cloud.keys() & NETWORKED_COMPONENTS or _site_link_wanted(args):
        network = _network(ctx, keys, key_class)
        outputs.update(vpcId=network.vpc_id, privateSubnetIds=network.subnet_ids,
                       workloadSecurityGroupId=network.workload_security_group_id)
        if _site_link_wanted(args):
            link = SiteLink(
                "site-link",
                SiteLinkArgs(
                    blueprint=ctx.name,
                    environment=ctx.environment,
                    vpc_id=network.vpc_id,
                    route_table_ids=[table.id for table in network.route_tables],
                    connectivity=args.blueprint.spec.on_prem.connectivity,
                    tags=ctx.tags("siteLink", key_class),
                ),
                opts=ctx.opts,
            )
            outputs["vpnGatewayId"] = link.vpn_gateway_id

    lake = registry = None
    if "dataLake" in ctx.cloud:
        lake = DataLake(
            "data-lake",
            DataLakeArgs(
                blueprint=ctx.name,
                environment=ctx.environment,
                region=ctx.region,
                kms_key_arn=keys.key_arn,
                partition=ctx.partition,
                data_classification=ctx.data_class("dataLake"),
                force_destroy=not args.profile.deletion_protection,
                tags=ctx.tags("dataLake"),
            ),
            opts=ctx.opts,
        )
        outputs["dataLakeBuckets"] = lake.bucket_names

    if "audit" in ctx.cloud:
        trail = AuditTrail(
            "audit",
            AuditTrailArgs(
                blueprint=ctx.name,
                environment=ctx.environment,
                region=ctx.region,
                account_id=ctx.account_id,
                kms_key_arn=keys.key_arn,
                data_bucket_arns=[b.arn for b in lake.buckets.values()] if lake else [],
                retention_days=args.blueprint.spec.governance.audit_retention_days,
                log_group_retention_days=args.profile.log_retention_days,
                partition=ctx.partition,
                data_classification=ctx.data_class("audit"),
                tags=ctx.tags("audit"),
            ),
            opts=ctx.opts,
        )
        outputs.update(auditTrailArn=trail.trail_arn, auditLogBucket=trail.log_bucket_name)

    if "featureStore" in ctx.cloud:
        features = FeatureStore(
            "feature-store",
            FeatureStoreArgs(
                database_name=feature_store_database(ctx.name, ctx.environment),
                region=ctx.region,
                account_id=ctx.account_id,
                kms_key_arn=keys.key_arn,
                offline_store_bucket=ctx.bucket("curated"),
                online=args.blueprint.spec.components.feature_store.online,
                partition=ctx.partition,
                data_classification=ctx.data_class("featureStore"),
                tags=ctx.tags("featureStore"),
            ),
            opts=ctx.opts,
        )
        outputs.update(featureStoreDatabase=features.database_name, featureStoreRoleArn=features.role_arn,
                       featureStoreOfflineUri=features.offline_store_uri)

    if "experimentTracking" in ctx.cloud:
        tracking = ExperimentTracking(
            "experiment-tracking",
            ExperimentTrackingArgs(
                tracking_server_name=tracking_server_name(ctx.name, ctx.environment),
                region=ctx.region,
                account_id=ctx.account_id,
                kms_key_arn=keys.key_arn,
                artifact_bucket=ctx.bucket("artifacts"),
                tracking_server_size=args.profile.tracking_server_size,
                partition=ctx.partition,
                data_classification=ctx.data_class("experimentTracking"),
                tags=ctx.tags("experimentTracking"),
            ),
            opts=ctx.opts,
        )
        # SageMaker's MLflow plugin takes the tracking server's ARN as the tracking URI.
        outputs.update(trackingUri=tracking.tracking_server_arn, trackingServerUrl=tracking.server.tracking_server_url,
                       trackingRoleArn=tracking.role_arn)

    if "modelRegistry" in ctx.cloud:
        groups = [ctx.scoped_name(group) for group in model_groups(args.blueprint)]
        registry = ModelRegistry(
            "model-registry",
            ModelRegistryArgs(
                blueprint=ctx.name,
                environment=ctx.environment,
                region=ctx.region,
                account_id=ctx.account_id,
                kms_key_arn=keys.key_arn,
                model_package_groups=groups,
                partition=ctx.partition,
                data_classification=ctx.data_class("modelRegistry"),
                tags=ctx.tags("modelRegistry"),
            ),
            opts=ctx.opts,
        )
        outputs.update(modelPackageGroups=registry.group_names, modelImageRepositoryUrl=registry.repository_url,
                       approvalTopicArn=registry.approval_topic_arn)

    endpoints: list[MonitoredEndpoint] = []
    if "serving" in ctx.cloud:
        _require(ctx, "serving")
        role = _serving_role(ctx, keys)
        endpoints = _serving(ctx, keys, network, registry, role)
        # What a project's own infrastructure needs to declare its endpoints (templates/ml-project).
        outputs.update(servingRoleArn=role.arn, servingSecurityGroupIds=[network.workload_security_group_id],
                       dataCaptureBucket=ctx.bucket("raw"),
                       endpoints={e.model_name: e.endpoint_name for e in endpoints})

    if "monitoring" in ctx.cloud and endpoints:
        _require(ctx, "monitoring")
        monitoring = args.blueprint.spec.components.monitoring
        drift = DriftMonitoring(
            DRIFT_MONITORING_COMPONENT,
            DriftMonitoringArgs(
                blueprint=ctx.name,
                environment=ctx.environment,
                region=ctx.region,
                partition=ctx.partition,
                account_id=ctx.account_id,
                endpoints=endpoints,
                kms_key_arn=keys.key_arn,
                monitoring_bucket=ctx.bucket("artifacts"),
                subnet_ids=network.subnet_ids,
                security_group_ids=[network.workload_security_group_id],
                schedule=monitoring.schedule,
                latency_threshold_ms=monitoring.latency_threshold_ms,
                error_threshold=monitoring.error_threshold,
                data_classification=ctx.data_class("monitoring"),
                tags=ctx.tags("monitoring"),
            ),
            opts=ctx.opts,
        )
        outputs.update(alertTopicArn=drift.alert_topic_arn, monitoringSchedules=drift.schedule_names)

    deploy = args.blueprint.spec.deploy_access
    if deploy is not None:
        config = pulumi.Config("qantara")
        access = DeployAccess(
            "deploy-access",
            DeployAccessArgs(
                blueprint=ctx.name,
                environment=ctx.environment,
                account_id=ctx.account_id,
                partition=ctx.partition,
                provider=deploy.provider,
                repository=deploy.repository,
                # Made by stacks/bootstrap; absent when the state lives elsewhere.
                state_bucket_arn=config.get("stateBucketArn"),
                state_key_arn=config.get("stateKeyArn"),
                existing_provider_arn=deploy.provider_arn,
                regions=[r for r in (ctx.region, _dr_region(args)) if r],
                data_classification=key_class,
                tags=ctx.tags("deployAccess", key_class),
            ),
            opts=ctx.opts,
        )
        outputs.update(deployRoleArn=access.role_arn, oidcProviderArn=access.provider_arn)

    dr_region = _dr_region(args)
    if dr_region and lake is not None:
        dr_provider = aws.Provider(f"aws-{dr_region}", region=dr_region, default_tags={"tags": args.base_tags})
        recovery = DisasterRecovery(
            "disaster-recovery",
            DisasterRecoveryArgs(
                blueprint=ctx.name,
                environment=ctx.environment,
                primary_region=ctx.region,
                dr_region=dr_region,
                partition=ctx.partition,
                account_id=ctx.account_id,
                source_buckets={purpose: lake.buckets[purpose] for purpose in ("raw", "curated", "artifacts")},
                source_kms_key_arn=keys.key_arn,
                dr_provider=dr_provider,
                data_classification=ctx.data_class("dataLake"),
                tags=ctx.tags("dataLake"),
                force_destroy=not args.profile.deletion_protection,
                source_dependencies=[lake],
            ),
            opts=ctx.opts,
        )
        outputs.update(drRegion=dr_region, drBuckets=recovery.dr_bucket_names, drKeyArn=recovery.dr_key_arn)
        if "audit" in ctx.cloud:
            # The replicas are data too: their reads and writes are audited where they live.
            dr_trail = AuditTrail(
                "audit-dr",
                AuditTrailArgs(
                    blueprint=ctx.name,
                    environment=ctx.environment,
                    region=dr_region,
                    account_id=ctx.account_id,
                    kms_key_arn=recovery.dr_key_arn,
                    data_bucket_arns=[b.arn for b in recovery.buckets.values()],
                    retention_days=args.blueprint.spec.governance.audit_retention_days,
                    log_group_retention_days=args.profile.log_retention_days,
                    partition=ctx.partition,
                    data_classification=ctx.data_class("audit"),
                    tags=ctx.tags("audit"),
                ),
                opts=pulumi.ResourceOptions(provider=dr_provider),
            )
            outputs["drAuditTrailArn"] = dr_trail.trail_arn
    return outputs


def _dr_region(args: AwsPlatformArgs) -> str | None:
    """The DR region placement allowed (it refuses the blueprint otherwise), or None."""
    recovery = args.placement.disaster_recovery
    return recovery.region if recovery is not None else None


def _require(ctx: _Context, component: str) -> None:
    """The co-location rule placement already checked (platform_rules.COLOCATION), kept as a
    guard for callers that build a platform without placing the blueprint."""
    for needed, why in COLOCATION[component]:
        if needed not in ctx.cloud:
            placed = ctx.args.placement.components
            where = placed[needed].where if needed in placed else "disabled"
            raise QantaraError(colocation_message(component, needed, why, ctx.region, where))


def _serving_role(ctx: _Context, keys: SovereignKeys):
    """The execution role every endpoint of the environment runs as, the blueprint's and projects'."""
    return serving_role(
        "serving-role",
        ServingRoleArgs(
            blueprint=ctx.name,
            environment=ctx.environment,
            region=ctx.region,
            account_id=ctx.account_id,
            kms_key_arn=keys.key_arn,
            artifacts_bucket=ctx.bucket("artifacts"),
            data_capture_bucket=ctx.bucket("raw"),
            image_repository=registry_physical_name(ctx.name, ctx.environment, "models"),
            partition=ctx.partition,
            tags=ctx.tags("serving"),
        ),
        opts=ctx.opts,
    )


def _serving(ctx: _Context, keys: SovereignKeys, network: PrivateNetwork, registry: ModelRegistry,
             role) -> list[MonitoredEndpoint]:
    """One endpoint per model the blueprint serves, all running as the serving role."""
    profile = ctx.args.profile
    endpoints = []
    for model in ctx.args.blueprint.spec.components.serving.models:
        variants = [
            VariantArgs(
                name=variant.name,
                weight=variant.weight,
                image_uri=registry.repository_url.apply(lambda url, tag=variant.image: f"{url}:{tag}"),
                instance_type=variant.instance_type,
                initial_instance_count=profile.instance_count,
                max_instance_count=profile.max_instance_count,
                model_data_url=(f"s3://{ctx.bucket('artifacts')}/{MODEL_ARTIFACTS_PREFIX}/{variant.model_data}"
                                if variant.model_data else None),
            )
            for variant in model.variants
        ]
        serving = ModelServing(
            serving_component(model.name),
            ModelServingArgs(
                blueprint=ctx.name,
                environment=ctx.environment,
                model_name=model.name,
                variants=variants,
                execution_role_arn=role.arn,
                kms_key_arn=keys.key_arn,
                subnet_ids=network.subnet_ids,
                security_group_ids=[network.workload_security_group_id],
                data_capture_bucket=ctx.bucket("raw"),
                data_capture_percent=model.data_capture_percent,
                data_classification=ctx.data_class("serving"),
                tags=ctx.tags("serving"),
            ),
            opts=pulumi.ResourceOptions(provider=ctx.provider, depends_on=[role]),
        )
        endpoints.append(MonitoredEndpoint(model_name=model.name, endpoint_name=serving.endpoint_name,
                                           variant_names=[v.name for v in model.variants],
                                           data_capture_uri=serving.data_capture_uri))
    return endpoints
