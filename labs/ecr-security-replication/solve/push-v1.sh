#!/usr/bin/env bash
# Solves "Push version v1" (BASE: another base image, e.g. httpd:2.4 on real AWS).
set -euo pipefail
cd ~
uri=$(aws ecr describe-repositories --repository-names secure-web --query 'repositories[0].repositoryUri' --output text)
if ! aws ecr describe-images --repository-name secure-web --image-ids imageTag=v1 >/dev/null 2>&1; then
  docker build -q ${BASE:+--build-arg BASE="$BASE"} -t "$uri:v1" .
  docker push -q "$uri:v1"
fi
