"""`qantara scan s3://bucket`: the state bucket read through boto3, from a local moto S3 server."""

import gzip
import json
import socket

import pytest
from checkpoints import ROOT

moto_server = pytest.importorskip("moto.server", reason="moto[server] (dev extras) is not installed")
boto3 = pytest.importorskip("boto3")

from qantara.scan.run import scan_backend  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3_endpoint(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop()


def test_state_bucket_stacks_are_listed_read_and_checked(s3_endpoint, compliant, moved_to_frankfurt):
    client = boto3.client("s3", endpoint_url=f"http://{s3_endpoint}", region_name="me-central-1")
    client.create_bucket(Bucket="dubai-care-pulumi-state", CreateBucketConfiguration={"LocationConstraint": "me-central-1"})
    put = lambda key, body: client.put_object(Bucket="dubai-care-pulumi-state", Key=key, Body=body)  # noqa: E731
    put("platform/.pulumi/meta.yaml", b"version: 1\n")
    put("platform/.pulumi/stacks/qantara/prod.json", json.dumps(compliant).encode())
    put("platform/.pulumi/stacks/qantara/prod-eu.json.gz", gzip.compress(json.dumps(moved_to_frankfurt).encode()))
    put("platform/.pulumi/backups/qantara/prod/prod.1700000000.json", b"{}")  # a backup: not a stack
    put("other/.pulumi/stacks/qantara/prod.json", b"{}")  # outside the prefix
    url = f"s3://dubai-care-pulumi-state/platform?endpoint={s3_endpoint}&disableSSL=true&s3ForcePathStyle=true&region=me-central-1"
    result = scan_backend(url, root=ROOT)
    assert {s.ref.name: s.verdict for s in result.stacks} == {"qantara/prod": "pass", "qantara/prod-eu": "fail"}
