#!/usr/bin/env bash
# The baseline for benches/process.rs: one signed issue-points call done by hand, the way a
# shell script without the till would do it -- build the JSON body, sign it with
# `openssl dgst -sha256 -hmac` over body + "&clientId=..&clientSecret=.." (PayWizard
# signature V3, docs/protocol.md "Signing"), POST it with curl.
#
# Usage: benches/curl_issue_points.sh ACCOUNT POINTS
# Environment (the till's names): PAYWIZARD_BASE_URL, PAYWIZARD_CLIENT_ID,
# PAYWIZARD_CLIENT_SECRET, PAYWIZARD_JWT_TOKEN; optional PAYWIZARD_CHANNEL (FACTOR4),
# PAYWIZARD_TILL_ID (1).
# Prints PayWizard's answer; exits 0 only for code 200 and result 0.
#
# Bench-only: the secret is on openssl's command line, so other local users could see it
# in the process list. Do not use this against a real PayWizard host.
set -euo pipefail

account=${1:?usage: $0 ACCOUNT POINTS}
points=${2:?usage: $0 ACCOUNT POINTS}
base=${PAYWIZARD_BASE_URL:?PAYWIZARD_BASE_URL is required}
client_id=${PAYWIZARD_CLIENT_ID:?PAYWIZARD_CLIENT_ID is required}
secret=${PAYWIZARD_CLIENT_SECRET:?PAYWIZARD_CLIENT_SECRET is required}
token=${PAYWIZARD_JWT_TOKEN:?PAYWIZARD_JWT_TOKEN is required}
channel=${PAYWIZARD_CHANNEL:-FACTOR4}
till=${PAYWIZARD_TILL_ID:-1}

# tranOrderNo as the till makes it: UTC yyyyMMddHHmmss + till id (4) + journal instance id
# (8) + sequence (8). The instance id here is random and the sequence is the clock's
# nanoseconds; the till keeps real ones in its journal. (Shell arithmetic: no extra process.)
now_ns=$(date -u +%Y%m%d%H%M%S%N)
instance=$(printf '%08d' $(((RANDOM << 15 | RANDOM) % 100000000)))
order="${now_ns:0:14}$(printf '%04d' "$till")${instance}${now_ns:14:8}"

# Compact JSON, the till's field order (PointsRequest).
body=$(printf '{"clientId":"%s","tranOrderNo":"%s","loyaltyChannel":"%s","accountId":"%s","entryType":"K","amount":"%s"}' \
    "$client_id" "$order" "$channel" "$account" "$points")

sign=$(printf '%s&clientId=%s&clientSecret=%s' "$body" "$client_id" "$secret" |
    openssl dgst -sha256 -hmac "$secret" | awk '{print $NF}')

answer=$(curl -sS --max-time 20 -X POST "$base/ovstrade/openLoyaltyPay/loyaltyIssuance" \
    -H 'Content-Type: application/json' \
    -H "jwt-token: $token" \
    -H "sign: $sign" \
    --data-binary "$body")
printf '%s\n' "$answer"
case $answer in
*'"code":200'*'"result":0'* | *'"result":0'*'"code":200'*) exit 0 ;;
*) exit 1 ;;
esac
