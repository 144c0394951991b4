"""Clerk's Python SDK (clerk-backend-api), unchanged, against a real
`hallpass serve` started on free ports with a fresh store. Each SDK call is
recorded in target/compat-results.json for docs/compatibility.md (the same
file the Node.js suite writes).

Run by scripts/compat.sh: python -m unittest discover -s compat/python
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import unittest
from pathlib import Path

import httpx
from clerk_backend_api import Clerk
from clerk_backend_api.security import authenticate_request
from clerk_backend_api.security.types import AuthenticateRequestOptions, AuthStatus
from clerk_backend_api.security.verifytoken import VerifyTokenOptions, verify_token

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("HALLPASS_BIN", str(ROOT / "target" / "debug" / "hallpass"))
RESULTS = ROOT / "target" / "compat-results.json"
SDK = "clerk-backend-api (Python)"


def record(call, passed):
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    results.append({"sdk": SDK, "call": call, "pass": passed})
    RESULTS.write_text(json.dumps(results, indent=2))


def check(call, fn):
    """Runs one SDK call; records whether it worked as the test expects."""
    try:
        value = fn()
    except Exception:
        record(call, False)
        raise
    record(call, True)
    return value


class Hallpass:
    """`hallpass serve` on free ports with a fresh embedded store."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="hallpass-compat-py-")
        self.child = subprocess.Popen(
            [BIN, "serve", "--fapi-addr", "127.0.0.1:0", "--bapi-addr", "127.0.0.1:0",
             "--data-dir", self.dir],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env={**os.environ, "RUST_LOG": "error"},
        )
        banner = ""
        timer = threading.Timer(60, self.child.kill)
        timer.start()
        for line in self.child.stdout:
            banner += line
            if "Secret key:" in line:
                break
        timer.cancel()

        def field(label):
            m = re.search(rf"{re.escape(label)}\s*(\S+)", banner)
            if not m:
                raise RuntimeError(f"no {label} in the banner: {banner}")
            return m.group(1)

        self.fapi = field("Frontend API:")
        self.bapi = field("Backend API:")
        self.secret_key = field("Secret key:")

    def stop(self):
        self.child.terminate()
        self.child.wait(timeout=30)
        self.child.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class BackendApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.h = Hallpass()
        cls.clerk = Clerk(bearer_auth=cls.h.secret_key, server_url=f"{cls.h.bapi}/v1")

    @classmethod
    def tearDownClass(cls):
        cls.h.stop()

    def test_users_organizations_sessions_and_tokens(self):
        clerk = self.clerk
        ada = check("users.create", lambda: clerk.users.create(
            first_name="Ada", last_name="Lovelace", username="ada_l",
            email_address=["ada@example.com"], external_id="crm-1",
            public_metadata={"plan": "pro"}, private_metadata={"secret": "s"},
        ))
        self.assertTrue(ada.id.startswith("user_"))
        self.assertEqual(ada.email_addresses[0].email_address, "ada@example.com")
        got = check("users.get", lambda: clerk.users.get(user_id=ada.id))
        self.assertEqual((got.first_name, got.username), ("Ada", "ada_l"))
        self.assertEqual(got.private_metadata, {"secret": "s"})
        listed = check("users.list (email_address)",
                       lambda: clerk.users.list(request={"email_address": ["ADA@example.com"]}))
        self.assertEqual([u.id for u in listed], [ada.id])
        updated = check("users.update", lambda: clerk.users.update(user_id=ada.id, last_name="King"))
        self.assertEqual(updated.last_name, "King")

        org = check("organizations.create", lambda: clerk.organizations.create(
            request={"name": "Analytical Engines", "slug": "engines", "created_by": ada.id}))
        self.assertEqual(org.slug, "engines")
        by_slug = check("organizations.get (slug)",
                        lambda: clerk.organizations.get(organization_id="engines"))
        self.assertEqual(by_slug.id, org.id)
        bob = clerk.users.create(username="bobby", external_id="crm-2")
        member = check("organization_memberships.create", lambda: clerk.organization_memberships.create(
            organization_id=org.id, user_id=bob.id, role="org:member"))
        self.assertEqual(member.role, "org:member")
        members = check("organization_memberships.list",
                        lambda: clerk.organization_memberships.list(organization_id=org.id))
        self.assertEqual(sorted(m.public_user_data.user_id for m in members.data),
                         sorted([ada.id, bob.id]))

        session = check("sessions.create", lambda: clerk.sessions.create(
            request={"user_id": ada.id, "active_organization_id": org.id}))
        self.assertEqual(session.status, "active")
        self.assertEqual(session.last_active_organization_id, org.id)
        sessions = check("sessions.list", lambda: clerk.sessions.list(user_id=ada.id))
        self.assertEqual([s.id for s in sessions], [session.id])
        token = check("sessions.create_token",
                      lambda: clerk.sessions.create_token(session_id=session.id))

        # Verified through the JWKS fetched from the Backend API.
        claims = check("verify_token (JWKS from the Backend API)", lambda: verify_token(
            token.jwt, VerifyTokenOptions(secret_key=self.h.secret_key, api_url=self.h.bapi)))
        self.assertEqual((claims["sid"], claims["sub"]), (session.id, ada.id))
        self.assertEqual(claims["o"]["id"], org.id)

        # authenticate_request, networkless with the instance's public key.
        jwks = check("jwks.get_jwks", lambda: clerk.jwks.get_jwks())
        from jwt.algorithms import RSAAlgorithm
        from cryptography.hazmat.primitives import serialization
        key = RSAAlgorithm.from_jwk(json.dumps(jwks.keys[0].model_dump(exclude_none=True)))
        pem = key.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        request = httpx.Request("GET", "http://localhost:3000/",
                                headers={"Authorization": f"Bearer {token.jwt}"})
        state = check("authenticate_request (networkless jwt_key)", lambda: authenticate_request(
            request, AuthenticateRequestOptions(jwt_key=pem)))
        self.assertEqual(state.status, AuthStatus.SIGNED_IN, state.reason)
        self.assertEqual(state.payload["org_id"], org.id)
        self.assertEqual(state.payload["org_role"], "admin")

        # A banned user's sessions end; tokens are refused afterwards.
        check("users.ban", lambda: clerk.users.ban(user_id=ada.id))
        revoked = check("sessions.get", lambda: clerk.sessions.get(session_id=session.id))
        self.assertEqual(revoked.status, "revoked")
        # Bulk: both users banned, then both unbanned (the answer a list of
        # users the SDK parses).
        banned = check("users.bulk_ban", lambda: clerk.users.bulk_ban(user_ids=[ada.id, bob.id]))
        self.assertEqual(sorted((u.id, u.banned) for u in banned),
                         sorted([(ada.id, True), (bob.id, True)]))
        unbanned = check("users.bulk_unban",
                         lambda: clerk.users.bulk_unban(user_ids=[ada.id, bob.id]))
        self.assertEqual({u.banned for u in unbanned}, {False})
        check("users.delete", lambda: clerk.users.delete(user_id=bob.id))


if __name__ == "__main__":
    unittest.main()
