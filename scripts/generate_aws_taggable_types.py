"""Regenerate policies/data/aws_taggable_types.json from the installed pulumi_aws.

    python scripts/generate_aws_taggable_types.py           write the list
    python scripts/generate_aws_taggable_types.py --check   exit 1 if the list on disk is stale

A type is taggable when its resource class accepts a `tags` map (`Mapping[str, ...]`): the
types the AWS provider's `defaultTags` reach as well. Types whose `tags` is a list of blocks
(aws:autoscaling/group:Group) are left out: default tags do not apply to them. Every alias
token of a taggable class (aws:s3/bucketV2:BucketV2 for aws:s3/bucket:Bucket) is listed too,
since older stacks still record it.

The token-to-class table is pulumi_aws's own: the `resource_modules` JSON its __init__.py
registers with the Pulumi runtime.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import json
import re
import sys
from pathlib import Path

import pulumi_aws

from generated_file import generated_by, generator_main

OUTPUT = Path(__file__).resolve().parents[1] / "policies" / "data" / "aws_taggable_types.json"
ALIAS = re.compile(r'Alias\(type_="(aws:[^"]+)"\)')


def resource_classes() -> dict[str, type]:
    """Every pulumi_aws resource class by its type token."""
    source = Path(pulumi_aws.__file__).read_text(encoding="utf-8")
    table = json.loads(source.split('resource_modules="""', 1)[1].split('"""', 1)[0])
    classes = {}
    for module in table:
        package = importlib.import_module(module["fqn"])
        for token, name in module["classes"].items():
            classes[token] = getattr(package, name)
    return classes


def takes_tag_map(cls: type) -> bool:
    tags = inspect.signature(cls._internal_init).parameters.get("tags")
    return tags is not None and "Mapping[" in str(tags.annotation)


def taggable_types() -> list[str]:
    found = set()
    for token, cls in resource_classes().items():
        if takes_tag_map(cls):
            found.add(token)
            found.update(ALIAS.findall(inspect.getsource(cls._internal_init)))
    return sorted(found)


def render() -> str:
    document = {
        "_generated": generated_by(__file__, f"pulumi_aws {importlib.metadata.version('pulumi_aws')}"),
        "types": taggable_types(),
    }
    return json.dumps(document, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    return generator_main(OUTPUT, render, __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    sys.exit(main())
