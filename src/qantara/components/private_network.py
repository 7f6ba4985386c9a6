"""PrivateNetwork: an isolated VPC that reaches AWS services only through VPC endpoints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from qantara.components.base import QantaraComponent
from qantara.components.iam_documents import policy_document, service_trust_policy
from qantara.components.identity import StackIdentity

if TYPE_CHECKING:  # builders only read the scope and their resolved component
    from qantara.components.scope import Outputs, PlatformScope
    from qantara.resolution import ResolvedComponent

TYPE_TOKEN = "qantara:private_network:PrivateNetwork"
# The AWS APIs an ML workload in the VPC needs; each gets an interface endpoint.
INTERFACE_ENDPOINT_SERVICES = (
    "sagemaker.api",
    "sagemaker.runtime",
    "ecr.api",
    "ecr.dkr",
    "kms",
    "logs",
    # CloudWatch metrics: the model monitor's analyzer publishes drift metrics.
    "monitoring",
    "sts",
)
MIN_AVAILABILITY_ZONES = 2
# SageMaker managed MLflow's interface endpoint, for a platform with experiment tracking: a
# project's SageMaker pipeline logs its runs from the private subnets through it (its track
# step). Its service name is not `com.amazonaws.<region>.<service>` but
# `aws.sagemaker.<region>.experiments`: AWS PrivateLink guide, "AWS services that integrate with
# AWS PrivateLink" (Amazon SageMaker AI), https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html,
# and the SageMaker developer guide, "Connecting to an MLflow tracking server through an Interface
# VPC Endpoint", https://docs.aws.amazon.com/sagemaker/latest/dg/mlflow-interface-endpoint.html,
# both read 2026-12-06. With private DNS it answers the host the sagemaker-mlflow plugin calls,
# https://<region>.experiments.sagemaker.aws (aws/sagemaker-mlflow at
# 046823e11662202c8aaaa7180e8f6d51edfa9a9b, sagemaker_mlflow/mlflow_sagemaker_helpers.py).
# Sourced for the commercial partition only: elsewhere no endpoint (and no project track step).
MLFLOW_ENDPOINT_SERVICE = "aws.sagemaker.{region}.experiments"
MLFLOW_ENDPOINT_PARTITIONS = ("aws",)
# The platform output naming that endpoint; a project's infra requires it before it logs to MLflow.
MLFLOW_ENDPOINT_OUTPUT = "mlflowVpcEndpointId"


@dataclass
class PrivateNetworkArgs:
    """One knob per decision; the region is the provider's, passed in `opts`, and repeated
    in the identity only to build service names and ARNs without an invoke."""

    identity: StackIdentity
    vpc_cidr: str
    # Availability-zone name -> private subnet CIDR; at least two zones.
    subnet_cidrs: dict[str, str]
    kms_key_arn: pulumi.Input[str]
    flow_log_retention_days: int = 365
    # Endpoint service names are `<prefix>.<region>.<service>`; "cn.com.amazonaws" in China.
    endpoint_service_prefix: str = "com.amazonaws"
    # The platform's experiment tracking (SageMaker MLflow) is in this region: reach it from the VPC.
    experiment_tracking: bool = False
    data_classification: str = "restricted"
    tags: dict[str, str] = field(default_factory=dict)


def flow_logs_trust_policy(account_id: str, partition: str, region: str) -> str:
    """Only the flow-logs service, acting for this account's flow logs, may assume the role."""
    return service_trust_policy(
        "vpc-flow-logs.amazonaws.com",
        {
            "StringEquals": {"aws:SourceAccount": account_id},
            "ArnLike": {"aws:SourceArn": f"arn:{partition}:ec2:{region}:{account_id}:vpc-flow-log/*"},
        },
    )


def flow_logs_write_policy(log_group_arn: str) -> str:
    """Write to the one flow-log group and its streams, nothing else."""
    return policy_document(
        [
        {
            "Sid": "WriteFlowLogsToItsGroup",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            "Resource": [log_group_arn, f"{log_group_arn}:log-stream:*"],
        }
        ]
    )


class PrivateNetwork(QantaraComponent):
    """A VPC with private subnets only, VPC endpoints for the AWS APIs, and flow logs.

    There is no internet gateway, no NAT gateway and no public IP on launch: restricted
    data must have no network path to the internet, so the only way out of the VPC is
    through the endpoints to AWS services in the placed region.
    """

    vpc_id: pulumi.Output[str]
    subnet_ids: pulumi.Output[list]
    endpoint_security_group_id: pulumi.Output[str]
    workload_security_group_id: pulumi.Output[str]

    def __init__(self, name: str, args: PrivateNetworkArgs, opts: pulumi.ResourceOptions | None = None):
        if len(args.subnet_cidrs) < MIN_AVAILABILITY_ZONES:
            raise ValueError(f"PrivateNetwork needs subnets in at least {MIN_AVAILABILITY_ZONES} availability zones")
        super().__init__(TYPE_TOKEN, name, {"dataClassification": args.data_classification}, opts)
        self._name = name
        self._args = args
        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.vpc_cidr,
            enable_dns_support=True,
            # Private DNS on interface endpoints needs both DNS settings on.
            enable_dns_hostnames=True,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.subnets, self.route_tables = self._private_subnets()
        self.endpoint_security_group = self._endpoint_security_group()
        self.workload_security_group = self._workload_security_group()
        self.endpoints = self._endpoints()
        self.flow_log = self._flow_logs()

        self.vpc_id = self.vpc.id
        self.subnet_ids = pulumi.Output.all(*[s.id for s in self.subnets])
        self.endpoint_security_group_id = self.endpoint_security_group.id
        self.workload_security_group_id = self.workload_security_group.id
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "subnetIds": self.subnet_ids,
                "endpointSecurityGroupId": self.endpoint_security_group_id,
                "workloadSecurityGroupId": self.workload_security_group_id,
            }
        )

    def _private_subnets(self) -> tuple[list[aws.ec2.Subnet], list[aws.ec2.RouteTable]]:
        """One subnet and one route table per zone; the tables hold only the local route
        (and, once the gateway endpoint is attached, the S3 prefix list)."""
        name, args = self._name, self._args
        after_vpc = pulumi.ResourceOptions(parent=self, depends_on=[self.vpc])
        subnets, tables = [], []
        for az, cidr in args.subnet_cidrs.items():
            subnet = aws.ec2.Subnet(
                f"{name}-private-{az}",
                vpc_id=self.vpc.id,
                availability_zone=az,
                cidr_block=cidr,
                # No public IPs: nothing in these subnets is reachable from, or can reach, the internet.
                map_public_ip_on_launch=False,
                tags=args.tags,
                opts=after_vpc,
            )
            table = aws.ec2.RouteTable(f"{name}-private-{az}-routes", vpc_id=self.vpc.id, tags=args.tags, opts=after_vpc)
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{az}-routes-association",
                subnet_id=subnet.id,
                route_table_id=table.id,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[subnet, table]),
            )
            subnets.append(subnet)
            tables.append(table)
        return subnets, tables

    def _endpoint_security_group(self) -> aws.ec2.SecurityGroup:
        args = self._args
        return aws.ec2.SecurityGroup(
            f"{self._name}-endpoints",
            vpc_id=self.vpc.id,
            description="HTTPS from inside the VPC to the AWS service endpoints",
            ingress=[
                {
                    "description": "HTTPS from the VPC",
                    "protocol": "tcp",
                    "from_port": 443,
                    "to_port": 443,
                    "cidr_blocks": [args.vpc_cidr],
                }
            ],
            # Endpoints answer requests; they never open connections, so no egress rule.
            egress=[],
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.vpc]),
        )

    def _workload_security_group(self) -> aws.ec2.SecurityGroup:
        """For endpoints, processing and monitoring jobs: HTTPS out to the VPC (the service
        endpoints) and traffic between the group's own instances, nothing else."""
        args = self._args
        return aws.ec2.SecurityGroup(
            f"{self._name}-workloads",
            vpc_id=self.vpc.id,
            description="SageMaker workloads: HTTPS to the VPC endpoints and to each other",
            ingress=[
                {"description": "Between the group's instances", "protocol": "tcp", "from_port": 0,
                 "to_port": 65535, "self": True},
            ],
            egress=[
                {"description": "HTTPS to the VPC endpoints", "protocol": "tcp", "from_port": 443,
                 "to_port": 443, "cidr_blocks": [args.vpc_cidr]},
                {"description": "Between the group's instances", "protocol": "tcp", "from_port": 0,
                 "to_port": 65535, "self": True},
            ],
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.vpc]),
        )

    def _service_name(self, service: str) -> str:
        return f"{self._args.endpoint_service_prefix}.{self._args.identity.region}.{service}"

    def _endpoints(self) -> dict[str, aws.ec2.VpcEndpoint]:
        name, args = self._name, self._args
        endpoints = {
            # S3 through a gateway endpoint on every private route table: free, and keeps
            # data-lake traffic on the AWS network.
            "s3": aws.ec2.VpcEndpoint(
                f"{name}-s3-endpoint",
                vpc_id=self.vpc.id,
                service_name=self._service_name("s3"),
                vpc_endpoint_type="Gateway",
                route_table_ids=[t.id for t in self.route_tables],
                tags=args.tags,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.vpc, *self.route_tables]),
            )
        }
        after_network = pulumi.ResourceOptions(
            parent=self, depends_on=[self.vpc, *self.subnets, self.endpoint_security_group]
        )
        services = {service: self._service_name(service) for service in INTERFACE_ENDPOINT_SERVICES}
        if args.experiment_tracking and args.identity.partition in MLFLOW_ENDPOINT_PARTITIONS:
            services["sagemaker.experiments"] = MLFLOW_ENDPOINT_SERVICE.format(region=args.identity.region)
        for service, service_name in services.items():
            endpoints[service] = aws.ec2.VpcEndpoint(
                f"{name}-{service.replace('.', '-')}-endpoint",
                vpc_id=self.vpc.id,
                service_name=service_name,
                vpc_endpoint_type="Interface",
                # The SDKs' default hostnames resolve to the endpoint, so no client changes.
                private_dns_enabled=True,
                subnet_ids=[s.id for s in self.subnets],
                security_group_ids=[self.endpoint_security_group.id],
                tags=args.tags,
                opts=after_network,
            )
        return endpoints

    def _flow_logs(self) -> aws.ec2.FlowLog:
        """ALL traffic (accepted and rejected) to a KMS-encrypted log group, via a role that
        may write to that group only."""
        name, args = self._name, self._args
        child = pulumi.ResourceOptions(parent=self)
        group_name = args.identity.log_group_name(name, "vpc-flow-logs")
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            name=group_name,
            retention_in_days=args.flow_log_retention_days,
            kms_key_id=args.kms_key_arn,
            tags=args.tags,
            opts=child,
        )
        account = pulumi.Output.from_input(args.identity.account_id)
        # Built from known strings, so the policy is readable (and checkable) before deployment.
        group_arn = account.apply(lambda a: args.identity.arn("logs", f"log-group:{group_name}", account=a))
        role = aws.iam.Role(
            f"{name}-flow-logs-role",
            assume_role_policy=account.apply(
                lambda a: flow_logs_trust_policy(a, args.identity.partition, args.identity.region)),
            tags=args.tags,
            opts=child,
        )
        role_policy = aws.iam.RolePolicy(
            f"{name}-flow-logs-write",
            role=role.id,
            policy=group_arn.apply(flow_logs_write_policy),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role, log_group]),
        )
        return aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.vpc, log_group, role, role_policy]),
        )


def tracking_in_region(scope: PlatformScope) -> bool:
    """Whether the platform's experiment tracking is SageMaker MLflow in this stack's region."""
    tracking = scope.platform.components.get("experimentTracking")
    return tracking is not None and tracking.location.kind == "cloud" and tracking.location.region == scope.identity.region


def build_network(scope: PlatformScope, component: ResolvedComponent | None) -> Outputs:
    """The platform's VPC, in the ranges the resolved platform gives, one subnet per zone."""
    key_class = scope.platform_class()
    ranges = scope.platform.network
    network = PrivateNetwork(
        "network",
        PrivateNetworkArgs(
            identity=scope.identity,
            vpc_cidr=ranges.vpc_cidr,
            subnet_cidrs=dict(ranges.subnet_cidrs),
            kms_key_arn=scope.key_arn,
            flow_log_retention_days=scope.profile.log_retention_days,
            experiment_tracking=tracking_in_region(scope),
            data_classification=key_class,
            tags=scope.tags("network", key_class),
        ),
        opts=scope.opts,
    )
    scope.built["network"] = network
    outputs = {"vpcId": network.vpc_id, "privateSubnetIds": network.subnet_ids,
               "workloadSecurityGroupId": network.workload_security_group_id}
    if "sagemaker.experiments" in network.endpoints:
        # A project's SageMaker pipeline logs to MLflow only through it: the project requires it.
        outputs[MLFLOW_ENDPOINT_OUTPUT] = network.endpoints["sagemaker.experiments"].id
    return outputs
