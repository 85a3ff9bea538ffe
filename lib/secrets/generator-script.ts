/**
 * The in-cluster generator program (Python 3 standard library only, run by
 * the dify-api image). It creates the credentials Secret when it is missing
 * and adds keys that are missing; it never changes an existing value and
 * prints key names only. It sets the Secret's labels and annotations (the
 * GitOps keep annotations), also on a Secret created before, and never an
 * ownerReference: the Secret outlives the Job and the workloads. RANDOM_KEYS maps each key to [bytes, "hex" | "urlsafe"];
 * REDIS_URL_KEYS maps derived keys to the Redis DB index of their URL. With
 * MIRROR_SECRET_NAME it then keeps MIRROR_KEYS, same values, in that Secret
 * of MIRROR_NAMESPACE (a sandbox namespace), creating it or syncing values
 * that differ.
 */
export const GENERATOR_SCRIPT = `import base64, json, os, secrets, ssl, sys, time, urllib.error, urllib.parse, urllib.request

SA = "/var/run/secrets/kubernetes.io/serviceaccount"
NAMESPACE = open(SA + "/namespace").read().strip()
TOKEN = open(SA + "/token").read().strip()
CONTEXT = ssl.create_default_context(cafile=SA + "/ca.crt")
NAME = os.environ["SECRET_NAME"]
URL = "https://kubernetes.default.svc/api/v1/namespaces/%s/secrets" % NAMESPACE
RANDOM_KEYS = json.loads(os.environ["RANDOM_KEYS"])
REDIS_URL_KEYS = json.loads(os.environ.get("REDIS_URL_KEYS", "{}"))
LABELS = json.loads(os.environ["SECRET_LABELS"])
ANNOTATIONS = json.loads(os.environ.get("SECRET_ANNOTATIONS", "{}"))


def call(method, url, body=None, content_type="application/json"):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": "Bearer " + TOKEN, "Content-Type": content_type, "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, context=CONTEXT, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, None


def missing_values(existing):
    values = {}
    for key, (size, encoding) in sorted(RANDOM_KEYS.items()):
        if key not in existing:
            values[key] = secrets.token_urlsafe(size) if encoding == "urlsafe" else secrets.token_hex(size)
    for key, db in sorted(REDIS_URL_KEYS.items()):
        if key not in existing:
            password = values.get(os.environ["REDIS_PASSWORD_KEY"]) or existing[os.environ["REDIS_PASSWORD_KEY"]]
            # URL-encoded: a password you set yourself may hold "@ / : %" (Celery decodes userinfo once).
            values[key] = "redis://:%s@%s:%s/%d" % (urllib.parse.quote(password, safe=""), os.environ["REDIS_HOST"], os.environ["REDIS_PORT"], db)
    return values


def ensure():
    """Creates or completes the Secret (keys, labels, annotations); returns its full data."""
    for attempt in range(5):
        status, current = call("GET", URL + "/" + NAME)
        if status == 404:
            values = missing_values({})
            status, _ = call("POST", URL, {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                                           "metadata": {"name": NAME, "labels": LABELS, "annotations": ANNOTATIONS},
                                           "stringData": values})
            if status == 201:
                print("created secret %s with keys %s" % (NAME, ", ".join(sorted(values))))
                return values
        elif status == 200:
            existing = {k: base64.b64decode(v).decode() for k, v in (current.get("data") or {}).items()}
            values = missing_values(existing)
            metadata = current.get("metadata") or {}
            stale = {field: wanted for field, wanted in (("labels", LABELS), ("annotations", ANNOTATIONS))
                     if any((metadata.get(field) or {}).get(k) != v for k, v in wanted.items())}
            if not values and not stale:
                print("secret %s is complete; nothing to do" % NAME)
                return existing
            patch = {"metadata": stale} if stale else {}
            if values:
                patch["stringData"] = values
            status, _ = call("PATCH", URL + "/" + NAME, patch, "application/merge-patch+json")
            if status == 200:
                print("added keys %s to secret %s" % (", ".join(sorted(values)) or "(none)", NAME)
                      + ("; set its %s" % " and ".join(sorted(stale)) if stale else ""))
                return dict(existing, **values)
        print("attempt %d: Kubernetes API answered HTTP %s; retrying" % (attempt + 1, status))
        time.sleep(2 ** attempt)
    sys.exit("could not create or complete secret %s" % NAME)


def mirror(data):
    """Keeps MIRROR_KEYS of the Secret, same values, in MIRROR_SECRET_NAME of MIRROR_NAMESPACE (the sandbox's namespace)."""
    namespace = os.environ["MIRROR_NAMESPACE"]
    name = os.environ["MIRROR_SECRET_NAME"]
    url = "https://kubernetes.default.svc/api/v1/namespaces/%s/secrets" % namespace
    wanted = {k: data[k] for k in json.loads(os.environ["MIRROR_KEYS"])}
    for attempt in range(5):
        status, current = call("GET", url + "/" + name)
        if status == 404:
            status, _ = call("POST", url, {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                                           "metadata": {"name": name, "labels": LABELS, "annotations": ANNOTATIONS},
                                           "stringData": wanted})
            if status == 201:
                print("created secret %s/%s with keys %s" % (namespace, name, ", ".join(sorted(wanted))))
                return
        elif status == 200:
            existing = {k: base64.b64decode(v).decode() for k, v in (current.get("data") or {}).items()}
            if all(existing.get(k) == v for k, v in wanted.items()):
                print("secret %s/%s is in sync; nothing to do" % (namespace, name))
                return
            status, _ = call("PATCH", url + "/" + name, {"stringData": wanted}, "application/merge-patch+json")
            if status == 200:
                print("synced keys %s to secret %s/%s" % (", ".join(sorted(wanted)), namespace, name))
                return
        print("attempt %d: Kubernetes API answered HTTP %s for secret %s/%s; retrying" % (attempt + 1, status, namespace, name))
        time.sleep(2 ** attempt)
    sys.exit("could not create or sync secret %s/%s" % (namespace, name))


data = ensure()
if os.environ.get("MIRROR_SECRET_NAME"):
    mirror(data)
`;
