"""Regenerate tests/policies/aws_encryption_properties.json from the installed pulumi_aws.

    python scripts/generate_aws_encryption_properties.py           write the list
    python scripts/generate_aws_encryption_properties.py --check   exit 1 if the list on disk is stale

Lists every resource type whose inputs, at any depth up to MAX_DEPTH, have an
encryption-shaped property (kms_key_id, encrypted, storage_encrypted, server_side_encryption,
encrypt_at_rest, sse_*, ...), with the wire (camelCase) path of each such property, as a plan
records it: `encryptAtRest.kmsKeyId`; `[]` marks a list. Properties about encryption in
transit (TLS between nodes, VPN ciphers) are left out: they say nothing about data at rest.

tests/policies/test_encryption_coverage.py fails when a type listed here is neither a row
of policies/data/aws_encryption_at_rest.yaml nor one of its `outOfScope` entries, so a
pulumi-aws upgrade that adds a storing type cannot slip past QA-RES-007 unnoticed.
"""

from __future__ import annotations

import importlib.metadata
import inspect
import json
import re
import sys

import pulumi._types as pulumi_types

from generate_aws_taggable_types import resource_classes  # the one token-to-class table
from generated_file import ROOT, generated_by, generator_main

# Read only by its test (tests/policies/test_encryption_coverage.py), so it lives beside it,
# not in the catalog every engine loads.
OUTPUT = ROOT / "tests" / "policies" / "aws_encryption_properties.json"
MAX_DEPTH = 4
# Snake-case names that are about encryption at rest, or name the key that does it.
SHAPED = re.compile(r"(kms|encrypt|(^|_)sse(_|$)|cmk|server_side_encryption)")
# ... and those about encryption in transit or key material of other kinds.
IN_TRANSIT = re.compile(r"(transit|node_to_node|inter_container|phase[12]_encryption|encryption_context|_in_flight)")
NESTED = re.compile(r"ForwardRef\('([A-Za-z0-9_]+Args)'\)")


def shaped(name: str) -> bool:
    return bool(SHAPED.search(name)) and not IN_TRANSIT.search(name)


def args_class(cls: type) -> type | None:
    """The `<Resource>Args` input type beside a resource class."""
    module = sys.modules[cls.__module__]
    return getattr(module, f"{cls.__name__}Args", None)


def properties(args: type, depth: int = 0) -> list[str]:
    """Wire paths of the encryption-shaped properties of an input type and its nested blocks."""
    found: list[str] = []
    wire = pulumi_types.input_type_py_to_pulumi_names(args)
    module = sys.modules[args.__module__]
    for name, parameter in inspect.signature(args.__init__).parameters.items():
        if name not in wire:
            continue
        annotation = str(parameter.annotation)
        step = wire[name] + ("[]" if "Sequence[" in annotation else "")
        if shaped(name):
            found.append(step)
        if depth >= MAX_DEPTH:
            continue
        for nested_name in sorted(set(NESTED.findall(annotation))):
            nested = getattr(module, nested_name, None)
            if nested is not None and nested is not args:
                found.extend(f"{step}.{path}" for path in properties(nested, depth + 1))
    return sorted(set(found))


def encryption_properties() -> dict[str, list[str]]:
    table = {}
    for token, cls in sorted(resource_classes().items()):
        args = args_class(cls)
        paths = properties(args) if args is not None else []
        if paths:
            table[token] = paths
    return table


def render() -> str:
    document = {
        "_generated": generated_by(__file__, f"pulumi_aws {importlib.metadata.version('pulumi_aws')}"),
        "types": encryption_properties(),
    }
    return json.dumps(document, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    return generator_main(OUTPUT, render, __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    sys.exit(main())
