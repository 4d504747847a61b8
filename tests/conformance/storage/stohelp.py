"""stohelp.py - shared fixtures for the storage conformance tests: builds the C driver, runs the Node oracle, starts emulators."""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

# Everything these tests talk to is on loopback: never through a proxy.
for _v in ("no_proxy", "NO_PROXY"):
    os.environ[_v] = ",".join(x for x in (os.environ.get(_v), "127.0.0.1", "localhost", "::1") if x)

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = os.path.dirname(HERE)
TOP = os.path.dirname(os.path.dirname(CONF))
NODE_BIN = os.path.join(CONF, "node_modules", ".bin")


def build_dir():
    """The CMake build directory of OS_BIN (default: build/release)."""
    b = os.environ.get("OS_BIN")
    if b:
        return os.path.dirname(os.path.abspath(b))
    return os.path.join(TOP, "build", "release")


def build_tool(tmpdir):
    """Compiles sto_tool.c against the build's liboscore.a; returns its path."""
    bd = build_dir()
    lib = os.path.join(bd, "liboscore.a")
    if not os.path.exists(lib):
        raise RuntimeError("liboscore.a not found in %s (build first)" % bd)
    sanitize = False
    cache = os.path.join(bd, "CMakeCache.txt")
    if os.path.exists(cache):
        with open(cache) as f:
            sanitize = "OS_SANITIZE:BOOL=ON" in f.read()
    libs = subprocess.check_output(
        ["pkg-config", "--libs", "libmicrohttpd", "jansson", "yaml-0.1", "sqlite3", "libcrypto",
         "libcurl", "zlib", "libzstd", "liblz4", "snappy"], text=True).split()
    out = os.path.join(tmpdir, "sto_tool")
    cmd = ["cc", "-std=c11", "-D_GNU_SOURCE", "-O1", "-g", "-I", os.path.join(TOP, "src"),
           os.path.join(HERE, "sto_tool.c"), "-o", out, lib] + libs + ["-lpthread", "-lm"]
    if sanitize:
        cmd[1:1] = ["-fsanitize=address,undefined"]
    subprocess.check_call(cmd)
    return out


class LineProc:
    """A long-lived process speaking one JSON object per line."""

    def __init__(self, argv, cwd=None, env=None):
        self.p = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, bufsize=1)

    def ask(self, obj):
        self.p.stdin.write(json.dumps(obj) + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError("process exited (rc=%s)" % self.p.poll())
        return json.loads(line)

    def close(self):
        try:
            self.p.stdin.close()
            self.p.wait(timeout=20)
        except Exception:
            self.p.kill()
            self.p.wait()
        return self.p.returncode


def tool_proc(path, extra_env=None):
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    if extra_env:
        env.update(extra_env)
    return LineProc([path], env=env)


def oracle_proc():
    return LineProc(["node", os.path.join(HERE, "oracle.mjs")], cwd=CONF)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, proc, timeout=30.0):
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError("emulator exited early (rc=%s)" % proc.returncode)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("emulator did not listen on %d" % port)


class Emulator:
    """Starts an emulator on loopback in its own process group with a temp dir.

    argv_fn(port, tmpdir) gives the command.  With port_from_stdout, the
    process picks its own port and prints {"port": N} as its first line."""

    def __init__(self, argv_fn, name, port_from_stdout=False, env=None):
        self.tmp = tempfile.mkdtemp(prefix="os-%s-" % name)
        self.port = 0 if port_from_stdout else free_port()
        self.log = open(os.path.join(self.tmp, "emulator.log"), "w")
        self.proc = subprocess.Popen(argv_fn(self.port, self.tmp), cwd=CONF,
                                     stdout=subprocess.PIPE if port_from_stdout else self.log,
                                     stderr=self.log, start_new_session=True, text=True,
                                     env=dict(os.environ, **(env or {})))
        try:
            if port_from_stdout:
                line = self.proc.stdout.readline()
                if not line:
                    raise RuntimeError("emulator exited early (rc=%s)" % self.proc.wait())
                self.port = json.loads(line)["port"]
            wait_port(self.port, self.proc)
        except Exception:
            self.stop()
            raise

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def node_run(script, *args):
    """Runs storage/<script> with Node in the conformance dir; returns stdout (raises on failure)."""
    r = subprocess.run(["node", os.path.join(HERE, script), *args], cwd=CONF,
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError("node failed: %s" % r.stderr[-2000:])
    return r.stdout
