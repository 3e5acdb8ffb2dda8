#!/bin/sh
# Secrets reach the container as files; the peer and the PostgreSQL client read them from the environment.
# VAR_FILE names a file whose content (without its trailing newline) becomes VAR, as the postgres image does.
set -eu

from_file() {
  name="$1"
  eval "file=\${${name}_FILE:-}"
  if [ -n "$file" ]; then
    value=$(cat "$file")
    export "$name=$value"
    unset "${name}_FILE"
  fi
}

from_file COKEN_KEYSTORE_PASSPHRASE
from_file PGPASSWORD
exec "$@"
