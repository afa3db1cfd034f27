#!/usr/bin/env bash
# Solves "Read the scan findings": waits for the scan of v1 and saves its findings in findings.json.
set -euo pipefail
cd ~
# The waiter fails on a FAILED scan (an image without a package database); the findings say why.
aws ecr wait image-scan-complete --repository-name secure-web --image-id imageTag=v1 || true
aws ecr describe-image-scan-findings --repository-name secure-web --image-id imageTag=v1 >findings.json
aws ecr describe-image-scan-findings --repository-name secure-web --image-id imageTag=v1 \
  --query '[imageScanStatus.status, imageScanFindings.findingSeverityCounts]' --output json
