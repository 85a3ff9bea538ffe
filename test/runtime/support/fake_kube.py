"""Runs the rendered secret generator SCRIPT against an in-memory Kubernetes API (no cluster, no network).

  fake_kube.py SCRIPT   STATE (JSON: the Secret as stored, or null) in the environment; prints JSON
                        {"requests": [[method, path, body]...], "secret": <stored Secret>, "exit": code}

Only the API calls are faked: the script's own code, its environment (the Job's env) and its requests are real.
"""
import builtins
import io
import json
import os
import sys
import urllib.error
import urllib.request

state = {"secret": json.loads(os.environ.get("STATE", "null")), "requests": []}
SA = "/var/run/secrets/kubernetes.io/serviceaccount"
real_open = builtins.open


def fake_open(path, *args, **kwargs):
    if isinstance(path, str) and path.startswith(SA + "/"):
        return io.StringIO({"namespace": "dify", "token": "t", "ca.crt": ""}[path[len(SA) + 1:]])
    return real_open(path, *args, **kwargs)


class Response(io.BytesIO):
    def __init__(self, status, body):
        super().__init__(json.dumps(body).encode())
        self.status = status

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def merge(target, patch):
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(target.get(k), dict):
            merge(target[k], v)
        elif v is None:
            target.pop(k, None)
        else:
            target[k] = v


def fake_urlopen(request, context=None, timeout=None):
    body = json.loads(request.data) if request.data else None
    path = request.full_url.split("kubernetes.default.svc", 1)[1]
    state["requests"].append([request.get_method(), path, body])
    secret = state["secret"]
    method = request.get_method()
    if method == "GET":
        if secret is None:
            raise urllib.error.HTTPError(request.full_url, 404, "not found", {}, None)
        return Response(200, secret)
    if method == "POST":
        stored = dict(body)
        stored["data"] = {k: __import__("base64").b64encode(v.encode()).decode() for k, v in stored.pop("stringData").items()}
        state["secret"] = stored
        return Response(201, stored)
    if method == "PATCH":
        patch = dict(body)
        values = patch.pop("stringData", {})
        merge(secret, patch)
        secret.setdefault("data", {}).update({k: __import__("base64").b64encode(v.encode()).decode() for k, v in values.items()})
        return Response(200, secret)
    raise AssertionError(method)


builtins.open = fake_open
urllib.request.urlopen = fake_urlopen
import ssl  # noqa: E402

ssl.create_default_context = lambda cafile=None: None
code = 0
source = real_open(sys.argv[1]).read()
stdout = sys.stdout
sys.stdout = io.StringIO()
try:
    exec(compile(source, sys.argv[1], "exec"), {"__name__": "__main__"})
except SystemExit as e:
    code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
sys.stdout = stdout
print(json.dumps({"requests": state["requests"], "secret": state["secret"], "exit": code}, sort_keys=True))
