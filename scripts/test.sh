#!/usr/bin/env bash
# Runs every check and test; ends with the plain line "N passed, N failed".
# Expects the tools from scripts/provision.sh on PATH (./heatstream test does that).
set -uo pipefail
cd "${HS_ROOT:?run through ./heatstream test}"
mkdir -p test-results
passed=0
failed=0
step() {
  local name=$1; shift
  printf '\n== %s\n' "$name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); printf '== %s FAILED\n' "$name"; fi
}
step lint npx --no-install eslint --max-warnings 0 .
step format npx --no-install prettier --check --log-level warn .
step typecheck npm run -s typecheck
step schemas node contracts/src/generate.ts --check
step generated node deploy/generate.ts --check
step dashboards node deploy/grafana/generate.ts --check

mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.test.ts' | grep -v -e '^node_modules/' -e '^load/' | sort)
printf '\n== tests (%d files)\n' "${#files[@]}"
tap=test-results/tests.tap
node --test --test-timeout=600000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" \
  "$@" "${files[@]}"
status=$?
tests_passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap" | tail -1)
tests_failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap" | tail -1)
tests_cancelled=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$tap" | tail -1)
passed=$((passed + ${tests_passed:-0}))
failed=$((failed + ${tests_failed:-0} + ${tests_cancelled:-0}))
if [ "$status" -ne 0 ] && [ "${tests_failed:-0}" -eq 0 ] && [ "${tests_cancelled:-0}" -eq 0 ]; then failed=$((failed + 1)); fi
if [ "${tests_passed:-0}" -eq 0 ]; then echo 'no test ran'; failed=$((failed + 1)); fi
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
