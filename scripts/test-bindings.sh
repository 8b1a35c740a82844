#!/usr/bin/env bash
# The construct from Python, as a Python CDK user holds it: jsii-pacmak builds the Python package from the assembly
# (npm run build first), a venv gets the pinned aws-cdk-lib (test/bindings/python-app/requirements.txt) and the wheel,
# and test/bindings/python-app/app.py synthesizes the README's ten-line stack, whose template is then checked.
# The Java, .NET and Go targets are configured in package.json "jsii" but not built here.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist/bindings
npx jsii-pacmak --targets python --outdir dist/bindings
venv=dist/bindings/python-venv
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r test/bindings/python-app/requirements.txt
# The wheel asks for aws-cdk-lib>=2.250.0 (the npm peer floor): the pinned 2.275.0 satisfies it, nothing else is fetched.
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-index dist/bindings/python/*.whl
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
CDK_OUTDIR="$out" "$venv/bin/python" test/bindings/python-app/app.py
"$venv/bin/python" test/bindings/python-app/check_template.py "$out/MyMail.template.json"
