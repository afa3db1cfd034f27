#!/usr/bin/env bash
# Solves "Push five tagged images", oldest first; tags already in the repository are not pushed again
# (a rebuild would be a new image and upset the push order the policy counts on).
set -euo pipefail
cd ~
uri=$(aws ecr describe-repositories --repository-names lifecycle-demo --query 'repositories[0].repositoryUri' --output text)
for v in prod-1 prod-2 prod-3 dev-1 dev-2; do
  if aws ecr describe-images --repository-name lifecycle-demo --image-ids imageTag="$v" >/dev/null 2>&1; then continue; fi
  echo "$v" >version.txt
  docker build -q -t "$uri:$v" . >/dev/null
  docker push -q "$uri:$v"
done
