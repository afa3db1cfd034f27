#!/usr/bin/env bash
# Solves "Tag and push the image".
set -euo pipefail
uri=$(aws ecr describe-repositories --repository-names myrepo --query 'repositories[0].repositoryUri' --output text)
docker tag myrepo:latest "$uri:latest"
docker push "$uri:latest"
