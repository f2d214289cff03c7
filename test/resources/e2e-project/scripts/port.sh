#!/bin/sh
# The loopback port of a colour.
case "$1" in
  blue) echo "$E2E_BLUE_PORT" ;;
  green) echo "$E2E_GREEN_PORT" ;;
  *) echo "unknown colour $1" >&2; exit 2 ;;
esac
