"""ModelRegistry: model package groups, the model image repository and the approval checkpoint."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from qantara.components.base import QantaraComponent
from qantara.components.iam_documents import (
    kms_use_statement,
    policy_document,
    service_endpoint,
    service_trust_policy,
)
from qantara.components.identity import StackIdentity
from qantara.errors import QantaraError
from qantara.naming import APPROVAL_PURPOSE, check_name

if TYPE_CHECKING:  # builders only read the scope and their resolved component
    from qantara.components.scope import Outputs, PlatformScope
    from qantara.resolution import ResolvedComponent

TYPE_TOKEN = "qantara:model_registry:ModelRegistry"
APPROVAL_EVENT = "SageMaker Model Package State Change"
APPROVAL_STATUSES = ("PendingManualApproval", "Approved", "Rejected")
APPROVAL_TIMEOUT_PURPOSE = "approval-timer"
# A Standard Step Functions execution lasts at most one year (Step Functions developer guide,
# https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html, read 2026-12-06).
MAX_APPROVAL_TIMEOUT_DAYS = 365
# What an execution of the timer is given: the package's ARN, nothing else of the event.
TIMER_INPUT_TEMPLATE = '{"ModelPackageArn": <package>}'


@dataclass
class ModelRegistryArgs:
    identity: StackIdentity
    kms_key_arn: pulumi.Input[str]
    model_package_groups: list[str]
    # Principals of this account (role ARNs) allowed to describe and create model packages.
    model_publisher_arns: list[str] = field(default_factory=list)
    data_classification: str = "restricted"
    # Untagged images are build leftovers; tagged ones are released models and are kept.
    untagged_image_expiry_days: int = 14
    tags: dict[str, str] = field(default_factory=dict)
    # Days a model package may wait for a decision before its owner is told (the blueprint's
    # spec.governance.approvalTimeoutDays, else the environment profile's); None: no timer.
    approval_timeout_days: int | None = None



def image_repository_name(identity: StackIdentity) -> str:
    """The platform's model image repository, `<blueprint>-<env>-models`: the registry creates it,
    and serving (in the cloud and on site) pulls model images from it."""
    return identity.scoped_name("models")


def group_policy(group: str, identity: StackIdentity, publishers: list[str]) -> str:
    """Only the named principals may describe the group and describe or create its packages."""
    # SageMaker writes resource names lower-case in its ARNs.
    return policy_document(
        [
        {
            "Sid": "NamedPrincipalsPublishModels",
            "Effect": "Allow",
            "Principal": {"AWS": sorted(publishers)},
            "Action": [
                "sagemaker:CreateModelPackage",
                "sagemaker:DescribeModelPackage",
                "sagemaker:DescribeModelPackageGroup",
            ],
            "Resource": [
                identity.arn("sagemaker", f"model-package-group/{group.lower()}"),
                identity.arn("sagemaker", f"model-package/{group.lower()}/*"),
            ],
        }
        ]
    )


def lifecycle_policy(untagged_expiry_days: int) -> str:
    return json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": f"Expire untagged images after {untagged_expiry_days} days",
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": untagged_expiry_days,
                    },
                    "action": {"type": "expire"},
                }
            ]
        },
        sort_keys=True,
    )


def approval_event_pattern(groups: list[str]) -> str:
    """Approval-status changes of model packages in the given groups, and nothing else."""
    return json.dumps(
        {
            "source": ["aws.sagemaker"],
            "detail-type": [APPROVAL_EVENT],
            "detail": {
                "ModelPackageGroupName": list(groups),
                "ModelApprovalStatus": list(APPROVAL_STATUSES),
            },
        },
        sort_keys=True,
    )


def topic_policy(topic_arn: str, rule_arn: str) -> str:
    """EventBridge may publish to the topic, and only on behalf of the approval rule."""
    return policy_document(
        [
        {
            "Sid": "ApprovalRulePublishes",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": topic_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
        }
        ]
    )


class ModelRegistry(QantaraComponent):
    """Model package groups, an ECR repository for model images, and an SNS approval topic.

    The topic is the human approval checkpoint: every approval-status change of a package
    in one of the groups is published to it, encrypted with the platform key (whose policy
    must let events.amazonaws.com use it, or EventBridge cannot publish). With an approval
    timeout, a Step Functions timer also publishes a package still pending after that many days.
    """

    group_names: pulumi.Output[list]
    repository_url: pulumi.Output[str]
    approval_topic_arn: pulumi.Output[str]

    def __init__(self, name: str, args: ModelRegistryArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, {"dataClassification": args.data_classification}, opts)
        self._args = args
        _check_publishers(args)
        self.groups = {group: self._group(name, group) for group in args.model_package_groups}
        self.repository = self._repository(name)
        self.approval_topic = self._approval_checkpoint(name)
        if args.approval_timeout_days is not None:
            self.approval_timer = self._approval_timeout(name, self.approval_topic)
        self.group_names = pulumi.Output.all(*[g.model_package_group_name for g in self.groups.values()])
        self.repository_url = self.repository.repository_url
        self.approval_topic_arn = self.approval_topic.arn
        self.register_outputs(
            {
                "groupNames": self.group_names,
                "repositoryUrl": self.repository_url,
                "approvalTopicArn": self.approval_topic_arn,
            }
        )

    def _group(self, name: str, group: str) -> aws.sagemaker.ModelPackageGroup:
        args = self._args
        resource = aws.sagemaker.ModelPackageGroup(
            f"{name}-{group}",
            model_package_group_name=group,
            model_package_group_description=f"{args.identity.blueprint} {args.identity.environment} models: {group}",
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        # A resource policy grants, it does not restrict: with no named publishers the
        # account's own IAM policies are the only way in, so none is written.
        if args.model_publisher_arns:
            aws.sagemaker.ModelPackageGroupPolicy(
                f"{name}-{group}-policy",
                model_package_group_name=resource.model_package_group_name,
                resource_policy=group_policy(group, args.identity, args.model_publisher_arns),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[resource]),
            )
        return resource

    def _repository(self, name: str) -> aws.ecr.Repository:
        args = self._args
        # Immutable tags: a model image once released under a tag is the one that was approved.
        repository = aws.ecr.Repository(
            f"{name}-images",
            name=image_repository_name(args.identity),
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration={"scan_on_push": True},
            encryption_configurations=[{"encryption_type": "KMS", "kms_key": args.kms_key_arn}],
            force_delete=False,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.ecr.LifecyclePolicy(
            f"{name}-images-lifecycle",
            repository=repository.name,
            policy=lifecycle_policy(args.untagged_image_expiry_days),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[repository]),
        )
        return repository

    def _approval_checkpoint(self, name: str) -> aws.sns.Topic:
        args = self._args
        physical = args.identity.scoped_name(APPROVAL_PURPOSE)
        # Built from known strings so the topic policy is readable at preview.
        rule_arn = args.identity.arn("events", f"rule/{physical}")
        topic_arn = args.identity.arn("sns", physical)
        topic = aws.sns.Topic(
            f"{name}-approval",
            name=physical,
            kms_master_key_id=args.kms_key_arn,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        policy = aws.sns.TopicPolicy(
            f"{name}-approval-policy",
            arn=topic.arn,
            policy=topic_policy(topic_arn, rule_arn),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[topic]),
        )
        rule = aws.cloudwatch.EventRule(
            f"{name}-approval-rule",
            name=physical,
            description="Model package approval-status changes, for human review",
            event_pattern=approval_event_pattern(args.model_package_groups),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(self.groups.values())),
        )
        # The target is wired only once the topic lets EventBridge publish to it.
        aws.cloudwatch.EventTarget(
            f"{name}-approval-target",
            rule=rule.name,
            arn=topic.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[rule, topic, policy]),
        )
        return topic

    def _approval_timeout(self, name: str, topic: aws.sns.Topic) -> aws.sfn.StateMachine:
        """A package still PendingManualApproval `approval_timeout_days` after registration is
        published to the approval topic: the owner learns a decision is overdue.

        EventBridge cannot wait, so each registration starts a Step Functions execution that
        waits, asks SageMaker for the package's status and publishes only if no one decided.
        Rejections need nothing more: the checkpoint rule already publishes every decision.
        Both calls run in the machine's own region (Step Functions has no cross-Region
        integration), so the residency rules can locate them
        (policies/data/aws_step_functions_integrations.yaml).
        """
        args = self._args
        physical = args.identity.scoped_name(APPROVAL_TIMEOUT_PURPOSE)
        check_name("iamRoleName", physical, "the blueprint or environment name")
        arn = args.identity.arn
        topic_arn = arn("sns", args.identity.scoped_name(APPROVAL_PURPOSE))
        packages = [arn("sagemaker", f"model-package/{g.lower()}/*") for g in args.model_package_groups]
        timer_role = aws.iam.Role(
            f"{name}-approval-timer-role", name=physical, tags=args.tags, opts=pulumi.ResourceOptions(parent=self),
            assume_role_policy=service_trust_policy("states.amazonaws.com",
                                                    {"StringEquals": {"aws:SourceAccount": args.identity.account_id}}))
        timer_policy = aws.iam.RolePolicy(
            f"{name}-approval-timer-policy", role=timer_role.name,
            policy=pulumi.Output.from_input(args.kms_key_arn).apply(
                lambda key: timer_policy_document(packages, topic_arn, key)),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[timer_role]))
        machine = aws.sfn.StateMachine(
            f"{name}-approval-timer", name=physical, type="STANDARD", role_arn=timer_role.arn,
            definition=approval_timer_definition(args.approval_timeout_days, topic_arn),
            encryption_configuration={"type": "CUSTOMER_MANAGED_KMS_KEY", "kms_key_id": args.kms_key_arn,
                                      "kms_data_key_reuse_period_seconds": 300},
            tags=args.tags, opts=pulumi.ResourceOptions(parent=self, depends_on=[timer_policy, topic]))
        self._timer_start(name, physical, machine)
        return machine

    def _timer_start(self, name: str, physical: str, machine: aws.sfn.StateMachine) -> None:
        """Each package entering PendingManualApproval starts one execution, with its ARN only:
        the rest of the event (who registered it, its metadata) has no business in the timer."""
        args = self._args
        machine_arn = args.identity.arn("states", f"stateMachine:{physical}")
        starter_name = f"{physical}-start"
        check_name("iamRoleName", starter_name, "the blueprint or environment name")
        starter = aws.iam.Role(
            f"{name}-approval-timer-start-role", name=starter_name, tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
            assume_role_policy=service_trust_policy("events.amazonaws.com",
                                                    {"StringEquals": {"aws:SourceAccount": args.identity.account_id}}))
        starter_policy = aws.iam.RolePolicy(
            f"{name}-approval-timer-start-policy", role=starter.name,
            policy=pulumi.Output.from_input(args.kms_key_arn).apply(
                lambda key: starter_policy_document(machine_arn, key, args.identity.region, args.identity.partition)),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[starter]))
        rule = aws.cloudwatch.EventRule(
            f"{name}-approval-timer-rule", name=physical, tags=args.tags,
            description="Model packages registered for approval start the approval timer",
            event_pattern=pending_event_pattern(args.model_package_groups),
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(self.groups.values())))
        aws.cloudwatch.EventTarget(
            f"{name}-approval-timer-target", rule=rule.name, arn=machine.arn, role_arn=starter.arn,
            input_transformer={"input_paths": {"package": "$.detail.ModelPackageArn"},
                               "input_template": TIMER_INPUT_TEMPLATE},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[rule, machine, starter_policy]))


def pending_event_pattern(groups: list[str]) -> str:
    """Model packages of the given groups entering PendingManualApproval."""
    return json.dumps({"source": ["aws.sagemaker"], "detail-type": [APPROVAL_EVENT],
                       "detail": {"ModelPackageGroupName": list(groups),
                                  "ModelApprovalStatus": ["PendingManualApproval"]}}, sort_keys=True)


def approval_timer_definition(days: int, topic_arn: str) -> str:
    """Wait, read the package's status, publish to the topic only if it is still pending."""
    if not 1 <= days <= MAX_APPROVAL_TIMEOUT_DAYS:
        raise QantaraError(f"approval timeout of {days} days: allowed 1 to {MAX_APPROVAL_TIMEOUT_DAYS} "
                           f"(a Standard Step Functions execution lasts at most one year)")
    return json.dumps({
        "Comment": "Tell the owner when a model package waits for approval too long",
        "StartAt": "WaitForDecision",
        "States": {
            "WaitForDecision": {"Type": "Wait", "Seconds": days * 86400, "Next": "ReadStatus"},
            "ReadStatus": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:describeModelPackage",
                           "Parameters": {"ModelPackageName.$": "$.ModelPackageArn"},
                           "ResultSelector": {"status.$": "$.ModelApprovalStatus"},
                           "ResultPath": "$.package", "Next": "StillPending"},
            "StillPending": {"Type": "Choice", "Default": "Decided", "Choices": [
                {"Variable": "$.package.status", "StringEquals": "PendingManualApproval", "Next": "TellOwner"}]},
            "TellOwner": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "End": True,
                          "Parameters": {"TopicArn": topic_arn, "Subject": "Model approval overdue",
                                         "Message.$": f"States.Format('Model package {{}} has waited more than "
                                                      f"{days} days for an approval decision', "
                                                      f"$.ModelPackageArn)"}},
            "Decided": {"Type": "Succeed"},
        },
    }, sort_keys=True)


def timer_policy_document(packages: list[str], topic_arn: str, key_arn: str) -> str:
    """Read the groups' packages, publish to the approval topic, with the platform key; nothing else."""
    return policy_document([
        {"Sid": "ReadPackageStatus", "Effect": "Allow", "Action": "sagemaker:DescribeModelPackage",
         "Resource": sorted(packages)},
        {"Sid": "PublishOverdue", "Effect": "Allow", "Action": "sns:Publish", "Resource": topic_arn},
        kms_use_statement(key_arn),
    ])


def starter_policy_document(machine_arn: str, key_arn: str, region: str, partition: str) -> str:
    """Start the one timer machine, whose executions are encrypted with the platform key.

    The execution's input and history are encrypted with the machine's key (Step Functions
    API reference, EncryptionConfiguration, read 2026-12-06), so the starter may generate a
    data key, through Step Functions only (kms:ViaService). That the caller of StartExecution
    needs this was not confirmed against AWS's page in this session: without it an encrypted
    machine's execution may not start, and the grant is one action on one key via one service.
    """
    return policy_document([
        {"Sid": "StartApprovalTimer", "Effect": "Allow", "Action": "states:StartExecution", "Resource": machine_arn},
        {"Sid": "EncryptTimerInput", "Effect": "Allow", "Action": "kms:GenerateDataKey", "Resource": key_arn,
         "Condition": {"StringEquals": {"kms:ViaService": service_endpoint("states", region, partition)}}},
    ])


def _check_publishers(args: ModelRegistryArgs) -> None:
    check_name("eventBridgeRuleName", args.identity.scoped_name(APPROVAL_PURPOSE),
               "the blueprint or environment name")
    if not args.model_package_groups:
        raise QantaraError("model registry has no model package groups; name at least one in model_package_groups")
    foreign = [p for p in args.model_publisher_arns if f":{args.identity.account_id}:" not in p]
    if foreign:
        raise QantaraError(
            f"model publishers {', '.join(foreign)} are not in account {args.identity.account_id}; "
            "only the account's own principals may publish models; remove them or use the account's roles"
        )


def model_groups(blueprint) -> list[str]:
    """One model package group per served model, then the extra ones, then a default."""
    components = blueprint.spec.components
    groups = [m.name for m in components.serving.models]
    groups += [g for g in components.model_registry.groups if g not in groups]
    return groups or ["models"]


def build_model_registry(scope: PlatformScope, component: ResolvedComponent) -> Outputs:
    registry = ModelRegistry(
        "model-registry",
        ModelRegistryArgs(
            identity=scope.identity,
            kms_key_arn=scope.key_arn,
            model_package_groups=[scope.identity.sagemaker_name(group) for group in model_groups(scope.platform.blueprint)],
            data_classification=component.data_class,
            tags=scope.tags("modelRegistry", component.data_class),
            approval_timeout_days=scope.profile.approval_timeout_days,
        ),
        opts=scope.opts,
    )
    scope.built["modelRegistry"] = registry
    return {"modelPackageGroups": registry.group_names, "modelImageRepositoryUrl": registry.repository_url,
            "approvalTopicArn": registry.approval_topic_arn}
