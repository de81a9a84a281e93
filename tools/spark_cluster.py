"""A local Apache Spark standalone cluster and its Thrift server, from the pip ``pyspark`` package.

    python -m tools.spark_cluster up      # master, one worker, Thrift server on 127.0.0.1:10000
    python -m tools.spark_cluster status
    python -m tools.spark_cluster down

The pip package ships ``spark-class`` and ``spark-submit`` but not the ``sbin/start-*.sh`` scripts, so
the three JVMs are started here directly:

- master: ``spark-class org.apache.spark.deploy.master.Master`` on ``spark://127.0.0.1:7077``;
- worker: ``spark-class org.apache.spark.deploy.worker.Worker spark://127.0.0.1:7077`` (``SPARK_WORKER_CORES``,
  default 2; ``SPARK_WORKER_MEMORY``, default 2g);
- Thrift server: ``spark-submit --class org.apache.spark.sql.hive.thriftserver.HiveThriftServer2 --master
  spark://127.0.0.1:7077 spark-internal`` on 127.0.0.1:10000: its executors run on the worker, not in
  a local session.

Everything lives under ``DATA_DIR/spark/``: ``logs/`` (one log per process), ``pids/``, ``warehouse/``
(``spark.sql.warehouse.dir``), ``metastore_db/`` and ``derby.log`` (the Thrift server's working folder),
``work/`` (the worker's executor folders), ``classes/`` (a stand-in for a Hive class the pip package
lacks, compiled from ``tools/spark/LlapSigner.java``) and ``conf/`` (the Thrift server logs warnings only).
The web UIs are off or on a free port: only 7077 and 10000 are fixed. Needs Java 17 with ``javac``
(``JAVA_HOME`` or on PATH); ``SPARK_LOCAL_IP=127.0.0.1`` is set.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

MASTER_PORT = 7077
THRIFT_PORT = 10000
HOST = "127.0.0.1"
MASTER_URL = f"spark://{HOST}:{MASTER_PORT}"
COMPONENTS = ("master", "worker", "thriftserver")


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).resolve().parent


def spark_dir() -> Path:
    return Path(os.environ.get("DATA_DIR") or "data").resolve() / "spark"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["SPARK_HOME"] = str(spark_home())
    env["SPARK_LOCAL_IP"] = HOST
    env["SPARK_LOG_DIR"] = str(spark_dir() / "logs")
    env["SPARK_PID_DIR"] = str(spark_dir() / "pids")
    env.setdefault("SPARK_MASTER_HOST", HOST)
    # the interpreter of this venv for any Python worker
    env.setdefault("PYSPARK_PYTHON", sys.executable)
    return env


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


def _pid_file(name: str) -> Path:
    return spark_dir() / "pids" / f"{name}.pid"


def _running(name: str) -> int | None:
    path = _pid_file(name)
    if not path.exists():
        return None
    pid = int(path.read_text().strip())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def _start(name: str, cmd: list[str], cwd: Path) -> None:
    if _running(name):
        print(f"spark: {name} already running (pid {_running(name)})")
        return
    log = spark_dir() / "logs" / f"{name}.log"
    with log.open("ab") as handle:
        process = subprocess.Popen(
            cmd, cwd=cwd, env=_env(), stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
    _pid_file(name).write_text(f"{process.pid}\n")
    print(f"spark: {name} started (pid {process.pid}, log {log})")


def _wait(port: int, name: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _port_open(port):
            return
        if not _running(name):
            log = spark_dir() / "logs" / f"{name}.log"
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
            raise SystemExit(f"spark: {name} exited before listening on {port}; {log}:\n{tail}")
        time.sleep(1)
    raise SystemExit(f"spark: {name} not listening on {HOST}:{port} after {seconds:.0f}s")


def up() -> None:
    base = spark_dir()
    for folder in ("logs", "pids", "warehouse", "work", "tmp"):
        (base / folder).mkdir(parents=True, exist_ok=True)
    bin_dir = spark_home() / "bin"
    started = time.monotonic()
    if _port_open(MASTER_PORT) and not _running("master"):
        raise SystemExit(f"spark: port {MASTER_PORT} is taken by another process")
    _start(
        "master",
        [str(bin_dir / "spark-class"), "org.apache.spark.deploy.master.Master",
         "--host", HOST, "--port", str(MASTER_PORT), "--webui-port", "0"],
        base,
    )  # fmt: skip
    _wait(MASTER_PORT, "master", 90)
    _start(
        "worker",
        [str(bin_dir / "spark-class"), "org.apache.spark.deploy.worker.Worker",
         "--host", HOST, "--webui-port", "0", "--port", "0",
         "--cores", os.environ.get("SPARK_WORKER_CORES", "2"),
         "--memory", os.environ.get("SPARK_WORKER_MEMORY", "2g"),
         "--work-dir", str(base / "work"), MASTER_URL],
        base,
    )  # fmt: skip
    warehouse = base / "warehouse"
    classpath = _thriftserver_classpath(base)
    log_config = _thriftserver_log_config(base)
    java_options = f"-Dderby.system.home={base} -Dlog4j2.configurationFile={log_config}"
    _start(
        "thriftserver",
        [str(bin_dir / "spark-submit"), "--class", "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
         "--master", MASTER_URL, "--name", "shopwarehouse-thriftserver",
         "--driver-memory", os.environ.get("SPARK_DRIVER_MEMORY", "1g"),
         "--executor-memory", os.environ.get("SPARK_EXECUTOR_MEMORY", "1g"),
         "--conf", "spark.ui.enabled=false",
         "--conf", f"spark.sql.warehouse.dir={warehouse}",
         "--conf", f"spark.local.dir={base / 'tmp'}",
         "--conf", "spark.sql.shuffle.partitions=4",
         "--conf", "spark.sql.session.timeZone=UTC",
         "--conf", f"spark.driver.extraJavaOptions={java_options}",
         *(["--driver-class-path", classpath] if classpath else []),
         "--hiveconf", f"hive.server2.thrift.port={THRIFT_PORT}",
         "--hiveconf", f"hive.server2.thrift.bind.host={HOST}",
         "spark-internal"],
        base,
    )  # fmt: skip
    _wait(THRIFT_PORT, "thriftserver", 180)
    print(f"spark: cluster up in {time.monotonic() - started:.1f}s: master {MASTER_URL}, thrift {HOST}:{THRIFT_PORT}")


def _thriftserver_classpath(base: Path) -> str | None:
    """The compiled ``tools/spark/LlapSigner.java`` (see its comment) for the Thrift server's driver; None,
    with a warning, when no ``javac`` is found (the server then runs without it)."""
    source = Path(__file__).resolve().parent / "spark" / "LlapSigner.java"
    classes = base / "classes"
    compiled = classes / "org" / "apache" / "hadoop" / "hive" / "llap" / "security" / "LlapSigner.class"
    if compiled.exists() and compiled.stat().st_mtime >= source.stat().st_mtime:
        return str(classes)
    javac = shutil.which("javac") or (
        str(Path(os.environ["JAVA_HOME"]) / "bin" / "javac") if os.environ.get("JAVA_HOME") else None
    )
    if not javac or not Path(javac).exists():
        print("spark: no javac found: the Thrift server may fail to close a session (LlapSigner missing)")
        return None
    classes.mkdir(parents=True, exist_ok=True)
    subprocess.run([javac, "-d", str(classes), str(source)], check=True)
    return str(classes)


def _thriftserver_log_config(base: Path) -> Path:
    """log4j2 settings for the Thrift server: warnings and errors only (at INFO it logs every statement
    in full, a million lines for a few builds); the master and worker keep INFO (their logs name the
    application and the executors)."""
    config = base / "conf" / "thriftserver-log4j2.properties"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "rootLogger.level = warn\n"
        "rootLogger.appenderRef.stdout.ref = console\n"
        "appender.console.type = Console\n"
        "appender.console.name = console\n"
        "appender.console.target = SYSTEM_ERR\n"
        "appender.console.layout.type = PatternLayout\n"
        "appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n\n"
    )
    return config


def down() -> None:
    for name in reversed(COMPONENTS):
        pid = _running(name)
        if pid is None:
            _pid_file(name).unlink(missing_ok=True)
            continue
        os.killpg(pid, signal.SIGTERM)  # the session spark-class/spark-submit and its JVM share
        for _ in range(60):
            if _running(name) is None:
                break
            time.sleep(0.5)
        else:
            os.killpg(pid, signal.SIGKILL)
        _pid_file(name).unlink(missing_ok=True)
        print(f"spark: {name} stopped (pid {pid})")


def status() -> int:
    down_count = 0
    for name in COMPONENTS:
        pid = _running(name)
        print(f"spark: {name:<12} {'running, pid ' + str(pid) if pid else 'not running'}")
        down_count += pid is None
    return 1 if down_count else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.spark_cluster", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["up", "down", "status"])
    args = parser.parse_args(argv)
    if args.action == "up":
        up()
        return 0
    if args.action == "down":
        down()
        return 0
    return status()


if __name__ == "__main__":
    sys.exit(main())
