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
from typing import Optional

import typer

from qantara.cli_new import new_app
from qantara.cli_new import lineage as lineage_command
from qantara.cli_new import update as update_command
from qantara.errors import EXIT_BAD_INPUT, EXIT_CHECKPOINT_FAILED, EXIT_ENGINE_FAULT, EXIT_OK, InputError, QantaraError
from qantara.input_file import short_repr

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Sovereign MLOps platforms from one blueprint.")


def _write(text: str, out: Optional[Path]) -> None:
    """Print, or replace the regular file `out` atomically (output_file.py)."""
    if out is None:
        typer.echo(text)
        return
    from qantara.output_file import write_output

    write_output(out, text if text.endswith("\n") else text + "\n")


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
    """Validate blueprints: schema, catalog names and placement, without planning."""
    from qantara.blueprint.loader import load_blueprint
    from qantara.sovereignty.placement import resolve_placement

    problems = []
    for path in files:
        try:
            resolve_placement(load_blueprint(path))
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
    out: Optional[Path] = typer.Option(None, help="Write to this file instead of stdout."),
    program: Optional[Path] = typer.Option(None, help="Plan this Pulumi Python program instead of stacks/platform."),
    config: list[str] = typer.Option([], help="Stack config KEY=VALUE (repeatable), e.g. aws:region=me-central-1."),
) -> None:
    """Plan the platform offline (Pulumi program under mocks) and print or write the Plan."""
    from qantara.blueprint.loader import load_blueprint
    from qantara.check import environment_of
    from qantara.plan.builder import plan_blueprint
    from qantara.report.text import plan_table
    from qantara.sovereignty.placement import resolve_placement

    _choice(format, ("table", "json"), "--format")
    loaded = load_blueprint(blueprint)
    environment = environment_of(loaded, env)
    document = plan_blueprint(loaded, environment.name, resolve_placement(loaded), program_dir=program,
                              config=_parse_config(config))
    _write(json.dumps(document, indent=2, sort_keys=False) if format == "json" else plan_table(document), out)


CHECK_FORMATS = ("text", "json", "sarif", "junit", "github")


def _check_report(result, format: str, blueprint: Path) -> str:
    if format == "json":
        return json.dumps(result.to_dict(), indent=2)
    if format == "sarif":
        from qantara.report.sarif import check_sarif

        return json.dumps(check_sarif(result, blueprint), indent=2)
    if format == "junit":
        from qantara.report.junit import check_junit

        return check_junit(result)
    if format == "github":
        from qantara.report.github import check_github

        return check_github(result, blueprint)
    from qantara.report.text import check_text

    return check_text(result)


@app.command()
def check(
    blueprint: Optional[Path] = typer.Argument(None, help="Blueprint file (omit with --project)."),
    env: Optional[str] = typer.Option(
        None, "--env", help="Environment whose enforcement applies (required for a blueprint; for a project, "
                            "default: the last environment of its manifest)."),
    project: Optional[Path] = typer.Option(
        None, "--project", metavar="DIR",
        help="Check an ML project (its qantara.yaml and model card) against its platform's blueprint."),
    format: str = typer.Option("text", help="text, json, sarif, junit or github (workflow commands)."),
    out: Optional[Path] = typer.Option(None, help="Write the report to this file instead of stdout."),
    program: Optional[Path] = typer.Option(None, help="Check this Pulumi Python program instead of stacks/platform."),
    plan: Optional[Path] = typer.Option(
        None, "--plan", metavar="FILE",
        help="Check real Pulumi output instead of the offline plan: `pulumi stack export`, a local-backend "
             "checkpoint, an engine event log (--event-log) or `pulumi preview --json`."),
    config: list[str] = typer.Option([], help="Stack config KEY=VALUE (repeatable); with --plan, aws:region "
                                              "stands in for a region the file does not record."),
    opa_url: Optional[str] = typer.Option(
        None, "--opa-url", envvar="QANTARA_OPA_URL", metavar="URL",
        help="Evaluate on this OPA server (token from QANTARA_OPA_TOKEN) instead of the embedded engine."),
    opa_upload: bool = typer.Option(
        True, "--opa-upload/--no-opa-upload",
        help="Upload Qantara's policies and catalog to the OPA server first, or use what it already has."),
    engine: Optional[str] = typer.Option(
        None, "--engine", envvar="QANTARA_ENGINE", metavar="NAME",
        help="Embedded Rego engine: regopy (default) or regorus (opt-in: pip install 'qantara[regorus]'; "
             "see docs/engines.md)."),
) -> None:
    """Plan offline (or read --plan), evaluate the policies, apply the environment's enforcement, give a verdict."""
    from qantara.check import OpaServer, check_blueprint
    from qantara.policy.engines import select_engine

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
        _write(_check_report(result, format, project / MANIFEST_FILE), out)
        raise typer.Exit(EXIT_CHECKPOINT_FAILED if result.verdict == "fail" else EXIT_OK)
    if env is None:
        raise InputError("--env is required when checking a blueprint (e.g. --env prod)")
    opa = OpaServer(opa_url, opa_upload, os.environ.get("QANTARA_OPA_TOKEN")) if opa_url else None
    result = check_blueprint(blueprint, env, program_dir=program, plan_file=plan, config=_parse_config(config), opa=opa)
    _write(_check_report(result, format, blueprint), out)
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
    from qantara.policy.library import policy_index
    from qantara.report.policy_reference import policy_explanation

    index = policy_index()
    meta = index.get(policy_id) or index.get(policy_id.upper())
    if meta is None:
        raise InputError(f"unknown policy id {policy_id!r}; known ids: {', '.join(sorted(index))}")
    typer.echo(policy_explanation(meta))


@app.command()
def docs(out: Optional[Path] = typer.Option(None, help="Write to this file (e.g. docs/policies.md) instead of stdout.")) -> None:
    """Generate the policy reference (docs/policies.md) from the policies' metadata."""
    from qantara.report.policy_reference import policy_reference_markdown

    _write(policy_reference_markdown().rstrip("\n"), out)


app.add_typer(new_app, name="new")
app.command(name="update")(update_command)
app.command(name="lineage")(lineage_command)


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
