# QA-PRJ-013: nothing in the project's CI deploys without the approval gate and a person, and
# nothing in it promotes a model: retraining never reaches production by itself.
#
# input.project.ci is what check_project read from .github/workflows/*.yml and .gitlab-ci.yml:
# [{path, kind: github|gitlab, document}] or, for a file it could not read, {path, kind, error}.
# A job deploys when a command of it runs `pulumi up` or `make deploy`; it is gated when a
# `qantara check` (or `make deploy`, which runs it) comes before any `pulumi up`, and when a
# person stands in front of it: a GitHub `environment` (whose required reviewers the repository
# settings hold) or a GitLab `when: manual` job in an `environment`. A CI file cannot show which
# platform environment a command reaches, so every deploying job is held to the gate (fail
# closed). Promotion (`qantara promote`, `make promote`) is a person's step, never CI's.
package qantara.project.promotion_gate

import rego.v1

ci_files := input.project.ci if is_array(input.project.ci)

else := []

deploy_markers := ["pulumi up", "make deploy"]

promote_markers := ["qantara promote", "make promote"]

gate_markers := ["qantara check", "make deploy"]

# GitLab's top-level keys that are not jobs.
gitlab_reserved := {"default", "include", "stages", "variables", "workflow", "image", "services", "cache", "before_script", "after_script"}

findings := array.concat(unreadable_findings, array.concat(github_findings, gitlab_findings))

unreadable_findings := [finding |
	some file in ci_files
	is_string(file.error)
	finding := {
		"policy": "QA-PRJ-013",
		"resource": file.path,
		"message": sprintf("CI file %s cannot be read (%s), so it cannot be shown that it deploys only through the approval gate: fix or remove it", [file.path, file.error]),
	}
]

github_findings := [finding |
	some file in ci_files
	file.kind == "github"
	is_object(file.document.jobs)
	some name
	job := file.document.jobs[name]
	problem := gate_problem(job_text(object.get(job, "steps", [])), github_attended(job))
	finding := {
		"policy": "QA-PRJ-013",
		"resource": sprintf("%s: jobs.%s", [file.path, name]),
		"message": sprintf("job `%s` of %s %s", [name, file.path, problem]),
	}
]

gitlab_findings := [finding |
	some file in ci_files
	file.kind == "gitlab"
	is_object(file.document)
	some name
	job := file.document[name]
	is_object(job)
	not name in gitlab_reserved
	not startswith(name, ".")
	problem := gate_problem(script_text(object.get(job, "script", [])), gitlab_attended(job))
	finding := {
		"policy": "QA-PRJ-013",
		"resource": sprintf("%s: %s", [file.path, name]),
		"message": sprintf("job `%s` of %s %s", [name, file.path, problem]),
	}
]

job_text(steps) := concat("\n", [step.run | some step in steps; is_string(step.run)]) if is_array(steps)

else := ""

script_text(script) := script if is_string(script)

else := concat("\n", [line | some line in script; is_string(line)]) if is_array(script)

else := ""

contains_any(text, markers) if {
	some marker in markers
	contains(text, marker)
}

# The first position of any of `markers` in `text`, or -1.
first_index(text, markers) := min(found) if {
	found := [i | some marker in markers; i := indexof(text, marker); i >= 0]
	count(found) > 0
} else := -1

# true or false, never undefined: an undefined argument would drop the finding (fail open).
github_attended(job) := true if github_person(job)

else := false

gitlab_attended(job) := true if gitlab_person(job)

else := false

github_person(job) if is_string(job.environment)

github_person(job) if is_string(job.environment.name)

gitlab_person(job) if {
	job.when == "manual"
	gitlab_environment(job)
}

gitlab_person(job) if {
	count(job.rules) > 0
	every rule in job.rules {
		object.get(rule, "when", "on_success") in {"manual", "never"}
	}
	gitlab_environment(job)
}

gitlab_environment(job) if is_string(job.environment)

gitlab_environment(job) if is_string(job.environment.name)

# regopy 1.5 needs a body on the first clause of a function with else.
gate_problem(text, attended) := "runs `promote`: moving traffic to a model version is a person's step (make promote, committed and reviewed), never CI's, so that nothing retrained is served by itself" if {
	contains_any(text, promote_markers)
} else := "deploys (pulumi up) before any `qantara check`: run the approval gate first (make deploy runs it, then pulumi up)" if {
	up := indexof(text, "pulumi up")
	up >= 0
	gate := first_index(text, gate_markers)
	not between(gate, 0, up)
} else := "deploys without a person in front of it: put it in a protected environment (GitHub: environment with required reviewers; GitLab: when: manual and a protected environment)" if {
	contains_any(text, deploy_markers)
	attended == false
}

between(value, low, high) if {
	value >= low
	value < high
}
