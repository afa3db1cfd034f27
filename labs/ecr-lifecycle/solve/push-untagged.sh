#!/usr/bin/env bash
# Solves "Make an untagged image": pushes dev-2 again with new content, unless an untagged image exists.
set -euo pipefail
cd ~
untagged=$(aws ecr list-images --repository-name lifecycle-demo --filter tagStatus=UNTAGGED --query 'length(imageIds)' --output text)
if [[ $untagged -eq 0 ]]; then
  uri=$(aws ecr describe-repositories --repository-names lifecycle-demo --query 'repositories[0].repositoryUri' --output text)
  echo "dev-2, with a fix" >version.txt
  docker build -q -t "$uri:dev-2" . >/dev/null
  docker push -q "$uri:dev-2"
fi
aws ecr list-images --repository-name lifecycle-demo --filter tagStatus=UNTAGGED --output text
