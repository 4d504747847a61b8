"""osserver.py - runs the real opensharing binary on a loopback port (shared by the integration and conformance suites)."""
import os
import re
import signal
import subprocess
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("OS_BIN", os.path.join(REPO, "build", "release", "opensharing"))


class Server:
    """One `opensharing serve` process; stop() sends SIGTERM and waits."""

    def __init__(self, args, env=None, cwd=None):
        self.args = args
        self.env = dict(os.environ)
        self.env.update(env or {})
        self.cwd = cwd
        self.proc = None
        self.endpoint = None
        self.base = None
        self.stdout = ""

    def start(self, timeout=20):
        # stderr (the logs) goes to a file: a pipe nobody drains would block the
        # server once it filled up.
        self.errfile = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--listen", "127.0.0.1:0", "--threads", "4"] + self.args,
            stdout=subprocess.PIPE, stderr=self.errfile, env=self.env, cwd=self.cwd, text=True)
        deadline = time.time() + timeout
        lines = []
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            m = re.match(r"opensharing: serving (\S+)", line)
            if m:
                self.endpoint = m.group(1)
                self.base = re.match(r"(https?://[^/]+)", self.endpoint).group(1)
                break
        if self.endpoint is None:
            self.proc.kill()
            out, _ = self.proc.communicate()
            raise RuntimeError("server did not start: %s\n%s%s" % ("".join(lines), out, self.logs()))
        # Keep reading the remaining banner lines (demo mode prints a few).
        self.stdout = "".join(lines)
        return self

    def read_banner(self, n):
        for _ in range(n):
            self.stdout += self.proc.stdout.readline()
        return self.stdout

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc is None:
            return None
        self.proc.send_signal(sig)
        try:
            out, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()
            raise
        self.stderr = self.logs()
        self.errfile.close()
        self.stdout += out
        rc = self.proc.returncode
        self.proc = None
        return rc

    def logs(self):
        """What the server wrote to stderr so far."""
        self.errfile.flush()
        self.errfile.seek(0)
        return self.errfile.read()

    def url(self, path):
        return self.endpoint.rstrip("/") + path


def run_server_once(args, env=None, timeout=20):
    """Runs serve expecting it to exit by itself (e.g. a config error)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([BIN, "serve", "--listen", "127.0.0.1:0"] + args, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
