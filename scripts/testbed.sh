#!/usr/bin/env bash
# A small internet in network namespaces, for trying Shoal across real
# routers and NATs on one machine (as root). `up` builds it (tearing down any
# earlier one), `down` removes it, `run HOST CMD...` runs a command on a host
# (exec'd: a signal to its pid reaches the command).
#
#   internet  10.77.0.0/24, a bridge in namespace shoal-wan
#     shoal-pub   10.77.0.10   public host: source, tracker, DHT node
#     shoal-rt    10.77.0.1    a router (no NAT) to 10.78.0.0/24
#       shoal-far1 10.78.0.11, shoal-far2 10.78.0.12
#     shoal-nat1  10.77.0.21   home router, port-preserving masquerade
#       shoal-n1a 192.168.1.11, shoal-n1b .12, shoal-n1c .13
#     shoal-nat2  10.77.0.22   the same
#       shoal-n2a 192.168.2.11, shoal-n2b .12, shoal-n2c .13
#     shoal-nat3  10.77.0.23   masquerade with random ports (symmetric-like)
#       shoal-n3a 192.168.3.11, shoal-n3b .12
#     shoal-nat4  11.77.0.24   random ports too, but it forwards ports on
#                              request (miniupnpd: UPnP-IGD and NAT-PMP),
#                              on an address miniupnpd takes for public
#       shoal-n4a 192.168.4.11
#     shoal-nat5  11.77.0.25   the same, UPnP-IGD only
#       shoal-n5a 192.168.5.11
#
# Every home router drops connections from outside that nothing inside
# opened, as home routers do. Links are not rate-limited: a test adds
# `tc qdisc ... tbf` on a host's eth0 where it needs one. Installs iproute2,
# nftables, conntrack and miniupnpd-nftables if missing.
set -euo pipefail

PREFIX=shoal-
HOSTS_NAT1=(n1a n1b n1c)
HOSTS_NAT2=(n2a n2b n2c)
HOSTS_NAT3=(n3a n3b)

need() {
  local missing=()
  command -v ip >/dev/null || missing+=(iproute2)
  command -v nft >/dev/null || missing+=(nftables)
  command -v conntrack >/dev/null || missing+=(conntrack)
  [ -x /usr/sbin/miniupnpd ] || missing+=(miniupnpd-nftables)
  [ ${#missing[@]} -eq 0 ] && return
  echo "testbed: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ns() { echo "${PREFIX}$1"; }
in_ns() { local n=$1; shift; ip netns exec "$(ns "$n")" "$@"; }

new_ns() {
  ip netns add "$(ns "$1")"
  in_ns "$1" ip link set lo up
}

# A veth from host $1 (as eth0 there, address $2/$3) to bridge $5 in namespace $4.
plug() {
  local host=$1 addr=$2 len=$3 where=$4 bridge=$5 ifname=${6:-eth0}
  local peer="v-${host}-${ifname}"
  ip link add name "$peer" type veth peer name "tmp-$host"
  ip link set dev "tmp-$host" netns "$(ns "$host")"
  in_ns "$host" ip link set dev "tmp-$host" name "$ifname"
  in_ns "$host" ip addr add "$addr/$len" dev "$ifname"
  in_ns "$host" ip link set dev "$ifname" up
  ip link set dev "$peer" netns "$(ns "$where")"
  in_ns "$where" ip link set dev "$peer" master "$bridge" up
}

bridge() {  # bridge $2 in namespace $1
  in_ns "$1" ip link add name "$2" type bridge
  in_ns "$1" ip link set dev "$2" up
}

router() {  # $1: name; forwards between its interfaces
  in_ns "$1" sysctl -qw net.ipv4.ip_forward=1
}

# A home router: masquerade out of eth0 (`random`: a new port per
# connection), nothing in that the inside did not open.
home_router() {
  local name=$1 lan=$2 random=${3:-}
  router "$name"
  in_ns "$name" nft -f - <<EOF
table ip nat {
  chain postrouting {
    type nat hook postrouting priority 100;
    oifname "eth0" masquerade $random
  }
}
table inet filter {
  chain forward {
    type filter hook forward priority 0; policy drop;
    ct state established,related accept
    iifname "lan" accept
  }
  chain input {
    type filter hook input priority 0; policy accept;
    iifname "eth0" ct state new drop
  }
}
EOF
  bridge "$name" lan
  in_ns "$name" ip addr add "$lan.1/24" dev lan
}

# A home router that forwards ports on request: UPnP-IGD and NAT-PMP from
# miniupnpd, into chains its nftables backend fills.
upnp_router() {
  local name=$1 lan=$2 natpmp=$3
  router "$name"
  in_ns "$name" nft -f - <<RULES
table inet filter {
  chain forward {
    type filter hook forward priority 0; policy drop;
    ct state established,related accept
    iifname "lan" accept
    jump miniupnpd
  }
  chain miniupnpd {
  }
  chain input {
    type filter hook input priority 0; policy accept;
    iifname "eth0" ct state new drop
  }
}
table inet nat {
  chain prerouting {
    type nat hook prerouting priority -100; policy accept;
    jump prerouting_miniupnpd
  }
  chain postrouting {
    type nat hook postrouting priority 100; policy accept;
    jump postrouting_miniupnpd
    oifname "eth0" masquerade random
  }
  chain prerouting_miniupnpd {
  }
  chain postrouting_miniupnpd {
  }
}
RULES
  bridge "$name" lan
  in_ns "$name" ip addr add "$lan.1/24" dev lan
  local conf="/run/${PREFIX}$name-miniupnpd.conf"
  cat >"$conf" <<CONF
ext_ifname=eth0
listening_ip=lan
http_port=0
enable_natpmp=$natpmp
enable_upnp=yes
secure_mode=yes
system_uptime=yes
upnp_table_name=filter
upnp_nat_table_name=nat
upnp_forward_chain=miniupnpd
upnp_nat_chain=prerouting_miniupnpd
upnp_nat_postrouting_chain=postrouting_miniupnpd
uuid=3d3cec3a-8cf0-11e0-98ee-001a6bd2d07b
allow 1024-65535 $lan.0/24 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
CONF
  in_ns "$name" /usr/sbin/miniupnpd -f "$conf" -P "/run/${PREFIX}$name-miniupnpd.pid" -4
}

down() {
  for n in $(ip netns list | awk '{print $1}' | grep "^${PREFIX}" || true); do
    # Whatever still runs there (a router's daemon, a test's node) goes too.
    for pid in $(ip netns pids "$n"); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns delete "$n"
  done
  # A killed daemon's pid file would keep the next one from starting.
  rm -f /run/"${PREFIX}"*-miniupnpd.pid /run/"${PREFIX}"*-miniupnpd.conf
}

up() {
  need
  down
  new_ns wan
  bridge wan br
  new_ns pub
  plug pub 10.77.0.10 24 wan br
  new_ns rt
  plug rt 10.77.0.1 24 wan br
  router rt
  bridge rt far
  in_ns rt ip addr add 10.78.0.1/24 dev far
  in_ns pub ip route add default via 10.77.0.1
  local i=11
  for h in far1 far2; do
    new_ns "$h"
    plug "$h" "10.78.0.$i" 24 rt far
    in_ns "$h" ip route add default via 10.78.0.1
    i=$((i + 1))
  done
  in_ns rt ip addr add 11.77.0.1/24 dev eth0
  for k in 4 5; do
    new_ns "nat$k"
    plug "nat$k" "11.77.0.2$k" 24 wan br
    in_ns "nat$k" ip route add default via 11.77.0.1
    upnp_router "nat$k" "192.168.$k" "$([ "$k" = 4 ] && echo yes || echo no)"
    new_ns "n${k}a"
    plug "n${k}a" "192.168.$k.11" 24 "nat$k" lan
    in_ns "n${k}a" ip route add default via "192.168.$k.1"
  done
  for k in 1 2 3; do
    new_ns "nat$k"
    plug "nat$k" "10.77.0.2$k" 24 wan br
    in_ns "nat$k" ip route add default via 10.77.0.1
    home_router "nat$k" "192.168.$k" "$([ "$k" = 3 ] && echo random)"
    local -n hosts="HOSTS_NAT$k"
    i=11
    for h in "${hosts[@]}"; do
      new_ns "$h"
      plug "$h" "192.168.$k.$i" 24 "nat$k" lan
      in_ns "$h" ip route add default via "192.168.$k.1"
      i=$((i + 1))
    done
  done
}

[ "$(id -u)" -eq 0 ] || { echo "testbed: needs root (network namespaces)" >&2; exit 2; }
case "${1:-}" in
  up) up ;;
  down) down ;;
  run) shift; host=$1; shift; exec ip netns exec "$(ns "$host")" "$@" ;;
  *) echo "usage: $0 up | down | run HOST CMD..." >&2; exit 2 ;;
esac
