#!/bin/sh
# After the switch: the public address (nginx) must answer from the new colour within 5 s,
# and keep answering from it for a second of observation.
# E2E_VERIFY_FAIL=1 makes the check fail afterwards, as a failed post-deployment check would.
set -eu
i=0
until curl -fsS "http://127.0.0.1:$E2E_NGINX_PORT/" | grep -q "^$1 "; do
  i=$((i + 1))
  if [ "$i" -ge 50 ]; then echo "verify: nginx does not answer from $1" >&2; exit 1; fi
  sleep 0.1
done
sleep 1
curl -fsS "http://127.0.0.1:$E2E_NGINX_PORT/" | grep "^$1 "
if [ "${E2E_VERIFY_FAIL:-0}" = 1 ]; then
  echo "verify: failing on purpose (E2E_VERIFY_FAIL=1)" >&2
  exit 1
fi
