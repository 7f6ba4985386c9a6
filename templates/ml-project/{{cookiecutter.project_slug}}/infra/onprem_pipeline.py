"""{{ cookiecutter.project_name }}'s pipeline on the {{ cookiecutter._platform }} platform's site: Argo Workflows.

Used by __main__.py when the platform runs this project on-premises. It declares, in the
platform's namespace, the WorkflowTemplate of the seven steps (one pod per step, running
`python -m {{ cookiecutter.project_slug }}.pipeline_steps` in this project's image from the site registry),
the CronWorkflow retraining before a model outgrows spec.governance.maxModelAgeDays, and the
drift trigger (Argo Events) when the platform watches drift on site. A run registers its model
in the on-prem MLflow, pending approval; nothing here deploys. docs/onprem.md in Qantara says
what the platform team installs (Argo Workflows, Argo Events, Alertmanager's receiver).

Config: pipelineImageTag (the tag `make push-image` pushed to <registry>/{{ cookiecutter.__dns_name }}; __main__.py
defaults it to `qantara image-tag`'s, as on the cloud),
driftWebhookToken (secret: the bearer token Alertmanager sends; required only when the platform
watches drift on site), kubeApiCidrs (the API
server's addresses, which the executor and the drift sensor must reach).
"""

from pathlib import Path

import pulumi

from qantara.blueprint.loader import load_blueprint
from qantara.components.onprem.pipeline_project import PLATFORM_OUTPUTS, ProjectPipeline, project_pipeline
from qantara.errors import QantaraError
from qantara.sovereignty.placement import resolve_placement

PROJECT = "{{ cookiecutter.__dns_name }}"
PACKAGE = "{{ cookiecutter.project_slug }}"
DATA_CLASSIFICATION = "{{ cookiecutter.data_classification }}"
OWNER = "{{ cookiecutter.owner }}"
# The platform's blueprint as `qantara new` copied it (checked by hash in CI; `make update` refreshes it).
BLUEPRINT_COPY = Path(__file__).resolve().parent.parent / "platform" / "blueprint.yaml"
# What a preview stands in for an unset secret: `pulumi up` refuses to run with it.
PREVIEW_PLACEHOLDER = "unset-in-preview"


def _webhook_token(config: pulumi.Config) -> pulumi.Output:
    token = config.get_secret("driftWebhookToken")
    if token is not None:
        return token
    command = "pulumi config set --secret driftWebhookToken <token>"
    if not pulumi.runtime.is_dry_run():
        raise pulumi.RunError(f"driftWebhookToken is not set: {command}")
    pulumi.log.warn(f"driftWebhookToken is not set: this preview uses a placeholder ({command})")
    return pulumi.Output.secret(PREVIEW_PLACEHOLDER)


def declare(platform: pulumi.StackReference, environment: str, config: pulumi.Config, image_tag: str) -> None:
    """Declare the pipeline from the platform's blueprint and stack outputs, and export its names."""
    try:
        loaded = load_blueprint(BLUEPRINT_COPY)
    except QantaraError as error:
        raise pulumi.RunError(str(getattr(error, "message", error))) from None
    outputs = {key: platform.require_output(name) for key, name in PLATFORM_OUTPUTS.items()}
    # The token is asked for only where the drift path is built: monitoring placed on site.
    watches_drift = "monitoring" in resolve_placement(loaded).onprem_components()
    pipeline = project_pipeline(loaded, ProjectPipeline(
        project=PROJECT,
        package=PACKAGE,
        environment=environment,
        image_tag=image_tag,
        data_classification=DATA_CLASSIFICATION,
        owner=OWNER,
        webhook_token=_webhook_token(config) if watches_drift else None,
        kube_api_cidrs=tuple(config.get_object("kubeApiCidrs") or ()),
    ), outputs)
    pulumi.export("pipelineTemplate", pipeline.template_name)
    pulumi.export("ageSchedule", pipeline.schedule.cron)
    if pipeline.drift_trigger is not None:
        pulumi.export("driftWebhookUrl", pipeline.drift_trigger.webhook_url)
