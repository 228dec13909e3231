#!/usr/bin/env bash
# Install the system packages calcinosis-kg needs, only where they are missing:
#   Java (HermiT reasoner), Graphviz `dot` (diagrams), Chromium + ChromeDriver (browser test of the docs site).
# Uses apt-get (Debian/Ubuntu). Without root or apt-get it prints what to install and carries on.
set -euo pipefail
missing=()
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
# serve/push tests: Virtuoso Open Source (started per test on a private loopback port) and Jena's
# remote query client; consumer matrix (tests/test_consumers.py): OWLAPI and Jena jars, javac for
# the OWLAPI harness
command -v virtuoso-t >/dev/null 2>&1 || missing+=(virtuoso-opensource)
command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless)
[ -e /usr/share/java/owlapi-distribution.jar ] || missing+=(libowlapi-java)
[ -e /usr/share/java/jena-cmds.jar ] && [ -e /usr/share/java/jena-arq.jar ] || missing+=(libapache-jena-java)
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: java, javac, dot, chromium, chromedriver, virtuoso, OWLAPI, Jena present"
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # the tests start their own Virtuoso on a free loopback port; no system-wide server is needed
  if command -v service >/dev/null 2>&1; then
    service virtuoso-opensource-7 stop >/dev/null 2>&1 || true
  fi
else
  echo "warning: please install these system packages: ${missing[*]}" >&2
  echo "         (Java is needed for reasoning; 'pip install calcinosis-kg[java]' bundles one)" >&2
fi
