#!/usr/bin/env bash
# Solves "Create the repository": myrepo with scan on push (creates it, or turns scanning on).
set -euo pipefail
if aws ecr describe-repositories --repository-names myrepo >/dev/null 2>&1; then
  aws ecr put-image-scanning-configuration --repository-name myrepo --image-scanning-configuration scanOnPush=true >/dev/null
else
  aws ecr create-repository --repository-name myrepo --image-scanning-configuration scanOnPush=true >/dev/null
fi
