"""Where a string sends data: qantara.lib.destinations reads ARNs, URLs, JDBC URLs, s3:// URIs,
host lists, e-mail addresses and JSON documents. The strings come in through the input, as a
plan's values do (a literal written in a query would be parsed differently by regopy)."""

from __future__ import annotations

import json

import pytest

from qantara.engine.rego import default_engine

DECLARED = [{"host": "db.partner.example", "country": "AE", "purpose": "claims sync"}]


def spots(via: str, value: str, declared: list | None = None) -> list[dict]:
    document = {"via": via, "value": value,
                "blueprint": {"spec": {"governance": {"externalEndpoints": declared or []}}}}
    return default_engine().query("data.qantara.lib.destinations.string_spots(input.via, input.value)", document)


def places(via: str, value: str, declared: list | None = None) -> list:
    """Each spot as a short tuple: ("region", code), ("name", bucket), ("external", host, country),
    ("unknown", policy)."""
    found = []
    for spot in spots(via, value, declared):
        location = spot.get("location")
        if location is None:
            found.append(("name", spot["name"]))
        elif location["kind"] == "cloud":
            found.append(("region", location["region"]))
        elif location["kind"] == "external":
            found.append(("external", location["host"], location["country"]))
        else:
            found.append(("unknown", spot["policy"]))
    return found


@pytest.mark.parametrize(("value", "expected"), [
    ("arn:aws:sqs:eu-west-1:123456789012:alerts", [("region", "eu-west-1")]),
    ("arn:aws:backup:me-south-1:123456789012:backup-vault:dr", [("region", "me-south-1")]),
    ("arn:aws-cn:kinesis:cn-north-1:123456789012:stream/s", [("region", "cn-north-1")]),
    # S3 bucket ARNs hold no region: only the plan's bucket of that name can locate them.
    ("arn:aws:s3:::partner-archive/prefix/key", [("name", "partner-archive")]),
    # An ARN without a region (IAM) locates nothing; it cannot be shown to stay.
    ("arn:aws:iam::123456789012:role/replication", [("unknown", "QA-RES-040")]),
    # Not an ARN: a name the plan may hold.
    ("dr-vault", [("name", "dr-vault")]),
])
def test_an_arn_is_located_by_its_region(value, expected):
    assert places("arn", value) == expected


def test_a_region_code_is_its_region_and_an_unknown_code_has_no_country():
    assert spots("region", "eu-central-1")[0]["location"] == {"kind": "cloud", "cloud": "aws", "region": "eu-central-1", "country": "DE"}
    assert spots("region", "xx-nowhere-9")[0]["location"]["country"] is None


@pytest.mark.parametrize(("value", "expected"), [
    ("https://firehose.eu-west-1.amazonaws.com/v1", [("region", "eu-west-1")]),
    ("jdbc:postgresql://claims.c9akciq32.me-central-1.rds.amazonaws.com:5432/claims", [("region", "me-central-1")]),
    ("jdbc:redshift://dw.abc.eu-central-1.redshift.amazonaws.com:5439/dev", [("region", "eu-central-1")]),
    # The legacy s3-<region> form; a region code inside a bucket name does not count.
    ("https://care-me-central-1.s3-eu-west-1.amazonaws.com/x", [("region", "eu-west-1")]),
    ("https://vpce-1.execute-api.me-central-1.vpce.amazonaws.com/prod", [("region", "me-central-1")]),
    # An AWS endpoint without a region (the global S3 endpoint) cannot be located.
    ("https://s3.amazonaws.com/bucket/key", [("unknown", "QA-RES-040")]),
    ("s3://partner-drop/exports/2026/", [("name", "partner-drop")]),
    ("jdbc:mysql://db.example.com:3306/emr", [("unknown", "QA-RES-041")]),
    ("jdbc:sqlserver://his.vendor.example:1433;databaseName=emr", [("unknown", "QA-RES-041")]),
    ("jdbc:oracle:thin:@ORA.vendor.example:1521:orcl", [("unknown", "QA-RES-041")]),
    ("mongodb+srv://app:pw@cluster0.abcd.mongodb.net/claims", [("unknown", "QA-RES-041")]),
    # A host that merely ends like AWS is not AWS.
    ("https://amazonaws.com.attacker.example/", [("unknown", "QA-RES-041")]),
    ("https://DB.Partner.Example:8443/api", [("external", "db.partner.example", "AE")]),
    ("not a url at all", [("unknown", "QA-RES-040")]),
])
def test_a_url_is_located_by_its_host(value, expected):
    assert places("url", value, DECLARED) == expected


def test_a_declared_host_is_located_in_its_declared_country_and_nothing_else_is():
    assert places("host", "db.partner.example:5432") == [("unknown", "QA-RES-041")]
    assert places("host", "db.partner.example:5432", DECLARED) == [("external", "db.partner.example", "AE")]
    # Declaring the domain does not declare its other hosts.
    assert places("host", "other.partner.example", DECLARED) == [("unknown", "QA-RES-041")]


def test_a_broker_list_is_every_host_in_it():
    assert places("host", "b-1.kafka.me-central-1.amazonaws.com:9094,b-2.events.example:9094", DECLARED) == [
        ("region", "me-central-1"), ("unknown", "QA-RES-041")]


@pytest.mark.parametrize(("value", "expected"), [
    ("arn:aws:lambda:eu-west-1:123456789012:function:notify", [("region", "eu-west-1")]),
    ("https://hooks.chat.example/T0/B0", [("unknown", "QA-RES-041")]),
    ("oncall@db.partner.example", [("external", "db.partner.example", "AE")]),
    ("+971500000000", [("unknown", "QA-RES-040")]),
])
def test_an_sns_endpoint_is_whatever_it_is(value, expected):
    assert places("any", value, DECLARED) == expected


def test_a_document_is_searched_for_arns_urls_and_region_keys():
    definitions = [{
        "name": "scorer",
        "logConfiguration": {"logDriver": "splunk", "options": {"splunk-url": "https://splunk.vendor.example:8088"}},
        "firelensConfiguration": {"type": "fluentbit"},
        "environment": [{"name": "QUEUE", "value": "arn:aws:sqs:me-central-1:123456789012:scores"},
                        {"name": "DROP", "value": "s3://partner-drop/scores"}],
        "secrets": [{"name": "KEY", "valueFrom": "arn:aws:secretsmanager:me-south-1:123456789012:secret:k"}],
    }, {"name": "sidecar", "logConfiguration": {"options": {"awslogs-region": "eu-west-1"}}}]
    assert sorted(places("document", json.dumps(definitions))) == sorted([
        ("unknown", "QA-RES-041"), ("region", "me-central-1"), ("name", "partner-drop"),
        ("region", "me-south-1"), ("region", "eu-west-1")])


def test_a_document_names_hosts_under_host_keys_and_in_name_value_pairs():
    definitions = [{"name": "etl", "environment": [
        {"name": "DB_HOST", "value": "his-db.vendor.example"},
        {"name": "KAFKA_BROKERS", "value": "b-1.kafka.me-central-1.amazonaws.com:9094"},
        {"name": "LOG_LEVEL", "value": "info"}],
        "logConfiguration": {"logDriver": "fluentd", "options": {"fluentd-host": "logs.vendor.example"}}}]
    assert sorted(places("document", json.dumps(definitions))) == sorted([
        ("unknown", "QA-RES-041"), ("region", "me-central-1"), ("unknown", "QA-RES-041")])


def test_the_loopback_is_not_a_destination():
    definitions = [{"name": "app", "environment": [
        {"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": "http://localhost:4317"},
        {"name": "STATSD_HOST", "value": "127.0.0.1"}]}]
    assert places("document", json.dumps(definitions)) == []
    assert places("url", "http://127.0.0.1:8080/health") == []


def test_a_document_that_does_not_parse_cannot_be_shown_to_stay():
    assert places("document", "{name: scorer") == [("unknown", "QA-RES-040")]


def test_unlocatable_places_carry_the_reason_residency_names():
    spot = spots("url", "https://s3.amazonaws.com/x")[0]
    assert spot["location"] == {"kind": "unknown", "reason": "s3.amazonaws.com is an AWS endpoint whose name holds no region"}
