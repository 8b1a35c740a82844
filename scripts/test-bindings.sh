#!/usr/bin/env bash
# The construct from Python, Java and Go, as a CDK user of each holds it. One jsii-pacmak run builds the three packages
# from the assembly (its `npm pack` runs prepack, which compiles .jsii and the bundles): the wheel into
# dist/bindings/python, the jar into a Maven repository at dist/bindings/java (pacmak runs Maven itself), the Go module
# into dist/bindings/go (pacmak builds it). Python: a venv gets the pinned aws-cdk-lib
# (test/bindings/python-app/requirements.txt) and the wheel, and python-app/app.py synthesizes the README's ten-line
# stack. Go: test/bindings/go-app (go.mod and go.sum pinned, the binding by a `replace`) is built and synthesizes the
# same stack. Java: Maven installs the jar with its pom into the local repository, then compiles and runs
# test/bindings/java-app (pom.xml, pinned: aws-cdk-lib 2.263.0, the newest Maven Central serves), whose MyMailApp is the
# same stack. test/bindings/check_template.py checks the three templates. Maven's local repository is ~/.m2/repository, or MAVEN_REPO_LOCAL if set (an empty folder
# there measures a cold cache). The .NET target is configured in package.json "jsii", not built here (no .NET SDK).
set -euo pipefail
cd "$(dirname "$0")/.."
m2=$(realpath -m "${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}")
rm -rf dist/bindings
npx jsii-pacmak --targets python java go --outdir dist/bindings --maven-local-repository "$m2"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

venv=dist/bindings/python-venv
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r test/bindings/python-app/requirements.txt
# The wheel asks for aws-cdk-lib>=2.250.0 (the npm peer floor): the pinned 2.275.0 satisfies it, nothing else is fetched.
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-index dist/bindings/python/*.whl
CDK_OUTDIR="$out/python" "$venv/bin/python" test/bindings/python-app/app.py
"$venv/bin/python" test/bindings/check_template.py "$out/python/MyMail.template.json" python

go -C test/bindings/go-app build -o "$out/go-app" .
CDK_OUTDIR="$out/go" "$out/go-app"
"$venv/bin/python" test/bindings/check_template.py "$out/go/MyMail.template.json" go

version=$(node -p "require('./package.json').version")
jar=dist/bindings/java/io/github/ses-encrypted-inbound/ses-encrypted-inbound/$version/ses-encrypted-inbound-$version
mvn=(mvn -B -q -Dstyle.color=never "-Dmaven.repo.local=$m2")
# install-file, not a file:// repository in the app's pom: Maven would keep serving the first jar of this version it
# copied into the local repository, never a rebuilt one.
"${mvn[@]}" org.apache.maven.plugins:maven-install-plugin:3.1.4:install-file "-Dfile=$jar.jar" "-DpomFile=$jar.pom"
rm -rf test/bindings/java-app/target # compiled afresh against this jar
CDK_OUTDIR="$out/java" "${mvn[@]}" -f test/bindings/java-app/pom.xml "-Dses-encrypted-inbound.version=$version" \
  compile exec:java
"$venv/bin/python" test/bindings/check_template.py "$out/java/MyMail.template.json" java
