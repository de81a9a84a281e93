"""Command line of the Adwise API: ``python -m demo api {serve,start,stop,status}``."""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .metrics import DataNotFoundError, require_data, source_dir
from .server import TOKEN_ENV, AdPlatformServer, resolve_token, token_file

DEFAULT_PORT = 8765
PORT_ENV = "DEMO_ADPLATFORM_PORT"
DATA_DIR_ENV = "DATA_DIR"
PID_FILE = "server.pid"
LOG_FILE = "server.log"
START_TIMEOUT_SECONDS = 15.0
STOP_TIMEOUT_SECONDS = 10.0

_PROG = "python -m demo api"
_SERVER_MODULE = "demo.adplatform.cli"


class CliError(Exception):
    """An expected failure, reported as one line on stderr."""


def _rate(value: str) -> float:
    """Parse a probability between 0 and 1 (argparse type)."""
    try:
        rate = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0.0 <= rate <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {value}")
    return rate


def _port_number(value: str) -> int:
    """Parse a TCP port, 0 to 65535 (argparse type)."""
    if not value.isdigit() or not 0 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"not a TCP port: {value!r}")
    return int(value)


def _parser() -> argparse.ArgumentParser:
    """Build the argument parser (defaults from the environment are applied later)."""
    data_opts = argparse.ArgumentParser(add_help=False)
    data_opts.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=f"generated data folder (default: ${DATA_DIR_ENV} or ./data)",
    )
    serve_opts = argparse.ArgumentParser(add_help=False)
    serve_opts.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve_opts.add_argument(
        "--port", type=_port_number, default=None, help=f"port (default: ${PORT_ENV} or {DEFAULT_PORT})"
    )
    serve_opts.add_argument("--fail-429-rate", type=_rate, default=0.0, help="share of /v1 requests answered 429")
    serve_opts.add_argument(
        "--fail-5xx-rate", type=_rate, default=0.0, help="share of /v1 requests answered 500 or 503"
    )
    serve_opts.add_argument("--seed", type=int, default=0, help="seed of the injected faults (default: 0)")
    serve_opts.add_argument("--verbose", action="store_true", help="log method, path and status of each request")

    parser = argparse.ArgumentParser(prog=_PROG, description="Run the Adwise ad platform API of the demo.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{serve,start,stop,status,with}")
    commands.add_parser("serve", parents=[data_opts, serve_opts], help="serve in the foreground until Ctrl-C")
    commands.add_parser("start", parents=[data_opts, serve_opts], help="start a background server")
    commands.add_parser("stop", parents=[data_opts], help="stop the background server")
    commands.add_parser("status", parents=[data_opts], help="say whether the background server runs")
    with_cmd = commands.add_parser(
        "with",
        parents=[data_opts, serve_opts],
        help="run a command with the API up (served by this process if no server runs), passing its URL and token",
        description=(
            "Run COMMAND with SOURCES__ADPLATFORM__BASE_URL and SOURCES__ADPLATFORM__API_TOKEN set for the "
            "ingestion pipeline (variables already set are kept). A background server of this data folder "
            "(`api start`) is used if it runs; otherwise the API is served from this process for the "
            "command's duration, on --port if that port is free and on a free port if not. Exit code: the "
            "command's."
        ),
    )
    with_cmd.add_argument("cmd", nargs=argparse.REMAINDER, metavar="-- COMMAND ...")
    return parser


def _data_dir(args: argparse.Namespace) -> Path:
    """Return --data-dir, else $DATA_DIR, else ./data."""
    return Path(args.data_dir or os.environ.get(DATA_DIR_ENV) or "data")


def _port(args: argparse.Namespace) -> int:
    """Return --port, else $DEMO_ADPLATFORM_PORT, else 8765."""
    if args.port is not None:
        return int(args.port)
    value = os.environ.get(PORT_ENV, "").strip()
    if not value:
        return DEFAULT_PORT
    try:
        return _port_number(value)
    except argparse.ArgumentTypeError:
        raise CliError(f"${PORT_ENV} is {value!r}, not a TCP port") from None


def _url(host: str, port: int) -> str:
    """Return the base URL for host and port."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _is_loopback(host: str) -> bool:
    """Whether host is a loopback address or localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _token_source(data_dir: Path) -> str:
    """Say where clients find the token, without revealing it."""
    if os.environ.get(TOKEN_ENV, "").strip():
        return f"token from ${TOKEN_ENV}"
    return f"token in {token_file(data_dir)}"


def _health(url: str, timeout: float = 1.0) -> dict[str, Any] | None:
    """Return the /healthz body if an Adwise server answers at url, else None (no proxies)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{url}/healthz", timeout=timeout) as response:
            body = json.loads(response.read())
    except (OSError, ValueError):
        return None
    return body if isinstance(body, dict) and body.get("status") == "ok" else None


def _is_server_process(pid: int) -> bool:
    """Whether pid is a live (not zombie) Adwise server process."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our own exited child
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    proc = Path(f"/proc/{pid}")
    if not proc.is_dir():
        return True  # no procfs: trust the pid
    try:
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        cmdline = (proc / "cmdline").read_bytes()
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X") and _SERVER_MODULE.encode() in cmdline


def running_server(data_dir: Path) -> str | None:
    """URL of the background server started from data_dir (`api start`), if it is still running."""
    pid_url = _read_pid_file(source_dir(data_dir) / PID_FILE)
    if pid_url is None or not _is_server_process(pid_url[0]):
        return None
    return pid_url[1]


def _read_pid_file(path: Path) -> tuple[int, str] | None:
    """Return (pid, url) from the pid file, or None if there is none or it is unreadable."""
    try:
        lines = path.read_text(encoding="utf-8").split()
        return int(lines[0]), lines[1]
    except (OSError, ValueError, IndexError):
        return None


def _write_pid_file(path: Path, pid: int, url: str) -> None:
    """Write ``<pid>\\n<url>\\n`` atomically."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(f"{pid}\n{url}\n", encoding="utf-8")
    os.replace(tmp, path)


def _wait_exit(pid: int, timeout: float) -> bool:
    """Wait until pid is gone; return whether it exited within timeout."""
    deadline = time.monotonic() + timeout
    while _is_server_process(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def _port_free(host: str, port: int) -> bool:
    """Whether host:port can be bound now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _last_line(path: Path) -> str:
    """Return the last non-empty line of a text file, or an empty string."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
        lines = [line for line in text.splitlines() if line.strip()]
    except OSError:
        return ""
    return lines[-1].strip() if lines else ""


def _serve(args: argparse.Namespace) -> int:
    """Serve in the foreground until SIGINT or SIGTERM."""
    port = _port(args)
    data_dir = _data_dir(args)
    require_data(data_dir)
    if not _is_loopback(args.host):
        print(f"warning: serving on {args.host}, reachable beyond this machine", file=sys.stderr)
    server = AdPlatformServer(
        data_dir,
        host=args.host,
        port=port,
        fail_429_rate=args.fail_429_rate,
        fail_5xx_rate=args.fail_5xx_rate,
        seed=args.seed,
        verbose=args.verbose,
    )
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda signum, frame: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            url = server.start()
        except OSError as exc:
            raise CliError(f"cannot listen on {args.host}:{port}: {exc.strerror or exc}") from None
        print(f"Adwise API listening on {url} ({_token_source(data_dir)}); stop with Ctrl-C", flush=True)
        while not stop.wait(1.0):
            pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("Adwise API stopped", flush=True)
    return 0


def _start(args: argparse.Namespace) -> int:
    """Start `serve` as a detached background process and wait until it answers."""
    port = _port(args)
    data_dir = _data_dir(args).resolve()
    folder = require_data(data_dir)
    if port == 0:
        raise CliError("start needs a fixed port: pass --port N with N > 0")
    pid_file, log_file = folder / PID_FILE, folder / LOG_FILE
    running = _read_pid_file(pid_file)
    if running is not None and _is_server_process(running[0]) and _health(running[1]):
        print(f"Adwise API already running at {running[1]} (pid {running[0]})")
        return 0
    pid_file.unlink(missing_ok=True)
    if not _port_free(args.host, port):
        raise CliError(f"port {port} on {args.host} is already in use: pick another with --port")
    resolve_token(data_dir)  # create the token file before the server reads it
    url = _url(args.host, port)
    command = [
        sys.executable,
        "-m",
        _SERVER_MODULE,
        "serve",
        "--data-dir",
        str(data_dir),
        "--host",
        args.host,
        "--port",
        str(port),
        "--fail-429-rate",
        repr(args.fail_429_rate),
        "--fail-5xx-rate",
        repr(args.fail_5xx_rate),
        "--seed",
        str(args.seed),
    ]
    if args.verbose:
        command.append("--verbose")
    package_root = str(Path(__file__).resolve().parents[2])
    python_path = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": python_path}
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    _write_pid_file(pid_file, process.pid, url)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            pid_file.unlink(missing_ok=True)
            detail = _last_line(log_file)
            raise CliError(f"the API server exited during start-up (code {code}): {detail or log_file}")
        if _health(url, timeout=0.5):
            print(f"Adwise API running at {url} (pid {process.pid}, {_token_source(data_dir)})")
            return 0
        time.sleep(0.1)
    process.kill()
    process.wait()
    pid_file.unlink(missing_ok=True)
    raise CliError(f"the API server did not answer {url}/healthz within {START_TIMEOUT_SECONDS:.0f} s; see {log_file}")


def _stop(args: argparse.Namespace) -> int:
    """Stop the background server: SIGTERM, then SIGKILL after the timeout."""
    pid_file = source_dir(_data_dir(args)) / PID_FILE
    running = _read_pid_file(pid_file)
    if running is None or not _is_server_process(running[0]):
        pid_file.unlink(missing_ok=True)
        print("Adwise API not running")
        return 0
    pid = running[0]
    os.kill(pid, signal.SIGTERM)
    if not _wait_exit(pid, STOP_TIMEOUT_SECONDS):
        os.kill(pid, signal.SIGKILL)
        if not _wait_exit(pid, 2.0):
            raise CliError(f"the API server (pid {pid}) did not exit")
    pid_file.unlink(missing_ok=True)
    print(f"Adwise API stopped (pid {pid})")
    return 0


def _status(args: argparse.Namespace) -> int:
    """Print whether the background server runs; exit 0 if it does and answers, else 1."""
    running = _read_pid_file(source_dir(_data_dir(args)) / PID_FILE)
    if running is None or not _is_server_process(running[0]):
        print("Adwise API not running")
        return 1
    pid, url = running
    health = _health(url)
    if health is None:
        print(f"Adwise API process {pid} is running but {url}/healthz does not answer")
        return 1
    print(f"Adwise API running at {url} (pid {pid}, data as of {health.get('as_of')})")
    return 0


def _with(args: argparse.Namespace) -> int:
    """Run a command against the API: reuse the background server of this data folder, else serve in-process.

    The in-process server listens on the requested port (--port, $DEMO_ADPLATFORM_PORT, 8765) when it is
    free and on any free port otherwise (another checkout's API may hold 8765), and lives in a thread of
    this process: it ends with the command, and with this process if it is killed, so no server is left
    behind.
    """
    command = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not command:
        raise CliError("with needs a command: python -m demo api with -- python -m ingestion")
    data_dir = _data_dir(args).resolve()
    env = dict(os.environ)
    server: AdPlatformServer | None = None
    url = running_server(data_dir)
    if url is None or _health(url) is None:
        require_data(data_dir)
        port = _port(args)
        if port and not _port_free(args.host, port):
            print(f"note: port {port} on {args.host} is in use; serving the demo API on a free port", file=sys.stderr)
            port = 0
        server = AdPlatformServer(
            data_dir,
            host=args.host,
            port=port,
            fail_429_rate=args.fail_429_rate,
            fail_5xx_rate=args.fail_5xx_rate,
            seed=args.seed,
            verbose=args.verbose,
        )
        try:
            url = server.start()
        except OSError as exc:
            raise CliError(f"cannot listen on {args.host}:{port}: {exc.strerror or exc}") from None
        print(f"Adwise API serving at {url} for this command ({_token_source(data_dir)})", file=sys.stderr)
    env.setdefault("SOURCES__ADPLATFORM__BASE_URL", url)
    env.setdefault("SOURCES__ADPLATFORM__API_TOKEN", resolve_token(data_dir))
    try:
        return subprocess.call(command, env=env)
    finally:
        if server is not None:
            server.stop()


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "with": _with,
    "serve": _serve,
    "start": _start,
    "stop": _stop,
    "status": _status,
}


def main(argv: list[str] | None = None) -> int:
    """Run one command (the arguments after ``api``) and return the exit code."""
    try:
        args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:  # --help or a usage error, already printed by argparse
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return _COMMANDS[args.command](args)
    except (CliError, DataNotFoundError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
