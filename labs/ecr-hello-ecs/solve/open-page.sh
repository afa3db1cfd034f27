#!/usr/bin/env bash
# Solves "Open the page": the running task's page.
set -euo pipefail
cd ~
curl -sS --fail --max-time 5 "$(bash task-url.sh hello-cluster hello-ecs)" | tee page.html
