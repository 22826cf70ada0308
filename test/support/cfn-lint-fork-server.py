"""cfn-lint for a whole test run from one Python process (test/support/cfn-lint-server.ts starts it).

Every `cfn-lint` process starts Python and imports cfn-lint and its dependencies (samtranslator,
boto3, sympy, networkx: ~0.8 CPU-s of the ~1.5 a run of a small template costs); the suite runs it
five times (docs/fast-feedback.md, "cfn-lint from one process"). This server imports cfn-lint once,
when the first request comes, and answers each request in a fork() of itself that runs cfn-lint's
own command line, `cfnlint.runner.main` (what the `cfn-lint` script calls), with the request's
arguments, working directory and environment, its standard output and error going to files, and
the cycle collector off. So each run starts from the same state as a new process after its
imports: nothing one run does is seen by the next, and runs go side by side.

Protocol, one connection a run over the Unix socket named on the command line: the client sends one
JSON line {"args": [...], "cwd": "...", "env": {...}}; the forked child answers one JSON line
{"exitCode": n, "stdout": "...", "stderr": "...", "cpuSeconds": s} and closes. When cfn-lint cannot
be imported the server answers {"unavailable": "<why>"} (the client then runs the `cfn-lint`
command instead). The server prints "ready" once it listens, and exits when its parent (Vitest's
main process) is gone or stops it (SIGTERM), after the runs still going have ended.
"""

import gc
import json
import os
import resource
import signal
import socket
import sys
import tempfile
import time
import traceback


def reap(_signum, _frame):
    """Collects every finished fork, so that none stays a zombie and its CPU is counted in this process's children."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def stop(_signum, _frame):
    raise SystemExit(0)


def wait_for_runs(limit_seconds=60.0):
    """Waits for the forks still running (at most `limit_seconds`), so that their CPU is in this process's children when it ends."""
    deadline = time.monotonic() + limit_seconds
    while time.monotonic() < deadline:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.05)


def read_request(connection):
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(65536)
        if not chunk:
            raise EOFError("the client closed the connection before its request ended")
        data += chunk
    return json.loads(data)


def exit_status(code):
    """What the interpreter would exit with for sys.exit(code)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def run_in_child(connection, main):
    """In the forked child: one cfn-lint run as the request asks, answered on the connection; never returns."""
    # A run lives seconds and reference counting frees its objects; the cycle collector's passes over
    # everything the imports made were ~10 % of a run's CPU (the product's 8 templates: 3.9-4.1 CPU-s
    # with it, 3.5-3.7 without; a small template 0.47 and 0.24), for ~45 MB more at the peak. They
    # never change what cfn-lint prints (no finalizer or weak reference of its decides a finding);
    # cfn-lint-server.test.ts compares the output with the command's.
    gc.disable()
    try:
        request = read_request(connection)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            sys.argv = ["cfn-lint", *request["args"]]
            try:
                main()
                code = 0
            except SystemExit as stop:
                code = exit_status(stop.code)
            except BaseException:  # what an uncaught exception does to the cfn-lint process
                traceback.print_exc()
                code = 1
            sys.stdout.flush()
            sys.stderr.flush()
            out.seek(0)
            err.seek(0)
            usage = resource.getrusage(resource.RUSAGE_SELF)
            answer = {
                "exitCode": code,
                "stdout": out.read().decode("utf-8", "replace"),
                "stderr": err.read().decode("utf-8", "replace"),
                "cpuSeconds": usage.ru_utime + usage.ru_stime,
            }
        connection.sendall(json.dumps(answer).encode("utf-8") + b"\n")
    finally:
        # No atexit handlers or buffers of the server's: the answer is sent, or the client sees the connection close.
        os._exit(0)


def main():
    parent = os.getppid()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(sys.argv[1])
    listener.listen(16)
    # Wakes once a second to notice that Vitest is gone, should it end without stopping the server.
    listener.settimeout(1.0)
    signal.signal(signal.SIGCHLD, reap)
    signal.signal(signal.SIGTERM, stop)
    print("ready", flush=True)
    try:
        serve(listener, parent)
    finally:
        wait_for_runs()


def serve(listener, parent):
    """Answers connections until the parent is gone (or SIGTERM ends it through stop())."""
    cfn_lint_main = None
    unavailable = None
    while os.getppid() == parent:
        try:
            connection, _address = listener.accept()
        except socket.timeout:
            continue
        connection.settimeout(None)
        if cfn_lint_main is None and unavailable is None:
            try:
                from cfnlint.runner import main as cfn_lint_main
            except Exception as error:  # not installed for this python3: the client runs the command
                unavailable = f"python3 cannot import cfn-lint: {error!r}"
        if unavailable is not None:
            with connection:
                read_request(connection)  # the whole request first, so the client is not writing to a closed socket
                connection.sendall(json.dumps({"unavailable": unavailable}).encode("utf-8") + b"\n")
            continue
        if os.fork() == 0:
            listener.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            run_in_child(connection, cfn_lint_main)
        connection.close()

if __name__ == "__main__":
    main()
