#!/usr/bin/python3
"""Start-up time of a server: from spawning it to its first 200 answer to GET /healthz.

    ready_probe.py PORT TIMEOUT_S -- COMMAND [ARG...]

Spawns COMMAND (with this process's environment), polls 127.0.0.1:PORT every millisecond with a
raw HTTP/1.0 request (no library that would add its own retries or delays), prints
"READY_MS <milliseconds>" on the first 200, then stops the server with SIGTERM (SIGKILL after 10 s)
and exits 0. Exits 1, printing the server's exit status, when it is not ready within TIMEOUT_S.
"""

import signal
import socket
import subprocess
import sys
import time

REQUEST = b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"


def status_of(port):
    """The status code of GET /healthz, or None while nothing answers."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(REQUEST)
            head = b""
            while b"\r\n" not in head:
                chunk = s.recv(256)
                if not chunk:
                    break
                head += chunk
    except OSError:
        return None
    parts = head.split(b" ", 2)
    return int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else None


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main():
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        sys.exit("usage: ready_probe.py PORT TIMEOUT_S -- COMMAND [ARG...]")
    port, timeout = int(sys.argv[1]), float(sys.argv[2])
    start = time.monotonic()
    # The server's stderr is ours: bench/run sends it to a log file.
    proc = subprocess.Popen(sys.argv[4:], stdout=subprocess.DEVNULL)
    try:
        while time.monotonic() - start < timeout:
            if status_of(port) == 200:
                print(f"READY_MS {(time.monotonic() - start) * 1000:.1f}", flush=True)
                return 0
            if proc.poll() is not None:
                break
            time.sleep(0.001)
    finally:
        if proc.poll() is None:
            stop(proc)
    print(f"not ready within {timeout} s (exit status {proc.returncode})", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
