#!/usr/bin/env bash
# Solves "Log Docker in to your registry".
set -euo pipefail
uri=$(aws ecr describe-repositories --repository-names myrepo --query 'repositories[0].repositoryUri' --output text)
aws ecr get-login-password | docker login --username AWS --password-stdin "${uri%%/*}"
