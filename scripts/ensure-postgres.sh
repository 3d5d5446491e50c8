#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 for the test run. Writes the outcome to
# .postgres-state. Under CI=true a missing server is an error, never a silent skip.
set -uo pipefail
up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if ! up && command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  for v in $(ls /etc/postgresql); do pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || true; done
  for _ in $(seq 1 30); do up && break; sleep 0.5; done
fi
if up; then
  echo up > .postgres-state
else
  echo down > .postgres-state
  if [ "${CI:-}" = "true" ]; then
    echo "PostgreSQL is required in CI and is not reachable on 127.0.0.1:5432" >&2
    exit 1
  fi
fi
