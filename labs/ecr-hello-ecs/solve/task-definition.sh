#!/usr/bin/env bash
# Solves "Register a task definition": writes taskdef.json as the lab shows it and registers it.
set -euo pipefail
cd ~
uri=$(aws ecr describe-repositories --repository-names myrepo --query 'repositories[0].repositoryUri' --output text)
account=$(aws ecr describe-registry --query registryId --output text)
cat >taskdef.json <<JSON
{
  "family": "hello-ecs",
  "networkMode": "awsvpc",
  "requiresCompatibilities": ["FARGATE"],
  "cpu": "256",
  "memory": "512",
  "executionRoleArn": "arn:aws:iam::$account:role/ecsTaskExecutionRole",
  "containerDefinitions": [
    {
      "name": "web",
      "image": "$uri:latest",
      "essential": true,
      "portMappings": [{ "containerPort": 80, "protocol": "tcp" }]
    }
  ]
}
JSON
aws ecs register-task-definition --cli-input-json file://taskdef.json --query 'taskDefinition.taskDefinitionArn' --output text
