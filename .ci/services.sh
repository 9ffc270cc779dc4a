# Sourced by .ci/run: installs (Debian packages) and starts PostgreSQL and NATS JetStream if absent.
apt_updated=0
apt_install() {
  if [ $apt_updated = 0 ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

wait_for_port() { # host port name
  for _ in $(seq 1 60); do
    if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  echo "$3 did not start listening on $1:$2" >&2; return 1
}

ensure_postgres() {
  if ! command -v pg_ctlcluster >/dev/null; then apt_install postgresql; fi
  if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
    local ver; ver=$(ls /etc/postgresql | sort -n | tail -1)
    if [ -z "$ver" ]; then
      ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
      pg_createcluster "$ver" main >/dev/null
    fi
    pg_ctlcluster "$ver" main start
  fi
  wait_for_port 127.0.0.1 5432 PostgreSQL
  su postgres -c "psql -q -tc \"SELECT 1 FROM pg_roles WHERE rolname='dendrite'\"" | grep -q 1 ||
    su postgres -c "psql -q -c \"CREATE ROLE dendrite LOGIN SUPERUSER PASSWORD 'dendrite'\""
  su postgres -c "psql -q -tc \"SELECT 1 FROM pg_database WHERE datname='dendrite_test'\"" | grep -q 1 ||
    su postgres -c "createdb -O dendrite dendrite_test"
}

ensure_nats() {
  if ! command -v nats-server >/dev/null; then apt_install nats-server; fi
  if ! (exec 3<>/dev/tcp/127.0.0.1/4222) 2>/dev/null; then
    mkdir -p /tmp/dendrite-ci-nats
    nohup nats-server -js -a 127.0.0.1 -p 4222 -sd /tmp/dendrite-ci-nats >/tmp/dendrite-ci-nats.log 2>&1 &
  fi
  wait_for_port 127.0.0.1 4222 nats-server
}
