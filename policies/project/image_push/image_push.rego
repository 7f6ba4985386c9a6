# QA-PRJ-016: the project's CI pushes images only through the project's own push targets, which
# push to the platform's image repository and nowhere else.
#
# input.project.ci is what check_project read from .github/workflows/*.yml and .gitlab-ci.yml:
# [{path, kind: github|gitlab, document}] or, for a file it could not read, {path, kind, error}.
# The generated Makefile's `make push-image`, `make push-model-image(s)` and `make deploy` push
# only to the platform's repository (its export, checked to be a private ECR repository in the
# placed region, or the blueprint's site registry). A CI step that pushes by itself (`docker
# push`, `podman push`, `buildah push`, `crane push`, `skopeo copy`, `--push` on a build, or
# docker/build-push-action with `push: true`) names its own destination, which nothing checks:
# a model or code image, built from restricted data's model, could land in a public registry.
package qantara.project.image_push

import rego.v1

ci_files := input.project.ci if is_array(input.project.ci)

else := []

push_markers := ["docker push", "docker image push", "podman push", "buildah push", "crane push", "skopeo copy"]

# A build that pushes as it builds: `docker buildx build --push`, `docker build --push=true`.
# (A list, not a literal in the comprehension: regopy 1.5's sprintf quotes such a literal.)
push_flags := ["--push"]

pushes_as_it_builds(text) if {
	some word in split(replace(replace(text, "\n", " "), "\t", " "), " ")
	word == "--push"
}

pushes_as_it_builds(text) if {
	some word in split(replace(replace(text, "\n", " "), "\t", " "), " ")
	startswith(word, "--push=")
	lower(word) != "--push=false"
}

gitlab_reserved := {"default", "include", "stages", "variables", "workflow", "image", "services", "cache", "before_script", "after_script"}

findings := array.concat(
	array.concat(unreadable_findings, array.concat(github_findings, array.concat(gitlab_findings, gitlab_global_findings))),
	array.concat(github_unseen_findings, gitlab_unseen_findings),
)

unreadable_findings := [finding |
	some file in ci_files
	is_string(file.error)
	finding := {
		"policy": "QA-PRJ-016",
		"resource": file.path,
		"message": sprintf("CI file %s cannot be read (%s), so it cannot be shown that it pushes images only to the platform's repository: fix or remove it", [file.path, file.error]),
	}
]

github_findings := [finding |
	some file in ci_files
	file.kind == "github"
	is_object(file.document.jobs)
	some name
	job := file.document.jobs[name]
	some step in github_steps(job)
	how := github_push(step)
	finding := push_finding(file.path, sprintf("jobs.%s", [name]), sprintf("job `%s`", [name]), how)
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
	some line in gitlab_lines(job)
	how := pushing_command(line)
	finding := push_finding(file.path, name, sprintf("job `%s`", [name]), how)
]

# GitLab runs the global before_script and after_script, and those under `default:`, around every
# job's script (https://docs.gitlab.com/ci/yaml/#default): a push there is a push of every job.
# (Each place's names are data, not literals passed to push_finding: regopy 1.5's sprintf quotes a
# literal argument.)
gitlab_global_script_places := [
	{"path": ["before_script"], "where": "before_script", "who": "the global before_script"},
	{"path": ["after_script"], "where": "after_script", "who": "the global after_script"},
	{"path": ["default", "before_script"], "where": "default.before_script", "who": "default's before_script"},
	{"path": ["default", "after_script"], "where": "default.after_script", "who": "default's after_script"},
	{"path": ["default", "hooks", "pre_get_sources_script"], "where": "default.hooks.pre_get_sources_script", "who": "default's pre_get_sources_script hook"},
]

gitlab_global_findings := [finding |
	some file in ci_files
	file.kind == "gitlab"
	is_object(file.document)
	some place in gitlab_global_script_places
	some line in lines(object.get(file.document, place.path, []))
	how := pushing_command(line)
	finding := push_finding(file.path, place.where, place.who, how)
]

push_finding(path, where, who, how) := {
	"policy": "QA-PRJ-016",
	"resource": sprintf("%s: %s", [path, where]),
	"message": sprintf("%s of %s pushes an image by itself (%s): nothing checks where it goes; push with `make push-image` or `make push-model-image` (or `make deploy`), which push to the platform's image repository only", [who, path, how]),
}

github_steps(job) := job.steps if is_array(job.steps)

else := []

gitlab_lines(job) := array.concat(
	array.concat(lines(object.get(job, "before_script", [])), array.concat(lines(object.get(job, "script", [])), lines(object.get(job, "after_script", [])))),
	lines(object.get(job, ["hooks", "pre_get_sources_script"], [])),
)

# --- CI the file runs but does not show -----------------------------------------------------
# What a CI file runs from elsewhere cannot be shown to push only through the project's targets
# (fail closed): GitLab's `include` (configuration merged from other files, projects, templates
# or URLs: https://docs.gitlab.com/ci/yaml/#include) and `trigger` (a child or another
# project's pipeline: https://docs.gitlab.com/ci/yaml/#trigger); GitHub's job-level `uses` of a
# workflow outside this repository and step-level `uses` of a local action (an action.yml whose
# steps check_project does not read). A repository's own reusable workflows live in
# .github/workflows (https://docs.github.com/en/actions/sharing-automations/reusing-workflows,
# read 2026-12-06), which check_project reads, so `./.github/workflows/...` is judged in its file.
local_workflow_prefix := "./.github/workflows/"

local_action_prefix := "./"

# (Data, not literals passed to unseen_finding: regopy 1.5's sprintf quotes a literal argument.)
gitlab_include := {"where": "include", "what": "includes configuration from elsewhere (`include`)"}

gitlab_unseen_findings := array.concat(
	[unseen_finding(file.path, gitlab_include.where, gitlab_include.what) |
		some file in ci_files
		file.kind == "gitlab"
		is_object(file.document)
		object.get(file.document, "include", null) != null
	],
	[unseen_finding(file.path, name, sprintf("job `%s` starts another pipeline (`trigger`)", [name])) |
		some file in ci_files
		file.kind == "gitlab"
		is_object(file.document)
		some name
		job := file.document[name]
		is_object(job)
		object.get(job, "trigger", null) != null
	],
)

github_unseen_findings := array.concat(
	[unseen_finding(file.path, sprintf("jobs.%s", [name]), sprintf("job `%s` runs the workflow `%s`", [name, text_of(job.uses)])) |
		some file in ci_files
		file.kind == "github"
		is_object(file.document.jobs)
		some name
		job := file.document.jobs[name]
		object.get(job, "uses", null) != null
		not local_workflow(job.uses)
	],
	[unseen_finding(file.path, sprintf("jobs.%s", [name]), sprintf("job `%s` runs the local action `%s`", [name, step.uses])) |
		some file in ci_files
		file.kind == "github"
		is_object(file.document.jobs)
		some name
		some step in github_steps(file.document.jobs[name])
		is_string(step.uses)
		startswith(step.uses, local_action_prefix)
	],
)

local_workflow(uses) if {
	is_string(uses)
	startswith(uses, local_workflow_prefix)
	not contains(uses, "..")
}

text_of(value) := value if is_string(value)

else := sprintf("%v", [value])

unseen_finding(path, where, what) := {
	"policy": "QA-PRJ-016",
	"resource": sprintf("%s: %s", [path, where]),
	"message": sprintf("%s %s, whose steps are not in the files Qantara reads, so it cannot be shown that it pushes images only to the platform's repository: write those steps into the file, or push with `make push-image` or `make push-model-image`", [path, what]),
}

lines(script) := [script] if is_string(script)

else := [line | some line in script; is_string(line)] if is_array(script)

else := []

# regopy 1.5 needs a body on the first clause of a function with else.
github_push(step) := pushing_command(step.run) if {
	is_string(step.run)
	pushing_command(step.run)
} else := sprintf("`%s`, which always pushes", [step.uses]) if {
	startswith(step.uses, "redhat-actions/push-to-registry")
} else := sprintf("`%s` with push: true", [step.uses]) if {
	startswith(step.uses, "docker/build-push-action")
	lower(sprintf("%v", [object.get(object.get(step, "with", {}), "push", false)])) == "true"
}

pushing_command(text) := sprintf("`%s`", [found[0]]) if {
	found := array.concat([marker | some marker in push_markers; contains(text, marker)], [flag | some flag in push_flags; pushes_as_it_builds(text)])
	count(found) > 0
}
