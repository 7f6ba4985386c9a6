"""The Rego engine seam: the embedded engines (regopy, regorus) and which one a process uses.

Core: placement asks the residency rule through it and the policies are evaluated through
it, so it sits below both sovereignty and policy.
"""
