# Residency: may data of a given class, under a jurisdiction's rules, live in a location?
#
# The one place this rule is written. Python placement (qantara.sovereignty.placement)
# queries `region_options` below through the embedded engine, and the residency policies
# call `verdict`, so a blueprint's placement and the policy verdict on its plan cannot
# disagree. The facts come from data.catalog.jurisdictions and data.catalog.aws_regions.
package qantara.lib.residency

import rego.v1

import data.qantara.lib.text

levels := data.catalog.jurisdictions.requirementLevels

level_rank(level) := i if levels[i] == level

# "AE-DIFC" -> "AE"; "EU" -> "EU".
parent_code(code) := split(code, "-")[0]

jurisdiction(code) := data.catalog.jurisdictions.jurisdictions[parent_code(code)]

countries(code) := jurisdiction(code).countries

zone(code) := jurisdiction(code).zones[code]

known_jurisdiction(code) if jurisdiction(code)

known_jurisdiction(code) if {
	code != parent_code(code)
	zone(code)
}

# The law a rule cites, looked up in the zone first, then the jurisdiction.
law_title(code, law_id) := law.title if {
	some law in zone(code).laws
	law.id == law_id
} else := law.title if {
	some law in jurisdiction(code).laws
	law.id == law_id
} else := "Qantara baseline"

zone_rules(code) := zone(code).rules if code != parent_code(code)

else := []

candidate_rules(code) := array.concat(
	array.concat(
		[object.union(rule, {"scope": "baseline", "lawTitle": "Qantara baseline (not law)"}) | some rule in data.catalog.jurisdictions.baseline],
		[object.union(rule, {"scope": parent_code(code), "lawTitle": law_title(code, rule.law)}) | some rule in jurisdiction(code).rules],
	),
	[object.union(rule, {"scope": code, "lawTitle": law_title(code, rule.law)}) | some rule in zone_rules(code)],
)

# A rule applies to a class, and to the blueprint's sectors when it names any.
applies(rule, class, _) if {
	class in rule.classes
	count(object.get(rule, "sectors", [])) == 0
}

applies(rule, class, sectors) if {
	class in rule.classes
	some sector in object.get(rule, "sectors", [])
	sector in sectors
}

# The strictest requirement among the applicable rules, and the rules that set it.
requirement(code, class, sectors) := {"level": levels[top], "rules": binding} if {
	rules := [rule | some rule in candidate_rules(code); applies(rule, class, sectors)]
	top := max(array.concat([0], [level_rank(rule.requirement) | some rule in rules]))
	binding := [rule | some rule in rules; level_rank(rule.requirement) == top]
}

rule_reference(rule) := sprintf("%s: %s%s%s", [rule.id, rule.lawTitle, article_note(rule), uncertain_note(rule)])

# regopy mis-serialises an empty string that came from object.get's default: use functions.
article_note(rule) := sprintf(" %s", [rule.article]) if is_string(rule.article)

else := ""

uncertain_note(rule) := " [uncertain]" if rule.certainty == "uncertain"

else := ""

because(req) := "no rule restricts it" if count(req.rules) == 0

else := text.join("; ", [rule_reference(rule) | some rule in req.rules])

# Transfer mechanisms every binding rule accepts (a rule without a list accepts all): a
# transfer must satisfy each law that applies, not just the most permissive one.
accepted_mechanisms(req) := intersection({{m | some m in object.get(rule, "mechanisms", data.catalog.jurisdictions.transferMechanisms)} |
	some rule in req.rules
})

declared_transfer(ctx, country, req) := transfer if {
	some transfer in object.get(ctx, "transfers", [])
	transfer.country == country
	transfer.mechanism in accepted_mechanisms(req)
}

in_jurisdiction(ctx, country) if country in countries(ctx.jurisdiction)

# verdict(ctx, class, location) -> {allowed, level, reason, rules, because}
#   ctx: {"jurisdiction": "AE", "sectors": ["health"], "transfers": [...]}
#   location: {"kind": "cloud", "region": "me-central-1", "country": "AE"},
#             {"kind": "onprem", "site": "riyadh-dc1", "country": "SA"} or
#             {"kind": "unknown", "reason": "region is a secret"} (denied unless the class may be anywhere)
verdict(ctx, class, location) := judged(ctx, class, req, summary(req), location) if {
	req := requirement(ctx.jurisdiction, class, object.get(ctx, "sectors", []))
}

summary(req) := {"level": req.level, "rules": [rule.id | some rule in req.rules], "because": because(req)}

# The requirement and its summary are worked out once per class by callers that judge many locations.
judged(ctx, class, req, req_summary, location) := object.union(decision(ctx, text.plain(class), location, req), req_summary)

# A location the plan could not establish ({"kind": "unknown", "reason": ...}: a secret or
# unresolved region, a region left to the deployer's environment, an endpoint override, a
# package Qantara does not model) holds only data that may be anywhere.
decision(ctx, class, location, req) := {"allowed": true, "reason": sprintf("%s data under %s rules may be held anywhere, even where the plan cannot tell", [class, ctx.jurisdiction])} if {
	location.kind == "unknown"
	req.level == "any"
} else := {"allowed": false, "reason": sprintf("%s; so it cannot be shown that its %s data stays where %s rules allow", [unknown_reason(location), class, ctx.jurisdiction])} if {
	location.kind == "unknown"
} else := {"allowed": false, "reason": "its region is not known (the plan could not resolve it), so it cannot be shown to be allowed"} if {
	location.kind == "cloud"
	location.region == "[unknown]"
} else := {"allowed": false, "reason": sprintf("%s is not a known AWS region", [location.region])} if {
	location.kind == "cloud"
	not data.catalog.aws_regions.regions[location.region]
} else := {"allowed": false, "reason": sprintf("%s's country is not known; it cannot be shown to be allowed", [location.region])} if {
	location.kind == "cloud"
	not is_string(location.country)
} else := {"allowed": false, "reason": sprintf("%s data under %s rules may not be held by any cloud region: it must stay on-premises in %s", [class, ctx.jurisdiction, text.join(", ", countries(ctx.jurisdiction))])} if {
	location.kind == "cloud"
	req.level == "on-prem"
} else := {"allowed": true, "reason": sprintf("%s is in %s, inside %s", [location_name(location), location.country, ctx.jurisdiction])} if {
	in_jurisdiction(ctx, location.country)
} else := {"allowed": false, "reason": sprintf("%s data under %s rules must stay in %s; %s is in %s", [class, ctx.jurisdiction, text.join(", ", countries(ctx.jurisdiction)), location_name(location), location.country])} if {
	level_rank(req.level) >= level_rank("in-country")
} else := {"allowed": true, "reason": sprintf("transfer of %s data to %s declared under %s (%s)", [class, location.country, transfer.mechanism, transfer.reference])} if {
	req.level == "conditional"
	transfer := declared_transfer(ctx, location.country, req)
} else := {"allowed": false, "reason": sprintf("%s data under %s rules may leave %s only with a declared transfer basis (%s); none is declared for %s in spec.governance.transfers", [class, ctx.jurisdiction, text.join(", ", countries(ctx.jurisdiction)), text.join(", ", sort(accepted_mechanisms(req))), location.country])} if {
	req.level == "conditional"
} else := {"allowed": true, "reason": sprintf("%s data under %s rules may be held anywhere", [class, ctx.jurisdiction])}

location_name(location) := location.region if location.kind == "cloud"

else := sprintf("site %s", [location.site]) if location.kind == "onprem"

else := location.kind

unknown_reason(location) := text.plain(location.reason) if is_string(location.reason)

else := "the plan gives no reason"

# Where a resource is, for messages: "me-central-1", "on-prem site riyadh-dc1", "an unknown location".
where(location) := "an unknown region" if {
	location.kind == "cloud"
	location.region == "[unknown]"
} else := location.region if {
	location.kind == "cloud"
} else := sprintf("on-prem site %s", [text.plain(location.site)]) if {
	location.kind == "onprem"
} else := "an unknown location" if {
	location.kind == "unknown"
} else := text.plain(location.kind)

# Every AWS region's verdict for each class a blueprint holds: the query placement runs.
# input: {"context": ctx, "classes": ["restricted", "internal"], "onprem": {"site", "country"} | null}
region_options := {class: options(class) | some class in input.classes}

options(class) := {
	"requirement": req_summary,
	"regions": {code: judged(input.context, class, req, req_summary, {"kind": "cloud", "region": code, "country": region.country}) |
		region := data.catalog.aws_regions.regions[code]
	},
	"onprem": onprem_verdict(class, req, req_summary),
} if {
	req := requirement(input.context.jurisdiction, class, object.get(input.context, "sectors", []))
	req_summary := summary(req)
}

onprem_verdict(class, req, req_summary) := judged(input.context, class, req, req_summary, object.union(input.onprem, {"kind": "onprem"})) if is_object(input.onprem)

else := null
