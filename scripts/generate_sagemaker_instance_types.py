"""Regenerate policies/data/sagemaker_instance_types.json from the pinned botocore.

    python scripts/generate_sagemaker_instance_types.py           write the list
    python scripts/generate_sagemaker_instance_types.py --check   exit 1 if the list on disk is stale

The instance types a SageMaker endpoint variant accepts are the enum of the SageMaker API's
`ProductionVariantInstanceType` shape, in botocore's service model (the API's own
definition). `qantara validate` refuses a variant's `instanceType` outside it, at its line.
Which of them each region offers is not in the API model; it is not checked (the list says so).
"""

from __future__ import annotations

import importlib.metadata
import json
import sys
from pathlib import Path

import botocore.loaders

from generated_file import generated_by, generator_main

OUTPUT = Path(__file__).resolve().parents[1] / "policies" / "data" / "sagemaker_instance_types.json"
SHAPE = "ProductionVariantInstanceType"


def render() -> str:
    model = botocore.loaders.Loader().load_service_model("sagemaker", "service-2")
    document = {
        "_generated": generated_by(__file__, f"botocore {importlib.metadata.version('botocore')} "
                                             f"(sagemaker service model, shape {SHAPE})"),
        "source": "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariant.html",
        "read": "2026-12-06",
        "regionAvailability": ("uncertain: the API model lists the types the API accepts, not which regions "
                               "offer each; a type a region lacks fails at `pulumi up`, not at validate"),
        "endpointInstanceTypes": sorted(model["shapes"][SHAPE]["enum"]),
    }
    return json.dumps(document, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    return generator_main(OUTPUT, render, __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    sys.exit(main())
