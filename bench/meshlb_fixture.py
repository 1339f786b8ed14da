"""A running meshlb in front of local meshlb-test-upstream backends, for the long-run scripts
(bench/soak.py, bench/capture_flood.py). python3 standard library only.

    with MeshlbFixture(build_dir, upstreams=3, workers=2, capture={...}) as fx:
        fx.url            # http://127.0.0.1:<listener port>/
        fx.get_json("/ready"), fx.rss_kb(), fx.open_fds(), fx.stat("downstream_connections_active")

Every process started here is stopped when the block ends, also on an error or Ctrl-C; the
scratch directory (config, logs) is removed after a clean end and kept after an error or when
meshlb exited before the end.
"""

import datetime
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    """A port of 127.0.0.1 that was free a moment ago (bound to port 0, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_response(sock):
    """Reads one HTTP/1.1 response with a Content-Length body (or none) from sock; returns its
    head (status line and headers). OSError("closed") if the peer closes before the end."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise OSError("closed")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise OSError("closed")
        body += chunk
    return head


def raise_fd_limit():
    """Soft RLIMIT_NOFILE up to the hard limit (children inherit it); returns the new soft limit."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def proc_status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def save_result(name, result):
    """Writes `result` as bench/results/<name>-<local date and time>.json; returns the path."""
    os.makedirs("bench/results", exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = f"bench/results/{name}-{stamp}.json"
    with open(path, "w") as f:
        json.dump(result, f, indent=1)
    return path


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


class MeshlbFixture:
    def __init__(self, build_dir, upstreams=3, workers=2, capture=None, listener=None,
                 cluster=None):
        self.build_dir = os.path.realpath(build_dir)
        self.workers = workers
        self.capture = capture
        self.listener_extra = listener or {}
        self.cluster_extra = cluster or {}
        self.work = tempfile.mkdtemp(prefix="meshlb-bench-")
        self.processes = []
        # Chosen now, so that a caller can name them (in a capture filter, say) before the start.
        self.upstream_ports = [free_port() for _ in range(upstreams)]
        self.admin_port = free_port()
        self.listen_port = free_port()
        self.meshlb = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.listen_port}/"

    def _start(self, name, args):
        log = open(os.path.join(self.work, name + ".log"), "wb")
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def __enter__(self):
        try:
            upstream = os.path.join(self.build_dir, "tests/upstream/meshlb-test-upstream")
            for i, port in enumerate(self.upstream_ports):
                self._start(f"b{i}", [upstream, "--name", f"b{i}", "--listen", f"127.0.0.1:{port}"])
            listener = {"name": "web", "address": f"127.0.0.1:{self.listen_port}",
                        "routes": [{"cluster": "app"}]}
            listener.update(self.listener_extra)
            # In both overrides None removes a default: {"protocol": "tcp", "cluster": "app",
            # "routes": None} for a tcp listener.
            listener = {key: value for key, value in listener.items() if value is not None}
            cluster = {"name": "app",
                       "hosts": [{"address": f"127.0.0.1:{p}"} for p in self.upstream_ports]}
            cluster.update(self.cluster_extra)
            cluster = {key: value for key, value in cluster.items() if value is not None}
            config = {
                "admin": {"address": f"127.0.0.1:{self.admin_port}"},
                "workers": self.workers,
                "listeners": [listener],
                "clusters": [cluster],
            }
            if self.capture is not None:
                config["capture"] = self.capture
            config_path = os.path.join(self.work, "meshlb.json")
            with open(config_path, "w") as f:
                json.dump(config, f)
            self.meshlb = self._start("meshlb", [os.path.join(self.build_dir, "meshlb"),
                                                 "--config", config_path])
            self._wait_ready()
            return self
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise

    def _wait_ready(self):
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.meshlb.poll() is not None:
                raise RuntimeError("meshlb exited at start-up:\n" + self.log())
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.admin_port}/ready",
                                            timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("meshlb not ready after 15 s:\n" + self.log())

    def __exit__(self, *exc):
        # meshlb gone before the end (a crash the caller reports as a failed verdict): keep its log.
        died = self.meshlb is not None and self.meshlb.poll() is not None
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        if exc[0] is None and not died:
            shutil.rmtree(self.work, ignore_errors=True)  # after an error the logs stay
        else:
            print(f"meshlb fixture: logs and config kept in {self.work}", file=sys.stderr)
        return False

    def log(self):
        with open(os.path.join(self.work, "meshlb.log"), errors="replace") as f:
            return f.read()

    def get_json(self, path):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.admin_port}{path}", timeout=5) as a:
            return json.load(a)

    def stat(self, name):
        """A metric of GET /stats?format=json summed over its labels ("meshlb_" left off)."""
        total = 0
        for sample in self.get_json("/stats?format=json")["stats"]:
            if sample["name"] in (name, "meshlb_" + name):
                total += sample["value"]
        return total

    @property
    def pid(self):
        return self.meshlb.pid

    def alive(self):
        return self.meshlb.poll() is None

    def rss_kb(self):
        return proc_status_kb(self.pid, "VmRSS")

    def open_fds(self):
        return len(os.listdir(f"/proc/{self.pid}/fd"))
