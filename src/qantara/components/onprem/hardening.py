"""The pod and container settings every on-prem workload runs with.

They satisfy the Kubernetes Pod Security Standards' `restricted` profile, which the
platform namespace enforces: non-root, no privilege escalation, every capability dropped,
the runtime's default seccomp profile, and no service-account token unless a workload
needs the Kubernetes API (none of Qantara's do). Root filesystems are read-only; a
workload writes only to its volumes and to a size-capped `/tmp`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi_kubernetes as k8s

# An unprivileged UID/GID outside the range distribution images give their own users.
RUN_AS = 10001
TMP_VOLUME = "tmp"
TMP_SIZE = "256Mi"


@dataclass(frozen=True)
class Size:
    """Requests and limits of one container."""

    cpu_request: str
    memory_request: str
    cpu_limit: str
    memory_limit: str

    def resources(self) -> k8s.core.v1.ResourceRequirementsArgs:
        return k8s.core.v1.ResourceRequirementsArgs(
            requests={"cpu": self.cpu_request, "memory": self.memory_request},
            limits={"cpu": self.cpu_limit, "memory": self.memory_limit},
        )


def image(registry: str, repository: str, tag: str) -> str:
    """An image reference in the in-jurisdiction registry: `<registry>/<repository>:<tag>`."""
    return f"{registry.rstrip('/')}/{repository}:{tag}"


def pod_security_context() -> k8s.core.v1.PodSecurityContextArgs:
    return k8s.core.v1.PodSecurityContextArgs(
        run_as_non_root=True,
        run_as_user=RUN_AS,
        run_as_group=RUN_AS,
        # Volumes are group-owned by RUN_AS so the non-root process can write them.
        fs_group=RUN_AS,
        seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
    )


def container_security_context() -> k8s.core.v1.SecurityContextArgs:
    return k8s.core.v1.SecurityContextArgs(
        privileged=False,
        allow_privilege_escalation=False,
        read_only_root_filesystem=True,
        run_as_non_root=True,
        capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
        seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
    )


def tmp_volume() -> k8s.core.v1.VolumeArgs:
    """A memory-capped scratch directory, the only writable path outside a workload's data."""
    return k8s.core.v1.VolumeArgs(name=TMP_VOLUME, empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(size_limit=TMP_SIZE))


def tmp_mount() -> k8s.core.v1.VolumeMountArgs:
    return k8s.core.v1.VolumeMountArgs(name=TMP_VOLUME, mount_path="/tmp")


def container(name: str, image_ref: str, size: Size, **fields) -> k8s.core.v1.ContainerArgs:
    """A hardened container: the restricted security context, `size`, and `/tmp` mounted."""
    mounts = [tmp_mount(), *fields.pop("volume_mounts", [])]
    return k8s.core.v1.ContainerArgs(
        name=name,
        image=image_ref,
        image_pull_policy="IfNotPresent",
        security_context=container_security_context(),
        resources=size.resources(),
        volume_mounts=mounts,
        **fields,
    )


def pod_spec(containers: list[k8s.core.v1.ContainerArgs], **fields) -> k8s.core.v1.PodSpecArgs:
    """A hardened pod: restricted security context, no service-account token, `/tmp` volume."""
    volumes = [tmp_volume(), *fields.pop("volumes", [])]
    return k8s.core.v1.PodSpecArgs(
        containers=containers,
        security_context=pod_security_context(),
        automount_service_account_token=False,
        # Service links put every Service of the namespace in the environment: noise, and a leak.
        enable_service_links=False,
        volumes=volumes,
        **fields,
    )
