#!/usr/bin/env bash
# Creates the unprivileged local user that the attack tests run their clients as
# (tests/support/test_user.h). Run once, by the CTest fixture `hfd_test_user`, before any
# test that needs it, so two tests never run useradd at once. Needs root; without root
# it says so and succeeds, and the tests that need the user then skip (or fail under
# CI=true, which runs as root).
set -euo pipefail
name=hfd-test-peer
if getent passwd "$name" >/dev/null; then
  echo "test user $name exists"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "not root: cannot create test user $name; tests that act as another user will skip"
  exit 0
fi
useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
  --user-group "$name"
echo "created test user $name ($(id "$name"))"
