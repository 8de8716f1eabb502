"""Headers every answer carries: no inline script, no framing, no sniffing, no referrer leaks."""

from __future__ import annotations

from flask import Flask, Response, g, request

# No inline script or style anywhere: a script injected into a hazard description cannot run.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def register(app: Flask) -> None:
    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        # Feed and board tokens travel in URLs: never pass them on in a Referer.
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.endpoint != "static.file":
            # Pages hold personal data (mobile numbers): never kept by a shared cache or the browser.
            response.headers["Cache-Control"] = "no-store"
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if g.get("token") is not None:
            response.vary.add("Authorization")
        return response
