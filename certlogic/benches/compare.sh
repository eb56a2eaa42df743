#!/usr/bin/env bash
# certlogic (compiled, criterion `rules/compiled`) against certlogic-js 1.2.2 on Node, same rule
# set and payload, same machine, one run. Needs node and npm (npm fetches certlogic-js once).
set -euo pipefail
cd "$(dirname "$0")"
(cd node && npm install --silent --no-audit --no-fund >/dev/null)
js=$(node node/bench.js CH)
cargo bench -p certlogic --bench eval -- rules/compiled --warm-up-time 1 --measurement-time 5 | tee /tmp/certlogic-bench.txt
rust_us=$(grep -A1 'rules/compiled' /tmp/certlogic-bench.txt | grep -o 'time: *\[[^]]*\]' | awk '{print $4, $5}' | head -1)
echo "certlogic-js: $js"
echo "certlogic (Rust, median): $rust_us"
python3 - "$js" "$rust_us" <<'PY'
import json, sys
js = json.loads(sys.argv[1])["us_per_rule_set"]
v, unit = sys.argv[2].split()
rust = float(v) * {"ns": 1e-3, "µs": 1.0, "us": 1.0, "ms": 1e3}[unit]
print(f"ratio certlogic-js / certlogic = {js / rust:.1f}x")
PY
