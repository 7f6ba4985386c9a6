"""An OPA server stand-in: a real HTTP server in a thread that records every request and
answers as OPA's REST API does (open-policy-agent/opa v1/server/server.go):

- ``PUT /v1/policies/{id}`` (Rego as text): 200 ``{}``; a module OPA cannot compile is a
  400 ``{"code": "invalid_parameter", "message": "error(s) occurred while compiling
  module(s)", "errors": [...]}``. OPA compiles every module on each PUT, so a call into a
  library it does not hold yet is refused; here, a module importing a package no held
  module defines is refused the same way (an approximation of OPA's type check).
- ``GET /v1/policies``: 200 ``{"result": [{"id", "raw"}]}``.
- ``PUT /v1/data/{path}`` (JSON): 204, no body; missing parents are created.
- ``POST /v1/data/{path}`` with ``{"input": ...}``: 200 ``{"result": value}``, or 200 ``{}``
  when the document is undefined; evaluated here by regopy over what was uploaded.

`fault()` makes the next matching requests fail with a given status and body.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import regopy


@dataclass
class Request:
    method: str
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Fault:
    method: str
    path: str
    status: int
    body: bytes
    content_type: str = "application/json"


def compile_error(policy_id: str, message: str) -> dict:
    return {"code": "invalid_parameter", "message": "error(s) occurred while compiling module(s)",
            "errors": [{"code": "rego_type_error", "message": message,
                        "location": {"file": policy_id, "row": 1, "col": 1}}]}


@dataclass
class FakeOpa:
    requests: list[Request] = field(default_factory=list)
    policies: dict[str, str] = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)

    def __post_init__(self):
        self._lock = threading.Lock()
        self._interpreter = None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest's output clean
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(self.command, self.path, dict(self.headers), self.rfile.read(length))
                status, body, content_type = fake.answer(request)
                self.send_response(status)
                if body is not None:
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body is not None:
                    self.wfile.write(body)

            do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fault(self, method: str, path: str, status: int, body, content_type: str = "application/json") -> None:
        """Answer requests `method` to paths starting with `path` with `status` and `body`."""
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.faults.append(Fault(method, path, status, raw, content_type))

    # --- OPA's answers ---

    def answer(self, request: Request) -> tuple[int, bytes | None, str]:
        with self._lock:
            self.requests.append(request)
            for fault in self.faults:
                if request.method == fault.method and request.path.startswith(fault.path):
                    return fault.status, fault.body, fault.content_type
            path = request.path.split("?", 1)[0]
            if path.startswith("/v1/policies/") and request.method == "PUT":
                return self._put_policy(path.removeprefix("/v1/policies/"), request.body.decode())
            if path == "/v1/policies" and request.method == "GET":
                listed = [{"id": i, "raw": raw} for i, raw in sorted(self.policies.items())]
                return self._json(200, {"result": listed})
            if path.startswith("/v1/data/") and request.method == "PUT":
                self._put_data(path.removeprefix("/v1/data/").strip("/").split("/"), request.json())
                return 204, None, ""
            if path.startswith("/v1/data/") and request.method == "POST":
                return self._post_data(path.removeprefix("/v1/data/").strip("/").split("/"), request.json())
            return self._json(404, {"code": "resource_not_found", "message": f"{request.method} {path}"})

    @staticmethod
    def _json(status: int, body) -> tuple[int, bytes, str]:
        return status, json.dumps(body).encode(), "application/json"

    def _put_policy(self, policy_id: str, source: str):
        held = {_package(raw) for i, raw in self.policies.items() if i != policy_id} | {_package(source)}
        for imported in re.findall(r"^\s*import\s+data\.([\w.]+)", source, re.MULTILINE):
            if imported.startswith("qantara.") and imported not in held:
                return self._json(400, compile_error(policy_id, f"undefined function data.{imported}"))
        self.policies[policy_id] = source
        self._interpreter = None
        return self._json(200, {})

    def _put_data(self, keys: list[str], value) -> None:
        node = self.data
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value
        self._interpreter = None

    def _post_data(self, keys: list[str], body):
        if self._interpreter is None:
            interpreter = regopy.Interpreter()
            interpreter.log_level = regopy.LogLevel.NONE
            interpreter.add_data_json(json.dumps(self.data))
            for policy_id, source in sorted(self.policies.items()):
                interpreter.add_module(policy_id, source)
            self._interpreter = interpreter
        self._interpreter.set_input(body.get("input"))
        output = self._interpreter.query("x := data." + ".".join(keys))
        if not output.ok():
            return self._json(500, {"code": "internal_error", "message": "evaluation failed"})
        bindings = output.results[0].bindings if output.results else {}
        if "x" not in bindings:  # undefined: regopy answers a result without the binding
            return self._json(200, {})
        return self._json(200, {"result": bindings["x"]})


def _package(source: str) -> str:
    match = re.search(r"^\s*package\s+([\w.]+)", source, re.MULTILINE)
    return match.group(1) if match else ""
