"""`qantara new ml-project` and `qantara update`: thin commands over `qantara.project`.

`cli.py` mounts them (`app.add_typer(new_app, name="new")`, `app.command("update")(update)`).
They report a `QantaraError` themselves (message on stderr, its exit code) so they behave
the same mounted in `qantara` or run on their own, as the tests do.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import typer

from qantara.errors import EXIT_CHECKPOINT_FAILED, EXIT_OK, InputError, ProjectError, QantaraError
from qantara.input_file import short_repr

new_app = typer.Typer(add_completion=False, no_args_is_help=True,
                      help="Start a project already wired to a platform's blueprint.")


@contextlib.contextmanager
def _reported() -> Iterator[None]:
    try:
        yield
    except QantaraError as error:
        for line in error.lines():
            typer.echo(line, err=True)
        raise typer.Exit(error.exit_code) from None


def parse_answers(pairs: list[str]) -> dict[str, str]:
    """`--set KEY=VALUE` pairs as answers; a pair without `=` or a key given twice is refused."""
    answers: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(f"--set {short_repr(pair)}: expected ANSWER=VALUE, e.g. --set project_name='Readmission Risk'")
        if key in answers:
            raise InputError(f"--set {short_repr(key)}: given twice ({short_repr(answers[key])} and {short_repr(value)}); "
                             f"give it once")
        answers[key] = value
    return answers


@new_app.command("ml-project")
def ml_project(
    blueprint: Path = typer.Option(..., "--blueprint", help="The platform's blueprint."),
    env: list[str] = typer.Option([], "--env", help="Environment the project uses (repeatable); default: all."),
    no_input: bool = typer.Option(False, "--no-input", help="Ask nothing: --set answers, else the defaults."),
    set_: list[str] = typer.Option([], "--set", metavar="ANSWER=VALUE",
                                   help="Answer a template question (repeatable), e.g. --set problem_type=regression."),
    output_dir: Path = typer.Option(Path("."), "--output-dir", "-o", help="Directory the project is created in."),
) -> None:
    """Generate an ML project that knows its platform, region and data class."""
    from qantara.project.generate import new_ml_project

    with _reported():
        project = new_ml_project(blueprint, environments=env or None, answers=parse_answers(set_),
                                 no_input=no_input, output_dir=output_dir)
    typer.echo(f"created {project}")
    typer.echo(f"next: cd {project} && make setup test pipeline lineage check (README.md: from here to production)")


def update(
    project_dir: Path = typer.Argument(Path("."), metavar="[DIR]", help="The generated project (default: here)."),
    template: Path | None = typer.Option(None, "--template", help="Template directory you trust (its hooks run); "
                                                                     "default: Qantara's own, which .cruft.json must "
                                                                     "record."),
    check: bool = typer.Option(False, "--check", help="Change nothing; exit 1 when the project is not up to date "
                                                      "with its template (as cruft check)."),
    diff: bool = typer.Option(False, "--diff", help="Change nothing; print what an update would change, as "
                                                    "unified diffs (as cruft diff)."),
) -> None:
    """Apply the template's changes since the project was generated, keeping your edits.

    Exits 1 when a file has conflicting changes: it is left as it is and the template's
    change is written under .qantara/conflicts/. While a conflict is pending there, the next
    update is refused (exit 2). Every change is applied together or not at all.
    """
    from qantara.project.update import update_project

    dry = check or diff
    with _reported():
        messages = update_project(project_dir, template_dir=template, apply=not dry, diff=diff)
    if dry:
        for message in messages:
            typer.echo(message)
        if not messages:
            typer.echo(f"{project_dir}: up to date with its template")
        raise typer.Exit(EXIT_CHECKPOINT_FAILED if messages and check else EXIT_OK)
    for message in messages:
        typer.echo(message)
    if not messages:
        typer.echo(f"{project_dir}: already up to date with its template")
    if any(message.startswith("conflict") for message in messages):
        raise typer.Exit(EXIT_CHECKPOINT_FAILED)


def lineage(
    project_dir: Path = typer.Argument(Path("."), metavar="[DIR]", help="The ML project (default: here)."),
    model_version: str | None = typer.Option(None, "--model-version", metavar="VERSION",
                                                help="Registered model version; default: the latest registered."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's lineage record as JSON."),
    tracking_uri: str | None = typer.Option(None, "--tracking-uri", envvar="MLFLOW_TRACKING_URI",
                                               help="Read the lineage from this MLflow server's run tags; "
                                                    "default: MLFLOW_TRACKING_URI, else the local records."),
) -> None:
    """Print the chain from a registered model version back to its data: from MLflow when a
    tracking URI is set, else from the pipeline's local records (runs/)."""
    import json

    from qantara.project.lineage import chain, format_chain

    with _reported():
        record = chain(project_dir, model_version, tracking_uri=tracking_uri or None)
    typer.echo(json.dumps(record, indent=2, ensure_ascii=True) if as_json else format_chain(record))


def promote(
    project_dir: Path = typer.Argument(Path("."), metavar="[DIR]", help="The ML project (default: here)."),
    env: str = typer.Option(..., "--env", help="The environment whose serving changes."),
    model_version: str = typer.Option(..., "--model-version", metavar="VERSION",
                                      help="The registered model version (`qantara lineage` names it)."),
    step: str = typer.Option(..., "--step", metavar="canary|full|rollback",
                             help="canary: the version takes a share of the traffic beside the champion; full: "
                                  "it becomes the champion; rollback: the canary is dropped."),
    canary_weight: int = typer.Option(10, "--canary-weight", help="Percent of traffic a canary takes (1-50)."),
) -> None:
    """Replace the served model version through the infra stack's variant weights, canary first.

    Refused for a version no pipeline run registered, and in a production environment without
    an approval of that version by someone other than the person who trained it.
    """
    from qantara.project.promotion import promote as promote_version

    with _reported():
        result = promote_version(project_dir, env, model_version, step, canary_weight=canary_weight)
    served = ", ".join(f"{v['name']} {v['modelVersion']} {v['weight']}%" for v in result["variants"])
    typer.echo(f"{result['environment']}: {served} (written to {result['file']})")
    typer.echo(f"next: commit it; the deploy job applies it (cd infra && pulumi up --stack {result['environment']})")


def image_tag(
    project_dir: Path = typer.Argument(Path("."), metavar="[DIR]", help="The ML project (default: here)."),
    model_version: str | None = typer.Option(None, "--model-version", metavar="VERSION",
                                             help="The tag of the image this registered model version is served "
                                                  "from, instead of the code image's."),
    served_in: str | None = typer.Option(None, "--served-in", metavar="ENV",
                                         help="`VERSION TAG` of every model version promotion serves in ENV, one "
                                              "a line (none before the first promotion)."),
    site_repository: bool = typer.Option(False, "--site-repository",
                                         help="Print the on-prem image repository instead: <site registry>/<project>."),
) -> None:
    """Print the image tag the project's image is pushed with: the code image's (`<project>-<package
    version>`), a model version's (`<project>-<model version>`), or those ENV serves.

    `make image`, `make model-image` and the generated CI tag with it, and the infra program serves
    the same tags: the format has one home (qantara.project.promotion.image_tag).
    """
    from qantara.project import promotion

    with _reported():
        if sum((model_version is not None, served_in is not None, site_repository)) > 1:
            raise ProjectError("--model-version, --served-in and --site-repository: give one at most (none prints "
                               "the code image's tag)")
        if site_repository:
            lines = [promotion.site_image_repository(project_dir)]
        elif served_in is not None:
            lines = [f"{version} {tag}" for version, tag in promotion.served_image_tags(project_dir, served_in)]
        elif model_version is not None:
            lines = [promotion.model_image_tag(project_dir, model_version)]
        else:
            lines = [promotion.code_image_tag(project_dir)]
    for line in lines:
        typer.echo(line)
