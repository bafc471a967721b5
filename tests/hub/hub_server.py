#!/usr/bin/env python3
"""A Hugging Face Hub-compatible HTTP server for tests and the offline demo (stdlib only).

Serves model repos from a directory:

    ROOT/<org>/<name>/revisions/<ref>/...files...   one folder per branch or tag
    ROOT/<org>/<name>/repo.json                     optional settings:
        {"gated": true, "private": true, "allowed_tokens": ["hf_x"],
         "refs": {"refs/pr/1": "<folder under revisions/>"},
         "extra_files": {"../../x": "text"},          listed and served, never on disk
         "listed_sizes": {"model.safetensors": 1e18}} sizes the API claims (not what is served)

Each ref's commit SHA is derived from its content, so refs with the same files share a
commit, like a tag on a branch's head. LFS files (.safetensors, .gguf, .bin, .pt, .pth, or
10 MiB and more) carry their sha256 and are served through a 302 to a second "storage"
port, as the Hub redirects to its CDN. Endpoints: GET /api/models/{repo}[/revision/{rev}],
GET /api/models/{repo}/tree/{rev}[/{path}] (paginated with Link: rel="next"),
POST /api/models/{repo}/paths-info/{rev}, GET|HEAD /{repo}/resolve/{rev}/{path}.

Test control (API port): GET /_admin/log (requests seen by both ports, with the token
each carried), POST /_admin/reset, POST /_admin/faults with a JSON list of faults:
    {"kind": "status", "status": 503, "retry_after": "1"}   answer with that status
    {"kind": "cut", "after_bytes": 1000}                     close mid-body
    {"kind": "slow", "delay": 0.5, "rate": 1000000}         wait, then trickle bytes/s
    {"kind": "corrupt"}                                      flip a byte of the body
    {"kind": "gopher", "port": 7070}    302 to gopher://127.0.0.1:7070/ with an HTTP request as
                                        the selector (a request smuggled to a local port)
    {"kind": "downgrade", "port": 8080} 302 to http://127.0.0.1:8080 (same path): plain http
                                        from an https endpoint
  each with optional "match" (substring of the path), "server" ("api", "storage"),
  "method", and "count" (how many requests it hits, default 1, -1 for all).

With --tls both ports speak https with a self-signed certificate for 127.0.0.1 (made with
the openssl command), written to ROOT/tls/cert.pem for clients to trust.

Prints "READY <api_port> <storage_port>" on stdout once both ports listen.
"""

import argparse
import hashlib
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LFS_SUFFIXES = (".safetensors", ".gguf", ".bin", ".pt", ".pth", ".onnx")
LFS_MIN_SIZE = 10 << 20


class HashCache:
    """sha256 and git blob ids of files, remembered by (path, size, mtime)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._known = {}

    def digests(self, path):
        st = os.stat(path)
        key = (os.path.realpath(path), st.st_size, st.st_mtime_ns)
        with self._lock:
            if key in self._known:
                return self._known[key]
        sha256 = hashlib.sha256()
        git = hashlib.sha1(b"blob %d\0" % st.st_size)
        with open(path, "rb") as f:
            while chunk := f.read(4 << 20):
                sha256.update(chunk)
                git.update(chunk)
        result = (sha256.hexdigest(), git.hexdigest())
        with self._lock:
            self._known[key] = result
        return result


def git_blob_id(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def lfs_pointer(sha256, size):
    return ("version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n" % (sha256, size)).encode()


class RepoFile:
    def __init__(self, path, size, git_oid, sha256=None, disk_path=None, data=None):
        self.path, self.size, self.sha256 = path, size, sha256
        self.disk_path, self.data = disk_path, data
        self.lfs = sha256 is not None
        self.oid = git_blob_id(lfs_pointer(sha256, size)) if self.lfs else git_oid

    def entry(self):
        e = {"type": "file", "oid": self.oid, "size": self.size, "path": self.path}
        if self.lfs:
            e["lfs"] = {"oid": self.sha256, "size": self.size, "pointerSize": len(lfs_pointer(self.sha256, self.size))}
        return e

    def etag(self):
        return self.sha256 if self.lfs else self.oid


class Hub:
    """The repos under ROOT, the request log and the pending faults."""

    def __init__(self, root, tokens, page_size):
        self.root, self.tokens, self.page_size = root, set(tokens), page_size
        self.hashes = HashCache()
        self.lock = threading.Lock()
        self.log = []
        self.faults = []
        self.storage_base = ""
        self.blobs = {}  # sha256 -> RepoFile, for the storage port

    # -- repos ---------------------------------------------------------------------
    def repo_dir(self, repo_id):
        parts = repo_id.split("/")
        if len(parts) != 2 or any(p in ("", ".", "..") for p in parts):
            return None
        d = os.path.join(self.root, *parts)
        return d if os.path.isdir(os.path.join(d, "revisions")) else None

    def settings(self, repo_dir):
        p = os.path.join(repo_dir, "repo.json")
        if os.path.exists(p):
            with open(p) as f:
                return json.load(f)
        return {}

    def refs(self, repo_dir):
        refs = {name: name for name in sorted(os.listdir(os.path.join(repo_dir, "revisions")))}
        refs.update(self.settings(repo_dir).get("refs", {}))
        return refs

    def files_of(self, repo_dir, folder):
        base = os.path.join(repo_dir, "revisions", folder)
        listed_sizes = self.settings(repo_dir).get("listed_sizes", {})
        files = []
        for dirpath, _, names in os.walk(base, followlinks=True):
            for n in names:
                disk = os.path.join(dirpath, n)
                rel = os.path.relpath(disk, base).replace(os.sep, "/")
                size = int(listed_sizes.get(rel, os.path.getsize(disk)))
                sha256, git_oid = self.hashes.digests(disk)
                lfs = rel.endswith(LFS_SUFFIXES) or size >= LFS_MIN_SIZE
                files.append(RepoFile(rel, size, git_oid, sha256 if lfs else None, disk_path=disk))
        for path, text in self.settings(repo_dir).get("extra_files", {}).items():
            data = text.encode()
            files.append(RepoFile(path, len(data), git_blob_id(data), data=data))
        files.sort(key=lambda f: f.path)
        for f in files:
            if f.lfs:
                with self.lock:
                    self.blobs[f.sha256] = f
        return files

    def commit_of(self, repo_id, files):
        h = hashlib.sha1(("commit\0" + repo_id).encode())
        for f in files:
            h.update(("\0%s:%s" % (f.path, f.oid)).encode())
        return h.hexdigest()

    def resolve(self, repo_id, repo_dir, rev):
        """(commit, files) for a branch, tag or commit; None when unknown."""
        for folder in set(self.refs(repo_dir).values()):
            files = self.files_of(repo_dir, folder)
            commit = self.commit_of(repo_id, files)
            if rev == commit:
                return commit, files
        folder = self.refs(repo_dir).get(rev)
        if folder is None or not os.path.isdir(os.path.join(repo_dir, "revisions", folder)):
            return None
        files = self.files_of(repo_dir, folder)
        return self.commit_of(repo_id, files), files

    # -- faults and log ------------------------------------------------------------
    def take_fault(self, server, method, path):
        with self.lock:
            for fault in self.faults:
                if fault.get("count", 1) == 0:
                    continue
                if fault.get("server", server) != server or fault.get("method", method) != method:
                    continue
                if fault.get("match", "") not in path:
                    continue
                if fault.get("count", 1) > 0:
                    fault["count"] = fault.get("count", 1) - 1
                return dict(fault)
        return None

    def record(self, entry):
        with self.lock:
            self.log.append(entry)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hfd-test-hub/1"
    hub = None  # set per server class
    role = "api"

    def log_message(self, *args):
        pass

    # -- plumbing ------------------------------------------------------------------
    def token(self):
        auth = self.headers.get("Authorization", "")
        return auth[len("Bearer "):] if auth.startswith("Bearer ") else None

    def note(self, status, kind):
        if kind == "admin":
            return
        self.hub.record({"server": self.role, "method": self.command, "path": self.path, "kind": kind,
                         "status": status, "token": self.token(),
                         "authorization": "Authorization" in self.headers,
                         "range": self.headers.get("Range")})

    def send_json(self, status, body, headers=None, kind="api"):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.note(status, kind)

    def send_error_json(self, status, code, message, kind="api", extra=None):
        headers = {"X-Error-Message": message}
        if code:
            headers["X-Error-Code"] = code
        headers.update(extra or {})
        self.send_json(status, {"error": message}, headers, kind)

    def apply_status_fault(self, fault, kind):
        if fault and fault["kind"] in ("gopher", "downgrade"):
            if fault["kind"] == "gopher":
                location = "gopher://127.0.0.1:%d/_GET%%20/admin%%20HTTP/1.1%%0D%%0A" % fault["port"]
            else:
                location = "http://127.0.0.1:%d%s" % (fault["port"], self.path)
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            self.note(302, kind)
            return True
        if fault and fault["kind"] == "status":
            extra = {"Retry-After": str(fault["retry_after"])} if "retry_after" in fault else {}
            self.send_error_json(fault.get("status", 503), None, "injected failure", kind, extra)
            return True
        if fault and fault["kind"] == "slow" and "rate" not in fault:
            time.sleep(fault.get("delay", 1.0))
        return False

    def body_json(self):
        length = int(self.headers.get("Content-Length", "0") or 0)
        raw = self.rfile.read(length) if length else b""
        ctype = self.headers.get("Content-Type", "")
        if "json" in ctype:
            return json.loads(raw or b"{}")
        form = urllib.parse.parse_qs(raw.decode())
        return {"paths": form.get("paths", []), "expand": form.get("expand", ["false"])[0] == "true"}

    # -- content -------------------------------------------------------------------
    def send_content(self, f, headers, kind, fault):
        """Sends a file's bytes with Range support and the fault, if any."""
        size = f.size
        start, end = 0, size - 1
        status = 200
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes="):
            a, _, b = rng[6:].partition("-")
            start = int(a) if a else 0
            end = min(int(b), size - 1) if b else size - 1
            if start >= size and size > 0:
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % size)
                self.send_header("Content-Length", "0")
                self.end_headers()
                self.note(416, kind)
                return
            status = 206
        length = max(0, end - start + 1)
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(length))
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, size))
        self.end_headers()
        self.note(status, kind)
        if self.command == "HEAD" or length == 0:
            return
        self.wfile.flush()
        if fault is None and f.disk_path and not isinstance(self.connection, ssl.SSLSocket):
            with open(f.disk_path, "rb") as src:  # sendfile(2) would bypass TLS
                sent = 0
                while sent < length:
                    n = os.sendfile(self.connection.fileno(), src.fileno(), start + sent, length - sent)
                    if n == 0:
                        break
                    sent += n
            return
        self.stream_with_fault(f, start, length, fault)

    def stream_with_fault(self, f, start, length, fault):
        limit = fault.get("after_bytes", length) if fault and fault["kind"] == "cut" else length
        rate = fault.get("rate") if fault and fault["kind"] == "slow" else None
        if rate:
            time.sleep(fault.get("delay", 0))
        sent = 0
        src = open(f.disk_path, "rb") if f.disk_path else None
        try:
            while sent < min(limit, length):
                n = min(64 << 10, min(limit, length) - sent)
                if rate:
                    n = min(n, max(1, int(rate / 20)))
                if src:
                    src.seek(start + sent)
                    chunk = bytearray(src.read(n))
                else:
                    chunk = bytearray(f.data[start + sent:start + sent + n])
                if fault and fault["kind"] == "corrupt" and sent == 0 and chunk:
                    chunk[0] ^= 0xFF
                self.wfile.write(chunk)
                sent += len(chunk)
                if rate:
                    self.wfile.flush()
                    time.sleep(len(chunk) / rate)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            return
        finally:
            if src:
                src.close()
        if limit < length:  # cut the connection mid-body
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True

    # -- access control --------------------------------------------------------------
    def check_access(self, repo_id, repo_dir, kind):
        settings = self.hub.settings(repo_dir)
        if not (settings.get("gated") or settings.get("private")):
            return True
        token = self.token()
        allowed = set(settings.get("allowed_tokens", []))
        if token is not None and token not in self.hub.tokens and token not in allowed:
            self.send_error_json(401, None, "Invalid credentials in Authorization header", kind)
            return False
        if token in allowed:
            return True
        if settings.get("private"):
            self.send_error_json(401 if token is None else 404, "RepoNotFound",
                                 "Repository Not Found for url: %s." % self.path, kind)
        elif token is None:
            self.send_error_json(401, "GatedRepo", "Access to model %s is restricted. You must have access "
                                 "to it and be authenticated to access it. Please log in." % repo_id, kind)
        else:
            self.send_error_json(403, "GatedRepo", "Access to model %s is restricted and you are not in the "
                                 "authorized list. Visit https://huggingface.co/%s to ask for access." % (repo_id, repo_id), kind)
        return False

    def lookup(self, repo_id, rev, kind):
        """(repo_dir, commit, files), or None after answering with the error."""
        repo_dir = self.hub.repo_dir(repo_id)
        if repo_dir is None:
            self.send_error_json(401 if self.token() is None else 404, "RepoNotFound",
                                 "Repository Not Found for url: %s." % self.path, kind)
            return None
        if not self.check_access(repo_id, repo_dir, kind):
            return None
        found = self.hub.resolve(repo_id, repo_dir, rev)
        if found is None:
            self.send_error_json(404, "RevisionNotFound", "Invalid rev id: %s" % rev, kind)
            return None
        return (repo_dir,) + found

    # -- routes ----------------------------------------------------------------------
    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        query = urllib.parse.parse_qs(url.query)
        if self.role == "storage":
            return self.storage_get(path)
        if path == "/_admin/log":
            with self.hub.lock:
                log = list(self.hub.log)
            return self.send_json(200, log, kind="admin")
        kind = "resolve" if "/resolve/" in path else "api"
        if self.apply_status_fault(self.hub.take_fault("api", self.command, path), kind):
            return
        parts = path.strip("/").split("/")
        if len(parts) >= 4 and parts[0] == "api" and parts[1] == "models":
            return self.api_models(parts[2] + "/" + parts[3], parts[4:], url, query)
        if len(parts) >= 5 and parts[2] == "resolve":
            return self.resolve_file(parts[0] + "/" + parts[1], url.path)
        self.send_error_json(404, None, "Not Found: %s" % path)

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        if path == "/_admin/reset":
            with self.hub.lock:
                self.hub.log.clear()
                self.hub.faults.clear()
            self.body_json()
            return self.send_json(200, {}, kind="admin")
        if path == "/_admin/faults":
            length = int(self.headers.get("Content-Length", "0"))
            faults = json.loads(self.rfile.read(length) or b"[]")
            with self.hub.lock:
                self.hub.faults = faults
            return self.send_json(200, {}, kind="admin")
        parts = path.strip("/").split("/")
        if len(parts) >= 6 and parts[:2] == ["api", "models"] and parts[4] == "paths-info":
            if self.apply_status_fault(self.hub.take_fault("api", "POST", path), "api"):
                return
            body = self.body_json()
            found = self.lookup(parts[2] + "/" + parts[3], "/".join(parts[5:]), "api")
            if found is None:
                return
            _, _, files = found
            wanted = set(body.get("paths", []))
            entries = [f.entry() for f in files if f.path in wanted]
            dirs = {p for p in wanted if any(f.path.startswith(p.rstrip("/") + "/") for f in files)}
            entries += [{"type": "directory", "oid": "0" * 40, "size": 0, "path": d} for d in sorted(dirs)]
            return self.send_json(200, entries)
        self.send_error_json(404, None, "Not Found: %s" % path)

    def api_models(self, repo_id, rest, url, query):
        if not rest or rest[0] == "revision":
            rev = "/".join(rest[1:]) if rest else "main"
            found = self.lookup(repo_id, rev, "api")
            if found is None:
                return
            repo_dir, commit, files = found
            blobs = query.get("blobs", ["false"])[0] == "true"
            siblings = []
            for f in files:
                s = {"rfilename": f.path}
                if blobs:
                    s.update({"size": f.size, "blobId": f.oid})
                    if f.lfs:
                        s["lfs"] = {"sha256": f.sha256, "size": f.size,
                                    "pointerSize": len(lfs_pointer(f.sha256, f.size))}
                siblings.append(s)
            settings = self.hub.settings(repo_dir)
            return self.send_json(200, {
                "_id": commit[:24], "id": repo_id, "modelId": repo_id, "author": repo_id.split("/")[0],
                "sha": commit, "private": bool(settings.get("private")),
                "gated": "manual" if settings.get("gated") else False, "disabled": False,
                "downloads": 0, "likes": 0, "tags": [], "library_name": "transformers",
                "lastModified": "2024-01-01T00:00:00.000Z", "createdAt": "2024-01-01T00:00:00.000Z",
                "siblings": siblings})
        if rest[0] == "tree" and len(rest) >= 2:
            return self.tree(repo_id, rest[1], "/".join(rest[2:]), url, query)
        self.send_error_json(404, None, "Not Found")

    def tree(self, repo_id, rev, prefix, url, query):
        found = self.lookup(repo_id, urllib.parse.unquote(rev), "api")
        if found is None:
            return
        _, _, files = found
        recursive = query.get("recursive", ["false"])[0].lower() == "true"
        base = prefix.rstrip("/") + "/" if prefix else ""
        entries, dirs = [], set()
        for f in files:
            if not f.path.startswith(base):
                continue
            rel = f.path[len(base):]
            segments = rel.split("/")
            for i in range(1, len(segments)):
                if recursive or i == 1:
                    dirs.add(base + "/".join(segments[:i]))
            if recursive or len(segments) == 1:
                entries.append(f.entry())
        if prefix and not entries and not dirs:
            return self.send_error_json(404, "EntryNotFound", "%s does not exist on %s" % (prefix, rev))
        entries += [{"type": "directory", "oid": "0" * 40, "size": 0, "path": d} for d in sorted(dirs)]
        entries.sort(key=lambda e: e["path"])
        cursor = int(query.get("cursor", ["0"])[0])
        page = entries[cursor:cursor + self.hub.page_size]
        headers = {}
        if cursor + self.hub.page_size < len(entries):
            q = dict((k, v[0]) for k, v in query.items())
            q["cursor"] = str(cursor + self.hub.page_size)
            scheme = "https" if isinstance(self.connection, ssl.SSLSocket) else "http"
            headers["Link"] = '<%s://%s%s?%s>; rel="next"' % (
                scheme, self.headers.get("Host"), url.path, urllib.parse.urlencode(q))
        self.send_json(200, page, headers)

    def resolve_file(self, repo_id, raw_path):
        parts = raw_path.strip("/").split("/")
        rev = urllib.parse.unquote(parts[3])
        file_path = urllib.parse.unquote("/".join(parts[4:]))
        found = self.lookup(repo_id, rev, "resolve")
        if found is None:
            return
        _, commit, files = found
        match = [f for f in files if f.path == file_path]
        if not match:
            return self.send_error_json(404, "EntryNotFound", "%s does not exist on %s" % (file_path, rev), "resolve")
        f = match[0]
        headers = {"X-Repo-Commit": commit, "ETag": '"%s"' % f.etag()}
        if f.lfs:
            headers.update({"X-Linked-Etag": '"%s"' % f.sha256, "X-Linked-Size": str(f.size),
                            "Location": "%s/blobs/%s?repo=%s&path=%s" % (
                                self.hub.storage_base, f.sha256, urllib.parse.quote(repo_id, safe=""),
                                urllib.parse.quote(file_path, safe=""))})
            self.send_response(302)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return self.note(302, "resolve")
        fault = self.hub.take_fault("api", self.command, raw_path + "#body")
        self.send_content(f, headers, "resolve", fault)

    def storage_get(self, path):
        fault = self.hub.take_fault("storage", self.command, self.path)
        if self.apply_status_fault(fault, "storage"):
            return
        sha = path.rsplit("/", 1)[-1]
        with self.hub.lock:
            f = self.hub.blobs.get(sha)
        if not path.startswith("/blobs/") or f is None:
            return self.send_error_json(404, None, "no such blob", "storage")
        body_fault = fault if fault and fault["kind"] in ("cut", "slow", "corrupt") else None
        self.send_content(f, {"ETag": '"%s"' % sha, "Content-Type": "application/octet-stream"},
                          "storage", body_fault)


def make_tls_context(folder):
    """A server context with a new self-signed certificate for 127.0.0.1 in `folder`."""
    os.makedirs(folder, exist_ok=True)
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def serve(hub, role, host, port, tls):
    handler = type("%sHandler" % role.capitalize(), (Handler,), {"hub": hub, "role": role})
    server = ThreadingHTTPServer((host, port), handler)
    if tls:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", required=True, help="folder holding <org>/<name>/revisions/<ref>/")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="API port (0: any free port)")
    parser.add_argument("--storage-port", type=int, default=0, help="storage port (0: any)")
    parser.add_argument("--token", action="append", default=[], help="a token the server knows")
    parser.add_argument("--page-size", type=int, default=50, help="tree entries per page")
    parser.add_argument("--tls", action="store_true", help="https on both ports (ROOT/tls/cert.pem)")
    args = parser.parse_args()
    hub = Hub(os.path.abspath(args.root), args.token, args.page_size)
    tls = make_tls_context(os.path.join(hub.root, "tls")) if args.tls else None
    storage = serve(hub, "storage", args.host, args.storage_port, tls)
    hub.storage_base = "%s://%s:%d" % ("https" if tls else "http", args.host, storage.server_address[1])
    api = serve(hub, "api", args.host, args.port, tls)
    print("READY %d %d" % (api.server_address[1], storage.server_address[1]), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
