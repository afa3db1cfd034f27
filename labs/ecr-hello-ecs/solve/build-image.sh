#!/usr/bin/env bash
# Solves "Build the Apache image" (BASE: another base image, e.g. httpd:2.4 on real AWS).
set -euo pipefail
cd ~
grep -q 'Hello From ECS' index.html || echo '<h1>Hello From ECS</h1>' >index.html
docker build -q ${BASE:+--build-arg BASE="$BASE"} -t myrepo .
