#!/usr/bin/env bash
# Solves the bonus step: hello-service with one task, waited on until it is stable.
set -euo pipefail
NET=${NET:-'awsvpcConfiguration={subnets=[subnet-0abc],securityGroups=[sg-0abc],assignPublicIp=ENABLED}'}
status=$(aws ecs describe-services --cluster hello-cluster --services hello-service --query 'services[0].status' --output text 2>/dev/null || true)
if [[ $status == ACTIVE ]]; then
  aws ecs update-service --cluster hello-cluster --service hello-service --desired-count 1 >/dev/null
else
  aws ecs create-service --cluster hello-cluster --service-name hello-service --task-definition hello-ecs \
    --desired-count 1 --launch-type FARGATE --network-configuration "$NET" >/dev/null
fi
aws ecs wait services-stable --cluster hello-cluster --services hello-service
