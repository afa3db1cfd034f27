#!/usr/bin/env bash
# Solves "Add a repository policy": pull-only access for the account.
set -euo pipefail
cd ~
account=$(aws ecr describe-registry --query registryId --output text)
cat >repo-policy.json <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowPullOnly",
      "Effect": "Allow",
      "Principal": { "AWS": "arn:aws:iam::$account:root" },
      "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    }
  ]
}
JSON
aws ecr set-repository-policy --repository-name secure-web --policy-text file://repo-policy.json --query repositoryName --output text
