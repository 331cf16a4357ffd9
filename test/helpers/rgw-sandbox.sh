#!/usr/bin/env bash
# A throwaway single-node Ceph cluster on 127.0.0.1 serving S3 through the RADOS Gateway:
# one monitor, one OSD on memstore (objects live in RAM, nothing touches a disk but the
# monitor's small store), one radosgw with the beast frontend. For tests and benchmarks.
#
#   rgw-sandbox.sh start DIR MON_PORT RGW_PORT [MEMSTORE_MIB]   prints "ready ACCESS SECRET" when S3 answers
#   rgw-sandbox.sh start-gateway DIR                              (again, after stop-gateway)
#   rgw-sandbox.sh stop-gateway DIR                               kill -9 the gateway only (its data stays)
#   rgw-sandbox.sh stop DIR                                       every daemon, then DIR is removed
#
# cephx stays on: with "auth none" the daemons hang on this version. Every daemon writes its
# pid file in DIR/run, which is how stop finds exactly the processes this script started.
set -euo pipefail

cmd=$1 dir=$2
conf=$dir/ceph.conf
ceph_() { timeout 30 ceph -c "$conf" -n client.admin "$@"; }

start_gateway() {
  radosgw -c "$conf" -n client.rgw.sandbox --pid-file "$dir/run/rgw.pid" >/dev/null 2>&1
  local port
  port=$(sed -n 's/.*endpoint=127.0.0.1:\([0-9]*\).*/\1/p' "$conf")
  for _ in $(seq 1 600); do
    # Any HTTP answer (403 for an anonymous list) means the gateway serves requests.
    if curl -s -o /dev/null -m 2 "http://127.0.0.1:$port/"; then return 0; fi
    sleep 0.1
  done
  echo "radosgw did not answer on 127.0.0.1:$port; see $dir/log/client.rgw.sandbox.log" >&2
  return 1
}

stop_pidfile() {
  local f=$1 pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f" 2>/dev/null || true)
  rm -f "$f"
  [ -n "$pid" ] || return 0
  kill -9 "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.05; done
}

case $cmd in
start)
  mon_port=$3 rgw_port=$4 mem_mib=${5:-1024}
  mkdir -p "$dir/run" "$dir/log" "$dir/mon.a" "$dir/osd.0"
  fsid=$(cat /proc/sys/kernel/random/uuid)
  cat >"$conf" <<CONF
[global]
fsid = $fsid
keyring = $dir/all.keyring
mon host = [v2:127.0.0.1:$mon_port]
mon initial members = a
public network = 127.0.0.1/32
ms bind ipv6 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
run dir = $dir/run
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
pid file = $dir/run/\$name.pid
debug ms = 0
debug rgw = 0
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon max pg per osd = 1000
mon data avail warn = 1
mon data avail crit = 0
mon warn on pool no redundancy = false
[mon.a]
mon data = $dir/mon.a
[osd]
osd data = $dir/osd.\$id
osd objectstore = memstore
memstore device bytes = $((mem_mib * 1024 * 1024))
osd crush initial weight = 1
osd max object name len = 460
osd max object namespace len = 64
[client.rgw.sandbox]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
rgw dns name = 127.0.0.1
rgw thread pool size = 64
log file = $dir/log/client.rgw.sandbox.log
CONF
  ceph-authtool --create-keyring "$dir/mon.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool --create-keyring "$dir/admin.keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
  ceph-authtool --create-keyring "$dir/osd.keyring" --gen-key -n osd.0 --cap mon 'allow profile osd' --cap osd 'allow *' --cap mgr 'allow profile osd' >/dev/null
  ceph-authtool --create-keyring "$dir/rgw.keyring" --gen-key -n client.rgw.sandbox --cap mon 'allow rw' --cap osd 'allow rwx' --cap mgr 'allow rw' >/dev/null
  cp "$dir/mon.keyring" "$dir/all.keyring"
  for k in admin osd rgw; do ceph-authtool "$dir/all.keyring" --import-keyring "$dir/$k.keyring" >/dev/null; done
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$dir/monmap" >/dev/null
  ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/all.keyring" >/dev/null 2>&1
  ceph-mon -c "$conf" -i a
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  ceph_ osd new "$osd_uuid" 0 >/dev/null
  ceph-osd -c "$conf" -i 0 --mkfs --osd-uuid "$osd_uuid" >/dev/null 2>&1
  ceph-osd -c "$conf" -i 0
  access=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
  secret=$(head -c 30 /dev/urandom | base64 | tr -d '/+=\n')
  start_gateway
  timeout 60 radosgw-admin -c "$conf" -n client.admin user create --uid sandbox --display-name sandbox \
    --access-key "$access" --secret-key "$secret" >/dev/null
  echo "ready $access $secret"
  ;;
start-gateway)
  start_gateway
  ;;
stop-gateway)
  stop_pidfile "$dir/run/rgw.pid"
  ;;
stop)
  stop_pidfile "$dir/run/rgw.pid"
  stop_pidfile "$dir/run/osd.0.pid"
  stop_pidfile "$dir/run/mon.a.pid"
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|start-gateway|stop-gateway|stop DIR …" >&2
  exit 2
  ;;
esac
