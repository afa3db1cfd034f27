#!/usr/bin/env bash
# Solves "Create the repository and log in".
set -euo pipefail
aws ecr describe-repositories --repository-names lifecycle-demo >/dev/null 2>&1 ||
  aws ecr create-repository --repository-name lifecycle-demo >/dev/null
uri=$(aws ecr describe-repositories --repository-names lifecycle-demo --query 'repositories[0].repositoryUri' --output text)
aws ecr get-login-password | docker login --username AWS --password-stdin "${uri%%/*}"
