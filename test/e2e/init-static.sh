#!/usr/bin/env bash
# Provisioning step "init" of a standalone (kubelet-only) VM.
set -euo pipefail
NODEADM=${NODEADM:-/nodeadm/bin/nodeadm.js}
read -r -a extra <<<"${NODEADM_EXTRA:-}"
version=()
if [ -n "${NODEADM_K8S:-}" ]; then version=(--kubernetes-version "$NODEADM_K8S"); fi
node "$NODEADM" init --standalone --yes --prepare-host "${version[@]}" "${extra[@]}"
