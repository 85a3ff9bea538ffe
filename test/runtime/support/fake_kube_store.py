"""Runs the rendered secret generator SCRIPT against an in-memory Kubernetes Secrets API of several namespaces.

  fake_kube.py SCRIPT   STORE (JSON: {"<namespace>/<name>": {"data": {key: plain value}, "metadata": {...}}}) is the
                        cluster before the run; NAMESPACE the Job's namespace. Prints JSON: the exit code, the store
                        after the run (values decoded) and the writes (method and path).

Only the transport is replaced (the service account files, the TLS context and urllib's urlopen): every line of the
generator's own logic runs as rendered.
"""
import base64
import builtins
import io
import json
import os
import ssl
import sys
import urllib.error
import urllib.request
import urllib.response

PREFIX = "https://kubernetes.default.svc/api/v1/namespaces/"
store = {k: {"data": {dk: base64.b64encode(v.encode()).decode() for dk, v in s.get("data", {}).items()},
             "metadata": dict(s.get("metadata", {}), name=k.split("/")[1])}
         for k, s in json.loads(os.environ["STORE"]).items()}
writes = []


def Response(status, body):
    """What urlopen returns: the stdlib's response object (a context manager with .status)."""
    return urllib.response.addinfourl(io.BytesIO(json.dumps(body).encode()), {}, "", status)


def urlopen(request, context=None, timeout=None):
    assert request.full_url.startswith(PREFIX), request.full_url
    assert request.get_header("Authorization") == "Bearer token"
    namespace, _, rest = request.full_url[len(PREFIX):].partition("/secrets")
    name = rest.lstrip("/")
    key = "%s/%s" % (namespace, name)
    body = json.loads(request.data) if request.data else None
    method = request.get_method()
    if method == "GET":
        if key not in store:
            raise urllib.error.HTTPError(request.full_url, 404, "not found", {}, None)
        return Response(200, store[key])
    writes.append("%s %s" % (method, key if name else namespace + "/" + body["metadata"]["name"]))
    if method == "POST":
        key = "%s/%s" % (namespace, body["metadata"]["name"])
        if key in store:
            raise urllib.error.HTTPError(request.full_url, 409, "exists", {}, None)
        store[key] = {"data": {k: base64.b64encode(v.encode()).decode() for k, v in body.get("stringData", {}).items()},
                      "metadata": body["metadata"]}
        return Response(201, store[key])
    if method == "PATCH":
        assert request.get_header("Content-type") == "application/merge-patch+json"
        current = store[key]
        for k, v in body.get("stringData", {}).items():
            current["data"][k] = base64.b64encode(v.encode()).decode()
        for field, values in body.get("metadata", {}).items():
            current["metadata"].setdefault(field, {}).update(values)
        return Response(200, current)
    raise AssertionError(method)


real_open = builtins.open


def fake_open(path, *args, **kwargs):
    if str(path).startswith("/var/run/secrets/kubernetes.io/serviceaccount/"):
        return io.StringIO({"namespace": os.environ["NAMESPACE"], "token": "token"}[os.path.basename(path)])
    return real_open(path, *args, **kwargs)


builtins.open = fake_open
ssl.create_default_context = lambda cafile=None: None
urllib.request.urlopen = urlopen
code = 0
try:
    exec(compile(real_open(sys.argv[1]).read(), sys.argv[1], "exec"), {"__name__": "__main__"})
except SystemExit as exit:
    code = exit.code if isinstance(exit.code, int) else 1
builtins.open = real_open
print(json.dumps({"code": code, "writes": writes, "store": {
    k: {"data": {dk: base64.b64decode(v).decode() for dk, v in s["data"].items()}, "metadata": s["metadata"]}
    for k, s in sorted(store.items())}}, sort_keys=True))
