#!/usr/bin/env bash
# Solves "Let the policy run": waits (up to three minutes) until the policy has expired prod-1 and dev-1.
set -euo pipefail
for _ in $(seq 1 90); do
  tags=$(aws ecr list-images --repository-name lifecycle-demo --query 'imageIds[].imageTag' --output text)
  if ! grep -qw -e prod-1 -e dev-1 <<<"$tags"; then
    echo "left: $tags"
    exit 0
  fi
  sleep 2
done
echo "the lifecycle policy did not run within three minutes" >&2
exit 1
