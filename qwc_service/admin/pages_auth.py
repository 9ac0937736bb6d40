"""Signing in with an API token, and signing out."""

from __future__ import annotations

from qwc_service.admin.context import Ctx
from qwc_service.admin.http import cleared_cookie, sign_in_cookie
from qwc_service.admin.signins import (
    COOKIE_NAME,
    SignInRefused,
    current_sign_in,
    sign_in,
    sign_out,
)
from qwc_service.http.reply import Reply, redirect

__all__ = ["login_page", "sign_in_form", "sign_out_form"]

REFUSED = "That token was not accepted. Paste a current API token (qwc-service token create)."


def _secure(ctx: Ctx) -> bool:
    return ctx.settings.public_url.startswith("https://")


def login_page(ctx: Ctx) -> Reply:
    """The sign-in form; a browser already signed in goes to the connections."""
    if current_sign_in(ctx.db, ctx.request.cookie(COOKIE_NAME)) is not None:
        return redirect("/admin")
    return ctx.page("login.html")


def sign_in_form(ctx: Ctx) -> Reply:
    """Exchange the pasted token for a sign-in cookie; the same answer for any bad token."""
    token = ctx.form.get("token", "")
    try:
        signed = sign_in(ctx.db, ctx.settings, token)
    except SignInRefused:
        return ctx.page("login.html", http_status=401, refused=REFUSED)
    cookie = sign_in_cookie(
        COOKIE_NAME,
        signed.cookie,
        secure=_secure(ctx),
        max_age=ctx.settings.admin_sign_in_hours * 3600,
    )
    return redirect("/admin", cookies=(cookie,))


def sign_out_form(ctx: Ctx) -> Reply:
    """End this browser's sign-in and remove its cookie."""
    sign_out(ctx.db, ctx.request.cookie(COOKIE_NAME))
    return redirect("/admin/login", cookies=(cleared_cookie(COOKIE_NAME, secure=_secure(ctx)),))
