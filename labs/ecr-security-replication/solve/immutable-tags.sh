#!/usr/bin/env bash
# Solves "Make tags immutable": IMMUTABLE, then an attempt to overwrite v2, logged in push-again.log.
set -euo pipefail
cd ~
aws ecr put-image-tag-mutability --repository-name secure-web --image-tag-mutability IMMUTABLE >/dev/null
uri=$(aws ecr describe-repositories --repository-names secure-web --query 'repositories[0].repositoryUri' --output text)
grep -q 'quick fix' index.html || sed -i 's/Version v2/Version v2, quick fix/' index.html
docker build -q ${BASE:+--build-arg BASE="$BASE"} -t "$uri:v2" . >/dev/null
docker push "$uri:v2" 2>&1 | tee push-again.log || true
