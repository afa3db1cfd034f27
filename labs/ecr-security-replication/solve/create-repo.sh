#!/usr/bin/env bash
# Solves "Create the repository and log in": secure-web with scan on push.
set -euo pipefail
if aws ecr describe-repositories --repository-names secure-web >/dev/null 2>&1; then
  aws ecr put-image-scanning-configuration --repository-name secure-web --image-scanning-configuration scanOnPush=true >/dev/null
else
  aws ecr create-repository --repository-name secure-web --image-scanning-configuration scanOnPush=true >/dev/null
fi
uri=$(aws ecr describe-repositories --repository-names secure-web --query 'repositories[0].repositoryUri' --output text)
aws ecr get-login-password | docker login --username AWS --password-stdin "${uri%%/*}"
