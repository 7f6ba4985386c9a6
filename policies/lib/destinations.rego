# Destinations inside strings: where an ARN, a URL, a JDBC URL, an s3:// URI, a host name or
# a JSON document sends data (policies/data/aws_data_movement.yaml says which `via` a
# property's value is read with).
#
# Each string becomes a list of spots, one per place it names:
#   {"location": {...}, "policy": id | null, "where": what}   located (or known unlocatable)
#   {"name": key, "where": what}                               a name (a bucket's) that only
#                                                               the plan's resources can locate
# `policy` is QA-RES-040 for a place that cannot be located and QA-RES-041 for a host outside
# AWS that the blueprint does not declare; null leaves the table row's policy.
# Unlocatable places use the location shape {"kind": "unknown", "reason": ...}, which
# qantara.lib.residency is to refuse for every class some rule restricts (the replication
# policy refuses it itself meanwhile).
#
# regopy 1.5: a local variable named like an imported package (`text`) crashes the process,
# and so does an optional regex capture group that takes no part in a match.
package qantara.lib.destinations

import rego.v1

import data.qantara.lib.text

movement := data.catalog.aws_data_movement

# The hosts outside AWS that the blueprint declares, each located in its declared country.
declared_endpoints := eps if {
	eps := input.blueprint.spec.governance.externalEndpoints
	is_array(eps)
} else := []

# --- Spots -----------------------------------------------------------------------------

spot(loc, policy_id, shown) := {"location": loc, "policy": policy_id, "where": shown}

unknown_spot(reason, shown) := spot({"kind": "unknown", "reason": reason}, "QA-RES-040", shown)

region_spot(region) := spot(region_location(region), null, region)

# A region code located as the plan locates resources (country from the catalog; a code the
# catalog does not know has no country, which residency refuses).
# The code goes through text.plain: one cut out of an ARN or host name by regex or split
# would carry its quotes into residency's messages.
region_location(region) := {
	"kind": "cloud",
	"cloud": "aws",
	"region": text.plain(region),
	"country": object.get(data.catalog.aws_regions.regions, [region, "country"], null),
}

name_spot(bucket_name, shown) := {"name": bucket_name, "where": shown}

# --- Reading one string by its `via` ------------------------------------------------------

string_spots(via, s) := [region_spot(s)] if via == "region"

string_spots(via, s) := arn_spots(s) if via == "arn"

string_spots(via, s) := bucket_spots(s) if via == "bucket"

string_spots(via, s) := url_spots(s) if via == "url"

string_spots(via, s) := host_list_spots(s) if via == "host"

string_spots(via, s) := any_spots(s) if via == "any"

string_spots(via, s) := document_spots(s) if via == "document"

string_spots(via, s) := definition_spots(s) if via == "definition"

# --- ARNs ------------------------------------------------------------------------------

# arn:<partition>:<service>:<region>:<account>:<resource>. (An optional capture group that does
# not take part crashes regopy 1.5: every group here always takes part, if only empty.)
arn_parts(s) := {"partition": m[1], "service": m[2], "region": m[3], "account": m[4], "resource": m[5]} if {
	m := regex.find_all_string_submatch_n(`^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):((?:[0-9]{12}|aws)?):(.+)$`, s, 1)[0]
}

# An S3 bucket ARN has no region: the plan's bucket of that name locates it.
arn_spots(s) := [name_spot(split(parts.resource, "/")[0], s)] if {
	parts := arn_parts(s)
	parts.service == "s3"
	parts.region == ""
} else := [spot(region_location(parts.region), null, s)] if {
	parts := arn_parts(s)
	parts.region != ""
} else := [unknown_spot(sprintf("the ARN %s names no region", [text.plain(s)]), s)] if {
	arn_parts(s)
} else := [name_spot(s, s)]

bucket_spots(s) := arn_spots(s) if startswith(s, "arn:")

else := [name_spot(s, sprintf("bucket %s", [text.plain(s)]))]

# --- URLs and hosts --------------------------------------------------------------------

# scheme://[user@]host..., with chained schemes (jdbc:mysql://, mongodb+srv://); Oracle's
# thin driver writes jdbc:oracle:thin:@host:port:sid.
url_host(s) := text.plain(lower(m[1])) if {
	m := regex.find_all_string_submatch_n(`^[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z][A-Za-z0-9+.-]*:)*@?//(?:[^@/?#]*@)?([^/:?#;,\[\]@]+)`, s, 1)[0]
} else := text.plain(lower(m[1])) if {
	m := regex.find_all_string_submatch_n(`^jdbc:oracle:thin:@(?://)?([^/:?#;,@]+)`, lower(s), 1)[0]
}

url_spots(s) := [name_spot(split(substring(s, 5, -1), "/")[0], s)] if {
	startswith(lower(s), "s3://")
} else := [] if {
	loopback(url_host(s))
} else := [host_spot(host, s)] if {
	host := url_host(s)
} else := [unknown_spot(sprintf("no host can be read in %s", [text.plain(s)]), s)]

# host[:port], or several separated by commas (Kafka brokers).
host_list_spots(s) := [host_spot(host, s) |
	some part in split(s, ",")
	host := text.plain(lower(split(trim_space(part), ":")[0]))
	host != ""
	not loopback(host)
]

# The task's or host's own loopback (a sidecar, a local agent) sends nothing anywhere.
loopback(host) if host in {"localhost", "0.0.0.0"}

loopback(host) if startswith(host, "127.")

aws_host(host) if {
	some suffix in movement.awsHostSuffixes
	endswith(host, suffix)
}

# The region an AWS host name names: a label that is a region code, or s3-<region> (the
# legacy S3 form); the rightmost wins (bucket names may hold region codes too).
host_region(host) := regions[count(regions) - 1] if {
	regions := [code |
		some label in split(host, ".")
		code := trim_prefix(trim_prefix(label, "s3-"), "website-")
		data.catalog.aws_regions.regions[code]
	]
	count(regions) > 0
}

host_spot(host, shown) := spot(region_location(region), null, shown) if {
	aws_host(host)
	region := host_region(host)
} else := unknown_spot(sprintf("%s is an AWS endpoint whose name holds no region", [host]), shown) if {
	aws_host(host)
} else := spot({"kind": "external", "host": host, "country": endpoint.country}, null, shown) if {
	some endpoint in declared_endpoints
	text.plain(lower(endpoint.host)) == host
} else := spot(
	{"kind": "unknown", "reason": sprintf("%s is outside AWS and not declared in spec.governance.externalEndpoints", [host])},
	"QA-RES-041",
	shown,
)

# --- Strings of any kind: ARN, URL, e-mail address, host name ----------------------------

any_spots(s) := arn_spots(s) if startswith(s, "arn:")

else := url_spots(s) if contains(s, "://")

else := url_spots(s) if startswith(lower(s), "jdbc:")

else := [host_spot(text.plain(lower(split(s, "@")[1])), s)] if regex.match(`^[^@\s]+@[^@\s]+\.[^@\s]+$`, s)

else := host_list_spots(s) if regex.match(`^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:[0-9]+)?$`, s)

else := [unknown_spot(sprintf("%s is neither an ARN, a URL, an e-mail address nor a host name", [text.plain(s)]), s)]

# --- JSON documents ----------------------------------------------------------------------

# ARNs and URLs anywhere in the document's strings, and region codes under keys that end in
# "region" (awslogs-region). A document that does not parse cannot be shown to stay.
document_spots(s) := parsed_document_spots(json.unmarshal(s), []) if json.is_valid(s)

else := [unparsed_document_spot]

unparsed_document_spot := unknown_spot("the document is not valid JSON, so where it sends data cannot be read", "the document")

# Every string but the `located` ones (read by the caller) is searched.
parsed_document_spots(doc, located) := array.concat(
	[found | some str in document_strings(doc); not str in located; some found in embedded_spots(str)],
	array.concat(
		[region_spot(str) | some str in document_region_codes(doc)],
		[found | some str in document_host_values(doc); some found in host_list_spots(str)],
	),
)

document_strings(doc) := [str | walk(doc, [_, str]); is_string(str)]

document_region_codes(doc) := [str |
	walk(doc, [path, str])
	is_string(str)
	count(path) > 0
	last := path[count(path) - 1]
	is_string(last)
	endswith(lower(last), "region")
]

# Host names without a scheme, under keys that say so ("host", "splunk-url" is a URL already)
# or in name/value pairs (ECS environment: {"name": "DB_HOST", "value": "db.example.com"}).
document_host_values(doc) := array.concat(
	[str |
		walk(doc, [path, str])
		is_string(str)
		count(path) > 0
		last := path[count(path) - 1]
		is_string(last)
		host_key(last)
		not contains(str, "://")
	],
	[value |
		walk(doc, [_, pair])
		is_object(pair)
		name := object.get(pair, "name", null)
		value := object.get(pair, "value", null)
		is_string(name)
		is_string(value)
		host_key(name)
		not contains(value, "://")
	],
)

host_key(key) if regex.match(`(^|[-_.])(host|hostname|server|servers|broker|brokers)$`, lower(key))

embedded_spots(str) := array.concat(
	[found | some arn in regex.find_n(`arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]*:[^\s"',]+`, str, -1); some found in arn_spots(arn)],
	[found | some url in regex.find_n(`[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z][A-Za-z0-9+.-]*:)*//[^\s"'<>]+`, str, -1); some found in url_spots(url)],
)

# --- State machine definitions ------------------------------------------------------------

# A Step Functions definition is a document (every ARN, URL and host in it is located as in
# any document, a parameter naming a resource in another region included), whose Task states
# call services through integration ARNs that hold no region. Where such a call runs is a
# fact of policies/data/aws_step_functions_integrations.yaml: a listed integration runs in
# the state machine's own region, returned as a spot {"at_resource": true, "where": ...} for
# the caller to locate; an unlisted one cannot be located.
definition_spots(s) := spots if {
	json.is_valid(s)
	doc := json.unmarshal(s)
	tasks := task_integrations(doc)
	spots := array.concat(
		array.concat([integration_spot(arn) | some arn in tasks], parameter_arn_spots(doc)),
		array.concat(
			array.concat(computed_region_spots(doc), parameter_bucket_spots(doc)),
			parsed_document_spots(doc, tasks),
		),
	)
} else := [unparsed_document_spot]

# A place built at run time (States.Format('arn:aws:sns:eu-central-1:{}:...'), JSONata) is no
# literal ARN, yet the region it names is written down: it is located there. (AWS says such a
# call would not leave the machine's region; a definition that names another one is refused
# all the same, the stricter reading.)
computed_region_spots(doc) := [region_spot(code) |
	some str in document_strings(doc)
	computed_value(str)
	some code in region_codes_in(str)
]

region_codes_in(str) := [word | some word in regex.split(`[^a-z0-9-]+`, str); data.catalog.aws_regions.regions[word]]

# A bucket a task names by name (aws-sdk:s3:putObject's Bucket): only the plan's bucket of
# that name locates it; one outside the plan is unlocatable (QA-RES-040), as for S3 ARNs.
parameter_bucket_spots(doc) := [name_spot(str, sprintf("bucket %s", [text.plain(str)])) |
	walk(doc, [path, str])
	is_string(str)
	count(path) > 1
	path[count(path) - 1] == "Bucket"
	count([p | some p in path; p in {"Parameters", "Arguments"}]) > 0
	not computed_value(str)
	not startswith(str, "arn:")
]

computed_value(str) if startswith(str, "States.")

computed_value(str) if startswith(trim_space(str), "{%")

# The region-less integration ARNs named as a state's Resource.
task_integrations(doc) := [str |
	walk(doc, [path, str])
	is_string(str)
	count(path) > 0
	path[count(path) - 1] == "Resource"
	regex.match(`^arn:aws[a-z-]*:states:::`, str)
]

integration_spot(arn) := {"at_resource": true, "where": arn} if {
	integration := regex.replace(arn, `^arn:aws[a-z-]*:states:::`, "")
	some row in data.catalog.aws_step_functions_integrations.integrations
	startswith(integration, row.prefix)
} else := unknown_spot(
	sprintf("%s is a Step Functions integration whose call no sourced fact locates (policies/data/aws_step_functions_integrations.yaml)", [text.plain(arn)]),
	arn,
)

# A literal under a parameter key ending in "Arn" that is not an ARN names a place that cannot
# be read. Run-time values (keys ending ".$", JSONata "{% %}") are not literals.
parameter_arn_spots(doc) := [unknown_spot(
	sprintf("%s is not an ARN, so where the call sends data cannot be read", [text.plain(str)]),
	text.plain(key),
) |
	walk(doc, [path, str])
	is_string(str)
	count(path) > 1
	key := path[count(path) - 1]
	is_string(key)
	endswith(key, "Arn")
	count([p | some p in path; p in {"Parameters", "Arguments"}]) > 0
	not startswith(str, "arn:")
	not startswith(trim_space(str), "{%")
]
