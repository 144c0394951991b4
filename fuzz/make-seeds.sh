#!/usr/bin/env bash
# Writes the seed corpora in fuzz/corpus/<target>/: a handful of realistic
# inputs per target (real tokens signed with the fuzzing test key, real
# cookie headers, forms, bodies, templates, redirect URLs). Rerun after
# changing a seed; the fuzzing runs never write here (scripts/fuzz.sh gives
# libFuzzer a scratch corpus).
set -euo pipefail
cd "$(dirname "$0")"
key=keys/test-rsa-2048.pem
out=corpus
rm -rf "$out"
mkdir -p "$out"

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
# jwt HEADER_JSON PAYLOAD_JSON: a compact RS256 JWS signed with the test key.
jwt() {
  local signing_input
  signing_input="$(printf '%s' "$1" | b64url).$(printf '%s' "$2" | b64url)"
  printf '%s.%s' "$signing_input" \
    "$(printf '%s' "$signing_input" | openssl dgst -sha256 -sign "$key" -binary | b64url)"
}
seed() { mkdir -p "$out/$1"; printf '%b' "$3" > "$out/$1/$2"; }

now=1700000000
session_header='{"alg":"RS256","cat":"cl_B7d4PD111AAA","kid":"ins_fuzz","typ":"JWT"}'
client_header='{"alg":"RS256","kid":"ins_fuzz","typ":"JWT"}'
sid=sess_2u1Vh7yRzzP9a4CqWmKc0B
session_v2="{\"azp\":\"https://app.example.com\",\"exp\":$((now + 60)),\"fva\":[0,-1],\"iat\":$now,\"iss\":\"https://clerk.example.com\",\"nbf\":$((now - 10)),\"o\":{\"id\":\"org_1\"},\"sid\":\"$sid\",\"sts\":\"active\",\"sub\":\"user_2u\",\"v\":2}"
session_v1="{\"exp\":$((now + 60)),\"fva\":[5,-1],\"iat\":$now,\"iss\":\"https://clerk.example.com\",\"nbf\":$((now - 10)),\"org_id\":\"org_1\",\"act\":{\"sub\":\"user_admin\",\"iss\":\"https://dashboard.example.com\"},\"sid\":\"$sid\",\"sts\":\"pending\",\"sub\":\"user_2u\"}"
expired="{\"exp\":$((now - 60)),\"fva\":[0,-1],\"iat\":$((now - 120)),\"iss\":\"https://clerk.example.com\",\"nbf\":$((now - 130)),\"sid\":\"$sid\",\"sts\":\"active\",\"sub\":\"user_2u\",\"v\":2}"
client="{\"id\":\"client_2u1Vh7yRzzP9a4CqWmKc0A\",\"rotating_token\":\"7fJ2kQp9XyZ3mN8bV1cD4e\",\"iat\":$now}"
handshake="{\"handshake\":[\"__session=x; Path=/; Max-Age=60; SameSite=Lax\",\"__client_uat=$now; Path=/; Max-Age=315360000; SameSite=Lax\"],\"iat\":$now,\"exp\":$((now + 60))}"
template_token="{\"exp\":$((now + 60)),\"iat\":$now,\"iss\":\"https://clerk.example.com\",\"jti\":\"j1\",\"nbf\":$((now - 5)),\"sub\":\"user_2u\",\"plan\":\"pro\"}"

session_token=$(jwt "$session_header" "$session_v2")
client_token=$(jwt "$client_header" "$client")

# Tokens: both JWT targets get the same real tokens ('r') and the same
# header/payload pairs to sign ('s').
for t in jwt_adapter jwt_verify; do
  seed $t r-session-v2 "r$session_token"
  seed $t r-session-v1-actor "r$(jwt "$session_header" "$session_v1")"
  seed $t r-session-expired "r$(jwt "$session_header" "$expired")"
  seed $t r-client "r$client_token"
  seed $t r-handshake "r$(jwt "$session_header" "$handshake")"
  seed $t r-template "r$(jwt '{"alg":"RS256","cat":"cl_B7d4PD222AAA","kid":"ins_fuzz","typ":"JWT"}' "$template_token")"
  seed $t r-alg-none "r$(printf '%s' '{"alg":"none","kid":"ins_fuzz"}' | b64url).$(printf '%s' "$session_v2" | b64url)."
  seed $t r-hs256 "r$(printf '%s' '{"alg":"HS256","kid":"ins_fuzz","typ":"JWT"}' | b64url).$(printf '%s' "$session_v2" | b64url).c2lnbmF0dXJl"
  seed $t s-session-v2 "s$session_header\n$session_v2"
  seed $t s-session-v1 "s$session_header\n$session_v1"
  seed $t s-client "s$client_header\n$client"
  seed $t s-crit "s{\"alg\":\"RS256\",\"kid\":\"ins_fuzz\",\"crit\":[\"b64\"],\"b64\":false}\n$session_v2"
done
seed jwt_verify j-jwks 'j{"keys":[{"kty":"RSA","kid":"k1","use":"sig","alg":"RS256","n":"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw","e":"AQAB"}]}'
seed jwt_verify j-mixed 'j{"keys":[{"kty":"EC","kid":"e1","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},{"kty":"RSA","kid":"dup","n":"AQAB","e":"AQAB"},{"kty":"RSA","kid":"dup","n":"AQAB","e":"AQAB"},{"kty":"oct","kid":"h","k":"c2VjcmV0"}]}'
seed jwt_adapter hint-only "r.$(printf '%s' "{\"sid\":\"$sid\"}" | b64url)."

# Frontend API transports: flags, method, query, Cookie, Authorization,
# Origin, Clerk-API-Version.
seed fapi_transport cookie "\nGET\n_clerk_js_version=5.54.0\n__client=$client_token; __client_uat=$now; __session=$session_token\n\nhttps://app.example.com\n"
seed fapi_transport cookie-quoted "\nPOST\n_method=PATCH&_clerk_js_version=5.54.0\ntheme=dark; __client=\"$client_token\"; __client=second\n\nhttps://app.example.com\n2025-11-10"
seed fapi_transport native "\nPOST\n_is_native=1&_method=DELETE\n\nBearer $client_token\n\n2025-04-10"
seed fapi_transport native-disabled "n\nGET\n_is_native=true\n\n$client_token\nnull\n"
seed fapi_transport dev-browser "d\nGET\n__clerk_db_jwt=dvb_2u1Vh7yRzzP9a4CqWmKc0C&__clerk_api_version=2024-10-01\n\n\nhttp://localhost:3000\n"
seed fapi_transport dev-session "d\nPOST\n__dev_session=dvb_2u1Vh7yRzzP9a4CqWmKc0C&_method=put\n__client=$client_token\n\n\n2021-02-05"
seed fapi_transport dev-cookie "d\nGET\n_clerk_js_version=6.40.0\n__client=$client_token\n\nhttp://localhost:3000\n2026-08-20"
seed fapi_transport between-versions "\nPOST\n__clerk_api_version=2025-04-09\n\n\n\n"
seed fapi_transport both-versions "\nGET\n__clerk_api_version=2025-03-12\n\n\n\n2025-03-12"
seed fapi_transport bad-method "\nPOST\n_method=TRACE\n\n\n\n"

# Frontend API forms: Content-Type, body.
seed fapi_form touch "application/x-www-form-urlencoded\nactive_organization_id=org_1&intent=select_org&_clerk_js_version=5.54.0"
seed fapi_form sign-in "application/x-www-form-urlencoded; charset=utf-8\nstrategy=ticket&ticket=$(jwt "$client_header" '{"sit":"sit_1"}')"
seed fapi_form token "\norganization_id=&_clerk_js_version=5.54.0"
seed fapi_form json "application/json\n{\"strategy\":\"ticket\"}"
seed fapi_form percent "application/x-www-form-urlencoded\nstrategy=tick%65t&ticket=a%2Bb%3D%3D&intent=%FF"
seed fapi_form empty "text/plain\n  "

# Backend API JSON bodies.
seed bapi_json create-session '{"user_id":"user_2u","active_organization_id":"org_1"}'
seed bapi_json token '{"expires_in_seconds":120}'
seed bapi_json verify "{\"token\":\"$client_token\"}"
seed bapi_json refresh "{\"expired_token\":\"$session_token\",\"refresh_token\":\"rt_abc\",\"request_origin\":\"https://app.example.com\",\"request_headers\":{\"user-agent\":[\"Mozilla/5.0\"]},\"format\":\"token\",\"request_originating_ip\":\"203.0.113.7\"}"
seed bapi_json template '{"name":"supabase","claims":{"aud":"authenticated","role":"{{user.public_metadata.role || '"'"'user'"'"'}}","email":"{{user.primary_email_address}}"},"lifetime":60,"allowed_clock_skew":5,"custom_signing_key":true,"signing_algorithm":"HS256","signing_key":"a-secret-of-at-least-thirty-two-bytes!!"}'
seed bapi_json sign-in-token '{"user_id":"user_2u","expires_in_seconds":2592000}'
seed bapi_json null 'null'
seed bapi_json unknown-field '{"expires_in_seconds":60,"extra":true}'
seed bapi_json big-number '{"expires_in_seconds":1e400}'

# Template claims, then the context.
seed template supabase '{"aud":"authenticated","role":"{{user.public_metadata.role || '"'"'authenticated'"'"'}}","email":"{{user.email}}","app_metadata":{"provider":"clerk","plan":"{{user.public_metadata.plan}}"}}'
seed template mixed-text '{"greeting":"Hello {{user.first_name}} {{user.last_name || \\"\\"}}!","age":"{{user.age}}","tags":["{{user.public_metadata.tags}}","x {{ user.verified }} y"],"n":1.5,"b":false}'
seed template literals '{"a":"{{ null || false || 0 }}","b":"{{ '"'"'it\\\\'"'"'s'"'"' }}","c":"{{-1.5e3}}","d":"{{true}}","e":"}} {{org.role}} {{"}'
seed template context '{"org":"{{org}}","meta":"{{user.public_metadata}}"}\n{"user":{"public_metadata":{"a":[1,{"b":null}]}},"org":{"id":"org_1","slug":"acme"}}'
seed template bare '{{user.first_name || '"'"'anon'"'"'}} and {{ session.id }}'
seed template reserved '{"sub":"{{user.id}}","exp":1}'

# Redirect URLs: flags, origins, URL.
seed redirect_url allowed "\nhttps://app.example.com http://127.0.0.1:3000\nhttps://app.example.com/dashboard?tab=1#top"
seed redirect_url loopback "l\n\nhttp://localhost:5173/sign-in?redirect=%2F"
seed redirect_url userinfo "\nhttps://app.example.com\nhttps://app.example.com@evil.example/"
seed redirect_url backslash "\nhttps://app.example.com\nhttps://evil.example\\\\@app.example.com/"
seed redirect_url numeric-ip "l\n\nhttp://2130706433:3000/"
seed redirect_url idn "\nhttps://xn--bcher-kva.example:8443\nhttps://XN--BCHER-KVA.example:8443/path"
seed redirect_url default-port "\nhttps://app.example.com:443/\nhttps://app.example.com:443/x"
seed redirect_url ipv6 "l\nhttp://[::1]:8080\nhttp://[0:0::1]:8080/"
seed redirect_url scheme-relative "\nhttps://app.example.com\n//app.example.com/x"
seed redirect_url javascript "\nhttps://app.example.com\njavascript://app.example.com/%0aalert(1)"

# Whole requests (http): flags (b: Backend API, k: with the secret key),
# method, target, header lines, an empty line, the body. $SK, $DVB, $SID,
# $CID and $USER are what the target set up.
form='content-type: application/x-www-form-urlencoded'
origin='origin: http://localhost:3000'
seed http fapi-client "\nGET\n/v1/client?__clerk_db_jwt=\$DVB&_clerk_js_version=5.54.0\n$origin\n\n"
seed http fapi-token "\nPOST\n/v1/client/sessions/\$SID/tokens?__clerk_db_jwt=\$DVB\n$origin\n$form\n\norganization_id="
seed http fapi-touch "\nPOST\n/v1/client/sessions/\$SID/touch?__clerk_db_jwt=\$DVB&_method=PATCH\n$origin\n$form\n\nactive_organization_id=org_1&intent=select_org"
seed http fapi-template-token "\nPOST\n/v1/client/sessions/\$SID/tokens/supabase?__clerk_db_jwt=\$DVB\n$origin\n\n"
seed http fapi-handshake "\nGET\n/v1/client/handshake?__clerk_db_jwt=\$DVB&redirect_url=http%3A%2F%2Flocalhost%3A3000%2F&format=nonce&suffixed_cookies=true&__session=x.eyJzaWQiOiJzZXNzXzEifQ.y\n\n"
seed http fapi-touch-redirect "\nGET\n/v1/client/touch?__clerk_db_jwt=\$DVB&redirect_url=https://evil.example@localhost:3000/\n\n"
seed http fapi-sign-in "\nPOST\n/v1/client/sign_ins?__clerk_db_jwt=\$DVB\n$origin\n$form\n\nstrategy=ticket&ticket=eyJhbGciOiJub25lIn0.e30."
seed http fapi-native "\nPOST\n/v1/client?_is_native=1&_method=PUT\nauthorization: Bearer garbage\n\n"
seed http fapi-jwks "\nGET\n/.well-known/jwks.json\n\n"
seed http fapi-environment-patch "\nPOST\n/v1/environment?_method=PATCH&__clerk_api_version=2026-05-12&_clerk_js_version=6.40.0\n$origin\n$form\n\n"
seed http fapi-me-memberships "\nGET\n/v1/me/organization_memberships?__clerk_db_jwt=\$DVB&paginated=true&limit=10&offset=0&_clerk_session_id=\$SID\n\n"
seed http fapi-me-invitations "\nGET\n/v1/me/organization_invitations?__clerk_db_jwt=\$DVB&paginated=true&status=pending,accepted\n\n"
seed http fapi-preflight "\nOPTIONS\n/v1/client/sessions/\$SID/tokens\n$origin\naccess-control-request-method: POST\naccess-control-request-headers: content-type\n\n"
seed http bapi-sessions "bk\nGET\n/v1/sessions?user_id=\$USER&client_id=\$CID&status=active&limit=10&offset=0\n\n"
seed http bapi-session "bk\nGET\n/v1/sessions/\$SID\n\n"
seed http bapi-token "bk\nPOST\n/v1/sessions/\$SID/tokens\ncontent-type: application/json\n\n{\"expires_in_seconds\":120}"
seed http bapi-template "bk\nPOST\n/v1/jwt_templates\ncontent-type: application/json\n\n{\"name\":\"supabase\",\"claims\":{\"aud\":\"authenticated\",\"role\":\"{{user.public_metadata.role || 'authenticated'}}\"},\"lifetime\":60}"
seed http bapi-template-mint "bk\nPOST\n/v1/sessions/\$SID/tokens/supabase\n\n{}"
seed http bapi-templates "bk\nGET\n/v1/jwt_templates?limit=5&offset=0\n\n"
seed http bapi-client "bk\nGET\n/v1/clients/\$CID\n\n"
seed http bapi-client-verify "bk\nPOST\n/v1/clients/verify\ncontent-type: application/json\n\n{\"token\":\"$client_token\"}"
seed http bapi-refresh "bk\nPOST\n/v1/sessions/\$SID/refresh?suffixed_cookies=true\n\n{\"expired_token\":\"$session_token\",\"refresh_token\":\"rt\",\"request_origin\":\"http://localhost:3000\",\"format\":\"cookie\"}"
seed http bapi-sign-in-token "bk\nPOST\n/v1/sign_in_tokens\n\n{\"user_id\":\"user_2\",\"expires_in_seconds\":60}"
seed http bapi-create-session "bk\nPOST\n/v1/sessions\n\n{\"user_id\":\"user_3\",\"active_organization_id\":\"org_9\"}"
seed http bapi-handshake-payload "bk\nGET\n/v1/clients/handshake_payload?nonce=abc\n\n"
seed http bapi-verify-legacy "bk\nPOST\n/v1/sessions/\$SID/verify\nclerk-api-version: 2024-10-01\n\n{\"token\":\"$session_token\"}"
seed http bapi-jwks-wrong-key "b\nGET\n/v1/jwks\nauthorization: Bearer sk_test_wrong\n\n"

find "$out" -type f | sort | sed 's/^/wrote /'
