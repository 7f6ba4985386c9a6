"""A central OPA server as the policy engine (DESIGN §4.4), through opa-python-client.

`evaluate_remote` gives what `qantara.policy.evaluate.evaluate` gives, findings enriched
with their metadata, but the Rego runs on an OPA server:

1. with `upload=True` the catalog goes to `PUT /v1/data/catalog/<stem>` and every module
   to `PUT /v1/policies/qantara/<path>` (libraries before the modules that import them:
   OPA compiles on every PUT and refuses a call to a function it does not have yet);
2. each package is asked `POST /v1/data/qantara/<subject>/<concern>/findings` with
   ``{"input": ...}``. OPA answers ``{"result": ...}``, or ``{}`` when the package is not
   loaded (an undefined document).

A server fed by `qantara bundle` (roots `qantara` and `catalog`) refuses uploads into
those roots; use `upload=False` there. Every failure is a `PolicyEngineError` naming the
server (without credentials) and what went wrong; a bearer token is sent, never shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from qantara.catalog import load_catalog
from qantara.engine.rego import rego_modules, to_plain
from qantara.errors import InputError, PolicyEngineError
from qantara.paths import policy_dir
from qantara.policy.evaluate import evaluate

POLICY_ID_PREFIX = "qantara/"
DEFAULT_TIMEOUT = 30.0
_MESSAGE_LIMIT = 400
_REFUSED = " (the server refused the request's credentials: check the bearer token)"

# What evaluate() asks an engine: one data reference, or an array of them.


def server_address(url: str) -> tuple[str, str, int, bool]:
    """(shown URL, host, port, https) of an OPA base URL such as ``http://localhost:8181``.

    The shown URL never carries credentials. A path is refused: opa-python-client always
    talks to ``<scheme>://<host>:<port>/v1``.
    """
    parts = urlsplit(url.strip())
    shown = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"
    try:
        port = parts.port
    except ValueError:
        raise InputError(f"OPA URL {shown!r}: the port is not a number") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"OPA URL {shown!r}: expected http://HOST:PORT or https://HOST:PORT, e.g. http://localhost:8181")
    if parts.username is not None or parts.password is not None:
        raise InputError(f"OPA URL {shown!r}: credentials in the URL are not sent; give a bearer token instead")
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise InputError(f"OPA URL {shown!r}: give the server's base URL without a path (Qantara adds /v1/...), "
                         "e.g. http://localhost:8181")
    https = parts.scheme == "https"
    port = port or (443 if https else 80)
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}:{port}", host, port, https


def upload_order(modules: dict[str, str]) -> list[str]:
    """Module paths with every module after the modules whose packages it imports."""
    packages = {path: _package(source) for path, source in modules.items()}
    providers = {}
    for path, package in packages.items():
        providers.setdefault(package, []).append(path)
    needs = {path: {p for imported in _imports(source) for p in providers.get(imported, []) if p != path}
             for path, source in modules.items()}
    ordered: list[str] = []
    remaining = sorted(modules)
    while remaining:
        ready = [path for path in remaining if needs[path] <= set(ordered)] or remaining[:1]  # a cycle: OPA will say
        ordered.append(ready[0])
        remaining.remove(ready[0])
    return ordered


def _package(source: str) -> str:
    match = re.search(r"^\s*package\s+([\w.]+)", source, re.MULTILINE)
    return match.group(1) if match else ""


def _imports(source: str) -> set[str]:
    return set(re.findall(r"^\s*import\s+data\.([\w.]+)", source, re.MULTILINE))


class OpaEngine:
    """Evaluates `data.` references on an OPA server: the `rule_values` that `evaluate()` calls."""

    def __init__(self, client, shown_url: str):
        self.client = client
        self.url = shown_url

    def rule_values(self, rules: tuple[str, ...], input_document) -> list[object]:
        """The value of each rule (`qantara.resources.residency.findings`), as `evaluate()` asks."""
        plain_input = to_plain(input_document)
        return [self._document(rule, plain_input) for rule in rules]

    def _document(self, reference: str, input_document) -> object:
        path = reference.removeprefix("data.")
        with _talking_to(self.url, f"evaluating data.{path}"):
            response = self.client.query_rule(input_document, package_path=path)
        if not isinstance(response, dict) or "result" not in response:
            raise PolicyEngineError(
                f"OPA at {self.url}: data.{path} is undefined: the server does not hold that policy package "
                "(upload the policies, or load the bundle `qantara bundle` writes)")
        return response["result"]


@contextmanager
def _talking_to(url: str, action: str) -> Iterator[None]:
    """Turn what opa-python-client and requests raise into one PolicyEngineError."""
    import requests
    from opa_client.errors import ConnectionsError, RegoParseError, TypeException

    try:
        yield
    except requests.exceptions.SSLError:
        raise PolicyEngineError(f"OPA at {url}: {action} failed: the TLS handshake failed "
                                "(check the server certificate)") from None
    except requests.exceptions.Timeout:
        raise PolicyEngineError(f"OPA at {url}: {action} failed: no answer in time") from None
    except requests.exceptions.ConnectionError:
        raise PolicyEngineError(f"OPA at {url}: {action} failed: cannot connect (connection refused or "
                                "host unreachable; is the server running?)") from None
    except requests.exceptions.HTTPError as error:
        raise PolicyEngineError(f"OPA at {url}: {action} failed: {_http_problem(error.response)}") from None
    except RegoParseError as error:
        problem = _opa_problem(error.expression, error.message, error.errors)
        if error.expression == "unauthorized":
            problem += _REFUSED
        raise PolicyEngineError(f"OPA at {url}: {action} failed: {problem}") from None
    except requests.exceptions.JSONDecodeError:
        raise PolicyEngineError(f"OPA at {url}: {action} failed: the server answered with something that is "
                                "not OPA's JSON (a proxy in the way?)") from None
    except (requests.exceptions.RequestException, ConnectionsError, TypeException) as error:
        raise PolicyEngineError(f"OPA at {url}: {action} failed: {type(error).__name__}") from None


def _http_problem(response) -> str:
    status = getattr(response, "status_code", "?")
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and ("code" in body or "message" in body):
        problem = f"HTTP {status}, {_opa_problem(body.get('code'), body.get('message'), body.get('errors'))}"
    else:
        problem = f"HTTP {status} {getattr(response, 'reason', '') or ''}".rstrip()
    if status in (401, 403):
        problem += _REFUSED
    return problem


def _opa_problem(code, message, errors) -> str:
    details = [e.get("message", "") for e in errors or [] if isinstance(e, dict) and e.get("message")]
    located = []
    for error in errors or []:
        location = error.get("location") if isinstance(error, dict) else None
        if isinstance(location, dict) and location.get("file"):
            located.append(f"{location['file']}:{location.get('row', '?')}")
    text = f"{code or 'error'}: {message or 'no message'}"
    if details:
        text += " (" + "; ".join(details[:3]) + (f" at {', '.join(located[:3])}" if located else "") + ")"
    return text if len(text) <= _MESSAGE_LIMIT else text[:_MESSAGE_LIMIT - 1] + "…"


def upload_library(client, shown_url: str, root: Path | None = None) -> None:
    """Put the catalog and every policy module of `root` (the policy library) on the server."""
    # The default library shares the embedded engine's catalog (loaded once per process).
    catalog = load_catalog() if root is None else load_catalog(root / "data")
    root = root or policy_dir()
    for stem in sorted(catalog):
        with _talking_to(shown_url, f"uploading data.catalog.{stem}"):
            client.update_or_create_data(to_plain(catalog[stem]), f"catalog/{stem}")
    modules = rego_modules(root)
    for path in upload_order(modules):
        with _talking_to(shown_url, f"uploading policy {root / path}"):
            client.update_policy_from_string(modules[path], POLICY_ID_PREFIX + path, rego_compat=False)


def evaluate_remote(input_document: dict, subjects: tuple[str, ...], url: str, *, upload: bool = True,
                    token: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> list[dict]:
    """Findings of every package of `subjects`, evaluated on the OPA server at `url`.

    Same result as `evaluate(input_document, subjects)`. `token` is sent as a bearer token.
    """
    try:
        from opa_client import OpaClient
    except ImportError:
        raise PolicyEngineError("an OPA server needs opa-python-client: pip install 'opa-python-client>=3,<4'") from None
    shown, host, port, https = server_address(url)
    with OpaClient(host=host, port=port, ssl=https, token=token or None, timeout=timeout, retries=2) as client:
        if upload:
            upload_library(client, shown)
        return evaluate(input_document, subjects, engine=OpaEngine(client, shown))

