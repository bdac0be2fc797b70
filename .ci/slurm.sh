#!/usr/bin/env bash
# A one-node SLURM cluster on this machine for tests/slurm.rs (a real job array), started
# without systemd: Debian's slurmctld, slurmd, slurm-client and munge are installed when
# missing, munged runs as the munge user, then `slurmctld -c` and `slurmd` as daemons.
#
# The node is this machine as `slurmd -C` describes it (CPUs, memory), in one partition
# `debug` with no time limit. Process tracking reads /proc (proctrack/linuxproc) and tasks
# are not bound (task/none), so neither cgroups nor systemd are needed; memory is a
# scheduling figure only. The configuration goes to /etc/slurm/slurm.conf only when that file
# is absent or was written by this script; a machine's own SLURM is used as it is.
#
# Idempotent: when the cluster already answers with an idle node, nothing is done.
# Exit 0 once `sinfo` shows the node idle (or mixed/allocated), else 1 with the daemons' logs.
set -euo pipefail

marker="# written by needlesim .ci/slurm.sh"
conf=/etc/slurm/slurm.conf
state_dir=/var/lib/slurm/slurmctld
spool_dir=/var/lib/slurm/slurmd
log_dir=/var/log/slurm

node_ready() {
  local s
  s=$(timeout 10 sinfo -h -N -o '%t' 2>/dev/null | head -n1) || return 1
  case "$s" in idle | mix | alloc | comp) return 0 ;; *) return 1 ;; esac
}

if command -v sinfo >/dev/null 2>&1 && node_ready; then
  echo "slurm: already running ($(sinfo -h -N -o '%N %t %c CPUs %m MB'))"
  exit 0
fi

need_apt=()
command -v slurmctld >/dev/null 2>&1 || need_apt+=(slurmctld)
command -v slurmd >/dev/null 2>&1 || need_apt+=(slurmd)
command -v sbatch >/dev/null 2>&1 || need_apt+=(slurm-client)
command -v munged >/dev/null 2>&1 || need_apt+=(munge)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

# munge: the key the package made (or a new one), then the daemon as its own user.
mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
[ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
chown munge:munge /etc/munge /etc/munge/munge.key /run/munge /var/lib/munge /var/log/munge
chmod 0700 /etc/munge /var/lib/munge /var/log/munge
chmod 0755 /run/munge
chmod 0400 /etc/munge/munge.key
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 1 50); do
    munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
    sleep 0.2
  done
  munge -n | unmunge >/dev/null
fi

# slurm.conf for this one node (root runs both daemons: nothing to chown for a CI machine).
host=$(hostname -s)
node_line=$(slurmd -C | grep '^NodeName=' | sed "s/^NodeName=[^ ]*/NodeName=$host NodeAddr=127.0.0.1/")
mkdir -p /etc/slurm "$state_dir" "$spool_dir" "$log_dir"
if [ ! -e "$conf" ] || head -n1 "$conf" | grep -qF "$marker"; then
  cat >"$conf" <<EOF
$marker
ClusterName=needlesim-ci
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$state_dir
SlurmdSpoolDir=$spool_dir
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$log_dir/slurmctld.log
SlurmdLogFile=$log_dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/builtin
ReturnToService=2
SlurmdTimeout=60
InactiveLimit=0
KillWait=5
MaxArraySize=1001
$node_line State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  cat >/etc/slurm/cgroup.conf <<EOF
$marker
IgnoreSystemd=yes
EOF
fi

pgrep -x slurmctld >/dev/null || slurmctld -c
pgrep -x slurmd >/dev/null || slurmd

for _ in $(seq 1 60); do
  if node_ready; then
    echo "slurm: one-node cluster up ($(sinfo -h -N -o '%N %t %c CPUs %m MB'))"
    exit 0
  fi
  # A node left down or drained by an earlier run comes back (ReturnToService=2 covers a
  # fresh registration, not a drain).
  state=$(timeout 10 sinfo -h -N -o '%t' 2>/dev/null | head -n1 || true)
  case "$state" in drain* | down* | drng*) scontrol update NodeName="$host" State=RESUME 2>/dev/null || true ;; esac
  sleep 1
done

echo "slurm: the node did not become idle; sinfo says:" >&2
sinfo -N -l >&2 || true
tail -n 30 "$log_dir/slurmctld.log" "$log_dir/slurmd.log" >&2 || true
exit 1
