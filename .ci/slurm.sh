#!/usr/bin/env bash
# The README's Slurm job array, on a real one-node Slurm cluster on this machine.
#
# Installs Debian's slurm-wlm and munge when missing, starts a private munged,
# slurmctld and slurmd (own key, socket, ports and state directories in a
# temporary directory; this host as the only node), then:
#   1. submits the README's job script ("A Slurm job array, one task per
#      shard"), taken from README.md with only the binary path and the sizes
#      changed, with `sbatch --wait`; merges the parts with the README's
#      `handoff merge part-*.json -o sweep.csv`; checks the bytes equal the
#      unsharded sweep;
#   2. submits it again, cancels one array task (`scancel JOB_I`) once it has
#      finished some points but not its part, resubmits that task alone with
#      the same script (`sbatch --array=I`, the script has `--resume`), as the
#      README says, merges, and checks the bytes are still the unsharded sweep's;
#   3. submits it again and requeues one array task (`scontrol requeue JOB_I`,
#      as preemption or a failed node does) once it has finished some points:
#      the requeued task must go on from them and the job array succeed, with
#      the bytes of the unsharded sweep once merged;
#   4. runs README's sharded long run (`run --shard … --resume`) as a job
#      array of 2, cancels one task once it has kept some replications,
#      resubmits it, and checks the merged report has the unsharded run's bytes;
#   5. stops every daemon it started (trap on EXIT).
#
# Needs root (slurmd runs jobs as root; apt-get). Fails, saying why, where it
# cannot run. HANDOFF_SLURM_KEEP=1 keeps the temporary directory (logs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

say() { echo "slurm: $*"; }
fail() {
    echo "slurm: error: $*" >&2
    exit 1
}

[ "$(id -u)" = 0 ] || fail "must run as root (slurmd runs the jobs as SlurmUser=root, and slurm-wlm/munge may need apt-get install); CI runs as root"

# --- 0. Packages ------------------------------------------------------------
missing=()
for cmd in sbatch scancel squeue slurmctld slurmd munged mungekey; do
    command -v "$cmd" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
export PATH=$PATH:/usr/sbin:/sbin
if [ ${#missing[@]} -gt 0 ]; then
    say "installing slurm-wlm and munge (missing: ${missing[*]})"
    command -v apt-get >/dev/null 2>&1 || fail "${missing[*]} missing and there is no apt-get to install slurm-wlm and munge (not Debian?)"
    apt-get update -qq >/dev/null || fail "apt-get update failed: is the Debian package registry reachable?"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null ||
        fail "apt-get install slurm-wlm munge failed"
    for cmd in "${missing[@]}"; do
        command -v "$cmd" >/dev/null 2>&1 || fail "$cmd is still missing after installing slurm-wlm and munge"
    done
fi

# --- 1. The binary and the job script, from README.md -------------------------
say "building handoff"
cargo build --release --quiet
HANDOFF=$ROOT/target/release/handoff
[ -x "$HANDOFF" ] || fail "no $HANDOFF after cargo build --release"

TMP=$(mktemp -d /tmp/handoff-slurm.XXXXXX)
chmod 700 "$TMP"
WORK=$TMP/work
mkdir -p "$WORK/scenarios" "$TMP/state" "$TMP/spool" "$TMP/munge"
cp scenarios/baseline.toml "$WORK/scenarios/"

# The job script is the first ```sh block after "A Slurm job array" in README.md.
awk '/^A Slurm job array/ {found = 1} found && /^```sh$/ {inside = 1; next} inside && /^```$/ {exit} inside {print}' README.md >"$TMP/readme-job.sh"
[ -s "$TMP/readme-job.sh" ] || fail "README.md has no \`\`\`sh block after \"A Slurm job array\": update $0 with the README"
grep -qxF 'handoff merge part-*.json -o sweep.csv' README.md ||
    fail "README.md no longer merges with \`handoff merge part-*.json -o sweep.csv\`: update $0 with the README"

# Only the binary and the sizes change (2 shards, 1 CPU each, 22 points); each
# replacement must apply exactly once, so a README change cannot slip past.
cp "$TMP/readme-job.sh" "$WORK/job.sh"
resize() {
    local from=$1 to=$2 n
    n=$(grep -cF -- "$from" "$WORK/job.sh" || true)
    [ "$n" = 1 ] || fail "README's job script: expected \`$from\` once, found it $n times; update $0 with the README"
    FROM=$from TO=$to perl -0pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/' "$WORK/job.sh"
}
resize '#SBATCH --array=0-63' '#SBATCH --array=0-1'
resize '#SBATCH --cpus-per-task=4' '#SBATCH --cpus-per-task=1'
resize '#SBATCH --time=02:00:00' '#SBATCH --time=00:10:00'
resize 'handoff --threads ' "$HANDOFF --threads "
resize 'error=0:0.1:0.005' 'error=0:0.1:0.01'
resize 'staff=3:8:1' 'staff=3:4:1'
resize '/64 ' '/2 '
SHARDS=2
say "job script (README.md's, resized):"
sed 's/^/    /' "$WORK/job.sh"

# The unsharded sweep: the same command without --shard, to one CSV.
# Outside Slurm, as one task of one CPU.
{
    echo 'SLURM_CPUS_PER_TASK=1'
    grep -v -- '--shard' "$WORK/job.sh" | grep -v '^#' |
        sed 's/-o part-\$SLURM_ARRAY_TASK_ID\.json/-o unsharded.csv/'
} >"$WORK/unsharded.sh"
grep -q -- '-o unsharded.csv' "$WORK/unsharded.sh" || fail "cannot make the unsharded command from the README's job script"

# A resubmitted or requeued task runs the same script: it must resume.
grep -q -- '--resume' "$WORK/job.sh" ||
    fail "README's job script has no --resume: a task Slurm requeues would refuse its own kept points; update $0 with the README"

# --- 2. A private one-node cluster --------------------------------------------
# Two free TCP ports from a private range (not Slurm's default 6817/6818).
port_free() { ! ss -Htln "sport = :$1" 2>/dev/null | grep -q .; }
CTLD_PORT=""
for p in $(seq 27817 2 27897); do
    if port_free "$p" && port_free $((p + 1)); then
        CTLD_PORT=$p
        break
    fi
done
[ -n "$CTLD_PORT" ] || fail "no two free ports in 27817-27898 for slurmctld and slurmd"
SLURMD_PORT=$((CTLD_PORT + 1))

NODE_LINE=$(slurmd -C | head -1)
case "$NODE_LINE" in
NodeName=*) ;;
*) fail "slurmd -C did not describe this node: $NODE_LINE" ;;
esac
NODE=$(sed 's/^NodeName=\([^ ]*\).*/\1/' <<<"$NODE_LINE")

PIDS=()
cleanup() {
    local rc=$?
    set +e
    if [ -n "${SLURM_CONF:-}" ] && [ -f "$SLURM_CONF" ]; then
        scancel --quiet --user=root >/dev/null 2>&1
    fi
    # A background `sbatch --wait` would wait forever for a stopped controller.
    [ -n "${SBATCH_PID:-}" ] && kill "$SBATCH_PID" 2>/dev/null
    # Stop in reverse order of starting: slurmd, slurmctld, munged.
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
        kill "${PIDS[i]}" 2>/dev/null
    done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null
    done
    if [ "$rc" != 0 ]; then
        for log in "$TMP"/*.log; do
            [ -f "$log" ] || continue
            echo "--- $log (last lines)" >&2
            tail -20 "$log" >&2
        done
    fi
    if [ "${HANDOFF_SLURM_KEEP:-}" = 1 ]; then
        echo "slurm: kept $TMP" >&2
    else
        rm -rf "$TMP"
    fi
    [ "$rc" = 0 ] || echo "slurm: FAILED (exit $rc)" >&2
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# munge: a private key, socket and daemon.
mungekey --create --keyfile="$TMP/munge/munge.key" 2>/dev/null ||
    { dd if=/dev/urandom of="$TMP/munge/munge.key" bs=1024 count=1 status=none && chmod 600 "$TMP/munge/munge.key"; }
MUNGE_SOCKET=$TMP/munge/munge.socket
munged --foreground --force --socket="$MUNGE_SOCKET" --key-file="$TMP/munge/munge.key" \
    --pid-file="$TMP/munge/munged.pid" --log-file="$TMP/munged.log" --seed-file="$TMP/munge/munged.seed" >"$TMP/munged.out" 2>&1 &
PIDS+=($!)

export SLURM_CONF=$TMP/slurm.conf
cat >"$SLURM_CONF" <<EOF
ClusterName=handoff-ci
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCKET
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
KillWait=5
StateSaveLocation=$TMP/state
SlurmdSpoolDir=$TMP/spool
SlurmctldPidFile=$TMP/slurmctld.pid
SlurmdPidFile=$TMP/slurmd.pid
SlurmctldLogFile=$TMP/slurmctld.log
SlurmdLogFile=$TMP/slurmd.log
$NODE_LINE NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=ci Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF

for _ in $(seq 50); do
    [ -S "$MUNGE_SOCKET" ] && break
    sleep 0.1
done
[ -S "$MUNGE_SOCKET" ] || fail "munged did not start (no socket $MUNGE_SOCKET)"

say "starting slurmctld (port $CTLD_PORT) and slurmd (port $SLURMD_PORT) on node $NODE"
slurmctld -D -i -f "$SLURM_CONF" >"$TMP/slurmctld.out" 2>&1 &
PIDS+=($!)
slurmd -D -f "$SLURM_CONF" -N "$NODE" >"$TMP/slurmd.out" 2>&1 &
PIDS+=($!)

ready=""
for _ in $(seq 120); do
    state=$(sinfo -h -n "$NODE" -o %T 2>/dev/null || true)
    case "$state" in
    idle* | mixed* | allocated*)
        ready=1
        break
        ;;
    esac
    for pid in "${PIDS[@]}"; do
        kill -0 "$pid" 2>/dev/null || fail "a Slurm daemon exited at start (pid $pid); see the logs below"
    done
    sleep 0.5
done
[ -n "$ready" ] || fail "node $NODE did not become idle within 60 s (state: ${state:-unknown})"
say "cluster up: $(sinfo -h -o '%P %a %D %T %c')"

cd "$WORK"

# --- 3. The job array, merged, against the unsharded sweep ---------------------
say "unsharded sweep"
bash unsharded.sh
[ -s unsharded.csv ] || fail "the unsharded sweep wrote nothing"

say "sbatch --wait job.sh (array of $SHARDS)"
sbatch --wait --quiet --output="$WORK/slurm-%A_%a.out" job.sh ||
    fail "the job array failed: $(cat slurm-*.out 2>/dev/null)"
handoff() { "$HANDOFF" "$@"; }
handoff merge part-*.json -o sweep.csv
cmp unsharded.csv sweep.csv || fail "the merged job array differs from the unsharded sweep"
say "merged parts of $SHARDS array tasks = unsharded sweep ($(wc -l <sweep.csv) lines)"

# --- 4. One task killed mid-run, resubmitted ----------------------------------
# Wait until task VICTIM of the job array SBATCH_PID waits for has kept a
# file named GLOB beside its output OUT (in OUT.parts/).
wait_for_kept() {
    local out=$1 glob=$2 kept=0
    for _ in $(seq 1200); do
        [ -e "$out" ] && fail "task $VICTIM finished before it could be stopped: make its work larger in $0"
        [ -d "$out.parts" ] && kept=$(find "$out.parts" -name "$glob" | wc -l)
        [ "$kept" -ge 1 ] && return 0
        kill -0 "$SBATCH_PID" 2>/dev/null || fail "the job array ended early: $(cat sbatch.err)"
        sleep 0.1
    done
    fail "task $VICTIM kept nothing ($glob) within 120 s"
}
wait_for_kept_point() { wait_for_kept "part-$VICTIM.json" 'point-*'; }
rm -f part-*.json sweep.csv slurm-*.out
VICTIM=1
sbatch --wait --parsable --output="$WORK/slurm-%A_%a.out" job.sh >jobid 2>sbatch.err &
SBATCH_PID=$!
wait_for_kept_point
JOB=$(cut -d';' -f1 <jobid)
scancel "${JOB}_$VICTIM"
if wait "$SBATCH_PID"; then
    SBATCH_PID=""
    fail "sbatch --wait succeeded although task $VICTIM was cancelled"
fi
SBATCH_PID=""
[ -e "part-$VICTIM.json" ] && fail "task $VICTIM wrote its part although it was cancelled"
[ -e "part-0.json" ] || fail "task 0 did not write its part"
kept=$(find "part-$VICTIM.json.parts" -name 'point-*' | wc -l)
say "cancelled task ${JOB}_$VICTIM with $kept points kept in part-$VICTIM.json.parts/"

# The README: resubmit that task alone, with the same script.
sbatch --wait --quiet --array="$VICTIM" --output="$WORK/slurm-%A_%a.out" job.sh ||
    fail "the resubmitted task failed: $(cat slurm-*.out 2>/dev/null)"
[ -e "part-$VICTIM.json.parts" ] && fail "the resumed task left part-$VICTIM.json.parts/ behind"
handoff merge part-*.json -o sweep.csv
cmp unsharded.csv sweep.csv || fail "after a cancelled and resumed task, the merged job array differs from the unsharded sweep"
say "cancelled + resumed task: merged parts = unsharded sweep"

# --- 5. One task requeued mid-run (preemption, a failed node) ------------------
# Slurm runs the same script again under the same task id: it must go on from
# the points kept, not refuse them. Appended output, to see both runs.
rm -f part-*.json sweep.csv slurm-*.out jobid
sbatch --wait --parsable --open-mode=append --output="$WORK/slurm-%A_%a.out" job.sh >jobid 2>sbatch.err &
SBATCH_PID=$!
wait_for_kept_point
JOB=$(cut -d';' -f1 <jobid)
scontrol requeue "${JOB}_$VICTIM" || fail "scontrol requeue ${JOB}_$VICTIM failed"
# A requeued job, once pending again, waits two minutes before it may start
# again: not here.
for _ in $(seq 300); do
    if [ "$(squeue -h -j "${JOB}_$VICTIM" -o %T 2>/dev/null)" = PENDING ]; then
        scontrol update JobId="${JOB}_$VICTIM" StartTime=now >/dev/null 2>&1 && break
    fi
    sleep 0.2
done
if ! wait "$SBATCH_PID"; then
    SBATCH_PID=""
    fail "after task $VICTIM was requeued, the job array failed: $(cat sbatch.err slurm-*.out 2>/dev/null)"
fi
SBATCH_PID=""
scontrol show job "${JOB}_$VICTIM" | grep -q 'Restarts=[1-9]' ||
    fail "task ${JOB}_$VICTIM was not requeued: $(scontrol show job "${JOB}_$VICTIM")"
[ -e "part-$VICTIM.json.parts" ] && fail "the requeued task left part-$VICTIM.json.parts/ behind"
handoff merge part-*.json -o sweep.csv
cmp unsharded.csv sweep.csv || fail "after a requeued task, the merged job array differs from the unsharded sweep"
say "requeued task: merged parts = unsharded sweep"

# --- 6. A sharded run as a job array: one task cancelled, resubmitted ---------
# README's "one long run" (GNU parallel) as a job array of 2 tasks: each task
# keeps its finished replications, so the cancelled one goes on from them when
# resubmitted; the merged report has the bytes of the unsharded run.
RUN_LINE=$(grep -E '^parallel handoff --threads 1 run scenarios/baseline.toml ' "$ROOT/README.md" | head -1)
[ -n "$RUN_LINE" ] || fail "README.md has no \`parallel handoff --threads 1 run scenarios/baseline.toml …\` line: update $0 with the README"
grep -q -- ' --resume ' <<<"$RUN_LINE" ||
    fail "README's sharded run has no --resume: a cancelled or requeued task would refuse its own kept replications; update $0 with the README"
RUN_CMD=$(sed -e 's/ ::: .*$//' -e 's/^parallel handoff /handoff /' -e 's/{}/$SLURM_ARRAY_TASK_ID/g' <<<"$RUN_LINE")
for part in 'handoff ' '--replications 400 ' '/16 '; do
    [ "$(grep -cF -- "$part" <<<"$RUN_CMD")" = 1 ] || fail "README's sharded run: expected \`$part\` once in: $RUN_CMD; update $0 with the README"
done
RUN_CMD=${RUN_CMD/handoff /\"$HANDOFF\" }
RUN_CMD=${RUN_CMD/--replications 400 /--replications 40 --set simulation.duration=20000d }
RUN_CMD=${RUN_CMD/\/16 /\/2 }
printf '#!/bin/bash\n#SBATCH --job-name=run\n#SBATCH --array=0-1\n#SBATCH --cpus-per-task=1\n#SBATCH --time=00:10:00\n%s\n' "$RUN_CMD" >run-job.sh
say "run job script (README.md's sharded run, as an array):"
sed 's/^/    /' run-job.sh
"$HANDOFF" --threads 1 run scenarios/baseline.toml --replications 40 --set simulation.duration=20000d -q -o unsharded-run.json
rm -f slurm-*.out jobid
sbatch --wait --parsable --output="$WORK/slurm-%A_%a.out" run-job.sh >jobid 2>sbatch.err &
SBATCH_PID=$!
wait_for_kept "run-$VICTIM.json" 'replication-*'
JOB=$(cut -d';' -f1 <jobid)
scancel "${JOB}_$VICTIM"
if wait "$SBATCH_PID"; then
    SBATCH_PID=""
    fail "sbatch --wait succeeded although run task $VICTIM was cancelled"
fi
SBATCH_PID=""
[ -e "run-$VICTIM.json" ] && fail "run task $VICTIM wrote its part although it was cancelled"
kept=$(find "run-$VICTIM.json.parts" -name 'replication-*' | wc -l)
[ "$kept" -ge 1 ] || fail "the cancelled run task kept no replication"
find "run-$VICTIM.json.parts" -type f ! -name 'replication-*' | grep -q . &&
    fail "the cancelled run task left other files: $(ls -a "run-$VICTIM.json.parts")"
say "cancelled run task ${JOB}_$VICTIM with $kept replications kept in run-$VICTIM.json.parts/"
sbatch --wait --quiet --array="$VICTIM" --output="$WORK/slurm-%A_%a.out" run-job.sh ||
    fail "the resubmitted run task failed: $(cat slurm-*.out 2>/dev/null)"
[ -e "run-$VICTIM.json.parts" ] && fail "the resumed run task left run-$VICTIM.json.parts/ behind"
handoff merge run-*.json -o merged-run.json
cmp unsharded-run.json merged-run.json || fail "after a cancelled and resumed run task, the merged report differs from the unsharded run"
say "cancelled + resumed run task: merged parts = unsharded run"
say "OK"
