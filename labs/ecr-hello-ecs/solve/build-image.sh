#!/usr/bin/env bash
# Solves "Write the page and build the image" (BASE: another base image, e.g. httpd:2.4 on real AWS).
set -euo pipefail
cd ~
if ! grep -q 'Hello From ECS' index.html 2>/dev/null; then
  cat >index.html <<'HTML'
<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8">
    <title>Hello From ECS</title>
  </head>
  <body>
    <h1>Hello From ECS</h1>
    <p>Served by Apache, from an image in Amazon ECR, in a task on Amazon ECS.</p>
  </body>
</html>
HTML
fi
docker build -q ${BASE:+--build-arg BASE="$BASE"} -t myrepo .
