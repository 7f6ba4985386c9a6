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

# Parent rules whose law does not reach into the zone (the UAE PDPL excludes free zones with
# their own data protection law), each with its source in the zone's parentRulesNotApplying.
zone_exclusions(code) := [entry.rule | some entry in object.get(zone(code), "parentRulesNotApplying", [])] if code != parent_code(code)

else := []

zone_rules(code) := zone(code).rules if code != parent_code(code)

else := []

candidate_rules(code) := array.concat(
	array.concat(
		[object.union(rule, {"scope": "baseline", "lawTitle": "Qantara baseline (not law)"}) | some rule in data.catalog.jurisdictions.baseline],
		[object.union(rule, {"scope": parent_code(code), "lawTitle": law_title(code, rule.law)}) |
			some rule in jurisdiction(code).rules
			not rule.id in zone_exclusions(code)
		],
	),
	[object.union(rule, {"scope": code, "lawTitle": law_title(code, rule.law)}) | some rule in zone_rules(code)],
)

# A rule applies to a class, and to the blueprint's sectors when it names any. A blueprint
# sector that stands for several (finance: banking and non-bank) brings the rules of each:
# the stricter default when the blueprint does not say which it is.
applies(rule, class, _) if {
	class in rule.classes
	count(object.get(rule, "sectors", [])) == 0
}

applies(rule, class, sectors) if {
	class in rule.classes
	some sector in object.get(rule, "sectors", [])
	sector in expanded_sectors(sectors)
}

expanded_sectors(sectors) := array.concat(sectors, [included |
	some sector in sectors
	some included in object.get(data.catalog.jurisdictions, ["sectorIncludes", sector], [])
])

# The strictest requirement among the applicable rules, and the rules that set it.
requirement(code, class, sectors) := {"level": levels[top], "rules": binding, "conditions": conditions, "zoneTransferRules": zone_transfer_rules} if {
	rules := [rule | some rule in candidate_rules(code); applies(rule, class, sectors)]
	top := max(array.concat([0], [level_rank(rule.requirement) | some rule in rules]))
	binding := [rule | some rule in rules; level_rank(rule.requirement) == top]

	# What any applicable rule demands of every cloud use, wherever the region (e.g. the CBB's
	# prior approval and keys under the licensee's control): said, not decided, by placement.
	conditions := [sprintf("%s: %s", [rule.id, condition]) | some rule in rules; some condition in object.get(rule, "cloudConditions", [])]

	# A zone's own transfer rules, binding or not: data moved onshore still needs their basis.
	zone_transfer_rules := [rule | some rule in rules; rule.scope == code; code != parent_code(code); rule.requirement == "conditional"]
}

rule_reference(rule) := sprintf("%s: %s%s%s", [rule.id, rule.lawTitle, article_note(rule), uncertain_note(rule)])

# regopy mis-serialises an empty string that came from object.get's default: use functions.
article_note(rule) := sprintf(" %s", [rule.article]) if is_string(rule.article)

else := ""

uncertain_note(rule) := " [uncertain]" if rule.certainty == "uncertain"

else := ""

because(req) := "no rule restricts it" if count(req.rules) == 0

else := text.join("; ", [rule_reference(rule) | some rule in req.rules])

# A transfer must satisfy EACH law that applies, not just the most permissive one: every
# binding rule needs a declared transfer to the country under a mechanism it accepts (a rule
# without a list accepts all). One transfer may satisfy several rules; a Saudi bank declares
# SAMA's no-objection (authorisation) and a PDPL basis as two transfers to the same country.
rule_mechanisms(rule) := object.get(rule, "mechanisms", data.catalog.jurisdictions.transferMechanisms)

# Mechanisms some binding rule accepts: what a declared transfer may usefully name.
accepted_mechanisms(req) := union({{m | some m in rule_mechanisms(rule)} | some rule in req.rules})

# A declared transfer satisfies a rule when the rule accepts its mechanism and, for adequacy
# under a rule that names a published list, the country is on that list.
satisfies(transfer, rule) if {
	transfer.mechanism in rule_mechanisms(rule)
	transfer.mechanism != "adequacy"
}

satisfies(transfer, rule) if {
	transfer.mechanism == "adequacy"
	"adequacy" in rule_mechanisms(rule)
	not is_string(object.get(rule, "adequacyList", null))
}

satisfies(transfer, rule) if {
	transfer.mechanism == "adequacy"
	"adequacy" in rule_mechanisms(rule)
	transfer.country in adequacy_list(rule).countries
}

adequacy_list(rule) := data.catalog.jurisdictions.adequacyLists[rule.adequacyList]

transfers_to(ctx, country) := [transfer | some transfer in object.get(ctx, "transfers", []); transfer.country == country]

# The declared transfers that together satisfy every binding rule, or undefined.
declared_transfers(ctx, country, req) := used if {
	declared := transfers_to(ctx, country)
	unmet := [rule | some rule in req.rules; not rule_met(declared, rule)]
	count(unmet) == 0
	used := [transfer | some transfer in declared; useful(transfer, req)]
	count(used) > 0
}

useful(transfer, req) if {
	some rule in req.rules
	satisfies(transfer, rule)
}

# Binding rules no declared transfer to the country satisfies.
unmet_rules(ctx, country, req) := [rule | some rule in req.rules; not rule_met(transfers_to(ctx, country), rule)]

# The binding rules that come from law; Qantara's own baseline only when nothing else binds.
law_rules(req) := rules if {
	rules := [rule | some rule in req.rules; object.get(rule, "basis", "") != "qantara-baseline"]
	count(rules) > 0
} else := req.rules

rule_met(declared, rule) if {
	some transfer in declared
	satisfies(transfer, rule)
}

# A declared adequacy transfer refused because the country is not on a rule's published list.
off_list(ctx, country, req) := refusals[0] if {
	some transfer in transfers_to(ctx, country)
	transfer.mechanism == "adequacy"
	refusals := off_list_rules(country, req)
	count(refusals) > 0
}

off_list_rules(country, req) := [{"rule": rule.id, "list": adequacy_list(rule).title} |
	some rule in req.rules
	is_string(object.get(rule, "adequacyList", null))
	not country in adequacy_list(rule).countries
]

# What each binding rule accepts, for messages: "RULE (m1, m2); RULE2 (m3)".
mechanisms_needed(req) := text.join("; ", [sprintf("%s: %s", [rule.id, text.join(", ", sort(rule_mechanisms(rule)))]) | some rule in req.rules])

mechanism_list(used) := text.join(", ", [sprintf("%s (%s)", [transfer.mechanism, transfer.reference]) | some transfer in used])

# A zone whose law treats the rest of its country as a third country (DIFC, ADGM): no cloud
# region is inside the zone, so zone data in an onshore region needs a transfer basis.
onshore_is_third_country(code) if object.get(zone(code), "onshoreIsThirdCountry", false) == true

in_jurisdiction(ctx, country) if {
	country in countries(ctx.jurisdiction)
	not onshore_is_third_country(ctx.jurisdiction)
}

# Where data may stay without a transfer: inside the jurisdiction; inside a zone's country
# when the binding rule is an in-country one (the country's law decides) or the site is the
# organisation's own premises.
at_home(ctx, location, _) if in_jurisdiction(ctx, location.country)

at_home(ctx, location, req) if {
	location.country in countries(ctx.jurisdiction)
	level_rank(req.level) >= level_rank("in-country")
	count(onshore_unmet(ctx, location.country, req)) == 0
}

# The zone's transfer rules a move to the onshore country leaves unmet (none outside zones).
onshore_unmet(ctx, country, req) := [rule | some rule in req.zoneTransferRules; not rule_met(transfers_to(ctx, country), rule)]

at_home(ctx, location, _) if {
	location.kind == "onprem"
	location.country in countries(ctx.jurisdiction)
}

# verdict(ctx, class, location) -> {allowed, level, reason, rules, because}
#   ctx: {"jurisdiction": "AE", "sectors": ["health"], "transfers": [...]}
#   location: {"kind": "cloud", "region": "me-central-1", "country": "AE"},
#             {"kind": "onprem", "site": "riyadh-dc1", "country": "SA"} or
#             {"kind": "unknown", "reason": "region is a secret"} (denied unless the class may be anywhere)
verdict(ctx, class, location) := judged(ctx, class, req, summary(req), location) if {
	req := requirement(ctx.jurisdiction, class, object.get(ctx, "sectors", []))
}

summary(req) := {"level": req.level, "rules": [rule.id | some rule in req.rules], "because": because(req), "conditions": req.conditions}

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
	at_home(ctx, location, req)
} else := {"allowed": false, "reason": sprintf("%s data under %s rules stays in %s, and moving it out of the %s zone to %s in %s needs a declared transfer basis satisfying %s; none is declared", [class, ctx.jurisdiction, text.join(", ", countries(ctx.jurisdiction)), ctx.jurisdiction, location_name(location), location.country, mechanisms_needed({"rules": onshore_unmet(ctx, location.country, req)})])} if {
	level_rank(req.level) >= level_rank("in-country")
	location.country in countries(ctx.jurisdiction)
} else := {"allowed": false, "reason": sprintf("%s data under %s rules must stay in %s; %s is in %s", [class, ctx.jurisdiction, text.join(", ", countries(ctx.jurisdiction)), location_name(location), location.country])} if {
	level_rank(req.level) >= level_rank("in-country")
} else := {"allowed": true, "reason": sprintf("transfer of %s data to %s declared under %s", [class, location.country, mechanism_list(used)])} if {
	req.level == "conditional"
	used := declared_transfers(ctx, location.country, req)
} else := {"allowed": false, "reason": sprintf("%s data under %s rules: the adequacy transfer declared for %s is refused because %s is not on %s (rule %s)", [class, ctx.jurisdiction, location.country, location.country, refused.list, refused.rule])} if {
	req.level == "conditional"
	refused := off_list(ctx, location.country, req)
} else := {"allowed": false, "reason": sprintf("%s data under %s rules may leave %s only with a declared transfer basis satisfying each binding rule (%s); none that does is declared for %s in spec.governance.transfers", [class, ctx.jurisdiction, home_name(ctx.jurisdiction), mechanisms_needed(req), location.country])} if {
	req.level == "conditional"
} else := {"allowed": true, "reason": sprintf("%s data under %s rules may be held anywhere", [class, ctx.jurisdiction])}

home_name(code) := sprintf("the %s zone", [code]) if onshore_is_third_country(code)

else := text.join(", ", countries(code))

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

# The requirement for every jurisdiction, sector choice and class: what the generated
# docs/sovereignty.md tabulates, in one query. Each row names its sector choice.
# input: {"jurisdictions": ["AE", "AE-DIFC"], "sectorNames": ["(none)", "health"],
#         "sectorChoices": {"(none)": [], "health": ["health"]}}
requirements_table := [row |
	some code in input.jurisdictions
	some name in input.sectorNames
	sectors := input.sectorChoices[name]
	row := {
		"jurisdiction": code,
		"sector": name,
		"classes": {class: summary(requirement(code, class, sectors)) | some class in data.catalog.jurisdictions.classifications},
	}
]
