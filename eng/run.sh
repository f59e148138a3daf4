#!/usr/bin/env bash
# The main job: ASP.NET Core on DPDK. After setup, eng/http-demo.sh builds the HelloHttp sample (Kestrel on the
# stack's TCP through builder.WebHost.UseDpdk; the build generates the bindings from the installed DPDK), runs it
# on a net_tap interface whose kernel end sits in a network namespace of its own, and from there fetches with curl
# over HTTP/1.1, h2c and HTTPS with HTTP/2 by ALPN, downloads HTTP_DEMO_MB (default 100) MB checked by sha256,
# echoes a POST body, runs wrk for a few seconds and prints its figures, stops the app cleanly (every mbuf back)
# and removes everything it made. The UDP and TCP echo demos (eng/udp-echo-demo.sh, eng/tcp-echo-demo.sh) run on
# their own. Needs root; no NICs, no hugepages.
set -euo pipefail
cd "$(dirname "$0")/.."
bash eng/setup.sh
bash eng/http-demo.sh
