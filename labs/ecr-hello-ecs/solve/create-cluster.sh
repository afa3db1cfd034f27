#!/usr/bin/env bash
# Solves "Create an ECS cluster" (create-cluster is idempotent).
set -euo pipefail
aws ecs create-cluster --cluster-name hello-cluster --query 'cluster.status' --output text
