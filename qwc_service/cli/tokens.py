"""``qwc-service token``: API tokens for the JSON API, created and revoked here only."""

from __future__ import annotations

from typing import Any

import click

from qwc_service.cli.common import CliContext, emit, friendly_errors, pass_cli

json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")


@click.group("token")
def token_group() -> None:
    """API tokens: bearer secrets for the JSON API under /api."""


@token_group.command("create")
@click.option("--name", required=True, help="Who or what uses the token, e.g. 'billing app'.")
@json_option
@pass_cli
@friendly_errors
def create_cmd(cli: CliContext, name: str, as_json: bool) -> None:
    """Create a token and print it: this is the only time it is shown."""
    from qwc_service.tokens import service as tokens

    with cli.unit() as db:
        created = tokens.create_token(db, name)
        data = {**tokens.token_view(created.token), "token": created.secret}
    emit(
        data,
        as_json,
        lambda d: (
            f"API token {d['token_id']} ({d['name']}) created:\n  {d['token']}\n"
            "(the token is shown only now; store it safely)"
        ),
    )


@token_group.command("list")
@json_option
@pass_cli
@friendly_errors
def list_cmd(cli: CliContext, as_json: bool) -> None:
    """List tokens by id and prefix (never the tokens themselves)."""
    from qwc_service.tokens import service as tokens

    with cli.unit() as db:
        data = [tokens.token_view(t) for t in tokens.list_tokens(db)]

    def human(rows: list[dict[str, Any]]) -> str:
        if not rows:
            return "no API tokens"
        return "\n".join(
            f"{r['token_id']:>4}  {r['prefix']}…  {r['name']}  "
            f"last used {r['last_used_at'] or 'never'}"
            + (f"  REVOKED {r['revoked_at']}" if r["revoked_at"] else "")
            for r in rows
        )

    emit(data, as_json, human)


@token_group.command("revoke")
@click.argument("token_id_or_prefix")
@json_option
@pass_cli
@friendly_errors
def revoke_cmd(cli: CliContext, token_id_or_prefix: str, as_json: bool) -> None:
    """Revoke a token by id or prefix; requests with it get 401 from now on."""
    from qwc_service.tokens import service as tokens

    with cli.unit() as db:
        data = tokens.token_view(tokens.revoke_token(db, token_id_or_prefix))
    emit(data, as_json, lambda d: f"API token {d['token_id']} ({d['prefix']}…) revoked")


def register(main: click.Group) -> None:
    """Add the ``token`` group to the main group."""
    main.add_command(token_group)
