#!/usr/bin/env bash
# Solves "Write the lifecycle policy".
set -euo pipefail
cd ~
cat >policy.json <<'JSON'
{
  "rules": [
    {
      "rulePriority": 1,
      "description": "Expire untagged images older than 1 day",
      "selection": { "tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 1 },
      "action": { "type": "expire" }
    },
    {
      "rulePriority": 2,
      "description": "Keep the 2 newest prod images",
      "selection": { "tagStatus": "tagged", "tagPrefixList": ["prod"], "countType": "imageCountMoreThan", "countNumber": 2 },
      "action": { "type": "expire" }
    },
    {
      "rulePriority": 3,
      "description": "Keep the newest dev image",
      "selection": { "tagStatus": "tagged", "tagPrefixList": ["dev"], "countType": "imageCountMoreThan", "countNumber": 1 },
      "action": { "type": "expire" }
    }
  ]
}
JSON
echo "policy.json written"
