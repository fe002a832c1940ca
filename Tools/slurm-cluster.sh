#!/usr/bin/env bash
# A real one-node Slurm cluster on this machine, for testing job-array sweeps.
#
#   bash Tools/slurm-cluster.sh install          # Debian packages (root or sudo)
#   eval "$(bash Tools/slurm-cluster.sh start DIR)"   # start; prints `export SLURM_CONF=...`
#   bash Tools/slurm-cluster.sh status DIR
#   bash Tools/slurm-cluster.sh stop DIR         # stops every daemon it started
#
# Everything (munge key and socket, slurm.conf, state, spool, logs, pid files) lives in DIR;
# nothing under /etc is written. The node gets this machine's real core count and memory
# (less 1 GiB). Daemons run as root (Slurm's `SlurmUser=root`), as in a container without
# systemd. Uses ports 16817/16818 unless SLURM_CTLD_PORT / SLURMD_PORT say otherwise.
set -euo pipefail

die() { echo "slurm-cluster: $*" >&2; exit 1; }

cmd="${1:-}"; dir="${2:-}"
packages=(slurmctld slurmd slurm-client munge)

install_packages() {
  local missing=() sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "slurm-cluster: installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

need_dir() {
  [ -n "$dir" ] || die "usage: $0 $cmd DIR"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
}

start() {
  need_dir
  for b in munged slurmctld slurmd sinfo sbatch; do
    command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || die "$b not found: run '$0 install' first"
  done
  export PATH="$PATH:/usr/sbin"
  [ "$(id -u)" = 0 ] || die "the daemons must run as root (SlurmUser=root)"
  local host cpus mem_mib
  host="$(hostname -s)"
  cpus="$(nproc)"
  mem_mib=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
  [ "$mem_mib" -gt 256 ] || mem_mib=256
  mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log" "$dir/out" /run/munge
  chmod 700 "$dir/munge"
  if [ ! -f "$dir/munge/munge.key" ]; then
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$dir/munge/munge.key"
  fi
  munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" \
    --seed-file="$dir/munge/seed" --force
  cat > "$dir/slurm.conf" <<EOF
ClusterName=local
SlurmctldHost=$host
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CryptoType=crypto/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=${SLURM_CTLD_PORT:-16817}
SlurmdPort=${SLURMD_PORT:-16818}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
NodeName=$host CPUs=$cpus RealMemory=$mem_mib State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF="$dir/slurm.conf"
  slurmctld -f "$SLURM_CONF"
  slurmd -f "$SLURM_CONF"
  local i
  for i in $(seq 1 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
      echo "export SLURM_CONF=$SLURM_CONF"
      echo "slurm-cluster: node $host ($cpus CPUs, $mem_mib MiB) is up; state in $dir" >&2
      return 0
    fi
    sleep 0.5
  done
  echo "slurm-cluster: the node did not come up; logs:" >&2
  tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
  stop_daemons
  exit 1
}

stop_daemons() {
  local pidfile pid
  for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
    [ -f "$pidfile" ] || continue
    pid="$(cat "$pidfile" 2>/dev/null || true)"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
}

case "$cmd" in
  install) install_packages ;;
  start) start ;;
  stop) need_dir; stop_daemons; echo "slurm-cluster: stopped ($dir)" >&2 ;;
  status) need_dir; SLURM_CONF="$dir/slurm.conf" sinfo; SLURM_CONF="$dir/slurm.conf" squeue ;;
  *) die "usage: $0 install | start DIR | status DIR | stop DIR" ;;
esac
