#!/usr/bin/env bash
# Solves "Preview what it would expire": previews policy.json (not yet on the repository), saves it in preview.json.
set -euo pipefail
cd ~
aws ecr start-lifecycle-policy-preview --repository-name lifecycle-demo --lifecycle-policy-text file://policy.json >/dev/null
aws ecr wait lifecycle-policy-preview-complete --repository-name lifecycle-demo
aws ecr get-lifecycle-policy-preview --repository-name lifecycle-demo >preview.json
aws ecr get-lifecycle-policy-preview --repository-name lifecycle-demo --query 'previewResults[].imageTags[]' --output text
