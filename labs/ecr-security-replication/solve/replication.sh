#!/usr/bin/env bash
# Solves "Replicate to us-west-2": the rule, then v2 pushed after it, then waits until v2 is in us-west-2.
set -euo pipefail
cd ~
account=$(aws ecr describe-registry --query registryId --output text)
aws ecr put-replication-configuration --replication-configuration \
  "{\"rules\":[{\"destinations\":[{\"region\":\"us-west-2\",\"registryId\":\"$account\"}],\"repositoryFilters\":[{\"filter\":\"secure-web\",\"filterType\":\"PREFIX_MATCH\"}]}]}" >/dev/null
uri=$(aws ecr describe-repositories --repository-names secure-web --query 'repositories[0].repositoryUri' --output text)
arrived() { aws ecr describe-images --repository-name secure-web --region us-west-2 --image-ids imageTag=v2 >/dev/null 2>&1; }
if ! arrived; then
  # v2 pushed before the rule was never replicated: push it again (the repository is still mutable here).
  aws ecr batch-delete-image --repository-name secure-web --image-ids imageTag=v2 >/dev/null 2>&1 || true
  sed -i 's/Version v1/Version v2/' index.html
  docker build -q ${BASE:+--build-arg BASE="$BASE"} -t "$uri:v2" . >/dev/null
  docker push -q "$uri:v2"
fi
for _ in $(seq 60); do arrived && break; sleep 1; done
arrived && echo "v2 is in us-west-2"
