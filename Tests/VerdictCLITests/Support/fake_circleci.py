#!/usr/bin/env python3
"""A fake CircleCI API server for Verdict's CLI tests (Python 3 standard library only).

Usage: python3 fake_circleci.py --root PACKAGE_ROOT --log FILE [--corpus DIR] [--no-stdin-watch]

Binds 127.0.0.1 on a free port and prints `PORT <n>` as its first line of standard output. It serves
until killed or until its standard input closes (so a dead test process never leaves it running).
Every request is appended to FILE as one JSON line: method, path (as sent, still percent-encoded),
query (dict, last value wins), headers (dict, lower-cased names), body (text) and status (the answer).

Scenario job numbers (same project, v1.1 and v2):
  42901 first GET of each path -> 429 (Retry-After: 1), then the normal data
  50301 first two GETs of each path -> 503, then the normal data
  50201 first GET of each path -> 502, then the normal data
  50001 every request -> 500 {"message":"Internal server error."}
  99901 sleeps 60 s before answering (normal data afterwards)
  77701 v2 /tests: every page has items and the same non-null next_page_token, forever
  40401 -> 404
Normal data: v1.1 job 48213 (SampleData/circleci-v1.1), v2 job 48214 (SampleData/circleci-v2).
"""

import argparse
import json
import os
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

TOKEN = "secret-token-123"
ORG, REPO = "acme-corp", "storefront"
V1_VCS = {"github", "gh", "bitbucket", "bb"}
V2_VCS = {"gh", "github"}
V1_JOB, V2_JOB = 48213, 48214
RATE_LIMITED, UNAVAILABLE, BAD_GATEWAY, SERVER_ERROR = 42901, 50301, 50201, 50001
SLOW, REPEATING_TOKEN, NOT_FOUND = 99901, 77701, 40401
SCENARIOS = {RATE_LIMITED, UNAVAILABLE, BAD_GATEWAY, SERVER_ERROR, SLOW, REPEATING_TOKEN, NOT_FOUND}
REPEAT_TOKEN = "cmVwZWF0LXRva2VuLWZvcmV2ZXI="
WORKFLOW_JOB_ID = "7d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09"
NEW_PIPELINE_ID = "e2f1d0c9-b8a7-4655-9443-322110ffeedd"


class Store:
    """Sample bodies (read once) and the per-path request counters the scenarios need."""

    def __init__(self, root, corpus, log_path):
        def raw(path):
            with open(path, "rb") as handle:
                return handle.read()

        def load(path):
            return json.loads(raw(path).decode("utf-8"))

        # The sample bodies are served byte for byte, as CircleCI sent them.
        sample = os.path.join(root, "SampleData")
        self.v1_job = raw(os.path.join(sample, "circleci-v1.1", "job.json"))
        self.v1_tests = raw(os.path.join(sample, "circleci-v1.1", "tests.json"))
        self.v2_job = raw(os.path.join(sample, "circleci-v2", "job.json"))
        self.v2_page1 = raw(os.path.join(sample, "circleci-v2", "tests-page1.json"))
        self.v2_page2 = raw(os.path.join(sample, "circleci-v2", "tests-page2.json"))
        first_page = json.loads(self.v2_page1.decode("utf-8"))
        self.v2_page1_items, self.v2_page1_token = first_page["items"], first_page["next_page_token"]
        self.retry = load(os.path.join(corpus, "v1_1-retry.json"))
        self.cancel = load(os.path.join(corpus, "v1_1-cancel.json"))
        self.log_path = log_path
        self.lock = threading.Lock()
        self.counts = {}

    def count(self, key):
        """How many times `key` was seen before this request (0 for the first)."""
        with self.lock:
            seen = self.counts.get(key, 0)
            self.counts[key] = seen + 1
            return seen

    def log(self, entry):
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self.lock:
            with open(self.log_path, "a", encoding="utf-8") as handle:
                handle.write(line)
                handle.flush()


def error(status, message):
    return status, {"message": message}, {}


def parse_job_number(text):
    return int(text) if text.isdigit() else None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeCircleCI/1.0"
    store = None  # set in main()

    def log_message(self, format, *args):  # noqa: A002 - keep the test output quiet
        pass

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def do_PATCH(self):
        self.handle_any("PATCH")

    def read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def handle_any(self, method):
        raw = self.read_body()
        body = raw.decode("utf-8", errors="replace")
        split = urlsplit(self.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            status, payload, extra, delay = self.route(method, split.path, query, headers, body)
        except Exception as exc:  # a bug in this server must not hang the client
            status, payload, extra, delay = 599, {"message": "fake server bug: %r" % (exc,)}, {}, 0
        self.store.log(
            {
                "method": method,
                "path": split.path,
                "query": query,
                "headers": headers,
                "body": body,
                "status": status,
            }
        )
        if delay:
            time.sleep(delay)
        data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    # Routing: returns (status, payload, extra headers, delay seconds).
    def route(self, method, path, query, headers, body):
        self.scenario_job = None
        if headers.get("circle-token") != TOKEN:
            return 401, {"message": "You must log in first."}, {}, 0
        if path.startswith("/api/v1.1/"):
            segments = [unquote(s) for s in path[len("/api/v1.1/"):].split("/")]
            result = self.route_v1(method, segments, body)
        elif path.startswith("/api/v2/"):
            # A v2 project slug may arrive with its slashes escaped; no v2 path segment holds a "/".
            segments = unquote(path[len("/api/v2/"):]).split("/")
            result = self.route_v2(method, segments, query, body)
        else:
            result = error(404, "Not found")
        status, payload, extra = result
        job = self.scenario_job
        if job is None or status >= 400 and job != SERVER_ERROR:
            return status, payload, extra, 0
        return self.apply_scenario(method, path, job, status, payload, extra)

    def apply_scenario(self, method, path, job, status, payload, extra):
        if job == SERVER_ERROR:
            return 500, {"message": "Internal server error."}, {}, 0
        if job == SLOW:
            return status, payload, extra, 60
        if method == "GET":
            seen = self.store.count((method, path))
            if job == RATE_LIMITED and seen == 0:
                return 429, {"message": "Too many requests."}, {"Retry-After": "1"}, 0
            if job == UNAVAILABLE and seen < 2:
                return 503, {"message": "Service unavailable."}, {}, 0
            if job == BAD_GATEWAY and seen == 0:
                return 502, {"message": "Bad gateway."}, {}, 0
        return status, payload, extra, 0

    def job_for(self, text, normal):
        """The job number of a path segment, or None; records a scenario number for apply_scenario."""
        number = parse_job_number(text)
        if number in SCENARIOS:
            self.scenario_job = number
        if number == NOT_FOUND:
            return None
        return number if number == normal or number in SCENARIOS else None

    scenario_job = None

    # /api/v1.1/project/{vcs}/{org}/{repo}[/...]
    def route_v1(self, method, segments, body):
        self.scenario_job = None
        if len(segments) < 4 or segments[0] != "project":
            return error(404, "Not found")
        vcs, org, repo, rest = segments[1], segments[2], segments[3], segments[4:]
        if vcs not in V1_VCS or org != ORG or repo != REPO:
            return error(404, "Project not found")
        if not rest or (len(rest) == 1 and rest[0] == ""):
            return self.v1_trigger(method, None, body) if method == "POST" else error(404, "Not found")
        if rest[0] == "tree":
            if len(rest) != 2 or rest[1] == "":
                return error(404, "Not found")
            return self.v1_trigger(method, rest[1], body) if method == "POST" else error(404, "Not found")
        if rest == ["build"]:
            if method != "POST":
                return error(404, "Not found")
            return self.v1_build(body)
        if parse_job_number(rest[0]) is None:
            return error(404, "Not found")
        action = rest[1] if len(rest) == 2 else None
        if len(rest) > 2:
            return error(404, "Not found")
        if method == "GET" and action in (None, "tests"):
            number = self.job_for(rest[0], V1_JOB)
            if number is None:
                return error(404, "Build not found")
            return 200, (self.store.v1_job if action is None else self.store.v1_tests), {}
        if method == "POST" and action in ("retry", "ssh", "cancel"):
            number = parse_job_number(rest[0])
            self.job_for(rest[0], number)
            if number == NOT_FOUND:
                return error(404, "Build not found")
            if action == "cancel":
                return 200, self.store.cancel, {}
            summary = dict(self.store.retry)
            summary["retry_of"] = number
            if action == "ssh":
                summary["ssh_disabled"] = False
            return 200, summary, {}
        return error(404, "Not found")

    @staticmethod
    def json_body(body):
        if body.strip() == "":
            return {}, None
        try:
            value = json.loads(body)
        except ValueError:
            return None, error(400, "The request body is not valid JSON.")
        if not isinstance(value, dict):
            return None, error(400, "The request body must be a JSON object.")
        return value, None

    def v1_trigger(self, method, branch, body):
        params, failure = self.json_body(body)
        if failure:
            return failure
        if params.get("revision") and params.get("tag"):
            return error(400, "Cannot specify both a revision and a tag.")
        if branch is not None and params.get("tag"):
            return error(400, "A tag cannot be built on a branch.")
        summary = {
            "build_num": 48250,
            "status": "not_running",
            "lifecycle": "not_running",
            "outcome": None,
            "build_url": "https://circleci.com/gh/acme-corp/storefront/48250",
            "branch": branch if branch is not None else params.get("branch"),
            "vcs_revision": params.get("revision"),
            "vcs_tag": params.get("tag"),
            "build_parameters": params.get("build_parameters"),
            "parallel": params.get("parallel"),
            "why": "api",
        }
        return 200, summary, {}

    def v1_build(self, body):
        params, failure = self.json_body(body)
        if failure:
            return failure
        if params.get("revision") and params.get("tag"):
            return error(400, "Cannot specify both a revision and a tag.")
        return 200, {"status": 200, "body": "Build created"}, {}

    # /api/v2/...
    def route_v2(self, method, segments, query, body):
        self.scenario_job = None
        if segments[:1] == ["workflow"] and len(segments) == 3:
            workflow, action = segments[1], segments[2]
            if method == "GET" and action == "job":
                items = [{"id": WORKFLOW_JOB_ID, "job_number": V2_JOB, "name": "test-api", "status": "failed"}]
                return 200, {"items": items, "next_page_token": None}, {}
            if method == "POST" and action == "rerun":
                params, failure = self.json_body(body)
                if failure:
                    return failure
                if params.get("from_failed") and params.get("jobs"):
                    return error(400, "from_failed and jobs cannot be combined.")
                return 202, {"workflow_id": str(uuid.uuid4())}, {}
            return error(404, "Not found")
        if segments[:1] != ["project"] or len(segments) < 4:
            return error(404, "Not found")
        vcs, org, repo, rest = segments[1], segments[2], segments[3], segments[4:]
        known = (vcs in V2_VCS and org == ORG and repo == REPO) or (vcs == "circleci" and org and repo)
        if not known:
            return error(404, "Project not found")
        if rest == ["pipeline"] and method == "POST":
            params, failure = self.json_body(body)
            if failure:
                return failure
            if params.get("branch") and params.get("tag"):
                return error(400, "Cannot specify both a branch and a tag.")
            if "parameters" in params and not isinstance(params["parameters"], dict):
                return error(400, "parameters must be an object.")
            created = {"id": NEW_PIPELINE_ID, "state": "created", "number": 7716, "created_at": "2024-11-18T10:00:00Z"}
            return 201, created, {}
        if len(rest) == 2 and rest[0] == "job" and method == "GET":
            if self.job_for(rest[1], V2_JOB) is None:
                return error(404, "Job not found")
            return 200, self.store.v2_job, {}
        if len(rest) == 3 and rest[0] == "job" and rest[2] == "cancel" and method == "POST":
            number = parse_job_number(rest[1])
            if number is None:
                return error(404, "Not found")
            self.job_for(rest[1], number)
            if number == NOT_FOUND:
                return error(404, "Job not found")
            return 200, {"message": "Accepted."}, {}
        if len(rest) == 2 and rest[1] == "tests" and method == "GET":
            number = self.job_for(rest[0], V2_JOB)
            if number is None:
                return error(404, "Job not found")
            token = query.get("page-token")
            if number == REPEATING_TOKEN:
                return 200, {"items": self.store.v2_page1_items[:3], "next_page_token": REPEAT_TOKEN}, {}
            if token is None or token == "":
                return 200, self.store.v2_page1, {}
            if token == self.store.v2_page1_token:
                return 200, self.store.v2_page2, {}
            return error(400, "Invalid page-token.")
        return error(404, "Not found")


def watch_stdin():
    """Exit when standard input reaches end of file (the test process closed it or died)."""
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except (OSError, ValueError):
        pass
    os._exit(0)


def main():
    # Its own session: a signal meant for the test runner's process group must not reach it.
    try:
        os.setsid()
    except OSError:
        pass
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description="Fake CircleCI API for Verdict's CLI tests.")
    parser.add_argument("--root", required=True, help="the package root (holds SampleData/)")
    parser.add_argument("--log", required=True, help="append one JSON line per request here")
    parser.add_argument("--corpus", default=None, help="folder of v1_1-retry.json and v1_1-cancel.json (default: here)")
    parser.add_argument("--no-stdin-watch", action="store_true", help="do not exit when stdin closes")
    args = parser.parse_args()
    # Copies of shared/corpus/circleci/v1_1-{retry,cancel}.json sit beside this script.
    corpus = args.corpus or here
    Handler.store = Store(args.root, corpus, args.log)
    open(args.log, "a").close()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    sys.stdout.write("PORT %d\n" % server.server_address[1])
    sys.stdout.flush()
    if not args.no_stdin_watch:
        threading.Thread(target=watch_stdin, daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
