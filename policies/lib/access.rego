# Who a policy statement or a grant lets in, measured against the accounts the team runs
# (issue 11 §2: accounts are places too). Shared by the resource-access policies.
#
# Declared accounts: the blueprint's spec.cloud.accounts and the plan's own accounts
# (plan.source.accounts: the offline placeholder, or the accounts in a real stack's ARNs).
package qantara.lib.access

import rego.v1

import data.qantara.lib.plan

exposure := data.catalog.aws_exposure

declared_accounts := array.concat(blueprint_accounts, plan_accounts)

# Guarded: a project check's input may hold no blueprint, an OPA user's plan no source.
blueprint_accounts := [a.id | some a in object.get(input.blueprint, ["spec", "cloud", "accounts"], [])] if {
	is_object(input.blueprint)
} else := []

plan_accounts := [a | some a in object.get(input.plan, ["source", "accounts"], []); is_string(a)] if {
	is_object(input.plan)
} else := []

declared(account) if account in declared_accounts

# The account a principal string names: a 12-digit id, or the account field of an ARN
# (arn:aws:iam::123456789012:role/x, arn:aws:sts::123456789012:assumed-role/...).
principal_account(value) := value if {
	is_string(value)
	regex.match(`^[0-9]{12}$`, value)
} else := parts[4] if {
	is_string(value)
	startswith(value, "arn:")
	parts := split(value, ":")
	count(parts) >= 6
	regex.match(`^[0-9]{12}$`, parts[4])
}

unreadable(value) if plan.is_unknown(value)

unreadable(value) if plan.is_secret(value)

# --- Statements ------------------------------------------------------------------------

# [kind, value] for every principal of a statement; "*" (and an Allow with NotPrincipal,
# which admits everyone not listed) is ["*", "*"].
principal_entries(s) := [["*", "*"]] if s.Principal == "*"

else := [["*", "*"]] if s.NotPrincipal

else := [[kind, v] |
	some kind in object.keys(s.Principal)
	some v in plan.as_list(s.Principal[kind])
] if is_object(s.Principal)

else := [["?", s.Principal]] if unreadable(s.Principal)

else := []

# What an Allow statement admits beyond the declared accounts, as words for a message; a
# "*" principal narrowed by a condition to declared accounts or exact VPC ids admits no one.
statement_doors(s) := [door |
	s.Effect == "Allow"
	some entry in principal_entries(s)
	door := entry_door(entry)
	not narrowed_everyone(s, door)
]

narrowed_everyone(s, door) if {
	door == "everyone (Principal *)"
	narrowed(s)
}

entry_door(entry) := "everyone (Principal *)" if entry[1] == "*"

else := sprintf("account %s", [principal_account(entry[1])]) if {
	entry[0] in {"AWS", "Federated"}
	account := principal_account(entry[1])
	not declared(account)
}

else := sprintf("the identity provider %s", [entry[1]]) if {
	entry[0] == "Federated"
	not principal_account(entry[1])
	not unreadable(entry[1])
}

else := sprintf("the canonical user %s", [entry[1]]) if entry[0] == "CanonicalUser"

else := sprintf("the principal %s, which names no account", [entry[1]]) if {
	entry[0] == "AWS"
	not principal_account(entry[1])
	not unreadable(entry[1])
}

# Principals a preview cannot read: the statement is not checked (the unread policy).
unread_principals(s) := [v | some entry in principal_entries(s); unreadable(entry[1]); v := entry[1]]

# A statement's condition narrows "*" when some narrowing key, under a matching operator,
# has values that all name declared accounts (or exact VPC and endpoint ids).
narrowed(s) if {
	some operator in object.keys(object.get(s, "Condition", {}))
	operator in exposure.narrowingOperators
	some key in object.keys(s.Condition[operator])
	some row in exposure.narrowingConditionKeys
	lower(key) == lower(row.key)
	values := plan.as_list(s.Condition[operator][key])
	count(values) > 0
	count([v | some v in values; not declared_value(row.values, v)]) == 0
}

declared_value("account", v) if declared(v)

declared_value("arn", v) if {
	is_string(v)
	parts := split(v, ":")
	count(parts) >= 6
	declared(parts[4])
}

declared_value("id", v) if {
	is_string(v)
	regex.match(`^vpce?-[0-9a-f]+$`, v)
}

# --- Service principals ----------------------------------------------------------------

# Statements with a Service principal, paired with the accounts their conditions name
# (aws:SourceAccount, aws:SourceArn, the CloudTrail and Logs encryption contexts).
service_statement_doors(s) := [door |
	s.Effect == "Allow"
	is_object(s.Principal)
	some service in plan.as_list(object.get(s.Principal, "Service", []))
	some account in condition_accounts(s)
	not declared(account)
	door := sprintf("the service %s acting for account %s", [service, account])
]

condition_accounts(s) := [account |
	some operator in object.keys(object.get(s, "Condition", {}))
	some key in object.keys(s.Condition[operator])
	some row in exposure.serviceAccountConditionKeys
	lower(key) == lower(row.key)
	some v in plan.as_list(s.Condition[operator][key])
	account := value_account(row.values, v)
]

value_account("account", v) := v if {
	is_string(v)
	regex.match(`^[0-9]{12}$`, v)
}

value_account("arn", v) := parts[4] if {
	is_string(v)
	parts := split(v, ":")
	count(parts) >= 6
	regex.match(`^[0-9]{12}$`, parts[4])
}

# --- Grants ----------------------------------------------------------------------------

# What one granted value admits beyond the declared accounts, by the row's kind.
grant_door(kind, value) := "everyone" if value in exposure.publicGrantValues

else := sprintf("the organisation or unit %s (an organisation holds accounts the blueprint does not declare)", [value]) if {
	contains(value, ":organizations::")
} else := sprintf("account %s", [value]) if {
	kind in {"account", "accounts"}
	not declared(value)
	not unreadable(value)
}

else := sprintf("account %s", [principal_account(value)]) if {
	kind in {"principal", "principals"}
	account := principal_account(value)
	not declared(account)
}

else := sprintf("%s, outside the declared accounts", [value]) if {
	kind in {"principal", "principals"}
	not principal_account(value)
	not unreadable(value)
	not service_principal(value)
	not value in exposure.accountLocalPrincipals
}

# AWS service principals (s3.amazonaws.com, logs.me-central-1.amazonaws.com) are not accounts.
service_principal(value) if endswith(value, ".amazonaws.com")

service_principal(value) if endswith(value, ".amazonaws.com.cn")
