#!/usr/bin/env bash
# The README's first command (`make demo`): lint the example data repo, start the embedded
# sandbox scheduler, plan and deploy the examples to it, show the status, show that a
# second plan is a no-op, then stop the sandbox. Nothing outside this machine is touched.
set -euo pipefail
examples="$(cd "$(dirname "$0")/../examples" && pwd)"

port=12345   # examples/dagship.yaml points the staging target at this port
token="demo-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
export DS_STAGING_TOKEN="$token"
export CI="${CI:-}"                   # progress bars in a terminal, plain lines in CI
unset GITHUB_REF_NAME CI_COMMIT_BRANCH BRANCH_NAME GIT_BRANCH || true
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
# The examples become a data repository of their own, committed as a team's would be: a
# deploy records the commit it ships, so it needs one (edits to examples/ show up too).
cp -R "$examples/." "$workdir/repo"
cd "$workdir/repo"
git init -q
git add -A
git -c user.name="dagship demo" -c user.email=demo@example.invalid -c commit.gpgSign=false \
    commit -q -m "feat: the example data repository"

# Headings in bold on a terminal only: piped into a log or a CI job, no escape codes.
if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }

step "dagship lint   (every workflow file of examples/workflows)"
dagship lint

if python - "$port" <<'PY'
import socket, sys
with socket.socket() as s:
    sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)
PY
then
    echo "port ${port} is already in use; examples/dagship.yaml sends staging there." >&2
    echo "Stop whatever listens on it (a DolphinScheduler?) and run make demo again." >&2
    exit 1
fi

step "starting the embedded sandbox scheduler on 127.0.0.1:${port}"
dagship sandbox --port "$port" --token "$token" --api-version 3.3 \
    --datasource pg_staging:POSTGRESQL >"$workdir/sandbox.log" 2>&1 &
sandbox_pid=$!
trap 'kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; rm -rf "$workdir"' EXIT
python - "$port" <<'PY'
import sys, time, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/dolphinscheduler/actuator/health"
for _ in range(100):
    try:
        with urllib.request.urlopen(url, timeout=1) as answer:
            if answer.status == 200:
                sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit("the sandbox did not start; is port %s already in use?" % sys.argv[1])
PY
sed 's/DS_TOKEN=.*/DS_TOKEN=***/' "$workdir/sandbox.log"

step "dagship plan --target staging"
dagship plan --target staging

step "dagship deploy --target staging --markdown report.md"
dagship deploy --target staging --markdown "$workdir/report.md"

step "dagship status --target staging"
dagship status --target staging

step "dagship plan --target staging   (again: nothing left to do)"
dagship plan --target staging

step "the Markdown report (for a PR comment or \$GITHUB_STEP_SUMMARY), first lines"
head -n 20 "$workdir/report.md"
