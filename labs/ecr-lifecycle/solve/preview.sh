#!/usr/bin/env bash
# Solves "Preview what it would expire": starts a preview, waits, saves it in preview.json.
set -euo pipefail
cd ~
aws ecr start-lifecycle-policy-preview --repository-name lifecycle-demo >/dev/null 2>&1 || true # one may be in progress
aws ecr wait lifecycle-policy-preview-complete --repository-name lifecycle-demo
aws ecr get-lifecycle-policy-preview --repository-name lifecycle-demo >preview.json
aws ecr get-lifecycle-policy-preview --repository-name lifecycle-demo --query 'previewResults[].imageTags[]' --output text
