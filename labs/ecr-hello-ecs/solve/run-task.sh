#!/usr/bin/env bash
# Solves "Run the task": starts a hello-ecs task unless one is running, and waits until it runs.
set -euo pipefail
NET=${NET:-'awsvpcConfiguration={subnets=[subnet-0abc],securityGroups=[sg-0abc],assignPublicIp=ENABLED}'}
task=$(aws ecs list-tasks --cluster hello-cluster --family hello-ecs --desired-status RUNNING --query 'taskArns[0]' --output text)
if [[ $task != arn:* ]]; then
  task=$(aws ecs run-task --cluster hello-cluster --task-definition hello-ecs --launch-type FARGATE \
    --network-configuration "$NET" --query 'tasks[0].taskArn' --output text)
fi
aws ecs wait tasks-running --cluster hello-cluster --tasks "$task"
