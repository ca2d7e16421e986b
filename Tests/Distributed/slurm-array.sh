#!/usr/bin/env bash
# The README's Slurm array recipe ("Past one machine"), end to end on a one-node Slurm cluster that
# this script starts: Debian's slurm-wlm (installed here when missing and running as root), a
# slurm.conf for localhost with no cgroups and no munge (auth/none), slurmctld and slurmd in the
# foreground under their own process ids. The README's batch script is submitted as shown, with a
# short sweep in place of signals.yaml (Tests/Distributed/slurm-sweep.yaml: 12 jobs) and one CPU a
# task; its shards run as array tasks, the README's `merge` joins them, and the merged store must
# equal the unsharded sweep's (Tests/Distributed/compare_stores.py).
#
# Runs as root or as any user (the daemons run as the caller, jobs too). Skipped, with the reason,
# where Slurm is missing and cannot be installed (apt-get, as root) or its daemons do not come up.
# Usage: Tests/Distributed/slurm-array.sh PATH/TO/headroom
set -euo pipefail

binary=$(realpath "${1:?usage: $0 PATH/TO/headroom}")
root=$(cd "$(dirname "$0")/../.." && pwd)
skip() { echo "slurm-array: SKIPPED: $*"; exit 0; }
fail() { echo "slurm-array: FAILED: $*" >&2; exit 1; }

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "slurm-array: installing slurm-wlm"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm; } >/dev/null 2>&1 \
      || skip "apt-get could not install slurm-wlm"
  else
    skip "Slurm is not installed (as root: apt-get install slurm-wlm)"
  fi
fi
[ -e /usr/lib/x86_64-linux-gnu/slurm-wlm/auth_none.so ] || ls /usr/lib/*/slurm*/auth_none.so >/dev/null 2>&1 \
  || skip "this Slurm has no auth/none plugin"

work=$(mktemp -d "${TMPDIR:-/tmp}/headroom-slurm.XXXXXX")
pids=()
cleanup() {
  # Jobs first (their processes belong to slurmd's job steps), then the daemons.
  if [ -s "$work/job-id" ]; then
    scancel "$(cat "$work/job-id")" 2>/dev/null || true
    for _ in $(seq 1 20); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.5; done
  fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "${keep:-0}" = 1 ]; then echo "slurm-array: logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
mkdir -p "$work/state" "$work/spool" "$work/bin" "$work/run/results"
ln -s "$binary" "$work/bin/headroom"

# Two free TCP ports (another cluster, or another run of this test, may hold the defaults).
read -r ctld_port slurmd_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
host=$(hostname -s)
user=$(id -un)
cpus=$(nproc)
export SLURM_CONF="$work/slurm.conf"
cat > "$SLURM_CONF" <<EOF
ClusterName=headroom-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/none
CredType=cred/none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
NodeName=headroom-node NodeHostname=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=headroom-node Default=YES MaxTime=INFINITE State=UP
EOF

slurmctld -D -i -f "$SLURM_CONF" >"$work/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -N headroom-node -f "$SLURM_CONF" >"$work/slurmd.out" 2>&1 &
pids+=($!)
state="" exited=""
for _ in $(seq 1 60); do
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || exited=1; done
  [ -n "$exited" ] && break
  state=$(timeout 5 sinfo -h -N -o %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 0.5
done
if [ "$state" != idle ]; then
  for log in slurmctld.out slurmctld.log slurmd.out slurmd.log; do
    [ -s "$work/$log" ] && { echo "--- $log:"; tail -n 5 "$work/$log"; }
  done
  skip "the Slurm daemons did not come up (${exited:+one exited; }node state '${state:-none}')"
fi
echo "slurm-array: one-node cluster up ($cpus CPUs, slurm $(sinfo -V | awk '{print $2}'))"

# The README's batch script, as shown, on the short sweep. Each substitution must match, so a
# README change that this test no longer covers fails here rather than passing unnoticed.
readme_block() { awk -v start="$1" '$0 ~ start {f=1} f && /^```sh/ {g=1; next} g && /^```/ {exit} g {print}' "$root/README.md"; }
script=$(readme_block "As a Slurm array")
[ -n "$script" ] || fail "no \`\`\`sh block after 'As a Slurm array' in README.md"
substitute() {
  grep -qF -- "$1" <<<"$script" || fail "README's Slurm script no longer contains '$1'"
  script=${script//"$1"/"$2"}
}
substitute "scenarios/sweeps/signals.yaml" "$root/Tests/Distributed/slurm-sweep.yaml"
substitute "--cpus-per-task=16" "--cpus-per-task=1 --output=$work/task-%a.out"
substitute "--jobs 16" "--jobs 1"
merge=$(sed -n 's/^# afterwards: //p' <<<"$script")
[ -n "$merge" ] || fail "README's Slurm script has no '# afterwards: headroom merge ...' line"
printf '%s\n' "$script" >"$work/job.sh"
shards=$(grep -o -- '--shards [0-9]*' "$work/job.sh" | awk '{print $2}')

cd "$work/run"
export PATH="$work/bin:$PATH"
echo "slurm-array: sbatch --wait job.sh ($shards array tasks)"
if ! timeout 150 sbatch --wait --parsable --chdir="$work/run" "$work/job.sh" >"$work/job-id"; then
  keep=1
  tail -n 20 "$work"/task-*.out "$work/slurmctld.log" 2>/dev/null || true
  fail "the array job failed or timed out"
fi
written=$(ls results/shard-*.sqlite 2>/dev/null | wc -l)
[ "$written" = "$shards" ] || { keep=1; fail "$written shard stores for $shards array tasks"; }
echo "slurm-array: $written shard stores, one per array task; $merge"
eval "$merge"
headroom sweep "$root/Tests/Distributed/slurm-sweep.yaml" --db "$work/unsharded.sqlite" >/dev/null
python3 "$root/Tests/Distributed/compare_stores.py" "$work/unsharded.sqlite" results/all.sqlite || { keep=1; fail "the merged store differs from the unsharded sweep's"; }
echo "slurm-array: passed"
