#!/usr/bin/env bash
# A single-node Slurm for tests, from Debian's packages, on a machine without systemd or cgroups
# (what was found to work is in docs/cluster.md). Installs nothing and changes nothing outside DIR:
# its own munge key and socket, its own slurm.conf, state, spool, logs and pid files, and two free
# TCP ports. Client commands find it through SLURM_CONF (DIR/env.sh exports it).
#
#   scripts/slurm.sh up [DIR]    start munged, slurmctld and slurmd; wait until the node is idle;
#                                print DIR (a fresh temp folder when not given) as the last line
#   scripts/slurm.sh down DIR    cancel every job, then stop the daemons by their recorded pids
#                                (SIGTERM, SIGKILL after 10 s); DIR is kept (logs), remove it yourself
#
# Exit codes of `up`: 0 the node is idle; 3 the packages are missing; 4 not root; 1 a daemon did not
# start (the message names it and its log). On failure `up` stops what it started.
set -euo pipefail

die() {
  echo "slurm.sh: $2" >&2
  exit "$1"
}

# Wait up to $1 tenths of a second for the command "$2..." to succeed.
wait_for() {
  local n=$1
  shift
  while ((n-- > 0)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  return 1
}

# A TCP port nothing listens on, from $1 upwards (a refused connection means free).
free_port() {
  local p=$1
  while ((p < $1 + 200)); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
    p=$((p + 1))
  done
  return 1
}

# The pid recorded in $DIR/run/$1.pid, if that process is still alive.
live_pid() {
  local file="$DIR/run/$1.pid" pid
  [[ -s $file ]] || return 1
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# Stop daemons by the pids recorded in $DIR/run/NAME.pid: SIGTERM to each one's process group (each
# was started as a session leader), SIGKILL after 10 s. Never looks processes up by name.
stop_daemons() {
  local name pid pids=() n
  for name in "$@"; do
    if pid=$(live_pid "$name"); then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  for pid in "${pids[@]}"; do
    n=100
    while kill -0 "$pid" 2>/dev/null && ((n-- > 0)); do sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "slurm.sh: pid $pid ignored SIGTERM for 10 s; SIGKILL" >&2
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  for name in "$@"; do rm -f "$DIR/run/$name.pid"; done
}

down() {
  [[ -d $DIR/run ]] || die 2 "$DIR has no run/ folder: not a folder made by 'slurm.sh up'"
  export SLURM_CONF="$DIR/slurm.conf" PATH="$PATH:/usr/sbin"
  if [[ -f $SLURM_CONF ]] && live_pid slurmctld >/dev/null; then
    # Cancel first, so that no slurmstepd outlives slurmd; give the steps a moment to end.
    scancel --quiet --user="$(id -un)" 2>/dev/null || true
    wait_for 50 bash -c '[[ -z $(squeue -h 2>/dev/null) ]]' || true
  fi
  stop_daemons slurmd slurmctld
  # munged last: the Slurm daemons authenticate through it until they are gone.
  stop_daemons munged
}

up() {
  for bin in munged mungekey slurmctld slurmd sbatch squeue scontrol sinfo; do
    command -v "$bin" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin" command -v "$bin" >/dev/null 2>&1 ||
      die 3 "$bin is missing (apt-get install --no-install-recommends slurmctld slurmd slurm-client munge)"
  done
  export PATH="$PATH:/usr/sbin"
  # The daemons run as root here (SlurmUser=root) and munged as the munge user: both need root.
  [[ $(id -u) == 0 ]] || die 4 "must run as root to start munged and slurmd (uid is $(id -u))"
  id munge >/dev/null 2>&1 || die 3 "the munge user is missing (apt-get install munge)"
  # A fresh temp folder only now that the checks passed (nothing is left behind when they fail).
  [[ -n $DIR ]] || DIR=$(mktemp -d "${TMPDIR:-/tmp}/augsal-slurm.XXXXXX")

  mkdir -p "$DIR"
  DIR=$(cd "$DIR" && pwd)
  [[ ! -e $DIR/slurm.conf ]] || die 2 "$DIR already holds a slurm.conf: start from a fresh folder"
  mkdir -p "$DIR"/{state,spool,log,run,munge}
  # munged wants its socket's folders searchable by all and writable by no one else (/tmp's sticky
  # bit is accepted); the key inside is the munge user's alone (0600).
  chmod 755 "$DIR"
  chown munge:munge "$DIR/munge"
  chmod 711 "$DIR/munge"
  # From here on, any failure stops what was started.
  trap 'rc=$?; if ((rc != 0)); then echo "slurm.sh: start failed; stopping what was started (logs in $DIR/log)" >&2; down || true; fi' EXIT

  # munge, with its own key and socket, so a munged already on the machine is neither used nor touched.
  runuser -u munge -- mungekey --create --keyfile="$DIR/munge/munge.key" --bits=1024 >/dev/null
  setsid runuser -u munge -- munged --foreground --socket="$DIR/munge/munge.socket" \
    --key-file="$DIR/munge/munge.key" --pid-file="$DIR/munge/munged.pid" \
    --seed-file="$DIR/munge/munged.seed" --log-file="$DIR/munge/munged.log" \
    </dev/null >"$DIR/log/munged.out" 2>&1 &
  echo $! >"$DIR/run/munged.pid"
  wait_for 100 bash -c "munge -S '$DIR/munge/munge.socket' -n | unmunge -S '$DIR/munge/munge.socket'" ||
    { cat "$DIR/log/munged.out" "$DIR/munge/munged.log" >&2 2>/dev/null || true; false; }

  local node cpus_line mem ctl_port d_port
  cpus_line=$(slurmd -C | head -n 1)
  node=$(sed -E 's/^NodeName=([^ ]+).*/\1/' <<<"$cpus_line")
  mem=$(sed -E 's/.*RealMemory=([0-9]+).*/\1/' <<<"$cpus_line")
  # 85% of the measured memory: a node reporting less than its configured RealMemory is drained.
  cpus_line=$(sed -E "s/RealMemory=[0-9]+/RealMemory=$((mem * 85 / 100))/" <<<"$cpus_line")
  ctl_port=$(free_port "${SLURM_TEST_PORT:-6817}")
  d_port=$(free_port $((ctl_port + 1)))

  cat >"$DIR/slurm.conf" <<EOF
# Written by scripts/slurm.sh for tests: one node, no cgroups, no accounting database.
ClusterName=augsal-test
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmctldPort=$ctl_port
SlurmdPort=$d_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge/munge.socket
MpiDefault=none
MailProg=/bin/true
# No cgroups on these machines: track processes through /proc, no task binding, no accounting
# gather (so --mem is scheduled against RealMemory but not enforced).
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# No slurmdbd, so no sacct: one line per finished job or array task, with its state and exit code.
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/log/jobcomp.txt
# Finished jobs stay in 'scontrol show job' this long.
MinJobAge=600
# The default 3 s delay makes every wave of array tasks wait for a scheduling pass.
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
InactiveLimit=0
KillWait=5
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.daemon.pid
SlurmdPidFile=$DIR/run/slurmd.daemon.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
$cpus_line NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
  printf 'export SLURM_CONF=%q\nexport PATH="$PATH:/usr/sbin"\n' "$DIR/slurm.conf" >"$DIR/env.sh"
  export SLURM_CONF="$DIR/slurm.conf"

  setsid slurmctld -D -f "$SLURM_CONF" </dev/null >"$DIR/log/slurmctld.out" 2>&1 &
  echo $! >"$DIR/run/slurmctld.pid"
  wait_for 150 bash -c 'scontrol ping | grep -q UP' ||
    { tail -n 20 "$DIR/log/slurmctld.log" "$DIR/log/slurmctld.out" >&2 || true; die 1 "slurmctld did not come up"; }

  setsid slurmd -D -N "$node" -f "$SLURM_CONF" </dev/null >"$DIR/log/slurmd.out" 2>&1 &
  echo $! >"$DIR/run/slurmd.pid"
  wait_for 300 bash -c "sinfo -h -n '$node' -o %T | grep -qx idle" ||
    { tail -n 20 "$DIR/log/slurmd.log" "$DIR/log/slurmd.out" >&2 || true; sinfo -N -l >&2 || true; \
      die 1 "slurmd did not bring node $node to idle"; }
  trap - EXIT
  echo "$DIR"
}

cmd=${1:-}
case $cmd in
up)
  DIR=${2:-}
  up
  ;;
down)
  [[ -n ${2:-} ]] || die 2 "usage: slurm.sh down DIR"
  DIR=$(cd "$2" && pwd)
  down
  ;;
*) die 2 "usage: slurm.sh up [DIR] | slurm.sh down DIR" ;;
esac
