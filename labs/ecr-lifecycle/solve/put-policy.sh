#!/usr/bin/env bash
# Solves "Put the policy on the repository".
set -euo pipefail
cd ~
aws ecr put-lifecycle-policy --repository-name lifecycle-demo --lifecycle-policy-text file://policy.json --query repositoryName --output text
