"""A real OpenID Connect provider on loopback for the single sign-on tests.

It is oidc-provider-mock (authlib's authorisation server in a Flask app), served over HTTP on
127.0.0.1 by werkzeug in a thread of the test process: discovery, the authorisation form,
the token endpoint, JWKS, userinfo and RP-initiated sign-out are its own. Users and their
claims (groups included) are set through its ``PUT /users/<sub>`` endpoint.

Two things are added in front of its endpoints, both test-only:

- **PKCE is enforced.** The mock accepts a ``code_challenge`` but does not check the
  verifier; here the token endpoint refuses a code whose S256 challenge does not match, as a
  real provider does, so the tests show our client really sends its verifier.
- **Misbehaviour on request** (``provider.misbehave = "..."``), for the refusals our client
  must make. The token endpoint's real ID token is changed before it leaves: re-signed with
  the provider's own key for a wrong audience, an expiry in the past or a different nonce (so
  only that check can fail), or given a corrupted signature.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from urllib.parse import parse_qs, urlsplit

import flask
import oidc_provider_mock
import requests
import werkzeug.serving
from authlib.jose import jwt as authlib_jwt

MISBEHAVIOURS = {"bad_signature", "wrong_audience", "expired", "wrong_nonce"}


class TestProvider:
    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self):
        self.misbehave: str | None = None
        self.challenges: dict[str, tuple[str, str]] = {}  # code → (challenge, method)
        self.app = oidc_provider_mock.app(require_nonce=True)
        self.app.before_request(self._check_pkce)
        self.app.after_request(self._after)
        self.server = werkzeug.serving.make_server("127.0.0.1", 0, self.app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> TestProvider:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def set_user(self, sub: str, **claims) -> None:
        """Create or change a user at the provider: the claims its next tokens carry."""
        response = requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=5)
        assert response.status_code == 204, response.text

    def authorize(self, authorize_url: str, sub: str) -> str:
        """What the person does at the provider: choose the account and consent, by posting
        the provider's own form. Returns the URL the provider sends the browser back to."""
        response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    # --- The additions described above ---------------------------------------------------

    def _check_pkce(self):
        request = flask.request
        if (
            request.path != "/oauth2/token"
            or request.form.get("grant_type") != "authorization_code"
        ):
            return None
        challenge, method = self.challenges.pop(request.form.get("code", ""), ("", ""))
        verifier = request.form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
        if not challenge or method != "S256" or digest.decode() != challenge:
            return flask.jsonify(error="invalid_grant", error_description="PKCE failed"), 400
        return None

    def _after(self, response):
        request = flask.request
        if request.path == "/oauth2/authorize" and request.method == "POST":
            location = response.headers.get("Location", "")
            code = parse_qs(urlsplit(location).query).get("code", [""])[0]
            if code:
                self.challenges[code] = (
                    request.args.get("code_challenge", ""),
                    request.args.get("code_challenge_method", ""),
                )
        if request.path == "/oauth2/token" and response.status_code == 200 and self.misbehave:
            body = response.get_json()
            body["id_token"] = self._tampered(body["id_token"])
            response.set_data(flask.json.dumps(body))
        return response

    def _tampered(self, id_token: str) -> str:
        if self.misbehave == "bad_signature":
            header, payload, signature = id_token.split(".")
            flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
            return f"{header}.{payload}.{flipped}"
        key = flask.g.oidc_provider_mock_storage.jwk
        claims = authlib_jwt.decode(id_token, key)
        if self.misbehave == "wrong_audience":
            claims["aud"] = "another-application"
        elif self.misbehave == "expired":
            claims["iat"], claims["exp"] = int(time.time()) - 7200, int(time.time()) - 3600
        elif self.misbehave == "wrong_nonce":
            claims["nonce"] = "a-nonce-from-another-sign-in"
        header = {"alg": "RS256", "kid": key.as_dict()["kid"]}
        return authlib_jwt.encode(header, dict(claims), key).decode()
