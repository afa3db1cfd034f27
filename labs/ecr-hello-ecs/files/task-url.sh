#!/usr/bin/env bash
# Prints the address of the web page of your running task:  bash task-url.sh [cluster] [family]
set -euo pipefail
cluster=${1:-hello-cluster}
family=${2:-hello-ecs}

arn=$(aws ecs list-tasks --cluster "$cluster" --family "$family" --desired-status RUNNING --query 'taskArns[0]' --output text)
if [[ $arn != arn:* ]]; then
  echo "No running task of '$family' in '$cluster'. Run one first (aws ecs run-task ...)." >&2
  exit 1
fi
details() { # the value of one detail of the task's network interface (ENI) attachment
  aws ecs describe-tasks --cluster "$cluster" --tasks "$arn" \
    --query "tasks[0].attachments[?type=='ElasticNetworkInterface'].details[] | [?name=='$1'].value | [0]" --output text
}

# The lab sandbox runs the task on this machine and publishes port 80 on 127.0.0.1:<port>.
published=$(details 'sandboxPublishedPort.80/tcp')
if [[ -n $published && $published != None ]]; then
  echo "http://$published/"
  exit 0
fi
# On AWS, Fargate gives the task's network interface a public IP (assignPublicIp=ENABLED).
eni=$(details networkInterfaceId)
ip=$(aws ec2 describe-network-interfaces --network-interface-ids "$eni" --query 'NetworkInterfaces[0].Association.PublicIp' --output text)
echo "http://$ip/"
