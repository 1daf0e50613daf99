# REST helpers for the scripts that drive a running hark (demo.sh, bench/soak.sh). Source it
# after setting API (e.g. http://127.0.0.1:8080).

# call METHOD PATH TOKEN [BODY|@FILE] [CONTENT-TYPE]: prints the body; fails on HTTP >= 400.
call() {
  local method=$1 path=$2 token=$3 body=${4:-} type=${5:-application/json} out code
  out=$(mktemp)
  code=$(curl -s -o "$out" -w '%{http_code}' -X "$method" "$API$path" -H "Authorization: Bearer $token" \
         -H "Content-Type: $type" ${body:+--data-binary "$body"})
  if [ "$code" -ge 400 ]; then echo "$method $path -> $code $(cat "$out")" >&2; rm -f "$out"; return 1; fi
  cat "$out"; rm -f "$out"
}

# login USER PASSWORD: prints a bearer token.
login() { curl -sf -X POST "$API/api/v1/login" -d "{\"username\":\"$1\",\"password\":\"$2\"}" | jq -r .token; }

# wait_healthy LOG: waits up to 10 s for /healthz; prints LOG's tail and fails otherwise.
wait_healthy() {
  for _ in $(seq 50); do curl -sf "$API/healthz" >/dev/null && return 0; sleep 0.2; done
  echo "hark did not come up; see $1" >&2; tail "$1" >&2; return 1
}
