"""Celery's view of a broker URL, for the Redis drill (Debian's python3-kombu and python3-redis).

  broker.py check URL        parse URL as kombu does, connect, PING, write a key; prints JSON
  broker.py generate SCRIPT  run the secret generator's missing_values() from the rendered SCRIPT
                             with EXISTING (JSON) as the Secret's current data; prints JSON
"""
import ast
import json
import os
import sys


def check(url):
    from kombu import Connection
    from kombu.utils.url import parse_url

    out = {"parsed": parse_url(url)}
    try:
        with Connection(url, connect_timeout=5) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
            client = conn.default_channel.client
            out["ping"] = bool(client.ping())
            client.set("drill:broker", "celery")
            out["db"] = client.connection_pool.connection_kwargs.get("db")
    except Exception as error:  # the drill asserts on the class and message
        out["error"] = "%s: %s" % (type(error).__name__, error)
    print(json.dumps(out, sort_keys=True))


def generate(path):
    tree = ast.parse(open(path).read(), path)

    def wanted(node):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return True
        if isinstance(node, ast.FunctionDef):
            return node.name == "missing_values"
        if isinstance(node, ast.Assign):
            return any(getattr(t, "id", None) in ("RANDOM_KEYS", "REDIS_URL_KEYS") for t in node.targets)
        return False

    # Only the imports, RANDOM_KEYS, REDIS_URL_KEYS and missing_values(): the rest talks to the Kubernetes API.
    namespace = {}
    exec(compile(ast.Module(body=[n for n in tree.body if wanted(n)], type_ignores=[]), path, "exec"), namespace)
    print(json.dumps(namespace["missing_values"](json.loads(os.environ["EXISTING"])), sort_keys=True))


if __name__ == "__main__":
    {"check": check, "generate": generate}[sys.argv[1]](sys.argv[2])
