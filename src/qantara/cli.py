"""The `qantara` command line: parse, call the library, print, choose the exit code.

Exit codes (DESIGN §4.5): 0 nothing mandatory failed; 1 a mandatory checkpoint failed;
2 bad input or usage; 3 an engine or internal fault. Every failure is one clear message
on stderr, never a traceback (set QANTARA_DEBUG=1 to see one).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import typer

from qantara.cli_new import image_tag as image_tag_command
from qantara.cli_new import lineage as lineage_command
from qantara.cli_new import new_app
from qantara.cli_new import promote as promote_command
from qantara.cli_new import update as update_command
from qantara.errors import EXIT_BAD_INPUT, EXIT_CHECKPOINT_FAILED, EXIT_ENGINE_FAULT, EXIT_OK, InputError, QantaraError
from qantara.input_file import short_repr

# A platform stack's outputs are a few kilobytes; this bounds what --stack-outputs reads.

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Sovereign MLOps platforms from one blueprint.")


def _write(text: str, out: Path | None) -> None:
    """Print, or replace the regular file `out` atomically (output_file.py)."""
    if out is None:
        typer.echo(text)
        return
    from qantara.output_file import write_output

    write_output(out, text if text.endswith("\n") else text + "\n")


def _stack_outputs(path: Path | None, program: Path | None) -> dict | None:
    """What a --program's StackReferences read (--stack-outputs), or None."""
    if path is None:
        return None
    if program is None:
        raise InputError("--stack-outputs answers the StackReferences of a --program: give --program too")
    from qantara.plan.stack_outputs import load_stack_outputs

    return load_stack_outputs(path)


def _parse_config(pairs: list[str]) -> dict[str, str]:
    config = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or ":" not in key:
            raise InputError(f"--config {short_repr(pair)}: expected KEY=VALUE with a namespaced key, e.g. aws:region=me-central-1")
        config[key] = value
    return config


def _choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    if value not in allowed:
        raise InputError(f"{option} {short_repr(value)}: expected one of {', '.join(allowed)}")
    return value


@app.command()
def validate(files: list[Path] = typer.Argument(..., help="Blueprint files to validate.")) -> None:
    """Validate blueprints: schema, catalog names, placement and what the platform would refuse."""
    from qantara.validate import validate_blueprint

    problems = []
    for path in files:
        try:
            validate_blueprint(path)
            typer.echo(f"{path}: valid")
        except InputError as error:
            problems.extend(error.lines())
    if problems:
        for line in problems:
            typer.echo(line, err=True)
        raise typer.Exit(EXIT_BAD_INPUT)


@app.command()
def schema() -> None:
    """Print the blueprint's JSON Schema (for editors)."""
    from qantara.blueprint.schema import blueprint_json_schema

    typer.echo(json.dumps(blueprint_json_schema(), indent=2))


@app.command()
def regions(
    jurisdiction: str = typer.Option(..., help="Jurisdiction code, e.g. AE, AE-DIFC, SA, EU."),
    classification: str = typer.Option(..., help="public, internal, confidential, restricted or secret."),
    sector: list[str] = typer.Option([], help="Sector whose rules apply (repeatable), e.g. health."),
    format: str = typer.Option("table", help="table or json."),
) -> None:
    """List the AWS regions allowed and refused for a class of data, with reasons."""
    from qantara.report.text import regions_text
    from qantara.sovereignty.placement import region_report

    _choice(format, ("table", "json"), "--format")
    requirement, rows = region_report(jurisdiction, classification, list(sector))
    if format == "json":
        typer.echo(json.dumps({"requirement": requirement, "regions": [r.__dict__ for r in rows]}, indent=2))
    else:
        typer.echo(regions_text(jurisdiction, classification, list(sector), requirement, rows))


@app.command()
def place(
    blueprint: Path = typer.Argument(..., help="Blueprint file."),
    format: str = typer.Option("table", help="table or json."),
) -> None:
    """Show where every component will live, and why."""
    from qantara.blueprint.loader import load_blueprint
    from qantara.report.text import placement_text
    from qantara.sovereignty.placement import resolve_placement

    _choice(format, ("table", "json"), "--format")
    loaded = load_blueprint(blueprint)
    placement = resolve_placement(loaded)
    if format == "json":
        typer.echo(json.dumps(placement.to_dict(), indent=2))
    else:
        typer.echo(placement_text(placement, loaded.model.metadata.name))


@app.command()
def plan(
    blueprint: Path = typer.Argument(..., help="Blueprint file."),
    env: str = typer.Option(..., "--env", help="Environment to plan."),
    format: str = typer.Option("table", help="table or json."),
    out: Path | None = typer.Option(None, help="Write to this file instead of stdout."),
    program: Path | None = typer.Option(None, help="Plan this Pulumi Python program instead of stacks/platform."),
    config: list[str] = typer.Option([], help="Stack config KEY=VALUE (repeatable), e.g. aws:region=me-central-1."),
    stack_outputs: Path | None = typer.Option(
        None, "--stack-outputs", metavar="FILE",
        help="With --program: what its StackReference reads (`pulumi stack output --json` of that stack)."),
) -> None:
    """Plan the platform offline (Pulumi program under mocks) and print or write the Plan."""
    from qantara.check import plan_environment
    from qantara.report.text import plan_table

    _choice(format, ("table", "json"), "--format")
    document = plan_environment(blueprint, env, program_dir=program, config=_parse_config(config),
                                stack_outputs=_stack_outputs(stack_outputs, program))
    _write(json.dumps(document, indent=2, sort_keys=False) if format == "json" else plan_table(document), out)


@app.command()
def check(
    blueprint: Path | None = typer.Argument(None, help="Blueprint file (omit with --project)."),
    env: str | None = typer.Option(
        None, "--env", help="Environment whose enforcement applies (required for a blueprint; for a project, "
                            "default: the last environment of its manifest)."),
    project: Path | None = typer.Option(
        None, "--project", metavar="DIR",
        help="Check an ML project (its qantara.yaml and model card) against its platform's blueprint."),
    format: str = typer.Option("text", help="text, json, sarif, junit or github (workflow commands)."),
    out: Path | None = typer.Option(None, help="Write the report to this file instead of stdout."),
    program: Path | None = typer.Option(None, help="Check this Pulumi Python program instead of stacks/platform."),
    plan: Path | None = typer.Option(
        None, "--plan", metavar="FILE",
        help="Check real Pulumi output instead of the offline plan: `pulumi stack export`, a local-backend "
             "checkpoint, an engine event log (--event-log) or `pulumi preview --json`."),
    config: list[str] = typer.Option([], help="Stack config KEY=VALUE (repeatable); with --plan, aws:region "
                                              "stands in for a region the file does not record."),
    stack_outputs: Path | None = typer.Option(
        None, "--stack-outputs", metavar="FILE",
        help="With --program: the outputs its StackReferences read (`pulumi stack output --json` of the "
             "platform stack), as when the platform is deployed."),
    opa_url: str | None = typer.Option(
        None, "--opa-url", envvar="QANTARA_OPA_URL", metavar="URL",
        help="Evaluate on this OPA server (token from QANTARA_OPA_TOKEN) instead of the embedded engine."),
    opa_upload: bool = typer.Option(
        True, "--opa-upload/--no-opa-upload",
        help="Upload Qantara's policies and catalog to the OPA server first, or use what it already has."),
    engine: str | None = typer.Option(
        None, "--engine", envvar="QANTARA_ENGINE", metavar="NAME",
        help="Embedded Rego engine: regopy (default) or regorus (opt-in: pip install 'qantara[regorus]'; "
             "see docs/engines.md)."),
) -> None:
    """Plan offline (or read --plan), evaluate the policies, apply the environment's enforcement, give a verdict."""
    from qantara.check import OpaServer, check_blueprint
    from qantara.engine.selection import select_engine
    from qantara.report.check_report import CHECK_FORMATS, check_report

    _choice(format, CHECK_FORMATS, "--format")
    if engine:
        select_engine(engine)
    if (blueprint is None) == (project is None):
        raise InputError("give a blueprint file or --project DIR (one of them)")
    if project is not None:
        from qantara.project.check import check_project
        from qantara.project.manifest import MANIFEST_FILE

        if program or plan or opa_url:
            raise InputError("--program, --plan and --opa-url check a platform; a --project check takes none of them")
        result = check_project(project, env)
        _write(check_report(result, format, project / MANIFEST_FILE), out)
        raise typer.Exit(EXIT_CHECKPOINT_FAILED if result.verdict == "fail" else EXIT_OK)
    if env is None:
        raise InputError("--env is required when checking a blueprint (e.g. --env prod)")
    opa = OpaServer(opa_url, opa_upload, os.environ.get("QANTARA_OPA_TOKEN")) if opa_url else None
    result = check_blueprint(blueprint, env, program_dir=program, plan_file=plan, config=_parse_config(config), opa=opa,
                             stack_outputs=_stack_outputs(stack_outputs, program))
    _write(check_report(result, format, blueprint), out)
    raise typer.Exit(EXIT_CHECKPOINT_FAILED if result.verdict == "fail" else EXIT_OK)


@app.command()
def bundle(out: Path = typer.Option(..., "--out", metavar="FILE", help="Bundle file, e.g. dist/qantara-policies.tar.gz.")) -> None:
    """Write the policies and the catalog as an OPA bundle (.tar.gz) for a central OPA server."""
    from qantara.policy.bundle import write_bundle

    summary = write_bundle(out)
    typer.echo(f"{summary['path']}: {len(summary['policies'])} policy modules, revision {summary['revision'][:12]}")


@app.command()
def explain(policy_id: str = typer.Argument(..., metavar="ID", help="Policy id, e.g. QA-RES-001.")) -> None:
    """Print a policy's reference: title, severity, stage, rationale, remediation, frameworks."""
    from qantara.policy.library import find_policy
    from qantara.report.policy_reference import policy_explanation

    typer.echo(policy_explanation(find_policy(policy_id)))


@app.command()
def docs(
    out: Path | None = typer.Option(None, help="Write to this file (e.g. docs/policies.md) instead of stdout."),
    sovereignty: bool = typer.Option(False, "--sovereignty", help="The sovereignty reference (docs/sovereignty.md) instead."),
) -> None:
    """Generate the policy reference (docs/policies.md) or, with --sovereignty, the sovereignty
    reference (docs/sovereignty.md) from policies/data/."""
    if sovereignty:
        from qantara.sovereignty.reference import sovereignty_reference_markdown

        _write(sovereignty_reference_markdown().rstrip("\n"), out)
        return
    from qantara.report.policy_reference import policy_reference_markdown

    _write(policy_reference_markdown().rstrip("\n"), out)


metrics_app = typer.Typer(invoke_without_command=True, help="Delivery metrics of ML projects: DORA's four and model freshness.")


def _window(days: int, end: str | None):
    import datetime as dt

    from qantara.metrics.compute import Window
    from qantara.metrics.events import parse_time

    if days < 1:
        raise InputError(f"--days {days}: expected a whole number of days, 1 or more")
    try:
        stop = parse_time(end) if end else dt.datetime.now(dt.UTC).replace(microsecond=0)
    except ValueError as error:
        raise InputError(f"--end {short_repr(end)}: {error} (expected ISO 8601 with a zone, e.g. 2026-12-06T00:00:00Z)") from None
    return Window(stop - dt.timedelta(days=days), stop)


# The source options, declared once for `metrics` and `metrics export`: `_with_source_options`
# adds them to a command's signature (typer reads it) and hands the command one SourceOptions.
_SOURCE_OPTIONS = {
    "source": (str | None, typer.Option(None, "--source", help="events, sagemaker, cloudtrail, mlflow, cluster or kserve "
                                                                 "(default: implied by --events, --mlflow-uri or --model-package-group).")),
    "events": (Path | None, typer.Option(
        None, "--events", metavar="FILE",
        help="Event history (JSON Lines, see `qantara metrics export`).")),
    "model_package_group": (str | None, typer.Option(
        None, "--model-package-group",
        help="SageMaker model package group (sagemaker, cloudtrail).")),
    "endpoint": (str | None, typer.Option(
        None, "--endpoint",
        help="SageMaker endpoint whose changes are deployments (sagemaker, cloudtrail).")),
    "alarm": (list[str], typer.Option(
        [], "--alarm", metavar="NAME",
        help="CloudWatch alarm whose ALARM states are incidents (sagemaker; repeatable).")),
    "pipeline": (str | None, typer.Option(
        None, "--pipeline",
        help="SageMaker pipeline whose executions start lead time (sagemaker, cloudtrail).")),
    "region": (str | None, typer.Option(None, "--region", help="AWS region of the live source.")),
    "mlflow_uri": (str | None, typer.Option(None, "--mlflow-uri", help="MLflow tracking/registry URI (mlflow).")),
    "mlflow_model": (str | None, typer.Option(
        None, "--mlflow-model",
        help="Registered model name in MLflow (mlflow).")),
    "namespace": (str | None, typer.Option(
        None, "--namespace",
        help="Kubernetes namespace of the model server (cluster, kserve; the platform's is "
             "<blueprint>-<env>).")),
    "deployment": (str | None, typer.Option(
        None, "--deployment",
        help="Deployment serving the model (cluster; KServe raw mode: <inference-service>-predictor).")),
    "inference_service": (str | None, typer.Option(
        None, "--inference-service",
        help="KServe InferenceService in Serverless mode whose revisions are deployments (kserve).")),
    "model": (str | None, typer.Option(
        None, "--model",
        help="Model name the cluster's revisions are counted under (cluster, kserve; default: the "
             "workload's name).")),
    "kube_context": (str | None, typer.Option(
        None, "--kube-context",
        help="kubeconfig context (cluster, kserve; default: current, or in-cluster).")),
}


def _with_source_options(command):
    """Add the source options to `command` and pass them to it as `sources` (a SourceOptions)."""
    import functools
    import inspect

    signature = inspect.signature(command, eval_str=True)
    own = [p for p in signature.parameters.values() if p.name != "sources"]
    added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=option, annotation=annotation)
             for name, (annotation, option) in _SOURCE_OPTIONS.items()]

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from qantara.metrics.sources.select import SourceOptions

        values = {name: kwargs.pop(name) for name in _SOURCE_OPTIONS}
        values["alarm"] = tuple(values["alarm"] or ())
        sources = SourceOptions(**values, project=kwargs.get("project"), env=kwargs.get("env"))
        return command(*args, sources=sources, **kwargs)

    wrapper.__signature__ = signature.replace(parameters=own + added)
    wrapper.__annotations__ = {p.name: p.annotation for p in own + added}
    return wrapper


def _read_source(sources, window=None):
    from qantara.metrics.sources.select import read_source

    events, notes = read_source(sources, window.end if window else None)
    for note in notes:
        typer.echo(f"note: {note}", err=True)
    return events


@metrics_app.callback()
@_with_source_options
def metrics_show(
    ctx: typer.Context,
    sources,
    project: str | None = typer.Option(None, help="Only this project (for live sources: the project the events belong to)."),
    env: str | None = typer.Option(None, "--env", help="Only this environment (for live sources: the environment read)."),
    days: int = typer.Option(90, help="Window length in days, ending at --end."),
    end: str | None = typer.Option(None, help="Window end, ISO 8601 with a zone (default: now)."),
    format: str = typer.Option("table", help="table or json."),
    charts: Path | None = typer.Option(None, metavar="DIR", help="Write one SVG chart per metric here."),
    out: Path | None = typer.Option(None, help="Write to this file instead of stdout."),
) -> None:
    """Deployment frequency, lead time, MTTR, change failure rate and model freshness, with DORA bands."""
    if ctx.invoked_subcommand is not None:
        return  # `qantara metrics export ...`: the subcommand reads its own options
    from qantara.metrics.compute import compute_metrics
    from qantara.metrics.render import metrics_json, metrics_table, write_charts

    _choice(format, ("table", "json"), "--format")
    window = _window(days, end)
    groups = compute_metrics(_read_source(sources, window), window, project=project, environment=env)
    if charts is not None:
        write_charts(groups, charts)
    _write(metrics_json(groups) if format == "json" else metrics_table(groups), out)


@metrics_app.command("export")
@_with_source_options
def metrics_export(
    sources,
    out: Path = typer.Option(..., "--out", metavar="FILE", help="Event file to write (JSON Lines)."),
    project: str | None = typer.Option(None, help="Project the events belong to (live sources)."),
    env: str | None = typer.Option(None, "--env", help="Environment the events belong to (live sources)."),
) -> None:
    """Read delivery events from a live source and write them as an offline event file."""
    from qantara.metrics.events import events_jsonl
    from qantara.output_file import write_output

    history = _read_source(sources)
    path = write_output(out, events_jsonl(history))
    typer.echo(f"{path}: {len(history)} event(s)")


@app.command()
def report(
    blueprint: Path = typer.Argument(..., help="Blueprint file."),
    env: str = typer.Option(..., "--env", help="Environment whose checks the pack records."),
    project: list[Path] = typer.Option([], "--project", metavar="DIR", help="An ML project to include (repeatable)."),
    events: Path | None = typer.Option(None, "--events", metavar="FILE", help="Delivery event history for the projects' metrics."),
    days: int = typer.Option(90, help="Metrics window in days, ending at the report's time."),
    scan: str | None = typer.Option(None, "--scan", metavar="BACKEND_URL", help="Include a scan of this Pulumi backend."),
    root: Path | None = typer.Option(None, "--root", help="Resolve the scanned stacks' relative blueprint paths here."),
    time: str | None = typer.Option(None, "--time", envvar="QANTARA_REPORT_TIME",
                                       help="Pin the report's time (ISO 8601 with a zone); else SOURCE_DATE_EPOCH, else now."),
    out: Path = typer.Option(..., "--out", metavar="FILE", help="HTML file to write; the Markdown twin goes beside it (.md)."),
) -> None:
    """Write the auditor's evidence pack: one self-contained HTML file and its Markdown twin."""
    from qantara.evidence.model import build_evidence, report_time
    from qantara.evidence.render import render_html, render_markdown
    from qantara.output_file import write_output

    if days < 1:
        raise InputError(f"--days {days}: expected a whole number of days, 1 or more")
    evidence = build_evidence(blueprint, env, projects=list(project), events=events, window_days=days,
                              scan_url=scan, scan_root=root, time=report_time(time, os.environ.get("SOURCE_DATE_EPOCH")))
    html = write_output(out, render_html(evidence))
    markdown = write_output(out.with_suffix(".md"), render_markdown(evidence))
    typer.echo(f"{html}: evidence pack ({evidence['platform']['check']['verdict']}); Markdown twin {markdown}")


@app.command()
def scan(
    backend: str = typer.Argument(..., metavar="BACKEND_URL", help="Self-managed Pulumi backend: file://DIR or s3://BUCKET[/PREFIX]."),
    root: Path | None = typer.Option(None, "--root",
                                        help="Resolve relative qantara:blueprint paths here (default: the current directory)."),
    format: str = typer.Option("text", help="text, json or sarif."),
    out: Path | None = typer.Option(None, help="Write the report to this file instead of stdout."),
) -> None:
    """Check every stack of a Pulumi backend against the blueprint and environment in its stack config."""
    from qantara.scan.report import SCAN_FORMATS, scan_report
    from qantara.scan.run import scan_backend

    _choice(format, SCAN_FORMATS, "--format")
    result = scan_backend(backend, root=root)
    _write(scan_report(result, format), out)
    raise typer.Exit(EXIT_CHECKPOINT_FAILED if result.verdict == "fail" else EXIT_OK)


app.add_typer(metrics_app, name="metrics")
app.add_typer(new_app, name="new")
app.command(name="update")(update_command)
app.command(name="lineage")(lineage_command)
app.command(name="promote")(promote_command)
app.command(name="image-tag")(image_tag_command)


def main() -> None:
    """Entry point: run the app and turn every error into its exit code and one message."""
    try:
        # Without standalone mode click returns a command's exit code and raises usage errors.
        code = app(standalone_mode=False)
    except QantaraError as error:
        for line in error.lines():
            typer.echo(line, err=True)
        sys.exit(error.exit_code)
    except typer.TyperException as error:  # usage errors: missing option, bad value, unknown command
        message = error.format_message() if hasattr(error, "format_message") else str(error)
        if message:  # `qantara` alone has already printed its help
            typer.echo(f"Usage error: {message} (see --help)", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except typer.Abort:
        sys.exit(EXIT_BAD_INPUT)
    except Exception as error:  # noqa: BLE001 - last resort: a bug, reported without a traceback
        if os.environ.get("QANTARA_DEBUG"):
            raise
        typer.echo(f"internal error: {type(error).__name__}: {error} (set QANTARA_DEBUG=1 for details)", err=True)
        sys.exit(EXIT_ENGINE_FAULT)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
