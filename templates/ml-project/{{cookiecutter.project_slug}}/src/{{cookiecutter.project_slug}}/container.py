"""The image's entrypoint: one image trains, serves and runs the pipeline's steps.

SageMaker starts a training job's container as `<image> train` and an endpoint's as
`<image> serve` (its container contract); the pipeline definition cannot give a training job
its own command (the published pipeline schema has no ContainerEntrypoint for training), so
the argument chooses here. `train` runs the pipeline's train step from the training channel
to the model directory SageMaker archives as model.tar.gz; anything else goes to serve.py.
Processing steps name their own command (`python -m ...pipeline_steps`) and never come here.
"""

from __future__ import annotations

import sys

# SageMaker's training contract: channel <name> is mounted at /opt/ml/input/data/<name>, and
# what the job leaves in /opt/ml/model is uploaded as model.tar.gz.
TRAINING_CHANNEL = "features"  # the definition's InputDataConfig ChannelName
TRAINING_INPUT = f"/opt/ml/input/data/{TRAINING_CHANNEL}"
MODEL_DIR = "/opt/ml/model"
{%- if cookiecutter.serving == "realtime" %}
SERVE_DEFAULTS = ["--host", "0.0.0.0", "--port", "8080"]
{%- elif cookiecutter.serving == "batch" %}
SERVE_DEFAULTS: list[str] = []
{%- endif %}


def command(argv: list[str]) -> tuple[str, list[str]]:
    """(module, its arguments) for the container's arguments."""
    if argv[:1] == ["train"]:
        return "pipeline_steps", ["--step", "train", "--in-dir", TRAINING_INPUT, "--out-dir", MODEL_DIR, *argv[1:]]
{%- if cookiecutter.serving == "none" %}
    # This project serves no model: the image only trains (and runs the pipeline's steps).
    raise SystemExit(f"this image trains only (argument 'train'); got {argv!r}: the project serves no model")
{%- else %}
    # `serve` is SageMaker's argument for an endpoint; serve.py accepts and ignores it.
    return "serve", [*SERVE_DEFAULTS, *argv]
{%- endif %}


def main(argv: list[str] | None = None) -> int:
    module, arguments = command(sys.argv[1:] if argv is None else argv)
    if module == "pipeline_steps":
        from . import pipeline_steps
        return pipeline_steps.main(arguments)
{%- if cookiecutter.serving != "none" %}
    from . import serve
    return serve.main(arguments)
{%- endif %}


if __name__ == "__main__":
    raise SystemExit(main())
